/* RISC-V CSR numbers, fields and trap causes that a hypervisor in HS-mode uses (RISC-V
 * Privileged Architecture 20211203: "Supervisor-Level ISA" and "Hypervisor
 * Extension"; Sstc for the timer compare registers). Data only. */
#ifndef ARCH_RISCV64_CSR_H
#define ARCH_RISCV64_CSR_H

/* ---- CSR numbers (privileged spec, Table 2.2 "Currently allocated RISC-V
 * supervisor-level / hypervisor and VS CSR addresses") ------------------------------- */
#define CSR_FFLAGS     0x001
#define CSR_FRM        0x002
#define CSR_FCSR       0x003
#define CSR_CYCLE      0xC00
#define CSR_TIME       0xC01
#define CSR_INSTRET    0xC02

#define CSR_SSTATUS    0x100
#define CSR_SIE        0x104
#define CSR_STVEC      0x105
#define CSR_SCOUNTEREN 0x106
#define CSR_SENVCFG    0x10A
#define CSR_SSCRATCH   0x140
#define CSR_SEPC       0x141
#define CSR_SCAUSE     0x142
#define CSR_STVAL      0x143
#define CSR_SIP        0x144
#define CSR_STIMECMP   0x14D
#define CSR_SATP       0x180

#define CSR_VSSTATUS   0x200
#define CSR_VSIE       0x204
#define CSR_VSTVEC     0x205
#define CSR_VSSCRATCH  0x240
#define CSR_VSEPC      0x241
#define CSR_VSCAUSE    0x242
#define CSR_VSTVAL     0x243
#define CSR_VSIP       0x244
#define CSR_VSTIMECMP  0x24D
#define CSR_VSATP      0x280

#define CSR_HSTATUS    0x600
#define CSR_HEDELEG    0x602
#define CSR_HIDELEG    0x603
#define CSR_HIE        0x604
#define CSR_HTIMEDELTA 0x605
#define CSR_HCOUNTEREN 0x606
#define CSR_HGEIE      0x607
#define CSR_HENVCFG    0x60A
#define CSR_HTVAL      0x643
#define CSR_HIP        0x644
#define CSR_HVIP       0x645
#define CSR_HTINST     0x64A
#define CSR_HGATP      0x680
#define CSR_HGEIP      0xE12

/* ---- sstatus (and vsstatus, the same layout for VS-mode), section 4.1.1 ----------- */
#define SSTATUS_SIE  (1ull << 1)
#define SSTATUS_SPIE (1ull << 5)
#define SSTATUS_UBE  (1ull << 6)
#define SSTATUS_SPP  (1ull << 8) /* the privilege trapped from: 1 S (VS), 0 U (VU) */
#define SSTATUS_VS   (3ull << 9)
#define SSTATUS_FS   (3ull << 13)
#define SSTATUS_FS_OFF     (0ull << 13)
#define SSTATUS_FS_INITIAL (1ull << 13)
#define SSTATUS_FS_CLEAN   (2ull << 13)
#define SSTATUS_FS_DIRTY   (3ull << 13)
#define SSTATUS_XS   (3ull << 15)
#define SSTATUS_SUM  (1ull << 18)
#define SSTATUS_MXR  (1ull << 19)
#define SSTATUS_UXL  (3ull << 32)
#define SSTATUS_UXL_64 (2ull << 32)
#define SSTATUS_SD   (1ull << 63)

/* ---- hstatus, section 8.2.1 --------------------------------------------------------- */
#define HSTATUS_VSBE  (1ull << 5)
#define HSTATUS_GVA   (1ull << 6)  /* stval holds a guest virtual address */
#define HSTATUS_SPV   (1ull << 7)  /* the trap came from V=1 */
#define HSTATUS_SPVP  (1ull << 8)  /* V=1's privilege at the trap: 1 VS, 0 VU */
#define HSTATUS_HU    (1ull << 9)
#define HSTATUS_VGEIN (0x3Full << 12)
#define HSTATUS_VTVM  (1ull << 20)
#define HSTATUS_VTW   (1ull << 21)
#define HSTATUS_VTSR  (1ull << 22)
#define HSTATUS_VSXL  (3ull << 32)
#define HSTATUS_VSXL_64 (2ull << 32)

