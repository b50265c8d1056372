// SPDX-License-Identifier: GPL-2.0
/*
 * svmsim: bonds -- a process's mm bound to a device under a PASID.
 *
 * Bind gives the caller's mm its PASID (pasid.c), makes the bond's space
 * in the device TLB, and registers the model's notifier(s).  Unbind, or
 * close() of the fd, or -- for the TLB only -- the mm's exit (->release)
 * tears it down.  See drv/svmsim.h for the lifetime rules.
 */
#include <linux/capability.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/pid.h>
#include <linux/ptrace.h>
#include <linux/rcupdate.h>
#include <linux/resource.h>
#include <linux/sched.h>
#include <linux/sched/clock.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "svmsim.h"

static void svmsim_bond_free_work(struct work_struct *work)
{
	struct svmsim_bond *b = container_of(work, struct svmsim_bond, free_work);
	struct svmsim_dev *dev = b->dev;

	svm_tlb_space_free(&b->space);
	svmsim_counters_free(&b->stats);
	svmsim_san_free(b);
	mmdrop(b->mm);
	mmdrop(b->owner);
	svmsim_file_put(b->file);
	kfree(b);
	svmsim_obj_add(SVMSIM_OBJ_BOND, -1);
	/* Last: module exit waits for nbonds 0, then for nothing of ours. */
	mutex_lock(&dev->lock);
	if (!--dev->nbonds)
		wake_up_all(&dev->idle);
	mutex_unlock(&dev->lock);
}

/* Retired entries released per step: bounds how long the space lock is held. */
#define SVMSIM_RECLAIM_BATCH	256

/* Release every retired entry of @b; may sleep between batches. */
static void svmsim_bond_reclaim_all(struct svmsim_bond *b)
{
	while (svm_tlb_space_reclaim(&b->space, SVMSIM_RECLAIM_BATCH))
		cond_resched();
}

static void svmsim_bond_reclaim_work(struct work_struct *work)
{
	struct svmsim_bond *b = container_of(work, struct svmsim_bond, reclaim_work);

	do {
		svmsim_bond_reclaim_all(b);
		clear_bit(0, &b->reclaim_pending);
		/* A retirement after our last look kicked nobody: look again. */
		smp_mb__after_atomic();
	} while (svm_tlb_space_stale(&b->space) &&
		 !test_and_set_bit(0, &b->reclaim_pending));
	svmsim_bond_put(b);
}

/*
 * Have the worker release @b's retired entries (and with them the page
 * references of fill=ref) now, off the callback path.  Any context.
 */
static void svmsim_bond_reclaim_kick(struct svmsim_bond *b)
{
	if (!svm_tlb_space_stale(&b->space) || test_and_set_bit(0, &b->reclaim_pending))
		return;
	if (!kref_get_unless_zero(&b->ref)) {
		clear_bit(0, &b->reclaim_pending);	/* the teardown reclaims */
		return;
	}
	queue_work(svmsim_wq, &b->reclaim_work);
}

static void svmsim_count_retired(struct svmsim_bond *b,
				 const struct svm_tlb_flush_res *res)
{
	if (!res->retired)
		return;
	svmsim_count(b, SVMSIM_STAT_TLB_RETIRED, res->retired);
	svmsim_count(b, SVMSIM_STAT_TLB_UNCOUNTED, res->uncounted);
	svmsim_bond_reclaim_kick(b);
}

/**
 * svmsim_space_flush() - flush a bond's TLB space, then see to what it retired
 * @b: the bond.
 * @req: the flush.
 * @res: out: what it removed.
 *
 * Every flush of a bond goes through here: entries it retired are counted
 * and handed to the reclaim worker.  Never sleeps.
 */
void svmsim_space_flush(struct svmsim_bond *b, const struct svm_tlb_flush_req *req,
			struct svm_tlb_flush_res *res)
{
	svm_tlb_flush(&b->space, req, res);
	svmsim_count_retired(b, res);
	svmsim_inj_flushed(b, res);
}

