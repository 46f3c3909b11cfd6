/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * --timeline: one block per socket life, one line per transition or other
 * event on it (listen, accept, reset, error, retransmit, destroy, ...).
 *
 * A block is printed as soon as its socket's life is over, so the report
 * streams with memory bounded by the open sockets; sockets still open at
 * the end follow in order of first appearance.  Ids count sockets in order
 * of first appearance, which is deterministic because events are replayed
 * in (time, file order).  Columns have fixed widths so that blocks printed
 * at different times still line up.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/analysis.h"
#include "analyze/items.h"
#include "analyze/life.h"
#include "analyze/out.h"
#include "analyze/out_raw.h"
#include "analyze/out_rows.h"
#include "analyze/sockets.h"
#include "analyze/text.h"
#include "analyze/views.h"
#include "analyze/wallclock.h"
#include "format/skr.h"

/* The task a transition names; other events name none. */
static const char *item_comm(const struct sa_item *it)
{
	return it->type == SKR_REC_STATE ? it->u.comm : "";
}

static const char *task_of(const struct sa_sock *s, const struct sa_item *it,
			   char *buf, size_t size)
{
	const char *comm = item_comm(it);
	char name[24];
	int n;

	switch (it->ctx) {
	case SKR_CTX_PROCESS:
		/* Syscall records carry no task name; the owner's may fit. */
		if (it->type != SKR_REC_STATE && comm[0] == '\0') {
			if (s->have_owner && s->owner_pid == it->tgid)
				return sa_text_task(s->owner_comm, it->tgid,
						    buf, size);
			n = snprintf(buf, size, "[%" PRIu32 "]", it->tgid);
			break;
		}
		return sa_text_task(comm, it->tgid, buf, size);
	case SKR_CTX_UNKNOWN:
		if (it->tgid == 0)
			return "-";
		sa_text_task(comm, it->tgid, name, sizeof(name));
		n = snprintf(buf, size, "%s (context unknown)", name);
		break;
	default:
		/* The current task in interrupt context is not the socket's. */
		n = snprintf(buf, size, "(%s)",
			     skr_ctx_name(it->ctx, name, sizeof(name)));
		break;
	}
	if (n < 0 || (size_t)n >= size)
		return "-";
	return buf;
}

static const char *owner_of(const struct sa_sock *s, char *buf, size_t size)
{
	if (!s->have_owner)
		return "unknown";
	return sa_text_task(s->owner_comm, s->owner_pid, buf, size);
}

static void print_header(struct sa_analysis *a, const struct sa_sock *s)
{
	char fam[24], src[SA_ENDPOINT_LEN], dst[SA_ENDPOINT_LEN];
	char owner[SA_TASK_LEN];

	fprintf(a->out, "#%" PRIu64 " cookie 0x%" PRIx64 " %s %s -> %s netns %"
		PRIu32 " owner %s", s->id, s->cookie,
		sa_text_family(s->family, fam, sizeof(fam)),
		sa_text_endpoint(s->family, s->saddr, s->sport, src,
				 sizeof(src)),
		sa_text_endpoint(s->family, s->daddr, s->dport, dst,
				 sizeof(dst)),
		s->netns, owner_of(s, owner, sizeof(owner)));
	if (s->peer != 0)
		fprintf(a->out, " peer #%" PRIu64, s->peer);
	if (a->nhosts > 1)
		fprintf(a->out, " host %s", sa_host_name(a, s->host));
	if (s->from_snapshot)
		fputs(" (in the start snapshot)", a->out);
	else if (s->older)
		fputs(" (older than the trace)", a->out);
	fputc('\n', a->out);
}

/*
 * One event line; lead starts it ("  ", or the socket's id when a pair's
 * two ends are interleaved), since is its offset from the first event.
 */
static void print_line(struct sa_analysis *a, const struct sa_sock *s,
		       const struct sa_item *it, const struct sa_item *prev,
		       const char *lead, uint64_t since)
{
	char wall[SA_WALL_LEN], off[32], pv[32], olds[24], news[24], task[64];
	char detail[SA_DETAIL_MAX];

	sa_time_text(a, it->input, it->ts_ns, wall, sizeof(wall));
	sa_text_secs(since, off, sizeof(off));
	if (it->type != SKR_REC_STATE) {
		fprintf(a->out, "%s%-27s  +%-10s  * %s", lead, wall, off,
			sa_item_detail(a, it, detail, sizeof(detail)));
		if (it->ctx == SKR_CTX_PROCESS && it->tgid != 0)
			fprintf(a->out, "  %s", task_of(s, it, task, sizeof(task)));
		fputc('\n', a->out);
		return;
	}
	if (!prev) {
		pv[0] = '-';
		pv[1] = '\0';
	} else {
		sa_text_secs(it->ts_ns >= prev->ts_ns ? it->ts_ns - prev->ts_ns
						      : 0, pv, sizeof(pv));
	}
	fprintf(a->out, "%s%-27s  +%-10s  %-12s -> %-12s  %10s  %s\n", lead,
		wall, off, skr_tcp_state_name(it->oldstate, olds, sizeof(olds)),
		skr_tcp_state_name(it->newstate, news, sizeof(news)), pv,
		task_of(s, it, task, sizeof(task)));
}

static void print_item(struct sa_analysis *a, const struct sa_sock *s,
		       const struct sa_item *it, const struct sa_item *prev)
{
	/* Replay is in time order, but a late event may still step back. */
	print_line(a, s, it, prev, "  ",
		   it->ts_ns >= s->first_ts ? it->ts_ns - s->first_ts : 0);
}

/* What every row of one socket repeats, formatted once per socket. */
struct sock_text {
	const char *host;
	char local[SA_ENDPOINT_LEN], remote[SA_ENDPOINT_LEN];
	size_t nhost, nlocal, nremote;	/* their lengths */
};

/*
 * What the view keeps between sockets: the summary line's counts, and the
 * start of every event row of the socket being written (its kind, socket,
 * host and endpoints), made once per socket.
 */
/*
 * --socket N with a pair: the end handed on first is held (copied: the
 * table frees its life) until the other comes, and then both are written
 * as one block in one time order.  Bounded by the --socket options.
 */
#define TL_HELD_MAX	(2 * SA_FILTER_MAX)

