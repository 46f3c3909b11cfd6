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
 * A run is a list linked through its records, so it costs nothing beyond
 * them (no ring to double); only the heap is an array.
 *
 * The memory bound counts what is allocated, not what is asked for: every
 * record's malloc chunk (sa_mem_cost) whether held, just handed out or on
 * a free list, the heap's capacity, and a grown heap together with the
 * old one while realloc copies.  An event that does not fit waits (it is
 * the reader's record, valid until the reader is called again) while the
 * oldest held events are released early, one per call; the free lists
 * and an empty heap are given back before any event is released early.
 *
 * The interface pulls one event at a time (sa_replay_next), so that the
 * replays of several inputs can be merged by their heads; sa_replay_run is
 * the push form for a single input.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/inline.h"
#include "analyze/le.h"
#include "analyze/memory.h"
#include "analyze/replay.h"
#include "format/skr.h"

/* Free lists of held records by size, in steps of CLASS_STEP bytes. */
#define CLASS_STEP	16u
#define CLASSES		32u

struct held {
	struct held *next;		/* in its run, or on a free list */
	uint64_t ts;
	uint64_t seq;			/* file order breaks ties */
	uint32_t len;
	uint32_t segment;
	uint16_t type;
	uint16_t flags;
	uint16_t minor;
	uint16_t pad;
	uint8_t data[];
};

#define RUNS_MAX	32
#define NO_RUN		SIZE_MAX
#define HEAP_MIN	1024

/* A sorted run: a list from its oldest event to its latest. */
struct run {
	struct held *head, *tail;
};

struct sa_replay {
	struct skr_reader *r;
	const struct sa_replay_ops *ops;
	void *ctx;
	struct sa_replay_stats *st;
	struct run runs[RUNS_MAX];	/* [0, nruns) hold events */
	size_t nruns;
	size_t last;			/* run the last event joined, or NO_RUN */
	struct held **heap;		/* what fits no run */
	size_t hn, cap;
	size_t n;			/* events held: runs and heap */
	size_t bytes;			/* allocated: see the top of the file */
	size_t spare_bytes;		/* of which on the free lists */
	size_t max_events, max_bytes;
	uint64_t seq;
	uint64_t last_released;
	bool released_any;
	struct held *cur;		/* handed out by the last next() */
	/*
	 * The oldest held event as sa_replay_peek() found it, until an event
	 * is placed or taken: pop() need not look for it again.
	 */
	bool peeked;
	size_t peek_at;
	const struct held *peek_min;
	struct held *spare[CLASSES];	/* freed, by size class */
	/*
	 * held_cost() of each class, worked out once: it is asked for
	 * several times per event, and sa_mem_cost() is a call away.
	 */
	size_t class_cost[CLASSES];
	/*
	 * An event read but not yet held, because holding it would pass the
	 * bounds: it waits while older ones are released early.  Its data
	 * stays valid because the reader is not called again until then.
	 */
	bool waiting;
	struct skr_record in;
	uint64_t in_ts;
	/*
	 * A ROUND, END or FILE_HEADER read but not yet passed on: the events
	 * it releases must come out before it does.  Its data stays valid
	 * for the same reason.
	 */
	bool pending;
	struct skr_record pend;
	bool release_all;		/* pending is END or FILE_HEADER */
	uint64_t horizon;		/* pending is ROUND(horizon) */
	bool eof;
};

/*
 * A record's fields reach here stored one by one (by the reader, then by
 * wait_for_room()), and a load the compiler merges from several of them
 * waits for those stores to retire: store forwarding fails.  It merged
 * len, type and flags into one 8-byte load, and type and flags into one
 * 4-byte load, two quarters and a half of this file's samples.  A
 * volatile read is one load of its own.
 */
static uint16_t load16(const uint16_t *p)
{
	return *(const volatile uint16_t *)p;
}

static uint32_t load32(const uint32_t *p)
{
	return *(const volatile uint32_t *)p;
}

static unsigned size_class(uint32_t len)
{
	return (unsigned)((len + CLASS_STEP - 1) / CLASS_STEP);
}

/* Bytes malloc is asked for to hold a record of len bytes. */
static size_t held_size(uint32_t len)
{
	unsigned c = size_class(len);

	if (c >= CLASSES)
		return offsetof(struct held, data) + len;
	return offsetof(struct held, data) + (size_t)c * CLASS_STEP;
}

/* What holding a record of len bytes costs, as allocated. */
static size_t held_cost(const struct sa_replay *rp, uint32_t len)
{
	unsigned c = size_class(len);

	if (c < CLASSES)
		return rp->class_cost[c];
	return sa_mem_cost(held_size(len));
}

static void charge(struct sa_replay *rp, size_t bytes)
{
	rp->bytes += bytes;
	if (rp->bytes > rp->st->peak_bytes)
		rp->st->peak_bytes = rp->bytes;
}

/* c is size_class(len), worked out once by the caller (every event). */
static struct held *held_alloc(struct sa_replay *rp, uint32_t len,
			       unsigned c)
{
	struct held *h;

	if (c < CLASSES && rp->spare[c]) {
		h = rp->spare[c];
		rp->spare[c] = h->next;
		rp->spare_bytes -= rp->class_cost[c];
		return h;
	}
	h = malloc(held_size(len));
	if (h)
		charge(rp, held_cost(rp, len));
	return h;
}

/* Once per event (pop): inline, the class's cost from its table. */
static inline void held_free(struct sa_replay *rp, struct held *h)
{
	unsigned c;

	if (!h)
		return;
	c = size_class(h->len);
	if (c >= CLASSES) {
		rp->bytes -= held_cost(rp, h->len);
		free(h);
		return;
	}
	h->next = rp->spare[c];
	rp->spare[c] = h;
	rp->spare_bytes += rp->class_cost[c];
}

/*
 * Give back the free lists except class keep (the one the waiting event
 * would use), and the heap's array if it is empty.  Returns whether
 * anything was freed.
 */
static bool trim(struct sa_replay *rp, unsigned keep)
{
	bool freed = false;
	struct held *h;
	unsigned c;

	for (c = 0; c < CLASSES; c++) {
		if (c == keep)
			continue;
		while ((h = rp->spare[c]) != NULL) {
			rp->spare[c] = h->next;
			rp->spare_bytes -= held_cost(rp, h->len);
			rp->bytes -= held_cost(rp, h->len);
			free(h);
			freed = true;
		}
	}
	if (rp->hn == 0 && rp->heap) {
		rp->bytes -= sa_mem_cost(rp->cap * sizeof(*rp->heap));
		free(rp->heap);
		rp->heap = NULL;
		rp->cap = 0;
		freed = true;
	}
	return freed;
}

static bool held_less(const struct held *a, const struct held *b)
{
	return a->ts < b->ts || (a->ts == b->ts && a->seq < b->seq);
}

static void sift_up(struct held **h, size_t i)
{
	while (i > 0) {
		size_t p = (i - 1) / 2;
		struct held *t;

		if (!held_less(h[i], h[p]))
			break;
		t = h[i];
		h[i] = h[p];
		h[p] = t;
		i = p;
	}
}

static void sift_down(struct held **h, size_t n, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		struct held *t;

		if (l < n && held_less(h[l], h[m]))
			m = l;
		if (r < n && held_less(h[r], h[m]))
			m = r;
		if (m == i)
			break;
		t = h[i];
		h[i] = h[m];
		h[m] = t;
		i = m;
	}
}

