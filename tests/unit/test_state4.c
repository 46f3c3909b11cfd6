// SPDX-License-Identifier: BSD-2-Clause
/*
 * Unit tests of STATE4, the IPv4 state record with 4-byte addresses: it
 * decodes as a STATE (addresses widened, type kept), its length bounds
 * hold, the reader knows it, and sockana --redact maps its addresses and
 * its task name.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/redact.h"
#include "tracegen.h"

static const uint8_t key[SA_REDACT_KEY_LEN] = "unit-test-key-02";

static struct skr_ev_state4 mk_state4(uint64_t ts)
{
	struct skr_ev_state4 s;

	memset(&s, 0, sizeof(s));
	s.hdr.len = sizeof(s);
	s.hdr.type = SKR_REC_STATE4;
	s.c.ts_ns = ts;
	s.c.cookie = 0x1234;
	s.c.netns = 4026531840u;
	s.c.tgid = 77;
	s.c.tid = 78;
	s.c.cpu = 1;
	s.c.ctx = SKR_CTX_PROCESS;
	memcpy(s.saddr, "\x0a\x4d\x01\x01", 4);
	memcpy(s.daddr, "\xcb\x00\x71\x09", 4);
	memcpy(s.comm, "secretcomm", 10);
	s.sport = 40000;
	s.dport = 443;
	s.family = SKR_AF_INET;
	s.protocol = 6;
	s.oldstate = SKR_TCP_SYN_SENT;
	s.newstate = SKR_TCP_ESTABLISHED;
	return s;
}

START_TEST(test_decode_widens)
{
	struct skr_ev_state4 s4 = mk_state4(1000);
	struct skr_record rec;
	struct skr_ev_state ev;
	static const uint8_t zero[12];

	memset(&rec, 0, sizeof(rec));
	rec.data = (const uint8_t *)&s4;
	rec.len = sizeof(s4);
	rec.type = SKR_REC_STATE4;
	memset(&ev, 0xa5, sizeof(ev));
	ck_assert_int_eq(skr_decode_state(&rec, &ev), 0);
	ck_assert_uint_eq(ev.hdr.type, SKR_REC_STATE4);
	ck_assert_uint_eq(ev.c.ts_ns, 1000);
	ck_assert_uint_eq(ev.c.cookie, 0x1234);
	ck_assert_uint_eq(ev.c.netns, 4026531840u);
	ck_assert_uint_eq(ev.c.tgid, 77);
	ck_assert_uint_eq(ev.c.ctx, SKR_CTX_PROCESS);
	ck_assert_mem_eq(ev.saddr, "\x0a\x4d\x01\x01", 4);
	ck_assert_mem_eq(ev.saddr + 4, zero, 12);
	ck_assert_mem_eq(ev.daddr, "\xcb\x00\x71\x09", 4);
	ck_assert_mem_eq(ev.daddr + 4, zero, 12);
	ck_assert_int_eq(strncmp(ev.comm, "secretcomm", 11), 0);
	ck_assert_uint_eq(ev.sport, 40000);
	ck_assert_uint_eq(ev.dport, 443);
	ck_assert_uint_eq(ev.family, SKR_AF_INET);
	ck_assert_uint_eq(ev.protocol, 6);
	ck_assert_uint_eq(ev.oldstate, SKR_TCP_SYN_SENT);
	ck_assert_uint_eq(ev.newstate, SKR_TCP_ESTABLISHED);

	/* Too short, or another type, is refused. */
	rec.len = sizeof(s4) - 1;
	ck_assert_int_eq(skr_decode_state(&rec, &ev), -EINVAL);
	rec.len = sizeof(s4);
	rec.type = SKR_REC_LISTEN;
	ck_assert_int_eq(skr_decode_state(&rec, &ev), -EINVAL);
	ck_assert_int_eq(skr_decode_state(NULL, &ev), -EINVAL);
}
END_TEST

START_TEST(test_names_and_bounds)
{
	char buf[32];

	ck_assert_str_eq(skr_rec_type_name(SKR_REC_STATE4, buf, sizeof(buf)),
			 "STATE4");
	ck_assert_uint_eq(skr_rec_min_len(SKR_REC_STATE4),
			  sizeof(struct skr_ev_state4));
	ck_assert_uint_eq(sizeof(struct skr_ev_state4) + 24,
			  sizeof(struct skr_ev_state));
}
END_TEST