struct timeline {
	uint64_t sockets;
	uint64_t events;
	struct sa_row_prefix prefix;
	struct sa_sock *held[TL_HELD_MAX];
	size_t nheld;
	/*
	 * The words of an event row as JSON strings, made once: a state,
	 * context and event name each cost a lookup, a strlen and a call to
	 * memcpy per row before (out_raw.h, sa_raw_slot).  Event names by
	 * type - SKR_REC_EVENT_BASE.
	 */
	struct sa_word states[256], ctxs[256], evnames[256];
	/* The socket row's words the same way: each cost a strlen per socket. */
	struct sa_sock_words sw;
	/*
	 * A transition's row in fewer pieces: its words with the keys around
	 * them, in slots made once (len 0: the row takes row_item_raw()'s
	 * field by field way): ,"event":"state","old_state": then
	 * "OLD","new_state": and "NEW","prev_state_ns": by state, and
	 * ,"ctx":"CTX","pid": by context.
	 */
	struct sa_word state_head, olds[256], news[256], ctxpid[256];
};

/* "0x..." of v in buf (at least 19 bytes), as "0x%" PRIx64 would; buf. */
static const char *hex(uint64_t v, char buf[static 19])
{
	static const char digits[] = "0123456789abcdef";
	char t[16];
	size_t n = 0;

	do {
		t[n++] = digits[v & 0xf];
		v >>= 4;
	} while (v);
	buf[0] = '0';
	buf[1] = 'x';
	for (size_t i = 0; i < n; i++)
		buf[2 + i] = t[n - 1 - i];
	buf[2 + n] = '\0';
	return buf;
}

/*
 * A socket's counters, null where unknown: none recorded, or only DESTROY's
 * after the kernel had zeroed them (counters_reset), never a false 0.
 */
static void row_counters(struct sa_out *o, const struct sa_sock *s)
{
	struct sa_counters c;
	enum sa_counters_from f = sa_life_counters(s, &c);
	bool known = f == SA_COUNTERS_CLOSE || f == SA_COUNTERS_DESTROY;

	if (known) {
		sa_rowk_u64(o, SA_KEY("bytes_acked"), c.bytes_acked);
		sa_rowk_u64(o, SA_KEY("bytes_received"), c.bytes_received);
		sa_rowk_u64(o, SA_KEY("segs_out"), c.segs_out);
		sa_rowk_u64(o, SA_KEY("segs_in"), c.segs_in);
		sa_rowk_u64(o, SA_KEY("retransmits"), c.total_retrans);
		sa_rowk_u64(o, SA_KEY("srtt_us"), c.srtt_us);
	} else {
		sa_rowk_null(o, SA_KEY("bytes_acked"));
		sa_rowk_null(o, SA_KEY("bytes_received"));
		sa_rowk_null(o, SA_KEY("segs_out"));
		sa_rowk_null(o, SA_KEY("segs_in"));
		sa_rowk_null(o, SA_KEY("retransmits"));
		sa_rowk_null(o, SA_KEY("srtt_us"));
	}
	sa_rowk_str(o, SA_KEY("counters_from"),
		    known ? sa_counters_from_name(f) : NULL);
	sa_rowk_bool(o, SA_KEY("counters_reset"), f == SA_COUNTERS_RESET);
}

/*
 * row_socket() in JSON with one check of room, as row_item_raw(); false
 * when the row takes the general path (a string to escape).  Roles,
 * outcomes, families and endpoints are sockana's own words.
 */
static bool row_socket_raw(struct sa_analysis *a, const struct timeline *tl,
			   const struct sa_sock *s, const struct sock_text *t)
{
	/* What every socket row without counters ends with. */
	static const char no_counters[] =
		",\"bytes_acked\":null,\"bytes_received\":null"
		",\"segs_out\":null,\"segs_in\":null,\"retransmits\":null"
		",\"srtt_us\":null,\"counters_from\":null";
	char fam[24];
	const struct sa_word *family =
		s->family == SKR_AF_INET && tl->sw.ipv4.len ? &tl->sw.ipv4 :
		s->family == SKR_AF_INET6 && tl->sw.ipv6.len ? &tl->sw.ipv6 : NULL;
	const struct sa_word *role = s->role < 4 && tl->sw.roles[s->role].len
				     ? &tl->sw.roles[s->role] : NULL;
	enum sa_outcome out = sa_outcome_of(a, s);
	const char *outcome = sa_outcome_name(out);
	struct sa_out *o = &a->o;
	struct sa_counters c;
	enum sa_counters_from f = sa_life_counters(s, &c);
	bool known = f == SA_COUNTERS_CLOSE || f == SA_COUNTERS_DESTROY;
	const char *from = known ? sa_counters_from_name(f) : "";
	const char *famw = family ? "" : sa_text_family(s->family, fam,
							sizeof(fam));
	const char *rolew = role ? "" : sa_role_name(s->role);
	/* Most are "" here: no call then. */
	size_t nfam = famw[0] ? strlen(famw) : 0;
	size_t nrole = rolew[0] ? strlen(rolew) : 0;
	size_t nfrom = from[0] ? strlen(from) : 0;
	size_t nout = (unsigned)out < SA_OUT_COUNT ? tl->sw.outcome_len[out]
						   : strlen(outcome);
	size_t room;
	char *p;

	/* Keys and numbers, in fewer than 1 KiB; then the strings. */
	room = 1024 + t->nhost + nfam + t->nlocal + t->nremote +
	       SA_COMM_SLOT + nrole + nout + nfrom + 2 * SA_WORD_SLOT;
	p = sa_row_raw_kind(o, SA_ROW_HEAD("socket"), room);
	if (!p)
		return false;
	p = sa_raw_u64(p, SA_KEY("socket"), s->id);
	p = sa_raw_strn(p, SA_KEY("host"), t->host, t->nhost);
	if (!p)
		goto general;
	p = sa_raw_hex(p, SA_KEY("cookie"), s->cookie);
	p = sa_raw_u64(p, SA_KEY("netns"), s->netns);
	if (family)
		p = sa_raw_slot(p, SA_KEY("family"), family);
	else
		p = sa_raw_wordn(p, SA_KEY("family"), famw, nfam);
	p = sa_raw_wordn(p, SA_KEY("local"), t->local, t->nlocal);
	p = sa_raw_wordn(p, SA_KEY("remote"), t->remote, t->nremote);
	if (s->have_owner) {
		p = sa_raw_u64(p, SA_KEY("owner_pid"), s->owner_pid);
		p = sa_raw_comm(p, SA_KEY("owner_comm"), s->owner_comm);
		if (!p)
			goto general;
	} else {
		p = sa_raw_null(p, SA_KEY("owner_pid"));
		p = sa_raw_null(p, SA_KEY("owner_comm"));
	}
	if (role)
		p = sa_raw_slot(p, SA_KEY("role"), role);
	else
		p = sa_raw_wordn(p, SA_KEY("role"), rolew, nrole);
	p = sa_raw_wordn(p, SA_KEY("outcome"), outcome, nout);
	p = sa_raw_bool(p, SA_KEY("older"), s->older);
	p = sa_raw_bool(p, SA_KEY("snapshot"), s->from_snapshot);
	p = sa_raw_bool(p, SA_KEY("closed"), s->closed);
	if (s->peer != 0)
		p = sa_raw_u64(p, SA_KEY("peer"), s->peer);
	else
		p = sa_raw_null(p, SA_KEY("peer"));
	p = sa_raw_u64(p, SA_KEY("events"), s->nitems +
		       (s->gap ? s->gap->nmid : 0) + s->items_dropped);
	p = sa_raw_u64(p, SA_KEY("not_kept"), s->items_dropped);
	if (known) {
		p = sa_raw_u64(p, SA_KEY("bytes_acked"), c.bytes_acked);
		p = sa_raw_u64(p, SA_KEY("bytes_received"), c.bytes_received);
		p = sa_raw_u64(p, SA_KEY("segs_out"), c.segs_out);
		p = sa_raw_u64(p, SA_KEY("segs_in"), c.segs_in);
		p = sa_raw_u64(p, SA_KEY("retransmits"), c.total_retrans);
		p = sa_raw_u64(p, SA_KEY("srtt_us"), c.srtt_us);
		p = sa_raw_wordn(p, SA_KEY("counters_from"), from, nfrom);
	} else {
		/* One move of a size the compiler knows. */
		memcpy(p, no_counters, sizeof(no_counters) - 1);
		p += sizeof(no_counters) - 1;
	}
	p = sa_raw_bool(p, SA_KEY("counters_reset"), f == SA_COUNTERS_RESET);
	sa_row_raw_end(o, p, 28);
	return true;
general:
	sa_row_raw_abort(o);
	return false;
}

