// SPDX-License-Identifier: BSD-2-Clause
/*
 * Format 2's delta chain (docs/FORMAT.md §4.7.1, issue 18): every event
 * record's time and cookie are stored as the zigzag-encoded difference
 * from the previous event record of the same zstd frame, 0 at a frame's
 * start and at a FILE_HEADER; segments of major 1 are stored as they are.
 *
 * - random records through the writer and back through the reader, over
 *   many frames and blocks, equal byte for byte what was appended, and the
 *   file itself decodes to them by the rule of the spec, frame by frame;
 * - a file cut at every byte of its last frame, and one followed from a
 *   pipe a few bytes at a time, give a prefix of those records;
 * - hand-made files whose stored deltas are written out here decode to the
 *   absolute values written out here, which pins the format apart from
 *   the writer: a writer and a reader that agreed on a wrong rule fail it;
 * - 1.x files come out as they were, alone or concatenated with 2.x ones.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zstd.h>

#include "format/skr.h"

#define NREC_MAX	4096
#define FRAME_CAP	SKR_FRAME_MAX

/* ---------------------------------------------------------------- */
/* Records kept as appended                                           */
/* ---------------------------------------------------------------- */

struct rec {
	uint8_t *p;
	uint32_t len;
};

struct recs {
	struct rec r[NREC_MAX];
	size_t n;
};

struct bytes {
	uint8_t *p;
	size_t len, cap;
};

static void bytes_add(struct bytes *b, const void *data, size_t n)
{
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;

		while (cap < b->len + n)
			cap *= 2;
		b->p = realloc(b->p, cap);
		ck_assert_ptr_nonnull(b->p);
		b->cap = cap;
	}
	memcpy(b->p + b->len, data, n);
	b->len += n;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)get16(p) | (uint32_t)get16(p + 2) << 16;
}

static uint64_t get64(const uint8_t *p)
{
	return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

static uint64_t rnd_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	/* xorshift64*: deterministic, so a failure reproduces. */
	rnd_state ^= rnd_state >> 12;
	rnd_state ^= rnd_state << 25;
	rnd_state ^= rnd_state >> 27;
	return rnd_state * 0x2545f4914f6cdd1dull;
}

static struct rec *rec_new(struct recs *rs, uint16_t type, uint32_t len)
{
	struct rec *r;
	uint32_t i;

	ck_assert_uint_lt(rs->n, NREC_MAX);
	r = &rs->r[rs->n++];
	r->p = malloc(len);
	ck_assert_ptr_nonnull(r->p);
	r->len = len;
	for (i = 0; i < len; i++)
		r->p[i] = (uint8_t)rnd();
	put32(r->p, len);
	put16(r->p + 4, type);
	put16(r->p + 6, 0);
	return r;
}

static void recs_free(struct recs *rs)
{
	size_t i;

	for (i = 0; i < rs->n; i++)
		free(rs->r[i].p);
	rs->n = 0;
}

static struct rec *file_header(struct recs *rs, uint16_t major,
			       uint16_t minor)
{
	struct skr_file_header fh;
	struct rec *r = rec_new(rs, SKR_REC_FILE_HEADER, sizeof(fh));
	uint8_t id[16];

	memset(id, 0x5a, sizeof(id));
	skr_encode_file_header(&fh, major, minor, 0, id, 1790000000000000000ull);
	memcpy(r->p, &fh, sizeof(fh));
	return r;
}

static struct rec *end_rec(struct recs *rs)
{
	struct rec *r = rec_new(rs, SKR_REC_END, sizeof(struct skr_end));

	memset(r->p + 8, 0, r->len - 8);
	return r;
}

/* Times and cookies that test the arithmetic: wraps, bit 63, 0, repeats. */
static uint64_t pick_ts(uint64_t prev)
{
	switch (rnd() % 10) {
	case 0:
		return prev - rnd() % 5000000;		/* backwards */
	case 1:
		return 0;
	case 2:
		return UINT64_MAX - rnd() % 3;
	case 3:
		return rnd();
	default:
		return prev + rnd() % 20000;
	}
}

static uint64_t pick_cookie(uint64_t prev)
{
	switch (rnd() % 8) {
	case 0:
		return 0;
	case 1:
		return UINT64_MAX;
	case 2:
		return 1ull << 63 | rnd() % 1000;	/* sockrec's own ids */
	case 3:
		return rnd();
	case 4:
		return prev;
	default:
		return 0x4000 + rnd() % 64;
	}
}

/*
 * One random record: events of known and unknown types, with chosen
 * times and cookies, and non-events whose bytes 8-23 must never change.
 */
