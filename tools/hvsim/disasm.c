/* The disassembly hvsim --trace shows after each exit's instruction word: core's trace
 * decorator (vm_set_trace_decorator), the text tools/trace-disasm adds to a bare-metal
 * trace (tools/trace-disasm/a64text.c), so that both hosts' traces read alike. Trace
 * lines come from every pCPU thread at once and capstone's handle keeps state per
 * call: one caller at a time (a trace is slow anyway). */
#include <pthread.h>
#include <stdlib.h>

#include "core/vm.h"
#include "tools/hvsim/hvsim.h"
#include "tools/trace-disasm/a64text.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void disasm(uint32_t insn, char *buf, size_t size)
{
	pthread_mutex_lock(&lock);
	a64_text(insn, buf, size);
	pthread_mutex_unlock(&lock);
}

/* At exit, when no pCPU traces any more: capstone's handle back (LeakSanitizer). */
static void uninstall(void)
{
	vm_set_trace_decorator(NULL);
	a64_text_close();
}

void hvsim_disasm_install(void)
{
	static bool installed;

	if (installed)
		return;
	installed = true;
	vm_set_trace_decorator(disasm);
	atexit(uninstall);
}
