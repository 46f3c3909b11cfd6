/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * One pass over one or more traces: each input is replayed in time order
 * by its own reorder buffer (the buffers share one memory bound:
 * replay_share), and the inputs are merged by a k-way pick of the
 * earliest head.  Inputs are compared on wall time (each converted by
 * its own CLOCK records), so traces of several hosts line up; an input's
 * own order is never changed by the merge.  Events then go to the socket
 * table and the chosen report.  Kept out of main.c so that tests can run a
 * whole analysis on in-memory traces and compare the text.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/analysis.h"
#include "analyze/benign.h"
#include "analyze/clock.h"
#include "analyze/drops.h"
#include "analyze/events.h"
#include "analyze/filter.h"
#include "analyze/inline.h"
#include "analyze/inputs.h"
#include "analyze/le.h"
#include "analyze/live.h"
#include "analyze/meta.h"
#include "analyze/out.h"
#include "analyze/replay.h"
#include "analyze/run.h"
#include "analyze/sockets.h"
#include "analyze/sockets_owner.h"
#include "analyze/text.h"
#include "analyze/views.h"
#include "analyze/wallclock.h"
#include "format/skr.h"

static int on_meta(void *ctx, const struct skr_record *rec)
{
	struct sa_input *in = ctx;
	struct sa_analysis *a = in->owner;
	size_t idx = (size_t)(in - a->in);
	struct skr_file_header fh;
	int err;

	if (rec->type == SKR_REC_FILE_HEADER &&
	    skr_decode_file_header(rec, &fh) == 0) {
		err = sa_inputs_segment(a, idx, &fh);
		if (err)
			return err;
	}
	/*
	 * A segment another input holds: its losses were counted there.  Its
	 * host and probe records still describe this input.
	 */
	if ((rec->type == SKR_REC_LOSS || rec->type == SKR_REC_STATS ||
	     rec->type == SKR_REC_END) && sa_inputs_skip(a, idx, false))
		return 0;
	return sa_meta_record(&in->meta, rec);
}

static const struct sa_replay_ops replay_ops = {
	.meta = on_meta,
	.event = NULL,
};

bool sa_input_truncated(const struct sa_input *in)
{
	/* An input ended by an error did not reach its END either. */
	return in->status.truncated || in->read_err != 0 ||
	       in->status.segments_ended < in->status.segments;
}

const char *sa_input_kept(const struct sa_input *in, char *buf,
			  size_t size)
{
	const struct skr_reader_status *st = &in->status;
	char secs[32];
	int n;

	if (in->meta.events > 0)
		sa_text_secs(in->meta.last_ts - in->meta.first_ts, secs,
			     sizeof(secs));
	n = snprintf(buf, size, "%skept %" PRIu64 " record%s, %s%s%s",
		     sa_meta_count(&in->meta, SKR_REC_HOST) == 0 ?
		     "cut before the end of its header (no host, no probes); " :
		     "", st->records, st->records == 1 ? "" : "s",
		     in->meta.events > 0 ? secs : "no event",
		     in->meta.events > 0 ? " s of events" : "",
		     st->partial_frame ? " (the last frame unfinished: its "
		     "complete blocks read, its checksum missing)" : "");
	if (n < 0)
		buf[0] = '\0';
	return buf;
}

bool sa_truncated(const struct sa_analysis *a)
{
	size_t i;

	for (i = 0; i < a->nin; i++)
		if (sa_input_truncated(&a->in[i]))
			return true;
	return false;
}

uint64_t sa_lost(const struct sa_analysis *a)
{
	uint64_t sum = 0, v;
	size_t i;

	for (i = 0; i < a->nin; i++) {
		v = sa_meta_lost(&a->in[i].meta);
		sum = sum > UINT64_MAX - v ? UINT64_MAX : sum + v;
	}
	return sum;
}

/* v moved by off, within 0 .. UINT64_MAX. */
static uint64_t shift(uint64_t v, int64_t off)
{
	if (off >= 0)
		return v > UINT64_MAX - (uint64_t)off ? UINT64_MAX
						     : v + (uint64_t)off;
	return v < (uint64_t)0 - (uint64_t)off ? 0 : v - ((uint64_t)0 -
							  (uint64_t)off);
}