static void random_record(struct recs *rs, uint64_t *ts, uint64_t *cookie)
{
	static const uint16_t known[] = {
		SKR_REC_STATE, SKR_REC_STATE4, SKR_REC_LISTEN, SKR_REC_ACCEPT,
		SKR_REC_DESTROY, SKR_REC_COUNTERS, SKR_REC_LISTENER,
	};
	static const uint16_t other[] = {
		SKR_REC_CLOCK, SKR_REC_ROUND, SKR_REC_LOSS, SKR_REC_STATS,
	};
	unsigned k = (unsigned)(rnd() % 16);
	struct rec *r;

	if (k < 9) {
		uint16_t type = known[rnd() % (sizeof(known) / sizeof(known[0]))];

		r = rec_new(rs, type, (uint32_t)skr_rec_min_len(type) +
			    (uint32_t)(rnd() % 3) * 8);
	} else if (k < 12) {
		/* Unknown event types: at least the common block. */
		r = rec_new(rs, (uint16_t)(0x0200 + rnd() % 0xfd00),
			    40 + (uint32_t)(rnd() % 64));
	} else if (k < 15) {
		uint16_t type = other[rnd() % (sizeof(other) / sizeof(other[0]))];

		rec_new(rs, type, (uint32_t)skr_rec_min_len(type));
		return;
	} else {
		/* An unknown structure record, as short as a header. */
		rec_new(rs, (uint16_t)(0x0020 + rnd() % 0xc0),
			8 + (uint32_t)(rnd() % 40));
		return;
	}
	*ts = pick_ts(*ts);
	*cookie = pick_cookie(*cookie);
	put64(r->p + 8, *ts);
	put64(r->p + 16, *cookie);
}

/* ---------------------------------------------------------------- */
/* Writing and reading                                                */
/* ---------------------------------------------------------------- */

/* Close w, which writes into f, and return f's bytes; f is closed. */
static void close_and_take(struct skr_writer *w, FILE *f, struct bytes *out)
{
	uint8_t tmp[4096];
	ssize_t n;

	ck_assert_int_eq(skr_writer_close(w), 0);
	ck_assert_int_eq(lseek(fileno(f), 0, SEEK_SET), 0);
	memset(out, 0, sizeof(*out));
	while ((n = read(fileno(f), tmp, sizeof(tmp))) > 0)
		bytes_add(out, tmp, (size_t)n);
	ck_assert_int_eq(n, 0);
	fclose(f);
}

/*
 * Append every record of rs, syncing and flushing at random (sync_in and
 * flush_in: one in that many records; 0 never), and return the file.
 * The caller's records must not change: the writer transforms its copy.
 */
static void write_all(const struct recs *rs, size_t frame_bytes,
		      unsigned sync_in, unsigned flush_in, struct bytes *out,
		      size_t *last_frame_start)
{
	struct skr_writer_opts o = { .level = 1, .frame_bytes = frame_bytes };
	struct skr_writer *w;
	FILE *f = tmpfile();
	uint8_t *copy;
	size_t i;

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(skr_writer_open(&w, fileno(f), &o), 0);
	if (last_frame_start)
		*last_frame_start = 0;
	for (i = 0; i < rs->n; i++) {
		const struct rec *r = &rs->r[i];

		copy = malloc(r->len);
		ck_assert_ptr_nonnull(copy);
		memcpy(copy, r->p, r->len);
		ck_assert_int_eq(skr_writer_append(w, r->p, r->len), 0);
		ck_assert_msg(memcmp(copy, r->p, r->len) == 0,
			      "record %zu changed by the writer", i);
		free(copy);
		if (flush_in && rnd() % flush_in == 0) {
			ck_assert_int_eq(skr_writer_flush(w), 0);
			if (last_frame_start)
				*last_frame_start = skr_writer_bytes_out(w);
		} else if (sync_in && rnd() % sync_in == 0) {
			ck_assert_int_eq(skr_writer_sync(w), 0);
		}
	}
	close_and_take(w, f, out);
}

/*
 * Read a trace: its records must be the first *got of want (all of them
 * unless cut), byte for byte.  Returns the reader's result.
 */
static int read_back(struct skr_reader *r, const struct recs *want,
		     size_t *got, struct skr_reader_status *st)
{
	struct skr_record rec;
	int rc;

	*got = 0;
	while ((rc = skr_reader_next(r, &rec)) == 1) {
		const struct rec *w;

		ck_assert_msg(*got < want->n, "more records than written");
		w = &want->r[*got];
		ck_assert_uint_eq(rec.len, w->len);
		ck_assert_msg(memcmp(rec.data, w->p, w->len) == 0,
			      "record %zu (type 0x%04x) differs: ts %llx cookie "
			      "%llx, wrote %llx %llx", *got, rec.type,
			      (unsigned long long)get64(rec.data + 8),
			      (unsigned long long)get64(rec.data + 16),
			      (unsigned long long)get64(w->p + 8),
			      (unsigned long long)get64(w->p + 16));
		(*got)++;
	}
	skr_reader_get_status(r, st);
	return rc;
}

