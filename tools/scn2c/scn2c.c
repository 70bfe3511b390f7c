/* scn2c: a scenario's VMs (scenarios/README.md) as C for the bare-metal image, the
 * `const struct vm_plan tandem_plan` of core/vmset.h with every VM's guest image as a
 * byte array. It runs on the build machine; what it writes must link into the
 * freestanding image, so it includes only core/vmset.h and calls nothing. Programs are
 * the simulation host's guests and are left out. The output goes to OUT.tmp, renamed
 * to OUT only once complete: a failed run never leaves a partial OUT behind.
 *
 *   scn2c SCENARIO OUT.c [--image-dir DIR]
 *
 * It refuses what it can know is wrong without the board: a linear or identity region
 * over a device Tandem drives on QEMU virt, or over host memory another region maps.
 * Exit status 0, or 1 with a message on stderr. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/boot.h"
#include "core/place.h"
#include "core/vmset.h"
#include "tools/scenario/scenario.h"

#define IMAGE_MAX (512u << 20)

struct image {
	char path[PATH_MAX]; /* as opened */
	uint8_t *bytes;      /* owned */
	size_t size;
};

/* The symbolic names the generated C uses, by enum value. */
static const char *const backend_names[] = {
	[AS_LINEAR] = "AS_LINEAR",
	[AS_ALLOC_EAGER] = "AS_ALLOC_EAGER",
	[AS_ALLOC_LAZY] = "AS_ALLOC_LAZY",
	[AS_IDENTITY] = "AS_IDENTITY",
};

static const char *const mode_names[] = {
	[SCHED_STATIC] = "SCHED_STATIC",
	[SCHED_TIMESHARED] = "SCHED_TIMESHARED",
};

