/* SPDX-License-Identifier: GPL-2.0 */
/*
 * --pin: thread (or process) slot s runs on CPU s modulo the CPU count.
 * Slots: mutator i and its baseline peer are i; device thread j is
 * threads + j.
 */
#ifndef _SVMBENCH_PIN_H
#define _SVMBENCH_PIN_H

#include <sched.h>
#include <stdbool.h>

/* The CPU of @slot, or -1 when not pinning. */
static inline int pin_cpu(bool pin, unsigned int slot, unsigned int ncpus)
{
	return pin && ncpus ? (int)(slot % ncpus) : -1;
}

/* Pin the calling thread on @cpu (-1: leave it to the scheduler). */
static inline void pin_self(int cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

#endif /* _SVMBENCH_PIN_H */