static void read_mem_all(const struct bytes *f, size_t len,
			 const struct recs *want, size_t *got,
			 struct skr_reader_status *st)
{
	struct skr_reader *r;
	int rc;

	ck_assert_int_eq(skr_reader_open_mem(&r, f->p, len), 0);
	rc = read_back(r, want, got, st);
	ck_assert_msg(rc == 0, "reader: %d %s", rc, skr_reader_errmsg(r));
	skr_reader_free(r);
}

/*
 * The spec's rule applied to the file's frames one by one, without libskr:
 * what the writer stored decodes to what was appended.  Returns how many
 * event records of major-2 segments were stored differently from their
 * absolute values (so the transform was really applied).
 */
static size_t spec_check(const struct bytes *f, const struct recs *want)
{
	ZSTD_DCtx *d = ZSTD_createDCtx();
	uint8_t *frame = malloc(FRAME_CAP);
	size_t off = 0, k = 0, changed = 0;
	bool delta = true;

	ck_assert_ptr_nonnull(d);
	ck_assert_ptr_nonnull(frame);
	while (off < f->len) {
		size_t csize = ZSTD_findFrameCompressedSize(f->p + off,
							    f->len - off);
		ZSTD_inBuffer in = { f->p + off, csize, 0 };
		ZSTD_outBuffer out = { frame, FRAME_CAP, 0 };
		uint64_t pts = 0, pck = 0;
		size_t pos = 0, ret;

		ck_assert(!ZSTD_isError(csize));
		ZSTD_DCtx_reset(d, ZSTD_reset_session_only);
		do {
			ret = ZSTD_decompressStream(d, &out, &in);
			ck_assert(!ZSTD_isError(ret));
		} while (ret != 0 && in.pos < in.size);
		ck_assert_uint_eq(ret, 0);
		while (pos < out.pos) {
			uint8_t *p = frame + pos;
			uint32_t len = get32(p);
			uint16_t type = get16(p + 4);

			ck_assert_uint_lt(k, want->n);
			ck_assert_uint_eq(len, want->r[k].len);
			if (type == SKR_REC_FILE_HEADER) {
				delta = get16(p + 16) >= 2;
				pts = pck = 0;
			} else if (type >= 0x0100 && delta) {
				uint64_t zt = get64(p + 8), zc = get64(p + 16);

				pts += (zt & 1) ? ~(zt >> 1) : zt >> 1;
				pck += (zc & 1) ? ~(zc >> 1) : zc >> 1;
				if (zt != get64(want->r[k].p + 8) ||
				    zc != get64(want->r[k].p + 16))
					changed++;
				put64(p + 8, pts);
				put64(p + 16, pck);
			}
			ck_assert_msg(memcmp(p, want->r[k].p, len) == 0,
				      "stored record %zu does not decode by the spec", k);
			pos += len;
			k++;
		}
		off += csize;
	}
	ck_assert_uint_eq(k, want->n);
	free(frame);
	ZSTD_freeDCtx(d);
	return changed;
}

/* ---------------------------------------------------------------- */
/* Round trips                                                        */
/* ---------------------------------------------------------------- */

/*
 * Random records over small frames, random blocks and segments of both
 * majors: what the reader hands out is what was appended.
 */
START_TEST(test_roundtrip_random)
{
	static const size_t frame_bytes[] = { 200, 700, 4096, 0 };
	struct recs *rs = calloc(1, sizeof(*rs));
	struct skr_reader_status st;
	struct bytes f;
	uint64_t ts = 1000000000ull, cookie = 0x4000;
	unsigned segs = 1;
	size_t i, got, changed;

	ck_assert_ptr_nonnull(rs);
	rnd_state ^= (uint64_t)_i * 0x1234567ull;
	file_header(rs, SKR_VERSION_MAJOR, SKR_VERSION_MINOR);
	for (i = 0; i < 3000; i++) {
		if (rnd() % 400 == 0) {
			/* A new segment, at times inside a frame. */
			uint16_t major = rnd() % 2 ? 2 : 1;

			file_header(rs, major, major == 2 ? 0 : 3);
			segs++;
			continue;
		}
		random_record(rs, &ts, &cookie);
	}
	end_rec(rs);
	write_all(rs, frame_bytes[_i], 6, 50, &f, NULL);
	read_mem_all(&f, f.len, rs, &got, &st);
	ck_assert_uint_eq(got, rs->n);
	/* Only the last segment has an END. */
	ck_assert(st.truncated == (segs > 1));
	ck_assert_uint_eq(st.segments_ended, 1);
	ck_assert_uint_eq(st.segments, segs);
	ck_assert_uint_eq(st.major, 2);
	ck_assert_uint_gt(st.frames, _i < 3 ? 20 : 1);
	changed = spec_check(&f, rs);
	ck_assert_uint_gt(changed, 100);
	free(f.p);
	recs_free(rs);
	free(rs);
}
END_TEST

