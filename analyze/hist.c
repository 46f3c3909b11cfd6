/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Duration distributions in bounded memory.
 *
 * The first SA_HIST_EXACT values are kept as they are, so small traces
 * (and golden tests) get exact percentiles.  Past that, the values move
 * into log-linear buckets: values below 16 ns each have their own bucket;
 * above, every power of two is split into 16 equal buckets, and a bucket
 * stands for its midpoint, so a percentile is off by at most 1/32 (3.2%)
 * of its value.  That is 976 counters whatever the trace length.
 * Percentiles are nearest-rank: the value at rank ceil(p/100 * n).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/hist.h"

#define SUB_BITS	4
#define SUB		(1u << SUB_BITS)
#define FINE_BUCKETS	(SUB + (64 - SUB_BITS) * SUB)

/* Of v > 0, for every duration added: one instruction where a builtin exists. */
static unsigned log2_floor(uint64_t v)
{
#if defined(__GNUC__) || defined(__clang__)
	return 63u - (unsigned)__builtin_clzll(v);
#else
	unsigned e = 0;

	while (v >>= 1)
		e++;
	return e;
#endif
}

static size_t fine_index(uint64_t v)
{
	unsigned e;

	if (v < SUB)
		return (size_t)v;
	e = log2_floor(v);
	return SUB + (size_t)(e - SUB_BITS) * SUB +
	       (size_t)((v >> (e - SUB_BITS)) & (SUB - 1));
}

static uint64_t fine_value(size_t i)
{
	unsigned e;
	uint64_t sub, lo, width;

	if (i < SUB)
		return i;
	e = (unsigned)((i - SUB) / SUB) + SUB_BITS;
	sub = (i - SUB) % SUB;
	lo = (SUB + sub) << (e - SUB_BITS);
	width = (uint64_t)1 << (e - SUB_BITS);
	return lo + width / 2;
}

void sa_hist_init(struct sa_hist *h)
{
	memset(h, 0, sizeof(*h));
}

void sa_hist_release(struct sa_hist *h)
{
	free(h->exact);
	free(h->fine);
	sa_hist_init(h);
}

static int to_fine(struct sa_hist *h)
{
	size_t i;

	h->fine = calloc(FINE_BUCKETS, sizeof(*h->fine));
	if (!h->fine)
		return -ENOMEM;
	for (i = 0; i < h->nexact; i++)
		h->fine[fine_index(h->exact[i])]++;
	free(h->exact);
	h->exact = NULL;
	h->nexact = 0;
	return 0;
}

int sa_hist_add(struct sa_hist *h, uint64_t v)
{
	uint64_t us = v / 1000;
	unsigned b = us == 0 ? 0 : log2_floor(us) + 1;
	int err;

	if (!h->fine) {
		if (!h->exact) {
			h->exact = malloc(SA_HIST_EXACT * sizeof(*h->exact));
			if (!h->exact)
				return -ENOMEM;
		}
		if (h->nexact == SA_HIST_EXACT) {
			err = to_fine(h);
			if (err)
				return err;
		}
	}
	if (h->fine) {
		h->fine[fine_index(v)]++;
	} else {
		h->exact[h->nexact++] = v;
		h->sorted = false;
	}
	if (h->count == 0 || v < h->min)
		h->min = v;
	if (h->count == 0 || v > h->max)
		h->max = v;
	h->count++;
	h->log2[b]++;
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

uint64_t sa_hist_pct(struct sa_hist *h, unsigned pct)
{
	uint64_t rank, seen = 0, v;
	size_t i;

	if (h->count == 0)
		return 0;
	/* ceil(pct * count / 100) without overflow for any count */
	rank = h->count / 100 * pct + (h->count % 100 * pct + 99) / 100;
	if (rank == 0)
		rank = 1;
	if (rank > h->count)
		rank = h->count;
	/* The extremes are known exactly whatever the mode. */
	if (rank == h->count)
		return h->max;
	if (rank == 1)
		return h->min;
	if (!h->fine) {
		if (!h->sorted) {
			qsort(h->exact, h->nexact, sizeof(*h->exact), cmp_u64);
			h->sorted = true;
		}
		return h->exact[rank - 1];
	}
	for (i = 0; i < FINE_BUCKETS; i++) {
		seen += h->fine[i];
		if (seen >= rank)
			break;
	}
	v = fine_value(i < FINE_BUCKETS ? i : FINE_BUCKETS - 1);
	if (v < h->min)
		v = h->min;
	if (v > h->max)
		v = h->max;
	return v;
}

bool sa_hist_exact(const struct sa_hist *h)
{
	return h->fine == NULL;
}