/* "scn2c: message" on stderr; returns -1 for the caller to pass on. */
static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int fail(const char *fmt, ...)
{
	va_list ap;

	fputs("scn2c: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -1;
}

static int usage(void)
{
	fprintf(stderr, "usage: scn2c SCENARIO OUT.c [--image-dir DIR]\n");
	return 1;
}

/* The bare-metal host runs guest images, not programs: every VM needs one. */
static int check_images(const struct scenario *s)
{
	for (unsigned i = 0; i < s->nvms; i++)
		if (!s->vms[i].has_image && !s->vms[i].kernel_path[0])
			return fail("vm %s: no image: the bare-metal host runs guest images "
				    "(add `image PATH [ADDR]` or `kernel PATH`)",
				    s->vms[i].name);
	return 0;
}

/* The devices of QEMU's virt board that Tandem drives itself (hal-baremetal/aarch64/
 * qemu-virt): no VM may be given them. The rest of the board, and where RAM is, only
 * the DTB says; Tandem checks that when it starts. */
static const struct {
	uint64_t base, size;
	const char *what;
} tandems_devices[] = {
	{ 0x08000000, 0x10000, "the GIC distributor" },
	{ 0x08080000, 0x20000, "the GIC ITS" },
	{ 0x080A0000, 0xF60000, "the GIC redistributors" },
	{ 0x09000000, 0x1000, "the console UART" },
};

static bool maps_host(const struct vm_mem_config *m)
{
	return m->backend == AS_LINEAR || m->backend == AS_IDENTITY;
}

/* The host range a linear or identity region maps, [*base, *last]; false if it has
 * none or wraps (Tandem refuses those itself). */
static bool host_range(const struct vm_mem_config *m, uint64_t *base, uint64_t *last)
{
	*base = pa_bits(m->backend == AS_IDENTITY ? pa_of_identity(m->gpa) : m->hpa);
	*last = *base + m->size - 1;
	return maps_host(m) && m->size && *last >= *base;
}

/* Region m of vm against Tandem's devices and every region before it: no two VMs (and
 * no two regions of one VM) map the same host memory or device. */
static int check_region_host(const struct scenario *s, unsigned vm, unsigned m)
{
	const struct scn_vm *v = &s->vms[vm];
	uint64_t b, l, ob, ol;

	if (!host_range(&v->cfg.mem[m], &b, &l))
		return 0;
	for (size_t i = 0; i < sizeof(tandems_devices) / sizeof(tandems_devices[0]); i++) {
		uint64_t db = tandems_devices[i].base, dl = db + tandems_devices[i].size - 1;
		if (b <= dl && db <= l)
			return fail("vm %s: memory at 0x%08llx: host 0x%08llx-0x%08llx overlaps %s "
				    "(0x%08llx-0x%08llx), which Tandem uses",
				    v->name, (unsigned long long)gpa_bits(v->cfg.mem[m].gpa),
				    (unsigned long long)b, (unsigned long long)l,
				    tandems_devices[i].what, (unsigned long long)db,
				    (unsigned long long)dl);
	}
	for (unsigned ov = 0; ov <= vm; ov++) {
		const struct scn_vm *o = &s->vms[ov];
		for (unsigned om = 0; om < (ov == vm ? m : o->cfg.nmem); om++)
			if (host_range(&o->cfg.mem[om], &ob, &ol) && b <= ol && ob <= l)
				return fail("vm %s: memory at 0x%08llx: host 0x%08llx-0x%08llx "
					    "overlaps vm %s's memory at 0x%08llx (host "
					    "0x%08llx-0x%08llx)",
					    v->name, (unsigned long long)gpa_bits(v->cfg.mem[m].gpa),
					    (unsigned long long)b, (unsigned long long)l, o->name,
					    (unsigned long long)gpa_bits(o->cfg.mem[om].gpa),
					    (unsigned long long)ob, (unsigned long long)ol);
	}
	return 0;
}

static int check_host_memory(const struct scenario *s)
{
	for (unsigned v = 0; v < s->nvms; v++)
		for (unsigned m = 0; m < s->vms[v].cfg.nmem; m++)
			if (check_region_host(s, v, m))
				return -1;
	return 0;
}

/* An image path as written, made absolute or relative to the working directory: it is
 * relative to dir if given, else to the scenario file's directory. */
static int resolve(char out[PATH_MAX], const char *scenario, const char *dir, const char *path)
{
	const char *slash = strrchr(scenario, '/');
	int n;

	if (path[0] == '/')
		n = snprintf(out, PATH_MAX, "%s", path);
	else if (dir)
		n = snprintf(out, PATH_MAX, "%s/%s", dir, path);
	else if (slash)
		n = snprintf(out, PATH_MAX, "%.*s/%s", (int)(slash - scenario), scenario, path);
	else
		n = snprintf(out, PATH_MAX, "%s", path);
	if (n < 0 || n >= PATH_MAX)
		return fail("image path %s: too long", path);
	return 0;
}

/* The whole file, at most IMAGE_MAX bytes, never empty. */
static int read_image(const char *vm, struct image *img)
{
	FILE *f = fopen(img->path, "rb");
	size_t cap = 0, n;

	if (!f)
		return fail("vm %s: cannot read image %s: %s", vm, img->path, strerror(errno));
	do { /* up to IMAGE_MAX + 1 bytes: one more is enough to know it is too large */
		if (img->size == cap) {
			if (cap > IMAGE_MAX)
				break;
			cap = cap ? 2 * cap : 64 * 1024;
			cap = cap > IMAGE_MAX ? IMAGE_MAX + 1 : cap;
			uint8_t *b = realloc(img->bytes, cap);
			if (!b) {
				fclose(f);
				return fail("vm %s: image %s: out of memory", vm, img->path);
			}
			img->bytes = b;
		}
		n = fread(img->bytes + img->size, 1, cap - img->size, f);
		img->size += n;
	} while (n);
	int err = ferror(f) ? errno : 0;
	fclose(f);
	if (err)
		return fail("vm %s: cannot read image %s: %s", vm, img->path, strerror(err));
	if (img->size > IMAGE_MAX)
		return fail("vm %s: image %s is larger than 512 MiB", vm, img->path);
	if (img->size == 0)
		return fail("vm %s: image %s is empty", vm, img->path);
	return 0;
}

/* The image must lie wholly in the memory region that holds its first byte. */
static int check_fit(const struct scn_vm *vm, const struct image *img)
{
	const struct vm_config *c = &vm->cfg;

	for (unsigned i = 0; i < c->nmem; i++) {
		const struct vm_mem_config *m = &c->mem[i];
		uint64_t base = gpa_bits(m->gpa);
		if (vm->image_addr < base || vm->image_addr - base >= m->size)
			continue;
		if (img->size <= m->size - (vm->image_addr - base))
			return 0;
		return fail("vm %s: image %s (%zu bytes at 0x%llx) does not fit the memory region "
			    "0x%llx-0x%llx",
			    vm->name, img->path, img->size, (unsigned long long)vm->image_addr,
			    (unsigned long long)base, (unsigned long long)(base + m->size - 1));
	}
	return fail("vm %s: image address 0x%llx is in no memory region", vm->name,
		    (unsigned long long)vm->image_addr); /* the parser rules this out */
}

/* Text inside a C comment: printable characters only, and never a comment's end or
 * start ("*" and "/" next to each other get a space between them). */
static void put_comment_text(FILE *f, const char *s)
{
	for (char prev = 0; *s; prev = *s++) {
		bool split = (prev == '*' && *s == '/') || (prev == '/' && *s == '*');
		fprintf(f, "%s%c", split ? " " : "", *s >= 0x20 && *s < 0x7f ? *s : '?');
	}
}

/* A C string literal; '?' escaped too, so that no trigraph forms. */
static void put_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\' || c == '?')
			fprintf(f, "\\%c", c);
		else if (c >= 0x20 && c < 0x7f)
			fputc(c, f);
		else
			fprintf(f, "\\%03o", c);
	}
	fputc('"', f);
}

