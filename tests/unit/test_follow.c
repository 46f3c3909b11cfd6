// SPDX-License-Identifier: BSD-2-Clause
/*
 * Following a trace that is still being written (skr_reader_follow, issue
 * 15): a file or pipe that grows by whole blocks, by single bytes, or
 * stops growing.  The reader's idle callback is what appends the next
 * piece, so each test knows exactly how much of the trace was there when
 * a record came out, without threads or timing.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tracegen.h"

#define SEC		1000000000ull
#define NEV		40
#define T0		(5 * SEC)

/* A trace written block by block, and where each block ends. */
struct growing {
	uint8_t *bytes;
	size_t len;
	size_t ends[NEV + 2];	/* [0]: the metadata; [1 + i]: event i */
	size_t nends;
};

/* Metadata, then NEV state changes each ended as a block, then END. */
static void make_growing(struct growing *g)
{
	struct tg t;
	unsigned i;

	memset(g, 0, sizeof(*g));
	tg_begin(&t);
	tg_header(&t, 0, 0x21, SKR_VERSION_MINOR, 1);
	tg_clock(&t, 1 * SEC, 1795341600ull * SEC, 1000);
	ck_assert_int_eq(skr_writer_sync(t.w), 0);
	g->ends[g->nends++] = (size_t)skr_writer_bytes_out(t.w);
	for (i = 0; i < NEV; i++) {
		tg_st(&t, T0 + i * 1000, 100 + i, SKR_CTX_PROCESS, 7, "cli",
		      SKR_TCP_CLOSE, SKR_TCP_SYN_SENT, "127.0.0.1", 0,
		      "127.0.0.1", 80);
		/* One block per event, all in the one frame still open. */
		ck_assert_int_eq(skr_writer_sync(t.w), 0);
		g->ends[g->nends++] = (size_t)skr_writer_bytes_out(t.w);
	}
	tg_end(&t, T0 + SEC, 0, NEV);
	g->bytes = tg_bytes(&t, &g->len);
	ck_assert_uint_gt(g->len, g->ends[g->nends - 1]);
}

/* The file being followed, and how the idle callback grows it. */
struct feeder {
	const struct growing *g;
	int wfd;		/* where the bytes go: the file, or a pipe */
	size_t done;		/* bytes written so far */
	size_t step;		/* 0: up to the next block end; else bytes */
	size_t stop_after;	/* idle returns 1 once this much is written */
	unsigned idles;
	bool closed;
};

static int feed(void *ctx)
{
	struct feeder *f = ctx;
	size_t next = f->g->len, i;

	f->idles++;
	if (f->stop_after && f->done >= f->stop_after)
		return 1;
	if (f->done == f->g->len) {
		/* A pipe's writer goes away; a file just stays as it is. */
		if (f->wfd >= 0 && !f->closed && f->stop_after == 0) {
			close(f->wfd);
			f->closed = true;
		}
		return 0;
	}
	if (f->step) {
		next = f->done + f->step;
		if (next > f->g->len)
			next = f->g->len;
	} else {
		for (i = 0; i < f->g->nends; i++)
			if (f->g->ends[i] > f->done) {
				next = f->g->ends[i];
				break;
			}
	}
	ck_assert_int_eq(write(f->wfd, f->g->bytes + f->done, next - f->done),
			 (ssize_t)(next - f->done));
	f->done = next;
	return 0;
}

/* An empty unlinked file, opened twice: to append and to read. */
static void empty_file(int *wfd, int *rfd)
{
	char path[] = "/tmp/follow.XXXXXX";

	*wfd = mkstemp(path);
	ck_assert_int_ge(*wfd, 0);
	*rfd = open(path, O_RDONLY);
	ck_assert_int_ge(*rfd, 0);
	unlink(path);
}

/* Index of event record rec in the trace (its cookie less 100). */
static unsigned event_index(const struct skr_record *rec)
{
	struct skr_ev_state ev;

	ck_assert_int_eq(skr_decode_state(rec, &ev), 0);
	return (unsigned)(ev.c.cookie - 100);
}

/*
 * Whole blocks appended one at a time: each event comes out as soon as
 * its block is in, before the frame it belongs to has ended and before
 * the next block is there; END stops the reader at once.
 */
