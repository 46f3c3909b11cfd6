/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target: one input is one trace file.  It goes through the
 * reader alone (every record handed out must lie inside the frame and be at
 * least as long as its type), then through the analyzer as sockana would
 * run it, then, where chosen, through the redactor.  Reports are written to
 * /dev/null: what matters is that nothing reads out of bounds, overflows,
 * leaks, or fails to end.
 *
 * Which analyses run is chosen from a hash of the input: two of the table
 * below for an input the reader finds records in, one for an input it
 * rejects before any record (the views then share the same error path).
 * Every analysis sets up the whole model (socket and pairing tables) under
 * ASan, so running all of them on every input cost ~20 runs of that set-up
 * per input and kept the fuzzer near 10 executions a second; a mutation
 * changes the hash, so the views are still all tried, spread over inputs.
 *
 * A mutated zstd frame almost always fails its checksum, which would keep
 * the fuzzer at the compression layer.  So each input is also taken as the
 * decompressed content of one frame: it is compressed here (checksum on)
 * and the result goes through the same passes.  The seed corpus holds both
 * forms (tests/fuzz/run adds the zstd -dc of every seed).  That frame is
 * also read cut short, before its checksum or a few bytes earlier: the
 * reader's unfinished-frame path, which hands out records no checksum
 * vouches for, gets the mutated content too.
 *
 * The reader pass also steps a decode-ahead reader (skr_reader_prefetch)
 * beside the plain one: same records, status and error at every call,
 * taking what it offers as spans (skr_reader_span) from them.  And one
 * analysis in four runs twice, through decode-ahead readers (the replay
 * then holds events from their spans: admit_span(), hold_fast(), under
 * the small bounds below) and through plain ones: the same output, return
 * and message, or the target aborts.
 *
 *   make fuzz FUZZ_SECONDS=N      (builds with clang, see tests/fuzz/run)
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zstd.h>

#include "analyze/redact.h"
#include "analyze/sockana.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *devnull;

/*
 * Small replay bounds keep each run fast and exercise the early-release
 * path; the defaults are covered by the e2e tests.
 */
static const struct sa_replay_opts small_replay = {
	.max_events = 4096,
	.max_bytes = 1u << 20,
};

static bool same_status(const struct skr_reader *a, const struct skr_reader *b)
{
	struct skr_reader_status x, y;

	skr_reader_get_status(a, &x);
	skr_reader_get_status(b, &y);
	return x.major == y.major && x.minor == y.minor &&
	       x.segments == y.segments &&
	       x.segments_ended == y.segments_ended &&
	       x.truncated == y.truncated && x.frames == y.frames &&
	       x.bytes_in == y.bytes_in && x.bytes_out == y.bytes_out &&
	       x.records == y.records && x.skipped == y.skipped &&
	       x.partial_frame == y.partial_frame &&
	       x.partial_records == y.partial_records &&
	       x.partial_dropped == y.partial_dropped &&
	       x.cut_first_frame == y.cut_first_frame &&
	       x.cut_magic == y.cut_magic;
}

/*
 * p's next record: the first of its span (skr_reader_span) when it offers
 * one, as skr_reader_next() would hand it out, else skr_reader_next()'s.
 */
static bool next_of(struct skr_reader *p, bool spans, struct skr_record *rec)
{
	struct skr_span sp;

	if (!spans || !skr_reader_span(p, &sp))
		return skr_reader_next(p, rec) == 1;
	if (sp.len < SKR_REC_MIN)
		abort();
	rec->data = sp.data;
	rec->len = (uint32_t)sp.data[0] | (uint32_t)sp.data[1] << 8 |
		   (uint32_t)sp.data[2] << 16 | (uint32_t)sp.data[3] << 24;
	rec->type = (uint16_t)(sp.data[4] | sp.data[5] << 8);
	rec->flags = (uint16_t)(sp.data[6] | sp.data[7] << 8);
	rec->segment = sp.segment;
	rec->minor = sp.minor;
	if (rec->len < SKR_REC_MIN || rec->len > sp.len)
		abort();
	skr_reader_span_done(p, rec->len, 1);
	return true;
}

/*
 * Returns how many records the reader handed out.  With both, a second
 * reader that decodes ahead on a thread (skr_reader_prefetch) is stepped
 * beside it and must return the same at every call.  A thread per read
 * under ASan doubled the CPU time of an input (1,500 runs from the seeds:
 * 7.3-8.3 s, 13.8-15.3 s with a thread every read, 9.5-10.5 s with one
 * read in four), so one read in four, chosen by the hash, does it.
 */
