/* Claims of host memory for VMs (hostmem.h). One lock serialises the table and every
 * claim, so two VMs created at once cannot both get a range; the frame allocator's own
 * lock nests inside it. It never maps anything: the VM maps what it claimed. */
#include <stdarg.h>
#include <stdbool.h>

#include "core/fdt.h"
#include "core/fmt.h"
#include "core/hostmem.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/vm.h"
#include "hal/err.h"
#include "hal/mm.h"
#include "hal/spinlock.h"

struct claim {
	bool used;
	bool ram; /* from the frame allocator; else a device */
	unsigned owner;
	char name[HOSTMEM_OWNER_MAX];
	paddr_t base;
	uint64_t size;
};

static struct spinlock lock = SPINLOCK_INIT;
static struct claim claims[HOSTMEM_MAX_CLAIMS];

static bool overlaps(paddr_t a, uint64_t as, paddr_t b, uint64_t bs)
{
	return pa_bits(a) < pa_bits(b) + bs && pa_bits(b) < pa_bits(a) + as;
}

size_t hostmem_frames(paddr_t base, uint64_t size)
{
	return frame_range_kind(base, size) == FRAME_RANGE_RAM ? (size_t)(size >> PAGE_SHIFT) : 0;
}

/* "host 0x...-0x... " + what is wrong, into why. Returns err. */
static int refuse(int err, char *why, size_t len, paddr_t base, uint64_t size, const char *fmt,
		  ...) __attribute__((format(printf, 6, 7)));
static int refuse(int err, char *why, size_t len, paddr_t base, uint64_t size, const char *fmt,
		  ...)
{
	va_list ap;

	if (why && len) {
		int n = fmt_snprintf(why, len, "host 0x%08llx-0x%08llx ",
				     (unsigned long long)pa_bits(base),
				     (unsigned long long)(pa_bits(base) + size - 1));
		va_start(ap, fmt);
		if (n >= 0 && (size_t)n < len)
			fmt_vsnprintf(why + n, len - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return err;
}

/* RAM: from the frame allocator, charged to acct. Caller holds the lock. */
static int claim_ram(struct frame_account *acct, paddr_t base, uint64_t size, char *why,
		     size_t len)
{
	char holder[HOSTMEM_OWNER_MAX];
	int err = frame_claim_at_acct(acct, base, size);

	if (err == -EBUSY && vm_frame_holder(base, size, holder, sizeof(holder)) == 0)
		return refuse(err, why, len, base, size, "holds vm %s's memory", holder);
	if (err == -EBUSY)
		return refuse(err, why, len, base, size,
			      "holds frames Tandem has handed out (its own structures, page "
			      "tables or another VM's memory)");
	if (err)
		return refuse(-ENOMEM, why, len, base, size, "is more than the VM reserved");
	return 0;
}

/* Not RAM the allocator hands out: a device of the board, if the HAL says so. */
static int check_device(paddr_t base, uint64_t size, char *why, size_t len)
{
	const char *what = "something";

	switch (frame_range_kind(base, size)) {
	case FRAME_RANGE_BITMAP:
		return refuse(-EBUSY, why, len, base, size, "holds the frame allocator's own frames");
	case FRAME_RANGE_PARTIAL:
		return refuse(-EBUSY, why, len, base, size, "is partly RAM and partly not");
	default:
		break;
	}
	int err = hal_passthrough_check(base, size, &what);
	size_t dtb_size;
	const void *dtb = hal_board_dtb(&dtb_size);
	if (!err && dtb) {
		err = fdt_passthrough(dtb, pa_bits(base), size, NULL);
		what = "the interrupt controller";
	}
	if (err == -EBUSY)
		return refuse(err, why, len, base, size, "overlaps %s, which Tandem uses", what);
	if (err)
		return refuse(-ENOENT, why, len, base, size,
			      "is neither RAM nor a device of the board");
	return 0;
}

static struct claim *free_slot(void)
{
	for (size_t i = 0; i < HOSTMEM_MAX_CLAIMS; i++)
		if (!claims[i].used)
			return &claims[i];
	return NULL;
}

int hostmem_claim(unsigned owner, const char *name, struct frame_account *acct, paddr_t base,
		  uint64_t size, char *why, size_t why_len)
{
	if (why && why_len)
		why[0] = '\0';
	if ((pa_bits(base) & PAGE_MASK) || !size || (size & PAGE_MASK) ||
	    pa_bits(base) + size < pa_bits(base))
		return refuse(-EINVAL, why, why_len, base, size ? size : 1,
			      "is not a whole number of pages");
	spin_lock(&lock);
	int err = 0;
	for (size_t i = 0; i < HOSTMEM_MAX_CLAIMS && !err; i++) {
		const struct claim *c = &claims[i];
		if (c->used && overlaps(base, size, c->base, c->size))
			err = refuse(-EBUSY, why, why_len, base, size, "is already vm %s's", c->name);
	}
	struct claim *slot = err ? NULL : free_slot();
	if (!err && !slot)
		err = refuse(-ENOSPC, why, why_len, base, size, "is one claim too many");
	bool ram = frame_range_kind(base, size) == FRAME_RANGE_RAM;
	if (!err)
		err = ram ? claim_ram(acct, base, size, why, why_len)
			  : check_device(base, size, why, why_len);
	if (!err) {
		*slot = (struct claim){ .used = true, .ram = ram, .owner = owner, .base = base,
					.size = size };
		size_t n = name ? td_strnlen(name, HOSTMEM_OWNER_MAX - 1) : 0;
		memcpy(slot->name, name ? name : "", n);
	}
	spin_unlock(&lock);
	return err;
}

void hostmem_release_all(unsigned owner, struct frame_account *acct)
{
	spin_lock(&lock);
	for (size_t i = 0; i < HOSTMEM_MAX_CLAIMS; i++) {
		struct claim *c = &claims[i];
		if (!c->used || c->owner != owner)
			continue;
		if (c->ram && frame_release_at_acct(acct, c->base, c->size))
			panic("vm %u's claim of 0x%llx was not its own", owner,
			      (unsigned long long)pa_bits(c->base));
		*c = (struct claim){ 0 };
	}
	spin_unlock(&lock);
}
