// SPDX-License-Identifier: GPL-2.0
/*
 * svmsim-run: PROGRAM under ptrace, each of its address spaces bound.
 *
 * Why ptrace: it sees every new address space before it runs a single
 * instruction -- a fork child stops before its first user instruction
 * (PTRACE_O_TRACEFORK/VFORK/CLONE), an exec stops before the new image
 * starts (PTRACE_O_TRACEEXEC) -- it needs nothing inside PROGRAM (static
 * binaries work, unlike with a preloaded library), and being the tracer
 * is what lets the driver bind another process's mm (SVMSIM_BIND_PID).
 * The cost: no second tracer (gdb, strace) and no setuid privileges.
 *
 * Tasks map to address spaces by kcmp(KCMP_VM): a thread or a vfork
 * child shares its parent's; a fork child or an exec gets a new one,
 * bound at once (the task is stopped).  An address space is retired when
 * its last known task exits or execs: its counters are read (the bond's
 * record once the mm's ->release ran) and it is unbound.
 *
 * Each address space is bound through an fd of its own.  A bond whose mm
 * exited is reaped and its PASID given back at once, while the fd keeps
 * a record under that PASID; through one shared fd, a new bond given the
 * same PASID would hide the record (STATS and UNBIND take the live bond
 * first), and retiring the old address space would unbind the new one.
 */
#include <errno.h>
#include <linux/kcmp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "run.h"
#include "svmsim/dev.h"

/* One task of PROGRAM. */
struct run_task {
	struct run_task *next;
	pid_t tid;
	struct run_mm *mm;	/* NULL before the first exec (svmsim-run's copy) */
	bool new_stop;		/* its first stop, a SIGSTOP, is ours to eat */
};

static struct run_task *tasks;
static unsigned int ntasks;

static struct run_task *task_find(pid_t tid)
{
	struct run_task *t;

	for (t = tasks; t; t = t->next)
		if (t->tid == tid)
			return t;
	return NULL;
}

static struct run_task *task_add(pid_t tid, struct run_mm *m)
{
	struct run_task *t = calloc(1, sizeof(*t));

	if (!t) {
		run_warn("out of memory");
		exit(RUN_EXIT_ERROR);
	}
	t->tid = tid;
	t->mm = m;
	t->next = tasks;
	tasks = t;
	ntasks++;
	if (m)
		m->ntasks++;
	return t;
}

/* 1: same address space, 0: not, -1: cannot tell. */
static int same_vm(pid_t a, pid_t b)
{
	long r = syscall(SYS_kcmp, a, b, KCMP_VM, 0, 0);

	return r < 0 ? -1 : r == 0;
}

/* @t no longer uses @m: retire @m with its last task. */
static void mm_leave(struct run_state *s, struct run_mm *m, pid_t tid)
{
	struct run_task *o;

	if (!m)
		return;
	if (--m->ntasks) {
		if (m->rep == tid)
			for (o = tasks; o; o = o->next)
				if (o->mm == m && o->tid != tid) {
					m->rep = o->tid;
					break;
				}
		return;
	}
	run_mm_retire(s, m);
}

static void task_drop(struct run_state *s, struct run_task *t)
{
	struct run_task **pp;

	for (pp = &tasks; *pp; pp = &(*pp)->next)
		if (*pp == t) {
			*pp = t->next;
			break;
		}
	ntasks--;
	mm_leave(s, t->mm, t->tid);
	free(t);
}

/* Its program and arguments, from /proc (the new image's after an exec). */
static void read_cmd(pid_t tid, char *buf, size_t len)
{
	char path[64];
	ssize_t n, i;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)tid);
	f = fopen(path, "re");
	n = f ? (ssize_t)fread(buf, 1, len - 1, f) : 0;
	if (f)
		fclose(f);
	if (n <= 0) {
		snprintf(path, sizeof(path), "/proc/%d/comm", (int)tid);
		f = fopen(path, "re");
		n = f && fgets(buf, (int)len, f) ? (ssize_t)strcspn(buf, "\n") : 0;
		if (f)
			fclose(f);
	}
	buf[n > 0 ? n : 0] = 0;
	for (i = 0; i < n - 1; i++)
		if (!buf[i])
			buf[i] = ' ';
	while (n > 0 && (buf[n - 1] == ' ' || !buf[n - 1]))
		buf[--n] = 0;
}

/* Bind the mm of stopped task @tid: a new struct run_mm, bound or not. */
static struct run_mm *mm_bind(struct run_state *s, pid_t tid)
{
	struct svmsim_bind b;
	struct run_mm *m = calloc(1, sizeof(*m));
	int ret;

