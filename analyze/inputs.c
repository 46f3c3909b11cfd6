/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Several inputs: their hosts and the segments they share.
 *
 * Hosts used to be numbered as each input's first event was dispatched,
 * so a report that prints a host only when there are several changed its
 * mind in the middle (one host's connects split into "127.0.0.1:8080" and
 * "vm/127.0.0.1:8080").  They are now decided once, from every input's
 * header, before the first event.
 *
 * A capture's files carry a random capture id and a file index, so the
 * same file given twice (or a rotated file given alone and inside a
 * concatenation) is recognised by segment, and its events are counted
 * once.  Refusing would throw away an analysis for a harmless mistake
 * (a directory of rotated files and their concatenation); counting twice gives wrong numbers with
 * no hint, so the warning says what was skipped.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/hash.h"
#include "analyze/inputs.h"
#include "analyze/sockana.h"

#define LABEL_LEN	80

struct seg_key {
	uint8_t id[16];
	uint32_t index;
	uint64_t created;
};

struct seg_slot {
	struct seg_key k;
	uint32_t owner;			/* input index */
	bool used;
};

struct input_state {
	bool skip;			/* current segment owned by another */
	uint64_t segments;		/* FILE_HEADERs seen */
	uint64_t dup_segments, dup_events;
	uint32_t dup_index;		/* first duplicate segment's */
	uint8_t dup_id[16];
	uint32_t dup_owner;
};

struct sa_inputs {
	struct input_state *in;
	char (*label)[LABEL_LEN];	/* per host */
	struct seg_slot *slot;
	size_t cap, n;
	uint64_t unchecked;
	uint64_t seed;
};

int sa_inputs_new(struct sa_analysis *a)
{
	struct sa_inputs *x = calloc(1, sizeof(*x));

	if (!x)
		return -ENOMEM;
	x->in = calloc(a->nin, sizeof(*x->in));
	if (!x->in) {
		free(x);
		return -ENOMEM;
	}
	/* Only the table's speed depends on it, never what is reported. */
	x->seed = sa_mix64((uint64_t)(uintptr_t)x ^ 0x9e3779b97f4a7c15ull);
	a->inputs = x;
	return 0;
}

void sa_inputs_free(struct sa_inputs *x)
{
	if (!x)
		return;
	free(x->in);
	free(x->label);
	free(x->slot);
	free(x);
}

static bool same_str(const char *x, const char *y)
{
	return x && y && strcmp(x, y) == 0;
}

static void assign_host(struct sa_analysis *a, struct sa_input *in)
{
	size_t i;

	for (i = 0; i < a->nin; i++) {
		const struct sa_input *o = &a->in[i];

		if (o == in || !o->host_set)
			continue;
		if (same_str(o->meta.boot_id, in->meta.boot_id) &&
		    (same_str(o->meta.hostname, in->meta.hostname) ||
		     (!o->meta.hostname && !in->meta.hostname))) {
			in->host = o->host;
			in->host_set = true;
			return;
		}
	}
	in->host = a->nhosts++;
	in->host_set = true;
}

static const char *raw_name(const struct sa_analysis *a, uint32_t h)
{
	size_t i;

	for (i = 0; i < a->nin; i++)
		if (a->in[i].host_set && a->in[i].host == h &&
		    a->in[i].meta.hostname)
			return a->in[i].meta.hostname;
	return "(unnamed host)";
}

int sa_inputs_hosts(struct sa_analysis *a)
{
	struct sa_inputs *x = a->inputs;
	uint32_t h, o, same, nth;
	size_t i;
	int n;

	for (i = 0; i < a->nin; i++)
		if (!a->in[i].host_set)
			assign_host(a, &a->in[i]);
	if (!x || x->label || a->nhosts == 0)
		return 0;
	x->label = calloc(a->nhosts, sizeof(*x->label));
	if (!x->label)
		return -ENOMEM;
	for (h = 0; h < a->nhosts; h++) {
		const char *name = raw_name(a, h);

		same = 0;
		nth = 0;
		for (o = 0; o < a->nhosts; o++) {
			if (strcmp(raw_name(a, o), name) != 0)
				continue;
			same++;
			if (o <= h)
				nth++;
		}
		n = same > 1 ? snprintf(x->label[h], LABEL_LEN, "%s#%" PRIu32,
					name, nth)
			     : snprintf(x->label[h], LABEL_LEN, "%s", name);
		if (n < 0)
			x->label[h][0] = '\0';
	}
	return 0;
}

