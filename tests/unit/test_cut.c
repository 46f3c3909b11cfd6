// SPDX-License-Identifier: BSD-2-Clause
/*
 * A trace cut anywhere (issue 14): every sample trace, recorded by the
 * writer of before the block layout, and synthetic traces written by
 * today's writer, cut at every byte offset (every 7th for the longer
 * samples), read as a prefix of the whole, never lose a complete block,
 * name their host once the header frame is in, and say "truncated"
 * (tests/unit/cutcheck.h).  Run from the repository root (make check-unit).
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cutcheck.h"
#include "tracegen.h"

#define EVERY_BYTE_MAX	8192	/* longer samples: every 7th byte */

static const char *const samples[] = {
	"closewait", "healthy", "ipv6", "killed", "overflow", "refused",
	"resets", "timeout",
};

static uint8_t *slurp(const char *path, size_t *len)
{
	struct stat st;
	uint8_t *buf;
	FILE *f;

	f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "%s: not found (run from the repository root)",
		      path);
	ck_assert_int_eq(fstat(fileno(f), &st), 0);
	*len = (size_t)st.st_size;
	buf = malloc(*len ? *len : 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, *len, f), *len);
	fclose(f);
	return buf;
}

START_TEST(test_cut_samples)
{
	const char *name = samples[_i];
	struct cut_opts o = { .analyze = true };
	struct cut_report rep;
	char path[256], why[512];
	uint8_t *buf;
	size_t len;
	int rc;

	snprintf(path, sizeof(path), "samples/%s/trace.skr", name);
	buf = slurp(path, &len);
	o.step = len > EVERY_BYTE_MAX ? 7 : 1;
	rc = cut_check(buf, len, &o, &rep, why, sizeof(why));
	ck_assert_msg(rc == 0, "%s: %s", name, why);
	ck_assert_uint_ge(rep.frames, 2);
	ck_assert_uint_gt(rep.events, 0);
	ck_assert_str_ne(rep.host, "");
	free(buf);
}
END_TEST

/*
 * A recording as today's recorder writes it: the header frame, then events
 * in reads of the buffers (a block each), a frame every few reads, END.
 */
static uint8_t *recording(bool with_end, uint64_t *events, size_t *len)
{
	static const struct tg_host host = {
		.hostname = "cutbox", .krelease = "6.18.0", .ncpus = 2,
	};
	struct skr_file_header fh;
	struct tg t;
	uint64_t ts = 1000000000ull, cookie = 100, n = 0;
	int read_no, i;

	/* A capture id as random as the recorder's: the header stays raw. */
	memset(&fh, 0, sizeof(fh));
	fh.hdr.len = sizeof(fh);
	fh.hdr.type = SKR_REC_FILE_HEADER;
	memcpy(fh.magic, SKR_MAGIC, SKR_MAGIC_LEN);
	fh.major = SKR_VERSION_MAJOR;
	for (i = 0; i < (int)sizeof(fh.capture_id); i++)
		fh.capture_id[i] = (uint8_t)(i * 151 + 77);
	fh.created_ns = 1700000000123456789ull;
	tg_begin(&t);
	tg_put(&t, &fh, sizeof(fh));
	tg_host(&t, &host);
	tg_clock(&t, ts, 1700000000000000000ull, 100);
	tg_probe(&t, "inet_sock_set_state", SKR_REC_STATE, SKR_TIER_TP_BTF, NULL);
	tg_listen(&t, ts, 1, 10, 128, 128, 8080);
	ck_assert_int_eq(skr_writer_flush(t.w), 0);
	for (read_no = 0; read_no < 24; read_no++) {
		for (i = 0; i < 1 + read_no % 5; i++) {
			ts += 1000000;
			tg_st(&t, ts, cookie, SKR_CTX_PROCESS, 20, "client",
			      SKR_TCP_CLOSE, SKR_TCP_SYN_SENT, "127.0.0.1",
			      40000 + (uint16_t)cookie, "127.0.0.1", 8080);
			ts += 1000;
			tg_st(&t, ts, cookie, SKR_CTX_SOFTIRQ, 0, "",
			      SKR_TCP_SYN_SENT, SKR_TCP_ESTABLISHED, "127.0.0.1",
			      40000 + (uint16_t)cookie, "127.0.0.1", 8080);
			cookie++;
			n += 2;
		}
		tg_round(&t, ts);
		if (read_no % 6 == 5)
			ck_assert_int_eq(skr_writer_flush(t.w), 0);
		else
			ck_assert_int_eq(skr_writer_sync(t.w), 0);
	}
	if (with_end)
		tg_end(&t, ts, 0, n + 1);
	*events = n + 1;
	return tg_bytes(&t, len);
}

