/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * --timeline on sockets with more events than it keeps (analyze/items.h),
 * on synthetic traces:
 *   - a listener that accepted 2,000 connections still shows its end
 *     (LISTEN -> CLOSE) after a line, and a JSON "gap" row, saying how
 *     many events of which kinds were left out there, and its accepts in
 *     a summary (line and "accepts" row);
 *   - a transition of the socket itself among what is left out is kept,
 *     between the two runs around it, and the time in the state it left
 *     stays right.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyze/sockana.h"
#include "jsonl.h"
#include "tracegen.h"

#define WALL_BASE	1795341600ull	/* 2026-11-22T10:00:00Z */
#define SEC		1000000000ull
#define USEC		1000ull
#define T0		(2 * SEC)
#define P		SKR_CTX_PROCESS
#define I		SKR_CTX_SOFTIRQ
#define LO		"127.0.0.1"
#define ACCEPTS		2000u
/* Kept from the start of a socket's events (analyze/items.h). */
#define HEAD		(SA_SOCK_MAX_ITEMS / 2)

static void begin(struct tg *t)
{
	static const struct tg_host host = { .hostname = "alpha" };

	tg_begin(t);
	tg_header(t, 0, 0x5b, 0, WALL_BASE * SEC);
	tg_host(t, &host);
	tg_probe(t, "inet_sock_set_state", SKR_REC_STATE, SKR_TIER_TP_BTF,
		 NULL);
	tg_probe(t, "listen", SKR_REC_LISTEN, SKR_TIER_TP_BTF, NULL);
	tg_probe(t, "accept", SKR_REC_ACCEPT, SKR_TIER_TP_BTF, NULL);
	tg_probe(t, "inet_sk_error_report", SKR_REC_SOCK_ERROR,
		 SKR_TIER_TP_BTF, NULL);
	tg_clock(t, 1 * SEC, WALL_BASE * SEC, 0);
}

/*
 * Listener cookie 1 (socket #1): CLOSE -> LISTEN, listen(), ACCEPTS
 * children each handshaken and accepted, then LISTEN -> CLOSE: ACCEPTS + 3
 * events of its own.
 */
static void busy_listener(struct tg *t)
{
	uint64_t ts = T0, c;

	begin(t);
	tg_st(t, ts, 1, P, 70, "srv", SKR_TCP_CLOSE, SKR_TCP_LISTEN, LO, 8080,
	      "0.0.0.0", 0);
	tg_listen(t, ts + USEC, 1, 70, 128, 128, 8080);
	ts += 10 * USEC;
	for (c = 100; c < 100 + ACCEPTS; c++) {
		tg_st(t, ts, c, I, 0, "", SKR_TCP_SYN_RECV,
		      SKR_TCP_ESTABLISHED, LO, 8080, LO, (uint16_t)c);
		tg_accept(t, ts + USEC, 1, c, 70, 1, 128, 0);
		ts += 100 * USEC;
		if (c % 256 == 0)
			tg_round(t, ts);
	}
	tg_st(t, ts, 1, P, 70, "srv", SKR_TCP_LISTEN, SKR_TCP_CLOSE, LO, 8080,
	      "0.0.0.0", 0);
	tg_round(t, ts);
	tg_end(t, ts + 2 * SEC, 0, 0);
	tg_close_writer(t);
}

static char *timeline(struct tg *t, enum sa_format fmt, uint64_t socket)
{
	struct sa_run_opts opts;

	memset(&opts, 0, sizeof(opts));
	opts.report = SA_REPORT_TIMELINE;
	opts.format = fmt;
	opts.filters.any = true;
	opts.filters.socket[opts.filters.nsocket++] = socket;
	return tg_analyze_fd(t->fd, &opts);
}

