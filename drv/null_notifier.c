// SPDX-License-Identifier: GPL-2.0
/*
 * svmsim_null: the null-notifier floor.  A process binds its mm through
 * /dev/svmsim_null and gets an mmu_notifier whose callbacks only count, in
 * the shape of one of svmsim's models (include/uapi/svmsim_null.h).  What an
 * mm operation costs with it registered, minus what it costs with nothing
 * registered, is the price of merely being subscribed: the floor that a
 * driver's own overhead is read against.
 *
 * Lifetime: the notifier and its counter live in one struct null_mn, which
 * the fd points to from BIND until close.  close() puts the notifier; the
 * mm core frees it (->free_notifier) after an SRCU grace period, so a
 * callback running at that moment still counts into live memory.  If the mm
 * exits first, ->release counts and the mm core unhooks the notifier; the
 * put at close then only schedules the free.
 */
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/mmu_notifier.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "compat.h"
#include "uapi/svmsim_null.h"

/* One registered null notifier and its callback count (per CPU: no shared line). */
struct null_mn {
	struct mmu_notifier mn;
	unsigned long __percpu *calls;
};

/* An open /dev/svmsim_null: at most one notifier, set once by BIND. */
struct null_file {
	struct mutex lock;	/* serialises BIND against BIND and COUNT */
	struct null_mn *nm;
};

static inline struct null_mn *to_nm(struct mmu_notifier *mn)
{
	return container_of(mn, struct null_mn, mn);
}

static void null_count(struct mmu_notifier *mn)
{
	this_cpu_inc(*to_nm(mn)->calls);
}

static void null_release(struct mmu_notifier *mn, struct mm_struct *mm)
{
	null_count(mn);
}

static void null_secondary(struct mmu_notifier *mn, struct mm_struct *mm,
			   unsigned long start, unsigned long end)
{
	null_count(mn);
}

static int null_range_start(struct mmu_notifier *mn,
			    const struct mmu_notifier_range *range)
{
	null_count(mn);
	return 0;
}

static void null_range_end(struct mmu_notifier *mn,
			   const struct mmu_notifier_range *range)
{
	null_count(mn);
}

/* Called by the mm core after the SRCU grace period that follows the put. */
static void null_free(struct mmu_notifier *mn)
{
	struct null_mn *nm = to_nm(mn);

	free_percpu(nm->calls);
	kfree(nm);
}

static const struct mmu_notifier_ops null_secondary_ops = {
	.release = null_release,
	.SVMSIM_SECONDARY_TLB_OP = null_secondary,
	.free_notifier = null_free,
};

static const struct mmu_notifier_ops null_range_ops = {
	.release = null_release,
	.invalidate_range_start = null_range_start,
	.invalidate_range_end = null_range_end,
	.free_notifier = null_free,
};

static int null_open(struct inode *inode, struct file *file)
{
	struct null_file *nf = kzalloc(sizeof(*nf), GFP_KERNEL);

	if (!nf)
		return -ENOMEM;
	mutex_init(&nf->lock);
	file->private_data = nf;
	return 0;
}

static int null_release_file(struct inode *inode, struct file *file)
{
	struct null_file *nf = file->private_data;

	/* Unhooks it (unless the mm did at exit) and frees it after SRCU. */
	if (nf->nm)
		mmu_notifier_put(&nf->nm->mn);
	mutex_destroy(&nf->lock);
	kfree(nf);
	return 0;
}

/* A new notifier of @model, not yet registered; ERR_PTR on failure. */
static struct null_mn *null_mn_alloc(u32 model)
{
	struct null_mn *nm = kzalloc(sizeof(*nm), GFP_KERNEL);

	if (!nm)
		return ERR_PTR(-ENOMEM);
	nm->calls = alloc_percpu(unsigned long);
	if (!nm->calls) {
		kfree(nm);
		return ERR_PTR(-ENOMEM);
	}
	nm->mn.ops = model == SVMSIM_MODEL_SECONDARY ? &null_secondary_ops
						     : &null_range_ops;
	return nm;
}

static long null_bind(struct null_file *nf, void __user *uarg)
{
	struct svmsim_null_bind a;
	struct null_mn *nm;
	int ret;

	if (copy_from_user(&a, uarg, sizeof(a)))
		return -EFAULT;
	if (a.flags || (a.model != SVMSIM_MODEL_SECONDARY &&
			a.model != SVMSIM_MODEL_RANGE))
		return -EINVAL;
	if (!current->mm)
		return -EINVAL;
	mutex_lock(&nf->lock);
	if (nf->nm) {
		ret = -EBUSY;
		goto out;
	}
	nm = null_mn_alloc(a.model);
	if (IS_ERR(nm)) {
		ret = PTR_ERR(nm);
		goto out;
	}
	ret = mmu_notifier_register(&nm->mn, current->mm);
	if (ret) {
		null_free(&nm->mn);	/* never registered: no callback can run */
		goto out;
	}
	nf->nm = nm;
out:
	mutex_unlock(&nf->lock);
	return ret;
}

static long null_get_count(struct null_file *nf, void __user *uarg)
{
	struct svmsim_null_count c = { };
	int cpu;

	mutex_lock(&nf->lock);
	if (!nf->nm) {
		mutex_unlock(&nf->lock);
		return -EINVAL;
	}
	for_each_possible_cpu(cpu)
		c.calls += *per_cpu_ptr(nf->nm->calls, cpu);
	mutex_unlock(&nf->lock);
	return copy_to_user(uarg, &c, sizeof(c)) ? -EFAULT : 0;
}

static long null_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct null_file *nf = file->private_data;
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case SVMSIM_NULL_IOC_BIND:
		return null_bind(nf, uarg);
	case SVMSIM_NULL_IOC_COUNT:
		return null_get_count(nf, uarg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations null_fops = {
	.owner = THIS_MODULE,
	.open = null_open,
	.release = null_release_file,
	.unlocked_ioctl = null_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice null_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "svmsim_null",
	.fops = &null_fops,
	.mode = 0600,
};

static int __init null_init(void)
{
	return misc_register(&null_misc);
}

static void __exit null_exit(void)
{
	misc_deregister(&null_misc);
	/* Notifiers put at close are freed after SRCU, by our ->free_notifier. */
	mmu_notifier_synchronize();
}

module_init(null_init);
module_exit(null_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("svmsim_null: an mmu_notifier that only counts (the floor)");
MODULE_AUTHOR("svmsim developers");
