/* Where a VM's boot images go, as the arm64 Linux boot protocol asks
 * (Documentation/arch/arm64/booting.rst): a kernel with the 64-byte Image header at the
 * first 2 MiB boundary of RAM plus its text_offset, with its image_size reserved (which
 * may exceed the file: nothing else may be put there); a file without the header at RAM
 * base + 0x80000, as QEMU's -kernel does; then the initrd (page-aligned, inside the
 * 1 GiB-aligned 32 GiB window that holds the kernel) and the device tree (8-byte
 * aligned, at most 2 MiB, never across a 2 MiB boundary), each after the other inside
 * the same RAM region. Pure arithmetic over sizes, so hosts, tests and tools agree. */
#ifndef CORE_BOOT_H
#define CORE_BOOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/vm.h"
#include "hal/addr.h"

#define BOOT_IMAGE_HEADER_SIZE 64u
#define BOOT_IMAGE_MAGIC       0x644D5241u /* "ARM\x64", little-endian at offset 56 */
#define BOOT_RAW_OFFSET        0x80000ull  /* a headerless image, and text_offset 0's stand-in */
#define BOOT_DTB_MAX           (2ull << 20)
#define BOOT_WHY_MAX           160

/* What the Image header says; valid only if present. */
struct boot_header {
	bool present;
	uint64_t text_offset;
	uint64_t image_size; /* 0 in kernels before 3.17: then text_offset is 0x80000 */
	uint64_t flags;      /* bit 0: big-endian kernel; bit 3: any 2 MiB-aligned base */
};

/* Read the header of kernel[0, size); present is false for a raw image. */
struct boot_header boot_read_header(const uint8_t *kernel, size_t size);

struct boot_layout {
	gpa_t kernel;         /* where the file's first byte goes: the entry point */
	uint64_t kernel_span; /* the bytes reserved for it: max(image_size, file) */
	gpa_t initrd;         /* valid if initrd_size */
	uint64_t initrd_size;
	gpa_t dtb;
	uint64_t dtb_size;
};

/* The memory region of cfg a kernel boots in: its first read-write RAM region (not
 * device memory); NULL if it has none. */
const struct vm_mem_config *boot_ram(const struct vm_config *cfg);

/* Place a kernel of kernel_size bytes (its first bytes at kernel, for the header), an
 * initrd of initrd_size bytes (0: none) and a DTB of dtb_size bytes in the RAM region
 * [ram, ram + ram_size). 0 and *out; -EINVAL with a sentence in why (may be NULL) for
 * an empty kernel, a big-endian one, a DTB over 2 MiB, or images that do not fit. */
int boot_place(const uint8_t *kernel, size_t kernel_size, size_t initrd_size, size_t dtb_size,
	       gpa_t ram, uint64_t ram_size, struct boot_layout *out, char *why, size_t why_len);

#endif
