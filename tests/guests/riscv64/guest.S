/* The riscv64 test guest, once per VM of two-guests.scn (NAME and CTX, the opaque value
 * hart 0 gives hart 1 through SBI HSM, assembled in): what the aarch64 test guest does,
 * in VS-mode. Hart 0 prints through its NS16550A, calls SBI BASE, touches lazily
 * allocated memory, reads from no device and takes the load access fault Tandem
 * injects at its stvec (and the store/AMO one for an AMO there), takes ten Sstc timer interrupts, starts hart 1 with SBI HSM,
 * exchanges IPIs with it (SBI IPI), checks that its FP registers and hart 1's outlived
 * the other VM's on the same pCPUs (fp_fill, fp_check), and, with UART_RX (alpha), waits for a byte of
 * console input through the UART's receive interrupt on PLIC source 10; then it powers
 * its VM off with SBI SRST. Interrupts are taken at stvec, in windows of sstatus.SIE
 * after each WFI; the handler notes each cause in s9 (bit n: cause n). (Polling sip
 * does not do on QEMU 7.2: its VS-mode sip does not show the STIP that vstimecmp
 * raises, though the interrupt is delivered.) Any failed check prints "NAME: FAIL <n>"
 * and powers the VM off. */
#define UART 0x10000000
#define UART_IER 1
#define PLIC 0x0C000000
#define PLIC_UART_SOURCE 10
#define PLIC_ENABLE_CTX1 0x2080 /* hart 0's S context (1): sources 0-31 */
#define PLIC_CTX1 0x201000      /* its threshold; +4: claim/complete */
#define SHARED 0x80100000       /* the lazy region: hart 1 up at +0, done at +8 */
#define SIP_SSIP 0x2
#define SIP_STIP 0x20
#define SIP_SEIP 0x200
#define CSR_STIMECMP 0x14D
#define TICKS 10000             /* 1 ms of QEMU's 10 MHz timebase */
#define SBI_BASE 0x10
#define SBI_HSM 0x48534D
#define SBI_IPI 0x735049
#define SBI_SRST 0x53525354

#include "guest-lib.S"

	/* Every FP register and fcsr to values of this hart's own (base + n), with
	 * sstatus.FS on; fp_check: they are still there. Between the two the hart waits in
	 * WFI and its pCPU runs a vCPU of the other VM, which fills the same registers with
	 * its own: a world switch that loses or leaks FP state fails here. */
	.macro	fp_fill base
	.option	push
	.option	arch, +d
	li	t0, 1 << 13			/* sstatus.FS: Initial */
	csrs	sstatus, t0
	.irp	n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	li	t0, \base + \n
	fmv.d.x	f\n, t0
	.endr
	li	t0, 0x21			/* frm RTZ, fflags NX */
	fscsr	t0
	.option	pop
	.endm

	.macro	fp_check base, code
	.option	push
	.option	arch, +d
	li	s10, \code
	.irp	n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	fmv.x.d	t0, f\n
	li	t1, \base + \n
	bne	t0, t1, fail
	.endr
	frcsr	t0
	li	t1, 0x21
	bne	t0, t1, fail
	.option	pop
	.endm

	.macro	print label
	la	a0, \label
	jal	ra, puts
	.endm

	.macro	check_eq reg, value, n
	li	t6, \value
	li	s10, \n
	bne	\reg, t6, fail
	.endm

	/* Until the handler has taken interrupt cause n: WFI, then a window in which the
	 * pending ones are taken (a WFI may wake for another, or spuriously). */
	.macro	wait_irq n
1:	srli	t0, s9, \n
	andi	t0, t0, 1
	bnez	t0, 2f
	wfi
	csrsi	sstatus, 2
	csrci	sstatus, 2
	j	1b
2:	li	t0, 1 << \n
	not	t0, t0
	and	s9, s9, t0
	.endm

	.macro	sbi eid, fid
	li	a7, \eid
	li	a6, \fid
	ecall
	.endm

	.section .text.boot, "ax"
	.globl	_start
_start:
	li	s9, 0
	la	t0, trap
	csrw	stvec, t0
	check_eq a0, 0, 1
	print	hello0
	sbi	SBI_BASE, 0			/* get_spec_version */
	check_eq a0, 0, 2
	srli	t1, a1, 24
	beqz	t1, fail			/* major version 0: not SBI v1.0 or later */
	print	msg_base

	li	t0, SHARED + 0x8000		/* lazy memory, first touched here */
	li	t1, 0x5a5a
	sd	t1, 0(t0)
	ld	t2, 0(t0)
	check_eq t2, 0x5a5a, 3
	print	msg_lazy

	li	s11, -1
	li	t0, 0x20000000			/* no device there */
	lw	t1, 0(t0)
	check_eq s11, 5, 4			/* load access fault */
	li	s11, -1
	li	t0, 0x10000000			/* an AMO to its UART: the store/AMO access */
	li	t1, 1				/* fault (QEMU on one hart reports the AMO's */
	amoadd.w t2, t1, (t0)			/* guest-page fault as a load's: deviations.txt) */
	check_eq s11, 7, 24
	print	msg_fault

	li	t0, SIP_STIP
	csrs	sie, t0
	li	s1, 10
