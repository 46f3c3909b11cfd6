/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Restore time order.  Per-CPU perf buffers interleave events out of time
 * order; the recorder writes ROUND records promising that no later event
 * is older than the round's horizon.  Events are copied into a min-heap on
 * (ts_ns, file order) and released when a horizon passes them, so memory is
 * bounded by one round.  A file without rounds (or with rounds too far
 * apart) hits the heap's bound instead: the oldest event is then released
 * early and counted, trading exact order for bounded memory.
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

struct replay {
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

/* Release the oldest held event to the callback. */
static int release_one(struct replay *rp)
{
	struct slot top = rp->heap[0];
	struct skr_record rec;
	int err;

	rp->heap[0] = rp->heap[--rp->n];
	sift_down(rp->heap, rp->n, 0);
	rp->bytes -= held_cost(top.h->len);

	memset(&rec, 0, sizeof(rec));
	rec.data = top.h->data;
	rec.len = top.h->len;
	rec.type = top.h->type;
	rec.flags = top.h->flags;
	rec.segment = top.h->segment;
	rec.minor = top.h->minor;
	rp->last_released = top.ts;
	rp->released_any = true;
	rp->st->events++;
	err = rp->ops->event(rp->ctx, &rec, top.ts);
	free(top.h);
	return err;
}

static int release_before(struct replay *rp, uint64_t horizon)
{
	int err = 0;

	while (err == 0 && rp->n > 0 && rp->heap[0].ts < horizon)
		err = release_one(rp);
	return err;
}

static int release_all(struct replay *rp)
{
	int err = 0;

	while (err == 0 && rp->n > 0)
		err = release_one(rp);
	return err;
}

static int hold(struct replay *rp, const struct skr_record *rec, uint64_t ts)
{
	size_t cost = held_cost(rec->len);
	struct held *h;
	int err;

	while (rp->n > 0 &&
	       (rp->n >= rp->max_events || rp->bytes + cost > rp->max_bytes)) {
		rp->st->forced++;
		err = release_one(rp);
		if (err)
			return err;
	}
	if (rp->released_any && ts < rp->last_released)
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
	h = malloc(sizeof(*h) + rec->len);
	if (!h)
		return -ENOMEM;
	h->len = rec->len;
	h->segment = rec->segment;
	h->type = rec->type;
	h->flags = rec->flags;
	h->minor = rec->minor;
	memcpy(h->data, rec->data, rec->len);

	rp->heap[rp->n].ts = ts;
	rp->heap[rp->n].seq = rp->seq++;
	rp->heap[rp->n].h = h;
	sift_up(rp->heap, rp->n);
	rp->n++;
	rp->bytes += cost;
	if (rp->n > rp->st->peak_held)
		rp->st->peak_held = rp->n;
	if (rp->bytes > rp->st->peak_bytes)
		rp->st->peak_bytes = rp->bytes;
	return 0;
}

static int meta_record(struct replay *rp, const struct skr_record *rec)
{
	struct skr_round round;
	int err = 0;

	switch (rec->type) {
	case SKR_REC_ROUND:
		if (skr_decode_round(rec, &round) == 0) {
			rp->st->rounds++;
			err = release_before(rp, round.horizon_ns);
		}
		break;
	case SKR_REC_END:
		err = release_all(rp);
		break;
	case SKR_REC_FILE_HEADER:
		/* The previous segment may have been cut before its END. */
		err = release_all(rp);
		break;
	default:
		break;
	}
	return err ? err : rp->ops->meta(rp->ctx, rec);
}

int sa_replay_run(struct skr_reader *r, const struct sa_replay_opts *opts,
		  const struct sa_replay_ops *ops, void *ctx,
		  struct sa_replay_stats *st)
{
	struct replay rp;
	struct skr_record rec;
	uint64_t ts;
	int ret, err = 0;

	memset(st, 0, sizeof(*st));
	memset(&rp, 0, sizeof(rp));
	rp.ops = ops;
	rp.ctx = ctx;
	rp.st = st;
	rp.max_events = opts && opts->max_events ? opts->max_events
						 : SA_REPLAY_MAX_EVENTS;
	rp.max_bytes = opts && opts->max_bytes ? opts->max_bytes
					       : SA_REPLAY_MAX_BYTES;

	while (err == 0 && (ret = skr_reader_next(r, &rec)) != 0) {
		if (ret < 0) {
			st->reader_failed = true;
			err = ret;
			break;
		}
		if (rec.type < 0x0100) {
			err = meta_record(&rp, &rec);
		} else if (skr_event_ts(&rec, &ts) == 0) {
			err = hold(&rp, &rec, ts);
		} else {
			st->malformed++;
		}
	}
	if (err == 0)
		err = release_all(&rp);

	while (rp.n > 0)
		free(rp.heap[--rp.n].h);
	free(rp.heap);
	return err;
}
