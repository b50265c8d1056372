// SPDX-License-Identifier: GPL-2.0
/*
 * The device and its ABI: open/close, version, and every ioctl's answer to
 * bad input -- unknown numbers, wrong sizes, bad pointers, PASIDs, ranges,
 * flags and reserved fields -- with the errno include/uapi/svmsim.h
 * documents.  Runs without a model argument.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/utsname.h>

#include "lib.h"

#define BAD_PTR ((void *)0x10)
#define KERNEL_VA ((void *)0xffff888000000000ul)

/* The same ioctl number with another size (an other-version header). */
#define RESIZE(cmd, size) \
	(((cmd) & ~(_IOC_SIZEMASK << _IOC_SIZESHIFT)) | ((unsigned long)(size) << _IOC_SIZESHIFT))

static void test_open_close(void)
{
	int fds[32], n;
	bool all = true;

	for (n = 0; n < 32; n++) {
		fds[n] = svmsim_open(n % 2);
		all &= fds[n] >= 0;
	}
	for (n = 0; n < 32; n++)
		if (fds[n] >= 0)
			close(fds[n]);
	tap_ok(all, "open and close /dev/svmsim0 and /dev/svmsim1 32 times");
	tap_ok(svmsim_open(2) == -ENOENT, "no /dev/svmsim2 with ndevices=2");
}

/*
 * An entry takes one 64-byte object of its own cache, not a kmalloc-128
 * slot, and the module says so; a bond's bytes are reported too.
 */
static void test_version_memory(const struct svmsim_version *v)
{
	FILE *f = fopen("/sys/kernel/slab/svmsim_tlb_entry/object_size", "r");
	unsigned int sysfs = 0;

	if (f && fscanf(f, "%u", &sysfs) != 1)
		sysfs = 0;
	if (f)
		fclose(f);
	tap_ok(v->entry_bytes >= 64 && v->entry_bytes < 128 && v->bond_bytes > v->entry_bytes,
	       "version: an entry takes %u bytes, a bond %u", v->entry_bytes, v->bond_bytes);
	tap_ok(!sysfs || sysfs == v->entry_bytes,
	       "version: entry_bytes is the entry cache's object size (sysfs: %u)", sysfs);
}

static void test_version(void)
{
	struct svmsim_version v;
	struct dev d;
	uint32_t want = kernel_is("6.1.") ? SVMSIM_FEAT_INVALIDATE_RANGE | SVMSIM_FEAT_CHANGE_PTE :
					    SVMSIM_FEAT_SECONDARY_TLBS;

	dev_open(&d, 1);
	tap_ok(!svmsim_version(d.fd, &v) && v.abi_version == SVMSIM_ABI_VERSION &&
	       v.device_index == 1 && v.ndevices == 2 && v.max_pasid == (1u << 20) - 1 &&
	       v.page_shifts == ((1u << 12) | (1u << 21)),
	       "version: ABI %u, device 1 of 2, 20-bit PASIDs, 4K+2M entries", v.abi_version);
	tap_ok((v.features & (SVMSIM_FEAT_INVALIDATE_RANGE | SVMSIM_FEAT_SECONDARY_TLBS |
			      SVMSIM_FEAT_CHANGE_PTE)) == want,
	       "version: kernel features %#x match this kernel's notifier ops", v.features);
	tap_ok(svmsim_ioctl(d.fd, SVMSIM_IOC_VERSION, BAD_PTR) == -EFAULT,
	       "version into a bad pointer: EFAULT");
	dev_close(&d);
	test_version_memory(&v);
}

static void test_numbers(void)
{
	struct svmsim_version v;
	struct svmsim_dma dma = { 0 };
	struct dev d;

	dev_open(&d, 0);
	ok_errno(svmsim_ioctl(d.fd, _IO(SVMSIM_IOC_MAGIC, 0x7f), NULL), -ENOTTY,
		 "unknown ioctl number");
	ok_errno(svmsim_ioctl(d.fd, _IOR('T', 0x00, struct svmsim_version), &v), -ENOTTY,
		 "another driver's magic");
	ok_errno(svmsim_ioctl(d.fd, _IO(SVMSIM_IOC_MAGIC, 0x0c), NULL), -ENOTTY,
		 "the number after the last ioctl");
	ok_errno(svmsim_ioctl(d.fd, RESIZE(SVMSIM_IOC_DMA, sizeof(dma) - 8), &dma), -EINVAL,
		 "DMA with a smaller struct (old header)");
	ok_errno(svmsim_ioctl(d.fd, RESIZE(SVMSIM_IOC_BIND, 128), &dma), -EINVAL,
		 "BIND with a larger struct (new header)");
	ok_errno(svmsim_ioctl(d.fd, _IOW(SVMSIM_IOC_MAGIC, 0x00, struct svmsim_version), &v),
		 -EINVAL, "VERSION with the wrong direction");
	dev_close(&d);
}

static void test_bad_pointers(void)
{
	static const unsigned long cmds[] = {
		SVMSIM_IOC_BIND, SVMSIM_IOC_UNBIND, SVMSIM_IOC_DMA, SVMSIM_IOC_STATS,
		SVMSIM_IOC_HIST, SVMSIM_IOC_SET_CONFIG, SVMSIM_IOC_GET_CONFIG,
		SVMSIM_IOC_ZAP, SVMSIM_IOC_PROBE, SVMSIM_IOC_INJECT,
	};
	bool all = true;
	struct dev d;

	dev_open(&d, 0);
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		int a = svmsim_ioctl(d.fd, cmds[i], NULL);
		int b = svmsim_ioctl(d.fd, cmds[i], KERNEL_VA);

		if (a != -EFAULT || b != -EFAULT) {
			tap_diag("ioctl nr %lu: NULL %s, kernel address %s", (unsigned long)_IOC_NR(cmds[i]),
				 errname(a), errname(b));
			all = false;
		}
	}
	tap_ok(all, "every ioctl given a NULL or kernel pointer: EFAULT");
	dev_close(&d);
}

static void test_bind(void)
{
	struct svmsim_bind b;
	struct dev d, d2;
	uint32_t p2;
	char *mem = map_anon(8 * PG, PROT_READ | PROT_WRITE);

	munmap(mem + 4 * PG, 4 * PG);	/* a hole to pin */
	dev_open(&d, 0);
	memset(&b, 0, sizeof(b));
	b.model = SVMSIM_MODEL_NR;
	ok_errno(svmsim_ioctl(d.fd, SVMSIM_IOC_BIND, &b), -EINVAL, "bind: unknown model");
	memset(&b, 0, sizeof(b));
	b.fill = 9;
	ok_errno(svmsim_ioctl(d.fd, SVMSIM_IOC_BIND, &b), -EINVAL, "bind: unknown fill policy");
	memset(&b, 0, sizeof(b));
	b.flags = 0x80;
	ok_errno(svmsim_ioctl(d.fd, SVMSIM_IOC_BIND, &b), -EINVAL, "bind: unknown flag");
	memset(&b, 0, sizeof(b));
	b.reserved[2] = 1;
	ok_errno(svmsim_ioctl(d.fd, SVMSIM_IOC_BIND, &b), -EINVAL, "bind: reserved not zero");
	memset(&b, 0, sizeof(b));
	b.pin_len = PG;
	b.pin_addr = (uintptr_t)mem;
	ok_errno(svmsim_ioctl(d.fd, SVMSIM_IOC_BIND, &b), -EINVAL, "bind: pin range for a non-pinned model");
	b.model = SVMSIM_MODEL_PINNED;
	b.pin_addr = (uintptr_t)mem + 1;
	ok_errno(svmsim_ioctl(d.fd, SVMSIM_IOC_BIND, &b), -EINVAL, "bind: unaligned pin range");
	b.pin_addr = (uintptr_t)KERNEL_VA;
	ok_errno(svmsim_ioctl(d.fd, SVMSIM_IOC_BIND, &b), -EINVAL, "bind: pin range above user space");
	b.pin_addr = (uintptr_t)mem + 5 * PG;
	ok_errno(svmsim_ioctl(d.fd, SVMSIM_IOC_BIND, &b), -EFAULT, "bind: pin range not mapped");

	ok_errno(svmsim_bind(d.fd, SVMSIM_MODEL_SECONDARY, 0, 0, &d.pasid), 0, "bind");
	tap_ok(d.pasid > 0 && d.pasid < (1u << 20), "bind: PASID %u in the 20-bit space", d.pasid);
	ok_errno(svmsim_bind(d.fd, SVMSIM_MODEL_RANGE, 0, 0, &p2), -EBUSY,
		 "bind the same mm to the same device again");
	dev_open(&d2, 1);
	ok_errno(svmsim_bind(d2.fd, SVMSIM_MODEL_RANGE, 0, 0, &p2), 0, "bind the mm to the second device");
	tap_ok(p2 == d.pasid, "one PASID per mm, shared by both devices (%u, %u)", d.pasid, p2);
	ok_errno(svmsim_unbind(d.fd, d.pasid + 1), -EINVAL, "unbind a PASID not bound here");
	ok_errno(svmsim_unbind(d.fd, d.pasid), 0, "unbind");
	ok_errno(svmsim_unbind(d.fd, d.pasid), -EINVAL, "unbind twice");
	struct svmsim_unbind u = { .pasid = p2, .flags = 1 };
	ok_errno(svmsim_ioctl(d2.fd, SVMSIM_IOC_UNBIND, &u), -EINVAL, "unbind: unknown flag");
	dev_close(&d2);	/* close unbinds */
	ok_errno(svmsim_bind(d.fd, SVMSIM_MODEL_SECONDARY, 0, 0, &p2), 0,
		 "bind again after unbind and close");
	dev_close(&d);
	munmap(mem, 4 * PG);
}

