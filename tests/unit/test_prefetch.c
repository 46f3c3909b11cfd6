// SPDX-License-Identifier: BSD-2-Clause
/*
 * The decode-ahead reader (skr_reader_prefetch, issues 13 and 18) reads
 * exactly what the single-threaded one reads.  Two readers of the same
 * input, one of each kind, are stepped together: every call returns the
 * same, every record has the same bytes, type, flags, segment and minor,
 * the status is the same after every call, and an error has the same
 * message, errno and number of records before it.  The inputs: every
 * trace under samples/, tests/bad/ and tests/data/, a synthetic
 * multi-frame trace cut at every byte of its last two frames (and every
 * few bytes before), with garbage appended, with a byte flipped, and
 * through pipes.  Run from the repository root (make check-unit).
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <zstd.h>

#include "tracegen.h"

#define FRAMES		8	/* event frames of the synthetic trace */
#define EARLY_STEP	61	/* cut step before its last two frames */

static void status_eq(const struct skr_reader_status *a,
		      const struct skr_reader_status *b, const char *what,
		      uint64_t call)
{
/* Plain tests: Check's asserts write to a pipe even when they pass. */
#define SAME(f) do { \
	if (a->f != b->f) \
		ck_abort_msg("%s: call %llu: status ." #f " %llu without " \
			     "prefetch, %llu with", what, \
			     (unsigned long long)call, \
			     (unsigned long long)a->f, \
			     (unsigned long long)b->f); \
} while (0)
	SAME(major);
	SAME(minor);
	SAME(segments);
	SAME(segments_ended);
	SAME(truncated);
	SAME(frames);
	SAME(bytes_in);
	SAME(bytes_out);
	SAME(records);
	SAME(skipped);
	SAME(partial_frame);
	SAME(partial_records);
	SAME(partial_dropped);
	SAME(cut_first_frame);
	SAME(cut_magic);
#undef SAME
}

/*
 * With span_mode, b hands out what skr_reader_span() offers through the
 * span, one record at a time or every record of it at once (by turns),
 * and only the rest through skr_reader_next(); span_records counts them.
 */
static bool span_mode;
static uint64_t span_records;

static void same_record(const struct skr_record *ra,
			const struct skr_record *rb, const char *what,
			uint64_t n)
{
	if (ra->len != rb->len || ra->type != rb->type ||
	    ra->flags != rb->flags || ra->segment != rb->segment ||
	    ra->minor != rb->minor || memcmp(ra->data, rb->data, ra->len) != 0)
		ck_abort_msg("%s: record %llu differs", what,
			     (unsigned long long)n);
}

static uint32_t span_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/*
 * b's records from its span, each against a's next one; returns how many
 * (the span's first only, or all of them).
 */
static uint64_t take_span(struct skr_reader *a, struct skr_reader *b,
			  const struct skr_span *sp, bool all,
			  const char *what, uint64_t n)
{
	struct skr_record ra, rb;
	size_t pos = 0;
	uint64_t k = 0;

	while (pos < sp->len && (all || k == 0)) {
		if (sp->len - pos < SKR_REC_MIN)
			ck_abort_msg("%s: a span ends inside a header", what);
		rb.data = sp->data + pos;
		rb.len = span_le32(rb.data);
		rb.type = (uint16_t)(rb.data[4] | rb.data[5] << 8);
		rb.flags = (uint16_t)(rb.data[6] | rb.data[7] << 8);
		rb.segment = sp->segment;
		rb.minor = sp->minor;
		if (rb.len < SKR_REC_MIN || rb.len > sp->len - pos)
			ck_abort_msg("%s: a span's record of %u bytes at %zu "
				     "of %zu", what, rb.len, pos, sp->len);
		if (skr_reader_next(a, &ra) != 1)
			ck_abort_msg("%s: a span where a reads no record",
				     what);
		same_record(&ra, &rb, what, n + k + 1);
		pos += rb.len;
		k++;
	}
	skr_reader_span_done(b, pos, k);
	span_records += k;
	return k;
}

/*
 * Step a (single) and b (prefetching) to the end, comparing; frees both.
 * Returns the final rc; *nrec the records before it.
 */
