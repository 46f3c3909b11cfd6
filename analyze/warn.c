/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What every report must say about the trace itself: events lost,
 * truncation, events that could not be put in order or decoded.  A report
 * built on a damaged trace says so, in the same words everywhere.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

#include "analyze/analysis.h"
#include "analyze/clock.h"
#include "analyze/inputs.h"
#include "analyze/meta.h"
#include "analyze/out.h"
#include "analyze/sockets.h"
#include "format/skr.h"

struct warning {
	const char *kind;
	const char *input;	/* NULL: the whole analysis */
	uint64_t count;
	char text[400];
};

/* ctx: where the warning goes, a FILE (text) or the analysis (rows). */
typedef void (*warn_fn)(void *ctx, const struct warning *w);

struct sink {
	warn_fn fn;
	void *ctx;
};

static void emit(const struct sink *to, const char *kind, const char *input,
		 uint64_t count, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void emit(const struct sink *to, const char *kind, const char *input,
		 uint64_t count, const char *fmt, ...)
{
	struct warning w;
	va_list ap;
	int n;

	w.kind = kind;
	w.input = input;
	w.count = count;
	va_start(ap, fmt);
	n = vsnprintf(w.text, sizeof(w.text), fmt, ap);
	va_end(ap);
	if (n < 0)
		w.text[0] = '\0';
	to->fn(to->ctx, &w);
}

static const char *s_(uint64_t n)
{
	return n == 1 ? "" : "s";
}

static void each_warning(struct sa_analysis *a, const struct sink *to)
{
	uint64_t malformed = a->replay.malformed, lost;
	struct sa_inputs_dup dup;
	char kept[160];
	size_t i;

	for (i = 0; i < a->nin; i++)
		malformed += a->in[i].meta.malformed;
	for (i = 0; i < a->nin; i++) {
		const struct sa_input *in = &a->in[i];
		const char *name = a->nin > 1 ? in->name : NULL;

		lost = sa_meta_lost(&in->meta);
		if (lost > 0)
			emit(to, "lost", name, lost, "%s%s%" PRIu64 " event%s "
			     "lost; timelines may have gaps", name ? name : "",
			     name ? ": " : "", lost, s_(lost));
		if (in->meta.mixed_hosts)
			emit(to, "mixed_hosts", name, 1, "%s%sthe file joins "
			     "traces of different hosts or boots (their HOST "
			     "boot ids differ) and is analyzed as one; pass "
			     "each host's files as separate inputs",
			     name ? name : "", name ? ": " : "");
		if (sa_inputs_duplicate(a, i, &dup))
			emit(to, "duplicate", name, dup.segments, "%s%s%"
			     PRIu64 " file segment%s already read from %s "
			     "(capture %s, file index %" PRIu32 "%s): the same "
			     "capture given twice; its %" PRIu64 " event%s "
			     "counted once", name ? name : "", name ? ": " : "",
			     dup.segments, s_(dup.segments), dup.owner,
			     dup.capture, dup.file_index,
			     dup.segments > 1 ? ", the first" : "", dup.events,
			     s_(dup.events));
		if (in->read_err)
			emit(to, "read_error", name, 1, "%s%sreading stopped "
			     "at an error in the file; showing what was read "
			     "before it: %s", name ? name : "", name ? ": " : "",
			     skr_reader_errmsg(in->r));
		else if (sa_input_truncated(in))
			emit(to, "truncated", name, 1, "%s%strace is "
			     "truncated (recorder killed or file cut); showing "
			     "its complete part: %s", name ? name : "",
			     name ? ": " : "",
			     sa_input_kept(in, kept, sizeof(kept)));
	}
	if (sa_inputs_unchecked(a) > 0)
		emit(to, "duplicate_unchecked", NULL, sa_inputs_unchecked(a),
		     "%" PRIu64 " file segment%s not checked for duplicates: "
		     "more than %u segments in the inputs",
		     sa_inputs_unchecked(a), s_(sa_inputs_unchecked(a)),
		     SA_INPUTS_SEGMENTS_MAX);
	for (uint32_t h = 0; h < a->nhosts; h++) {
		const char *kind;
		char note[320];

		if (sa_clock_note(a, h, &kind, note, sizeof(note)))
			emit(to, kind, NULL, 0, "%s", note);
	}
	if (a->replay.late > 0)
		emit(to, "disorder", NULL, a->replay.late, "%" PRIu64
		     " event%s could not be put in time order (reorder buffer "
		     "full or rounds broken)", a->replay.late,
		     s_(a->replay.late));
	if (a->no_cookie > 0)
		emit(to, "no_cookie", NULL, a->no_cookie, "%" PRIu64
		     " state event%s without a socket cookie ignored",
		     a->no_cookie, s_(a->no_cookie));
	if (malformed > 0)
		emit(to, "malformed", NULL, malformed, "%" PRIu64
		     " malformed event%s ignored", malformed, s_(malformed));
	if (a->socks && sa_sockets_evicted(a->socks) > 0)
		emit(to, "evicted", NULL, sa_sockets_evicted(a->socks),
		     "%" PRIu64 " socket%s reported before their end: more "
		     "than %zu open at once", sa_sockets_evicted(a->socks),
		     s_(sa_sockets_evicted(a->socks)),
		     sa_sockets_max_live(a->socks));
	if (a->socks && a->untracked_snap > 0)
		emit(to, "untracked", NULL, a->untracked_snap, "%" PRIu64
		     " socket%s of the snapshot not tracked: the table holds "
		     "%zu live sockets at most", a->untracked_snap,
		     s_(a->untracked_snap), sa_sockets_max_live(a->socks));
	if (a->socks && a->untracked_events > 0)
		emit(to, "untracked_events", NULL, a->untracked_events,
		     "%" PRIu64 " event%s naming a new socket ignored, the "
		     "socket not tracked: the table held %zu live sockets, its "
		     "most", a->untracked_events, s_(a->untracked_events),
		     sa_sockets_max_live(a->socks));
}

static void print_one(void *ctx, const struct warning *w)
{
	fprintf(ctx, "WARNING: %s\n", w->text);
}

static void row_one(void *ctx, const struct warning *w)
{
	struct sa_analysis *a = ctx;

	/* In CSV, rows of other kinds than the table's are not written. */
	sa_row_begin(&a->o, "warning");
	sa_row_str(&a->o, "kind", w->kind);
	sa_row_str(&a->o, "input", w->input);
	sa_row_u64(&a->o, "count", w->count);
	sa_row_str(&a->o, "message", w->text);
	sa_row_end(&a->o);
}

void sa_print_warnings(struct sa_analysis *a, FILE *out)
{
	const struct sink to = { print_one, out };

	each_warning(a, &to);
}

void sa_row_warnings(struct sa_analysis *a)
{
	const struct sink to = { row_one, a };

	each_warning(a, &to);
}
