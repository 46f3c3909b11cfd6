// SPDX-License-Identifier: BSD-2-Clause
/*
 * Unit tests of the kernel event decoders: each record decodes to what was
 * encoded, a record one byte short or of another type is refused, and bytes
 * a later minor version appends are ignored.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "format/skr.h"
#include "tracegen.h"

typedef int (*decode_fn)(const struct skr_record *, void *);

/* Decode rec as type into out (size bytes) with every length of interest. */
static void check_decoder(decode_fn fn, uint16_t type, const void *rec,
			  size_t size)
{
	uint8_t big[256], out[256];
	struct skr_record r;

	ck_assert_uint_le(size + 8, sizeof(big));
	memset(&r, 0, sizeof(r));
	r.data = rec;
	r.len = (uint32_t)size;
	r.type = type;
	ck_assert_int_eq(fn(&r, out), 0);
	ck_assert_mem_eq(out, rec, size);

	r.len = (uint32_t)size - 1;
	ck_assert_int_eq(fn(&r, out), -EINVAL);

	r.len = (uint32_t)size;
	r.type = (uint16_t)(type + 0x40);
	ck_assert_int_eq(fn(&r, out), -EINVAL);

	memcpy(big, rec, size);
	memset(big + size, 0xab, 8);
	r.data = big;
	r.len = (uint32_t)size + 8;
	r.type = type;
	ck_assert_int_eq(fn(&r, out), 0);
	ck_assert_mem_eq(out, rec, size);
}

/* Recognisable bytes everywhere, then the header of the record type. */
static void fill(void *p, size_t size, uint16_t type)
{
	struct skr_rec_hdr h = { .len = (uint32_t)size, .type = type };
	uint8_t *b = p;
	size_t i;

	for (i = 0; i < size; i++)
		b[i] = (uint8_t)(i * 7 + 3);
	memcpy(p, &h, sizeof(h));
}

/* Calling a decoder through another prototype is undefined: wrap each. */
#define WRAP(name, st)							\
static int w_##name(const struct skr_record *r, void *out)		\
{									\
	return skr_decode_##name(r, (st *)out);				\
}
WRAP(listen, struct skr_ev_listen)
WRAP(accept, struct skr_ev_accept)
WRAP(reset, struct skr_ev_reset)
WRAP(sock_error, struct skr_ev_sock_error)
WRAP(retransmit, struct skr_ev_retransmit)
WRAP(destroy, struct skr_ev_destroy)
WRAP(skb_drop, struct skr_ev_skb_drop)
WRAP(counters, struct skr_ev_counters)

#define CHECK_EVENT(st, type, name) do {				\
	st ev;								\
	fill(&ev, sizeof(ev), type);					\
	check_decoder(w_##name, type, &ev, sizeof(ev));			\
} while (0)

START_TEST(test_event_decoders)
{
	CHECK_EVENT(struct skr_ev_listen, SKR_REC_LISTEN, listen);
	CHECK_EVENT(struct skr_ev_accept, SKR_REC_ACCEPT, accept);
	CHECK_EVENT(struct skr_ev_reset, SKR_REC_RESET, reset);
	CHECK_EVENT(struct skr_ev_sock_error, SKR_REC_SOCK_ERROR, sock_error);
	CHECK_EVENT(struct skr_ev_retransmit, SKR_REC_RETRANSMIT, retransmit);
	CHECK_EVENT(struct skr_ev_destroy, SKR_REC_DESTROY, destroy);
	CHECK_EVENT(struct skr_ev_skb_drop, SKR_REC_SKB_DROP, skb_drop);
	CHECK_EVENT(struct skr_ev_counters, SKR_REC_COUNTERS, counters);
}
END_TEST

START_TEST(test_event_ts_of_new_events)
{
	struct skr_ev_reset ev;
	struct skr_record r;
	uint64_t ts = 0;

	memset(&ev, 0, sizeof(ev));
	ev.hdr.len = sizeof(ev);
	ev.hdr.type = SKR_REC_RESET;
	ev.c.ts_ns = 0x0102030405060708ull;
	memset(&r, 0, sizeof(r));
	r.data = (const uint8_t *)&ev;
	r.len = sizeof(ev);
	r.type = SKR_REC_RESET;
	ck_assert_int_eq(skr_event_ts(&r, &ts), 0);
	ck_assert_uint_eq(ts, 0x0102030405060708ull);
}
END_TEST

START_TEST(test_decoders_refuse_null)
{
	struct skr_ev_listen l;
	struct skr_record r;

	memset(&r, 0, sizeof(r));
	r.type = SKR_REC_LISTEN;
	r.len = sizeof(l);
	ck_assert_int_eq(skr_decode_listen(&r, &l), -EINVAL);
	ck_assert_int_eq(skr_decode_listen(NULL, &l), -EINVAL);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("events");
	TCase *tc = tcase_create("decode");

	tcase_add_test(tc, test_event_decoders);
	tcase_add_test(tc, test_event_ts_of_new_events);
	tcase_add_test(tc, test_decoders_refuse_null);
	suite_add_tcase(s, tc);
	return tg_main(s);
}