const char *sa_time_text(const struct sa_analysis *a, uint16_t input,
			 uint64_t ts, char *buf, size_t size)
{
	if (input >= a->nin)
		input = 0;
	/* A host's times on the first host's clock, as they were merged. */
	return sa_wallclock_format(&a->in[input].meta.clock,
				   shift(ts, a->in[input].clock_off), buf,
				   size);
}

const char *sa_host_name(const struct sa_analysis *a, uint32_t h)
{
	return sa_inputs_host_label(a, h);
}

bool sa_observable(const struct sa_analysis *a, uint16_t type,
		   const char **why)
{
	size_t i;

	*why = NULL;
	for (i = 0; i < a->nin; i++) {
		/* Its events were all counted from another input. */
		if (sa_inputs_all_duplicate(a, i))
			continue;
		if (sa_meta_observe(&a->in[i].meta, type, why) != SA_OBSERVED)
			return false;
	}
	return true;
}

bool sa_limited(const struct sa_analysis *a, const char *probe, uint32_t bit)
{
	size_t i;

	for (i = 0; i < a->nin; i++)
		if (sa_meta_limited(&a->in[i].meta, probe, bit))
			return true;
	return false;
}

bool sa_observable_probe(const struct sa_analysis *a, uint16_t type,
			 const char *probe, const char **why)
{
	const struct sa_probe *p;
	bool named = false;
	size_t i, k;

	for (i = 0; i < a->nin; i++) {
		const struct sa_meta *m = &a->in[i].meta;

		for (k = 0; k < m->nprobes; k++) {
			p = &m->probes[k];
			if (!p->name || strcmp(p->name, probe) != 0)
				continue;
			named = true;
			if (!p->has_tier || p->tier == SKR_TIER_NONE) {
				*why = p->reason ? p->reason
						 : "probe not attached";
				return false;
			}
		}
	}
	if (named)
		return true;
	return sa_observable(a, type, why);
}

/*
 * Merge time of an event: wall time when the input can say it, moved by
 * its host's clock offset (clock.h).  Once per event (advance()).
 */
static SA_ALWAYS_INLINE uint64_t merge_time(const struct sa_input *in,
					   uint64_t ts)
{
	const struct sa_wallclock *wc = &in->meta.clock;
	const struct sa_clock_sample *last;
	uint64_t wall;

	/*
	 * Events come in time order, so most are past the latest clock
	 * sample: that case here, as sa_wallclock_to_wall() has it, without
	 * the call (a fifth of the merge loop's own instructions).
	 */
	if (wc->n > 0) {
		last = &wc->s[wc->n - 1];
		if (ts >= last->clock_ns &&
		    ts - last->clock_ns <= UINT64_MAX - last->realtime_ns)
			return shift(last->realtime_ns + (ts - last->clock_ns),
				     in->clock_off);
	}
	if (sa_wallclock_to_wall(wc, ts, &wall) == 0)
		return shift(wall, in->clock_off);
	return shift(ts, in->clock_off);
}

uint64_t sa_merge_time(const struct sa_analysis *a, uint16_t input,
		       uint64_t ts)
{
	if (input >= a->nin)
		return ts;
	return merge_time(&a->in[input], ts);
}

const char *sa_merge_time_text(const struct sa_analysis *a, uint64_t mt,
			       char *buf, size_t size)
{
	char secs[32];
	int n;

	if (a->wall && sa_format_wall(mt, buf, size) == 0)
		return buf;
	n = snprintf(buf, size, "clock+%s", sa_text_secs(mt, secs,
							  sizeof(secs)));
	if (n < 0 || (size_t)n >= size)
		buf[0] = '\0';
	return buf;
}

/*
 * The reorder buffers' bounds hold for all inputs together (each input is
 * read at the same time as the others), so each input gets an equal share.
 * A share that does not depend on the other inputs keeps an input's order,
 * and what it releases early, the same whatever it is merged with.
 */
static struct sa_replay_opts replay_share(const struct sa_replay_opts *all,
					  size_t n)
{
	struct sa_replay_opts o;

	o.max_events = (all->max_events ? all->max_events
					: SA_REPLAY_MAX_EVENTS) / n;
	o.max_bytes = (all->max_bytes ? all->max_bytes
				      : SA_REPLAY_MAX_BYTES) / n;
	if (o.max_events == 0)
		o.max_events = 1;
	if (o.max_bytes == 0)
		o.max_bytes = 1;
	return o;
}

