/* The gdb stub: gdb's remote serial protocol (the GDB manual, appendix E "Remote
 * Serial Protocol") for one VM, host- and ISA-neutral. Each vCPU is a thread (ids from
 * 1); the target is all-stop: when gdb stops the VM, or a vCPU hits a breakpoint or
 * finishes a step, every vCPU of the VM is held off its pCPU (vm_vcpu_stop) wherever
 * it is scheduled, and a continue releases them. Guest memory is read and written by
 * guest-virtual address, through the vCPU's stage-1 translation (walked in software,
 * arch_vcpu_translate) and then the VM's stage-2 (as_read / as_write): an address that
 * does not translate gets an error reply. Breakpoints are breakpoint instructions
 * written into guest memory; the ISA routes them (and single steps) to Tandem only
 * while a client is attached (arch_vcpu_debug_attach), and gives the guest back one
 * the stub did not plant.
 *
 * Threads: the stub's state is the poller's (one pCPU at a time calls gdb_input and
 * gdb_poll); vCPUs report their breakpoints and steps from any pCPU through
 * gdb_debug_exit, under the stub's lock, which comes after a vCPU's (they call it in
 * their exit handling). Nothing here waits: a packet that needs the VM stopped waits in
 * the input until it is (gdb_input consumes no further), because the pCPU that polls
 * may be the one a vCPU must leave first.
 *
 * Bad input of any kind (a packet too long, a bad checksum, a bad number, an address
 * outside the guest) gets an error reply, a nack or the empty reply; never a fault of
 * the host. */
#ifndef CORE_GDB_H
#define CORE_GDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch/exit.h"
#include "hal/spinlock.h"

#define GDB_PACKET_MAX 4096 /* the PacketSize offered: a 'g' reply with every register fits */
#define GDB_MAX_BREAKPOINTS 64
#define VM_MAX_VCPUS_GDB 16 /* VM_MAX_VCPUS: a vCPU has at most one stop queued */

struct vm;
struct vcpu;

/* Where replies go: write len bytes, 0 or a negative error (the client is gone). */
typedef int (*gdb_write_fn)(void *ctx, const void *buf, size_t len);

enum gdb_target { GDB_RUNNING, GDB_STOPPING, GDB_STOPPED };

struct gdb_breakpoint {
	uint64_t va;  /* where gdb asked for it */
	uint64_t gpa; /* where that was when it was planted: where it is taken out again,
		       * whichever vCPU gdb names then and whatever the guest's tables say */
	uint8_t saved[8]; /* the instruction bytes it replaced */
	uint8_t size;     /* how many: the breakpoint instruction's */
	bool used;
};

struct gdb_event {
	unsigned vcpu;
	bool step;
	uint64_t pc;
};

struct gdb_stub {
	struct vm *vm;
	gdb_write_fn write;
	void *write_ctx;

	/* The input parser. */
	enum { IN_IDLE, IN_DATA, IN_SUM1, IN_SUM2 } in;
	uint8_t sum, sum_got;
	size_t len;
	bool overflow;
	uint8_t pkt[GDB_PACKET_MAX + 1];

	/* The session. */
	bool attached;     /* a client spoke: every vCPU traps its debug exceptions */
	bool no_ack;       /* QStartNoAckMode */
	bool detaching;    /* the client went while the VM ran: detach once it stopped */
	enum gdb_target target;
	bool reply_owed;   /* a resume's stop reply is still to be sent */
	bool interrupt;    /* 0x03 while running */
	unsigned g_vcpu, c_vcpu; /* Hg, Hc (vCPU index; VCPU_ANY: whichever) */
	unsigned stop_vcpu;
	bool stop_step, stop_bp;
	uint64_t stepping; /* vCPUs single-stepped by the last resume */
	uint64_t resets;   /* the VM's resets when last looked at */
	struct gdb_breakpoint bp[GDB_MAX_BREAKPOINTS];

	/* From the vCPUs, under lock. */
	struct spinlock lock;
	struct gdb_event events[VM_MAX_VCPUS_GDB];
	unsigned nevents;