/*
 * A frame of many blocks cut at every byte: the reader keeps a prefix of
 * the records, decoded from the frame's start as the whole file is.
 */
START_TEST(test_cut_every_byte)
{
	struct recs *rs = calloc(1, sizeof(*rs));
	struct skr_reader_status st;
	struct bytes f;
	uint64_t ts = 5000000000ull, cookie = 1ull << 63;
	size_t i, got, last, prev = 0, before_last = 0, most = 0;

	ck_assert_ptr_nonnull(rs);
	file_header(rs, SKR_VERSION_MAJOR, SKR_VERSION_MINOR);
	for (i = 0; i < 160; i++)
		random_record(rs, &ts, &cookie);
	end_rec(rs);
	/* No flush by chance: the frames end at 2 KiB; blocks every ~3. */
	write_all(rs, 2048, 3, 0, &f, NULL);
	read_mem_all(&f, f.len, rs, &got, &st);
	ck_assert_uint_eq(got, rs->n);
	/* The last frame starts where the one before it ended. */
	for (last = 0, i = 0; i < f.len;) {
		size_t c = ZSTD_findFrameCompressedSize(f.p + i, f.len - i);

		ck_assert(!ZSTD_isError(c));
		last = i;
		i += c;
	}
	ck_assert_uint_gt(last, 0);
	read_mem_all(&f, last, rs, &before_last, &st);
	for (i = last; i < f.len; i++) {
		read_mem_all(&f, i, rs, &got, &st);
		ck_assert_uint_ge(got, prev);
		ck_assert_uint_ge(got, before_last);
		prev = got;
		if (got > most)
			most = got;
	}
	/* Some cuts kept records of the unfinished frame, deltas decoded. */
	ck_assert_uint_gt(most, before_last + 3);
	free(f.p);
	recs_free(rs);
	free(rs);
}
END_TEST

/* Followed from a pipe that the idle callback fills a few bytes at a time. */
struct feed {
	const struct bytes *f;
	int wfd;
	size_t done;
};

static int feed_some(void *ctx)
{
	struct feed *fd = ctx;
	size_t n = 1 + (size_t)(rnd() % 37);

	if (fd->done == fd->f->len) {
		if (fd->wfd >= 0) {
			close(fd->wfd);
			fd->wfd = -1;
		}
		return 0;
	}
	if (n > fd->f->len - fd->done)
		n = fd->f->len - fd->done;
	ck_assert_int_eq(write(fd->wfd, fd->f->p + fd->done, n), (ssize_t)n);
	fd->done += n;
	return 0;
}

/*
 * A followed frame's records come out block by block before it ends: the
 * chain goes on across its blocks and starts over with the next frame.
 */
START_TEST(test_follow_blocks)
{
	struct recs *rs = calloc(1, sizeof(*rs));
	struct skr_follow fo = { 0 };
	struct skr_reader_status st;
	struct skr_reader *r;
	struct bytes f;
	struct feed fd;
	uint64_t ts = 7000000000ull, cookie = 9;
	size_t i, got;
	int p[2];

	ck_assert_ptr_nonnull(rs);
	file_header(rs, SKR_VERSION_MAJOR, SKR_VERSION_MINOR);
	for (i = 0; i < 400; i++)
		random_record(rs, &ts, &cookie);
	end_rec(rs);
	write_all(rs, 3000, 4, 0, &f, NULL);
	ck_assert_int_eq(pipe(p), 0);
	fd.f = &f;
	fd.wfd = p[1];
	fd.done = 0;
	fo.interval_ms = 0;
	fo.idle = feed_some;
	fo.ctx = &fd;
	ck_assert_int_eq(skr_reader_open_fd(&r, p[0], "pipe"), 0);
	ck_assert_int_eq(skr_reader_follow(r, &fo), 0);
	ck_assert_int_eq(read_back(r, rs, &got, &st), 0);
	ck_assert_uint_eq(got, rs->n);
	ck_assert(!st.truncated);
	skr_reader_free(r);
	close(p[0]);
	if (fd.wfd >= 0)
		close(fd.wfd);
	free(f.p);
	recs_free(rs);
	free(rs);
}
END_TEST

