/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the in-VM tests: options, device setup, memory, PFNs and
 * NUMA nodes, statistics deltas, and TAP checks of errnos.
 */
#ifndef _SVMSIM_VMTEST_LIB_H
#define _SVMSIM_VMTEST_LIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "svmsim/dev.h"
#include "tap.h"

#define PG	4096ul
#define HPG	(2ul << 20)

/*
 * What a test program runs against: --model, --fill, --device, and the
 * device's flush execution: --flush sync|queued, --latency-ns N (applied by
 * dev_setup(), restored at exit); --sanitize 1 binds with the sanitizer.
 */
struct opts {
	uint32_t model;
	uint32_t fill;
	unsigned int device;
	uint32_t flush_mode;	/* applied only if OPT_FLUSH is set */
	uint64_t latency_ns;
	bool sanitize;		/* --sanitize 1: bonds made with SVMSIM_BIND_SANITIZE */
	unsigned int set;	/* OPT_*: what the command line (or the program) chose */
};

#define OPT_MODEL	(1u << 0)
#define OPT_FILL	(1u << 1)
#define OPT_FLUSH	(1u << 2)	/* --flush (and --latency-ns) configure the device */

extern struct opts opt;

void parse_opts(int argc, char **argv);
const char *model_name(void);	/* "secondary/ref" for test names */

/*
 * Fixture variants, the model x fill matrix written once: a program
 * declares the axes it covers, and run_variants() runs @body once per
 * model (secondary, range) and/or fill (ref, noref) that the command line
 * did not fix, each in a child process of its own (a fresh mm, bond and
 * device configuration), numbering the TAP tests on across them.  A child
 * that dies counts as a failed test.  Children end with _exit(), so exit
 * handlers the program registered before run them once, in the parent.
 * Returns tap_finish()'s status.
 */
#define VARY_MODEL	OPT_MODEL
#define VARY_FILL	OPT_FILL
int run_variants(unsigned int axes, void (*body)(void));

/* A device fd bound to the caller's mm, with opt's model and fill. */
struct dev {
	int fd;
	uint32_t pasid;
};

int dev_open(struct dev *d, unsigned int index);	/* 0 or -errno; no bind */
int dev_bind(struct dev *d);				/* opt.model, opt.fill */
uint32_t bind_flags(void);				/* SVMSIM_BIND_* of --sanitize */
/* The device's sanitizer reports made since @since (their total), into @r (up to @max). */
int san_reports_since(int fd, uint64_t since, struct svmsim_san_report *r, unsigned int max,
		      uint64_t *total);
void dev_close(struct dev *d);
void dev_setup(struct dev *d);				/* open + bind, or bail out */
/*
 * Copy device opt.device's configuration, as the program found it, into
 * @saved; it is put back at exit.  0 or -errno.
 */
int keep_config(struct svmsim_config *saved);
/* Unbind @d, apply @c (set_config_settled()), bind again; or bail out. */
void dev_rebind(struct dev *d, const struct svmsim_config *c);

/* Anonymous memory, aborting the test program on failure. */
void *map_anon(size_t len, int prot);
void *map_anon_at(void *addr, size_t len);
void *map_2m_aligned(size_t len, int advice);		/* 2M aligned VMA, madvise(@advice) */
void *map_huge_aligned(size_t len);			/* 2M aligned, MADV_HUGEPAGE */
void fill_pattern(void *p, size_t len, uint64_t seed);
bool check_pattern(const void *p, size_t len, uint64_t seed);

/* /proc/self/pagemap (root): the PFN mapping @va, 0 if none. */
uint64_t pagemap_of(const void *va);	/* its /proc/self/pagemap entry, or 0 */
uint64_t pfn_of(const void *va);
/* The NUMA node of @va's page (move_pages query), or -errno. */
int node_of(void *va);
int numa_nodes(void);
/* Move @n pages at @va to @node; returns the count moved or -errno. */
int move_to_node(void *va, unsigned long n, int node);

/*
 * SET_CONFIG, retried for up to 2 s while it is EBUSY: the geometry and the
 * flush mode change only once the last bond's asynchronous frees are done
 * (a no_wait bond's queued descriptors hold it for up to the latency).
 */
int set_config_settled(int fd, const struct svmsim_config *c);

/* Counters of the bond (pasid) or device (pasid 0). */
uint64_t stat_of(const struct dev *d, uint32_t pasid, unsigned int idx);
void stats_snap(const struct dev *d, uint32_t pasid, struct svmsim_stats *s);
uint64_t stats_delta(const struct svmsim_stats *a, const struct svmsim_stats *b,
		     unsigned int idx);

/* DMA conveniences: 0 or -errno. */
int dma_read(const struct dev *d, const void *addr, void *buf, size_t len);
int dma_write(const struct dev *d, void *addr, const void *buf, size_t len);
int dma_read_u64(const struct dev *d, const void *addr, uint64_t *v);
int dma_write_u64(const struct dev *d, void *addr, uint64_t v);

/* TAP: stop the program with "Bail out! <message>". */
#define bail(...) do {					\
		printf("Bail out! " __VA_ARGS__);	\
		printf("\n");				\
		exit(1);				\
	} while (0)

/* TAP: "got -EFAULT, want -EFAULT". */
bool ok_errno(int got, int want, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
const char *errname(int negerr);

bool kernel_is(const char *prefix);
/* Live objects of a kind the module counts (debugfs svmsim/alloc: "bond", "fanout"...), or -1. */
long live_objects(const char *name);	/* uname -r starts with @prefix */
/* The "@key N kB" line of a /proc file (e.g. "VmPin:" of /proc/self/status), or -1. */
long proc_kb(const char *file, const char *key);

#endif /* _SVMSIM_VMTEST_LIB_H */
