/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Synthetic traces for the unit tests: records are built in memory and
 * written through libskr into an unlinked temporary file, which is then read
 * back as a reader, as bytes, or through sockana's sa_run.  Every helper
 * fails the current check test on error, so callers need not check.
 */
#ifndef TRACEGEN_H
#define TRACEGEN_H

#include <check.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyze/sockana.h"

#define TG_NETNS	4026531840u	/* init_net's inode on most hosts */

struct tg {
	int fd;
	struct skr_writer *w;
	uint32_t netns;		/* of every event; TG_NETNS by default */
	/* Interrupt context records no task name, as the recorder does. */
	bool comm_process_only;
};

/* Metadata fields left NULL or 0 are not written. */
struct tg_host {
	const char *hostname, *boot_id, *krelease, *machine;
	uint32_t ncpus;
};

/* One state change, as test tables list them. */
struct tg_ev {
	uint64_t ts;
	uint64_t cookie;
	uint16_t cpu;
	uint8_t ctx;
	uint32_t tgid;
	const char *comm;
	uint8_t oldstate, newstate;
	const char *src;
	uint16_t sport;
	const char *dst;
	uint16_t dport;
};

/* Writing. */
void tg_begin(struct tg *t);
void tg_put(struct tg *t, const void *rec, size_t len);
void tg_put_tlv(struct tg *t, struct skr_tlv_builder *b);
/* Close this segment's writer and start another on the same file. */
void tg_next_segment(struct tg *t);

/* Metadata. */
void tg_header(struct tg *t, uint32_t file_index, uint8_t id_fill,
	       uint16_t minor, uint64_t created_ns);
void tg_clock(struct tg *t, uint64_t clock_ns, uint64_t wall_ns,
	      uint64_t uncertainty_ns);
/* Begins a HOST record in b, for callers that append tags of their own. */
void tg_host_tlv(struct skr_tlv_builder *b, const struct tg_host *h);
void tg_host(struct tg *t, const struct tg_host *h);
/* args: NULL-terminated, may be NULL. */
void tg_recorder(struct tg *t, const char *version,
		 const char *const *args, const char *comment);
/* event 0: no event tag; reason NULL: attached, else ENOENT and reason. */
void tg_probe(struct tg *t, const char *name, uint16_t event, uint8_t tier,
	      const char *reason);

/* Events. */
void tg_common(const struct tg *t, struct skr_ev_common *c, uint64_t ts,
	       uint64_t cookie, uint8_t ctx, uint32_t tgid);
void tg_addr(const char *s, uint8_t out[16], uint8_t *family);
/* The record of e, not written. */
void tg_state_fill(const struct tg *t, const struct tg_ev *e,
		   struct skr_ev_state *s);
void tg_state(struct tg *t, const struct tg_ev *e);
void tg_st(struct tg *t, uint64_t ts, uint64_t cookie, uint8_t ctx,
	   uint32_t tgid, const char *comm, uint8_t o, uint8_t n,
	   const char *src, uint16_t sport, const char *dst, uint16_t dport);
void tg_listen(struct tg *t, uint64_t ts, uint64_t cookie, uint32_t tgid,
	       int32_t backlog, uint32_t limit, uint16_t port);
void tg_accept(struct tg *t, uint64_t ts, uint64_t lcookie, uint64_t child,
	       uint32_t tgid, uint32_t qlen, uint32_t limit, uint32_t drops);
/* Loopback tuples. */
void tg_reset(struct tg *t, uint64_t ts, uint64_t cookie, uint8_t state,
	      uint16_t sport, uint16_t dport);
/* A DESTROY in softirq, its socket already off its local port. */
void tg_destroy(struct tg *t, uint64_t ts, uint64_t cookie, uint16_t dport);
void tg_error(struct tg *t, uint64_t ts, uint64_t cookie, int32_t err,
	      uint8_t state, uint16_t dport);
void tg_listener(struct tg *t, uint64_t ts, uint64_t cookie, uint32_t qlen,
		 uint32_t limit, uint64_t drops);
void tg_netns_stats(struct tg *t, uint64_t ts, uint64_t overflows);
/* SAMPLING of netns (0: every namespace not sampled), state SKR_SAMPLING_*. */
void tg_sampling(struct tg *t, uint64_t ts, uint32_t netns, uint8_t state,
		 int32_t error);
void tg_round(struct tg *t, uint64_t horizon);
void tg_loss(struct tg *t, uint64_t ts, uint64_t count);
void tg_end(struct tg *t, uint64_t ts, uint64_t lost, uint64_t events);

/* Finishing. */
void tg_close_writer(struct tg *t);	/* and rewind */
struct skr_reader *tg_finish(struct tg *t);
/* The file's bytes (malloc'd); t's file is closed. */
uint8_t *tg_bytes(struct tg *t, size_t *len);
/* sa_run over the trace behind fd (rewound), which must succeed. */
char *tg_analyze_fd(int fd, struct sa_run_opts *opts);
/* Close t's writer, analyze it with only REP and FMT set (must succeed), close t. */
char *tg_report(struct tg *t, enum sa_report rep, enum sa_format fmt);
/* BUILD a trace, then analyze it with REP, FMT and grouping BY (must succeed). */
char *tg_build_report(void (*build)(struct tg *), enum sa_report rep,
		      enum sa_format fmt, enum sa_group by);
/*
 * Analyze n (at most 3) traces with REP, FMT and BY, which must succeed;
 * closes them.
 */
char *tg_run_report(struct tg *t, size_t n, enum sa_report rep,
		    enum sa_format fmt, enum sa_group by);
/*
 * The reopen callback of struct sa_run_opts for traces t (the context):
 * input i's file again, by /proc/self/fd.
 */
int tg_reopen(void *ctx, size_t i, struct skr_reader **r);
/*
 * tg_run_report, with the inputs' files reopened for the first pass that
 * joins hosts and aligns their clocks.
 */
char *tg_run_joined(struct tg *t, size_t n, enum sa_report rep,
		    enum sa_format fmt);
/* sa_run_many over n (at most 3) traces, closing them; *err its result. */
char *tg_run(struct tg *t, size_t n, struct sa_run_opts *opts, int *err,
	     char *msg, size_t msgsize);

bool tg_contains(const uint8_t *h, size_t hl, const void *n, size_t nl);
/* How many times needle stands in text, not overlapping. */
size_t tg_count(const char *text, const char *needle);
/* How many lines of text start with prefix. */
size_t tg_count_lines(const char *text, const char *prefix);
/* Run the suite; the exit status of a test binary. */
int tg_main(Suite *s);

#endif