static void row_socket(struct sa_analysis *a, const struct timeline *tl,
		       const struct sa_sock *s, const struct sock_text *t)
{
	char cookie[24], fam[24];
	struct sa_out *o = &a->o;

	if (row_socket_raw(a, tl, s, t))
		return;
	sa_row_begin(o, "socket");
	sa_rowk_u64(o, SA_KEY("socket"), s->id);
	sa_rowk_str(o, SA_KEY("host"), t->host);
	sa_rowk_word(o, SA_KEY("cookie"), hex(s->cookie, cookie));
	sa_rowk_u64(o, SA_KEY("netns"), s->netns);
	sa_rowk_str(o, SA_KEY("family"),
		    sa_text_family(s->family, fam, sizeof(fam)));
	sa_rowk_str(o, SA_KEY("local"), t->local);
	sa_rowk_str(o, SA_KEY("remote"), t->remote);
	if (s->have_owner) {
		sa_rowk_u64(o, SA_KEY("owner_pid"), s->owner_pid);
		sa_rowk_str(o, SA_KEY("owner_comm"), s->owner_comm);
	} else {
		sa_rowk_null(o, SA_KEY("owner_pid"));
		sa_rowk_null(o, SA_KEY("owner_comm"));
	}
	sa_rowk_str(o, SA_KEY("role"), sa_role_name(s->role));
	sa_rowk_str(o, SA_KEY("outcome"), sa_outcome_name(sa_outcome_of(a, s)));
	sa_rowk_bool(o, SA_KEY("older"), s->older);
	sa_rowk_bool(o, SA_KEY("snapshot"), s->from_snapshot);
	sa_rowk_bool(o, SA_KEY("closed"), s->closed);
	if (s->peer != 0)
		sa_rowk_u64(o, SA_KEY("peer"), s->peer);
	else
		sa_rowk_null(o, SA_KEY("peer"));
	sa_rowk_u64(o, SA_KEY("events"), s->nitems +
		    (s->gap ? s->gap->nmid : 0) + s->items_dropped);
	sa_rowk_u64(o, SA_KEY("not_kept"), s->items_dropped);
	row_counters(o, s);
	sa_row_end(o);
}

/*
 * A socket's event prefix in JSON, for keep_prefix() (through the output
 * buffer) and make_prefix() (straight into the view's prefix): the room it
 * may take, and its fields into p.  NULL when the host would not fit raw.
 */
#define PREFIX_ROOM(t)	(256 + (t)->nhost + (t)->nlocal + (t)->nremote)
#define PREFIX_FIELDS	4

static inline char *prefix_fields(char *p, const struct sa_sock *s,
				  const struct sock_text *t)
{
	p = sa_raw_u64(p, SA_KEY("socket"), s->id);
	p = sa_raw_strn(p, SA_KEY("host"), t->host, t->nhost);
	if (!p)
		return NULL;
	p = sa_raw_wordn(p, SA_KEY("local"), t->local, t->nlocal);
	return sa_raw_wordn(p, SA_KEY("remote"), t->remote, t->nremote);
}

/* The first fields of every event row of s, begun (then kept whole). */
static void keep_prefix(struct sa_analysis *a, const struct sa_sock *s,
			const struct sock_text *t)
{
	struct sa_out *o = &a->o;
	char *p;

	/* In JSON with one check of room, as row_item_raw(). */
	p = sa_row_raw_kind(o, SA_ROW_HEAD("event"), PREFIX_ROOM(t));
	if (p) {
		p = prefix_fields(p, s, t);
		if (p) {
			sa_row_raw_done(o, p, PREFIX_FIELDS);
			return;
		}
		sa_row_raw_abort(o);
	}
	sa_row_begin(o, "event");
	sa_rowk_u64(o, SA_KEY("socket"), s->id);
	sa_rowk_str(o, SA_KEY("host"), t->host);
	sa_rowk_str(o, SA_KEY("local"), t->local);
	sa_rowk_str(o, SA_KEY("remote"), t->remote);
}

/*
 * keep_prefix() and sa_row_keep() in one: the prefix written straight
 * into tl->prefix in JSON, not into the output buffer and copied out.
 */
