// SPDX-License-Identifier: BSD-2-Clause
/*
 * Unit tests of STATE4, the IPv4 state record with 4-byte addresses: it
 * decodes as a STATE (addresses widened, type kept), skr_decode_state()'s
 * fixed-size copy gives what the catalogue's decoder gives for every
 * length and content, its length bounds hold, the reader knows it, and
 * sockana --redact maps its addresses and its task name.
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

/*
 * The reference: the catalogue's decoder of STATE4 (skr_rec_decode) and
 * the widening spelt out field by field, as docs/FORMAT.md §4.8.1 says.
 * Returns what skr_rec_decode() returned; *out is untouched on refusal.
 */
static int widen_by_catalogue(const struct skr_record *rec,
			      struct skr_ev_state *out)
{
	struct skr_ev_state4 s4;
	int rc = skr_rec_decode(rec, SKR_REC_STATE4, &s4, sizeof(s4));

	if (rc)
		return rc;
	memset(out, 0, sizeof(*out));
	out->hdr = s4.hdr;
	out->c.ts_ns = s4.c.ts_ns;
	out->c.cookie = s4.c.cookie;
	out->c.netns = s4.c.netns;
	out->c.tgid = s4.c.tgid;
	out->c.tid = s4.c.tid;
	out->c.cpu = s4.c.cpu;
	out->c.ctx = s4.c.ctx;
	out->c.pad = s4.c.pad;
	memcpy(out->saddr, s4.saddr, 4);
	memcpy(out->daddr, s4.daddr, 4);
	memcpy(out->comm, s4.comm, sizeof(out->comm));
	out->sport = s4.sport;
	out->dport = s4.dport;
	out->family = s4.family;
	out->protocol = s4.protocol;
	out->oldstate = s4.oldstate;
	out->newstate = s4.newstate;
	return 0;
}

static uint64_t rng = 1;

static uint8_t rnd8(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint8_t)(rng >> 24);
}

/*
 * Contents for the fast-path comparison: random bytes; every field at its
 * largest (all 0xff: ports 65535, states and family 255, a comm with no
 * terminator, a length field that says more than the record holds); all
 * zero; and a well-formed record whose fields are each at a limit.
 */
static void fill_pattern(uint8_t *buf, size_t n, int pattern)
{
	struct skr_ev_state4 s4;
	size_t i;

	switch (pattern) {
	case 0:
		for (i = 0; i < n; i++)
			buf[i] = rnd8();
		break;
	case 1:
		memset(buf, 0xff, n);
		break;
	case 2:
		memset(buf, 0, n);
		break;
	default:
		for (i = 0; i < n; i++)
			buf[i] = (uint8_t)(0x80 | i);
		s4 = mk_state4(UINT64_MAX);
		s4.c.cookie = UINT64_MAX;
		s4.c.netns = UINT32_MAX;
		s4.c.tgid = UINT32_MAX;
		s4.c.tid = 0;
		s4.c.cpu = UINT16_MAX;
		s4.c.ctx = SKR_CTX_NMI;
		memset(s4.saddr, 0xff, sizeof(s4.saddr));
		memcpy(s4.comm, "sixteen-chars-xx", SKR_COMM_LEN);
		s4.sport = 0;
		s4.dport = UINT16_MAX;
		s4.oldstate = 0;
		s4.newstate = UINT8_MAX;
		memcpy(buf, &s4, n < sizeof(s4) ? n : sizeof(s4));
		break;
	}
}

/*
 * skr_decode_state()'s fixed-size STATE4 copy against the catalogue's
 * decoder, for every record length from empty to a record with fields a
 * later minor appended, each held in a buffer of exactly that length (so
 * that the sanitizer build catches a read past it): the same result, the
 * same bytes out, and nothing written on a refusal.
 */
START_TEST(test_decode_fast_matches_catalogue)
{
	const size_t max = sizeof(struct skr_ev_state) + 16;
	struct skr_ev_state got, want;
	struct skr_record rec;
	uint8_t full[sizeof(struct skr_ev_state) + 16];
	uint8_t *buf;
	size_t len;
	int rg, rw, seed;

	for (seed = 0; seed < 8; seed++) {
		rng = 0x9e3779b97f4a7c15ull + (uint64_t)seed;
		fill_pattern(full, sizeof(full), _i == 0 ? 0 : _i);
		for (len = 0; len <= max; len++) {
			buf = malloc(len ? len : 1);
			ck_assert_ptr_nonnull(buf);
			memcpy(buf, full, len);
			memset(&rec, 0, sizeof(rec));
			rec.data = buf;
			rec.len = (uint32_t)len;
			rec.type = SKR_REC_STATE4;
			memset(&got, 0xa5, sizeof(got));
			memset(&want, 0xa5, sizeof(want));
			rg = skr_decode_state(&rec, &got);
			rw = widen_by_catalogue(&rec, &want);
			ck_assert_int_eq(rg, rw);
			ck_assert_int_eq(rg, len >= sizeof(struct skr_ev_state4) ?
					 0 : -EINVAL);
			ck_assert_msg(memcmp(&got, &want, sizeof(got)) == 0,
				      "pattern %d seed %d length %zu: decoded "
				      "STATE4 differs from the catalogue's",
				      _i, seed, len);
			free(buf);
		}
		if (_i != 0)
			break;	/* only the random pattern varies by seed */
	}
}
END_TEST

/* What the decoder refuses, whatever the record's bytes say. */
START_TEST(test_decode_refusals)
{
	struct skr_ev_state4 s4 = mk_state4(5);
	struct skr_ev_state ev, untouched;
	struct skr_record rec;

	memset(&rec, 0, sizeof(rec));
	rec.data = (const uint8_t *)&s4;
	rec.len = sizeof(s4);
	rec.type = SKR_REC_STATE4;
	memset(&ev, 0xa5, sizeof(ev));
	untouched = ev;
	ck_assert_int_eq(skr_decode_state(&rec, NULL), -EINVAL);
	rec.data = NULL;
	ck_assert_int_eq(skr_decode_state(&rec, &ev), -EINVAL);
	rec.data = (const uint8_t *)&s4;
	/* A STATE4's bytes that claim to be a STATE are 24 bytes short. */
	rec.type = SKR_REC_STATE;
	ck_assert_int_eq(skr_decode_state(&rec, &ev), -EINVAL);
	rec.type = SKR_REC_STATE4 + 1;
	ck_assert_int_eq(skr_decode_state(&rec, &ev), -EINVAL);
	ck_assert_mem_eq(&ev, &untouched, sizeof(ev));
	/* The record's type decides, not the type its header claims. */
	rec.type = SKR_REC_STATE4;
	s4.hdr.type = SKR_REC_STATE;
	ck_assert_int_eq(skr_decode_state(&rec, &ev), 0);
	ck_assert_uint_eq(ev.hdr.type, SKR_REC_STATE);
	ck_assert_mem_eq(ev.daddr, "\xcb\x00\x71\x09\0\0\0\0\0\0\0\0\0\0\0\0", 16);
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
	tcase_add_loop_test(tc, test_decode_fast_matches_catalogue, 0, 4);
	tcase_add_test(tc, test_decode_refusals);
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
