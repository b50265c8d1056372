/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Writing JSON strings: one escaper for svmbench's rows and svmsim-run's
 * report.
 */
#ifndef _SVMBENCH_JSONPUT_H
#define _SVMBENCH_JSONPUT_H

#include <stdio.h>

void json_put_str(FILE *f, const char *s);

#endif /* _SVMBENCH_JSONPUT_H */
