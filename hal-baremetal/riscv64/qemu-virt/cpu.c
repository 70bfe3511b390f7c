/* pCPUs on QEMU's riscv64 virt board under OpenSBI: identity through tp, harts started
 * and the machine powered off through SBI (HSM, SRST: SBI spec v1.0 chapters 9 and 10),
 * idling with WFI. pCPU i is hart bm_board.hartid[i] (board_riscv64.inc). */
#include <stddef.h>

#include "hal-baremetal/riscv64/qemu-virt/bm.h"
#include "hal/console.h"
#include "hal/cpu.h"
#include "hal/err.h"
#include "hal/time.h"

#define SBI_EXT_HSM 0x48534Dull
#define SBI_HSM_HART_START 0
#define SBI_HSM_HART_STOP 1
#define SBI_HSM_HART_GET_STATUS 2
#define SBI_HSM_STATE_STOPPED 1
#define SBI_EXT_SRST 0x53525354ull
#define SBI_SRST_RESET 0
#define SBI_SRST_SHUTDOWN 0
#define SBI_SRST_NO_REASON 0
#define SBI_ERR_ALREADY_AVAILABLE (-6)
#define SBI_ERR_ALREADY_STARTED (-7)

/* hal_cpu_pa_bits: RV64's physical addresses are 56 bits (privileged spec 4.4: Sv39 to
 * Sv57 PTEs hold 44-bit PPNs); the G-stage's modes bound what a VM gets. */
#define RV64_PA_BITS 56u

/* How long hal_pcpu_start waits for a hart to come to secondary_entry, or to stop
 * itself after the firmware let it into _start (boot.S): generous, for a QEMU whose
 * threads a loaded host starves. */
#define START_WAIT_NS 5000000000ull
#define START_TRIES 3

static struct bm_cpu cpus[BM_MAX_PCPUS];
uint64_t bm_boot_hartid;

extern char secondary_entry[];
void bm_secondary_main(uint64_t id);

struct sbiret bm_sbi(uint64_t eid, uint64_t fid, uint64_t a0, uint64_t a1, uint64_t a2)
{
	register uint64_t r0 __asm__("a0") = a0;
	register uint64_t r1 __asm__("a1") = a1;
	register uint64_t r2 __asm__("a2") = a2;
	register uint64_t r6 __asm__("a6") = fid;
	register uint64_t r7 __asm__("a7") = eid;

	__asm__ volatile("ecall" : "+r"(r0), "+r"(r1) : "r"(r2), "r"(r6), "r"(r7) : "memory");
	return (struct sbiret){ (long)r0, (long)r1 };
}

struct bm_cpu *bm_cpu_of(unsigned cpu)
{
	return &cpus[cpu];
}

void bm_cpu_init(unsigned id)
{
	cpus[id].id = id;
	cpus[id].hartid = bm_board.ncpus ? bm_board.hartid[id] : bm_boot_hartid;
	__asm__ volatile("mv tp, %0" ::"r"(&cpus[id]) : "memory");
}

/* No aarch64 ID registers here; the riscv vCPU's view comes from arch/riscv64. */
uint64_t hal_cpu_id_reg(unsigned crm, unsigned op2)
{
	(void)crm;
	(void)op2;
	return 0;
}

unsigned hal_cpu_pa_bits(void)
{
	return RV64_PA_BITS;
}

static bool hart_stopped(uint64_t hartid)
{
	struct sbiret r = bm_sbi(SBI_EXT_HSM, SBI_HSM_HART_GET_STATUS, hartid, 0, 0);

	return r.error == 0 && r.value == SBI_HSM_STATE_STOPPED;
}

/* After a hart_start: 0 once the hart is in bm_secondary_main; -EAGAIN if it stopped
 * instead (the firmware sent it to _start, which stops a stray hart: boot.S), so that
 * it may be started again; -ETIMEDOUT if neither happened in time. */