/* A file of FILE_HEADER, STATE4 x n, END written to tmp; returns its bytes. */
static uint8_t *make_trace(unsigned n, size_t *len)
{
	struct tg t;
	unsigned i;

	tg_begin(&t);
	tg_header(&t, 0, 0, 0, 0);
	for (i = 0; i < n; i++) {
		struct skr_ev_state4 s4 = mk_state4(100 + i);

		tg_put(&t, &s4, sizeof(s4));
	}
	tg_end(&t, 0, 0, n);
	return tg_bytes(&t, len);
}

START_TEST(test_reader_round_trip)
{
	struct skr_reader_status st;
	struct skr_reader *r;
	struct skr_record rec;
	struct skr_ev_state ev;
	uint64_t ts;
	size_t len;
	uint8_t *data = make_trace(3, &len);
	unsigned n = 0;
	int rc;

	ck_assert_int_eq(skr_reader_open_mem(&r, data, len), 0);
	while ((rc = skr_reader_next(r, &rec)) == 1) {
		if (rec.type != SKR_REC_STATE4)
			continue;
		ck_assert_uint_eq(rec.len, sizeof(struct skr_ev_state4));
		ck_assert_int_eq(skr_event_ts(&rec, &ts), 0);
		ck_assert_uint_eq(ts, 100 + n);
		ck_assert_int_eq(skr_decode_state(&rec, &ev), 0);
		ck_assert_uint_eq(ev.dport, 443);
		n++;
	}
	ck_assert_int_eq(rc, 0);
	skr_reader_get_status(r, &st);
	ck_assert(!st.truncated);
	ck_assert_uint_eq(st.skipped, 0);	/* a known type */
	ck_assert_uint_eq(n, 3);
	skr_reader_free(r);
	free(data);
}
END_TEST

START_TEST(test_redact_state4)
{
	struct sa_redact_opts opts;
	struct sa_redact_stats st;
	struct skr_reader *r;
	struct skr_record rec;
	struct skr_ev_state ev;
	size_t inlen, outlen, plen = 0;
	uint8_t *in = make_trace(1, &inlen), *out, plain[4096];
	char msg[256];
	FILE *f = tmpfile();
	int rc, states = 0;

	ck_assert_ptr_nonnull(f);
	memset(&opts, 0, sizeof(opts));
	memcpy(opts.key, key, sizeof(key));
	opts.comm = true;
	ck_assert_int_eq(skr_reader_open_mem(&r, in, inlen), 0);
	ck_assert_int_eq(sa_redact(r, &opts, fileno(f), &st, msg, sizeof(msg)), 0);
	skr_reader_free(r);
	ck_assert_uint_eq(st.dropped, 0);
	ck_assert_uint_eq(st.addresses, 2);

	outlen = (size_t)ftell(f);
	out = malloc(outlen);
	ck_assert_ptr_nonnull(out);
	rewind(f);
	ck_assert_uint_eq(fread(out, 1, outlen, f), outlen);
	fclose(f);
	ck_assert_int_eq(skr_reader_open_mem(&r, out, outlen), 0);
	while ((rc = skr_reader_next(r, &rec)) == 1) {
		ck_assert_uint_le(plen + rec.len, sizeof(plain));
		memcpy(plain + plen, rec.data, rec.len);
		plen += rec.len;
		if (rec.type != SKR_REC_STATE4)
			continue;
		ck_assert_uint_eq(rec.len, sizeof(struct skr_ev_state4));
		ck_assert_int_eq(skr_decode_state(&rec, &ev), 0);
		ck_assert_uint_eq(ev.c.cookie, 0x1234);
		ck_assert_uint_eq(ev.sport, 40000);
		ck_assert_int_eq(strncmp(ev.comm, "c-", 2), 0);
		states++;
	}
	ck_assert_int_eq(rc, 0);
	skr_reader_free(r);
	ck_assert_int_eq(states, 1);
	ck_assert(!tg_contains(plain, plen, "\x0a\x4d\x01\x01", 4));
	ck_assert(!tg_contains(plain, plen, "\xcb\x00\x71\x09", 4));
	ck_assert(!tg_contains(plain, plen, "secretcomm", 10));
	free(out);
	free(in);
}
END_TEST

static Suite *state4_suite(void)
{
	Suite *s = suite_create("state4");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_decode_widens);
	tcase_add_test(tc, test_names_and_bounds);
	tcase_add_test(tc, test_reader_round_trip);
	tcase_add_test(tc, test_redact_state4);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tg_main(state4_suite());
}
