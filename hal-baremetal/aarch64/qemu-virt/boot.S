/* Entry of the bare-metal image. The file starts with the Linux arm64 Image header
 * (Documentation/arch/arm64/booting.rst), so QEMU's -kernel and U-Boot's booti load it at
 * RAM base + text_offset and pass the DTB's physical address in x0. pCPU 0 comes here;
 * the others come to secondary_entry through PSCI CPU_ON with their index in x0. */
#define STACK_SIZE 16384
#define MAX_PCPUS 8

	.section .text.head, "ax"
	.globl _start
_start:
	b	primary_entry		/* code0 */
	.long	0			/* code1 */
	.quad	0x80000			/* text_offset: loaded at RAM base + 512 KiB */
	.quad	__image_end - _start	/* image_size */
	.quad	0x2			/* flags: little-endian, 4K pages, as low in RAM as possible */
	.quad	0, 0, 0			/* res2-res4 */
	.ascii	"ARM\x64"		/* magic */
	.long	0			/* res5 */

	.text
primary_entry:
	mov	x19, x0			/* the DTB */
	mrs	x1, CurrentEL
	cmp	x1, #(2 << 2)
	b.ne	not_el2
	msr	daifset, #0xf
	adrp	x1, stacks
	add	x1, x1, :lo12:stacks
	add	x1, x1, #STACK_SIZE
	mov	sp, x1
	adrp	x1, el2_vectors
	add	x1, x1, :lo12:el2_vectors
	msr	vbar_el2, x1
	isb
	/* Zero .bss (8-byte aligned by the linker script). */
	adrp	x1, __bss_start
	add	x1, x1, :lo12:__bss_start
	adrp	x2, __bss_end
	add	x2, x2, :lo12:__bss_end
1:	cmp	x1, x2
	b.hs	2f
	str	xzr, [x1], #8
	b	1b
2:	mov	x0, x19
	bl	bm_primary_main
	b	park

/* PSCI CPU_ON lands here at EL2 with the MMU off; x0 = the pCPU index. */
	.globl secondary_entry
secondary_entry:
	msr	daifset, #0xf
	cmp	x0, #MAX_PCPUS
	b.hs	park
	adrp	x1, stacks
	add	x1, x1, :lo12:stacks
	mov	x2, #STACK_SIZE
	madd	x1, x0, x2, x1
	add	x1, x1, x2
	mov	sp, x1
	adrp	x1, el2_vectors
	add	x1, x1, :lo12:el2_vectors
	msr	vbar_el2, x1
	isb
	bl	bm_secondary_main
park:
	wfe
	b	park

/* Entered at EL1 or EL3: say so on QEMU virt's PL011 (0x09000000) and stop. */
not_el2:
	adr	x1, not_el2_msg
	mov	x2, #0x09000000
3:	ldrb	w3, [x1], #1
	cbz	w3, park
4:	ldr	w4, [x2, #0x18]		/* UARTFR */
	tbnz	w4, #5, 4b		/* TXFF */
	str	w3, [x2]		/* UARTDR */
	b	3b
not_el2_msg:
	.asciz	"Tandem: entered below/above EL2 (run QEMU with -M virt,virtualization=on); stopping\r\n"

	.bss
	.balign	16
	.globl stacks
stacks:
	.space	STACK_SIZE * MAX_PCPUS