	if (!m) {
		run_warn("out of memory");
		exit(RUN_EXIT_ERROR);
	}
	pthread_mutex_init(&m->maps_lock, NULL);
	m->pid = m->rep = tid;
	read_cmd(tid, m->cmd, sizeof(m->cmd));
	m->fd = svmsim_open(s->o.device);
	if (m->fd < 0) {
		m->bind_err = m->fd;
		run_warn("pid %d (%s): open: %s", (int)tid, m->cmd, strerror(-m->fd));
		goto add;
	}
	memset(&b, 0, sizeof(b));
	b.model = s->o.model;
	b.fill = s->o.fill;
	b.flags = SVMSIM_BIND_PID | (s->o.sanitize ? SVMSIM_BIND_SANITIZE : 0) |
		  (s->o.no_huge ? SVMSIM_BIND_NO_HUGE : 0);
	b.pid = tid;
	m->t_bind = run_now_ns();
	ret = svmsim_ioctl(m->fd, SVMSIM_IOC_BIND, &b);
	if (ret) {
		m->bind_err = ret;
		/* ESRCH: it exited (killed) before we saw it run; nothing to bind. */
		if (ret != -ESRCH)
			run_warn("pid %d (%s): bind: %s", (int)tid, m->cmd, strerror(-ret));
		close(m->fd);
		m->fd = -1;
	} else {
		m->pasid = b.pasid;
		m->bound = true;
	}
	if (m->bound && s->o.inject_bug >= 0) {
		ret = svmsim_inject(m->fd, m->pasid, (uint32_t)s->o.inject_bug,
				    s->o.inject_param, 0);
		if (ret)
			run_warn("pid %d: inject: %s", (int)tid, strerror(-ret));
	}
add:
	pthread_rwlock_wrlock(&s->lock);
	m->id = ++s->nmms;
	m->live = true;
	m->next = s->mms;
	s->mms = m;
	s->nlive++;
	pthread_rwlock_unlock(&s->lock);
	return m;
}

/*
 * The address space of task @tid, new to us: @hint's (its parent) if
 * they share it, else any live one it shares, else a new one, bound.
 */
static struct run_mm *mm_for(struct run_state *s, pid_t tid, struct run_task *hint)
{
	struct run_mm *m;

	if (hint && hint->mm && same_vm(tid, hint->tid) == 1)
		return hint->mm;
	for (m = s->mms; m; m = m->next)
		if (m->live && m->ntasks && same_vm(tid, m->rep) == 1)
			return m;
	return mm_bind(s, tid);
}

/**
 * run_mm_retire() - the last task of @m exited or exec'd: unbind it
 * @s: the state.
 * @m: the address space; its counters are kept in @m->st.
 */
void run_mm_retire(struct run_state *s, struct run_mm *m)
{
	struct svmsim_stats st;
	int i, ret = -1;

	pthread_rwlock_wrlock(&s->lock);
	m->live = false;
	s->nlive--;
	pthread_rwlock_unlock(&s->lock);
	m->t_end = run_now_ns();
	if (!m->bound)
		return;
	/*
	 * The mm's ->release (its last mmput) may still be running on
	 * another CPU, or on a reader of /proc/PID/maps: give it 0.2 s so
	 * that its whole-address-space flush is in the counters.
	 */
	for (i = 0; i < 40; i++) {
		ret = svmsim_stats(m->fd, m->pasid, false, &st);
		if (ret || st.counters[SVMSIM_STAT_RELEASES])
			break;
		usleep(5000);
	}
	if (!ret) {
		m->st = st;
		m->have_stats = true;
	}
	/* The bond, or its record, goes with the fd. */
	close(m->fd);
	m->fd = -1;
}

static void resume(pid_t tid, int sig)
{
	if (ptrace(PTRACE_CONT, tid, 0, (void *)(long)sig) && errno != ESRCH)
		run_warn("PTRACE_CONT %d: %s", (int)tid, strerror(errno));
}

/* A new task (fork, vfork, clone) reported by its parent @t. */
static void on_new_task(struct run_state *s, struct run_task *t)
{
	unsigned long msg = 0;
	struct run_task *n;
	pid_t tid;

	if (ptrace(PTRACE_GETEVENTMSG, t->tid, 0, &msg))
		return;
	tid = (pid_t)msg;
	if (task_find(tid))
		return;		/* its own first stop came first */
	n = task_add(tid, NULL);
	n->new_stop = true;
	n->mm = mm_for(s, tid, t);
	n->mm->ntasks++;
}

