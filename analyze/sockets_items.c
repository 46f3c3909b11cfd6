/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The events each socket keeps for --timeline (analyze/items.h): its
 * first ones, a ring of its latest, and counts of what fell between.
 *
 * The array grows 8, 16, ... (1, 2, 4, ... once half the bound is in use)
 * up to SA_SOCK_MAX_ITEMS slots, all counted
 * against SA_ITEMS_MAX_HELD.  Once full, the oldest event of the ring
 * makes room for each new one; the first time, a struct sa_gap is made to
 * count what is let go, itself counted as SA_GAP_SLOTS slots.  When the
 * bound over all sockets leaves no room for a larger array or a gap, new
 * events are not kept and only counted (items_dropped_held), as before
 * there was a ring: that bound is for files no real host writes.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/items.h"
#include "analyze/sockets_priv.h"

#define SA_ITEMS_FIRST	8
/*
 * Freed arrays of SA_ITEMS_FIRST slots kept for the next sockets, as
 * freed sockets are (sockets.c): most lives need no more, and an array
 * used a moment ago is still in the cache, where a new one from malloc
 * is not.  Not counted against SA_ITEMS_MAX_HELD: at most 448 KiB.
 */
#define SPARE_ITEMS_MAX	1024

/* A freed array, linked through its own first bytes. */
struct sa_spare_items {
	struct sa_spare_items *next;
};

const char *sa_gap_kind_name(enum sa_gap_kind k)
{
	static const char *const names[SA_GK_COUNT] = {
		[SA_GK_STATE] = "state",
		[SA_GK_SNAPSHOT] = "snapshot",
		[SA_GK_LISTEN] = "listen",
		[SA_GK_ACCEPT] = "accept",
		[SA_GK_RESET] = "reset",
		[SA_GK_ERROR] = "error",
		[SA_GK_RETRANSMIT] = "retransmit",
		[SA_GK_DESTROY] = "destroy",
		[SA_GK_DROP] = "drop",
		[SA_GK_OTHER] = "other",
	};

	return (unsigned)k < SA_GK_COUNT ? names[k] : "other";
}

enum sa_gap_kind sa_gap_kind_of(uint16_t type)
{
	switch (type) {
	case SKR_REC_STATE:
		return SA_GK_STATE;
	case SKR_REC_SNAPSHOT:
		return SA_GK_SNAPSHOT;
	case SKR_REC_LISTEN:
		return SA_GK_LISTEN;
	case SKR_REC_ACCEPT:
		return SA_GK_ACCEPT;
	case SKR_REC_RESET:
		return SA_GK_RESET;
	case SKR_REC_SOCK_ERROR:
		return SA_GK_ERROR;
	case SKR_REC_RETRANSMIT:
		return SA_GK_RETRANSMIT;
	case SKR_REC_DESTROY:
		return SA_GK_DESTROY;
	case SKR_REC_SKB_DROP:
		return SA_GK_DROP;
	default:
		return SA_GK_OTHER;
	}
}

/* Room for the bound over all sockets to give n more slots. */
static bool held_room(const struct sa_sockets *t, size_t n)
{
	return n <= SA_ITEMS_MAX_HELD - t->items_held;
}

/* Let the ring's oldest event go, into the gap: its slot is then free. */
static struct sa_item *let_go(struct sa_sock *s)
{
	struct sa_gap *g = s->gap;
	struct sa_item *old = &s->items[g->ring_pos];
	struct sa_gap_run *r;

	if (old->type == SKR_REC_STATE && g->nmid < SA_GAP_STATES) {
		g->mid[g->nmid++] = *old;
	} else {
		r = &g->run[g->nmid];
		if (r->n == 0) {
			r->first_ts = old->ts_ns;
			r->first_input = old->input;
		}
		r->n++;
		r->last_ts = old->ts_ns;
		r->last_input = old->input;
		r->by_kind[sa_gap_kind_of(old->type)]++;
		s->items_dropped++;
	}
	if (++g->ring_pos == SA_SOCK_MAX_ITEMS)
		g->ring_pos = SA_SOCK_HEAD_ITEMS;
	return old;
}

int sa_sockets_add_item(struct sa_sockets *t, struct sa_sock *s,
			struct sa_item **out)
{
	struct sa_item *it;

	*out = NULL;
	if (!t->keep_items)
		return 0;
	if (s->nitems == SA_SOCK_MAX_ITEMS) {
		if (!s->gap) {
			if (!held_room(t, SA_GAP_SLOTS))
				goto not_kept;
			s->gap = calloc(1, sizeof(*s->gap));
			if (!s->gap)
				return -ENOMEM;
			s->gap->ring_pos = SA_SOCK_HEAD_ITEMS;
			t->items_held += SA_GAP_SLOTS;
		}
		it = let_go(s);
		memset(it, 0, sizeof(*it));
		*out = it;
		return 0;
	}
	if (s->nitems == s->cap) {
		/*
		 * From one slot when the bound is near (a million sockets may
		 * each keep one event), else from SA_ITEMS_FIRST: most lives
		 * have 4 to 8 events, and growing one slot at a time was
		 * three reallocs a socket.
		 */
		size_t cap = s->cap ? s->cap * 2
			     : t->items_held < SA_ITEMS_MAX_HELD / 2
			     ? SA_ITEMS_FIRST : 1;

		if (cap > SA_SOCK_MAX_ITEMS)
			cap = SA_SOCK_MAX_ITEMS;
		if (!held_room(t, cap - s->cap))
			cap = s->cap + (SA_ITEMS_MAX_HELD - t->items_held);
		if (cap == s->cap)
			goto not_kept;
		if (s->cap == 0 && cap == SA_ITEMS_FIRST && t->spare_items) {
			struct sa_spare_items *sp = t->spare_items;

			t->spare_items = sp->next;
			t->nspare_items--;
			it = (struct sa_item *)(void *)sp;
		} else {
			it = realloc(s->items, cap * sizeof(*it));
		}
		if (!it)
			return -ENOMEM;
		t->items_held += cap - s->cap;
		s->items = it;
		s->cap = cap;
	}
	it = &s->items[s->nitems++];
	memset(it, 0, sizeof(*it));
	*out = it;
	return 0;
not_kept:
	s->items_dropped++;
	s->items_dropped_held++;
	return 0;
}

