/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * --info: what the file is, in the manner of capinfos.  One "Key: value"
 * line each, keys padded so values line up; a value the trace does not
 * carry is shown as "(not recorded)" rather than left out, so scripts can
 * rely on every key being present.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "analyze/analysis.h"
#include "analyze/benign.h"
#include "analyze/inputs.h"
#include "analyze/life.h"
#include "analyze/clock.h"
#include "analyze/meta.h"
#include "analyze/pairs.h"
#include "analyze/out.h"
#include "analyze/sockets.h"
#include "analyze/text.h"
#include "analyze/views.h"
#include "analyze/wallclock.h"
#include "format/skr.h"

#define KEY_WIDTH	20
#define NOT_RECORDED	"(not recorded)"

static void kv(FILE *out, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void kv(FILE *out, const char *key, const char *fmt, ...)
{
	va_list ap;

	fprintf(out, "%-*s", KEY_WIDTH, key);
	va_start(ap, fmt);
	vfprintf(out, fmt, ap);
	va_end(ap);
	fputc('\n', out);
}

static const char *or_none(const char *s)
{
	return s ? s : NOT_RECORDED;
}

static const char *clock_name(uint32_t id, char *buf, size_t size)
{
	int n;

	if (id == SKR_CLOCK_BOOTTIME)
		return "BOOTTIME";
	if (id == SKR_CLOCK_MONOTONIC)
		return "MONOTONIC";
	n = snprintf(buf, size, "UNKNOWN(%" PRIu32 ")", id);
	if (n < 0 || (size_t)n >= size)
		return "UNKNOWN";
	return buf;
}

static void capture_hex(const struct sa_meta *m, char *id, size_t size)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < sizeof(m->header.capture_id) && 2 * i + 2 < size;
	     i++) {
		id[2 * i] = hex[m->header.capture_id[i] >> 4];
		id[2 * i + 1] = hex[m->header.capture_id[i] & 0xf];
	}
	id[2 * i] = '\0';
}

static void print_file(FILE *out, const struct sa_input *in)
{
	const struct sa_meta *m = &in->meta;
	const struct skr_reader_status *st = &in->status;
	char id[2 * sizeof(m->header.capture_id) + 1], kept[160];

	capture_hex(m, id, sizeof(id));
	kv(out, "File name:", "%s", in->name);
	kv(out, "File format:", "sockrec trace %u.%u", st->major, st->minor);
	kv(out, "File status:", "%s, %" PRIu32 " segment%s%s%s%s",
	   in->read_err ? "error" : sa_input_truncated(in) ? "truncated"
	   : "complete", st->segments,
	   st->segments == 1 ? "" : "s",
	   m->mixed_hosts ? " (from different hosts or boots)"
	   : m->mixed_captures ? " (from different captures)" : "",
	   !in->read_err && sa_input_truncated(in) ? "; " : "",
	   !in->read_err && sa_input_truncated(in) ? sa_input_kept(in, kept, sizeof(kept)) : "");
	if (in->read_err)
		kv(out, "Error:", "%s (what follows was read before it)",
		   skr_reader_errmsg(in->r));
	kv(out, "Capture id:", "%s", id);
	if (st->segments > 1)
		kv(out, "File index:", "%" PRIu32 " to %" PRIu32,
		   m->header.file_index, m->last_file_index);
	else
		kv(out, "File index:", "%" PRIu32, m->header.file_index);
}

