/* The VM plan of riscv64's stage 1: none (tools/scn2c refuses a scenario without a VM,
 * and no guest runs before the world switch). main.c then only brings the pCPUs up,
 * runs the self-test if asked, and powers off. */
#include "core/vmset.h"

const struct vm_plan tandem_plan = { 0 };
