/* The SBI v2.0 decoder and completion (sbi.h). One handler per extension, found
 * through a table by EID; each checks its function ID and arguments in the order the
 * specification lists the errors. Pure: no VM, no HAL. */
#include "arch/riscv64/sbi.h"

#include "hal/err.h"

typedef void (*sbi_ext_fn)(const uint64_t a[8], unsigned nharts, struct sbi_call *c);

static void done(struct sbi_call *c, int64_t error, uint64_t value)
{
	c->op = SBI_OP_DONE;
	c->error = error;
	c->value = value;
}

static void unsupported(struct sbi_call *c)
{
	done(c, SBI_ERR_NOT_SUPPORTED, 0);
}

/* A parameter the spec declares uint32_t (hart_suspend's type, system_reset's type and
 * reason): chapter 3, "In case the data is defined as 32bit wide, higher privilege
 * software must ensure that it only uses 32 bit data". The upper half of the register
 * is not looked at, so a caller that zero-extends (Linux's unsigned long arguments) and
 * one that sign-extends (the psABI's rule for 32-bit values) mean the same type. */
static uint32_t arg32(uint64_t r)
{
	return (uint32_t)r;
}

/* A hart mask and its base (chapter 3, "Hart list parameter"): base ~0 means every
 * hart (the mask is ignored); else hart base + i for every bit i set. false if one of
 * them is no hart of the VM (SBI_ERR_INVALID_PARAM). */
static bool hart_mask(uint64_t mask, uint64_t base, unsigned nharts, uint64_t *harts)
{
	uint64_t all = nharts >= 64 ? ~0ull : (1ull << nharts) - 1;

	if (base == ~0ull) {
		*harts = all;
		return true;
	}
	*harts = 0;
	for (unsigned i = 0; i < 64; i++) {
		if (!(mask & (1ull << i)))
			continue;
		if (base >= nharts || i >= nharts - base)
			return false;
		*harts |= 1ull << (base + i);
	}
	return true;
}

/* Whether [start, start + size) runs past the top of the 64-bit space; a range that
 * ends exactly at 2^64 (the last page of the upper half) does not. */
static bool range_wraps(uint64_t start, uint64_t size)
{
	return size != 0 && size - 1 > ~0ull - start;
}

/* ---- BASE (chapter 4) ---------------------------------------------------------------- */

static bool present(uint64_t eid)
{
	switch (eid) {
	case SBI_EXT_LEGACY_PUTCHAR:
	case SBI_EXT_LEGACY_GETCHAR:
	case SBI_EXT_BASE:
	case SBI_EXT_TIME:
	case SBI_EXT_IPI:
	case SBI_EXT_RFENCE:
	case SBI_EXT_HSM:
	case SBI_EXT_SRST:
	case SBI_EXT_DBCN: return true;
	default: return false;
	}
}

static void ext_base(const uint64_t a[8], unsigned nharts, struct sbi_call *c)
{
	(void)nharts;
	switch (c->fid) {
	case 0: done(c, SBI_SUCCESS, SBI_SPEC_VERSION); return;
	case 1: done(c, SBI_SUCCESS, SBI_IMPL_ID_TANDEM); return;
	case 2: done(c, SBI_SUCCESS, SBI_IMPL_VERSION); return;
	case 3: done(c, SBI_SUCCESS, present(a[0]) ? 1 : 0); return;
	case 4:
	case 5:
	case 6: done(c, SBI_SUCCESS, 0); return; /* mvendorid, marchid, mimpid */
	default: unsupported(c); return;
	}
}

/* ---- TIME (chapter 6) ------------------------------------------------------------------ */

static void ext_time(const uint64_t a[8], unsigned nharts, struct sbi_call *c)
{
	(void)nharts;
	if (c->fid != 0) {
		unsupported(c);
		return;
	}
	c->op = SBI_OP_SET_TIMER;
	c->stime = a[0];
}

/* ---- IPI (chapter 7) -------------------------------------------------------------------- */

static void ext_ipi(const uint64_t a[8], unsigned nharts, struct sbi_call *c)
{
	if (c->fid != 0) {
		unsupported(c);
		return;
	}
	if (!hart_mask(a[0], a[1], nharts, &c->harts)) {
		done(c, SBI_ERR_INVALID_PARAM, 0);
		return;
	}
	c->op = SBI_OP_SEND_IPI;
}

