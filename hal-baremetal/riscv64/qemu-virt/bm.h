/* Shared by the bare-metal HAL files for riscv64 on QEMU's virt board, where Tandem runs
 * in HS-mode under OpenSBI (SBI v1.0) with satp Bare: host-physical addresses are the
 * host's own. */
#ifndef HAL_BM_RISCV64_QEMU_VIRT_H
#define HAL_BM_RISCV64_QEMU_VIRT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hal/mm.h"

#define BM_MAX_PCPUS 8 /* boot.S has as many stacks */
#define BM_PRIVILEGE "HS-mode" /* main.c's banner: where Tandem runs */
#define BM_IRQCHIP "PLIC"      /* main.c's panic when bm_gic_init finds none */

/* CSRs by number where the assembler may not know the name (privileged spec, 2.2). */
#define CSR_SSTATUS 0x100
#define CSR_SIE 0x104
#define CSR_STVEC 0x105
#define CSR_SIP 0x144
#define CSR_STIMECMP 0x14D /* Sstc */

#define csr_read(csr)                                                  \
	({                                                             \
		uint64_t v_;                                           \
		__asm__ volatile("csrr %0, %1" : "=r"(v_) : "i"(csr)); \
		v_;                                                    \
	})
#define csr_write(csr, v) __asm__ volatile("csrw %0, %1" ::"i"(csr), "r"((uint64_t)(v)) : "memory")
#define csr_set(csr, v) __asm__ volatile("csrs %0, %1" ::"i"(csr), "r"((uint64_t)(v)) : "memory")
#define csr_clear(csr, v) __asm__ volatile("csrc %0, %1" ::"i"(csr), "r"((uint64_t)(v)) : "memory")

/* sip / sie bits (privileged spec 4.1.3): supervisor software, timer, external. */
#define SIP_SSIP (1ull << 1)
#define SIP_STIP (1ull << 5)
#define SIP_SEIP (1ull << 9)
#define SSTATUS_SIE (1ull << 1)

static inline uint32_t mmio_read32(uint64_t addr)
{
	return *(volatile uint32_t *)(uintptr_t)addr;
}

static inline void mmio_write32(uint64_t addr, uint32_t v)
{
	*(volatile uint32_t *)(uintptr_t)addr = v;
}

#define BM_NO_CONTEXT 0xFFFFFFFFu

/* What the DTB told us; filled once by the boot pCPU before any other starts. */
struct bm_board {
	uint64_t uart_base, uart_size; /* the console; size 0: none */
	uint64_t plic_base, plic_size;
	uint32_t plic_ndev; /* riscv,ndev: sources 1 .. plic_ndev */
	const void *dtb;    /* checked by fdt_platform; stays where the loader put it */
	uint64_t dtb_size;
	uint64_t image_base, image_size;
	uint64_t timebase_hz; /* /cpus timebase-frequency: rdtime's rate */
	unsigned ncpus;
	uint64_t hartid[BM_MAX_PCPUS];      /* pCPU i is hart hartid[i]; 0 is the boot hart */
	uint32_t plic_context[BM_MAX_PCPUS]; /* pCPU i's S-mode PLIC context, or
					      * BM_NO_CONTEXT */
	size_t nram;
	struct hal_mem_range ram[HAL_MAX_MEM_RANGES]; /* usable, for the frame allocator */
	const char *bootargs; /* /chosen/bootargs (QEMU -append), "" if none */
};

extern struct bm_board bm_board;
/* What hal_passthrough_check (common/mm.c) keeps from VMs besides the image, the DTB
 * and the console: the PLIC. */
#define BM_OWN_IRQCHIP { bm_board.plic_base, bm_board.plic_size, "the PLIC" },
extern uint64_t bm_boot_hartid; /* boot.S: a0 at entry */

/* An SBI call (SBI spec v1.0, chapter 3): error in a0, value in a1. */
struct sbiret {
	long error;
	long value;
};
struct sbiret bm_sbi(uint64_t eid, uint64_t fid, uint64_t a0, uint64_t a1, uint64_t a2);

void bm_console_init(uint64_t base);
/* The console's line shared with a debugger: the contract of the aarch64 HAL's bm.h. */
int bm_console_write_raw(const void *buf, size_t len, uint64_t wait_ns);
void bm_console_divert(bool on);
bool bm_console_diverted(void);
size_t bm_console_take(char *buf, size_t len);
void bm_mmu_init(void);             /* nothing: HS-mode runs with satp Bare */
int bm_gic_init(void);              /* boot pCPU: the PLIC's sources */
void bm_gic_cpu_init(unsigned cpu); /* every pCPU: its PLIC context and sie */
void bm_cpu_init(unsigned id);      /* tp -> this pCPU's HAL data */
void bm_time_init(void);            /* boot pCPU, once: Sstc or SBI for the host timer */
bool bm_time_sstc(void);            /* whether the host timer is stimecmp (Sstc) */
/* While bm_probing, the host trap handler skips an instruction that raises an
 * illegal-instruction exception and sets bm_probe_trapped (exception.c). */
extern volatile bool bm_probing, bm_probe_trapped;

/* The pCPU's identity: tp points at one of these. The first four doublewords and
 * `loaded` belong to the world switch (the next stage): keep their order. */
struct guest_ctx;
struct guest_exit;
struct bm_cpu {
	struct guest_ctx *guest;  /* the context hal_guest_enter runs */
	struct guest_exit *exit;  /* where it records the exit */
	uint64_t host_sp;         /* the host's stack across a guest's stay */
	uint64_t scratch;         /* one spare doubleword for the exit path */
	struct guest_ctx *loaded; /* whose state the hardware holds */
	unsigned id;
	uint64_t hartid;
	void *percpu;
	void (*entry)(void *arg);
	void *arg;
	uint32_t running;
	uint32_t arrived;     /* in bm_secondary_main since the last hart_start (cpu.c) */
	uint32_t ipi_pending; /* bit n: hal IPI n, raised as one SSIP by SBI send_ipi */
};

/* An exception taken in HS-mode (a hypervisor bug): report it and stop the machine.
 * tools/tandem/board_riscv64.inc, as main.c's bm_exception is for aarch64. */
_Noreturn void bm_trap_fatal(uint64_t scause, uint64_t sepc, uint64_t stval);

/* pCPU cpu's (cpu.c). */
struct bm_cpu *bm_cpu_of(unsigned cpu);

/* This pCPU's (tp). */
static inline struct bm_cpu *bm_self(void)
{
	struct bm_cpu *c;

	__asm__ volatile("mv %0, tp" : "=r"(c));
	return c;
}

#endif