static struct svmsim_dma dma_at(uint32_t pasid, uint32_t op, void *addr, uint64_t len,
				void *buf)
{
	struct svmsim_dma x = { .pasid = pasid, .op = op, .addr = (uintptr_t)addr,
				.len = len, .buf = (uintptr_t)buf };
	return x;
}

static void test_dma_args(void)
{
	char *mem = map_anon(4 * PG, PROT_READ | PROT_WRITE), buf[64];
	struct svmsim_dma x;
	struct dev d;

	dev_setup(&d);
	memset(mem, 7, 4 * PG);
	x = dma_at(d.pasid, SVMSIM_DMA_OP_NR, mem, 8, buf);
	ok_errno(svmsim_dma(d.fd, &x), -EINVAL, "DMA: unknown op");
	x = dma_at(d.pasid, SVMSIM_DMA_READ, mem, 8, buf);
	x.flags = 0x10;
	ok_errno(svmsim_dma(d.fd, &x), -EINVAL, "DMA: unknown flag");
	x = dma_at(d.pasid, SVMSIM_DMA_READ, mem, 8, buf);
	x.pad = 1;
	ok_errno(svmsim_dma(d.fd, &x), -EINVAL, "DMA: padding not zero");
	x = dma_at(d.pasid, SVMSIM_DMA_READ, mem, 8, buf);
	x.reserved[1] = 1;
	ok_errno(svmsim_dma(d.fd, &x), -EINVAL, "DMA: reserved not zero");
	x = dma_at(d.pasid, SVMSIM_DMA_READ, mem, 0, buf);
	ok_errno(svmsim_dma(d.fd, &x), -EINVAL, "DMA: zero length");
	x = dma_at(d.pasid, SVMSIM_DMA_READ, mem, SVMSIM_DMA_MAX_LEN + 1, buf);
	ok_errno(svmsim_dma(d.fd, &x), -EINVAL, "DMA: length over the maximum");
	x = dma_at(d.pasid, SVMSIM_DMA_CAS, mem + 4, 8, NULL);
	ok_errno(svmsim_dma(d.fd, &x), -EINVAL, "DMA: misaligned compare-and-swap");
	x = dma_at(d.pasid, SVMSIM_DMA_FADD, mem, 4, NULL);
	ok_errno(svmsim_dma(d.fd, &x), -EINVAL, "DMA: fetch-add of 4 bytes");
	x = dma_at(d.pasid + 1, SVMSIM_DMA_READ, mem, 8, buf);
	ok_errno(svmsim_dma(d.fd, &x), -EINVAL, "DMA: PASID not bound through this fd");
	x = dma_at(0, SVMSIM_DMA_READ, mem, 8, buf);
	ok_errno(svmsim_dma(d.fd, &x), -EINVAL, "DMA: PASID 0");
	x = dma_at(d.pasid, SVMSIM_DMA_READ, KERNEL_VA, 8, buf);
	tap_ok(svmsim_dma(d.fd, &x) == -EFAULT && x.fault_addr == (uintptr_t)KERNEL_VA && !x.done,
	       "DMA to a kernel address: device fault EFAULT at that address");
	x = dma_at(d.pasid, SVMSIM_DMA_READ, NULL, 8, buf);
	ok_errno(svmsim_dma(d.fd, &x), -EFAULT, "DMA to address 0");
	x = dma_at(d.pasid, SVMSIM_DMA_READ, (void *)(~0ul - 3), 8, buf);
	ok_errno(svmsim_dma(d.fd, &x), -EFAULT, "DMA wrapping past the top of the address space");
	x = dma_at(d.pasid, SVMSIM_DMA_READ, mem, 8, BAD_PTR);
	ok_errno(svmsim_dma(d.fd, &x), -EFAULT, "DMA read into a bad caller buffer");
	x = dma_at(d.pasid, SVMSIM_DMA_WRITE, mem, 8, BAD_PTR);
	ok_errno(svmsim_dma(d.fd, &x), -EFAULT, "DMA write from a bad caller buffer");
	munmap(mem + 3 * PG, PG);	/* a hole after the mapping */
	x = dma_at(d.pasid, SVMSIM_DMA_READ, mem + 2 * PG + 100, 2 * PG, NULL);
	x.buf = (uintptr_t)malloc(2 * PG);
	tap_ok(svmsim_dma(d.fd, &x) == -EFAULT && x.done == PG - 100 &&
	       x.fault_addr == (uintptr_t)mem + 3 * PG,
	       "DMA running off the end of a mapping: done = the mapped part, fault at its end");
	free((void *)(uintptr_t)x.buf);
	x = dma_at(d.pasid, SVMSIM_DMA_READ, mem + PG, 8, buf);
	x.flags = SVMSIM_DMA_NOFILL;
	ok_errno(svmsim_dma(d.fd, &x), -EHOSTUNREACH, "DMA with NOFILL on a TLB miss");
	dev_close(&d);
	munmap(mem, 3 * PG);
}

static void test_stats_hist_probe_args(void)
{
	struct svmsim_stats st;
	struct svmsim_hist h;
	struct svmsim_probe p;
	uint64_t b[SVMSIM_HIST_NBUCKETS + 8];
	struct dev d;

	dev_setup(&d);
	memset(&st, 0, sizeof(st));
	st.flags = 2;
	ok_errno(svmsim_ioctl(d.fd, SVMSIM_IOC_STATS, &st), -EINVAL, "stats: unknown flag");
	memset(&st, 0, sizeof(st));
	st.reserved[0] = 1;
	ok_errno(svmsim_ioctl(d.fd, SVMSIM_IOC_STATS, &st), -EINVAL, "stats: reserved not zero");
	ok_errno(svmsim_stats(d.fd, d.pasid + 7, false, &st), -EINVAL, "stats: PASID not bound here");
	tap_ok(!svmsim_stats(d.fd, 0, false, &st) && st.ncounters == SVMSIM_STAT_NR &&
	       st.nevents == SVMSIM_EV_NR, "stats: device counters, %u counters %u events",
	       st.ncounters, st.nevents);
	ok_errno(svmsim_hist(d.fd, SVMSIM_HIST_KIND_NR, 0, NULL, 0, &h), -EINVAL, "hist: unknown kind");
	ok_errno(svmsim_hist(d.fd, SVMSIM_HIST_EVENT, SVMSIM_EV_NR, NULL, 0, &h), -EINVAL,
		 "hist: event out of range");
	ok_errno(svmsim_hist(d.fd, SVMSIM_HIST_FILL, 1, NULL, 0, &h), -EINVAL, "hist: fill index 1");
	ok_errno(svmsim_hist(d.fd, SVMSIM_HIST_SIZE, 0, (uint64_t *)BAD_PTR, 4, &h), -EFAULT,
		 "hist: bad bucket pointer");
	b[SVMSIM_HIST_NBUCKETS] = 0xdead;
	tap_ok(!svmsim_hist(d.fd, SVMSIM_HIST_SIZE, 0, b, SVMSIM_HIST_NBUCKETS + 8, &h) &&
	       h.nbuckets == SVMSIM_HIST_NBUCKETS && b[SVMSIM_HIST_NBUCKETS] == 0xdead,
	       "hist: writes at most SVMSIM_HIST_NBUCKETS buckets");
	memset(&p, 0, sizeof(p));
	p.pasid = d.pasid;
	p.flags = 1;
	ok_errno(svmsim_ioctl(d.fd, SVMSIM_IOC_PROBE, &p), -EINVAL, "probe: unknown flag");
	ok_errno(svmsim_probe(d.fd, d.pasid + 3, &d, &p), -EINVAL, "probe: PASID not bound here");
	dev_close(&d);
}

static void test_config(void)
{
	struct svmsim_config c0, c;
	struct dev d;
	uint32_t pasid;

	dev_open(&d, 1);
	tap_ok(!svmsim_get_config(d.fd, &c0) && c0.tlb_sets == 4096 && c0.tlb_ways == 0 &&
	       c0.default_model == SVMSIM_MODEL_SECONDARY, "config: the module's defaults");
#define BAD_CONFIG(field, value, what) do {					\
		c = c0;								\
		c.field = value;						\
		ok_errno(svmsim_set_config(d.fd, &c), -EINVAL, "config: " what);	\
	} while (0)
	BAD_CONFIG(tlb_sets, 1000, "sets not a power of two");
	BAD_CONFIG(tlb_sets, 0, "zero sets");
	BAD_CONFIG(tlb_ways, SVMSIM_MAX_WAYS + 1, "too many ways");
	BAD_CONFIG(tlb_policy, SVMSIM_REPL_NR, "unknown policy");
	BAD_CONFIG(flush_mode, SVMSIM_FLUSH_MODE_NR, "unknown flush mode");
	BAD_CONFIG(qi_batch, 0, "empty queue batch");
	BAD_CONFIG(dev_latency_ns, SVMSIM_MAX_LATENCY_NS + 1, "latency over 10 ms");
	BAD_CONFIG(default_model, 0, "default model DEFAULT");
	BAD_CONFIG(default_fill, SVMSIM_FILL_NR, "unknown default fill");
	BAD_CONFIG(flags, SVMSIM_CONFIG_FLAGS + 1, "flags");	/* a flag not defined */
	BAD_CONFIG(qi_coalesce_ns, SVMSIM_MAX_TAIL_NS + 1, "coalescing window over 100 ms");
	c = c0;
	c.tlb_sets = 64;
	c.tlb_ways = 4;
	c.tlb_policy = SVMSIM_REPL_LRU;
	ok_errno(svmsim_set_config(d.fd, &c), 0, "config: 64x4 LRU while idle");
	svmsim_bind(d.fd, SVMSIM_MODEL_SECONDARY, 0, 0, &pasid);
	c.tlb_sets = 128;
	ok_errno(svmsim_set_config(d.fd, &c), -EBUSY, "config: geometry while bound");
	c.tlb_sets = 64;
	c.dev_latency_ns = 1000;
	ok_errno(svmsim_set_config(d.fd, &c), 0, "config: latency while bound");
	c.flush_mode = SVMSIM_FLUSH_QUEUED;
	ok_errno(svmsim_set_config(d.fd, &c), -EBUSY, "config: flush mode while bound");
	svmsim_unbind(d.fd, pasid);
	ok_errno(svmsim_set_config(d.fd, &c0), 0, "config: back to the defaults after unbind");
	dev_close(&d);
}

static void test_window_args(void)
{
	struct dev d;
	char *w, *w2, *anon = map_anon(PG, PROT_READ | PROT_WRITE);

	dev_open(&d, 0);
	tap_ok(mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, d.fd, 0) == MAP_FAILED &&
	       errno == EINVAL, "window: private mapping refused (EINVAL)");
	tap_ok(mmap(NULL, (SVMSIM_WINDOW_MAX_PAGES + 1) * PG, PROT_READ | PROT_WRITE, MAP_SHARED,
		    d.fd, 0) == MAP_FAILED && errno == EINVAL, "window: too large (EINVAL)");
	tap_ok(mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, d.fd, PG) == MAP_FAILED &&
	       errno == EINVAL, "window: offset not 0 (EINVAL)");
	w = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, d.fd, 0);
	tap_ok(w != MAP_FAILED, "window: 4 pages");
	w2 = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, d.fd, 0);
	tap_ok(w2 == MAP_FAILED && errno == EBUSY, "window: a second mapping at once (EBUSY)");
	ok_errno(svmsim_zap(d.fd, anon, PG, 0), -EINVAL, "zap: not a window");
	ok_errno(svmsim_zap(d.fd, w + 1, PG, 0), -EINVAL, "zap: unaligned");
	ok_errno(svmsim_zap(d.fd, w, 5 * PG, 0), -EINVAL, "zap: beyond the window");
	ok_errno(svmsim_zap(d.fd, w, 0, 0), -EINVAL, "zap: empty");
	ok_errno(svmsim_zap(d.fd, w, PG, 4), -EINVAL, "zap: unknown flag");
	tap_ok(write(d.fd, anon, PG) < 0 && errno == EINVAL, "write(): not a window (EINVAL)");
	tap_ok(write(d.fd, w, 2 * PG) == 2 * PG, "write(): zaps the window (seed's interface)");
	munmap(w, 4 * PG);
	w = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, d.fd, 0);
	tap_ok(w != MAP_FAILED, "window: mapped again after munmap");
	munmap(w, 2 * PG);
	dev_close(&d);
	munmap(anon, PG);
}

/* The module parameter window_mem_mb, in pages (-1 if unreadable). */
static long window_mem_pages(void)
{
	FILE *f = fopen("/sys/module/svmsim/parameters/window_mem_mb", "r");
	long mb = -1;

	if (f) {
		if (fscanf(f, "%ld", &mb) != 1)
			mb = -1;
		fclose(f);
	}
	return mb < 0 ? -1 : mb * (long)(1024 * 1024 / PG);
}

#define WMAX	SVMSIM_WINDOW_MAX_PAGES

/* Device memory: allocated on first touch, bounded per device, given back at close. */
static void test_window_memory(void)
{
	long limit = window_mem_pages(), nwin, got = 0;
	int fds[64], nfds = 0, ret;
	char *wins[64];
	uint64_t pages0;
	struct dev d;
	char *w;

	dev_open(&d, 0);
	pages0 = stat_of(&d, 0, SVMSIM_STAT_WINDOW_PAGES);
	w = mmap(NULL, WMAX * PG, PROT_READ | PROT_WRITE, MAP_SHARED, d.fd, 0);
	tap_ok(w != MAP_FAILED && stat_of(&d, 0, SVMSIM_STAT_WINDOW_PAGES) == pages0,
	       "window memory: a 16 MB mmap allocates no page");
	if (w == MAP_FAILED)
		bail("window mmap: %s", strerror(errno));
	w[0] = 1, w[PG] = 2, w[(WMAX - 1) * PG] = 3;
	tap_ok(stat_of(&d, 0, SVMSIM_STAT_WINDOW_PAGES) == pages0 + 3,
	       "window memory: three pages touched, three allocated (%llu)",
	       (unsigned long long)(stat_of(&d, 0, SVMSIM_STAT_WINDOW_PAGES) - pages0));
	ret = svmsim_zap(d.fd, w, WMAX * PG, SVMSIM_ZAP_SWAP);
	tap_ok(!ret && w[0] == 1 && w[PG] == 2 && w[(WMAX - 1) * PG] == 3 && !w[2 * PG] &&
	       stat_of(&d, 0, SVMSIM_STAT_WINDOW_PAGES) == pages0 + 7,
	       "window memory: a swap copies the touched pages only, contents kept (%s)",
	       errname(ret));
	munmap(w, WMAX * PG);
	dev_close(&d);
	dev_open(&d, 0);
	tap_ok(stat_of(&d, 0, SVMSIM_STAT_WINDOW_PAGES) == pages0,
	       "window memory: close gives the pages back");

	/* Windows of the largest size until the device's memory is reserved. */
	nwin = limit > 0 ? limit / WMAX : -1;
	while (nwin > 0 && nfds < (int)(sizeof(fds) / sizeof(fds[0]))) {
		fds[nfds] = svmsim_open(0);
		if (fds[nfds] < 0)
			bail("open: %s", strerror(errno));
		wins[nfds] = mmap(NULL, WMAX * PG, PROT_READ | PROT_WRITE, MAP_SHARED,
				  fds[nfds], 0);
		if (wins[nfds++] == MAP_FAILED)
			break;
		got++;
	}
	tap_ok(nwin > 0 && got == nwin && wins[nfds - 1] == MAP_FAILED && errno == ENOMEM,
	       "window memory: window_mem_mb holds %ld windows of 16 MB, the next mmap gets ENOMEM (%ld, %s)",
	       nwin, got, strerror(errno));
	ok_errno(svmsim_zap(fds[0], wins[0], PG, SVMSIM_ZAP_SWAP), -ENOMEM,
		 "window memory: the first swap needs the window's size again: ENOMEM when full");
	munmap(wins[0], WMAX * PG);
	close(fds[0]);
	w = mmap(NULL, WMAX * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fds[nfds - 1], 0);
	tap_ok(w != MAP_FAILED, "window memory: a close makes room for one more window");
	if (w != MAP_FAILED)
		munmap(w, WMAX * PG);
	for (int i = 1; i < nfds; i++) {
		if (wins[i] != MAP_FAILED)
			munmap(wins[i], WMAX * PG);
		close(fds[i]);
	}
	tap_ok(stat_of(&d, 0, SVMSIM_STAT_WINDOW_PAGES) == pages0,
	       "window memory: nothing is left after the closes");
	dev_close(&d);
}

