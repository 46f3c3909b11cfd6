// SPDX-License-Identifier: BSD-2-Clause
/*
 * Unit tests of how the analyzer takes event records it cannot use
 * (analyze/events.c, driven by the format's catalogue): a record without
 * the socket it is about is counted as malformed where its type names a
 * socket, and skipped silently where the type may lawfully have none (a
 * reset or a drop in no socket, namespace counters).  The reader already
 * refuses a record shorter than its type.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "format/skr.h"
#include "tracegen.h"

#define SEC	1000000000ull
#define T0	(100 * SEC)

/* An event record of len bytes: header and common part, zeros after. */
static void raw_event(struct tg *t, uint16_t type, size_t len, uint64_t ts,
		      uint64_t cookie)
{
	uint8_t buf[256];
	struct skr_rec_hdr h = { .len = (uint32_t)len, .type = type };
	struct skr_ev_common c;

	ck_assert_uint_le(len, sizeof(buf));
	memset(buf, 0, sizeof(buf));
	tg_common(t, &c, ts, cookie, SKR_CTX_PROCESS, 7);
	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), &c, sizeof(c));
	tg_put(t, buf, len);
}

static void begin(struct tg *t)
{
	static const struct tg_host host = { .hostname = "alpha" };

	tg_begin(t);
	tg_header(t, 0, 0x11, 0, 1000 * SEC);
	tg_host(t, &host);
	tg_clock(t, T0, 1000 * SEC, 0);
}

static void build_unusable(struct tg *t)
{
	static const struct {
		uint16_t type;
		size_t len;
	} rec[] = {
		/* Counted: each names a socket, and has none. */
		{ SKR_REC_LISTEN, sizeof(struct skr_ev_listen) },
		{ SKR_REC_ACCEPT, sizeof(struct skr_ev_accept) },
		{ SKR_REC_SOCK_ERROR, sizeof(struct skr_ev_sock_error) },
		{ SKR_REC_RETRANSMIT, sizeof(struct skr_ev_retransmit) },
		{ SKR_REC_DESTROY, sizeof(struct skr_ev_destroy) },
		{ SKR_REC_LISTENER, sizeof(struct skr_ev_listener) },
		/* Not counted: a drop or a reset may have no socket. */
		{ SKR_REC_SKB_DROP, sizeof(struct skr_ev_skb_drop) },
		{ SKR_REC_RESET, sizeof(struct skr_ev_reset) },
		/* Not counted: a namespace's figures name no socket. */
		{ SKR_REC_NETNS_STATS, sizeof(struct skr_ev_netns_stats) },
		{ SKR_REC_SAMPLING, sizeof(struct skr_ev_sampling) },
		/* Ignored: a type of a later minor version. */
		{ 0x01f0, 64 },
	};
	size_t i;

	begin(t);
	for (i = 0; i < sizeof(rec) / sizeof(rec[0]); i++)
		raw_event(t, rec[i].type, rec[i].len, T0 + i + 1, 0);
	tg_end(t, T0 + SEC, 0, 0);
}

START_TEST(test_unusable_events)
{
	char *text = tg_build_report(build_unusable, SA_REPORT_DIAG,
				     SA_FORMAT_TEXT, SA_BY_NONE);

	ck_assert_msg(strstr(text, "6 malformed events ignored") != NULL,
		      "%s", text);
	/* None of them made a socket. */
	ck_assert_msg(strstr(text, "0 sockets") != NULL ||
		      strstr(text, "no socket") != NULL, "%s", text);
	free(text);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("apply");
	TCase *tc = tcase_create("apply");

	tcase_add_test(tc, test_unusable_events);
	suite_add_tcase(s, tc);
	return tg_main(s);
}