static void print_host(FILE *out, const struct sa_meta *m)
{
	kv(out, "Host name:", "%s", or_none(m->hostname));
	kv(out, "Kernel release:", "%s", or_none(m->krelease));
	kv(out, "Kernel version:", "%s", or_none(m->kversion));
	kv(out, "Machine:", "%s", or_none(m->machine));
	kv(out, "OS:", "%s", or_none(m->os));
	kv(out, "Boot id:", "%s", or_none(m->boot_id));
	if (m->have_ncpus)
		kv(out, "CPUs:", "%" PRIu32, m->ncpus);
	else
		kv(out, "CPUs:", "%s", NOT_RECORDED);
	kv(out, "Recorder version:", "%s", or_none(m->rec_version));
	kv(out, "Recorder command:", "%s", or_none(m->rec_cmdline));
	kv(out, "Comment:", "%s", or_none(m->rec_comment));
	if (!m->have_filter)
		kv(out, "Filters:", "%s", NOT_RECORDED);
	else
		kv(out, "Filters:", "%s", m->filters ? m->filters : "none");
	if (sa_meta_count(m, SKR_REC_SNAPSHOT) == 0)
		kv(out, "Start snapshot:", "%s", NOT_RECORDED);
	else
		kv(out, "Start snapshot:", "%" PRIu64 " socket%s%s%s",
		   m->snap_sockets, m->snap_sockets == 1 ? "" : "s",
		   m->snap_complete ? "" : " (incomplete)",
		   m->snap_netns_failed ? ", some namespaces not listed" : "");
}

static void print_clock(FILE *out, const struct sa_meta *m)
{
	const struct sa_wallclock *wc = &m->clock;
	char buf[24], unc[32];

	if (wc->samples == 0) {
		kv(out, "Clock:", "%s (no sync samples: times are clock "
		   "offsets)", NOT_RECORDED);
		return;
	}
	kv(out, "Clock:", "%s, %" PRIu64 " sync sample%s, uncertainty up to "
	   "%s s%s", clock_name(wc->clock_id, buf, sizeof(buf)), wc->samples,
	   wc->samples == 1 ? "" : "s",
	   sa_text_secs(wc->max_uncertainty_ns, unc, sizeof(unc)),
	   wc->mixed_ids ? " (samples of other clocks ignored)" : "");
}

static void print_probes(FILE *out, const struct sa_meta *m)
{
	int width = 0;
	size_t i;

	if (m->nprobes == 0) {
		kv(out, "Probes:", "%s", NOT_RECORDED);
		return;
	}
	for (i = 0; i < m->nprobes; i++) {
		const char *name = or_none(m->probes[i].name);
		int len = (int)strnlen(name, 40);

		if (len > width)
			width = len;
	}
	for (i = 0; i < m->nprobes; i++) {
		const struct sa_probe *p = &m->probes[i];
		char buf[24], why[160];
		const char *state;

		if (p->has_tier && p->tier != SKR_TIER_NONE) {
			state = skr_tier_name(p->tier, buf, sizeof(buf));
			kv(out, i == 0 ? "Probes:" : "", "%-*s  %s", width,
			   or_none(p->name), state);
			continue;
		}
		if (p->reason && p->error) {
			const char *e = skr_errno_name((int32_t)p->error);
			int n = e ? snprintf(why, sizeof(why), "%s (%s)",
					     p->reason, e)
				  : snprintf(why, sizeof(why), "%s (errno %"
					     PRIu32 ")", p->reason, p->error);

			state = n < 0 ? p->reason : why;
		} else if (p->reason) {
			state = p->reason;
		} else if (p->error) {
			int n = snprintf(why, sizeof(why), "errno %" PRIu32,
					 p->error);

			state = n < 0 || (size_t)n >= sizeof(why) ? "?" : why;
		} else {
			state = "no reason recorded";
		}
		kv(out, i == 0 ? "Probes:" : "", "%-*s  not attached: %s",
		   width, or_none(p->name), state);
	}
	if (m->probes_dropped > 0)
		kv(out, "", "(%" PRIu64 " more probe records not shown)",
		   m->probes_dropped);
}

/* Counts by type: event types (skr_rec_is_event) or the others. */
static void print_types(FILE *out, const struct sa_meta *m, bool events)
{
	char name[24], key[40];
	size_t i;

	for (i = 0; i < m->ntypes; i++) {
		int n;

		if (skr_rec_is_event(m->types[i].type) != events)
			continue;
		n = snprintf(key, sizeof(key), "  %s:",
			     sa_rec_type_name(m->types[i].type, name,
					      sizeof(name)));
		if (n < 0 || (size_t)n >= sizeof(key))
			continue;
		kv(out, key, "%" PRIu64, m->types[i].n);
	}
	if (!events && m->other_types > 0)
		kv(out, "  other types:", "%" PRIu64, m->other_types);
}

