/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sockana internals: the modules between the format reader and the reports.
 *
 *   replay.c           records in file order -> events in time order
 *   meta.c             metadata, clock, loss and per-type counts of a trace
 *   wallclock.c        event clock -> wall time
 *   sockets.c          socket table: one life per (netns, cookie)
 *   text.c             formatting shared by the reports
 *   run.c              wires reader, replay, table and a report together
 *   report_info.c      --info
 *   report_timeline.c  --timeline
 *
 * Everything here is portable POSIX C; no Linux header.  Every int function
 * returns 0 or a negative errno unless its comment says otherwise.
 */
#ifndef SOCKANA_H
#define SOCKANA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "format/skr.h"

/* ------------------------------------------------------------------ */
/* wallclock.c                                                          */
/* ------------------------------------------------------------------ */

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

/* ------------------------------------------------------------------ */
/* text.c                                                               */
/* ------------------------------------------------------------------ */

/*
 * Copy at most slen bytes of an untrusted string, stopping at a NUL, into
 * dst (always terminated), replacing bytes that are not printable ASCII
 * with '?'.
 */
void sa_text_copy(char *dst, size_t dsize, const void *src, size_t slen);
/* Same into a new allocation; NULL on ENOMEM. */
char *sa_text_dup(const void *src, size_t slen);
/* "S.UUUUUU" of a duration in ns (truncated to microseconds). */
const char *sa_text_secs(uint64_t ns, char *buf, size_t size);
/* "addr:port", IPv6 in brackets; "?" for an unknown family. */
#define SA_ENDPOINT_LEN	64
const char *sa_text_endpoint(unsigned family, const uint8_t addr[16],
			     unsigned port, char *buf, size_t size);
/* "IPv4", "IPv6" or "UNKNOWN(n)". */
const char *sa_text_family(unsigned family, char *buf, size_t size);
/* "comm[pid]". */
#define SA_TASK_LEN	40
const char *sa_text_task(const char *comm, uint32_t pid, char *buf,
			 size_t size);

/* ------------------------------------------------------------------ */
/* meta.c                                                               */
/* ------------------------------------------------------------------ */

#define SA_PROBES_MAX	64	/* probes described; more are counted only */
#define SA_TYPES_MAX	64	/* distinct record types counted by name */

struct sa_probe {
	char *name;
	char *reason;
	uint32_t error;
	uint16_t event;
	uint8_t tier;
	bool has_tier;
};

struct sa_type_count {
	uint16_t type;
	uint64_t n;
};

/*
 * What a trace says about itself.  Host, recorder and probe descriptions
 * come from the first segment; counts and losses cover every segment.
 */
struct sa_meta {
	bool have_header;
	struct skr_file_header header;	/* of the first segment */
	uint32_t last_file_index;
	bool mixed_captures;		/* segments of different captures */

	char *hostname, *krelease, *kversion, *machine, *boot_id, *os;
	uint32_t ncpus;
	bool have_ncpus;

	char *rec_version, *rec_cmdline, *rec_comment;
	uint32_t rec_pid;
	bool have_rec_pid;
	bool have_recorder;

	struct sa_probe probes[SA_PROBES_MAX];
	size_t nprobes;
	uint64_t probes_dropped;

	struct sa_wallclock clock;

	/* Loss, summed over segments (see sa_meta_lost). */
	uint64_t perf_lost;		/* max(LOSS records, END.lost) per segment */
	uint64_t seg_loss;		/* LOSS records of the current segment */
	uint64_t output_failed;
	uint64_t recursion_misses;
	uint64_t loss_records;

	struct sa_type_count types[SA_TYPES_MAX];	/* sorted by type */
	size_t ntypes;
	uint64_t other_types;		/* records of types beyond the table */
	uint64_t records;
	uint64_t events;		/* records of type >= 0x0100 */
	uint64_t malformed;		/* events too short to decode */
	uint64_t first_ts, last_ts;	/* of events; valid if events > 0 */
};

void sa_meta_init(struct sa_meta *m);
/* Account one non-event record, in file order.  -ENOMEM, or 0. */
int sa_meta_record(struct sa_meta *m, const struct skr_record *rec);
/* Account one event record, in time order. */
void sa_meta_event(struct sa_meta *m, uint16_t type, uint64_t ts_ns);
/* Close the accounting of the last segment; call once at the end. */
void sa_meta_finish(struct sa_meta *m);
/*
 * Events lost: perf-buffer losses (LOSS records or END.lost) and failed
 * perf outputs count the same loss seen from two sides, so the larger one
 * is taken; recursion misses never reached the buffer and add up.
 */
uint64_t sa_meta_lost(const struct sa_meta *m);
void sa_meta_release(struct sa_meta *m);

/* ------------------------------------------------------------------ */
/* replay.c                                                             */
/* ------------------------------------------------------------------ */

#define SA_REPLAY_MAX_EVENTS	(4u << 20)
#define SA_REPLAY_MAX_BYTES	((size_t)256 << 20)

struct sa_replay_opts {
	size_t max_events;	/* 0: SA_REPLAY_MAX_EVENTS */
	size_t max_bytes;	/* 0: SA_REPLAY_MAX_BYTES */
};