static void svmsim_bond_release(struct kref *ref)
{
	struct svmsim_bond *b = container_of(ref, struct svmsim_bond, ref);

	/* The last put may come from a spinning queue helper: free later. */
	queue_work(svmsim_wq, &b->free_work);
}

/**
 * svmsim_bond_put() - drop a bond reference
 * @b: the bond.
 */
void svmsim_bond_put(struct svmsim_bond *b)
{
	kref_put(&b->ref, svmsim_bond_release);
}

/**
 * svmsim_bond_kill() - stop all device access through a bond
 * @b: the bond.
 * @event: SVMSIM_EV_MM_RELEASE when the mm exits (counted as a flush),
 *	SVMSIM_EV_NR for an unbind.
 *
 * Retires every entry (O(1), draining the accesses in flight) and refuses
 * further fills; DMA on the bond then fails with ESRCH; the reclaim
 * worker releases the entries.  Idempotent; never sleeps.
 */
void svmsim_bond_kill(struct svmsim_bond *b, unsigned int event)
{
	struct svm_tlb_flush_res res;
	u64 t0 = local_clock();

	WRITE_ONCE(b->dead, true);
	svm_tlb_space_kill(&b->space, &res);
	svmsim_count_retired(b, &res);
	wake_up_all(&b->fill_wq);
	if (event == SVMSIM_EV_MM_RELEASE) {
		svmsim_count(b, SVMSIM_STAT_RELEASES, 1);
		svmsim_record_flush(b, event, 0, ULONG_MAX, &res, local_clock() - t0);
	}
}

/**
 * svmsim_bond_teardown() - unbind: kill, unsubscribe, give the PASID back
 * @b: a bond taken off its file's list by the caller, which owns the
 *	file's reference on it: dropped here.  Sleeps.
 */
void svmsim_bond_teardown(struct svmsim_bond *b)
{
	struct svmsim_dev *dev = b->dev;

	svmsim_bond_kill(b, SVMSIM_EV_NR);
	/*
	 * Killed first, so no invalidation it misses from here can matter;
	 * and before the device forgets it, so its mm's next bond there finds
	 * its fan-out slot free.
	 */
	if (b->fan)
		svmsim_fanout_leave(b);
	mutex_lock(&dev->lock);
	list_del(&b->dev_link);
	mutex_unlock(&dev->lock);
	svmsim_notifier_unregister(b);
	svmsim_bond_reclaim_all(b);
	svm_tlb_space_detach(&b->space);
	svmsim_mm_put(b->smm);
	svmsim_bond_put(b);
}

static int svmsim_bind_check(const struct svmsim_bind *a, u32 model)
{
	if (a->model >= SVMSIM_MODEL_NR || a->fill >= SVMSIM_FILL_NR ||
	    (a->flags & ~SVMSIM_BIND_FLAGS) || a->pad ||
	    !svmsim_reserved_zero(a->reserved, ARRAY_SIZE(a->reserved)))
		return -EINVAL;
	if ((a->flags & SVMSIM_BIND_FANOUT) && model == SVMSIM_MODEL_PINNED)
		return -EINVAL;
	if (a->flags & SVMSIM_BIND_PID) {
		/* Pins are charged to the caller's RLIMIT_MEMLOCK: not for another mm. */
		if (a->pid <= 0 || model == SVMSIM_MODEL_PINNED)
			return -EINVAL;
		/*
		 * The sanitizer walks another mm's page tables locklessly
		 * (sanitize.c), safe only where they are freed after RCU or
		 * an IPI to every CPU (Debian's x86 kernels).
		 */
		if (!IS_ENABLED(CONFIG_MMU_GATHER_RCU_TABLE_FREE))
			return -EOPNOTSUPP;
	} else if (a->pid) {
		return -EINVAL;
	}
	if (model != SVMSIM_MODEL_PINNED)
		return a->pin_addr || a->pin_len ? -EINVAL : 0;
	if (!PAGE_ALIGNED(a->pin_addr) || !PAGE_ALIGNED(a->pin_len) ||
	    a->pin_addr >= TASK_SIZE_MAX || a->pin_len > TASK_SIZE_MAX - a->pin_addr)
		return -EINVAL;
	/* Early refusal; each pin is charged as it is made (fill.c). */
	if ((a->pin_len >> PAGE_SHIFT) > (rlimit(RLIMIT_MEMLOCK) >> PAGE_SHIFT) &&
	    !capable(CAP_IPC_LOCK))
		return -ENOMEM;
	return 0;
}

