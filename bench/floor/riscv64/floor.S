/* The riscv64 floor: the least an HS-mode program can do to answer a VS-mode guest's
 * ECALL, for bench/guests/exits/run --isa riscv64 to compare Tandem's exits with.
 * OpenSBI enters this raw image in HS-mode at 0x80200000 (-bios default -kernel
 * floor.bin). It points stvec at its handler and enters its own guest loop in VS-mode
 * with the G-stage Bare (hgatp 0), nothing delegated, the time CSR readable
 * (hcounteren.TM). The handler saves 8 registers, advances sepc past the ECALL and
 * returns with SRET. The guest times ITERS ECALLs as the exit-cost guest times its
 * operations, reports, and asks the handler (s11 set) to power the machine off. */
#define ITERS 2000
#define SBI_SRST 0x53525354

	.section .text.boot, "ax"
	.globl	_start
_start:
	la	sp, hs_stack_top
	csrw	sscratch, sp
	la	t0, hs_trap
	csrw	stvec, t0
	csrw	hgatp, zero
	csrw	hedeleg, zero
	csrw	hideleg, zero
	li	t0, -1
	csrw	hcounteren, t0
	li	t0, 1 << 7			/* hstatus.SPV: SRET goes to V=1 */
	csrs	hstatus, t0
	li	t0, 1 << 8			/* sstatus.SPP: to VS-mode */
	csrs	sstatus, t0
	csrw	vsatp, zero
	la	t0, guest
	csrw	sepc, t0
	la	sp, guest_stack_top
	li	s11, 0
	sret

	.balign	4
hs_trap:
	csrrw	sp, sscratch, sp
	addi	sp, sp, -64
	sd	t0, 0(sp)
	sd	t1, 8(sp)
	sd	t2, 16(sp)
	sd	a0, 24(sp)
	sd	a1, 32(sp)
	sd	a2, 40(sp)
	sd	a6, 48(sp)
	sd	a7, 56(sp)
	bnez	s11, off
	csrr	t0, sepc
	addi	t0, t0, 4
	csrw	sepc, t0
	ld	t0, 0(sp)
	ld	t1, 8(sp)
	ld	t2, 16(sp)
	ld	a0, 24(sp)
	ld	a1, 32(sp)
	ld	a2, 40(sp)
	ld	a6, 48(sp)
	ld	a7, 56(sp)
	addi	sp, sp, 64
	csrrw	sp, sscratch, sp
	sret
off:
	li	a7, SBI_SRST
	li	a6, 0
	li	a0, 0
	li	a1, 0
	ecall
1:	wfi
	j	1b

guest:
	li	s2, ITERS
	rdtime	s3
1:	ecall
	addi	s2, s2, -1
	bnez	s2, 1b
	rdtime	s4
	la	a0, n_floor
	li	a1, ITERS
	sub	a2, s4, s3
	call	report
	la	a0, done
	call	puts
	li	s11, 1
	ecall
1:	j	1b

#include "../../guests/exits_riscv64/report.S"

	.section .rodata
n_floor:	.asciz	"floor_ecall"
done:		.asciz	"exits-done\n"

	.bss
	.balign	16
	.space	2048
hs_stack_top:
	.space	2048
guest_stack_top:
