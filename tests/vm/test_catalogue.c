// SPDX-License-Identifier: GPL-2.0
/*
 * The bug catalogue (enum svmsim_bug, drv/inject.c) beyond test_inject's
 * first six: each bug, injected, must leave a stale translation that the
 * device then uses -- and the test sees it -- on the kernel path the bug
 * is about.  Where a kernel never takes that path the test says so and
 * checks that the bug did not act (SVMSIM_STAT_INJECTED): a bug the
 * kernel cannot reach is not a bug caught.
 *
 * Unsanitized (--sanitize 0) the bonds use fill=ref and the evidence is
 * data: the old generation read back, a device write the child or the
 * soft-dirty bit should not have seen.  Sanitized (--sanitize 1, --fill
 * noref: the faithful mode) the sanitizer must stop the access (EIO) and
 * report it.  Bugs of the range model are skipped on --model secondary
 * and the reverse; every case is skipped without allow_inject=1.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib.h"
#include "stale.h"

#define HUGE_2M		(2ul << 20)
#define PAGEMAP_SOFT_DIRTY	(1ull << 55)

static bool range_model(const char *bug)
{
	if (opt.model == SVMSIM_MODEL_RANGE)
		return true;
	tap_skip("%s: %s applies to the range model", model_name(), bug);
	return false;
}

static uint64_t injected(const struct dev *d)
{
	return stat_of(d, d->pasid, SVMSIM_STAT_INJECTED);
}

/* skip_unmap: munmap is not flushed; MADV_DONTNEED (CLEAR) still is. */
static void test_skip_unmap(void)
{
	struct dev d;
	uint64_t *p, v = 0, since;
	int ret;

	if (!range_model("skip_unmap")) {
		tap_skip("%s: skip_unmap applies to the range model", model_name());
		return;
	}
	bond_with(&d, 0, opt.model, SVMSIM_BUG_SKIP_UNMAP, 0, 0);
	p = cached_pages(&d, 1);
	remap(p, 1);
	stale_unflushed = true;
	check_stale(&d, p, "skip_unmap", "munmap+mmap");
	stale_unflushed = false;
	munmap(p, PG);

	p = cached_pages(&d, 1);
	since = san_total(&d);
	dontneed(p, 1);
	release_old_pages();
	ret = dma_read_u64(&d, p, &v);
	tap_ok(!ret && v == 2 && san_total(&d) == since,
	       "%s: skip_unmap: MADV_DONTNEED (event clear) is still flushed (%s %llu)",
	       model_name(), errname(ret), (unsigned long long)v);
	dev_close(&d);
	munmap(p, PG);
}

/* skip_clear: MADV_DONTNEED is not flushed. */
static void test_skip_clear(void)
{
	struct dev d;
	uint64_t *p;

	if (!range_model("skip_clear"))
		return;
	bond_with(&d, 0, opt.model, SVMSIM_BUG_SKIP_CLEAR, 0, 0);
	p = cached_pages(&d, 1);
	dontneed(p, 1);
	stale_unflushed = true;
	check_stale(&d, p, "skip_clear", "MADV_DONTNEED");
	stale_unflushed = false;
	dev_close(&d);
	munmap(p, PG);
}

/*
 * skip_clear, then a CPU read: the page is now the shared zero page,
 * which GUP-fast does not take -- the sanitizer must still judge the
 * access (it once sent it back to look up again until the device timed
 * out), and unsanitized the device reads the old 1 where the CPU reads 0.
 */
static void test_skip_clear_zero_page(void)
{
	volatile uint64_t cpu;
	uint64_t *p, v = 0, since;
	struct dev d;
	int ret;

	if (!range_model("skip_clear"))
		return;
	bond_with(&d, 0, opt.model, SVMSIM_BUG_SKIP_CLEAR, 0, 0);
	p = cached_pages(&d, 1);
	madvise(p, PG, MADV_DONTNEED);
	cpu = *p;			/* maps the zero page */
	since = san_total(&d);
	ret = dma_read_u64(&d, p, &v);
	release_old_pages();
	tap_ok(cpu == 0 && caught(&d, p, ret, v, since),
	       "%s: skip_clear: %s after MADV_DONTNEED and a CPU read (the zero page) (%s %llu)",
	       model_name(), opt.sanitize ? "the sanitizer stops the stale read" :
	       "the device reads stale generation 1", errname(ret), (unsigned long long)v);
	dev_close(&d);
	munmap(p, PG);
}

/*
 * A device write through a writable entry of @p after the mm made the
 * page read-only.  Unsanitized: the write must have failed, so success is
 * the catch.  Sanitized: EIO and a report (a permission the CPU no longer
 * grants).
 */
static bool write_caught(const struct dev *d, uint64_t *p, uint64_t since, int *ret)
{
	*ret = dma_write_u64(d, p, 0xbad);
	if (!opt.sanitize)
		return !*ret;
	return san_caught(d, p, *ret, since);
}

/* A page the device caches writable. */
static uint64_t *cached_writable(struct dev *d, size_t len)
{
	uint64_t *p = map_anon(len, PROT_READ | PROT_WRITE);

	*p = 1;
	dma_write_u64(d, p, 1);
	return p;
}

/* skip_protection_vma: mprotect(PROT_READ) leaves the entry writable. */
static void test_skip_protection_vma(void)
{
	struct dev d;
	uint64_t *p, since;
	bool hit;
	int ret;

	if (!range_model("skip_protection_vma"))
		return;
	bond_with(&d, 0, opt.model, SVMSIM_BUG_SKIP_PROTECTION_VMA, 0, 0);
	p = cached_writable(&d, PG);
	since = san_total(&d);
	mprotect(p, PG, PROT_READ);
	hit = write_caught(&d, p, since, &ret);
	tap_ok(hit,
	       "%s: skip_protection_vma: %s after mprotect(PROT_READ) (%s)", model_name(),
	       opt.sanitize ? "the sanitizer stops a device write" :
	       "a device write succeeds", errname(ret));
	dev_close(&d);
	munmap(p, PG);
}

/*
 * skip_protection_page: fork write-protects the parent's COW pages with
 * PROTECTION_PAGE; the parent's writable entry survives, and a device
 * write lands in the page the child shares.  The child reports what it
 * sees once the parent's device write is done.
 */
static void test_skip_protection_page(void)
{
	int to_child[2], from_child[2];
	uint64_t *p, since, seen = 0;
	char go = 1;
	struct dev d;
	bool hit;
	pid_t pid;
	int ret;

	if (!range_model("skip_protection_page"))
		return;
	bond_with(&d, 0, opt.model, SVMSIM_BUG_SKIP_PROTECTION_PAGE, 0, 0);
	p = cached_writable(&d, PG);
	if (pipe(to_child) || pipe(from_child))
		bail("pipe: %s", strerror(errno));
	pid = fork();
	if (!pid) {
		close(d.fd);
		read(to_child[0], &go, 1);
		seen = *p;
		write(from_child[1], &seen, sizeof(seen));
		_exit(0);
	}
	since = san_total(&d);
	ret = dma_write_u64(&d, p, 0xbad);
	write(to_child[1], &go, 1);
	read(from_child[0], &seen, sizeof(seen));
	waitpid(pid, NULL, 0);
	hit = opt.sanitize ? san_caught(&d, p, ret, since) : !ret && seen == 0xbad;
	tap_ok(hit, "%s: skip_protection_page: %s after fork (%s, the child sees %#llx)",
	       model_name(), opt.sanitize ? "the sanitizer stops a device write" :
	       "a device write reaches the child's copy", errname(ret),
	       (unsigned long long)seen);
	for (int i = 0; i < 2; i++) {
		close(to_child[i]);
		close(from_child[i]);
	}
	dev_close(&d);
	munmap(p, PG);
}

/* Write 4 to /proc/self/clear_refs: soft-dirty clean, PTEs read-only. */
static void clear_soft_dirty(void)
{
	int fd = open("/proc/self/clear_refs", O_WRONLY);

	if (fd < 0 || write(fd, "4", 1) != 1)
		bail("clear_refs: %s", strerror(errno));
	close(fd);
}

static bool soft_dirty(const void *va)
{
	return pagemap_of(va) & PAGEMAP_SOFT_DIRTY;
}

/*
 * After clear_refs a device write must fault the page writable again,
 * which marks it soft-dirty.  Unsanitized the catch is a write that
 * succeeded and left the page clean: a tracker (CRIU) would miss it.
 */
static void check_soft_dirty_write(struct dev *d, uint64_t *p, const char *bug)
{
	uint64_t since;
	bool hit;
	int ret;

	since = san_total(d);
	clear_soft_dirty();
	if (opt.sanitize) {
		hit = write_caught(d, p, since, &ret);
	} else {
		ret = dma_write_u64(d, p, 0xbad);
		hit = !ret && *p == 0xbad && !soft_dirty(p);
	}
	tap_ok(hit, "%s: %s: %s after clear_refs soft-dirty (%s)", model_name(), bug,
	       opt.sanitize ? "the sanitizer stops a device write" :
	       "a device write leaves the page soft-dirty clean", errname(ret));
}

static void test_skip_soft_dirty(void)
{
	struct dev d;
	uint64_t *p;

	if (!range_model("skip_soft_dirty"))
		return;
	bond_with(&d, 0, opt.model, SVMSIM_BUG_SKIP_SOFT_DIRTY, 0, 0);
	p = cached_writable(&d, PG);
	check_soft_dirty_write(&d, p, "skip_soft_dirty");
	dev_close(&d);
	munmap(p, PG);
}

/* end_overflow: clear_refs invalidates 0..ULONG_MAX on both kernels. */
static void test_end_overflow(void)
{
	struct dev d;
	uint64_t *p;

	bond_with(&d, 0, opt.model, SVMSIM_BUG_END_OVERFLOW, 0, 0);
	p = cached_writable(&d, PG);
	check_soft_dirty_write(&d, p, "end_overflow");
	dev_close(&d);
	munmap(p, PG);
}

/*
 * skip_migrate: only migrate_vma() (device-private memory) sends
 * MMU_NOTIFY_MIGRATE; NUMA migration sends CLEAR.  The bug must not act:
 * after move_pages the device reads the page's new copy.
 */
static void test_skip_migrate(void)
{
	struct dev d;
	uint64_t *p, v = 0;
	int node, ret, read;
	bool moved;

	if (!range_model("skip_migrate"))
		return;
	if (numa_nodes() < 2) {
		tap_skip("%s: skip_migrate: needs two NUMA nodes", model_name());
		return;
	}
	bond_with(&d, 0, opt.model, SVMSIM_BUG_SKIP_MIGRATE, 0, 0);
	p = cached_pages(&d, 1);
	release_old_pages();
	node = node_of(p);
	ret = move_to_node(p, 1, !node);
	*p = 2;
	moved = ret == 1 && node_of(p) == !node;
	read = dma_read_u64(&d, p, &v);
	tap_ok(moved && !read && v == 2 && injected(&d) == 0,
	       "%s: skip_migrate: move_pages sends clear, not migrate: the bug never acts "
	       "(%d moved, read %llu, injected %llu)", model_name(), ret,
	       (unsigned long long)v, (unsigned long long)injected(&d));
	dev_close(&d);
	munmap(p, PG);
}

/*
 * skip_change_pte (6.1 secondary): COW sends invalidate_range for the page
 * before ->change_pte, so skipping the change_pte is harmless there: the
 * bug acts, and the device still writes into the parent's new page.
 * Newer kernels have no ->change_pte: EOPNOTSUPP.
 */
static void test_skip_change_pte(void)
{
	struct svmsim_version v;
	int to_child[2];
	char go = 1;
	struct dev d;
	uint64_t *p;
	pid_t pid;
	int ret;

	if (opt.model != SVMSIM_MODEL_SECONDARY) {
		tap_skip("%s: skip_change_pte applies to the secondary model", model_name());
		return;
	}
	dev_open(&d, 0);
	svmsim_version(d.fd, &v);
	bind_for_bugs(&d, opt.model);
	ret = svmsim_inject(d.fd, d.pasid, SVMSIM_BUG_SKIP_CHANGE_PTE, 0, 0);
	if (!(v.features & SVMSIM_FEAT_CHANGE_PTE)) {
		ok_errno(ret, -EOPNOTSUPP, "%s: skip_change_pte without ->change_pte",
			 model_name());
		dev_close(&d);
		return;
	}
	p = cached_writable(&d, PG);
	if (pipe(to_child))
		bail("pipe: %s", strerror(errno));
	pid = fork();
	if (!pid) {		/* shares the page until the parent's write */
		read(to_child[0], &go, 1);
		_exit(0);
	}
	*p = 2;				/* COW: invalidate_range, then change_pte */
	write(to_child[1], &go, 1);
	waitpid(pid, NULL, 0);
	close(to_child[0]);
	close(to_child[1]);
	ret = dma_write_u64(&d, p, 3);
	tap_ok(injected(&d) > 0 && !ret && *p == 3,
	       "%s: skip_change_pte: harmless after COW, the page was flushed before "
	       "(injected %llu, %s)", model_name(), (unsigned long long)injected(&d),
	       errname(ret));
	dev_close(&d);
	munmap(p, PG);
}

struct reader {
	struct dev *d;
	uint64_t *p;
	size_t pages;
	volatile int stop;
	long reads;
};

static void *read_all(void *arg)
{
	struct reader *r = arg;
	uint64_t v;

	while (!r->stop) {
		for (size_t i = 0; i < r->pages && !r->stop; i++, r->reads++)
			dma_read_u64(r->d, r->p + i * PG / 8, &v);
	}
	return NULL;
}

/*
 * late_flush (range): the entries outlive the zap until the range's end.
 * The window closes before the syscall returns: only the sanitizer, which
 * judges each access as it happens, can see it.  A device thread reads
 * while MADV_DONTNEED zaps; repeated until a report (at most 50 times).
 */
static void test_late_flush(void)
{
	struct reader r = { .pages = 64 };
	uint64_t since;
	struct dev d;
	pthread_t t;
	int tries;

	if (!range_model("late_flush"))
		return;
	if (!opt.sanitize) {
		tap_skip("%s: late_flush: the stale window closes before MADV_DONTNEED returns: "
			 "only the sanitizer sees it", model_name());
		return;
	}
	bond_with(&d, 0, opt.model, SVMSIM_BUG_LATE_FLUSH, 0, 0);
	r.d = &d;
	r.p = map_anon(r.pages * PG, PROT_READ | PROT_WRITE);
	since = san_total(&d);
	pthread_create(&t, NULL, read_all, &r);
	for (tries = 1; tries <= 50 && san_total(&d) == since; tries++) {
		for (size_t i = 0; i < r.pages; i++)
			r.p[i * PG / 8] = 1;
		sleep_ms(2);
		madvise(r.p, r.pages * PG, MADV_DONTNEED);
	}
	r.stop = 1;
	pthread_join(t, NULL);
	tap_ok(san_total(&d) > since,
	       "%s: late_flush: the sanitizer stops a device read during MADV_DONTNEED "
	       "(%d tries, %ld reads, %llu reports)", model_name(), tries, r.reads,
	       (unsigned long long)(san_total(&d) - since));
	dev_close(&d);
	munmap(r.p, r.pages * PG);
}

/*
 * start_off_by_one: of two pages the first stays cached, the second goes.
 * MADV_DONTNEED, whose invalidation is exact: munmap's may start lower
 * (6.1 widens the gathered range over the page tables it frees).
 */
static void test_start_off_by_one(void)
{
	check_one_page_left(SVMSIM_BUG_START_OFF_BY_ONE, "start_off_by_one", dontneed,
			    "MADV_DONTNEED of two pages (first page)", 1, "second");
}

/* A 2M-aligned THP the device caches as one 2M entry, or NULL (skipped). */
static uint64_t *cached_thp(struct dev *d, const char *bug)
{
	uint64_t *p = map_huge_aligned(HUGE_2M), v;
	struct svmsim_probe pr;

	for (size_t i = 0; i < HUGE_2M / PG; i++)
		p[i * PG / 8] = 1;
	if (dma_read_u64(d, p, &v) || svmsim_probe(d->fd, d->pasid, p, &pr) ||
	    pr.page_shift != 21) {
		tap_skip("%s: %s: no 2M entry (is THP enabled?)", model_name(), bug);
		munmap(p, HUGE_2M);
		return NULL;
	}
	hold_old_pages(p, 2);	/* a subpage's reference keeps the whole THP */
	return p;
}

/*
 * 4k_leaves_2m.  On 6.1 the secondary model gets no invalidate_range when
 * a PMD is split into PTEs of the same pages (the 2M entry stays right);
 * the 4K zap that follows must take the 2M entry, and the bug leaves it.
 * Newer kernels (and the range model) invalidate the whole 2M when they
 * split: the bug may act on the 4K bracket around the split (the range
 * model's start comes before it), but the split's own invalidation takes
 * the entry -- the device must read the new page.
 */
static void test_4k_leaves_2m(void)
{
	bool reachable;
	struct dev d;
	uint64_t *p;

	bond_with(&d, 0, opt.model, SVMSIM_BUG_4K_LEAVES_2M, 0, 0);
	p = cached_thp(&d, "4k_leaves_2m");
	if (!p) {
		dev_close(&d);
		return;
	}
	reachable = opt.model == SVMSIM_MODEL_SECONDARY && kernel_is("6.1.");
	dontneed(p + PG / 8, 1);	/* page 1 of the THP: split, then a 4K zap */
	if (reachable) {
		check_stale(&d, p + PG / 8, "4k_leaves_2m", "MADV_DONTNEED of 4K inside a THP");
	} else {
		uint64_t v = 0;
		int ret;

		release_old_pages();
		ret = dma_read_u64(&d, p + PG / 8, &v);
		tap_ok(!ret && v == 2,
		       "%s: 4k_leaves_2m: harmless here, the split invalidates the whole 2M "
		       "(%s %llu, injected %llu)", model_name(), errname(ret),
		       (unsigned long long)v, (unsigned long long)injected(&d));
	}
	dev_close(&d);
	munmap(p, HUGE_2M);
}

/*
 * full_forgets_2m: with flush_threshold 1 every multi-page flush is
 * PASID-wide; munmap of a THP region then leaves its 2M entry.
 */
static void test_full_forgets_2m(void)
{
	struct svmsim_config c0, c;
	struct dev d;
	uint64_t *p;

	c = dev1_open(&d, &c0);
	c.flush_threshold = 1;
	dev1_bond(&d, &c, opt.model, SVMSIM_BUG_FULL_FORGETS_2M);
	p = cached_thp(&d, "full_forgets_2m");
	if (p) {
		remap(p, HUGE_2M / PG);
		check_stale(&d, p, "full_forgets_2m", "munmap+mmap of a THP, flushed PASID-wide");
		munmap(p, HUGE_2M);
	}
	dev_close(&d);
	restore_config(&c0);
}

/* Is there a report since @since for @pasid? */
static bool reported_pasid(const struct dev *d, uint64_t since, uint32_t pasid)
{
	struct svmsim_san_report r[8];
	uint64_t total;
	int n = san_reports_since(d->fd, since, r, 8, &total);

	for (int i = 0; i < n; i++)
		if (r[i].pasid == pasid)
			return true;
	return false;
}

/*
 * skip_release: a child binds through the parent's fd, caches pages and
 * exits.  The correct device drops every translation at ->release; the
 * buggy one keeps them (unsanitized: the child's PASID still caches
 * entries; sanitized: a report at release).
 */
static void test_skip_release(void)
{
	uint64_t since, entries;
	uint32_t pasid = 0;
	int pfd[2], st = 0;
	struct dev d;
	bool hit;
	pid_t pid;

	dev_open(&d, 0);
	if (pipe(pfd))
		bail("pipe: %s", strerror(errno));
	since = san_total(&d);
	pid = fork();
	if (!pid) {
		uint64_t *p;

		if (bind_for_bugs(&d, opt.model) ||
		    svmsim_inject(d.fd, d.pasid, SVMSIM_BUG_SKIP_RELEASE, 0, 0))
			_exit(1);
		p = cached_pages(&d, 4);
		release_old_pages();
		write(pfd[1], &d.pasid, sizeof(d.pasid));
		(void)p;
		_exit(0);
	}
	read(pfd[0], &pasid, sizeof(pasid));
	waitpid(pid, &st, 0);
	sleep_ms(100);		/* a correct device's reap is queued work */
	entries = stat_of(&d, pasid, SVMSIM_STAT_TLB_ENTRIES);
	hit = opt.sanitize ? reported_pasid(&d, since, pasid) : entries > 0;
	tap_ok(WIFEXITED(st) && !WEXITSTATUS(st) && hit,
	       "%s: skip_release: %s after the bound process exited (%llu entries, %llu reports)",
	       model_name(), opt.sanitize ? "the sanitizer reports the translations left" :
	       "the device still caches translations of the exited mm",
	       (unsigned long long)entries, (unsigned long long)(san_total(&d) - since));
	close(pfd[0]);
	close(pfd[1]);
	dev_close(&d);
}

static void body(void);

int main(int argc, char **argv)
{
	struct svmsim_version v;
	struct dev d;

	parse_opts(argc, argv);
	dev_open(&d, 0);
	svmsim_version(d.fd, &v);
	dev_close(&d);
	if (!(v.features & SVMSIM_FEAT_INJECT))
		return tap_skip_all("module loaded without allow_inject=1");
	return run_variants(VARY_MODEL, body);
}

static void body(void)
{
	test_skip_unmap();		/* 2 */
	test_skip_clear();
	test_skip_clear_zero_page();
	test_skip_protection_vma();
	test_skip_protection_page();
	test_skip_soft_dirty();
	test_skip_migrate();
	test_skip_change_pte();
	test_late_flush();
	test_start_off_by_one();	/* 2 */
	test_end_overflow();
	test_4k_leaves_2m();
	test_full_forgets_2m();
	test_skip_release();
}
