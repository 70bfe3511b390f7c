/* A hostile riscv64 guest for QEMU's H extension (tests/hostile/riscv64/hostile.scn): in
 * VS-mode it tries what is not its own, and checks that each attempt comes back to it as
 * the fault or the SBI error a well-behaved hypervisor gives, never reaching Tandem or
 * the other VM:
 *   1. for 50 ms it spins with interrupts masked and no exit, and the other VM on the
 *      same pCPU must still run meanwhile (the host timer preempts V=1 whatever the
 *      guest's sstatus);
 *   2. hypervisor, VS, M-level and counter instructions: HLV/HSV, HFENCE.GVMA/VVMA,
 *      hstatus, hgatp, vsstatus, mstatus, MRET, cycle: each an illegal-instruction
 *      exception at its stvec, stval the instruction (what the hardware raises as a
 *      virtual-instruction exception Tandem turns into that);
 *   3. memory that is not its RAM: past its RAM's end, far above it, address 0, an AMO
 *      to its UART, a jump to no device: access faults (load, store/AMO, fetch);
 *   4. SBI calls out of range: an unknown extension, HSM start of a hart it does not
 *      have and of itself, an IPI to harts far past its own, a DBCN write from outside
 *      its RAM, an SRST type that does not exist: each its SBI error.
 * It prints "evil: FAIL <n>" for a check that fails, and powers its VM off either way. */
#define UART 0x10000000
#define RAM_END 0x80010000 /* 64K of RAM at 0x80000000 */
#define SPIN_TICKS 500000  /* 50 ms of QEMU's 10 MHz timebase */
#define SBI_HSM 0x48534D
#define SBI_IPI 0x735049
#define SBI_DBCN 0x4442434E
#define SBI_SRST 0x53525354
#define ERR_NOT_SUPPORTED -2
#define ERR_INVALID_PARAM -3
#define ERR_ALREADY_AVAILABLE -6
#define CAUSE_FETCH_ACCESS 1
#define CAUSE_ILLEGAL 2
#define CAUSE_LOAD_ACCESS 5
#define CAUSE_STORE_ACCESS 7

#include "../../guests/riscv64/guest-lib.S"

	.macro	print label
	la	a0, \label
	jal	ra, puts
	.endm

	.macro	check_eq reg, value, n
	li	t6, \value
	li	s10, \n
	bne	\reg, t6, fail
	.endm

	/* The word must raise an illegal-instruction exception with stval = the word. */
	.macro	refused word, n
	li	s11, -1
	li	a0, RAM_END - 8			/* a base for HLV/HSV, inside RAM */
	.word	\word
	check_eq s11, CAUSE_ILLEGAL, \n
	li	t0, \word
	li	s10, \n + 100
	bne	s9, t0, fail
	.endm

	/* The access must raise exception cause at stvec. */
	.macro	faults cause, n
	check_eq s11, \cause, \n
	li	s11, -1
	.endm

	.macro	sbi eid, fid
	li	a7, \eid
	li	a6, \fid
	ecall
	.endm

	.section .text.boot, "ax"
	.globl	_start
_start:
	la	t0, trap
	csrw	stvec, t0
	li	s11, -1

	print	msg_spin
	rdtime	s1
	li	t1, SPIN_TICKS
	add	s1, s1, t1
1:	rdtime	t0
	bltu	t0, s1, 1b
	print	msg_spun

	refused	0x600022f3, 1			/* csrr t0, hstatus */
	refused	0x68001073, 2			/* csrw hgatp, zero */
	refused	0x200022f3, 3			/* csrr t0, vsstatus */
	refused	0x300022f3, 4			/* csrr t0, mstatus */
	refused	0x62000073, 5			/* hfence.gvma */
	refused	0x22000073, 6			/* hfence.vvma */
	refused	0x6c0542f3, 7			/* hlv.d t0, (a0) */
	refused	0x6e554073, 8			/* hsv.d t0, (a0) */
	refused	0x30200073, 9			/* mret */
	refused	0xc00022f3, 10			/* csrr t0, cycle */
	print	msg_insns

	li	t0, RAM_END			/* the first byte past its RAM */
	lw	t1, 0(t0)
	faults	CAUSE_LOAD_ACCESS, 11
	li	t0, 0x200000000			/* 8 GiB: nothing */
	ld	t1, 0(t0)
	faults	CAUSE_LOAD_ACCESS, 12
	sd	t1, 0(zero)			/* address 0 */
	faults	CAUSE_STORE_ACCESS, 13
	li	t0, UART			/* an AMO to a device */
	li	t1, 1
	amoadd.w t2, t1, (t0)
	faults	CAUSE_STORE_ACCESS, 14
	li	t0, 0x30000000			/* a jump to no device */
	jalr	ra, t0
	faults	CAUSE_FETCH_ACCESS, 15
	print	msg_memory

	li	a0, 0
	sbi	0x0BADC0DE, 0			/* no such extension */
	check_eq a0, ERR_NOT_SUPPORTED, 16
	li	a0, 7				/* hart_start of a hart it does not have */
	la	a1, _start
	li	a2, 0
	sbi	SBI_HSM, 0
	check_eq a0, ERR_INVALID_PARAM, 17
	li	a0, 0				/* of itself, running */
	la	a1, _start
	li	a2, 0
	sbi	SBI_HSM, 0
	check_eq a0, ERR_ALREADY_AVAILABLE, 18
	li	a0, 1				/* send_ipi, harts 1000.. */
	li	a1, 1000
	sbi	SBI_IPI, 0
	check_eq a0, ERR_INVALID_PARAM, 19
	li	a0, 16				/* DBCN write of 16 bytes at 8 GiB */
	li	a1, 0x200000000
	li	a2, 0
	sbi	SBI_DBCN, 0
	check_eq a0, ERR_INVALID_PARAM, 20
	li	a0, 0x12345			/* SRST of no such type */
	li	a1, 0
	sbi	SBI_SRST, 0
	check_eq a0, ERR_INVALID_PARAM, 21
	print	msg_sbi

	print	msg_bye
	li	a0, 0
	li	a1, 0
	sbi	SBI_SRST, 0
	li	s10, 22
	j	fail

fail:
	la	a0, msg_fail
	j	fail_report

/* An exception: its cause into s11, stval into s9, and on: past the instruction, or,
 * for a fetch fault, back to ra (the jump's return address). An interrupt is a failure:
 * none is enabled. */
	.balign	4
trap:
	csrr	s11, scause
	csrr	s9, stval
	bltz	s11, 3f
	li	t4, CAUSE_FETCH_ACCESS
	bne	s11, t4, 1f
	csrw	sepc, ra
	sret
1:	skip_insn
	sret
3:	li	s10, 23
	j	fail

	.section .rodata
msg_spin:	.asciz	"evil: spinning 50 ms, interrupts masked\n"
msg_spun:	.asciz	"evil: spin over\n"
msg_insns:	.asciz	"evil: hypervisor, VS, M and counter instructions refused\n"
msg_memory:	.asciz	"evil: memory that is not its RAM refused\n"
msg_sbi:	.asciz	"evil: SBI calls out of range refused\n"
msg_bye:	.asciz	"evil: bye\n"
msg_fail:	.asciz	"evil: FAIL "
