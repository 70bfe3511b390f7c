/* One way to mix address kinds per CASE_<name>, through Tandem's own interfaces; each
 * must fail to compile, and the compiler's diagnostic must name the types involved
 * (tests/addr_types.sh lists the cases and the names). CASE_control uses every kind
 * where it belongs and must compile cleanly, so a case fails for its own line only. */
#include <stddef.h>
#include <stdint.h>

#include "arch/exit.h"
#include "core/aspace.h"
#include "core/frame.h"
#include "core/pt.h"
#include "hal/guest.h"
#include "hal/mem.h"
#include "hal/mm.h"

#ifdef CASE_leaf_fn_of_integers
static int leaf_raw(void *ctx, uint64_t gpa, uint64_t pa, uint64_t size, unsigned flags)
{
	(void)ctx, (void)gpa, (void)pa, (void)size, (void)flags;
	return 0;
}
#endif

void mix_probe(struct pt *pt, struct aspace *as, struct vm_exit *e);
void mix_probe(struct pt *pt, struct aspace *as, struct vm_exit *e)
{
	paddr_t pa = pa_make(0x80000000);
	gpa_t gpa = gpa_make(0x40000000);
	gva_t gva = gva_make(0xFFFF000000001000);
	void *hva = NULL;

#if defined(CASE_control)
	(void)pt_map(pt, gpa, pa, PAGE_SIZE, PT_R, 0);
	(void)as_translate(as, gpa, &pa, NULL);
	(void)as_find_region(as, gpa_add(gpa, 8), NULL);
	(void)hal_phys_to_virt(pa, 8, &hva);
	(void)hal_virt_to_phys(hva, &pa);
	(void)hal_guest_translate(gva, &gpa);
	(void)frame_free(pa_add(pa, PAGE_SIZE));
	memset(hva, 0, 8);
	e->mmio.addr = gpa;
	e->u.fault.gpa = gpa_of_identity(pa);
	e->u.fault.va = gva;
	pa = pa_of_identity(gpa_of_flat(gva));
	struct as_region r = { .base = { 0x40000000 }, .hpa = pa_make(0x80000000) };
	(void)r;
#elif defined(CASE_pa_for_gpa)
	(void)as_find_region(as, pa, NULL);
#elif defined(CASE_gpa_for_pa)
	(void)hal_phys_to_virt(gpa, 8, &hva);
#elif defined(CASE_swapped_map)
	(void)pt_map(pt, pa, gpa, PAGE_SIZE, PT_R, 0);
#elif defined(CASE_gva_for_gpa)
	(void)as_handle_fault(as, gva, PT_R);
#elif defined(CASE_gpa_for_gva)
	(void)hal_guest_translate(gpa, &gpa);
#elif defined(CASE_pa_for_gva)
	e->u.fault.va = pa;
#elif defined(CASE_gva_for_pa)
	(void)frame_free(gva);
#elif defined(CASE_gpa_out_for_pa_out)
	(void)as_translate(as, gpa, &gpa, NULL);
#elif defined(CASE_hva_for_pa)
	(void)frame_free(hva);
#elif defined(CASE_pa_for_hva)
	memset(pa, 0, 8);
#elif defined(CASE_gpa_for_hva)
	(void)hal_virt_to_phys(gpa, &pa);
#elif defined(CASE_integer_for_gpa)
	(void)as_find_region(as, 0x40000000, NULL);
#elif defined(CASE_gpa_for_integer)
	uint64_t bits = gpa;
	(void)bits;
#elif defined(CASE_pa_compared_with_gpa)
	(void)(pa == gpa);
#elif defined(CASE_pa_arithmetic)
	pa = pa + PAGE_SIZE;
#elif defined(CASE_leaf_fn_of_integers)
	(void)pt_for_each(pt, gpa, PAGE_SIZE, leaf_raw, NULL);
#elif defined(CASE_integer_initializer)
	/* Not a pair: a bare integer where an address member starts (brace elision). */
	struct as_region r = { .base = 0x40000000 };
	(void)r;
#else
#error "no CASE_ given"
#endif
	(void)pt, (void)as, (void)e, (void)pa, (void)gpa, (void)gva, (void)hva;
}