START_TEST(test_busy_listener_end_text)
{
	unsigned lost = ACCEPTS + 3 - SA_SOCK_MAX_ITEMS;
	char want[200], *text, *gap, *end;
	struct tg t;

	busy_listener(&t);
	text = timeline(&t, SA_FORMAT_TEXT, 1);
	close(t.fd);
	ck_assert_msg(strncmp(text, "#1 cookie 0x1 ", 14) == 0, "%.200s", text);
	snprintf(want, sizeof(want), "  ... %u events not kept here, +", lost);
	gap = strstr(text, want);
	ck_assert_msg(gap != NULL, "no gap line in %.300s", text);
	snprintf(want, sizeof(want), ": %u accept (limit %u per socket: its "
		 "first and latest events are kept)\n", lost,
		 SA_SOCK_MAX_ITEMS);
	ck_assert_msg(strstr(gap, want) != NULL, "%.300s", gap);
	/* The end is there, after the gap, and nothing else is left out. */
	end = strstr(text, "LISTEN       -> CLOSE");
	ck_assert_msg(end != NULL && end > gap, "%s", gap);
	ck_assert_ptr_null(strstr(text, "more events not kept"));
	ck_assert_uint_eq(tg_count(text, "* accept: #"), ACCEPTS - lost);
	ck_assert_uint_eq(tg_count(text, "CLOSE        -> LISTEN"), 1);
	/* The accepts in a summary line: 100 us apart, within one second. */
	snprintf(want, sizeof(want), "  accepts: %u in 0.199900 s, at most %u "
		 "in one second of the clock; accept queue at accept: mean "
		 "1.0, max 1 of 128; drops 0; 0 failed\n", ACCEPTS, ACCEPTS);
	ck_assert_msg(strstr(end, want) != NULL, "%s", end);
	snprintf(want, sizeof(want), "\n1 socket, %u events\n", ACCEPTS + 3);
	ck_assert_msg(strstr(text, want) != NULL, "%s",
		      text + strlen(text) - 200);
	free(text);
}
END_TEST

START_TEST(test_busy_listener_end_json)
{
	unsigned lost = ACCEPTS + 3 - SA_SOCK_MAX_ITEMS;
	char want[200], *text, *line, *next, *last_event = NULL;
	size_t gaps = 0, events = 0;
	struct tg t;

	busy_listener(&t);
	text = timeline(&t, SA_FORMAT_JSON, 1);
	close(t.fd);
	snprintf(want, sizeof(want), "\"events\":%u,\"not_kept\":%u,",
		 ACCEPTS + 3, lost);
	ck_assert_msg(strstr(text, want) != NULL, "%.600s", text);
	snprintf(want, sizeof(want), "{\"row\":\"accepts\",\"socket\":1,"
		 "\"host\":\"alpha\",\"local\":\"127.0.0.1:8080\","
		 "\"accepts\":%u,\"failed\":0,", ACCEPTS);
	ck_assert_uint_eq(tg_count(text, want), 1);
	ck_assert_ptr_nonnull(strstr(text, "\"per_second\":null,"
				     "\"peak_per_second\":2000,"
				     "\"queue_total\":2000,\"queue_max\":1,"
				     "\"queue_limit\":128,\"drops\":0}"));
	for (line = text; *line; line = next) {
		next = strchr(line, '\n');
		ck_assert_ptr_nonnull(next);
		ck_assert_msg(jsonl_object(line, (size_t)(next - line)),
			      "%.*s", (int)(next - line), line);
		*next++ = '\0';
		if (strncmp(line, "{\"row\":\"event\"", 14) == 0) {
			events++;
			last_event = line;
		}
		if (strncmp(line, "{\"row\":\"gap\"", 12) != 0)
			continue;
		gaps++;
		/* Where: between kept rows; of what: the accepts. */
		ck_assert_ptr_nonnull(strstr(line, "\"where\":\"between\","
					     "\"limit\":\"socket\""));
		snprintf(want, sizeof(want), "\"events\":%u,", lost);
		ck_assert_msg(strstr(line, want) != NULL, "%s", line);
		snprintf(want, sizeof(want), "\"n_state\":0,\"n_snapshot\":0,"
			 "\"n_listen\":0,\"n_accept\":%u,", lost);
		ck_assert_msg(strstr(line, want) != NULL, "%s", line);
		ck_assert_ptr_nonnull(strstr(line, "\"first_ts_ns\":"));
		/* Rows after it come later than every event it stands for. */
		ck_assert_uint_eq(events, HEAD);
	}
	ck_assert_uint_eq(gaps, 1);
	ck_assert_uint_eq(events, SA_SOCK_MAX_ITEMS);
	ck_assert_ptr_nonnull(last_event);
	ck_assert_msg(strstr(last_event, "\"old_state\":\"LISTEN\","
			     "\"new_state\":\"CLOSE\"") != NULL, "%s",
		      last_event);
	free(text);
}
END_TEST

