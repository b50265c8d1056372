// SPDX-License-Identifier: GPL-2.0
/*
 * svmsim: debugfs, /sys/kernel/debug/svmsim/ --
 *
 *   svmsimN      the device's configuration, counters, callback latencies
 *                (count, min, p50, p99, max) and bonds, as text
 *   svmsimN-san  the sanitizer's reports (sanitize.c)
 *   alloc, fail_nth  the allocation-failure injection (alloc.c)
 *
 * Read-only views of what stats.c keeps: a missing debugfs loses these
 * files, never a device.
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "svmsim.h"
#include "svmsim/loglin.h"
#include "svmsim/names.h"

static struct dentry *svmsim_dbg_root;

/* One histogram's line; @buckets is scratch for SVMSIM_HIST_NBUCKETS. */
static void svmsim_show_hist(struct seq_file *m, const char *kind, const char *name,
			     struct svmsim_lathist *h, u64 *buckets)
{
	struct svmsim_hist q;
	u64 p50, p99;

	svmsim_hist_snapshot(h, buckets, SVMSIM_HIST_NBUCKETS, &q);
	if (!q.count)
		return;
	p50 = loglin_percentile(buckets, SVMSIM_HIST_NBUCKETS, q.count, LOGLIN_PPM / 2,
				SVMSIM_HIST_SUB_BITS, q.min_ns, q.max_ns);
	p99 = loglin_percentile(buckets, SVMSIM_HIST_NBUCKETS, q.count, LOGLIN_PPM / 100 * 99,
				SVMSIM_HIST_SUB_BITS, q.min_ns, q.max_ns);
	seq_printf(m, "%-6s %-16s %10llu %10llu %10llu %10llu %10llu\n", kind, name,
		   q.count, q.min_ns, p50, p99, q.max_ns);
}

static void svmsim_show_counters(struct seq_file *m, struct svmsim_stats *st)
{
	unsigned int i;

	for (i = 0; i < SVMSIM_STAT_NR; i++)
		seq_printf(m, "%-16s %llu\n", svmsim_stat_names[i], st->counters[i]);
	seq_puts(m, "event            calls      entries    collateral\n");
	for (i = 0; i < SVMSIM_EV_NR; i++)
		if (st->ev_calls[i])
			seq_printf(m, "%-16s %-10llu %-10llu %llu\n", svmsim_event_names[i],
				   st->ev_calls[i], st->ev_entries[i], st->ev_collateral[i]);
}

static void svmsim_show_hists(struct seq_file *m, struct svmsim_dev *dev, u64 *buckets)
{
	unsigned int i;

	seq_puts(m, "latency (ns)    what              count        min        p50        p99        max\n");
	for (i = 0; i < SVMSIM_EV_NR; i++)
		svmsim_show_hist(m, "event", svmsim_event_names[i], &dev->hists->ev[i], buckets);
	for (i = 0; i < SVMSIM_SZ_NR; i++)
		svmsim_show_hist(m, "pages", svmsim_size_names[i], &dev->hists->sz[i], buckets);
	svmsim_show_hist(m, "fill", "-", &dev->hists->fill, buckets);
	svmsim_show_hist(m, "queue", "-", &dev->hists->queue, buckets);
}

static int svmsim_dbg_show(struct seq_file *m, void *unused)
{
	struct svmsim_dev *dev = m->private;
	struct svmsim_stats *st = kzalloc(sizeof(*st), GFP_KERNEL);
	u64 *buckets = kmalloc_array(SVMSIM_HIST_NBUCKETS, sizeof(*buckets), GFP_KERNEL);
	struct svmsim_config *c = &dev->cfg;
	struct svmsim_bond *b;

	if (!st || !buckets) {
		kfree(st);
		kfree(buckets);
		return -ENOMEM;
	}
	seq_printf(m, "config: sets %u ways %u policy %s flush %s threshold %u qi_batch %u latency_ns %llu model %s fill %s\n",
		   c->tlb_sets, c->tlb_ways, svmsim_repl_names[c->tlb_policy],
		   svmsim_flush_mode_names[c->flush_mode], c->flush_threshold, c->qi_batch,
		   c->dev_latency_ns, svmsim_model_names[c->default_model],
		   svmsim_fill_names[c->default_fill]);
	svmsim_stats_read(dev, NULL, st);
	svmsim_show_counters(m, st);
	svmsim_show_hists(m, dev, buckets);
	kfree(buckets);
	kfree(st);
	mutex_lock(&dev->lock);
	list_for_each_entry(b, &dev->bonds, dev_link)
		seq_printf(m, "bond pasid %u model %s fill %s%s entries %lu\n", b->pasid,
			   svmsim_model_names[b->model], svmsim_fill_names[b->fill],
			   READ_ONCE(b->dead) ? " dead" : "", READ_ONCE(b->space.nentries));
	mutex_unlock(&dev->lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(svmsim_dbg);

/**
 * svmsim_debugfs_dev_add() - create a device's debugfs files
 * @dev: the device, its statistics set up (svmsim_stats_init()).
 */
void svmsim_debugfs_dev_add(struct svmsim_dev *dev)
{
	dev->dbg = debugfs_create_file(dev->name, 0400, svmsim_dbg_root, dev,
				       &svmsim_dbg_fops);
	dev->san_dbg = svmsim_san_debugfs(dev, svmsim_dbg_root);
}

/**
 * svmsim_debugfs_dev_remove() - remove them (before the statistics go)
 * @dev: the device.
 */
void svmsim_debugfs_dev_remove(struct svmsim_dev *dev)
{
	debugfs_remove(dev->dbg);
	debugfs_remove(dev->san_dbg);
	dev->dbg = NULL;
	dev->san_dbg = NULL;
}

/** svmsim_debugfs_init() - create /sys/kernel/debug/svmsim */
void svmsim_debugfs_init(void)
{
	svmsim_dbg_root = debugfs_create_dir("svmsim", NULL);
	svmsim_alloc_debugfs(svmsim_dbg_root);
}

/** svmsim_debugfs_exit() - remove it */
void svmsim_debugfs_exit(void)
{
	debugfs_remove(svmsim_dbg_root);
}
