/* An emulated Arm PrimeCell PL011 UART (ARM DDI 0183) for guests: its registers as an
 * MMIO device, a transmit FIFO that the shared host console drains one escaped,
 * prefixed line at a time (core/console.h), host console input into its receive FIFO,
 * and its combined interrupt line reported through a callback. What is simplified
 * relative to the TRM is listed at the top of core/pl011.c. */
#ifndef CORE_PL011_H
#define CORE_PL011_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/exit.h"
#include "core/console.h"
#include "core/mmio.h"
#include "hal/spinlock.h"

#define PL011_SIZE       0x1000 /* the device's MMIO window */
#define PL011_FIFO_DEPTH 16     /* each FIFO, as deep as QEMU's pl011 */
#define PL011_LINE_MAX   240    /* console characters (escapes included) in a line; a
				 * longer line is split, never inside an escape */
#define PL011_NAME_MAX   16     /* name in the output prefix, NUL included */
/* "[name] " with the name escaped, and a whole output line with its newline. */
#define PL011_PREFIX_MAX CONSOLE_PREFIX_MAX(PL011_NAME_MAX)
#define PL011_OUT_MAX    (PL011_PREFIX_MAX + PL011_LINE_MAX + 1)

/* Register offsets (TRM 3.2, Summary of registers). */
#define PL011_DR        0x000
#define PL011_RSR       0x004 /* RSR on read, ECR on write */
#define PL011_ECR       PL011_RSR
#define PL011_FR        0x018
#define PL011_ILPR      0x020
#define PL011_IBRD      0x024
#define PL011_FBRD      0x028
#define PL011_LCR_H     0x02C
#define PL011_CR        0x030
#define PL011_IFLS      0x034
#define PL011_IMSC      0x038
#define PL011_RIS       0x03C /* read-only */
#define PL011_MIS       0x040 /* read-only */
#define PL011_ICR       0x044 /* write-only */
#define PL011_DMACR     0x048
#define PL011_PERIPHID0 0xFE0 /* PeriphID0..3 at 0xFE0..0xFEC, read-only */
#define PL011_PCELLID0  0xFF0 /* PCellID0..3 at 0xFF0..0xFFC, read-only */

/* UARTFR, the flag register (TRM 3.3). */
#define PL011_FR_BUSY (1u << 3)
#define PL011_FR_RXFE (1u << 4)
#define PL011_FR_TXFF (1u << 5)
#define PL011_FR_RXFF (1u << 6)
#define PL011_FR_TXFE (1u << 7)

/* UARTLCR_H, the line control register (TRM 3.3). */
#define PL011_LCR_H_FEN (1u << 4)

/* UARTCR, the control register (TRM 3.3). */
#define PL011_CR_UARTEN (1u << 0)
#define PL011_CR_LBE    (1u << 7)
#define PL011_CR_TXE    (1u << 8)
#define PL011_CR_RXE    (1u << 9)

/* Interrupt bits, the same in UARTIMSC (..IM), UARTRIS (..RIS), UARTMIS (..MIS) and
 * UARTICR (..IC) (TRM 3.3). */
#define PL011_RXIM     (1u << 4)
#define PL011_TXIM     (1u << 5)
#define PL011_RTIM     (1u << 6)
#define PL011_INT_MASK 0x7FFu /* bits 10:0 */

/* Reset values (TRM 3.2) that are not zero. */
#define PL011_CR_RESET   (PL011_CR_TXE | PL011_CR_RXE)
#define PL011_IFLS_RESET 0x12u
#define PL011_FR_RESET   (PL011_FR_TXFE | PL011_FR_RXFE)

/* One UART. The caller owns the memory; every field is protected by lock. */
struct pl011 {
	struct spinlock lock;
	struct console_src src; /* its lines' place on the host console */
	char prefix[PL011_PREFIX_MAX];
	unsigned prefix_len;
	void (*irq)(void *ctx, bool level);
	void *irq_ctx;
	bool irq_level; /* the level last reported through irq */
	uint32_t ilpr, ibrd, fbrd, lcr_h, cr, ifls, imsc, dmacr;
	uint32_t ris_latched; /* TXRIS; RXRIS is computed from the FIFO */
	uint8_t rx_fifo[PL011_FIFO_DEPTH];
	unsigned rx_head, rx_count;
	uint64_t rx_dropped; /* bytes refused by pl011_receive on a full FIFO */
	/* Transmit: DR writes go into tx_fifo; the FIFO drains into line (escaped) until a
	 * line is complete, which then waits for the console. So the FIFO holds bytes
	 * only while a complete line waits (line_ready), and fills while the console does
	 * not keep up. */
	uint8_t tx_fifo[PL011_FIFO_DEPTH];
	unsigned tx_head, tx_count;
	bool line_ready;
	unsigned line_len;
	char line[PL011_LINE_MAX];
	uint64_t tx_full_reads; /* FR reads that returned TXFF: back-pressure the guest saw */
	uint64_t fr_shadow;     /* FR for the early exits (pl011_publish) */
	uint64_t tx_stalls;     /* DR writes refused (run again) on a full FIFO */
	uint64_t tx_lines;      /* lines handed to the console */
};

/* Reset u, which must not hold output (a new UART, or one after pl011_fini). name
 * (NULL for none; cut at PL011_NAME_MAX - 1 characters) prefixes every output line as
 * "[name] ", escaped as the line is. irq(irq_ctx, level) is called whenever the
 * combined interrupt (UARTMIS != 0) changes level; it runs with the device's lock held,
 * on whichever pCPU moved the UART's state (the console drains it from any), so it must
 * not access this device. irq may be NULL for a UART without an interrupt line. */
void pl011_init(struct pl011 *u, const char *name, void (*irq)(void *ctx, bool level),
                void *irq_ctx);

/* A reset of the device (a VM's reset): its registers and receive FIFO as at power-on,
 * the interrupt line low. What it has taken for output is still written out. */
void pl011_reset(struct pl011 *u);

/* The register interface; ctx is the struct pl011. -EINVAL (a bus error) for a width
 * other than 1, 2 or 4, an offset that is not a multiple of 4, or an offset past
 * PL011_SIZE; -EAGAIN for a DR write while the transmit FIFO is full: the byte is not
 * taken, and the guest's store is to be run again (it waits on the bus, as behind a
 * slow device), so that a guest that ignores UARTFR.TXFF loses nothing either. */
extern const struct mmio_ops pl011_ops;

/* A byte of console input for the guest. -ENOSPC when the receive FIFO is full: the
 * byte is dropped and counted in rx_dropped. */
int pl011_receive(struct pl011 *u, uint8_t byte);

/* How many bytes pl011_receive would take now (the receive FIFO's free room). A
 * console feeding the UART asks first and leaves the rest waiting. */
unsigned pl011_rx_room(struct pl011 *u);

/* Write out everything the UART holds, the partial line included, waiting for the
 * console (hal_console_write): at the end of a run, before its VM goes. */
void pl011_flush(struct pl011 *u);

/* pl011_flush, and take the UART off the console for good: the console never touches
 * it again, so that its memory (and its irq context) may go. */
void pl011_fini(struct pl011 *u);

#endif
