/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Restore time order.  Per-CPU perf buffers interleave events out of time
 * order; the recorder writes ROUND records promising that no later event
 * is older than the round's horizon.  Events are held in order of
 * (ts_ns, file order) and released when a horizon passes them, so memory is
 * bounded by one round.  A file without rounds (or with rounds too far
 * apart) hits the bound on held events instead: the oldest event is then
 * released early and counted, trading exact order for bounded memory.
 *
 * Each CPU's buffer is already in time order, so a round is a few sorted
 * runs one after the other.  Held events go onto sorted runs (an event
 * joins a run whose last event is not later than it), and what fits none
 * of RUNS_MAX runs goes into a min-heap; the next event out is the least
 * of the runs' heads and the heap's top.  On a recorder's file that is a
 * compare or two per event instead of a heap's log2(held), and the order
 * is (ts_ns, file order) whatever the input.
 *
 * Held records are copied, since the reader's frame buffer moves on; the
 * copies come from per-size free lists rather than one malloc per event.
 *
 * The interface pulls one event at a time (sa_replay_next), so that the
 * replays of several inputs can be merged by their heads; sa_replay_run is
 * the push form for a single input.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/sockana.h"

/* Free lists of held records by size, in steps of CLASS_STEP bytes. */
#define CLASS_STEP	64u
#define CLASSES		16u

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

#define RUNS_MAX	32
#define RUN_KEEP	4096	/* slots an emptied run keeps for reuse */
#define NO_RUN		SIZE_MAX

/* A sorted run: a ring of slots, capacity a power of two. */
struct run {
	struct slot *v;
	size_t head, n, cap;
};

struct sa_replay {
	struct skr_reader *r;
	const struct sa_replay_ops *ops;
	void *ctx;
	struct sa_replay_stats *st;
	struct run runs[RUNS_MAX];	/* [0, nruns) hold events */
	size_t nruns;
	size_t last;			/* run the last event joined, or NO_RUN */
	struct slot *heap;		/* what fits no run */
	size_t hn, cap;
	size_t n;			/* events held: runs and heap */
	size_t bytes;
	size_t max_events, max_bytes;
	uint64_t seq;
	uint64_t last_released;
	bool released_any;
	struct held *cur;		/* handed out by the last next() */
	struct held *spare[CLASSES];	/* freed, by size class */
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

/* Class 0 is never used, so a free record's data can hold the link. */
static unsigned size_class(uint32_t len)
{
	unsigned c = (unsigned)((len + CLASS_STEP - 1) / CLASS_STEP);

	return c ? c : 1;
}

static struct held *next_spare(const struct held *h)
{
	struct held *n;

	memcpy(&n, h->data, sizeof(n));
	return n;
}

static struct held *held_alloc(struct sa_replay *rp, uint32_t len)
{
	unsigned c = size_class(len);
	struct held *h;

	if (c >= CLASSES)
		return malloc(sizeof(*h) + len);
	h = rp->spare[c];
	if (h) {
		rp->spare[c] = next_spare(h);
		return h;
	}
	return malloc(sizeof(*h) + (size_t)c * CLASS_STEP);
}

/* Spares never outnumber the events held at the peak, which are bounded. */
static void held_free(struct sa_replay *rp, struct held *h)
{
	unsigned c;

	if (!h)
		return;
	c = size_class(h->len);
	if (c >= CLASSES) {
		free(h);
		return;
	}
	memcpy(h->data, &rp->spare[c], sizeof(rp->spare[c]));
	rp->spare[c] = h;
}

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

static struct slot *run_head(const struct run *r)
{
	return &r->v[r->head];
}

static struct slot *run_tail(const struct run *r)
{
	return &r->v[(r->head + r->n - 1) & (r->cap - 1)];
}

static int run_append(struct run *r, const struct slot *s)
{
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 64, i;
		struct slot *v = malloc(cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		for (i = 0; i < r->n; i++)
			v[i] = r->v[(r->head + i) & (r->cap - 1)];
		free(r->v);
		r->v = v;
		r->cap = cap;
		r->head = 0;
	}
	r->v[(r->head + r->n) & (r->cap - 1)] = *s;
	r->n++;
	return 0;
}

/* Where the oldest held event is: a run's index, or NO_RUN for the heap. */
static size_t oldest(const struct sa_replay *rp, const struct slot **min)
{
	const struct slot *m = rp->hn > 0 ? &rp->heap[0] : NULL;
	size_t i, at = NO_RUN;

	for (i = 0; i < rp->nruns; i++) {
		const struct slot *h = run_head(&rp->runs[i]);

		if (!m || slot_less(h, m)) {
			m = h;
			at = i;
		}
	}
	*min = m;
	return at;
}

static uint64_t oldest_ts(const struct sa_replay *rp)
{
	const struct slot *min;

	oldest(rp, &min);
	return min->ts;
}

static struct slot take(struct sa_replay *rp, size_t at)
{
	struct slot top;
	struct run *r, t;