static int advance(struct sa_input *in)
{
	int ret = sa_replay_next(in->rp, &in->head, &in->head_ts);

	/*
	 * An error in the file ends this input where it is, not the analysis:
	 * what was read before it is reported, then the error (FORMAT.md §8).
	 */
	if (ret < 0 && in->replay.reader_failed && in->read_err == 0) {
		in->read_err = ret;
		ret = sa_replay_next(in->rp, &in->head, &in->head_ts);
	}
	if (ret < 0)
		return ret;
	in->have_head = ret == 1;
	if (in->have_head)
		in->head_mt = merge_time(in, in->head_ts);
	else
		in->eof = true;
	return 0;
}

/* The model, and the one view it feeds. */
struct run {
	struct sa_analysis a;
	const struct sa_view *view;
	void *state;			/* the view's */
};

/* s is the other end of a socket asked for by --socket. */
static bool peer_asked(const struct sa_filters *f, const struct sa_sock *s)
{
	size_t i;

	for (i = 0; s->peer != 0 && i < f->nsocket; i++)
		if (f->socket[i] == s->peer)
			return true;
	return false;
}

static int scan_new(struct sa_analysis *a, void **state)
{
	(void)a;
	*state = NULL;
	return 0;
}

/* The clock pass's view: it writes nothing (sock_done feeds clock.c). */
static const struct sa_view scan_view = {
	.name = "clock",
	.formats = SA_VIEW_TEXT | SA_VIEW_JSON | SA_VIEW_CSV,
	.new = scan_new,
};

static int sock_done(void *ctx, const struct sa_sock *s)
{
	struct run *run = ctx;
	struct sa_analysis *a = &run->a;

	/* The clock pass only learns from lives; no view, no filter. */
	if (a->opts->scan)
		return sa_clock_collect(a->opts->scan, a, s);
	if (!sa_filter_socket(&a->opts->filters, s, a->win_lo, a->win_hi) &&
	    !(run->view->with_peers && peer_asked(&a->opts->filters, s))) {
		a->filtered_out++;
		return 0;
	}
	a->selected++;
	if (!run->view->socket)
		return 0;
	return run->view->socket(a, run->state, s);
}

/* A non-state event onto the model, then what it said to the view. */
static int apply_event(struct run *run, const struct sa_evctx *ec,
		       const struct skr_record *rec, uint64_t ts)
{
	struct sa_applied ap;
	int err = sa_events_apply(&run->a, ec, rec, ts, &ap);

	if (err || !ap.listener_event || !run->view->event)
		return err;
	return run->view->event(&run->a, run->state, ec, &ap.rec, ap.listener);
}

static int first_event(struct sa_analysis *a, struct sa_input *in,
		       uint64_t mt)
{
	a->started = true;
	a->start_mt = a->end_mt = mt;
	a->wall = in->meta.clock.n > 0;
	a->win_err = sa_filter_window(&a->opts->filters, mt, a->wall,
				      &a->win_lo, &a->win_hi, a->winmsg,
				      sizeof(a->winmsg));
	return a->win_err;
}

/* in is a->in[idx]. */
static int dispatch(struct run *run, struct sa_input *in, size_t idx)
{
	struct sa_analysis *a = &run->a;
	const struct skr_record *rec = &in->head;
	struct skr_ev_state ev;
	struct sa_evctx ec;
	int err;

	ec.input = (uint16_t)idx;
	/*
	 * The same segment read from another input: counted there.  One
	 * input owns every segment it reads (inputs.c), so only several
	 * inputs need the call, which every event made.
	 */
	if (a->nin > 1 &&
	    sa_inputs_skip(a, ec.input, rec->type != SKR_REC_SNAPSHOT))
		return 0;
	if (!a->started) {
		err = first_event(a, in, in->head_mt);
		if (err)
			return err;
	}
	if (in->head_mt > a->end_mt)
		a->end_mt = in->head_mt;
	ec.host = in->host;
	ec.mt = in->head_mt;
	err = sa_sockets_tick(a->socks, ec.mt);
	if (err)
		return err;
	if (rec->type == SKR_REC_SNAPSHOT)
		return apply_event(run, &ec, rec, in->head_ts);
	sa_meta_event(&in->meta, rec->type, in->head_ts);
	if (run->view->record) {
		err = run->view->record(a, run->state, &ec, rec, in->head_ts);
		if (err)
			return err;
	}
	if (rec->type != SKR_REC_STATE && rec->type != SKR_REC_STATE4)
		return apply_event(run, &ec, rec, in->head_ts);
	if (skr_decode_state(rec, &ev) != 0) {
		in->meta.malformed++;
		return 0;
	}
	/* Without a cookie there is no identity; merging would invent a socket. */
	if (ev.c.cookie == 0) {
		in->no_cookie++;
		a->no_cookie++;
		return 0;
	}
	err = sa_benign_state(&in->meta, &ev);
	return err ? err : sa_sockets_state(a->socks, &ec, &ev);
}

