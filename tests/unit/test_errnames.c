// SPDX-License-Identifier: BSD-2-Clause
/*
 * Errno names: one table (format/names.c) for the event lines of sockrec
 * --print and sockana --events and for every report of sockana, so that
 * the same error has the same name wherever it is printed.
 */
#include <check.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/sockana.h"
#include "tracegen.h"

#define WALL_BASE	1795341600ull	/* 2026-11-22T10:00:00Z */
#define SEC		1000000000ull
#define USEC		1000ull
#define T0		(2 * SEC)
#define LO		"127.0.0.1"

/* Linux's numbers: the table must not take the host's <errno.h>. */
static const struct {
	int32_t v;
	const char *name;
} known[] = {
	{ 1, "EPERM" }, { 2, "ENOENT" }, { 4, "EINTR" }, { 11, "EAGAIN" },
	{ 24, "EMFILE" }, { 90, "EMSGSIZE" }, { 102, "ENETRESET" },
	{ 104, "ECONNRESET" }, { 110, "ETIMEDOUT" }, { 111, "ECONNREFUSED" },
	{ 113, "EHOSTUNREACH" }, { 125, "ECANCELED" }, { 512, "ERESTARTSYS" },
	{ 524, "ENOTSUPP" },
};

START_TEST(test_table)
{
	size_t i;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		const char *name = skr_errno_name(known[i].v);

		ck_assert_msg(name && strcmp(name, known[i].name) == 0,
			      "errno %" PRId32 ": %s, not %s", known[i].v,
			      name ? name : "NULL", known[i].name);
	}
	ck_assert_ptr_null(skr_errno_name(0));
	ck_assert_ptr_null(skr_errno_name(-111));
	ck_assert_ptr_null(skr_errno_name(4095));
	ck_assert_ptr_null(skr_errno_name(INT32_MIN));
}
END_TEST

/* The event line of a socket error err: the table's name, or the number. */
START_TEST(test_event_line)
{
	struct skr_ev_sock_error e;
	struct skr_record rec;
	char line[256], want[64];
	int32_t err;
	int n;

	for (err = 0; err < 1024; err++) {
		const char *name = skr_errno_name(err);

		memset(&e, 0, sizeof(e));
		e.hdr.len = sizeof(e);
		e.hdr.type = SKR_REC_SOCK_ERROR;
		e.c.cookie = 7;
		e.family = SKR_AF_INET;
		e.error = err;
		memset(&rec, 0, sizeof(rec));
		rec.data = (const uint8_t *)&e;
		rec.len = sizeof(e);
		rec.type = SKR_REC_SOCK_ERROR;
		ck_assert_int_gt(skr_event_line(&rec, line, sizeof(line)), 0);
		if (name)
			n = snprintf(want, sizeof(want), " %s", name);
		else
			n = snprintf(want, sizeof(want), " errno %" PRId32, err);
		ck_assert(n > 0 && (size_t)n < sizeof(want));
		ck_assert_msg(strstr(line, want) != NULL, "'%s' lacks '%s'",
			      line, want);
	}
}
END_TEST

/* A connect that failed with ECANCELED, told by --events and --timeline. */
static void build(struct tg *t)
{
	static const char *const args[] = { "sockrec", NULL };
	const struct tg_host h = { .hostname = "errnames", .boot_id = "b" };

	tg_begin(t);
	tg_header(t, 0, 0x65, 0, WALL_BASE * SEC);
	tg_host(t, &h);
	tg_recorder(t, NULL, args, "unit test");
	tg_probe(t, "inet_sock_set_state", SKR_REC_STATE, SKR_TIER_TP_BTF,
		 NULL);
	tg_probe(t, "inet_sk_error_report", SKR_REC_SOCK_ERROR,
		 SKR_TIER_TP_BTF, NULL);
	tg_clock(t, 1 * SEC, WALL_BASE * SEC, 0);
	tg_st(t, T0, 0x20, SKR_CTX_PROCESS, 30, "curl", SKR_TCP_CLOSE,
	      SKR_TCP_SYN_SENT, LO, 0, LO, 9);
	tg_error(t, T0 + 40 * USEC, 0x20, 125, SKR_TCP_SYN_SENT, 9);
	tg_st(t, T0 + 41 * USEC, 0x20, SKR_CTX_SOFTIRQ, 0, "swapper/0",
	      SKR_TCP_SYN_SENT, SKR_TCP_CLOSE, LO, 40000, LO, 9);
	tg_end(t, T0 + SEC, 0, 3);
}

START_TEST(test_reports_agree)
{
	static const enum sa_report reps[] = {
		SA_REPORT_EVENTS, SA_REPORT_TIMELINE,
	};
	char *text;
	size_t i;

	for (i = 0; i < sizeof(reps) / sizeof(reps[0]); i++) {
		text = tg_build_report(build, reps[i], SA_FORMAT_TEXT,
				       SA_BY_NONE);
		ck_assert_msg(strstr(text, "ECANCELED") != NULL,
			      "report %d says no ECANCELED:\n%s", (int)reps[i],
			      text);
		ck_assert_msg(strstr(text, "errno 125") == NULL,
			      "report %d:\n%s", (int)reps[i], text);
		free(text);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("errnames");
	TCase *tc = tcase_create("errnames");

	tcase_add_test(tc, test_table);
	tcase_add_test(tc, test_event_line);
	tcase_add_test(tc, test_reports_agree);
	suite_add_tcase(s, tc);
	return tg_main(s);
}
