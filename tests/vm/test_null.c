// SPDX-License-Identifier: GPL-2.0
/*
 * The null-notifier floor (svmsim_null.ko, include/uapi/svmsim_null.h):
 * each model binds, and munmap, MADV_DONTNEED, mprotect and a COW fault
 * after fork each make its callback count grow; bad arguments give the
 * documented errnos; an mm that exits while bound, and a fd closed in a
 * fork child, are clean (scripts/vm fails on any kernel warning).
 * Skips when /dev/svmsim_null is absent (the module is not loaded:
 * scripts/vm --extra-module build/KVER/svmsim_null.ko).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib.h"
#include "uapi/svmsim_null.h"

static const char *mname(uint32_t model)
{
	return model == SVMSIM_MODEL_SECONDARY ? "secondary" : "range";
}

static int null_open(void)
{
	int fd = open(SVMSIM_NULL_DEV, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		bail("open %s: %s", SVMSIM_NULL_DEV, strerror(errno));
	return fd;
}

/* 0 or -errno. */
static int null_bind(int fd, uint32_t model, uint32_t flags)
{
	struct svmsim_null_bind b = { .model = model, .flags = flags };

	return ioctl(fd, SVMSIM_NULL_IOC_BIND, &b) ? -errno : 0;
}

/* The count, or bail out. */
static uint64_t null_calls(int fd)
{
	struct svmsim_null_count c;

	if (ioctl(fd, SVMSIM_NULL_IOC_COUNT, &c))
		bail("SVMSIM_NULL_IOC_COUNT: %s", strerror(errno));
	return c.calls;
}

/* A page, written so that it is mapped. */
static char *touched_page(void)
{
	char *p = map_anon(PG, PROT_READ | PROT_WRITE);

	memset(p, 1, PG);
	return p;
}

/* Did @what make the count of @fd grow?  (One TAP line.) */
#define GROWS(fd, model, what, stmt) do {					\
		uint64_t before_ = null_calls(fd);				\
		stmt;								\
		uint64_t after_ = null_calls(fd);				\
		tap_ok(after_ > before_, "%s: %s: count %llu -> %llu",		\
		       mname(model), what, (unsigned long long)before_,		\
		       (unsigned long long)after_);				\
	} while (0)

/* A COW fault of the parent while a fork child still maps the page. */
static void cow_after_fork(int fd, uint32_t model)
{
	char *p = touched_page();
	int go[2];
	pid_t pid;
	char c;

	if (pipe(go))
		bail("pipe: %s", strerror(errno));
	pid = fork();
	if (pid < 0)
		bail("fork: %s", strerror(errno));
	if (pid == 0) {
		close(go[1]);
		_exit(read(go[0], &c, 1) < 0);	/* hold the page until told */
	}
	close(go[0]);
	GROWS(fd, model, "COW write after fork", p[0] = 2);
	close(go[1]);
	waitpid(pid, NULL, 0);
	munmap(p, PG);
}

static void one_model(uint32_t model)
{
	int fd = null_open();
	char *p;

	ok_errno(null_bind(fd, model, 0), 0, "%s: bind", mname(model));
	ok_errno(null_bind(fd, model, 0), -EBUSY, "%s: a second bind", mname(model));
	p = touched_page();
	GROWS(fd, model, "MADV_DONTNEED", madvise(p, PG, MADV_DONTNEED));
	memset(p, 1, PG);
	GROWS(fd, model, "mprotect", mprotect(p, PG, PROT_READ));
	GROWS(fd, model, "munmap", munmap(p, PG));
	cow_after_fork(fd, model);
	close(fd);
}

static void bad_args(void)
{
	int fd = null_open();
	struct svmsim_null_count c;

	ok_errno(ioctl(fd, SVMSIM_NULL_IOC_COUNT, &c) ? -errno : 0, -EINVAL,
		 "COUNT on an unbound fd");
	ok_errno(null_bind(fd, 0, 0), -EINVAL, "bind model 0 (default)");
	ok_errno(null_bind(fd, SVMSIM_MODEL_PINNED, 0), -EINVAL, "bind model pinned");
	ok_errno(null_bind(fd, 99, 0), -EINVAL, "bind model 99");
	ok_errno(null_bind(fd, SVMSIM_MODEL_RANGE, 1), -EINVAL, "bind flags 1");
	ok_errno(ioctl(fd, SVMSIM_NULL_IOC_BIND, (void *)8) ? -errno : 0, -EFAULT,
		 "bind with a bad pointer");
	ok_errno(ioctl(fd, _IO(SVMSIM_NULL_IOC_MAGIC, 0x7f)) ? -errno : 0, -ENOTTY,
		 "an unknown ioctl");
	/* None of those bound it: a good bind still works, then COUNT's EFAULT. */
	ok_errno(null_bind(fd, SVMSIM_MODEL_RANGE, 0), 0, "bind after the refused ones");
	ok_errno(ioctl(fd, SVMSIM_NULL_IOC_COUNT, (void *)8) ? -errno : 0, -EFAULT,
		 "COUNT with a bad pointer");
	close(fd);
}

/*
 * A child binds its own mm through the parent's fd and exits: ->release
 * counts, the fd stays usable, and the parent's close frees the notifier
 * of an mm that is gone.
 */
static void exit_while_bound(uint32_t model)
{
	int fd = null_open();
	int st = 0;
	pid_t pid = fork();

	if (pid < 0)
		bail("fork: %s", strerror(errno));
	if (pid == 0) {
		char *p;

		if (null_bind(fd, model, 0))
			_exit(1);
		p = touched_page();
		munmap(p, PG);
		_exit(null_calls(fd) > 0 ? 0 : 2);
	}
	waitpid(pid, &st, 0);
	tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	       "%s: a child binds through the parent's fd, its munmap counts", mname(model));
	tap_ok(null_calls(fd) > 0, "%s: after the bound mm exited, COUNT still works (%llu)",
	       mname(model), (unsigned long long)null_calls(fd));
	ok_errno(null_bind(fd, model, 0), -EBUSY, "%s: the fd stays bound after its mm exited",
		 mname(model));
	tap_ok(close(fd) == 0, "%s: close after the bound mm exited", mname(model));
}

/* The parent binds; a fork child closes its copy and exits; the parent's fd still counts. */
static void close_after_fork(uint32_t model)
{
	int fd = null_open();
	int st = 0;
	pid_t pid;
	char *p;

	if (null_bind(fd, model, 0))
		bail("bind: %s", strerror(errno));
	pid = fork();
	if (pid < 0)
		bail("fork: %s", strerror(errno));
	if (pid == 0)
		_exit(close(fd) ? 1 : 0);
	waitpid(pid, &st, 0);
	tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s: a fork child closes the bound fd",
	       mname(model));
	p = touched_page();
	GROWS(fd, model, "munmap after the child closed its copy", munmap(p, PG));
	close(fd);
}

int main(void)
{
	static const uint32_t models[] = { SVMSIM_MODEL_SECONDARY, SVMSIM_MODEL_RANGE };
	unsigned int i;

	if (access(SVMSIM_NULL_DEV, F_OK))
		return tap_skip_all("%s is absent: svmsim_null.ko is not loaded", SVMSIM_NULL_DEV);
	for (i = 0; i < 2; i++) {
		one_model(models[i]);
		exit_while_bound(models[i]);
		close_after_fork(models[i]);
	}
	bad_args();
	return tap_finish();
}