/*
 * The socket of an event record: the common event fields, cookie at byte
 * 16 and netns at 24, little-endian (le.h: each one load).
 * false when the record is no event.
 */
static inline bool event_key(const struct skr_record *rec, uint64_t *cookie,
			     uint32_t *netns)
{
	const uint8_t *p;

	if (rec->len < 28 || !skr_rec_is_event(rec->type))
		return false;
	p = rec->data + 16;
	*cookie = sa_le64(p);
	*netns = sa_le32(p + 8);
	return true;
}

/*
 * Ask the cache for the socket of the event after in's head while the
 * head is applied, and for the table entry of the one after that (whose
 * socket is asked for at the next event, when its entry is there).
 */
static void prefetch_after(struct sa_analysis *a, const struct sa_input *in)
{
	struct skr_record nx, nx2;
	uint64_t cookie;
	uint32_t netns;

	if (!sa_replay_peek(in->rp, &nx, &nx2))
		return;
	if (event_key(&nx, &cookie, &netns))
		sa_sockets_prefetch(a->socks, in->host, netns, cookie);
	if (event_key(&nx2, &cookie, &netns))
		sa_sockets_prefetch_slot(a->socks, in->host, netns, cookie);
}

/*
 * Each host's offset: --clock-offset's, else the clock pass's estimate,
 * else 0; then the heads already read are merged on it.
 */
static int apply_clocks(struct sa_analysis *a)
{
	const struct sa_run_opts *o = a->opts;
	const struct sa_clock_host *ch;
	size_t i, k;
	uint32_t h;
	int n;

	a->host_off = calloc(a->nhosts ? a->nhosts : 1, sizeof(*a->host_off));
	a->host_user = calloc(a->nhosts ? a->nhosts : 1,
			      sizeof(*a->host_user));
	if (!a->host_off || !a->host_user)
		return -ENOMEM;
	for (h = 0; h < a->nhosts; h++) {
		ch = sa_clock_host(a->clock, h);
		if (ch && ch->known)
			a->host_off[h] = ch->offset_ns;
	}
	for (k = 0; k < o->nclock_set; k++) {
		const struct sa_clock_set *cs = &o->clock_set[k];

		for (h = 0; h < a->nhosts; h++) {
			const char *name = sa_host_name(a, h);

			if (strlen(name) == cs->hostlen &&
			    memcmp(name, cs->host, cs->hostlen) == 0)
				break;
		}
		if (h == a->nhosts) {
			n = snprintf(a->clockmsg, sizeof(a->clockmsg),
				     "--clock-offset: no host '%.*s' in these "
				     "traces (hosts are named as --info shows)",
				     (int)(cs->hostlen < 64 ? cs->hostlen : 64),
				     cs->host);
			if (n < 0)
				a->clockmsg[0] = '\0';
			return -EINVAL;
		}
		a->host_off[h] = cs->ns;
		a->host_user[h] = true;
	}
	for (i = 0; i < a->nin; i++) {
		struct sa_input *in = &a->in[i];

		in->clock_off = a->host_off[in->host];
		if (in->have_head)
			in->head_mt = merge_time(in, in->head_ts);
	}
	return 0;
}

static struct sa_clock *clock_pass(const struct sa_run_opts *opts, size_t n,
				   const char **why);

/*
 * Inputs of two hosts or more, not counting one that so far holds only
 * segments another input holds (the same capture given twice is one
 * clock, whatever its HOST records lack).
 */
static bool several_clocks(const struct sa_analysis *a)
{
	uint32_t first = UINT32_MAX;
	size_t i;

	for (i = 0; i < a->nin; i++) {
		if (sa_inputs_all_duplicate(a, i))
			continue;
		if (first == UINT32_MAX)
			first = a->in[i].host;
		else if (a->in[i].host != first)
			return true;
	}
	return false;
}

