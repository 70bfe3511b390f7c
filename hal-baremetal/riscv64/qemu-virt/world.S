/* The world switch between Tandem in HS-mode and a guest in VS/VU-mode (privileged spec,
 * chapter 8). While a guest runs, stvec is bm_guest_trap and sscratch holds this pCPU's
 * struct bm_cpu (bm.h); while Tandem runs, stvec is the host's vector (trap.S) and
 * sscratch still holds bm_cpu, which the host vector never touches. The CSRs a vCPU
 * owns are in the hardware from hal_guest_load to hal_guest_put (guest.c); an exit
 * moves only the 31 general-purpose registers, sepc and sstatus, and records scause,
 * stval, htval, htinst and hstatus. A synchronous exit is first offered to the early
 * handler with every guest register already in ctx: if it answers, the guest is
 * entered again from ctx without returning to the run loop. */
#include "hal-baremetal/riscv64/qemu-virt/world.h"

#define X(n) (CTX_X + 8 * (n))
#define FRAME 112 /* ra, gp, s0-s11: 14 doublewords */

	.text
	.balign	4
/* void bm_guest_run(struct guest_ctx *ctx): enter ctx; return when an exit the early
 * handler did not answer has been recorded in bm_self()->exit. */
	.globl	bm_guest_run
bm_guest_run:
	addi	sp, sp, -FRAME
	sd	ra, 0(sp)
	sd	gp, 8(sp)
	sd	s0, 16(sp)
	sd	s1, 24(sp)
	sd	s2, 32(sp)
	sd	s3, 40(sp)
	sd	s4, 48(sp)
	sd	s5, 56(sp)
	sd	s6, 64(sp)
	sd	s7, 72(sp)
	sd	s8, 80(sp)
	sd	s9, 88(sp)
	sd	s10, 96(sp)
	sd	s11, 104(sp)
	sd	sp, BM_CPU_HOST_SP(tp)
	sd	a0, BM_CPU_GUEST(tp)
	csrw	sscratch, tp

/* a0: the context. Everything the guest sees comes from it; nothing of the host's
 * stays in a register the guest can read. */
.Lenter:
	la	t0, bm_guest_trap
	csrw	stvec, t0
	ld	t0, CTX_PC(a0)
	csrw	sepc, t0
	ld	t0, CTX_SSTATUS(a0)
	csrw	sstatus, t0
	/* SRET goes to V=1 only with hstatus.SPV set; a trap taken in HS-mode since the
	 * last exit (a probe, HLVX's fault) cleared it. */
	li	t0, 1 << HSTATUS_SPV_BIT
	csrs	hstatus, t0
	ld	x1, X(1)(a0)
	ld	x2, X(2)(a0)
	ld	x3, X(3)(a0)
	ld	x4, X(4)(a0)
	ld	x5, X(5)(a0)
	ld	x6, X(6)(a0)
	ld	x7, X(7)(a0)
	ld	x8, X(8)(a0)
	ld	x9, X(9)(a0)
	ld	x11, X(11)(a0)
	ld	x12, X(12)(a0)
	ld	x13, X(13)(a0)
	ld	x14, X(14)(a0)
	ld	x15, X(15)(a0)
	ld	x16, X(16)(a0)
	ld	x17, X(17)(a0)
	ld	x18, X(18)(a0)
	ld	x19, X(19)(a0)
	ld	x20, X(20)(a0)
	ld	x21, X(21)(a0)
	ld	x22, X(22)(a0)
	ld	x23, X(23)(a0)
	ld	x24, X(24)(a0)
	ld	x25, X(25)(a0)
	ld	x26, X(26)(a0)
	ld	x27, X(27)(a0)
	ld	x28, X(28)(a0)
	ld	x29, X(29)(a0)
	ld	x30, X(30)(a0)
	ld	x31, X(31)(a0)
	ld	x10, X(10)(a0)
	sret

/* Every trap taken while a guest runs: an exception from V=1, or an HS-level
 * interrupt (sie's, which V=1 cannot mask). */
	.balign	4
	.globl	bm_guest_trap
