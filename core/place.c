/* Static placement (place.h): a bipartite matching of vCPUs to pCPUs. vCPUs pinned to
 * one pCPU are placed first, in the order they are declared, then the others; each
 * takes the lowest free pCPU its affinity allows, and only when there is none does it
 * move vCPUs placed before it to other pCPUs of theirs (an augmenting path, Kuhn's
 * method), so that a placement is found whenever one exists. At most 64 vCPUs take
 * part (one per pCPU), so the recursion is at most 64 deep. */
#include <stdbool.h>

#include "core/fmt.h"
#include "core/place.h"
#include "hal/err.h"

#define MAX_PCPUS ((unsigned)PLACE_MAX_PCPUS)
#define NONE 0xFFu

struct matcher {
	unsigned n;
	uint8_t vm[MAX_PCPUS], vcpu[MAX_PCPUS]; /* who each entry is */
	uint64_t mask[MAX_PCPUS];               /* the pCPUs it may have */
	uint8_t owner[MAX_PCPUS];               /* per pCPU: the entry on it, or NONE */
	uint64_t taken, seen;
};

static unsigned lowest(uint64_t mask)
{
	return (unsigned)__builtin_ctzll(mask);
}

/* Find entry i a pCPU: a free one, or one whose entry can move to another. */
static bool assign(struct matcher *m, unsigned i)
{
	uint64_t free = m->mask[i] & ~m->taken;

	if (free) {
		unsigned cpu = lowest(free);
		m->owner[cpu] = (uint8_t)i;
		m->taken |= 1ull << cpu;
		return true;
	}
	for (uint64_t left = m->mask[i]; left; left &= left - 1) {
		unsigned cpu = lowest(left);
		if (m->seen & (1ull << cpu))
			continue;
		m->seen |= 1ull << cpu;
		if (assign(m, m->owner[cpu])) {
			m->owner[cpu] = (uint8_t)i;
			return true;
		}
	}
	return false;
}

static int refuse(struct placement *p, int err, unsigned vm, unsigned vcpu, const char *why)
{
	p->vm = vm;
	p->vcpu = vcpu;
	fmt_snprintf(p->msg, sizeof(p->msg), "vm %s vcpu %u: %s", p->name[vm] ? p->name[vm] : "?",
		     vcpu, why);
	return err;
}

/* Every vCPU into m with its mask within the machine; the count checked first. */
static int collect(struct placement *p, unsigned pcpus, struct matcher *m)
{
	uint64_t machine = pcpus >= 64 ? ~0ull : (1ull << pcpus) - 1;
	char why[PLACE_MSG_MAX];

	m->n = 0;
	for (unsigned v = 0; v < p->nvms; v++) {
		for (unsigned c = 0; c < p->nvcpus[v]; c++) {
			if (m->n == pcpus) {
				unsigned total = 0;
				for (unsigned w = 0; w < p->nvms; w++)
					total += p->nvcpus[w];
				fmt_snprintf(why, sizeof(why), "static mode runs one vCPU per pCPU, and "
					     "%u vCPUs do not fit in %u pCPU%s", total, pcpus,
					     pcpus == 1 ? "" : "s");
				return refuse(p, -ENOSPC, v, c, why);
			}
			uint64_t mask = p->affinity[v][c] ? p->affinity[v][c] & machine : machine;
			if (!mask) {
				fmt_snprintf(why, sizeof(why), "its affinity names none of the %u pCPUs",
					     pcpus);
				return refuse(p, -EINVAL, v, c, why);
			}
			m->vm[m->n] = (uint8_t)v;
			m->vcpu[m->n] = (uint8_t)c;
			m->mask[m->n++] = mask;
		}
	}
	return 0;
}

/* Entry i found no pCPU: name the pinned vCPU in its way, if that is the reason. */
static int clash(struct placement *p, const struct matcher *m, unsigned i)
{
	char why[PLACE_MSG_MAX];
	uint64_t mask = m->mask[i];

	if ((mask & (mask - 1)) == 0) {
		unsigned o = m->owner[lowest(mask)];
		fmt_snprintf(why, sizeof(why), "pCPU %u is already vm %s vcpu %u's: static mode "
			     "runs one vCPU per pCPU", lowest(mask),
			     p->name[m->vm[o]] ? p->name[m->vm[o]] : "?", m->vcpu[o]);
	} else {
		fmt_snprintf(why, sizeof(why), "every pCPU its affinity allows is taken: static "
			     "mode runs one vCPU per pCPU");
	}
	return refuse(p, -EBUSY, m->vm[i], m->vcpu[i], why);
}

int place_static(struct placement *p, unsigned pcpus)
{
	struct matcher m;

	if (!p)
		return -EINVAL;
	p->msg[0] = '\0';
	if (p->nvms > PLACE_MAX_VMS || pcpus == 0 || pcpus > MAX_PCPUS)
		return refuse(p, -EINVAL, 0, 0, "no such configuration");
	for (unsigned v = 0; v < p->nvms; v++)
		if (p->nvcpus[v] == 0 || p->nvcpus[v] > VM_MAX_VCPUS)
			return refuse(p, -EINVAL, v, 0, "no such number of vCPUs");
	int err = collect(p, pcpus, &m);
	if (err)
		return err;
	for (unsigned cpu = 0; cpu < MAX_PCPUS; cpu++)
		m.owner[cpu] = NONE;
	m.taken = 0;
	/* Pinned vCPUs first (pass 0), then the others (pass 1). */
	for (unsigned pass = 0; pass < 2; pass++) {
		for (unsigned i = 0; i < m.n; i++) {
			bool pinned = (m.mask[i] & (m.mask[i] - 1)) == 0;
			if (pinned != (pass == 0))
				continue;
			m.seen = 0;
			if (!assign(&m, i))
				return clash(p, &m, i);
		}
	}
	for (unsigned cpu = 0; cpu < MAX_PCPUS; cpu++)
		if (m.owner[cpu] != NONE)
			p->affinity[m.vm[m.owner[cpu]]][m.vcpu[m.owner[cpu]]] = 1ull << cpu;
	return 0;
}
