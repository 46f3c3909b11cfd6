/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sockana internals: the modules between the format reader and the reports.
 *
 *   replay.c           records in file order -> events in time order
 *   memory.c           what an allocation really takes, for the bounds
 *   meta.c             metadata, clock, loss and per-type counts of a trace
 *   wallclock.c        event clock -> wall time
 *   sockets.c          socket table: one life per (netns, cookie)
 *   sockets_listen.c   its open-listener index
 *   sockets_owner.c    its owners and task names
 *   sockets_state.c    transitions and endpoints onto its lives
 *                      (the four share the private analyze/sockets.h)
 *   text.c             formatting shared by the reports
 *   run.c              wires reader, replay, table and a report together
 *   report_info.c      --info
 *   report_timeline.c  --timeline
 *   report_diag.c      the default report: what went wrong
 *   report_diag_out.c  its sections written out, and
 *   report_diag_sockets.c  those with a line per socket (listen overflows,
 *                      CLOSE_WAIT); the three share analyze/report_diag.h
 *   report_latency.c   --latency
 *   report_backlog.c   --backlog
 *   events.c           non-state kernel events onto socket lives
 *   life.c             what a finished life means (outcome, durations)
 *   filter.c           --pid --comm --port --addr --netns --state ...
 *   hist.c             bounded duration distributions
 *   out.c              JSON Lines and CSV rows
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
	uint32_t limits;		/* enum skr_probe_limit bits (PROBE LIMITS) */
};

/* Names of a probe's reason codes (PROBE ENUM attributes). */
#define SA_ENUM_MAX	512

struct sa_enum_name {
	uint32_t value;
	uint16_t event;			/* record type of the probe */
	char *name;
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
	uint8_t last_capture[16];	/* capture id of the latest segment */
	uint32_t last_file_index;
	bool mixed_captures;		/* segments of different captures */
	bool mixed_hosts;		/* ... and of different boots or hosts */

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
	struct sa_enum_name enums[SA_ENUM_MAX];
	size_t nenums;

	bool have_filter;		/* a FILTER record was read */
	char *filters;			/* its description, NULL if none in force */

	/* Snapshot of the sockets that existed at start (first segment). */
	uint64_t snap_sockets;
	uint32_t snap_netns_failed;
	bool snap_complete;		/* its END kind was read */

