// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers of the in-VM tests (see lib.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib.h"
#include "svmsim/names.h"

TAP_DEFINE_STATE;
struct opts opt = {
	.model = SVMSIM_MODEL_SECONDARY, .fill = SVMSIM_FILL_REF,
};
static struct svmsim_config saved_config;
static bool config_changed;

/* Index of @s in @names; model and fill names start at 1 (0 = default). */
static uint32_t parse_name(const char *s, const char *const *names, uint32_t n)
{
	int i = svmsim_name_index(names, names == svmsim_flush_mode_names ? 0 : 1, n, s);

	if (i < 0) {
		fprintf(stderr, "unknown value '%s'\n", s);
		exit(2);
	}
	return (uint32_t)i;
}

void parse_opts(int argc, char **argv)
{
	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--model")) {
			opt.model = parse_name(argv[i + 1], svmsim_model_names, SVMSIM_MODEL_NR);
			opt.set |= OPT_MODEL;
		} else if (!strcmp(argv[i], "--fill")) {
			opt.fill = parse_name(argv[i + 1], svmsim_fill_names, SVMSIM_FILL_NR);
			opt.set |= OPT_FILL;
		} else if (!strcmp(argv[i], "--device")) {
			opt.device = (unsigned int)atoi(argv[i + 1]);
		} else if (!strcmp(argv[i], "--flush")) {
			opt.flush_mode = parse_name(argv[i + 1], svmsim_flush_mode_names,
						    SVMSIM_FLUSH_MODE_NR);
			opt.set |= OPT_FLUSH;
		} else if (!strcmp(argv[i], "--latency-ns"))
			opt.latency_ns = strtoull(argv[i + 1], NULL, 0);
		else if (!strcmp(argv[i], "--sanitize"))
			opt.sanitize = atoi(argv[i + 1]) != 0;
		else {
			fprintf(stderr, "usage: %s [--model M] [--fill F] [--device N] "
				"[--flush sync|queued] [--latency-ns N] [--sanitize 0|1]\n",
				argv[0]);
			exit(2);
		}
	}
}

static void restore_config(void);

/* One variant in a child; its TAP state comes back through a pipe. */
static void run_variant(void (*body)(void))
{
	struct tap_state child;
	int p[2], status;
	ssize_t n;
	pid_t pid;

	fflush(stdout);
	if (pipe(p))
		bail("pipe: %s", strerror(errno));
	pid = fork();
	if (pid < 0)
		bail("fork: %s", strerror(errno));
	if (!pid) {
		close(p[0]);
		body();
		fflush(stdout);
		n = write(p[1], &tap, sizeof(tap));
		/*
		 * _exit: the exit handlers the parent registered (say, knobs
		 * it restores) run once, in the parent; only the device
		 * configuration this child changed is restored here.
		 */
		if (config_changed)
			restore_config();
		_exit(n == (ssize_t)sizeof(tap) ? 0 : 1);
	}
	close(p[1]);
	n = read(p[0], &child, sizeof(child));
	close(p[0]);
	waitpid(pid, &status, 0);
	if (n == (ssize_t)sizeof(child)) {
		tap = child;
		return;
	}
	tap_ok(false, "%s: the variant died (wait status 0x%x) before it finished",
	       model_name(), status);
}

int run_variants(unsigned int axes, void (*body)(void))
{
	static const uint32_t models[] = { SVMSIM_MODEL_SECONDARY, SVMSIM_MODEL_RANGE };
	static const uint32_t fills[] = { SVMSIM_FILL_REF, SVMSIM_FILL_NOREF };
	bool vary_model = (axes & VARY_MODEL) && !(opt.set & OPT_MODEL);
	bool vary_fill = (axes & VARY_FILL) && !(opt.set & OPT_FILL);

	for (unsigned int m = 0; m < (vary_model ? 2u : 1u); m++) {
		for (unsigned int f = 0; f < (vary_fill ? 2u : 1u); f++) {
			if (vary_model)
				opt.model = models[m];
			if (vary_fill)
				opt.fill = fills[f];
			tap_diag("variant %s", model_name());
			run_variant(body);
		}
	}
	return tap_finish();
}

const char *model_name(void)
{
	static char buf[64];

	snprintf(buf, sizeof(buf), "%s/%s%s%s", svmsim_model_names[opt.model],
		 svmsim_fill_names[opt.fill], (opt.set & OPT_FLUSH) && opt.flush_mode == SVMSIM_FLUSH_QUEUED ?
		 "/queued" : "",
		 opt.sanitize ? "/sanitized" : "");
	return buf;
}

int set_config_settled(int fd, const struct svmsim_config *c)
{
	int ret;

	for (int i = 0; (ret = svmsim_set_config(fd, c)) == -EBUSY && i < 200; i++)
		usleep(10000);
	return ret;
}

void dev_rebind(struct dev *d, const struct svmsim_config *c)
{
	int ret;

	if (d->pasid)
		svmsim_unbind(d->fd, d->pasid);
	d->pasid = 0;
	ret = set_config_settled(d->fd, c);
	if (ret)
		bail("set_config: %s", errname(ret));
	ret = dev_bind(d);
	if (ret)
		bail("bind: %s", errname(ret));
}

/* Put device opt.device's configuration back to *@c (best effort). */
static void config_put_back(const struct svmsim_config *c)
{
	int fd = svmsim_open(opt.device);

	if (fd >= 0) {
		set_config_settled(fd, c);
		close(fd);
	}
}

static void restore_config(void)
{
	config_put_back(&saved_config);
}

/* Read the device's configuration into saved_config once, put back at exit. */
static int save_config(int fd)
{
	static bool saved;
	int ret;

	if (saved)
		return 0;
	ret = svmsim_get_config(fd, &saved_config);
	if (!ret) {
		saved = true;
		atexit(restore_config);
	}
	return ret;
}

int keep_config(struct svmsim_config *saved)
{
	int fd = svmsim_open(opt.device), ret;

	if (fd < 0)
		return fd;
	ret = save_config(fd);
	close(fd);
	if (!ret)
		*saved = saved_config;
	return ret;
}

/* --flush/--latency-ns: configure the device before the first bind. */
static void apply_config(struct dev *d)
{
	struct svmsim_config c;

	if (!(opt.set & OPT_FLUSH) || config_changed)
		return;
	save_config(d->fd);
	c = saved_config;
	c.flush_mode = opt.flush_mode;
	c.dev_latency_ns = opt.latency_ns;
	if (svmsim_set_config(d->fd, &c)) {
		printf("Bail out! cannot configure /dev/svmsim%u\n", opt.device);
		exit(1);
	}
	config_changed = true;
}

int dev_open(struct dev *d, unsigned int index)
{
	d->pasid = 0;
	d->fd = svmsim_open(index);
	return d->fd < 0 ? d->fd : 0;
}

uint32_t bind_flags(void)
{
	return opt.sanitize ? SVMSIM_BIND_SANITIZE : 0;
}

int dev_bind(struct dev *d)
{
	return svmsim_bind(d->fd, opt.model, opt.fill, bind_flags(), &d->pasid);
}

int san_reports_since(int fd, uint64_t since, struct svmsim_san_report *r, unsigned int max,
		      uint64_t *total)
{
	struct svmsim_san_report all[SVMSIM_SAN_REPORTS];
	unsigned int n, skip, i;
	int ret;

	ret = svmsim_san_reports(fd, 0, all, SVMSIM_SAN_REPORTS, &n, total);
	if (ret)
		return ret;
	/* The newest n: report seq numbers are total - n + 1 .. total. */
	skip = 0;
	while (skip < n && all[skip].seq <= since)
		skip++;
	for (i = 0; skip + i < n && i < max; i++)
		r[i] = all[skip + i];
	return (int)i;
}

void dev_close(struct dev *d)
{
	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
}

void dev_setup(struct dev *d)
{
	int ret = dev_open(d, opt.device);

	if (!ret) {
		apply_config(d);
		ret = dev_bind(d);
	}
	if (ret) {
		printf("Bail out! cannot open and bind /dev/svmsim%u: %s\n", opt.device,
		       errname(ret));
		exit(1);
	}
}

void *map_anon(size_t len, int prot)
{
	void *p = mmap(NULL, len, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		printf("Bail out! mmap %zu: %s\n", len, strerror(errno));
		exit(1);
	}
	return p;
}

void *map_anon_at(void *addr, size_t len)
{
	void *p = mmap(addr, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

	if (p != addr) {
		printf("Bail out! mmap at %p: %s\n", addr, strerror(errno));
		exit(1);
	}
	return p;
}

void *map_2m_aligned(size_t len, int advice)
{
	char *raw = map_anon(len + HPG, PROT_READ | PROT_WRITE);
	char *p = (char *)(((uintptr_t)raw + HPG - 1) & ~(HPG - 1));

	/* Trim the slack so the VMA is exactly the aligned range. */
	if (p > raw)
		munmap(raw, (size_t)(p - raw));
	munmap(p + len, (size_t)(raw + len + HPG - (p + len)));
	madvise(p, len, advice);
	return p;
}

void *map_huge_aligned(size_t len)
{
	return map_2m_aligned(len, MADV_HUGEPAGE);
}

static uint64_t pattern_word(uint64_t seed, size_t i)
{
	uint64_t x = seed * 0x9E3779B97F4A7C15ull + i;

	x ^= x >> 29;
	return x * 0xBF58476D1CE4E5B9ull;
}

void fill_pattern(void *p, size_t len, uint64_t seed)
{
	uint64_t *w = p;

	for (size_t i = 0; i < len / 8; i++)
		w[i] = pattern_word(seed, i);
}

bool check_pattern(const void *p, size_t len, uint64_t seed)
{
	const uint64_t *w = p;

	for (size_t i = 0; i < len / 8; i++)
		if (w[i] != pattern_word(seed, i))
			return false;
	return true;
}

uint64_t pagemap_of(const void *va)
{
	uint64_t e = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY);

	if (fd < 0)
		return 0;
	if (pread(fd, &e, 8, (off_t)((uintptr_t)va / PG) * 8) != 8)
		e = 0;
	close(fd);
	return e;
}

uint64_t pfn_of(const void *va)
{
	uint64_t e = pagemap_of(va);

	return (e >> 63) ? e & ((1ull << 55) - 1) : 0;
}

int node_of(void *va)
{
	void *pages[1] = { (void *)((uintptr_t)va & ~(PG - 1)) };
	int status = -1;

	if (syscall(SYS_move_pages, 0, 1, pages, NULL, &status, 0))
		return -errno;
	return status;
}

int numa_nodes(void)
{
	int n = 0;
	char path[64];

	for (;; n++) {
		snprintf(path, sizeof(path), "/sys/devices/system/node/node%d", n);
		if (access(path, F_OK))
			return n;
	}
}

int move_to_node(void *va, unsigned long n, int node)
{
	void **pages = calloc(n, sizeof(*pages));
	int *nodes = calloc(n, sizeof(*nodes)), *status = calloc(n, sizeof(*status));
	int moved = 0;
	long ret;

	for (unsigned long i = 0; i < n; i++) {
		pages[i] = (char *)va + i * PG;
		nodes[i] = node;
	}
	ret = syscall(SYS_move_pages, 0, n, pages, nodes, status, 2 /* MPOL_MF_MOVE */);
	/*
	 * status[] may report the requested node even for pages that did not
	 * move (the call returns how many did not): ask where they are now.
	 */
	syscall(SYS_move_pages, 0, n, pages, NULL, status, 0);
	for (unsigned long i = 0; i < n; i++)
		moved += status[i] == node;
	free(pages);
	free(nodes);
	free(status);
	return ret < 0 && errno != EBUSY ? -errno : moved;
}

void stats_snap(const struct dev *d, uint32_t pasid, struct svmsim_stats *s)
{
	if (svmsim_stats(d->fd, pasid, false, s))
		memset(s, 0, sizeof(*s));
}

uint64_t stat_of(const struct dev *d, uint32_t pasid, unsigned int idx)
{
	struct svmsim_stats s;

	stats_snap(d, pasid, &s);
	return s.counters[idx];
}

uint64_t stats_delta(const struct svmsim_stats *a, const struct svmsim_stats *b,
		     unsigned int idx)
{
	return b->counters[idx] - a->counters[idx];
}

int dma_read(const struct dev *d, const void *addr, void *buf, size_t len)
{
	return svmsim_dma_read(d->fd, d->pasid, addr, buf, len);
}

int dma_write(const struct dev *d, void *addr, const void *buf, size_t len)
{
	return svmsim_dma_write(d->fd, d->pasid, addr, buf, len);
}

int dma_read_u64(const struct dev *d, const void *addr, uint64_t *v)
{
	return dma_read(d, addr, v, sizeof(*v));
}

int dma_write_u64(const struct dev *d, void *addr, uint64_t v)
{
	return dma_write(d, addr, &v, sizeof(v));
}

const char *errname(int negerr)
{
	static const struct { int e; const char *n; } names[] = {
		{ 0, "0" }, { EPERM, "EPERM" }, { ENOENT, "ENOENT" }, { ESRCH, "ESRCH" },
		{ EINTR, "EINTR" }, { EBADF, "EBADF" }, { EAGAIN, "EAGAIN" },
		{ ENOMEM, "ENOMEM" }, { EACCES, "EACCES" }, { EFAULT, "EFAULT" },
		{ EBUSY, "EBUSY" }, { EINVAL, "EINVAL" }, { ENOTTY, "ENOTTY" },
		{ ENOSPC, "ENOSPC" }, { EHOSTUNREACH, "EHOSTUNREACH" },
	};
	static char buf[32];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].e == -negerr)
			return names[i].n;
	snprintf(buf, sizeof(buf), "errno %d", -negerr);
	return buf;
}

bool ok_errno(int got, int want, const char *fmt, ...)
{
	char name[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	if (got != want)
		tap_diag("%s: got %s, want %s", name, errname(got), errname(want));
	return tap_ok(got == want, "%s: %s", name, errname(want));
}

bool kernel_is(const char *prefix)
{
	struct utsname u;

	return !uname(&u) && !strncmp(u.release, prefix, strlen(prefix));
}

long proc_kb(const char *file, const char *key)
{
	FILE *f = fopen(file, "r");
	size_t n = strlen(key);
	char line[256];
	long kb = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, n)) {
			kb = strtol(line + n, NULL, 10);
			break;
		}
	}
	fclose(f);
	return kb;
}

long live_objects(const char *name)
{
	FILE *f = fopen("/sys/kernel/debug/svmsim/alloc", "r");
	char line[128], key[32];
	long n, ret = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%31s %ld", key, &n) == 2 && !strcmp(key, name))
			ret = n;
	fclose(f);
	return ret;
}
