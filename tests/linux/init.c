/* The linux suite's /init: a static aarch64 Linux program without a libc (raw system
 * calls), run by the kernel from the initramfs (rdinit=/init or rdinit=/init-reboot).
 * It checks what a booted system needs from the virtual machine, prints one marker line
 *
 *   tandem-init: boot B, cpus N, timer interrupts C0 C1 ..., file ok, counter T at F Hz
 *
 * (B: /chosen/tandem,boot-count, which Tandem's tree carries; N: the CPUs online; Ck:
 * the architected timer's interrupts on CPU k after init has run a while on each CPU;
 * "file ok" when a file written to the root file system reads back the same; T: the
 * virtual counter as the line is printed, which counts from the machine's start on
 * QEMU with and without Tandem, so scripts/bench reads the boot time off it). A line
 * typed on the console within 3 s after it comes back as "tandem-init: input TEXT"
 * (the PL011's receive interrupt, through the kernel's tty). Then it powers the machine
 * off. Run as /init-reboot on the first boot it reboots instead. Run as /init-gdb (the
 * gdb test, tests/linux/qemu-linux-gdb) it also prints where /proc/kallsyms puts a few
 * kernel symbols (hex, 0 for one it does not list),
 *
 *   tandem-init: kallsyms _stext VA jiffies_read VA linux_banner VA jiffies VA
 *
 * and waits up to 300 s for the line, while gdb reads the kernel. (Debian's System.map
 * is a stub, the real one is in a package of 800 MB, and its kernel lists no data
 * symbols in kallsyms: the test finds those two variables from the text symbols.) */
#include <stddef.h>
#include <stdint.h>

enum {
	SYS_mkdirat = 34, SYS_mount = 40, SYS_openat = 56, SYS_close = 57, SYS_read = 63,
	SYS_write = 64, SYS_ppoll = 73, SYS_nanosleep = 101, SYS_clock_gettime = 113,
	SYS_sched_setaffinity = 122, SYS_reboot = 142,
};
#define AT_FDCWD   (-100)
#define O_RDONLY   0
#define O_WRONLY   01
#define O_CREAT    0100
#define O_TRUNC    01000
#define CLOCK_MONOTONIC 1
#define REBOOT_MAGIC1 0xfee1dead
#define REBOOT_MAGIC2 672274793
#define REBOOT_POWER_OFF 0x4321FEDC
#define REBOOT_RESTART   0x01234567
#define MAX_CPUS 16

static long sys6(long n, long a, long b, long c, long d, long e, long f)
{
	register long x8 __asm__("x8") = n;
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;
	register long x2 __asm__("x2") = c;
	register long x3 __asm__("x3") = d;
	register long x4 __asm__("x4") = e;
	register long x5 __asm__("x5") = f;
	__asm__ volatile("svc #0"
			 : "+r"(x0)
			 : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5)
			 : "memory");
	return x0;
}

#define sys3(n, a, b, c) sys6((n), (long)(a), (long)(b), (long)(c), 0, 0, 0)

/* The compiler may call these for copies and clears even without a libc. */
void *memset(void *d, int c, size_t n);
void *memcpy(void *restrict d, const void *restrict s, size_t n);

void *memset(void *d, int c, size_t n)
{
	unsigned char *p = d;
	while (n--)
		*p++ = (unsigned char)c;
	return d;
}

void *memcpy(void *restrict d, const void *restrict s, size_t n)
{
	unsigned char *p = d;
	const unsigned char *q = s;
	while (n--)
		*p++ = *q++;
	return d;
}

static size_t str_len(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

/* The line being built, written to the console in one write so that it is not split
 * by the kernel's own messages. */
static char line[512];
static size_t line_len;

static void put(const char *s)
{
	while (*s && line_len < sizeof(line) - 1)
		line[line_len++] = *s++;
}

static void put_num(uint64_t v)
{
	char buf[24];
	int i = sizeof(buf);
	buf[--i] = 0;
	do
		buf[--i] = (char)('0' + v % 10);
	while ((v /= 10) && i > 0);
	put(&buf[i]);
}

static void flush(void)
{
	put("\n");
	sys3(SYS_write, 1, line, line_len);
	line_len = 0;
}

static void say(const char *s)
{
	put("tandem-init: ");
	put(s);
	flush();
}

/* The whole of a small file into buf (NUL-terminated): its length, or -1. */
static long read_file(const char *path, char *buf, size_t cap)
{
	long fd = sys3(SYS_openat, AT_FDCWD, path, O_RDONLY);
	size_t n = 0;

	if (fd < 0)
		return -1;
	while (n < cap - 1) {
		long r = sys3(SYS_read, fd, buf + n, cap - 1 - n);
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	sys3(SYS_close, fd, 0, 0);
	buf[n] = 0;
	return (long)n;
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static uint64_t parse_num(const char **s)
{
	uint64_t v = 0;
	while (is_digit(**s))
		v = v * 10 + (uint64_t)(*(*s)++ - '0');
	return v;
}

/* The CPUs a list such as "0-1,3" names, as a mask; 0 if none. */
static uint64_t parse_cpu_list(const char *s)
{
	uint64_t mask = 0;

	while (is_digit(*s)) {
		uint64_t a = parse_num(&s), b = a;
		if (*s == '-') {
			s++;
			b = parse_num(&s);
		}
		for (uint64_t c = a; c <= b && c < MAX_CPUS; c++)
			mask |= 1ull << c;
		if (*s != ',')
			break;
		s++;
	}
	return mask;
}

static uint64_t popcount(uint64_t v)
{
	uint64_t n = 0;
	for (; v; v &= v - 1)
		n++;
	return n;
}

static uint64_t now_ns(void)
{
	struct { long sec, nsec; } ts = { 0, 0 };
	sys3(SYS_clock_gettime, CLOCK_MONOTONIC, &ts, 0);
	return (uint64_t)ts.sec * 1000000000ull + (uint64_t)ts.nsec;
}

/* Run on each CPU of mask in turn for ms milliseconds, busy, so that each takes timer
 * interrupts even when the kernel stops the tick of an idle CPU. */
static void visit_cpus(uint64_t mask, unsigned ms)
{
	for (unsigned c = 0; c < MAX_CPUS; c++) {
		if (!(mask & (1ull << c)))
			continue;
		uint64_t one = 1ull << c;
		if (sys3(SYS_sched_setaffinity, 0, sizeof(one), &one) < 0)
			continue;
		uint64_t end = now_ns() + (uint64_t)ms * 1000000ull;
		while (now_ns() < end)
			;
	}
	uint64_t all = mask;
	sys3(SYS_sched_setaffinity, 0, sizeof(all), &all);
}

static char interrupts[64 * 1024];

/* The arch_timer line of /proc/interrupts, its per-CPU counts into count[]: the
 * number of CPU columns, or -1. */
static int timer_counts(uint64_t *count)
{
	if (read_file("/proc/interrupts", interrupts, sizeof(interrupts)) <= 0)
		return -1;
	int ncol = 0;
	const char *p = interrupts;
	for (; *p && *p != '\n'; p++)
		if (p[0] == 'C' && p[1] == 'P' && p[2] == 'U')
			ncol++;
	if (ncol > MAX_CPUS)
		ncol = MAX_CPUS;
	while (*p) {
		const char *start = ++p, *end = p;
		while (*end && *end != '\n')
			end++;
		int timer = 0;
		for (const char *q = start; q + 10 <= end; q++)
			if (q[0] == 'a' && q[1] == 'r' && q[2] == 'c' && q[3] == 'h' && q[4] == '_' &&
			    q[5] == 't' && q[6] == 'i' && q[7] == 'm' && q[8] == 'e' && q[9] == 'r')
				timer = 1;
		if (timer) {
			while (p < end && *p != ':')
				p++;
			for (int i = 0; i < ncol; i++) {
				while (p < end && !is_digit(*p))
					p++;
				count[i] = parse_num(&p);
			}
			return ncol;
		}
		p = end;
	}
	return -1;
}

/* Write a page of a pattern to a file of the root file system and read it back. */
static int file_round_trip(void)
{
	static char out[4096], in[4096 + 1];
	for (unsigned i = 0; i < sizeof(out); i++)
		out[i] = (char)(i * 7 + 3);
	long fd = sys6(SYS_openat, AT_FDCWD, (long)"/tandem-file", O_WRONLY | O_CREAT | O_TRUNC,
		       0644, 0, 0);
	if (fd < 0)
		return 0;
	long w = sys3(SYS_write, fd, out, sizeof(out));
	sys3(SYS_close, fd, 0, 0);
	if (w != (long)sizeof(out) || read_file("/tandem-file", in, sizeof(in)) != sizeof(out))
		return 0;
	for (unsigned i = 0; i < sizeof(out); i++)
		if (in[i] != out[i])
			return 0;
	return 1;
}

static void put_hex(uint64_t v)
{
	char buf[17];
	for (int i = 15; i >= 0; i--, v >>= 4)
		buf[i] = "0123456789abcdef"[v & 15];
	buf[16] = 0;
	put(buf);
}

/* Where /proc/kallsyms ("ADDR TYPE NAME" lines) puts each of names[]: into va[], 0
 * for one it does not list. Read a chunk at a time; a line cut by a chunk's end is
 * kept for the next. */
static void kallsyms(const char *const *names, uint64_t *va, unsigned n)
{
	static char buf[8192];
	size_t have = 0;
	long fd = sys6(SYS_openat, AT_FDCWD, (long)"/proc/kallsyms", O_RDONLY, 0, 0, 0);

	if (fd < 0)
		return;
	for (;;) {
		long r = sys3(SYS_read, fd, buf + have, sizeof(buf) - 1 - have);
		if (r <= 0)
			break;
		have += (size_t)r;
		char *p = buf, *end = buf + have;
		for (char *nl; (nl = p) < end; p = nl + 1) {
			while (nl < end && *nl != '\n')
				nl++;
			if (nl == end)
				break;
			*nl = 0;
			char *name = p;
			for (int spaces = 0; *name && spaces < 2; name++)
				spaces += *name == ' ';
			for (unsigned i = 0; i < n; i++) {
				size_t k = 0;
				while (names[i][k] && names[i][k] == name[k])
					k++;
				if (!names[i][k] && !name[k]) {
					uint64_t v = 0;
					for (const char *h = p; *h != ' '; h++)
						v = v << 4 | (uint64_t)(is_digit(*h) ? *h - '0' : *h - 'a' + 10);
					va[i] = v;
				}
			}
		}
		have = (size_t)(end - p);
		for (size_t i = 0; i < have; i++)
			buf[i] = p[i];
		if (have == sizeof(buf) - 1)
			have = 0; /* a line longer than the buffer: dropped */
	}
	sys3(SYS_close, fd, 0, 0);
}

/* A line typed on the console (the PL011's receive interrupt, through the tty) into
 * buf without its newline, if one arrives within three seconds: its length, or -1. */
static long console_line(char *buf, size_t cap, long seconds)
{
	struct { int fd; short events, revents; } pfd = { 0, 1 /* POLLIN */, 0 };
	struct { long sec, nsec; } ts = { seconds, 0 };
	size_t n = 0;

	while (n < cap - 1) {
		if (sys6(SYS_ppoll, (long)&pfd, 1, (long)&ts, 0, 0, 0) <= 0)
			return -1;
		long r = sys3(SYS_read, 0, buf + n, cap - 1 - n);
		if (r <= 0)
			return -1;
		n += (size_t)r;
		if (buf[n - 1] == '\n')
			break;
	}
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		n--;
	buf[n] = 0;
	return (long)n;
}

static uint32_t boot_count(void)
{
	unsigned char b[8];
	if (read_file("/sys/firmware/devicetree/base/chosen/tandem,boot-count", (char *)b,
		      sizeof(b)) != 4)
		return 0;
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static int ends_with(const char *s, const char *tail)
{
	size_t n = str_len(s), m = str_len(tail);
	if (n < m)
		return 0;
	for (size_t i = 0; i < m; i++)
		if (s[n - m + i] != tail[i])
			return 0;
	return 1;
}

void start_c(long *sp);

void start_c(long *sp)
{
	long argc = sp[0];
	char **argv = (char **)(sp + 1);
	static char online[256];
	uint64_t count[MAX_CPUS] = { 0 };

	if (sys6(SYS_mount, (long)"proc", (long)"/proc", (long)"proc", 0, 0, 0) < 0)
		say("cannot mount /proc");
	if (sys6(SYS_mount, (long)"sysfs", (long)"/sys", (long)"sysfs", 0, 0, 0) < 0)
		say("cannot mount /sys");
	uint64_t mask = 0;
	if (read_file("/sys/devices/system/cpu/online", online, sizeof(online)) > 0)
		mask = parse_cpu_list(online);
	visit_cpus(mask, 40);
	int ncol = timer_counts(count);
	uint32_t boot = boot_count();

	put("tandem-init: boot ");
	put_num(boot);
	put(", cpus ");
	put_num(popcount(mask));
	put(", timer interrupts");
	if (ncol < 0)
		put(" none");
	for (int i = 0; i < ncol; i++) {
		put(" ");
		put_num(count[i]);
	}
	put(file_round_trip() ? ", file ok" : ", file BAD");
	uint64_t cnt, freq;
	__asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(cnt));
	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(freq));
	put(", counter ");
	put_num(cnt);
	put(" at ");
	put_num(freq);
	put(" Hz");
	flush();

	int gdb = argc > 0 && ends_with(argv[0], "init-gdb");
	if (gdb) {
		static const char *const names[] = { "_stext", "jiffies_read", "linux_banner",
						     "jiffies" };
		uint64_t va[4] = { 0, 0, 0, 0 };
		kallsyms(names, va, 4);
		put("tandem-init: kallsyms");
		for (unsigned i = 0; i < 4; i++) {
			put(" ");
			put(names[i]);
			put(" ");
			put_hex(va[i]);
		}
		flush();
	}

	static char input[64];
	if (console_line(input, sizeof(input), gdb ? 300 : 3) >= 0) {
		put("tandem-init: input ");
		put(input);
		flush();
	}

	if (argc > 0 && ends_with(argv[0], "init-reboot") && boot == 1) {
		say("rebooting");
		sys6(SYS_reboot, REBOOT_MAGIC1, REBOOT_MAGIC2, REBOOT_RESTART, 0, 0, 0);
	} else {
		say("powering off");
		sys6(SYS_reboot, REBOOT_MAGIC1, REBOOT_MAGIC2, REBOOT_POWER_OFF, 0, 0, 0);
	}
	say("the machine did not stop");
	for (;;) {
		struct { long sec, nsec; } ts = { 1, 0 };
		sys3(SYS_nanosleep, &ts, 0, 0);
	}
}

/* The kernel enters with sp at argc, argv[], envp[]. */
__asm__(".text\n"
	".globl _start\n"
	"_start:\n"
	"	mov x0, sp\n"
	"	bl start_c\n"
	"	b .\n");
