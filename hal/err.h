/* The project-wide error codes. Functions that can fail return 0 or a negative code.
 * The values are Linux's, so that a hosted file that also includes <errno.h> sees the
 * same (identical) definitions and a log line can name them either way. */
#ifndef HAL_ERR_H
#define HAL_ERR_H

#define EPERM 1
#define ENOENT 2
#define ESRCH 3
#define EIO 5
#define E2BIG 7
#define EAGAIN 11
#define EACCES 13
#define ENOMEM 12
#define EFAULT 14
#define EBUSY 16
#define EEXIST 17
#define ENODEV 19
#define EINVAL 22
#define ENOSPC 28
#define EPIPE 32
#define ERANGE 34
#define EDEADLK 35
#define ENOSYS 38
#define EOVERFLOW 75
#define EOPNOTSUPP 95
#define EADDRINUSE 98
#define ENOTCONN 107
#define ETIMEDOUT 110
#define EALREADY 114

#endif
