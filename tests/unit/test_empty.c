// SPDX-License-Identifier: BSD-2-Clause
/*
 * Reports with nothing to report: a trace without a single event, and one
 * whose sockets a filter all turns away.  A program reading sockana's CSV
 * needs its header whether or not rows follow, and one reading its JSON
 * needs JSON; every view of the table (views.c) is taken, so a view added
 * later is held to the same.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/views.h"
#include "jsonl.h"
#include "tevchk.h"
#include "tracegen.h"

#define WALL_BASE	1795341600ull	/* 2026-11-22T10:00:00Z */
#define SEC		1000000000ull
#define USEC		1000ull
#define T0		(2 * SEC)
#define P		SKR_CTX_PROCESS
#define I		SKR_CTX_SOFTIRQ
#define LO		"127.0.0.1"

static void begin(struct tg *t)
{
	static const char *const args[] = { "sockrec", NULL };
	const struct tg_host h = { .hostname = "empty", .boot_id = "boot-e" };

	tg_begin(t);
	tg_header(t, 0, 0x6e, 0, WALL_BASE * SEC);
	tg_host(t, &h);
	tg_recorder(t, NULL, args, "unit test");
	tg_probe(t, "inet_sock_set_state", SKR_REC_STATE, SKR_TIER_TP_BTF,
		 NULL);
	tg_probe(t, "listen", SKR_REC_LISTEN, SKR_TIER_TRACEPOINT, NULL);
	tg_probe(t, "accept", SKR_REC_ACCEPT, SKR_TIER_TRACEPOINT, NULL);
	tg_clock(t, 1 * SEC, WALL_BASE * SEC, 0);
}

/* Metadata and END: a recording during which nothing happened. */
static void build_empty(struct tg *t)
{
	begin(t);
	tg_end(t, T0 + SEC, 0, 0);
}

/* A listener on 8080 and one connection to it: a row in every view. */
static void build_one(struct tg *t)
{
	begin(t);
	tg_st(t, T0, 0x10, P, 10, "srv", SKR_TCP_CLOSE, SKR_TCP_LISTEN, LO,
	      8080, "0.0.0.0", 0);
	tg_listen(t, T0 + 1 * USEC, 0x10, 10, 128, 128, 8080);
	tg_st(t, T0 + 10 * USEC, 0x11, P, 20, "cli", SKR_TCP_CLOSE,
	      SKR_TCP_SYN_SENT, LO, 0, LO, 8080);
	tg_st(t, T0 + 12 * USEC, 0x12, I, 0, "swapper/0", SKR_TCP_LISTEN,
	      SKR_TCP_SYN_RECV, LO, 8080, LO, 40001);
	tg_st(t, T0 + 15 * USEC, 0x11, I, 0, "swapper/0", SKR_TCP_SYN_SENT,
	      SKR_TCP_ESTABLISHED, LO, 40001, LO, 8080);
	tg_st(t, T0 + 20 * USEC, 0x12, I, 0, "swapper/0", SKR_TCP_SYN_RECV,
	      SKR_TCP_ESTABLISHED, LO, 8080, LO, 40001);
	tg_accept(t, T0 + 60 * USEC, 0x10, 0x12, 10, 1, 128, 0);
	tg_st(t, T0 + 100 * USEC, 0x11, P, 20, "cli", SKR_TCP_ESTABLISHED,
	      SKR_TCP_FIN_WAIT1, LO, 40001, LO, 8080);
	tg_st(t, T0 + 110 * USEC, 0x12, I, 0, "swapper/0",
	      SKR_TCP_ESTABLISHED, SKR_TCP_CLOSE_WAIT, LO, 8080, LO, 40001);
	tg_st(t, T0 + 120 * USEC, 0x11, I, 0, "swapper/0", SKR_TCP_FIN_WAIT1,
	      SKR_TCP_FIN_WAIT2, LO, 40001, LO, 8080);
	tg_st(t, T0 + 300 * USEC, 0x12, P, 10, "srv", SKR_TCP_CLOSE_WAIT,
	      SKR_TCP_LAST_ACK, LO, 8080, LO, 40001);
	tg_st(t, T0 + 310 * USEC, 0x11, I, 0, "swapper/0", SKR_TCP_FIN_WAIT2,
	      SKR_TCP_CLOSE, LO, 40001, LO, 8080);
	tg_st(t, T0 + 320 * USEC, 0x12, I, 0, "swapper/0", SKR_TCP_LAST_ACK,
	      SKR_TCP_CLOSE, LO, 8080, LO, 40001);
	tg_end(t, T0 + SEC, 0, 11);
}

