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
#include "analyze/life.h"
#include "analyze/out.h"
#include "analyze/sockets.h"
#include "analyze/text.h"
#include "analyze/views.h"
#include "analyze/wallclock.h"
#include "format/skr.h"

static const char *task_of(const struct sa_sock *s, const struct sa_item *it,
			   char *buf, size_t size)
{
	char name[24];
	int n;

	switch (it->ctx) {
	case SKR_CTX_PROCESS:
		/* Syscall records carry no task name; the owner's may fit. */
		if (it->type != SKR_REC_STATE && it->comm[0] == '\0') {
			if (s->have_owner && s->owner_pid == it->tgid)
				return sa_text_task(s->owner_comm, it->tgid,
						    buf, size);
			n = snprintf(buf, size, "[%" PRIu32 "]", it->tgid);
			break;
		}
		return sa_text_task(it->comm, it->tgid, buf, size);
	case SKR_CTX_UNKNOWN:
		if (it->tgid == 0)
			return "-";
		sa_text_task(it->comm, it->tgid, name, sizeof(name));
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
	if (a->nhosts > 1)
		fprintf(a->out, " host %s", sa_host_name(a, s->host));
	if (s->from_snapshot)
		fputs(" (in the start snapshot)", a->out);
	else if (s->older)
		fputs(" (older than the trace)", a->out);
	fputc('\n', a->out);
}

static void print_item(struct sa_analysis *a, const struct sa_sock *s,
		       const struct sa_item *it, const struct sa_item *prev)
{
	char wall[SA_WALL_LEN], off[32], pv[32], olds[24], news[24], task[64];
	uint64_t since;

	/* Replay is in time order, but a late event may still step back. */
	since = it->ts_ns >= s->first_ts ? it->ts_ns - s->first_ts : 0;
	sa_time_text(a, it->input, it->ts_ns, wall, sizeof(wall));
	sa_text_secs(since, off, sizeof(off));
	if (it->type != SKR_REC_STATE) {
		fprintf(a->out, "  %-27s  +%-10s  * %s", wall, off, it->detail);
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
	fprintf(a->out, "  %-27s  +%-10s  %-12s -> %-12s  %10s  %s\n", wall, off,
		skr_tcp_state_name(it->oldstate, olds, sizeof(olds)),
		skr_tcp_state_name(it->newstate, news, sizeof(news)), pv,
		task_of(s, it, task, sizeof(task)));
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
		sa_row_u64(o, "bytes_acked", c.bytes_acked);
		sa_row_u64(o, "bytes_received", c.bytes_received);
		sa_row_u64(o, "segs_out", c.segs_out);
		sa_row_u64(o, "segs_in", c.segs_in);
		sa_row_u64(o, "retransmits", c.total_retrans);
		sa_row_u64(o, "srtt_us", c.srtt_us);
	} else {
		sa_row_null(o, "bytes_acked");
		sa_row_null(o, "bytes_received");
		sa_row_null(o, "segs_out");
		sa_row_null(o, "segs_in");
		sa_row_null(o, "retransmits");
		sa_row_null(o, "srtt_us");
	}
	sa_row_str(o, "counters_from", known ? sa_counters_from_name(f) : NULL);
	sa_row_bool(o, "counters_reset", f == SA_COUNTERS_RESET);
}

static void row_socket(struct sa_analysis *a, const struct sa_sock *s)
{
	char buf[SA_ENDPOINT_LEN], cookie[24], fam[24];
	struct sa_out *o = &a->o;
	int n;

	sa_row_begin(o, "socket");
	sa_row_u64(o, "socket", s->id);
	sa_row_str(o, "host", sa_host_name(a, s->host));
	n = snprintf(cookie, sizeof(cookie), "0x%" PRIx64, s->cookie);
	sa_row_str(o, "cookie", n > 0 && (size_t)n < sizeof(cookie) ? cookie
								   : NULL);
	sa_row_u64(o, "netns", s->netns);
	sa_row_str(o, "family", sa_text_family(s->family, fam, sizeof(fam)));
	sa_row_str(o, "local", sa_text_endpoint(s->family, s->saddr, s->sport,
						buf, sizeof(buf)));
	sa_row_str(o, "remote", sa_text_endpoint(s->family, s->daddr,
						 s->dport, buf, sizeof(buf)));
	if (s->have_owner) {
		sa_row_u64(o, "owner_pid", s->owner_pid);
		sa_row_str(o, "owner_comm", s->owner_comm);
	} else {
		sa_row_null(o, "owner_pid");
		sa_row_null(o, "owner_comm");
	}
	sa_row_str(o, "role", sa_role_name(s->role));
	sa_row_str(o, "outcome", sa_outcome_name(sa_outcome_of(a, s)));
	sa_row_bool(o, "older", s->older);
	sa_row_bool(o, "snapshot", s->from_snapshot);
	sa_row_bool(o, "closed", s->closed);
	sa_row_u64(o, "events", s->nitems + s->items_dropped);
	row_counters(o, s);
	sa_row_end(o);
}

/* What every row of one socket repeats, formatted once per socket. */
struct sock_text {
	const char *host;
	char local[SA_ENDPOINT_LEN], remote[SA_ENDPOINT_LEN];
};

static void row_item(struct sa_analysis *a, const struct sa_sock *s,
		     const struct sock_text *t, const struct sa_item *it,
		     const struct sa_item *prev)
{
	char wall[SA_WALL_LEN], st[24];
	struct sa_out *o = &a->o;

	sa_row_begin(o, "event");
	sa_row_u64(o, "socket", s->id);
	sa_row_str(o, "host", t->host);
	sa_row_str(o, "local", t->local);
	sa_row_str(o, "remote", t->remote);
	sa_row_str(o, "time", sa_time_text(a, it->input, it->ts_ns, wall,
					   sizeof(wall)));
	sa_row_u64(o, "ts_ns", it->ts_ns);
	sa_row_u64(o, "offset_ns", it->ts_ns >= s->first_ts
				   ? it->ts_ns - s->first_ts : 0);
	sa_row_str(o, "event", sa_event_name(it->type));
	if (it->type == SKR_REC_STATE) {
		sa_row_str(o, "old_state", skr_tcp_state_name(it->oldstate, st,
							      sizeof(st)));
		sa_row_str(o, "new_state", skr_tcp_state_name(it->newstate, st,
							      sizeof(st)));
		if (prev)
			sa_row_u64(o, "prev_state_ns",
				   it->ts_ns >= prev->ts_ns
				   ? it->ts_ns - prev->ts_ns : 0);
		else
			sa_row_null(o, "prev_state_ns");
	} else {
		sa_row_null(o, "old_state");
		sa_row_null(o, "new_state");
		sa_row_null(o, "prev_state_ns");
	}
	sa_row_str(o, "ctx", skr_ctx_name(it->ctx, st, sizeof(st)));
	sa_row_u64(o, "pid", it->tgid);
	sa_row_str(o, "comm", it->comm);
	sa_row_str(o, "detail", it->type == SKR_REC_STATE ? "" : it->detail);
	sa_row_end(o);
}

/* What the summary line counts: the blocks and events shown. */
struct timeline {
	uint64_t sockets;
	uint64_t events;
};

static int timeline_new(struct sa_analysis *a, void **state)
{
	(void)a;
	*state = calloc(1, sizeof(struct timeline));
	return *state ? 0 : -ENOMEM;
}

static int timeline_socket(struct sa_analysis *a, void *state,
			   const struct sa_sock *s)
{
	struct timeline *tl = state;
	const struct sa_item *prev = NULL;
	struct sock_text t;
	uint64_t shown = 0;
	size_t i;

	if (a->opts->format == SA_FORMAT_TEXT) {
		if (tl->sockets > 0)
			fputc('\n', a->out);
		print_header(a, s);
	} else {
		row_socket(a, s);
		t.host = sa_host_name(a, s->host);
		sa_text_endpoint(s->family, s->saddr, s->sport, t.local,
				 sizeof(t.local));
		sa_text_endpoint(s->family, s->daddr, s->dport, t.remote,
				 sizeof(t.remote));
	}
	for (i = 0; i < s->nitems; i++) {
		const struct sa_item *it = &s->items[i];
		uint64_t mt = sa_merge_time(a, it->input, it->ts_ns);
		bool in_window = mt >= a->win_lo && mt <= a->win_hi;

		if (in_window) {
			if (a->opts->format == SA_FORMAT_TEXT)
				print_item(a, s, it, prev);
			else
				row_item(a, s, &t, it, prev);
			shown++;
		}
		if (it->type == SKR_REC_STATE)
			prev = it;
	}
	if (shown == 0 && s->nitems > 0 && a->opts->format == SA_FORMAT_TEXT)
		fputs("  (alive in the time range, no event inside it)\n",
		      a->out);
	if (s->items_dropped > 0 && a->opts->format == SA_FORMAT_TEXT) {
		/* Name the limit that was hit: the socket's, the global one, both. */
		fprintf(a->out, "  ... %" PRIu64 " more events not kept (",
			s->items_dropped);
		if (s->items_dropped_held < s->items_dropped)
			fprintf(a->out, "limit %u per socket%s",
				SA_SOCK_MAX_ITEMS,
				s->items_dropped_held ? ", and " : "");
		if (s->items_dropped_held > 0)
			fprintf(a->out, "limit %u events held over all "
				"sockets", SA_ITEMS_MAX_HELD);
		fputs(")\n", a->out);
	}
	tl->sockets++;
	tl->events += shown + s->items_dropped;
	return 0;
}

static void timeline_end(struct sa_analysis *a, void *state)
{
	const struct timeline *tl = state;

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
	.formats = SA_VIEW_TEXT | SA_VIEW_JSON | SA_VIEW_CSV,
	.csv_kind = "event",
	.items = true,
	.new = timeline_new,
	.socket = timeline_socket,
	.end = timeline_end,
	.free = free,
};
