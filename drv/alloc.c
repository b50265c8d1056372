// SPDX-License-Identifier: GPL-2.0
/*
 * svmsim: what the module has allocated, and allocation failure on demand.
 *
 * Live counts.  Every long-lived object the module allocates (files,
 * bonds, PASID holders, TLB entries, windows and their pages, queue
 * descriptors, per-CPU counters) is counted up when allocated and down
 * when freed; /sys/kernel/debug/svmsim/alloc shows them.  After a test
 * has closed everything, they are back where they started, or something
 * leaked.
 *
 * Failure injection (module parameter allow_fail_alloc=1, opt-in like
 * allow_inject).  A task writes N to /sys/kernel/debug/svmsim/fail_nth:
 * its Nth allocation from then on fails, as if the kernel had no memory,
 * once.  Reading the file gives what is left of the countdown (0: it
 * fired, or nothing is armed), so a test walks N = 1, 2, ... over every
 * allocation an operation reaches, until the countdown outlives the
 * operation.  One task is armed at a time; allocations of other tasks
 * (the queue thread, other processes) never fail.  Like the kernel's
 * /proc/self/fail-nth, but it reaches only svmsim's own allocations.
 */
#include <linux/atomic.h>
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/kstrtox.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/uaccess.h>

#include "svmsim.h"

static bool allow_fail_alloc;
module_param(allow_fail_alloc, bool, 0444);
MODULE_PARM_DESC(allow_fail_alloc,
		 "allow debugfs svmsim/fail_nth to fail allocations on demand (default no)");

static const char * const svmsim_obj_names[SVMSIM_OBJ_NR] = {
	[SVMSIM_OBJ_FILE] = "file",
	[SVMSIM_OBJ_BOND] = "bond",
	[SVMSIM_OBJ_MM] = "pasid",
	[SVMSIM_OBJ_ENTRY] = "tlb_entry",
	[SVMSIM_OBJ_WINDOW] = "window",
	[SVMSIM_OBJ_PAGE] = "window_page",
	[SVMSIM_OBJ_DESC] = "queue_desc",
	[SVMSIM_OBJ_PCPU] = "pcpu_counters",
	[SVMSIM_OBJ_RECORD] = "record",
	[SVMSIM_OBJ_FANOUT] = "fanout",
	[SVMSIM_OBJ_PAGE_DESCS] = "page_descs",
};

static atomic_long_t svmsim_live[SVMSIM_OBJ_NR];
static atomic_long_t svmsim_injected;

/* The armed task (by pid: a task_struct pointer could be reused) and its count. */
static pid_t svmsim_fail_pid;
static atomic_t svmsim_fail_left;

/**
 * svmsim_obj_add() - count objects of a kind in or out
 * @obj: enum svmsim_obj.
 * @n: +1 allocated, -1 freed (or more).
 */
void svmsim_obj_add(enum svmsim_obj obj, long n)
{
	atomic_long_add(n, &svmsim_live[obj]);
}

/**
 * svmsim_alloc_fails() - should the caller's next allocation fail?
 *
 * Called right before each allocation of the module.  Cheap when nothing
 * is armed: one read of a parameter.
 *
 * Return: true if this is the armed task's Nth allocation.
 */
bool svmsim_alloc_fails(void)
{
	if (!READ_ONCE(allow_fail_alloc) || READ_ONCE(svmsim_fail_pid) != current->pid)
		return false;
	if (atomic_read(&svmsim_fail_left) <= 0 || !atomic_dec_and_test(&svmsim_fail_left))
		return false;
	atomic_long_inc(&svmsim_injected);
	return true;
}

static int svmsim_alloc_show(struct seq_file *m, void *unused)
{
	unsigned int i;

	seq_puts(m, "object           live\n");
	for (i = 0; i < SVMSIM_OBJ_NR; i++)
		seq_printf(m, "%-16s %ld\n", svmsim_obj_names[i],
			   atomic_long_read(&svmsim_live[i]));
	seq_printf(m, "%-16s %ld\n", "failures_injected", atomic_long_read(&svmsim_injected));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(svmsim_alloc);

static ssize_t svmsim_fail_nth_write(struct file *file, const char __user *ubuf,
				     size_t count, loff_t *ppos)
{
	unsigned int n;
	int ret;

	if (!allow_fail_alloc)
		return -EPERM;
	ret = kstrtouint_from_user(ubuf, count, 0, &n);
	if (ret)
		return ret;
	/* Disarm first: the old task's countdown must not hit the new one. */
	WRITE_ONCE(svmsim_fail_pid, 0);
	atomic_set(&svmsim_fail_left, n);
	WRITE_ONCE(svmsim_fail_pid, n ? current->pid : 0);
	return count;
}

static ssize_t svmsim_fail_nth_read(struct file *file, char __user *ubuf,
				    size_t count, loff_t *ppos)
{
	char buf[16];
	int left = READ_ONCE(svmsim_fail_pid) == current->pid ?
		   max(atomic_read(&svmsim_fail_left), 0) : 0;
	int len = scnprintf(buf, sizeof(buf), "%d\n", left);

	return simple_read_from_buffer(ubuf, count, ppos, buf, len);
}

static const struct file_operations svmsim_fail_nth_fops = {
	.owner = THIS_MODULE,
	.read = svmsim_fail_nth_read,
	.write = svmsim_fail_nth_write,
	.llseek = default_llseek,
};

/**
 * svmsim_alloc_debugfs() - create svmsim/alloc and svmsim/fail_nth
 * @root: the svmsim debugfs directory.
 */
void svmsim_alloc_debugfs(struct dentry *root)
{
	debugfs_create_file("alloc", 0400, root, NULL, &svmsim_alloc_fops);
	debugfs_create_file("fail_nth", 0600, root, NULL, &svmsim_fail_nth_fops);
}
