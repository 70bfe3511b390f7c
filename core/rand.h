/* A small deterministic PRNG (xorshift64*) for fault injection and seeded choices;
 * not for anything that needs unpredictability. */
#ifndef CORE_RAND_H
#define CORE_RAND_H

#include <stdint.h>

struct rand_state {
	uint64_t s;
};

static inline void rand_seed(struct rand_state *r, uint64_t seed)
{
	r->s = seed ? seed : 0x9E3779B97F4A7C15ull;
}

static inline uint64_t rand_next(struct rand_state *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 0x2545F4914F6CDD1Dull;
}

#endif