	/* Latest STATS (cumulative per capture), summed over captures. */
	bool have_stats;
	uint64_t stats_lost, stats_output_failed, stats_recursion;
	uint64_t stats_base_lost, stats_base_failed, stats_base_recursion;

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
	uint64_t events;		/* event records (skr_rec_is_event) */
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

/* Whether events of a record type could be seen in this trace. */
enum sa_observe {
	SA_OBSERVED,		/* a probe attached for it, or it occurs */
	SA_NOT_ATTACHED,	/* its probe(s) say tier NONE */
	SA_NO_PROBE,		/* no PROBE record names it */
};
/* *why: the probe's reason or "no probe recorded for it" (static/owned by m). */
enum sa_observe sa_meta_observe(const struct sa_meta *m, uint16_t type,
				const char **why);
/* Count of records of a type seen. */
uint64_t sa_meta_count(const struct sa_meta *m, uint16_t type);
/* Whether the attached probe name of this input has limit bit (PROBE LIMITS). */
bool sa_meta_limited(const struct sa_meta *m, const char *probe,
		     uint32_t bit);
/* Name of a reason code of the probe producing type; NULL if unknown. */
const char *sa_meta_enum(const struct sa_meta *m, uint16_t type,
			 uint32_t value);

/* ------------------------------------------------------------------ */
/* memory.c                                                             */
/* ------------------------------------------------------------------ */

/*
 * Bytes that malloc(n) really takes (chunk header and rounding), for the
 * bounds that count memory rather than things.
 */
size_t sa_mem_cost(size_t n);

/* ------------------------------------------------------------------ */
/* replay.c                                                             */
/* ------------------------------------------------------------------ */

/*
 * Bounds of one reorder buffer: events held, and bytes allocated for them
 * (sa_mem_cost of every record, held or on a free list, and of the heap).
 * sa_run_many() shares them between its inputs: each of n inputs gets 1/n.
 */
#define SA_REPLAY_MAX_EVENTS	(4u << 20)
#define SA_REPLAY_MAX_BYTES	((size_t)256 << 20)

struct sa_replay_opts {
	size_t max_events;	/* 0: SA_REPLAY_MAX_EVENTS */
	size_t max_bytes;	/* 0: SA_REPLAY_MAX_BYTES */
};

struct sa_replay_ops {
	/* Records other than events (and unknown ones), in file order. */
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
	size_t peak_bytes;	/* allocated, as the bound counts it */
	bool reader_failed;	/* the error came from skr_reader_next() */
};

struct sa_replay;

/*
 * Pull interface: sa_replay_next() reads r as far as needed and returns
 * the next event in time order (1, with *rec valid until the next call),
 * 0 at the end, or a negative errno (reader error: st->reader_failed set;
 * -ENOMEM; the first error of ops->meta).  After a reader error, the next
 * calls return the events read before it, in order, then 0.  Non-event records go to
 * ops->meta as they are read, except that ROUND, END and FILE_HEADER are
 * passed on only after the events they release.  SNAPSHOT records go to
 * ops->meta and are also returned, in time order, like events.  ops->event
 * is not used.
 */
int sa_replay_new(struct sa_replay **rpp, struct skr_reader *r,
		  const struct sa_replay_opts *opts,
		  const struct sa_replay_ops *ops, void *ctx,
		  struct sa_replay_stats *st);
int sa_replay_next(struct sa_replay *rp, struct skr_record *rec,
		   uint64_t *ts);
void sa_replay_free(struct sa_replay *rp);

/* Push interface over the same: read r to its end, events to ops->event. */
int sa_replay_run(struct skr_reader *r, const struct sa_replay_opts *opts,
		  const struct sa_replay_ops *ops, void *ctx,
		  struct sa_replay_stats *st);

/* ------------------------------------------------------------------ */
/* hist.c                                                               */
/* ------------------------------------------------------------------ */

#define SA_HIST_EXACT	512	/* values kept exactly before bucketing */
#define SA_HIST_LOG2	65

struct sa_hist {
	uint64_t count, min, max;
	uint64_t log2[SA_HIST_LOG2];	/* [0]: < 1 us; [k]: [2^(k-1), 2^k) us */
	uint64_t *exact;
	size_t nexact;
	bool sorted;
	uint64_t *fine;			/* log-linear buckets, past SA_HIST_EXACT */
};

void sa_hist_init(struct sa_hist *h);
void sa_hist_release(struct sa_hist *h);
int sa_hist_add(struct sa_hist *h, uint64_t v);
/* Nearest-rank percentile (0 when empty); exact while sa_hist_exact(). */
uint64_t sa_hist_pct(struct sa_hist *h, unsigned pct);
bool sa_hist_exact(const struct sa_hist *h);

/* ------------------------------------------------------------------ */
/* out.c                                                                */
/* ------------------------------------------------------------------ */

enum sa_format {
	SA_FORMAT_TEXT,
	SA_FORMAT_JSON,
	SA_FORMAT_CSV,
};

struct sa_buf {
	char *p;
	size_t len, cap;
	bool failed;
};

void sa_buf_free(struct sa_buf *b);
/* Append a string; on ENOMEM set b->failed and drop it. */
void sa_buf_append(struct sa_buf *b, const char *s);
/* Append src (n bytes, any content) as a JSON string literal. */
void sa_json_escape(struct sa_buf *b, const void *src, size_t n);

struct sa_out {
	FILE *f;
	enum sa_format fmt;
	const char *csv_kind;	/* the one row kind CSV writes */
	bool csv_header_done;
	bool in_row, emit;
	bool failed;		/* a row was dropped for lack of memory */
	int nfields;
	struct sa_buf names, vals;
	bool batch;		/* whole rows gather in vals (analyze/out_rows.h) */
	size_t pending;		/* their bytes, before the row being written */
};

void sa_out_init(struct sa_out *o, FILE *f, enum sa_format fmt,
		 const char *csv_kind);
void sa_out_release(struct sa_out *o);
/*
 * One row: begin, fields in a fixed order, end.  In text format rows are
 * not written (reports print text themselves).  NULL strings are JSON null
 * and empty CSV fields.
 */
void sa_row_begin(struct sa_out *o, const char *kind);
void sa_row_str(struct sa_out *o, const char *key, const char *val);
void sa_row_u64(struct sa_out *o, const char *key, uint64_t v);
void sa_row_i64(struct sa_out *o, const char *key, int64_t v);
void sa_row_bool(struct sa_out *o, const char *key, bool v);
void sa_row_null(struct sa_out *o, const char *key);
void sa_row_end(struct sa_out *o);

/* ------------------------------------------------------------------ */
/* sockets.c (and the sockets_*.c files behind it)                      */
/* ------------------------------------------------------------------ */

/*
 * Items (transitions and other events) kept per socket for --timeline:
 * the first half of them and a ring of the latest (analyze/items.h).
 */
#define SA_SOCK_MAX_ITEMS	1024
/*
 * Bounds a hostile file cannot push past (docs/FORMAT.md §11): item slots
 * allocated over all live sockets (capacity, not items in use, since
 * capacity is what takes memory), and live sockets.  Past the second, the
 * socket seen first is handed on early, as if the trace ended for it.
 */
#define SA_ITEMS_MAX_HELD	(1u << 20)
#define SA_SOCKETS_MAX_LIVE	(1u << 20)
/*
 * A socket that reached CLOSE stays in the table this long (event time)
 * before its life is handed on, because the kernel reports some of its
 * events after the CLOSE transition: the error report of a refused
 * connect, the destroy counters, and, after the destroy, what its
 * TIME_WAIT remnant does under the same cookie (a reset it sends, a
 * segment it frees), which would otherwise start a bogus life of its own.
 */
#define SA_CLOSE_GRACE_NS	1000000000ull
/*
 * Closed sockets held in their grace at once.  Past it the one that
 * closed first is handed on early, so memory follows the open sockets
 * rather than the closing rate times the grace (a storm closes 100,000
 * sockets a second: 40 MiB of lives held for a second).  What the grace
 * waits for comes soon after the CLOSE (a refused connect's error within
 * microseconds; the DESTROY when the process closes the socket; a
 * TIME_WAIT remnant's reset or freed segment while the peer still sends),
 * so a report arriving after 4096 later closes is rare; it then counts as
 * an orphan or starts a life of its own.
 */
#define SA_CLOSING_MAX		4096u

/*
 * One transition or other event kept for --timeline: the event's own
 * numbers, turned into words or JSON only when a view writes it
 * (analyze/items.h: the kinds, and which fields each one uses).
 */
struct sa_item {
	uint64_t ts_ns;
	union {
		char comm[SKR_COMM_LEN + 1];	/* STATE: task, sanitized */
		struct {
			uint64_t v[2];		/* ids, byte counts, a wait */
			uint32_t w[4];		/* fds, queues, codes, counters */
		} n;
		struct {
			uint8_t addr[16];	/* SYN-ACK retransmit: the peer */
			uint32_t count;
			uint16_t port;
			uint8_t family;
		} peer;
	} u;
	uint32_t tgid;
	uint16_t type;			/* record type: STATE or another event */
	uint16_t input;
	uint8_t oldstate, newstate, ctx;
	uint8_t kind;			/* enum sa_item_kind (items.h) */
	uint8_t evstate;		/* the state the event names */
};

enum sa_role {
	SA_ROLE_UNKNOWN,
	SA_ROLE_ACTIVE,			/* connect() */
	SA_ROLE_PASSIVE,		/* a listener's child */
	SA_ROLE_LISTENER,
};

/* When a socket first did something; times on the event clock. */
enum sa_mark {
	SA_AT_SYN_SENT,
	SA_AT_SYN_RECV,
	SA_AT_ESTABLISHED,
	SA_AT_FIN_WAIT1,
	SA_AT_CLOSE_WAIT,
	SA_AT_LAST_ACK,
	SA_AT_TIME_WAIT,
	SA_AT_TIME_WAIT_END,
	SA_AT_CLOSE,
	SA_AT_LISTEN,
	SA_AT_ACCEPT,
	SA_AT_COUNT
};

/* Where an event came from and when, on the merged time line. */
struct sa_evctx {
	uint32_t host;
	uint16_t input;
	uint64_t mt;			/* merge time: wall ns, or the event clock */
};

struct sa_lgroup;
struct sa_gap;
struct sa_accepts;

struct sa_sock {
	uint64_t id;			/* 1, 2, ... in order of first appearance */
	uint64_t cookie;
	uint32_t netns;
	uint32_t host;			/* index of the host it came from */
	struct sa_sock *hnext;		/* private: hash chain, beside the key */
	uint16_t input;			/* input of its first event */
	uint8_t family;
	uint8_t saddr[16], daddr[16];	/* last seen 4-tuple */
	uint16_t sport, dport;
	uint64_t first_ts, last_ts;	/* event clock */
	uint64_t first_mt, last_mt;	/* merge time */

