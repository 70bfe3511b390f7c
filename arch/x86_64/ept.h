/* Intel EPT, 4-level (Intel SDM Vol. 3C, "EPT Translation Mechanism": formats of EPT
 * paging-structure entries, and "Extended-Page-Table Pointer"). */
#ifndef ARCH_X86_64_EPT_H
#define ARCH_X86_64_EPT_H

#include <stdint.h>

#include "arch/pt_format.h"

#define EPT_R (1ull << 0)
#define EPT_W (1ull << 1)
#define EPT_X (1ull << 2)           /* supervisor-mode execute */
#define EPT_MT_SHIFT 3              /* memory type, bits 5:3, leaves only */
#define EPT_MT_UC 0ull
#define EPT_MT_WB 6ull
#define EPT_IPAT (1ull << 6)        /* ignore the guest's PAT memory type */
#define EPT_LARGE (1ull << 7)       /* PDPTE/PDE maps a 1 GiB / 2 MiB page */
#define EPT_ADDR_MASK 0x000FFFFFFFFFF000ull

#define EPTP_MT_WB 6ull
#define EPTP_WALK_4 (3ull << 3)     /* page-walk length minus one */
#define EPTP_AD (1ull << 6)

extern const struct pt_format x86_ept4;

/* EPTP for a root: write-back walks, 4 levels, accessed/dirty flags if ad. -EINVAL
 * for another format or a misaligned root. */
int x86_eptp(const struct pt_format *fmt, uint64_t root, int ad, uint64_t *eptp);

#endif
