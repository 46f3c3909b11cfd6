// SPDX-License-Identifier: BSD-2-Clause
/*
 * One line of text per kernel event: what sockrec --print writes as events
 * arrive and sockana --events (the default of --follow) writes as they are
 * replayed, so that both tools say the same thing in the same words
 * (docs/OUTPUT.md, "Event lines").  Everything printed comes from trace
 * data, so every name goes through a lookup and every write is bounded.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include "skr.h"

#define NSEC_PER_SEC	1000000000ull

/* A bounded line: appends stop at the end of the buffer. */
struct line {
	char *buf;
	size_t size, len;
	bool full;
};

__attribute__((format(printf, 2, 3)))
static void put(struct line *l, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (l->full)
		return;
	va_start(ap, fmt);
	n = vsnprintf(l->buf + l->len, l->size - l->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= l->size - l->len) {
		l->full = true;
		l->buf[l->len] = '\0';	/* a cut line ends at its last whole part */
		return;
	}
	l->len += (size_t)n;
}

/* "ECONNREFUSED", or "errno 77" for one the table lacks. */
static void put_errno(struct line *l, int32_t err)
{
	const char *name = skr_errno_name(err < 0 ? -err : err);

	if (name)
		put(l, "%s", name);
	else
		put(l, "errno %" PRId32, err < 0 ? -err : err);
}

static void put_state(struct line *l, unsigned state)
{
	char buf[24];

	put(l, "%s", skr_tcp_state_name(state, buf, sizeof(buf)));
}

/* " in SYN_SENT"; nothing when the hook did not know the state (0). */
static void put_in_state(struct line *l, unsigned state)
{
	if (state == 0)
		return;
	put(l, " in ");
	put_state(l, state);
}

/* "127.0.0.1:80" or "[::1]:80"; an address of an unknown family as "?". */
static void put_endpoint(struct line *l, unsigned family, const uint8_t *addr,
			 uint16_t port)
{
	char text[INET6_ADDRSTRLEN];

	if (family == SKR_AF_INET &&
	    inet_ntop(AF_INET, addr, text, sizeof(text)))
		put(l, "%s:%u", text, (unsigned)port);
	else if (family == SKR_AF_INET6 &&
		 inet_ntop(AF_INET6, addr, text, sizeof(text)))
		put(l, "[%s]:%u", text, (unsigned)port);
	else
		put(l, "?:%u", (unsigned)port);
}

static void put_pair(struct line *l, unsigned family, const uint8_t *saddr,
		     uint16_t sport, const uint8_t *daddr, uint16_t dport)
{
	put_endpoint(l, family, saddr, sport);
	put(l, " > ");
	put_endpoint(l, family, daddr, dport);
}

/* Who ran it: the task in process context, else the context. */
static void put_task(struct line *l, const struct skr_ev_common *c,
		     const char *comm)
{
	char buf[24];
	char name[SKR_COMM_LEN + 1];
	size_t i;

	put(l, " netns %" PRIu32, c->netns);
	if (c->cookie)
		put(l, " sk %" PRIu64, c->cookie);
	/* Samples and namespace counters come from no task at all. */
	if (c->ctx == SKR_CTX_UNKNOWN)
		return;
	if (c->ctx != SKR_CTX_PROCESS) {
		put(l, " %s", skr_ctx_name(c->ctx, buf, sizeof(buf)));
		return;
	}
	put(l, " pid %" PRIu32, c->tgid);
	if (!comm || !comm[0])
		return;
	/* A task name is any bytes: keep the line one line. */
	for (i = 0; i < SKR_COMM_LEN && comm[i]; i++)
		name[i] = comm[i] >= 0x21 && comm[i] < 0x7f ? comm[i] : '?';
	name[i] = '\0';
	put(l, " %s", name);
}

static void line_state(struct line *l, const struct skr_record *rec)
{
	struct skr_ev_state e;

	if (skr_decode_state(rec, &e)) {
		put(l, "state (malformed)");
		return;
	}
	put(l, "state ");
	put_pair(l, e.family, e.saddr, e.sport, e.daddr, e.dport);
	put(l, " ");
	put_state(l, e.oldstate);
	put(l, " -> ");
	put_state(l, e.newstate);
	put_task(l, &e.c, e.comm);
}

static void line_other(struct line *l, const struct skr_record *rec)
{
	union skr_rec_any u;

	if (skr_rec_decode_any(rec, &u)) {
		char buf[24];

		put(l, "%s (malformed)", skr_rec_type_name(rec->type, buf,
							   sizeof(buf)));
		return;
	}
	switch (rec->type) {
	case SKR_REC_LISTEN:
		put(l, "listen port %u", (unsigned)u.listen.sport);
		if (u.listen.ret < 0) {
			put(l, " failed ");
			put_errno(l, u.listen.ret);
		} else {
			put(l, " backlog %" PRId32 " limit %" PRIu32,
			    u.listen.backlog, u.listen.max_backlog);
		}
		break;
	case SKR_REC_ACCEPT:
		put(l, "accept port %u", (unsigned)u.accept.sport);
		if (u.accept.ret < 0) {
			put(l, " failed ");
			put_errno(l, u.accept.ret);
		} else {
			put(l, " queue %" PRIu32 "/%" PRIu32 " child sk %" PRIu64,
			    u.accept.qlen, u.accept.max_backlog,
			    u.accept.child_cookie);
		}
		break;
	case SKR_REC_RESET:
		put(l, "reset %s ", u.reset.dir == SKR_RESET_SENT ? "sent" :
		    u.reset.dir == SKR_RESET_RECEIVED ? "received" : "?");
		put_pair(l, u.reset.family, u.reset.saddr, u.reset.sport,
			 u.reset.daddr, u.reset.dport);
		put_in_state(l, u.reset.state);
		if (u.reset.reason != SKR_REASON_NONE)
			put(l, " reason %" PRIu32, u.reset.reason);
		break;
	case SKR_REC_SOCK_ERROR:
		put(l, "error ");
		put_errno(l, u.sock_error.error);
		put(l, " ");
		put_pair(l, u.sock_error.family, u.sock_error.saddr,
			 u.sock_error.sport, u.sock_error.daddr,
			 u.sock_error.dport);
		put_in_state(l, u.sock_error.state);
		break;
	case SKR_REC_RETRANSMIT:
		put(l, "retransmit %s ", u.retransmit.kind == SKR_RETRANS_SYNACK ?
		    "syn-ack" : "data");
		put_pair(l, u.retransmit.family, u.retransmit.saddr,
			 u.retransmit.sport, u.retransmit.daddr,
			 u.retransmit.dport);
		put_in_state(l, u.retransmit.state);
		put(l, " count %" PRIu32, u.retransmit.retrans);
		break;
	case SKR_REC_DESTROY:
		put(l, "destroy port %u > %u acked %" PRIu64 " received %"
		    PRIu64 " retrans %" PRIu32 " srtt %" PRIu32 "us",
		    (unsigned)u.destroy.sport, (unsigned)u.destroy.dport,
		    u.destroy.bytes_acked, u.destroy.bytes_received,
		    u.destroy.total_retrans, u.destroy.srtt_us);
		break;
	case SKR_REC_COUNTERS:
		put(l, "counters acked %" PRIu64 " received %" PRIu64
		    " retrans %" PRIu32 " srtt %" PRIu32 "us",
		    u.counters.bytes_acked, u.counters.bytes_received,
		    u.counters.total_retrans, u.counters.srtt_us);
		break;
	case SKR_REC_SKB_DROP:
		put(l, "drop reason %" PRIu32 " ", u.skb_drop.reason);
		put_pair(l, u.skb_drop.family, u.skb_drop.saddr,
			 u.skb_drop.sport, u.skb_drop.daddr, u.skb_drop.dport);
		break;
	case SKR_REC_LISTENER:
		put(l, "listener port %u queue %" PRIu32 "/%" PRIu32
		    " drops %" PRIu64, (unsigned)u.listener.sport,
		    u.listener.ack_backlog, u.listener.max_ack_backlog,
		    u.listener.drops);
		break;
	case SKR_REC_NETNS_STATS:
		put(l, "netns overflows %" PRIu64 " drops %" PRIu64,
		    u.netns_stats.listen_overflows,
		    u.netns_stats.listen_drops);
		break;
	case SKR_REC_SAMPLING:
		put(l, "sampling %s", u.sampling.state == SKR_SAMPLING_STOPPED ?
		    "stopped" : u.sampling.state == SKR_SAMPLING_RESUMED ?
		    "resumed" : "?");
		if (u.sampling.state == SKR_SAMPLING_STOPPED &&
		    u.sampling.error) {
			put(l, " ");
			put_errno(l, u.sampling.error);
		}
		break;
	default:
		put(l, "event 0x%04x", (unsigned)rec->type);
		break;
	}
	put_task(l, &u.ev.c, NULL);
}

int skr_event_line(const struct skr_record *rec, char *buf, size_t size)
{
	struct line l = { buf, size, 0, false };

	if (!rec || !buf || size == 0 || !skr_rec_is_event(rec->type))
		return -EINVAL;
	buf[0] = '\0';
	if (rec->type == SKR_REC_STATE || rec->type == SKR_REC_STATE4)
		line_state(&l, rec);
	else if (!skr_rec_desc(rec->type))
		put(&l, "event 0x%04x", (unsigned)rec->type);
	else
		line_other(&l, rec);
	return (int)l.len;
}

int skr_format_wall_utc(uint64_t wall_ns, char *buf, size_t size)
{
	time_t t = (time_t)(wall_ns / NSEC_PER_SEC);
	struct tm tm;
	int n;

	if ((uint64_t)t != wall_ns / NSEC_PER_SEC || !gmtime_r(&t, &tm) ||
	    tm.tm_year < 0 || tm.tm_year > 9999 - 1900)
		return -ERANGE;
	n = snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%06uZ",
		     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		     tm.tm_min, tm.tm_sec,
		     (unsigned)(wall_ns % NSEC_PER_SEC / 1000));
	if (n < 0 || (size_t)n >= size)
		return -ERANGE;
	return 0;
}