	uint8_t state;			/* current TCP state, 0 unknown */
	uint8_t role;			/* enum sa_role */
	uint32_t states_seen;		/* bit (1 << state) for each state */
	bool older;			/* existed before its first event here */
	bool from_snapshot;
	bool closed;			/* reached CLOSE */
	uint8_t close_ctx;		/* context of the transition to CLOSE */
	uint32_t have_at;		/* bit (1 << mark) */
	uint64_t at[SA_AT_COUNT];

	bool have_owner;
	uint8_t owner_ctx;		/* SKR_CTX_PROCESS or SKR_CTX_UNKNOWN */
	bool owner_by_call;		/* seen in connect/listen/accept */
	uint32_t owner_pid;
	char owner_comm[SKR_COMM_LEN + 1];

	/* From the other kernel events (events.c). */
	int32_t error;			/* last socket error, positive errno */
	uint8_t error_state;		/* state when it was reported */
	uint32_t resets_in, resets_out;
	uint8_t reset_in_state;		/* state when the last reset came in */
	uint32_t reset_reason;		/* of the last one sent, SKR_REASON_NONE */
	uint32_t retrans, synack_retrans;
	uint64_t parent;		/* id of the listener it came from, 0 */
	bool have_listen;
	int32_t backlog_asked;
	uint32_t backlog_limit;
	bool have_destroy;
	uint64_t bytes_acked, bytes_received;
	uint32_t segs_in, segs_out, total_retrans, srtt_us;
	uint32_t snap_rqueue, snap_wqueue;	/* snapshot queues */