static int lockstep(struct skr_reader *a, struct skr_reader *b,
		    const char *what, uint64_t *nrec)
{
	struct skr_reader_status sa, sb;
	struct skr_record ra, rb;
	uint64_t call = 0, n = 0;
	int rca, rcb;

	if (skr_reader_prefetch(b, true) != 0)
		ck_abort_msg("%s: skr_reader_prefetch refused", what);
	skr_reader_get_status(a, &sa);
	skr_reader_get_status(b, &sb);
	status_eq(&sa, &sb, what, call);
	for (;;) {
		struct skr_span sp;

		call++;
		if (span_mode && skr_reader_span(b, &sp)) {
			n += take_span(a, b, &sp, call % 2 == 0, what, n);
			skr_reader_get_status(a, &sa);
			skr_reader_get_status(b, &sb);
			status_eq(&sa, &sb, what, call);
			continue;
		}
		rca = skr_reader_next(a, &ra);
		rcb = skr_reader_next(b, &rb);
		if (rca != rcb)
			ck_abort_msg("%s: call %llu returned %d without "
				     "prefetch, %d with (%s | %s)", what,
				     (unsigned long long)call, rca, rcb,
				     skr_reader_errmsg(a), skr_reader_errmsg(b));
		skr_reader_get_status(a, &sa);
		skr_reader_get_status(b, &sb);
		status_eq(&sa, &sb, what, call);
		if (rca != 1)
			break;
		n++;
		same_record(&ra, &rb, what, n);
	}
	if (strcmp(skr_reader_errmsg(a), skr_reader_errmsg(b)) != 0)
		ck_abort_msg("%s: message \"%s\" without prefetch, \"%s\" with",
			     what, skr_reader_errmsg(a), skr_reader_errmsg(b));
	/* Errors, and the end, are sticky in both. */
	if (skr_reader_next(a, &ra) != rca || skr_reader_next(b, &rb) != rca)
		ck_abort_msg("%s: a second look returned another value", what);
	skr_reader_free(a);
	skr_reader_free(b);
	if (nrec)
		*nrec = n;
	return rca;
}

static int compare_mem(const uint8_t *buf, size_t len, const char *what,
		       uint64_t *nrec)
{
	struct skr_reader *a, *b;

	if (skr_reader_open_mem(&a, buf, len) || skr_reader_open_mem(&b, buf, len))
		ck_abort_msg("%s: cannot open", what);
	return lockstep(a, b, what, nrec);
}

static size_t compare_dir(const char *dir, const char *suffix)
{
	char path[512], sub[512];
	struct skr_reader *a, *b;
	struct dirent *de;
	size_t n = 0;
	DIR *d;
	int k;

	d = opendir(dir);
	ck_assert_msg(d != NULL, "%s: not found (run from the repository root)",
		      dir);
	while ((de = readdir(d)) != NULL) {
		size_t l = strlen(de->d_name);

		if (de->d_name[0] == '.')
			continue;
		if (suffix) {
			if (l < strlen(suffix) ||
			    strcmp(de->d_name + l - strlen(suffix), suffix) != 0)
				continue;
			k = snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		} else {
			/* samples/NAME/trace.skr */
			k = snprintf(sub, sizeof(sub), "%s/%s/trace.skr", dir,
				     de->d_name);
			ck_assert(k > 0 && (size_t)k < sizeof(sub));
			if (access(sub, R_OK) != 0)
				continue;
			k = snprintf(path, sizeof(path), "%s", sub);
		}
		ck_assert(k > 0 && (size_t)k < sizeof(path));
		ck_assert_int_eq(skr_reader_open(&a, path), 0);
		ck_assert_int_eq(skr_reader_open(&b, path), 0);
		(void)lockstep(a, b, path, NULL);
		n++;
	}
	closedir(d);
	return n;
}

START_TEST(test_files)
{
	/* At least the 8 samples, 22 refused files and one of tests/data. */
	ck_assert_uint_ge(compare_dir("samples", NULL), 8);
	ck_assert_uint_ge(compare_dir("tests/bad", ".skr"), 22);
	ck_assert_uint_ge(compare_dir("tests/data", ".skr"), 1);
}
END_TEST

/* A header frame, FRAMES frames of events of varied sizes, END's frame. */
static uint8_t *multi_frame(size_t *len)
{
	struct tg t;
	uint64_t ts = 1000000000ull, cookie = 1;
	int f, i;

	tg_begin(&t);
	tg_header(&t, 0, 0x11, SKR_VERSION_MINOR, 1700000000000000000ull);
	tg_clock(&t, ts, 1700000000000000000ull, 100);
	ck_assert_int_eq(skr_writer_flush(t.w), 0);
	for (f = 0; f < FRAMES; f++) {
		for (i = 0; i < 40 + f * 25; i++) {
			ts += 1000;
			tg_st(&t, ts, cookie, SKR_CTX_PROCESS, 20, "client",
			      SKR_TCP_CLOSE, SKR_TCP_SYN_SENT, "127.0.0.1",
			      (uint16_t)(40000 + cookie), "127.0.0.1", 8080);
			cookie++;
			if (i % 16 == 15)
				ck_assert_int_eq(skr_writer_sync(t.w), 0);
		}
		tg_round(&t, ts);
		ck_assert_int_eq(skr_writer_flush(t.w), 0);
	}
	tg_end(&t, ts, 0, cookie);
	return tg_bytes(&t, len);
}

