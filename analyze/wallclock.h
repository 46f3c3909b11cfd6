/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * wallclock.c: the event clock turned into wall time, from a trace's
 * CLOCK samples.
 */
#ifndef SA_WALLCLOCK_H
#define SA_WALLCLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "format/skr.h"

/*
 * Clock-sync samples kept at once.  Events are replayed in time order, so
 * only samples near the replay point matter; the oldest are dropped when
 * the table is full, which keeps memory independent of trace length.
 */
#define SA_CLOCK_SAMPLES	64

struct sa_clock_sample {
	uint64_t clock_ns;
	uint64_t realtime_ns;
};

struct sa_wallclock {
	struct sa_clock_sample s[SA_CLOCK_SAMPLES];	/* sorted by clock_ns */
	size_t n;
	uint64_t samples;		/* CLOCK records seen */
	uint64_t max_uncertainty_ns;
	uint32_t clock_id;		/* of the first sample */
	bool mixed_ids;			/* a later sample named another clock */
};

void sa_wallclock_init(struct sa_wallclock *wc);
void sa_wallclock_add(struct sa_wallclock *wc, const struct skr_clock *c);
/*
 * Wall time (ns since the Unix epoch) of event time ts_ns, from the latest
 * sample taken at or before ts_ns, or the earliest one if none was.
 * Returns 0, -ENOENT without any sample, -ERANGE if the result would not
 * fit.
 */
int sa_wallclock_to_wall(const struct sa_wallclock *wc, uint64_t ts_ns,
			 uint64_t *wall_ns);
/*
 * ISO 8601 UTC with microseconds ("2026-11-22T10:01:02.123456Z") of event
 * time ts_ns; "clock+S.UUUUUU" when the trace has no usable CLOCK sample.
 * Always returns buf (size >= SA_WALL_LEN).
 */
#define SA_WALL_LEN	40
const char *sa_wallclock_format(const struct sa_wallclock *wc, uint64_t ts_ns,
				char *buf, size_t size);
/* ISO 8601 of a wall time in ns; -ERANGE if the year is out of range. */
int sa_format_wall(uint64_t wall_ns, char *buf, size_t size);
/*
 * The same written at p without a NUL, for a row written in place: p has
 * SA_WALL_LEN bytes of room, all of which may be written.  The end of the
 * text, or NULL when sa_format_wall() would fail (p's bytes then unset).
 */
char *sa_wall_put(uint64_t wall_ns, char *p);
/*
 * sa_wallclock_format()'s time of ts_ns written at p as sa_wall_put()
 * does; NULL when there is no wall time to write (then the caller writes
 * sa_wallclock_format()'s "clock+" text instead).
 */
char *sa_wallclock_put(const struct sa_wallclock *wc, uint64_t ts_ns, char *p);
/*
 * true: times are printed in the reader's zone (TZ, else the system's),
 * with their offset from UTC (2026-11-22T04:53:08.000001+01:00); false:
 * in UTC with a Z (the default: a trace is read far from where it was
 * recorded, and the golden outputs must not depend on the reader's
 * machine).  Process-wide; call before any report.
 */
void sa_wallclock_use_local(bool local);

#endif /* SA_WALLCLOCK_H */
