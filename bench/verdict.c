// SPDX-License-Identifier: GPL-2.0
/*
 * What a cell of svmsim --validate ended as, and a bug over its cells.
 * Pure logic (tests/unit/test_verdict.c).
 */
#include "validate.h"

const char *const voutcome_names[VO_NR] = {
	[VO_CAUGHT]	= "caught",
	[VO_MISSED]	= "MISSED",
	[VO_UNDETECTED]	= "undetected",
	[VO_HARMLESS]	= "harmless",
	[VO_NOT_REACHED] = "not reached",
	[VO_NA]		= "n/a",
	[VO_UNAVAILABLE] = "unavailable",
	[VO_ERROR]	= "ERROR",
	[VO_CLEAN]	= "clean",
	[VO_DIRTY]	= "DIRTY",
};

/* Does the catalogue explain why @b acting unseen on @model is right? */
static bool verdict_harmless(const struct vbug *b, uint32_t model)
{
	return b->harmless && (!b->harmless_models || (b->harmless_models & (1u << model)));
}

/*
 * A detection with the bug never acting (injected 0) blames the correct
 * driver: a false alarm, as bad as a report on "none".
 */
enum voutcome verdict_cell(const struct vrun *r)
{
	bool detected = r->detected_by[0] != 0;

	if (!r->have)
		return r->status == 77 ? VO_UNAVAILABLE : VO_ERROR;
	if (r->b->bug == SVMSIM_BUG_NONE)
		return detected || r->violations || r->san_stale || r->unexpected ?
		       VO_DIRTY : VO_CLEAN;
	if (!r->injected)
		return detected ? VO_DIRTY : VO_NOT_REACHED;
	if (detected)
		return VO_CAUGHT;
	return verdict_harmless(r->b, r->model) ? VO_HARMLESS : VO_MISSED;
}

/* Outcomes in the order a group takes the first it has. */
static const enum voutcome group_order[] = {
	VO_DIRTY, VO_ERROR, VO_CAUGHT, VO_MISSED, VO_HARMLESS, VO_NOT_REACHED, VO_UNAVAILABLE,
	VO_NA, VO_CLEAN, VO_UNDETECTED,
};

/*
 * A bug's outcome for one model and mode, over the cells it ran: a false
 * alarm or an error wins, then a catch, then a miss (it acted somewhere
 * and nothing saw it), then harmless, then not reached.
 */
enum voutcome verdict_group(const struct vrun *runs, unsigned int n)
{
	unsigned int i, k;

	for (k = 0; k < sizeof(group_order) / sizeof(group_order[0]); k++)
		for (i = 0; i < n; i++)
			if (runs[i].outcome == group_order[k])
				return group_order[k];
	return VO_NA;
}

/* Does this outcome fail the validation? */
bool verdict_fails(enum voutcome o)
{
	return o == VO_MISSED || o == VO_DIRTY || o == VO_ERROR;
}
