/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * --info: what the file is, in the manner of capinfos.  One "Key: value"
 * line each, keys padded so values line up; a value the trace does not
 * carry is shown as "(not recorded)" rather than left out, so scripts can
 * rely on every key being present.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

#include "analyze/sockana.h"

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

static void print_file(FILE *out, const struct sa_analysis *a)
{
	static const char hex[] = "0123456789abcdef";
	const struct sa_meta *m = &a->meta;
	const struct skr_reader_status *st = &a->status;
	char id[2 * sizeof(m->header.capture_id) + 1];
	size_t i;

	for (i = 0; i < sizeof(m->header.capture_id); i++) {
		id[2 * i] = hex[m->header.capture_id[i] >> 4];
		id[2 * i + 1] = hex[m->header.capture_id[i] & 0xf];
	}
	id[2 * i] = '\0';

	kv(out, "File name:", "%s", a->name);
	kv(out, "File format:", "sockrec trace %u.%u", st->major, st->minor);
	kv(out, "File status:", "%s, %" PRIu32 " segment%s%s",
	   sa_truncated(a) ? "truncated" : "complete", st->segments,
	   st->segments == 1 ? "" : "s",
	   m->mixed_captures ? " (from different captures)" : "");
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
	if (m->rec_comment)
		kv(out, "Comment:", "%s", m->rec_comment);
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
		char buf[24], why[48];
		const char *state;

		if (p->has_tier && p->tier != SKR_TIER_NONE) {
			state = skr_tier_name(p->tier, buf, sizeof(buf));
			kv(out, i == 0 ? "Probes:" : "", "%-*s  %s", width,
			   or_none(p->name), state);
			continue;
		}
		if (p->reason) {
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

/* Counts by type: event types (>= 0x0100) or the others. */
static void print_types(FILE *out, const struct sa_meta *m, bool events)
{
	char name[24], key[40];
	size_t i;

	for (i = 0; i < m->ntypes; i++) {
		int n;

		if ((m->types[i].type >= 0x0100) != events)
			continue;
		n = snprintf(key, sizeof(key), "  %s:",
			     skr_rec_type_name(m->types[i].type, name,
					       sizeof(name)));
		if (n < 0 || (size_t)n >= sizeof(key))
			continue;
		kv(out, key, "%" PRIu64, m->types[i].n);
	}
	if (!events && m->other_types > 0)
		kv(out, "  other types:", "%" PRIu64, m->other_types);
}

static void print_events(FILE *out, const struct sa_analysis *a)
{
	const struct sa_meta *m = &a->meta;
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
	kv(out, "Sockets seen:", "%" PRIu64, sa_sockets_seen(a->socks));
	kv(out, "Transitions:", "%" PRIu64, sa_sockets_transitions(a->socks));
}

static void print_health(FILE *out, const struct sa_analysis *a)
{
	const struct sa_meta *m = &a->meta;
	const struct skr_reader_status *st = &a->status;

	if (sa_meta_lost(m) == 0)
		kv(out, "Lost events:", "0");
	else
		kv(out, "Lost events:", "%" PRIu64 " (perf buffer %" PRIu64
		   ", output failed %" PRIu64 ", recursion misses %" PRIu64
		   ")", sa_meta_lost(m), m->perf_lost, m->output_failed,
		   m->recursion_misses);
	kv(out, "Reordering:", "peak %" PRIu64 " events held, %" PRIu64
	   " released early, %" PRIu64 " out of order",
	   a->replay.peak_held, a->replay.forced, a->replay.late);
	kv(out, "Compressed size:", "%" PRIu64 " bytes", st->bytes_in);
	kv(out, "Uncompressed size:", "%" PRIu64 " bytes", st->bytes_out);
	if (st->bytes_in > 0)
		kv(out, "Compression ratio:", "%.2f",
		   (double)st->bytes_out / (double)st->bytes_in);
	else
		kv(out, "Compression ratio:", "-");
}

void sa_report_info(const struct sa_analysis *a)
{
	print_file(a->out, a);
	print_host(a->out, &a->meta);
	print_clock(a->out, &a->meta);
	print_probes(a->out, &a->meta);
	print_events(a->out, a);
	print_health(a->out, a);
}
