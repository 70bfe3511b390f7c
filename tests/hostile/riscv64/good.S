/* The well-behaved VM beside tests/hostile/riscv64/hostile.S, on the same pCPU: it
 * sleeps 5 ms on its Sstc timer (WFI, so the pCPU goes to the hostile VM, which then
 * spins for 50 ms without an exit) and prints its line when it wakes. It can only do so
 * before the hostile VM's spin is over if Tandem takes the pCPU back from a guest that
 * never exits. */
#define CSR_STIMECMP 0x14D

	.section .text.boot, "ax"
	.globl	_start
_start:
	la	a0, msg_hello
	jal	ra, puts
	li	t0, 0x20			/* sie.STIE; taken as a WFI wake-up only */
	csrs	sie, t0
	rdtime	t0
	li	t1, 50000			/* 5 ms */
	add	t0, t0, t1
	csrw	CSR_STIMECMP, t0
	mv	s1, t0
1:	wfi
	rdtime	t0
	bltu	t0, s1, 1b
	li	t0, -1
	csrw	CSR_STIMECMP, t0
	la	a0, msg_bye
	jal	ra, puts
	j	shutdown

#include "../../guests/riscv64/guest-lib.S"

	.section .rodata
msg_hello:	.asciz	"good: hello, sleeping 5 ms\n"
msg_bye:	.asciz	"good: awake, bye\n"