static int wait_arrival(unsigned cpu)
{
	uint64_t end = hal_now_ns() + START_WAIT_NS;

	while (hal_now_ns() < end) {
		if (__atomic_load_n(&cpus[cpu].arrived, __ATOMIC_ACQUIRE))
			return 0;
		if (hart_stopped(bm_board.hartid[cpu]))
			return -EAGAIN;
		hal_cpu_relax();
	}
	return -ETIMEDOUT;
}

/* A hart that is not STOPPED although Tandem never started it is one the firmware let
 * into _start (boot.S), on its way back to STOPPED: wait for that, then start it. */
static int start_hart(unsigned cpu)
{
	uint64_t hartid = bm_board.hartid[cpu];

	for (unsigned tries = 0; tries < START_TRIES; tries++) {
		__atomic_store_n(&cpus[cpu].arrived, 0, __ATOMIC_RELEASE);
		struct sbiret r = bm_sbi(SBI_EXT_HSM, SBI_HSM_HART_START, hartid,
					 (uint64_t)(uintptr_t)secondary_entry, cpu);
		if (r.error == 0) {
			int err = wait_arrival(cpu);
			if (err != -EAGAIN)
				return err ? -EIO : 0;
			continue;
		}
		if (r.error != SBI_ERR_ALREADY_AVAILABLE && r.error != SBI_ERR_ALREADY_STARTED)
			return -EIO;
		uint64_t end = hal_now_ns() + START_WAIT_NS;
		while (!hart_stopped(hartid) && hal_now_ns() < end)
			hal_cpu_relax();
	}
	return -EBUSY;
}

int hal_pcpu_start(unsigned cpu, hal_pcpu_entry_t entry, void *arg)
{
	if (cpu >= hal_pcpu_count() || !entry)
		return -EINVAL;
	if (cpu == hal_pcpu_id() || __atomic_load_n(&cpus[cpu].running, __ATOMIC_ACQUIRE))
		return -EBUSY;
	cpus[cpu].entry = entry;
	cpus[cpu].arg = arg;
	__atomic_store_n(&cpus[cpu].running, 1, __ATOMIC_RELEASE);
	int err = start_hart(cpu);
	if (err)
		__atomic_store_n(&cpus[cpu].running, 0, __ATOMIC_RELEASE);
	return err;
}

/* From boot.S with a stack: this pCPU's identity and interrupts, then its entry; when
 * the entry returns, the hart stops itself (HSM hart_stop) and may be started again. */
void bm_secondary_main(uint64_t id)
{
	__atomic_store_n(&cpus[id].arrived, 1, __ATOMIC_RELEASE);
	bm_cpu_init((unsigned)id);
	bm_gic_cpu_init((unsigned)id);
	cpus[id].entry(cpus[id].arg);
	__atomic_store_n(&cpus[id].running, 0, __ATOMIC_RELEASE);
	bm_sbi(SBI_EXT_HSM, SBI_HSM_HART_STOP, 0, 0, 0);
}

/* WFI with sstatus.SIE clear still returns once an interrupt enabled in sie is
 * pending (privileged spec 3.3.3), which is what hal/cpu.h asks. */
void hal_cpu_idle(void)
{
	__asm__ volatile("fence\n\twfi" ::: "memory");
}

/* PAUSE (Zihintpause) is a FENCE hint that older harts execute as a no-op fence. */
void hal_cpu_relax(void)
{
	__asm__ volatile(".insn i 0x0F, 0, x0, x0, 0x010");
}

/* A panic while gdb held the line still reaches the console, as text. SRST shutdown
 * makes QEMU exit with status 0. */
_Noreturn void hal_halt(void)
{
	bm_console_divert(false);
	hal_console_flush();
	bm_sbi(SBI_EXT_SRST, SBI_SRST_RESET, SBI_SRST_SHUTDOWN, SBI_SRST_NO_REASON, 0);
	for (;;)
		__asm__ volatile("wfi");
}