/* @t exec'd: a new address space; the old one loses a task. */
static void on_exec(struct run_state *s, struct run_task *t)
{
	unsigned long msg = 0;
	struct run_task *former;
	struct run_mm *old;

	/* A non-leader thread that exec'd took over the leader's TID. */
	if (!ptrace(PTRACE_GETEVENTMSG, t->tid, 0, &msg) && (pid_t)msg != t->tid) {
		former = task_find((pid_t)msg);
		if (former)
			task_drop(s, former);
	}
	/* The old mm went in the exec (unless a vfork parent still uses it). */
	old = t->mm;
	t->mm = NULL;
	mm_leave(s, old, t->tid);
	t->mm = mm_bind(s, t->tid);
	t->mm->ntasks++;
}

/* A stop that is no event of ours: pass its signal on, or resume. */
static void on_signal(struct run_task *t, int sig)
{
	siginfo_t si;

	if (sig == SIGSTOP && t->new_stop) {
		t->new_stop = false;
		resume(t->tid, 0);
		return;
	}
	/* A group stop (job control) has no siginfo: resume it. */
	if ((sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU) &&
	    ptrace(PTRACE_GETSIGINFO, t->tid, 0, &si) && errno == EINVAL) {
		resume(t->tid, 0);
		return;
	}
	resume(t->tid, sig);
}

/* Start PROGRAM stopped, traced; its exec is the first event. */
static pid_t start(struct run_state *s)
{
	int st;
	pid_t pid = fork();

	if (pid < 0) {
		run_warn("fork: %s", strerror(errno));
		return -1;
	}
	if (!pid) {
		signal(SIGINT, SIG_DFL);
		signal(SIGQUIT, SIG_DFL);
		close(s->fd);
		if (ptrace(PTRACE_TRACEME, 0, 0, 0)) {
			run_warn("PTRACE_TRACEME: %s (traced already?)", strerror(errno));
			_exit(RUN_EXIT_ERROR);
		}
		raise(SIGSTOP);
		execvp(s->o.argv[0], s->o.argv);
		run_warn("%s: %s", s->o.argv[0], strerror(errno));
		_exit(RUN_EXIT_EXEC);
	}
	if (waitpid(pid, &st, 0) != pid || !WIFSTOPPED(st)) {
		run_warn("PROGRAM did not stop for tracing");
		return -1;
	}
	if (ptrace(PTRACE_SETOPTIONS, pid, 0,
		   (void *)(long)(PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE |
				  PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL))) {
		run_warn("PTRACE_SETOPTIONS: %s", strerror(errno));
		kill(pid, SIGKILL);
		return -1;
	}
	return pid;
}

/**
 * run_trace() - run PROGRAM to the end of its last task
 * @s: the state; s->status gets PROGRAM's first process's wait status.
 *
 * Return: 0, or -1 if PROGRAM could not be started under ptrace.
 */
int run_trace(struct run_state *s)
{
	struct run_task *t;
	struct rlimit rl;
	int st, sig, ev;
	pid_t w;

	s->child = start(s);
	if (s->child < 0)
		return -1;
	/* An fd per live address space; PROGRAM keeps its own limit. */
	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	task_add(s->child, NULL);
	resume(s->child, 0);
	while (ntasks) {
		w = waitpid(-1, &st, __WALL);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		t = task_find(w);
		if (WIFEXITED(st) || WIFSIGNALED(st)) {
			if (w == s->child) {
				s->status = st;
				s->child_done = true;
			}
			if (t)
				task_drop(s, t);
			continue;
		}
		if (!WIFSTOPPED(st))
			continue;
		if (!t) {	/* a new task stopped before its parent's event */
			t = task_add(w, NULL);
			t->new_stop = true;
			t->mm = mm_for(s, w, NULL);
			t->mm->ntasks++;
		}
		sig = WSTOPSIG(st);
		ev = (st >> 16) & 0xff;
		if (sig == SIGTRAP && (ev == PTRACE_EVENT_FORK || ev == PTRACE_EVENT_VFORK ||
				       ev == PTRACE_EVENT_CLONE)) {
			on_new_task(s, t);
			resume(w, 0);
		} else if (sig == SIGTRAP && ev == PTRACE_EVENT_EXEC) {
			on_exec(s, t);
			resume(w, 0);
		} else {
			on_signal(t, sig);
		}
	}
	/* Anything left (ECHILD with tasks we lost track of): retire it. */
	while (tasks)
		task_drop(s, tasks);
	if (!s->child_done)
		s->status = 0;
	return 0;
}
