/* Tandem's aarch64 test guest: a small EL1 program, run with its MMU off (addresses
 * are guest-physical), assembled once per VM with NAME (a string) and CTX (the
 * context id vCPU 0 hands to vCPU 1). Each step uses exactly the instruction and
 * registers the matching action of the hvsim scenario (two-guests.scn) uses, so that
 * both hosts must report the same exits: prints are STRB W9, [X10] to UARTDR; loads
 * and stores go through X28 with the value in X1; calls are HVC/SMC #0 with X0-X3.
 *
 * vCPU 0: prints; asks Tandem over SMC whether vCPU 1 is on (AFFINITY_INFO: OFF, where
 * QEMU's own firmware would answer for the physical CPU, which is ON); touches lazily
 * allocated memory; reads an address with no device and checks it takes a synchronous
 * external abort at VBAR_EL1; with its MMU on for one store, writes to read-only memory
 * through a VA alias (a stage-2 permission fault, whose IPA Tandem must find from the
 * VA) and checks it is aborted; starts vCPU 1 with PSCI CPU_ON over HVC and waits for its
 * flag (so that the two never print at once); ends with SYSTEM_OFF. vCPU 1: checks its context id, prints, touches lazy
 * memory, raises the flag and turns itself off. A failed check prints a line with
 * "FAIL" and powers the VM off. */
#include "guest-lib.h"
#define NO_DEVICE 0x0a000000
#define LAZY0 0x40100000
#define LAZY1 0x40180000
#define ROM 0x40200000			/* read-only at stage 2 */
#define ROM_ALIAS 0x80200000		/* ROM through the guest's stage 1 */
#define S1_TABLE 0x4000e000		/* the guest's level-1 table */
#define FLAG 0x4000f000
#define READY 0x4000f008
#define BURST_READY 0x4000f010
#define BURST_SENT 0x4000f018

#define GICD 0x08000000
#define GICD_ISENABLER1 0x08000104
#define GICR0_WAKER 0x080A0014
#define GICR0_ISENABLER0 0x080B0100
#define GICR1_WAKER 0x080C0014
#define GICR1_ISENABLER0 0x080D0100
#define UARTIMSC 0x09000038
#define TIMER_TICKS 62500		/* 1 ms at QEMU's 62.5 MHz */
#define TIMER_IRQS 100

#define PSCI_AFFINITY_INFO 0xC4000004

#define EC_DABT_CUR 0x25
#define FSC_SYNC_EXT 0x10

	/* The CPU interface: priority mask and Group 1 on (no trap: the hardware's). */
	.macro	gic_cpu_on
	mov	x9, #0xff
	msr	icc_pmr_el1, x9
	mov	x9, #1
	msr	icc_igrpen1_el1, x9
	isb
	.endm

	/* Wait in WFI with IRQs masked (it ends once an interrupt is pending), then take
	 * it: the handler leaves its INTID in TPIDR_EL1, which must be intid. */
	.macro	take_irq intid, label
	wfi
	msr	daifclr, #2
	isb
	msr	daifset, #2
	mrs	x0, tpidr_el1
	fail_unless_x0 \intid, \label
	.endm

	.macro	fail_unless_x0 value, label
	ldr	x12, =\value
	cmp	x0, x12
	adr	x11, \label
	b.ne	fail
	.endm

	.section .text.boot, "ax"
	.globl	_start
_start:					/* vCPU 0, at the start of the image */
	adr	x0, vectors
	msr	vbar_el1, x0
	isb
	print	hello0
	call	smc, PSCI_AFFINITY_INFO, 1, 0
	fail_unless_x0 1, fail_smc
	print	smc_ok
	/* Lazily allocated memory: the first store faults into Tandem, which maps it. */
	ldr	x28, =LAZY0
	ldr	x1, =0xa1fa
	str	x1, [x28]
	ldr	x2, [x28]
	mov	x0, x2
	fail_unless_x0 0xa1fa, fail_lazy
	/* No device: Tandem injects a synchronous external abort; the handler counts it. */
	ldr	x28, =NO_DEVICE
	ldr	w3, [x28]
	adr	x0, aborts
	ldr	x0, [x0]
	fail_unless_x0 1, fail_abort
	print	abort_ok
	/* A store to read-only memory through the guest's own stage 1: Tandem gets a
	 * stage-2 permission fault with FAR_EL2 = ROM_ALIAS and HPFAR_EL2 UNKNOWN, finds
	 * the IPA (ROM) by translating the VA and injects an abort. The hvsim program
	 * stores to ROM with the MMU off: the same instruction, ESR and IPA. */
	bl	mmu_on
	ldr	x28, =ROM_ALIAS
	ldr	w1, =1
	str	w1, [x28]
	bl	mmu_off
	adr	x0, aborts
	ldr	x0, [x0]
	fail_unless_x0 2, fail_rom
	print	rom_ok
	/* The GIC: distributor, this vCPU's redistributor (PPI 27, SGI 2), interface. */
	store32	GICD, 2
	store32	GICR0_WAKER, 0
	store32	GICR0_ISENABLER0, 0x08000004
	gic_cpu_on
	/* Virtual-timer interrupts, each 1 ms ahead, each waited for in WFI. */
	mov	x20, #TIMER_IRQS