static void make_prefix(struct sa_analysis *a, struct timeline *tl,
			const struct sa_sock *s, const struct sock_text *t)
{
	char *p = sa_row_prefix_raw(&a->o, &tl->prefix, SA_ROW_HEAD("event"),
				    PREFIX_ROOM(t));

	if (p)
		p = prefix_fields(p, s, t);
	if (p) {
		sa_row_prefix_raw_end(&tl->prefix, p, PREFIX_FIELDS);
		return;
	}
	keep_prefix(a, s, t);
	sa_row_keep(&a->o, &tl->prefix);
}

/* ,"key":"STATE" from the view's table, or looked up when not in it. */
static inline char *state_field(char *p, const struct timeline *tl,
				const char *jkey, size_t jlen, unsigned state,
				char st[static 24])
{
	if (state < 256 && tl->states[state].len)
		return sa_raw_slot(p, jkey, jlen, &tl->states[state]);
	return sa_raw_word(p, jkey, jlen, skr_tcp_state_name(state, st, 24));
}

_Static_assert(sizeof(((struct sa_item *)0)->u.comm) == SA_COMM_SLOT,
	       "sa_raw_comm() reads a transition's task name as items keep it");
_Static_assert(sizeof(((struct sa_sock *)0)->owner_comm) == SA_COMM_SLOT,
	       "sa_raw_comm() reads an owner's name as sockets keep it");

/*
 * ,"time":"..." of it: written in place from its input's clock when that
 * needs no shift (one host), which is what sa_time_text() would write;
 * else, or with no wall time, sa_time_text()'s words.  SA_WALL_LEN + 16
 * bytes of room.
 */
static inline char *time_field(struct sa_analysis *a,
			       const struct sa_item *it, char *p)
{
	const struct sa_input *in = &a->in[it->input < a->nin ? it->input : 0];
	char wall[SA_WALL_LEN], *end;

	if (in->clock_off == 0) {
		memcpy(p, ",\"time\":\"", 9);
		end = sa_wallclock_put(&in->meta.clock, it->ts_ns, p + 9);
		if (end) {
			*end = '"';
			return end + 1;
		}
	}
	return sa_raw_word(p, SA_KEY("time"), sa_time_text(a, it->input,
			   it->ts_ns, wall, sizeof(wall)));
}

/*
 * row_item_raw() for a transition whose words all have pieces: the same
 * bytes, in a dozen moves fewer.  false when one has none.
 */
static inline bool row_state_raw(struct sa_analysis *a,
				 const struct timeline *tl,
				 const struct sa_row_prefix *pf,
				 const struct sa_sock *s,
				 const struct sa_item *it,
				 const struct sa_item *prev)
{
	static const char detail[] = ",\"detail\":\"\"";
	const struct sa_word *old = &tl->olds[it->oldstate];
	const struct sa_word *new = &tl->news[it->newstate];
	const struct sa_word *ctx = &tl->ctxpid[it->ctx];
	struct sa_out *o = &a->o;
	char *p, *q;

	if (!old->len || !new->len || !ctx->len || !tl->state_head.len)
		return false;
	/* Keys and numbers; the pieces; the name and the time. */
	p = sa_row_raw_begin(o, pf, 256 + 4 * SA_WORD_SLOT + SA_COMM_SLOT +
			     SA_WALL_LEN);
	if (!p)
		return false;
	p = time_field(a, it, p);
	p = sa_raw_u64(p, SA_KEY("ts_ns"), it->ts_ns);
	p = sa_raw_u64(p, SA_KEY("offset_ns"), it->ts_ns >= s->first_ts
					       ? it->ts_ns - s->first_ts : 0);
	memcpy(p, tl->state_head.s, SA_WORD_SLOT);
	p += tl->state_head.len;
	memcpy(p, old->s, SA_WORD_SLOT);
	p += old->len;
	memcpy(p, new->s, SA_WORD_SLOT);
	p += new->len;
	if (prev) {
		p = sa_put_u64(p, it->ts_ns >= prev->ts_ns
				  ? it->ts_ns - prev->ts_ns : 0);
	} else {
		memcpy(p, "null", 4);
		p += 4;
	}
	memcpy(p, ctx->s, SA_WORD_SLOT);
	p = sa_put_u64(p + ctx->len, it->tgid);
	q = sa_raw_comm(p, SA_KEY("comm"), it->u.comm);
	if (!q) {
		sa_row_raw_abort(o);
		return false;
	}
	memcpy(q, detail, sizeof(detail) - 1);
	sa_row_raw_end(o, q + sizeof(detail) - 1, 13);
	return true;
}

/*
 * row_item() in JSON, its fields written straight after the kept prefix
 * with one check of room (the row most written of all); false when the
 * row takes the general path: a string to escape, or no kept prefix.
 */
