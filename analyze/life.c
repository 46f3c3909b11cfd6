/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What a finished life means: how a connect ended, how long each phase
 * took.  Kept apart from the reports so that the diagnosis, the latency
 * tables and the tests all classify a socket the same way.
 */
#include <string.h>

#include "analyze/analysis.h"
#include "analyze/life.h"
#include "analyze/meta.h"
#include "analyze/sockets.h"
#include "format/skr.h"

/* Linux errno values: the trace's numbers, not the host's <errno.h>. */
#define L_ECONNREFUSED	111
#define L_ETIMEDOUT	110

static const char *const outcome_names[SA_OUT_COUNT] = {
	[SA_OUT_LISTENER] = "listener",
	[SA_OUT_CONNECTED] = "connect established",
	[SA_OUT_REFUSED] = "connect refused",
	[SA_OUT_CONNECT_TIMEOUT] = "connect timed out",
	[SA_OUT_CONNECT_ERROR] = "connect failed with an error",
	[SA_OUT_CONNECT_ABORTED] = "connect abandoned by its process",
	[SA_OUT_CONNECT_FAILED] = "connect failed, reason not seen",
	[SA_OUT_CONNECTING] = "connect pending at end",
	[SA_OUT_ACCEPTED] = "accepted connection",
	[SA_OUT_NOT_ACCEPTED_RESET] = "handshake completed, never accepted, "
				      "reset when the listener closed",
	[SA_OUT_NOT_ACCEPTED_CLOSED] = "handshake completed, closed before "
				       "accept",
	[SA_OUT_NOT_ACCEPTED_OPEN] = "handshake completed, not accepted by "
				     "the end",
	[SA_OUT_HANDSHAKE_DONE] = "handshake completed, accept not observable",
	[SA_OUT_HANDSHAKE_FAILED] = "passive handshake failed",
	[SA_OUT_OTHER] = "other (older than the trace or partial)",
};

const char *sa_outcome_name(enum sa_outcome o)
{
	return (unsigned)o < SA_OUT_COUNT ? outcome_names[o] : "?";
}

const char *sa_role_name(unsigned role)
{
	switch (role) {
	case SA_ROLE_ACTIVE:
		return "active";
	case SA_ROLE_PASSIVE:
		return "passive";
	case SA_ROLE_LISTENER:
		return "listener";
	default:
		return "unknown";
	}
}

static bool has(const struct sa_sock *s, enum sa_mark m)
{
	return (s->have_at & (1u << m)) != 0;
}

/*
 * A passive socket that completed its handshake: what its process did
 * with it.  Only an accept() seen says it was accepted; a child the
 * application never took is reset when its listener closes, or ends on
 * its own (the client gave up), or is still queued at the end.
 */
static enum sa_outcome passive_established(const struct sa_sock *s,
					   bool accept_seen)
{
	if (has(s, SA_AT_ACCEPT))
		return SA_OUT_ACCEPTED;
	if (!accept_seen)
		return SA_OUT_HANDSHAKE_DONE;
	if (!s->closed)
		return SA_OUT_NOT_ACCEPTED_OPEN;
	return s->listener_closed ? SA_OUT_NOT_ACCEPTED_RESET
				  : SA_OUT_NOT_ACCEPTED_CLOSED;
}

enum sa_outcome sa_life_outcome(const struct sa_sock *s)
{
	return sa_life_outcome_seen(s, true);
}

enum sa_outcome sa_outcome_of(const struct sa_analysis *a,
			      const struct sa_sock *s)
{
	const char *why;
	bool seen = true;

	/* Only a child needs to know whether its input could see accept(). */
	if (s->role == SA_ROLE_PASSIVE && s->input < a->nin)
		seen = sa_meta_observe(&a->in[s->input].meta, SKR_REC_ACCEPT,
				       &why) == SA_OBSERVED;
	return sa_life_outcome_seen(s, seen);
}

enum sa_outcome sa_life_outcome_seen(const struct sa_sock *s,
				     bool accept_seen)
{
	switch (s->role) {
	case SA_ROLE_LISTENER:
		return SA_OUT_LISTENER;
	case SA_ROLE_ACTIVE:
		if (has(s, SA_AT_ESTABLISHED))
			return SA_OUT_CONNECTED;
		if (!s->closed)
			return s->state == SKR_TCP_SYN_SENT ? SA_OUT_CONNECTING
							    : SA_OUT_OTHER;
		if (!has(s, SA_AT_SYN_SENT))
			return SA_OUT_OTHER;
		if (s->error == L_ECONNREFUSED ||
		    (s->resets_in > 0 && s->reset_in_state == SKR_TCP_SYN_SENT))
			return SA_OUT_REFUSED;
		if (s->error == L_ETIMEDOUT)
			return SA_OUT_CONNECT_TIMEOUT;
		if (s->error != 0)
			return SA_OUT_CONNECT_ERROR;
		/*
		 * The kernel ends a refused or timed-out connect in softirq or
		 * a timer; a close() in SYN_SENT runs in the process.
		 */
		if (s->close_ctx == SKR_CTX_PROCESS)
			return SA_OUT_CONNECT_ABORTED;
		return SA_OUT_CONNECT_FAILED;
	case SA_ROLE_PASSIVE:
		if (has(s, SA_AT_ESTABLISHED))
			return passive_established(s, accept_seen);
		if (s->closed && has(s, SA_AT_SYN_RECV))
			return SA_OUT_HANDSHAKE_FAILED;
		return SA_OUT_OTHER;
	default:
		return SA_OUT_OTHER;
	}
}

enum sa_counters_from sa_life_counters(const struct sa_sock *s,
				       struct sa_counters *c)
{
	/* States a socket reaches only by sending or receiving a segment. */
	const uint32_t talked = 1u << SKR_TCP_SYN_SENT |
				1u << SKR_TCP_SYN_RECV |
				1u << SKR_TCP_ESTABLISHED;

	memset(c, 0, sizeof(*c));
	if (!s->counters_at_close && !s->have_destroy)
		return SA_COUNTERS_NONE;
	if (!s->counters_at_close && (s->states_seen & talked) &&
	    s->segs_in == 0 && s->segs_out == 0 && s->bytes_acked == 0 &&
	    s->bytes_received == 0 && s->total_retrans == 0 &&
	    s->srtt_us == 0)
		return SA_COUNTERS_RESET;
	c->bytes_acked = s->bytes_acked;
	c->bytes_received = s->bytes_received;
	c->segs_in = s->segs_in;
	c->segs_out = s->segs_out;
	c->total_retrans = s->total_retrans;
	c->srtt_us = s->srtt_us;
	return s->counters_at_close ? SA_COUNTERS_CLOSE : SA_COUNTERS_DESTROY;
}

const char *sa_counters_from_name(enum sa_counters_from f)
{
	switch (f) {
	case SA_COUNTERS_CLOSE:
		return "close";
	case SA_COUNTERS_DESTROY:
		return "destroy";
	case SA_COUNTERS_RESET:
		return "reset";
	default:
		return NULL;
	}
}

bool sa_life_reset(const struct sa_sock *s)
{
	return s->resets_in > 0 || s->resets_out > 0;
}

bool sa_life_time(const struct sa_sock *s, enum sa_mark from,
		  enum sa_mark to, uint64_t *ns)
{
	if (!has(s, from) || !has(s, to) || s->at[to] < s->at[from])
		return false;
	*ns = s->at[to] - s->at[from];
	return true;
}
