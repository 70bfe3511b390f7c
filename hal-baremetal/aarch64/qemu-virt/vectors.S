/* EL2 exception vectors (Arm ARM D1.10.2: 16 entries of 0x80 bytes). An exception from
 * a lower EL (AArch64, or a guest's EL0 in AArch32) is a guest exit, never fatal: the
 * entry keeps the guest's X0/X1 on the EL2 stack and leaves through world.S, a
 * synchronous exit to its own path, any other with the trap type in X1. Anything else taken to
 * EL2 is a hypervisor bug: the entry hands its index and the syndrome to bm_exception,
 * which reports it and stops the machine. */
#include "hal-baremetal/aarch64/qemu-virt/world.h"

	.macro	fatal index
	.balign	0x80
	mov	x0, #\index
	mrs	x1, esr_el2
	mrs	x2, elr_el2
	mrs	x3, far_el2
	b	bm_exception
	.endm

	.macro	guest_exit type
	.balign	0x80
	stp	x0, x1, [sp, #-16]!
	.if \type == TRAP_SYNC_ID
	b	bm_guest_exit_sync	/* may be answered at once: world.S */
	.else
	mov	x1, #\type
	b	bm_guest_exit
	.endif
	.endm

	.text
	.balign	0x800
	.globl	el2_vectors
el2_vectors:
	fatal 0			/* current EL with SP_EL0 */
	fatal 1
	fatal 2
	fatal 3
	fatal 4			/* current EL with SP_EL2 */
	fatal 5
	fatal 6
	fatal 7
	guest_exit TRAP_SYNC_ID	/* lower EL, AArch64: the guest */
	guest_exit TRAP_IRQ_ID
	guest_exit TRAP_FIQ_ID
	guest_exit TRAP_SERROR_ID
	guest_exit TRAP_SYNC_ID	/* lower EL, AArch32: a guest's EL0 may run there; */
	guest_exit TRAP_IRQ_ID	/* its syndrome is decoded (and refused) like any */
	guest_exit TRAP_FIQ_ID
	guest_exit TRAP_SERROR_ID