/* ---- RFENCE (chapter 8): the guest's own fences; the hypervisor fences (3-6) are for a
 * supervisor with the H extension, which a guest of Tandem has not ("not implemented or
 * one of the target hart doesn't support hypervisor extension": NOT_SUPPORTED). A range
 * with start and size 0, or size 2^XLEN-1, is the whole address space; one that wraps
 * past 2^64 is not an address range (SBI_ERR_INVALID_ADDRESS); a size of 0 with a
 * non-zero start is an empty range, passed on as it is (a fence of more than asked is
 * allowed). The harts are checked first: a call wrong in both is INVALID_PARAM. ------- */

static void ext_rfence(const uint64_t a[8], unsigned nharts, struct sbi_call *c)
{
	if (c->fid > 2) {
		unsupported(c);
		return;
	}
	if (!hart_mask(a[0], a[1], nharts, &c->harts)) {
		done(c, SBI_ERR_INVALID_PARAM, 0);
		return;
	}
	c->op = SBI_OP_RFENCE;
	c->fence = c->fid == 0 ? SBI_FENCE_I : c->fid == 1 ? SBI_FENCE_VMA : SBI_FENCE_VMA_ASID;
	if (c->fid == 0)
		return;
	c->start = a[2];
	c->size = a[3];
	c->all = c->size == ~0ull || (c->start == 0 && c->size == 0);
	if (!c->all && range_wraps(c->start, c->size)) {
		done(c, SBI_ERR_INVALID_ADDRESS, 0);
		return;
	}
	if (c->fid == 2) {
		/* An ASID wider than vsatp's 16 bits names no address space. */
		if (a[4] > 0xFFFF) {
			done(c, SBI_ERR_INVALID_PARAM, 0);
			return;
		}
		c->asid = (uint16_t)a[4];
	}
}

/* ---- HSM (chapter 9) -------------------------------------------------------------------- */

/* hart_suspend's type (HSM Hart Suspend Types): the two defaults are implemented; the
 * reserved ranges and the platform-specific ones Tandem does not implement are
 * SBI_ERR_INVALID_PARAM ("reserved or platform-specific and unimplemented"). */
static void hart_suspend(const uint64_t a[8], struct sbi_call *c)
{
	uint32_t type = arg32(a[0]);

	if (type != SBI_SUSPEND_RETENTIVE && type != SBI_SUSPEND_NON_RETENTIVE) {
		done(c, SBI_ERR_INVALID_PARAM, 0);
		return;
	}
	c->op = SBI_OP_HART_SUSPEND;
	c->retentive = type == SBI_SUSPEND_RETENTIVE;
	c->type = type;
	if (c->retentive)
		return; /* "resume_addr is unused during retentive suspend" */
	c->addr = a[1];
	c->opaque = a[2];
}

static void ext_hsm(const uint64_t a[8], unsigned nharts, struct sbi_call *c)
{
	switch (c->fid) {
	case 0: /* hart_start(hartid, start_addr, opaque) */
	case 2: /* hart_get_status(hartid) */
		if (a[0] >= nharts) {
			done(c, SBI_ERR_INVALID_PARAM, 0);
			return;
		}
		c->hart = a[0];
		if (c->fid == 2) {
			c->op = SBI_OP_HART_STATUS;
			return;
		}
		c->op = SBI_OP_HART_START;
		c->addr = a[1];
		c->opaque = a[2];
		return;
	case 1: c->op = SBI_OP_HART_STOP; return;
	case 3: hart_suspend(a, c); return;
	default: unsupported(c); return;
	}
}

/* ---- SRST (chapter 10): types 0-2 and reasons 0-1 are defined; the reserved ranges and
 * the implementation- and vendor-specific ones Tandem does not implement are
 * SBI_ERR_INVALID_PARAM. ----------------------------------------------------------------- */

static void ext_srst(const uint64_t a[8], unsigned nharts, struct sbi_call *c)
{
	uint32_t type = arg32(a[0]), reason = arg32(a[1]);

	(void)nharts;
	if (c->fid != 0) {
		unsupported(c);
		return;
	}
	if (type > SBI_RESET_WARM || reason > SBI_RESET_REASON_FAILURE) {
		done(c, SBI_ERR_INVALID_PARAM, 0);
		return;
	}
	c->op = SBI_OP_SYSTEM_RESET;
	c->type = type;
	c->reason = reason;
}