/*
 * A client: 600 errors reported in ESTABLISHED, ESTABLISHED -> CLOSE_WAIT,
 * 1,500 more, then LAST_ACK and CLOSE.  The CLOSE_WAIT transition falls
 * out of the ring, and is kept aside.
 */
START_TEST(test_own_transition_kept)
{
	uint64_t ts = T0, cw;
	struct tg t;
	char *text, *first, *mid, *second, *lastack;
	unsigned k;

	begin(&t);
	tg_st(&t, ts, 9, P, 80, "cli", SKR_TCP_CLOSE, SKR_TCP_SYN_SENT, LO, 0,
	      LO, 80);
	tg_st(&t, ts += USEC, 9, I, 0, "", SKR_TCP_SYN_SENT,
	      SKR_TCP_ESTABLISHED, LO, 5000, LO, 80);
	for (k = 0; k < 600; k++)
		tg_error(&t, ts += USEC, 9, 104, SKR_TCP_ESTABLISHED, 80);
	cw = ts += USEC;
	tg_st(&t, cw, 9, I, 0, "", SKR_TCP_ESTABLISHED, SKR_TCP_CLOSE_WAIT, LO,
	      5000, LO, 80);
	tg_round(&t, ts);
	for (k = 0; k < 1500; k++)
		tg_error(&t, ts += USEC, 9, 104, SKR_TCP_CLOSE_WAIT, 80);
	/* 2.5 s in CLOSE_WAIT: the time the LAST_ACK line must show. */
	tg_st(&t, cw + 2500 * 1000 * USEC, 9, P, 80, "cli",
	      SKR_TCP_CLOSE_WAIT, SKR_TCP_LAST_ACK, LO, 5000, LO, 80);
	tg_st(&t, cw + 2501 * 1000 * USEC, 9, I, 0, "", SKR_TCP_LAST_ACK,
	      SKR_TCP_CLOSE, LO, 5000, LO, 80);
	tg_round(&t, cw + 2501 * 1000 * USEC);
	tg_end(&t, cw + 5 * SEC, 0, 0);
	tg_close_writer(&t);
	text = timeline(&t, SA_FORMAT_TEXT, 1);
	close(t.fd);
	/*
	 * Head: 2 transitions and 510 errors.  The other 90 errors before
	 * CLOSE_WAIT, and the first 1,500 - 510 after it, are let go.
	 */
	first = strstr(text, "  ... 90 events not kept here, +");
	mid = strstr(text, "ESTABLISHED  -> CLOSE_WAIT");
	second = strstr(text, "  ... 990 events not kept here, +");
	lastack = strstr(text, "CLOSE_WAIT   -> LAST_ACK        2.500000");
	if (!(first && mid && second && lastack))
		fputs(text, stderr);
	ck_assert_msg(first && mid && second && lastack, "%p %p %p %p",
		      (void *)first, (void *)mid, (void *)second,
		      (void *)lastack);
	ck_assert(first < mid && mid < second && second < lastack);
	ck_assert_ptr_nonnull(strstr(first, ": 90 error (limit"));
	ck_assert_ptr_nonnull(strstr(text, "LAST_ACK     -> CLOSE"));
	free(text);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("timeline_items");
	TCase *tc = tcase_create("items");

	tcase_add_test(tc, test_busy_listener_end_text);
	tcase_add_test(tc, test_busy_listener_end_json);
	tcase_add_test(tc, test_own_transition_kept);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return tg_main(s);
}
