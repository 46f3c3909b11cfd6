/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests of the shortcuts the analyzer's row writers take
 * (docs/PERFORMANCE.md, issue 18): rows written straight into the output
 * buffer (sa_row_raw_*), batches written to the descriptor rather than
 * through stdio, task names checked eight bytes at a time, and IPv4
 * endpoints formatted without printf, and the reorder buffer's peek at its
 * next event.  Each is checked against the plain answer it must equal.
 */
#include <check.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyze/sockana.h"
#include "analyze/out_raw.h"
#include "analyze/out_rows.h"
#include "format/skr.h"
#include "tracegen.h"

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* ------------------------------------------------------------------ */
/* Task names                                                           */
/* ------------------------------------------------------------------ */

/* sa_text_copy() as it was written first: one byte at a time. */
static void copy_ref(char *dst, size_t dsize, const unsigned char *s,
		     size_t slen)
{
	size_t i;

	if (dsize == 0)
		return;
	for (i = 0; i < slen && i + 1 < dsize && s[i] != '\0'; i++)
		dst[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? (char)s[i] : '?';
	dst[i] = '\0';
}

START_TEST(test_text_copy)
{
	/* The edges of printable ASCII, and bytes past it. */
	static const unsigned char edge[] = {
		0x00, 0x01, 0x1f, 0x20, 0x21, 0x22, 0x5c, 0x7e, 0x7f, 0x80,
		0x9f, 0xa0, 0xfe, 0xff, 'a', 'Z',
	};
	unsigned char src[40];
	char got[48], want[48];
	size_t slen, dsize, i;
	int round;

	for (round = 0; round < 4000; round++) {
		slen = rnd() % sizeof(src);
		dsize = rnd() % sizeof(got);
		for (i = 0; i < sizeof(src); i++) {
			/* Mostly printable, so that the 8-byte steps run. */
			if (rnd() % 8 == 0)
				src[i] = edge[rnd() % sizeof(edge)];
			else
				src[i] = (unsigned char)(0x20 + rnd() % 0x5f);
		}
		memset(got, 'x', sizeof(got));
		memset(want, 'x', sizeof(want));
		sa_text_copy(got, dsize, src, slen);
		copy_ref(want, dsize, src, slen);
		ck_assert_msg(memcmp(got, want, sizeof(got)) == 0,
			      "round %d: slen %zu dsize %zu", round, slen,
			      dsize);
	}
	/* Each edge byte at each place of a 16-byte name. */
	for (i = 0; i < 16; i++) {
		size_t e;

		for (e = 0; e < sizeof(edge); e++) {
			memset(src, 'n', 16);
			src[i] = edge[e];
			memset(got, 'x', sizeof(got));
			memset(want, 'x', sizeof(want));
			sa_text_copy(got, 17, src, 16);
			copy_ref(want, 17, src, 16);
			ck_assert_msg(memcmp(got, want, sizeof(got)) == 0,
				      "byte 0x%02x at %zu", edge[e], i);
		}
	}
}
END_TEST

/*
 * sa_text_name16(): the name up to its terminator as sa_text_copy()
 * writes it (the slot's bytes after the terminator are not kept), for
 * names ending in either word, at the word's edge, or not at all.
 */
START_TEST(test_text_name16)
{
	static const unsigned char edge[] = {
		0x00, 0x01, 0x1f, 0x20, 0x7e, 0x7f, 0x80, 0xff, 'a',
	};
	unsigned char src[16];
	char got[17], want[17];
	size_t i, len, e;

	for (len = 0; len <= 16; len++) {
		for (e = 0; e < sizeof(edge); e++) {
			for (i = 0; i < 16; i++)
				src[i] = i < len ? (unsigned char)('a' + i)
						 : (unsigned char)'\0';
			/* A byte to replace (or another end) in the name. */
			if (len > 0)
				src[(len * 7 + e) % len] = edge[e];
			/* Bytes after the NUL are not part of the name. */
			if (len + 1 < 16)
				src[len + 1] = 'Q';
			memset(got, 'x', sizeof(got));
			memset(want, 'x', sizeof(want));
			sa_text_name16(got, src);
			copy_ref(want, sizeof(want), src, sizeof(src));
			ck_assert_msg(strcmp(got, want) == 0,
				      "len %zu byte 0x%02x: '%s' != '%s'", len,
				      edge[e], got, want);
		}
	}
}
END_TEST

/* ------------------------------------------------------------------ */
/* IPv4 endpoints                                                       */
/* ------------------------------------------------------------------ */

START_TEST(test_endpoint4)
{
	static const uint8_t octets[] = { 0, 1, 9, 10, 42, 99, 100, 101, 199,
					  200, 249, 250, 255 };
	static const unsigned ports[] = { 0, 9, 10, 80, 65535 };
	const size_t no = sizeof(octets), np = sizeof(ports) / sizeof(ports[0]);
	char got[SA_ENDPOINT_LEN], want[SA_ENDPOINT_LEN];
	uint8_t addr[16] = { 0 };
	size_t i, k;
	int n;

	for (i = 0; i < no * no * no * no; i++) {
		size_t j = i;

		addr[0] = octets[j % no];
		j /= no;
		addr[1] = octets[j % no];
		j /= no;
		addr[2] = octets[j % no];
		j /= no;
		addr[3] = octets[j % no];
		for (k = 0; k < np; k++) {
			n = snprintf(want, sizeof(want), "%u.%u.%u.%u:%u",
				     addr[0], addr[1], addr[2], addr[3],
				     ports[k]);
			ck_assert_int_gt(n, 0);
			ck_assert_str_eq(sa_text_endpoint(SKR_AF_INET, addr,
							  ports[k], got,
							  sizeof(got)), want);
			/* The same with its length (--timeline's rows). */
			memset(got, 'x', sizeof(got));
			ck_assert_uint_eq(sa_text_endpoint_n(SKR_AF_INET, addr,
							     ports[k], got),
					  (size_t)n);
			ck_assert_str_eq(got, want);
		}
	}
	/* IPv6 and unknown families: sa_text_endpoint()'s text. */
	for (k = 0; k < 16; k++)
		addr[k] = (uint8_t)(k * 17);
	ck_assert_uint_eq(sa_text_endpoint_n(SKR_AF_INET6, addr, 443, got),
			  strlen(sa_text_endpoint(SKR_AF_INET6, addr, 443, want,
						  sizeof(want))));
	ck_assert_str_eq(got, want);
	ck_assert_uint_eq(sa_text_endpoint_n(99, addr, 7, got), 3);
	ck_assert_str_eq(got, "?:7");
}
END_TEST

/* ------------------------------------------------------------------ */
/* Rows written straight into the buffer                                */
/* ------------------------------------------------------------------ */

/* The same row field by field: what the raw one must equal. */
static void row_general(struct sa_out *o, const struct sa_row_prefix *pf,
			const char *comm)
{
	sa_row_begin_kept(o, pf);
	sa_row_u64(o, "n", 1234567890123ull);
	sa_row_null(o, "z");
	sa_row_bool(o, "t", true);
	sa_row_bool(o, "f", false);
	sa_row_str(o, "w", "SYN_SENT");
	sa_row_str(o, "comm", comm);
	sa_row_end(o);
}

/* false when the raw path declined the row (nothing written then). */
static bool row_raw(struct sa_out *o, const struct sa_row_prefix *pf,
		    const char *comm)
{
	char *p = sa_row_raw_begin(o, pf, 256 + strlen(comm));

	if (!p)
		return false;
	p = sa_raw_u64(p, SA_KEY("n"), 1234567890123ull);
	p = sa_raw_null(p, SA_KEY("z"));
	p = sa_raw_bool(p, SA_KEY("t"), true);
	p = sa_raw_bool(p, SA_KEY("f"), false);
	p = sa_raw_word(p, SA_KEY("w"), "SYN_SENT");
	p = sa_raw_str(p, SA_KEY("comm"), comm);
	if (!p) {
		sa_row_raw_abort(o);
		return false;
	}
	sa_row_raw_end(o, p, 6);
	return true;
}

/* Every row of comms[] written by one of the two ways, as text. */
static char *write_rows(enum sa_format fmt, bool raw, const char *const *comms,
			size_t n, size_t *declined)
{
	struct sa_row_prefix pf;
	struct sa_out o;
	char *text = NULL;
	size_t len = 0, i;
	FILE *f = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(f);
	memset(&pf, 0, sizeof(pf));
	sa_out_init(&o, f, fmt, "ev");
	/* A kept prefix, as --timeline makes one per socket. */
	if (raw) {
		char *p = sa_row_raw_kind(&o, SA_ROW_HEAD("ev"), 64);

		if (p) {
			p = sa_raw_u64(p, SA_KEY("socket"), 7);
			p = sa_raw_word(p, SA_KEY("local"), "127.0.0.1:80");
			sa_row_raw_done(&o, p, 2);
		} else {
			sa_row_begin(&o, "ev");
			sa_row_u64(&o, "socket", 7);
			sa_row_str(&o, "local", "127.0.0.1:80");
		}
	} else {
		sa_row_begin(&o, "ev");
		sa_row_u64(&o, "socket", 7);
		sa_row_str(&o, "local", "127.0.0.1:80");
	}
	sa_row_keep(&o, &pf);
	ck_assert(pf.valid);
	sa_out_batch(&o, true);
	for (i = 0; i < n; i++) {
		if (raw && row_raw(&o, &pf, comms[i]))
			continue;
		if (raw)
			++*declined;
		row_general(&o, &pf, comms[i]);
	}
	sa_out_batch(&o, false);
	sa_out_release(&o);
	sa_row_prefix_release(&pf);
	ck_assert_int_eq(fclose(f), 0);
	return text;
}

START_TEST(test_raw_rows)
{
	static const char *const comms[] = {
		"curl", "", "with \"quote\"", "back\\slash", "tab\there",
		"caf\xc3\xa9", "nginx: worker", "\x7f",
	};
	const size_t n = sizeof(comms) / sizeof(comms[0]);
	size_t declined = 0;
	char *want, *got;

	want = write_rows(SA_FORMAT_JSON, false, comms, n, &declined);
	got = write_rows(SA_FORMAT_JSON, true, comms, n, &declined);
	ck_assert_str_eq(got, want);
	/* Those with a byte to escape took the general path, the others not. */
	ck_assert_uint_eq(declined, 5);
	ck_assert_ptr_nonnull(strstr(got, "\"comm\":\"with \\\"quote\\\"\"}"));
	ck_assert_ptr_nonnull(strstr(got, "{\"row\":\"ev\",\"socket\":7,"
				     "\"local\":\"127.0.0.1:80\",\"n\":"
				     "1234567890123,\"z\":null,\"t\":true,"
				     "\"f\":false,\"w\":\"SYN_SENT\",\"comm\":"
				     "\"curl\"}\n"));
	free(want);
	free(got);

	/* CSV is never written raw: every row declined, same text. */
	declined = 0;
	want = write_rows(SA_FORMAT_CSV, false, comms, n, &declined);
	got = write_rows(SA_FORMAT_CSV, true, comms, n, &declined);
	ck_assert_str_eq(got, want);
	ck_assert_uint_eq(declined, n);
	free(want);
	free(got);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Batches written to the descriptor                                    */
/* ------------------------------------------------------------------ */

#define NROWS	3000	/* some 120 KiB of rows: more than one batch */

static void batch_rows(struct sa_out *o)
{
	int i;

	sa_out_batch(o, true);
	for (i = 0; i < NROWS; i++) {
		sa_row_begin(o, "r");
		sa_row_u64(o, "i", (uint64_t)i);
		sa_row_str(o, "pad", "0123456789012345678901234567890123456789"
			   "0123456789012345678901234567890123456789");
		sa_row_end(o);
	}
	sa_out_batch(o, false);
}

START_TEST(test_batch_order)
{
	struct sa_out o;
	char line[256];
	FILE *f = tmpfile();
	long size;
	int i;

	ck_assert_ptr_nonnull(f);
	/* Text stdio still holds must come out before the batches. */
	fputs("before\n", f);
	sa_out_init(&o, f, SA_FORMAT_JSON, NULL);
	batch_rows(&o);
	fputs("after\n", f);
	sa_out_release(&o);
	ck_assert_int_eq(fflush(f), 0);
	ck_assert(!ferror(f));

	size = ftell(f);
	ck_assert_int_gt(size, 64 << 10);
	rewind(f);
	ck_assert_ptr_nonnull(fgets(line, sizeof(line), f));
	ck_assert_str_eq(line, "before\n");
	for (i = 0; i < NROWS; i++) {
		char want[64];

		ck_assert_ptr_nonnull(fgets(line, sizeof(line), f));
		snprintf(want, sizeof(want), "{\"row\":\"r\",\"i\":%d,", i);
		ck_assert_msg(strncmp(line, want, strlen(want)) == 0,
			      "row %d: %s", i, line);
	}
	ck_assert_ptr_nonnull(fgets(line, sizeof(line), f));
	ck_assert_str_eq(line, "after\n");
	ck_assert_ptr_null(fgets(line, sizeof(line), f));
	fclose(f);
}
END_TEST

/* A write that fails leaves the stream's error set, as stdio would. */
START_TEST(test_batch_write_error)
{
	struct sa_out o;
	FILE *f;

	if (access("/dev/full", W_OK) != 0)
		return;	/* not on this system */
	f = fopen("/dev/full", "w");
	ck_assert_ptr_nonnull(f);
	sa_out_init(&o, f, SA_FORMAT_JSON, NULL);
	batch_rows(&o);
	sa_out_release(&o);
	ck_assert(ferror(f) || fflush(f) != 0);
	ck_assert(ferror(f));
	fclose(f);
}
END_TEST

/* ------------------------------------------------------------------ */
/* The reorder buffer's peek                                            */
/* ------------------------------------------------------------------ */

static int no_meta(void *ctx, const struct skr_record *rec)
{
	(void)ctx;
	(void)rec;
	return 0;
}

struct sent {
	uint64_t ts;
	uint64_t cookie;		/* file order */
};

static int by_time(const void *x, const void *y)
{
	const struct sent *a = x, *b = y;

	if (a->ts != b->ts)
		return a->ts < b->ts ? -1 : 1;
	return a->cookie < b->cookie ? -1 : a->cookie > b->cookie;
}

/*
 * sa_replay_peek() before every sa_replay_next(), as the analyzer asks
 * the cache for the next socket: the events still come in (time, file
 * order), though the call after a peek often reads and places older
 * events first, and most peeks name the event the next call returns.
 */
START_TEST(test_replay_peek)
{
	const struct sa_replay_ops ops = { .meta = no_meta };
	const unsigned n = 20000, ncpus = 4;
	struct sa_replay_stats st;
	struct sa_replay *rp = NULL;
	struct skr_reader *r;
	struct skr_record rec, nx, nx2;
	struct sent *sent;
	uint64_t cpu_ts[4], ts;
	unsigned i, k, c, got = 0, hits = 0;
	struct tg t;
	int ret;

	sent = calloc(n, sizeof(*sent));
	ck_assert_ptr_nonnull(sent);
	tg_begin(&t);
	tg_header(&t, 0, 0, SKR_VERSION_MINOR, 0);
	for (c = 0; c < ncpus; c++)
		cpu_ts[c] = 1000000000u + rnd() % 1000;
	for (i = 0; i < n;) {
		uint64_t horizon = UINT64_MAX;

		/* Each CPU's batch in its own order, some events late. */
		for (c = 0; c < ncpus; c++) {
			unsigned batch = (unsigned)(rnd() % 40);

			for (k = 0; k < batch && i < n; k++, i++) {
				struct skr_ev_state ev;

				cpu_ts[c] += rnd() % 3;
				memset(&ev, 0, sizeof(ev));
				ev.hdr.len = sizeof(ev);
				ev.hdr.type = SKR_REC_STATE;
				ev.c.ts_ns = cpu_ts[c];
				/* Late enough to be older than held events. */
				if (rnd() % 4 == 0)
					ev.c.ts_ns -= rnd() % 150;
				ev.c.cookie = i + 1;
				ev.c.cpu = (uint16_t)c;
				sent[i].ts = ev.c.ts_ns;
				sent[i].cookie = i + 1;
				tg_put(&t, &ev, sizeof(ev));
			}
		}
		for (c = 0; c < ncpus; c++)
			if (cpu_ts[c] < horizon)
				horizon = cpu_ts[c];
		tg_round(&t, horizon - 160);
	}
	r = tg_finish(&t);
	qsort(sent, n, sizeof(*sent), by_time);
	ck_assert_int_eq(sa_replay_new(&rp, r, NULL, &ops, NULL, &st), 0);
	for (;;) {
		const uint8_t *peeked = NULL;
		struct skr_ev_state ev;

		if (sa_replay_peek(rp, &nx, &nx2)) {
			ck_assert_uint_eq(nx.type, SKR_REC_STATE);
			peeked = nx.data;
		}
		ret = sa_replay_next(rp, &rec, &ts);
		ck_assert_int_ge(ret, 0);
		if (ret == 0)
			break;
		ck_assert_uint_lt(got, n);
		ck_assert_int_eq(skr_decode_state(&rec, &ev), 0);
		ck_assert_msg(ev.c.ts_ns == sent[got].ts &&
			      ev.c.cookie == sent[got].cookie,
			      "event %u: got (%llu, %llu), want (%llu, %llu)",
			      got, (unsigned long long)ev.c.ts_ns,
			      (unsigned long long)ev.c.cookie,
			      (unsigned long long)sent[got].ts,
			      (unsigned long long)sent[got].cookie);
		if (peeked == rec.data)
			hits++;
		got++;
	}
	ck_assert_uint_eq(got, n);
	ck_assert_uint_eq(st.late, 0);
	ck_assert_uint_gt(hits, n / 2);
	sa_replay_free(rp);
	skr_reader_free(r);
	close(t.fd);
	free(sent);
}
END_TEST

static void put_state(struct tg *t, uint64_t ts, uint64_t cookie,
		      uint16_t cpu)
{
	struct skr_ev_state ev;

	memset(&ev, 0, sizeof(ev));
	ev.hdr.len = sizeof(ev);
	ev.hdr.type = SKR_REC_STATE;
	ev.c.ts_ns = ts;
	ev.c.cookie = cookie;
	ev.c.cpu = cpu;
	tg_put(t, &ev, sizeof(ev));
}

/*
 * The case a stale peek gets wrong: the peek names the held event of 200,
 * then the next call reads one of 180 (another CPU's, behind the first
 * CPU's latest) before a ROUND lets both go; 180 must come first.
 */
START_TEST(test_replay_peek_stale)
{
	static const uint64_t want[] = { 1, 3, 2, 4 };	/* cookies */
	const struct sa_replay_ops ops = { .meta = no_meta };
	struct sa_replay_stats st;
	struct sa_replay *rp = NULL;
	struct skr_reader *r;
	struct skr_record rec, nx, nx2;
	struct skr_ev_state ev;
	uint64_t ts;
	unsigned got = 0;
	struct tg t;
	int ret;

	tg_begin(&t);
	tg_header(&t, 0, 0, SKR_VERSION_MINOR, 0);
	put_state(&t, 100, 1, 0);
	put_state(&t, 200, 2, 0);
	tg_round(&t, 150);
	put_state(&t, 180, 3, 1);
	tg_round(&t, 250);
	put_state(&t, 300, 4, 1);
	r = tg_finish(&t);
	ck_assert_int_eq(sa_replay_new(&rp, r, NULL, &ops, NULL, &st), 0);
	for (;;) {
		sa_replay_peek(rp, &nx, &nx2);
		ret = sa_replay_next(rp, &rec, &ts);
		ck_assert_int_ge(ret, 0);
		if (ret == 0)
			break;
		ck_assert_uint_lt(got, 4);
		ck_assert_int_eq(skr_decode_state(&rec, &ev), 0);
		ck_assert_uint_eq(ev.c.cookie, want[got]);
		got++;
	}
	ck_assert_uint_eq(got, 4);
	sa_replay_free(rp);
	skr_reader_free(r);
	close(t.fd);
}
END_TEST

static Suite *rows_suite(void)
{
	Suite *s = suite_create("out_rows");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_text_copy);
	tcase_add_test(tc, test_text_name16);
	tcase_add_test(tc, test_endpoint4);
	tcase_add_test(tc, test_raw_rows);
	tcase_add_test(tc, test_batch_order);
	tcase_add_test(tc, test_batch_write_error);
	tcase_add_test(tc, test_replay_peek);
	tcase_add_test(tc, test_replay_peek_stale);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tg_main(rows_suite());
}
