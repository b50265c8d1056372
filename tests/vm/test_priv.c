// SPDX-License-Identifier: GPL-2.0
/*
 * The privilege model (include/uapi/svmsim.h, "Who may do what"): the
 * nodes are root-only; a read-only fd observes but cannot make the device
 * act (EBADF, EACCES for the window); device-wide settings need
 * CAP_SYS_ADMIN (EPERM); a bond acts only for the mm that bound it.
 * The unprivileged cases run in a child that becomes "nobody" after the
 * node is opened up to everyone (as a udev rule would open it to a group).
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib.h"

#define NOBODY	65534
#define NODE	SVMSIM_DEV_PREFIX "0"

static int open_node(int flags)
{
	int fd = open(NODE, flags | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

/* A read-only fd: observe yes, act no. */
static void test_rdonly(void)
{
	int fd = open_node(O_RDONLY);
	uint64_t *p = map_anon(PG, PROT_READ | PROT_WRITE);
	struct svmsim_version v;
	struct svmsim_config c;
	struct svmsim_stats st;
	struct svmsim_hist h;
	struct svmsim_inject in = { 0 };
	struct svmsim_unbind u = { .pasid = 1 };
	uint32_t pasid = 0;
	void *w;

	if (fd < 0)
		tap_diag("open O_RDONLY: %s", errname(fd));
	tap_ok(!svmsim_version(fd, &v) && !svmsim_get_config(fd, &c) &&
	       !svmsim_stats(fd, 0, false, &st) &&
	       !svmsim_hist(fd, SVMSIM_HIST_FILL, 0, NULL, 0, &h),
	       "read-only fd: VERSION, GET_CONFIG, STATS, HIST work");
	ok_errno(svmsim_bind(fd, 0, 0, 0, &pasid), -EBADF, "read-only fd: BIND");
	ok_errno(svmsim_dma_read(fd, 1, p, p, 8), -EBADF, "read-only fd: DMA");
	ok_errno(svmsim_ioctl(fd, SVMSIM_IOC_UNBIND, &u), -EBADF, "read-only fd: UNBIND");
	ok_errno(svmsim_zap(fd, p, PG, 0), -EBADF, "read-only fd: ZAP");
	ok_errno(svmsim_ioctl(fd, SVMSIM_IOC_INJECT, &in), -EBADF, "read-only fd: INJECT");
	ok_errno(svmsim_set_config(fd, &c), -EBADF, "read-only fd: SET_CONFIG (even as root)");
	w = mmap(NULL, PG, PROT_READ, MAP_SHARED, fd, 0);
	ok_errno(w == MAP_FAILED ? -errno : 0, -EACCES, "read-only fd: mmap of the window");
	if (w != MAP_FAILED)
		munmap(w, PG);
	ok_errno(write(fd, p, 8) < 0 ? -errno : 0, -EBADF, "read-only fd: write() (zap)");
	close(fd);
	munmap(p, PG);
}

/* Child: each failed check exits with its number; 0 = all as expected. */
static int unprivileged_child(void)
{
	uint64_t *p = map_anon(PG, PROT_READ | PROT_WRITE), v = 0;
	struct svmsim_config c;
	struct svmsim_stats st;
	uint32_t pasid;
	int fd;

	if (setgroups(0, NULL) || setgid(NOBODY) || setuid(NOBODY) || !setuid(0))
		return 10;
	fd = open_node(O_RDWR);
	if (fd < 0)
		return 11;
	if (svmsim_get_config(fd, &c))
		return 12;
	if (svmsim_set_config(fd, &c) != -EPERM)
		return 13;
	if (svmsim_stats(fd, 0, true, &st) != -EPERM)
		return 14;
	if (svmsim_bind(fd, opt.model, opt.fill, 0, &pasid))
		return 15;
	*p = 42;
	if (svmsim_dma_read(fd, pasid, p, &v, sizeof(v)) || v != 42)
		return 16;
	if (svmsim_stats(fd, pasid, true, &st))	/* its own bond's: fine */
		return 17;
	if (svmsim_unbind(fd, pasid))
		return 18;
	close(fd);
	return 0;
}

static int run_child(int (*fn)(void))
{
	int status;
	pid_t pid = fork();

	if (pid == 0)
		_exit(fn());
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int denied_child(void)
{
	if (setgroups(0, NULL) || setgid(NOBODY) || setuid(NOBODY))
		return 10;
	return open_node(O_RDWR) == -EACCES ? 0 : 11;
}

static void test_unprivileged(void)
{
	struct stat sb = { 0 };
	int err = stat(NODE, &sb), rc;

	tap_ok(!err && (sb.st_mode & 0777) == 0600 && sb.st_uid == 0,
	       "node is root-only by default (mode %o, uid %u)", sb.st_mode & 0777,
	       (unsigned int)sb.st_uid);
	rc = run_child(denied_child);
	tap_ok(rc == 0, "unprivileged: open of the root-only node fails with EACCES (child %d)", rc);
	if (chmod(NODE, 0666)) {
		tap_skip("unprivileged: chmod of the node failed");
		return;
	}
	rc = run_child(unprivileged_child);
	tap_ok(rc == 0,
	       "unprivileged with access: SET_CONFIG and device STATS reset EPERM; BIND, DMA, own reset, UNBIND work (child %d)",
	       rc);
	chmod(NODE, 0600);
}

/* An inherited fd: the child may observe, not act for the parent's bond. */
static void test_foreign_mm(void)
{
	uint64_t *p = map_anon(PG, PROT_READ | PROT_WRITE);
	struct dev d;
	int status = -1;
	pid_t pid;

	dev_setup(&d);
	*p = 7;
	pid = fork();
	if (pid == 0) {
		uint64_t v;
		struct svmsim_stats st;

		_exit(svmsim_dma_read(d.fd, d.pasid, p, &v, 8) == -EPERM &&
		      svmsim_unbind(d.fd, d.pasid) == -EPERM &&
		      !svmsim_stats(d.fd, d.pasid, false, &st) ? 0 : 1);
	}
	waitpid(pid, &status, 0);
	tap_ok(WIFEXITED(status) && !WEXITSTATUS(status),
	       "fork child with the inherited fd: DMA and UNBIND EPERM, STATS fine");
	dev_close(&d);
	munmap(p, PG);
}

int main(int argc, char **argv)
{
	parse_opts(argc, argv);
	test_rdonly();
	test_unprivileged();
	test_foreign_mm();
	return tap_finish();
}
