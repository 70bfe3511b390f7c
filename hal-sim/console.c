/* The simulation host's console: stdout for output, stdin (never blocking) for input. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <unistd.h>

#include "hal/console.h"
#include "hal/err.h"

void hal_console_write(const char *buf, size_t len)
{
	if (!buf || len == 0)
		return;
	flockfile(stdout);
	fwrite_unlocked(buf, 1, len, stdout);
	fflush_unlocked(stdout);
	funlockfile(stdout);
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
