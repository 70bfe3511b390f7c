/* The early handler every board's world switch calls on a synchronous exit, where it is
 * taken (hal_guest_set_early): bm_early_fn, never NULL, so that the assembly need not
 * look. */
#include "hal/guest.h"

/* No early handler: every exit goes to the run loop. */
static enum hal_early no_early(struct guest_ctx *ctx, const struct guest_exit *exit)
{
	(void)ctx;
	(void)exit;
	return HAL_EARLY_NO;
}

hal_guest_early_fn bm_early_fn = no_early;

void hal_guest_set_early(hal_guest_early_fn fn)
{
	__atomic_store_n(&bm_early_fn, fn ? fn : no_early, __ATOMIC_RELEASE);
}
