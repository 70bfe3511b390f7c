/* The riscv64 exit-cost benchmark guest: one vCPU in VS-mode on Tandem (tandem-exits.bin,
 * exits.scn) under QEMU -icount shift=0,sleep=off, where one instruction is one ns.
 * Each operation runs ITERS times between two reads of the time CSR (no exit:
 * hcounteren.TM) and is reported as "exits-op NAME iters N ns T"
 * (bench/guests/exits/run --isa riscv64 divides):
 *   sbi_base        an SBI call answered by Tandem's early handler (BASE get_spec_version)
 *   mmio_uart_lsr   an emulated device register read (the NS16550A's LSR)
 *   plic_claim      a vPLIC claim (nothing pending: 0)
 *   timer_sbi_rtt   SBI set_timer with a deadline already past, to the guest's handler,
 *                   which turns the timer off with a second set_timer
 *   timer_sstc_rtt  the same through Sstc's stimecmp, which never leaves the hardware
 * Loop overhead is included, as in the floor's loop (bench/floor/riscv64). */
#define ITERS 2000
#define UART 0x10000000
#define PLIC_CLAIM_CTX1 0x0C201004
#define CSR_STIMECMP 0x14D
#define SBI_BASE 0x10
#define SBI_TIME 0x54494D45

	.macro	start
	li	s2, ITERS
	rdtime	s3
	.endm

	.macro	stop name
	rdtime	s4
	la	a0, \name
	li	a1, ITERS
	sub	a2, s4, s3
	call	report
	.endm

	.section .text.boot, "ax"
	.globl	_start
_start:
	la	sp, stack_top
	la	t0, trap
	csrw	stvec, t0

	start
1:	li	a7, SBI_BASE
	li	a6, 0
	ecall
	addi	s2, s2, -1
	bnez	s2, 1b
	stop	n_sbi

	li	s5, UART
	start
1:	lbu	t0, 5(s5)
	addi	s2, s2, -1
	bnez	s2, 1b
	stop	n_lsr

	li	s5, PLIC_CLAIM_CTX1
	start
1:	lw	t0, 0(s5)
	addi	s2, s2, -1
	bnez	s2, 1b
	stop	n_claim

	li	t0, 0x20			/* sie.STIE, and sstatus.SIE from here on */
	csrs	sie, t0
	csrsi	sstatus, 2
	li	s10, 1				/* the handler turns the timer off through SBI */
	start
1:	li	s9, 0
	li	a7, SBI_TIME
	li	a6, 0
	rdtime	a0				/* already due */
	ecall
2:	beqz	s9, 2b
	addi	s2, s2, -1
	bnez	s2, 1b
	stop	n_sbi_timer

	li	s10, 0				/* through stimecmp */
	start
1:	li	s9, 0
	rdtime	t0
	csrw	CSR_STIMECMP, t0
2:	beqz	s9, 2b
	addi	s2, s2, -1
	bnez	s2, 1b
	stop	n_sstc_timer
	csrci	sstatus, 2

	la	a0, done
	call	puts
	j	shutdown

/* The timer interrupt (the only trap expected): turned off, noted in s9. Anything
 * else is an error the run script reports. */
	.balign	4
trap:
	csrr	t4, scause
	li	t5, (1 << 63) | 5
	bne	t4, t5, 2f
	li	s9, 1
	beqz	s10, 1f
	li	a7, SBI_TIME
	li	a6, 0
	li	a0, -1
	ecall
	sret
1:	li	t5, -1
	csrw	CSR_STIMECMP, t5
	sret
2:	la	a0, error
	call	puts
1:	j	1b

#include "report.S"

	.section .rodata
n_sbi:		.asciz	"sbi_base"
n_lsr:		.asciz	"mmio_uart_lsr"
n_claim:	.asciz	"plic_claim"
n_sbi_timer:	.asciz	"timer_sbi_rtt"
n_sstc_timer:	.asciz	"timer_sstc_rtt"
error:		.asciz	"exits-error unexpected trap\n"
done:		.asciz	"exits-done\n"

	.bss
	.balign	16
	.space	4096
stack_top:
