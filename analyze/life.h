/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * life.c: what a finished life means (outcome, durations, names), with
 * outcomes that depend on what the trace could observe, and a socket's
 * counters from the record that still had them right.  The reports take
 * all of it from here, so that all of them say the same thing about a
 * socket.
 */
#ifndef SA_LIFE_H
#define SA_LIFE_H

#include <stdbool.h>
#include <stdint.h>

#include "analyze/sockets.h"

struct sa_analysis;

enum sa_outcome {
	SA_OUT_LISTENER,		/* a listening socket */
	SA_OUT_CONNECTED,		/* connect established */
	SA_OUT_REFUSED,			/* connect refused (RST or ECONNREFUSED) */
	SA_OUT_CONNECT_TIMEOUT,		/* connect timed out */
	SA_OUT_CONNECT_ERROR,		/* connect failed with another error */
	SA_OUT_CONNECT_ABORTED,		/* closed by its process while connecting */
	SA_OUT_CONNECT_FAILED,		/* connect failed, reason not seen */
	SA_OUT_CONNECTING,		/* still in SYN_SENT at the end */
	SA_OUT_ACCEPTED,		/* handshake completed, accept() seen */
	SA_OUT_NOT_ACCEPTED_RESET,	/* never accepted, reset as its listener closed */
	SA_OUT_NOT_ACCEPTED_CLOSED,	/* never accepted, closed otherwise */
	SA_OUT_NOT_ACCEPTED_OPEN,	/* not accepted by the end of the trace */
	SA_OUT_HANDSHAKE_DONE,		/* handshake completed, accept not observable */
	SA_OUT_HANDSHAKE_FAILED,	/* SYN_RECV -> CLOSE */
	SA_OUT_OTHER,			/* older than the trace, or unclear */
	SA_OUT_COUNT
};

const char *sa_outcome_name(enum sa_outcome o);
enum sa_outcome sa_life_outcome(const struct sa_sock *s);
/* How the connection ended: "reset", "timed out", "closed", "open" ... */
bool sa_life_reset(const struct sa_sock *s);
bool sa_life_time(const struct sa_sock *s, enum sa_mark from,
		  enum sa_mark to, uint64_t *ns);
const char *sa_role_name(unsigned role);

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
