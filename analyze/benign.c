/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Benign packet frees, told from drops (analyze/benign.h).  The recorder
 * classifies with what only the kernel sees (the packet's length); a trace
 * recorded before it did still carries the reason and the socket's state,
 * enough for the commonest kind.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/benign.h"
#include "analyze/analysis.h"
#include "analyze/hash.h"
#include "analyze/meta.h"
#include "analyze/out.h"
#include "analyze/work.h"

/* FIN_WAIT2's default timeout (tcp_fin_timeout) and TCP_TIMEWAIT_LEN. */
#define TOWARD_TIME_WAIT_NS	(2 * 60000000000ull)

/* A socket on its way to TIME_WAIT, by its 4-tuple. */
struct sa_benign_tw {
	uint64_t ts_ns;			/* of its latest transition that way */
	uint32_t netns;
	uint16_t sport, dport;
	uint8_t family, used;
	uint8_t saddr[16], daddr[16];
};

#define TW_WAYS		4	/* entries per bucket: few evictions under a storm */

static size_t tw_bucket(uint32_t netns, unsigned family, const uint8_t *saddr,
			uint16_t sport, const uint8_t *daddr, uint16_t dport)
{
	uint64_t a, b, c, d;

	memcpy(&a, saddr, 8);
	memcpy(&b, saddr + 8, 8);
	memcpy(&c, daddr, 8);
	memcpy(&d, daddr + 8, 8);
	return ((size_t)sa_mix64(a ^ sa_mix64(b ^ sa_mix64(c ^ sa_mix64(
		d ^ ((uint64_t)netns << 32 | (uint64_t)family << 24) ^
		((uint64_t)sport << 16 | dport))))) &
		(SA_BENIGN_TW_SLOTS / TW_WAYS - 1)) * TW_WAYS;
}

static bool tw_same(const struct sa_benign_tw *e, uint32_t netns,
		    unsigned family, const uint8_t *saddr, uint16_t sport,
		    const uint8_t *daddr, uint16_t dport)
{
	return e->used && e->netns == netns && e->family == family &&
	       e->sport == sport && e->dport == dport &&
	       memcmp(e->saddr, saddr, sizeof(e->saddr)) == 0 &&
	       memcmp(e->daddr, daddr, sizeof(e->daddr)) == 0;
}

/* sa_meta.tw_mode: 0 undecided. */
enum { TW_TRACK = 1, TW_SKIP = 2 };

/*
 * Whether the kernel release ("6.18.0-1-amd64") is 6.11 or later, where
 * the kfree_skb tracepoint names the TIME_WAIT socket (rx_sk), so no
 * kind-1 free comes without a socket.  false when it does not parse.
 */
static bool names_tw_socket(const char *rel)
{
	unsigned long major, minor;
	char *end;

	if (!rel || *rel < '0' || *rel > '9')
		return false;
	major = strtoul(rel, &end, 10);
	if (*end != '.' || end[1] < '0' || end[1] > '9')
		return false;
	minor = strtoul(end + 1, &end, 10);
	return major > 6 || (major == 6 && minor >= 11);
}

/*
 * Ways into TIME_WAIT are only ever looked up for a NOT_SPECIFIED drop with
 * no socket (to_time_wait()), which a trace holds only when kfree_skb was
 * attached, and which is a TIME_WAIT free only before 6.11.  So they are
 * remembered unless the trace says neither can be: its probes (all of
 * them listed) include no attached kfree_skb and no drop was read, or its
 * kernel is 6.11 or later.  Only the first segment describes the input
 * (meta.h): one of another capture or host may differ, so then every one
 * is remembered.
 */
static bool tw_needed(const struct sa_meta *m)
{
	const char *why;

	if (m->mixed_captures || m->mixed_hosts)
		return true;
	if (m->nprobes > 0 && m->probes_dropped == 0 &&
	    sa_meta_observe(m, SKR_REC_SKB_DROP, &why) != SA_OBSERVED)
		return false;
	return !names_tw_socket(m->krelease);
}

int sa_benign_tw_state(struct sa_meta *m, const struct skr_ev_state *ev)
{
	struct sa_benign_tw *e, *b;
	size_t i;

	/*
	 * Only the states before TIME_WAIT: the transition to CLOSE that
	 * replaces the socket by its TIME_WAIT one no longer has the local
	 * port (the socket is unhashed by then).  Tested before the mode,
	 * which most state changes then never read.
	 */
	if ((ev->newstate != SKR_TCP_FIN_WAIT1 &&
	     ev->newstate != SKR_TCP_FIN_WAIT2 &&
	     ev->newstate != SKR_TCP_CLOSING) || !ev->sport || !ev->dport)
		return 0;
	if (m->tw_mode == 0)
		m->tw_mode = tw_needed(m) ? TW_TRACK : TW_SKIP;
	if (m->tw_mode == TW_SKIP)
		return 0;
	if (!m->tw) {
		m->tw = calloc(SA_BENIGN_TW_SLOTS, sizeof(*m->tw));
		if (!m->tw)
			return -ENOMEM;
	}
	b = &m->tw[tw_bucket(ev->c.netns, ev->family, ev->saddr, ev->sport,
			     ev->daddr, ev->dport)];
	/* Its own entry, else an empty one, else the oldest. */
	e = b;
	for (i = 0; i < TW_WAYS; i++) {
		if (tw_same(&b[i], ev->c.netns, ev->family, ev->saddr,
			    ev->sport, ev->daddr, ev->dport)) {
			e = &b[i];
			break;
		}
		if (e->used && (!b[i].used || b[i].ts_ns < e->ts_ns))
			e = &b[i];
	}
	sa_work.tw_noted++;
	e->ts_ns = ev->c.ts_ns;
	e->netns = ev->c.netns;
	e->sport = ev->sport;
	e->dport = ev->dport;
	e->family = ev->family;
	e->used = 1;
	memcpy(e->saddr, ev->saddr, sizeof(e->saddr));
	memcpy(e->daddr, ev->daddr, sizeof(e->daddr));
	return 0;
}

/* Whether a drop with no socket went to a socket on its way to TIME_WAIT. */
static bool to_time_wait(const struct sa_meta *m,
			 const struct skr_ev_skb_drop *ev)
{
	const struct sa_benign_tw *b;
	size_t i;

	if (!m->tw)
		return false;
	/* The packet's destination is the local side of the record. */
	b = &m->tw[tw_bucket(ev->c.netns, ev->family, ev->saddr, ev->sport,
			     ev->daddr, ev->dport)];
	for (i = 0; i < TW_WAYS; i++)
		if (tw_same(&b[i], ev->c.netns, ev->family, ev->saddr,
			    ev->sport, ev->daddr, ev->dport))
			return ev->c.ts_ns >= b[i].ts_ns &&
			       ev->c.ts_ns - b[i].ts_ns <= TOWARD_TIME_WAIT_NS;
	return false;
}

uint8_t sa_benign_drop(struct sa_meta *m, const struct skr_ev_skb_drop *ev)
{
	uint8_t kind = SKR_BENIGN_NONE;
	const char *why;

	if (ev->benign > SKR_BENIGN_NONE && ev->benign < SKR_BENIGN_KINDS) {
		kind = ev->benign;
		goto out;
	}
	/*
	 * tcp_v4_rcv/tcp_v6_rcv free every segment a TIME_WAIT socket handled
	 * as NOT_SPECIFIED; what that path refuses has a reason of its own.
	 */
	why = sa_meta_enum(m, SKR_REC_SKB_DROP, ev->reason);
	if (!why || strcmp(why, "NOT_SPECIFIED") != 0)
		return SKR_BENIGN_NONE;
	if (ev->c.cookie != 0 ? ev->state == SKR_TCP_TIME_WAIT
			      : to_time_wait(m, ev))
		kind = SKR_BENIGN_TIME_WAIT;
out:
	if (kind != SKR_BENIGN_NONE)
		m->benign_recorded[kind]++;
	return kind;
}

const char *sa_benign_text(uint8_t kind)
{
	switch (kind) {
	case SKR_BENIGN_TIME_WAIT:
		return "segment handled by the TIME_WAIT socket, then freed";
	case SKR_BENIGN_FIN_PURGE:
		return "peer's FIN freed with its closed socket";
	default:
		return "";
	}
}

uint64_t sa_benign_not_recorded(const struct sa_meta *m, uint8_t kind)
{
	uint64_t n;

	if (kind >= SKR_BENIGN_KINDS)
		return 0;
	n = m->benign_base[kind] + m->benign[kind];
	return n < m->benign_base[kind] ? UINT64_MAX : n;
}

uint64_t sa_benign_recorded(const struct sa_meta *m, uint8_t kind)
{
	return kind < SKR_BENIGN_KINDS ? m->benign_recorded[kind] : 0;
}

const char *sa_benign_summary(const struct sa_meta *m, char *buf,
			      size_t size)
{
	uint64_t tw = sa_benign_not_recorded(m, SKR_BENIGN_TIME_WAIT);
	uint64_t fin = sa_benign_not_recorded(m, SKR_BENIGN_FIN_PURGE);
	uint64_t kept = sa_benign_recorded(m, SKR_BENIGN_TIME_WAIT) +
			sa_benign_recorded(m, SKR_BENIGN_FIN_PURGE);
	bool counted = m->have_benign && !m->benign_kept;
	int n = 0, k = 0;

	buf[0] = '\0';
	if (counted)
		n = snprintf(buf, size, "%" PRIu64 " not recorded (TIME_WAIT "
			     "%" PRIu64 ", FIN with closed socket %" PRIu64 ")",
			     tw + fin, tw, fin);
	if (n >= 0 && (size_t)n < size && (kept > 0 || m->benign_kept))
		k = snprintf(buf + n, size - (size_t)n, "%s%" PRIu64
			     " recorded%s", counted ? "; " : "", kept,
			     m->benign_kept ? " (--keep-benign-drops)" : "");
	if (n < 0 || k < 0 || (size_t)n + (size_t)k >= size)
		buf[0] = '\0';
	return buf;
}

void sa_benign_health(struct sa_analysis *a)
{
	char line[200];
	size_t i;

	for (i = 0; i < a->nin; i++) {
		const struct sa_meta *m = &a->in[i].meta;

		if (!*sa_benign_summary(m, line, sizeof(line)))
			continue;
		if (a->opts->format == SA_FORMAT_TEXT) {
			fprintf(a->out, "  benign packet frees, not drops%s%s: "
				"%s\n", a->nin > 1 ? ", " : "",
				a->nin > 1 ? a->in[i].name : "", line);
			continue;
		}
		sa_row_begin(&a->o, "benign_frees");
		sa_row_str(&a->o, "input", a->in[i].name);
		if (m->have_benign && !m->benign_kept) {
			sa_row_u64(&a->o, "not_recorded_time_wait",
				   sa_benign_not_recorded(m,
					SKR_BENIGN_TIME_WAIT));
			sa_row_u64(&a->o, "not_recorded_fin_purge",
				   sa_benign_not_recorded(m,
					SKR_BENIGN_FIN_PURGE));
		} else {
			sa_row_null(&a->o, "not_recorded_time_wait");
			sa_row_null(&a->o, "not_recorded_fin_purge");
		}
		sa_row_u64(&a->o, "recorded_time_wait",
			   sa_benign_recorded(m, SKR_BENIGN_TIME_WAIT));
		sa_row_u64(&a->o, "recorded_fin_purge",
			   sa_benign_recorded(m, SKR_BENIGN_FIN_PURGE));
		sa_row_end(&a->o);
	}
}
