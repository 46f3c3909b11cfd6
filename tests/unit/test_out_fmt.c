/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests of the formatting primitives the JSON rows are written with
 * (docs/PERFORMANCE.md, issue 13 again): numbers two digits at a time,
 * wall times from a per-second template, the latest clock sample found
 * without a search, strings checked eight bytes at a time, words in
 * fixed-size slots, and a row that fills its buffer exactly; then (the
 * output path again) times written in place, task names as two words,
 * cookies in hex, address bytes from a table and kept prefixes moved
 * whole.  Each is checked against what printf, gmtime, inet_ntop, a
 * byte-by-byte loop or the field-by-field row writes.
 */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "analyze/out_raw.h"
#include "analyze/out_rows.h"
#include "analyze/text.h"
#include "analyze/wallclock.h"
#include "format/skr.h"
#include "tracegen.h"

static uint64_t rng_state = 0x2545f4914f6cdd1du;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* ------------------------------------------------------------------ */
/* Numbers                                                              */
/* ------------------------------------------------------------------ */

static void check_u64(uint64_t v)
{
	char got[32], want[32], *end;

	memset(got, 'x', sizeof(got));
	end = sa_put_u64(got, v);
	ck_assert_ptr_nonnull(end);
	ck_assert_int_le(end - got, 20);
	/* Nothing written past the end it returns. */
	ck_assert_int_eq(*end, 'x');
	*end = '\0';
	snprintf(want, sizeof(want), "%" PRIu64, v);
	ck_assert_msg(strcmp(got, want) == 0, "%s for %s", got, want);
}

START_TEST(test_put_u64)
{
	uint64_t p = 1;
	int i;

	check_u64(0);
	check_u64(UINT64_MAX);
	check_u64(UINT64_MAX - 1);
	check_u64((uint64_t)INT64_MAX + 1);
	check_u64(UINT32_MAX);
	check_u64((uint64_t)UINT32_MAX + 1);
	/* Every digit count, at its edges: 9, 10, 11, 99, 100, 101, ... */
	for (i = 0; i < 20; i++) {
		check_u64(p - 1);
		check_u64(p);
		check_u64(p + 1);
		check_u64(p * 2 - 1);
		if (i < 19) {
			check_u64(p * 10 - 1);
			check_u64(p * 5);
		}
		if (i < 19)
			p *= 10;
	}
	/* Digits at every position, and any length. */
	for (i = 0; i < 200000; i++) {
		uint64_t v = rnd();

		check_u64(v >> (v & 63));
	}
}
END_TEST

/* A row of one i64 field, as the report writes it, in JSON and CSV. */
static char *i64_row(enum sa_format fmt, int64_t v)
{
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);
	struct sa_out o;

	ck_assert_ptr_nonnull(f);
	sa_out_init(&o, f, fmt, "r");
	sa_row_begin(&o, "r");
	sa_row_i64(&o, "v", v);
	sa_row_end(&o);
	sa_out_release(&o);
	ck_assert_int_eq(fclose(f), 0);
	return text;
}

START_TEST(test_row_i64)
{
	static const int64_t vals[] = {
		0, 1, -1, 9, -9, 10, -10, 99, -99, 100, -100,
		INT64_MAX, INT64_MIN, INT64_MIN + 1, -1000000000000000000,
		-999999999999999999, 4294967296, -4294967296,
	};
	char want[96], *got;
	size_t i;

	for (i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		got = i64_row(SA_FORMAT_JSON, vals[i]);
		snprintf(want, sizeof(want), "{\"row\":\"r\",\"v\":%" PRId64
			 "}\n", vals[i]);
		ck_assert_str_eq(got, want);
		free(got);
		got = i64_row(SA_FORMAT_CSV, vals[i]);
		snprintf(want, sizeof(want), "v\n%" PRId64 "\n", vals[i]);
		ck_assert_str_eq(got, want);
		free(got);
	}
}
END_TEST

/* ------------------------------------------------------------------ */
/* Wall times                                                           */
/* ------------------------------------------------------------------ */