5:	mrs	x1, cntvct_el0
	ldr	x2, =TIMER_TICKS
	add	x1, x1, x2
	msr	cntv_cval_el0, x1
	mov	x2, #1
	msr	cntv_ctl_el0, x2
	take_irq 27, fail_timer
	msr	cntv_ctl_el0, xzr
	subs	x20, x20, #1
	b.ne	5b
	print	timer_ok
	/* Only now vCPU 1: the two never print at the same time. */
	call	hvc, PSCI_CPU_ON, 1, secondary, CTX
	fail_unless_x0 0, fail_cpu_on
	/* SGIs: once vCPU 1's interface is up, SGI 1 to it (a trapped ICC_SGI1R_EL1
	 * write), and SGI 2 back. */
	ldr	x28, =READY
6:	ldr	x1, [x28]
	cmp	x1, #1
	b.ne	6b
	ldr	x9, =0x01000002
	msr	icc_sgi1r_el1, x9
	take_irq 2, fail_sgi
	print	sgi_ok
	/* Six SGIs at once for four list registers: taken one after the other with IRQs
	 * open until the last, 8, which only a refill after the underflow maintenance
	 * interrupt brings. */
	store32	GICR0_ISENABLER0, 0x1F8
	ldr	x28, =BURST_READY
	mov	x1, #1
	str	x1, [x28]
	ldr	x28, =BURST_SENT
8:	ldr	x1, [x28]
	cmp	x1, #1
	b.ne	8b
	msr	daifclr, #2
9:	mrs	x0, tpidr_el1
	cmp	x0, #8
	b.ne	9b
	msr	daifset, #2
	print	burst_ok
	/* Wait for vCPU 1 without trapping: LDR X1, [X28] until it reads 1. */
	ldr	x28, =FLAG
1:	ldr	x1, [x28]
	cmp	x1, #1
	b.ne	1b
#ifdef UART_RX
	/* A byte from the console: the UART's receive interrupt, SPI 33. */
	store32	GICD_ISENABLER1, 2
	store32	UARTIMSC, 0x10
	take_irq 33, fail_uart
	ldr	x28, =UART
	ldr	w3, [x28]
	adr	x11, uart_ok
	bl	puts
	mov	w9, w3
	strb	w9, [x10]
	mov	w9, #'\n'
	strb	w9, [x10]
#endif
	print	bye
off:	call	hvc, PSCI_SYSTEM_OFF
2:	wfi				/* not reached: the VM is off */
	b	2b

/* Stage 1 on with one level-1 table (T0SZ 25: 39-bit VAs, the walk starts at level 1,
 * Arm ARM D8.2) of two 1 GiB blocks: VA 1 GiB (the image, RAM and the lazy memory)
 * to itself, and VA 2 GiB to IPA 1 GiB as well, so that ROM_ALIAS names ROM. Block
 * descriptors: valid, AF, AttrIndx 0 (MAIR_EL1 Attr0 0x44: Normal Non-cacheable, as
 * the MMU-off stores that wrote the table), EL1 read/write, executable. Non-cacheable
 * walks, EPD1, IPS 40 bits. No exit: HCR_EL2.TVM and TTLB are clear. */
