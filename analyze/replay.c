/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Restore time order.  Per-CPU perf buffers interleave events out of time
 * order; the recorder writes ROUND records promising that no later event
 * is older than the round's horizon.  Events are copied into a min-heap on
 * (ts_ns, file order) and released when a horizon passes them, so memory is
 * bounded by one round.  A file without rounds (or with rounds too far
 * apart) hits the heap's bound instead: the oldest event is then released
 * early and counted, trading exact order for bounded memory.
 *
 * The interface pulls one event at a time (sa_replay_next), so that the
 * replays of several inputs can be merged by their heads; sa_replay_run is
 * the push form for a single input.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/sockana.h"

struct held {
	uint32_t len;
	uint32_t segment;
	uint16_t type;
	uint16_t flags;
	uint16_t minor;
	uint8_t data[];
};

struct slot {
	uint64_t ts;
	uint64_t seq;			/* file order breaks ties */
	struct held *h;
};

struct sa_replay {
	struct skr_reader *r;
	const struct sa_replay_ops *ops;
	void *ctx;
	struct sa_replay_stats *st;
	struct slot *heap;
	size_t n, cap;
	size_t bytes;
	size_t max_events, max_bytes;
	uint64_t seq;
	uint64_t last_released;
	bool released_any;
	struct held *cur;		/* handed out by the last next() */
	/*
	 * A ROUND, END or FILE_HEADER read but not yet passed on: the events
	 * it releases must come out before it does.  Its data stays valid
	 * because the reader is not called again until it is passed on.
	 */
	bool pending;
	struct skr_record pend;
	bool release_all;		/* pending is END or FILE_HEADER */
	uint64_t horizon;		/* pending is ROUND(horizon) */
	bool eof;
};

/* Bytes an event costs while held, for the memory bound. */
static size_t held_cost(uint32_t len)
{
	return sizeof(struct held) + len + sizeof(struct slot);
}

static bool slot_less(const struct slot *a, const struct slot *b)
{
	return a->ts < b->ts || (a->ts == b->ts && a->seq < b->seq);
}

static void sift_up(struct slot *h, size_t i)
{
	while (i > 0) {
		size_t p = (i - 1) / 2;
		struct slot t;

		if (!slot_less(&h[i], &h[p]))
			break;
		t = h[i];
		h[i] = h[p];
		h[p] = t;
		i = p;
	}
}

static void sift_down(struct slot *h, size_t n, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		struct slot t;

		if (l < n && slot_less(&h[l], &h[m]))
			m = l;
		if (r < n && slot_less(&h[r], &h[m]))
			m = r;
		if (m == i)
			break;
		t = h[i];
		h[i] = h[m];
		h[m] = t;
		i = m;
	}
}

/* Take the oldest held event out of the heap; it becomes rp->cur. */
static void pop(struct sa_replay *rp, struct skr_record *rec, uint64_t *ts)
{
	struct slot top = rp->heap[0];

	rp->heap[0] = rp->heap[--rp->n];
	sift_down(rp->heap, rp->n, 0);
	rp->bytes -= held_cost(top.h->len);

	memset(rec, 0, sizeof(*rec));
	rec->data = top.h->data;
	rec->len = top.h->len;
	rec->type = top.h->type;
	rec->flags = top.h->flags;
	rec->segment = top.h->segment;
	rec->minor = top.h->minor;
	*ts = top.ts;
	rp->last_released = top.ts;
	rp->released_any = true;
	rp->st->events++;
	free(rp->cur);
	rp->cur = top.h;
}

/*
 * Hold one event.  When the bounds are reached the oldest held event is
 * released early (returns 1 with it in rec/ts); otherwise returns 0.
 */
static int hold(struct sa_replay *rp, const struct skr_record *in,
		struct skr_record *rec, uint64_t *ts, uint64_t in_ts)
{
	size_t cost = held_cost(in->len);
	struct held *h;
	int ret = 0;

	if (rp->n > 0 &&
	    (rp->n >= rp->max_events || rp->bytes + cost > rp->max_bytes)) {
		rp->st->forced++;
		pop(rp, rec, ts);
		ret = 1;
	}
	if (rp->released_any && in_ts < rp->last_released)
		rp->st->late++;
	if (rp->n == rp->cap) {
		size_t cap = rp->cap ? rp->cap * 2 : 1024;
		struct slot *heap;

		if (cap > rp->max_events)
			cap = rp->max_events;
		heap = realloc(rp->heap, cap * sizeof(*heap));
		if (!heap)
			return -ENOMEM;
		rp->heap = heap;
		rp->cap = cap;
	}
	h = malloc(sizeof(*h) + in->len);
	if (!h)
		return -ENOMEM;
	h->len = in->len;
	h->segment = in->segment;
	h->type = in->type;
	h->flags = in->flags;
	h->minor = in->minor;
	memcpy(h->data, in->data, in->len);

