/* An emulated NS16550A UART (the 16550 data sheet) for riscv64 guests, as QEMU's riscv
 * `virt` board has its console: byte registers at offsets 0-7 (reg-shift 0) of a 0x100
 * window. Its transmitter hands escaped, prefixed lines to the shared host console
 * (core/console.h) as the PL011 does, console input goes into its receive FIFO, and its
 * interrupt output is reported through a callback. The firmware console (SBI DBCN) uses
 * the same byte streams through uart16550_console_write and uart16550_console_read.
 * What is simplified relative to the data sheet is listed at the top of
 * core/uart16550.c. Host-neutral: nothing here depends on the ISA. */
#ifndef CORE_UART16550_H
#define CORE_UART16550_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch/exit.h"
#include "core/console.h"
#include "core/mmio.h"
#include "hal/spinlock.h"

#define UART16550_SIZE       0x100 /* the MMIO window (QEMU virt's reg size) */
#define UART16550_NREGS      8     /* byte registers at offsets 0-7 */
#define UART16550_FIFO_DEPTH 16    /* each FIFO with FCR.FIFOE set; 1 byte without */
#define UART16550_LINE_MAX   240   /* console characters (escapes included) in a line */
#define UART16550_NAME_MAX   16    /* name in the output prefix, NUL included */
#define UART16550_PREFIX_MAX CONSOLE_PREFIX_MAX(UART16550_NAME_MAX)
#define UART16550_OUT_MAX    (UART16550_PREFIX_MAX + UART16550_LINE_MAX + 1)

/* Register offsets (data sheet, Table 2: register summary); DLAB is LCR bit 7. */
#define UART16550_RBR 0 /* read, DLAB 0 */
#define UART16550_THR 0 /* write, DLAB 0 */
#define UART16550_DLL 0 /* DLAB 1 */
#define UART16550_IER 1 /* DLAB 0 */
#define UART16550_DLM 1 /* DLAB 1 */
#define UART16550_IIR 2 /* read */
#define UART16550_FCR 2 /* write */
#define UART16550_LCR 3
#define UART16550_MCR 4
#define UART16550_LSR 5
#define UART16550_MSR 6
#define UART16550_SCR 7

/* IER: interrupt enables (bits 7:4 are zero on a 16550). */
#define UART16550_IER_ERBFI 0x01u /* received data available (and character timeout) */
#define UART16550_IER_ETBEI 0x02u /* transmitter holding register empty */
#define UART16550_IER_ELSI  0x04u /* receiver line status */
#define UART16550_IER_EDSSI 0x08u /* modem status */
#define UART16550_IER_MASK  0x0Fu

/* IIR: bit 0 clear while an interrupt is pending, bits 3:1 its identity, bits 7:6 set
 * while the FIFOs are enabled (data sheet, Table 4: interrupt control functions). */
#define UART16550_IIR_NONE  0x01u
#define UART16550_IIR_RLS   0x06u /* receiver line status: priority 1 */
#define UART16550_IIR_RDA   0x04u /* received data available: priority 2 */
#define UART16550_IIR_CTI   0x0Cu /* character timeout: priority 2 */
#define UART16550_IIR_THRI  0x02u /* THR empty: priority 3 */
#define UART16550_IIR_MSI   0x00u /* modem status: priority 4 */
#define UART16550_IIR_FIFOS 0xC0u

/* FCR (write-only). RFR and XFR clear their FIFO and are not kept; the trigger level
 * (bits 7:6) is 1, 4, 8 or 14 bytes. */
#define UART16550_FCR_FIFOE   0x01u
#define UART16550_FCR_RFR     0x02u
#define UART16550_FCR_XFR     0x04u
#define UART16550_FCR_DMA     0x08u
#define UART16550_FCR_TRIGGER 0xC0u

#define UART16550_LCR_DLAB 0x80u

/* MCR (bits 7:5 are zero on a 16550). */
#define UART16550_MCR_DTR  0x01u
#define UART16550_MCR_RTS  0x02u
#define UART16550_MCR_OUT1 0x04u
#define UART16550_MCR_OUT2 0x08u
#define UART16550_MCR_LOOP 0x10u
#define UART16550_MCR_MASK 0x1Fu

/* LSR. PE, FE, BI and the FIFO error bit 7 are never set: there is no wire. */
#define UART16550_LSR_DR   0x01u
#define UART16550_LSR_OE   0x02u
#define UART16550_LSR_THRE 0x20u
#define UART16550_LSR_TEMT 0x40u