static int merge(struct run *run, size_t *failed)
{
	struct sa_analysis *a = &run->a;
	struct sa_input *best;
	size_t i, bi;
	int err;

	for (i = 0; i < a->nin; i++) {
		err = advance(&a->in[i]);
		if (err) {
			*failed = i;
			return err;
		}
	}
	/* Every input has read its header: hosts are known for good. */
	err = sa_inputs_hosts(a);
	if (err) {
		*failed = SIZE_MAX;
		return err;
	}
	/* One host has one clock: the clock pass has nothing to learn. */
	if (a->opts->scan && a->nhosts < 2)
		return 0;
	/*
	 * Several hosts: learn their clocks first, from the inputs read
	 * again (a rotated series of one host needs no such pass).
	 */
	if (!a->opts->scan && a->opts->reopen && several_clocks(a)) {
		a->clock_tried = true;
		a->clock = clock_pass(a->opts, a->nin, &a->clock_why);
	}
	if (!a->opts->scan) {
		err = apply_clocks(a);
		if (err) {
			*failed = SIZE_MAX;
			return err;
		}
	}
	for (;;) {
		best = NULL;
		bi = 0;
		/* One input (most runs): its head, with no loop to run. */
		if (a->nin == 1) {
			if (a->in[0].have_head)
				best = &a->in[0];
		} else {
			for (i = 0; i < a->nin; i++) {
				struct sa_input *in = &a->in[i];

				if (in->have_head &&
				    (!best || in->head_mt < best->head_mt)) {
					best = in;
					bi = i;
				}
			}
		}
		if (!best)
			return 0;
		prefetch_after(a, best);
		err = dispatch(run, best, bi);
		if (err) {
			*failed = SIZE_MAX;
			return err;
		}
		err = advance(best);
		if (err) {
			*failed = bi;
			return err;
		}
	}
}

static void sum_stats(struct sa_analysis *a)
{
	size_t i;

	for (i = 0; i < a->nin; i++) {
		const struct sa_replay_stats *st = &a->in[i].replay;

		a->replay.events += st->events;
		a->replay.rounds += st->rounds;
		a->replay.forced += st->forced;
		a->replay.late += st->late;
		a->replay.malformed += st->malformed;
		if (st->peak_held > a->replay.peak_held)
			a->replay.peak_held = st->peak_held;
		if (st->peak_bytes > a->replay.peak_bytes)
			a->replay.peak_bytes = st->peak_bytes;
	}
}

/* Why an input gave nothing to analyze. */
static const char *no_data_text(const struct skr_reader_status *st)
{
	if (st->cut_magic)
		return "no trace data: a sockrec trace truncated before the end "
		       "of its header: "
		       "0 records kept (the file header itself is cut)";
	if (st->cut_first_frame)
		return "no trace data: truncated inside its first zstd frame, "
		       "before its first complete block: 0 records kept";
	if (st->bytes_in == 0)
		return "no trace data: the input is empty";
	return "no trace data: the input is empty or was cut before its "
	       "first complete frame";
}

static void set_msg(char *msg, size_t size, const char *name,
		    const char *what)
{
	int n;

	if (!msg || size == 0)
		return;
	n = name ? snprintf(msg, size, "%s: %s", name, what)
		 : snprintf(msg, size, "%s", what);
	if (n < 0)
		msg[0] = '\0';
}

/*
 * --socket ids the trace does not have: ids are 1, 2, ... in order of
 * first appearance, whatever the other filters, so an id past the count
 * was never seen.  Asking for one is an error, as tcpdump and ss make
 * it: an empty report would read as "nothing happened to it".  Returns
 * how many are missing, with msg naming them.
 */
static size_t missing_sockets(const struct sa_analysis *a, char *msg,
			      size_t size)
{
	const struct sa_filters *f = &a->opts->filters;
	uint64_t seen = sa_sockets_seen(a->socks);
	size_t i, missing = 0, used = 0;
	int n;

	if (a->opts->report == SA_REPORT_INFO || size == 0)
		return 0;
	msg[0] = '\0';
	for (i = 0; i < f->nsocket; i++) {
		if (f->socket[i] >= 1 && f->socket[i] <= seen)
			continue;
		n = snprintf(msg + used, size - used, "%s#%" PRIu64,
			     missing ? ", " : "no socket ", f->socket[i]);
		if (n < 0 || (size_t)n >= size - used)
			return missing + 1;
		used += (size_t)n;
		missing++;
	}
	if (missing == 0)
		return 0;
	if (seen == 0)
		n = snprintf(msg + used, size - used, " in %s: it has no "
			     "socket", a->nin == 1 ? a->name : "these traces");
	else
		n = snprintf(msg + used, size - used, " in %s: its sockets "
			     "are #1 to #%" PRIu64, a->nin == 1 ? a->name :
			     "these traces", seen);
	if (n < 0 || (size_t)n >= size - used)
		msg[used] = '\0';
	return missing;
}