static void test_inject_args(void)
{
	struct svmsim_version v;
	struct dev d, r;
	bool allowed;

	dev_open(&d, 0);
	svmsim_version(d.fd, &v);
	allowed = v.features & SVMSIM_FEAT_INJECT;
	svmsim_bind(d.fd, SVMSIM_MODEL_SECONDARY, SVMSIM_FILL_NOREF, 0, &d.pasid);
	ok_errno(svmsim_inject(d.fd, d.pasid, SVMSIM_BUG_NONE, 0, SVMSIM_MAX_FILL_DELAY_US + 1),
		 -EINVAL, "inject: fill delay over the maximum");
	ok_errno(svmsim_inject(d.fd, d.pasid, SVMSIM_BUG_NR, 0, 0), -EINVAL, "inject: unknown bug");
	ok_errno(svmsim_inject(d.fd, d.pasid + 5, SVMSIM_BUG_NONE, 0, 0), -EINVAL,
		 "inject: PASID not bound here");
	ok_errno(svmsim_inject(d.fd, d.pasid, SVMSIM_BUG_NONE, 0, 10), 0,
		 "inject: a fill delay needs no opt-in");
	ok_errno(svmsim_inject(d.fd, d.pasid, SVMSIM_BUG_SKIP_INVALIDATE, 0, 0),
		 allowed ? -EINVAL : -EPERM, "inject: a bug on a noref bond (%s)",
		 allowed ? "allowed by the module" : "no opt-in");
	dev_open(&r, 1);
	svmsim_bind(r.fd, SVMSIM_MODEL_SECONDARY, SVMSIM_FILL_REF, 0, &r.pasid);
	ok_errno(svmsim_inject(r.fd, r.pasid, SVMSIM_BUG_NO_FILL_BLOCK, 0, 0),
		 allowed ? -EINVAL : -EPERM, "inject: no_fill_block on a secondary bond");
	ok_errno(svmsim_inject(r.fd, r.pasid, SVMSIM_BUG_NO_WAIT, 0, 0),
		 allowed ? -EINVAL : -EPERM, "inject: no_wait on a sync device");
	ok_errno(svmsim_inject(r.fd, r.pasid, SVMSIM_BUG_IGNORE_SEQ, 0, 0),
		 allowed ? 0 : -EPERM, "inject: ignore_seq on a ref bond");
	ok_errno(svmsim_inject(r.fd, r.pasid, SVMSIM_BUG_NONE, 0, 0), 0, "inject: back to correct");
	dev_close(&r);
	dev_close(&d);
}

int main(void)
{
	test_open_close();
	test_version();
	test_numbers();
	test_bad_pointers();
	test_bind();
	test_dma_args();
	test_stats_hist_probe_args();
	test_config();
	test_window_args();
	test_window_memory();
	test_inject_args();
	return tap_finish();
}
