/* What the riscv64 guests share (tests/guests/riscv64, tests/hostile/riscv64, the
 * exit-cost guest and floor of bench/): included, so that each stays one flat image.
 *   puts        a0: a NUL-terminated string to QEMU virt's NS16550A at 0x10000000,
 *               each byte when LSR.THRE says the transmitter has room; uses t0-t2, a0
 *   skip_insn   macro: sepc past the instruction there (2 or 4 bytes: unprivileged
 *               spec 1.5); uses t4-t6
 *   shutdown    SBI SRST shutdown of the VM (a WFI loop if it returns)
 *   fail_report a0: a message, then the failed check's number s10 in decimal and a
 *               newline, then shutdown */
#define GUEST_UART 0x10000000
#define GUEST_UART_LSR 5
#define GUEST_LSR_THRE 0x20

	.macro	skip_insn
	csrr	t4, sepc
	lhu	t5, 0(t4)
	andi	t5, t5, 3
	li	t6, 3
	addi	t4, t4, 2
	bne	t5, t6, 8f
	addi	t4, t4, 2
8:	csrw	sepc, t4
	.endm

	.pushsection .text
puts:
	li	t0, GUEST_UART
1:	lbu	t1, 0(a0)
	beqz	t1, 3f
2:	lbu	t2, GUEST_UART_LSR(t0)
	andi	t2, t2, GUEST_LSR_THRE
	beqz	t2, 2b
	sb	t1, 0(t0)
	addi	a0, a0, 1
	j	1b
3:	ret

shutdown:
	li	a7, 0x53525354			/* SRST */
	li	a6, 0				/* system_reset */
	li	a0, 0				/* shutdown */
	li	a1, 0
	ecall
1:	wfi
	j	1b

fail_report:
	jal	ra, puts
	li	t0, GUEST_UART
	li	t1, 10
	divu	t2, s10, t1
	beqz	t2, 1f
	addi	t2, t2, '0'
	sb	t2, 0(t0)
1:	remu	t2, s10, t1
	addi	t2, t2, '0'
	sb	t2, 0(t0)
	li	t1, '\n'
	sb	t1, 0(t0)
	j	shutdown
	.popsection
