/* The simulation host's console: stdout for output, stdin (never blocking) for input.
 * Tests can make the output as slow as a serial line, or stop it. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "hal-sim/sim.h"
#include "hal/console.h"
#include "hal/err.h"

static pthread_mutex_t con_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t con_resumed = PTHREAD_COND_INITIALIZER;
static bool con_paused;
static uint64_t con_ns_per_byte;

void hal_sim_console_set_speed(uint64_t ns_per_byte)
{
	pthread_mutex_lock(&con_lock);
	con_ns_per_byte = ns_per_byte;
	pthread_mutex_unlock(&con_lock);
}

void hal_sim_console_pause(bool paused)
{
	pthread_mutex_lock(&con_lock);
	con_paused = paused;
	pthread_cond_broadcast(&con_resumed);
	pthread_mutex_unlock(&con_lock);
}

int hal_sim_console_set_queue(size_t bytes)
{
	(void)bytes;
	return 0;
}

void hal_console_write(const char *buf, size_t len)
{
	if (!buf || len == 0)
		return;
	pthread_mutex_lock(&con_lock);
	while (con_paused)
		pthread_cond_wait(&con_resumed, &con_lock);
	uint64_t ns = con_ns_per_byte * len;
	pthread_mutex_unlock(&con_lock);
	flockfile(stdout);
	fwrite_unlocked(buf, 1, len, stdout);
	fflush_unlocked(stdout);
	funlockfile(stdout);
	if (ns) {
		struct timespec ts = { (time_t)(ns / 1000000000u), (long)(ns % 1000000000u) };
		nanosleep(&ts, NULL);
	}
}

void hal_console_flush(void)
{
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
