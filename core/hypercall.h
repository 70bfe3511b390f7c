/* Tandem's own hypercalls, in the SMCCC vendor-specific hypervisor service range
 * (OEN 6, fast calls), so that they never collide with PSCI or SMCCC functions. */
#ifndef CORE_HYPERCALL_H
#define CORE_HYPERCALL_H

/* Acknowledge the lowest pending virtual interrupt line: returns its number, or -1 if
 * none is pending. The guest's interrupt controller until the virtual GIC: a guest
 * sees the line asserted (HCR_EL2.VI on aarch64) and acknowledges with this call. */
#define HC_IRQ_ACK 0x86000001u

#endif