void sa_sockets_items_free(struct sa_sockets *t, struct sa_sock *s)
{
	t->items_held -= s->cap;
	if (s->gap)
		t->items_held -= SA_GAP_SLOTS;
	if (s->acc)
		t->items_held -= SA_ACCEPTS_SLOTS;
	if (s->cap == SA_ITEMS_FIRST && t->nspare_items < SPARE_ITEMS_MAX) {
		struct sa_spare_items *sp = (struct sa_spare_items *)(void *)
					    s->items;

		sp->next = t->spare_items;
		t->spare_items = sp;
		t->nspare_items++;
	} else {
		free(s->items);
	}
	free(s->gap);
	free(s->acc);
	s->items = NULL;
	s->gap = NULL;
	s->acc = NULL;
	s->nitems = s->cap = 0;
}

void sa_sockets_items_release(struct sa_sockets *t)
{
	while (t->spare_items) {
		struct sa_spare_items *sp = t->spare_items;

		t->spare_items = sp->next;
		free(sp);
	}
	t->nspare_items = 0;
}

int sa_sockets_accept(struct sa_sockets *t, struct sa_sock *l,
		      const struct skr_ev_accept *ev, bool accepted)
{
	struct sa_accepts *a = l->acc;
	uint64_t sec = ev->c.ts_ns / 1000000000u;

	if (!t->keep_items)
		return 0;
	if (!a) {
		if (!held_room(t, SA_ACCEPTS_SLOTS))
			return 0;	/* the summary is missing, as items are */
		a = l->acc = calloc(1, sizeof(*a));
		if (!a)
			return -ENOMEM;
		t->items_held += SA_ACCEPTS_SLOTS;
	}
	if (!accepted) {
		a->failed++;
		return 0;
	}
	if (a->n == 0) {
		a->first_ts = ev->c.ts_ns;
		a->drops_first = ev->drops;
		a->sec = sec;
	}
	a->n++;
	if (ev->c.ts_ns > a->last_ts)
		a->last_ts = ev->c.ts_ns;
	a->drops_last = ev->drops;
	/* Events come in time order, but a late one may step back. */
	if (sec != a->sec) {
		a->sec = sec;
		a->sec_n = 0;
	}
	if (++a->sec_n > a->peak_sec_n)
		a->peak_sec_n = a->sec_n;
	a->qsum += ev->qlen;
	if (ev->qlen > a->qmax)
		a->qmax = ev->qlen;
	a->limit = ev->max_backlog;
	return 0;
}

enum { PH_HEAD, PH_RUN, PH_MID, PH_LAST_RUN, PH_RING, PH_DONE };

void sa_items_begin(struct sa_items_pos *p)
{
	memset(p, 0, sizeof(*p));
}

bool sa_items_next(const struct sa_sock *s, struct sa_items_pos *p,
		   const struct sa_item **it, const struct sa_gap_run **run)
{
	const struct sa_gap *g = s->gap;
	size_t head = g ? SA_SOCK_HEAD_ITEMS : s->nitems;
	size_t ring = SA_SOCK_MAX_ITEMS - SA_SOCK_HEAD_ITEMS;

	*it = NULL;
	*run = NULL;
	for (;;) {
		switch (p->phase) {
		case PH_HEAD:
			if (p->i < head) {
				*it = &s->items[p->i++];
				return true;
			}
			p->phase = g ? PH_RUN : PH_DONE;
			p->k = 0;
			break;
		case PH_RUN:	/* run[k], then mid[k], for each kept transition */
			p->phase = p->k < g->nmid ? PH_MID : PH_LAST_RUN;
			if (p->k < g->nmid && g->run[p->k].n > 0) {
				*run = &g->run[p->k];
				return true;
			}
			break;
		case PH_MID:
			*it = &g->mid[p->k++];
			p->phase = PH_RUN;
			return true;
		case PH_LAST_RUN:
			p->phase = PH_RING;
			p->i = 0;
			if (g->run[g->nmid].n > 0) {
				*run = &g->run[g->nmid];
				return true;
			}
			break;
		case PH_RING:
			if (p->i < ring) {
				size_t j = g->ring_pos + p->i++;

				if (j >= SA_SOCK_MAX_ITEMS)
					j -= ring;
				*it = &s->items[j];
				return true;
			}
			p->phase = PH_DONE;
			break;
		default:
			return false;
		}
	}
}