/* Where the oldest held event is: a run's index, or NO_RUN for the heap. */
static size_t oldest(const struct sa_replay *rp, const struct held **min)
{
	const struct held *m = rp->hn > 0 ? rp->heap[0] : NULL;
	size_t i, at = NO_RUN;

	for (i = 0; i < rp->nruns; i++) {
		const struct held *h = rp->runs[i].head;

		if (!m || held_less(h, m)) {
			m = h;
			at = i;
		}
	}
	*min = m;
	return at;
}

/*
 * The oldest held event (rp->n > 0), looked for once until an event is
 * placed or taken: the merge peeks at it, then the round's release tests
 * it, then pop() takes it.
 */
static inline const struct held *oldest_held(struct sa_replay *rp)
{
	if (!rp->peeked) {
		rp->peek_at = oldest(rp, &rp->peek_min);
		rp->peeked = true;
	}
	return rp->peek_min;
}

static struct held *take(struct sa_replay *rp, size_t at)
{
	struct held *top;
	struct run *r, t;

	if (at == NO_RUN) {
		top = rp->heap[0];
		rp->heap[0] = rp->heap[--rp->hn];
		sift_down(rp->heap, rp->hn, 0);
		return top;
	}
	r = &rp->runs[at];
	top = r->head;
	r->head = top->next;
	if (r->head)
		return top;
	/* Emptied: move it past the runs in use. */
	r->tail = NULL;
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

/*
 * Take the oldest held event; it becomes rp->cur.  Once per event:
 * inlined into its callers, since GCC kept it a call.
 */
static SA_ALWAYS_INLINE void pop(struct sa_replay *rp,
				 struct skr_record *rec, uint64_t *ts)
{
	struct held *top;

	oldest_held(rp);
	rp->peeked = false;
	top = take(rp, rp->peek_at);

	rp->n--;
	rec->data = top->data;
	rec->len = top->len;
	rec->type = top->type;
	rec->flags = top->flags;
	rec->segment = top->segment;
	rec->minor = top->minor;
	*ts = top->ts;
	rp->last_released = top->ts;
	rp->released_any = true;
	rp->st->events++;
	held_free(rp, rp->cur);
	rp->cur = top;
}

/* pop() for admit()'s early release, which is rare: kept out of admit(). */
static SA_NOINLINE void pop_early(struct sa_replay *rp,
				  struct skr_record *rec, uint64_t *ts)
{
	rp->st->forced++;
	pop(rp, rec, ts);
}

/*
 * The run an event of time ts joins: the run the last event joined, else
 * the run whose last event is the latest not later than ts (which keeps
 * runs few), else a new run; NO_RUN when it must go to the heap.
 */
static size_t choose_run(const struct sa_replay *rp, uint64_t ts)
{
	size_t i, best = NO_RUN;

	if (rp->last != NO_RUN && rp->runs[rp->last].tail->ts <= ts)
		return rp->last;
	for (i = 0; i < rp->nruns; i++) {
		const struct held *t = rp->runs[i].tail;

		if (t->ts <= ts && (best == NO_RUN ||
		    t->ts > rp->runs[best].tail->ts))
			best = i;
	}
	if (best == NO_RUN && rp->nruns < RUNS_MAX)
		best = rp->nruns;
	return best;
}

/* Capacity of the heap once it must grow past cap. */
static size_t heap_grown(const struct sa_replay *rp)
{
	size_t cap = rp->cap ? rp->cap * 2 : HEAP_MIN;

	if (cap > rp->max_events)
		cap = rp->max_events;
	return cap > rp->hn ? cap : rp->hn + 1;
}

/* Bytes holding the waiting event would add (the heap while it grows). */
static size_t admit_cost(const struct sa_replay *rp, uint32_t len,
			 unsigned c, size_t best)
{
	size_t cost = 0;

	if (c >= CLASSES || !rp->spare[c])
		cost += held_cost(rp, len);
	if (best == NO_RUN && rp->hn == rp->cap)
		cost += sa_mem_cost(heap_grown(rp) * sizeof(*rp->heap));
	return cost;
}

/* Hold h in run best (choose_run() of its time), or the heap. */
static int place(struct sa_replay *rp, struct held *h, size_t best)
{
	struct run *r;

	rp->peeked = false;
	h->next = NULL;
	if (best != NO_RUN) {
		r = &rp->runs[best];
		if (best == rp->nruns) {
			rp->nruns++;
			r->head = h;
		} else {
			r->tail->next = h;
		}
		r->tail = h;
		rp->last = best;
		return 0;
	}
	if (rp->hn == rp->cap) {
		size_t cap = heap_grown(rp);
		size_t old = rp->heap ? sa_mem_cost(rp->cap * sizeof(*rp->heap))
				      : 0;
		struct held **heap;

		/* realloc may copy: both arrays exist for a moment. */
		charge(rp, sa_mem_cost(cap * sizeof(*heap)));
		heap = realloc(rp->heap, cap * sizeof(*heap));
		if (!heap) {
			rp->bytes -= sa_mem_cost(cap * sizeof(*heap));
			return -ENOMEM;
		}
		rp->bytes -= old;
		rp->heap = heap;
		rp->cap = cap;
	}
	rp->heap[rp->hn] = h;
	sift_up(rp->heap, rp->hn);
	rp->hn++;
	return 0;
}

/*
 * Hold the event in (read just now, or waiting).  While it does not fit
 * the bounds, give back what is not in use, then release the oldest held
 * event early (returns 1 with it in rec/ts; the event is not held: the
 * caller keeps it waiting).  Returns 0 once it is held.
 */
static int admit(struct sa_replay *rp, const struct skr_record *in,
		 uint64_t in_ts, struct skr_record *rec, uint64_t *ts)
{
	/* Neither trim() nor the loop's tests move an event: chosen once. */
	size_t best = choose_run(rp, in_ts);
	unsigned c = size_class(in->len);
	struct held *h;
	int err;

	while (rp->n > 0) {
		if (rp->n < rp->max_events &&
		    rp->bytes + admit_cost(rp, in->len, c, best) <=
		    rp->max_bytes)
			break;
		if (rp->n < rp->max_events && trim(rp, c))
			continue;
		pop_early(rp, rec, ts);
		return 1;
	}
	if (rp->released_any && in_ts < rp->last_released)
		rp->st->late++;
	h = held_alloc(rp, in->len, c);
	if (!h)
		return -ENOMEM;
	h->len = in->len;
	h->segment = in->segment;
	h->type = load16(&in->type);
	h->flags = load16(&in->flags);
	h->minor = in->minor;
	h->ts = in_ts;
	h->seq = rp->seq++;
	/*
	 * A state change as sockrec writes it (most events) is copied with a
	 * size the compiler knows, without a call to libc's memcpy; any other
	 * length as it is.  Either way len bytes, which the reader handed out
	 * and held_alloc() made room for.
	 */
	if (in->len == sizeof(struct skr_ev_state4))
		memcpy(h->data, in->data, sizeof(struct skr_ev_state4));
	else if (in->len == sizeof(struct skr_ev_state))
		memcpy(h->data, in->data, sizeof(struct skr_ev_state));
	else
		memcpy(h->data, in->data, in->len);
	err = place(rp, h, best);
	if (err) {
		held_free(rp, h);
		return err;
	}
	rp->waiting = false;
	rp->n++;
	if (rp->n > rp->st->peak_held)
		rp->st->peak_held = rp->n;
	return 0;
}

/* An event read: it waits to be held (sa_replay_next admits it). */
static void wait_for_room(struct sa_replay *rp, const struct skr_record *in,
			  uint64_t in_ts)
{
	rp->waiting = true;
	/*
	 * Field by field: the reader has just stored them one by one, and a
	 * struct copy's wide loads would wait for those stores to retire.
	 */
	rp->in.data = in->data;
	rp->in.len = load32(&in->len);
	rp->in.type = load16(&in->type);
	rp->in.flags = load16(&in->flags);
	rp->in.segment = in->segment;
	rp->in.minor = in->minor;
	rp->in_ts = in_ts;
}

/*
 * admit() of an event from a span in its most common case, spelt out
 * once here: it joins the run the last event joined, and a record of its
 * size class is on a free list, so it costs no byte more
 * (admit_cost() is 0) and, the bounds not passed yet, fits them.
 * Returns false, having done nothing, in every other case.
 */
static inline bool hold_fast(struct sa_replay *rp, const uint8_t *p,
			     uint32_t len, uint64_t in_ts, uint32_t segment,
			     uint16_t minor)
{
	unsigned c = size_class(len);
	struct held *h, *tail;

	if (c >= CLASSES || !rp->spare[c] || rp->last == NO_RUN ||
	    rp->n >= rp->max_events || rp->bytes > rp->max_bytes)
		return false;
	tail = rp->runs[rp->last].tail;
	if (tail->ts > in_ts)
		return false;
	if (rp->released_any && in_ts < rp->last_released)
		rp->st->late++;
	h = rp->spare[c];
	rp->spare[c] = h->next;
	rp->spare_bytes -= rp->class_cost[c];
	h->len = len;
	h->segment = segment;
	h->type = sa_le16(p + 4);
	h->flags = sa_le16(p + 6);
	h->minor = minor;
	h->ts = in_ts;
	h->seq = rp->seq++;
	if (len == sizeof(struct skr_ev_state4))
		memcpy(h->data, p, sizeof(struct skr_ev_state4));
	else if (len == sizeof(struct skr_ev_state))
		memcpy(h->data, p, sizeof(struct skr_ev_state));
	else
		memcpy(h->data, p, len);
	rp->peeked = false;
	h->next = NULL;
	tail->next = h;
	rp->runs[rp->last].tail = h;
	rp->n++;
	if (rp->n > rp->st->peak_held)
		rp->st->peak_held = rp->n;
	return true;
}

/*
 * The events at the head of the reader's checked span (skr_reader_span),
 * each held as sa_replay_next() holds one it read, without a call of the
 * reader per record: up to the first record that is no event, or the
 * first that does not fit (it waits; returns what admit() did).  The
 * records taken are then handed out in the reader's count.
 */
static int admit_span(struct sa_replay *rp, struct skr_record *rec,
		      uint64_t *ts)
{
	struct skr_span sp;
	struct skr_record in;
	const uint8_t *p;
	uint64_t in_ts, n = 0;
	size_t pos = 0;
	int ret = 0;

	if (!skr_reader_span(rp->r, &sp))
		return 0;
	in.segment = sp.segment;
	in.minor = sp.minor;
	while (pos < sp.len) {
		p = sp.data + pos;
		in.type = sa_le16(p + 4);
		if (!skr_rec_is_event(in.type))
			break;
		in.data = p;
		in.len = sa_le32(p);
		in.flags = sa_le16(p + 6);
		pos += in.len;
		n++;
		/* As sa_replay_next() does with a record it read. */
		if (in.len < SKR_EV_TS_OFF + sizeof(in_ts)) {
			rp->st->malformed++;
			continue;
		}
		in_ts = sa_le64(p + SKR_EV_TS_OFF);
		if (hold_fast(rp, p, in.len, in_ts, sp.segment, sp.minor))
			continue;
		ret = admit(rp, &in, in_ts, rec, ts);
		if (ret != 0) {
			wait_for_room(rp, &in, in_ts);
			break;
		}
	}
	skr_reader_span_done(rp->r, pos, n);
	return ret;
}

int sa_replay_new(struct sa_replay **rpp, struct skr_reader *r,
		  const struct sa_replay_opts *opts,
		  const struct sa_replay_ops *ops, void *ctx,
		  struct sa_replay_stats *st)
{
	struct sa_replay *rp;
	unsigned c;

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
	for (c = 0; c < CLASSES; c++)
		rp->class_cost[c] = sa_mem_cost(offsetof(struct held, data) +
						 (size_t)c * CLASS_STEP);
	charge(rp, sa_mem_cost(sizeof(*rp)));
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
		if (rp->waiting) {
			ret = admit(rp, &rp->in, rp->in_ts, rec, ts);
			if (ret != 0)
				return ret;
			continue;
		}
		if (rp->pending) {
			if (rp->n > 0 && (rp->release_all ||
					  oldest_held(rp)->ts < rp->horizon)) {
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
		ret = admit_span(rp, rec, ts);
		if (ret != 0)
			return ret;
		ret = skr_reader_next(rp->r, &in);
		if (ret < 0) {
			/*
			 * The reader's error is sticky: once it was returned,
			 * release what was read before it (docs/FORMAT.md §8).
			 */
			if (rp->st->reader_failed) {
				rp->eof = true;
				continue;
			}
			rp->st->reader_failed = true;
			return ret;
		}
		if (ret == 0) {
			rp->eof = true;
			continue;
		}
		if (skr_rec_is_event(in.type)) {
			/*
			 * skr_event_ts() spelt out (the reader handed out len
			 * bytes at data; the type is an event's), and held at
			 * once: it waits only when it does not fit.
			 */
			if (in.len < SKR_EV_TS_OFF + sizeof(in_ts)) {
				rp->st->malformed++;
				continue;
			}
			in_ts = sa_le64(in.data + SKR_EV_TS_OFF);
			ret = admit(rp, &in, in_ts, rec, ts);
			if (ret != 0) {
				wait_for_room(rp, &in, in_ts);
				return ret;
			}
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
			wait_for_room(rp, &in, snap.ts_ns);
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

bool sa_replay_peek(struct sa_replay *rp, struct skr_record *rec,
		    struct skr_record *after)
{
	const struct held *min;

	if (rp->n == 0)
		return false;
	min = oldest_held(rp);
	rec->data = min->data;
	rec->len = min->len;
	rec->type = min->type;
	/* A heap entry's next is NULL (place()). */
	after->len = 0;
	if (min->next) {
		after->data = min->next->data;
		after->len = min->next->len;
		after->type = min->next->type;
	}
	return true;
}

void sa_replay_free(struct sa_replay *rp)
{
	struct held *h;
	size_t i;

	if (!rp)
		return;
	while (rp->hn > 0)
		free(rp->heap[--rp->hn]);
	free(rp->heap);
	for (i = 0; i < rp->nruns; i++) {
		while ((h = rp->runs[i].head) != NULL) {
			rp->runs[i].head = h->next;
			free(h);
		}
	}
	free(rp->cur);
	for (i = 0; i < CLASSES; i++) {
		while ((h = rp->spare[i]) != NULL) {
			rp->spare[i] = h->next;
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