static bool row_item_raw(struct sa_analysis *a, const struct timeline *tl,
			 const struct sa_row_prefix *pf,
			 const struct sa_sock *s, const struct sa_item *it,
			 const struct sa_item *prev)
{
	char st[24], detail[SA_DETAIL_MAX];
	const char *det = "";
	const struct sa_word *ev, *ctx;
	struct sa_out *o = &a->o;
	size_t room, ndet = 0;
	char *p;

	if (!pf->valid)
		return false;
	if (it->type == SKR_REC_STATE &&
	    row_state_raw(a, tl, pf, s, it, prev))
		return true;
	if (it->type != SKR_REC_STATE) {
		det = sa_item_detail(a, it, detail, sizeof(detail));
		ndet = strlen(det);
	}
	ev = it->type >= SKR_REC_EVENT_BASE &&
	     it->type - SKR_REC_EVENT_BASE < 256
	     ? &tl->evnames[it->type - SKR_REC_EVENT_BASE] : NULL;
	ctx = &tl->ctxs[it->ctx];
	/*
	 * Keys and numbers, in fewer than 512 bytes; the words bounded by
	 * their buffers or slots.
	 */
	room = 512 + SA_WALL_LEN + 4 * SA_WORD_SLOT + sizeof(st) +
	       SA_COMM_SLOT + ndet;
	p = sa_row_raw_begin(o, pf, room);
	if (!p)
		return false;
	p = time_field(a, it, p);
	p = sa_raw_u64(p, SA_KEY("ts_ns"), it->ts_ns);
	p = sa_raw_u64(p, SA_KEY("offset_ns"), it->ts_ns >= s->first_ts
					       ? it->ts_ns - s->first_ts : 0);
	if (ev && ev->len)
		p = sa_raw_slot(p, SA_KEY("event"), ev);
	else
		p = sa_raw_word(p, SA_KEY("event"), sa_event_name(it->type));
	if (it->type == SKR_REC_STATE) {
		p = state_field(p, tl, SA_KEY("old_state"), it->oldstate, st);
		p = state_field(p, tl, SA_KEY("new_state"), it->newstate, st);
		if (prev)
			p = sa_raw_u64(p, SA_KEY("prev_state_ns"),
				       it->ts_ns >= prev->ts_ns
				       ? it->ts_ns - prev->ts_ns : 0);
		else
			p = sa_raw_null(p, SA_KEY("prev_state_ns"));
	} else {
		p = sa_raw_null(p, SA_KEY("old_state"));
		p = sa_raw_null(p, SA_KEY("new_state"));
		p = sa_raw_null(p, SA_KEY("prev_state_ns"));
	}
	if (ctx->len)
		p = sa_raw_slot(p, SA_KEY("ctx"), ctx);
	else
		p = sa_raw_word(p, SA_KEY("ctx"),
				skr_ctx_name(it->ctx, st, sizeof(st)));
	p = sa_raw_u64(p, SA_KEY("pid"), it->tgid);
	if (it->type == SKR_REC_STATE)
		p = sa_raw_comm(p, SA_KEY("comm"), it->u.comm);
	else
		p = sa_raw_wordn(p, SA_KEY("comm"), "", 0);
	if (p)
		p = sa_raw_strn(p, SA_KEY("detail"), det, ndet);
	if (!p) {
		sa_row_raw_abort(o);
		return false;
	}
	sa_row_raw_end(o, p, 13);
	return true;
}

static void row_item(struct sa_analysis *a, const struct timeline *tl,
		     const struct sa_row_prefix *pf,
		     const struct sa_sock *s, const struct sock_text *t,
		     const struct sa_item *it, const struct sa_item *prev)
{
	char wall[SA_WALL_LEN], st[24], detail[SA_DETAIL_MAX];
	struct sa_out *o = &a->o;

	if (row_item_raw(a, tl, pf, s, it, prev))
		return;
	if (pf->valid)
		sa_row_begin_kept(o, pf);
	else
		keep_prefix(a, s, t);
	sa_rowk_word(o, SA_KEY("time"), sa_time_text(a, it->input, it->ts_ns,
						     wall, sizeof(wall)));
	sa_rowk_u64(o, SA_KEY("ts_ns"), it->ts_ns);
	sa_rowk_u64(o, SA_KEY("offset_ns"), it->ts_ns >= s->first_ts
					    ? it->ts_ns - s->first_ts : 0);
	sa_rowk_word(o, SA_KEY("event"), sa_event_name(it->type));
	if (it->type == SKR_REC_STATE) {
		sa_rowk_word(o, SA_KEY("old_state"),
			     skr_tcp_state_name(it->oldstate, st, sizeof(st)));
		sa_rowk_word(o, SA_KEY("new_state"),
			     skr_tcp_state_name(it->newstate, st, sizeof(st)));
		if (prev)
			sa_rowk_u64(o, SA_KEY("prev_state_ns"),
				    it->ts_ns >= prev->ts_ns
				    ? it->ts_ns - prev->ts_ns : 0);
		else
			sa_rowk_null(o, SA_KEY("prev_state_ns"));
	} else {
		sa_rowk_null(o, SA_KEY("old_state"));
		sa_rowk_null(o, SA_KEY("new_state"));
		sa_rowk_null(o, SA_KEY("prev_state_ns"));
	}
	sa_rowk_word(o, SA_KEY("ctx"), skr_ctx_name(it->ctx, st, sizeof(st)));
	sa_rowk_u64(o, SA_KEY("pid"), it->tgid);
	sa_rowk_str(o, SA_KEY("comm"), item_comm(it));
	/* Reason names in a detail come from the file: escaped. */
	if (it->type == SKR_REC_STATE)
		sa_rowk_word(o, SA_KEY("detail"), "");
	else
		sa_rowk_str(o, SA_KEY("detail"),
			    sa_item_detail(a, it, detail, sizeof(detail)));
	sa_row_end(o);
}

/* "978 accept, 2 reset": what a run of events not kept was made of. */
static void print_kinds(struct sa_analysis *a, const struct sa_gap_run *r)
{
	const char *sep = "";
	unsigned k;

	for (k = 0; k < SA_GK_COUNT; k++) {
		if (r->by_kind[k] == 0)
			continue;
		fprintf(a->out, "%s%" PRIu32 " %s", sep, r->by_kind[k],
			sa_gap_kind_name((enum sa_gap_kind)k));
		sep = ", ";
	}
}

static void print_run(struct sa_analysis *a, const struct sa_sock *s,
		      const struct sa_gap_run *r)
{
	char from[32], to[32];

	fprintf(a->out, "  ... %" PRIu64 " event%s not kept here, +%s to +%s: ",
		r->n, r->n == 1 ? "" : "s",
		sa_text_secs(r->first_ts >= s->first_ts
			     ? r->first_ts - s->first_ts : 0, from,
			     sizeof(from)),
		sa_text_secs(r->last_ts >= s->first_ts
			     ? r->last_ts - s->first_ts : 0, to, sizeof(to)));
	print_kinds(a, r);
	fprintf(a->out, " (limit %u per socket: its first and latest events "
		"are kept)\n", SA_SOCK_MAX_ITEMS);
}

/* a / b to one decimal, as "12.3"; b > 0. */
static const char *tenths(uint64_t a, uint64_t b, char *buf, size_t size)
{
	uint64_t t = a / b * 10 + a % b * 10 / b;
	int n = snprintf(buf, size, "%" PRIu64 ".%" PRIu64, t / 10, t % 10);

	if (n < 0 || (size_t)n >= size)
		buf[0] = '\0';
	return buf;
}

/*
 * Accepts per second over the time they span, when that is a second or
 * more (a shorter span says little about a rate); 0 otherwise.
 */
static uint64_t accept_rate(const struct sa_accepts *c)
{
	uint64_t ms = (c->last_ts - c->first_ts) / 1000000u;

	if (ms < 1000)
		return 0;
	return c->n / ms * 1000 + c->n % ms * 1000 / ms;
}