/* The time as gmtime and printf write it. */
static void wall_ref(uint64_t ns, char *buf, size_t size)
{
	time_t t = (time_t)(ns / 1000000000u);
	struct tm tm;

	ck_assert_ptr_nonnull(gmtime_r(&t, &tm));
	snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%06uZ",
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		 tm.tm_min, tm.tm_sec,
		 (unsigned)(ns % 1000000000u / 1000));
}

static void check_wall(uint64_t ns)
{
	char got[SA_WALL_LEN], want[64];

	char put[SA_WALL_LEN + 8], *end;

	memset(got, 'x', sizeof(got));
	ck_assert_int_eq(sa_format_wall(ns, got, sizeof(got)), 0);
	wall_ref(ns, want, sizeof(want));
	ck_assert_msg(strcmp(got, want) == 0, "%s for %s", got, want);

	/* In place: the same text, its end returned, nothing past its room. */
	memset(put, 'x', sizeof(put));
	end = sa_wall_put(ns, put);
	ck_assert_ptr_nonnull(end);
	ck_assert_uint_eq((size_t)(end - put), strlen(want));
	ck_assert_msg(memcmp(put, want, strlen(want)) == 0, "%.*s for %s",
		      (int)strlen(want), put, want);
	ck_assert(memcmp(put + SA_WALL_LEN, "xxxxxxxx", 8) == 0);
}

START_TEST(test_format_wall)
{
	static const uint64_t secs[] = {
		0, 1, 59, 86399, 86400, 951782400 /* 2000-02-29 */,
		1796441196, 4102444799 /* 2099-12-31T23:59:59 */,
		18446744072 /* 2554-07-21, the last second in u64 ns */,
	};
	static const uint32_t frac[] = {
		0, 999, 1000, 9999, 10000, 99999, 100000, 999999, 1000000,
		9999999, 10000000, 99999999, 100000000, 123456789, 999999999,
		5000, 50000, 500000, 5000000, 50000000, 500000000,
	};
	char buf[SA_WALL_LEN], want[64];
	size_t i, k, len;
	uint64_t ns;

	sa_wallclock_use_local(false);
	/*
	 * Every count of microsecond digits in every second, the seconds in
	 * turn and back again, so that the template of the second before is
	 * never the one used.
	 */
	for (i = 0; i < sizeof(secs) / sizeof(secs[0]); i++)
		for (k = 0; k < sizeof(frac) / sizeof(frac[0]); k++)
			check_wall(secs[i] * 1000000000u + frac[k]);
	for (k = 0; k < sizeof(frac) / sizeof(frac[0]); k++)
		for (i = 0; i < sizeof(secs) / sizeof(secs[0]); i++)
			check_wall(secs[i] * 1000000000u + frac[k]);
	for (i = 0; i < 20000; i++)
		check_wall(rnd());

	/* A buffer one byte short fails; one that fits exactly does not. */
	ns = 1796441196u * 1000000000ull + 496494986u;
	wall_ref(ns, want, sizeof(want));
	len = strlen(want);
	ck_assert_int_eq(sa_format_wall(ns, buf, len), -ENOSPC);
	memset(buf, 'x', sizeof(buf));
	ck_assert_int_eq(sa_format_wall(ns, buf, len + 1), 0);
	ck_assert_str_eq(buf, want);
}
END_TEST

/* The latest sample at or before ts, by looking at each. */
static int to_wall_ref(const struct sa_wallclock *wc, uint64_t ts,
		       uint64_t *wall)
{
	const struct sa_clock_sample *s = NULL;
	size_t i;

	if (wc->n == 0)
		return -ENOENT;
	for (i = 0; i < wc->n; i++)
		if (wc->s[i].clock_ns <= ts)
			s = &wc->s[i];
	if (!s)
		s = &wc->s[0];
	*wall = s->realtime_ns + ts - s->clock_ns;
	return 0;
}