/* ---------------------------------------------------------------- */
/* Hand-made files: the format, apart from the writer                 */
/* ---------------------------------------------------------------- */

/* Content of one frame, built record by record. */
static void hm_header(struct bytes *c, uint16_t major, uint16_t minor)
{
	uint8_t b[48] = { 0 };

	put32(b, 48);
	put16(b + 4, SKR_REC_FILE_HEADER);
	memcpy(b + 8, "SKRTRACE", 8);
	put16(b + 16, major);
	put16(b + 18, minor);
	bytes_add(c, b, sizeof(b));
}

/* An event record of len bytes whose stored words 8 and 16 are given. */
static void hm_event(struct bytes *c, uint16_t type, uint32_t len,
		     uint64_t stored_ts, uint64_t stored_cookie)
{
	uint8_t b[128] = { 0 };

	ck_assert_uint_le(len, sizeof(b));
	put32(b, len);
	put16(b + 4, type);
	put64(b + 8, stored_ts);
	put64(b + 16, stored_cookie);
	put32(b + 24, 4026531840u);	/* netns: never transformed */
	bytes_add(c, b, len);
}

static void hm_round(struct bytes *c, uint64_t horizon)
{
	uint8_t b[16] = { 0 };

	put32(b, 16);
	put16(b + 4, SKR_REC_ROUND);
	put64(b + 8, horizon);
	bytes_add(c, b, sizeof(b));
}

static void hm_end(struct bytes *c)
{
	uint8_t b[48] = { 0 };

	put32(b, 48);
	put16(b + 4, SKR_REC_END);
	put64(b + 8, 123456);
	put64(b + 16, 77);
	bytes_add(c, b, sizeof(b));
}

/* Compress content as one checksummed frame onto file. */
static void hm_frame(struct bytes *file, struct bytes *content)
{
	ZSTD_CCtx *cc = ZSTD_createCCtx();
	size_t cap = ZSTD_compressBound(content->len), n;
	uint8_t *dst = malloc(cap);

	ck_assert_ptr_nonnull(cc);
	ck_assert_ptr_nonnull(dst);
	ck_assert(!ZSTD_isError(ZSTD_CCtx_setParameter(cc, ZSTD_c_checksumFlag, 1)));
	n = ZSTD_compress2(cc, dst, cap, content->p, content->len);
	ck_assert(!ZSTD_isError(n));
	bytes_add(file, dst, n);
	free(dst);
	ZSTD_freeCCtx(cc);
	content->len = 0;
}

struct want {
	uint16_t type;
	uint64_t a, b;		/* events: ts_ns, cookie; others: words 8, 16 */
};

static void expect(const struct bytes *file, const struct want *w, size_t n,
		   uint32_t segments)
{
	struct skr_reader_status st;
	struct skr_reader *r;
	struct skr_record rec;
	size_t i;
	int rc;

	ck_assert_int_eq(skr_reader_open_mem(&r, file->p, file->len), 0);
	for (i = 0; (rc = skr_reader_next(r, &rec)) == 1; i++) {
		ck_assert_uint_lt(i, n);
		ck_assert_uint_eq(rec.type, w[i].type);
		if (rec.type == SKR_REC_FILE_HEADER)
			continue;
		ck_assert_msg(get64(rec.data + 8) == w[i].a &&
			      (rec.len < 24 || get64(rec.data + 16) == w[i].b),
			      "record %zu: %016llx %016llx, expected %016llx %016llx",
			      i, (unsigned long long)get64(rec.data + 8),
			      rec.len < 24 ? 0ull :
			      (unsigned long long)get64(rec.data + 16),
			      (unsigned long long)w[i].a,
			      (unsigned long long)w[i].b);
		if (skr_rec_is_event(rec.type)) {
			uint64_t t;

			ck_assert_uint_eq(get32(rec.data + 24), 4026531840u);
			ck_assert_int_eq(skr_event_ts(&rec, &t), 0);
			ck_assert_uint_eq(t, w[i].a);
		}
	}
	ck_assert_msg(rc == 0, "%s", skr_reader_errmsg(r));
	ck_assert_uint_eq(i, n);
	skr_reader_get_status(r, &st);
	ck_assert_uint_eq(st.segments, segments);
	skr_reader_free(r);
}

