/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * --timeline: one block per socket life, one line per transition.
 *
 * A block is printed as soon as its socket reaches CLOSE, so the report
 * streams with memory bounded by the open sockets; sockets still open at
 * the end follow in order of first appearance.  Ids count sockets in order
 * of first appearance, which is deterministic because events are replayed
 * in (time, file order).  Columns have fixed widths so that blocks printed
 * at different times still line up.
 */
#include <inttypes.h>

#include "analyze/sockana.h"

static const char *task_of(const struct sa_trans *tr, char *buf, size_t size)
{
	char name[24];
	int n;

	switch (tr->ctx) {
	case SKR_CTX_PROCESS:
		return sa_text_task(tr->comm, tr->tgid, buf, size);
	case SKR_CTX_UNKNOWN:
		if (tr->tgid == 0)
			return "-";
		sa_text_task(tr->comm, tr->tgid, name, sizeof(name));
		n = snprintf(buf, size, "%s (context unknown)", name);
		break;
	default:
		/* The current task in interrupt context is not the socket's. */
		n = snprintf(buf, size, "(%s)",
			     skr_ctx_name(tr->ctx, name, sizeof(name)));
		break;
	}
	if (n < 0 || (size_t)n >= size)
		return "-";
	return buf;
}

static void print_header(FILE *out, const struct sa_sock *s)
{
	char fam[24], src[SA_ENDPOINT_LEN], dst[SA_ENDPOINT_LEN];
	char owner[SA_TASK_LEN];

	fprintf(out, "#%" PRIu64 " cookie 0x%" PRIx64 " %s %s -> %s netns %"
		PRIu32 " owner %s\n",
		s->id, s->cookie, sa_text_family(s->family, fam, sizeof(fam)),
		sa_text_endpoint(s->family, s->saddr, s->sport, src,
				 sizeof(src)),
		sa_text_endpoint(s->family, s->daddr, s->dport, dst,
				 sizeof(dst)),
		s->netns,
		s->have_owner ? sa_text_task(s->owner_comm, s->owner_pid,
					     owner, sizeof(owner))
			      : "unknown");
}

static void print_trans(FILE *out, const struct sa_wallclock *wc,
			const struct sa_sock *s, size_t i)
{
	const struct sa_trans *tr = &s->trans[i];
	char wall[SA_WALL_LEN], off[32], prev[32];
	char olds[24], news[24], task[64];
	uint64_t since;

	/* Replay is in time order, but a late event may still step back. */
	since = tr->ts_ns >= s->first_ts ? tr->ts_ns - s->first_ts : 0;
	if (i == 0) {
		prev[0] = '-';
		prev[1] = '\0';
	} else {
		const struct sa_trans *p = &s->trans[i - 1];

		sa_text_secs(tr->ts_ns >= p->ts_ns ? tr->ts_ns - p->ts_ns : 0,
			     prev, sizeof(prev));
	}
	fprintf(out, "  %-27s  +%-10s  %-12s -> %-12s  %10s  %s\n",
		sa_wallclock_format(wc, tr->ts_ns, wall, sizeof(wall)),
		sa_text_secs(since, off, sizeof(off)),
		skr_tcp_state_name(tr->oldstate, olds, sizeof(olds)),
		skr_tcp_state_name(tr->newstate, news, sizeof(news)),
		prev, task_of(tr, task, sizeof(task)));
}

int sa_timeline_socket(void *ctx, const struct sa_sock *s)
{
	struct sa_analysis *a = ctx;
	size_t i;

	if (a->shown_sockets > 0)
		fputc('\n', a->out);
	print_header(a->out, s);
	for (i = 0; i < s->ntrans; i++)
		print_trans(a->out, &a->meta.clock, s, i);
	if (s->trans_dropped > 0)
		fprintf(a->out, "  ... %" PRIu64 " more transitions not kept "
			"(limit %u per socket)\n", s->trans_dropped,
			SA_SOCK_MAX_TRANS);
	a->shown_sockets++;
	a->shown_trans += s->ntrans + s->trans_dropped;
	return 0;
}

void sa_timeline_end(const struct sa_analysis *a)
{
	uint64_t lost = sa_meta_lost(&a->meta);
	uint64_t disorder = a->replay.late;

	if (a->shown_sockets > 0)
		fputc('\n', a->out);
	fprintf(a->out, "%" PRIu64 " socket%s, %" PRIu64 " transition%s\n",
		a->shown_sockets, a->shown_sockets == 1 ? "" : "s",
		a->shown_trans, a->shown_trans == 1 ? "" : "s");
	if (lost > 0)
		fprintf(a->out, "WARNING: %" PRIu64 " event%s lost; timelines "
			"may have gaps\n", lost, lost == 1 ? "" : "s");
	if (sa_truncated(a))
		fprintf(a->out, "WARNING: trace is truncated (recorder killed "
			"or file cut); showing its complete part\n");
	if (disorder > 0)
		fprintf(a->out, "WARNING: %" PRIu64 " event%s could not be put "
			"in time order (reorder buffer full or rounds broken)\n",
			disorder, disorder == 1 ? "" : "s");
	if (a->no_cookie > 0)
		fprintf(a->out, "WARNING: %" PRIu64 " state event%s without a "
			"socket cookie ignored\n", a->no_cookie,
			a->no_cookie == 1 ? "" : "s");
	if (a->meta.malformed + a->replay.malformed > 0)
		fprintf(a->out, "WARNING: %" PRIu64 " malformed event%s "
			"ignored\n", a->meta.malformed + a->replay.malformed,
			a->meta.malformed + a->replay.malformed == 1 ? ""
								      : "s");
}
