/* Test guests for WFE (issue 12), MMU off, assembled in two variants.
 *
 * -DLOCK, the VM "lock" of wfe.scn (two vCPUs time-shared on one pCPU): vCPU 0 takes
 * a lock, starts vCPU 1 and waits in WFI for its virtual timer with the lock held;
 * vCPU 1 waits for the lock as a kernel's spinlock does (LDAXR + WFE); vCPU 0, woken,
 * releases it (STLR) and waits in WFE for vCPU 1's "done"; then it powers the VM off.
 * Under Tandem a trapped WFE yields the pCPU to the other vCPU; alone on its pCPU a
 * vCPU's WFE is not trapped at all.
 *
 * Without LOCK, a VM of one vCPU that runs 1000 WFEs and powers itself off: wfe.scn's
 * VM "alone" (alone on its pCPU: no WFE may trap), and both VMs of static.scn.
 *
 * Prints are STRB W9, [X10] to UARTDR, as in guest.S; a failed check prints a line
 * with "FAIL" and powers the VM off. */
#include "guest-lib.h"
#define LOCK_WORD 0x4000f000
#define DONE_WORD 0x4000f008

#define GICD 0x08000000
#define GICR0_WAKER 0x080A0014
#define GICR0_ISENABLER0 0x080B0100
#define TIMER_TICKS 125000		/* 2 ms at QEMU's 62.5 MHz */
#define WFE_COUNT 1000


	.macro	fail_unless_x0 value, label
	ldr	x12, =\value
	cmp	x0, x12
	adr	x11, \label
	b.ne	fail
	.endm

#ifdef LOCK
/* FP/SIMD, switched lazily between the two vCPUs of pCPU 0: each leaves a value of its
 * own in D0 and D31 before it waits, and finds it there after the other has run. */
#define FP_MINE_0 0x0F0F00000000F00Dull
#define FP_MINE_1 0x0F0F11111111F00Dull
	.macro	fp_on value
	mrs	x1, cpacr_el1
	orr	x1, x1, #(3 << 20)	/* FPEN: no trap at EL1 or EL0 */
	msr	cpacr_el1, x1
	isb
	ldr	x1, =\value
	fmov	d0, x1
	fmov	d31, x1
	.endm

	.macro	fp_check value
	fmov	x0, d0
	fail_unless_x0 \value, fail_fp
	fmov	x0, d31
	fail_unless_x0 \value, fail_fp
	.endm
#endif

	.section .text.boot, "ax"
	.globl	_start
_start:
	adr	x0, vectors
	msr	vbar_el1, x0
	isb
#ifdef LOCK
	print	hello_lock
	ldr	x28, =LOCK_WORD
	mov	x1, #1
	str	x1, [x28]
	/* The GIC: distributor, this vCPU's redistributor (PPI 27), CPU interface. */
	store32	GICD, 2
	store32	GICR0_WAKER, 0
	store32	GICR0_ISENABLER0, 0x08000000
	mov	x9, #0xff
	msr	icc_pmr_el1, x9
	mov	x9, #1
	msr	icc_igrpen1_el1, x9
	isb
	fp_on	FP_MINE_0
	call	hvc, PSCI_CPU_ON, 1, secondary, 0
	fail_unless_x0 0, fail_cpu_on
	/* WFI with the lock held, until the virtual timer fires (IRQs masked: the WFI
	 * ends once it is pending), then take it. */
	mrs	x1, cntvct_el0
	ldr	x2, =TIMER_TICKS
	add	x1, x1, x2
	msr	cntv_cval_el0, x1
	mov	x2, #1
	msr	cntv_ctl_el0, x2
	wfi
	msr	daifclr, #2
	isb
	msr	daifset, #2
	mrs	x0, tpidr_el1
	fail_unless_x0 27, fail_timer
	fp_check FP_MINE_0
	msr	cntv_ctl_el0, xzr
	ldr	x28, =LOCK_WORD
	stlr	xzr, [x28]
	/* vCPU 1's "done", waited for in WFE. */
	ldr	x28, =DONE_WORD
1:	ldr	x1, [x28]
	cmp	x1, #1
	b.eq	2f
	wfe
	b	1b
2:	print	bye_lock
#else
	mov	x20, #WFE_COUNT
1:	wfe
	subs	x20, x20, #1
	b.ne	1b
	print	wfes_done
#endif
off:	call	hvc, PSCI_SYSTEM_OFF
3:	wfi				/* not reached: the VM is off */
	b	3b

fail:	bl	puts
	b	off

	puts_routine

#ifdef LOCK
	.org	0x400			/* wfe.scn starts vCPU 1 at image + 0x400 */
secondary:
	adr	x1, vectors
	msr	vbar_el1, x1
	isb
	fp_on	FP_MINE_1
	/* A kernel spinlock's waiter: wait in WFE until the lock reads free. */
	ldr	x28, =LOCK_WORD
	sevl
6:	wfe
	ldaxr	x1, [x28]
	cbnz	x1, 6b
	clrex
	fp_check FP_MINE_1
	print	got_lock
	ldr	x28, =DONE_WORD
	mov	x1, #1
	str	x1, [x28]
	call	hvc, PSCI_CPU_OFF
	b	off			/* CPU_OFF returned: a failure too */
#endif

/* EL1 vectors: only the virtual timer's interrupt is expected (current EL, SPx). */
	.balign	0x800
vectors:
	.rept	5
	.balign	0x80
	b	unexpected
	.endr
	.balign	0x80			/* current EL, SPx, IRQ: acknowledge, note, complete */
	mrs	x13, icc_iar1_el1
	msr	tpidr_el1, x13
	msr	cntv_ctl_el0, xzr	/* the timer's line is level: quiet it before the EOI */
	msr	icc_eoir1_el1, x13
	eret
	.rept	10
	.balign	0x80
	b	unexpected
	.endr
unexpected:
	adr	x11, fail_exception
	b	fail

	.ltorg
#ifdef LOCK
hello_lock: .asciz "vcpu 0 holds the lock\n"
got_lock: .asciz "vcpu 1 got the lock\n"
bye_lock: .asciz "vcpu 0 saw vcpu 1 done: bye\n"
fail_cpu_on: .asciz "FAIL cpu_on\n"
fail_timer: .asciz "FAIL timer interrupt\n"
fail_fp: .asciz "FAIL FP/SIMD registers not the ones this vCPU left\n"
#else
wfes_done: .asciz "1000 WFEs done\n"
#endif
fail_exception: .asciz "FAIL unexpected exception\n"