/*
 * Stored values written out by hand, decoded values written out by hand.
 * zigzag: 0 -> 0, -1 -> 1, 1 -> 2, -2 -> 3, ..., INT64_MAX -> 2^64 - 2,
 * INT64_MIN -> 2^64 - 1.
 */
START_TEST(test_handmade_v2)
{
	static const struct want w[] = {
		{ SKR_REC_FILE_HEADER, 0, 0 },
		/* frame 1 */
		{ SKR_REC_STATE, 1000, 5 },			/* +1000, +5 */
		{ SKR_REC_ROUND, 999, 0 },			/* stored as is */
		{ 0x0777, 999, 3 },				/* -1, -2 */
		{ SKR_REC_STATE4, 0x80000000000003e6ull,	/* +INT64_MAX */
		  0x8000000000000003ull },			/* +INT64_MIN */
		{ SKR_REC_COUNTERS, 0x80000000000003e6ull,	/* +0 */
		  0x8000000000000003ull },			/* +0 */
		{ SKR_REC_STATE, 0x80000000000003e5ull, 2 },	/* -1, wraps to 2 */
		/* frame 2: the chain starts over */
		{ SKR_REC_STATE, 1000, 5 },
		{ SKR_REC_FILE_HEADER, 0, 0 },			/* 2.0 again */
		{ SKR_REC_STATE4, 1000, 5 },			/* starts over */
		{ SKR_REC_STATE4, 0, UINT64_MAX },		/* -1000, -6 */
		{ SKR_REC_FILE_HEADER, 0, 0 },			/* 1.3 */
		{ SKR_REC_STATE, 2000, 10 },			/* absolute */
		{ 0x0777, 1, 3 },				/* absolute */
		{ SKR_REC_END, 123456, 77 },
	};
	struct bytes file = { 0 }, c = { 0 };

	hm_header(&c, 2, 0);
	hm_frame(&file, &c);

	hm_event(&c, SKR_REC_STATE, 96, 2000, 10);
	hm_round(&c, 999);
	hm_event(&c, 0x0777, 40, 1, 3);
	hm_event(&c, SKR_REC_STATE4, 72, 0xfffffffffffffffeull,
		 0xffffffffffffffffull);
	hm_event(&c, SKR_REC_COUNTERS, 72, 0, 0);
	/* -1 for the time; for the cookie 2 - 0x8000000000000003 mod 2^64 =
	 * 0x7fffffffffffffff, zigzag 2^64 - 2. */
	hm_event(&c, SKR_REC_STATE, 96, 1, 0xfffffffffffffffeull);
	hm_frame(&file, &c);

	hm_event(&c, SKR_REC_STATE, 96, 2000, 10);
	hm_header(&c, 2, 0);
	hm_event(&c, SKR_REC_STATE4, 72, 2000, 10);
	hm_event(&c, SKR_REC_STATE4, 72, 1999, 11);
	hm_header(&c, 1, 3);
	hm_event(&c, SKR_REC_STATE, 96, 2000, 10);
	hm_event(&c, 0x0777, 40, 1, 3);
	hm_end(&c);
	hm_frame(&file, &c);

	expect(&file, w, sizeof(w) / sizeof(w[0]), 3);
	free(file.p);
	free(c.p);
}
END_TEST

/*
 * A 1.x file's records come out as stored, whatever they look like, and
 * the writer given a 1.x FILE_HEADER stores records as appended.
 */
START_TEST(test_v1_untouched)
{
	static const struct want w[] = {
		{ SKR_REC_FILE_HEADER, 0, 0 },
		{ SKR_REC_STATE, 2000, 10 },
		{ SKR_REC_STATE4, 1, 3 },
		{ SKR_REC_STATE, 2000, 10 },
		{ SKR_REC_END, 123456, 77 },
	};
	struct recs *rs = calloc(1, sizeof(*rs));
	struct bytes file = { 0 }, c = { 0 };
	struct skr_reader_status st;
	uint8_t *plain;
	uint64_t ts = 1, cookie = 2;
	size_t i, off, got;

	hm_header(&c, 1, 3);
	hm_event(&c, SKR_REC_STATE, 96, 2000, 10);
	hm_event(&c, SKR_REC_STATE4, 72, 1, 3);
	hm_frame(&file, &c);
	hm_event(&c, SKR_REC_STATE, 96, 2000, 10);
	hm_end(&c);
	hm_frame(&file, &c);
	expect(&file, w, sizeof(w) / sizeof(w[0]), 1);
	free(file.p);
	free(c.p);

	ck_assert_ptr_nonnull(rs);
	file_header(rs, 1, 3);
	for (i = 0; i < 500; i++)
		random_record(rs, &ts, &cookie);
	end_rec(rs);
	write_all(rs, 1000, 5, 30, &file, NULL);
	read_mem_all(&file, file.len, rs, &got, &st);
	ck_assert_uint_eq(got, rs->n);
	ck_assert_uint_eq(st.major, 1);
	ck_assert_uint_eq(spec_check(&file, rs), 0);
	/* And byte for byte what `zstd -dc` gives. */
	plain = malloc(1 << 20);
	ck_assert_ptr_nonnull(plain);
	off = ZSTD_decompress(plain, 1 << 20, file.p, file.len);
	ck_assert(!ZSTD_isError(off));
	for (i = 0, got = 0; i < rs->n; i++) {
		ck_assert(memcmp(plain + got, rs->r[i].p, rs->r[i].len) == 0);
		got += rs->r[i].len;
	}
	ck_assert_uint_eq(got, off);
	free(plain);
	free(file.p);
	recs_free(rs);
	free(rs);
}
END_TEST

