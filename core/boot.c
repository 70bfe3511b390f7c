/* The arm64 boot protocol's placement (boot.h). */
#include "core/boot.h"

#include <stdarg.h>

#include "core/fmt.h"
#include "hal/err.h"

#define SZ_2M        (2ull << 20)
#define SZ_1G        (1ull << 30)
#define SZ_32G       (32ull << 30)
#define PAGE         4096ull
#define FLAG_BE      (1ull << 0)

static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < 8; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

const struct vm_mem_config *boot_ram(const struct vm_config *cfg)
{
	for (unsigned i = 0; i < cfg->nmem; i++) {
		const struct vm_mem_config *m = &cfg->mem[i];
		if (!(m->flags & PT_DEVICE) && (m->flags & PT_R) && (m->flags & PT_W))
			return m;
	}
	return NULL;
}

struct boot_header boot_read_header(const uint8_t *kernel, size_t size)
{
	struct boot_header h = { .present = false };

	if (!kernel || size < BOOT_IMAGE_HEADER_SIZE)
		return h;
	uint32_t magic = (uint32_t)kernel[56] | (uint32_t)kernel[57] << 8 |
			 (uint32_t)kernel[58] << 16 | (uint32_t)kernel[59] << 24;
	if (magic != BOOT_IMAGE_MAGIC)
		return h;
	h.present = true;
	h.text_offset = le64(kernel + 8);
	h.image_size = le64(kernel + 16);
	h.flags = le64(kernel + 24);
	if (h.image_size == 0)
		h.text_offset = BOOT_RAW_OFFSET; /* booting.rst: pre-3.17 kernels */
	return h;
}

static int refuse(char *why, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int refuse(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (why && len) {
		va_start(ap, fmt);
		fmt_vsnprintf(why, len, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

int boot_place(const uint8_t *kernel, size_t kernel_size, size_t initrd_size, size_t dtb_size,
	       gpa_t ram, uint64_t ram_size, struct boot_layout *out, char *why, size_t why_len)
{
	uint64_t base = gpa_bits(ram), end = base + ram_size;

	if (!kernel || !kernel_size || !out)
		return refuse(why, why_len, "has an empty kernel");
	if (end < base)
		return refuse(why, why_len, "has RAM at 0x%llx that wraps (size 0x%llx)", (unsigned long long)base,
			      (unsigned long long)ram_size);
	if (dtb_size > BOOT_DTB_MAX)
		return refuse(why, why_len, "has a device tree of %llu bytes, over the %llu the "
			      "boot protocol allows", (unsigned long long)dtb_size,
			      (unsigned long long)BOOT_DTB_MAX);
	struct boot_header h = boot_read_header(kernel, kernel_size);
	if (h.present && (h.flags & FLAG_BE))
		return refuse(why, why_len, "has a big-endian kernel (Image flags 0x%llx)",
			      (unsigned long long)h.flags);
	uint64_t at = h.present ? align_up(base, SZ_2M) + h.text_offset : base + BOOT_RAW_OFFSET;
	uint64_t span = h.present && h.image_size > kernel_size ? h.image_size : kernel_size;
	uint64_t kend = at + span;
	if (at < base || kend < at || kend > end)
		return refuse(why, why_len, "has RAM too small for its kernel: it needs up to "
			      "0x%llx, RAM ends at 0x%llx", (unsigned long long)kend,
			      (unsigned long long)end);
	uint64_t next = kend, initrd = 0;
	if (initrd_size) {
		initrd = align_up(next, PAGE);
		next = initrd + initrd_size;
		if (next < initrd || next > end)
			return refuse(why, why_len, "has RAM too small for its initrd: it needs up "
				      "to 0x%llx, RAM ends at 0x%llx", (unsigned long long)next,
				      (unsigned long long)end);
		uint64_t window = at & ~(SZ_1G - 1);
		if (next - window > SZ_32G)
			return refuse(why, why_len, "has its initrd (ending at 0x%llx) outside the "
				      "32 GiB window from 0x%llx the protocol requires",
				      (unsigned long long)next, (unsigned long long)window);
	}
	uint64_t dtb = align_up(next, PAGE);
	if (dtb_size && (dtb & ~(SZ_2M - 1)) != ((dtb + dtb_size - 1) & ~(SZ_2M - 1)))
		dtb = align_up(dtb, SZ_2M); /* it may not cross a 2 MiB boundary */
	if (dtb < next || dtb + dtb_size < dtb || dtb + dtb_size > end)
		return refuse(why, why_len, "has RAM too small for its device tree: it needs up "
			      "to 0x%llx, RAM ends at 0x%llx",
			      (unsigned long long)(dtb + dtb_size), (unsigned long long)end);
	*out = (struct boot_layout){
		.kernel = gpa_make(at), .kernel_span = span,
		.initrd = gpa_make(initrd), .initrd_size = initrd_size,
		.dtb = gpa_make(dtb), .dtb_size = dtb_size,
	};
	return 0;
}
