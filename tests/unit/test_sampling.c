/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * SAMPLING records (format 1.1): when the recorder says the listeners and
 * counters of a namespace stopped being sampled, sockana must report their
 * overflows as not observable (text, JSON, CSV, diagnosis), never as the
 * zero growth the samples taken before the stop show.  A stop that
 * resumed loses nothing (the counters are cumulative).
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/sockana.h"
#include "tracegen.h"

#define WALL_BASE	1795341600ull	/* 2026-11-22T10:00:00Z */
#define SEC		1000000000ull
#define MSEC		1000000ull
#define T0		(2 * SEC)
#define LSN		0x300		/* listener on 127.0.0.1:8080 */
#define LSN2		0x301		/* listener of another namespace */
#define OTHER_NS	4026532999u

static void begin(struct tg *t)
{
	static const char *const args[] = { "sockrec", "-Z", "nobody", NULL };

	tg_begin(t);
	tg_header(t, 0, 0x6b, SKR_VERSION_MINOR, WALL_BASE * SEC);
	tg_recorder(t, NULL, args, NULL);
	tg_probe(t, "inet_sock_set_state", SKR_REC_STATE, SKR_TIER_TP_BTF,
		 NULL);
	tg_probe(t, "listen", SKR_REC_LISTEN, SKR_TIER_TRACEPOINT, NULL);
	tg_probe(t, "accept", SKR_REC_ACCEPT, SKR_TIER_TRACEPOINT, NULL);
	tg_clock(t, 1 * SEC, WALL_BASE * SEC, 0);
}

/* A listener that never accepts, sampled at T0 (0 drops), as sockrec does. */
static void listener_baseline(struct tg *t, uint64_t cookie)
{
	tg_st(t, T0, cookie, SKR_CTX_PROCESS, 10, "srv", SKR_TCP_CLOSE,
	      SKR_TCP_LISTEN, "127.0.0.1", 8080, "0.0.0.0", 0);
	tg_listen(t, T0 + 1000, cookie, 10, 8, 2, 8080);
	tg_listener(t, T0 + 2000, cookie, 0, 2, 0);
	tg_netns_stats(t, T0 + 2000, 0);
}

/* Sampling stops (setns refused after -Z) while the queue overflows. */
static void build_stopped(struct tg *t)
{
	begin(t);
	listener_baseline(t, LSN);
	tg_sampling(t, T0 + 250 * MSEC, TG_NETNS, SKR_SAMPLING_STOPPED, -EPERM);
	tg_end(t, T0 + 2 * SEC, 0, 0);
}

/* The same stop, then sampling works again and sees 22 drops. */
static void build_resumed(struct tg *t)
{
	begin(t);
	listener_baseline(t, LSN);
	tg_sampling(t, T0 + 250 * MSEC, TG_NETNS, SKR_SAMPLING_STOPPED, -EAGAIN);
	tg_sampling(t, T0 + 500 * MSEC, TG_NETNS, SKR_SAMPLING_RESUMED, 0);
	tg_listener(t, T0 + 500 * MSEC, LSN, 3, 2, 22);
	tg_netns_stats(t, T0 + 500 * MSEC, 22);
	tg_end(t, T0 + 2 * SEC, 0, 0);
}

/*
 * netns 0: every namespace the recorder could not find after the drop.  A
 * listener in a namespace with no NETNS_STATS is then unknown; one in a
 * sampled namespace is not.
 */
static void build_unfound(struct tg *t)
{
	begin(t);
	listener_baseline(t, LSN);
	tg_sampling(t, T0 + 100 * MSEC, 0, SKR_SAMPLING_STOPPED, -EPERM);
	t->netns = OTHER_NS;
	tg_st(t, T0 + 200 * MSEC, LSN2, SKR_CTX_PROCESS, 11, "late",
	      SKR_TCP_CLOSE, SKR_TCP_LISTEN, "127.0.0.1", 9090, "0.0.0.0", 0);
	tg_listen(t, T0 + 201 * MSEC, LSN2, 11, 8, 2, 9090);
	t->netns = TG_NETNS;
	tg_end(t, T0 + 2 * SEC, 0, 0);
}


#define HAS(text, s)	ck_assert_msg(strstr((text), (s)) != NULL, \
				      "missing '%s' in:\n%s", (s), (text))