/*
 * The first pass over inputs opened again: every life to clock.c, then
 * the offsets solved.  Its failure is not the analysis's: the main pass
 * reports a bad input itself, and the report says the clocks were not
 * aligned.
 */
static struct sa_clock *clock_pass(const struct sa_run_opts *opts, size_t n,
				   const char **why)
{
	struct skr_reader *rs[SA_INPUTS_MAX];
	struct sa_run_opts o = *opts;
	struct sa_clock *c = NULL;
	size_t i, opened = 0;
	char msg[64];
	int err;

	*why = NULL;
	err = sa_clock_new(&c);
	for (i = 0; err == 0 && i < n; i++) {
		err = opts->reopen(opts->reopen_ctx, i, &rs[i]);
		if (err == 0)
			opened++;
	}
	if (err) {
		*why = err == -ESPIPE ? "an input is read once (standard "
					"input)" : "the inputs could not be "
					"opened a second time";
		goto fail;
	}
	memset(&o.filters, 0, sizeof(o.filters));
	o.report = SA_REPORT_INFO;
	o.format = SA_FORMAT_TEXT;
	o.scan = c;
	o.reopen = NULL;
	err = sa_run_many(rs, n, &o, NULL, msg, sizeof(msg));
	if (err) {
		*why = "the first pass over the inputs failed";
		goto fail;
	}
	goto out;
fail:
	sa_clock_free(c);
	c = NULL;
out:
	for (i = 0; i < opened; i++)
		skr_reader_free(rs[i]);
	return c;
}