START_TEST(test_follow_blocks)
{
	struct skr_reader_status st;
	struct skr_follow fo = { 0 };
	struct skr_reader *r = NULL;
	struct skr_record rec;
	struct growing g;
	struct feeder f = { 0 };
	unsigned seen = 0;
	int rfd, rc;

	make_growing(&g);
	f.g = &g;
	empty_file(&f.wfd, &rfd);
	ck_assert_int_eq(skr_reader_open_fd(&r, rfd, "growing.skr"), 0);
	fo.idle = feed;
	fo.ctx = &f;
	fo.stop_at_end = true;
	ck_assert_int_eq(skr_reader_follow(r, &fo), 0);
	while ((rc = skr_reader_next(r, &rec)) == 1) {
		if (rec.type != SKR_REC_STATE4 && rec.type != SKR_REC_STATE)
			continue;
		ck_assert_uint_eq(event_index(&rec), seen);
		/* Its block, and not the next one, was all there was. */
		ck_assert_uint_eq(f.done, g.ends[1 + seen]);
		seen++;
	}
	ck_assert_int_eq(rc, 0);
	ck_assert_uint_eq(seen, NEV);
	ck_assert_uint_eq(f.done, g.len);
	skr_reader_get_status(r, &st);
	ck_assert(!st.truncated);
	ck_assert_uint_eq(st.segments_ended, 1);
	/* Once per block, once for the last frame: no idle after END. */
	ck_assert_uint_eq(f.idles, g.nends + 1);
	skr_reader_free(r);
	close(rfd);
	close(f.wfd);
	free(g.bytes);
}
END_TEST

/* The files that go on after the one followed (skr_follow.next). */
struct series {
	const struct growing *g;
	unsigned files;		/* how many more to hand over */
	unsigned calls;
	size_t read_at_call[4];	/* events read when next was called */
	const unsigned *seen;
};

static int next_file(void *ctx, int *fd)
{
	struct series *s = ctx;
	int wfd;

	ck_assert_uint_lt(s->calls, 4);
	s->read_at_call[s->calls++] = *s->seen;
	if (s->files == 0)
		return 0;
	s->files--;
	empty_file(&wfd, fd);
	ck_assert_int_eq(write(wfd, s->g->bytes, s->g->len),
			 (ssize_t)s->g->len);
	close(wfd);
	return 1;
}

/*
 * A rotated capture: at the END of the file followed, next hands over
 * the next file, read on as a concatenation; at the END of the last one,
 * next says there is none and the input ends.  next is asked only once
 * every record of the file before was read.
 */
START_TEST(test_follow_next)
{
	struct skr_reader_status st;
	struct skr_follow fo = { 0 };
	struct skr_reader *r = NULL;
	struct skr_record rec;
	struct growing g;
	struct series s = { 0 };
	unsigned seen = 0;
	int wfd, rfd, rc;

	make_growing(&g);
	empty_file(&wfd, &rfd);
	ck_assert_int_eq(write(wfd, g.bytes, g.len), (ssize_t)g.len);
	close(wfd);
	s.g = &g;
	s.files = 2;
	s.seen = &seen;
	ck_assert_int_eq(skr_reader_open_fd(&r, rfd, "rot.skr.0"), 0);
	fo.next = next_file;
	fo.ctx = &s;
	fo.stop_at_end = true;
	ck_assert_int_eq(skr_reader_follow(r, &fo), 0);
	while ((rc = skr_reader_next(r, &rec)) == 1) {
		if (rec.type != SKR_REC_STATE4 && rec.type != SKR_REC_STATE)
			continue;
		ck_assert_uint_eq(event_index(&rec), seen % NEV);
		seen++;
	}
	ck_assert_int_eq(rc, 0);
	ck_assert_uint_eq(seen, 3 * NEV);
	ck_assert_uint_eq(s.calls, 3);
	ck_assert_uint_eq(s.read_at_call[0], NEV);
	ck_assert_uint_eq(s.read_at_call[1], 2 * NEV);
	ck_assert_uint_eq(s.read_at_call[2], 3 * NEV);
	skr_reader_get_status(r, &st);
	ck_assert(!st.truncated);
	ck_assert_uint_eq(st.segments, 3);
	ck_assert_uint_eq(st.segments_ended, 3);
	skr_reader_free(r);
	close(rfd);
	free(g.bytes);
}
END_TEST

/*
 * One byte at a time: no record comes out before its block is complete
 * (a record cut by the end of what was written is waited for, not
 * dropped nor an error), and every one comes out before the next block
 * is complete.
 */
