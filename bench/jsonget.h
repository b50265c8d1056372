/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Read fields of one flat JSON object (an svmbench result row): a key is
 * matched only at the object's top level, so the nested "events" object
 * never answers for it.  Enough JSON for what report.c writes; not a
 * general parser.
 */
#ifndef _SVMBENCH_JSONGET_H
#define _SVMBENCH_JSONGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

const char *json_find(const char *obj, const char *key);
bool json_u64(const char *obj, const char *key, uint64_t *out);
bool json_f64(const char *obj, const char *key, double *out);
bool json_str(const char *obj, const char *key, char *buf, size_t n);

#endif /* _SVMBENCH_JSONGET_H */