#define HASNT(text, s)	ck_assert_msg(strstr((text), (s)) == NULL, \
				      "unexpected '%s' in:\n%s", (s), (text))

START_TEST(test_stopped_backlog_text)
{
	char *text = tg_build_report(build_stopped, SA_REPORT_BACKLOG, SA_FORMAT_TEXT,
				     SA_BY_NONE);

	HAS(text, "  overflows:           not observable in this trace "
		  "(sampling of netns 4026531840 stopped at "
		  "2026-11-22T10:00:01.250000Z: EPERM)\n");
	HASNT(text, "0 drops");
	HAS(text, "netns 4026531840: ListenOverflows, ListenDrops not "
		  "observable in this trace (sampling of netns 4026531840 "
		  "stopped at");
	HASNT(text, "ListenOverflows +0");
	free(text);
}
END_TEST

START_TEST(test_stopped_backlog_json_csv)
{
	char *text = tg_build_report(build_stopped, SA_REPORT_BACKLOG, SA_FORMAT_JSON,
				     SA_BY_NONE);

	HAS(text, "\"overflows\":null,");
	HAS(text, "\"not_observable\":\"sampling of netns 4026531840 stopped");
	HAS(text, "\"listen_overflows\":null,\"listen_drops\":null,"
		  "\"not_observable\":\"sampling");
	HASNT(text, "\"overflows\":0");
	HASNT(text, "\"listen_overflows\":0");
	free(text);
	text = tg_build_report(build_stopped, SA_REPORT_BACKLOG, SA_FORMAT_CSV,
				     SA_BY_NONE);
	HAS(text, "not_observable");
	HAS(text, "sampling of netns 4026531840 stopped at");
	free(text);
}
END_TEST

START_TEST(test_stopped_diagnosis)
{
	char *text = tg_build_report(build_stopped, SA_REPORT_DIAG, SA_FORMAT_TEXT,
				     SA_BY_NONE);

	HAS(text, "owner srv[10]: overflows not observable in this trace "
		  "(sampling of netns 4026531840 stopped at");
	HAS(text, "  netns 4026531840: ListenOverflows, ListenDrops not "
		  "observable in this trace");
	HASNT(text, "Listen overflows:\n  none\n");
	free(text);
	text = tg_build_report(build_stopped, SA_REPORT_DIAG, SA_FORMAT_JSON,
				     SA_BY_NONE);
	HAS(text, "\"row\":\"listen_overflow\"");
	HAS(text, "\"drops\":null,");
	HAS(text, "\"row\":\"netns_overflow\"");
	HAS(text, "\"listen_overflows\":null,");
	free(text);
}
END_TEST

START_TEST(test_resumed_counts)
{
	char *text = tg_build_report(build_resumed, SA_REPORT_BACKLOG, SA_FORMAT_TEXT,
				     SA_BY_NONE);

	HAS(text, "  overflows:           22 drops (sk_drops)");
	HAS(text, "netns 4026531840: ListenOverflows +22, ListenDrops +22");
	HASNT(text, "not observable in this trace (sampling");
	free(text);
}
END_TEST

START_TEST(test_unfound_namespace)
{
	char *text = tg_build_report(build_unfound, SA_REPORT_BACKLOG, SA_FORMAT_TEXT,
				     SA_BY_NONE);
	char *at = strstr(text, "#2 ");

	/* The sampled namespace keeps its figures. */
	HAS(text, "  overflows:           0 drops (sk_drops)\n");
	HAS(text, "netns 4026531840: ListenOverflows +0, ListenDrops +0");
	/* The late listener's LISTEN said 0 drops: that is no observation. */
	ck_assert_msg(at != NULL, "no listener #2 in:\n%s", text);
	HAS(at, "  overflows:           not observable in this trace (netns "
		"4026532999 not sampled: the recorder could not reach new "
		"namespaces from 2026-11-22T10:00:01.100000Z: EPERM)\n");
	free(text);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("sampling");
	TCase *tc = tcase_create("sampling");

	tcase_add_test(tc, test_stopped_backlog_text);
	tcase_add_test(tc, test_stopped_backlog_json_csv);
	tcase_add_test(tc, test_stopped_diagnosis);
	tcase_add_test(tc, test_resumed_counts);
	tcase_add_test(tc, test_unfound_namespace);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tg_main(suite());
}
