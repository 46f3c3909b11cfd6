// SPDX-License-Identifier: BSD-2-Clause
/*
 * What the operator sees while recording: a status line on a terminal,
 * the stats on SIGUSR1, and the summary at exit.  Losses are in all of
 * them, so none goes unnoticed.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "record/sockrec.h"

#define CLEAR_LINE	"\r\033[K"
#define RATE_MIN_MS	500	/* shorter windows make the rate jump */

void rec_counters_refresh(struct rec_session *s)
{
	static bool failed;
	uint64_t ofail, rmiss, rcv;

	/* One message is enough: later STATS keep the last good figures. */
	if (!s->skel || failed)
		return;
	if (rec_probes_totals(s, &ofail, &rmiss, &rcv)) {
		failed = true;
		return;
	}
	if (ofail > s->output_failed)
		s->output_failed = ofail;
	if (rmiss > s->recursion_misses)
		s->recursion_misses = rmiss;
	if (rcv > s->recovered)
		s->recovered = rcv;
}

/* Every failed output is a lost event; the ring's reports are a subset. */
static uint64_t lost_total(const struct rec_session *s)
{
	return s->output_failed > s->lost ? s->output_failed : s->lost;
}

static const char *human_bytes(uint64_t n, char *buf, size_t size)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double v = (double)n;
	size_t u = 0;
	int len;

	while (v >= 1024 && u + 1 < sizeof(units) / sizeof(units[0])) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		len = snprintf(buf, size, "%" PRIu64 " B", n);
	else
		len = snprintf(buf, size, "%.1f %s", v, units[u]);
	if (len < 0 || (size_t)len >= size)
		return "?";
	return buf;
}

/* The stats line, without a newline; 0 or -ENOSPC. */
static int stats_line(const struct rec_session *s, char *buf, size_t size)
{
	uint64_t in = rec_output_bytes_in(s), out = rec_output_bytes_out(s);
	char bytes[32], ratio[16];
	int n;

	if (out > 0)
		n = snprintf(ratio, sizeof(ratio), "%.1fx", (double)in / (double)out);
	else
		n = snprintf(ratio, sizeof(ratio), "-");
	if (n < 0 || (size_t)n >= sizeof(ratio))
		return -ENOSPC;
	n = snprintf(buf, size, "sockrec: %" PRIu64 " events, %" PRIu64
		     " lost, %s written (%s), %.0f events/s", s->events,
		     lost_total(s), human_bytes(out, bytes, sizeof(bytes)),
		     ratio, s->rate);
	if (n < 0 || (size_t)n >= size)
		return -ENOSPC;
	return 0;
}

void rec_status_init(struct rec_session *s)
{
	/* -- CMD: the terminal is the command's; SIGUSR1 still prints the line. */
	/* --print's lines would be torn by a status line redrawn under them. */
	s->status_tty = !s->opt->quiet && !s->opt->cmd && !s->opt->print &&
			isatty(STDERR_FILENO);
	s->rate_ms = rec_mono_ms();
	s->rate_events = s->events;
}

static void update_rate(struct rec_session *s, uint64_t now_ms)
{
	if (now_ms < s->rate_ms + RATE_MIN_MS)
		return;
	s->rate = (double)(s->events - s->rate_events) * 1000.0 /
		  (double)(now_ms - s->rate_ms);
	s->rate_ms = now_ms;
	s->rate_events = s->events;
}

void rec_status_update(struct rec_session *s, uint64_t now_ms)
{
	char line[256];

	update_rate(s, now_ms);
	if (!s->status_tty || stats_line(s, line, sizeof(line)))
		return;
	fprintf(stderr, CLEAR_LINE "%s", line);
	fflush(stderr);
	s->status_shown = true;
}

void rec_status_clear(struct rec_session *s)
{
	if (!s->status_shown)
		return;
	fputs(CLEAR_LINE, stderr);
	s->status_shown = false;
}

void rec_status_print(struct rec_session *s)
{
	char line[256];

	update_rate(s, rec_mono_ms());
	if (stats_line(s, line, sizeof(line)))
		return;
	rec_status_clear(s);
	fprintf(stderr, "%s\n", line);
}

void rec_status_summary(struct rec_session *s)
{
	uint64_t out = rec_output_bytes_out(s);
	char where[PATH_MAX + 128];
	int n;

	rec_status_clear(s);
	if (s->opt->quiet || out == 0)
		return;
	/* A file that is gone was not "written to": say what became of it. */
	if (s->out_gone)
		n = snprintf(where, sizeof(where), "written, but %s was deleted "
			     "during the recording: what it held is lost", s->out_name);
	else if (s->files > 1)
		n = snprintf(where, sizeof(where), "written to %" PRIu32 " files, the last %s",
			     s->files, s->out_name);
	else
		n = snprintf(where, sizeof(where), "written to %s", s->out_name);
	if (n < 0 || (size_t)n >= sizeof(where))
		where[0] = '\0';
	/* After a write error the files hold fewer events than were read. */
	fprintf(stderr, "sockrec: %" PRIu64 " events %s, %" PRIu64 " lost "
		"(perf buffer %" PRIu64 ", failed outputs %" PRIu64 "), %" PRIu64
		" recursion misses, %" PRIu64 " bytes %s\n",
		s->events, s->werr ? "read" : "recorded", lost_total(s),
		s->lost, s->output_failed, s->recursion_misses, out, where);
	if (s->opt->recover_misses)
		fprintf(stderr, "sockrec: %" PRIu64 " events skipped by the kernel "
			"(recursion) were recovered by --recover-misses\n",
			s->recovered);
	if (s->malformed)
		fprintf(stderr, "sockrec: %" PRIu64 " malformed samples dropped\n",
			s->malformed);
}
