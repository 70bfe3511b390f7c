/* Shared by the riscv64 exit-cost guest (exits.S) and the riscv64 floor
 * (bench/floor/riscv64/floor.S), included by both: the report line
 * bench/guests/exits/run reads, "exits-op NAME iters N ns T", printed with the riscv
 * guests' puts (tests/guests/riscv64/guest-lib.S). The time CSR runs at the board's
 * 10 MHz timebase: one tick is 100 ns, which under -icount shift=0 is 100 guest
 * instructions. Uses t0-t3, a0-a2 and the stack. */
#include "../../../tests/guests/riscv64/guest-lib.S"

#define REPORT_NS_PER_TICK 100

/* putdec(a0): an unsigned decimal */
putdec:
	addi	sp, sp, -48
	sd	ra, 0(sp)
	sd	s0, 8(sp)
	addi	s0, sp, 47
	sb	zero, 0(s0)
	li	t2, 10
1:	remu	t3, a0, t2
	divu	a0, a0, t2
	addi	t3, t3, '0'
	addi	s0, s0, -1
	sb	t3, 0(s0)
	bnez	a0, 1b
	mv	a0, s0
	call	puts
	ld	ra, 0(sp)
	ld	s0, 8(sp)
	addi	sp, sp, 48
	ret

/* report(a0 = name, a1 = iterations, a2 = ticks) */
report:
	addi	sp, sp, -48
	sd	ra, 0(sp)
	sd	s0, 8(sp)
	sd	s1, 16(sp)
	sd	s2, 24(sp)
	mv	s0, a0
	mv	s1, a1
	mv	s2, a2
	la	a0, report_op
	call	puts
	mv	a0, s0
	call	puts
	la	a0, report_iters
	call	puts
	mv	a0, s1
	call	putdec
	la	a0, report_ns
	call	puts
	li	t0, REPORT_NS_PER_TICK
	mul	a0, s2, t0
	call	putdec
	la	a0, report_nl
	call	puts
	ld	ra, 0(sp)
	ld	s0, 8(sp)
	ld	s1, 16(sp)
	ld	s2, 24(sp)
	addi	sp, sp, 48
	ret

	.pushsection .rodata
report_op:	.asciz	"exits-op "
report_iters:	.asciz	" iters "
report_ns:	.asciz	" ns "
report_nl:	.asciz	"\n"
	.popsection
