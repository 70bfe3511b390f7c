/* The EL2 world switch of one exit: the general-purpose registers, PC and PSTATE of a
 * vCPU's context (guest.c loads and puts the system registers, and FP/SIMD on first
 * use through bm_fp_load / bm_fp_save). bm_guest_run enters the guest described by the
 * struct guest_ctx in X0; each exit (through vectors.S) saves the guest's registers,
 * records the trap, and may be answered here (a first FP/SIMD access, an early exit):
 * then the guest is entered again from here, and bm_guest_run returns only with an
 * exit left for the run loop. The host's callee-saved registers live on the EL2 stack
 * in between, which the guest never sees (it runs on SP_EL0/SP_EL1). */
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
/* X2-X17 of the context at X0 (into or out of the registers, as op says): with X18
 * and X30, which the callers move beside them, and X0/X1, which come from the stack,
 * what the C calling convention lets a call clobber. */
	.macro	caller_saved op
	\op	x2, x3, [x0, #16]
	\op	x4, x5, [x0, #32]
	\op	x6, x7, [x0, #48]
	\op	x8, x9, [x0, #64]
	\op	x10, x11, [x0, #80]
	\op	x12, x13, [x0, #96]
	\op	x14, x15, [x0, #112]
	\op	x16, x17, [x0, #128]
	.endm

/* X20-X29: with X19, which the callers move beside them (X18 pairs with the
 * caller-saved ones), what a call keeps. */
	.macro	callee_saved op
	\op	x20, x21, [x0, #160]
	\op	x22, x23, [x0, #176]
	\op	x24, x25, [x0, #192]
	\op	x26, x27, [x0, #208]
	\op	x28, x29, [x0, #224]
	.endm

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
	ldr	x2, [x0, #CTX_PSTATE]
	msr	spsr_el2, x2
/* Every register from the context at X0. */
enter_all:
	callee_saved ldp
	ldr	x19, [x0, #152]
/* From an answered exit whose answer left X19-X29 alone: those are still the guest's,
 * kept by the C code, and SPSR_EL2 still holds its PSTATE (EL2 takes no exception in
 * between, and an answer leaves PSTATE alone). X0: the context. */
enter:
	ldr	x2, [x0, #CTX_PC]
	msr	elr_el2, x2
	caller_saved ldp
	ldr	x18, [x0, #144]
	ldr	x30, [x0, #240]
	ldp	x0, x1, [x0]
	eret
	dsb	nsh			/* no speculation past the ERET */
	isb

/* From vectors.S, the guest's X0 and X1 on top of the stack: a synchronous exit. Only
 * the registers a C call may clobber go to the context first, with the PC (the early
 * handler reads no PSTATE: it answers no exit of a vCPU being single-stepped, whose
 * SPSR_EL2.SS it would re-enter with; guest_ctx.stepping). The trap goes to the
 * record hal_guest_enter gave (bm_cpu.exit), and the exit is offered, still in the
 * exception's context, to the early handler (guest.c: bm_early_fn) and then, if an
 * FP/SIMD access, to bm_fp_first. One that answers has the guest entered again at
 * once: X19-X29 were never touched, unless the answer was a load into one of them
 * (then that one comes from the context). Anything else saves X19-X29 too and returns
 * from bm_guest_run. The host's callee-saved registers stay on the stack meanwhile. */
	.globl	bm_guest_exit_sync
bm_guest_exit_sync:
	mrs	x1, tpidr_el2
	ldr	x0, [x1, #BM_CPU_GUEST]
	caller_saved stp
	str	x18, [x0, #144]
	str	x30, [x0, #240]
	ldp	x2, x3, [sp], #16
	stp	x2, x3, [x0]
	mrs	x2, elr_el2
	str	x2, [x0, #CTX_PC]
	ldr	x3, [x1, #BM_CPU_EXIT]
	mrs	x4, esr_el2
	mrs	x5, far_el2
	mrs	x6, hpfar_el2
	stp	xzr, x4, [x3, #EXIT_TYPE] /* TRAP_SYNC (and the padding after it), ESR */
	stp	x5, x6, [x3, #EXIT_FAR]
	adrp	x2, bm_early_fn
	ldr	x2, [x2, :lo12:bm_early_fn]
	mov	x1, x3
	blr	x2			/* enum hal_early early(ctx, exit) */
	cmp	w0, #HAL_EARLY_ANSWERED_ID
	b.ne	3f
	mrs	x1, tpidr_el2
	ldr	x0, [x1, #BM_CPU_GUEST]
	b	enter
3:	mov	w2, w0
	mrs	x1, tpidr_el2
	ldr	x0, [x1, #BM_CPU_GUEST]
	cbz	w2, 1f
	/* Answered, writing the register the load named (ESR_EL2.SRT), one of X19-X30:
	 * that one from the context (X30 comes from there anyway); the others of X19-X29
	 * are still the guest's, in the hardware (the context's copies are stale). */
	ldr	x3, [x1, #BM_CPU_EXIT]
	ldr	x4, [x3, #EXIT_ESR]
	ubfx	x2, x4, #16, #5
	ldr	x5, [x0, x2, lsl #3]
	sub	x2, x2, #19
	cmp	x2, #10
	b.hi	enter
	adr	x3, 6f
	add	x3, x3, x2, lsl #3
	br	x3
6:	mov	x19, x5			/* eight bytes each */
	b	enter
	mov	x20, x5
	b	enter
	mov	x21, x5
	b	enter
	mov	x22, x5
	b	enter
	mov	x23, x5
	b	enter
	mov	x24, x5
	b	enter
	mov	x25, x5
	b	enter
	mov	x26, x5
	b	enter
	mov	x27, x5
	b	enter
	mov	x28, x5
	b	enter
	mov	x29, x5
	b	enter
1:	ldr	x3, [x1, #BM_CPU_EXIT]
	ldr	x4, [x3, #EXIT_ESR]
	ubfx	x2, x4, #ESR_EC_SHIFT_ID, #6
	cmp	x2, #EC_FP_ID
	b.ne	2f
	ldr	x0, [x1, #BM_CPU_GUEST]
	bl	bm_fp_first		/* bool bm_fp_first(struct guest_ctx *) */
	mrs	x1, tpidr_el2
	mov	w2, w0
	ldr	x0, [x1, #BM_CPU_GUEST]
	cbnz	w2, enter
2:	mrs	x1, tpidr_el2
	ldr	x0, [x1, #BM_CPU_GUEST]
	str	x19, [x0, #152]
	callee_saved stp
	b	to_host

/* From vectors.S: X1 = the trap type (an interrupt or an SError), the guest's X0 and
 * X1 on top of the stack. Everything goes to the context and the record. */
	.globl	bm_guest_exit
bm_guest_exit:
	mrs	x0, tpidr_el2
	ldr	x0, [x0, #BM_CPU_GUEST]
	caller_saved stp
	stp	x18, x19, [x0, #144]
	callee_saved stp
	str	x30, [x0, #240]
	ldp	x2, x3, [sp], #16
	stp	x2, x3, [x0]
	mrs	x2, elr_el2
	str	x2, [x0, #CTX_PC]
	mrs	x4, tpidr_el2
	ldr	x3, [x4, #BM_CPU_EXIT]
	str	w1, [x3, #EXIT_TYPE]
	stp	xzr, xzr, [x3, #EXIT_ESR] /* an interrupt leaves the syndrome registers alone */
	str	xzr, [x3, #EXIT_HPFAR]
	cmp	w1, #TRAP_SERROR_ID
	b.ne	to_host
	mrs	x5, esr_el2
	mrs	x6, far_el2
	mrs	x7, hpfar_el2
	str	x5, [x3, #EXIT_ESR]
	stp	x6, x7, [x3, #EXIT_FAR]
/* Back to hal_guest_enter, X0 the context with every register but PSTATE in it. */
to_host:
	mrs	x2, spsr_el2
	str	x2, [x0, #CTX_PSTATE]
	ldp	x19, x20, [sp, #16]
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
