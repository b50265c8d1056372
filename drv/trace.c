// SPDX-License-Identifier: GPL-2.0
/*
 * svmsim: the tracepoints' definitions (events/svmsim/ in tracefs).  Their
 * declarations and formats are in trace.h; the files that fire them
 * include that alone.
 */
#define CREATE_TRACE_POINTS
#include "trace.h"