START_TEST(test_to_wall)
{
	struct sa_wallclock wc;
	struct skr_clock c;
	uint64_t got, want, ts;
	size_t n, i, k;

	for (n = 0; n <= 5; n++) {
		sa_wallclock_init(&wc);
		for (i = 0; i < n; i++) {
			memset(&c, 0, sizeof(c));
			c.clock_id = 7;
			c.clock_ns = 1000000000u * (i + 1);
			/* An offset of its own: which one is used shows. */
			c.realtime_ns = 1796441196000000000ull + 1000 * i;
			sa_wallclock_add(&wc, &c);
		}
		/*
		 * Before, at, between and after the samples, and a nanosecond
		 * either side of each.
		 */
		for (k = 0; k <= n + 2; k++) {
			static const int64_t d[] = { -1, 0, 1, 250000000,
						     500000000 };

			for (i = 0; i < sizeof(d) / sizeof(d[0]); i++) {
				int r;

				if (k == 0 && d[i] < 0)
					continue;
				ts = 1000000000u * k + (uint64_t)d[i];
				r = to_wall_ref(&wc, ts, &want);
				ck_assert_int_eq(sa_wallclock_to_wall(&wc, ts,
								      &got), r);
				if (r == 0)
					ck_assert_msg(got == want, "n %zu ts %"
						      PRIu64 ": %" PRIu64
						      ", want %" PRIu64, n, ts,
						      got, want);
			}
		}
	}
}
END_TEST

/*
 * sa_wallclock_put() writes what sa_wallclock_format() does, or declines
 * where that writes its "clock+" text: no sample, a time before them all
 * that would be before 1970, a sum past 2^64 ns.
 */
static void check_clock_put(const struct sa_wallclock *wc, uint64_t ts)
{
	char want[SA_WALL_LEN], got[SA_WALL_LEN + 8], *end;

	sa_wallclock_format(wc, ts, want, sizeof(want));
	memset(got, 'x', sizeof(got));
	end = sa_wallclock_put(wc, ts, got);
	if (!end) {
		ck_assert_msg(strncmp(want, "clock+", 6) == 0,
			      "declined ts %" PRIu64 ", want %s", ts, want);
		return;
	}
	ck_assert_uint_eq((size_t)(end - got), strlen(want));
	ck_assert_msg(memcmp(got, want, strlen(want)) == 0, "%.*s, want %s",
		      (int)strlen(want), got, want);
	ck_assert(memcmp(got + SA_WALL_LEN, "xxxxxxxx", 8) == 0);
}

START_TEST(test_wallclock_put)
{
	static const uint64_t reals[] = {
		1796441196000000000ull,
		/* Times before a sample fall before 1970. */
		500000000ull,
		/* Times after a sample pass 2^64 ns. */
		UINT64_MAX - 1000,
	};
	struct sa_wallclock wc;
	struct skr_clock c;
	size_t n, i, k, r;
	uint64_t ts;

	sa_wallclock_use_local(false);
	for (r = 0; r < sizeof(reals) / sizeof(reals[0]); r++) {
		for (n = 0; n <= 4; n++) {
			sa_wallclock_init(&wc);
			for (i = 0; i < n; i++) {
				memset(&c, 0, sizeof(c));
				c.clock_id = 7;
				c.clock_ns = 1000000000u * (i + 1);
				c.realtime_ns = reals[r] + 1000 * i;
				sa_wallclock_add(&wc, &c);
			}
			for (k = 0; k <= n + 2; k++) {
				static const int64_t d[] = { -1, 0, 1,
							     250000000 };

				for (i = 0; i < sizeof(d) / sizeof(d[0]); i++) {
					if (k == 0 && d[i] < 0)
						continue;
					ts = 1000000000u * k + (uint64_t)d[i];
					check_clock_put(&wc, ts);
				}
			}
			/* After the last sample by far: the sum overflows. */
			check_clock_put(&wc, UINT64_MAX);
			check_clock_put(&wc, UINT64_MAX / 2);
		}
	}
}
END_TEST

/* ------------------------------------------------------------------ */
/* Strings and words                                                    */
/* ------------------------------------------------------------------ */

/* What sa_json_plain_tab says JSON carries as it is, from first principles. */
static bool plain_ref(unsigned char c)
{
	return c >= 0x20 && c <= 0x7e && c != '"' && c != '\\';
}

