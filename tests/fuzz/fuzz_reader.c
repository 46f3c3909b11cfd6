/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target: one input is one trace file.  It goes through the
 * reader alone (every record handed out must lie inside the frame and be at
 * least as long as its type), then through the whole analyzer once per
 * report (in the three output formats, and once merged with itself as a
 * second input), then through the redactor, as sockana would run them.
 * Reports are written to /dev/null: what matters is that nothing reads out
 * of bounds, overflows, leaks, or fails to end.
 *
 * A mutated zstd frame almost always fails its checksum, which would keep
 * the fuzzer at the compression layer.  So each input is also taken as the
 * decompressed content of one frame: it is compressed here (checksum on)
 * and the result goes through the same three passes.  The seed corpus
 * holds both forms (tests/fuzz/run adds the zstd -dc of every seed).
 * That frame is also read cut short, before its checksum or a few bytes
 * earlier: the reader's unfinished-frame path, which hands out records no
 * checksum vouches for, gets the mutated content too.
 *
 *   make fuzz FUZZ_SECONDS=N      (builds with clang, see tests/fuzz/run)
 */
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

static void read_all(const uint8_t *data, size_t size)
{
	struct skr_reader *r;
	struct skr_record rec;
	int rc;

	if (skr_reader_open_mem(&r, data, size))
		abort();
	while ((rc = skr_reader_next(r, &rec)) == 1) {
		/* The reader's contract, checked on every record it returns. */
		if (rec.len < SKR_REC_MIN || rec.len > SKR_REC_MAX ||
		    !rec.data)
			abort();
		/* Touch every byte so ASan sees any record outside the frame. */
		if (rec.data[rec.len - 1] == 0x5a && rec.data[0] == 0xa5)
			rec.flags ^= 1;
	}
	if (rc < 0 && skr_reader_errmsg(r)[0] == '\0')
		abort();	/* every error must come with a message */
	skr_reader_free(r);
}

static void analyze(const uint8_t *data, size_t size, enum sa_report rep,
		    enum sa_format fmt, enum sa_group by, size_t ninputs)
{
	static const char *const names[] = { "fuzz-a", "fuzz-b" };
	struct skr_reader *r[2] = { NULL, NULL };
	struct sa_run_opts opts;
	char msg[512];
	size_t i;

	for (i = 0; i < ninputs; i++)
		if (skr_reader_open_mem(&r[i], data, size))
			abort();
	memset(&opts, 0, sizeof(opts));
	opts.report = rep;
	opts.format = fmt;
	opts.by = by;
	opts.name = names[0];
	opts.names = names;
	opts.replay = small_replay;
	if (sa_run_many(r, ninputs, &opts, devnull, msg, sizeof(msg)) != 0 &&
	    (msg[0] == '\0' || memchr(msg, '\n', strlen(msg))))
		abort();	/* errors are one non-empty line */
	for (i = 0; i < ninputs; i++)
		skr_reader_free(r[i]);
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

static void all_passes(const uint8_t *data, size_t size)
{
	read_all(data, size);
	analyze(data, size, SA_REPORT_DIAG, SA_FORMAT_TEXT, SA_BY_NONE, 1);
	analyze(data, size, SA_REPORT_INFO, SA_FORMAT_JSON, SA_BY_NONE, 1);
	analyze(data, size, SA_REPORT_TIMELINE, SA_FORMAT_TEXT, SA_BY_NONE, 1);
	analyze(data, size, SA_REPORT_LATENCY, SA_FORMAT_CSV, SA_BY_REMOTE, 1);
	analyze(data, size, SA_REPORT_BACKLOG, SA_FORMAT_JSON, SA_BY_NONE, 1);
	analyze(data, size, SA_REPORT_CONNECTIONS, SA_FORMAT_JSON, SA_BY_NONE, 2);
	/* The same trace twice: the merge of several hosts or rotations. */
	analyze(data, size, SA_REPORT_TIMELINE, SA_FORMAT_CSV, SA_BY_NONE, 2);
	analyze(data, size, SA_REPORT_HTML, SA_FORMAT_TEXT, SA_BY_NONE, 2);
	analyze(data, size, SA_REPORT_TRACE_EVENT, SA_FORMAT_TEXT, SA_BY_NONE, 2);
	redact(data, size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static ZSTD_CCtx *cctx;
	static uint8_t *frame;
	static size_t cap;
	size_t n, cut;

	if (!devnull) {
		devnull = fopen("/dev/null", "w");
		cctx = ZSTD_createCCtx();
		if (!devnull || !cctx ||
		    ZSTD_isError(ZSTD_CCtx_setParameter(cctx,
						ZSTD_c_checksumFlag, 1)))
			abort();
	}
	all_passes(data, size);

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
	all_passes(frame, n);
	/* 4 + size % 29 bytes short: the checksum, then into the last block. */
	cut = 4 + size % 29;
	if (n > cut) {
		read_all(frame, n - cut);
		analyze(frame, n - cut, SA_REPORT_INFO, SA_FORMAT_TEXT,
			SA_BY_NONE, 1);
		analyze(frame, n - cut, SA_REPORT_TIMELINE, SA_FORMAT_JSON,
			SA_BY_NONE, 1);
	}
	return 0;
}
