/* The debugger transport of the simulation host (hal/debug.h): a TCP listener on the
 * loopback interface, one client at a time, every socket non-blocking so that the
 * pCPU thread that polls it never waits on gdb. */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hal/debug.h"
#include "hal/time.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int listener = -1;
static int client = -1;

int hal_debug_listen(unsigned port, unsigned *bound)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(a);
	int one = 1, err = 0;

	if (port > 65535)
		return -EINVAL;
	pthread_mutex_lock(&lock);
	if (listener >= 0) {
		pthread_mutex_unlock(&lock);
		return -EBUSY;
	}
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 1) ||
	    getsockname(fd, (struct sockaddr *)&a, &alen)) {
		err = errno == EADDRINUSE || errno == EACCES ? -errno : -EIO;
		if (fd >= 0)
			close(fd);
	} else {
		listener = fd;
		if (bound)
			*bound = ntohs(a.sin_port);
	}
	pthread_mutex_unlock(&lock);
	return err;
}

/* With the lock held. */
static void drop_client(void)
{
	if (client >= 0)
		close(client);
	client = -1;
}

long hal_debug_read(void *buf, size_t len)
{
	long ret;
	int one = 1;

	pthread_mutex_lock(&lock);
	if (client < 0 && listener >= 0) {
		client = accept4(listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (client >= 0) /* gdb's packets are small and each waits for its answer */
			setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	}
	if (client < 0) {
		pthread_mutex_unlock(&lock);
		return -ENOTCONN;
	}
	ssize_t n = len ? recv(client, buf, len, 0) : 0;
	if (n > 0)
		ret = n;
	else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		ret = 0;
	else if (n == 0 && len == 0)
		ret = 0;
	else {
		drop_client(); /* 0: an orderly close; anything else: gone all the same */
		ret = -EPIPE;
	}
	pthread_mutex_unlock(&lock);
	return ret;
}

int hal_debug_write(const void *buf, size_t len)
{
	const char *p = buf;
	uint64_t deadline = hal_now_ns() + HAL_DEBUG_WRITE_WAIT_NS;
	int err = 0;

	pthread_mutex_lock(&lock);
	if (client < 0)
		err = -ENOTCONN;
	while (!err && len) {
		ssize_t n = send(client, p, len, MSG_NOSIGNAL);
		if (n > 0) {
			p += n;
			len -= (size_t)n;
			deadline = hal_now_ns() + HAL_DEBUG_WRITE_WAIT_NS;
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) &&
		    hal_now_ns() < deadline) {
			struct pollfd pfd = { .fd = client, .events = POLLOUT };
			poll(&pfd, 1, 10);
			continue;
		}
		drop_client();
		err = -EPIPE;
	}
	pthread_mutex_unlock(&lock);
	return err;
}

void hal_debug_hangup(void)
{
	pthread_mutex_lock(&lock);
	drop_client();
	pthread_mutex_unlock(&lock);
}

void hal_debug_close(void)
{
	pthread_mutex_lock(&lock);
	drop_client();
	if (listener >= 0)
		close(listener);
	listener = -1;
	pthread_mutex_unlock(&lock);
}