START_TEST(test_json_plain8)
{
	unsigned c, pos;

	for (c = 0; c < 256; c++)
		ck_assert_int_eq(sa_json_plain_tab[c],
				 plain_ref((unsigned char)c));
	/* Each byte value at each place among plain ones, twice. */
	for (c = 0; c < 256; c++) {
		for (pos = 0; pos < 8; pos++) {
			unsigned char b[8];
			uint64_t w;

			memset(b, 'a', sizeof(b));
			b[pos] = (unsigned char)c;
			memcpy(&w, b, 8);
			ck_assert_msg(sa_json_plain8(w) ==
				      plain_ref((unsigned char)c),
				      "byte 0x%02x at %u", c, pos);
			memset(b, '~', sizeof(b));
			b[pos] = (unsigned char)c;
			b[7 - pos] = (unsigned char)c;
			memcpy(&w, b, 8);
			ck_assert(sa_json_plain8(w) ==
				  plain_ref((unsigned char)c));
		}
	}
}
END_TEST

START_TEST(test_raw_strn)
{
	char src[40], out[128], want[128], *end;
	unsigned c;
	size_t len, pos, i;

	for (len = 0; len <= 24; len++) {
		for (i = 0; i < len; i++)
			src[i] = (char)('A' + i);
		src[len] = '\0';
		/* All plain: copied whole between quotes after the key. */
		memset(out, 'x', sizeof(out));
		end = sa_raw_strn(out, SA_KEY("k"), src, len);
		ck_assert_ptr_nonnull(end);
		snprintf(want, sizeof(want), ",\"k\":\"%s\"", src);
		ck_assert_uint_eq((size_t)(end - out), strlen(want));
		ck_assert(memcmp(out, want, strlen(want)) == 0);
		ck_assert_int_eq(*end, 'x');
		end = sa_raw_str(out, SA_KEY("k"), src);
		ck_assert_uint_eq((size_t)(end - out), strlen(want));
		/* Each byte at each place: declined iff it needs an escape. */
		for (pos = 0; pos < len; pos++) {
			for (c = 1; c < 256; c++) {
				src[pos] = (char)c;
				end = sa_raw_strn(out, SA_KEY("k"), src, len);
				ck_assert_msg((end != NULL) ==
					      plain_ref((unsigned char)c),
					      "byte 0x%02x at %zu of %zu", c,
					      pos, len);
				if (end)
					ck_assert(memcmp(out + 6, src,
							 len) == 0);
			}
			src[pos] = (char)('A' + pos);
		}
	}
}
END_TEST

/*
 * sa_raw_comm() against a byte loop: the name up to its NUL (or all 16
 * bytes when byte 16 is the NUL), NULL when a byte of it needs an escape
 * or there is no NUL; what lies past the NUL does not matter.
 */
static const char *check_comm(const char comm[SA_COMM_SLOT])
{
	char got[64], want[64], *end;
	size_t n = 0, i, wlen;
	bool plain = true;

	while (n < SA_COMM_SLOT - 1 && comm[n] != '\0')
		n++;
	for (i = 0; i < n; i++)
		if (!plain_ref((unsigned char)comm[i]))
			plain = false;
	if (comm[n] != '\0')
		plain = false;
	memset(got, 'x', sizeof(got));
	end = sa_raw_comm(got, SA_KEY("comm"), comm);
	if ((end != NULL) != plain)
		return end ? "taken, wants an escape" : "declined, plain";
	if (!end)
		return NULL;
	memcpy(want, ",\"comm\":\"", 9);
	memcpy(want + 9, comm, n);
	want[9 + n] = '"';
	wlen = 10 + n;
	if ((size_t)(end - got) != wlen || memcmp(got, want, wlen) != 0)
		return "not the name";
	/* Its room: the key, a quote, the slot and a quote. */
	for (i = 9 + SA_COMM_SLOT + 1; i < sizeof(got); i++)
		if (got[i] != 'x')
			return "written past its room";
	return NULL;
}

/*
 * One assertion a place (Check's assertions each cost a system call):
 * the first byte value that fails is named.
 */
