/* A VM's boot-protocol statements (scenarios/README.md, "Booting a kernel"):
 *   kernel PATH        an arm64 Image (or a raw image) booted as the protocol asks
 *   initrd PATH        loaded after it; its range goes into /chosen
 *   dtb PATH           a device tree passed as it is, instead of the one Tandem writes
 *   bootargs "TEXT"    /chosen/bootargs of the tree Tandem writes
 *   psci hvc|smc       the conduit that tree names (default hvc)
 *   kaslr-seed N       /chosen/kaslr-seed (absent unless given: a kernel's addresses
 *   rng-seed N         then match its System.map); rng-seed's 32 bytes drawn from N
 *   reboots N|always   how many PSCI SYSTEM_RESETs restart the VM (default always);
 *                      after that a SYSTEM_RESET stops it
 *   devicetree ADDR    (a VM without a kernel) the tree Tandem writes, at ADDR, its
 *                      address the entry's argument: x0 on aarch64, a1 on riscv64 */
#include <stdio.h>
#include <string.h>

#include "tools/scenario/parser.h"

/* kernel, initrd, dtb: "NOUN PATH", once per VM. */
static int path_statement(struct parser *p, const char *noun, char *out)
{
	char usage[32];
	int err;

	snprintf(usage, sizeof(usage), "%s PATH", noun);
	if ((err = need(p, 2, 2, usage)))
		return err;
	if (out[0])
		return error(p, "VM \"%s\" already has %s %s", p->vm->name,
			     strchr("aeiou", noun[0]) ? "an" : "a", noun);
	return copy_path(p, noun, out);
}

static int bootargs(struct parser *p)
{
	struct scn_vm *vm = p->vm;
	int err = need(p, 2, 2, "bootargs \"TEXT\"");

	if (err)
		return err;
	if (vm->has_bootargs)
		return error(p, "VM \"%s\" already has bootargs", vm->name);
	size_t len = strlen(p->tok[1]);
	if (len >= sizeof(vm->bootargs))
		return error(p, "bootargs too long (at most %zu characters)", sizeof(vm->bootargs) - 1);
	memcpy(vm->bootargs, p->tok[1], len + 1);
	vm->has_bootargs = true;
	return 0;
}

static int psci(struct parser *p)
{
	int err = need(p, 2, 2, "psci hvc|smc");

	if (err)
		return err;
	if (strcmp(p->tok[1], "hvc") && strcmp(p->tok[1], "smc"))
		return error(p, "the PSCI conduit is hvc or smc, not \"%s\"", p->tok[1]);
	p->vm->psci_smc = !strcmp(p->tok[1], "smc");
	return 0;
}

static int seed(struct parser *p, bool *has, uint64_t *v, const char *usage)
{
	int err = need(p, 2, 2, usage);

	if (!err)
		err = number(p, p->tok[1], v);
	if (!err)
		*has = true;
	return err;
}

static int reboots(struct parser *p)
{
	uint64_t n = 0;
	int err = need(p, 2, 2, "reboots N|always");

	if (err)
		return err;
	if (!strcmp(p->tok[1], "always")) {
		p->vm->cfg.reboots = VM_REBOOT_ALWAYS;
		return 0;
	}
	if ((err = number(p, p->tok[1], &n)))
		return err;
	if (n >= VM_REBOOT_ALWAYS)
		return error(p, "reboots is 0 to %u, or always", VM_REBOOT_ALWAYS - 1);
	p->vm->cfg.reboots = (uint32_t)n;
	return 0;
}

int vm_boot_statement(struct parser *p, int arg)
{
	struct scn_vm *vm = p->vm;

	switch (arg) {
	case BOOT_KERNEL: return path_statement(p, "kernel", vm->kernel_path);
	case BOOT_INITRD: return path_statement(p, "initrd", vm->initrd_path);
	case BOOT_DTB: return path_statement(p, "dtb", vm->dtb_path);
	case BOOT_BOOTARGS: return bootargs(p);
	case BOOT_PSCI: return psci(p);
	case BOOT_KASLR_SEED:
		return seed(p, &vm->has_kaslr_seed, &vm->kaslr_seed, "kaslr-seed N");
	case BOOT_RNG_SEED: return seed(p, &vm->has_rng_seed, &vm->rng_seed, "rng-seed N");
	case BOOT_REBOOTS: return reboots(p);
	case BOOT_DEVICETREE:
		if (vm->has_devicetree)
			return error(p, "VM \"%s\" already has a devicetree", vm->name);
		vm->has_devicetree = true;
		if (need(p, 2, 2, "devicetree ADDR"))
			return -EINVAL;
		return number(p, p->tok[1], &vm->devicetree_addr);
	}
	return error(p, "unknown boot statement");
}

int vm_boot_end(struct parser *p)
{
	const struct scn_vm *vm = p->vm;
	bool kernel = vm->kernel_path[0];

	if (kernel && vm->has_devicetree)
		return error(p, "VM \"%s\" boots a kernel, which gets its tree after the initrd: "
			     "no devicetree ADDR", vm->name);
	if (kernel && vm->has_image)
		return error(p, "VM \"%s\" has both an image and a kernel: it boots one",
			     vm->name);
	if (!kernel && (vm->initrd_path[0] || vm->dtb_path[0] || vm->has_bootargs))
		return error(p, "VM \"%s\" has an initrd, a dtb or bootargs but no kernel",
			     vm->name);
	if (vm->dtb_path[0] && (vm->has_bootargs || vm->has_kaslr_seed || vm->has_rng_seed ||
				vm->psci_smc))
		return error(p, "VM \"%s\" passes its own dtb: bootargs, psci and seeds belong in "
			     "it", vm->name);
	return 0;
}