/* MSR: bits 3:0 record changes since the last MSR read, bits 7:4 are the inputs. */
#define UART16550_MSR_DCTS 0x01u
#define UART16550_MSR_DDSR 0x02u
#define UART16550_MSR_TERI 0x04u
#define UART16550_MSR_DDCD 0x08u
#define UART16550_MSR_CTS  0x10u
#define UART16550_MSR_DSR  0x20u
#define UART16550_MSR_RI   0x40u
#define UART16550_MSR_DCD  0x80u
/* The inputs outside loopback, as QEMU reports them: a terminal that is there and
 * ready (CTS, DSR and DCD asserted, no ring). */
#define UART16550_MSR_IDLE (UART16550_MSR_CTS | UART16550_MSR_DSR | UART16550_MSR_DCD)

/* One UART. The caller owns the memory; every field is protected by lock. */
struct uart16550 {
	struct spinlock lock;
	struct console_src src; /* its lines' place on the host console */
	char prefix[UART16550_PREFIX_MAX];
	unsigned prefix_len;
	void (*irq)(void *ctx, bool level);
	void *irq_ctx;
	bool irq_level; /* the level last reported through irq */
	uint8_t ier, fcr, lcr, mcr, scr, dll, dlm;
	uint8_t lsr_oe;       /* LSR.OE: an overrun since the last LSR read */
	uint8_t msr_delta;    /* MSR bits 3:0 */
	bool thre_ipending;   /* the THR-empty interrupt's latch */
	uint8_t rx_fifo[UART16550_FIFO_DEPTH];
	unsigned rx_head, rx_count;
	uint64_t rx_dropped;  /* bytes lost at the receiver: overruns, input in loopback */
	/* Transmit, as the PL011's: THR writes go into tx_fifo, which drains into line
	 * (escaped) until a line is complete; a complete line waits for the console, and
	 * the FIFO fills behind it while the console does not keep up. */
	uint8_t tx_fifo[UART16550_FIFO_DEPTH];
	unsigned tx_head, tx_count;
	bool line_ready;
	unsigned line_len;
	char line[UART16550_LINE_MAX];
	uint64_t tx_full_reads; /* LSR reads with the transmit FIFO full */
	uint64_t lsr_shadow;    /* LSR for the early exits (uart16550_publish) */
	uint64_t tx_stalls;     /* THR writes refused (run again) on a full FIFO */
	uint64_t tx_lines;      /* lines handed to the console */
	uint64_t tx_discarded;  /* bytes an FCR transmit-FIFO reset threw away */
};

/* Reset u, which must not hold output (a new UART, or one after uart16550_fini). name
 * (NULL for none; cut at UART16550_NAME_MAX - 1 characters) prefixes every output line
 * as "[name] ". irq(irq_ctx, level) is called whenever the interrupt output (IIR bit 0
 * clear) changes level, with the device's lock held, so it must not access this device;
 * irq may be NULL. */
void uart16550_init(struct uart16550 *u, const char *name, void (*irq)(void *ctx, bool level),
		    void *irq_ctx);

/* A reset of the device (a VM's reset): registers and receive FIFO as at power-on, the
 * interrupt output low. What it has taken for output is still written out. */
void uart16550_reset(struct uart16550 *u);

/* The register interface; ctx is the struct uart16550. -EINVAL (an access fault) for any
 * width but 1 or an offset past 7; -EAGAIN for a THR write while the transmit FIFO is
 * full: the byte is not taken and the guest's store is to be run again. */
extern const struct mmio_ops uart16550_ops;

/* A byte of console input for the guest: -ENOSPC when the receiver is full (the byte is
 * lost and LSR.OE set, as an overrun), -EBUSY in loopback (the receiver hears only the
 * transmitter: the byte is lost); both counted in rx_dropped. */
int uart16550_receive(struct uart16550 *u, uint8_t byte);

/* How many bytes uart16550_receive would take now: the receiver's free room (its FIFO's,
 * or the one holding register's without FCR.FIFOE), 0 in loopback. A console feeding
 * the UART asks first and leaves the rest waiting, as a terminal's flow control would. */
unsigned uart16550_rx_room(struct uart16550 *u);

/* The firmware console (SBI DBCN): buf's bytes as if written to THR (the same lines,
 * the same back-pressure), whatever DLAB and loopback say; how many it took (0 when the
 * transmit FIFO is full). Never waits. -EINVAL for a NULL buf with n > 0. */
int uart16550_console_write(struct uart16550 *u, const uint8_t *buf, size_t n);

/* Up to n bytes from the receive FIFO as RBR reads would take them (interrupt and LSR
 * updated), whatever DLAB says; how many. -EINVAL for a NULL buf with n > 0. */
int uart16550_console_read(struct uart16550 *u, uint8_t *buf, size_t n);

/* Write out everything the UART holds, the partial line included, waiting for the
 * console (hal_console_write): at the end of a run, before its VM goes. */
void uart16550_flush(struct uart16550 *u);

/* uart16550_flush, and take the UART off the console for good. */
void uart16550_fini(struct uart16550 *u);

#endif