START_TEST(test_follow_bytes)
{
	struct skr_follow fo = { 0 };
	struct skr_reader *r = NULL;
	struct skr_record rec;
	struct growing g;
	struct feeder f = { 0 };
	unsigned seen = 0, records = 0;
	int rfd, rc;

	make_growing(&g);
	f.g = &g;
	f.step = 1;
	empty_file(&f.wfd, &rfd);
	ck_assert_int_eq(skr_reader_open_fd(&r, rfd, "bytes.skr"), 0);
	fo.idle = feed;
	fo.ctx = &f;
	fo.stop_at_end = true;
	ck_assert_int_eq(skr_reader_follow(r, &fo), 0);
	while ((rc = skr_reader_next(r, &rec)) == 1) {
		records++;
		if (rec.type != SKR_REC_STATE4 && rec.type != SKR_REC_STATE)
			continue;
		ck_assert_uint_eq(event_index(&rec), seen);
		ck_assert_uint_ge(f.done, g.ends[1 + seen]);
		if (2 + seen < g.nends)
			ck_assert_uint_lt(f.done, g.ends[2 + seen]);
		seen++;
	}
	ck_assert_msg(rc == 0, "%s", skr_reader_errmsg(r));
	ck_assert_uint_eq(seen, NEV);
	/* FILE_HEADER, CLOCK, the events, END */
	ck_assert_uint_eq(records, NEV + 3);
	skr_reader_free(r);
	close(rfd);
	close(f.wfd);
	free(g.bytes);
}
END_TEST

/*
 * The caller stops following half way (Ctrl-C): what came so far is read,
 * then the end, and the status says the trace is cut inside a frame.
 */
START_TEST(test_follow_stop)
{
	struct skr_reader_status st;
	struct skr_follow fo = { 0 };
	struct skr_reader *r = NULL;
	struct skr_record rec;
	struct growing g;
	struct feeder f = { 0 };
	unsigned seen = 0;
	int rfd, rc;

	make_growing(&g);
	f.g = &g;
	f.stop_after = g.ends[NEV / 2];
	empty_file(&f.wfd, &rfd);
	ck_assert_int_eq(skr_reader_open_fd(&r, rfd, "stopped.skr"), 0);
	fo.idle = feed;
	fo.ctx = &f;
	fo.stop_at_end = true;
	ck_assert_int_eq(skr_reader_follow(r, &fo), 0);
	while ((rc = skr_reader_next(r, &rec)) == 1)
		if (rec.type == SKR_REC_STATE4 || rec.type == SKR_REC_STATE)
			seen++;
	ck_assert_int_eq(rc, 0);
	ck_assert_uint_eq(seen, NEV / 2);
	skr_reader_get_status(r, &st);
	ck_assert(st.truncated);
	ck_assert(st.partial_frame);
	ck_assert_uint_eq(st.partial_records, 2 + NEV / 2);
	skr_reader_free(r);
	close(rfd);
	close(f.wfd);
	free(g.bytes);
}
END_TEST

/*
 * A pipe: blocks come out as they arrive, and the pipe's end, not END,
 * ends it (a pipe may carry a concatenation of traces).
 */
START_TEST(test_follow_pipe)
{
	struct skr_reader_status st;
	struct skr_follow fo = { 0 };
	struct skr_reader *r = NULL;
	struct skr_record rec;
	struct growing g;
	struct feeder f = { 0 };
	unsigned seen = 0;
	int p[2], rc;

	make_growing(&g);
	f.g = &g;
	ck_assert_int_eq(pipe(p), 0);
	f.wfd = p[1];
	ck_assert_int_eq(skr_reader_open_fd(&r, p[0], "(pipe)"), 0);
	fo.idle = feed;
	fo.ctx = &f;
	fo.stop_at_end = false;
	ck_assert_int_eq(skr_reader_follow(r, &fo), 0);
	while ((rc = skr_reader_next(r, &rec)) == 1) {
		if (rec.type != SKR_REC_STATE4 && rec.type != SKR_REC_STATE)
			continue;
		ck_assert_uint_eq(f.done, g.ends[1 + seen]);
		seen++;
	}
	ck_assert_int_eq(rc, 0);
	ck_assert_uint_eq(seen, NEV);
	ck_assert(f.closed);
	skr_reader_get_status(r, &st);
	ck_assert(!st.truncated);
	skr_reader_free(r);
	close(p[0]);
	free(g.bytes);
}
END_TEST

START_TEST(test_follow_refused)
{
	struct skr_follow fo = { 0 };
	struct skr_reader *r = NULL;
	static const uint8_t none[1];

	ck_assert_int_eq(skr_reader_open_mem(&r, none, 0), 0);
	ck_assert_int_eq(skr_reader_follow(r, &fo), -EINVAL);
	skr_reader_free(r);
}
END_TEST

static Suite *follow_suite(void)
{
	Suite *s = suite_create("follow");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_follow_blocks);
	tcase_add_test(tc, test_follow_next);
	tcase_add_test(tc, test_follow_bytes);
	tcase_add_test(tc, test_follow_stop);
	tcase_add_test(tc, test_follow_pipe);
	tcase_add_test(tc, test_follow_refused);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tg_main(follow_suite());
}
