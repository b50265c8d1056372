// SPDX-License-Identifier: GPL-2.0
/*
 * The pinned model (vfio type1 style): pages pinned at bind (MAP_DMA) or
 * at first touch, never invalidated.  What it costs and what it breaks:
 * the device keeps reading a page the process unmapped, and the kernel
 * cannot migrate a pinned page.  Also: a pinned bond on the device window
 * (PFN-mapped pages hold plain references, not pins), and unbind returning
 * every pin.
 *
 * Accounting (as an unprivileged user: uid 65534, no CAP_IPC_LOCK, a small
 * RLIMIT_MEMLOCK): every pin, at bind or on demand, is charged to the mm's
 * pinned_vm (VmPin), the whole folio it holds (a 4K pin of a THP: 2 MB);
 * beyond the limit DMA and BIND fail with ENOMEM; unbind uncharges.
 */
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib.h"

static uint64_t pinned(const struct dev *d)
{
	return stat_of(d, 0, SVMSIM_STAT_PINNED_PAGES);
}

static void test_pin_at_bind(void)
{
	char *p = map_anon(16 * PG, PROT_READ | PROT_WRITE), *buf = malloc(16 * PG);
	struct dev d;
	uint64_t v = 0;
	int moved;

	fill_pattern(p, 16 * PG, 1);
	dev_open(&d, 0);
	ok_errno(svmsim_bind_pinned(d.fd, (uintptr_t)p, 16 * PG, &d.pasid), 0,
		 "pinned: bind pins and maps 16 pages");
	tap_ok(pinned(&d) == 16 && !dma_read(&d, p, buf, 16 * PG) && check_pattern(buf, 16 * PG, 1),
	       "pinned: 16 pages pinned, the device reads them");
	moved = move_to_node(p, 4, node_of(p) == 0 ? 1 : 0);
	if (numa_nodes() < 2)
		tap_skip("pinned: migration needs two NUMA nodes");
	else
		tap_ok(moved == 0, "pinned: move_pages cannot migrate pinned pages (%d of 4 moved)",
		       moved);
	munmap(p, 16 * PG);
	map_anon_at(p, 16 * PG);
	*(uint64_t *)p = 2;
	tap_ok(!dma_read_u64(&d, p, &v) && v != 2 && pinned(&d) == 16,
	       "pinned: after munmap + mmap the device still reads the old page (stale by design)");
	ok_errno(svmsim_unbind(d.fd, d.pasid), 0, "pinned: unbind");
	tap_ok(pinned(&d) == 0, "pinned: unbind returns every pin");
	dev_close(&d);
	munmap(p, 16 * PG);
	free(buf);
}

/* PFN-mapped window pages hold plain references, released as such. */
static void test_pinned_window(void)
{
	struct dev d;
	uint64_t *w, *anon = map_anon(PG, PROT_READ | PROT_WRITE), v = 0;

	dev_open(&d, 1);
	w = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, d.fd, 0);
	w[0] = 5;
	*anon = 6;
	svmsim_bind_pinned(d.fd, 0, 0, &d.pasid);
	tap_ok(!dma_read_u64(&d, w, &v) && v == 5 && !dma_write_u64(&d, w + 1, 9) && w[1] == 9 &&
	       !dma_read_u64(&d, anon, &v) && v == 6 && pinned(&d) == 1,
	       "pinned: window pages (referenced) and anon pages (pinned, at first touch)");
	svmsim_unbind(d.fd, d.pasid);
	tap_ok(pinned(&d) == 0, "pinned: unbind releases both kinds of reference");
	munmap(w, 4 * PG);
	dev_close(&d);
	munmap(anon, PG);
}

static long vm_pin(void)
{
	return proc_kb("/proc/self/status", "VmPin:");
}

#define NOBODY		65534
#define CHECK(n, cond, ...)						\
	do {								\
		if (!(cond)) {						\
			tap_diag(__VA_ARGS__);				\
			return (n);					\
		}							\
	} while (0)

/*
 * Run @fn in a child as an unprivileged user: uid and gid 65534 (setuid
 * from root drops every capability, CAP_IPC_LOCK included), RLIMIT_MEMLOCK
 * @limit bytes, /dev/svmsim0 world-accessible meanwhile.  The child's exit
 * status is @fn's: 0 passed, else the number of the check that failed.
 */