/* A file in the image under label: the assembler copies it in (.incbin), so that a
 * kernel of tens of MiB costs no C array to write or to compile. The path goes to the
 * assembler as an absolute one, in a string it must not be able to end early. */
static int put_blob(FILE *f, const char *label, const struct image *img)
{
	char abs[PATH_MAX];

	if (!realpath(img->path, abs))
		return fail("%s: %s", img->path, strerror(errno));
	for (const char *c = abs; *c; c++)
		if (*c == '"' || *c == '\\' || (unsigned char)*c < 0x20 || (unsigned char)*c >= 0x7f)
			return fail("%s: a path the assembler cannot be given (quote, backslash or "
				    "control character)", abs);
	fprintf(f, "__asm__(\".pushsection .rodata.%s, \\\"a\\\"\\n\"\n", label);
	fprintf(f, "\t\".balign 16\\n\"\n\t\"%s:\\n\"\n", label);
	fprintf(f, "\t\".incbin \\\"%s\\\"\\n\"\n", abs);
	fprintf(f, "\t\".popsection\\n\");\n");
	fprintf(f, "extern const uint8_t %s[]; /* %zu bytes */\n\n", label, img->size);
	return 0;
}

/* The files one VM boots from, as read: its image, or its kernel, initrd and dtb. */
enum { FILE_IMAGE, FILE_KERNEL, FILE_INITRD, FILE_DTB, FILE_KINDS };
static const char *const file_kinds[FILE_KINDS] = { "image", "kernel", "initrd", "dtb" };
struct vm_files {
	struct image f[FILE_KINDS]; /* size 0: not given */
};

/* ", .NAME = blob_VM_KIND, .NAME_size = N" for a file given, else nothing. */
static void put_file_field(FILE *f, const char *field, unsigned vm, const struct vm_files *files,
			   unsigned kind)
{
	if (files->f[kind].size)
		fprintf(f, ", .%s = blob_%u_%s, .%s_size = %zuu", field, vm, file_kinds[kind], field,
			files->f[kind].size);
}

/* The boot-protocol part of a spec. */
static void put_boot(FILE *f, const struct scn_vm *vm, unsigned idx, const struct vm_files *files)
{
	if (!files->f[FILE_KERNEL].size) {
		if (vm->has_devicetree)
			fprintf(f, ",\n\t  .boot = { .has_dtb_at = true, .dtb_at = { 0x%llxull } }",
				(unsigned long long)vm->devicetree_addr);
		return;
	}
	fprintf(f, ",\n\t  .boot = { .psci_smc = %s", vm->psci_smc ? "true" : "false");
	put_file_field(f, "kernel", idx, files, FILE_KERNEL);
	put_file_field(f, "initrd", idx, files, FILE_INITRD);
	put_file_field(f, "dtb", idx, files, FILE_DTB);
	if (vm->has_bootargs) {
		fprintf(f, ", .bootargs = ");
		put_string(f, vm->bootargs);
	}
	if (vm->has_kaslr_seed)
		fprintf(f, ", .has_kaslr_seed = true, .kaslr_seed = 0x%llxull",
			(unsigned long long)vm->kaslr_seed);
	if (vm->has_rng_seed)
		fprintf(f, ", .has_rng_seed = true, .rng_seed = 0x%llxull",
			(unsigned long long)vm->rng_seed);
	fprintf(f, " }");
}