	rp->heap[rp->n].ts = in_ts;
	rp->heap[rp->n].seq = rp->seq++;
	rp->heap[rp->n].h = h;
	sift_up(rp->heap, rp->n);
	rp->n++;
	rp->bytes += cost;
	if (rp->n > rp->st->peak_held)
		rp->st->peak_held = rp->n;
	if (rp->bytes > rp->st->peak_bytes)
		rp->st->peak_bytes = rp->bytes;
	return ret;
}

int sa_replay_new(struct sa_replay **rpp, struct skr_reader *r,
		  const struct sa_replay_opts *opts,
		  const struct sa_replay_ops *ops, void *ctx,
		  struct sa_replay_stats *st)
{
	struct sa_replay *rp;

	memset(st, 0, sizeof(*st));
	rp = calloc(1, sizeof(*rp));
	if (!rp)
		return -ENOMEM;
	rp->r = r;
	rp->ops = ops;
	rp->ctx = ctx;
	rp->st = st;
	rp->max_events = opts && opts->max_events ? opts->max_events
						 : SA_REPLAY_MAX_EVENTS;
	rp->max_bytes = opts && opts->max_bytes ? opts->max_bytes
					       : SA_REPLAY_MAX_BYTES;
	*rpp = rp;
	return 0;
}

int sa_replay_next(struct sa_replay *rp, struct skr_record *rec,
		   uint64_t *ts)
{
	struct skr_record in;
	struct skr_round round;
	struct skr_snapshot snap;
	uint64_t in_ts;
	int ret, err;

	for (;;) {
		if (rp->pending) {
			if (rp->n > 0 && (rp->release_all ||
					  rp->heap[0].ts < rp->horizon)) {
				pop(rp, rec, ts);
				return 1;
			}
			rp->pending = false;
			err = rp->ops->meta ? rp->ops->meta(rp->ctx, &rp->pend)
					    : 0;
			if (err)
				return err;
		}
		if (rp->eof) {
			if (rp->n == 0)
				return 0;
			pop(rp, rec, ts);
			return 1;
		}
		ret = skr_reader_next(rp->r, &in);
		if (ret < 0) {
			rp->st->reader_failed = true;
			return ret;
		}
		if (ret == 0) {
			rp->eof = true;
			continue;
		}
		if (in.type >= 0x0100) {
			if (skr_event_ts(&in, &in_ts) != 0) {
				rp->st->malformed++;
				continue;
			}
			ret = hold(rp, &in, rec, ts, in_ts);
			if (ret != 0)
				return ret;
			continue;
		}
		switch (in.type) {
		case SKR_REC_SNAPSHOT:
			/*
			 * Metadata, but it describes sockets at a time: it also
			 * joins the time order, so that the merge of several
			 * inputs puts it where it belongs.
			 */
			err = rp->ops->meta ? rp->ops->meta(rp->ctx, &in) : 0;
			if (err)
				return err;
			if (skr_decode_snapshot(&in, &snap) != 0)
				continue;
			ret = hold(rp, &in, rec, ts, snap.ts_ns);
			if (ret != 0)
				return ret;
			continue;
		case SKR_REC_ROUND:
			if (skr_decode_round(&in, &round) != 0)
				break;
			rp->st->rounds++;
			rp->pending = true;
			rp->release_all = false;
			rp->horizon = round.horizon_ns;
			break;
		case SKR_REC_END:
		case SKR_REC_FILE_HEADER:
			/* A new FILE_HEADER: the previous segment may lack END. */
			rp->pending = true;
			rp->release_all = true;
			break;
		default:
			break;
		}
		if (rp->pending) {
			rp->pend = in;
			continue;
		}
		err = rp->ops->meta ? rp->ops->meta(rp->ctx, &in) : 0;
		if (err)
			return err;
	}
}

void sa_replay_free(struct sa_replay *rp)
{
	if (!rp)
		return;
	while (rp->n > 0)
		free(rp->heap[--rp->n].h);
	free(rp->heap);
	free(rp->cur);
	free(rp);
}

int sa_replay_run(struct skr_reader *r, const struct sa_replay_opts *opts,
		  const struct sa_replay_ops *ops, void *ctx,
		  struct sa_replay_stats *st)
{
	struct sa_replay *rp = NULL;
	struct skr_record rec;
	uint64_t ts;
	int ret;

	ret = sa_replay_new(&rp, r, opts, ops, ctx, st);
	if (ret)
		return ret;
	while ((ret = sa_replay_next(rp, &rec, &ts)) == 1) {
		ret = ops->event(ctx, &rec, ts);
		if (ret)
			break;
	}
	sa_replay_free(rp);
	return ret;
}
