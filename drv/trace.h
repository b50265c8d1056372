/* SPDX-License-Identifier: GPL-2.0 */
/*
 * svmsim tracepoints: events/svmsim/ in tracefs.
 *
 *   svmsim_invalidate	every flush a notifier callback made
 *   svmsim_bracket	every invalidation bracket a bond saw begin (the
 *			secondary model's observer, the range model's start)
 *   svmsim_bracket_end	and end
 *   svmsim_fill		every device page request
 *   svmsim_dma		every DMA ioctl
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM svmsim

#if !defined(_SVMSIM_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _SVMSIM_TRACE_H

#include <linux/tracepoint.h>

TRACE_EVENT(svmsim_invalidate,
	TP_PROTO(u32 dev, u32 pasid, unsigned long start, unsigned long last,
		 unsigned int event, unsigned long removed,
		 unsigned long collateral, u64 ns),
	TP_ARGS(dev, pasid, start, last, event, removed, collateral, ns),
	TP_STRUCT__entry(
		__field(u32, dev)
		__field(u32, pasid)
		__field(unsigned long, start)
		__field(unsigned long, last)
		__field(unsigned int, event)
		__field(unsigned long, removed)
		__field(unsigned long, collateral)
		__field(u64, ns)
	),
	TP_fast_assign(
		__entry->dev = dev;
		__entry->pasid = pasid;
		__entry->start = start;
		__entry->last = last;
		__entry->event = event;
		__entry->removed = removed;
		__entry->collateral = collateral;
		__entry->ns = ns;
	),
	TP_printk("dev=%u pasid=%u range=0x%lx-0x%lx event=%u removed=%lu collateral=%lu ns=%llu",
		  __entry->dev, __entry->pasid, __entry->start, __entry->last,
		  __entry->event, __entry->removed, __entry->collateral, __entry->ns)
);

/*
 * The mm began an invalidation bracket (invalidate_range_start) over
 * [start, last]: what really changed, before any flush of it.  With the
 * svmsim_invalidate events that follow, one secondary-model bond shows
 * both what a range-model device would flush (each bracket) and what the
 * secondary callbacks did flush (svmsim-run --record, svmsim-replay).
 */
TRACE_EVENT(svmsim_bracket,
	TP_PROTO(u32 dev, u32 pasid, unsigned long start, unsigned long last,
		 unsigned int event, bool blockable),
	TP_ARGS(dev, pasid, start, last, event, blockable),
	TP_STRUCT__entry(
		__field(u32, dev)
		__field(u32, pasid)
		__field(unsigned long, start)
		__field(unsigned long, last)
		__field(unsigned int, event)
		__field(bool, blockable)
	),
	TP_fast_assign(
		__entry->dev = dev;
		__entry->pasid = pasid;
		__entry->start = start;
		__entry->last = last;
		__entry->event = event;
		__entry->blockable = blockable;
	),
	TP_printk("dev=%u pasid=%u range=0x%lx-0x%lx event=%u blockable=%u",
		  __entry->dev, __entry->pasid, __entry->start, __entry->last,
		  __entry->event, __entry->blockable)
);

/*
 * The bracket over [start, last] ended (invalidate_range_end): the
 * secondary model's flushes until then may still be for it.
 */
TRACE_EVENT(svmsim_bracket_end,
	TP_PROTO(u32 dev, u32 pasid, unsigned long start, unsigned long last),
	TP_ARGS(dev, pasid, start, last),
	TP_STRUCT__entry(
		__field(u32, dev)
		__field(u32, pasid)
		__field(unsigned long, start)
		__field(unsigned long, last)
	),
	TP_fast_assign(
		__entry->dev = dev;
		__entry->pasid = pasid;
		__entry->start = start;
		__entry->last = last;
	),
	TP_printk("dev=%u pasid=%u range=0x%lx-0x%lx",
		  __entry->dev, __entry->pasid, __entry->start, __entry->last)
);

TRACE_EVENT(svmsim_fill,
	TP_PROTO(u32 dev, u32 pasid, unsigned long va, unsigned long pfn,
		 unsigned int shift, unsigned int retries, int ret),
	TP_ARGS(dev, pasid, va, pfn, shift, retries, ret),
	TP_STRUCT__entry(
		__field(u32, dev)
		__field(u32, pasid)
		__field(unsigned long, va)
		__field(unsigned long, pfn)
		__field(unsigned int, shift)
		__field(unsigned int, retries)
		__field(int, ret)
	),
	TP_fast_assign(
		__entry->dev = dev;
		__entry->pasid = pasid;
		__entry->va = va;
		__entry->pfn = pfn;
		__entry->shift = shift;
		__entry->retries = retries;
		__entry->ret = ret;
	),
	TP_printk("dev=%u pasid=%u va=0x%lx pfn=0x%lx shift=%u retries=%u ret=%d",
		  __entry->dev, __entry->pasid, __entry->va, __entry->pfn,
		  __entry->shift, __entry->retries, __entry->ret)
);

TRACE_EVENT(svmsim_san_stale,
	TP_PROTO(u32 dev, u32 pasid, unsigned long va, unsigned long cached_pfn,
		 unsigned long current_pfn, bool write),
	TP_ARGS(dev, pasid, va, cached_pfn, current_pfn, write),
	TP_STRUCT__entry(
		__field(u32, dev)
		__field(u32, pasid)
		__field(unsigned long, va)
		__field(unsigned long, cached_pfn)
		__field(unsigned long, current_pfn)
		__field(bool, write)
	),
	TP_fast_assign(
		__entry->dev = dev;
		__entry->pasid = pasid;
		__entry->va = va;
		__entry->cached_pfn = cached_pfn;
		__entry->current_pfn = current_pfn;
		__entry->write = write;
	),
	TP_printk("dev=%u pasid=%u va=%#lx %s cached_pfn=%#lx current_pfn=%#lx",
		  __entry->dev, __entry->pasid, __entry->va,
		  __entry->write ? "write" : "read", __entry->cached_pfn,
		  __entry->current_pfn)
);

TRACE_EVENT(svmsim_dma,
	TP_PROTO(u32 dev, u32 pasid, u32 op, u64 addr, u64 len, u64 done, int ret),
	TP_ARGS(dev, pasid, op, addr, len, done, ret),
	TP_STRUCT__entry(
		__field(u32, dev)
		__field(u32, pasid)
		__field(u32, op)
		__field(u64, addr)
		__field(u64, len)
		__field(u64, done)
		__field(int, ret)
	),
	TP_fast_assign(
		__entry->dev = dev;
		__entry->pasid = pasid;
		__entry->op = op;
		__entry->addr = addr;
		__entry->len = len;
		__entry->done = done;
		__entry->ret = ret;
	),
	TP_printk("dev=%u pasid=%u op=%u addr=0x%llx len=%llu done=%llu ret=%d",
		  __entry->dev, __entry->pasid, __entry->op, __entry->addr,
		  __entry->len, __entry->done, __entry->ret)
);

#endif /* _SVMSIM_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