/* One struct vm_spec: every vm_config field the parser fills (not the devices: the
 * set adds the PL011), the PL011, the image or the kernel and what boots with it. */
static int put_spec(FILE *f, const struct scn_vm *vm, unsigned idx, const struct vm_files *files)
{
	const struct vm_config *c = &vm->cfg;

	fprintf(f, "\t{ .cfg = { .name = ");
	put_string(f, vm->name);
	fprintf(f, ", .nvcpus = %u, .affinity = {", c->nvcpus);
	for (unsigned i = 0; i < c->nvcpus; i++)
		fprintf(f, "%s 0x%llxull", i ? "," : "", (unsigned long long)c->affinity[i]);
	fprintf(f,
		" }, .entry = { 0x%llxull }, .entry_arg = 0x%llxull,\n\t\t   .nmem = %u, .mem = {",
		(unsigned long long)gpa_bits(c->entry), (unsigned long long)c->entry_arg, c->nmem);
	for (unsigned i = 0; i < c->nmem; i++) {
		const struct vm_mem_config *m = &c->mem[i];
		if ((unsigned)m->backend >= sizeof(backend_names) / sizeof(backend_names[0]))
			return fail("vm %s: unknown memory backend %u", vm->name,
				    (unsigned)m->backend);
		fprintf(f, "%s { { 0x%llxull }, 0x%llxull, %uu, %s, { 0x%llxull } }", i ? "," : "",
			(unsigned long long)gpa_bits(m->gpa), (unsigned long long)m->size, m->flags,
			backend_names[m->backend], (unsigned long long)pa_bits(m->hpa));
	}
	fprintf(f, " }, .mmio_raz_wi = %s, .reboots = %uu },\n", c->mmio_raz_wi ? "true" : "false",
		c->reboots);
	fprintf(f, "\t  .has_pl011 = %s, .pl011_base = { 0x%llxull }, .pl011_irq = %uu",
		vm->has_pl011 ? "true" : "false", (unsigned long long)vm->pl011_base, vm->pl011_irq);
	if (vm->has_ns16550)
		fprintf(f, ",\n\t  .has_ns16550 = true, .ns16550_base = { 0x%llxull }, "
			".ns16550_irq = %uu", (unsigned long long)vm->ns16550_base, vm->ns16550_irq);
	if (files->f[FILE_IMAGE].size)
		fprintf(f, ", .image = blob_%u_image, .image_size = %zuu, .image_addr = { 0x%llxull }",
			idx, files->f[FILE_IMAGE].size, (unsigned long long)vm->image_addr);
	put_boot(f, vm, idx, files);
	fprintf(f, " },\n");
	return 0;
}

/* A kernel must boot in the VM's first read-write RAM region, as Tandem places it at
 * start-up (core/vmset.c): refused here with the same words, at build time. */
static int check_kernel_fits(const struct scn_vm *vm, const struct vm_files *files)
{
	const struct image *k = &files->f[FILE_KERNEL];
	const struct vm_mem_config *m = boot_ram(&vm->cfg);
	struct boot_layout l;
	char why[BOOT_WHY_MAX];
	size_t dtb = files->f[FILE_DTB].size ? files->f[FILE_DTB].size : VMSET_DTB_RESERVE;

	if (!m)
		return fail("vm %s: has a kernel but no read-write RAM", vm->name);
	if (boot_place(k->bytes, k->size, files->f[FILE_INITRD].size, dtb, m->gpa, m->size, &l,
		       why, sizeof(why)))
		return fail("vm %s: %s", vm->name, why);
	return 0;
}

