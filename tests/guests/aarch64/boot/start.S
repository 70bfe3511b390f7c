/* The boot-protocol test guest's entry: an arm64 Image header (Documentation/arch/
 * arm64/booting.rst) so that Tandem places it as a kernel, the boot CPU's checks of the
 * registers the protocol fixes, a stack per CPU, and the secondaries' entry for PSCI
 * CPU_ON. Everything else is boot.c. */
	.section .text.boot, "ax"
	.global _start
_start:
	b	primary			/* code0: branch over the header */
	.long	0			/* code1 */
	.quad	0x80000			/* text_offset */
	.quad	__image_size		/* image_size: from the linker script */
	.quad	0xA			/* flags: little-endian, 4 KiB pages, 2 MiB base */
	.quad	0, 0, 0			/* res2-res4 */
	.ascii	"ARM\x64"		/* magic */
	.long	0			/* res5 */

primary:
	/* x0 = the DTB; x1-x3 must be zero: keep them for boot.c to check. */
	mov	x19, x0
	mov	x20, x1
	mov	x21, x2
	mov	x22, x3
	ldr	x9, =vectors
	msr	vbar_el1, x9
	isb
	ldr	x9, =stacks + 4096
	mov	sp, x9
	mov	x0, x19
	mov	x1, x20
	mov	x2, x21
	mov	x3, x22
	mrs	x4, CurrentEL
	mrs	x5, DAIF
	mrs	x6, SCTLR_EL1
	bl	boot_main
1:	wfi
	b	1b

	/* PSCI CPU_ON's entry: x0 = the context id, which boot.c makes the CPU's index. */
	.global secondary_entry
secondary_entry:
	ldr	x9, =vectors
	msr	vbar_el1, x9
	isb
	ldr	x9, =stacks + 4096
	add	x10, x0, #1
	lsl	x10, x10, #12
	add	x9, x9, x10
	mov	sp, x9
	bl	secondary_main
1:	wfi
	b	1b

	/* Any exception is a failure: boot.c reports it with ESR and ELR. */
	.balign	2048
vectors:
	.rept	16
	.balign	128
	mrs	x0, ESR_EL1
	mrs	x1, ELR_EL1
	b	unexpected_exception
	.endr

	.section .bss
	.balign	16
stacks:	.space	4096 * 17
