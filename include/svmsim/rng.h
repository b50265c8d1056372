/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xorshift64*: a small per-thread generator for svmbench and the tests,
 * seeded so that a run's random choices are reproducible.
 */
#ifndef _SVMSIM_RNG_H
#define _SVMSIM_RNG_H

#ifdef __KERNEL__
#include <linux/types.h>	/* uint64_t; the module's per-device stream */
#else
#include <stdint.h>
#endif

static inline uint64_t rng_next(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545F4914F6CDD1Dull;
}

static inline uint64_t rng_below(uint64_t *s, uint64_t n)
{
	return n ? rng_next(s) % n : 0;
}

/* A distinct, never-zero state for stream @stream of seed @seed (splitmix64). */
static inline uint64_t rng_seed(uint64_t seed, uint64_t stream)
{
	uint64_t z = seed + (stream + 1) * 0x9E3779B97F4A7C15ull;

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	z ^= z >> 31;
	return z ? z : 1;
}

#endif /* _SVMSIM_RNG_H */