/* ---- DBCN (chapter 12): buffers are physical addresses, base_addr_lo | base_addr_hi <<
 * XLEN; on RV64 a non-zero high part lies past the 64-bit address space
 * (SBI_ERR_INVALID_PARAM), as does a buffer that wraps. --------------------------------- */

static void ext_dbcn(const uint64_t a[8], unsigned nharts, struct sbi_call *c)
{
	(void)nharts;
	switch (c->fid) {
	case 0:
	case 1:
		if (a[2] != 0 || range_wraps(a[1], a[0])) {
			done(c, SBI_ERR_INVALID_PARAM, 0);
			return;
		}
		c->op = c->fid == 0 ? SBI_OP_CONSOLE_WRITE : SBI_OP_CONSOLE_READ;
		c->len = a[0];
		c->gpa = a[1];
		return;
	case 2:
		c->op = SBI_OP_CONSOLE_BYTE;
		c->byte = (uint8_t)a[0];
		return;
	default: unsupported(c); return;
	}
}

/* ---- Legacy extensions (chapter 5): only console_putchar (EID 0x01) and
 * console_getchar (0x02); a0 alone is the result. ------------------------------------------- */

static void ext_legacy(const uint64_t a[8], unsigned nharts, struct sbi_call *c)
{
	(void)nharts;
	c->legacy = true;
	if (c->eid == SBI_EXT_LEGACY_PUTCHAR) {
		c->op = SBI_OP_CONSOLE_BYTE;
		c->byte = (uint8_t)a[0];
	} else if (c->eid == SBI_EXT_LEGACY_GETCHAR) {
		c->op = SBI_OP_CONSOLE_GETCHAR;
	} else {
		unsupported(c);
	}
}

static const struct {
	uint32_t eid;
	sbi_ext_fn fn;
} extensions[] = {
    {SBI_EXT_BASE, ext_base},     {SBI_EXT_TIME, ext_time}, {SBI_EXT_IPI, ext_ipi},
    {SBI_EXT_RFENCE, ext_rfence}, {SBI_EXT_HSM, ext_hsm},   {SBI_EXT_SRST, ext_srst},
    {SBI_EXT_DBCN, ext_dbcn},
};

/* EIDs and FIDs are signed 32-bit values (chapter 3): a register that is not the sign
 * extension of its low half names none. */
static bool id32(uint64_t r, uint32_t *id)
{
	*id = (uint32_t)r;
	return (uint64_t)(int64_t)(int32_t)*id == r;
}

void sbi_decode(const uint64_t a[8], unsigned nharts, struct sbi_call *out)
{
	*out = (struct sbi_call){.op = SBI_OP_DONE};
	nharts = nharts > SBI_MAX_HARTS ? SBI_MAX_HARTS : nharts;
	if (!id32(a[7], &out->eid)) {
		unsupported(out);
		return;
	}
	if (out->eid <= SBI_EXT_LEGACY_LAST) {
		ext_legacy(a, nharts, out);
		return;
	}
	if (!id32(a[6], &out->fid)) {
		unsupported(out);
		return;
	}
	for (unsigned i = 0; i < sizeof(extensions) / sizeof(extensions[0]); i++) {
		if (extensions[i].eid == out->eid) {
			extensions[i].fn(a, nharts, out);
			return;
		}
	}
	unsupported(out);
}

/* hart_start (HSM Hart Start Errors): SUCCESS only from STOPPED; a hart already on, or
 * one whose start is pending, is "already started" (ALREADY_AVAILABLE); core's "no such
 * vCPU" is an invalid hartid; an entry that is not executable RAM of the VM is an
 * invalid start_addr; anything else failed for unknown reasons. */
static int64_t start_result(int64_t ret)
{
	switch (ret) {
	case 0: return SBI_SUCCESS;
	case -EALREADY:
	case -EBUSY: return SBI_ERR_ALREADY_AVAILABLE;
	case -ENOENT: return SBI_ERR_INVALID_PARAM;
	case -EFAULT: return SBI_ERR_INVALID_ADDRESS;
	default: return SBI_ERR_FAILED;
	}
}

/* hart_get_status (HSM Hart Get Status Errors, HSM Hart States): core's on (0), off (1)
 * and on-pending (2) are SBI's STARTED, STOPPED and START_PENDING; a negative result
 * (no such vCPU) is an invalid hartid, the one error the function has. A state core
 * does not define gets the same answer rather than a value the guest cannot read. */
static int64_t status_result(int64_t ret, uint64_t *value)
{
	if (ret < 0 || ret > SBI_HSM_START_PENDING)
		return SBI_ERR_INVALID_PARAM;
	*value = (uint64_t)ret;
	return SBI_SUCCESS;
}

/* DBCN (Debug Console Write/Read Errors): value is the bytes done (at most the length
 * asked); a non-blocking write or read that took nothing now did 0 bytes (-EAGAIN); a
 * buffer outside the VM's RAM does not meet the shared-memory range requirements
 * (INVALID_PARAM); with no console, writes and reads are not allowed (DENIED); any
 * other error is an I/O error (FAILED). */
static int64_t console_result(const struct sbi_call *c, int64_t ret, uint64_t *value)
{
	if (ret >= 0) {
		*value = (uint64_t)ret < c->len ? (uint64_t)ret : c->len;
		return SBI_SUCCESS;
	}
	switch (ret) {
	case -EAGAIN: return SBI_SUCCESS;
	case -EFAULT: return SBI_ERR_INVALID_PARAM;
	case -ENODEV: return SBI_ERR_DENIED;
	default: return SBI_ERR_FAILED;
	}
}

/* console_write_byte (Debug Console Write Byte Errors): value 0; no console is DENIED,
 * an I/O error FAILED. The legacy console_putchar (EID 0x01) throws the character away
 * when there is no console ("if the console doesn't exist at all, then the character
 * is thrown away"): 0; its other failures are a negative a0, SBI_ERR_FAILED. */
static int64_t byte_result(const struct sbi_call *c, int64_t ret)
{
	if (ret >= 0 || ret == -EAGAIN)
		return SBI_SUCCESS;
	if (ret == -ENODEV)
		return c->legacy ? SBI_SUCCESS : SBI_ERR_DENIED;
	return SBI_ERR_FAILED;
}

/* The ops that need no value: 0 or core's error, as the function's table lists it.
 * send_ipi (IPI Send Errors): -EINVAL a hart that is no longer valid (INVALID_PARAM).
 * hart_suspend (HSM Hart Suspend Errors): -EFAULT a resume_addr that is not executable
 * RAM (INVALID_ADDRESS), -EOPNOTSUPP a type core cannot do now (NOT_SUPPORTED).
 * hart_stop (HSM Hart Stop Errors) returns only when core refused: FAILED.
 * system_reset (SRST System Reset Errors) returns only when core refused: -EOPNOTSUPP a
 * type the platform lacks what it needs for (NOT_SUPPORTED), else FAILED.
 * set_timer and the remote fences: any error is FAILED. */
static int64_t plain_result(enum sbi_op op, int64_t ret)
{
	if (ret == 0 && op != SBI_OP_HART_STOP && op != SBI_OP_SYSTEM_RESET)
		return SBI_SUCCESS;
	if (op == SBI_OP_SEND_IPI && ret == -EINVAL)
		return SBI_ERR_INVALID_PARAM;
	if (op == SBI_OP_HART_SUSPEND && ret == -EFAULT)
		return SBI_ERR_INVALID_ADDRESS;
	if ((op == SBI_OP_HART_SUSPEND || op == SBI_OP_SYSTEM_RESET) && ret == -EOPNOTSUPP)
		return SBI_ERR_NOT_SUPPORTED;
	return SBI_ERR_FAILED;
}

void sbi_finish(const struct sbi_call *c, int64_t core_ret, uint64_t *a0, uint64_t *a1,
                bool *write_a1)
{
	int64_t error;
	uint64_t value = 0;

	switch (c->op) {
	case SBI_OP_DONE:
		error = c->error;
		value = c->value;
		break;
	case SBI_OP_HART_START: error = start_result(core_ret); break;
	case SBI_OP_HART_STATUS: error = status_result(core_ret, &value); break;
	case SBI_OP_CONSOLE_WRITE:
	case SBI_OP_CONSOLE_READ: error = console_result(c, core_ret, &value); break;
	case SBI_OP_CONSOLE_BYTE: error = byte_result(c, core_ret); break;
	/* console_getchar (5.3): "the byte on success, or -1 for failure"; core's result is
	 * the byte, or an error (none waiting, no console). */
	case SBI_OP_CONSOLE_GETCHAR: error = core_ret >= 0 ? core_ret & 0xFF : -1; break;
	default: error = plain_result(c->op, core_ret); break;
	}
	*a0 = (uint64_t)error;
	*a1 = value;
	*write_a1 = !c->legacy;
}
