/* The kinds of address a hypervisor handles, as types the compiler keeps apart:
 *   paddr_t  host-physical: what the frame allocator hands out, what a second-stage
 *            table maps to, what the HAL maps into the host's view (hal/mm.h);
 *   gpa_t    guest-physical (the IPA): what a guest's second-stage table translates,
 *            what an MMIO exit or a stage-2 fault reports;
 *   gva_t    guest-virtual: what a guest's own (first-stage) tables translate;
 *   void *   host-virtual: a pointer, which C already keeps apart from the three
 *            above; its integer form (uintptr_t) stays inside the HAL that maps.
 * Each is a struct of one 64-bit member, passed in one register like the integer it
 * wraps, so passing one where another belongs, or a bare integer where any of them
 * belongs, is a compile error (tests/addr_types.sh proves it). Arithmetic goes through
 * the functions below; the few conversions between kinds are named functions, so each
 * place that turns one kind into another can be found. */
#ifndef HAL_ADDR_H
#define HAL_ADDR_H

#include <stdbool.h>
#include <stdint.h>

typedef struct {
	uint64_t bits;
} paddr_t;

typedef struct {
	uint64_t bits;
} gpa_t;

typedef struct {
	uint64_t bits;
} gva_t;

/* A host-physical address no frame has: what a freed struct phys_frame holds. */
#define PADDR_INVALID ((paddr_t){~0ull})

/* From and to the integer, for addresses read from hardware, a device tree, a
 * configuration, or for printing and bit arithmetic. */
static inline paddr_t pa_make(uint64_t bits)
{
	return (paddr_t){bits};
}
static inline uint64_t pa_bits(paddr_t a)
{
	return a.bits;
}
static inline gpa_t gpa_make(uint64_t bits)
{
	return (gpa_t){bits};
}
static inline uint64_t gpa_bits(gpa_t a)
{
	return a.bits;
}
static inline gva_t gva_make(uint64_t bits)
{
	return (gva_t){bits};
}
static inline uint64_t gva_bits(gva_t a)
{
	return a.bits;
}

/* An address plus a byte offset (wrapping as the integer does; callers check ranges),
 * and the distance from base up to a of the same kind. */
static inline paddr_t pa_add(paddr_t a, uint64_t off)
{
	return (paddr_t){a.bits + off};
}
static inline uint64_t pa_sub(paddr_t a, paddr_t base)
{
	return a.bits - base.bits;
}
static inline gpa_t gpa_add(gpa_t a, uint64_t off)
{
	return (gpa_t){a.bits + off};
}
static inline uint64_t gpa_sub(gpa_t a, gpa_t base)
{
	return a.bits - base.bits;
}
static inline gva_t gva_add(gva_t a, uint64_t off)
{
	return (gva_t){a.bits + off};
}

static inline bool pa_eq(paddr_t a, paddr_t b)
{
	return a.bits == b.bits;
}
static inline bool gpa_eq(gpa_t a, gpa_t b)
{
	return a.bits == b.bits;
}

/* The conversions between kinds. An identity mapping (a pass-through device, a
 * reserved range) is where guest-physical equals host-physical; nothing else may
 * equate them. A linear mapping places guest-physical base at host-physical hpa. */
static inline paddr_t pa_of_identity(gpa_t a)
{
	return (paddr_t){a.bits};
}
static inline gpa_t gpa_of_identity(paddr_t a)
{
	return (gpa_t){a.bits};
}
static inline paddr_t pa_of_linear(gpa_t a, gpa_t base, paddr_t hpa)
{
	return (paddr_t){hpa.bits + (a.bits - base.bits)};
}
/* With the guest's first-stage translation off, its virtual addresses are its
 * guest-physical ones (aarch64 SCTLR_EL1.M = 0). */
static inline gpa_t gpa_of_flat(gva_t a)
{
	return (gpa_t){a.bits};
}

#endif
