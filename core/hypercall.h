/* Tandem's own hypercalls, in the SMCCC vendor-specific hypervisor service range
 * (OEN 6, fast calls: 0x86000000-0x8600FFFF), so that they never collide with PSCI or
 * SMCCC functions. None is defined yet: interrupts are acknowledged through the
 * virtual GIC's CPU interface, not by a call. Every call in the range answers
 * NOT_SUPPORTED (-1). */
#ifndef CORE_HYPERCALL_H
#define CORE_HYPERCALL_H

#define HC_RANGE_BASE 0x86000000u

#endif
