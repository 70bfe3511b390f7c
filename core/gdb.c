/* The gdb stub (gdb.h). Packets are parsed byte by byte into s->pkt, checked, acked and
 * handled one at a time; a handler that needs the VM stopped makes gdb_input stop
 * consuming until it is. Replies are built in s->out and sent whole. */
#include <stdarg.h>

#include "core/aspace.h"
#include "core/fmt.h"
#include "core/gdb.h"
#include "core/mem.h"
#include "core/vm.h"
#include "hal/err.h"
#include "hal/mm.h"

_Static_assert(VM_MAX_VCPUS_GDB == VM_MAX_VCPUS, "a queued stop for every vCPU");

#define VCPU_ANY (~0u)
#define SIGINT 2
#define SIGTRAP 5

/* ---- Hex and numbers -------------------------------------------------------------- */

static const char hexdigit[] = "0123456789abcdef";

/* A hex number at *p (at most 16 digits), *p moved past it; false if there is none or
 * it does not fit in 64 bits. */
static bool hexnum(const char **p, const char *end, uint64_t *out)
{
	uint64_t v = 0;
	unsigned n = 0;

	while (*p < end && fmt_hex_digit((uint8_t)**p) >= 0) {
		if (++n > 16)
			return false;
		v = v << 4 | (uint64_t)fmt_hex_digit((uint8_t)**p);
		(*p)++;
	}
	*out = v;
	return n > 0;
}

