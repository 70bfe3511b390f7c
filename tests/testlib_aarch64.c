/* testlib's aarch64 traps: what a scripted guest's HVC and WFI hand over (tests of
 * the aarch64 build only). */
#include <stdint.h>

#include "arch/aarch64/ctx.h"
#include "tests/testlib.h"

void test_trap_hvc(struct guest_ctx *ctx, struct guest_exit *exit, uint64_t fid, uint64_t a1,
		   uint64_t a2)
{
	ctx->x[0] = fid;
	ctx->x[1] = a1;
	ctx->x[2] = a2;
	ctx->x[3] = 0;
	*exit = (struct guest_exit){ .type = TRAP_SYNC, .esr = 0x5A000000ull }; /* HVC #0 */
}

void test_trap_wfi(struct guest_exit *exit)
{
	*exit = (struct guest_exit){ .type = TRAP_SYNC, .esr = 0x06000000ull }; /* WFI */
}
