/* The guests' share of the host console (console.h): the escape rule, and the wait list
 * of sources whose line the HAL's queue refused. One lock guards the list; it is held
 * only while lines are handed to hal_console_queue, which never waits, so no pCPU
 * ever waits on it for longer than a few copies. Lock order: this lock, then a
 * source's own lock (and what its interrupt line takes), then the HAL's. */
#include <stddef.h>

#include "core/console.h"
#include "core/mem.h"
#include "core/timer.h"
#include "hal/console.h"
#include "hal/spinlock.h"
#include "hal/time.h"

/* How often the waiting sources are retried while the queue is full. */
#define CONSOLE_RETRY_NS 1000000ull
/* Lines one pump hands over at most, so that the lock is never held for long. */
#define CONSOLE_PUMP_MAX 32u

static const char hex[] = "0123456789abcdef";

unsigned console_escape(uint8_t c, char out[CONSOLE_ESCAPE_MAX])
{
	if (c == '\\') {
		out[0] = out[1] = '\\';
		return 2;
	}
	if (c == '\t' || (c >= 0x20 && c < 0x7F)) {
		out[0] = (char)c;
		return 1;
	}
	out[0] = '\\';
	out[1] = 'x';
	out[2] = hex[c >> 4];
	out[3] = hex[c & 0xF];
	return 4;
}

static void console_retry(struct timer *t, void *arg);

static struct spinlock console_lock = SPINLOCK_INIT;
static struct console_src *wait_head, *wait_tail;
static unsigned nwaiting;
static struct timer retry_timer = { .fn = console_retry };
static bool retry_armed;
static uint64_t retry_deadline;

void console_src_init(struct console_src *src, enum console_send (*send)(struct console_src *src))
{
	*src = (struct console_src){ .send = send };
}

static void wait_push(struct console_src *src)
{
	src->next = NULL;
	src->waiting = true;
	if (wait_tail)
		wait_tail->next = src;
	else
		wait_head = src;
	wait_tail = src;
	__atomic_fetch_add(&nwaiting, 1, __ATOMIC_RELAXED);
}

static struct console_src *wait_pop(void)
{
	struct console_src *src = wait_head;

	wait_head = src->next;
	if (!wait_head)
		wait_tail = NULL;
	src->next = NULL;
	src->waiting = false;
	__atomic_fetch_sub(&nwaiting, 1, __ATOMIC_RELAXED);
	return src;
}

static void wait_remove(struct console_src *src)
{
	struct console_src *prev = NULL;

	for (struct console_src *s = wait_head; s; prev = s, s = s->next) {
		if (s != src)
			continue;
		if (prev)
			prev->next = s->next;
		else
			wait_head = s->next;
		if (wait_tail == s)
			wait_tail = prev;
		s->next = NULL;
		s->waiting = false;
		__atomic_fetch_sub(&nwaiting, 1, __ATOMIC_RELAXED);
		return;
	}
}

/* Come back later while sources wait or the HAL still holds output it cannot move on
 * by itself. A timer that was armed on a pCPU that has since gone away never fires:
 * long past its deadline it is armed again. Lock held. */
static void retry_later(void)
{
	uint64_t now = hal_now_ns();

	if (retry_armed && now < retry_deadline + 100 * CONSOLE_RETRY_NS)
		return;
	retry_deadline = now + CONSOLE_RETRY_NS;
	/* Without core on this pCPU (-ENODEV) the next offer or pump retries instead. */
	retry_armed = timer_arm(&retry_timer, retry_deadline) == 0;
}

/* Serve the wait list in turn: the oldest waiter's line, then it goes to the back if
 * it has another; stop at the first refusal, which keeps its place. Lock held. */
static void pump_locked(void)
{
	bool pending = hal_console_poll();

	for (unsigned i = 0; wait_head && i < CONSOLE_PUMP_MAX; i++) {
		enum console_send r = wait_head->send(wait_head);
		if (r == CONSOLE_FULL)
			break;
		struct console_src *src = wait_pop();
		if (r == CONSOLE_SENT_MORE)
			wait_push(src);
	}
	if (wait_head || pending)
		retry_later();
}

static void console_retry(struct timer *t, void *arg)
{
	(void)t;
	(void)arg;
	spin_lock(&console_lock);
	retry_armed = false;
	pump_locked();
	spin_unlock(&console_lock);
}

void console_offer(struct console_src *src)
{
	spin_lock(&console_lock);
	if (!src->closed && !src->waiting)
		wait_push(src);
	pump_locked();
	spin_unlock(&console_lock);
}

void console_pump(void)
{
	spin_lock(&console_lock);
	pump_locked();
	spin_unlock(&console_lock);
}

void console_close(struct console_src *src)
{
	spin_lock(&console_lock);
	src->closed = true;
	if (src->waiting)
		wait_remove(src);
	if (!wait_head && retry_armed) {
		timer_cancel(&retry_timer); /* a callback already running finds nothing to do */
		retry_armed = false;
	}
	spin_unlock(&console_lock);
}

unsigned console_waiting(void)
{
	return __atomic_load_n(&nwaiting, __ATOMIC_RELAXED);
}

unsigned console_prefix(char *out, const char *name, unsigned name_max)
{
	size_t n = name ? td_strnlen(name, name_max - 1) : 0;
	unsigned len = 0;

	out[len++] = '[';
	for (size_t i = 0; i < n; i++)
		len += console_escape((uint8_t)name[i], out + len);
	out[len++] = ']';
	out[len++] = ' ';
	return len;
}

bool console_line_put(char *text, unsigned *len, unsigned max, uint8_t c, bool *ready)
{
	char esc[CONSOLE_ESCAPE_MAX];
	unsigned w = c == '\r' || c == '\n' ? 0 : console_escape(c, esc);

	if (*len + w > max)
		return false;
	for (unsigned i = 0; i < w; i++)
		text[*len + i] = esc[i];
	*len += w;
	*ready = c == '\n';
	return true;
}

unsigned console_line_format(char *out, const char *prefix, unsigned prefix_len,
			     const char *text, unsigned len)
{
	for (unsigned i = 0; i < prefix_len; i++)
		out[i] = prefix[i];
	for (unsigned i = 0; i < len; i++)
		out[prefix_len + i] = text[i];
	out[prefix_len + len] = '\n';
	return prefix_len + len + 1;
}