/* len bytes from 2*len hex digits; false on a bad digit. */
static bool unhex(const char *p, size_t len, uint8_t *out)
{
	for (size_t i = 0; i < len; i++) {
		int hi = fmt_hex_digit((uint8_t)p[2 * i]), lo = fmt_hex_digit((uint8_t)p[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return false;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

static bool starts(const char *p, const char *end, const char *lit)
{
	size_t n = td_strnlen(lit, GDB_PACKET_MAX);

	return (size_t)(end - p) >= n && td_strncmp(p, lit, n) == 0;
}

/* ---- Output ------------------------------------------------------------------------ */

struct reply {
	char buf[2 * GDB_PACKET_MAX + 1];
	size_t n;
	bool full;
};

static void r_bytes(struct reply *r, const void *data, size_t len)
{
	if (r->n + len > sizeof(r->buf) - 1) {
		r->full = true;
		return;
	}
	memcpy(r->buf + r->n, data, len);
	r->n += len;
}

static void r_str(struct reply *r, const char *str)
{
	r_bytes(r, str, td_strnlen(str, sizeof(r->buf)));
}

static void r_fmt(struct reply *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void r_fmt(struct reply *r, const char *fmt, ...)
{
	char tmp[128];
	va_list ap;

	va_start(ap, fmt);
	int n = fmt_vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n > 0)
		r_bytes(r, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

static void r_hex(struct reply *r, const uint8_t *data, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		char two[2] = { hexdigit[data[i] >> 4], hexdigit[data[i] & 15] };
		r_bytes(r, two, 2);
	}
}

/* Frame and send one packet: '$', the data with '#', '$', '}' and '*' escaped, '#', the
 * checksum. A client that is gone makes it a no-op. */
static void send_packet(struct gdb_stub *s, const char *data, size_t len)
{
	size_t n = 0;
	uint8_t sum = 0;

	s->out[n++] = '$';
	for (size_t i = 0; i < len; i++) {
		if (n + 5 >= sizeof(s->out)) { /* never a packet cut short: an error */
			send_packet(s, "E01", 3);
			return;
		}
		uint8_t c = (uint8_t)data[i];
		if (c == '#' || c == '$' || c == '}' || c == '*') {
			s->out[n++] = '}';
			sum = (uint8_t)(sum + '}');
			c ^= 0x20;
		}
		s->out[n++] = (char)c;
		sum = (uint8_t)(sum + c);
	}
	s->out[n++] = '#';
	s->out[n++] = hexdigit[sum >> 4];
	s->out[n++] = hexdigit[sum & 15];
	if (s->write)
		s->write(s->write_ctx, s->out, n);
}

static void send(struct gdb_stub *s, struct reply *r)
{
	if (r->full) /* never a truncated reply: an error instead */
		send_packet(s, "E01", 3);
	else
		send_packet(s, r->buf, r->n);
}

static void send_str(struct gdb_stub *s, const char *str)
{
	send_packet(s, str, td_strnlen(str, GDB_PACKET_MAX));
}

static void send_err(struct gdb_stub *s, int err)
{
	char e[4] = { 'E', hexdigit[(err >> 4) & 15], hexdigit[err & 15], 0 };

	send_str(s, e);
}

/* Console output for the client: 'O' packets (each at most half a packet of text). */
static void send_output(struct gdb_stub *s, const char *text, size_t len)
{
	while (len) {
		struct reply r = { .n = 0 };
		size_t n = len < GDB_PACKET_MAX / 2 - 8 ? len : GDB_PACKET_MAX / 2 - 8;
		r_str(&r, "O");
		r_hex(&r, (const uint8_t *)text, n);
		send(s, &r);
		text += n;
		len -= n;
	}
}

bool gdb_console_output(struct gdb_stub *s, const char *text, size_t len)
{
	if (!s->attached)
		return false;
	if (s->target == GDB_RUNNING && s->reply_owed)
		send_output(s, text, len);
	return true;
}

/* ---- The VM ------------------------------------------------------------------------ */

static struct vcpu *vcpu_of(struct gdb_stub *s, unsigned i)
{
	return i < s->vm->nvcpus ? &s->vm->vcpus[i] : NULL;
}

/* The thread a register or memory packet means: Hg's, else the one that stopped. */
static struct vcpu *g_vcpu(struct gdb_stub *s)
{
	return vcpu_of(s, s->g_vcpu == VCPU_ANY ? s->stop_vcpu : s->g_vcpu);
}

/* A thread id: 0 and -1 mean any / all (VCPU_ANY), n > 0 is vCPU n - 1. */
static bool thread_id(struct gdb_stub *s, const char **p, const char *end, unsigned *vcpu)
{
	uint64_t id;

	if (*p + 2 <= end && (*p)[0] == '-' && (*p)[1] == '1') {
		*p += 2;
		*vcpu = VCPU_ANY;
		return true;
	}
	if (!hexnum(p, end, &id))
		return false;
	if (id == 0) {
		*vcpu = VCPU_ANY;
		return true;
	}
	if (id > s->vm->nvcpus)
		return false;
	*vcpu = (unsigned)id - 1;
	return true;
}

static void stop_all(struct gdb_stub *s)
{
	for (unsigned i = 0; i < s->vm->nvcpus; i++)
		vm_vcpu_stop(s->vm, i);
	s->target = GDB_STOPPING;
}

static bool all_stopped(struct gdb_stub *s)
{
	for (unsigned i = 0; i < s->vm->nvcpus; i++)
		if (!vm_vcpu_stopped(s->vm, i))
			return false;
	return true;
}

/* The guest-physical memory the stage-1 walk reads its tables from. */
static int read_ipa(void *ctx, gpa_t ipa, void *buf, size_t len)
{
	return as_read(&((struct vm *)ctx)->as, ipa, buf, len);
}

/* Guest memory at virtual address va as vCPU v sees it, a page at a time (each page
 * translated on its own). -EFAULT for anything that does not translate or is not RAM. */
static int guest_mem(struct gdb_stub *s, struct vcpu *v, uint64_t va, uint8_t *buf, size_t len,
		     bool write)
{
	while (len) {
		size_t chunk = PAGE_SIZE - (va & (PAGE_SIZE - 1));
		gpa_t gpa;
		if (chunk > len)
			chunk = len;
		if (arch_vcpu_translate(&v->arch, gva_make(va), read_ipa, s->vm, &gpa))
			return -EFAULT;
		int err = write ? as_write(&s->vm->as, gpa, buf, chunk)
				: as_read(&s->vm->as, gpa, buf, chunk);
		if (err)
			return -EFAULT;
		va += chunk;
		buf += chunk;
		len -= chunk;
	}
	if (write)
		hal_icache_invalidate();
	return 0;
}

/* ---- Breakpoints --------------------------------------------------------------------- */

static struct gdb_breakpoint *bp_find(struct gdb_stub *s, uint64_t va)
{
	for (unsigned i = 0; i < GDB_MAX_BREAKPOINTS; i++)
		if (s->bp[i].used && s->bp[i].va == va)
			return &s->bp[i];
	return NULL;
}

/* Plant (through the vCPU gdb last named, whose translation gdb's addresses are in). */
/* A breakpoint of kind bytes (what gdb's Z0 asks: the instruction's size, so that a
 * 16-bit instruction is replaced by a 16-bit breakpoint), planted at va. */
static int bp_insert(struct gdb_stub *s, uint64_t va, unsigned kind)
{
	uint8_t brk[8];
	int size = arch_gdb_brk_insn(kind, brk);

	struct vcpu *v = g_vcpu(s);
	struct gdb_breakpoint *b = NULL;

	if (bp_find(s, va))
		return 0; /* gdb may insert one twice */
	for (unsigned i = 0; i < GDB_MAX_BREAKPOINTS && !b; i++)
		if (!s->bp[i].used)
			b = &s->bp[i];
	if (size <= 0 || (unsigned)size > sizeof(b->saved))
		return -EINVAL;
	if (!b || !v)
		return -ENOSPC;
	/* One instruction, in one page: translated once, read and written there. */
	gpa_t gpa;
	if ((va & ((uint64_t)size - 1)) ||
	    arch_vcpu_translate(&v->arch, gva_make(va), read_ipa, s->vm, &gpa) ||
	    as_read(&s->vm->as, gpa, b->saved, (size_t)size) ||
	    as_write(&s->vm->as, gpa, brk, (size_t)size))
		return -EFAULT;
	hal_icache_invalidate();
	spin_lock(&s->lock);
	b->va = va;
	b->gpa = gpa_bits(gpa);
	b->size = (uint8_t)size;
	b->used = true;
	spin_unlock(&s->lock);
	return 0;
}

static int bp_remove(struct gdb_stub *s, uint64_t va)
{
	struct gdb_breakpoint *b = bp_find(s, va);

	if (!b)
		return -ENOENT;
	int err = as_write(&s->vm->as, gpa_make(b->gpa), b->saved, b->size);
	hal_icache_invalidate();
	spin_lock(&s->lock);
	b->used = false;
	spin_unlock(&s->lock);
	return err;
}

static void bp_remove_all(struct gdb_stub *s)
{
	for (unsigned i = 0; i < GDB_MAX_BREAKPOINTS; i++)
		if (s->bp[i].used)
			bp_remove(s, s->bp[i].va);
}

/* ---- Stop replies and resuming --------------------------------------------------------- */

static void stop_reply(struct gdb_stub *s)
{
	struct reply r = { .n = 0 };

	r_fmt(&r, "T%02x", (s->stop_bp || s->stop_step) ? SIGTRAP : SIGINT);
	if (s->stop_bp)
		r_str(&r, "swbreak:;");
	r_fmt(&r, "thread:%x;", s->stop_vcpu + 1);
	/* gdb takes the stop's thread as current and sends no Hg for it (its remote.c
	 * records it so): register packets address that vCPU from now on. */
	s->g_vcpu = s->stop_vcpu;
	send(s, &r);
}

/* The next queued stop that still stands: a step, or a breakpoint still planted where
 * the vCPU stopped. */
static bool next_event(struct gdb_stub *s, struct gdb_event *out)
{
	bool found = false;

	spin_lock(&s->lock);
	while (s->nevents && !found) {
		struct gdb_event e = s->events[0];
		s->nevents--;
		for (unsigned i = 0; i < s->nevents; i++)
			s->events[i] = s->events[i + 1];
		if (e.step || bp_find(s, e.pc)) {
			*out = e;
			found = true;
		}
	}
	spin_unlock(&s->lock);
	return found;
}

/* Every vCPU stopped: attach them (again: a reset rebuilds a vCPU's debug state) and
 * owe the client its reply. */
static void now_stopped(struct gdb_stub *s)
{
	struct gdb_event e;

	s->target = GDB_STOPPED;
	for (unsigned i = 0; i < s->vm->nvcpus; i++) {
		arch_vcpu_debug_step(&s->vm->vcpus[i].arch, false);
		arch_vcpu_debug_attach(&s->vm->vcpus[i].arch, true);
	}
	s->stepping = 0;
	if (next_event(s, &e)) {
		s->stop_vcpu = e.vcpu;
		s->stop_step = e.step;
		s->stop_bp = !e.step;
	} else {
		s->stop_step = s->stop_bp = false;
	}
	if (s->reply_owed) {
		s->reply_owed = false;
		stop_reply(s);
	}
}

/* A resume with action[i] for vCPU i: 'c', 's', or 0 (stays stopped). */
static void resume(struct gdb_stub *s, const char *action)
{
	struct gdb_event e;

	/* Stops that happened together are reported one by one, before anything runs. */
	if (next_event(s, &e)) {
		s->stop_vcpu = e.vcpu;
		s->stop_step = e.step;
		s->stop_bp = !e.step;
		stop_reply(s);
		return;
	}
	s->reply_owed = true;
	s->interrupt = false;
	s->stepping = 0;
	bool any = false;
	for (unsigned i = 0; i < s->vm->nvcpus; i++) {
		if (action[i] == 's') {
			arch_vcpu_debug_step(&s->vm->vcpus[i].arch, true);
			s->stepping |= 1ull << i;
		}
	}
	for (unsigned i = 0; i < s->vm->nvcpus; i++) {
		if (!action[i])
			continue;
		/* A vCPU that is off runs nothing: its step is done at once. */
		if (action[i] == 's' && vcpu_power_state(&s->vm->vcpus[i]) == CPU_STATE_OFF) {
			spin_lock(&s->lock);
			if (s->nevents < VM_MAX_VCPUS_GDB)
				s->events[s->nevents++] =
					(struct gdb_event){ .vcpu = i, .step = true };
			spin_unlock(&s->lock);
			continue;
		}
		vm_vcpu_release(s->vm, i);
		any = true;
	}
	s->target = GDB_RUNNING;
	spin_lock(&s->lock);
	bool queued = s->nevents > 0;
	spin_unlock(&s->lock);
	if (!any || queued)
		stop_all(s);
}

/* 'c' / 's' [addr]: the Hc thread (or the stopped one) steps; every vCPU runs. */
static void simple_resume(struct gdb_stub *s, const char *p, const char *end, bool step)
{
	char action[VM_MAX_VCPUS];
	uint64_t addr;
	unsigned who = s->c_vcpu == VCPU_ANY ? s->stop_vcpu : s->c_vcpu;

	if (p < end && !hexnum(&p, end, &addr)) {
		send_err(s, EINVAL);
		return;
	}
	if (p < end && who < s->vm->nvcpus) /* "continue at addr" */
		s->vm->vcpus[who].arch.ctx.pc = addr;
	for (unsigned i = 0; i < VM_MAX_VCPUS; i++)
		action[i] = 'c';
	if (step && who < s->vm->nvcpus)
		action[who] = 's';
	resume(s, action);
}

/* vCont;ACTION[:TID];... : the first action that names a vCPU (or names none) is its. */
static void vcont(struct gdb_stub *s, const char *p, const char *end)
{
	char action[VM_MAX_VCPUS] = { 0 };

	while (p < end && *p == ';') {
		p++;
		if (p >= end) {
			send_err(s, EINVAL);
			return;
		}
		char a = *p++;
		uint64_t sig;
		if (a == 'C' || a == 'S') {
			if (!hexnum(&p, end, &sig)) { /* the signal is not the guest's: ignored */
				send_err(s, EINVAL);
				return;
			}
			a = (char)(a == 'C' ? 'c' : 's');
		} else if (a != 'c' && a != 's') {
			send_str(s, ""); /* 't', 'r': not offered by vCont? */
			return;
		}
		if (a == 's' && !ARCH_GDB_STEP) {
			send_str(s, ""); /* nor a step where the ISA has none */
			return;
		}
		unsigned who = VCPU_ANY;
		if (p < end && *p == ':') {
			p++;
			if (!thread_id(s, &p, end, &who)) {
				send_err(s, EINVAL);
				return;
			}
		}
		for (unsigned i = 0; i < s->vm->nvcpus; i++)
			if (!action[i] && (who == VCPU_ANY || who == i))
				action[i] = a;
	}
	if (p != end) {
		send_err(s, EINVAL);
		return;
	}
	resume(s, action);
}

/* ---- Registers ------------------------------------------------------------------------ */

static void read_regs(struct gdb_stub *s)
{
	struct vcpu *v = g_vcpu(s);
	struct reply r = { .n = 0 };
	uint8_t val[ARCH_GDB_REG_MAX];

	if (!v) {
		send_err(s, ESRCH);
		return;
	}
	for (unsigned i = 0; i < ARCH_GDB_NREGS; i++) {
		int n = arch_gdb_reg_read(&v->arch, i, val);
		if (n > 0)
			r_hex(&r, val, (size_t)n);
	}
	send(s, &r);
}

static void write_regs(struct gdb_stub *s, const char *p, const char *end)
{
	struct vcpu *v = g_vcpu(s);
	uint8_t val[ARCH_GDB_REG_MAX];

	if (!v) {
		send_err(s, ESRCH);
		return;
	}
	/* gdb may send fewer registers than there are: the rest keep their values. */
	for (unsigned i = 0; i < ARCH_GDB_NREGS && p < end; i++) {
		int n = arch_gdb_reg_size(i);
		if (n <= 0 || end - p < 2 * n || !unhex(p, (size_t)n, val)) {
			send_err(s, EINVAL);
			return;
		}
		arch_gdb_reg_write(&v->arch, i, val); /* a refused value keeps the old */
		p += 2 * n;
	}
	send_str(s, "OK");
}

static void read_reg(struct gdb_stub *s, const char *p, const char *end)
{
	struct vcpu *v = g_vcpu(s);
	uint8_t val[ARCH_GDB_REG_MAX];
	uint64_t n;
	struct reply r = { .n = 0 };

	if (!hexnum(&p, end, &n) || p != end || n >= ARCH_GDB_NREGS || !v) {
		send_err(s, EINVAL);
		return;
	}
	int size = arch_gdb_reg_read(&v->arch, (unsigned)n, val);
	if (size <= 0) {
		send_err(s, EINVAL);
		return;
	}
	r_hex(&r, val, (size_t)size);
	send(s, &r);
}

static void write_reg(struct gdb_stub *s, const char *p, const char *end)
{
	struct vcpu *v = g_vcpu(s);
	uint8_t val[ARCH_GDB_REG_MAX];
	uint64_t n;

	if (!hexnum(&p, end, &n) || p >= end || *p++ != '=' || n >= ARCH_GDB_NREGS || !v) {
		send_err(s, EINVAL);
		return;
	}
	int size = arch_gdb_reg_size((unsigned)n);
	if (size <= 0 || end - p != 2 * size || !unhex(p, (size_t)size, val) ||
	    arch_gdb_reg_write(&v->arch, (unsigned)n, val) < 0) {
		send_err(s, EINVAL);
		return;
	}
	send_str(s, "OK");
}

/* ---- Memory --------------------------------------------------------------------------- */

/* "ADDR,LEN" then sep; the length within what one packet can carry. */
static bool addr_len(const char **p, const char *end, char sep, uint64_t *addr, uint64_t *len)
{
	if (!hexnum(p, end, addr) || *p >= end || *(*p)++ != ',' || !hexnum(p, end, len))
		return false;
	if (sep) {
		if (*p >= end || **p != sep)
			return false;
		(*p)++;
	} else if (*p != end) {
		return false;
	}
	return *len <= (GDB_PACKET_MAX - 8) / 2 && *addr + *len >= *addr; /* no wrap at 2^64 */
}

static void read_mem(struct gdb_stub *s, const char *p, const char *end)
{
	uint64_t addr, len;
	uint8_t buf[GDB_PACKET_MAX / 2];
	struct reply r = { .n = 0 };
	struct vcpu *v = g_vcpu(s);

	if (!addr_len(&p, end, 0, &addr, &len) || !v) {
		send_err(s, EINVAL);
		return;
	}
	if (guest_mem(s, v, addr, buf, len, false)) {
		send_err(s, EFAULT);
		return;
	}
	/* Where a breakpoint is planted gdb sees what it replaced. */
	for (unsigned i = 0; i < GDB_MAX_BREAKPOINTS; i++) {
		const struct gdb_breakpoint *b = &s->bp[i];
		for (unsigned k = 0; b->used && k < b->size; k++)
			if (b->va + k - addr < len)
				buf[b->va + k - addr] = b->saved[k];
	}
	r_hex(&r, buf, len);
	send(s, &r);
}

/* 'M' (hex) or 'X' (binary, '}' escapes already undone by the parser's caller). */
static void write_mem(struct gdb_stub *s, const char *p, const char *end, bool binary)
{
	uint64_t addr, len;
	uint8_t buf[GDB_PACKET_MAX];
	struct vcpu *v = g_vcpu(s);

	if (!addr_len(&p, end, ':', &addr, &len) || !v) {
		send_err(s, EINVAL);
		return;
	}
	if (binary) {
		size_t n = 0;
		while (p < end && n < sizeof(buf)) {
			uint8_t c = (uint8_t)*p++;
			if (c == '}') {
				if (p >= end)
					break;
				c = (uint8_t)(*p++ ^ 0x20);
			}
			buf[n++] = c;
		}
		if (n != len || p != end) {
			send_err(s, EINVAL);
			return;
		}
	} else if ((uint64_t)(end - p) != 2 * len || !unhex(p, len, buf)) {
		send_err(s, EINVAL);
		return;
	}
	if (len && guest_mem(s, v, addr, buf, len, true)) {
		send_err(s, EFAULT);
		return;
	}
	send_str(s, "OK");
}

/* ---- Queries -------------------------------------------------------------------------- */

static void xfer_features(struct gdb_stub *s, const char *p, const char *end)
{
	uint64_t off, len;
	size_t total = td_strnlen(arch_gdb_target_xml, 1u << 20);
	struct reply r = { .n = 0 };

	if (!starts(p, end, "target.xml:")) {
		send_err(s, 0);
		return;
	}
	p += 11;
	if (!hexnum(&p, end, &off) || p >= end || *p++ != ',' || !hexnum(&p, end, &len) ||
	    p != end) {
		send_err(s, EINVAL);
		return;
	}
	if (len > GDB_PACKET_MAX - 16)
		len = GDB_PACKET_MAX - 16;
	if (off >= total) {
		send_str(s, "l");
		return;
	}
	size_t n = total - off < len ? total - (size_t)off : (size_t)len;
	r_str(&r, off + n >= total ? "l" : "m");
	r_bytes(&r, arch_gdb_target_xml + off, n);
	send(s, &r);
}

static void thread_info(struct gdb_stub *s)
{
	struct reply r = { .n = 0 };

	r_str(&r, "m");
	for (unsigned i = 0; i < s->vm->nvcpus; i++)
		r_fmt(&r, i ? ",%x" : "%x", i + 1);
	send(s, &r);
}

static unsigned vcpu_pcpu(struct vcpu *v, enum vcpu_state *state)
{
	spin_lock(&v->lock);
	unsigned where = v->pcpu;
	*state = v->state;
	spin_unlock(&v->lock);
	return where;
}

static void thread_extra(struct gdb_stub *s, const char *p, const char *end)
{
	unsigned i;
	char text[64];
	struct reply r = { .n = 0 };
	enum vcpu_state st;

	if (!thread_id(s, &p, end, &i) || i == VCPU_ANY || p != end) {
		send_err(s, EINVAL);
		return;
	}
	vcpu_pcpu(&s->vm->vcpus[i], &st);
	int n = fmt_snprintf(text, sizeof(text), "vCPU %u, %s", i,
			     vcpu_power_state(&s->vm->vcpus[i]) == CPU_STATE_OFF ? "off" : "on");
	r_hex(&r, (const uint8_t *)text, (size_t)n);
	send(s, &r);
}

/* qRcmd: gdb's "monitor" command. */
static void monitor(struct gdb_stub *s, const char *p, const char *end)
{
	char cmd[128];
	size_t n = (size_t)(end - p) / 2;
	char line[128];

	if ((size_t)(end - p) % 2 || n >= sizeof(cmd) || !unhex(p, n, (uint8_t *)cmd)) {
		send_err(s, EINVAL);
		return;
	}
	cmd[n] = 0;
	if (td_strcmp(cmd, "vcpus") == 0) {
		for (unsigned i = 0; i < s->vm->nvcpus; i++) {
			enum vcpu_state st;
			unsigned where = vcpu_pcpu(&s->vm->vcpus[i], &st);
			int k = where == VCPU_NO_PCPU
					? fmt_snprintf(line, sizeof(line),
						       "thread %u: vCPU %u %s, on no pCPU\n", i + 1,
						       i, vcpu_state_name(st))
					: fmt_snprintf(line, sizeof(line),
						       "thread %u: vCPU %u %s, on pCPU %u\n", i + 1,
						       i, vcpu_state_name(st), where);
			send_output(s, line, (size_t)k);
		}
	} else if (td_strcmp(cmd, "trace on") == 0 || td_strcmp(cmd, "trace off") == 0) {
		vm_set_trace(cmd[7] == 'n');
		int k = fmt_snprintf(line, sizeof(line), "exit trace %s\n", cmd + 6);
		send_output(s, line, (size_t)k);
	} else {
		static const char help[] = "monitor commands: vcpus | trace on | trace off\n";
		send_output(s, help, sizeof(help) - 1);
		if (td_strcmp(cmd, "help") != 0) {
			send_err(s, EINVAL);
			return;
		}
	}
	send_str(s, "OK");
}

/* ---- Attach, detach ------------------------------------------------------------------ */

static void attach(struct gdb_stub *s)
{
	s->attached = true;
	s->no_ack = false;
	s->g_vcpu = s->c_vcpu = VCPU_ANY;
	s->stop_vcpu = 0;
	s->stop_bp = s->stop_step = false;
	s->reply_owed = false;
	s->resets = __atomic_load_n(&s->vm->resets, __ATOMIC_RELAXED);
	__atomic_store_n(&s->vm->debugger, s, __ATOMIC_RELEASE);
	stop_all(s);
}

/* With every vCPU stopped: the guest as it was before the client came, running. */
static void detach(struct gdb_stub *s)
{
	bp_remove_all(s);
	spin_lock(&s->lock);
	s->nevents = 0;
	spin_unlock(&s->lock);
	for (unsigned i = 0; i < s->vm->nvcpus; i++)
		arch_vcpu_debug_attach(&s->vm->vcpus[i].arch, false);
	__atomic_store_n(&s->vm->debugger, NULL, __ATOMIC_RELEASE);
	s->attached = s->detaching = s->reply_owed = false;
	s->target = GDB_RUNNING;
	for (unsigned i = 0; i < s->vm->nvcpus; i++)
		vm_vcpu_release(s->vm, i);
}

/* ---- Packets -------------------------------------------------------------------------- */

/* The packets gdb opens a session with (qSupported first; '?' and '!' for older
 * clients): only they attach a client and stop the VM. */
static bool opens_session(const char *p, size_t len)
{
	return (len >= 10 && td_strncmp(p, "qSupported", 10) == 0) ||
	       (len == 1 && (p[0] == '?' || p[0] == '!'));
}

/* Whether a packet needs every vCPU stopped before it is handled. */
static bool needs_stopped(const char *p, size_t len)
{
	if (!len)
		return false;
	switch (p[0]) {
	case 'q':
	case 'Q':
	case 'H':
	case 'T':
	case 'k':
		return false;
	case 'v':
		return !(len >= 6 && td_strncmp(p, "vCont?", 6) == 0) &&
		       !(len >= 14 && td_strncmp(p, "vMustReplyEmpty", 14) == 0);
	default:
		return true;
	}
}


/* c [ADDR], s [ADDR], C SIG[;ADDR], S SIG[;ADDR]: the signal is not the guest's. */
static void resume_cmd(struct gdb_stub *s, const char *p, const char *end)
{
	bool step = p[0] == 's' || p[0] == 'S';
	const char *q = p + 1;
	uint64_t sig;

	if (p[0] == 'C' || p[0] == 'S') {
		if (!hexnum(&q, end, &sig) || (q < end && *q != ';')) {
			send_err(s, EINVAL);
			return;
		}
		if (q < end)
			q++;
	}
	simple_resume(s, q, end, step);
}
static void handle(struct gdb_stub *s, const char *p, size_t len)
{
	const char *end = p + len;
	unsigned who;
	uint64_t type, addr, kind;

	if (!len) {
		send_str(s, "");
		return;
	}
	switch (p[0]) {
	case '?':
		stop_reply(s);
		return;
	case 'g':
		read_regs(s);
		return;
	case 'G':
		write_regs(s, p + 1, end);
		return;
	case 'p':
		read_reg(s, p + 1, end);
		return;
	case 'P':
		write_reg(s, p + 1, end);
		return;
	case 'm':
		read_mem(s, p + 1, end);
		return;
	case 'M':
		write_mem(s, p + 1, end, false);
		return;
	case 'X':
		write_mem(s, p + 1, end, true);
		return;
	case 's':
	case 'S':
		if (!ARCH_GDB_STEP) { /* no step on this ISA: gdb steps by breakpoints */
			send_str(s, "");
			return;
		}
		resume_cmd(s, p, end);
		return;
	case 'c':
	case 'C':
		resume_cmd(s, p, end);
		return;
	case 'H': {
		const char *q = p + 2;
		if (len < 3 || (p[1] != 'g' && p[1] != 'c') || !thread_id(s, &q, end, &who) ||
		    q != end) {
			send_err(s, EINVAL);
			return;
		}
		*(p[1] == 'g' ? &s->g_vcpu : &s->c_vcpu) = who;
		send_str(s, "OK");
		return;
	}
	case 'T': {
		const char *q = p + 1;
		if (thread_id(s, &q, end, &who) && q == end && who != VCPU_ANY)
			send_str(s, "OK");
		else
			send_err(s, ESRCH);
		return;
	}
	case 'Z':
	case 'z': {
		const char *q = p + 1;
		if (!hexnum(&q, end, &type) || q >= end || *q++ != ',' ||
		    !hexnum(&q, end, &addr) || q >= end || *q++ != ',' ||
		    !hexnum(&q, end, &kind)) {
			send_err(s, EINVAL);
			return;
		}
		if (type != 0) { /* hardware breakpoints and watchpoints: not offered */
			send_str(s, "");
			return;
		}
		uint8_t brk[8];
		if (kind > 8 || arch_gdb_brk_insn((unsigned)kind, brk) < 0) {
			send_err(s, EINVAL);
			return;
		}
		int err = p[0] == 'Z' ? bp_insert(s, addr, (unsigned)kind) : bp_remove(s, addr);
		if (err == -ENOENT && p[0] == 'z')
			err = 0; /* removing one that is not there: done */
		if (err)
			send_err(s, err == -EFAULT ? EFAULT : ENOSPC);
		else
			send_str(s, "OK");
		return;
	}
	case 'D':
		send_str(s, "OK");
		detach(s);
		return;
	case 'k':
		vm_stop(s->vm, VM_STOP_REQUESTED);
		if (s->target == GDB_STOPPED)
			detach(s);
		else
			s->detaching = true;
		return;
	case 'v':
		if (starts(p, end, "vCont?"))
			send_str(s, ARCH_GDB_STEP ? "vCont;c;C;s;S" : "vCont;c;C");
		else if (starts(p, end, "vCont;"))
			vcont(s, p + 5, end);
		else
			send_str(s, "");
		return;
	case 'q':
		if (starts(p, end, "qSupported"))
			send_str(s, "PacketSize=1000;qXfer:features:read+;QStartNoAckMode+;"
				    "swbreak+;vContSupported+");
		else if (starts(p, end, "qXfer:features:read:"))
			xfer_features(s, p + 20, end);
		else if (starts(p, end, "qfThreadInfo"))
			thread_info(s);
		else if (starts(p, end, "qsThreadInfo"))
			send_str(s, "l");
		else if (starts(p, end, "qThreadExtraInfo,"))
			thread_extra(s, p + 17, end);
		else if (len == 2 && p[1] == 'C') {
			char qc[24];
			int n = fmt_snprintf(qc, sizeof(qc), "QC%x", s->stop_vcpu + 1);
			send_packet(s, qc, (size_t)n);
		} else if (starts(p, end, "qAttached"))
			send_str(s, "1");
		else if (starts(p, end, "qRcmd,"))
			monitor(s, p + 6, end);
		else
			send_str(s, "");
		return;
	case 'Q':
		if (starts(p, end, "QStartNoAckMode")) {
			send_str(s, "OK");
			s->no_ack = true;
		} else {
			send_str(s, "");
		}
		return;
	default:
		send_str(s, "");
		return;
	}
}

/* ---- Input ----------------------------------------------------------------------------- */

void gdb_init(struct gdb_stub *s, struct vm *vm, gdb_write_fn write, void *ctx)
{
	memset(s, 0, sizeof(*s));
	s->vm = vm;
	s->write = write;
	s->write_ctx = ctx;
	s->target = GDB_RUNNING;
	s->g_vcpu = s->c_vcpu = VCPU_ANY;
}

static void got_break(struct gdb_stub *s)
{
	if (!s->attached)
		return;
	if (s->target == GDB_RUNNING) {
		s->interrupt = true;
		stop_all(s);
	}
}

/* Parse and handle what buf holds: how many bytes were taken (fewer while a packet
 * waits for the VM to stop). */
static size_t consume(struct gdb_stub *s, const uint8_t *buf, size_t len)
{
	size_t i = 0;

	for (; i < len; i++) {
		uint8_t c = buf[i];
		switch (s->in) {
		case IN_IDLE:
			if (c == '$') {
				s->in = IN_DATA;
				s->len = 0;
				s->sum = 0;
				s->overflow = false;
			} else if (c == 0x03) {
				got_break(s);
			} /* '+', '-' and noise between packets: nothing to do */
			break;
		case IN_DATA:
			if (c == '#') {
				s->in = IN_SUM1;
			} else if (c == '$') { /* a new start: the old packet was cut short */
				s->len = 0;
				s->sum = 0;
				s->overflow = false;
			} else if (s->len < GDB_PACKET_MAX) {
				s->pkt[s->len++] = c;
				s->sum = (uint8_t)(s->sum + c);
			} else {
				s->overflow = true;
			}
			break;
		case IN_SUM1:
			if (fmt_hex_digit(c) < 0) {
				s->in = IN_IDLE;
				s->bad_packets++;
				break;
			}
			s->sum_got = (uint8_t)(fmt_hex_digit(c) << 4);
			s->in = IN_SUM2;
			break;
		case IN_SUM2: {
			int lo = fmt_hex_digit(c);
			bool ok = lo >= 0 && (uint8_t)(s->sum_got | lo) == s->sum && !s->overflow;
			if (!ok) {
				s->in = IN_IDLE;
				s->bad_packets++;
				if (!s->no_ack && s->write)
					s->write(s->write_ctx, "-", 1);
				break;
			}
			if (!s->attached && !opens_session((const char *)s->pkt, s->len)) {
				/* Not a client's first words: answered, nothing stopped (on a
				 * shared line a person may type a packet by chance). */
				s->in = IN_IDLE;
				s->packets++;
				if (s->write)
					s->write(s->write_ctx, "+$#00", 5);
				break;
			}
			if (!s->attached)
				attach(s);
			if (needs_stopped((const char *)s->pkt, s->len) &&
			    s->target != GDB_STOPPED) {
				/* Stay on this byte: it is consumed once the VM has stopped. */
				if (s->target == GDB_RUNNING && !s->reply_owed)
					stop_all(s);
				return i;
			}
			s->in = IN_IDLE;
			s->packets++;
			if (!s->no_ack && s->write)
				s->write(s->write_ctx, "+", 1);
			s->pkt[s->len] = 0;
			handle(s, (const char *)s->pkt, s->len);
			if (!s->attached)
				return i + 1; /* detached: a new session starts with new bytes */
			break;
		}
		}
	}
	return i;
}

size_t gdb_receive(struct gdb_stub *s, const uint8_t *buf, size_t len)
{
	size_t room = sizeof(s->rx) - s->rx_len;
	size_t n = len < room ? len : room;

	memcpy(s->rx + s->rx_len, buf, n);
	s->rx_len += n;
	gdb_poll(s);
	return n;
}

size_t gdb_rx_room(const struct gdb_stub *s)
{
	return sizeof(s->rx) - s->rx_len;
}

/* The stop that is under way, and what it leads to. */
static void progress(struct gdb_stub *s)
{
	if (!s->attached)
		return;
	uint64_t resets = __atomic_load_n(&s->vm->resets, __ATOMIC_RELAXED);
	if (resets != s->resets) {
		/* The VM was reset (PSCI SYSTEM_RESET): where its memory was loaded again a
		 * breakpoint is gone, and what it replaced is not what is there now, so
		 * taking it out would write the old over the new. Forget those (gdb plants
		 * its own again at its next resume); keep those still in place. The vCPUs
		 * were rebuilt too, and are attached again at the next stop. */
		for (unsigned i = 0; i < GDB_MAX_BREAKPOINTS; i++) {
			uint8_t insn[8], brk[8];
			struct gdb_breakpoint *b = &s->bp[i];
			if (!b->used)
				continue;
			if (arch_gdb_brk_insn(b->size, brk) == b->size &&
			    as_read(&s->vm->as, gpa_make(b->gpa), insn, b->size) == 0 &&
			    memcmp(insn, brk, b->size) == 0)
				continue;
			spin_lock(&s->lock);
			b->used = false;
			spin_unlock(&s->lock);
		}
		s->resets = resets;
	}
	if (s->target == GDB_RUNNING) {
		spin_lock(&s->lock);
		bool stops = s->nevents > 0;
		spin_unlock(&s->lock);
		if (stops || s->detaching)
			stop_all(s);
		else if (__atomic_load_n(&s->vm->state, __ATOMIC_ACQUIRE) == VM_STOPPED &&
			 s->reply_owed) {
			send_str(s, "W00"); /* the guest powered off: its process exited */
			s->reply_owed = false;
			stop_all(s);
		}
	}
	if (s->target == GDB_STOPPING && all_stopped(s)) {
		if (s->detaching) {
			s->target = GDB_STOPPED;
			detach(s);
			return;
		}
		now_stopped(s);
	}
}

void gdb_poll(struct gdb_stub *s)
{
	progress(s);
	while (s->rx_len) {
		size_t used = consume(s, s->rx, s->rx_len);
		memmove(s->rx, s->rx + used, s->rx_len - used);
		s->rx_len -= used;
		progress(s);
		/* Taken short: a packet waits for the VM to stop, unless it just did. */
		if (used == 0 && !(s->attached && s->target == GDB_STOPPED))
			break;
	}
}

void gdb_hangup(struct gdb_stub *s)
{
	if (!s->attached)
		return;
	s->in = IN_IDLE;
	s->rx_len = 0;
	s->reply_owed = false;
	if (s->target == GDB_STOPPED) {
		detach(s);
		return;
	}
	s->detaching = true;
	stop_all(s);
}

bool gdb_attached(const struct gdb_stub *s)
{
	return s->attached;
}

bool gdb_holds_vm(const struct gdb_stub *s)
{
	return s->attached && s->target != GDB_RUNNING;
}

/* ---- From the vCPUs -------------------------------------------------------------------- */

enum exit_outcome gdb_debug_exit(struct gdb_stub *s, struct vcpu *v, const struct vm_exit *e)
{
	uint64_t pc = gva_bits(e->u.debug.pc);
	enum exit_outcome out = EXIT_REINJECT;
	unsigned id = v->id;

	spin_lock(&s->lock);
	bool mine = e->u.debug.step ? arch_vcpu_stepping(&v->arch) : bp_find(s, pc) != NULL;
	if (mine && s->nevents < VM_MAX_VCPUS_GDB) {
		s->events[s->nevents++] = (struct gdb_event){ .vcpu = id, .step = e->u.debug.step,
							      .pc = pc };
		out = EXIT_RETRY;
	}
	spin_unlock(&s->lock);
	if (out == EXIT_RETRY) {
		if (e->u.debug.step)
			arch_vcpu_debug_step(&v->arch, false);
		vm_vcpu_stop(v->vm, id); /* held: off this pCPU once this exit is done */
		return out;
	}
	if (!e->u.debug.step) {
		/* No breakpoint of ours: is it still a breakpoint instruction? One removed
		 * since the vCPU hit it is simply run again. */
		uint8_t insn[ARCH_GDB_BRK_SIZE];
		if (guest_mem(s, v, pc, insn, sizeof(insn), false) == 0 && !arch_gdb_is_brk(insn))
			return EXIT_RETRY;
	}
	return EXIT_REINJECT;
}

/* ---- The shared line ------------------------------------------------------------------- */

/* What was held is not a packet after all: it goes to the console, and ch, which showed
 * it, is console input of its own (it may start a packet, or be a break). */
static size_t line_release(struct gdb_line *l, struct gdb_stub *s, uint8_t ch, uint8_t *out)
{
	size_t n = l->n;

	memcpy(out, l->held, n);
	l->state = 0;
	l->n = 0;
	return n + gdb_line_byte(l, s, ch, out + n);
}

/* The header of an 'X' packet is complete (held: "$Xaddr,len"): its data follows,
 * exactly len bytes once '}' escapes are undone. False if it is no such header. */
static bool line_x_header(struct gdb_line *l)
{
	const char *p = (const char *)l->held + 2, *end = (const char *)l->held + l->n;
	uint64_t addr, len;

	if (l->n < 2 || l->held[1] != 'X' || !hexnum(&p, end, &addr) || p >= end || *p++ != ',' ||
	    !hexnum(&p, end, &len) || p != end || len > GDB_PACKET_MAX)
		return false;
	l->x_left = len;
	l->x_escape = false;
	return true;
}

size_t gdb_line_byte(struct gdb_line *l, struct gdb_stub *s, uint8_t ch, uint8_t *out)
{
	bool room = l->n < sizeof(l->held) - 3; /* the '#' and two digits still fit */

	switch (l->state) {
	case 0:
		if (ch == '$') {
			l->held[0] = ch;
			l->n = 1;
			l->sum = 0;
			l->state = 1;
			return 0;
		}
		if ((ch == 0x03 || ch == '+' || ch == '-') && s->attached) {
			gdb_receive(s, &ch, 1);
			return 0;
		}
		if (ch == '+') { /* gdb's first byte when it connects, if a packet follows */
			l->held[0] = ch;
			l->n = 1;
			l->state = 5;
			return 0;
		}
		out[0] = ch;
		return 1;
	case 5:
		l->state = 0;
		l->n = 0;
		if (ch == '$')
			return gdb_line_byte(l, s, ch, out);
		out[0] = '+';
		return 1 + gdb_line_byte(l, s, ch, out + 1);
	case 1:
		if (ch == '#') {
			l->held[l->n++] = ch;
			l->state = 2;
			return 0;
		}
		if (ch == '$' || ch < 0x20 || ch > 0x7E || !room)
			return line_release(l, s, ch, out);
		if (ch == ':' && line_x_header(l))
			l->state = 4;
		l->held[l->n++] = ch;
		l->sum = (uint8_t)(l->sum + ch);
		return 0;
	case 4: /* binary data: '#' and '$' come escaped, every other byte as it is */
		if (!l->x_escape && !l->x_left && ch == '#') {
			l->held[l->n++] = ch;
			l->state = 2;
			return 0;
		}
		if ((!l->x_escape && (!l->x_left || ch == '#' || ch == '$')) || !room)
			return line_release(l, s, ch, out);
		if (l->x_escape || ch != '}')
			l->x_left--;
		l->x_escape = !l->x_escape && ch == '}';
		l->held[l->n++] = ch;
		l->sum = (uint8_t)(l->sum + ch);
		return 0;
	case 2:
		if (fmt_hex_digit(ch) < 0)
			return line_release(l, s, ch, out);
		l->held[l->n++] = ch;
		l->state = 3;
		return 0;
	default: {
		if (fmt_hex_digit(ch) < 0)
			return line_release(l, s, ch, out);
		l->held[l->n++] = ch;
		uint8_t got = (uint8_t)(fmt_hex_digit(l->held[l->n - 2]) << 4 | fmt_hex_digit(ch));
		size_t n = l->n;
		l->state = 0;
		l->n = 0;
		if (got == l->sum || s->attached) { /* a bad one: the stub asks for it again */
			gdb_receive(s, l->held, n);
			return 0;
		}
		memcpy(out, l->held, n);
		return n;
	}
	}
}
