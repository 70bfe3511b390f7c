/* The simulation host's console: output through a queue that a thread of its own (not a
 * pCPU) writes to stdout, at stdout's pace or, for tests, at a serial line's or not at
 * all; input from stdin, never blocking. Without a machine (hal_sim_init) output is
 * written at once by the caller. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hal-sim/internal.h"
#include "hal-sim/sim.h"
#include "hal/console.h"
#include "hal/err.h"

#define CON_QUEUE_DEFAULT (16u * 1024)
#define CON_QUEUE_MIN 512u /* a quarter is Tandem's: the rest holds a whole PL011 line */
#define CON_QUEUE_MAX (1u << 20)
#define CON_CHUNK 4096u      /* bytes the thread writes at once */
#define CON_CHUNK_SLOW 64u   /* ... when it plays a serial line */

/* lock guards everything; more wakes the writer thread, room whoever waits for space
 * or for the queue to empty. */
static struct {
	pthread_mutex_t lock;
	pthread_cond_t more, room;
	char *buf;
	size_t cap, head, len; /* queued: buf[head .. head + len) modulo cap */
	bool running, stop, paused;
	uint64_t ns_per_byte;
	pthread_t thread;
	hal_sim_console_sink_fn sink;
	void *sink_arg;
} con = { .lock = PTHREAD_MUTEX_INITIALIZER, .more = PTHREAD_COND_INITIALIZER,
	  .room = PTHREAD_COND_INITIALIZER };

static void write_stdout(const char *buf, size_t len)
{
	flockfile(stdout);
	fwrite_unlocked(buf, 1, len, stdout);
	fflush_unlocked(stdout);
	funlockfile(stdout);
}

static void sleep_ns(uint64_t ns)
{
	struct timespec ts = { (time_t)(ns / 1000000000u), (long)(ns % 1000000000u) };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* The console itself: takes bytes off the queue only once they are written, so the
 * queue's free space is what the console has really taken. At the end (stop) it writes
 * whatever is left, paused or not. */
static void *con_thread(void *arg)
{
	char chunk[CON_CHUNK];
	(void)arg;

	pthread_mutex_lock(&con.lock);
	for (;;) {
		while (!(con.len && (!con.paused || con.stop)) && !con.stop)
			pthread_cond_wait(&con.more, &con.lock);
		if (!con.len)
			break; /* stopping, and nothing left */
		size_t n = con.cap - con.head < con.len ? con.cap - con.head : con.len;
		size_t most = con.ns_per_byte ? CON_CHUNK_SLOW : CON_CHUNK;
		n = n < most ? n : most;
		memcpy(chunk, con.buf + con.head, n);
		uint64_t ns = con.stop ? 0 : con.ns_per_byte * n;
		pthread_mutex_unlock(&con.lock);
		write_stdout(chunk, n);
		if (ns)
			sleep_ns(ns);
		pthread_mutex_lock(&con.lock);
		con.head = (con.head + n) % con.cap;
		con.len -= n;
		pthread_cond_broadcast(&con.room);
	}
	pthread_mutex_unlock(&con.lock);
	return NULL;
}

/* Append to the queue, which has room. Lock held. */
static void con_put(const char *buf, size_t len)
{
	size_t tail = (con.head + con.len) % con.cap;
	size_t first = con.cap - tail < len ? con.cap - tail : len;

	memcpy(con.buf + tail, buf, first);
	memcpy(con.buf, buf + first, len - first);
	con.len += len;
	pthread_cond_signal(&con.more);
}

/* A program that exits (or halts) mid-run: whatever is queued still goes out. */
void sim_console_drain(void)
{
	hal_sim_console_pause(false);
	hal_console_flush();
}

static void con_atexit(void)
{
	sim_console_drain();
}

int sim_console_init(void)
{
	static bool registered;

	pthread_mutex_lock(&con.lock);
	con.cap = CON_QUEUE_DEFAULT;
	con.buf = malloc(con.cap);
	con.head = con.len = 0;
	con.stop = con.paused = false;
	con.ns_per_byte = 0;
	con.sink = NULL;
	int err = con.buf ? 0 : -ENOMEM;
	if (!err && pthread_create(&con.thread, NULL, con_thread, NULL) != 0)
		err = -ENOMEM;
	con.running = err == 0;
	if (err) {
		free(con.buf);
		con.buf = NULL;
	}
	if (!err && !registered)
		registered = atexit(con_atexit) == 0; /* a program that exits mid-run */
	pthread_mutex_unlock(&con.lock);
	return err;
}

void sim_console_fini(void)
{
	pthread_mutex_lock(&con.lock);
	if (!con.running) {
		pthread_mutex_unlock(&con.lock);
		return;
	}
	con.stop = true;
	pthread_cond_signal(&con.more);
	pthread_mutex_unlock(&con.lock);
	pthread_join(con.thread, NULL);
	pthread_mutex_lock(&con.lock);
	con.running = false;
	con.sink = NULL;
	free(con.buf);
	con.buf = NULL;
	pthread_cond_broadcast(&con.room);
	pthread_mutex_unlock(&con.lock);
}

void hal_console_write(const char *buf, size_t len)
{
	if (!buf || len == 0)
		return;
	pthread_mutex_lock(&con.lock);
	if (con.sink) {
		con.sink(con.sink_arg, buf, len, false);
	} else if (!con.running) {
		write_stdout(buf, len);
	} else {
		while (len) {
			size_t n = len < con.cap ? len : con.cap;
			while (con.running && con.cap - con.len < n)
				pthread_cond_wait(&con.room, &con.lock);
			if (!con.running) {
				write_stdout(buf, len);
				break;
			}
			con_put(buf, n);
			buf += n;
			len -= n;
		}
	}
	pthread_mutex_unlock(&con.lock);
}

int hal_console_queue(const char *buf, size_t len)
{
	int err = 0;

	if (!buf || len > HAL_CONSOLE_LINE_MAX)
		return -EINVAL;
	if (len == 0)
		return 0;
	pthread_mutex_lock(&con.lock);
	if (con.sink)
		err = con.sink(con.sink_arg, buf, len, true) == -EAGAIN ? -EAGAIN : 0;
	else if (!con.running)
		write_stdout(buf, len);
	else if (con.len + len > con.cap - con.cap / 4)
		err = -EAGAIN; /* the guests' three quarters are full */
	else
		con_put(buf, len);
	pthread_mutex_unlock(&con.lock);
	return err;
}

bool hal_console_poll(void)
{
	return false; /* the console thread moves everything on */
}

void hal_console_flush(void)
{
	pthread_mutex_lock(&con.lock);
	while (con.running && con.len)
		pthread_cond_wait(&con.room, &con.lock);
	pthread_mutex_unlock(&con.lock);
}

void hal_sim_console_set_speed(uint64_t ns_per_byte)
{
	pthread_mutex_lock(&con.lock);
	con.ns_per_byte = ns_per_byte;
	pthread_mutex_unlock(&con.lock);
}

void hal_sim_console_pause(bool paused)
{
	pthread_mutex_lock(&con.lock);
	con.paused = paused;
	pthread_cond_signal(&con.more);
	pthread_mutex_unlock(&con.lock);
}

int hal_sim_console_set_queue(size_t bytes)
{
	int err = 0;

	if (bytes == 0)
		bytes = CON_QUEUE_DEFAULT;
	if (bytes < CON_QUEUE_MIN || bytes > CON_QUEUE_MAX)
		return -EINVAL;
	pthread_mutex_lock(&con.lock);
	char *buf = con.running && !con.len ? malloc(bytes) : NULL;
	if (!con.running || con.len) {
		err = -EBUSY;
	} else if (!buf) {
		err = -ENOMEM;
	} else {
		free(con.buf);
		con.buf = buf;
		con.cap = bytes;
		con.head = 0;
	}
	pthread_mutex_unlock(&con.lock);
	return err;
}

void hal_sim_console_sink(hal_sim_console_sink_fn fn, void *arg)
{
	hal_console_flush();
	pthread_mutex_lock(&con.lock);
	con.sink = fn;
	con.sink_arg = arg;
	pthread_mutex_unlock(&con.lock);
}

int hal_console_getc(char *c)
{
	if (!c)
		return -EINVAL;
	struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
	if (poll(&pfd, 1, 0) <= 0)
		return -EAGAIN;
	ssize_t n = read(STDIN_FILENO, c, 1);
	if (n == 1)
		return 0;
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return -EAGAIN;
	return -EIO;
}