static int as_nobody(rlim_t limit, int (*fn)(void))
{
	struct rlimit rl = { limit, limit };
	struct stat st;
	int status = 0, chmodded;
	pid_t pid;

	chmodded = !stat("/dev/svmsim0", &st) && !chmod("/dev/svmsim0", 0666);
	fflush(stdout);
	pid = fork();
	if (!pid) {
		if (setrlimit(RLIMIT_MEMLOCK, &rl) || setgroups(0, NULL) ||
		    setgid(NOBODY) || setuid(NOBODY)) {
			tap_diag("cannot become an unprivileged user");
			_exit(99);
		}
		prctl(PR_SET_DUMPABLE, 1);	/* /proc/self stays ours */
		status = fn();
		fflush(stdout);
		_exit(status);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		status = 98 << 8;
	if (chmodded)
		chmod("/dev/svmsim0", st.st_mode & 07777);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 97;
}

/* RLIMIT_MEMLOCK 64 kB (16 pages): pins at first touch, to the limit. */
static int memlock_on_demand(void)
{
	char *p = map_anon(32 * PG, PROT_READ | PROT_WRITE);
	uint64_t v;
	struct dev d;
	int i, ret;

	madvise(p, 32 * PG, MADV_NOHUGEPAGE);
	memset(p, 1, 32 * PG);
	CHECK(1, !dev_open(&d, 0), "open /dev/svmsim0 as uid %d failed", NOBODY);
	CHECK(2, !svmsim_bind_pinned(d.fd, 0, 0, &d.pasid), "pinned bind failed");
	CHECK(3, vm_pin() == 0, "VmPin %ld kB before any pin", vm_pin());
	for (i = 0; i < 16; i++) {
		ret = dma_read_u64(&d, p + i * PG, &v);
		CHECK(4, !ret && vm_pin() == 4 * (i + 1),
		      "pin %d: DMA %s, VmPin %ld kB, want %d", i, errname(ret), vm_pin(),
		      4 * (i + 1));
	}
	ret = dma_read_u64(&d, p, &v);
	CHECK(5, !ret && vm_pin() == 64, "a cached page is not charged again: VmPin %ld",
	      vm_pin());
	ret = dma_read_u64(&d, p + 16 * PG, &v);
	CHECK(6, ret == -ENOMEM && vm_pin() == 64,
	      "pin 17 beyond RLIMIT_MEMLOCK: DMA %s (want ENOMEM), VmPin %ld kB",
	      errname(ret), vm_pin());
	CHECK(7, !svmsim_unbind(d.fd, d.pasid) && vm_pin() == 0,
	      "unbind: VmPin %ld kB, want 0", vm_pin());
	ret = svmsim_bind_pinned(d.fd, (uintptr_t)p, 8 * PG, &d.pasid);
	CHECK(8, !ret && vm_pin() == 32, "bind pinning 8 pages: %s, VmPin %ld kB",
	      errname(ret), vm_pin());
	ret = dma_read_u64(&d, p + 8 * PG, &v);
	CHECK(9, !ret && vm_pin() == 36, "one more on demand: %s, VmPin %ld kB",
	      errname(ret), vm_pin());
	svmsim_unbind(d.fd, d.pasid);
	ret = svmsim_bind_pinned(d.fd, (uintptr_t)p, 32 * PG, &d.pasid);
	CHECK(10, ret == -ENOMEM && vm_pin() == 0,
	      "bind pinning 32 pages (limit 16): %s (want ENOMEM), VmPin %ld kB",
	      errname(ret), vm_pin());
	dev_close(&d);
	return 0;
}

static char *thp_touched(void)
{
	char *p = map_huge_aligned(HPG);

	memset(p, 2, HPG);
	return proc_kb("/proc/self/smaps_rollup", "AnonHugePages:") >= 2048 ? p : NULL;
}

/* RLIMIT_MEMLOCK 4 MB: a 4K pin of a THP is charged the 2 MB it holds. */
static int memlock_thp(void)
{
	char *p = thp_touched();
	struct dev d;
	uint64_t v;
	int ret;

	if (!p)
		return 100;
	CHECK(1, !dev_open(&d, 0), "open /dev/svmsim0 as uid %d failed", NOBODY);
	CHECK(2, !svmsim_bind(d.fd, SVMSIM_MODEL_PINNED, 0, SVMSIM_BIND_NO_HUGE, &d.pasid),
	      "pinned bind (no_huge) failed");
	ret = dma_read_u64(&d, p + 5 * PG, &v);
	CHECK(3, !ret && vm_pin() == 2048, "a 4K pin of a THP: %s, VmPin %ld kB, want 2048",
	      errname(ret), vm_pin());
	svmsim_unbind(d.fd, d.pasid);
	CHECK(4, vm_pin() == 0, "unbind: VmPin %ld kB", vm_pin());
	dev_close(&d);
	return 0;
}

/* RLIMIT_MEMLOCK 1 MB: a THP cannot be pinned, even by a 4K access. */
static int memlock_thp_over(void)
{
	char *p = thp_touched();
	struct dev d;
	uint64_t v;
	int ret;

	if (!p)
		return 100;
	CHECK(1, !dev_open(&d, 0), "open /dev/svmsim0 as uid %d failed", NOBODY);
	CHECK(2, !svmsim_bind_pinned(d.fd, 0, 0, &d.pasid), "pinned bind failed");
	ret = dma_read_u64(&d, p, &v);
	CHECK(3, ret == -ENOMEM && vm_pin() == 0,
	      "a THP pin over a 1 MB limit: %s (want ENOMEM), VmPin %ld kB", errname(ret),
	      vm_pin());
	dev_close(&d);
	return 0;
}

static void test_memlock(void)
{
	int r;

	r = as_nobody(64 << 10, memlock_on_demand);
	tap_ok(!r, "pinned, uid %d, RLIMIT_MEMLOCK 64k: on-demand and bind-time pins charged "
	       "to VmPin, ENOMEM beyond, unbind uncharges (check %d)", NOBODY, r);
	r = as_nobody(4 << 20, memlock_thp);
	if (r == 100)
		tap_skip("pinned: no THP was allocated");
	else
		tap_ok(!r, "pinned, uid %d: a 4K pin of a THP charges 2 MB (check %d)", NOBODY, r);
	r = as_nobody(1 << 20, memlock_thp_over);
	if (r == 100)
		tap_skip("pinned: no THP was allocated");
	else
		tap_ok(!r, "pinned, uid %d, RLIMIT_MEMLOCK 1M: a THP pin is refused with ENOMEM "
		       "(check %d)", NOBODY, r);
}

int main(void)
{
	test_pin_at_bind();
	test_pinned_window();
	test_memlock();
	return tap_finish();
}
