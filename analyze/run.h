/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * run.c: one analysis, from readers to a written report.  What main.c and
 * the tests call.
 */
#ifndef SA_RUN_H
#define SA_RUN_H

#include <stddef.h>
#include <stdio.h>

#include "analyze/filter.h"
#include "analyze/out.h"
#include "analyze/pairs.h"
#include "analyze/replay.h"
#include "format/skr.h"

enum sa_report {
	SA_REPORT_DIAG,			/* the default */
	SA_REPORT_INFO,
	SA_REPORT_TIMELINE,
	SA_REPORT_LATENCY,
	SA_REPORT_BACKLOG,
	SA_REPORT_CONNECTIONS,		/* report_connections.c */
	SA_REPORT_EVENTS,		/* report_events.c */
	SA_REPORT_HTML,			/* report_html.c */
	SA_REPORT_TRACE_EVENT,		/* report_trace_event.c */
};

enum sa_group {
	SA_BY_NONE,
	SA_BY_REMOTE,
	SA_BY_LOCAL,
	SA_BY_PROCESS,
};

#define SA_INPUTS_MAX	64
#define SA_CLOCK_SET_MAX	16

/* --clock-offset HOST=SECONDS */
struct sa_clock_set {
	const char *host;		/* not terminated: hostlen bytes */
	size_t hostlen;
	int64_t ns;
};

struct sa_clock;

struct sa_run_opts {
	enum sa_report report;
	enum sa_format format;
	enum sa_group by;		/* --latency --by */
	const char *name;		/* name of a single input */
	const char *const *names;	/* names of several inputs */
	struct sa_filters filters;
	struct sa_replay_opts replay;	/* for all inputs together */
	/*
	 * --follow (live.c): the inputs are still being written.  Each is
	 * followed (skr_reader_follow); while it waits, lives whose grace
	 * is over by the wall clock are handed on and the output is
	 * flushed; stop (if set) returning true ends the inputs there.
	 */
	bool follow;
	bool (*stop)(void);
	/*
	 * Where a view writing a file of its own (--trace-event) also says
	 * its warnings for the user (main.c: stderr); NULL: only in the file.
	 */
	FILE *warn_to;
	struct sa_addr_map map[SA_ADDR_MAP_MAX];	/* --map-addr */
	size_t nmap;
	struct sa_clock_set clock_set[SA_CLOCK_SET_MAX];
	size_t nclock_set;
	/*
	 * Open input i again, for the first pass that aligns hosts' clocks
	 * (clock.h); NULL: no such pass, wall clocks taken as they are.
	 */
	int (*reopen)(void *ctx, size_t i, struct skr_reader **r);
	void *reopen_ctx;
	struct sa_clock *scan;		/* run.c's own: that pass's collector */
};

/*
 * Read the traces behind rs[0..n) and write the chosen report to out.
 * Returns 0 or a negative errno; then msg holds a message for the user that
 * names the input ("trace.skr: what failed"): the reader's own when the
 * file is at fault, naming the bad field and the values found.
 */
int sa_run_many(struct skr_reader *const *rs, size_t n,
		const struct sa_run_opts *opts, FILE *out, char *msg,
		size_t msgsize);
/* One input: sa_run_many(&r, 1, ...) with opts->name. */
int sa_run(struct skr_reader *r, const struct sa_run_opts *opts, FILE *out,
	   char *msg, size_t msgsize);

#endif /* SA_RUN_H */