int sa_run_many(struct skr_reader *const *rs, size_t n,
		const struct sa_run_opts *opts, FILE *out, char *msg,
		size_t msgsize)
{
	const char *what = NULL, *who = NULL;
	size_t i, failed = SIZE_MAX, nmissing;
	char nomsg[256];
	struct run run;
	struct sa_analysis *a = &run.a;
	struct sa_replay_opts share;
	struct sa_live *live = NULL;
	char kinds[96], why[128];
	int err = 0;

	memset(&run, 0, sizeof(run));
	run.view = opts->scan ? &scan_view : sa_view_of(opts->report);
	a->opts = opts;
	a->out = out;
	if (n == 0 || n > SA_INPUTS_MAX) {
		err = -EINVAL;
		what = "too many or no inputs";
		goto out;
	}
	if (!(run.view->formats & (1u << opts->format))) {
		err = -EINVAL;
		what = why;
		if (snprintf(why, sizeof(why), "--%s is for %s",
			     opts->format == SA_FORMAT_CSV ? "csv" : "json",
			     sa_view_options(opts->format, "and", kinds,
					     sizeof(kinds))) < 0)
			what = "output format not available for this report";
		goto out;
	}
	sa_out_init(&a->o, out, opts->format, run.view->csv_kind);
	a->in = calloc(n, sizeof(*a->in));
	if (!a->in) {
		err = -ENOMEM;
		goto out;
	}
	a->nin = n;
	err = sa_inputs_new(a);
	if (err)
		goto out;
	err = sa_drops_new(&a->drops);
	if (err)
		goto out;
	share = replay_share(&opts->replay, n);
	for (i = 0; i < n; i++) {
		struct sa_input *in = &a->in[i];

		in->r = rs[i];
		in->owner = a;
		in->name = opts->names && opts->names[i] ? opts->names[i]
			   : (n == 1 && opts->name ? opts->name : "-");
		sa_meta_init(&in->meta);
		err = sa_replay_new(&in->rp, in->r, &share, &replay_ops,
				    in, &in->replay);
		if (err)
			goto out;
	}
	a->name = a->in[0].name;
	err = sa_sockets_new(&a->socks, sock_done, &run);
	if (err)
		goto out;
	err = sa_pairs_set_map(sa_sockets_pairs(a->socks), opts->map,
			       opts->nmap);
	if (err)
		goto out;

	sa_sockets_keep_items(a->socks, run.view->items);
	sa_sockets_keep_owners(a->socks, !run.view->no_owners);
	sa_sockets_keep_pairs(a->socks, run.view->pairs);
	err = run.view->new(a, &run.state);
	if (err)
		goto out;
	if (opts->follow) {
		err = sa_live_start(a, &live);
		if (err)
			goto out;
	}

	err = merge(&run, &failed);
	if (!err)
		err = sa_live_error(live);
	if (err) {
		if (a->clockmsg[0]) {
			what = a->clockmsg;
		} else if (a->win_err) {
			what = a->winmsg;
		} else if (failed != SIZE_MAX &&
			   a->in[failed].replay.reader_failed) {
			set_msg(msg, msgsize, NULL,
				skr_reader_errmsg(a->in[failed].r));
			goto out_nomsg;
		} else if (failed != SIZE_MAX) {
			who = a->in[failed].name;
		}
		goto out;
	}
	for (i = 0; i < n; i++) {
		sa_meta_finish(&a->in[i].meta);
		skr_reader_get_status(a->in[i].r, &a->in[i].status);
		/* Nothing to report before the error: the error alone. */
		if (a->in[i].read_err && !a->in[i].meta.have_header) {
			err = a->in[i].read_err;
			set_msg(msg, msgsize, NULL,
				skr_reader_errmsg(a->in[i].r));
			goto out_nomsg;
		}
		if (a->in[i].status.segments == 0 ||
		    !a->in[i].meta.have_header) {
			err = -EINVAL;
			who = a->in[i].name;
			what = no_data_text(&a->in[i].status);
			goto out;
		}
	}
	sum_stats(a);
	if (!a->started) {
		/* No event: the window still needs checking for misuse. */
		a->win_err = sa_filter_window(&opts->filters, 0, true,
					      &a->win_lo, &a->win_hi,
					      a->winmsg, sizeof(a->winmsg));
	}
	err = sa_sockets_finish(a->socks);
	if (err)
		goto out;
	if (opts->scan) {
		uint64_t *unc = calloc(a->nhosts ? a->nhosts : 1,
				       sizeof(*unc));

		if (!unc) {
			err = -ENOMEM;
			goto out;
		}
		for (i = 0; i < n; i++) {
			uint64_t u = a->in[i].meta.clock.max_uncertainty_ns;

			if (u > unc[a->in[i].host])
				unc[a->in[i].host] = u;
		}
		err = sa_clock_solve(opts->scan, a->nhosts, unc);
		free(unc);
		goto out;
	}
	nmissing = missing_sockets(a, nomsg, sizeof(nomsg));
	if (nmissing > 0)
		set_msg(msg, msgsize, NULL, nomsg);
	/* None of the sockets asked for: no report, only the error. */
	if (nmissing > 0 && nmissing == opts->filters.nsocket) {
		err = -ENOENT;
		goto out_nomsg;
	}
	if (run.view->end)
		run.view->end(a, run.state);
	sa_out_csv_header(&a->o, run.view->csv_header);
	if (a->o.failed)
		err = -ENOMEM;
	if (err == 0 && nmissing > 0) {
		err = -ENOENT;
		goto out_nomsg;
	}
	/* The report showed what was read; the run still failed. */
	for (i = 0; err == 0 && i < n; i++) {
		if (a->in[i].read_err) {
			err = a->in[i].read_err;
			set_msg(msg, msgsize, NULL,
				skr_reader_errmsg(a->in[i].r));
			goto out_nomsg;
		}
	}
out:
	if (err) {
		if (!who && n == 1 && a->in)
			who = a->in[0].name;
		set_msg(msg, msgsize, who, what ? what : strerror(-err));
	}
out_nomsg:
	sa_live_free(live);
	sa_sockets_free(a->socks);
	if (run.view->free)
		run.view->free(run.state);
	sa_inputs_free(a->inputs);
	sa_drops_free(a->drops);
	sa_clock_free(a->clock);
	free(a->host_off);
	free(a->host_user);
	for (i = 0; a->in && i < a->nin; i++) {
		sa_replay_free(a->in[i].rp);
		sa_meta_release(&a->in[i].meta);
	}
	free(a->in);
	sa_out_release(&a->o);
	return err;
}

int sa_run(struct skr_reader *r, const struct sa_run_opts *opts, FILE *out,
	   char *msg, size_t msgsize)
{
	return sa_run_many(&r, 1, opts, out, msg, msgsize);
}
