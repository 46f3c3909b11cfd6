/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * One analysis under way (run.c): its inputs, what they said about
 * themselves, the socket table, and the questions every report asks of
 * them (loss, truncation, time and host names, what could be observed).
 */
#ifndef SA_ANALYSIS_H
#define SA_ANALYSIS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "analyze/meta.h"
#include "analyze/out.h"
#include "analyze/replay.h"
#include "analyze/run.h"
#include "analyze/sockets.h"
#include "format/skr.h"

/* One input trace and what it said about itself. */
struct sa_input {
	const char *name;
	struct skr_reader *r;
	struct sa_replay *rp;
	struct sa_meta meta;
	struct sa_replay_stats replay;
	struct skr_reader_status status;
	uint32_t host;
	bool host_set;
	bool eof;
	bool have_head;
	struct skr_record head;
	uint64_t head_ts, head_mt;
	int64_t clock_off;		/* added to merge time: its host's offset */
	uint64_t no_cookie;		/* state events without a socket cookie */
	uint64_t orphans;		/* events for no known socket, ignored */
	int read_err;			/* the reader's error that ended it, 0 */
	struct sa_analysis *owner;	/* the analysis it is part of */
};

/*
 * The model every view reads: the inputs and what they said, the socket
 * table, and what the run counted.  Views keep their own state apart.
 */
struct sa_inputs;
struct sa_drops;

struct sa_analysis {
	const char *name;		/* of the first input */
	struct sa_input *in;
	size_t nin;
	uint32_t nhosts;
	const struct sa_run_opts *opts;
	struct sa_replay_stats replay;	/* summed over inputs */
	struct sa_sockets *socks;
	FILE *out;
	struct sa_out o;
	bool started;			/* an event was seen */
	uint64_t start_mt, end_mt;
	bool wall;			/* merge times are wall times */
	uint64_t win_lo, win_hi;	/* --since/--until, merge time */
	char winmsg[160];
	int win_err;
	uint64_t no_cookie;
	uint64_t resets_nosock;		/* resets sent for no socket */
	/* Not tracked because the socket table was full (events.c). */
	uint64_t untracked_snap;	/* sockets of a snapshot */
	uint64_t untracked_events;	/* other events naming a new socket */
	uint64_t selected, filtered_out;	/* lives by the filters */
	struct sa_inputs *inputs;	/* hosts, shared segments (inputs.h) */
	struct sa_drops *drops;		/* drops with no socket (drops.h) */
	/* Hosts' clocks (clock.h): the first pass's result, NULL if none. */
	struct sa_clock *clock;
	bool clock_tried;		/* the pass was wanted (several hosts) */
	const char *clock_why;		/* why it could not run, NULL */
	int64_t *host_off;		/* per host, as applied */
	bool *host_user;		/* per host: from --clock-offset */
	char clockmsg[160];		/* a --clock-offset error */
};

/* True when an input ended before the END record of every segment. */
bool sa_truncated(const struct sa_analysis *a);
bool sa_input_truncated(const struct sa_input *in);
/*
 * What a truncated input kept, for every message about the cut: "kept N
 * records, S s of events", that the cut came before the end of the header
 * (no HOST record) and, when the input ended inside a frame, that the
 * frame's last blocks were read without its checksum.  Returns buf.
 */
const char *sa_input_kept(const struct sa_input *in, char *buf, size_t size);
/* Lost events over every input. */
uint64_t sa_lost(const struct sa_analysis *a);
/* Wall time (or event clock) text of an event of input idx. */
const char *sa_time_text(const struct sa_analysis *a, uint16_t input,
			 uint64_t ts, char *buf, size_t size);
/* Merge time (wall ns, or the event clock) of an event of input idx. */
uint64_t sa_merge_time(const struct sa_analysis *a, uint16_t input,
		       uint64_t ts);
/* A merge time as ISO 8601, or "clock+S" when the inputs have no wall clock. */
const char *sa_merge_time_text(const struct sa_analysis *a, uint64_t mt,
			       char *buf, size_t size);
/* Host name of host index h ("(unnamed host)" when not recorded). */
const char *sa_host_name(const struct sa_analysis *a, uint32_t h);
/* False (with why) when some input could not see events of type. */
bool sa_observable(const struct sa_analysis *a, uint16_t type,
		   const char **why);
/* The same for one hook by name when its PROBE record exists, else type. */
bool sa_observable_probe(const struct sa_analysis *a, uint16_t type,
			 const char *probe, const char **why);
/* Some input's kernel could not show what limit bit of hook probe names. */
bool sa_limited(const struct sa_analysis *a, const char *probe, uint32_t bit);
#define SA_NOT_ON_KERNEL	"not observable on this kernel"

/*
 * warn.c: warnings shared by the text reports (lost events, truncation,
 * ...), one "WARNING: ..." line each, to out.
 */
void sa_print_warnings(struct sa_analysis *a, FILE *out);
/* The same as JSON "warning" rows. */
void sa_row_warnings(struct sa_analysis *a);

#endif /* SA_ANALYSIS_H */