START_TEST(test_raw_comm)
{
	static const unsigned char after[] = { 0, '"', '\\', 1, 0x7f, 0xff,
					       'a' };
	char comm[SA_COMM_SLOT];
	const char *err;
	size_t len, pos, g, i;
	unsigned c, bad;

	for (len = 0; len < SA_COMM_SLOT; len++) {
		for (g = 0; g < sizeof(after); g++) {
			for (i = 0; i < SA_COMM_SLOT; i++)
				comm[i] = i < len ? (char)('a' + i)
						  : (char)after[g];
			comm[len] = '\0';
			err = check_comm(comm);
			ck_assert_msg(!err, "len %zu, then 0x%02x: %s", len,
				      after[g], err);
			/* Each byte value at each place of the name. */
			for (pos = 0; pos < len; pos++) {
				err = NULL;
				bad = 0;
				for (c = 1; c < 256 && !err; c++) {
					comm[pos] = (char)c;
					err = check_comm(comm);
					bad = c;
				}
				ck_assert_msg(!err, "len %zu, 0x%02x at %zu: %s",
					      len, bad, pos, err);
				comm[pos] = (char)('a' + pos);
			}
		}
	}
	/* Sixteen plain bytes and no NUL after them: declined. */
	memset(comm, 'a', sizeof(comm));
	ck_assert_ptr_null(check_comm(comm));
	ck_assert_ptr_null(sa_raw_comm((char[64]){ 0 }, SA_KEY("comm"), comm));
}
END_TEST

/* sa_raw_hex() against printf, at every count of digits. */
START_TEST(test_raw_hex)
{
	char got[64], want[64], *end;
	uint64_t v;
	int i, k, bad = -1;

	for (i = 0; i < 64 * 4 + 2000 && bad < 0; i++) {
		/* 0, each power of two, one less, one more, then any. */
		k = i / 4;
		if (i < 4)
			v = (uint64_t)i;
		else if (k < 64)
			v = ((uint64_t)1 << k) + (uint64_t)(i % 4) - 1;
		else
			v = rnd() >> (rnd() % 64);
		snprintf(want, sizeof(want), ",\"cookie\":\"0x%" PRIx64 "\"",
			 v);
		memset(got, 'x', sizeof(got));
		end = sa_raw_hex(got, SA_KEY("cookie"), v);
		if ((size_t)(end - got) != strlen(want) ||
		    memcmp(got, want, strlen(want)) != 0 || *end != 'x')
			bad = i;
	}
	ck_assert_msg(bad < 0, "0x%" PRIx64 ": %.*s", v, (int)(end - got), got);
}
END_TEST

START_TEST(test_words)
{
	char word[64], out[128], want[128], *end;
	struct sa_word w;
	size_t n;

	for (n = 0; n < 40; n++) {
		memset(word, 'a', n);
		word[n] = '\0';
		if (n > 0)
			word[n - 1] = 'Z';
		snprintf(want, sizeof(want), ",\"key\":\"%s\"", word);
		/* Its quotes fill a slot at most. */
		ck_assert_int_eq(sa_word_make(&w, word), n + 2 <= SA_WORD_SLOT);
		if (n + 2 > SA_WORD_SLOT) {
			ck_assert_uint_eq(w.len, 0);
			continue;
		}
		memset(out, 'x', sizeof(out));
		end = sa_raw_slot(out, SA_KEY("key"), &w);
		ck_assert_uint_eq((size_t)(end - out), strlen(want));
		ck_assert(memcmp(out, want, strlen(want)) == 0);
		/* The slot is copied whole: no more than that is touched. */
		ck_assert_int_eq(out[7 + SA_WORD_SLOT], 'x');

		memset(out, 'x', sizeof(out));
		end = sa_raw_wordn(out, SA_KEY("key"), word, n);
		ck_assert_uint_eq((size_t)(end - out), strlen(want));
		ck_assert(memcmp(out, want, strlen(want)) == 0);
		ck_assert_int_eq(*end, 'x');

		memset(out, 'x', sizeof(out));
		end = sa_raw_word(out, SA_KEY("key"), word);
		ck_assert_uint_eq((size_t)(end - out), strlen(want));
		ck_assert(memcmp(out, want, strlen(want)) == 0);
	}
	/* A buffer's word, the buffer copied whole. */
	memset(word, 0, sizeof(word));
	memcpy(word, "2026-12-05T03:26:36.496494Z", 27);
	memset(out, 'x', sizeof(out));
	end = sa_raw_wordbuf(out, SA_KEY("time"), word, 27, SA_WALL_LEN);
	ck_assert_uint_eq((size_t)(end - out), 8 + 27 + 2);
	ck_assert(memcmp(out, ",\"time\":\"2026-12-05T03:26:36.496494Z\"",
			 (size_t)(end - out)) == 0);
}
END_TEST