/*
 * The traces every check runs on: no event, metadata only and cut before
 * its END (a recorder killed at once), every socket filtered away, one
 * connection.
 */
enum kind { EMPTY, CUT, FILTERED, ONE };

static char *report(const struct sa_view *v, enum sa_format fmt,
		    enum kind kind)
{
	struct sa_run_opts opts;
	struct tg t;
	char msg[256];
	char *text;
	int err;

	memset(&opts, 0, sizeof(opts));
	opts.report = v->report;
	opts.format = fmt;
	if (kind == FILTERED)
		ck_assert_int_eq(sa_filter_parse(&opts.filters, "--port", "1",
						 msg, sizeof(msg)), 0);
	if (kind == EMPTY)
		build_empty(&t);
	else if (kind == CUT)
		begin(&t);
	else
		build_one(&t);
	text = tg_run(&t, 1, &opts, &err, msg, sizeof(msg));
	ck_assert_msg(err == 0, "%s: %s", v->name, msg);
	ck_assert_ptr_nonnull(text);
	return text;
}

/* The first line of text, without its newline (malloc'd). */
static char *first_line(const char *text)
{
	size_t n = strcspn(text, "\n");
	char *line = malloc(n + 1);

	ck_assert_ptr_nonnull(line);
	memcpy(line, text, n);
	line[n] = '\0';
	return line;
}

START_TEST(test_csv_header_without_rows)
{
	size_t i, checked = 0;

	for (i = 0; i < sa_view_count(); i++) {
		const struct sa_view *v = sa_view_at(i);
		char *one, *header, *text, *want;
		enum kind k;

		if (!(v->formats & SA_VIEW_CSV))
			continue;
		one = report(v, SA_FORMAT_CSV, ONE);
		header = first_line(one);
		/* The trace with rows pins the header: names, no values. */
		ck_assert_msg(tg_count_lines(one, "") >= 2,
			      "%s: no rows for one connection:\n%s", v->name,
			      one);
		ck_assert_msg(strchr(header, ',') != NULL, "%s: header '%s'",
			      v->name, header);
		want = malloc(strlen(header) + 2);
		ck_assert_ptr_nonnull(want);
		memcpy(want, header, strlen(header));
		memcpy(want + strlen(header), "\n", 2);
		for (k = EMPTY; k <= FILTERED; k++) {
			text = report(v, SA_FORMAT_CSV, k);
			ck_assert_msg(strcmp(text, want) == 0,
				      "%s --csv on trace %d: '%s', not its "
				      "header '%s'", v->name, (int)k, text,
				      header);
			free(text);
		}
		free(want);
		free(header);
		free(one);
		checked++;
	}
	/* --timeline, --latency, --backlog, --connections at least */
	ck_assert_uint_ge(checked, 4);
}
END_TEST

/* Every line a JSON object; how many. */
static size_t json_lines(const struct sa_view *v, const char *text)
{
	const char *line = text, *nl;
	size_t n = 0;

	while (*line) {
		nl = strchr(line, '\n');
		ck_assert_msg(nl != NULL, "%s: last line without newline",
			      v->name);
		ck_assert_msg(jsonl_object(line, (size_t)(nl - line)),
			      "%s: not a JSON object: %.*s", v->name,
			      (int)(nl - line), line);
		n++;
		line = nl + 1;
	}
	return n;
}

START_TEST(test_json_without_sockets)
{
	size_t i, checked = 0;

	for (i = 0; i < sa_view_count(); i++) {
		const struct sa_view *v = sa_view_at(i);
		enum kind k;
		char *text;

		for (k = EMPTY; k <= ONE; k++) {
			if (v->formats & SA_VIEW_JSON) {
				text = report(v, SA_FORMAT_JSON, k);
				json_lines(v, text);
				free(text);
				checked++;
			} else if (v->report == SA_REPORT_TRACE_EVENT) {
				/* A file of JSON of its own, in any case. */
				struct tevchk r;

				text = report(v, SA_FORMAT_TEXT, k);
				ck_assert_msg(tevchk_check(text, strlen(text),
							   &r) == 0,
					      "%s: %s", v->name, r.msg);
				free(text);
				checked++;
			}
		}
	}
	ck_assert_uint_ge(checked, 4 * 6);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("empty");
	TCase *tc = tcase_create("empty");

	tcase_add_test(tc, test_csv_header_without_rows);
	tcase_add_test(tc, test_json_without_sockets);
	suite_add_tcase(s, tc);
	return tg_main(s);
}
