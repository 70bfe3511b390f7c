/* Every board's pCPU identity (hal/cpu.h): the count the DTB gave (1 without one) and
 * this pCPU's index and per-CPU data, from its struct bm_cpu (the board's bm_self()). */
#include "hal-baremetal/bm.h"
#include "hal/cpu.h"

unsigned hal_pcpu_count(void)
{
	return bm_board.ncpus ? bm_board.ncpus : 1;
}

unsigned hal_pcpu_id(void)
{
	return bm_self()->id;
}

void hal_percpu_set(void *data)
{
	bm_self()->percpu = data;
}

void *hal_percpu_get(void)
{
	return bm_self()->percpu;
}