/*
 * A listener's accepts in one line: how many, how fast, how long the
 * queue was; its list of events shows each, or only the first and latest.
 */
static void print_accepts(struct sa_analysis *a, const struct sa_sock *s)
{
	const struct sa_accepts *c = s->acc;
	char span[32], mean[32];

	if (!c || c->n + c->failed == 0)
		return;
	fprintf(a->out, "  accepts: %" PRIu64, c->n);
	if (c->n > 0) {
		fprintf(a->out, " in %s s, ", sa_text_secs(c->last_ts -
							  c->first_ts, span,
							  sizeof(span)));
		if (accept_rate(c) > 0)
			fprintf(a->out, "%" PRIu64 " per second, ",
				accept_rate(c));
		fprintf(a->out, "at most %" PRIu64 " in one second of the "
			"clock; accept queue at accept: mean %s, max %" PRIu32
			" of %" PRIu32 "; drops %" PRIu32, c->peak_sec_n,
			tenths(c->qsum, c->n, mean, sizeof(mean)), c->qmax,
			c->limit, c->drops_last - c->drops_first);
	}
	fprintf(a->out, "; %" PRIu64 " failed\n", c->failed);
}

static void row_accepts(struct sa_analysis *a, const struct sa_sock *s,
			const struct sock_text *t)
{
	const struct sa_accepts *c = s->acc;
	struct sa_out *o = &a->o;

	if (!c || c->n + c->failed == 0)
		return;
	sa_row_begin(o, "accepts");
	sa_rowk_u64(o, SA_KEY("socket"), s->id);
	sa_rowk_str(o, SA_KEY("host"), t->host);
	sa_rowk_str(o, SA_KEY("local"), t->local);
	sa_rowk_u64(o, SA_KEY("accepts"), c->n);
	sa_rowk_u64(o, SA_KEY("failed"), c->failed);
	if (c->n > 0) {
		sa_rowk_u64(o, SA_KEY("first_ts_ns"), c->first_ts);
		sa_rowk_u64(o, SA_KEY("last_ts_ns"), c->last_ts);
		if (accept_rate(c) > 0)
			sa_rowk_u64(o, SA_KEY("per_second"), accept_rate(c));
		else
			sa_rowk_null(o, SA_KEY("per_second"));
		sa_rowk_u64(o, SA_KEY("peak_per_second"), c->peak_sec_n);
		sa_rowk_u64(o, SA_KEY("queue_total"), c->qsum);
		sa_rowk_u64(o, SA_KEY("queue_max"), c->qmax);
		sa_rowk_u64(o, SA_KEY("queue_limit"), c->limit);
		sa_rowk_u64(o, SA_KEY("drops"), c->drops_last - c->drops_first);
	} else {
		sa_rowk_null(o, SA_KEY("first_ts_ns"));
		sa_rowk_null(o, SA_KEY("last_ts_ns"));
		sa_rowk_null(o, SA_KEY("per_second"));
		sa_rowk_null(o, SA_KEY("peak_per_second"));
		sa_rowk_null(o, SA_KEY("queue_total"));
		sa_rowk_null(o, SA_KEY("queue_max"));
		sa_rowk_null(o, SA_KEY("queue_limit"));
		sa_rowk_null(o, SA_KEY("drops"));
	}
	sa_row_end(o);
}

/* Key of a kind's count in a "gap" row. */
static const char *kind_key(unsigned k)
{
	static const char *const keys[SA_GK_COUNT] = {
		[SA_GK_STATE] = "n_state",
		[SA_GK_SNAPSHOT] = "n_snapshot",
		[SA_GK_LISTEN] = "n_listen",
		[SA_GK_ACCEPT] = "n_accept",
		[SA_GK_RESET] = "n_reset",
		[SA_GK_ERROR] = "n_error",
		[SA_GK_RETRANSMIT] = "n_retransmit",
		[SA_GK_DESTROY] = "n_destroy",
		[SA_GK_DROP] = "n_drop",
		[SA_GK_OTHER] = "n_other",
	};

	return keys[k];
}

/*
 * A "gap" row: events not kept, where (between the rows before and after
 * it, or at the end of the socket's rows) and of which kinds.  r is NULL
 * for the n events not kept at the end for the bound over all sockets,
 * of which nothing more is known.
 */
static void row_gap(struct sa_analysis *a, const struct sa_sock *s,
		    const struct sock_text *t, const struct sa_gap_run *r,
		    uint64_t n)
{
	char wall[SA_WALL_LEN];
	struct sa_out *o = &a->o;
	unsigned k;

	sa_row_begin(o, "gap");
	sa_row_u64(o, "socket", s->id);
	sa_row_str(o, "host", t->host);
	sa_row_str(o, "local", t->local);
	sa_row_str(o, "remote", t->remote);
	sa_row_str(o, "where", r ? "between" : "end");
	sa_row_str(o, "limit", r ? "socket" : "all_sockets");
	sa_row_u64(o, "events", n);
	if (r) {
		sa_row_str(o, "first_time", sa_time_text(a, r->first_input,
							 r->first_ts, wall,
							 sizeof(wall)));
		sa_row_str(o, "last_time", sa_time_text(a, r->last_input,
							r->last_ts, wall,
							sizeof(wall)));
		sa_row_u64(o, "first_ts_ns", r->first_ts);
		sa_row_u64(o, "last_ts_ns", r->last_ts);
		for (k = 0; k < SA_GK_COUNT; k++)
			sa_row_u64(o, kind_key(k), r->by_kind[k]);
	} else {
		sa_row_null(o, "first_time");
		sa_row_null(o, "last_time");
		sa_row_null(o, "first_ts_ns");
		sa_row_null(o, "last_ts_ns");
		for (k = 0; k < SA_GK_COUNT; k++)
			sa_row_null(o, kind_key(k));
	}
	sa_row_end(o);
}

/* No --since or --until: every event is in the window. */
static bool whole(const struct sa_analysis *a)
{
	return a->win_lo == 0 && a->win_hi == UINT64_MAX;
}

static bool in_window(struct sa_analysis *a, const struct sa_item *it)
{
	uint64_t mt;

	if (whole(a))
		return true;
	mt = sa_merge_time(a, it->input, it->ts_ns);
	return mt >= a->win_lo && mt <= a->win_hi;
}