START_TEST(test_cut_recording)
{
	struct cut_opts o = { .step = 1, .blocks_aligned = true, .analyze = true };
	struct cut_report rep;
	uint64_t events;
	char why[512];
	uint8_t *buf;
	size_t len;

	buf = recording(true, &events, &len);
	ck_assert_msg(cut_check(buf, len, &o, &rep, why, sizeof(why)) == 0,
		      "%s", why);
	ck_assert_uint_eq(rep.events, events);
	ck_assert_str_eq(rep.host, "cutbox");
	/* Header frame, 4 frames of 6 reads, END's frame. */
	ck_assert_uint_eq(rep.frames, 6);
	/* The file header, then at least one block per read. */
	ck_assert_uint_ge(rep.blocks, 1 + 24 - 4);
	/* No cut loses more than one read: 5 connections, 10 events, 1 ROUND. */
	ck_assert_uint_le(rep.max_block_records, 11);
	ck_assert_uint_gt(rep.partial_cuts, 0);
	free(buf);
}
END_TEST

/* The reader, the analyzer's words, on one cut inside a frame. */
START_TEST(test_cut_inside_frame_message)
{
	struct sa_run_opts opts;
	struct skr_reader_status st;
	struct skr_reader *r;
	struct skr_record rec;
	uint64_t events;
	uint8_t *buf;
	char *text = NULL, msg[512];
	size_t len, tlen = 0;
	FILE *out;
	int n = 0;

	/* No END, and the last frame cut before its checksum. */
	buf = recording(false, &events, &len);
	ck_assert_int_eq(skr_reader_open_mem(&r, buf, len - 4), 0);
	while (skr_reader_next(r, &rec) == 1)
		n++;
	skr_reader_get_status(r, &st);
	skr_reader_free(r);
	ck_assert(st.truncated);
	ck_assert(st.partial_frame);
	ck_assert_uint_gt(st.partial_records, 0);
	ck_assert_uint_eq(st.records, (uint64_t)n);

	memset(&opts, 0, sizeof(opts));
	opts.name = "cut.skr";
	ck_assert_int_eq(skr_reader_open_mem(&r, buf, len - 4), 0);
	out = open_memstream(&text, &tlen);
	ck_assert_ptr_nonnull(out);
	ck_assert_int_eq(sa_run(r, &opts, out, msg, sizeof(msg)), 0);
	fclose(out);
	skr_reader_free(r);
	ck_assert_msg(strstr(text, "WARNING: trace is truncated (recorder killed "
			     "or file cut); showing its complete part: kept ")
		      != NULL, "%s", text);
	ck_assert_msg(strstr(text, " s of events (the last frame unfinished: "
			     "its complete blocks read, its checksum missing)\n")
		      != NULL, "%s", text);
	free(text);
	free(buf);
}
END_TEST

/* Cuts before anything decodes: each says truncated, and what it is. */
START_TEST(test_cut_before_header)
{
	static const struct {
		size_t len;
		const char *msg;
	} cases[] = {
		{ 0, "cut.skr: no trace data: the input is empty" },
		{ 3, "cut.skr: no trace data: truncated inside its first zstd "
		     "frame, before its first complete block: 0 records kept" },
		/* 6-byte frame header, 3-byte block header, 8 + 8 record bytes */
		{ 25, "cut.skr: no trace data: a sockrec trace truncated before "
		      "the end of its header: 0 records kept (the file header "
		      "itself is cut)" },
	};
	struct sa_run_opts opts;
	struct skr_reader *r;
	uint64_t events;
	uint8_t *buf;
	char *text = NULL, msg[512];
	size_t len, tlen = 0, i;
	FILE *out;

	buf = recording(true, &events, &len);
	memset(&opts, 0, sizeof(opts));
	opts.report = SA_REPORT_INFO;
	opts.name = "cut.skr";
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_int_eq(skr_reader_open_mem(&r, buf, cases[i].len), 0);
		out = open_memstream(&text, &tlen);
		ck_assert_ptr_nonnull(out);
		ck_assert_int_eq(sa_run(r, &opts, out, msg, sizeof(msg)),
				 -EINVAL);
		fclose(out);
		skr_reader_free(r);
		ck_assert_str_eq(msg, cases[i].msg);
		free(text);
		text = NULL;
	}
	free(buf);
}
END_TEST

static Suite *cut_suite(void)
{
	Suite *s = suite_create("cut");
	TCase *tc = tcase_create("cut");

	tcase_set_timeout(tc, 600);
	tcase_add_loop_test(tc, test_cut_samples, 0,
			    (int)(sizeof(samples) / sizeof(samples[0])));
	tcase_add_test(tc, test_cut_recording);
	tcase_add_test(tc, test_cut_inside_frame_message);
	tcase_add_test(tc, test_cut_before_header);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tg_main(cut_suite());
}
