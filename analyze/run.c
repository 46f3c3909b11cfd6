/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * One pass over a trace: reader -> replay (time order) -> metadata and
 * socket table -> the chosen report.  Kept out of main.c so that tests can
 * run a whole analysis on an in-memory trace and compare the text.
 */
#include <errno.h>
#include <string.h>

#include "analyze/sockana.h"

static int on_meta(void *ctx, const struct skr_record *rec)
{
	struct sa_analysis *a = ctx;

	return sa_meta_record(&a->meta, rec);
}

static int on_event(void *ctx, const struct skr_record *rec, uint64_t ts_ns)
{
	struct sa_analysis *a = ctx;
	struct skr_ev_state ev;

	sa_meta_event(&a->meta, rec->type, ts_ns);
	if (rec->type != SKR_REC_STATE)
		return 0;		/* later tasks will read more types */
	if (skr_decode_state(rec, &ev) != 0) {
		a->meta.malformed++;
		return 0;
	}
	/* Without a cookie there is no identity; merging would invent a socket. */
	if (ev.c.cookie == 0) {
		a->no_cookie++;
		return 0;
	}
	return sa_sockets_state(a->socks, &ev);
}

bool sa_truncated(const struct sa_analysis *a)
{
	return a->status.truncated ||
	       a->status.segments_ended < a->status.segments;
}

int sa_run(struct skr_reader *r, const struct sa_run_opts *opts, FILE *out,
	   char *msg, size_t msgsize)
{
	static const struct sa_replay_ops ops = {
		.meta = on_meta,
		.event = on_event,
	};
	const char *what = NULL;
	struct sa_analysis a;
	int n, err;

	memset(&a, 0, sizeof(a));
	a.name = opts->name ? opts->name : "-";
	a.out = out;
	sa_meta_init(&a.meta);
	err = sa_sockets_new(&a.socks,
			     opts->report == SA_REPORT_TIMELINE ?
			     sa_timeline_socket : NULL, &a);
	if (err)
		goto out;

	err = sa_replay_run(r, &opts->replay, &ops, &a, &a.replay);
	if (err)
		goto out;
	sa_meta_finish(&a.meta);
	skr_reader_get_status(r, &a.status);
	if (a.status.segments == 0 || !a.meta.have_header) {
		err = -EINVAL;
		what = "no trace data: the input is empty or was cut before "
		       "its first complete frame";
		goto out;
	}

	switch (opts->report) {
	case SA_REPORT_TIMELINE:
		err = sa_sockets_finish(a.socks);
		if (err == 0)
			sa_timeline_end(&a);
		break;
	case SA_REPORT_INFO:
	default:
		sa_report_info(&a);
		break;
	}
out:
	if (err && msg && msgsize > 0) {
		/* The reader's message already names the input. */
		if (a.replay.reader_failed)
			n = snprintf(msg, msgsize, "%s", skr_reader_errmsg(r));
		else
			n = snprintf(msg, msgsize, "%s: %s", a.name,
				     what ? what : strerror(-err));
		if (n < 0)
			msg[0] = '\0';
	}
	sa_sockets_free(a.socks);
	sa_meta_release(&a.meta);
	return err;
}
