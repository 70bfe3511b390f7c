/* The guest the bare-metal gdb test debugs (qemu-gdb, beside this file), MMU off, two
 * vCPUs. It passes only with what gdb does to it: at `marker` gdb reads X5, steps one
 * instruction and writes X6 and the word `data`; both vCPUs then spin until gdb writes
 * 1 to `release` (gdb interrupts them there), and vCPU 0 reports what it found and
 * powers the VM off once vCPU 1 is done. Every label gdb uses is global, for the ELF's
 * symbols. Prints are STRB W9, [X10] to the emulated PL011. After `marker` gdb also
 * steps over an HVC and an emulated load (step_hvc, step_mmio). */
#include "../guests/aarch64/guest-lib.h"

#define PSCI_VERSION 0x84000000
#define GICD_CTLR 0x08000000

	.section .text.boot, "ax"
	.globl	_start
_start:
	print	hello
	ldr	x5, =0x1111
	call	hvc, PSCI_CPU_ON, 1, secondary, 0
	.globl	marker
marker:					/* gdb breaks here */
	ldr	x6, =0x2222		/* gdb steps over this, then writes X6 */
	.globl	after_marker
after_marker:
	/* Steps over instructions that exit: an HVC that Tandem answers at once (the
	 * early handler), a load from the vGIC that it emulates. Each step must stop at
	 * the next instruction, not run past it. */
	ldr	x0, =PSCI_VERSION
	ldr	x11, =GICD_CTLR
	.globl	step_hvc
step_hvc:
	hvc	#0
	.globl	step_mmio
step_mmio:
	ldr	w12, [x11]
	.globl	after_mmio
after_mmio:
	ldr	x28, =release
	mov	x20, #0
	.globl	spin
spin:					/* gdb interrupts this */
	add	x20, x20, #1
	ldr	x1, [x28]
	cbz	x1, spin
	.globl	spin_end
spin_end:
	cmp	x6, #0x77
	adr	x11, x6_bad
	b.ne	1f
	adr	x11, x6_good
1:	bl	puts
	ldr	x28, =data
	ldr	w1, [x28]
	ldr	w2, =0xfeedf00d
	cmp	w1, w2
	adr	x11, data_bad
	b.ne	2f
	adr	x11, data_good
2:	bl	puts
	ldr	x28, =done
3:	ldr	x1, [x28]
	cbz	x1, 3b
	print	bye
	call	hvc, PSCI_SYSTEM_OFF
4:	b	4b

	.globl	secondary
secondary:
	ldr	x9, =0x9999
	ldr	x28, =release
	mov	x21, #0
5:	add	x21, x21, #1
	ldr	x1, [x28]
	cbz	x1, 5b
	ldr	x28, =done
	mov	x1, #1
	str	x1, [x28]
	call	hvc, PSCI_CPU_OFF
6:	b	6b

	puts_routine

	.ltorg
hello:	.asciz	"gdb guest: started\n"
x6_good: .asciz	"gdb guest: x6 is 0x77, from gdb\n"
x6_bad:	.asciz	"gdb guest: FAIL: x6 is not what gdb wrote\n"
data_good: .asciz "gdb guest: data is 0xfeedf00d, from gdb\n"
data_bad: .asciz "gdb guest: FAIL: data is not what gdb wrote\n"
bye:	.asciz	"gdb guest: released by gdb, both vCPUs done\n"

	.balign	8
	.globl	data
data:	.quad	0x12345678
	.globl	release
release: .quad	0
	.globl	done
done:	.quad	0
