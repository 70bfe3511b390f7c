/* A hostile test guest for issue 11, item 3 (the PMU and the debug registers belong to
 * one VM), assembled once per VM of tests/hostile/hostile-debug.scn with NAME and the
 * values it programs (BVR, BCR, WVR, WCR, MDSCR). It does what that scenario's hvsim
 * programs do, on QEMU's real (TCG) PMU and debug registers: two VMs share one pCPU;
 * each checks its OS lock is locked as after a reset and unlocks it, programs
 * breakpoint 0, watchpoint 0 and MDSCR_EL1, sleeps on its virtual timer (the other VM
 * runs meanwhile and programs its own), then reads them all back and expects its own
 * values; finally it touches PMCR_EL0 and PMCCNTR_EL0 and expects an UNDEF at
 * VBAR_EL1 for each. Each check prints a line; a failed one says "FAIL" and the guest
 * goes on, so that one run shows every failure. Debug exceptions stay masked
 * (PSTATE.D) throughout. Prints are STRB W9, [X10] to UARTDR. */
#include "../../guests/aarch64/guest-lib.h"
#define GICD 0x08000000
#define GICR0_WAKER 0x080A0014
#define GICR0_ISENABLER0 0x080B0100
#define SLEEP_TICKS 625000		/* 10 ms at QEMU's 62.5 MHz */
#define EC_UNKNOWN 0

	/* X0 must be value: else print the FAIL line label, and note the failure. */
	.macro	check value, label
	ldr	x12, =\value
	adr	x11, \label
	bl	check_x0
	.endm

	/* The number of UNDEFs taken so far into X0. */
	.macro	undefs_to_x0
	adr	x0, undefs
	ldr	x0, [x0]
	.endm

	.section .text.boot, "ax"
	.globl	_start
_start:
	adr	x0, vectors
	msr	vbar_el1, x0
	isb
	print	hello
	/* OSLSR_EL1: OSLM 0b10, OSLK set (a fresh PE); then unlocked, its own. */
	mrs	x0, oslsr_el1
	check	0xa, fail_oslk
	msr	oslar_el1, xzr
	isb
	mrs	x0, oslsr_el1
	check	0x8, fail_osunlock
	ldr	x1, =BVR
	msr	dbgbvr0_el1, x1
	ldr	x1, =BCR
	msr	dbgbcr0_el1, x1
	ldr	x1, =WVR
	msr	dbgwvr0_el1, x1
	ldr	x1, =WCR
	msr	dbgwcr0_el1, x1
	ldr	x1, =MDSCR
	msr	mdscr_el1, x1
	isb
	print	programmed
	/* Sleep on the virtual timer: PPI 27 through the GIC, waited for in WFI. */
	store32	GICD, 2
	store32	GICR0_WAKER, 0
	store32	GICR0_ISENABLER0, 0x08000000
	mov	x9, #0xff
	msr	icc_pmr_el1, x9
	mov	x9, #1
	msr	icc_igrpen1_el1, x9
	mrs	x1, cntvct_el0
	ldr	x2, =SLEEP_TICKS
	add	x1, x1, x2
	msr	cntv_cval_el0, x1
	mov	x2, #1
	msr	cntv_ctl_el0, x2
	isb
	wfi
	msr	daifclr, #2
	isb
	msr	daifset, #2
	mrs	x0, tpidr_el1
	check	27, fail_timer
	mrs	x0, dbgbvr0_el1
	check	BVR, fail_bvr
	mrs	x0, dbgbcr0_el1
	check	BCR, fail_bcr
	mrs	x0, dbgwvr0_el1
	check	WVR, fail_wvr
	mrs	x0, dbgwcr0_el1
	check	WCR, fail_wcr
	mrs	x0, mdscr_el1
	check	MDSCR, fail_mdscr
	mrs	x0, oslsr_el1
	check	0x8, fail_oslk_kept
	adr	x0, failures
	ldr	x0, [x0]
	cbnz	x0, 1f
	print	readback_ok
1:	/* The PMU: every access an UNDEF, taken at VBAR_EL1 (the handler counts it). */
	mrs	x0, pmcr_el0
	undefs_to_x0
	check	1, fail_pmcr
	cmp	x0, #1
	b.ne	2f
	print	pmcr_ok