static void print_events(FILE *out, const struct sa_input *in)
{
	const struct sa_meta *m = &in->meta;
	char wall[SA_WALL_LEN], dur[32];

	if (m->events > 0) {
		kv(out, "First event:", "%s",
		   sa_wallclock_format(&m->clock, m->first_ts, wall,
				       sizeof(wall)));
		kv(out, "Last event:", "%s",
		   sa_wallclock_format(&m->clock, m->last_ts, wall,
				       sizeof(wall)));
		kv(out, "Duration:", "%s s",
		   sa_text_secs(m->last_ts - m->first_ts, dur, sizeof(dur)));
	} else {
		kv(out, "First event:", "-");
		kv(out, "Last event:", "-");
		kv(out, "Duration:", "-");
	}
	kv(out, "Events:", "%" PRIu64, m->events);
	print_types(out, m, true);
	kv(out, "Other records:", "%" PRIu64, m->records - m->events);
	print_types(out, m, false);
}

static void print_health(FILE *out, const struct sa_input *in)
{
	const struct sa_meta *m = &in->meta;
	const struct skr_reader_status *st = &in->status;
	char line[200], malformed[48];

	/* Malformed samples are named only where there are any. */
	malformed[0] = '\0';
	if (sa_meta_malformed(m))
		snprintf(malformed, sizeof(malformed), ", malformed samples %"
			 PRIu64, sa_meta_malformed(m));
	if (sa_meta_lost(m) == 0)
		kv(out, "Lost events:", "0");
	else
		kv(out, "Lost events:", "%" PRIu64 " (perf buffer %" PRIu64
		   ", output failed %" PRIu64 ", recursion misses %" PRIu64
		   "%s)", sa_meta_lost(m), m->perf_lost, m->output_failed,
		   m->recursion_misses, malformed);
	if (*sa_benign_summary(m, line, sizeof(line)))
		kv(out, "Benign frees:", "%s", line);
	kv(out, "Reordering:", "peak %" PRIu64 " events held, %" PRIu64
	   " released early, %" PRIu64 " out of order",
	   in->replay.peak_held, in->replay.forced, in->replay.late);
	kv(out, "Compressed size:", "%" PRIu64 " bytes", st->bytes_in);
	kv(out, "Uncompressed size:", "%" PRIu64 " bytes", st->bytes_out);
	if (st->bytes_in > 0)
		kv(out, "Compression ratio:", "%.2f",
		   (double)st->bytes_out / (double)st->bytes_in);
	else
		kv(out, "Compression ratio:", "-");
}

static const char *probe_state(const struct sa_probe *p, char *buf,
			       size_t size)
{
	if (p->has_tier && p->tier != SKR_TIER_NONE)
		return skr_tier_name(p->tier, buf, size);
	return "none";
}