struct sa_replay_ops {
	/* Records of type < 0x0100 (and unknown ones), in file order. */
	int (*meta)(void *ctx, const struct skr_record *rec);
	/* Event records, in (ts_ns, file order) order within the bounds. */
	int (*event)(void *ctx, const struct skr_record *rec, uint64_t ts_ns);
};

struct sa_replay_stats {
	uint64_t events;	/* event records released */
	uint64_t rounds;
	uint64_t forced;	/* released early because the buffer was full */
	uint64_t late;		/* arrived after a later event was released */
	uint64_t malformed;	/* event records without a readable time */
	uint64_t peak_held;
	size_t peak_bytes;
	bool reader_failed;	/* the error came from skr_reader_next() */
};

/*
 * Read r to its end, handing records to ops.  Events are held in a heap
 * and released when a ROUND record's horizon passes them, at END, at a new
 * segment and at the end of input.  Returns 0, the reader's error (with
 * st->reader_failed set), -ENOMEM, or the first error of a callback.
 */
int sa_replay_run(struct skr_reader *r, const struct sa_replay_opts *opts,
		  const struct sa_replay_ops *ops, void *ctx,
		  struct sa_replay_stats *st);

/* ------------------------------------------------------------------ */
/* sockets.c                                                            */
/* ------------------------------------------------------------------ */

/* Transitions kept per socket; later ones are counted, not kept. */
#define SA_SOCK_MAX_TRANS	1024

struct sa_trans {
	uint64_t ts_ns;
	uint32_t tgid;
	uint8_t oldstate, newstate, ctx;
	char comm[SKR_COMM_LEN + 1];	/* sanitized */
};

struct sa_sock {
	uint64_t id;			/* 1, 2, ... in order of first appearance */
	uint64_t cookie;
	uint32_t netns;
	uint8_t family;
	uint8_t saddr[16], daddr[16];	/* last seen 4-tuple */
	uint16_t sport, dport;
	uint64_t first_ts, last_ts;

	bool have_owner;
	uint8_t owner_ctx;		/* SKR_CTX_PROCESS or SKR_CTX_UNKNOWN */
	uint32_t owner_pid;
	char owner_comm[SKR_COMM_LEN + 1];

	struct sa_trans *trans;
	size_t ntrans, cap;
	uint64_t trans_dropped;

	/* Private to sockets.c. */
	struct sa_sock *hnext;
	struct sa_sock *lprev, *lnext;
};

/*
 * Called with a socket whose life is over (it reached CLOSE) or, from
 * sa_sockets_finish(), still open at the end of the trace.  The socket is
 * freed when the callback returns; a non-zero return stops processing and
 * is passed back.
 */
typedef int (*sa_sock_fn)(void *ctx, const struct sa_sock *s);

struct sa_sockets;

int sa_sockets_new(struct sa_sockets **tp, sa_sock_fn done, void *ctx);
/*
 * Apply one state change, in time order.  A socket is (netns, cookie);
 * after it reaches CLOSE it is handed to the callback and forgotten, so a
 * later event for the same key starts a new life with a new id.
 */
int sa_sockets_state(struct sa_sockets *t, const struct skr_ev_state *ev);
/* Hand every still-open socket to the callback, in order of first appearance. */
int sa_sockets_finish(struct sa_sockets *t);
uint64_t sa_sockets_seen(const struct sa_sockets *t);
uint64_t sa_sockets_transitions(const struct sa_sockets *t);
uint64_t sa_sockets_peak_live(const struct sa_sockets *t);
void sa_sockets_free(struct sa_sockets *t);

/* ------------------------------------------------------------------ */
/* run.c and the reports                                                */
/* ------------------------------------------------------------------ */

enum sa_report {
	SA_REPORT_INFO,
	SA_REPORT_TIMELINE,
};

struct sa_run_opts {
	enum sa_report report;
	const char *name;		/* file name shown by --info */
	struct sa_replay_opts replay;
};

/* Everything a report may look at once the trace has been read. */
struct sa_analysis {
	const char *name;
	struct sa_meta meta;
	struct sa_replay_stats replay;
	struct skr_reader_status status;
	struct sa_sockets *socks;
	FILE *out;
	uint64_t no_cookie;		/* state events without a socket cookie */
	uint64_t shown_sockets;		/* blocks printed by --timeline */
	uint64_t shown_trans;
};

/*
 * Read the trace behind r and write the chosen report to out.  Returns 0
 * or a negative errno; then msg holds a message for the user that names
 * the input ("trace.skr: what failed"): the reader's own when the file is
 * at fault, naming the bad field and the values found.
 */
int sa_run(struct skr_reader *r, const struct sa_run_opts *opts, FILE *out,
	   char *msg, size_t msgsize);

/* True when the input ended before the END record of every segment. */
bool sa_truncated(const struct sa_analysis *a);

void sa_report_info(const struct sa_analysis *a);
/* sa_sock_fn of --timeline: print one socket's block (ctx: the analysis). */
int sa_timeline_socket(void *ctx, const struct sa_sock *s);
/* Summary and warnings after the last block. */
void sa_timeline_end(const struct sa_analysis *a);

#endif /* SOCKANA_H */