static size_t read_all(const uint8_t *data, size_t size, bool both)
{
	struct skr_reader *r, *p;
	struct skr_record rec, prec;
	size_t n = 0;
	int rc;

	if (skr_reader_open_mem(&r, data, size) ||
	    skr_reader_open_mem(&p, data, size) ||
	    skr_reader_prefetch(p, both))
		abort();
	while ((rc = skr_reader_next(r, &rec)) == 1) {
		/* The reader's contract, checked on every record it returns. */
		if (rec.len < SKR_REC_MIN || rec.len > SKR_REC_MAX ||
		    !rec.data)
			abort();
		/* Touch every byte so ASan sees any record outside the frame. */
		if (rec.data[rec.len - 1] == 0x5a && rec.data[0] == 0xa5)
			rec.flags ^= 1;
		if (!next_of(p, both, &prec) || prec.len != rec.len ||
		    prec.type != rec.type || prec.flags != rec.flags ||
		    prec.segment != rec.segment || prec.minor != rec.minor ||
		    memcmp(prec.data, rec.data, rec.len) != 0 ||
		    !same_status(r, p))
			abort();
		n++;
	}
	if (rc < 0 && skr_reader_errmsg(r)[0] == '\0')
		abort();	/* every error must come with a message */
	if (skr_reader_next(p, &prec) != rc || !same_status(r, p) ||
	    strcmp(skr_reader_errmsg(r), skr_reader_errmsg(p)) != 0)
		abort();
	skr_reader_free(p);
	skr_reader_free(r);
	return n;
}

/*
 * One analysis of the input (ninputs copies) written to out; ahead: its
 * readers decode ahead on threads.  Returns sa_run_many()'s result.
 */
static int run_one(const uint8_t *data, size_t size, enum sa_report rep,
		   enum sa_format fmt, enum sa_group by, size_t ninputs,
		   bool ahead, FILE *out, char *msg, size_t msize)
{
	static const char *const names[] = { "fuzz-a", "fuzz-b" };
	struct skr_reader *r[2] = { NULL, NULL };
	struct sa_run_opts opts;
	size_t i;
	int err;

	for (i = 0; i < ninputs; i++)
		if (skr_reader_open_mem(&r[i], data, size) ||
		    skr_reader_prefetch(r[i], ahead))
			abort();
	memset(&opts, 0, sizeof(opts));
	opts.report = rep;
	opts.format = fmt;
	opts.by = by;
	opts.name = names[0];
	opts.names = names;
	opts.replay = small_replay;
	opts.warn_to = out == devnull ? NULL : out;
	msg[0] = '\0';
	err = sa_run_many(r, ninputs, &opts, out, msg, msize);
	if (err != 0 && (msg[0] == '\0' || memchr(msg, '\n', strlen(msg))))
		abort();	/* errors are one non-empty line */
	for (i = 0; i < ninputs; i++)
		skr_reader_free(r[i]);
	return err;
}

/*
 * The analysis to /dev/null; with ahead, also through decode-ahead
 * readers, each way to memory, and the two must agree byte for byte.
 */
static void analyze(const uint8_t *data, size_t size, enum sa_report rep,
		    enum sa_format fmt, enum sa_group by, size_t ninputs,
		    bool ahead)
{
	char msg[2][512];
	char *buf[2] = { NULL, NULL };
	size_t len[2] = { 0, 0 };
	FILE *out[2];
	int err[2], k;

	if (!ahead) {
		(void)run_one(data, size, rep, fmt, by, ninputs, false,
			      devnull, msg[0], sizeof(msg[0]));
		return;
	}
	for (k = 0; k < 2; k++) {
		out[k] = open_memstream(&buf[k], &len[k]);
		if (!out[k])
			abort();
		err[k] = run_one(data, size, rep, fmt, by, ninputs, k == 1,
				 out[k], msg[k], sizeof(msg[k]));
		if (fclose(out[k]) != 0)
			abort();
	}
	if (err[0] != err[1] || strcmp(msg[0], msg[1]) != 0 ||
	    len[0] != len[1] || memcmp(buf[0], buf[1], len[0]) != 0)
		abort();	/* the decode worker changed what sockana says */
	free(buf[0]);
	free(buf[1]);
}

static void redact(const uint8_t *data, size_t size)
{
	static const uint8_t key[SA_REDACT_KEY_LEN] = "fuzz-key-0123456";
	struct sa_redact_opts opts;
	struct skr_reader *r;
	char msg[512];

	if (skr_reader_open_mem(&r, data, size))
		abort();
	memset(&opts, 0, sizeof(opts));
	memcpy(opts.key, key, sizeof(opts.key));
	opts.comm = size & 1;
	(void)sa_redact(r, &opts, fileno(devnull), NULL, msg, sizeof(msg));
	skr_reader_free(r);
}

