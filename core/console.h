/* The host console as the guests' UARTs share it. A guest's bytes reach it only as
 * whole lines of its own, escaped (console_escape), and only through the HAL's output
 * queue, which never waits (hal_console_queue): a source (a UART) with a complete line
 * offers it; when the queue has no room the source waits in line, and the sources
 * waiting are served in turn, one line each, as room comes back (a software timer
 * retries). So a guest that floods its UART fills its own UART and delays only its own
 * lines; nothing on any vCPU's path ever waits for the console. */
#ifndef CORE_CONSOLE_H
#define CORE_CONSOLE_H

#include <stdbool.h>
#include <stdint.h>

#define CONSOLE_ESCAPE_MAX 4 /* "\xNN" */

/* How byte c shows on the console, in out; returns how many characters (1 .. 4). The
 * printable ASCII characters 0x20-0x7E and the tab stand for themselves, except the
 * backslash, which is doubled; every other byte is "\x" and two lower-case hex digits:
 * the C0 controls (ESC, BS, CR, ...), DEL, and every byte from 0x80, because terminals
 * act on the C1 controls and UTF-8 can reorder a line (U+202E). So a terminal is never
 * moved, erased or coloured by a guest, and the shown text decodes to the guest's bytes
 * unambiguously: a guest's "\x1b" shows as "\\x1b". A newline is not a character of a
 * line; callers end lines themselves. */
unsigned console_escape(uint8_t c, char out[CONSOLE_ESCAPE_MAX]);

/* ---- A UART's output line, shared by the emulated UARTs (pl011.c, uart16550.c) ------
 * Lines show as "[name] text\n": the prefix is the UART's name, escaped, cut at
 * name_max - 1 characters; the text is the guest's bytes escaped, CR dropped, a
 * newline ending it. */
#define CONSOLE_PREFIX_MAX(name_max) (3 + ((name_max) - 1) * CONSOLE_ESCAPE_MAX)

/* "[name] " into out (room for CONSOLE_PREFIX_MAX(name_max)); its length. */
unsigned console_prefix(char *out, const char *name, unsigned name_max);

/* Byte c onto the line text[0, *len) of at most max characters: false, and nothing
 * taken, if its escaped form does not fit (the line is complete, and c starts the next
 * one); else true, with *ready set when c was the newline that ends the line. */
bool console_line_put(char *text, unsigned *len, unsigned max, uint8_t c, bool *ready);

/* prefix, text and a newline into out; the length. */
unsigned console_line_format(char *out, const char *prefix, unsigned prefix_len,
			     const char *text, unsigned len);

enum console_send {
	CONSOLE_SENT,      /* a line went out, and the source has no other complete one */
	CONSOLE_SENT_MORE, /* a line went out, and another is complete */
	CONSOLE_FULL,      /* the queue refused the line: the source keeps it */
};

/* A source of lines. Its owner embeds it and keeps it alive until console_close. */
struct console_src {
	/* Hand the source's oldest complete line to hal_console_queue. Called with the
	 * console's lock held, on any pCPU: it may take its own lock (and raise its
	 * interrupt line) but must never wait or call back into the console. A source
	 * with no complete line returns CONSOLE_SENT. */
	enum console_send (*send)(struct console_src *src);
	struct console_src *next; /* in the wait list */
	bool waiting;             /* in the wait list */
	bool closed;              /* console_close: offers are ignored */
};

void console_src_init(struct console_src *src, enum console_send (*send)(struct console_src *src));

/* src has a complete line: it is sent at once if no other source waits and the queue
 * has room, else src waits in line. Never waits itself. A closed source is ignored. */
void console_offer(struct console_src *src);

/* Serve the waiting sources now, in turn, as far as the queue has room; what the
 * retry timer does. For tests and fuzzers that drive a UART without timers. */
void console_pump(void);

/* src goes away: out of the wait list for good, so the console never calls it again. */
void console_close(struct console_src *src);

/* Sources waiting for room in the queue (a snapshot). */
unsigned console_waiting(void);

#endif