/* Does the caller trace @t (ptrace), or share its mm? */
static bool svmsim_may_bind(struct task_struct *t)
{
	struct task_struct *tracer;
	bool ok;

	if (READ_ONCE(t->mm) == current->mm)
		return true;
	rcu_read_lock();
	tracer = ptrace_parent(t);
	ok = tracer && same_thread_group(tracer, current);
	rcu_read_unlock();
	return ok;
}

/*
 * The mm a BIND is for, with mm_users held (mmput() it): the caller's, or
 * with SVMSIM_BIND_PID that of task @pid, if the caller traces it.  Being
 * the tracer stands for ptrace_may_access(PTRACE_MODE_ATTACH_REALCREDS),
 * which the kernel checked when the trace began and which modules cannot
 * call (see the UAPI).  -ESRCH or -EPERM.
 */
static struct mm_struct *svmsim_bind_mm(const struct svmsim_bind *a)
{
	struct task_struct *t;
	struct mm_struct *mm;

	if (!(a->flags & SVMSIM_BIND_PID)) {
		mmget(current->mm);
		return current->mm;
	}
	rcu_read_lock();
	t = pid_task(find_vpid(a->pid), PIDTYPE_PID);
	if (t)
		get_task_struct(t);
	rcu_read_unlock();
	if (!t)
		return ERR_PTR(-ESRCH);
	/*
	 * The mm first: an exited task (a zombie its tracer already waited
	 * for, so traced no more) is ESRCH, not EPERM.
	 */
	mm = get_task_mm(t);	/* NULL for an exited task or a kernel thread */
	if (mm && !svmsim_may_bind(t)) {
		mmput(mm);
		mm = ERR_PTR(-EPERM);
	}
	put_task_struct(t);
	return mm ? mm : ERR_PTR(-ESRCH);
}

/* Every bond counts in dev->nbonds from here until its free. */
static struct svmsim_bond *svmsim_bond_alloc(struct svmsim_file *f, struct mm_struct *mm,
					     u32 model, u32 fill, u32 flags)
{
	struct svmsim_dev *dev = f->dev;
	struct svmsim_bond *b;

	b = svmsim_alloc_fails() ? NULL : kzalloc(sizeof(*b), GFP_KERNEL_ACCOUNT);
	if (!b)
		return NULL;
	svmsim_obj_add(SVMSIM_OBJ_BOND, 1);
	if (svmsim_counters_init(&b->stats)) {
		kfree(b);
		svmsim_obj_add(SVMSIM_OBJ_BOND, -1);
		return NULL;
	}
	kref_init(&b->ref);
	INIT_WORK(&b->free_work, svmsim_bond_free_work);
	INIT_WORK(&b->reclaim_work, svmsim_bond_reclaim_work);
	svmsim_bond_reap_init(b, f);
	svmsim_san_bind(b, flags);
	init_waitqueue_head(&b->fill_wq);
	spin_lock_init(&b->observer.lock);
	atomic_set(&b->inj.calls, 0);
	b->dev = dev;
	b->model = model;
	b->fill = model == SVMSIM_MODEL_PINNED ? SVMSIM_FILL_REF : fill;
	b->flags = flags;
	b->mm = mm;
	mmgrab(b->mm);
	b->owner = current->mm;
	mmgrab(b->owner);
	mutex_lock(&dev->lock);
	dev->nbonds++;
	mutex_unlock(&dev->lock);
	return b;
}

/* Give @b its TLB space and link it into its device, unless the mm is
 * bound there already.  -EBUSY or -ENOMEM. */
