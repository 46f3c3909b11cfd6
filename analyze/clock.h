/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Clock offsets between hosts, from the connections both traces saw
 * (clock.c).  A first pass over the inputs (run.c, with the inputs opened
 * again) hands every life to sa_clock_collect(); sa_clock_solve() then
 * joins the lives of the first input's host with those of each other host
 * by mirrored 4-tuple (pairs.h's keys, after --map-addr) and bounds each
 * host's offset from what TCP orders: a segment is sent before it is
 * received.  docs/ANALYZER.md lists the bounds.  The main pass applies the
 * offsets to merge time, so pairs.c then finds the two ends alive at once.
 */
#ifndef SA_CLOCK_H
#define SA_CLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyze/pairs.h"
#include "analyze/sockets.h"

struct sa_analysis;

/* What is known of one host's clock, relative to the first input's host. */
struct sa_clock_host {
	bool known;			/* offset_ns is usable */
	bool user;			/* from --clock-offset */
	int64_t offset_ns;		/* add to its times: the first host's */
	int64_t half_ns;		/* uncertainty: half the bounds' width */
	bool have_lo, have_hi;
	int64_t lo_ns, hi_ns;		/* bounds kept (the consistent ones) */
	uint64_t joined;		/* connections joined with the first host */
	uint64_t used;			/* of those, whose bounds were kept */
	uint64_t unjoined;		/* tuples both hosts saw, not joinable */
};

struct sa_clock;

int sa_clock_new(struct sa_clock **cp);
void sa_clock_free(struct sa_clock *c);
/*
 * A life of the first pass: kept (summarized) when its tuple is complete
 * and it is an active or passive end.  Bounded by SA_CLOCK_MAX_LIVES; past
 * it lives are counted and left out.  0 or -ENOMEM.
 */
#define SA_CLOCK_MAX_LIVES	(1u << 20)
int sa_clock_collect(struct sa_clock *c, const struct sa_analysis *a,
		     const struct sa_sock *s);
/*
 * Join and bound, for hosts 1 .. nhosts-1; unc[h] is how far host h's own
 * wall conversion may be off (its CLOCK samples' uncertainty), by which
 * the bounds are widened.  0 or -ENOMEM.
 */
int sa_clock_solve(struct sa_clock *c, uint32_t nhosts, const uint64_t *unc);
/* Host h's result (NULL when h is out of range or not solved). */
const struct sa_clock_host *sa_clock_host(const struct sa_clock *c,
					  uint32_t h);
/* Lives left out past SA_CLOCK_MAX_LIVES. */
uint64_t sa_clock_left_out(const struct sa_clock *c);

/*
 * Parse "HOST=SECONDS" (SECONDS signed, with a fraction): 0, or -EINVAL
 * with msg saying why.  *host points into arg.
 */
int sa_clock_parse_offset(const char *arg, const char **host,
			  size_t *hostlen, int64_t *ns, char *msg,
			  size_t size);
/*
 * What the reports say of host h's clock (kind "clock_offset" or
 * "clock_not_aligned"); false when there is nothing to say (one host, or
 * no first pass was wanted).
 */
bool sa_clock_note(const struct sa_analysis *a, uint32_t h,
		   const char **kind, char *buf, size_t size);
/* --info's "clock" rows, one per host but the first (several hosts). */
void sa_clock_rows(struct sa_analysis *a);
/* "+1.234567" of ns: seconds with a sign and six decimals.  Returns buf. */
const char *sa_clock_secs(int64_t ns, char *buf, size_t size);

#endif /* SA_CLOCK_H */