/* ------------------------------------------------------------------ */
/* A row that fills its buffer exactly                                  */
/* ------------------------------------------------------------------ */

/*
 * A raw row of exactly the room it asked for, in a buffer with not one
 * byte more than sa_row_raw_open() needs: the end of the row ("}\n" and
 * the NUL) must land inside it (ASan sees a byte past it), and the row
 * must come out whole, batched or not.
 */
static void exact_row(bool batch)
{
	static const char head[] = "{\"row\":\"r\"";
	char as[64], *text = NULL, *p, want[256];
	size_t size = 0, hlen = sizeof(head) - 1, n, i;
	FILE *f = open_memstream(&text, &size);
	struct sa_out o;

	ck_assert_ptr_nonnull(f);
	memset(as, 'a', sizeof(as) - 1);
	as[sizeof(as) - 1] = '\0';
	for (n = 8; n < 64; n += 7) {
		sa_out_init(&o, f, SA_FORMAT_JSON, NULL);
		sa_out_batch(&o, batch);
		/* Grown by hand to the least capacity the check accepts. */
		o.vals.cap = hlen + n + 2 + 1;
		o.vals.p = malloc(o.vals.cap);
		ck_assert_ptr_nonnull(o.vals.p);
		p = sa_row_raw_kind(&o, head, hlen, n);
		ck_assert_ptr_nonnull(p);
		ck_assert_ptr_eq(o.vals.p, p - hlen);
		/* ,"s":"aaa..." of exactly n bytes. */
		p = sa_raw_wordn(p, SA_KEY("s"), as, n - 7);
		ck_assert_ptr_eq(p, o.vals.p + hlen + n);
		sa_row_raw_end(&o, p, 1);
		ck_assert_uint_eq(o.vals.cap, hlen + n + 3);
		sa_out_release(&o);
		ck_assert_int_eq(fflush(f), 0);
		i = (size_t)snprintf(want, sizeof(want),
				     "%s,\"s\":\"%.*s\"}\n", head, (int)(n - 7),
				     as);
		ck_assert_uint_ge(size, i);
		ck_assert_str_eq(text + size - i, want);
	}
	ck_assert_int_eq(fclose(f), 0);
	free(text);
}

