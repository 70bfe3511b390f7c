/* The host trap vector (stvec, direct mode) for traps taken while Tandem itself runs in
 * HS-mode. It saves what the C calling convention lets bm_trap clobber (ra, t0-t6,
 * a0-a7) and sepc, which bm_trap may move (a probe's skipped instruction), and returns
 * with sret. Guests' traps will come to the world switch's own vector (the next
 * stage); this one never touches sscratch, which that switch owns. */
#define FRAME 144 /* 16 registers + sepc, rounded up to 16 bytes */

	.text
	.balign	4
	.globl	bm_trap_host
bm_trap_host:
	addi	sp, sp, -FRAME
	sd	ra, 0(sp)
	sd	t0, 8(sp)
	sd	t1, 16(sp)
	sd	t2, 24(sp)
	sd	t3, 32(sp)
	sd	t4, 40(sp)
	sd	t5, 48(sp)
	sd	t6, 56(sp)
	sd	a0, 64(sp)
	sd	a1, 72(sp)
	sd	a2, 80(sp)
	sd	a3, 88(sp)
	sd	a4, 96(sp)
	sd	a5, 104(sp)
	sd	a6, 112(sp)
	sd	a7, 120(sp)
	csrr	t0, sepc
	sd	t0, 128(sp)
	csrr	a0, scause
	addi	a1, sp, 128	/* &sepc */
	csrr	a2, stval
	call	bm_trap
	ld	t0, 128(sp)
	csrw	sepc, t0
	ld	ra, 0(sp)
	ld	t0, 8(sp)
	ld	t1, 16(sp)
	ld	t2, 24(sp)
	ld	t3, 32(sp)
	ld	t4, 40(sp)
	ld	t5, 48(sp)
	ld	t6, 56(sp)
	ld	a0, 64(sp)
	ld	a1, 72(sp)
	ld	a2, 80(sp)
	ld	a3, 88(sp)
	ld	a4, 96(sp)
	ld	a5, 104(sp)
	ld	a6, 112(sp)
	ld	a7, 120(sp)
	addi	sp, sp, FRAME
	sret
