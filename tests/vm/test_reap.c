// SPDX-License-Identifier: GPL-2.0
/*
 * Reaping, for one model (--model secondary|range|pinned): children bind
 * through an inherited fd and exit while bound.  Their bonds must go, and
 * their PASIDs come back, while the fd stays open; the fd keeps a record
 * of each (STATS reads it, UNBIND drops it), one per PASID and at most
 * SVMSIM_MAX_RECORDS; a PASID given back binds again, live bond first.
 * Live objects are read from debugfs svmsim/alloc.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib.h"

#define NKIDS		8
#define MANY		(SVMSIM_MAX_RECORDS + 4)

struct objs {
	long bonds, pasids, records, pcpu;
};

static void objs_read(struct objs *o)
{
	o->bonds = live_objects("bond");
	o->pasids = live_objects("pasid");
	o->records = live_objects("record");
	o->pcpu = live_objects("pcpu_counters");
}

/*
 * The reaps run on a workqueue after the exits: wait until no bond or
 * PASID is left over @base and @records records exist (20 s at most).
 */
static bool wait_reaped(const struct objs *base, long records, struct objs *now)
{
	for (int i = 0; i < 400; i++) {
		objs_read(now);
		if (now->bonds == base->bonds && now->pasids == base->pasids &&
		    now->pcpu == base->pcpu && now->records == base->records + records)
			return true;
		usleep(50 * 1000);
	}
	tap_diag("left: %ld bonds, %ld PASIDs, %ld pcpu counters, %ld records (want %ld)",
		 now->bonds - base->bonds, now->pasids - base->pasids, now->pcpu - base->pcpu,
		 now->records - base->records, records);
	return false;
}

/* Children that each bind through @fd, DMA once, report their PASID, and wait. */
struct kids {
	pid_t pid[MANY];
	uint32_t pasid[MANY];
	int n, go;
};

static void kids_start(struct kids *k, int fd, int n)
{
	int rep[2], go[2];

	if (pipe(rep) || pipe(go))
		bail("pipe: %s", strerror(errno));
	k->n = n;
	for (int i = 0; i < n; i++) {
		k->pid[i] = fork();
		if (k->pid[i] < 0)
			bail("fork %d: %s", i, strerror(errno));
		if (!k->pid[i]) {
			uint64_t *p = map_anon(PG, PROT_READ | PROT_WRITE), v = 0;
			uint32_t pasid = 0;
			char c;

			close(go[1]);
			*p = 7;
			if (svmsim_bind(fd, opt.model, opt.fill, 0, &pasid) ||
			    svmsim_dma_read(fd, pasid, p, &v, 8) || v != 7)
				pasid = 0;
			write(rep[1], &pasid, sizeof(pasid));
			read(go[0], &c, 1);	/* EOF: the parent let go */
			_exit(0);		/* bound, entries cached (or pinned) */
		}
	}
	close(rep[1]);
	close(go[0]);
	for (int i = 0; i < n; i++)
		if (read(rep[0], &k->pasid[i], sizeof(k->pasid[i])) != sizeof(k->pasid[i]))
			k->pasid[i] = 0;
	close(rep[0]);
	k->go = go[1];
}

/* Let every child exit; true if each had bound and DMAed. */
static bool kids_exit(struct kids *k)
{
	bool ok = true;
	int status;

	close(k->go);
	for (int i = 0; i < k->n; i++) {
		ok &= k->pasid[i] != 0;
		waitpid(k->pid[i], &status, 0);
	}
	return ok;
}

static bool is_kid_pasid(const struct kids *k, uint32_t pasid)
{
	for (int i = 0; i < k->n; i++)
		if (k->pasid[i] == pasid)
			return true;
	return false;
}

/* A child binds through @fd; exit status 0 if it got a PASID of @k's and
 * its own live bond answers (DMA, STATS) rather than the record. */
static int rebind_child(int fd, const struct kids *k)
{
	uint64_t *p = map_anon(PG, PROT_READ | PROT_WRITE), v = 0;
	struct svmsim_stats st;
	uint32_t pasid;

	*p = 11;
	if (svmsim_bind(fd, opt.model, opt.fill, 0, &pasid))
		return 1;
	if (!is_kid_pasid(k, pasid))
		return 2;
	if (svmsim_dma_read(fd, pasid, p, &v, 8) || v != 11)
		return 3;
	if (svmsim_stats(fd, pasid, false, &st) || st.counters[SVMSIM_STAT_BINDS] != 1 ||
	    st.counters[SVMSIM_STAT_UNBINDS] || st.ev_calls[SVMSIM_EV_MM_RELEASE])
		return 4;
	return 0;	/* exits bound: reaped in turn */
}

static void test_reap(void)
{
	struct objs base, now;
	struct svmsim_stats st;
	struct kids k;
	struct dev d;
	int ok, status;
	pid_t pid;

	dev_open(&d, opt.device);
	objs_read(&base);
	if (base.bonds < 0)
		bail("no debugfs svmsim/alloc");
	kids_start(&k, d.fd, NKIDS);
	tap_ok(kids_exit(&k), "%s: %d children bind through an inherited fd, DMA and exit",
	       model_name(), NKIDS);
	tap_ok(wait_reaped(&base, NKIDS, &now),
	       "%s: their bonds, PASIDs and per-CPU counters are freed with the fd open; %d records kept",
	       model_name(), NKIDS);
	tap_ok(stat_of(&d, 0, SVMSIM_STAT_PINNED_PAGES) == 0 &&
	       stat_of(&d, 0, SVMSIM_STAT_TLB_ENTRIES) == 0,
	       "%s: no entry and no pin is left on the device", model_name());

	ok = 0;
	for (int i = 0; i < NKIDS; i++) {
		struct svmsim_probe pr;
		uint64_t v;

		ok += svmsim_dma_read(d.fd, k.pasid[i], &v, &v, 8) == -ESRCH &&
		      svmsim_probe(d.fd, k.pasid[i], &v, &pr) == -ESRCH;
	}
	tap_ok(ok == NKIDS, "%s: DMA and PROBE on a reaped PASID: ESRCH (%d of %d)", model_name(),
	       ok, NKIDS);
	ok = 0;
	for (int i = 0; i < NKIDS; i++)
		ok += !svmsim_stats(d.fd, k.pasid[i], false, &st) &&
		      st.counters[SVMSIM_STAT_BINDS] == 1 && st.counters[SVMSIM_STAT_UNBINDS] == 1 &&
		      st.counters[SVMSIM_STAT_DMA_OPS] == 1 &&
		      st.ev_calls[SVMSIM_EV_MM_RELEASE] == 1 &&
		      st.counters[SVMSIM_STAT_TLB_ENTRIES] == 0 &&
		      st.counters[SVMSIM_STAT_PINNED_PAGES] == 0;
	tap_ok(ok == NKIDS, "%s: STATS reads each record: 1 bind, 1 DMA, 1 release, 1 unbind (%d of %d)",
	       model_name(), ok, NKIDS);
	tap_ok(!svmsim_stats(d.fd, k.pasid[0], true, &st) && st.counters[SVMSIM_STAT_DMA_OPS] == 1 &&
	       !svmsim_stats(d.fd, k.pasid[0], false, &st) && !st.counters[SVMSIM_STAT_DMA_OPS] &&
	       !st.ev_calls[SVMSIM_EV_MM_RELEASE],
	       "%s: STATS_RESET zeroes a record's counters", model_name());

	/* IDA hands out the lowest free PASID: one of the children's. */
	fflush(stdout);
	pid = fork();
	if (!pid)
		_exit(rebind_child(d.fd, &k));
	waitpid(pid, &status, 0);
	tap_ok(WIFEXITED(status) && !WEXITSTATUS(status),
	       "%s: a freed PASID binds again through the same fd, the live bond first (child: %d)",
	       model_name(), WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	tap_ok(wait_reaped(&base, NKIDS, &now),
	       "%s: its reap replaces the record of its PASID (one record per PASID)", model_name());

	ok = 0;
	for (int i = 0; i < NKIDS; i++)
		ok += !svmsim_unbind(d.fd, k.pasid[i]) && svmsim_unbind(d.fd, k.pasid[i]) == -EINVAL &&
		      svmsim_stats(d.fd, k.pasid[i], false, &st) == -EINVAL;
	objs_read(&now);
	tap_ok(ok == NKIDS && now.records == base.records,
	       "%s: UNBIND drops a record, then EINVAL (%d of %d; %ld records left)", model_name(),
	       ok, NKIDS, now.records - base.records);
	dev_close(&d);
}

/* More exited children than an fd keeps records: the oldest go. */
static void test_records_bounded(void)
{
	struct objs base, now;
	struct svmsim_stats st;
	struct kids k;
	struct dev d;
	int kept = 0;

	dev_open(&d, opt.device);
	objs_read(&base);
	kids_start(&k, d.fd, MANY);
	tap_ok(kids_exit(&k), "%s: %d children bound at once, then exit", model_name(), MANY);
	tap_ok(wait_reaped(&base, SVMSIM_MAX_RECORDS, &now),
	       "%s: all reaped; the fd keeps %d records, no more", model_name(), SVMSIM_MAX_RECORDS);
	for (int i = 0; i < MANY; i++)
		kept += !svmsim_stats(d.fd, k.pasid[i], false, &st);
	tap_ok(kept == SVMSIM_MAX_RECORDS, "%s: STATS answers for %d PASIDs, EINVAL for %d",
	       model_name(), kept, MANY - kept);
	dev_close(&d);
	objs_read(&now);
	tap_ok(now.records == base.records, "%s: close drops the records (%ld left)", model_name(),
	       now.records - base.records);
}

/* close() racing the reaps: nothing may leak or be touched after its free. */
static void test_close_racing_reaps(void)
{
	struct objs base, now;
	struct kids k;
	struct dev d;
	bool ok = true;

	objs_read(&base);
	for (int round = 0; round < 8; round++) {
		dev_open(&d, opt.device);
		kids_start(&k, d.fd, NKIDS);
		ok &= kids_exit(&k);
		if (round & 1)
			usleep(1000 * (unsigned int)round);
		dev_close(&d);
	}
	tap_ok(ok && wait_reaped(&base, 0, &now),
	       "%s: close() racing the reaps of its bonds: everything freed", model_name());
}

static void body(void)
{
	long files = live_objects("file");

	test_reap();
	test_records_bounded();
	test_close_racing_reaps();
	for (int i = 0; i < 100 && live_objects("file") != files; i++)
		usleep(50 * 1000);
	tap_ok(live_objects("file") == files, "%s: no file state is left (%ld)", model_name(),
	       live_objects("file") - files);
}

int main(int argc, char **argv)
{
	parse_opts(argc, argv);
	return run_variants(VARY_MODEL, body);
}
