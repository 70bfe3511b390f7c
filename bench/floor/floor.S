/* The floor: the least an EL2 program can do to answer a guest's HVC, for
 * bench/guests/exits to compare Tandem's exits with. QEMU enters this ELF at EL2
 * (-M virt,virtualization=on, -kernel floor.elf). It installs one vector, lowers itself
 * to EL1 (no stage 2, nothing trapped, the virtual counter unoffset) and runs
 * floor_guest() there, the benchmark guest's own HVC loop. The vector answers an HVC
 * from EL1 by saving X0-X30, calling an empty C function and returning with ERET. */
	.section .text.boot, "ax"
	.globl	_start
_start:
	msr	daifset, #0xf
	adr	x0, el2_stack_top
	mov	sp, x0
	adr	x0, el2_vectors
	msr	vbar_el2, x0
	mov	x0, #(1 << 31)		/* HCR_EL2.RW: EL1 is AArch64; nothing else */
	msr	hcr_el2, x0
	mov	x0, #3			/* CNTHCTL_EL2: EL1 reaches the counters */
	msr	cnthctl_el2, x0
	msr	cntvoff_el2, xzr
	ldr	x0, =0x30D00800		/* SCTLR_EL1: RES1 bits, MMU and caches off */
	msr	sctlr_el1, x0
	adr	x0, el1_stack_top
	msr	sp_el1, x0
	adr	x0, floor_guest
	msr	elr_el2, x0
	mov	x0, #0x3c5		/* EL1h, DAIF masked */
	msr	spsr_el2, x0
	isb
	eret

	.text
	.balign	0x800
el2_vectors:
	.rept	8			/* current EL: not expected */
	.balign	0x80
	b	.
	.endr
	.balign	0x80			/* lower EL, AArch64, synchronous: the HVC */
	sub	sp, sp, #256
	stp	x0, x1, [sp, #0]
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x6, x7, [sp, #48]
	stp	x8, x9, [sp, #64]
	stp	x10, x11, [sp, #80]
	stp	x12, x13, [sp, #96]
	stp	x14, x15, [sp, #112]
	stp	x16, x17, [sp, #128]
	stp	x18, x19, [sp, #144]
	stp	x20, x21, [sp, #160]
	stp	x22, x23, [sp, #176]
	stp	x24, x25, [sp, #192]
	stp	x26, x27, [sp, #208]
	stp	x28, x29, [sp, #224]
	str	x30, [sp, #240]
	mov	x0, sp
	bl	floor_exit
	ldp	x0, x1, [sp, #0]
	ldp	x2, x3, [sp, #16]
	ldp	x4, x5, [sp, #32]
	ldp	x6, x7, [sp, #48]
	ldp	x8, x9, [sp, #64]
	ldp	x10, x11, [sp, #80]
	ldp	x12, x13, [sp, #96]
	ldp	x14, x15, [sp, #112]
	ldp	x16, x17, [sp, #128]
	ldp	x18, x19, [sp, #144]
	ldp	x20, x21, [sp, #160]
	ldp	x22, x23, [sp, #176]
	ldp	x24, x25, [sp, #192]
	ldp	x26, x27, [sp, #208]
	ldp	x28, x29, [sp, #224]
	ldr	x30, [sp, #240]
	add	sp, sp, #256
	eret
	.rept	7
	.balign	0x80
	b	.
	.endr

	.bss
	.balign	16
	.space	4096
el2_stack_top:
	.space	4096
el1_stack_top:
