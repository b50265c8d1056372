// SPDX-License-Identifier: GPL-2.0
/*
 * svmsim-fuzz: a seeded ioctl/mmap/write fuzzer for /dev/svmsimN, run inside
 * the guest (scripts/vm).  Several worker processes x threads issue every
 * ioctl of include/uapi/svmsim.h with random and boundary values in every
 * field (bad, kernel, unaligned and half-mapped pointers; zero, huge and
 * wrapping lengths; non-zero reserved fields; unknown ops, flags, models and
 * ioctl numbers; dead, foreign and guessed PASIDs), mmap/write/close on the
 * device, and churn the memory being DMAed (munmap, mmap, madvise, mprotect,
 * mremap, fork).  Worker processes exit and are replaced, leaving dead
 * bonds behind on the fd they inherited.
 *
 * Every call must succeed or fail with an errno that the UAPI documents for
 * that call (the table allowed[] below, taken from the header's comments);
 * a call the ABI says must fail (non-zero reserved field, unknown flag bit,
 * kernel pointer, ...) must not succeed.  Anything else is printed with the
 * seed, the worker and the call, and fails the run.  After the workers are
 * gone the device must still work and hold no TLB entry or pinned page.
 *
 * Reproducible: each thread's sequence of calls is a function of --seed and
 * its (process slot, generation, thread) numbers; with --procs 1 --threads 1
 * the whole run is (the kernel's timing aside).
 *
 *   svmsim-fuzz [--seed N] [--duration SEC | --calls N] [--procs N]
 *               [--threads N] [--device N] [--inject] [--progress SEC]
 *
 * Output: TAP, an errno tally per call, calls/s, "# totals: ...".
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "svmsim/dev.h"
#include "svmsim/rng.h"
#include "tap.h"

TAP_DEFINE_STATE;

#define PG		4096ul
#define NFD		6		/* device fds per worker process */
#define RES_BASE	0x200000000000ul /* churned DMA area, far from mmap_base */
#define RES_LEN		(16ul << 20)
#define SCRATCH_LEN	(64ul << 10)
#define NPASID_SEEN	64
#define MAXERR		134		/* errno values tallied */
#define WORKER_CALLS	6000		/* mean calls before a worker process exits */

/* ---- the calls, and the errnos the UAPI documents for each ---------------- */

enum op {
	OP_VERSION, OP_BIND, OP_UNBIND, OP_DMA, OP_STATS, OP_HIST, OP_SET_CONFIG,
	OP_GET_CONFIG, OP_ZAP, OP_PROBE, OP_INJECT, OP_BADCMD, OP_MMAP, OP_WRITE,
	OP_OPEN, OP_CLOSE, OP_SAN_REPORTS, OP_NR
};

/*
 * allowed[op]: the errnos include/uapi/svmsim.h documents for the call.
 * Every ioctl also gets the header's conventions: EFAULT for an unreadable
 * or unwritable argument, EINVAL for reserved fields and unknown flags,
 * ENOMEM where the call allocates (BIND, DMA, STATS, HIST, ZAP's SWAP).
 * OP_BADCMD is checked exactly (ENOTTY or EINVAL, see badcmd_errno()).
 * mmap() and write() of the window: the header's window section; mmap also
 * the errors mmap(2) gives for any file (ENOMEM: no address space;
 * EACCES: the fd's open mode forbids the mapping).  EBADF only for a call
 * on a closed slot or another thread's (it may just have closed it), and,
 * by the privilege model, for a call that acts (acts()) on an O_RDONLY fd;
 * EPERM for SET_CONFIG and STATS' device reset without CAP_SYS_ADMIN.
 */
static const struct {
	const char *name;
	int err[12];
} allowed[OP_NR] = {
	[OP_VERSION]	= { "VERSION",	  { EFAULT } },
	[OP_BIND]	= { "BIND",	  { EFAULT, EINVAL, EBUSY, ENOSPC, ENOMEM, EPERM, ESRCH,
				    EACCES } },
	[OP_UNBIND]	= { "UNBIND",	  { EFAULT, EINVAL, EPERM } },
	[OP_DMA]	= { "DMA",	  { EFAULT, EACCES, EHOSTUNREACH, EINVAL, EPERM, ESRCH,
				    EAGAIN, EINTR, ENOMEM, EIO } },
	[OP_STATS]	= { "STATS",	  { EFAULT, EINVAL, ENOMEM, EPERM } },
	[OP_HIST]	= { "HIST",	  { EFAULT, EINVAL, ENOMEM } },
	[OP_SET_CONFIG]	= { "SET_CONFIG", { EFAULT, EINVAL, EBUSY, EPERM } },
	[OP_GET_CONFIG]	= { "GET_CONFIG", { EFAULT } },
	[OP_ZAP]	= { "ZAP",	  { EFAULT, EINVAL, ENOMEM } },
	[OP_PROBE]	= { "PROBE",	  { EFAULT, EINVAL, EPERM, ESRCH } },
	[OP_INJECT]	= { "INJECT",	  { EFAULT, EINVAL, EPERM, ESRCH, EOPNOTSUPP } },
	[OP_BADCMD]	= { "bad-ioctl",  { ENOTTY, EINVAL } },
	[OP_MMAP]	= { "mmap",	  { EINVAL, EBUSY, ENOMEM, EACCES } },
	[OP_WRITE]	= { "write",	  { EINVAL, EFAULT } },
	[OP_OPEN]	= { "open",	  { ENOMEM, EMFILE } },
	[OP_CLOSE]	= { "close",	  { 0 } },
	[OP_SAN_REPORTS] = { "SAN_REPORTS", { EFAULT, EINVAL, EPERM, ENOMEM } },
};

/* The privilege model: these need an fd opened for writing (EBADF). */
static bool acts(enum op op)
{
	return op == OP_BIND || op == OP_UNBIND || op == OP_DMA || op == OP_ZAP ||
	       op == OP_INJECT || op == OP_SET_CONFIG || op == OP_WRITE;
}

static bool errno_allowed(enum op op, int err, bool foreign_fd)
{
	if (err == EBADF && foreign_fd)
		return true;
	for (unsigned int i = 0; i < 12 && allowed[op].err[i]; i++)
		if (allowed[op].err[i] == err)
			return true;
	return false;
}

enum churn { CH_MUNMAP, CH_MMAP, CH_MADVISE, CH_MPROTECT, CH_MREMAP, CH_FORK, CH_TOUCH, CH_NR };
static const char *const churn_names[CH_NR] = {
	"munmap", "mmap-anon", "madvise", "mprotect", "mremap", "fork", "touch",
};

/* ---- state shared by every process (MAP_SHARED) --------------------------- */

struct shared {
	atomic_ulong tally[OP_NR][MAXERR + 1];	/* [op][0]: successes */
	atomic_ulong churn[CH_NR];
	atomic_ulong calls;			/* device calls, all processes */
	atomic_ulong bad;			/* undocumented errnos, wrong successes */
	atomic_ulong worker_deaths;		/* workers killed by a signal */
	atomic_ulong workers;			/* worker processes started */
	atomic_uint pasid_seen[NPASID_SEEN];	/* PASIDs any process bound */
	atomic_uint pasid_next;
	atomic_int stop;
};

static struct shared *sh;

static struct {
	uint64_t seed;
	double duration;
	uint64_t calls;			/* 0: --duration decides */
	unsigned int procs, threads, device;
	bool inject;
	uint32_t skip_ops, skip_churn;	/* --skip */
	double progress;
} o = { .seed = 1, .duration = 30, .procs = 3, .threads = 3, .progress = 10 };

static struct svmsim_version ver;
static int inherited_fd = -1;		/* opened by the parent, shared by all workers */

/* ---- per worker process ---------------------------------------------------- */

struct slot {
	atomic_int fd;			/* -1: closed */
	atomic_uint pasid;		/* last PASID bound through it, 0 none */
	atomic_ulong win;		/* address of its window mapping, 0 none */
	atomic_ulong win_len;
	uintptr_t map;			/* what to munmap for it: window and guards */
	size_t map_len;			/* (0: in the churned area, left to churn) */
	atomic_int rdonly;		/* opened O_RDONLY */
};

static struct slot slots[NFD];
/*
 * Threads of a worker replace and unmap slot windows concurrently: the
 * window and the extent to unmap change together, under this lock, or a
 * thread unmaps one window with another's length -- over its neighbours,
 * thread stacks included.  Readers that only pass the address to the
 * device (DMA, zap) need no lock: a stale address is a device fault.
 */
static pthread_mutex_t win_lock = PTHREAD_MUTEX_INITIALIZER;

/* Make @m (@len, unmapped as [@map, @map + @map_len)) slot @s's window. */
static void win_set(struct slot *s, uintptr_t m, size_t len, uintptr_t map, size_t map_len)
{
	uintptr_t old_map;
	size_t old_len;

	pthread_mutex_lock(&win_lock);
	old_map = s->map;
	old_len = s->map_len;
	atomic_store(&s->win, m);
	atomic_store(&s->win_len, len);
	s->map = map;
	s->map_len = map_len;
	pthread_mutex_unlock(&win_lock);
	if (old_map && old_len)
		munmap((void *)old_map, old_len);
}
static unsigned int proc_slot, proc_gen;

struct thr {
	uint64_t rng;
	unsigned int idx;
	unsigned long ncalls;
	char *arg;			/* 2 RW pages, then a PROT_NONE guard */
	char *ro;			/* one read-only page */
	char *scratch;			/* SCRATCH_LEN bytes, DMA buffer */
	char desc[320];			/* the call in progress, for reports */
	bool arg_unknown;		/* the argument is in the churned area */
	bool fd_rdonly;			/* the call's fd was opened O_RDONLY */
};

static uint64_t rnd(struct thr *t, uint64_t n)
{
	return rng_below(&t->rng, n);
}

static bool chance(struct thr *t, unsigned int pct)
{
	return rnd(t, 100) < pct;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* write(2) only: safe in a child forked from a threaded process. */
__attribute__((format(printf, 1, 2)))
static void say(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(buf) - 1)
		n = sizeof(buf) - 1;
	if (write(1, buf, (size_t)n) < 0)
		return;
}

/* ---- values ---------------------------------------------------------------- */

static const uint64_t boundary64[] = {
	0, 1, 2, 3, 4, 7, 8, 9, 15, 16, 63, 64, 4095, 4096, 4097, 8191, 8192,
	(2ul << 20) - 1, 2ul << 20, (2ul << 20) + 1, SVMSIM_DMA_MAX_LEN - 1,
	SVMSIM_DMA_MAX_LEN, SVMSIM_DMA_MAX_LEN + 1, 0x7fffffffull, 0x80000000ull,
	0xffffffffull, 0x100000000ull, 0x7ffffffff000ull, 0x800000000000ull,
	0x7fffffffffffull, 0x8000000000000000ull, 0xffff800000000000ull,
	0xffff888000000000ull, 0xffffffff81000000ull, 0xfffffffffffff000ull,
	UINT64_MAX - 7, UINT64_MAX - 1, UINT64_MAX,
};
#define NB64 (sizeof(boundary64) / sizeof(boundary64[0]))

static uint64_t gen_u64(struct thr *t)
{
	switch (rnd(t, 4)) {
	case 0:
		return rng_next(&t->rng);
	case 1:
		return rnd(t, 64);
	default:
		return boundary64[rnd(t, NB64)];
	}
}

static uint32_t gen_u32(struct thr *t)
{
	static const uint32_t b32[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 16, 31, 32, 63, 64, 65,
		4095, 4096, 4097, 1u << 20, (1u << 20) - 1, 0x7fffffff, 0x80000000, 0xffffffff };

	switch (rnd(t, 3)) {
	case 0:
		return (uint32_t)rng_next(&t->rng);
	default:
		return b32[rnd(t, sizeof(b32) / sizeof(b32[0]))];
	}
}

/* A small valid enum value most of the time, any u32 sometimes. */
static uint32_t gen_enum(struct thr *t, uint32_t nr)
{
	return chance(t, 85) ? (uint32_t)rnd(t, nr + 1) : gen_u32(t);
}

/* Reserved fields: zero mostly; one random word set otherwise. */
static bool gen_reserved(struct thr *t, __u64 *r, unsigned int n)
{
	memset(r, 0, n * sizeof(*r));
	if (chance(t, 92))
		return false;
	r[rnd(t, n)] = gen_u64(t) | 1;
	return true;
}

static void record_pasid(uint32_t pasid)
{
	unsigned int i = atomic_fetch_add(&sh->pasid_next, 1) % NPASID_SEEN;

	atomic_store(&sh->pasid_seen[i], pasid);
}

/* The fd slot's own, another's, foreign, dead or guessed. */
static uint32_t gen_pasid(struct thr *t, int slot)
{
	unsigned int r = (unsigned int)rnd(t, 10);

	if (r < 5) {
		uint32_t p = atomic_load(&slots[slot >= 0 && r < 4 ? (unsigned int)slot :
						rnd(t, NFD)].pasid);

		if (p)
			return p;
	}
	if (r < 8)
		return atomic_load(&sh->pasid_seen[rnd(t, NPASID_SEEN)]);
	switch (rnd(t, 4)) {
	case 0:
		return 0;
	case 1:
		return ver.max_pasid + (uint32_t)rnd(t, 2);
	case 2:
		return (uint32_t)rnd(t, 64);
	default:
		return gen_u32(t);
	}
}

/* An address to DMA to or from: mostly in the churned area. */
static uint64_t gen_addr(struct thr *t)
{
	unsigned int r = (unsigned int)rnd(t, 20);
	uint64_t a;

	if (r < 12) {
		a = RES_BASE + rnd(t, RES_LEN / PG) * PG;
		if (chance(t, 30))
			a += rnd(t, PG);
		else if (chance(t, 20))
			a += PG - 8;
		return a;
	}
	switch (r) {
	case 12:
	case 13: {
		struct slot *s = &slots[rnd(t, NFD)];
		uint64_t w = atomic_load(&s->win);

		if (w)
			return w + rnd(t, atomic_load(&s->win_len) + PG) / 8 * 8;
		return RES_BASE;
	}
	case 14:
		return (uint64_t)(uintptr_t)t->scratch + rnd(t, SCRATCH_LEN);
	case 15:
		return (uint64_t)(uintptr_t)t->ro + rnd(t, PG);
	case 16:
		return (uint64_t)(uintptr_t)&gen_addr;	/* text: read-only */
	case 17:
		return UINT64_MAX - rnd(t, 3 * PG);	/* addr + len wraps */
	default:
		return gen_u64(t);
	}
}

static uint64_t gen_len(struct thr *t)
{
	switch (rnd(t, 6)) {
	case 0:
	case 1:
		return 1 + rnd(t, 64);
	case 2:
		return 1 + rnd(t, 4 * PG);
	case 3:
		return (1 + rnd(t, 64)) * PG;
	default:
		return gen_u64(t);
	}
}

/*
 * Where the ioctl's argument goes.  *bad: the pointer cannot be read (the
 * call must fail); *ro: it can be read but not written.
 */
static char *gen_argp(struct thr *t, size_t size, bool *bad, bool *ro)
{
	static const uint64_t wild[] = {
		0, 1, 4096, 0xffff888000000000ull, 0xffffffff81000000ull,
		0x800000000000ull, 0x8000000000000000ull, UINT64_MAX - 7, UINT64_MAX,
	};
	unsigned int r = (unsigned int)rnd(t, 100);

	*bad = *ro = false;
	t->arg_unknown = false;
	if (r < 80)
		return t->arg + (chance(t, 25) ? rnd(t, 8) : 0);
	if (r < 86) {
		*bad = true;
		return (char *)(uintptr_t)wild[rnd(t, sizeof(wild) / sizeof(wild[0]))];
	}
	if (r < 92) {		/* straddles the guard page */
		*bad = true;
		return t->arg + 2 * PG - 1 - rnd(t, size - 1);
	}
	if (r < 96) {
		*ro = true;
		return t->ro + rnd(t, PG - size);
	}
	/* The churned area: mapped or not, contents unknown. */
	t->arg_unknown = true;
	return (char *)(uintptr_t)(RES_BASE + rnd(t, RES_LEN - PG));
}

/* Copy @src to the argument pointer if it can be written there. */
static void put_arg(struct thr *t, char *p, const void *src, size_t size, bool bad, bool ro)
{
	if (bad)
		return;
	if (ro) {
		if (mprotect(t->ro, PG, PROT_READ | PROT_WRITE))
			return;
		memcpy(p, src, size);
		mprotect(t->ro, PG, PROT_READ);
		return;
	}
	if ((uintptr_t)p >= RES_BASE && (uintptr_t)p < RES_BASE + RES_LEN)
		return;		/* may be unmapped: leave whatever is there */
	memcpy(p, src, size);
}

static bool in_res(const void *p)
{
	return (uintptr_t)p >= RES_BASE && (uintptr_t)p < RES_BASE + RES_LEN;
}

/* A device fd: mostly one of this process's slots. */
static int pick_fd(struct thr *t, int *slot, bool *foreign)
{
	unsigned int s;
	int fd;

	t->fd_rdonly = false;
	if (chance(t, 8)) {
		*slot = -1;
		*foreign = false;
		return inherited_fd;
	}
	s = (unsigned int)rnd(t, NFD);
	*slot = (int)s;
	fd = atomic_load(&slots[s].fd);
	t->fd_rdonly = atomic_load(&slots[s].rdonly);
	/* EBADF is fine on a closed slot or one another thread may close. */
	*foreign = fd < 0 || s % o.threads != t->idx;
	return fd;
}

/* ---- checking ---------------------------------------------------------------- */

static void check(struct thr *t, enum op op, long ret, int err, bool foreign_fd, bool must_fail,
		  const char *why)
{
	unsigned int e = ret < 0 ? (unsigned int)err : 0;

	atomic_fetch_add(&sh->calls, 1);
	atomic_fetch_add(&sh->tally[op][e > MAXERR ? MAXERR : e], 1);
	t->ncalls++;
	if (ret >= 0 && must_fail && !t->arg_unknown) {
		atomic_fetch_add(&sh->bad, 1);
		say("# FAIL seed=%" PRIu64 " proc=%u gen=%u thread=%u call=%lu: %s %s -> success, "
		    "but the ABI says it must fail (%s)\n", o.seed, proc_slot, proc_gen, t->idx,
		    t->ncalls, allowed[op].name, t->desc, why);
	} else if (ret < 0 && !errno_allowed(op, err, foreign_fd) &&
		   !(err == EBADF && t->fd_rdonly && acts(op))) {
		atomic_fetch_add(&sh->bad, 1);
		say("# FAIL seed=%" PRIu64 " proc=%u gen=%u thread=%u call=%lu: %s %s -> %s (%d), "
		    "not documented for this call\n", o.seed, proc_slot, proc_gen, t->idx,
		    t->ncalls, allowed[op].name, t->desc, strerrorname_np(err) ?: "?", err);
	}
}

static void touch(struct thr *t, char *a, size_t len);

static long xioctl(int fd, unsigned long cmd, void *arg, int *err)
{
	long ret = ioctl(fd, cmd, arg);

	*err = ret < 0 ? errno : 0;
	return ret;
}

/* ---- the calls ------------------------------------------------------------- */

static void f_version(struct thr *t)
{
	bool bad, ro, foreign;
	int slot, err;
	int fd = pick_fd(t, &slot, &foreign);
	char *p = gen_argp(t, sizeof(struct svmsim_version), &bad, &ro);
	long ret = xioctl(fd, SVMSIM_IOC_VERSION, p, &err);

	snprintf(t->desc, sizeof(t->desc), "fd=%d arg=%p", fd, (void *)p);
	check(t, OP_VERSION, ret, err, foreign || slot < 0, bad || ro, "unwritable argument");
}

static void f_bind(struct thr *t)
{
	struct svmsim_bind b = { 0 };
	bool bad, ro, foreign, res, mf;
	int slot, err;
	int fd = pick_fd(t, &slot, &foreign);
	char *p = gen_argp(t, sizeof(b), &bad, &ro);
	long ret;

	b.model = chance(t, 85) ? (uint32_t)rnd(t, SVMSIM_MODEL_NR) : gen_u32(t);
	b.fill = gen_enum(t, SVMSIM_FILL_NR);
	b.flags = chance(t, 85) ? (uint32_t)rnd(t, 2) * SVMSIM_BIND_NO_HUGE |
				 (uint32_t)rnd(t, 2) * SVMSIM_BIND_SANITIZE |
				 (uint32_t)rnd(t, 2) * SVMSIM_BIND_FANOUT : gen_u32(t);
	b.pasid = chance(t, 80) ? 0 : gen_u32(t);
	if (b.model == SVMSIM_MODEL_PINNED || chance(t, 10)) {
		if (chance(t, 50)) {
			b.pin_addr = RES_BASE + rnd(t, RES_LEN / PG) * PG;
			b.pin_len = rnd(t, 256) * PG;
		} else if (chance(t, 50)) {
			b.pin_addr = gen_addr(t);
			b.pin_len = gen_len(t);
		}
	}
	res = gen_reserved(t, b.reserved, 3);
	mf = bad || ro || res || b.model >= SVMSIM_MODEL_NR || b.fill >= SVMSIM_FILL_NR ||
	     (b.flags & ~SVMSIM_BIND_FLAGS) || (b.pin_len && b.model != SVMSIM_MODEL_PINNED &&
						b.model != SVMSIM_MODEL_DEFAULT) ||
	     ((b.flags & SVMSIM_BIND_FANOUT) && b.model == SVMSIM_MODEL_PINNED);
	put_arg(t, p, &b, sizeof(b), bad, ro);
	snprintf(t->desc, sizeof(t->desc),
		 "fd=%d arg=%p {model=%u fill=%u flags=%#x pin_addr=%#llx pin_len=%#llx%s}", fd,
		 (void *)p, b.model, b.fill, b.flags, (unsigned long long)b.pin_addr,
		 (unsigned long long)b.pin_len, res ? " reserved!=0" : "");
	ret = xioctl(fd, SVMSIM_IOC_BIND, p, &err);
	check(t, OP_BIND, ret, err, foreign || slot < 0, mf, "invalid input");
	if (ret == 0 && !in_res(p)) {
		uint32_t pasid = ((struct svmsim_bind *)(void *)p)->pasid;

		if (slot >= 0)
			atomic_store(&slots[slot].pasid, pasid);
		record_pasid(pasid);
	}
}

static void f_unbind(struct thr *t)
{
	struct svmsim_unbind u = { 0 };
	bool bad, ro, foreign, res;
	int slot, err;
	int fd = pick_fd(t, &slot, &foreign);
	char *p = gen_argp(t, sizeof(u), &bad, &ro);
	long ret;

	u.pasid = gen_pasid(t, slot);
	u.flags = chance(t, 90) ? 0 : gen_u32(t);
	res = gen_reserved(t, u.reserved, 2);
	put_arg(t, p, &u, sizeof(u), bad, ro);
	snprintf(t->desc, sizeof(t->desc), "fd=%d arg=%p {pasid=%u flags=%#x%s}", fd, (void *)p,
		 u.pasid, u.flags, res ? " reserved!=0" : "");
	ret = xioctl(fd, SVMSIM_IOC_UNBIND, p, &err);
	check(t, OP_UNBIND, ret, err, foreign || slot < 0, bad || res || u.flags, "invalid input");
}

static void f_dma(struct thr *t)
{
	struct svmsim_dma d = { 0 };
	bool bad, ro, foreign, res = false, mf, sane;
	int slot, err;
	int fd = pick_fd(t, &slot, &foreign);
	char *p = gen_argp(t, sizeof(d), &bad, &ro);
	long ret;

	/* Well-formed more than half the time, so that DMA reaches the device. */
	sane = chance(t, 60);
	d.pasid = gen_pasid(t, slot);
	d.op = sane ? (uint32_t)rnd(t, SVMSIM_DMA_OP_NR) : gen_enum(t, SVMSIM_DMA_OP_NR);
	d.flags = chance(t, sane ? 100 : 85) ? (chance(t, 10) ? SVMSIM_DMA_NOFILL : 0) : gen_u32(t);
	d.pad = sane || chance(t, 95) ? 0 : gen_u32(t) | 1;
	d.addr = gen_addr(t);
	if ((d.op == SVMSIM_DMA_CAS || d.op == SVMSIM_DMA_FADD) && (sane || chance(t, 70))) {
		d.len = 8;
		d.addr &= ~7ull;
	} else if (sane) {
		d.len = 1 + (chance(t, 70) ? rnd(t, 64) : rnd(t, 4 * PG));
	} else {
		d.len = gen_len(t);
	}
	switch (sane ? 7 : rnd(t, 8)) {
	case 0:
		d.buf = gen_addr(t);
		break;
	case 1:
		d.buf = gen_u64(t);
		break;
	default:
		d.buf = (uint64_t)(uintptr_t)t->scratch + rnd(t, 64);
		break;
	}
	d.operand = gen_u64(t);
	d.swap = gen_u64(t);
	d.result = chance(t, 90) ? 0 : gen_u64(t);	/* out fields: ignored */
	d.done = chance(t, 90) ? 0 : gen_u64(t);
	if (sane)
		memset(d.reserved, 0, sizeof(d.reserved));
	else
		res = gen_reserved(t, d.reserved, 2);
	mf = bad || ro || res || d.pad || d.op >= SVMSIM_DMA_OP_NR || (d.flags & ~SVMSIM_DMA_FLAGS) ||
	     !d.len || d.len > SVMSIM_DMA_MAX_LEN ||
	     ((d.op == SVMSIM_DMA_CAS || d.op == SVMSIM_DMA_FADD) && (d.len != 8 || d.addr & 7));
	put_arg(t, p, &d, sizeof(d), bad, ro);
	snprintf(t->desc, sizeof(t->desc),
		 "fd=%d arg=%p {pasid=%u op=%u flags=%#x pad=%u addr=%#llx len=%#llx buf=%#llx%s}",
		 fd, (void *)p, d.pasid, d.op, d.flags, d.pad, (unsigned long long)d.addr,
		 (unsigned long long)d.len, (unsigned long long)d.buf, res ? " reserved!=0" : "");
	ret = xioctl(fd, SVMSIM_IOC_DMA, p, &err);
	check(t, OP_DMA, ret, err, foreign || slot < 0, mf, "invalid input");
	if (ret == 0 && !ro && !in_res(p)) {
		const struct svmsim_dma *r = (const void *)p;

		if ((d.op <= SVMSIM_DMA_WRITE && r->done != d.len) || r->fault_addr) {
			atomic_fetch_add(&sh->bad, 1);
			say("# FAIL seed=%" PRIu64 " proc=%u gen=%u thread=%u call=%lu: DMA %s -> "
			    "success with done=%llu fault_addr=%#llx\n", o.seed, proc_slot, proc_gen,
			    t->idx, t->ncalls, t->desc, (unsigned long long)r->done,
			    (unsigned long long)r->fault_addr);
		}
	}
}

static void f_stats(struct thr *t)
{
	static __thread struct svmsim_stats st;
	bool bad, ro, foreign, res;
	int slot, err;
	int fd = pick_fd(t, &slot, &foreign);
	char *p = gen_argp(t, sizeof(st), &bad, &ro);
	long ret;

	memset(&st, 0, sizeof(st));
	st.pasid = chance(t, 40) ? 0 : gen_pasid(t, slot);
	st.flags = chance(t, 90) ? (uint32_t)rnd(t, 2) * SVMSIM_STATS_RESET : gen_u32(t);
	res = gen_reserved(t, st.reserved, 4);
	put_arg(t, p, &st, sizeof(st), bad, ro);
	snprintf(t->desc, sizeof(t->desc), "fd=%d arg=%p {pasid=%u flags=%#x%s}", fd, (void *)p,
		 st.pasid, st.flags, res ? " reserved!=0" : "");
	ret = xioctl(fd, SVMSIM_IOC_STATS, p, &err);
	check(t, OP_STATS, ret, err, foreign || slot < 0,
	      bad || ro || res || (st.flags & ~SVMSIM_STATS_RESET), "invalid input");
}

static void f_hist(struct thr *t)
{
	struct svmsim_hist h = { 0 };
	bool bad, ro, foreign, res;
	int slot, err;
	int fd = pick_fd(t, &slot, &foreign);
	char *p = gen_argp(t, sizeof(h), &bad, &ro);
	long ret;

	h.kind = gen_enum(t, SVMSIM_HIST_KIND_NR);
	h.index = chance(t, 80) ? (uint32_t)rnd(t, SVMSIM_EV_NR + 1) : gen_u32(t);
	h.flags = chance(t, 90) ? 0 : gen_u32(t);
	h.nbuckets = chance(t, 70) ? (uint32_t)rnd(t, SCRATCH_LEN / 8) : gen_u32(t);
	h.buckets = chance(t, 70) ? (uint64_t)(uintptr_t)t->scratch : gen_addr(t);
	res = gen_reserved(t, h.reserved, 3);
	put_arg(t, p, &h, sizeof(h), bad, ro);
	snprintf(t->desc, sizeof(t->desc),
		 "fd=%d arg=%p {kind=%u index=%u flags=%#x nbuckets=%u buckets=%#llx%s}", fd,
		 (void *)p, h.kind, h.index, h.flags, h.nbuckets, (unsigned long long)h.buckets,
		 res ? " reserved!=0" : "");
	ret = xioctl(fd, SVMSIM_IOC_HIST, p, &err);
	check(t, OP_HIST, ret, err, foreign || slot < 0, bad || ro || res || h.flags ||
	      h.kind >= SVMSIM_HIST_KIND_NR, "invalid input");
}

static void f_set_config(struct thr *t)
{
	struct svmsim_config c = { 0 };
	bool bad, ro, foreign;
	int slot, err;
	int fd = pick_fd(t, &slot, &foreign);
	char *p = gen_argp(t, sizeof(c), &bad, &ro);
	long ret;

	if (svmsim_get_config(fd, &c) || chance(t, 20)) {
		c.tlb_sets = chance(t, 70) ? 1u << rnd(t, 21) : gen_u32(t);
		c.tlb_ways = chance(t, 70) ? (uint32_t)rnd(t, SVMSIM_MAX_WAYS + 1) : gen_u32(t);
		c.tlb_policy = gen_enum(t, SVMSIM_REPL_NR);
		c.qi_batch = chance(t, 70) ? 1 + (uint32_t)rnd(t, SVMSIM_MAX_QI_BATCH) : gen_u32(t);
		c.default_model = gen_enum(t, SVMSIM_MODEL_NR);
		c.default_fill = gen_enum(t, SVMSIM_FILL_NR);
	}
	/* One or two fields moved; the latency kept low (TCG is slow enough). */
	switch (rnd(t, 8)) {
	case 0:
		c.flush_mode = gen_enum(t, SVMSIM_FLUSH_MODE_NR);
		break;
	case 1:
		c.flush_threshold = chance(t, 50) ? 0 : gen_u32(t);
		break;
	case 2:
		c.dev_latency_ns = chance(t, 90) ? rnd(t, 20000) : gen_u64(t);
		break;
	case 3:
		c.default_model = gen_enum(t, SVMSIM_MODEL_NR);
		break;
	case 4:
		c.tlb_ways = (uint32_t)rnd(t, 9);
		break;
	case 5:
		c.max_entries = chance(t, 70) ? (uint32_t)rnd(t, SVMSIM_MAX_ENTRIES + 1) :
						gen_u32(t);
		c.max_pasid_entries = chance(t, 70) ? (uint32_t)rnd(t, 4096) : gen_u32(t);
		break;
	case 6:
		c.flush_budget = chance(t, 70) ? (uint32_t)rnd(t, 4096) : gen_u32(t);
		break;
	default:
		/* mostly none or defined ones: PSI, page descriptors, both (EINVAL) */
		c.flags = chance(t, 50) ? 0 : chance(t, 70) ? (uint32_t)rnd(t, SVMSIM_CONFIG_FLAGS + 1) :
			  gen_u32(t);
		c.pad = chance(t, 50) ? 0 : gen_u32(t);
		c.pad2 = chance(t, 70) ? 0 : gen_u32(t);
		break;
	}
	if (c.dev_latency_ns > 20000 && c.dev_latency_ns <= SVMSIM_MAX_LATENCY_NS && chance(t, 95))
		c.dev_latency_ns = 0;
	/* The coalescing window: mostly off or short, sometimes out of range. */
	c.qi_coalesce_ns = chance(t, 80) ? 0 : chance(t, 80) ? rnd(t, 50000) : gen_u64(t);
	put_arg(t, p, &c, sizeof(c), bad, ro);
	snprintf(t->desc, sizeof(t->desc),
		 "fd=%d arg=%p {sets=%u ways=%u policy=%u mode=%u thr=%u batch=%u lat=%llu "
		 "model=%u fill=%u flags=%#x pad=%u window=%llu}", fd, (void *)p, c.tlb_sets,
		 c.tlb_ways, c.tlb_policy, c.flush_mode, c.flush_threshold, c.qi_batch,
		 (unsigned long long)c.dev_latency_ns, c.default_model, c.default_fill, c.flags,
		 c.pad, (unsigned long long)c.qi_coalesce_ns);
	ret = xioctl(fd, SVMSIM_IOC_SET_CONFIG, p, &err);
	check(t, OP_SET_CONFIG, ret, err, foreign || slot < 0,
	      bad || c.qi_coalesce_ns > SVMSIM_MAX_TAIL_NS || (c.flags & ~SVMSIM_CONFIG_FLAGS) ||
	      ((c.flags & SVMSIM_CONFIG_PSI) && (c.flags & SVMSIM_CONFIG_PAGE_DESCS)) || c.pad || c.pad2 ||
	      c.tlb_sets > SVMSIM_MAX_SETS ||
	      c.max_entries > SVMSIM_MAX_ENTRIES || c.max_pasid_entries > SVMSIM_MAX_ENTRIES ||
	      c.tlb_ways > SVMSIM_MAX_WAYS || c.tlb_policy >= SVMSIM_REPL_NR ||
	      c.flush_mode >= SVMSIM_FLUSH_MODE_NR || c.dev_latency_ns > SVMSIM_MAX_LATENCY_NS ||
	      c.default_model >= SVMSIM_MODEL_NR || c.default_fill >= SVMSIM_FILL_NR ||
	      !c.qi_batch || c.qi_batch > SVMSIM_MAX_QI_BATCH, "invalid input");
}

static void f_get_config(struct thr *t)
{
	bool bad, ro, foreign;
	int slot, err;
	int fd = pick_fd(t, &slot, &foreign);
	char *p = gen_argp(t, sizeof(struct svmsim_config), &bad, &ro);
	long ret = xioctl(fd, SVMSIM_IOC_GET_CONFIG, p, &err);

	snprintf(t->desc, sizeof(t->desc), "fd=%d arg=%p", fd, (void *)p);
	check(t, OP_GET_CONFIG, ret, err, foreign || slot < 0, bad || ro, "unwritable argument");
}

static void f_zap(struct thr *t)
{
	struct svmsim_zap z = { 0 };
	bool bad, ro, foreign, res;
	int slot, err;
	int fd = pick_fd(t, &slot, &foreign);
	char *p = gen_argp(t, sizeof(z), &bad, &ro);
	uint64_t w = slot >= 0 ? atomic_load(&slots[slot].win) : 0;
	long ret;

	if (w && chance(t, 70)) {
		uint64_t n = atomic_load(&slots[slot].win_len) / PG;

		z.addr = w + rnd(t, n + 1) * PG;
		z.len = rnd(t, n + 2) * PG;
	} else {
		z.addr = gen_addr(t);
		z.len = gen_len(t);
	}
	z.flags = chance(t, 85) ? (uint32_t)rnd(t, 2) * SVMSIM_ZAP_SWAP : gen_u32(t);
	z.pad = chance(t, 95) ? 0 : gen_u32(t) | 1;
	res = gen_reserved(t, z.reserved, 2);
	put_arg(t, p, &z, sizeof(z), bad, ro);
	snprintf(t->desc, sizeof(t->desc), "fd=%d arg=%p {addr=%#llx len=%#llx flags=%#x pad=%u%s}",
		 fd, (void *)p, (unsigned long long)z.addr, (unsigned long long)z.len, z.flags,
		 z.pad, res ? " reserved!=0" : "");
	ret = xioctl(fd, SVMSIM_IOC_ZAP, p, &err);
	check(t, OP_ZAP, ret, err, foreign || slot < 0, bad || res || z.pad || !z.len ||
	      (z.flags & ~SVMSIM_ZAP_FLAGS) || (z.addr | z.len) % PG, "invalid input");
}

static void f_probe(struct thr *t)
{
	struct svmsim_probe q = { 0 };
	bool bad, ro, foreign, res;
	int slot, err;
	int fd = pick_fd(t, &slot, &foreign);
	char *p = gen_argp(t, sizeof(q), &bad, &ro);
	long ret;

	q.pasid = gen_pasid(t, slot);
	q.flags = chance(t, 90) ? 0 : gen_u32(t);
	q.addr = gen_addr(t);
	q.pfn = chance(t, 90) ? 0 : gen_u64(t);
	res = gen_reserved(t, q.reserved, 2);
	put_arg(t, p, &q, sizeof(q), bad, ro);
	snprintf(t->desc, sizeof(t->desc), "fd=%d arg=%p {pasid=%u flags=%#x addr=%#llx%s}", fd,
		 (void *)p, q.pasid, q.flags, (unsigned long long)q.addr, res ? " reserved!=0" : "");
	ret = xioctl(fd, SVMSIM_IOC_PROBE, p, &err);
	check(t, OP_PROBE, ret, err, foreign || slot < 0, bad || ro || res || q.flags,
	      "invalid input");
}

static void f_inject(struct thr *t)
{
	struct svmsim_inject in = { 0 };
	bool bad, ro, foreign, res;
	int slot, err;
	int fd = pick_fd(t, &slot, &foreign);
	char *p = gen_argp(t, sizeof(in), &bad, &ro);
	long ret;

	in.pasid = gen_pasid(t, slot);
	in.bug = chance(t, 30) ? SVMSIM_BUG_NONE : gen_enum(t, SVMSIM_BUG_NR);
	in.param = chance(t, 70) ? (uint32_t)rnd(t, 4) : gen_u32(t);
	/* A long fill delay stalls every fill of the bond: keep it short. */
	in.fill_delay_us = chance(t, 60) ? 0 : chance(t, 90) ? (uint32_t)rnd(t, 200) :
			   chance(t, 50) ? SVMSIM_MAX_FILL_DELAY_US + 1 : gen_u32(t) | (1u << 31);
	res = gen_reserved(t, in.reserved, 2);
	put_arg(t, p, &in, sizeof(in), bad, ro);
	snprintf(t->desc, sizeof(t->desc),
		 "fd=%d arg=%p {pasid=%u bug=%u param=%u fill_delay_us=%u%s}", fd, (void *)p,
		 in.pasid, in.bug, in.param, in.fill_delay_us, res ? " reserved!=0" : "");
	ret = xioctl(fd, SVMSIM_IOC_INJECT, p, &err);
	check(t, OP_INJECT, ret, err, foreign || slot < 0, bad || res || in.bug >= SVMSIM_BUG_NR ||
	      in.fill_delay_us > SVMSIM_MAX_FILL_DELAY_US, "invalid input");
}

static void f_san_reports(struct thr *t)
{
	static __thread struct svmsim_san_report r[SVMSIM_SAN_REPORTS];
	struct svmsim_san_reports q = { 0 };
	bool bad, ro, foreign, res, badbuf;
	int slot, err;
	int fd = pick_fd(t, &slot, &foreign);
	char *p = gen_argp(t, sizeof(q), &bad, &ro);
	long ret;

	q.flags = chance(t, 90) ? (uint32_t)rnd(t, 2) * SVMSIM_SAN_CLEAR : gen_u32(t);
	q.max = chance(t, 80) ? (uint32_t)rnd(t, SVMSIM_SAN_REPORTS + 8) : gen_u32(t);
	/*
	 * Not gen_addr(): it may point up to a page past a device window's
	 * end, and up to 11 kB of reports then land in whatever mapping
	 * follows -- the fuzzer's own memory (two workers died of SIGSEGV;
	 * the scratch area has a guard page, windows do not).  Bad ones:
	 * read-only, kernel, wild.
	 */
	badbuf = chance(t, 10);
	q.reports = !badbuf ? (uintptr_t)r :
		    chance(t, 40) ? (uintptr_t)t->ro :
		    chance(t, 50) ? 0xffff888000000000ull : gen_u64(t) | (1ull << 63);
	q.pad = chance(t, 95) ? 0 : gen_u32(t);
	res = gen_reserved(t, q.reserved, 2);
	put_arg(t, p, &q, sizeof(q), bad, ro);
	snprintf(t->desc, sizeof(t->desc), "fd=%d arg=%p {flags=%#x max=%u reports=%#llx%s}", fd,
		 (void *)p, q.flags, q.max, (unsigned long long)q.reports,
		 res || q.pad ? " reserved!=0" : "");
	ret = xioctl(fd, SVMSIM_IOC_SAN_REPORTS, p, &err);
	check(t, OP_SAN_REPORTS, ret, err, foreign || slot < 0,
	      bad || ro || res || q.pad || (q.flags & ~SVMSIM_SAN_CLEAR), "invalid input");
}

static const unsigned int known_cmds[] = {
	SVMSIM_IOC_VERSION, SVMSIM_IOC_BIND, SVMSIM_IOC_UNBIND, SVMSIM_IOC_DMA,
	SVMSIM_IOC_STATS, SVMSIM_IOC_HIST, SVMSIM_IOC_SET_CONFIG, SVMSIM_IOC_GET_CONFIG,
	SVMSIM_IOC_ZAP, SVMSIM_IOC_PROBE, SVMSIM_IOC_INJECT, SVMSIM_IOC_SAN_REPORTS,
};
#define NCMDS (sizeof(known_cmds) / sizeof(known_cmds[0]))

/* The header's rule: unknown number ENOTTY; known number, other size/dir EINVAL. */
static int badcmd_errno(unsigned int cmd)
{
	if (_IOC_TYPE(cmd) != SVMSIM_IOC_MAGIC || _IOC_NR(cmd) >= NCMDS)
		return ENOTTY;
	return EINVAL;
}

static void f_badcmd(struct thr *t)
{
	bool foreign;
	int slot, err, want;
	int fd = pick_fd(t, &slot, &foreign);
	unsigned int cmd, dir, nr, size, type;
	long ret;

	do {
		dir = (unsigned int)rnd(t, 4);
		type = chance(t, 90) ? SVMSIM_IOC_MAGIC : (unsigned int)rnd(t, 256);
		nr = chance(t, 60) ? (unsigned int)rnd(t, NCMDS + 2) : (unsigned int)rnd(t, 256);
		size = chance(t, 50) ? _IOC_SIZE(known_cmds[rnd(t, NCMDS)]) + (unsigned int)rnd(t, 3) - 1 :
		       (unsigned int)rnd(t, 1u << _IOC_SIZEBITS);
		cmd = _IOC(dir, type, nr, size & ((1u << _IOC_SIZEBITS) - 1));
		if (chance(t, 5))
			cmd = (unsigned int)rng_next(&t->rng);
	} while (_IOC_TYPE(cmd) == SVMSIM_IOC_MAGIC && _IOC_NR(cmd) < NCMDS &&
		 cmd == known_cmds[_IOC_NR(cmd)]);
	/* A foreign magic may name a generic file ioctl (FIONBIO...): skip those. */
	if (_IOC_TYPE(cmd) != SVMSIM_IOC_MAGIC)
		cmd = (cmd & ~(0xffu << _IOC_TYPESHIFT)) | ((unsigned int)'S' + 0x40) << _IOC_TYPESHIFT;
	want = badcmd_errno(cmd);
	snprintf(t->desc, sizeof(t->desc), "fd=%d cmd=%#x (dir=%u type=%#x nr=%u size=%u)", fd, cmd,
		 _IOC_DIR(cmd), _IOC_TYPE(cmd), _IOC_NR(cmd), _IOC_SIZE(cmd));
	ret = xioctl(fd, cmd, t->arg, &err);
	check(t, OP_BADCMD, ret, err, foreign || slot < 0, true, "unknown ioctl number");
	if (ret < 0 && err != want && !(err == EBADF && (foreign || slot < 0))) {
		atomic_fetch_add(&sh->bad, 1);
		say("# FAIL seed=%" PRIu64 " proc=%u gen=%u thread=%u call=%lu: bad-ioctl %s -> %s, "
		    "the header says %s\n", o.seed, proc_slot, proc_gen, t->idx, t->ncalls, t->desc,
		    strerrorname_np(err) ?: "?", strerrorname_np(want));
	}
}

static void f_mmap(struct thr *t)
{
	bool foreign;
	int slot, err;
	int fd = pick_fd(t, &slot, &foreign);
	size_t len;
	off_t off = chance(t, 90) ? 0 : (off_t)(rnd(t, 4) * PG);
	int flags = chance(t, 90) ? MAP_SHARED : MAP_PRIVATE;
	int prot = chance(t, 80) ? PROT_READ | PROT_WRITE : (int)rnd(t, 4);
	void *hint = NULL;
	bool mf, guarded = false;
	void *m;

	switch (rnd(t, 5)) {
	case 0:
		len = 0;
		break;
	case 1:
		len = (SVMSIM_WINDOW_MAX_PAGES + rnd(t, 2)) * PG - rnd(t, 2);
		break;
	default:
		len = (1 + rnd(t, 16)) * PG - (chance(t, 10) ? rnd(t, PG) : 0);
		break;
	}
	if (chance(t, 30)) {	/* into the churned area, so that DMA meets the window */
		hint = (void *)(uintptr_t)(RES_BASE + rnd(t, RES_LEN / PG - 16) * PG);
		flags |= MAP_FIXED;
		if ((uintptr_t)hint + len > RES_BASE + RES_LEN) {
			hint = NULL;
			flags &= ~MAP_FIXED;
		}
	}
	mf = !len || off || !(flags & MAP_SHARED) || len > SVMSIM_WINDOW_MAX_PAGES * PG;
	snprintf(t->desc, sizeof(t->desc), "fd=%d addr=%p len=%#zx prot=%d flags=%#x off=%#lx", fd,
		 hint, len, prot, flags, (long)off);
	if (!hint && len && len <= (SVMSIM_WINDOW_MAX_PAGES + 1) * PG) {
		/* Between PROT_NONE guards, for the same reason as the scratch buffer. */
		char *g = mmap(NULL, len + 2 * PG + PG, PROT_NONE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

		if (g != MAP_FAILED) {
			hint = g + PG;
			flags |= MAP_FIXED;
			guarded = true;
		}
	}
	m = mmap(hint, len, prot, flags, fd, off);
	err = m == MAP_FAILED ? errno : 0;
	check(t, OP_MMAP, m == MAP_FAILED ? -1 : 0, err, foreign || slot < 0, mf, "invalid mapping");
	if (m != MAP_FAILED) {
		if (slot >= 0 && !foreign)
			win_set(&slots[slot], (uintptr_t)m, len,
				guarded ? (uintptr_t)m - PG : 0, guarded ? len + 3 * PG : 0);
		else if (guarded)
			munmap((char *)m - PG, len + 3 * PG);
	} else if (guarded) {
		munmap((char *)hint - PG, len + 3 * PG);	/* the unused guard reservation */
	}
	if (m != MAP_FAILED) {
		if (chance(t, 50))
			touch(t, (char *)m + rnd(t, len) / PG * PG, PG);	/* fault a page in */
	}
}

static void f_write(struct thr *t)
{
	bool foreign;
	int slot, err;
	int fd = pick_fd(t, &slot, &foreign);
	uint64_t w = slot >= 0 ? atomic_load(&slots[slot].win) : 0;
	uint64_t addr, len;
	ssize_t ret;

	if (w && chance(t, 70)) {
		addr = w + rnd(t, atomic_load(&slots[slot].win_len) + PG);
		len = rnd(t, 4 * PG);
	} else {
		addr = gen_addr(t);
		len = gen_len(t);
	}
	snprintf(t->desc, sizeof(t->desc), "fd=%d buf=%#llx len=%#llx", fd,
		 (unsigned long long)addr, (unsigned long long)len);
	ret = write(fd, (void *)(uintptr_t)addr, (size_t)len);
	err = ret < 0 ? errno : 0;
	check(t, OP_WRITE, ret, err, foreign || slot < 0, false, "");
	if (ret >= 0 && (uint64_t)ret != len && (uint64_t)ret != 0x7ffff000ull) {
		atomic_fetch_add(&sh->bad, 1);
		say("# FAIL seed=%" PRIu64 " proc=%u gen=%u thread=%u call=%lu: write %s -> %zd\n",
		    o.seed, proc_slot, proc_gen, t->idx, t->ncalls, t->desc, ret);
	}
}

static int open_dev(struct thr *t, bool *rdonly)
{
	char path[64];
	int flags = chance(t, 90) ? O_RDWR : chance(t, 50) ? O_RDONLY : O_WRONLY;

	*rdonly = flags == O_RDONLY;
	snprintf(path, sizeof(path), SVMSIM_DEV_PREFIX "%u",
		 chance(t, 80) ? o.device : (unsigned int)rnd(t, ver.ndevices));
	return open(path, flags | O_CLOEXEC);
}

/* Close or reopen one of this thread's own slots. */
static void f_close_open(struct thr *t)
{
	unsigned int s = t->idx + o.threads * (unsigned int)rnd(t, (NFD + o.threads - 1) / o.threads);
	int fd, err;
	bool rdonly;

	if (s >= NFD)
		s = t->idx % NFD;
	if (s % o.threads != t->idx)
		return;
	fd = atomic_load(&slots[s].fd);
	if (fd >= 0 && chance(t, 50))
		return;
	if (fd >= 0) {
		atomic_store(&slots[s].fd, -1);
		atomic_store(&slots[s].pasid, 0);
		/* A window left mapped keeps the file open: unmap it, sometimes. */
		if (chance(t, 80))
			win_set(&slots[s], 0, 0, 0, 0);
		snprintf(t->desc, sizeof(t->desc), "fd=%d", fd);
		err = close(fd) ? errno : 0;
		t->arg_unknown = false;
		check(t, OP_CLOSE, err ? -1 : 0, err, false, false, "");
	}
	if (fd < 0 || chance(t, 80)) {
		fd = open_dev(t, &rdonly);
		err = fd < 0 ? errno : 0;
		snprintf(t->desc, sizeof(t->desc), "slot %u", s);
		t->arg_unknown = false;
		check(t, OP_OPEN, fd, err, false, false, "");
		if (fd >= 0) {
			atomic_store(&slots[s].rdonly, rdonly);
			atomic_store(&slots[s].fd, fd);
		}
	}
}

/* ---- memory churn on the DMA area ----------------------------------------- */

static void *res_map(void *at, size_t len, int prot)
{
	int fl = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED;

	return mmap(at, len, prot, fl, -1, 0);
}

static void fuzz_one(struct thr *t);

/* A fault on the churned area (unmapped, PROT_NONE) is expected: skip it. */
/*
 * volatile: the compiler may otherwise sink the store that sets it below
 * the (volatile) accesses that fault, and the handler would find it unset.
 */
static __thread sigjmp_buf *volatile touch_jb;

static void on_segv(int sig, siginfo_t *si, void *ctx)
{
	(void)ctx;
	if (touch_jb)
		siglongjmp(*touch_jb, 1);
	/* Not a touch: a fuzzer bug, say where (worker deaths are counted). */
	say("# worker %d: signal %d at address %p (code %d)\n", (int)getpid(), sig, si->si_addr,
	    si->si_code);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void touch(struct thr *t, char *a, size_t len)
{
	volatile char *v = a;
	sigjmp_buf jb;
	bool wr = chance(t, 50);

	if (sigsetjmp(jb, 1) == 0) {
		touch_jb = &jb;
		for (size_t i = 0; i < len; i += PG) {
			if (wr)
				v[i] = (char)i;
			else
				(void)v[i];
		}
	}
	touch_jb = NULL;
}

static void churn(struct thr *t)
{
	static const int adv[] = {
		MADV_DONTNEED, MADV_FREE, MADV_HUGEPAGE, MADV_NOHUGEPAGE, MADV_COLD,
		MADV_PAGEOUT, MADV_WILLNEED, MADV_MERGEABLE, MADV_DONTFORK, MADV_DOFORK,
	};
	unsigned int c = (unsigned int)rnd(t, CH_NR);

	if (o.skip_churn >> c & 1)
		return;
	size_t len = (1 + (chance(t, 80) ? rnd(t, 16) : rnd(t, 1024))) * PG;
	char *a = (char *)(uintptr_t)(RES_BASE + rnd(t, RES_LEN / PG) * PG);

	if (a + len > (char *)(uintptr_t)(RES_BASE + RES_LEN))
		len = (size_t)((char *)(uintptr_t)(RES_BASE + RES_LEN) - a);
	atomic_fetch_add(&sh->churn[c], 1);
	switch (c) {
	case CH_MUNMAP:
		munmap(a, len);
		break;
	case CH_MMAP:
		if (res_map(a, len, chance(t, 80) ? PROT_READ | PROT_WRITE : PROT_READ) != MAP_FAILED &&
		    chance(t, 50))
			touch(t, a, len > 8 * PG ? 8 * PG : len);
		break;
	case CH_MADVISE:
		madvise(a, len, adv[rnd(t, sizeof(adv) / sizeof(adv[0]))]);
		break;
	case CH_MPROTECT:
		mprotect(a, len, (int)rnd(t, 4));
		break;
	case CH_MREMAP: {
		char *to = (char *)(uintptr_t)(RES_BASE + rnd(t, RES_LEN / PG) * PG);

		if (to + len <= (char *)(uintptr_t)(RES_BASE + RES_LEN) &&
		    (to + len <= a || to >= a + len))
			mremap(a, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, to);
		else
			mremap(a, len, len / 2 ? len / 2 : PG, 0);	/* shrink in place */
		break;
	}
	case CH_FORK: {
		pid_t parent = getpid(), pid = fork();

		if (pid == 0) {
			/* Not an orphan holding the fds after its worker is gone. */
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (getppid() != parent)
				_exit(0);
			/* Another thread may have held it at fork: the child alone now. */
			pthread_mutex_init(&win_lock, NULL);
			/* The child: COW faults, then calls on the inherited fds. */
			t->rng = rng_seed(t->rng, 77);
			for (unsigned int i = 0; i < 8; i++)
				((volatile char *)t->scratch)[i * 512] = (char)i;
			for (unsigned int i = 0; i < 10; i++)
				fuzz_one(t);
			_exit(0);
		}
		if (pid > 0)
			waitpid(pid, NULL, 0);
		break;
	}
	default:	/* touch: fault pages in (CPU writes racing DMA) */
		touch(t, a, len > 16 * PG ? 16 * PG : len);
		break;
	}
}

/* What a thread does, by weight (out of 100). */
static const struct {
	enum op op;
	unsigned int weight;
	void (*fn)(struct thr *t);
} menu[] = {
	{ OP_VERSION, 3, f_version },	{ OP_BIND, 7, f_bind },
	{ OP_UNBIND, 4, f_unbind },	{ OP_DMA, 30, f_dma },
	{ OP_STATS, 4, f_stats },	{ OP_HIST, 3, f_hist },
	{ OP_SET_CONFIG, 4, f_set_config }, { OP_GET_CONFIG, 2, f_get_config },
	{ OP_ZAP, 4, f_zap },		{ OP_PROBE, 5, f_probe },
	{ OP_INJECT, 4, f_inject },	{ OP_BADCMD, 5, f_badcmd },
	{ OP_MMAP, 4, f_mmap },		{ OP_WRITE, 4, f_write },
	{ OP_CLOSE, 3, f_close_open },	{ OP_SAN_REPORTS, 2, f_san_reports },
	{ OP_NR, 12, churn },
};

static void fuzz_one(struct thr *t)
{
	unsigned int r = (unsigned int)rnd(t, 100), i = 0;

	t->arg_unknown = false;
	while (i + 1 < sizeof(menu) / sizeof(menu[0]) && r >= menu[i].weight)
		r -= menu[i++].weight;
	if (menu[i].op == OP_INJECT && !o.inject)
		i = 9;	/* PROBE */
	if (menu[i].op < OP_NR && (o.skip_ops >> menu[i].op & 1))
		return;
	menu[i].fn(t);
}

/* ---- worker processes ------------------------------------------------------ */

struct worker_thr {
	struct thr t;
	unsigned long budget;
	pthread_t tid;
};

static void thr_setup(struct thr *t, unsigned int idx)
{
	t->idx = idx;
	t->rng = rng_seed(o.seed, ((uint64_t)proc_slot * 1000003 + proc_gen) * 64 + idx);
	t->arg = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	t->ro = mmap(NULL, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	/*
	 * A guard page after the scratch buffer: a device write (DMA READ, HIST)
	 * of any length into it must fault there, not run into the next mapping
	 * (a thread stack).
	 */
	t->scratch = mmap(NULL, SCRATCH_LEN + PG, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (t->arg == MAP_FAILED || t->ro == MAP_FAILED || t->scratch == MAP_FAILED ||
	    mprotect(t->arg + 2 * PG, PG, PROT_NONE) ||
	    mprotect(t->scratch + SCRATCH_LEN, PG, PROT_NONE)) {
		say("# worker: out of memory\n");
		_exit(3);
	}
}

static void run_thread(struct worker_thr *w)
{
	/* The fault handler runs on a stack of its own: it still reports a bad stack. */
	static __thread char altstack[64 << 10];
	stack_t ss = { .ss_sp = altstack, .ss_size = sizeof(altstack) };

	sigaltstack(&ss, NULL);
	while (!atomic_load_explicit(&sh->stop, memory_order_relaxed) && w->t.ncalls < w->budget)
		fuzz_one(&w->t);
}

static void *thr_main(void *arg)
{
	run_thread(arg);
	return NULL;
}

/* One worker process: its own fds, DMA area and threads; exits when done. */
static void worker(unsigned int slot, unsigned int gen)
{
	static struct worker_thr thr[64];
	struct sigaction sa = { .sa_sigaction = on_segv, .sa_flags = SA_NODEFER | SA_SIGINFO |
							   SA_ONSTACK };
	uint64_t rng;
	unsigned long budget;

	proc_slot = slot;
	proc_gen = gen;
	rng = rng_seed(o.seed, ((uint64_t)slot * 1000003 + gen) * 64 + 63);
	budget = WORKER_CALLS / 2 + rng_below(&rng, WORKER_CALLS);
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	if (mmap((void *)RES_BASE, RES_LEN, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED)
		_exit(3);
	for (unsigned int i = 0; i < NFD; i++) {
		int fd = svmsim_open(o.device);
		uint32_t pasid = 0;

		atomic_store(&slots[i].fd, fd);
		/* Start with live bonds of both notifier models (pinned too). */
		if (fd >= 0 && i < 3 && !svmsim_bind(fd, i + 1, 1 + (uint32_t)rng_below(&rng, 2),
						     0, &pasid)) {
			atomic_store(&slots[i].pasid, pasid);
			record_pasid(pasid);
		}
	}
	if (rng_below(&rng, 2)) {	/* bind through the fd every worker shares */
		uint32_t pasid;

		if (!svmsim_bind(inherited_fd, 1 + (uint32_t)rng_below(&rng, 2), 0, 0, &pasid))
			record_pasid(pasid);
	}
	for (unsigned int i = 0; i < o.threads; i++) {
		thr_setup(&thr[i].t, i);
		thr[i].budget = budget / o.threads;
	}
	for (unsigned int i = 1; i < o.threads; i++)
		if (pthread_create(&thr[i].tid, NULL, thr_main, &thr[i]))
			_exit(3);
	run_thread(&thr[0]);
	/* Half the time, exit while the other threads are still in their calls. */
	if (!rng_below(&rng, 2))
		for (unsigned int i = 1; i < o.threads; i++)
			pthread_join(thr[i].tid, NULL);
	_exit(0);
}

/* ---- the parent -------------------------------------------------------------- */

static long tainted(void)
{
	FILE *f = fopen("/proc/sys/kernel/tainted", "r");
	long v = -1;

	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

/* A stalled worker: print where its tasks are in the kernel. */
static void dump_stacks(pid_t pid)
{
	char cmd[160];

	snprintf(cmd, sizeof(cmd),
		 "for t in /proc/%d/task/*; do echo \"# task $t: $(cut -d' ' -f3 $t/stat) "
		 "$(cat $t/wchan)\"; sed 's/^/#   /' $t/stack; done", (int)pid);
	fflush(stdout);
	if (system(cmd) < 0)
		tap_diag("cannot dump the stacks of %d", (int)pid);
}

/* --skip NAME,...: leave out calls (allowed[].name) or churn operations. */
static void parse_skip(const char *list)
{
	char buf[256], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", list);
	for (char *w = strtok_r(buf, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		bool found = false;

		for (unsigned int i = 0; i < OP_NR; i++)
			if (!strcasecmp(w, allowed[i].name)) {
				o.skip_ops |= 1u << i;
				found = true;
			}
		for (unsigned int i = 0; i < CH_NR; i++)
			if (!strcasecmp(w, churn_names[i])) {
				o.skip_churn |= 1u << i;
				found = true;
			}
		if (!found) {
			fprintf(stderr, "--skip: unknown call '%s'\n", w);
			exit(2);
		}
	}
}

static void usage(const char *argv0)
{
	fprintf(stderr, "usage: %s [--seed N] [--duration SEC | --calls N] [--procs N] "
		"[--threads N] [--device N] [--inject] [--progress SEC] [--skip CALL,...]\n", argv0);
	exit(2);
}

static void parse(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--skip") && v) {
			parse_skip(v);
			i++;
			continue;
		}
		if (!strcmp(a, "--inject")) {
			o.inject = true;
			continue;
		}
		if (!v)
			usage(argv[0]);
		i++;
		if (!strcmp(a, "--seed"))
			o.seed = strtoull(v, NULL, 0);
		else if (!strcmp(a, "--duration"))
			o.duration = atof(v);
		else if (!strcmp(a, "--calls"))
			o.calls = strtoull(v, NULL, 0);
		else if (!strcmp(a, "--procs"))
			o.procs = (unsigned int)atoi(v);
		else if (!strcmp(a, "--threads"))
			o.threads = (unsigned int)atoi(v);
		else if (!strcmp(a, "--device"))
			o.device = (unsigned int)atoi(v);
		else if (!strcmp(a, "--progress"))
			o.progress = atof(v);
		else
			usage(argv[0]);
	}
	if (!o.procs || o.procs > 64 || !o.threads || o.threads > 64)
		usage(argv[0]);
	if (o.calls)
		o.duration = 1e9;
}

static void print_tally(double secs)
{
	unsigned long total = atomic_load(&sh->calls);

	for (unsigned int op = 0; op < OP_NR; op++) {
		char line[1024];
		int n = 0;
		unsigned long calls = 0;

		for (unsigned int e = 0; e <= MAXERR; e++)
			calls += atomic_load(&sh->tally[op][e]);
		if (!calls)
			continue;
		n += snprintf(line + n, sizeof(line) - (size_t)n, "%-10s %9lu: ok %lu",
			      allowed[op].name, calls, atomic_load(&sh->tally[op][0]));
		for (unsigned int e = 1; e <= MAXERR && n < (int)sizeof(line) - 40; e++) {
			unsigned long c = atomic_load(&sh->tally[op][e]);

			if (c)
				n += snprintf(line + n, sizeof(line) - (size_t)n, ", %s %lu",
					      strerrorname_np((int)e) ?: "E?", c);
		}
		tap_diag("%s", line);
	}
	{
		char line[512];
		int n = snprintf(line, sizeof(line), "churn:");

		for (unsigned int c = 0; c < CH_NR; c++)
			n += snprintf(line + n, sizeof(line) - (size_t)n, " %s %lu", churn_names[c],
				      atomic_load(&sh->churn[c]));
		tap_diag("%s", line);
	}
	tap_diag("calls: %lu in %.1f s = %.0f calls/s; worker processes: %lu",
		 total, secs, secs > 0 ? total / secs : 0.0, atomic_load(&sh->workers));
}

/* After the run: the device must still bind, move data and unbind. */
static bool device_works(void)
{
	uint64_t *buf = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint64_t v = 0x5eed5eed5eed5eedull, got = 0;
	uint32_t pasid;
	bool ok = false;
	int fd = svmsim_open(o.device);

	if (fd < 0 || buf == MAP_FAILED)
		return false;
	for (uint32_t model = SVMSIM_MODEL_SECONDARY; model <= SVMSIM_MODEL_RANGE; model++) {
		ok = !svmsim_bind(fd, model, SVMSIM_FILL_REF, 0, &pasid) &&
		     !svmsim_dma_rw(fd, pasid, SVMSIM_DMA_WRITE, buf, &v, 8) &&
		     !svmsim_dma_rw(fd, pasid, SVMSIM_DMA_READ, buf, &got, 8) && got == v &&
		     *buf == v && !svmsim_unbind(fd, pasid);
		if (!ok)
			break;
	}
	close(fd);
	munmap(buf, PG);
	return ok;
}

static int dev_gauges(uint64_t *entries, uint64_t *pinned)
{
	struct svmsim_stats st = { 0 };
	int fd = svmsim_open(o.device);
	int ret;

	if (fd < 0)
		return fd;
	ret = svmsim_ioctl(fd, SVMSIM_IOC_STATS, &st);
	close(fd);
	*entries = st.counters[SVMSIM_STAT_TLB_ENTRIES];
	*pinned = st.counters[SVMSIM_STAT_PINNED_PAGES];
	return ret;
}

int main(int argc, char **argv)
{
	pid_t pids[64] = { 0 };
	unsigned int gens[64] = { 0 };
	struct svmsim_config saved;
	double start, next_progress, stop_at = 0, secs;
	bool hung = false, restored;
	uint64_t entries = 0, pinned = 0;
	long taint0, taint1;
	int status, gauges;

	parse(argc, argv);
	setvbuf(stdout, NULL, _IOLBF, 0);
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	inherited_fd = svmsim_open(o.device);
	if (sh == MAP_FAILED || inherited_fd < 0 || svmsim_version(inherited_fd, &ver) ||
	    svmsim_get_config(inherited_fd, &saved)) {
		printf("Bail out! cannot open /dev/svmsim%u\n", o.device);
		return 1;
	}
	if (o.inject && !(ver.features & SVMSIM_FEAT_INJECT)) {
		tap_diag("--inject: the module was loaded without allow_inject=1; no INJECT calls");
		o.inject = false;
	}
	tap_diag("seed %" PRIu64 ", %u processes x %u threads, %s %.0f%s, device %u%s",
		 o.seed, o.procs, o.threads, o.calls ? "calls" : "duration",
		 o.calls ? (double)o.calls : o.duration, o.calls ? "" : " s", o.device,
		 o.inject ? ", inject" : "");
	tap_diag("reproduce: svmsim-fuzz --seed %" PRIu64 " --procs %u --threads %u %s %.0f%s",
		 o.seed, o.procs, o.threads, o.calls ? "--calls" : "--duration",
		 o.calls ? (double)o.calls : o.duration, o.inject ? " --inject" : "");
	taint0 = tainted();
	start = now();
	next_progress = start + o.progress;
	for (;;) {
		bool any = false;
		pid_t pid;

		for (unsigned int i = 0; i < o.procs; i++) {
			if (pids[i] || atomic_load(&sh->stop))
				continue;
			pid = fork();
			if (pid == 0)
				worker(i, gens[i]);
			if (pid < 0) {
				printf("Bail out! fork: %s\n", strerror(errno));
				return 1;
			}
			pids[i] = pid;
			gens[i]++;
			atomic_fetch_add(&sh->workers, 1);
		}
		while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
			for (unsigned int i = 0; i < o.procs; i++)
				if (pids[i] == pid)
					pids[i] = 0;
			if (WIFSIGNALED(status) && !hung) {
				atomic_fetch_add(&sh->worker_deaths, 1);
				tap_diag("worker %d died of signal %d (seed %" PRIu64 ")", (int)pid,
					 WTERMSIG(status), o.seed);
			} else if (WIFEXITED(status) && WEXITSTATUS(status)) {
				atomic_fetch_add(&sh->worker_deaths, 1);
				tap_diag("worker %d exited %d", (int)pid, WEXITSTATUS(status));
			}
		}
		for (unsigned int i = 0; i < o.procs; i++)
			any |= pids[i] != 0;
		if (!atomic_load(&sh->stop) && (now() - start >= o.duration ||
		    (o.calls && atomic_load(&sh->calls) >= o.calls))) {
			atomic_store(&sh->stop, 1);
			stop_at = now();
		}
		if (atomic_load(&sh->stop) && !any)
			break;
		if (stop_at && !hung && now() - stop_at > 60) {
			hung = true;
			tap_diag("workers still running 60 s after the stop: stacks follow");
			for (unsigned int i = 0; i < o.procs; i++)
				if (pids[i]) {
					dump_stacks(pids[i]);
					kill(pids[i], SIGKILL);
				}
		}
		if (hung && now() - stop_at > 90) {
			tap_diag("workers unkillable (D state?): giving up on them");
			break;
		}
		if (o.progress > 0 && now() >= next_progress) {
			unsigned long c = atomic_load(&sh->calls);

			tap_diag("progress: %.0f s, %lu calls (%.0f/s), %lu workers, %lu bad",
				 now() - start, c, c / (now() - start), atomic_load(&sh->workers),
				 atomic_load(&sh->bad));
			next_progress += o.progress;
		}
		usleep(20000);
	}
	secs = (stop_at ? stop_at : now()) - start;
	close(inherited_fd);
	tap_ok(!atomic_load(&sh->bad), "every call returned success or an errno documented "
	       "for it (%lu calls, %lu bad)", atomic_load(&sh->calls), atomic_load(&sh->bad));
	tap_ok(!atomic_load(&sh->worker_deaths), "no worker died (%lu of %lu)",
	       atomic_load(&sh->worker_deaths), atomic_load(&sh->workers));
	tap_ok(!hung, "every worker finished after the stop");
	/* After a hang the device's locks may be held for good: do not wait on them. */
	tap_ok(!hung && device_works(), "the device still binds, moves data and unbinds "
	       "(both models)");
	/*
	 * Read first: the arguments below are evaluated in no set order.  A
	 * fork child killed with its worker may still be closing its fds:
	 * give the last releases a few seconds.
	 */
	for (int i = 0; i < 100; i++) {
		gauges = hung ? -EDEADLK : dev_gauges(&entries, &pinned);
		if (gauges || (!entries && !pinned))
			break;
		usleep(100 * 1000);
	}
	tap_ok(!gauges && !entries && !pinned,
	       "no TLB entry or pinned page left after every fd closed (%" PRIu64 ", %" PRIu64
	       ", stats %d)", entries, pinned, gauges);
	{
		int fd = svmsim_open(o.device);

		restored = !hung && fd >= 0 && !svmsim_set_config(fd, &saved);
		if (fd >= 0)
			close(fd);
	}
	taint1 = tainted();
	tap_ok(restored && taint1 == taint0, "configuration restored, kernel taint unchanged "
	       "(%ld -> %ld)", taint0, taint1);
	print_tally(secs);
	if (atomic_load(&sh->bad))
		tap_diag("reproduce: svmsim-fuzz --seed %" PRIu64 " --procs %u --threads %u %s %.0f%s",
			 o.seed, o.procs, o.threads, o.calls ? "--calls" : "--duration",
			 o.calls ? (double)o.calls : o.duration, o.inject ? " --inject" : "");
	return tap_finish();
}
