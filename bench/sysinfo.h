/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a result row says about the machine it was measured on, and what
 * the workloads need to know of it (NUMA nodes, THP).
 */
#ifndef _SVMBENCH_SYSINFO_H
#define _SVMBENCH_SYSINFO_H

#include <stdbool.h>

struct sysinfo {
	char kernel[65];	/* uname -r */
	char cpu_model[128];	/* /proc/cpuinfo "model name" */
	unsigned int vcpus;	/* CPUs online */
	char accel[32];		/* $SVMSIM_ACCEL, else "host" */
	char git_rev[64];	/* $SVMSIM_GIT_REV, else "unknown" */
	char timestamp[32];	/* UTC, ISO 8601, at startup */
	unsigned int nnodes;	/* NUMA nodes online */
	int nodes[2];		/* the first two of them */
	bool thp;		/* transparent huge pages are not "never" */
	int numa_balancing;	/* kernel.numa_balancing (it moves pages and PTEs
				 * under the workloads), or -1 if absent */
	unsigned int entry_bytes;	/* svmsim: memory per TLB entry, 0 unknown */
	unsigned int bond_bytes;	/* svmsim: memory per bond besides its entries */
};

void sysinfo_read(struct sysinfo *si);

#endif /* _SVMBENCH_SYSINFO_H */