START_TEST(test_exact_fill)
{
	exact_row(false);
	exact_row(true);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Endpoints                                                            */
/* ------------------------------------------------------------------ */

START_TEST(test_endpoint_ports)
{
	static const unsigned ports[] = {
		0, 1, 9, 10, 11, 99, 100, 101, 999, 1000, 1001, 9999, 10000,
		10001, 65534, 65535, 65536, 99999, 100000, UINT_MAX,
	};
	const uint8_t addr[16] = { 255, 255, 255, 255 };
	char got[SA_ENDPOINT_LEN], want[SA_ENDPOINT_LEN];
	size_t i, size, len;

	for (i = 0; i < sizeof(ports) / sizeof(ports[0]); i++) {
		snprintf(want, sizeof(want), "255.255.255.255:%u", ports[i]);
		len = strlen(want);
		/* Any buffer: big, just big enough, too small (then empty). */
		for (size = 1; size <= sizeof(got); size++) {
			memset(got, 'x', sizeof(got));
			sa_text_endpoint(SKR_AF_INET, addr, ports[i], got,
					 size);
			if (size > len)
				ck_assert_str_eq(got, want);
			else
				ck_assert_str_eq(got, "");
		}
	}
}
END_TEST

/* Every address byte at every place, as inet_ntop and printf write it. */
START_TEST(test_endpoint_octets)
{
	static const unsigned ports[] = { 0, 7, 80, 443, 5000, 65535 };
	char got[SA_ENDPOINT_LEN], want[SA_ENDPOINT_LEN], a[INET_ADDRSTRLEN];
	uint8_t addr[16] = { 0 };
	unsigned v, pos, k, fill;

	for (fill = 0; fill < 3; fill++) {
		for (pos = 0; pos < 4; pos++) {
			for (v = 0; v < 256; v++) {
				for (k = 0; k < 4; k++)
					addr[k] = (uint8_t)(fill == 0 ? 0 :
						  fill == 1 ? 255 : 10 * k + 7);
				addr[pos] = (uint8_t)v;
				ck_assert_ptr_nonnull(inet_ntop(AF_INET, addr,
							       a, sizeof(a)));
				k = v % (sizeof(ports) / sizeof(ports[0]));
				snprintf(want, sizeof(want), "%s:%u", a,
					 ports[k]);
				memset(got, 'x', sizeof(got));
				sa_text_endpoint(SKR_AF_INET, addr, ports[k],
						 got, sizeof(got));
				ck_assert_str_eq(got, want);
				/* The scratch path, a buffer just big enough. */
				memset(got, 'x', sizeof(got));
				sa_text_endpoint(SKR_AF_INET, addr, ports[k],
						 got, strlen(want) + 1);
				ck_assert_str_eq(got, want);
			}
		}
	}
}
END_TEST

/*
 * A raw row begun from a kept prefix of every length around
 * SA_PREFIX_MOVE (copied whole below it, by its length above) writes what
 * the field-by-field row begun from the same prefix does.
 */
START_TEST(test_prefix_move)
{
	char val[256], *text = NULL, *p, *line;
	size_t size = 0, n, half;
	FILE *f = open_memstream(&text, &size);
	struct sa_row_prefix pf;
	struct sa_out o;

	ck_assert_ptr_nonnull(f);
	for (n = 60; n < 200; n++) {
		/* Another letter each time: no byte left over passes. */
		memset(val, 'a' + (int)(n % 26), n);
		val[n] = '\0';
		memset(&pf, 0, sizeof(pf));
		sa_out_init(&o, f, SA_FORMAT_JSON, NULL);
		sa_out_batch(&o, true);
		sa_row_begin(&o, "event");
		sa_rowk_str(&o, SA_KEY("host"), val);
		sa_row_keep(&o, &pf);
		ck_assert(pf.valid);
		/*
		 * The prefix was written where the row goes: a byte the move
		 * misses would still be there.  Poisoned first.
		 */
		ck_assert(sa_buf_grow(&o.vals, 1024));
		memset(o.vals.p + o.pending, '#', 1024);
		p = sa_row_raw_begin(&o, &pf, 64);
		ck_assert_ptr_nonnull(p);
		p = sa_raw_u64(p, SA_KEY("n"), n);
		sa_row_raw_end(&o, p, 1);
		sa_row_begin_kept(&o, &pf);
		sa_rowk_u64(&o, SA_KEY("n"), n);
		sa_row_end(&o);
		sa_out_release(&o);
		sa_row_prefix_release(&pf);
		ck_assert_int_eq(fflush(f), 0);
		/* The two last lines, the same. */
		ck_assert_uint_gt(size, 0);
		ck_assert_int_eq(text[size - 1], '\n');
		line = text + size - 1;
		while (line > text && line[-1] != '\n')
			line--;
		half = (size_t)(text + size - line);
		ck_assert_uint_ge((size_t)(line - text), half);
		ck_assert_msg(memcmp(line - half, line, half) == 0,
			      "prefix of %zu bytes: %.*s", n, (int)half,
			      line - half);
		ck_assert(memcmp(line, "{\"row\":\"event\",\"host\":\"",
				 23) == 0);
	}
	ck_assert_int_eq(fclose(f), 0);
	free(text);
}
END_TEST

static Suite *fmt_suite(void)
{
	Suite *s = suite_create("out_fmt");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_put_u64);
	tcase_add_test(tc, test_row_i64);
	tcase_add_test(tc, test_format_wall);
	tcase_add_test(tc, test_to_wall);
	tcase_add_test(tc, test_json_plain8);
	tcase_add_test(tc, test_raw_strn);
	tcase_add_test(tc, test_words);
	tcase_add_test(tc, test_exact_fill);
	tcase_add_test(tc, test_endpoint_ports);
	tcase_add_test(tc, test_wallclock_put);
	tcase_add_test(tc, test_raw_comm);
	tcase_add_test(tc, test_raw_hex);
	tcase_add_test(tc, test_endpoint_octets);
	tcase_add_test(tc, test_prefix_move);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tg_main(fmt_suite());
}
