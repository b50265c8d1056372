// SPDX-License-Identifier: GPL-2.0
/*
 * svmsim: an emulated Shared Virtual Memory (SVA) device.
 *
 * Module entry: the misc devices /dev/svmsim0.. (ndevices), their file
 * operations, and the ioctl dispatcher.  Each ioctl's handler lives with
 * the part it drives (bond.c, dma.c, window.c, config.c, stats.c).
 */
#include <linux/capability.h>
#include <linux/delay.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>

#include "compat.h"
#include "svmsim.h"

static unsigned int ndevices = 2;
module_param(ndevices, uint, 0444);
MODULE_PARM_DESC(ndevices, "number of emulated devices (1-16, default 2)");

bool svmsim_allow_inject;
module_param_named(allow_inject, svmsim_allow_inject, bool, 0444);
MODULE_PARM_DESC(allow_inject, "allow SVMSIM_IOC_INJECT to inject driver bugs (default no)");

unsigned int svmsim_release_delay_us;
module_param_named(release_delay_us, svmsim_release_delay_us, uint, 0644);
MODULE_PARM_DESC(release_delay_us,
		 "debug, with allow_inject=1 only: busy-wait this long (<= 100000) before a "
		 "pinned entry's release, to widen lifetime races (default 0)");

struct workqueue_struct *svmsim_wq;
static struct svmsim_dev *svmsim_devs[SVMSIM_MAX_DEVICES];

/**
 * svmsim_debug_release_delay() - the release_delay_us debug wait
 *
 * Called where an entry's release may run without sleeping; a test sets
 * the parameter to make a release that races its bond's free reliably
 * late (issue 13, defect 3).  Nothing without allow_inject=1.
 */
void svmsim_debug_release_delay(void)
{
	unsigned int us = min(READ_ONCE(svmsim_release_delay_us), 100000u);

	if (!svmsim_allow_inject)
		return;
	for (; us >= 10; us -= 10)
		udelay(10);
}

/* What a bond allocates besides its entries (struct svmsim_version.bond_bytes). */
static u32 svmsim_bond_bytes(void)
{
	return kmalloc_size_roundup(sizeof(struct svmsim_bond)) +
	       num_possible_cpus() * (sizeof(struct svmsim_pcpu_counters) +
				      sizeof(struct svm_tlb_pcpu));
}

static long svmsim_ioctl_version(struct svmsim_file *f, void __user *arg)
{
	struct svmsim_version v = {
		.abi_version = SVMSIM_ABI_VERSION,
		.device_index = f->dev->index,
		.ndevices = ndevices,
		.features = SVMSIM_KERNEL_FEATURES | SVMSIM_FEAT_HUGE | SVMSIM_FEAT_SANITIZER |
			    SVMSIM_FEAT_FANOUT |
			    (svmsim_allow_inject ? SVMSIM_FEAT_INJECT : 0),
		.max_pasid = SVMSIM_MAX_PASID,
		.page_shifts = (1u << SVM_TLB_SHIFT_4K) | (1u << SVM_TLB_SHIFT_2M),
		.entry_bytes = svm_tlb_entry_bytes(),
		.bond_bytes = svmsim_bond_bytes(),
	};

	return copy_to_user(arg, &v, sizeof(v)) ? -EFAULT : 0;
}

/*
 * The privilege model (include/uapi/svmsim.h, "Who may do what"): an fd
 * opened read-only observes (SVMSIM_IO_ANY); making the device act on
 * memory needs an fd opened for writing (SVMSIM_IO_WRITE, else EBADF, as
 * write(2) on such an fd); changing what every user of the device sees
 * needs CAP_SYS_ADMIN as well (SVMSIM_IO_ADMIN, else EPERM).
 */
enum svmsim_io_priv {
	SVMSIM_IO_ANY,
	SVMSIM_IO_WRITE,
	SVMSIM_IO_ADMIN,
};

struct svmsim_ioctl {
	unsigned int cmd;
	enum svmsim_io_priv priv;
	long (*fn)(struct svmsim_file *f, void __user *arg);
};

#define SVMSIM_IOCTL(c, p, f) [_IOC_NR(c)] = { .cmd = (c), .priv = (p), .fn = (f) }

static const struct svmsim_ioctl svmsim_ioctls[] = {
	SVMSIM_IOCTL(SVMSIM_IOC_VERSION, SVMSIM_IO_ANY, svmsim_ioctl_version),
	SVMSIM_IOCTL(SVMSIM_IOC_BIND, SVMSIM_IO_WRITE, svmsim_ioctl_bind),
	SVMSIM_IOCTL(SVMSIM_IOC_UNBIND, SVMSIM_IO_WRITE, svmsim_ioctl_unbind),
	SVMSIM_IOCTL(SVMSIM_IOC_DMA, SVMSIM_IO_WRITE, svmsim_ioctl_dma),
	SVMSIM_IOCTL(SVMSIM_IOC_STATS, SVMSIM_IO_ANY, svmsim_ioctl_stats),
	SVMSIM_IOCTL(SVMSIM_IOC_HIST, SVMSIM_IO_ANY, svmsim_ioctl_hist),
	SVMSIM_IOCTL(SVMSIM_IOC_SET_CONFIG, SVMSIM_IO_ADMIN, svmsim_ioctl_set_config),
	SVMSIM_IOCTL(SVMSIM_IOC_GET_CONFIG, SVMSIM_IO_ANY, svmsim_ioctl_get_config),
	SVMSIM_IOCTL(SVMSIM_IOC_ZAP, SVMSIM_IO_WRITE, svmsim_ioctl_zap),
	SVMSIM_IOCTL(SVMSIM_IOC_PROBE, SVMSIM_IO_ANY, svmsim_ioctl_probe),
	SVMSIM_IOCTL(SVMSIM_IOC_INJECT, SVMSIM_IO_WRITE, svmsim_ioctl_inject),
	SVMSIM_IOCTL(SVMSIM_IOC_SAN_REPORTS, SVMSIM_IO_ANY, svmsim_ioctl_san_reports),
};

static int svmsim_ioctl_allowed(struct file *file, enum svmsim_io_priv priv)
{
	if (priv >= SVMSIM_IO_WRITE && !(file->f_mode & FMODE_WRITE))
		return -EBADF;
	if (priv >= SVMSIM_IO_ADMIN && !capable(CAP_SYS_ADMIN))
		return -EPERM;
	return 0;
}

/*
 * Unknown number: ENOTTY.  Known number, other size or direction (a
 * header of another ABI version): EINVAL.  Then the privilege check.
 */
static long svmsim_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	const struct svmsim_ioctl *io;
	int ret;

	if (_IOC_TYPE(cmd) != SVMSIM_IOC_MAGIC || _IOC_NR(cmd) >= ARRAY_SIZE(svmsim_ioctls))
		return -ENOTTY;
	io = &svmsim_ioctls[_IOC_NR(cmd)];
	if (!io->fn)
		return -ENOTTY;
	if (cmd != io->cmd)
		return -EINVAL;
	ret = svmsim_ioctl_allowed(file, io->priv);
	if (ret)
		return ret;
	return io->fn(file->private_data, (void __user *)arg);
}

static int svmsim_open(struct inode *inode, struct file *file)
{
	struct svmsim_dev *dev = container_of(file->private_data, struct svmsim_dev, misc);
	struct svmsim_file *f;

	f = svmsim_alloc_fails() ? NULL : kzalloc(sizeof(*f), GFP_KERNEL_ACCOUNT);
	if (!f)
		return -ENOMEM;
	svmsim_obj_add(SVMSIM_OBJ_FILE, 1);
	kref_init(&f->ref);
	f->dev = dev;
	mutex_init(&f->lock);
	INIT_LIST_HEAD(&f->bonds);
	INIT_LIST_HEAD(&f->records);
	file->private_data = f;
	return nonseekable_open(inode, file);
}

static int svmsim_release(struct inode *inode, struct file *file)
{
	struct svmsim_file *f = file->private_data;

	svmsim_file_unbind_all(f);
	svmsim_file_drop_records(f);
	svmsim_window_free(f);
	svmsim_file_put(f);	/* freed now, or by the last reaped bond */
	return 0;
}

static int svmsim_mmap(struct file *file, struct vm_area_struct *vma)
{
	/* The window is device memory the file allocates: writers only. */
	if (!(file->f_mode & FMODE_WRITE))
		return -EACCES;
	return svmsim_window_mmap(file->private_data, vma);
}

static ssize_t svmsim_write(struct file *file, const char __user *buf,
			    size_t count, loff_t *pos)
{
	return svmsim_window_write(file->private_data, buf, count);
}

static const struct file_operations svmsim_fops = {
	.owner = THIS_MODULE,
	.open = svmsim_open,
	.release = svmsim_release,
	.unlocked_ioctl = svmsim_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.mmap = svmsim_mmap,
	.write = svmsim_write,
};

static void svmsim_dev_destroy(struct svmsim_dev *dev)
{
	svmsim_invq_stop(dev);
	svmsim_debugfs_dev_remove(dev);
	svmsim_stats_exit(dev);
	svm_tlb_destroy(&dev->tlb);
	kfree(dev);
}

static struct svmsim_dev *svmsim_dev_create(unsigned int index)
{
	struct svmsim_dev *dev = kzalloc(sizeof(*dev), GFP_KERNEL);
	int ret;

	if (!dev)
		return ERR_PTR(-ENOMEM);
	dev->index = index;
	snprintf(dev->name, sizeof(dev->name), "svmsim%u", index);
	mutex_init(&dev->lock);
	spin_lock_init(&dev->san_lock);
	INIT_LIST_HEAD(&dev->bonds);
	init_waitqueue_head(&dev->idle);
	ret = svmsim_config_defaults(&dev->cfg);
	if (ret) {
		pr_err("svmsim: a module parameter is out of range\n");
		goto err_free;
	}
	ret = svm_tlb_init(&dev->tlb, dev->cfg.tlb_sets, dev->cfg.tlb_ways,
			   dev->cfg.tlb_policy, &svmsim_tlb_ops, dev);
	if (ret)
		goto err_free;
	svm_tlb_set_limits(&dev->tlb, dev->cfg.max_entries, dev->cfg.max_pasid_entries);
	ret = svmsim_stats_init(dev);
	if (ret)
		goto err_tlb;
	svmsim_debugfs_dev_add(dev);
	ret = svmsim_invq_start(dev);
	if (ret)
		goto err_stats;
	dev->misc.minor = MISC_DYNAMIC_MINOR;
	dev->misc.name = dev->name;
	dev->misc.fops = &svmsim_fops;
	dev->misc.mode = 0600;
	ret = misc_register(&dev->misc);
	if (ret)
		goto err_invq;
	return dev;

err_invq:
	svmsim_invq_stop(dev);
err_stats:
	svmsim_debugfs_dev_remove(dev);
	svmsim_stats_exit(dev);
err_tlb:
	svm_tlb_destroy(&dev->tlb);
err_free:
	kfree(dev);
	return ERR_PTR(ret);
}

static void svmsim_cleanup(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(svmsim_devs); i++)
		if (svmsim_devs[i])
			misc_deregister(&svmsim_devs[i]->misc);
	/* Notifiers put at unbind are freed after SRCU: wait for them... */
	mmu_notifier_synchronize();
	/* ...and for their bonds' deferred frees. */
	for (i = 0; i < ARRAY_SIZE(svmsim_devs); i++)
		if (svmsim_devs[i])
			wait_event(svmsim_devs[i]->idle, !READ_ONCE(svmsim_devs[i]->nbonds));
	destroy_workqueue(svmsim_wq);
	for (i = 0; i < ARRAY_SIZE(svmsim_devs); i++) {
		if (svmsim_devs[i])
			svmsim_dev_destroy(svmsim_devs[i]);
		svmsim_devs[i] = NULL;
	}
	svmsim_debugfs_exit();
	/*
	 * TLB entries still in their grace period are freed by our RCU
	 * callbacks into our cache: wait for them before destroying it.
	 * Notifier frees (call_srcu) were waited for above.
	 */
	rcu_barrier();
	svm_tlb_cache_destroy();
}

static int __init svmsim_init(void)
{
	struct svmsim_dev *dev;
	unsigned int i;
	int ret;

	if (!ndevices || ndevices > SVMSIM_MAX_DEVICES) {
		pr_err("svmsim: ndevices must be 1..%d\n", SVMSIM_MAX_DEVICES);
		return -EINVAL;
	}
	ret = svm_tlb_cache_create();
	if (ret)
		return ret;
	svmsim_wq = alloc_workqueue("svmsim", 0, 0);
	if (!svmsim_wq) {
		svm_tlb_cache_destroy();
		return -ENOMEM;
	}
	svmsim_debugfs_init();
	for (i = 0; i < ndevices; i++) {
		dev = svmsim_dev_create(i);
		if (IS_ERR(dev)) {
			svmsim_cleanup();
			return PTR_ERR(dev);
		}
		svmsim_devs[i] = dev;
	}
	pr_info("svmsim: %u devices, ABI %u%s\n", ndevices, SVMSIM_ABI_VERSION,
		svmsim_allow_inject ? ", bug injection allowed" : "");
	return 0;
}

static void __exit svmsim_exit(void)
{
	svmsim_cleanup();
}

module_init(svmsim_init);
module_exit(svmsim_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("svmsim: emulated Shared Virtual Memory device with a software IOTLB");
MODULE_AUTHOR("svmsim developers");