	uint8_t rx[GDB_PACKET_MAX + 64]; /* received, not handled yet */
	size_t rx_len;
	char out[2 * GDB_PACKET_MAX + 8];
	uint64_t packets, bad_packets;
};

/* A stub for vm, its replies through write(ctx, ...). No client is attached yet: the
 * VM runs undisturbed until the first packet arrives. */
void gdb_init(struct gdb_stub *s, struct vm *vm, gdb_write_fn write, void *ctx);

/* Bytes from the client, into the stub's input buffer and handled as far as they can
 * be: returns how many it took (fewer than len once the buffer is full: a packet waits
 * there for the VM to stop; give the rest again after a gdb_poll). gdb_rx_room: how
 * many it would take now. */
size_t gdb_receive(struct gdb_stub *s, const uint8_t *buf, size_t len);
size_t gdb_rx_room(const struct gdb_stub *s);

/* Progress: vCPUs that stopped, breakpoints hit, a stop reply owed, buffered input. */
void gdb_poll(struct gdb_stub *s);

/* The client went without a detach (its connection dropped): breakpoints removed, the
 * VM runs on as if it had detached (once every vCPU has stopped; gdb_poll finishes
 * it). */
void gdb_hangup(struct gdb_stub *s);

/* Whether a client is attached (a session from its first packet to D, k or hangup),
 * and whether it holds the VM stopped. */
bool gdb_attached(const struct gdb_stub *s);
bool gdb_holds_vm(const struct gdb_stub *s);

/* A debug exit of a vCPU of the stub's VM (EXIT_DEBUG), on that vCPU's pCPU: the
 * outcome. A breakpoint the stub planted, or the step it asked for, stops the vCPU
 * there (EXIT_RETRY: it is held, its PC on the breakpoint or the next instruction) and
 * queues the stop for the poller; a breakpoint instruction that is no longer there
 * (removed meanwhile) is run again (EXIT_RETRY); any other goes back to the guest
 * (EXIT_REINJECT). */
enum exit_outcome gdb_debug_exit(struct gdb_stub *s, struct vcpu *v, const struct vm_exit *e);

/* Console output while the line is shared with the client: false (not taken) unless a
 * client is attached. Attached, it is sent as 'O' packets while the VM runs with the
 * client waiting for a stop, and dropped while the client holds the VM stopped (gdb
 * reads no output then). Called by whoever owns the line (the poller's pCPU). */
bool gdb_console_output(struct gdb_stub *s, const char *text, size_t len);

/* ---- The line, shared with a console (bare metal: one UART) --------------------------
 * A filter over the console's input: bytes that are not a complete gdb packet with a
 * valid checksum go on to the console; a packet goes to the stub. 0x03 (a break), '+'
 * and '-' go to the stub only while a client is attached, and so does a packet with a
 * bad checksum (the stub asks for it again). A "packet" is held until it is complete
 * or plainly is not one: gdb sends printable ASCII only, except in the data of an 'X'
 * packet, which holds exactly the length its header says; so a byte outside 0x20-0x7E
 * (Return, Ctrl-C, an escape sequence) ends what a person typed after a '$' and it all
 * goes to the console, in order. A '+' while no client is attached waits for the next
 * byte: gdb sends one as it connects, right before its first packet, and that one is
 * dropped; any other goes to the console with the byte after it. */
struct gdb_line {
	uint8_t held[GDB_PACKET_MAX + 8];
	size_t n;
	unsigned state; /* 0: console; 1: in a packet; 2, 3: its checksum digits; 4: an 'X'
			 * packet's data; 5: a '+' held */
	uint8_t sum;
	uint64_t x_left; /* state 4: data bytes still to come */
	bool x_escape;   /* state 4: the last byte was '}' */
};

/* Feed one byte of console input: the bytes now due to the console are put in out
 * (at most sizeof(held) + 1) and counted in the return value; a packet, or a break
 * while attached, goes to the stub, whose input must have room for sizeof(held) bytes
 * (gdb_rx_room): the caller reads no further until it has. */
size_t gdb_line_byte(struct gdb_line *l, struct gdb_stub *s, uint8_t ch, uint8_t *out);

#endif