timer_loop:
	rdtime	t0
	li	t1, TICKS
	add	t0, t0, t1
	csrw	CSR_STIMECMP, t0
	wait_irq 5
	addi	s1, s1, -1
	bnez	s1, timer_loop
	print	msg_timer

	fp_fill	(CTX << 32)
	li	t0, SHARED			/* the flags' page, mapped by hart 0 first */
	sd	zero, 0(t0)
	sd	zero, 8(t0)
	li	t0, SIP_SSIP
	csrs	sie, t0
	li	a0, 1
	la	a1, hart1
	li	a2, CTX
	sbi	SBI_HSM, 0			/* hart_start */
	check_eq a0, 0, 6
	li	t0, SHARED
1:	ld	t1, 0(t0)
	beqz	t1, 1b
	li	a0, 2				/* hart 1 */
	li	a1, 0
	sbi	SBI_IPI, 0
	check_eq a0, 0, 7
	wait_irq 1
	print	msg_ipi
	li	t0, SHARED + 8
1:	ld	t1, 0(t0)
	beqz	t1, 1b
	fp_check (CTX << 32), 25
	print	msg_fp

#ifdef UART_RX
	li	t0, PLIC + 4 * PLIC_UART_SOURCE	/* priority 1 */
	li	t1, 1
	sw	t1, 0(t0)
	li	t0, PLIC + PLIC_ENABLE_CTX1
	li	t1, 1 << PLIC_UART_SOURCE
	sw	t1, 0(t0)
	li	t0, PLIC + PLIC_CTX1		/* threshold 0 */
	sw	zero, 0(t0)
	li	t0, UART
	li	t1, 1				/* IER.ERBFI */
	sb	t1, UART_IER(t0)
	li	t0, SIP_SEIP
	csrs	sie, t0
	wait_irq 9
	check_eq s8, PLIC_UART_SOURCE, 8	/* what the handler claimed */
	check_eq s7, 0x54, 9			/* and read: 'T' */
	print	msg_uart
#endif
	print	msg_bye
	li	a0, 0				/* shutdown */
	li	a1, 0
	sbi	SBI_SRST, 0
	li	s10, 10
	j	fail

/* Hart 1, started by hart 0: a0 its hart id, a1 the opaque value. */
hart1:
	li	s9, 0
	la	t0, trap
	csrw	stvec, t0
	check_eq a0, 1, 11
	check_eq a1, CTX, 12
	print	hello1
	fp_fill	((CTX << 32) | (1 << 16))
	li	t0, SHARED + 0x80000		/* lazy memory of its own */
	li	t1, 0x1234
	sw	t1, 0(t0)
	lw	t2, 0(t0)
	check_eq t2, 0x1234, 13
	li	t0, SIP_SSIP
	csrs	sie, t0
	li	t0, SHARED
	li	t1, 1
	sd	t1, 0(t0)			/* up */
	wait_irq 1
	li	a0, 1				/* hart 0 */
	li	a1, 0
	sbi	SBI_IPI, 0
	check_eq a0, 0, 14
	fp_check ((CTX << 32) | (1 << 16)), 26
	li	t0, SHARED + 8
	li	t1, 1
	sd	t1, 0(t0)			/* done */
	sbi	SBI_HSM, 1			/* hart_stop */
	li	s10, 15
	j	fail

/* A failed check: s10 says which. */
fail:
	la	a0, msg_fail
	j	fail_report

/* An exception the guest takes itself: its cause into s11, and on past the instruction
 * (2 or 4 bytes). An interrupt: its cause noted in s9, and its source quietened: the
 * timer turned off, the IPI cleared, the UART's byte read (into s7, the PLIC source
 * claimed into s8) and its receive interrupt turned off. */
	.balign	4
trap:
	csrr	t4, scause
	bltz	t4, irq
	mv	s11, t4
	skip_insn
	sret
irq:
	slli	t4, t4, 1
	srli	t4, t4, 1			/* the cause number */
	li	t5, 1
	sll	t5, t5, t4
	or	s9, s9, t5
	li	t5, 5
	beq	t4, t5, irq_timer
	li	t5, 1
	beq	t4, t5, irq_soft
	li	t5, 9
	beq	t4, t5, irq_ext
	li	s10, 16
	j	fail
irq_timer:
	li	t5, -1
	csrw	CSR_STIMECMP, t5
	sret
irq_soft:
	li	t5, SIP_SSIP
	csrc	sip, t5
	sret
irq_ext:
	li	t4, PLIC + PLIC_CTX1
	lw	s8, 4(t4)			/* claim */
	li	t5, UART
	lbu	s7, 0(t5)			/* RBR */
	sb	zero, UART_IER(t5)
	sw	s8, 4(t4)			/* complete */
	sret

	.section .rodata
hello0:	.asciz	"hello from " NAME " hart 0\n"
hello1:	.asciz	NAME " hart 1 is up\n"
msg_base:	.asciz	NAME ": SBI base answered\n"
msg_lazy:	.asciz	NAME ": lazy memory\n"
msg_fault:	.asciz	NAME ": load and AMO access faults taken at stvec\n"
msg_timer:	.asciz	NAME ": 10 timer interrupts\n"
msg_ipi:	.asciz	NAME ": IPIs between hart 0 and hart 1\n"
msg_fp:		.asciz	NAME ": FP registers kept across world switches\n"
msg_uart:	.asciz	NAME ": uart receive interrupt, byte T\n"
msg_bye:	.asciz	NAME ": bye\n"
msg_fail:	.asciz	NAME ": FAIL "