static void row_input(struct sa_analysis *a, const struct sa_input *in)
{
	const struct sa_meta *m = &in->meta;
	char id[2 * sizeof(m->header.capture_id) + 1], wall[SA_WALL_LEN];
	char buf[24];
	struct sa_out *o = &a->o;
	size_t i;

	capture_hex(m, id, sizeof(id));
	sa_row_begin(o, "file");
	sa_row_str(o, "file", in->name);
	sa_row_u64(o, "major", in->status.major);
	sa_row_u64(o, "minor", in->status.minor);
	sa_row_bool(o, "complete", !sa_input_truncated(in));
	sa_row_u64(o, "segments", in->status.segments);
	sa_row_str(o, "capture_id", id);
	sa_row_u64(o, "file_index_first", m->header.file_index);
	sa_row_u64(o, "file_index_last", m->last_file_index);
	sa_row_str(o, "hostname", m->hostname);
	sa_row_str(o, "kernel_release", m->krelease);
	sa_row_str(o, "kernel_version", m->kversion);
	sa_row_str(o, "machine", m->machine);
	sa_row_str(o, "os", m->os);
	sa_row_str(o, "boot_id", m->boot_id);
	if (m->have_ncpus)
		sa_row_u64(o, "cpus", m->ncpus);
	else
		sa_row_null(o, "cpus");
	sa_row_str(o, "recorder_version", m->rec_version);
	sa_row_str(o, "recorder_command", m->rec_cmdline);
	sa_row_str(o, "comment", m->rec_comment);
	sa_row_str(o, "filters", m->have_filter ? (m->filters ? m->filters
							       : "none")
					       : NULL);
	if (sa_meta_count(m, SKR_REC_SNAPSHOT) > 0)
		sa_row_u64(o, "snapshot_sockets", m->snap_sockets);
	else
		sa_row_null(o, "snapshot_sockets");
	sa_row_u64(o, "clock_samples", m->clock.samples);
	if (m->events > 0) {
		sa_row_str(o, "first_event", sa_wallclock_format(
				&m->clock, m->first_ts, wall, sizeof(wall)));
		sa_row_str(o, "last_event", sa_wallclock_format(
				&m->clock, m->last_ts, wall, sizeof(wall)));
		sa_row_u64(o, "duration_ns", m->last_ts - m->first_ts);
	} else {
		sa_row_null(o, "first_event");
		sa_row_null(o, "last_event");
		sa_row_null(o, "duration_ns");
	}
	sa_row_u64(o, "events", m->events);
	sa_row_u64(o, "records", m->records);
	sa_row_u64(o, "lost", sa_meta_lost(m));
	sa_row_u64(o, "perf_lost", m->perf_lost);
	sa_row_u64(o, "output_failed", m->output_failed);
	sa_row_u64(o, "recursion_misses", m->recursion_misses);
	sa_row_u64(o, "bytes_compressed", in->status.bytes_in);
	sa_row_u64(o, "bytes_uncompressed", in->status.bytes_out);
	sa_row_end(o);

	for (i = 0; i < m->nprobes; i++) {
		const struct sa_probe *p = &m->probes[i];

		sa_row_begin(o, "probe");
		sa_row_str(o, "file", in->name);
		sa_row_str(o, "probe", p->name);
		sa_row_str(o, "tier", probe_state(p, buf, sizeof(buf)));
		sa_row_bool(o, "attached", p->has_tier &&
					   p->tier != SKR_TIER_NONE);
		sa_row_u64(o, "error", p->error);
		sa_row_str(o, "reason", p->reason);
		sa_row_str(o, "event", p->event ? sa_rec_type_name(
					 p->event, buf, sizeof(buf)) : NULL);
		sa_row_end(o);
	}
	for (i = 0; i < m->ntypes; i++) {
		sa_row_begin(o, "record_type");
		sa_row_str(o, "file", in->name);
		sa_row_str(o, "type", sa_rec_type_name(m->types[i].type, buf,
						       sizeof(buf)));
		sa_row_u64(o, "count", m->types[i].n);
		sa_row_end(o);
	}
}

