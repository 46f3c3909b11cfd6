// SPDX-License-Identifier: BSD-2-Clause
/*
 * The warnings every report ends with (analyze/warn.c) go where the
 * caller says: sa_print_warnings() to its stream, which need not be the
 * report's (--trace-event gathers them in memory to make events of them).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/analysis.h"
#include "analyze/out.h"
#include "tracegen.h"

struct stream {
	FILE *f;
	char *text;
	size_t len;
};

static void stream_open(struct stream *s)
{
	s->text = NULL;
	s->len = 0;
	s->f = open_memstream(&s->text, &s->len);
	ck_assert_ptr_nonnull(s->f);
}

static void stream_close(struct stream *s)
{
	ck_assert_int_eq(fclose(s->f), 0);
	s->f = NULL;
	ck_assert_ptr_nonnull(s->text);
}

START_TEST(test_print_to_out)
{
	struct sa_analysis a;
	struct stream report, other;

	memset(&a, 0, sizeof(a));
	stream_open(&report);
	stream_open(&other);
	a.out = report.f;
	a.replay.late = 3;
	a.no_cookie = 1;
	sa_print_warnings(&a, other.f);
	stream_close(&other);
	stream_close(&report);
	ck_assert_str_eq(other.text,
			 "WARNING: 3 events could not be put in time order "
			 "(reorder buffer full or rounds broken)\n"
			 "WARNING: 1 state event without a socket cookie "
			 "ignored\n");
	ck_assert_str_eq(report.text, "");
	free(other.text);
	free(report.text);
}
END_TEST

/* Rows still go through the report's own output, a->o. */
START_TEST(test_rows_to_report)
{
	struct sa_analysis a;
	struct stream report;

	memset(&a, 0, sizeof(a));
	stream_open(&report);
	a.out = report.f;
	sa_out_init(&a.o, report.f, SA_FORMAT_JSON, NULL);
	a.replay.late = 2;
	sa_row_warnings(&a);
	sa_out_release(&a.o);
	stream_close(&report);
	ck_assert_str_eq(report.text,
			 "{\"row\":\"warning\",\"kind\":\"disorder\","
			 "\"input\":null,\"count\":2,\"message\":\"2 events "
			 "could not be put in time order (reorder buffer full "
			 "or rounds broken)\"}\n");
	free(report.text);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("warn");
	TCase *tc = tcase_create("warn");

	tcase_add_test(tc, test_print_to_out);
	tcase_add_test(tc, test_rows_to_report);
	suite_add_tcase(s, tc);
	return tg_main(s);
}