	if (at == NO_RUN) {
		top = rp->heap[0];
		rp->heap[0] = rp->heap[--rp->hn];
		sift_down(rp->heap, rp->hn, 0);
		return top;
	}
	r = &rp->runs[at];
	top = *run_head(r);
	r->head = (r->head + 1) & (r->cap - 1);
	if (--r->n > 0)
		return top;
	/* Emptied: move it past the runs in use, keeping a small ring. */
	r->head = 0;
	if (r->cap > RUN_KEEP) {
		free(r->v);
		r->v = NULL;
		r->cap = 0;
	}
	rp->nruns--;
	t = *r;
	*r = rp->runs[rp->nruns];
	rp->runs[rp->nruns] = t;
	if (rp->last == at)
		rp->last = NO_RUN;
	else if (rp->last == rp->nruns)
		rp->last = at;
	return top;
}

/* Take the oldest held event; it becomes rp->cur. */
static void pop(struct sa_replay *rp, struct skr_record *rec, uint64_t *ts)
{
	const struct slot *min;
	struct slot top = take(rp, oldest(rp, &min));

	rp->n--;
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
	held_free(rp, rp->cur);
	rp->cur = top.h;
}

/*
 * Put s where it keeps its run sorted: the run the last event joined,
 * else the run whose last event is the latest not later than s (which
 * keeps runs few), else a new run, else the heap.
 */
static int place(struct sa_replay *rp, const struct slot *s)
{
	size_t i, best = NO_RUN;

	if (rp->last != NO_RUN && run_tail(&rp->runs[rp->last])->ts <= s->ts) {
		best = rp->last;
	} else {
		for (i = 0; i < rp->nruns; i++) {
			const struct slot *t = run_tail(&rp->runs[i]);

			if (t->ts <= s->ts && (best == NO_RUN ||
			    t->ts > run_tail(&rp->runs[best])->ts))
				best = i;
		}
	}
	if (best == NO_RUN && rp->nruns < RUNS_MAX)
		best = rp->nruns++;
	if (best != NO_RUN) {
		int err = run_append(&rp->runs[best], s);

		if (err) {
			if (rp->runs[best].n == 0)
				rp->nruns--;	/* the new run stays unused */
			return err;
		}
		rp->last = best;
		return 0;
	}
	if (rp->hn == rp->cap) {
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
	rp->heap[rp->hn] = *s;
	sift_up(rp->heap, rp->hn);
	rp->hn++;
	return 0;
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
	struct slot s;
	int ret = 0, err;

	if (rp->n > 0 &&
	    (rp->n >= rp->max_events || rp->bytes + cost > rp->max_bytes)) {
		rp->st->forced++;
		pop(rp, rec, ts);
		ret = 1;
	}
	if (rp->released_any && in_ts < rp->last_released)
		rp->st->late++;
	h = held_alloc(rp, in->len);
	if (!h)
		return -ENOMEM;
	h->len = in->len;
	h->segment = in->segment;
	h->type = in->type;
	h->flags = in->flags;
	h->minor = in->minor;
	memcpy(h->data, in->data, in->len);
	s.ts = in_ts;
	s.seq = rp->seq++;
	s.h = h;
	err = place(rp, &s);
	if (err) {
		held_free(rp, h);
		return err;
	}
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
	rp->last = NO_RUN;
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
					  oldest_ts(rp) < rp->horizon)) {
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
		if (skr_rec_is_event(in.type)) {
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
	struct held *h;
	unsigned c;

	if (!rp)
		return;
	while (rp->hn > 0)
		free(rp->heap[--rp->hn].h);
	free(rp->heap);
	for (c = 0; c < RUNS_MAX; c++) {
		struct run *r = &rp->runs[c];

		for (; r->n > 0; r->n--) {
			free(r->v[r->head].h);
			r->head = (r->head + 1) & (r->cap - 1);
		}
		free(r->v);
	}
	free(rp->cur);
	for (c = 0; c < CLASSES; c++) {
		while ((h = rp->spare[c]) != NULL) {
			rp->spare[c] = next_spare(h);
			free(h);
		}
	}
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
