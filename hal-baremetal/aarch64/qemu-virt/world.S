/* The EL2 world switch of one exit: the general-purpose registers, PC and PSTATE of a
 * vCPU's context (guest.c loads and puts the system registers, and FP/SIMD on first
 * use through bm_fp_load / bm_fp_save). bm_guest_run enters the guest described by the
 * struct guest_ctx in X0; each exit (through vectors.S) saves the guest's registers and
 * asks guest.c's bm_guest_exited, which records the trap and may answer it (a first
 * FP/SIMD access, an early exit): then the guest is entered again from here, and
 * bm_guest_run returns only with an exit left for the run loop. The host's
 * callee-saved registers live on the EL2 stack in between, which the guest never sees
 * (it runs on SP_EL0/SP_EL1). */
#include "hal-baremetal/aarch64/qemu-virt/world.h"

	.macro	fp_regs op, base
	\op	q0, q1, [\base], #32
	\op	q2, q3, [\base], #32
	\op	q4, q5, [\base], #32
	\op	q6, q7, [\base], #32
	\op	q8, q9, [\base], #32
	\op	q10, q11, [\base], #32
	\op	q12, q13, [\base], #32
	\op	q14, q15, [\base], #32
	\op	q16, q17, [\base], #32
	\op	q18, q19, [\base], #32
	\op	q20, q21, [\base], #32
	\op	q22, q23, [\base], #32
	\op	q24, q25, [\base], #32
	\op	q26, q27, [\base], #32
	\op	q28, q29, [\base], #32
	\op	q30, q31, [\base], #32
	.endm

	.text
/* void bm_guest_run(struct guest_ctx *ctx) */
	.globl	bm_guest_run
bm_guest_run:
	stp	x29, x30, [sp, #-96]!
	stp	x19, x20, [sp, #16]
	stp	x21, x22, [sp, #32]
	stp	x23, x24, [sp, #48]
	stp	x25, x26, [sp, #64]
	stp	x27, x28, [sp, #80]
	mrs	x1, tpidr_el2
	str	x0, [x1, #BM_CPU_GUEST]
bm_guest_enter:				/* X0: the context; the host's registers saved */
	ldr	x2, [x0, #CTX_PC]
	msr	elr_el2, x2
	ldr	x2, [x0, #CTX_PSTATE]
	msr	spsr_el2, x2
	ldp	x2, x3, [x0, #16]
	ldp	x4, x5, [x0, #32]
	ldp	x6, x7, [x0, #48]
	ldp	x8, x9, [x0, #64]
	ldp	x10, x11, [x0, #80]
	ldp	x12, x13, [x0, #96]
	ldp	x14, x15, [x0, #112]
	ldp	x16, x17, [x0, #128]
	ldp	x18, x19, [x0, #144]
	ldp	x20, x21, [x0, #160]
	ldp	x22, x23, [x0, #176]
	ldp	x24, x25, [x0, #192]
	ldp	x26, x27, [x0, #208]
	ldp	x28, x29, [x0, #224]
	ldr	x30, [x0, #240]
	ldp	x0, x1, [x0]
	eret
	dsb	nsh			/* no speculation past the ERET */
	isb

/* From vectors.S: X1 = the trap type, the guest's X0 and X1 on top of the stack. */
	.globl	bm_guest_exit
bm_guest_exit:
	mrs	x0, tpidr_el2
	ldr	x0, [x0, #BM_CPU_GUEST]
	stp	x2, x3, [x0, #16]
	stp	x4, x5, [x0, #32]
	stp	x6, x7, [x0, #48]
	stp	x8, x9, [x0, #64]
	stp	x10, x11, [x0, #80]
	stp	x12, x13, [x0, #96]
	stp	x14, x15, [x0, #112]
	stp	x16, x17, [x0, #128]
	stp	x18, x19, [x0, #144]
	stp	x20, x21, [x0, #160]
	stp	x22, x23, [x0, #176]
	stp	x24, x25, [x0, #192]
	stp	x26, x27, [x0, #208]
	stp	x28, x29, [x0, #224]
	str	x30, [x0, #240]
	ldp	x2, x3, [sp], #16
	stp	x2, x3, [x0]
	mrs	x2, elr_el2
	str	x2, [x0, #CTX_PC]
	mrs	x2, spsr_el2
	str	x2, [x0, #CTX_PSTATE]
	/* bool bm_guest_exited(struct guest_ctx *ctx, unsigned type): true to enter the
	 * guest again at once. The host's callee-saved registers are still on the stack
	 * and the C code keeps X19-X28 itself, so nothing else is restored for that. */
	bl	bm_guest_exited
	cbz	w0, 1f
	mrs	x1, tpidr_el2
	ldr	x0, [x1, #BM_CPU_GUEST]
	b	bm_guest_enter
1:	ldp	x19, x20, [sp, #16]
	ldp	x21, x22, [sp, #32]
	ldp	x23, x24, [sp, #48]
	ldp	x25, x26, [sp, #64]
	ldp	x27, x28, [sp, #80]
	ldp	x29, x30, [sp], #96
	ret

/* void bm_fp_load(const struct guest_ctx *ctx), void bm_fp_save(struct guest_ctx *ctx):
 * V0-V31, FPCR and FPSR, with CPTR_EL2.TFP clear. */
	.globl	bm_fp_load
bm_fp_load:
	add	x1, x0, #CTX_FP
	fp_regs	ldp, x1
	ldp	w2, w3, [x1]
	msr	fpcr, x2
	msr	fpsr, x3
	ret

	.globl	bm_fp_save
bm_fp_save:
	add	x1, x0, #CTX_FP
	fp_regs	stp, x1
	mrs	x2, fpcr
	mrs	x3, fpsr
	stp	w2, w3, [x1]
	ret
