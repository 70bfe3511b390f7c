/* The hypervisor's log and its panic. Every line goes to the HAL console with the
 * pCPU it came from, in one write so lines of different pCPUs never interleave. */
#ifndef CORE_LOG_H
#define CORE_LOG_H

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };

#define LOG_LINE_MAX 256

void log_set_level(enum log_level max);
void log_printf(enum log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_err(...) log_printf(LOG_ERROR, __VA_ARGS__)
#define log_warn(...) log_printf(LOG_WARN, __VA_ARGS__)
#define log_info(...) log_printf(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_printf(LOG_DEBUG, __VA_ARGS__)

/* For a broken hypervisor invariant only, never for anything a guest, a config file,
 * a fuzzer or a debugger can cause: print file:line and the message, stop the machine. */
_Noreturn void panic_at(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define panic(...) panic_at(__FILE__, __LINE__, __VA_ARGS__)
#define TD_ASSERT(cond)                                             \
	do {                                                        \
		if (!(cond))                                        \
			panic("assertion failed: %s", #cond);       \
	} while (0)

#endif