/* Where frame i starts; *n the number of frames. */
static void frame_starts(const uint8_t *buf, size_t len, size_t *start,
			 size_t max, size_t *n)
{
	size_t off = 0, fl;

	*n = 0;
	while (off < len) {
		ck_assert_uint_lt(*n, max);
		start[(*n)++] = off;
		fl = ZSTD_findFrameCompressedSize(buf + off, len - off);
		ck_assert(!ZSTD_isError(fl));
		off += fl;
	}
}

START_TEST(test_cut_everywhere)
{
	size_t len, cut, n, start[FRAMES + 4];
	uint64_t nrec, whole;
	char what[64];
	uint8_t *buf;

	buf = multi_frame(&len);
	frame_starts(buf, len, start, FRAMES + 4, &n);
	ck_assert_uint_eq(n, FRAMES + 2);
	ck_assert_int_eq(compare_mem(buf, len, "whole", &whole), 0);
	ck_assert_uint_gt(whole, 1000);
	for (cut = 0; cut < len; cut += cut < start[n - 2] ? EARLY_STEP : 1) {
		snprintf(what, sizeof(what), "cut at %zu of %zu", cut, len);
		if (compare_mem(buf, cut, what, &nrec) != 0 || nrec > whole)
			ck_abort_msg("%s: an error, or %llu records", what,
				     (unsigned long long)nrec);
	}
	free(buf);
}
END_TEST

/*
 * skr_reader_span() and skr_reader_span_done() hand out the records, and
 * move the status, as skr_reader_next() does (analyze/replay.c holds
 * events from spans): the samples, the refused files, the synthetic trace
 * whole and cut in its last frames.
 */
START_TEST(test_span)
{
	size_t len, cut, n, start[FRAMES + 4];
	uint64_t whole, nrec;
	char what[64];
	uint8_t *buf;

	span_mode = true;
	span_records = 0;
	buf = multi_frame(&len);
	frame_starts(buf, len, start, FRAMES + 4, &n);
	ck_assert_int_eq(compare_mem(buf, len, "span, whole", &whole), 0);
	/* Most of the trace's records came through spans. */
	ck_assert_uint_gt(span_records, whole / 2);
	for (cut = start[n - 3]; cut < len; cut += 7) {
		snprintf(what, sizeof(what), "span, cut at %zu of %zu", cut,
			 len);
		if (compare_mem(buf, cut, what, &nrec) != 0 || nrec > whole)
			ck_abort_msg("%s: an error, or %llu records", what,
				     (unsigned long long)nrec);
	}
	ck_assert_uint_ge(compare_dir("samples", NULL), 8);
	ck_assert_uint_ge(compare_dir("tests/bad", ".skr"), 22);
	free(buf);
	span_mode = false;
}
END_TEST

START_TEST(test_garbage_and_damage)
{
	static const uint8_t tails[][8] = {
		{ 0x28, 0xb5 },				/* a magic, cut */
		{ 0x50, 0x2a, 0x4d, 0x18, 0x10 },	/* skippable, cut */
		{ 'g', 'a', 'r', 'b', 'a', 'g', 'e', '!' },
		{ 0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x00, 0x00, 0x00 },
	};
	static const size_t tail_len[] = { 2, 5, 8, 8 };
	size_t len, i, n, start[FRAMES + 4];
	uint64_t whole, nrec;
	char what[64];
	uint8_t *buf, *big;
	int rc;

	buf = multi_frame(&len);
	frame_starts(buf, len, start, FRAMES + 4, &n);
	ck_assert_int_eq(compare_mem(buf, len, "whole", &whole), 0);
	big = malloc(len + 8);
	ck_assert_ptr_nonnull(big);
	for (i = 0; i < sizeof(tails) / sizeof(tails[0]); i++) {
		memcpy(big, buf, len);
		memcpy(big + len, tails[i], tail_len[i]);
		snprintf(what, sizeof(what), "tail %zu", i);
		(void)compare_mem(big, len + tail_len[i], what, &nrec);
		ck_assert_uint_eq(nrec, whole);
	}
	/* A byte changed in each frame: an error after the frames before. */
	for (i = 0; i < n; i++) {
		memcpy(big, buf, len);
		big[(start[i] + (i + 1 < n ? start[i + 1] : len)) / 2] ^= 0x40;
		snprintf(what, sizeof(what), "frame %zu damaged", i);
		rc = compare_mem(big, len, what, &nrec);
		ck_assert_int_lt(rc, 0);
		ck_assert_uint_lt(nrec, whole);
	}
	free(big);
	free(buf);
}
END_TEST