static bool run_in_window(struct sa_analysis *a, const struct sa_gap_run *r)
{
	if (whole(a))
		return true;
	return sa_merge_time(a, r->last_input, r->last_ts) >= a->win_lo &&
	       sa_merge_time(a, r->first_input, r->first_ts) <= a->win_hi;
}

static void free_life(struct sa_sock *c)
{
	if (!c)
		return;
	free(c->items);
	free(c->gap);
	free(c->acc);
	free(c);
}

/* A copy of s with its own items, gap and accepts; NULL on ENOMEM. */
static struct sa_sock *copy_life(const struct sa_sock *s)
{
	size_t n = s->gap ? SA_SOCK_MAX_ITEMS : s->nitems;
	struct sa_sock *c = malloc(sizeof(*c));

	if (!c)
		return NULL;
	*c = *s;
	c->items = NULL;
	c->gap = NULL;
	c->acc = NULL;
	c->cap = n;
	if (n > 0) {
		c->items = malloc(n * sizeof(*c->items));
		if (!c->items)
			goto fail;
		memcpy(c->items, s->items, n * sizeof(*c->items));
	}
	if (s->gap) {
		c->gap = malloc(sizeof(*c->gap));
		if (!c->gap)
			goto fail;
		*c->gap = *s->gap;
	}
	if (s->acc) {
		c->acc = malloc(sizeof(*c->acc));
		if (!c->acc)
			goto fail;
		*c->acc = *s->acc;
	}
	return c;
fail:
	free_life(c);
	return NULL;
}

/* w as pre "word" post, if it fits a slot; else false and w->len 0. */
static bool piece_make(struct sa_word *w, const char *pre, const char *word,
		       const char *post)
{
	int n = snprintf(w->s, sizeof(w->s), "%s\"%s\"%s", pre, word, post);

	if (n < 0 || (size_t)n >= sizeof(w->s)) {
		memset(w, 0, sizeof(*w));
		return false;
	}
	w->len = (size_t)n;
	return true;
}

static int timeline_new(struct sa_analysis *a, void **state)
{
	struct timeline *tl = calloc(1, sizeof(*tl));
	char buf[24];
	unsigned v;

	(void)a;
	*state = tl;
	if (!tl)
		return -ENOMEM;
	/* A word too long for its slot stays len 0: looked up per row. */
	for (v = 0; v < 256; v++) {
		(void)sa_word_make(&tl->states[v],
				   skr_tcp_state_name(v, buf, sizeof(buf)));
		(void)sa_word_make(&tl->ctxs[v],
				   skr_ctx_name(v, buf, sizeof(buf)));
		(void)sa_word_make(&tl->evnames[v],
				   sa_event_name((uint16_t)(SKR_REC_EVENT_BASE +
							    v)));
	}
	sa_sock_words_make(&tl->sw);
	(void)piece_make(&tl->state_head, ",\"event\":",
			 sa_event_name(SKR_REC_STATE), ",\"old_state\":");
	for (v = 0; v < 256; v++) {
		const char *st = skr_tcp_state_name(v, buf, sizeof(buf));

		(void)piece_make(&tl->olds[v], "", st, ",\"new_state\":");
		(void)piece_make(&tl->news[v], "", st, ",\"prev_state_ns\":");
		(void)piece_make(&tl->ctxpid[v], ",\"ctx\":",
				 skr_ctx_name(v, buf, sizeof(buf)),
				 ",\"pid\":");
	}
	return 0;
}

static void timeline_free(void *state)
{
	struct timeline *tl = state;
	size_t i;

	if (tl) {
		sa_row_prefix_release(&tl->prefix);
		for (i = 0; i < tl->nheld; i++)
			free_life(tl->held[i]);
	}
	free(tl);
}

/* One end of a pair being interleaved, and its next piece. */
struct side {
	const struct sa_sock *s;
	struct sa_items_pos pos;
	const struct sa_item *it, *prev;
	const struct sa_gap_run *run;
	bool more;
	uint64_t mt;			/* merge time of the next piece */
	char lead[32];
};

static void side_next(struct sa_analysis *a, struct side *d)
{
	d->more = sa_items_next(d->s, &d->pos, &d->it, &d->run);
	if (!d->more)
		return;
	d->mt = d->run ? sa_merge_time(a, d->run->first_input,
				       d->run->first_ts)
		       : sa_merge_time(a, d->it->input, d->it->ts_ns);
}

static void side_init(struct sa_analysis *a, struct side *d,
		      const struct sa_sock *s)
{
	memset(d, 0, sizeof(*d));
	d->s = s;
	if (snprintf(d->lead, sizeof(d->lead), "  #%-5" PRIu64 " ", s->id) < 0)
		d->lead[0] = '\0';
	sa_items_begin(&d->pos);
	side_next(a, d);
}

/*
 * Both ends of a connection as one block: their headers, then their
 * events in merge-time order (each host's clock offset applied), each
 * line led by its socket's id, offsets from the pair's first event.
 */
static void print_pair(struct sa_analysis *a, struct timeline *tl,
		       const struct sa_sock *x, const struct sa_sock *y)
{
	struct side sd[2], *d;
	uint64_t base, shown = 0;
	int k;

	if (x->id > y->id) {
		const struct sa_sock *t = x;

		x = y;
		y = t;
	}
	if (tl->sockets > 0)
		fputc('\n', a->out);
	print_header(a, x);
	print_header(a, y);
	side_init(a, &sd[0], x);
	side_init(a, &sd[1], y);
	base = sd[0].more ? sd[0].mt : UINT64_MAX;
	if (sd[1].more && sd[1].mt < base)
		base = sd[1].mt;
	while (sd[0].more || sd[1].more) {
		d = !sd[1].more || (sd[0].more && sd[0].mt <= sd[1].mt)
		    ? &sd[0] : &sd[1];
		if (d->run) {
			if (run_in_window(a, d->run))
				print_run(a, d->s, d->run);
			if (d->run->by_kind[SA_GK_STATE] > 0)
				d->prev = NULL;
		} else {
			if (in_window(a, d->it)) {
				print_line(a, d->s, d->it, d->prev, d->lead,
					   d->mt >= base ? d->mt - base : 0);
				shown++;
			}
			if (d->it->type == SKR_REC_STATE)
				d->prev = d->it;
		}
		side_next(a, d);
	}
	for (k = 0; k < 2; k++) {
		const struct sa_sock *s = sd[k].s;

		if (s->items_dropped_held > 0)
			fprintf(a->out, "  ... %" PRIu64 " more events of #%"
				PRIu64 " not kept (limit %u events held over "
				"all sockets)\n", s->items_dropped_held, s->id,
				SA_ITEMS_MAX_HELD);
		tl->events += s->items_dropped;
	}
	tl->sockets += 2;
	tl->events += shown;
}

