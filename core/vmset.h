/* A set of VMs built from their specifications: the part of Tandem's VM configuration
 * format (scenarios/README.md) that both hosts instantiate. hvsim converts a parsed
 * scenario into specs; the bare-metal image gets them compiled in by tools/scn2c. A
 * set creates each VM, gives it its emulated UART (an aarch64 VM's PL011, its interrupt
 * wired to vCPU 0; a riscv64 VM's NS16550A on a PLIC source, also its firmware console),
 * copies its guest image into guest memory, starts them together and gives everything
 * back when they are destroyed. */
#ifndef CORE_VMSET_H
#define CORE_VMSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/boot.h"
#include "core/pl011.h"
#include "core/sched.h"
#include "core/uart16550.h"
#include "core/vm.h"

#define VMSET_MAX 8

/* A kernel booted as the arm64 Linux boot protocol asks (core/boot.h): placed per its
 * Image header in the VM's first RAM region, the initrd and the device tree after it,
 * vCPU 0 entered at the kernel with x0 = the device tree's address. */
struct vm_boot_spec {
	const uint8_t *kernel; /* NULL: no kernel */
	size_t kernel_size;
	const uint8_t *initrd; /* NULL: none */
	size_t initrd_size;
	const uint8_t *dtb;    /* a device tree to pass as it is; NULL: Tandem writes one */
	size_t dtb_size;
	const char *bootargs;  /* /chosen/bootargs of the tree Tandem writes; NULL: none */
	bool psci_smc;         /* the PSCI conduit the tree names: smc, else hvc */
	bool has_kaslr_seed, has_rng_seed;
	uint64_t kaslr_seed;
	uint64_t rng_seed;     /* the 32 bytes of /chosen/rng-seed are drawn from it */
	/* Without a kernel: the tree Tandem writes, at dtb_at in RAM, its address the
	 * entry's argument (x0 on aarch64, a1 on riscv64: both boot protocols). */
	bool has_dtb_at;
	gpa_t dtb_at;
};

struct vm_spec {
	struct vm_config cfg; /* the set adds the UART to its devices */
	bool has_pl011;
	gpa_t pl011_base;
	unsigned pl011_irq;    /* the line the UART raises on vCPU 0 (an SPI's INTID) */
	bool has_ns16550;      /* riscv64: an NS16550A instead */
	gpa_t ns16550_base;
	unsigned ns16550_irq;  /* its PLIC source */
	const uint8_t *image;  /* NULL: no guest image to load */
	size_t image_size;
	gpa_t image_addr;      /* inside one of the VM's memory regions */
	struct vm_boot_spec boot;
};

/* The room a device tree Tandem writes may take in guest memory. */
#define VMSET_DTB_RESERVE (64u << 10)

/* Everything a host needs to run a configuration: how to schedule and which VMs. */
struct vm_plan {
	enum sched_mode mode;
	uint64_t slice_ns; /* 0: the scheduler's default */
	unsigned pcpus;    /* pCPUs the configuration was written for; 0: any */
	unsigned nvms;
	const struct vm_spec *vms;
};

/* A VM's UART: which one is the spec's (has_pl011 or has_ns16550). */
struct vmset_uart {
	bool ns16550;
	union {
		struct pl011 uart;
		struct uart16550 ns;
	};
	struct vm *vm; /* set once the VM exists: the UART is live */
	unsigned line;
	bool level;
};

/* What a set keeps of each VM to load it again at every reset. */
struct vmset_boot {
	const struct vm_spec *spec; /* the caller's, which outlives the set */
	struct vmset_uart *uart;    /* NULL: no UART */
	struct boot_layout layout;  /* spec->boot.kernel only */
	uint32_t boots;             /* times the images were loaded: 1 + the resets */
};

struct vmset {
	unsigned n;
	struct vm *vms[VMSET_MAX];
	struct vmset_uart uarts[VMSET_MAX];
	struct vmset_boot boots[VMSET_MAX];
};

/* Empty the set, for vmset_add. */
void vmset_init(struct vmset *s);

/* Create the VM of spec, load its images and add it to the set; spec must outlive the
 * set (a reset loads the images again). 0, or an error with nothing added and *why
 * (may be NULL) saying why: -EINVAL (a full set, an image that does not fit the VM's
 * memory, a kernel without a RAM region to boot in, a malformed device tree), -ENOMEM
 * (no frames to write the device tree in), or vm_create_reason's errors. */
int vmset_add(struct vmset *s, const struct vm_spec *spec, struct vm_refusal *why);

/* Create every VM of specs[0..n) (vmset_add in order). 0, or the first error with the
 * VMs made so far destroyed again; *failed is the index of the spec that failed and
 * *why says why (either may be NULL). */
int vmset_build(struct vmset *s, const struct vm_spec *specs, unsigned n, unsigned *failed,
		struct vm_refusal *why);

/* Start every VM (vCPU 0 of each becomes runnable). */
void vmset_start(struct vmset *s);

/* True once every VM of the set has stopped. */
bool vmset_all_stopped(const struct vmset *s);

/* A byte of console input for the first VM with a UART; -ENODEV if none has one, or
 * pl011_receive's (uart16550_receive's) result. */
int vmset_console_input(struct vmset *s, uint8_t byte);

/* How many bytes of console input the first VM with a UART would take now (its
 * receiver's room); -ENODEV if none has a UART. A host reads its input only while
 * there is room, so that a fast sender (a pipe) loses nothing to a slow guest. */
int vmset_console_room(struct vmset *s);

/* Stop every VM and kick the pCPUs that run its vCPUs. */
void vmset_stop(struct vmset *s, enum vm_stop_reason reason);

/* Write out everything the VMs' UARTs hold, partial lines too, waiting for the
 * console: once the VMs have stopped, before a host prints its verdict. */
void vmset_flush(struct vmset *s);

/* Write out partial UART lines, take the UARTs off the console, and destroy every VM.
 * -EBUSY (nothing destroyed for that VM) while one still has a vCPU on a pCPU; call
 * again once the pCPUs are idle. */
int vmset_destroy(struct vmset *s);

#endif