/* Read, check and write out VM i's files. */
static int put_vm_files(FILE *f, const struct scn_vm *vm, unsigned i, const char *scenario,
			const char *dir, struct vm_files *files)
{
	const char *paths[FILE_KINDS] = { vm->has_image ? vm->image_path : "", vm->kernel_path,
					  vm->initrd_path, vm->dtb_path };
	int err = 0;

	for (unsigned k = 0; k < FILE_KINDS && !err; k++) {
		struct image *img = &files->f[k];
		char label[64];
		if (!paths[k][0])
			continue;
		err = resolve(img->path, scenario, dir, paths[k]);
		if (!err)
			err = read_image(vm->name, img);
		if (!err && k == FILE_IMAGE)
			err = check_fit(vm, img);
		snprintf(label, sizeof(label), "blob_%u_%s", i, file_kinds[k]);
		if (!err)
			err = put_blob(f, label, img);
	}
	if (!err && files->f[FILE_KERNEL].size)
		err = check_kernel_fits(vm, files);
	return err;
}

static int put_plan(FILE *f, const struct scenario *s, const char *scenario, const char *dir)
{
	static struct vm_files files[SCN_MAX_VMS];
	int err = 0;

	memset(files, 0, sizeof(files));
	fprintf(f, "/* Generated by scn2c from ");
	put_comment_text(f, scenario);
	fprintf(f, ": do not edit. */\n#include \"core/vmset.h\"\n\n");
	for (unsigned i = 0; i < s->nvms && !err; i++)
		err = put_vm_files(f, &s->vms[i], i, scenario, dir, &files[i]);
	if (!err) {
		fprintf(f, "static const struct vm_spec specs[] = {\n");
		for (unsigned i = 0; i < s->nvms && !err; i++)
			err = put_spec(f, &s->vms[i], i, &files[i]);
	}
	if (!err && (unsigned)s->mode >= sizeof(mode_names) / sizeof(mode_names[0]))
		err = fail("unknown scheduling mode %u", (unsigned)s->mode);
	if (!err)
		fprintf(f, "};\n\nconst struct vm_plan tandem_plan = { .mode = %s, .slice_ns = "
			   "%lluull, .pcpus = %uu, .nvms = %uu, .vms = specs };\n",
			mode_names[s->mode], (unsigned long long)s->slice_ns, s->pcpus, s->nvms);
	for (unsigned i = 0; i < s->nvms; i++)
		for (unsigned k = 0; k < FILE_KINDS; k++)
			free(files[i].f[k].bytes);
	return err;
}

/* Write the plan to OUT.tmp and rename it to OUT; on any failure remove OUT.tmp. */
static int write_out(const struct scenario *s, const char *scenario, const char *out,
		     const char *dir)
{
	char tmp[PATH_MAX];
	int n = snprintf(tmp, sizeof(tmp), "%s.tmp", out);

	if (n < 0 || n >= (int)sizeof(tmp))
		return fail("%s: path too long", out);
	FILE *f = fopen(tmp, "w");
	if (!f)
		return fail("cannot write %s: %s", tmp, strerror(errno));
	int err = put_plan(f, s, scenario, dir);
	if (ferror(f) && !err)
		err = fail("cannot write %s: %s", tmp, strerror(errno));
	if (fclose(f) && !err)
		err = fail("cannot write %s: %s", tmp, strerror(errno));
	if (!err && rename(tmp, out))
		err = fail("cannot rename %s to %s: %s", tmp, out, strerror(errno));
	if (err)
		remove(tmp);
	return err;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "image-dir", required_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	static struct scenario s; /* large: off the stack */
	char err[SCN_ERR_MAX];
	const char *dir = NULL;
	int c;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c != 'i')
			return usage();
		dir = optarg;
	}
	if (argc - optind != 2)
		return usage();
	const char *scenario = argv[optind], *out = argv[optind + 1];
	if (scn_load(scenario, &s, err)) {
		fprintf(stderr, "%s\n", err);
		scn_free(&s);
		return 1;
	}
	/* Static mode: refused here if no machine could run it (the scenario's pcpus, if
	 * it gives them, else the most there can be); the image places its vCPUs itself
	 * on the machine it boots on, so the affinities go out as written. */
	if (scn_check_placement(&s, scenario, s.pcpus ? s.pcpus : PLACE_MAX_PCPUS, err)) {
		fprintf(stderr, "%s\n", err);
		scn_free(&s);
		return 1;
	}
	int rc = check_images(&s) || check_host_memory(&s) || write_out(&s, scenario, out, dir)
			 ? 1
			 : 0;
	scn_free(&s);
	return rc;
}
