/* EL2 exception vectors (Arm ARM D1.10.2: 16 entries of 0x80 bytes). Until guest entry
 * exists, any exception taken to EL2 is a hypervisor bug: each entry hands its index
 * and the syndrome to bm_exception, which reports it and stops the machine. */
	.macro	entry index
	.balign	0x80
	mov	x0, #\index
	mrs	x1, esr_el2
	mrs	x2, elr_el2
	mrs	x3, far_el2
	b	bm_exception
	.endm

	.text
	.balign	0x800
	.globl	el2_vectors
el2_vectors:
	entry 0
	entry 1
	entry 2
	entry 3
	entry 4
	entry 5
	entry 6
	entry 7
	entry 8
	entry 9
	entry 10
	entry 11
	entry 12
	entry 13
	entry 14
	entry 15