/*
 * Frame i of buf (start[] from frame_starts()) with one record in it
 * damaged by damage(), compressed again as a whole frame with its
 * checksum: the zstd layer reads it, and only the record checks can find
 * what is wrong.  Returns the new input (*olen), or NULL when damage()
 * found no record to change.
 */
static uint8_t *redo_frame(const uint8_t *buf, size_t len, const size_t *start,
			   size_t n, size_t i,
			   bool (*damage)(uint8_t *, size_t), size_t *olen)
{
	size_t end = i + 1 < n ? start[i + 1] : len, plen, clen, bound;
	uint8_t *plain, *out;
	ZSTD_CCtx *cc;

	plain = malloc(SKR_FRAME_MAX);
	ck_assert_ptr_nonnull(plain);
	plen = ZSTD_decompress(plain, SKR_FRAME_MAX, buf + start[i],
			       end - start[i]);
	ck_assert(!ZSTD_isError(plen));
	if (!damage(plain, plen)) {
		free(plain);
		return NULL;
	}
	bound = ZSTD_compressBound(plen);
	out = malloc(len + bound);
	ck_assert_ptr_nonnull(out);
	memcpy(out, buf, start[i]);
	cc = ZSTD_createCCtx();
	ck_assert_ptr_nonnull(cc);
	ck_assert(!ZSTD_isError(ZSTD_CCtx_setParameter(cc,
					ZSTD_c_checksumFlag, 1)));
	clen = ZSTD_compress2(cc, out + start[i], bound, plain, plen);
	ck_assert(!ZSTD_isError(clen));
	ZSTD_freeCCtx(cc);
	memcpy(out + start[i] + clen, buf + end, len - end);
	*olen = start[i] + clen + len - end;
	free(plain);
	return out;
}

/* The offset of the record k records before the frame's end, or SIZE_MAX. */
static size_t record_from_end(const uint8_t *p, size_t plen, size_t k)
{
	size_t off = 0, nrec = 0, at, i;
	uint32_t l;

	while (off + SKR_REC_MIN <= plen) {
		memcpy(&l, p + off, sizeof(l));
		ck_assert_uint_ge(l, SKR_REC_MIN);
		off += l;
		nrec++;
	}
	if (nrec <= k)
		return SIZE_MAX;
	for (off = 0, i = 0, at = nrec - 1 - k; i < at; i++) {
		memcpy(&l, p + off, sizeof(l));
		off += l;
	}
	return off;
}

static void put_len(uint8_t *p, uint32_t l)
{
	memcpy(p, &l, sizeof(l));
}

static void put_type(uint8_t *p, uint16_t t)
{
	memcpy(p + 4, &t, sizeof(t));
}

/* Half way through the frame: length 3. */
static bool bad_range(uint8_t *p, size_t plen)
{
	size_t at = record_from_end(p, plen, 20);

	if (at == SIZE_MAX)
		return false;
	put_len(p + at, 3);
	return true;
}

/* The last record: 8 bytes longer than what is left. */
static bool bad_past_end(uint8_t *p, size_t plen)
{
	size_t at = record_from_end(p, plen, 0);

	if (at == SIZE_MAX)
		return false;
	put_len(p + at, (uint32_t)(plen - at + 8));
	return true;
}

/* A STATE record claiming only a header's length (the rest follows). */
static bool bad_short(uint8_t *p, size_t plen)
{
	size_t at = record_from_end(p, plen, 20);
	uint16_t t;

	if (at == SIZE_MAX)
		return false;
	memcpy(&t, p + at + 4, sizeof(t));
	ck_assert_uint_eq(t, SKR_REC_STATE);
	put_len(p + at, SKR_REC_MIN);
	return true;
}

/* An END in the middle of the frame: the record after it is refused. */
static bool bad_after_end(uint8_t *p, size_t plen)
{
	size_t at = record_from_end(p, plen, 20);

	if (at == SIZE_MAX)
		return false;
	put_type(p + at, SKR_REC_END);
	return true;
}

