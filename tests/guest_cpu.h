/* What a scripted guest does with the GIC's virtual CPU interface, shared by the tests
 * (through testlib.h) and the benchmarks: no libcheck here. */
#ifndef TESTS_GUEST_CPU_H
#define TESTS_GUEST_CPU_H

struct guest_ctx;

/* A scripted guest taking an interrupt the hardware way: acknowledge the most urgent
 * pending list register (ICC_IAR1_EL1) and complete it (ICC_EOIR1_EL1). Its INTID, or
 * -1 if no list register is pending (ICH_HCR_EL2.En clear counts as none). */
int test_guest_take_irq(struct guest_ctx *ctx);

#endif
