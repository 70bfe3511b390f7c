/* The C side of the host trap vector (trap.S): what reaches HS-mode while Tandem itself
 * runs. Interrupts (scause's top bit; privileged spec 4.1.9: 1 supervisor software,
 * 5 supervisor timer, 9 supervisor external) go to core's handlers through hal/irq.h
 * as after a WFI; Tandem runs with sstatus.SIE clear, so they only arrive here once
 * something enables it. An exception is a hypervisor bug, reported with scause, sepc
 * and stval before the machine stops (bm_trap_fatal, in tools/tandem, which has the
 * log), except an illegal instruction during a probe
 * (time.c's stimecmp), which is skipped. */
#include <stdbool.h>
#include <stdint.h>

#include "hal-baremetal/riscv64/qemu-virt/bm.h"
#include "hal/irq.h"

#define SCAUSE_INTERRUPT (1ull << 63)
#define EXC_ILLEGAL_INSN 2u

volatile bool bm_probing, bm_probe_trapped;

void bm_trap(uint64_t scause, uint64_t *sepc, uint64_t stval);

/* The length of the instruction at pc: 2 unless its low two bits are 11 (unprivileged
 * spec 1.5). */
static uint64_t insn_len(uint64_t pc)
{
	return (*(const volatile uint16_t *)(uintptr_t)pc & 3u) == 3u ? 4 : 2;
}

void bm_trap(uint64_t scause, uint64_t *sepc, uint64_t stval)
{
	unsigned irq;

	if (scause & SCAUSE_INTERRUPT) {
		while (hal_irq_fetch(&irq) == 0)
			(void)hal_irq_dispatch(irq);
		return;
	}
	if (scause == EXC_ILLEGAL_INSN && bm_probing) {
		bm_probe_trapped = true;
		*sepc += insn_len(*sepc);
		return;
	}
	bm_trap_fatal(scause, *sepc, stval);
}
