/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * hist.c: bounded duration distributions (exact while small, log-linear
 * buckets past SA_HIST_EXACT values).
 */
#ifndef SA_HIST_H
#define SA_HIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

#endif /* SA_HIST_H */
