/* Log lines and panic; formatting is bounded by LOG_LINE_MAX, and a longer message is
 * cut with a visible "..." rather than silently. */
#include <stdarg.h>

#include "core/fmt.h"
#include "core/log.h"
#include "hal/console.h"
#include "hal/cpu.h"

static enum log_level log_max = LOG_INFO;
static const char *const level_tag[] = { "error: ", "warn: ", "", "debug: " };

void log_set_level(enum log_level max)
{
	log_max = max;
}

static void log_emit(const char *tag, const char *fmt, va_list ap)
{
	char line[LOG_LINE_MAX];
	int head = fmt_snprintf(line, sizeof(line), "[cpu%u] %s", hal_pcpu_id(), tag);
	size_t used = (size_t)head;
	int body = fmt_vsnprintf(line + used, sizeof(line) - used, fmt, ap);
	size_t len = used + (size_t)body;

	if (len > sizeof(line) - 2) {
		len = sizeof(line) - 2;
		line[len - 3] = line[len - 2] = line[len - 1] = '.';
	}
	line[len++] = '\n';
	hal_console_write(line, len);
}

void log_printf(enum log_level lvl, const char *fmt, ...)
{
	va_list ap;

	if (lvl > log_max)
		return;
	va_start(ap, fmt);
	log_emit(level_tag[lvl], fmt, ap);
	va_end(ap);
}

_Noreturn void panic_at(const char *file, int line, const char *fmt, ...)
{
	char where[LOG_LINE_MAX];
	va_list ap;

	fmt_snprintf(where, sizeof(where), "PANIC at %s:%d: ", file, line);
	va_start(ap, fmt);
	log_emit(where, fmt, ap);
	va_end(ap);
	hal_halt();
}