bm_guest_trap:
	csrrw	tp, sscratch, tp	/* tp: bm_cpu; sscratch: the guest's tp */
	sd	t0, BM_CPU_SCRATCH(tp)
	ld	t0, BM_CPU_GUEST(tp)
	sd	x1, X(1)(t0)
	sd	x2, X(2)(t0)
	sd	x3, X(3)(t0)
	sd	x6, X(6)(t0)
	sd	x7, X(7)(t0)
	sd	x8, X(8)(t0)
	sd	x9, X(9)(t0)
	sd	x10, X(10)(t0)
	sd	x11, X(11)(t0)
	sd	x12, X(12)(t0)
	sd	x13, X(13)(t0)
	sd	x14, X(14)(t0)
	sd	x15, X(15)(t0)
	sd	x16, X(16)(t0)
	sd	x17, X(17)(t0)
	sd	x18, X(18)(t0)
	sd	x19, X(19)(t0)
	sd	x20, X(20)(t0)
	sd	x21, X(21)(t0)
	sd	x22, X(22)(t0)
	sd	x23, X(23)(t0)
	sd	x24, X(24)(t0)
	sd	x25, X(25)(t0)
	sd	x26, X(26)(t0)
	sd	x27, X(27)(t0)
	sd	x28, X(28)(t0)
	sd	x29, X(29)(t0)
	sd	x30, X(30)(t0)
	sd	x31, X(31)(t0)
	ld	t1, BM_CPU_SCRATCH(tp)
	sd	t1, X(5)(t0)
	csrrw	t1, sscratch, tp	/* sscratch: bm_cpu again */
	sd	t1, X(4)(t0)
	csrr	t1, sepc
	sd	t1, CTX_PC(t0)
	csrr	t1, sstatus
	sd	t1, CTX_SSTATUS(t0)
	ld	a1, BM_CPU_EXIT(tp)
	csrr	t2, scause
	sd	t2, EXIT_SCAUSE(a1)
	csrr	t1, stval
	sd	t1, EXIT_STVAL(a1)
	csrr	t1, htval
	sd	t1, EXIT_HTVAL(a1)
	csrr	t1, htinst
	sd	t1, EXIT_HTINST(a1)
	csrr	t1, hstatus
	sd	t1, EXIT_HSTATUS(a1)
	/* The host again: its stack, its gp, its vector. */
	ld	sp, BM_CPU_HOST_SP(tp)
	ld	gp, 8(sp)
	la	t1, bm_trap_host
	csrw	stvec, t1
	bltz	t2, .Lleave		/* scause bit 63: an interrupt, for the run loop */
	mv	a0, t0
	la	t1, bm_early_fn
	ld	t1, 0(t1)
	jalr	t1			/* bm_early_fn(ctx, exit) */
	beqz	a0, .Lleave		/* HAL_EARLY_NO */
	ld	a0, BM_CPU_GUEST(tp)
	j	.Lenter

.Lleave:
	ld	ra, 0(sp)
	ld	gp, 8(sp)
	ld	s0, 16(sp)
	ld	s1, 24(sp)
	ld	s2, 32(sp)
	ld	s3, 40(sp)
	ld	s4, 48(sp)
	ld	s5, 56(sp)
	ld	s6, 64(sp)
	ld	s7, 72(sp)
	ld	s8, 80(sp)
	ld	s9, 88(sp)
	ld	s10, 96(sp)
	ld	s11, 104(sp)
	addi	sp, sp, FRAME
	ret

/* int bm_hlvx_hu(uint64_t va, uint64_t *out): the halfword at the guest-virtual va, read
 * as the last guest's fetch would (HLVX.HU, with hstatus.SPVP as the trap left it):
 * 0, or -1 if the read faulted, which is taken here, on a vector of its own. */
	.globl	bm_hlvx_hu
bm_hlvx_hu:
	csrr	t1, stvec
	la	t0, .Lhlvx_fault
	csrw	stvec, t0
	.insn	r 0x73, 4, 0x32, t2, a0, x3	/* hlvx.hu t2, (a0) */
	csrw	stvec, t1
	sd	t2, 0(a1)
	li	a0, 0
	ret
	.balign	4
.Lhlvx_fault:
	csrw	stvec, t1
	li	a0, -1
	ret

/* void bm_fp_load(const struct guest_ctx *ctx), void bm_fp_save(struct guest_ctx *ctx):
 * f0-f31 and fcsr, with sstatus.FS already on (guest.c). */
	.option	push
	.option	arch, +d
	.globl	bm_fp_load
bm_fp_load:
	.irp	n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	fld	f\n, (CTX_FP + 8 * \n)(a0)
	.endr
	lw	t0, CTX_FCSR(a0)
	fscsr	t0
	ret

	.globl	bm_fp_save
bm_fp_save:
	.irp	n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	fsd	f\n, (CTX_FP + 8 * \n)(a0)
	.endr
	frcsr	t0
	sw	t0, CTX_FCSR(a0)
	ret
	.option	pop
