/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * replay.c: records in file order -> events in time order, within a
 * reorder buffer bounded by one round (DESIGN: ROUND records).
 */
#ifndef SA_REPLAY_H
#define SA_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "format/skr.h"

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
/*
 * The oldest event held (data, len and type of *rec; valid until the next
 * call of sa_replay_next): most often the one the next call returns, but
 * that call may read an older one first.  false when none is held.  A
 * hint for what to ask the cache for, nothing more.  *after is the event
 * held behind it in its run, a guess at the one after (len 0: none).
 */
bool sa_replay_peek(struct sa_replay *rp, struct skr_record *rec,
		    struct skr_record *after);
void sa_replay_free(struct sa_replay *rp);

/* Push interface over the same: read r to its end, events to ops->event. */
int sa_replay_run(struct skr_reader *r, const struct sa_replay_opts *opts,
		  const struct sa_replay_ops *ops, void *ctx,
		  struct sa_replay_stats *st);

#endif /* SA_REPLAY_H */
