// SPDX-License-Identifier: GPL-2.0
/*
 * Machine facts for the report and the workloads.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "sysinfo.h"
#include "uapi/svmsim.h"

static void copy_str(char *dst, size_t n, const char *src)
{
	snprintf(dst, n, "%s", src);
}

static void env_or(char *dst, size_t n, const char *var, const char *fallback)
{
	const char *v = getenv(var);

	copy_str(dst, n, v && *v ? v : fallback);
}

static void read_cpu_model(struct sysinfo *si)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[256], *colon;

	copy_str(si->cpu_model, sizeof(si->cpu_model), "unknown");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "model name", 10) || !(colon = strchr(line, ':')))
			continue;
		colon += strspn(colon + 1, " \t") + 1;
		colon[strcspn(colon, "\n")] = 0;
		copy_str(si->cpu_model, sizeof(si->cpu_model), colon);
		break;
	}
	fclose(f);
}

/* /sys/devices/system/node/online: a list like "0-1" or "0,2-3"; none: node 0. */
static void read_nodes(struct sysinfo *si)
{
	FILE *f = fopen("/sys/devices/system/node/online", "r");
	char buf[256] = "0", *p = buf, *end;
	long a, b;

	if (f) {
		if (!fgets(buf, sizeof(buf), f))
			snprintf(buf, sizeof(buf), "0");
		fclose(f);
	}
	si->nnodes = 0;
	while (*p >= '0' && *p <= '9') {
		a = b = strtol(p, &end, 10);
		if (*end == '-')
			b = strtol(end + 1, &end, 10);
		for (; a <= b; a++) {
			if (si->nnodes < 2)
				si->nodes[si->nnodes] = (int)a;
			si->nnodes++;
		}
		p = *end == ',' ? end + 1 : end;
	}
}

static void read_thp(struct sysinfo *si)
{
	FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
	char buf[128] = "";

	si->thp = f && fgets(buf, sizeof(buf), f) && !strstr(buf, "[never]");
	if (f)
		fclose(f);
}

static int read_int(const char *path)
{
	FILE *f = fopen(path, "r");
	int v = -1;

	if (f && fscanf(f, "%d", &v) != 1)
		v = -1;
	if (f)
		fclose(f);
	return v;
}

/*
 * What the svmsim module says its entries and bonds take (the same for
 * every device); stays 0 without the module, or from one older than the
 * fields.  O_RDONLY: SVMSIM_IOC_VERSION needs no more.
 */
static void read_svmsim_sizes(struct sysinfo *si)
{
	int fd = open(SVMSIM_DEV_PREFIX "0", O_RDONLY | O_CLOEXEC);
	struct svmsim_version v = { 0 };

	if (fd < 0)
		return;
	if (!ioctl(fd, SVMSIM_IOC_VERSION, &v) && v.abi_version == SVMSIM_ABI_VERSION) {
		si->entry_bytes = v.entry_bytes;
		si->bond_bytes = v.bond_bytes;
	}
	close(fd);
}

void sysinfo_read(struct sysinfo *si)
{
	struct utsname u;
	time_t t = time(NULL);
	struct tm tm;

	memset(si, 0, sizeof(*si));
	copy_str(si->kernel, sizeof(si->kernel), uname(&u) ? "unknown" : u.release);
	read_cpu_model(si);
	si->vcpus = (unsigned int)sysconf(_SC_NPROCESSORS_ONLN);
	env_or(si->accel, sizeof(si->accel), "SVMSIM_ACCEL", "host");
	env_or(si->git_rev, sizeof(si->git_rev), "SVMSIM_GIT_REV", "unknown");
	strftime(si->timestamp, sizeof(si->timestamp), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
	read_nodes(si);
	read_thp(si);
	si->numa_balancing = read_int("/proc/sys/kernel/numa_balancing");
	read_svmsim_sizes(si);
}
