/* What the aarch64 test guests (guest.S, wfe.S, tests/hostile/aarch64/debug-guest.S)
 * share: the PSCI function IDs they call (Arm DEN 0022), the board's UART, and the
 * macros that make each action look like the scenario statement it mirrors. Included
 * by the preprocessed .S files; the guest provides the puts routine with PUTS_ROUTINE. */
#ifndef TESTS_GUESTS_AARCH64_GUEST_LIB_H
#define TESTS_GUESTS_AARCH64_GUEST_LIB_H

#define UART 0x09000000

#define PSCI_CPU_ON 0xC4000003
#define PSCI_CPU_OFF 0x84000002
#define PSCI_SYSTEM_OFF 0x84000008

#define ESR_EC_SHIFT 26

	/* Print a string: one STRB W9, [X10] per byte. */
	.macro	print label
	adr	x11, \label
	bl	puts
	.endm

	/* A PSCI or Tandem call with X0-X3 set exactly (unused arguments zero). */
	.macro	call insn, fid, a1=0, a2=0, a3=0
	ldr	x0, =\fid
	ldr	x1, =\a1
	ldr	x2, =\a2
	ldr	x3, =\a3
	\insn	#0
	.endm

	/* STR W1, [X28] of a 32-bit value, as the scenario's store32. */
	.macro	store32 addr, value
	ldr	x28, =\addr
	ldr	w1, =\value
	str	w1, [x28]
	.endm

	/* puts: the NUL-terminated string at X11 to the UART, a byte at a time. */
	.macro	puts_routine
puts:	ldr	x10, =UART
1:	ldrb	w9, [x11], #1
	cbz	w9, 2f
	strb	w9, [x10]
	b	1b
2:	ret
	.endm

#endif