static void info_end(struct sa_analysis *a, void *state)
{
	const struct sa_pairs_stats *ps = sa_pairs_stats(sa_sockets_pairs(a->socks));
	FILE *out = a->out;
	size_t i;

	(void)state;

	if (a->opts->format != SA_FORMAT_TEXT) {
		for (i = 0; i < a->nin; i++)
			row_input(a, &a->in[i]);
		sa_row_begin(&a->o, "analysis");
		sa_row_u64(&a->o, "inputs", a->nin);
		sa_row_u64(&a->o, "hosts", a->nhosts);
		sa_row_u64(&a->o, "sockets", sa_sockets_seen(a->socks));
		sa_row_u64(&a->o, "transitions",
			   sa_sockets_transitions(a->socks));
		sa_row_u64(&a->o, "peak_live_sockets",
			   sa_sockets_peak_live(a->socks));
		sa_row_u64(&a->o, "pairs", ps->pairs);
		sa_row_u64(&a->o, "pairs_cross_netns", ps->cross_netns);
		sa_row_u64(&a->o, "pairs_cross_host", ps->cross_host);
		sa_row_u64(&a->o, "pairs_ambiguous", ps->ambiguous);
		sa_row_u64(&a->o, "pairs_untried", ps->untried);
		sa_row_u64(&a->o, "lost", sa_lost(a));
		sa_row_end(&a->o);
		sa_clock_rows(a);
		sa_row_warnings(a);
		return;
	}
	for (i = 0; i < a->nin; i++) {
		const struct sa_input *in = &a->in[i];

		if (i > 0)
			fputc('\n', out);
		print_file(out, in);
		print_host(out, &in->meta);
		print_clock(out, &in->meta);
		print_probes(out, &in->meta);
		print_events(out, in);
		print_health(out, in);
	}
	if (a->nin > 1) {
		fputc('\n', out);
		kv(out, "Inputs:", "%zu, %" PRIu32 " host%s", a->nin, a->nhosts,
		   a->nhosts == 1 ? "" : "s");
	}
	/* The same capture given twice: said here as in the other reports. */
	for (i = 0; i < a->nin; i++) {
		struct sa_inputs_dup d;

		if (!sa_inputs_duplicate(a, i, &d))
			continue;
		kv(out, "Duplicate:", "%s: %" PRIu64 " file segment%s already "
		   "read from %s (capture %s, file index %" PRIu32 "), its %"
		   PRIu64 " events counted once", a->in[i].name, d.segments,
		   d.segments == 1 ? "" : "s", d.owner, d.capture, d.file_index,
		   d.events);
	}
	kv(out, "Sockets seen:", "%" PRIu64, sa_sockets_seen(a->socks));
	kv(out, "Transitions:", "%" PRIu64, sa_sockets_transitions(a->socks));
	kv(out, "Peak live sockets:", "%" PRIu64,
	   sa_sockets_peak_live(a->socks));
	kv(out, "Connection pairs:", "%" PRIu64 " with both ends here (%" PRIu64
	   " across namespaces, %" PRIu64 " across hosts); %" PRIu64
	   " socket%s with several candidate peers, not paired", ps->pairs,
	   ps->cross_netns, ps->cross_host, ps->ambiguous,
	   ps->ambiguous == 1 ? "" : "s");
	/* Only past pairs.c's bound: other traces' output is unchanged. */
	if (ps->untried > 0)
		kv(out, "Pairs not tried:", "%" PRIu64 " socket%s (more than "
		   "131072 waiting for their peer at once)", ps->untried,
		   ps->untried == 1 ? "" : "s");
	for (uint32_t h = 0; h < a->nhosts; h++) {
		const char *kind;
		char note[320];

		if (sa_clock_note(a, h, &kind, note, sizeof(note)))
			kv(out, "Clock offset:", "%s", note);
	}
	/* Only past the table's bound: other traces' output is unchanged. */
	if (sa_sockets_evicted(a->socks) > 0)
		kv(out, "Evicted sockets:", "%" PRIu64 " (more than %zu "
		   "live at once)", sa_sockets_evicted(a->socks),
		   sa_sockets_max_live(a->socks));
	if (a->untracked_snap > 0 || a->untracked_events > 0)
		kv(out, "Untracked sockets:", "%" PRIu64 " of the snapshot, "
		   "and %" PRIu64 " events naming other new sockets ignored "
		   "(more than %zu live at once)", a->untracked_snap,
		   a->untracked_events, sa_sockets_max_live(a->socks));
}

static int info_new(struct sa_analysis *a, void **state)
{
	(void)a;
	*state = NULL;
	return 0;
}

const struct sa_view sa_view_info = {
	.name = "info",
	.option = "--info",
	.report = SA_REPORT_INFO,
	.pairs = true,		/* the pair counts */
	.no_owners = true,	/* counts lives, never names their tasks */
	.formats = SA_VIEW_TEXT | SA_VIEW_JSON,
	.new = info_new,
	.end = info_end,
};
