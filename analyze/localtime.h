/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Which zone sockana prints wall times in (wallclock.c).  UTC unless asked:
 * a trace is read far from where it was recorded, and the golden outputs
 * must not depend on the reader's machine.
 */
#ifndef SOCKANA_LOCALTIME_H
#define SOCKANA_LOCALTIME_H

#include <stdbool.h>

/*
 * true: times are printed in the reader's zone (TZ, else the system's),
 * with their offset from UTC (2026-11-22T04:53:08.000001+01:00); false:
 * in UTC with a Z (the default).  Process-wide; call before any report.
 */
void sa_wallclock_use_local(bool local);

#endif