/*
 * The checks a decode-ahead worker runs over a whole frame before handing
 * it over: a record that fails one, inside a frame zstd reads without
 * complaint, is refused by both readers at the same record with the same
 * message, in whichever frame it is.
 */
START_TEST(test_bad_record_in_frame)
{
	static const struct {
		bool (*damage)(uint8_t *, size_t);
		const char *says;
	} kinds[] = {
		{ bad_range, "out of range" },
		{ bad_past_end, "runs past the end of the frame" },
		{ bad_short, "shorter than" },
		{ bad_after_end, "follows the END of segment" },
	};
	size_t len, olen, i, k, n, start[FRAMES + 4], tried = 0;
	struct skr_reader *a;
	struct skr_record rec;
	uint64_t whole, nrec, before;
	char what[96];
	uint8_t *buf, *bad;
	int rc;

	buf = multi_frame(&len);
	frame_starts(buf, len, start, FRAMES + 4, &n);
	ck_assert_int_eq(compare_mem(buf, len, "whole", &whole), 0);
	for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		/* The event frames: the first holds FILE_HEADER too. */
		for (i = 0; i + 1 < n; i++) {
			bad = redo_frame(buf, len, start, n, i, kinds[k].damage,
					 &olen);
			if (!bad)
				continue;
			snprintf(what, sizeof(what), "frame %zu: %s", i,
				 kinds[k].says);
			rc = compare_mem(bad, olen, what, &nrec);
			ck_assert_msg(rc == -EINVAL, "%s: returned %d", what, rc);
			ck_assert_msg(nrec < whole, "%s: %llu records", what,
				      (unsigned long long)nrec);
			/* What it says, and that it says it at this frame. */
			ck_assert_int_eq(skr_reader_open_mem(&a, bad, olen), 0);
			for (before = 0; skr_reader_next(a, &rec) == 1; before++)
				;
			ck_assert_uint_eq(before, nrec);
			ck_assert_msg(strstr(skr_reader_errmsg(a), kinds[k].says),
				      "%s: \"%s\"", what, skr_reader_errmsg(a));
			snprintf(what, sizeof(what), "frame %zu ", i);
			ck_assert_msg(strstr(skr_reader_errmsg(a), what),
				      "%s: \"%s\"", what, skr_reader_errmsg(a));
			skr_reader_free(a);
			free(bad);
			tried++;
		}
	}
	ck_assert_uint_ge(tried, 4 * FRAMES);
	free(buf);
}
END_TEST

/* A child writes buf into a pipe in pieces; returns the read end. */
static int pipe_from(const uint8_t *buf, size_t len, pid_t *pid)
{
	int p[2];

	ck_assert_int_eq(pipe(p), 0);
	*pid = fork();
	ck_assert_int_ge(*pid, 0);
	if (*pid == 0) {
		size_t off = 0;

		close(p[0]);
		while (off < len) {
			size_t k = len - off < 777 ? len - off : 777;
			ssize_t w = write(p[1], buf + off, k);

			if (w <= 0)
				_exit(1);
			off += (size_t)w;
		}
		_exit(0);
	}
	close(p[1]);
	return p[0];
}

START_TEST(test_pipe)
{
	struct skr_reader *a, *b;
	int fa, fb, status;
	uint64_t nrec, whole;
	pid_t pa, pb;
	uint8_t *buf;
	size_t len;

	buf = multi_frame(&len);
	ck_assert_int_eq(compare_mem(buf, len, "whole", &whole), 0);
	/* Cut inside the last frame but one: partial, then the end. */
	len -= 300;
	fa = pipe_from(buf, len, &pa);
	fb = pipe_from(buf, len, &pb);
	ck_assert_int_eq(skr_reader_open_fd(&a, fa, "pipe"), 0);
	ck_assert_int_eq(skr_reader_open_fd(&b, fb, "pipe"), 0);
	ck_assert_int_eq(lockstep(a, b, "pipe", &nrec), 0);
	ck_assert_uint_gt(nrec, 0);
	ck_assert_uint_lt(nrec, whole);
	ck_assert_int_eq(waitpid(pa, &status, 0), pa);
	ck_assert_int_eq(waitpid(pb, &status, 0), pb);
	close(fa);
	close(fb);
	free(buf);
}
END_TEST

/*
 * Freed mid-input while the pipe's writer is still there and silent: the
 * worker waiting for bytes must stop, not wait for the writer.
 */