2:	mov	x1, #1
	msr	pmccntr_el0, x1
	mrs	x0, pmccntr_el0
	undefs_to_x0
	check	3, fail_pmccntr
	cmp	x0, #3
	b.ne	finish
	print	pmccntr_ok
finish:	print	bye
	ldr	x0, =PSCI_SYSTEM_OFF
	mov	x1, xzr
	mov	x2, xzr
	mov	x3, xzr
	hvc	#0
4:	wfi				/* not reached: the VM is off */
	b	4b

/* X0 == X12, or print the line at X11 and count a failure. */
check_x0:
	cmp	x0, x12
	b.eq	6f
	adr	x13, failures
	ldr	x14, [x13]
	add	x14, x14, #1
	str	x14, [x13]
	mov	x15, x30
	bl	puts
	mov	x30, x15
6:	ret

/* STRB W9, [X10] for each byte of the NUL-terminated string at X11. */
	puts_routine

/* EL1 vectors: a synchronous exception from the current EL with SP_EL1 must be an
 * UNDEF (EC 0): counted and stepped over. The IRQ notes its INTID in TPIDR_EL1. */
	.balign	0x800
vectors:
	.rept	4
	.balign	0x80
	b	unexpected
	.endr
	.balign	0x80			/* current EL, SPx, synchronous */
	mrs	x13, esr_el1
	lsr	x14, x13, #ESR_EC_SHIFT
	cmp	x14, #EC_UNKNOWN
	b.ne	unexpected
	adr	x13, undefs
	ldr	x14, [x13]
	add	x14, x14, #1
	str	x14, [x13]
	mrs	x13, elr_el1
	add	x13, x13, #4
	msr	elr_el1, x13
	eret
	.balign	0x80			/* current EL, SPx, IRQ */
	mrs	x13, icc_iar1_el1
	msr	tpidr_el1, x13
	msr	cntv_ctl_el0, xzr	/* the timer's line is level: quiet it first */
	msr	icc_eoir1_el1, x13
	eret
	.rept	9
	.balign	0x80
	b	unexpected
	.endr
unexpected:
	adr	x11, fail_exception
	bl	puts
	b	finish

	.ltorg
	.balign	8
undefs:	.quad	0
failures: .quad	0

hello:	.asciz	NAME ": debug guest up\n"
programmed: .asciz NAME ": breakpoint 0, watchpoint 0 and MDSCR_EL1 programmed\n"
readback_ok: .asciz NAME ": OS lock, DBGBVR0/DBGBCR0/DBGWVR0/DBGWCR0 and MDSCR_EL1 read back its own values\n"
pmcr_ok: .asciz	NAME ": PMCR_EL0 read takes an UNDEF at VBAR_EL1\n"
pmccntr_ok: .asciz NAME ": PMCCNTR_EL0 write and read take an UNDEF each\n"
bye:	.asciz	NAME ": bye\n"
fail_oslk: .asciz NAME ": FAIL OSLSR_EL1 is not 0xa (OS lock locked) at start\n"
fail_osunlock: .asciz NAME ": FAIL OSLSR_EL1 is not 0x8 after OSLAR_EL1 = 0\n"
fail_oslk_kept: .asciz NAME ": FAIL OSLSR_EL1 changed while the other VM ran\n"
fail_timer: .asciz NAME ": FAIL timer interrupt\n"
fail_bvr: .asciz NAME ": FAIL DBGBVR0_EL1 is not this VM's value\n"
fail_bcr: .asciz NAME ": FAIL DBGBCR0_EL1 is not this VM's value\n"
fail_wvr: .asciz NAME ": FAIL DBGWVR0_EL1 is not this VM's value\n"
fail_wcr: .asciz NAME ": FAIL DBGWCR0_EL1 is not this VM's value\n"
fail_mdscr: .asciz NAME ": FAIL MDSCR_EL1 is not this VM's value\n"
fail_pmcr: .asciz NAME ": FAIL PMCR_EL0 read took no UNDEF\n"
fail_pmccntr: .asciz NAME ": FAIL PMCCNTR_EL0 accesses took no UNDEF\n"
fail_exception: .asciz NAME ": FAIL unexpected exception\n"