	struct sa_item *items;
	size_t nitems, cap;
	struct sa_gap *gap;		/* what a full array let go (items.h) */
	struct sa_accepts *acc;		/* a listener's accepts (items.h) */
	uint64_t items_dropped;
	uint64_t items_dropped_held;	/* of those, for SA_ITEMS_MAX_HELD */
	uint64_t transitions;

	/* Private to the socket table (sockets*.c). */
	bool destroyed;
	bool ending;			/* on the closing list */
	bool listed;			/* on the open-listener index */
	uint64_t close_mt;
	struct sa_sock *lprev, *lnext;
	struct sa_lgroup *xgroup[2];	/* open-listener index: its groups */
	size_t xpos[2];			/* and places in their heaps */
};

/*
 * Called with a socket whose life is over (it reached CLOSE, plus the
 * grace period) or, from sa_sockets_finish(), still open at the end of
 * the trace.  The socket is freed when the callback returns; a non-zero
 * return stops processing and is passed back.
 */
typedef int (*sa_sock_fn)(void *ctx, const struct sa_sock *s);

struct sa_sockets;

int sa_sockets_new(struct sa_sockets **tp, sa_sock_fn done, void *ctx);
/* Keep each socket's items for --timeline (off: only the summary). */
void sa_sockets_keep_items(struct sa_sockets *t, bool keep);
/*
 * Apply one state change, in time order.  A socket is (host, netns,
 * cookie); after it reaches CLOSE it is kept for SA_CLOSE_GRACE_NS (or
 * until SA_CLOSING_MAX others closed after it), then handed to the
 * callback and forgotten, so a later event for the same key starts a new
 * life with a new id.
 */
int sa_sockets_state(struct sa_sockets *t, const struct sa_evctx *ec,
		     const struct skr_ev_state *ev);
/*
 * The life of (host, netns, cookie): live or within its grace after
 * CLOSE.  With create, an unknown key starts a life that existed before
 * (older); NULL then means ENOMEM, or that the table is full
 * (sa_sockets_full()).
 */
struct sa_sock *sa_sockets_get(struct sa_sockets *t,
			       const struct sa_evctx *ec, uint32_t netns,
			       uint64_t cookie, uint64_t ts, bool create);
/*
 * Work done by the listener lookups of this process, summed over every
 * analysis: tests check that it stays bounded per lookup, whatever the
 * number of listeners, without timing anything.
 */
struct sa_work {
	uint64_t listener_ops;		/* listener lookups and index inserts */
	uint64_t listener_steps;	/* index entries they examined */
	uint64_t backlog_finds;		/* --backlog's listener table lookups */
	uint64_t backlog_steps;		/* table entries they examined */
};
extern struct sa_work sa_work;

/* Cookies with this bit are sockrec's own ids (classic tier), never the kernel's. */
#define SA_OWN_ID_BIT	(1ull << 63)
/* A live listener of (host, netns) bound to the local address and port. */
struct sa_sock *sa_sockets_listener(struct sa_sockets *t, uint32_t host,
				    uint32_t netns, unsigned family,
				    const uint8_t addr[16], uint16_t port);
/*
 * Record a non-state event on s's line of life (kept only for --timeline):
 * ev's type, kind, evstate and numbers; time, task and context from c.
 */
int sa_sockets_note(struct sa_sockets *t, struct sa_sock *s,
		    const struct sa_evctx *ec, const struct skr_ev_common *c,
		    const struct sa_item *ev);
/*
 * Owner from its owning syscall (connect, listen, accept), which wins over
 * guesses from transitions.  comm may be NULL (the record has none): the
 * name is then the latest one the pid showed in process context (a bounded
 * pid -> name map), else "?" until the socket's life is handed on.
 */
void sa_sockets_owner(struct sa_sockets *t, struct sa_sock *s,
		      const struct skr_ev_common *c, const char *comm);
/*
 * Endpoints from another event of the socket: the latest non-zero value of
 * each field, as for transitions (a refused connect's local port is only
 * in its RESET).  Ignored for a listener already known, and for a family
 * other than the socket's.
 */
void sa_sockets_endpoints(struct sa_sock *s, unsigned family,
			  const uint8_t saddr[16], const uint8_t daddr[16],
			  uint16_t sport, uint16_t dport);
/* The socket's life is over now (DESTROY); it is handed on in order. */
void sa_sockets_destroyed(struct sa_sockets *t, struct sa_sock *s);
/* Hand on the lives whose grace ended before merge time now. */
int sa_sockets_tick(struct sa_sockets *t, uint64_t now);
/* Hand every remaining socket to the callback: closed ones first, in order
 * of closing, then open ones in order of first appearance. */
int sa_sockets_finish(struct sa_sockets *t);
uint64_t sa_sockets_seen(const struct sa_sockets *t);
uint64_t sa_sockets_transitions(const struct sa_sockets *t);
/* Most sockets open at once (not counting closed ones in their grace). */
uint64_t sa_sockets_peak_live(const struct sa_sockets *t);
/* Sockets handed on early because SA_SOCKETS_MAX_LIVE were live. */
uint64_t sa_sockets_evicted(const struct sa_sockets *t);
/*
 * True when the table holds as many live sockets as it may: then
 * sa_sockets_get() starts no life, and only a state change makes room.
 */
bool sa_sockets_full(const struct sa_sockets *t);
/* Its bound of live sockets: SA_SOCKETS_MAX_LIVE but in tests. */
size_t sa_sockets_max_live(const struct sa_sockets *t);
/*
 * Tests only: the bound of the tables made from now on (0: back to
 * SA_SOCKETS_MAX_LIVE), so that a small trace can exceed it.
 */
void sa_sockets_test_max_live(size_t n);
void sa_sockets_free(struct sa_sockets *t);

/* ------------------------------------------------------------------ */
/* life.c                                                               */
/* ------------------------------------------------------------------ */

enum sa_outcome {
	SA_OUT_LISTENER,		/* a listening socket */
	SA_OUT_CONNECTED,		/* connect established */
	SA_OUT_REFUSED,			/* connect refused (RST or ECONNREFUSED) */
	SA_OUT_CONNECT_TIMEOUT,		/* connect timed out */
	SA_OUT_CONNECT_ERROR,		/* connect failed with another error */
	SA_OUT_CONNECT_ABORTED,		/* closed by its process while connecting */
	SA_OUT_CONNECT_FAILED,		/* connect failed, reason not seen */
	SA_OUT_CONNECTING,		/* still in SYN_SENT at the end */
	SA_OUT_ACCEPTED,		/* passive handshake completed */
	SA_OUT_HANDSHAKE_FAILED,	/* SYN_RECV -> CLOSE */
	SA_OUT_OTHER,			/* older than the trace, or unclear */
	SA_OUT_COUNT
};

const char *sa_outcome_name(enum sa_outcome o);
enum sa_outcome sa_life_outcome(const struct sa_sock *s);
/* How the connection ended: "reset", "timed out", "closed", "open" ... */
bool sa_life_reset(const struct sa_sock *s);
bool sa_life_time(const struct sa_sock *s, enum sa_mark from,
		  enum sa_mark to, uint64_t *ns);
/* Linux errno name ("ECONNREFUSED") or NULL. */
const char *sa_errno_name(int32_t err);
const char *sa_role_name(unsigned role);

/* ------------------------------------------------------------------ */
/* filter.c                                                             */
/* ------------------------------------------------------------------ */

#define SA_FILTER_MAX	16

struct sa_cidr {
	uint8_t family;			/* SKR_AF_INET or SKR_AF_INET6 */
	uint8_t addr[16];
	unsigned bits;
};

struct sa_when {
	bool set;
	bool offset;			/* ns from the first event, else wall ns */
	uint64_t ns;
};

struct sa_filters {
	bool any;
	uint32_t pid[SA_FILTER_MAX];
	size_t npid;
	char comm[SA_FILTER_MAX][SKR_COMM_LEN + 1];
	size_t ncomm;
	uint16_t port[SA_FILTER_MAX];
	size_t nport;
	struct sa_cidr addr[SA_FILTER_MAX];
	size_t naddr;
	uint32_t netns[SA_FILTER_MAX];
	size_t nnetns;
	uint64_t socket[SA_FILTER_MAX];
	size_t nsocket;
	uint32_t states;		/* bit (1 << state) */
	struct sa_when since, until;
};

/* True for the options sa_filter_parse() takes (each with a value). */
bool sa_filter_is_option(const char *opt);
/*
 * Add one filter.  Returns 0, -EINVAL (bad value or too many; msg says
 * which) or -ENOENT (opt is not a filter option).
 */
int sa_filter_parse(struct sa_filters *f, const char *opt, const char *arg,
		    char *msg, size_t msgsize);
/* TCP state number of a name ("CLOSE_WAIT", "close-wait"); -EINVAL. */
int sa_filter_state_value(const char *name);
bool sa_cidr_match(const struct sa_cidr *c, unsigned family,
		   const uint8_t addr[16]);
/*
 * Merge-time window [lo, hi] of --since/--until, given the first event's
 * merge time and whether merge times are wall times.  -EINVAL (msg set)
 * for a wall time on a trace without one.
 */
int sa_filter_window(const struct sa_filters *f, uint64_t start, bool wall,
		     uint64_t *lo, uint64_t *hi, char *msg, size_t msgsize);
bool sa_filter_socket(const struct sa_filters *f, const struct sa_sock *s,
		      uint64_t lo, uint64_t hi);
/* Namespace-wide figures: shown unless --netns names other namespaces. */
bool sa_filter_netns(const struct sa_filters *f, uint32_t netns);

/* ------------------------------------------------------------------ */
/* run.c and the reports                                                */
/* ------------------------------------------------------------------ */

enum sa_report {
	SA_REPORT_DIAG,			/* the default */
	SA_REPORT_INFO,
	SA_REPORT_TIMELINE,
	SA_REPORT_LATENCY,
	SA_REPORT_BACKLOG,
};

enum sa_group {
	SA_BY_NONE,
	SA_BY_REMOTE,
	SA_BY_LOCAL,
	SA_BY_PROCESS,
};

#define SA_INPUTS_MAX	64

struct sa_run_opts {
	enum sa_report report;
	enum sa_format format;
	enum sa_group by;		/* --latency --by */
	const char *name;		/* name of a single input */
	const char *const *names;	/* names of several inputs */
	struct sa_filters filters;
	struct sa_replay_opts replay;	/* for all inputs together */
};

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
	uint64_t no_cookie;		/* state events without a socket cookie */
	uint64_t orphans;		/* events for no known socket, ignored */
	int read_err;			/* the reader's error that ended it, 0 */
};