START_TEST(test_free_waiting_on_pipe)
{
	struct skr_reader *r;
	struct skr_record rec;
	uint8_t *buf;
	size_t len, n, half, start[FRAMES + 4];
	int p[2];

	buf = multi_frame(&len);
	frame_starts(buf, len, start, FRAMES + 4, &n);
	ck_assert_int_eq(pipe(p), 0);
	/*
	 * The header frame and half the next (less than a pipe holds): the
	 * worker is left reading the rest of it.
	 */
	half = start[1] + (start[2] - start[1]) / 2;
	ck_assert_uint_lt(half, 16384);
	ck_assert_int_eq(write(p[1], buf, half), (ssize_t)half);
	ck_assert_int_eq(skr_reader_open_fd(&r, p[0], "pipe"), 0);
	ck_assert_int_eq(skr_reader_prefetch(r, true), 0);
	ck_assert_int_eq(skr_reader_next(r, &rec), 1);
	ck_assert_uint_eq(rec.type, SKR_REC_FILE_HEADER);
	skr_reader_free(r);	/* the write end is still open */
	close(p[0]);
	close(p[1]);
	free(buf);
}
END_TEST

/* Freed after any number of records: no thread or buffer left (ASan). */
START_TEST(test_free_anywhere)
{
	struct skr_reader *r;
	struct skr_record rec;
	uint64_t k, i, whole;
	uint8_t *buf;
	size_t len;

	buf = multi_frame(&len);
	ck_assert_int_eq(compare_mem(buf, len, "whole", &whole), 0);
	for (k = 0; k <= whole + 1; k += 1 + k / 3) {
		ck_assert_int_eq(skr_reader_open_mem(&r, buf, len), 0);
		ck_assert_int_eq(skr_reader_prefetch(r, true), 0);
		for (i = 0; i < k; i++)
			if (skr_reader_next(r, &rec) != 1)
				break;
		skr_reader_free(r);
	}
	free(buf);
}
END_TEST

static int never(void *ctx)
{
	(void)ctx;
	return 1;
}

START_TEST(test_api)
{
	struct skr_follow fo = { .idle = never };
	struct skr_reader *r;
	struct skr_record rec;
	int p[2];

	ck_assert_int_eq(skr_reader_prefetch(NULL, true), -EINVAL);
	ck_assert_int_eq(pipe(p), 0);
	/* Following is one thread: each refuses the other. */
	ck_assert_int_eq(skr_reader_open_fd(&r, p[0], "pipe"), 0);
	ck_assert_int_eq(skr_reader_follow(r, &fo), 0);
	ck_assert_int_eq(skr_reader_prefetch(r, true), -EINVAL);
	skr_reader_free(r);
	ck_assert_int_eq(skr_reader_open_fd(&r, p[0], "pipe"), 0);
	ck_assert_int_eq(skr_reader_prefetch(r, true), 0);
	ck_assert_int_eq(skr_reader_follow(r, &fo), -EINVAL);
	/* Off again before reading: the single thread. */
	ck_assert_int_eq(skr_reader_prefetch(r, false), 0);
	ck_assert_int_eq(skr_reader_follow(r, &fo), 0);
	skr_reader_free(r);
	/* Not once reading began. */
	close(p[1]);
	ck_assert_int_eq(skr_reader_open_fd(&r, p[0], "pipe"), 0);
	ck_assert_int_eq(skr_reader_next(r, &rec), 0);
	ck_assert_int_eq(skr_reader_prefetch(r, true), -EINVAL);
	skr_reader_free(r);
	close(p[0]);
}
END_TEST

static Suite *prefetch_suite(void)
{
	Suite *s = suite_create("prefetch");
	TCase *tc = tcase_create("core");
	TCase *hang = tcase_create("hang");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_files);
	tcase_add_test(tc, test_cut_everywhere);
	tcase_add_test(tc, test_span);
	tcase_add_test(tc, test_garbage_and_damage);
	tcase_add_test(tc, test_bad_record_in_frame);
	tcase_add_test(tc, test_pipe);
	tcase_add_test(tc, test_free_anywhere);
	tcase_add_test(tc, test_api);
	suite_add_tcase(s, tc);
	/* Before the worker looked at its quit flag, free() waited forever. */
	tcase_set_timeout(hang, 20);
	tcase_add_test(hang, test_free_waiting_on_pipe);
	suite_add_tcase(s, hang);
	return s;
}

int main(void)
{
	return tg_main(prefetch_suite());
}