const char *sa_inputs_host_label(const struct sa_analysis *a, uint32_t h)
{
	const struct sa_inputs *x = a->inputs;

	if (x && x->label && h < a->nhosts)
		return x->label[h];
	return raw_name(a, h);
}

static size_t slot_of(const struct sa_inputs *x, const struct seg_key *k)
{
	uint64_t v, w;

	memcpy(&v, k->id, 8);
	memcpy(&w, k->id + 8, 8);
	return (size_t)(sa_mix64(x->seed ^ v ^
				 sa_mix64(w ^ sa_mix64(k->created ^ k->index))) &
			(x->cap - 1));
}

static bool key_eq(const struct seg_key *p, const struct seg_key *q)
{
	return memcmp(p->id, q->id, sizeof(p->id)) == 0 &&
	       p->index == q->index && p->created == q->created;
}

/* The slot holding k, or the empty one where it goes. */
static struct seg_slot *find(struct sa_inputs *x, const struct seg_key *k)
{
	size_t i = slot_of(x, k);

	while (x->slot[i].used && !key_eq(&x->slot[i].k, k))
		i = (i + 1) & (x->cap - 1);
	return &x->slot[i];
}

static int grow(struct sa_inputs *x)
{
	struct seg_slot *old = x->slot, *s;
	size_t oldcap = x->cap, i;

	x->cap = oldcap ? oldcap * 2 : 64;
	x->slot = calloc(x->cap, sizeof(*x->slot));
	if (!x->slot) {
		x->slot = old;
		x->cap = oldcap;
		return -ENOMEM;
	}
	for (i = 0; i < oldcap; i++) {
		if (!old[i].used)
			continue;
		s = find(x, &old[i].k);
		*s = old[i];
	}
	free(old);
	return 0;
}

int sa_inputs_segment(struct sa_analysis *a, size_t idx,
		      const struct skr_file_header *fh)
{
	struct sa_inputs *x = a->inputs;
	struct input_state *st;
	struct seg_slot *s;
	struct seg_key k;
	int err;

	if (!x || idx >= a->nin)
		return 0;
	st = &x->in[idx];
	st->skip = false;
	st->segments++;
	memset(&k, 0, sizeof(k));
	memcpy(k.id, fh->capture_id, sizeof(k.id));
	k.index = fh->file_index;
	k.created = fh->created_ns;
	if (x->cap > 0) {
		s = find(x, &k);
		if (s->used) {
			/* A segment twice in one input is a concatenation's
			 * business (cat a.skr a.skr): counted as it comes. */
			if (s->owner == idx)
				return 0;
			if (st->dup_segments == 0) {
				st->dup_index = k.index;
				memcpy(st->dup_id, k.id, sizeof(st->dup_id));
				st->dup_owner = s->owner;
			}
			st->dup_segments++;
			st->skip = true;
			return 0;
		}
	}
	if (x->n >= SA_INPUTS_SEGMENTS_MAX) {
		x->unchecked++;
		return 0;
	}
	/* Load at most one half keeps the probes short. */
	if (2 * (x->n + 1) > x->cap) {
		err = grow(x);
		if (err)
			return err;
	}
	s = find(x, &k);
	s->k = k;
	s->owner = (uint32_t)idx;
	s->used = true;
	x->n++;
	return 0;
}

bool sa_inputs_skip(struct sa_analysis *a, size_t idx, bool count)
{
	struct sa_inputs *x = a->inputs;

	if (!x || idx >= a->nin || !x->in[idx].skip)
		return false;
	if (count)
		x->in[idx].dup_events++;
	return true;
}

bool sa_inputs_duplicate(const struct sa_analysis *a, size_t idx,
			 struct sa_inputs_dup *d)
{
	const struct sa_inputs *x = a->inputs;
	const struct input_state *st;
	size_t i;

	if (!x || idx >= a->nin || x->in[idx].dup_segments == 0)
		return false;
	st = &x->in[idx];
	d->segments = st->dup_segments;
	d->events = st->dup_events;
	d->file_index = st->dup_index;
	for (i = 0; i < 8; i++)
		if (snprintf(d->capture + 2 * i, 3, "%02x", st->dup_id[i]) != 2)
			d->capture[2 * i] = '\0';
	d->owner = a->in[st->dup_owner].name;
	return true;
}

bool sa_inputs_all_duplicate(const struct sa_analysis *a, size_t idx)
{
	const struct sa_inputs *x = a->inputs;

	return x && idx < a->nin && x->in[idx].segments > 0 &&
	       x->in[idx].dup_segments == x->in[idx].segments;
}

uint64_t sa_inputs_unchecked(const struct sa_analysis *a)
{
	return a->inputs ? a->inputs->unchecked : 0;
}
