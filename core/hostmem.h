/* Host memory a VM maps directly (its linear and identity regions). Every such range is
 * claimed for one VM before it is mapped: RAM from the frame allocator (charged to the
 * VM's account), a device from the board (the HAL says which ranges are devices Tandem
 * does not use itself). A table of claims, one per range, keeps two VMs from sharing a
 * frame or a device and names the holder when a claim is refused. Thread-safe. */
#ifndef CORE_HOSTMEM_H
#define CORE_HOSTMEM_H

#include <stddef.h>
#include <stdint.h>

#include "core/frame.h"
#include "hal/types.h"

#define HOSTMEM_MAX_CLAIMS 128
#define HOSTMEM_OWNER_MAX 16 /* an owner's name, NUL included (VM_NAME_MAX) */

/* Frames a claim of [base, base + size) would charge: its size if it is RAM the frame
 * allocator hands out, else 0 (a device, or a claim that will be refused). */
size_t hostmem_frames(paddr_t base, uint64_t size);

/* Claim [base, base + size) for owner (a VM's id; name for other owners' messages),
 * RAM charged to acct. 0, or (nothing claimed, why says why in a sentence that begins
 * with the host range): -EINVAL (unaligned, empty or wrapping), -EBUSY (another claim
 * overlaps it, the frame allocator's own frames, frames it handed out, or something
 * Tandem uses), -ENOENT (neither RAM nor a device of the board), -ENOSPC (the table is
 * full), -ENOMEM (beyond acct's reservation). why may be NULL. */
int hostmem_claim(unsigned owner, const char *name, struct frame_account *acct, paddr_t base,
		  uint64_t size, char *why, size_t why_len);

/* Give back every claim of owner: its RAM to the frame allocator, charged back to
 * acct. Call once nothing can reach the ranges any more (after the TLB invalidation). */
void hostmem_release_all(unsigned owner, struct frame_account *acct);

#endif