struct sa_diag;
struct sa_latency;
struct sa_backlog;

/* Everything a report may look at once the trace has been read. */
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
	uint64_t shown_sockets;		/* blocks printed by --timeline */
	uint64_t shown_trans;
	uint64_t selected, filtered_out;
	struct sa_diag *diag;
	struct sa_latency *lat;
	struct sa_backlog *bl;
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
/* Record type name, knowing every type of the v1 catalogue. */
const char *sa_rec_type_name(unsigned type, char *buf, size_t size);
/* "state", "reset", ...: the event field of rows. */
const char *sa_event_name(uint16_t type);
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

void sa_report_info(struct sa_analysis *a);
/* sa_sock_fn of --timeline: print one socket's block (ctx: the analysis). */
int sa_timeline_socket(struct sa_analysis *a, const struct sa_sock *s);
/* Summary and warnings after the last block. */
void sa_timeline_end(struct sa_analysis *a);

int sa_diag_new(struct sa_analysis *a);
int sa_diag_socket(struct sa_analysis *a, const struct sa_sock *s);
void sa_diag_end(struct sa_analysis *a);
void sa_diag_free(struct sa_diag *d);

int sa_latency_new(struct sa_analysis *a);
int sa_latency_socket(struct sa_analysis *a, const struct sa_sock *s);
void sa_latency_end(struct sa_analysis *a);
void sa_latency_free(struct sa_latency *l);