/* SA_REPORT_DIAG with this group: the redactor instead. */
#define REDACT	((enum sa_group)-1)

static const struct pass {
	enum sa_report rep;
	enum sa_format fmt;
	enum sa_group by;
	size_t ninputs;		/* 2: the same trace twice, as a merge */
} passes[] = {
	{ SA_REPORT_DIAG, SA_FORMAT_TEXT, SA_BY_NONE, 1 },
	{ SA_REPORT_INFO, SA_FORMAT_JSON, SA_BY_NONE, 1 },
	{ SA_REPORT_TIMELINE, SA_FORMAT_TEXT, SA_BY_NONE, 1 },
	{ SA_REPORT_LATENCY, SA_FORMAT_CSV, SA_BY_REMOTE, 1 },
	{ SA_REPORT_BACKLOG, SA_FORMAT_JSON, SA_BY_NONE, 1 },
	{ SA_REPORT_CONNECTIONS, SA_FORMAT_JSON, SA_BY_NONE, 2 },
	{ SA_REPORT_TIMELINE, SA_FORMAT_CSV, SA_BY_NONE, 2 },
	{ SA_REPORT_HTML, SA_FORMAT_TEXT, SA_BY_NONE, 2 },
	{ SA_REPORT_TRACE_EVENT, SA_FORMAT_TEXT, SA_BY_NONE, 2 },
	{ SA_REPORT_EVENTS, SA_FORMAT_JSON, SA_BY_NONE, 1 },
	{ SA_REPORT_INFO, SA_FORMAT_TEXT, SA_BY_NONE, 1 },
	{ SA_REPORT_TIMELINE, SA_FORMAT_JSON, SA_BY_NONE, 1 },
	{ SA_REPORT_DIAG, SA_FORMAT_TEXT, REDACT, 1 },
};
#define NPASSES	(sizeof(passes) / sizeof(passes[0]))

/* ahead: compare the analysis with one through decode-ahead readers. */
static void run_pass(const uint8_t *data, size_t size, size_t i, bool ahead)
{
	const struct pass *p = &passes[i % NPASSES];

	if (p->by == REDACT)
		redact(data, size);
	else
		analyze(data, size, p->rep, p->fmt, p->by, p->ninputs, ahead);
}

/* FNV-1a: any mutation of the input moves the choice of passes. */
static uint64_t hash(const uint8_t *data, size_t size)
{
	uint64_t h = 0xcbf29ce484222325ull;
	size_t i;

	for (i = 0; i < size; i++)
		h = (h ^ data[i]) * 0x100000001b3ull;
	return h;
}

/*
 * The first analysis of one input in four is also run through
 * decode-ahead readers (bits of the hash apart from the reader pass's, so
 * the two choices are independent): under ASan a thread per reader and
 * the second run cost about as much as a pass more.
 */
static void all_passes(const uint8_t *data, size_t size, uint64_t h)
{
	bool ahead = (h >> 28) % 4 == 0;

	if (read_all(data, size, (h >> 20) % 4 == 0) == 0) {
		run_pass(data, size, h % NPASSES, false);
		return;
	}
	run_pass(data, size, h % NPASSES, ahead);
	/* A second, different one: 1 + (h / N) % (N - 1) steps further. */
	run_pass(data, size, h % NPASSES + 1 + (h / NPASSES) % (NPASSES - 1),
		 false);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static ZSTD_CCtx *cctx;
	static uint8_t *frame;
	static size_t cap;
	size_t n, cut;
	uint64_t h = hash(data, size);

	if (!devnull) {
		devnull = fopen("/dev/null", "w");
		cctx = ZSTD_createCCtx();
		if (!devnull || !cctx ||
		    ZSTD_isError(ZSTD_CCtx_setParameter(cctx,
						ZSTD_c_checksumFlag, 1)))
			abort();
	}
	all_passes(data, size, h);

	if (size > SKR_FRAME_MAX)
		return 0;
	if (ZSTD_compressBound(size) > cap) {
		free(frame);
		cap = ZSTD_compressBound(size);
		frame = malloc(cap);
		if (!frame)
			abort();
	}
	n = ZSTD_compress2(cctx, frame, cap, data, size);
	if (ZSTD_isError(n))
		abort();
	all_passes(frame, n, h >> 32);
	/* 4 + size % 29 bytes short: the checksum, then into the last block. */
	cut = 4 + size % 29;
	if (n > cut) {
		if (read_all(frame, n - cut, (h >> 24) % 4 == 0) > 0)
			run_pass(frame, n - cut, (h >> 16) % NPASSES,
				 (h >> 12) % 4 == 0);
	}
	return 0;
}
