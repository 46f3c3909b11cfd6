/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * --events: one line per kernel event, in time order, as the event
 * reaches the model: the wall time, then the line sockrec --print writes
 * for the same record (format/evline.c), so the two tools agree word for
 * word.  The default report of --follow, where each line is written as
 * soon as its event is read (docs/OUTPUT.md, "Event lines").
 */
#include <stdio.h>

#include "analyze/analysis.h"
#include "analyze/views.h"
#include "analyze/wallclock.h"
#include "format/skr.h"

/* Longer than any line evline.c writes for a v1 record (about 200). */
#define LINE_MAX_LEN	512

static int events_new(struct sa_analysis *a, void **state)
{
	(void)a;
	*state = NULL;
	return 0;
}

static int events_record(struct sa_analysis *a, void *state,
			 const struct sa_evctx *ec, const struct skr_record *rec,
			 uint64_t ts)
{
	char when[SA_WALL_LEN], line[LINE_MAX_LEN];

	(void)state;
	/* Outside --since/--until: not shown, like --timeline's events. */
	if (a->win_lo > ec->mt || ec->mt > a->win_hi)
		return 0;
	if (skr_event_line(rec, line, sizeof(line)) < 0)
		return 0;
	fprintf(a->out, "%s %s\n", sa_time_text(a, ec->input, ts, when,
						 sizeof(when)), line);
	return 0;
}

static void events_end(struct sa_analysis *a, void *state)
{
	(void)state;
	sa_print_warnings(a, a->out);
}

const struct sa_view sa_view_events = {
	.name = "events",
	.option = "--events",
	.report = SA_REPORT_EVENTS,
	.formats = SA_VIEW_TEXT,
	.new = events_new,
	.record = events_record,
	.end = events_end,
};