int sa_backlog_new(struct sa_analysis *a);
int sa_backlog_socket(struct sa_analysis *a, const struct sa_sock *s);
/* Listener samples, netns counters and accepts, as they come. */
int sa_backlog_event(struct sa_analysis *a, const struct sa_evctx *ec,
		     const struct skr_record *rec, struct sa_sock *s);
void sa_backlog_end(struct sa_analysis *a);
void sa_backlog_free(struct sa_backlog *b);

/* Why overflows are not observable: the SAMPLING stop, in words. */
#define SA_WHY_LEN	192

/* A listener's overflows, for the diagnosis. */
struct sa_overflow {
	const struct sa_sock *listener;	/* its finished life */
	uint16_t input;
	bool known;			/* drops were sampled, and still were at the end */
	bool stopped;			/* sampling of its netns stopped: why says so */
	char why[SA_WHY_LEN];
	uint64_t drops;			/* sk_drops growth during the trace */
	uint64_t first, last;		/* event clock of the first/last growth */
	uint32_t qpeak, limit;
	bool have_q;
};
struct sa_netns_delta {
	bool shown;			/* passes --netns */
	uint32_t host, netns;
	uint64_t overflows, drops;	/* growth during the trace */
	bool stopped;			/* not observable: why says so */
	char why[SA_WHY_LEN];
};
size_t sa_backlog_count(const struct sa_analysis *a);
/* Listener i (if it passed the filters); false otherwise. */
bool sa_backlog_overflows(const struct sa_analysis *a, size_t i,
			  struct sa_overflow *ov);
bool sa_backlog_netns(const struct sa_analysis *a, size_t i,
		      struct sa_netns_delta *d);

/* events.c: one non-state event record onto the socket table. */
int sa_events_apply(struct sa_analysis *a, const struct sa_evctx *ec,
		    const struct skr_record *rec, uint64_t ts);
/* Warnings shared by the text reports (lost events, truncation, ...). */
void sa_print_warnings(struct sa_analysis *a, FILE *out);
/* The same as JSON "warning" rows. */
void sa_row_warnings(struct sa_analysis *a);

#endif /* SOCKANA_H */