/* ---- Interrupts: bit n of sip/sie/hip/hie/hvip/hideleg is cause n (section 8.2.3) -- */
#define IRQ_S_SOFT   1
#define IRQ_VS_SOFT  2
#define IRQ_S_TIMER  5
#define IRQ_VS_TIMER 6
#define IRQ_S_EXT    9
#define IRQ_VS_EXT   10
#define IRQ_S_GEXT   12
#define MIP_SSIP   (1ull << IRQ_S_SOFT)
#define MIP_VSSIP  (1ull << IRQ_VS_SOFT)
#define MIP_STIP   (1ull << IRQ_S_TIMER)
#define MIP_VSTIP  (1ull << IRQ_VS_TIMER)
#define MIP_SEIP   (1ull << IRQ_S_EXT)
#define MIP_VSEIP  (1ull << IRQ_VS_EXT)
#define MIP_SGEIP  (1ull << IRQ_S_GEXT)
#define MIP_VS_MASK (MIP_VSSIP | MIP_VSTIP | MIP_VSEIP)

/* ---- scause: the interrupt bit and the exception codes (Table 4.2, Table 8.7) ------ */
#define SCAUSE_INTERRUPT (1ull << 63)
#define CAUSE_MISALIGNED_FETCH    0
#define CAUSE_FETCH_ACCESS        1
#define CAUSE_ILLEGAL_INSN        2
#define CAUSE_BREAKPOINT          3
#define CAUSE_MISALIGNED_LOAD     4
#define CAUSE_LOAD_ACCESS         5
#define CAUSE_MISALIGNED_STORE    6
#define CAUSE_STORE_ACCESS        7
#define CAUSE_USER_ECALL          8  /* from U-mode or VU-mode */
#define CAUSE_SUPERVISOR_ECALL    9  /* from HS-mode */
#define CAUSE_VIRTUAL_SUPERVISOR_ECALL 10 /* from VS-mode */
#define CAUSE_MACHINE_ECALL       11
#define CAUSE_FETCH_PAGE_FAULT    12
#define CAUSE_LOAD_PAGE_FAULT     13
#define CAUSE_STORE_PAGE_FAULT    15
#define CAUSE_FETCH_GUEST_PAGE_FAULT 20
#define CAUSE_LOAD_GUEST_PAGE_FAULT  21
#define CAUSE_VIRTUAL_INSTRUCTION    22
#define CAUSE_STORE_GUEST_PAGE_FAULT 23
#define CAUSE_EXCEPTION_COUNT        24

/* ---- Address translation: satp / vsatp (section 4.1.11) and hgatp (8.2.10) ---------- */
#define SATP_MODE_SHIFT 60
#define SATP_MODE_BARE  0ull
#define SATP_MODE_SV39  8ull
#define SATP_MODE_SV48  9ull
#define SATP_ASID_SHIFT 44
#define SATP_ASID_MASK  0xFFFFull
#define SATP_PPN_MASK   0xFFFFFFFFFFFull
#define HGATP_VMID_SHIFT 44
#define HGATP_VMID_MASK  0x3FFFull

/* ---- Counters and environment configuration ------------------------------------------ */
#define HCOUNTEREN_CY (1ull << 0)
#define HCOUNTEREN_TM (1ull << 1)
#define HCOUNTEREN_IR (1ull << 2)
#define ENVCFG_FIOM  (1ull << 0)
#define ENVCFG_CBIE  (3ull << 4)
#define ENVCFG_CBCFE (1ull << 6)
#define ENVCFG_CBZE  (1ull << 7)
#define ENVCFG_PBMTE (1ull << 62)
#define ENVCFG_STCE  (1ull << 63) /* Sstc: stimecmp / vstimecmp usable */

/* ---- htinst pseudoinstructions for an implicit access of a guest page-table walk that
 * took a guest-page fault (section 8.6.3, Table 8.12) ---------------------------------- */
#define HTINST_PSEUDO_READ32  0x2000ull
#define HTINST_PSEUDO_WRITE32 0x2020ull
#define HTINST_PSEUDO_READ64  0x3000ull
#define HTINST_PSEUDO_WRITE64 0x3020ull

#endif
