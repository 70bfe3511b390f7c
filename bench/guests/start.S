/* Entry of the benchmark guests (bench/guests/vtimer, bench/guests/exits). vCPU 0
 * comes to _start, a vCPU 1 to secondary (PSCI CPU_ON from vCPU 0); each takes its own
 * stack, installs the EL1 vectors and calls main(cpu). The IRQ vector acknowledges the
 * interrupt, calls irq(intid) and completes it. */
	.section .text.boot, "ax"
	.globl	_start
_start:
	mov	x19, #0
	b	common
	.globl	secondary
secondary:
	mov	x19, #1
common:
	adr	x0, stacks
	add	x1, x19, #1
	lsl	x1, x1, #14		/* 16 KiB a vCPU */
	add	x0, x0, x1
	mov	sp, x0
	adr	x0, vectors
	msr	vbar_el1, x0
	isb
	mov	x0, x19
	bl	main
1:	wfi
	b	1b

	.text
	.balign	0x800
vectors:
	.rept	5
	.balign	0x80
	b	.
	.endr
	.balign	0x80			/* current EL, SPx, IRQ */
	stp	x29, x30, [sp, #-176]!
	stp	x0, x1, [sp, #16]
	stp	x2, x3, [sp, #32]
	stp	x4, x5, [sp, #48]
	stp	x6, x7, [sp, #64]
	stp	x8, x9, [sp, #80]
	stp	x10, x11, [sp, #96]
	stp	x12, x13, [sp, #112]
	stp	x14, x15, [sp, #128]
	stp	x16, x17, [sp, #144]
	stp	x18, x19, [sp, #160]
	mrs	x0, icc_iar1_el1
	mov	x19, x0
	bl	irq
	msr	icc_eoir1_el1, x19
	ldp	x18, x19, [sp, #160]
	ldp	x16, x17, [sp, #144]
	ldp	x14, x15, [sp, #128]
	ldp	x12, x13, [sp, #112]
	ldp	x10, x11, [sp, #96]
	ldp	x8, x9, [sp, #80]
	ldp	x6, x7, [sp, #64]
	ldp	x4, x5, [sp, #48]
	ldp	x2, x3, [sp, #32]
	ldp	x0, x1, [sp, #16]
	ldp	x29, x30, [sp], #176
	eret
	.rept	10
	.balign	0x80
	b	.
	.endr

	.bss
	.balign	16
stacks:
	.space	16384 * 2
