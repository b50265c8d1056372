// SPDX-License-Identifier: GPL-2.0
/*
 * svmsim: device configuration -- TLB geometry and bounds, flush mode,
 * threshold and budget, simulated device latency and device faults
 * (latency tail, queue timeout, depth and lost completions), default model
 * and fill policy.  Module
 * parameters give every device its initial configuration; the
 * SVMSIM_IOC_SET_CONFIG ioctl changes one device's.
 */
#include <linux/log2.h>
#include <linux/mmu_notifier.h>
#include <linux/module.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "svmsim.h"
#include "svmsim/names.h"

static unsigned int tlb_sets = 4096;
module_param(tlb_sets, uint, 0444);
MODULE_PARM_DESC(tlb_sets, "TLB sets (power of two, default 4096)");

static unsigned int tlb_ways;
module_param(tlb_ways, uint, 0444);
MODULE_PARM_DESC(tlb_ways, "TLB ways per set, 0 = unbounded (default)");

static char *tlb_policy = "clock";
module_param(tlb_policy, charp, 0444);
MODULE_PARM_DESC(tlb_policy, "replacement: clock (default), lru, fifo, random");

static char *flush_mode = "sync";
module_param(flush_mode, charp, 0444);
MODULE_PARM_DESC(flush_mode, "flush execution: sync (default) or queued");

static unsigned int flush_threshold;
module_param(flush_threshold, uint, 0444);
MODULE_PARM_DESC(flush_threshold, "pages above which a flush is PASID-wide, 0 = never");

static unsigned int qi_batch = 64;
module_param(qi_batch, uint, 0444);
MODULE_PARM_DESC(qi_batch, "queued mode: descriptors per batch (default 64)");

static unsigned long dev_latency_ns;
module_param(dev_latency_ns, ulong, 0444);
MODULE_PARM_DESC(dev_latency_ns, "simulated invalidation completion latency, ns");

static unsigned int max_entries = 1u << 20;
module_param(max_entries, uint, 0444);
MODULE_PARM_DESC(max_entries, "most TLB entries per device, 0 = unbounded (default 1048576)");

static unsigned int max_pasid_entries = 1u << 18;
module_param(max_pasid_entries, uint, 0444);
MODULE_PARM_DESC(max_pasid_entries,
		 "most TLB entries per PASID, 0 = unbounded (default 262144)");

static unsigned int flush_budget = 1024;
module_param(flush_budget, uint, 0444);
MODULE_PARM_DESC(flush_budget,
		 "most pages probed or entries walked by one flush before it retires the PASID, "
		 "0 = no budget (default 1024)");

static char *model = "secondary";
module_param(model, charp, 0444);
MODULE_PARM_DESC(model, "default invalidation model: secondary (default), range, pinned");

static char *fill = "ref";
module_param(fill, charp, 0444);
MODULE_PARM_DESC(fill, "default fill policy: ref (default) or noref");

/* Index of @s in @names[first..n), or -EINVAL. */
static int svmsim_parse(const char *s, const char * const *names,
			unsigned int first, unsigned int n)
{
	unsigned int i;

	for (i = first; i < n; i++)
		if (sysfs_streq(s, names[i]))
			return i;
	return -EINVAL;
}

/*
 * The device faults and the queue's window: each field's range (uapi), and
 * lost needs a timeout.
 */
static bool svmsim_faults_ok(const struct svmsim_config *c)
{
	u32 mult = max_t(u32, c->lat_tail_mult, 1);

	if (c->lat_tail_pct > 100 || c->lat_tail_mult > SVMSIM_MAX_TAIL_MULT ||
	    (c->lat_tail_pct && !c->lat_tail_mult) ||
	    c->dev_latency_ns > SVMSIM_MAX_TAIL_NS / mult)
		return false;
	return c->qi_timeout_ns <= SVMSIM_MAX_TAIL_NS && c->qi_depth <= SVMSIM_MAX_QI_DEPTH &&
	       c->qi_lose_pct <= 100 && (!c->qi_lose_pct || c->qi_timeout_ns) &&
	       c->qi_coalesce_ns <= SVMSIM_MAX_TAIL_NS;
}

static int svmsim_config_check(const struct svmsim_config *c)
{
	if (!svmsim_faults_ok(c) || !is_power_of_2(c->tlb_sets) || c->tlb_sets > SVMSIM_MAX_SETS ||
	    c->tlb_ways > SVMSIM_MAX_WAYS || c->tlb_policy >= SVMSIM_REPL_NR ||
	    c->flush_mode >= SVMSIM_FLUSH_MODE_NR || !c->qi_batch ||
	    c->qi_batch > SVMSIM_MAX_QI_BATCH ||
	    c->dev_latency_ns > SVMSIM_MAX_LATENCY_NS ||
	    !c->default_model || c->default_model >= SVMSIM_MODEL_NR ||
	    !c->default_fill || c->default_fill >= SVMSIM_FILL_NR ||
	    c->max_entries > SVMSIM_MAX_ENTRIES || c->max_pasid_entries > SVMSIM_MAX_ENTRIES ||
	    (c->flags & ~SVMSIM_CONFIG_FLAGS) || c->pad || c->pad2)
		return -EINVAL;
	/* a PSI block is one descriptor; page descriptors are one a page */
	if ((c->flags & SVMSIM_CONFIG_PSI) && (c->flags & SVMSIM_CONFIG_PAGE_DESCS))
		return -EINVAL;
	return 0;
}

/**
 * svmsim_config_defaults() - a device's configuration from the parameters
 * @cfg: out.
 *
 * Return: 0, or -EINVAL naming nothing: a parameter is out of range.
 */
int svmsim_config_defaults(struct svmsim_config *cfg)
{
	int policy = svmsim_parse(tlb_policy, svmsim_repl_names, 0, SVMSIM_REPL_NR);
	int mode = svmsim_parse(flush_mode, svmsim_flush_mode_names, 0,
				SVMSIM_FLUSH_MODE_NR);
	int m = svmsim_parse(model, svmsim_model_names, 1, SVMSIM_MODEL_NR);
	int fp = svmsim_parse(fill, svmsim_fill_names, 1, SVMSIM_FILL_NR);

	if (policy < 0 || mode < 0 || m < 0 || fp < 0)
		return -EINVAL;
	memset(cfg, 0, sizeof(*cfg));
	cfg->tlb_sets = tlb_sets;
	cfg->tlb_ways = tlb_ways;
	cfg->tlb_policy = policy;
	cfg->flush_mode = mode;
	cfg->flush_threshold = flush_threshold;
	cfg->qi_batch = qi_batch;
	cfg->dev_latency_ns = dev_latency_ns;
	cfg->default_model = m;
	cfg->default_fill = fp;
	cfg->max_entries = max_entries;
	cfg->max_pasid_entries = max_pasid_entries;
	cfg->flush_budget = flush_budget;
	return svmsim_config_check(cfg);
}

/*
 * Geometry and flush mode may change only when no bond uses the TLB.
 * nbonds counts bonds until freed, because late notifier callbacks still
 * use the TLB; when none is live any more, wait out those frees (SRCU,
 * then the free work) rather than fail a caller that just unbound.
 * Called and returns with dev->lock held.
 */
static int svmsim_dev_quiesce(struct svmsim_dev *dev)
{
	if (!dev->nbonds)
		return 0;
	if (!list_empty(&dev->bonds))
		return -EBUSY;
	mutex_unlock(&dev->lock);
	mmu_notifier_synchronize();
	flush_workqueue(svmsim_wq);
	mutex_lock(&dev->lock);
	return dev->nbonds ? -EBUSY : 0;
}

/**
 * svmsim_ioctl_set_config() - SVMSIM_IOC_SET_CONFIG
 * @f: the file.
 * @arg: struct svmsim_config.
 *
 * Return: 0, -EINVAL, -EBUSY (geometry or flush mode while bonds exist),
 * -ENOMEM.
 */
long svmsim_ioctl_set_config(struct svmsim_file *f, void __user *arg)
{
	struct svmsim_dev *dev = f->dev;
	struct svmsim_config c, *cur = &dev->cfg;
	bool geometry;
	int ret = 0;

	if (copy_from_user(&c, arg, sizeof(c)))
		return -EFAULT;
	ret = svmsim_config_check(&c);
	if (ret)
		return ret;
	mutex_lock(&dev->lock);
	geometry = c.tlb_sets != cur->tlb_sets || c.tlb_ways != cur->tlb_ways ||
		   c.tlb_policy != cur->tlb_policy;
	if (geometry || c.flush_mode != cur->flush_mode) {
		ret = svmsim_dev_quiesce(dev);
		if (ret)
			goto out;
	}
	if (geometry) {
		ret = svmsim_alloc_fails() ? -ENOMEM :
		      svm_tlb_reconfigure(&dev->tlb, c.tlb_sets, c.tlb_ways, c.tlb_policy);
		if (ret)
			goto out;
	}
	WRITE_ONCE(cur->tlb_sets, c.tlb_sets);
	WRITE_ONCE(cur->tlb_ways, c.tlb_ways);
	WRITE_ONCE(cur->tlb_policy, c.tlb_policy);
	WRITE_ONCE(cur->flush_mode, c.flush_mode);
	WRITE_ONCE(cur->flush_threshold, c.flush_threshold);
	WRITE_ONCE(cur->qi_batch, c.qi_batch);
	WRITE_ONCE(cur->dev_latency_ns, c.dev_latency_ns);
	WRITE_ONCE(cur->default_model, c.default_model);
	WRITE_ONCE(cur->default_fill, c.default_fill);
	WRITE_ONCE(cur->max_entries, c.max_entries);
	WRITE_ONCE(cur->max_pasid_entries, c.max_pasid_entries);
	WRITE_ONCE(cur->flush_budget, c.flush_budget);
	WRITE_ONCE(cur->flags, c.flags);
	WRITE_ONCE(cur->lat_tail_pct, c.lat_tail_pct);
	WRITE_ONCE(cur->lat_tail_mult, c.lat_tail_mult);
	WRITE_ONCE(cur->qi_timeout_ns, c.qi_timeout_ns);
	WRITE_ONCE(cur->qi_depth, c.qi_depth);
	WRITE_ONCE(cur->qi_lose_pct, c.qi_lose_pct);
	WRITE_ONCE(cur->qi_coalesce_ns, c.qi_coalesce_ns);
	wake_up(&dev->invq.kick);	/* the queue thread may be sleeping out the old window */
	svm_tlb_set_limits(&dev->tlb, c.max_entries, c.max_pasid_entries);
out:
	mutex_unlock(&dev->lock);
	return ret;
}

/**
 * svmsim_ioctl_get_config() - SVMSIM_IOC_GET_CONFIG
 * @f: the file.
 * @arg: struct svmsim_config, written.
 *
 * Return: 0 or -EFAULT.
 */
long svmsim_ioctl_get_config(struct svmsim_file *f, void __user *arg)
{
	struct svmsim_config c;

	mutex_lock(&f->dev->lock);
	c = f->dev->cfg;
	mutex_unlock(&f->dev->lock);
	return copy_to_user(arg, &c, sizeof(c)) ? -EFAULT : 0;
}
