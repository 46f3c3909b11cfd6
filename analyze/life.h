/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * life.c beyond what sockana.h declares: outcomes that depend on what the
 * trace could observe, and a socket's counters from the record that still
 * had them right.  The reports take both from here, so that all of them
 * say the same thing about a socket.
 */
#ifndef SA_LIFE_H
#define SA_LIFE_H

#include <stdbool.h>
#include <stdint.h>

#include "analyze/sockana.h"

/*
 * The outcome of s.  accept_seen: its input could see accept() (the probe
 * attached), so a child without an accept was never accepted; otherwise
 * such a child is SA_OUT_HANDSHAKE_DONE.  sa_life_outcome(s) is this with
 * accept_seen true.
 */
enum sa_outcome sa_life_outcome_seen(const struct sa_sock *s,
				     bool accept_seen);
/* The outcome of s in analysis a, knowing what its input observed. */
enum sa_outcome sa_outcome_of(const struct sa_analysis *a,
			      const struct sa_sock *s);

/* A socket's TCP counters, from whichever record holds them still true. */
struct sa_counters {
	uint64_t bytes_acked, bytes_received;
	uint32_t segs_in, segs_out, total_retrans, srtt_us;
};

enum sa_counters_from {
	SA_COUNTERS_NONE,	/* no COUNTERS or DESTROY record of it */
	SA_COUNTERS_CLOSE,	/* COUNTERS: taken as it entered CLOSE */
	SA_COUNTERS_DESTROY,	/* DESTROY alone (a trace of format 1.1 or before) */
	SA_COUNTERS_RESET,	/* DESTROY alone, zeroed by the kernel: unknown */
};

/*
 * The counters of s into *c (zero unless CLOSE or DESTROY) and where they
 * came from.  The kernel zeroes them in tcp_disconnect() after the
 * transition to CLOSE, so the COUNTERS record wins over DESTROY; a DESTROY
 * whose counters are all 0 for a socket that sent or received a segment
 * (it reached SYN_SENT, SYN_RECV or ESTABLISHED) is SA_COUNTERS_RESET.
 */
enum sa_counters_from sa_life_counters(const struct sa_sock *s,
				       struct sa_counters *c);
/* "close", "destroy", "reset" or NULL for SA_COUNTERS_NONE. */
const char *sa_counters_from_name(enum sa_counters_from f);

#endif /* SA_LIFE_H */
