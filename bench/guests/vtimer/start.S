/* Entry of the virtual-timer benchmark guest: a stack, the EL1 vectors, then main(). The
 * IRQ vector acknowledges the interrupt, calls irq(intid) and completes it. */
	.section .text.boot, "ax"
	.globl	_start
_start:
	ldr	x0, =stack_top
	mov	sp, x0
	adr	x0, vectors
	msr	vbar_el1, x0
	isb
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
	stp	x29, x30, [sp, #-96]!
	stp	x0, x1, [sp, #16]
	stp	x2, x3, [sp, #32]
	stp	x4, x5, [sp, #48]
	stp	x6, x7, [sp, #64]
	stp	x8, x9, [sp, #80]
	mrs	x0, icc_iar1_el1
	mov	x9, x0
	bl	irq
	msr	icc_eoir1_el1, x9
	ldp	x8, x9, [sp, #80]
	ldp	x6, x7, [sp, #64]
	ldp	x4, x5, [sp, #48]
	ldp	x2, x3, [sp, #32]
	ldp	x0, x1, [sp, #16]
	ldp	x29, x30, [sp], #96
	eret
	.rept	10
	.balign	0x80
	b	.
	.endr

	.bss
	.balign	16
	.space	16384
stack_top:
