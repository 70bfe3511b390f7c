/* The SBI v2.0 decoder and completion (arch/riscv64/sbi.c), table-driven. One table of
 * guest calls {a0..a7, nharts} -> {op or DONE, error, value, the decoded arguments}:
 * every extension, every function, every error the specification lists for it. One
 * table of core results -> {a0, a1} for every op. Expected values are read from the
 * SBI v2.0 text (Binary Encoding, BASE, Legacy, TIME, IPI, RFENCE, HSM, SRST, DBCN
 * chapters) and worked out by hand, not taken from the code. */
#include <check.h>
#include <stdint.h>

#include "arch/riscv64/sbi.h"
#include "hal/err.h"
#include "tests/check_main.h"

#define ALL (~0ull)
#define BASE SBI_EXT_BASE
#define TIME SBI_EXT_TIME
#define IPI SBI_EXT_IPI
#define RF SBI_EXT_RFENCE
#define HSM SBI_EXT_HSM
#define SRST SBI_EXT_SRST
#define DBCN SBI_EXT_DBCN
#define NACL 0x4E41434Cull
#define STA 0x535441ull
#define CPPC 0x43505043ull

/* Results answered by the decoder alone. */
#define OK(v) { .op = SBI_OP_DONE, .error = SBI_SUCCESS, .value = (v) }
#define ERR(e) { .op = SBI_OP_DONE, .error = (e) }
#define NOSUP ERR(SBI_ERR_NOT_SUPPORTED)
#define INVAL ERR(SBI_ERR_INVALID_PARAM)
#define BADADDR ERR(SBI_ERR_INVALID_ADDRESS)
#define LEGACY_NOSUP { .op = SBI_OP_DONE, .error = SBI_ERR_NOT_SUPPORTED, .legacy = true }

/* What is left to do, with the arguments as decoded. */
#define IPI_TO(h) { .op = SBI_OP_SEND_IPI, .harts = (h) }
#define FENCE_I(h) { .op = SBI_OP_RFENCE, .harts = (h), .fence = SBI_FENCE_I }
#define SFENCE(h, s, n, whole) \
	{ .op = SBI_OP_RFENCE, .harts = (h), .fence = SBI_FENCE_VMA, .start = (s), .size = (n), \
	  .all = (whole) }
#define SFENCE_ASID(h, s, n, whole, id) \
	{ .op = SBI_OP_RFENCE, .harts = (h), .fence = SBI_FENCE_VMA_ASID, .start = (s), \
	  .size = (n), .all = (whole), .asid = (id) }
#define START(h, pc, arg) { .op = SBI_OP_HART_START, .hart = (h), .addr = (pc), .opaque = (arg) }
#define STATUS(h) { .op = SBI_OP_HART_STATUS, .hart = (h) }
#define SUSPEND_RET { .op = SBI_OP_HART_SUSPEND, .retentive = true, .type = 0 }
#define SUSPEND_NONRET(pc, arg) \
	{ .op = SBI_OP_HART_SUSPEND, .type = 0x80000000u, .addr = (pc), .opaque = (arg) }
#define RESET(t, r) { .op = SBI_OP_SYSTEM_RESET, .type = (t), .reason = (r) }
#define WRITE(p, n) { .op = SBI_OP_CONSOLE_WRITE, .gpa = (p), .len = (n) }
#define READ(p, n) { .op = SBI_OP_CONSOLE_READ, .gpa = (p), .len = (n) }
#define BYTE(b) { .op = SBI_OP_CONSOLE_BYTE, .byte = (b) }
#define PUTCHAR(b) { .op = SBI_OP_CONSOLE_BYTE, .byte = (b), .legacy = true }
#define GETCHAR { .op = SBI_OP_CONSOLE_GETCHAR, .legacy = true }

struct row {
	const char *what;
	uint64_t eid, fid;    /* a7, a6 */
	uint64_t a[6];        /* a0..a5 */
	unsigned nharts;      /* 0: a VM of 4 harts */
	struct sbi_call want; /* eid and fid are not compared */
};

static const struct row rows[] = {
	/* BASE: spec version (minor in 23:0, major in 30:24), the ID and version Tandem
	 * documents, probe (1 present, 0 absent), the machine IDs (0 is always legal). */
	{ "get_spec_version: 2.0", BASE, 0, { 0 }, 0, OK(2u << 24) },
	{ "get_impl_id: 'TAND'", BASE, 1, { 0 }, 0, OK(0x54414E44) },
	{ "get_impl_version: 0.1.0", BASE, 2, { 0 }, 0, OK(0x000100) },
	{ "probe BASE", BASE, 3, { BASE }, 0, OK(1) },
	{ "probe TIME", BASE, 3, { TIME }, 0, OK(1) },
	{ "probe IPI", BASE, 3, { IPI }, 0, OK(1) },
	{ "probe RFENCE", BASE, 3, { RF }, 0, OK(1) },
	{ "probe HSM", BASE, 3, { HSM }, 0, OK(1) },
	{ "probe SRST", BASE, 3, { SRST }, 0, OK(1) },
	{ "probe DBCN", BASE, 3, { DBCN }, 0, OK(1) },
	{ "probe legacy console_putchar", BASE, 3, { 0x01 }, 0, OK(1) },
	{ "probe legacy set_timer: absent", BASE, 3, { 0x00 }, 0, OK(0) },
	{ "probe legacy console_getchar", BASE, 3, { 0x02 }, 0, OK(1) },
	{ "probe legacy shutdown: absent", BASE, 3, { 0x08 }, 0, OK(0) },
	{ "probe legacy reserved 0x0F: absent", BASE, 3, { 0x0F }, 0, OK(0) },
	{ "probe PMU: absent", BASE, 3, { SBI_EXT_PMU }, 0, OK(0) },
	{ "probe SUSP: absent", BASE, 3, { SBI_EXT_SUSP }, 0, OK(0) },
	{ "probe NACL: absent", BASE, 3, { NACL }, 0, OK(0) },
	{ "probe vendor 0x09000000: absent", BASE, 3, { 0x09000000 }, 0, OK(0) },
	{ "probe HSM with bit 32 set: absent", BASE, 3, { HSM | 1ull << 32 }, 0, OK(0) },
	{ "probe -1: absent", BASE, 3, { ALL }, 0, OK(0) },
	{ "get_mvendorid", BASE, 4, { 0 }, 0, OK(0) },
	{ "get_marchid", BASE, 5, { 0 }, 0, OK(0) },
	{ "get_mimpid", BASE, 6, { 0 }, 0, OK(0) },
	{ "BASE fid 7", BASE, 7, { 0 }, 0, NOSUP },
	{ "BASE fid -1", BASE, ALL, { 0 }, 0, NOSUP },
	{ "BASE fid 0x80000000, sign-extended", BASE, 0xFFFFFFFF80000000ull, { 0 }, 0, NOSUP },
	{ "BASE fid 0 with bit 32 set: no FID", BASE, 1ull << 32, { 0 }, 0, NOSUP },
	{ "BASE fid 1 with bit 33 set: no FID", BASE, 1ull << 33 | 1, { 0 }, 0, NOSUP },

	/* TIME: set_timer(stime_value), any 64-bit value (~0: no timer in practice). */
	{ "set_timer", TIME, 0, { 12345 }, 0, { .op = SBI_OP_SET_TIMER, .stime = 12345 } },
	{ "set_timer -1", TIME, 0, { ALL }, 0, { .op = SBI_OP_SET_TIMER, .stime = ALL } },
	{ "TIME fid 1", TIME, 1, { 0 }, 0, NOSUP },
	{ "TIME fid -1", TIME, ALL, { 0 }, 0, NOSUP },

	/* IPI: hart_mask, hart_mask_base (-1: every hart, the mask ignored). A hart id
	 * constructed from them that is no hart of the VM: INVALID_PARAM. An empty mask
	 * constructs none: SUCCESS, nobody interrupted. */
	{ "send_ipi harts 1,2", IPI, 0, { 0x3, 1 }, 0, IPI_TO(0x6) },
	{ "send_ipi harts 1,3", IPI, 0, { 0x5, 1 }, 0, IPI_TO(0xA) },
	{ "send_ipi harts 0,3", IPI, 0, { 0x9, 0 }, 0, IPI_TO(0x9) },
	{ "send_ipi all (mask ignored)", IPI, 0, { 0x1234, ALL }, 0, IPI_TO(0xF) },
	{ "send_ipi all of 1", IPI, 0, { 0, ALL }, 1, IPI_TO(0x1) },
	{ "send_ipi all of 16", IPI, 0, { 0, ALL }, 16, IPI_TO(0xFFFF) },
	{ "send_ipi empty mask", IPI, 0, { 0, 0 }, 0, IPI_TO(0) },
	{ "send_ipi empty mask, base past the harts", IPI, 0, { 0, 1000 }, 0, IPI_TO(0) },
	{ "send_ipi hart 4 of 4 (base)", IPI, 0, { 0x1, 4 }, 0, INVAL },
	{ "send_ipi hart 4 of 4 (mask)", IPI, 0, { 0x10, 0 }, 0, INVAL },
	{ "send_ipi harts 3,4 of 4", IPI, 0, { 0x3, 3 }, 0, INVAL },
	{ "send_ipi mask bit 63", IPI, 0, { 1ull << 63, 0 }, 0, INVAL },
	{ "send_ipi every bit", IPI, 0, { ALL, 0 }, 0, INVAL },
	{ "send_ipi base + bit wraps to hart -1", IPI, 0, { 0x2, ALL - 1 }, 0, INVAL },
	{ "send_ipi base + bit wraps to hart 0", IPI, 0, { 0x4, ALL - 1 }, 0, INVAL },
	{ "send_ipi hart 15 of 16", IPI, 0, { 1ull << 15, 0 }, 16, IPI_TO(0x8000) },
	{ "send_ipi hart 15 of 16 by base", IPI, 0, { 0x1, 15 }, 16, IPI_TO(0x8000) },
	{ "send_ipi hart 16 of 16", IPI, 0, { 1ull << 16, 0 }, 16, INVAL },
	{ "send_ipi hart 16 of 16 by base", IPI, 0, { 0x2, 15 }, 16, INVAL },
	{ "send_ipi harts 0-15 of 16", IPI, 0, { 0xFFFF, 0 }, 16, IPI_TO(0xFFFF) },
	{ "send_ipi hart 63 of 64", IPI, 0, { 1ull << 63, 0 }, 64, IPI_TO(1ull << 63) },
	{ "send_ipi hart 64 of '100' (at most 64)", IPI, 0, { 0x1, 64 }, 100, INVAL },
	{ "send_ipi hart 0 of 2^32-1 (at most 64)", IPI, 0, { 0x1, 0 }, 0xFFFFFFFFu, IPI_TO(0x1) },
	{ "IPI fid 1", IPI, 1, { 0 }, 0, NOSUP },

	/* RFENCE: the guest's fences; whole space if start and size are 0 or size is
	 * 2^64-1; a range past 2^64 is INVALID_ADDRESS; the hypervisor fences (3-6) are
	 * NOT_SUPPORTED for a guest without the H extension. */
	{ "remote_fence_i (no range)", RF, 0, { 0x1, 0, 0x1000, 0x2000 }, 0, FENCE_I(0x1) },
	{ "remote_fence_i all", RF, 0, { 0, ALL }, 0, FENCE_I(0xF) },
	{ "remote_fence_i hart 9 of 4", RF, 0, { 0x1, 9 }, 0, INVAL },
	{ "remote_sfence_vma range", RF, 1, { 0x1, 0, 0x1000, 0x2000 }, 0,
	  SFENCE(0x1, 0x1000, 0x2000, false) },
	{ "remote_sfence_vma start 0 size 0: all", RF, 1, { 0x6, 0, 0, 0 }, 0,
	  SFENCE(0x6, 0, 0, true) },
	{ "remote_sfence_vma size -1: all", RF, 1, { 0, ALL, 5, ALL }, 0, SFENCE(0xF, 5, ALL, true) },
	{ "remote_sfence_vma size 0: empty", RF, 1, { 0x1, 0, 0x5000, 0 }, 0,
	  SFENCE(0x1, 0x5000, 0, false) },
	{ "remote_sfence_vma last page of the space", RF, 1, { 0x1, 0, ALL - 0xFFF, 0x1000 }, 0,
	  SFENCE(0x1, ALL - 0xFFF, 0x1000, false) },
	{ "remote_sfence_vma range past 2^64", RF, 1, { 0x1, 0, ALL - 0xFFF, 0x2000 }, 0, BADADDR },
	{ "remote_sfence_vma size -2 from 0x1000", RF, 1, { 0x1, 0, 0x1000, ALL - 1 }, 0, BADADDR },
	{ "remote_sfence_vma bad hart and bad range", RF, 1, { 0x10, 0, ALL, 2 }, 0, INVAL },
	{ "remote_sfence_vma hart 4 of 4", RF, 1, { 0x10, 0, 0, 0 }, 0, INVAL },
	{ "remote_sfence_vma_asid", RF, 2, { 0x1, 0, 0x1000, 0x3000, 9 }, 0,
	  SFENCE_ASID(0x1, 0x1000, 0x3000, false, 9) },
	{ "remote_sfence_vma_asid all, asid 0xFFFF", RF, 2, { 0, ALL, 0, 0, 0xFFFF }, 2,
	  SFENCE_ASID(0x3, 0, 0, true, 0xFFFF) },
	{ "remote_sfence_vma_asid asid 0x10000", RF, 2, { 0x1, 0, 0, 0, 0x10000 }, 0, INVAL },
	{ "remote_sfence_vma_asid asid -1", RF, 2, { 0x1, 0, 0, 0, ALL }, 0, INVAL },
	{ "remote_sfence_vma_asid range past 2^64", RF, 2, { 0x1, 0, ALL, 2, 1 }, 0, BADADDR },
	{ "remote_sfence_vma_asid hart -1", RF, 2, { 0x2, ALL - 1, 0, 0, 1 }, 0, INVAL },
	{ "remote_hfence_gvma_vmid", RF, 3, { 0x1, 0 }, 0, NOSUP },
	{ "remote_hfence_gvma", RF, 4, { 0x1, 0 }, 0, NOSUP },
	{ "remote_hfence_vvma_asid", RF, 5, { 0x1, 0 }, 0, NOSUP },
	{ "remote_hfence_vvma", RF, 6, { 0x1, 0 }, 0, NOSUP },
	{ "remote_hfence_vvma, bad hart too", RF, 6, { 0x10, 0 }, 0, NOSUP },
	{ "RFENCE fid 7", RF, 7, { 0x1, 0 }, 0, NOSUP },
	{ "RFENCE fid -1", RF, ALL, { 0x1, 0 }, 0, NOSUP },

	/* HSM: hart ids 0 .. nharts-1; the address checks need the VM (core). */
	{ "hart_start", HSM, 0, { 3, 0x80200000, 0x55 }, 0, START(3, 0x80200000, 0x55) },
	{ "hart_start itself (core: already on)", HSM, 0, { 0, 0x80200000, 0 }, 0,
	  START(0, 0x80200000, 0) },
	{ "hart_start any address (core checks)", HSM, 0, { 1, ALL, ALL }, 0, START(1, ALL, ALL) },
	{ "hart_start hart 4 of 4", HSM, 0, { 4, 0x80200000, 0 }, 0, INVAL },
	{ "hart_start hart -1", HSM, 0, { ALL, 0x80200000, 0 }, 0, INVAL },
	{ "hart_start hart 2^32", HSM, 0, { 1ull << 32, 0x80200000, 0 }, 0, INVAL },
	{ "hart_start hart 15 of 16", HSM, 0, { 15, 0x80000000, 0 }, 16, START(15, 0x80000000, 0) },
	{ "hart_start hart 1 of 1", HSM, 0, { 1, 0x80000000, 0 }, 1, INVAL },
	{ "hart_stop (arguments ignored)", HSM, 1, { 7, 8, 9 }, 0, { .op = SBI_OP_HART_STOP } },
	{ "hart_get_status", HSM, 2, { 1, 0xDEAD, 0xBEEF }, 0, STATUS(1) },
	{ "hart_get_status hart 4 of 4", HSM, 2, { 4 }, 0, INVAL },
	{ "hart_get_status hart -1", HSM, 2, { ALL }, 0, INVAL },
	{ "hart_suspend default retentive (address unused)", HSM, 3, { 0, 0x1234, 5 }, 0,
	  SUSPEND_RET },
	{ "hart_suspend default non-retentive", HSM, 3, { 0x80000000, 0x80004000, 0x77 }, 0,
	  SUSPEND_NONRET(0x80004000, 0x77) },
	{ "hart_suspend non-retentive, sign-extended", HSM, 3,
	  { 0xFFFFFFFF80000000ull, 0x80004000, 1 }, 0, SUSPEND_NONRET(0x80004000, 1) },
	{ "hart_suspend 2^32: 32-bit type 0", HSM, 3, { 1ull << 32 }, 0, SUSPEND_RET },
	{ "hart_suspend reserved 0x00000001", HSM, 3, { 0x1 }, 0, INVAL },
	{ "hart_suspend reserved 0x0FFFFFFF", HSM, 3, { 0x0FFFFFFF }, 0, INVAL },
	{ "hart_suspend platform retentive 0x10000000", HSM, 3, { 0x10000000 }, 0, INVAL },
	{ "hart_suspend platform retentive 0x7FFFFFFF", HSM, 3, { 0x7FFFFFFF }, 0, INVAL },
	{ "hart_suspend reserved 0x80000001", HSM, 3, { 0x80000001 }, 0, INVAL },
	{ "hart_suspend reserved 0x8FFFFFFF", HSM, 3, { 0x8FFFFFFF }, 0, INVAL },
	{ "hart_suspend platform non-retentive 0x90000000", HSM, 3, { 0x90000000 }, 0, INVAL },
	{ "hart_suspend platform non-retentive 0xFFFFFFFF", HSM, 3, { 0xFFFFFFFF }, 0, INVAL },
	{ "hart_suspend -1: 32-bit type 0xFFFFFFFF", HSM, 3, { ALL }, 0, INVAL },
	{ "HSM fid 4", HSM, 4, { 0 }, 0, NOSUP },
	{ "HSM fid -1", HSM, ALL, { 0 }, 0, NOSUP },

	/* SRST: types 0-2, reasons 0-1; reserved, SBI-implementation and vendor ones
	 * Tandem does not implement are INVALID_PARAM; 32-bit parameters. */
	{ "shutdown, no reason", SRST, 0, { 0, 0 }, 0, RESET(0, 0) },
	{ "cold reboot, system failure", SRST, 0, { 1, 1 }, 0, RESET(1, 1) },
	{ "warm reboot", SRST, 0, { 2, 0 }, 0, RESET(2, 0) },
	{ "type 2^32: 32-bit type 0", SRST, 0, { 1ull << 32, 0 }, 0, RESET(0, 0) },
	{ "type 1 sign-extended reason", SRST, 0, { ALL << 32 | 1, 1ull << 40 | 1 }, 0, RESET(1, 1) },
	{ "reserved type 3", SRST, 0, { 3, 0 }, 0, INVAL },
	{ "reserved type 0xEFFFFFFF", SRST, 0, { 0xEFFFFFFF, 0 }, 0, INVAL },
	{ "vendor type 0xF0000000", SRST, 0, { 0xF0000000, 0 }, 0, INVAL },
	{ "vendor type 0xFFFFFFFF", SRST, 0, { 0xFFFFFFFF, 0 }, 0, INVAL },
	{ "reserved reason 2", SRST, 0, { 0, 2 }, 0, INVAL },
	{ "reserved reason 0xDFFFFFFF", SRST, 0, { 1, 0xDFFFFFFF }, 0, INVAL },
	{ "SBI implementation reason 0xE0000000", SRST, 0, { 0, 0xE0000000 }, 0, INVAL },
	{ "vendor reason 0xF0000000", SRST, 0, { 2, 0xF0000000 }, 0, INVAL },
	{ "vendor reason 0xFFFFFFFF", SRST, 0, { 0, 0xFFFFFFFF }, 0, INVAL },
	{ "SRST fid 1", SRST, 1, { 0, 0 }, 0, NOSUP },

	/* DBCN: num_bytes, base_addr_lo, base_addr_hi (must be 0 on RV64: a physical
	 * address above 2^64 is no address); write_byte takes the low 8 bits. */
	{ "console_write", DBCN, 0, { 16, 0x80001000, 0 }, 0, WRITE(0x80001000, 16) },
	{ "console_write 0 bytes", DBCN, 0, { 0, 0x80001000, 0 }, 0, WRITE(0x80001000, 0) },
	{ "console_write to the last byte (core checks)", DBCN, 0, { 0x1000, ALL - 0xFFF, 0 }, 0,
	  WRITE(ALL - 0xFFF, 0x1000) },
	{ "console_write, base_addr_hi 1", DBCN, 0, { 16, 0x80001000, 1 }, 0, INVAL },
	{ "console_write, base_addr_hi -1", DBCN, 0, { 16, 0x80001000, ALL }, 0, INVAL },
	{ "console_write past 2^64", DBCN, 0, { 0x2000, ALL - 0xFFF, 0 }, 0, INVAL },
	{ "console_write of 2^64-1 bytes", DBCN, 0, { ALL, 0x80000000, 0 }, 0, INVAL },
	{ "console_read", DBCN, 1, { 16, 0x80001000, 0 }, 0, READ(0x80001000, 16) },
	{ "console_read, base_addr_hi 2", DBCN, 1, { 16, 0x80001000, 2 }, 0, INVAL },
	{ "console_read past 2^64", DBCN, 1, { 0x2000, ALL - 0xFFF, 0 }, 0, INVAL },
	{ "console_write_byte", DBCN, 2, { 0x41 }, 0, BYTE(0x41) },
	{ "console_write_byte, bits above 7 ignored", DBCN, 2, { 0x1FF }, 0, BYTE(0xFF) },
	{ "DBCN fid 3", DBCN, 3, { 0 }, 0, NOSUP },
	{ "DBCN fid -1", DBCN, ALL, { 0 }, 0, NOSUP },

	/* Legacy (EIDs 0x00-0x0F: FID ignored, a0 only): console_putchar is present. */
	{ "legacy console_putchar", 0x01, 0, { 'x' }, 0, PUTCHAR('x') },
	{ "legacy console_putchar, FID ignored", 0x01, 0xDEAD, { 0x10A }, 0, PUTCHAR(0x0A) },
	{ "legacy set_timer", 0x00, 0, { 0 }, 0, LEGACY_NOSUP },
	{ "legacy console_getchar", 0x02, 0, { 0 }, 0, GETCHAR },
	{ "legacy console_getchar, a0 and FID ignored", 0x02, 7, { 0x41 }, 0, GETCHAR },
	{ "legacy clear_ipi", 0x03, 0, { 0 }, 0, LEGACY_NOSUP },
	{ "legacy send_ipi", 0x04, 0, { 0 }, 0, LEGACY_NOSUP },
	{ "legacy remote_fence_i", 0x05, 0, { 0 }, 0, LEGACY_NOSUP },
	{ "legacy remote_sfence_vma", 0x06, 0, { 0 }, 0, LEGACY_NOSUP },
	{ "legacy remote_sfence_vma_asid", 0x07, 0, { 0 }, 0, LEGACY_NOSUP },
	{ "legacy shutdown", 0x08, 0, { 0 }, 0, LEGACY_NOSUP },
	{ "legacy reserved 0x09", 0x09, 0, { 0 }, 0, LEGACY_NOSUP },
	{ "legacy reserved 0x0F", 0x0F, 0, { 0 }, 0, LEGACY_NOSUP },

	/* Unknown EIDs, and registers that are no signed 32-bit EID. */
	{ "EID 0x11", 0x11, 0, { 0 }, 0, NOSUP },
	{ "PMU", SBI_EXT_PMU, 0, { 0 }, 0, NOSUP },
	{ "SUSP", SBI_EXT_SUSP, 0, { 0 }, 0, NOSUP },
	{ "NACL", NACL, 0, { 0 }, 0, NOSUP },
	{ "STA", STA, 0, { 0 }, 0, NOSUP },
	{ "CPPC", CPPC, 0, { 0 }, 0, NOSUP },
	{ "experimental 0x08000000", 0x08000000, 0, { 0 }, 0, NOSUP },
	{ "vendor 0x09000000", 0x09000000, 0, { 0 }, 0, NOSUP },
	{ "firmware 0x0A000000", 0x0A000000, 0, { 0 }, 0, NOSUP },
	{ "EID -1", ALL, 0, { 0 }, 0, NOSUP },
	{ "EID 0x80000000 not sign-extended", 0x80000000, 0, { 0 }, 0, NOSUP },
	{ "BASE with bit 40 set", BASE | 1ull << 40, 0, { 0 }, 0, NOSUP },
	{ "putchar with bit 32 set: not legacy", 0x01 | 1ull << 32, 0, { 'x' }, 0, NOSUP },
};

static struct sbi_call decode_row(const struct row *r)
{
	uint64_t a[8] = { r->a[0], r->a[1], r->a[2], r->a[3], r->a[4], r->a[5], r->fid, r->eid };
	struct sbi_call c;

	sbi_decode(a, r->nharts ? r->nharts : 4, &c);
	return c;
}

#define SAME(field, fmt)                                                                     \
	ck_assert_msg(got.field == want->field, "%s: " #field " " fmt ", want " fmt, r->what, \
		      got.field, want->field)

START_TEST(test_every_function_and_its_errors)
{
	const struct row *r = &rows[_i];
	const struct sbi_call *want = &r->want;
	struct sbi_call got = decode_row(r);

	ck_assert_msg(got.op == want->op, "%s: op %d, want %d", r->what, got.op, want->op);
	SAME(legacy, "%d");
	if (want->op == SBI_OP_DONE) {
		SAME(error, "%ld");
		SAME(value, "0x%lx");
		return;
	}
	SAME(harts, "0x%lx");
	SAME(fence, "%d");
	SAME(all, "%d");
	SAME(start, "0x%lx");
	SAME(size, "0x%lx");
	SAME(asid, "%u");
	SAME(hart, "%lu");
	SAME(addr, "0x%lx");
	SAME(opaque, "0x%lx");
	SAME(retentive, "%d");
	SAME(type, "0x%x");
	SAME(reason, "0x%x");
	SAME(stime, "0x%lx");
	SAME(gpa, "0x%lx");
	SAME(len, "0x%lx");
	SAME(byte, "0x%x");
}
END_TEST

/* A call answered by the decoder reaches the guest as decoded: a0 the error, a1 the
 * value, and a legacy extension's a1 left alone. */
START_TEST(test_answered_calls_reach_the_guest)
{
	const struct row *r = &rows[_i];
	struct sbi_call c = decode_row(r);
	uint64_t a0 = 0xAA, a1 = 0xBB;
	bool w1 = !r->want.legacy;

	if (c.op != SBI_OP_DONE)
		return;
	sbi_finish(&c, -EIO /* unused for DONE */, &a0, &a1, &w1);
	ck_assert_msg((int64_t)a0 == r->want.error, "%s: a0 %ld", r->what, (int64_t)a0);
	ck_assert_msg(w1 == !r->want.legacy, "%s: a1 written %d", r->what, w1);
	if (w1)
		ck_assert_msg(a1 == r->want.value, "%s: a1 0x%lx", r->what, a1);
}
END_TEST

/* A VM of no harts (a row's nharts 0 means 4): no hart id is valid, "all" is nobody. */
START_TEST(test_a_vm_of_no_harts)
{
	uint64_t some[8] = { 0x1, 0, 0, 0, 0, 0, 0, IPI };
	uint64_t all[8] = { 0x1, ALL, 0, 0, 0, 0, 0, IPI };
	uint64_t start[8] = { 0, 0x80000000, 0, 0, 0, 0, 0, HSM };
	struct sbi_call c;

	sbi_decode(some, 0, &c);
	ck_assert_int_eq(c.op, SBI_OP_DONE);
	ck_assert_int_eq(c.error, SBI_ERR_INVALID_PARAM);
	sbi_decode(all, 0, &c);
	ck_assert_int_eq(c.op, SBI_OP_SEND_IPI);
	ck_assert_uint_eq(c.harts, 0);
	sbi_decode(start, 0, &c);
	ck_assert_int_eq(c.op, SBI_OP_DONE);
	ck_assert_int_eq(c.error, SBI_ERR_INVALID_PARAM);
}
END_TEST

struct finish_row {
	const char *what;
	struct sbi_call call; /* as decoded */
	int64_t ret;          /* core's result */
	int64_t a0;
	uint64_t a1;
};

#define CALL(o) { .op = (o) }
#define CONSOLE(o, n) { .op = (o), .len = (n) }
#define LEGACY_BYTE { .op = SBI_OP_CONSOLE_BYTE, .legacy = true }
#define LEGACY_GETCHAR { .op = SBI_OP_CONSOLE_GETCHAR, .legacy = true }

/* Core's results as each function's error table in the spec has them. */
static const struct finish_row finishes[] = {
	/* decoder's own answers pass through whatever core_ret */
	{ "DONE value", { .op = SBI_OP_DONE, .value = 0x02000000 }, -EIO, 0, 0x02000000 },
	{ "DONE error", { .op = SBI_OP_DONE, .error = SBI_ERR_INVALID_PARAM }, 0,
	  SBI_ERR_INVALID_PARAM, 0 },
	/* set_timer */
	{ "set_timer done", CALL(SBI_OP_SET_TIMER), 0, SBI_SUCCESS, 0 },
	{ "set_timer core error", CALL(SBI_OP_SET_TIMER), -EINVAL, SBI_ERR_FAILED, 0 },
	/* send_ipi */
	{ "send_ipi done", CALL(SBI_OP_SEND_IPI), 0, SBI_SUCCESS, 0 },
	{ "send_ipi hart gone", CALL(SBI_OP_SEND_IPI), -EINVAL, SBI_ERR_INVALID_PARAM, 0 },
	{ "send_ipi other", CALL(SBI_OP_SEND_IPI), -ENOMEM, SBI_ERR_FAILED, 0 },
	/* remote fences */
	{ "rfence done", CALL(SBI_OP_RFENCE), 0, SBI_SUCCESS, 0 },
	{ "rfence core error", CALL(SBI_OP_RFENCE), -EIO, SBI_ERR_FAILED, 0 },
	/* hart_start */
	{ "hart_start was stopped", CALL(SBI_OP_HART_START), 0, SBI_SUCCESS, 0 },
	{ "hart_start already on", CALL(SBI_OP_HART_START), -EALREADY, SBI_ERR_ALREADY_AVAILABLE,
	  0 },
	{ "hart_start start pending", CALL(SBI_OP_HART_START), -EBUSY, SBI_ERR_ALREADY_AVAILABLE,
	  0 },
	{ "hart_start no such vCPU", CALL(SBI_OP_HART_START), -ENOENT, SBI_ERR_INVALID_PARAM, 0 },
	{ "hart_start entry not RAM", CALL(SBI_OP_HART_START), -EFAULT, SBI_ERR_INVALID_ADDRESS,
	  0 },
	{ "hart_start out of memory", CALL(SBI_OP_HART_START), -ENOMEM, SBI_ERR_FAILED, 0 },
	{ "hart_start -EINVAL", CALL(SBI_OP_HART_START), -EINVAL, SBI_ERR_FAILED, 0 },
	{ "hart_start positive", CALL(SBI_OP_HART_START), 1, SBI_ERR_FAILED, 0 },
	/* hart_get_status */
	{ "status on", CALL(SBI_OP_HART_STATUS), 0, SBI_SUCCESS, SBI_HSM_STARTED },
	{ "status off", CALL(SBI_OP_HART_STATUS), 1, SBI_SUCCESS, SBI_HSM_STOPPED },
	{ "status on-pending", CALL(SBI_OP_HART_STATUS), 2, SBI_SUCCESS, SBI_HSM_START_PENDING },
	{ "status no such vCPU", CALL(SBI_OP_HART_STATUS), -ENOENT, SBI_ERR_INVALID_PARAM, 0 },
	{ "status state 3 core has not", CALL(SBI_OP_HART_STATUS), 3, SBI_ERR_INVALID_PARAM, 0 },
	{ "status INT64_MIN", CALL(SBI_OP_HART_STATUS), INT64_MIN, SBI_ERR_INVALID_PARAM, 0 },
	/* hart_stop and system_reset return only when refused */
	{ "hart_stop refused", CALL(SBI_OP_HART_STOP), -EBUSY, SBI_ERR_FAILED, 0 },
	{ "hart_stop returned 0", CALL(SBI_OP_HART_STOP), 0, SBI_ERR_FAILED, 0 },
	{ "system_reset refused", CALL(SBI_OP_SYSTEM_RESET), -EBUSY, SBI_ERR_FAILED, 0 },
	{ "system_reset type unsupported", CALL(SBI_OP_SYSTEM_RESET), -EOPNOTSUPP,
	  SBI_ERR_NOT_SUPPORTED, 0 },
	{ "system_reset returned 0", CALL(SBI_OP_SYSTEM_RESET), 0, SBI_ERR_FAILED, 0 },
	/* hart_suspend */
	{ "suspend resumed", CALL(SBI_OP_HART_SUSPEND), 0, SBI_SUCCESS, 0 },
	{ "suspend resume_addr not RAM", CALL(SBI_OP_HART_SUSPEND), -EFAULT,
	  SBI_ERR_INVALID_ADDRESS, 0 },
	{ "suspend unsupported now", CALL(SBI_OP_HART_SUSPEND), -EOPNOTSUPP, SBI_ERR_NOT_SUPPORTED,
	  0 },
	{ "suspend other", CALL(SBI_OP_HART_SUSPEND), -ENOMEM, SBI_ERR_FAILED, 0 },
	/* console_write: bytes written, never more than asked */
	{ "write partial", CONSOLE(SBI_OP_CONSOLE_WRITE, 16), 12, SBI_SUCCESS, 12 },
	{ "write all", CONSOLE(SBI_OP_CONSOLE_WRITE, 16), 16, SBI_SUCCESS, 16 },
	{ "write core says more", CONSOLE(SBI_OP_CONSOLE_WRITE, 16), 100, SBI_SUCCESS, 16 },
	{ "write none", CONSOLE(SBI_OP_CONSOLE_WRITE, 16), 0, SBI_SUCCESS, 0 },
	{ "write nothing taken now", CONSOLE(SBI_OP_CONSOLE_WRITE, 16), -EAGAIN, SBI_SUCCESS, 0 },
	{ "write buffer not RAM", CONSOLE(SBI_OP_CONSOLE_WRITE, 16), -EFAULT, SBI_ERR_INVALID_PARAM,
	  0 },
	{ "write no console", CONSOLE(SBI_OP_CONSOLE_WRITE, 16), -ENODEV, SBI_ERR_DENIED, 0 },
	{ "write I/O error", CONSOLE(SBI_OP_CONSOLE_WRITE, 16), -EIO, SBI_ERR_FAILED, 0 },
	/* console_read: bytes read, 0 when there are none */
	{ "read some", CONSOLE(SBI_OP_CONSOLE_READ, 8), 3, SBI_SUCCESS, 3 },
	{ "read none", CONSOLE(SBI_OP_CONSOLE_READ, 8), 0, SBI_SUCCESS, 0 },
	{ "read nothing now", CONSOLE(SBI_OP_CONSOLE_READ, 8), -EAGAIN, SBI_SUCCESS, 0 },
	{ "read buffer not RAM", CONSOLE(SBI_OP_CONSOLE_READ, 8), -EFAULT, SBI_ERR_INVALID_PARAM,
	  0 },
	{ "read no console", CONSOLE(SBI_OP_CONSOLE_READ, 8), -ENODEV, SBI_ERR_DENIED, 0 },
	{ "read I/O error", CONSOLE(SBI_OP_CONSOLE_READ, 8), -EIO, SBI_ERR_FAILED, 0 },
	/* console_write_byte: value 0 */
	{ "write_byte done", CALL(SBI_OP_CONSOLE_BYTE), 1, SBI_SUCCESS, 0 },
	{ "write_byte no console", CALL(SBI_OP_CONSOLE_BYTE), -ENODEV, SBI_ERR_DENIED, 0 },
	{ "write_byte I/O error", CALL(SBI_OP_CONSOLE_BYTE), -EIO, SBI_ERR_FAILED, 0 },
	/* legacy console_putchar: a0 only; no console throws the character away */
	{ "putchar done", LEGACY_BYTE, 1, 0, 0 },
	{ "putchar no console", LEGACY_BYTE, -ENODEV, 0, 0 },
	{ "putchar I/O error", LEGACY_BYTE, -EIO, SBI_ERR_FAILED, 0 },
	/* legacy console_getchar: a0 only, the byte or -1 */
	{ "getchar a byte", LEGACY_GETCHAR, 'k', 'k', 0 },
	{ "getchar byte 0xFF is not -1", LEGACY_GETCHAR, 0xFF, 0xFF, 0 },
	{ "getchar byte 0", LEGACY_GETCHAR, 0, 0, 0 },
	{ "getchar none waiting", LEGACY_GETCHAR, -EAGAIN, -1, 0 },
	{ "getchar no console", LEGACY_GETCHAR, -ENODEV, -1, 0 },
	{ "getchar I/O error", LEGACY_GETCHAR, -EIO, -1, 0 },
};

START_TEST(test_core_results_become_sbi_results)
{
	const struct finish_row *f = &finishes[_i];
	uint64_t a0 = 0xAA, a1 = 0xBB;
	bool w1 = f->call.legacy;

	sbi_finish(&f->call, f->ret, &a0, &a1, &w1);
	ck_assert_msg((int64_t)a0 == f->a0, "%s: a0 %ld, want %ld", f->what, (int64_t)a0, f->a0);
	ck_assert_msg(w1 == !f->call.legacy, "%s: a1 written %d", f->what, w1);
	if (w1)
		ck_assert_msg(a1 == f->a1, "%s: a1 0x%lx, want 0x%lx", f->what, a1, f->a1);
}
END_TEST

Suite *test_suite(void)
{
	Suite *s = suite_create("sbi");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_every_function_and_its_errors, 0,
			    (int)(sizeof(rows) / sizeof(rows[0])));
	tcase_add_loop_test(tc, test_answered_calls_reach_the_guest, 0,
			    (int)(sizeof(rows) / sizeof(rows[0])));
	tcase_add_test(tc, test_a_vm_of_no_harts);
	tcase_add_loop_test(tc, test_core_results_become_sbi_results, 0,
			    (int)(sizeof(finishes) / sizeof(finishes[0])));
	suite_add_tcase(s, tc);
	return s;
}