/* `cat v1.skr v2.skr` and `cat v2.skr v1.skr` read as both files. */
START_TEST(test_concat_v1_v2)
{
	struct recs *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
	struct recs *all = calloc(1, sizeof(*all));
	struct skr_reader_status st;
	struct bytes fa, fb, cat = { 0 };
	uint64_t ts = 1, cookie = 2;
	size_t i, got;
	int first_v1 = _i == 0;

	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert_ptr_nonnull(all);
	file_header(a, first_v1 ? 1 : 2, first_v1 ? 3 : 0);
	for (i = 0; i < 300; i++)
		random_record(a, &ts, &cookie);
	end_rec(a);
	file_header(b, first_v1 ? 2 : 1, first_v1 ? 0 : 3);
	for (i = 0; i < 300; i++)
		random_record(b, &ts, &cookie);
	end_rec(b);
	write_all(a, 900, 5, 0, &fa, NULL);
	write_all(b, 900, 5, 0, &fb, NULL);
	bytes_add(&cat, fa.p, fa.len);
	bytes_add(&cat, fb.p, fb.len);
	/* The records of both, in order, without copies. */
	for (i = 0; i < a->n; i++)
		all->r[all->n++] = a->r[i];
	for (i = 0; i < b->n; i++)
		all->r[all->n++] = b->r[i];
	read_mem_all(&cat, cat.len, all, &got, &st);
	ck_assert_uint_eq(got, all->n);
	ck_assert_uint_eq(st.segments, 2);
	ck_assert_uint_eq(st.segments_ended, 2);
	ck_assert_uint_eq(st.major, first_v1 ? 1 : 2);
	ck_assert(!st.truncated);
	free(fa.p);
	free(fb.p);
	free(cat.p);
	recs_free(a);
	recs_free(b);
	free(a);
	free(b);
	free(all);
}
END_TEST

/*
 * skr_writer_append_run() against skr_writer_append(): the same records,
 * cut into runs of 1 to 100 at random and synced or flushed between runs
 * at the same places, give the same file byte for byte (block and frame
 * ends included), and the caller's bytes are left as they were.
 */
static void write_plan(const struct recs *rs, size_t frame_bytes,
		       const uint8_t *op, bool runs, struct bytes *out)
{
	struct skr_writer_opts o = { .level = 1, .frame_bytes = frame_bytes };
	struct skr_writer *w;
	struct bytes run = { 0 }, copy = { 0 };
	FILE *f = tmpfile();
	size_t i;

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(skr_writer_open(&w, fileno(f), &o), 0);
	for (i = 0; i < rs->n; i++) {
		if (runs)
			bytes_add(&run, rs->r[i].p, rs->r[i].len);
		else
			ck_assert_int_eq(skr_writer_append(w, rs->r[i].p,
							   rs->r[i].len), 0);
		if (op[i] == 0)
			continue;
		if (runs) {
			copy.len = 0;
			bytes_add(&copy, run.p, run.len);
			ck_assert_int_eq(skr_writer_append_run(w, run.p, run.len), 0);
			ck_assert(memcmp(copy.p, run.p, run.len) == 0);
			run.len = 0;
		}
		if (op[i] == 2)
			ck_assert_int_eq(skr_writer_sync(w), 0);
		else if (op[i] == 3)
			ck_assert_int_eq(skr_writer_flush(w), 0);
	}
	ck_assert_uint_eq(run.len, 0);
	close_and_take(w, f, out);
	free(run.p);
	free(copy.p);
}