#define S1_BLOCK (0x40000000 | (1 << 10) | 1)
#define S1_TCR (25 | (1 << 23) | (2 << 32))
mmu_on:	ldr	x9, =S1_TABLE
	ldr	x10, =S1_BLOCK
	str	x10, [x9, #8]
	str	x10, [x9, #16]
	dsb	sy
	ldr	x10, =0x44
	msr	mair_el1, x10
	ldr	x10, =S1_TCR
	msr	tcr_el1, x10
	msr	ttbr0_el1, x9
	isb
	tlbi	vmalle1
	dsb	nsh
	isb
	mrs	x9, sctlr_el1
	orr	x9, x9, #1
	msr	sctlr_el1, x9
	isb
	ret
mmu_off: mrs	x9, sctlr_el1
	bic	x9, x9, #1
	msr	sctlr_el1, x9
	isb
	ret

/* A failed check: X11 = its message. */
fail:	bl	puts
	b	off

/* STRB W9, [X10] for each byte of the NUL-terminated string at X11. */
	puts_routine

	.org	0x400			/* two-guests.scn starts vCPU 1 at image + 0x400 */
secondary:				/* vCPU 1, from CPU_ON with X0 = CTX */
	adr	x1, vectors
	msr	vbar_el1, x1
	isb
	fail_unless_x0 CTX, fail_ctx
	print	hello1
	ldr	x28, =LAZY1
	ldr	w1, =0x1234
	str	w1, [x28]
	ldr	w3, [x28]
	mov	x0, x3
	fail_unless_x0 0x1234, fail_lazy
	store32	GICR1_WAKER, 0
	store32	GICR1_ISENABLER0, 2
	gic_cpu_on
	ldr	x28, =READY
	mov	x1, #1
	str	x1, [x28]
	take_irq 1, fail_sgi
	ldr	x9, =0x02000001
	msr	icc_sgi1r_el1, x9
	ldr	x28, =BURST_READY
10:	ldr	x1, [x28]
	cmp	x1, #1
	b.ne	10b
	.irp	n, 3, 4, 5, 6, 7, 8
	ldr	x9, =(\n << 24) | 1
	msr	icc_sgi1r_el1, x9
	.endr
	ldr	x28, =BURST_SENT
	mov	x1, #1
	str	x1, [x28]
	ldr	x28, =FLAG
	mov	x1, #1
	str	x1, [x28]
	call	hvc, PSCI_CPU_OFF
	b	off			/* CPU_OFF returned: that is a failure too */

/* EL1 vectors: only a synchronous exception from the current EL with SP_EL1 is
 * expected, and only the external aborts of the NO_DEVICE read and the ROM store. */
	.balign	0x800
vectors:
	.rept	4
	.balign	0x80
	b	unexpected
	.endr
	.balign	0x80			/* current EL, SPx, synchronous */
	mrs	x13, esr_el1
	lsr	x14, x13, #ESR_EC_SHIFT
	cmp	x14, #EC_DABT_CUR
	b.ne	unexpected
	and	x14, x13, #0x3f
	cmp	x14, #FSC_SYNC_EXT
	b.ne	unexpected
	adr	x13, aborts
	ldr	x14, [x13]
	add	x14, x14, #1
	str	x14, [x13]
	mrs	x13, elr_el1
	add	x13, x13, #4
	msr	elr_el1, x13
	eret
	.balign	0x80			/* current EL, SPx, IRQ: acknowledge, note, complete */
	mrs	x13, icc_iar1_el1
	msr	tpidr_el1, x13
	cmp	x13, #27		/* the timer's line is level: quiet it before the EOI */
	b.ne	7f
	msr	cntv_ctl_el0, xzr
7:	cmp	x13, #33		/* so is the UART's: mask its receive interrupt */
	b.ne	8f
	mov	x13, #UART
	str	wzr, [x13, #0x38]	/* UARTIMSC */
	mrs	x13, tpidr_el1
8:	msr	icc_eoir1_el1, x13
	eret
	.rept	9
	.balign	0x80
	b	unexpected
	.endr
unexpected:
	adr	x11, fail_exception
	b	fail

	.ltorg
	.balign	8
aborts:	.quad	0

hello0:	.asciz	"hello from " NAME " vcpu 0\n"
hello1:	.asciz	NAME " vcpu 1 is up\n"
smc_ok:	.asciz	NAME ": smc answered by Tandem (vcpu 1 off)\n"
abort_ok: .asciz NAME ": external abort taken at VBAR_EL1\n"
bye:	.asciz	NAME ": bye\n"
fail_smc: .asciz NAME ": FAIL smc not answered by Tandem\n"
fail_cpu_on: .asciz NAME ": FAIL cpu_on\n"
fail_lazy: .asciz NAME ": FAIL lazy memory\n"
fail_abort: .asciz NAME ": FAIL no abort\n"
fail_rom: .asciz NAME ": FAIL store to read-only memory not aborted\n"
rom_ok:	.asciz	NAME ": store to read-only memory through stage 1 aborted\n"
fail_ctx: .asciz NAME ": FAIL context id\n"
fail_exception: .asciz NAME ": FAIL unexpected exception\n"
fail_timer: .asciz NAME ": FAIL timer interrupt\n"
fail_sgi: .asciz NAME ": FAIL SGI\n"
fail_uart: .asciz NAME ": FAIL uart interrupt\n"
timer_ok: .asciz NAME ": 100 virtual timer interrupts\n"
sgi_ok:	.asciz	NAME ": SGIs between vcpu 0 and vcpu 1\n"
burst_ok: .asciz NAME ": six SGIs through four list registers\n"
uart_ok: .asciz NAME ": uart receive interrupt, byte "
