/* The probe's machine-mode start (QEMU virt, -bios none: every hart starts here at
 * 0x80000000 in M-mode; only hart 0 is started, -smp 1). Physical memory protection
 * open, the exceptions a VS-mode guest can raise delegated to HS-mode (medeleg),
 * counters visible below M (mcounteren), then mret into probe_main in HS-mode
 * (MPP = S, MPV = 0). The HS trap entry and the guest entry are below. */
	.section .text.start
	.globl	_start
_start:
	la	sp, probe_stack_top
	la	t0, m_trap
	csrw	mtvec, t0
	li	t0, -1
	csrw	pmpaddr0, t0
	li	t0, 0x1f		/* pmp0cfg: R W X, NAPOT: all of memory */
	csrw	pmpcfg0, t0
	li	t0, -1
	csrw	mcounteren, t0
	/* Causes 0-8, 10, 12, 13, 15 and 20-23 (VS-mode's, and the guest-page faults and
	 * virtual instructions only HS-mode takes) trap to HS-mode. */
	li	t0, 0xF0B5FF
	csrw	medeleg, t0
	csrw	mideleg, zero
	csrw	mie, zero
	li	t0, 3 << 11		/* mstatus.MPP */
	csrc	mstatus, t0
	li	t0, 1 << 11		/* S */
	csrs	mstatus, t0
	li	t0, 1
	slli	t0, t0, 39		/* mstatus.MPV: to HS, not VS */
	csrc	mstatus, t0
	la	t0, probe_main
	csrw	mepc, t0
	mret

/* Anything that reaches M-mode is a fault of the probe itself. */
	.balign	4
m_trap:
	csrr	a0, mcause
	csrr	a1, mepc
	csrr	a2, mtval
	la	sp, probe_stack_top
	call	probe_m_trap
1:	j	1b

/* unsigned long probe_enter(const unsigned long regs[8]): enter the guest at sepc with
 * t6, s1, s0, t5, t0, a0, a1 from regs[0..6]; returns when it traps to HS (stvec =
 * probe_hs_trap), the trap CSRs in probe_trap. The host's callee-saved registers wait
 * in probe_host. */
	.text
	.globl	probe_enter
probe_enter:
	la	t0, probe_host
	sd	ra, 0(t0)
	sd	sp, 8(t0)
	sd	s0, 16(t0)
	sd	s1, 24(t0)
	sd	gp, 32(t0)
	sd	tp, 40(t0)
	ld	t6, 0(a0)
	ld	s1, 8(a0)
	ld	s0, 16(a0)
	ld	t5, 24(a0)
	ld	t0, 32(a0)
	ld	a1, 48(a0)
	ld	a0, 40(a0)
	sret

	.balign	4
	.globl	probe_hs_trap
probe_hs_trap:
	la	t0, probe_trap
	csrr	t1, scause
	sd	t1, 0(t0)
	csrr	t1, stval
	sd	t1, 8(t0)
	csrr	t1, 0x643		/* htval */
	sd	t1, 16(t0)
	csrr	t1, 0x64A		/* htinst */
	sd	t1, 24(t0)
	csrr	t1, 0x600		/* hstatus */
	sd	t1, 32(t0)
	csrr	t1, sepc
	sd	t1, 40(t0)
	la	t0, probe_host
	ld	ra, 0(t0)
	ld	sp, 8(t0)
	ld	s0, 16(t0)
	ld	s1, 24(t0)
	ld	gp, 32(t0)
	ld	tp, 40(t0)
	ret