START_TEST(test_run_as_records)
{
	static const size_t frame_bytes[] = { 200, 700, 4096, 0 };
	struct recs *rs = calloc(1, sizeof(*rs));
	uint64_t ts = 1000000000ull, cookie = 0x4000;
	struct bytes one, many;
	uint8_t *op;
	size_t i, left;

	ck_assert_ptr_nonnull(rs);
	rnd_state ^= (uint64_t)_i * 0x7654321ull;
	file_header(rs, SKR_VERSION_MAJOR, SKR_VERSION_MINOR);
	for (i = 0; i < 4000; i++) {
		if (rnd() % 500 == 0)
			file_header(rs, rnd() % 2 ? 2 : 1, 0);
		else
			random_record(rs, &ts, &cookie);
	}
	end_rec(rs);
	/* 1: a run ends here; 2: and a sync; 3: and a flush.  Last: a run ends. */
	op = calloc(rs->n, 1);
	ck_assert_ptr_nonnull(op);
	for (i = 0, left = 0; i < rs->n; i++) {
		if (left == 0)
			left = 1 + rnd() % 100;
		if (--left == 0 || i + 1 == rs->n)
			op[i] = (uint8_t)(1 + (rnd() % 8 == 0) + (rnd() % 30 == 0));
	}
	write_plan(rs, frame_bytes[_i], op, false, &one);
	write_plan(rs, frame_bytes[_i], op, true, &many);
	ck_assert_uint_gt(one.len, 0);
	ck_assert_uint_eq(one.len, many.len);
	ck_assert_msg(memcmp(one.p, many.p, one.len) == 0,
		      "runs wrote another file (frame bytes %zu)", frame_bytes[_i]);
	free(one.p);
	free(many.p);
	free(op);
	recs_free(rs);
	free(rs);
}
END_TEST

/* A run that is not whole records: those before the bad one are appended. */
START_TEST(test_run_refuses)
{
	struct skr_writer *w;
	uint8_t buf[256], zbuf[1024], out[1024];
	FILE *f = tmpfile();
	ssize_t got;
	size_t n;

	ck_assert_ptr_nonnull(f);
	memset(buf, 0, sizeof(buf));
	/* Three ROUND-sized records, then a bad length (_i picks which). */
	for (int k = 0; k < 3; k++) {
		put32(buf + 16 * k, 16);
		put16(buf + 16 * k + 4, SKR_REC_ROUND);
	}
	ck_assert_int_eq(skr_writer_open(&w, fileno(f), NULL), 0);
	switch (_i) {
	case 0:		/* shorter than a header */
		put32(buf + 48, 4);
		ck_assert_int_eq(skr_writer_append_run(w, buf, 64), -EINVAL);
		break;
	case 1:		/* longer than what is left */
		put32(buf + 48, 24);
		ck_assert_int_eq(skr_writer_append_run(w, buf, 64), -EINVAL);
		break;
	case 2:		/* a few bytes after the last record */
		ck_assert_int_eq(skr_writer_append_run(w, buf, 52), -EINVAL);
		break;
	default:	/* whole: all three */
		ck_assert_int_eq(skr_writer_append_run(w, buf, 48), 0);
		ck_assert_int_eq(skr_writer_append_run(w, buf, 0), 0);
		break;
	}
	ck_assert_int_eq(skr_writer_append_run(NULL, buf, 48), -EINVAL);
	ck_assert_int_eq(skr_writer_close(w), 0);
	/* The file holds the three records and nothing else. */
	ck_assert_int_eq(lseek(fileno(f), 0, SEEK_SET), 0);
	got = read(fileno(f), zbuf, sizeof(zbuf));
	ck_assert_int_gt(got, 0);
	n = ZSTD_decompress(out, sizeof(out), zbuf, (size_t)got);
	ck_assert(!ZSTD_isError(n));
	ck_assert_uint_eq(n, 48);
	ck_assert(memcmp(out, buf, 48) == 0);
	fclose(f);
}
END_TEST

static Suite *delta_suite(void)
{
	Suite *s = suite_create("delta");
	TCase *tc = tcase_create("core");

	/* A thousand cuts read back: seconds under ASan on a loaded host. */
	tcase_set_timeout(tc, 120);

	tcase_add_loop_test(tc, test_roundtrip_random, 0, 4);
	tcase_add_test(tc, test_cut_every_byte);
	tcase_add_test(tc, test_follow_blocks);
	tcase_add_test(tc, test_handmade_v2);
	tcase_add_test(tc, test_v1_untouched);
	tcase_add_loop_test(tc, test_concat_v1_v2, 0, 2);
	tcase_add_loop_test(tc, test_run_as_records, 0, 4);
	tcase_add_loop_test(tc, test_run_refuses, 0, 4);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(delta_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
