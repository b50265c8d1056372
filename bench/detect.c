// SPDX-License-Identifier: GPL-2.0
/*
 * The first detection of a stale translation: see detect.h.
 */
#include "backend.h"
#include "checker.h"
#include "detect.h"
#include "svmsim/dev.h"

/**
 * detect_poll() - has the checker or the sanitizer caught anything yet?
 * @d: the state; its first detection is kept.
 * @dev: the bound device.
 * @ck: the checker.
 * @elapsed_ns: time since the measured interval began.
 * @ops: bound operations done.
 *
 * Return: whether anything was detected, now or before.
 */
bool detect_poll(struct detect *d, const struct devbind *dev, struct checker *ck,
		 uint64_t elapsed_ns, uint64_t ops)
{
	bool stats = backend_can(dev->be, BE_STATS);
	struct svmsim_stats st = { 0 };
	bool by_checker, by_sanitizer;

	if (d->detected)
		return true;
	if (stats && svmsim_stats(dev->fd, dev->pasid, false, &st))
		return false;
	by_checker = checker_violations(ck) > 0;
	by_sanitizer = st.counters[SVMSIM_STAT_SAN_STALE] > 0;
	if (!by_checker && !by_sanitizer)
		return false;
	*d = (struct detect){
		.on = d->on, .detected = true, .by_checker = by_checker,
		.by_sanitizer = by_sanitizer, .ns = elapsed_ns, .ops = ops,
		.dev_ops = st.counters[SVMSIM_STAT_DMA_OPS], .dev_ops_known = stats,
	};
	return true;
}

/* "checker", "sanitizer", "both", or "" when nothing was detected. */
const char *detect_by(const struct detect *d)
{
	if (!d->detected)
		return "";
	if (d->by_checker && d->by_sanitizer)
		return "both";
	return d->by_checker ? "checker" : "sanitizer";
}
