/* Entry of the bare-metal image under OpenSBI (SBI v1.0): the boot hart comes to
 * _start in HS-mode with a0 = its hart id and a1 = the DTB's address; every other hart
 * waits in the HSM STOPPED state until cpu.c starts it at secondary_entry through HSM
 * hart_start, with a0 = its hart id and a1 = the opaque value, its pCPU index. Both
 * arrive with satp 0 (Bare) and sstatus.SIE clear; Tandem keeps SIE clear (hal/irq.h:
 * interrupts are polled after WFI) and leaves sscratch to the world switch.
 *
 * Not every firmware keeps the others out: Debian's OpenSBI v1.1 on QEMU now and then
 * lets a second hart into _start with the DTB, a while after the boot hart (about one
 * boot in a hundred with 2 harts). So _start is a lottery: the first hart boots, any
 * later one touches nothing (the .bss and stack 0 are the boot hart's) and stops itself
 * through HSM hart_stop, back to STOPPED, where cpu.c's hart_start finds it. */
#define STACK_SIZE 16384
#define MAX_PCPUS 8
#define SBI_EXT_HSM 0x48534D
#define SBI_HSM_HART_STOP 1

	.section .text.head, "ax"
	.globl _start
_start:
	csrw	sie, zero
	lla	t0, boot_claimed
	li	t1, 1
	amoswap.w.aqrl t1, t1, (t0)
	bnez	t1, stray_hart
	la	t0, bm_trap_host
	csrw	stvec, t0
	la	sp, stacks + STACK_SIZE
	/* Zero .bss (16-byte aligned by the linker script) once, on the boot hart, before
	 * any other runs. */
	la	t0, __bss_start
	la	t1, __bss_end
1:	bgeu	t0, t1, 2f
	sd	zero, 0(t0)
	addi	t0, t0, 8
	j	1b
2:	la	t0, bm_boot_hartid
	sd	a0, 0(t0)
	mv	a0, a1
	call	bm_primary_main
	j	park

	.text
	.globl secondary_entry
	.balign	4
secondary_entry:
	csrw	sie, zero
	li	t0, MAX_PCPUS
	bgeu	a1, t0, park
	la	t0, bm_trap_host
	csrw	stvec, t0
	la	sp, stacks
	li	t0, STACK_SIZE
	addi	t1, a1, 1
	mul	t1, t1, t0
	add	sp, sp, t1
	mv	a0, a1
	call	bm_secondary_main
park:
	wfi
	j	park

/* A hart the firmware let into _start after the boot hart: back to STOPPED. */
stray_hart:
	li	a7, SBI_EXT_HSM
	li	a6, SBI_HSM_HART_STOP
	ecall
	j	park			/* the stop failed: at least stay out of the way */

	.data
	.balign	4
boot_claimed:				/* not .bss: the boot hart clears that */
	.word	0

	.bss
	.balign	16
	.globl stacks
stacks:
	.space	STACK_SIZE * MAX_PCPUS