static int svmsim_bond_attach(struct svmsim_bond *b)
{
	struct svmsim_dev *dev = b->dev;
	struct svmsim_bond *o;

	mutex_lock(&dev->lock);
	list_for_each_entry(o, &dev->bonds, dev_link) {
		if (o->mm == b->mm) {
			mutex_unlock(&dev->lock);
			return -EBUSY;
		}
	}
	if (svmsim_alloc_fails() || svm_tlb_space_init(&dev->tlb, &b->space, b->pasid)) {
		mutex_unlock(&dev->lock);
		return -ENOMEM;
	}
	list_add(&b->dev_link, &dev->bonds);
	mutex_unlock(&dev->lock);
	return 0;
}

static struct svmsim_bond *svmsim_file_find(struct svmsim_file *f, u32 pasid)
{
	struct svmsim_bond *b;

	list_for_each_entry(b, &f->bonds, file_link) {
		if (b->pasid == pasid)
			return b;
	}
	return NULL;
}

/*
 * Unbind @pasid of @f.  Only the mm that bound it may -- or anyone, once
 * that mm has exited (its bond is dead and guards nothing; once reaped,
 * unbinding drops its record).
 */
static int svmsim_unbind_pasid(struct svmsim_file *f, u32 pasid)
{
	struct svmsim_bond *b;

	mutex_lock(&f->lock);
	b = svmsim_file_find(f, pasid);
	if (!b) {
		mutex_unlock(&f->lock);
		return svmsim_record_drop(f, pasid) ? 0 : -EINVAL;
	}
	if (b->owner != current->mm && !READ_ONCE(b->dead)) {
		mutex_unlock(&f->lock);
		return -EPERM;
	}
	list_del_init(&b->file_link);
	mutex_unlock(&f->lock);
	svmsim_count(b, SVMSIM_STAT_UNBINDS, 1);
	svmsim_bond_teardown(b);
	return 0;
}

/*
 * Bind @mm (mm_users held by the caller across the call: the notifiers
 * register on a live mm, and the mm cannot exit -- so ->release cannot
 * reap the bond -- before it is on f->bonds).  On error nothing is left.
 */
static int svmsim_bind_mm_to(struct svmsim_file *f, struct svmsim_bind *a,
			     struct mm_struct *mm, u32 model, u32 fill)
{
	struct svmsim_bond *b;
	struct svmsim_mm *smm;
	int ret;

	b = svmsim_bond_alloc(f, mm, model, fill, a->flags);
	if (!b)
		return -ENOMEM;
	smm = svmsim_mm_get(mm);
	if (IS_ERR(smm)) {
		svmsim_bond_put(b);
		return PTR_ERR(smm);
	}
	b->smm = smm;
	b->pasid = smm->pasid;

	ret = svmsim_bond_attach(b);
	if (ret) {
		svmsim_mm_put(smm);
		svmsim_bond_put(b);
		return ret;
	}
	/*
	 * Both take mmap_lock, which ranks above f->lock (->mmap holds it
	 * while taking f->lock): not under f->lock.  Until the bond is on
	 * f->bonds, no other ioctl of @f can find it.
	 */
	ret = svmsim_notifier_register(b);
	if (!ret && a->pin_len)
		ret = svmsim_pin_range(b, a->pin_addr, a->pin_len);
	if (ret) {
		svmsim_bond_teardown(b);
		return ret;
	}
	mutex_lock(&f->lock);
	list_add(&b->file_link, &f->bonds);
	mutex_unlock(&f->lock);
	svmsim_count(b, SVMSIM_STAT_BINDS, 1);
	a->pasid = b->pasid;
	return 0;
}

/**
 * svmsim_ioctl_bind() - SVMSIM_IOC_BIND
 * @f: the file.
 * @arg: struct svmsim_bind.
 *
 * Return: 0 or a documented errno; on error nothing is left bound.
 */
long svmsim_ioctl_bind(struct svmsim_file *f, void __user *arg)
{
	struct svmsim_dev *dev = f->dev;
	struct mm_struct *mm;
	struct svmsim_bind a;
	u32 model, fill;
	int ret;

	if (copy_from_user(&a, arg, sizeof(a)))
		return -EFAULT;
	if (!current->mm)
		return -ESRCH;
	model = a.model ? a.model : READ_ONCE(dev->cfg.default_model);
	fill = a.fill ? a.fill : READ_ONCE(dev->cfg.default_fill);
	ret = svmsim_bind_check(&a, model);
	if (ret)
		return ret;
	mm = svmsim_bind_mm(&a);
	if (IS_ERR(mm))
		return PTR_ERR(mm);
	ret = svmsim_bind_mm_to(f, &a, mm, model, fill);
	/* Last, with no lock held: if @mm exited meanwhile, ->release runs here. */
	mmput(mm);
	if (ret)
		return ret;
	if (copy_to_user(arg, &a, sizeof(a))) {
		svmsim_unbind_pasid(f, a.pasid);
		return -EFAULT;
	}
	return 0;
}

/**
 * svmsim_ioctl_unbind() - SVMSIM_IOC_UNBIND
 * @f: the file.
 * @arg: struct svmsim_unbind.
 *
 * Return: 0 or a documented errno.
 */
long svmsim_ioctl_unbind(struct svmsim_file *f, void __user *arg)
{
	struct svmsim_unbind u;

	if (copy_from_user(&u, arg, sizeof(u)))
		return -EFAULT;
	if (u.flags || !svmsim_reserved_zero(u.reserved, ARRAY_SIZE(u.reserved)))
		return -EINVAL;
	return svmsim_unbind_pasid(f, u.pasid);
}

/**
 * svmsim_file_unbind_all() - close(): unbind everything bound through @f
 * @f: the file, being released (no ioctl can run on it any more).
 */
void svmsim_file_unbind_all(struct svmsim_file *f)
{
	struct svmsim_bond *b;

	/* A reap may take a bond off the list meanwhile: one at a time. */
	mutex_lock(&f->lock);
	while (!list_empty(&f->bonds)) {
		b = list_first_entry(&f->bonds, struct svmsim_bond, file_link);
		list_del_init(&b->file_link);
		mutex_unlock(&f->lock);
		svmsim_count(b, SVMSIM_STAT_UNBINDS, 1);
		svmsim_bond_teardown(b);
		mutex_lock(&f->lock);
	}
	mutex_unlock(&f->lock);
}

/**
 * svmsim_bond_lookup() - the caller's bond of @pasid on @f, referenced
 * @f: the file.
 * @pasid: a PASID bound through @f.
 *
 * Return: the bond (svmsim_bond_put() it), or ERR_PTR: -EINVAL not bound
 * through @f, -ESRCH released, reaped or being unbound, -EPERM bound by
 * another mm.
 */
struct svmsim_bond *svmsim_bond_lookup(struct svmsim_file *f, u32 pasid)
{
	struct svmsim_bond *b;

	mutex_lock(&f->lock);
	b = svmsim_file_find(f, pasid);
	if (!b)
		b = ERR_PTR(svmsim_file_record(f, pasid) ? -ESRCH : -EINVAL);
	else if (READ_ONCE(b->dead))
		b = ERR_PTR(-ESRCH);
	else if (b->owner != current->mm)
		b = ERR_PTR(-EPERM);
	else
		kref_get(&b->ref);
	mutex_unlock(&f->lock);
	return b;
}

/**
 * svmsim_file_bond_get() - any bond of @f, dead or alive (statistics)
 * @f: the file.
 * @pasid: a PASID bound through @f.
 *
 * Return: the bond referenced, or ERR_PTR(-EINVAL).
 */
struct svmsim_bond *svmsim_file_bond_get(struct svmsim_file *f, u32 pasid)
{
	struct svmsim_bond *b;

	mutex_lock(&f->lock);
	b = svmsim_file_find(f, pasid);
	if (b)
		kref_get(&b->ref);
	mutex_unlock(&f->lock);
	return b ? b : ERR_PTR(-EINVAL);
}