static int block(struct sa_analysis *a, struct timeline *tl,
		 const struct sa_sock *s);

/*
 * Text with --socket: a life with a peer waits for it (held), and the
 * pair is written together.  Returns 1 when s was taken care of here.
 */
static int interleave(struct sa_analysis *a, struct timeline *tl,
		      const struct sa_sock *s)
{
	size_t i;

	if (a->opts->format != SA_FORMAT_TEXT ||
	    a->opts->filters.nsocket == 0 || s->peer == 0)
		return 0;
	for (i = 0; i < tl->nheld; i++) {
		if (tl->held[i]->id != s->peer || tl->held[i]->peer != s->id)
			continue;
		print_pair(a, tl, tl->held[i], s);
		free_life(tl->held[i]);
		tl->held[i] = tl->held[--tl->nheld];
		return 1;
	}
	if (tl->nheld == TL_HELD_MAX)
		return 0;
	tl->held[tl->nheld] = copy_life(s);
	if (!tl->held[tl->nheld])
		return -ENOMEM;
	tl->nheld++;
	return 1;
}

static int timeline_socket(struct sa_analysis *a, void *state,
			   const struct sa_sock *s)
{
	struct timeline *tl = state;
	int ret = interleave(a, tl, s);

	if (ret != 0)
		return ret < 0 ? ret : 0;
	return block(a, tl, s);
}

/* One life's block: its header (or socket row) and its events. */
static int block(struct sa_analysis *a, struct timeline *tl,
		 const struct sa_sock *s)
{
	bool text = a->opts->format == SA_FORMAT_TEXT;
	const struct sa_item *prev = NULL, *it;
	const struct sa_gap_run *run;
	struct sa_items_pos pos;
	struct sock_text t;
	uint64_t shown = 0, at_end;

	if (text) {
		if (tl->sockets > 0)
			fputc('\n', a->out);
		print_header(a, s);
	} else {
		/* JSON and CSV: nothing but rows until the end. */
		sa_out_batch(&a->o, true);
		t.host = sa_host_name(a, s->host);
		t.nlocal = sa_text_endpoint_n(s->family, s->saddr, s->sport,
					      t.local);
		t.nremote = sa_text_endpoint_n(s->family, s->daddr, s->dport,
					       t.remote);
		t.nhost = strlen(t.host);
		row_socket(a, tl, s, &t);
		make_prefix(a, tl, s, &t);
	}
	if (!s->gap) {
		/*
		 * No events let go: the kept ones are s->items in order, walked
		 * without sa_items_next()'s phases (a call per row).
		 */
		for (size_t i = 0; i < s->nitems; i++) {
			it = &s->items[i];
			if (in_window(a, it)) {
				if (text)
					print_item(a, s, it, prev);
				else
					row_item(a, tl, &tl->prefix, s, &t, it,
						 prev);
				shown++;
			}
			if (it->type == SKR_REC_STATE)
				prev = it;
		}
		goto items_done;
	}
	sa_items_begin(&pos);
	while (sa_items_next(s, &pos, &it, &run)) {
		if (run) {
			if (run_in_window(a, run)) {
				if (text)
					print_run(a, s, run);
				else
					row_gap(a, s, &t, run, run->n);
			}
			/* The time in a state let go is not known. */
			if (run->by_kind[SA_GK_STATE] > 0)
				prev = NULL;
			continue;
		}
		if (in_window(a, it)) {
			if (text)
				print_item(a, s, it, prev);
			else
				row_item(a, tl, &tl->prefix, s, &t, it, prev);
			shown++;
		}
		if (it->type == SKR_REC_STATE)
			prev = it;
	}
items_done:
	if (shown == 0 && s->nitems > 0 && text)
		fputs("  (alive in the time range, no event inside it)\n",
		      a->out);
	if (text)
		print_accepts(a, s);
	else
		row_accepts(a, s, &t);
	/* Only the bound over all sockets leaves events out at the end. */
	at_end = s->items_dropped_held;
	if (at_end > 0 && text)
		fprintf(a->out, "  ... %" PRIu64 " more events not kept (limit "
			"%u events held over all sockets)\n", at_end,
			SA_ITEMS_MAX_HELD);
	else if (at_end > 0)
		row_gap(a, s, &t, NULL, at_end);
	tl->sockets++;
	tl->events += shown + s->items_dropped;
	return 0;
}

static void timeline_end(struct sa_analysis *a, void *state)
{
	struct timeline *tl = state;
	size_t i;

	/* Held ends whose other end did not pass the filters: alone. */
	for (i = 0; i < tl->nheld; i++)
		(void)block(a, tl, tl->held[i]);
	sa_out_batch(&a->o, false);
	if (a->opts->format != SA_FORMAT_TEXT) {
		sa_row_begin(&a->o, "summary");
		sa_row_u64(&a->o, "sockets", tl->sockets);
		sa_row_u64(&a->o, "events", tl->events);
		sa_row_end(&a->o);
		sa_row_warnings(a);
		return;
	}
	if (tl->sockets > 0)
		fputc('\n', a->out);
	fprintf(a->out, "%" PRIu64 " socket%s, %" PRIu64 " event%s\n",
		tl->sockets, tl->sockets == 1 ? "" : "s",
		tl->events, tl->events == 1 ? "" : "s");
	sa_print_warnings(a, a->out);
}

const struct sa_view sa_view_timeline = {
	.name = "timeline",
	.option = "--timeline",
	.report = SA_REPORT_TIMELINE,
	.pairs = true,		/* each life's peer */
	.formats = SA_VIEW_TEXT | SA_VIEW_JSON | SA_VIEW_CSV,
	.csv_kind = "event",
	.csv_header =
		"socket,host,local,remote,time,ts_ns,offset_ns,event,"
		"old_state,new_state,prev_state_ns,ctx,pid,comm,detail",
	.items = true,
	.with_peers = true,
	.new = timeline_new,
	.socket = timeline_socket,
	.end = timeline_end,
	.free = timeline_free,
};
