// SPDX-License-Identifier: BSD-2-Clause
/*
 * rezip: compress a recorded trace's records again, to weigh the writer's
 * zstd settings against each other on real data (issue 18: the recorder's
 * CPU against bytes per event).
 *
 * The trace is decompressed once into memory: those are the very bytes the
 * writer handed zstd (event times and cookies already deltas), with the
 * frame ends it chose.  Then, REPS times, they are compressed again the
 * way the writer streams them: one frame per original frame, a block ended
 * (ZSTD_e_flush) at each ROUND record and before a block would pass
 * 128 KiB, zstd reading the frame in place.  Only that loop is timed, and
 * it is the function to give callgrind (--toggle-collect=rezip_pass).
 *
 * With -w the records go through libskr's own writer instead (as the
 * reader returns them: absolute values), so the writer as built is
 * measured, delta coding included; the zstd options do not apply then.
 * -R (with -w) hands the writer runs of records of up to 2 KiB, ended at
 * each ROUND, through skr_writer_append_run(), as the recorder hands it a
 * perf-buffer sample's batch.
 *
 * usage: rezip [-w [-R]] [-r REPS] [-l LEVEL] [-s STRATEGY] [-H HASHLOG]
 *              [-C CHAINLOG] [-W WINDOWLOG] [-m MINMATCH] [-t TARGETLEN]
 *              [-L LITMODE] [-o OUT] TRACE
 * -L sets ZSTD_c_literalCompressionMode: 0 zstd's choice, 1 Huffman-coded
 * literals, 2 literals stored as they are.
 * Prints: bytes out, events, bytes per event, best and median CPU ms of a
 * pass.  Exit 0, 1 on error, 2 on misuse.
 */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#define ZSTD_STATIC_LINKING_ONLY	/* ZSTD_c_stableInBuffer */
#include <zstd.h>

#include "format/skr.h"
#include "format/skr_catalog.h"

#define EXIT_USAGE	2
#define REPS_MAX	1000
#define BLOCK_MAX	ZSTD_BLOCKSIZE_MAX

struct trace {
	uint8_t *raw;		/* decompressed bytes, frames back to back */
	size_t raw_len;
	size_t *frame_end;	/* offsets in raw where a frame ends */
	size_t frames;
	uint64_t events;
	/* -w: the records as the reader returns them */
	uint8_t *abs;
	size_t abs_len;
};

struct params {
	int level, strategy, hash_log, chain_log, window_log, min_match,
	    target_len, lit_mode;
};

static int read_file(const char *path, uint8_t **buf, size_t *len)
{
	uint8_t *p = NULL, *np;
	size_t cap = 0, n = 0;
	ssize_t k;
	int fd, err = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (;;) {
		if (n == cap) {
			cap = cap ? cap * 2 : 1u << 20;
			np = realloc(p, cap);
			if (!np) {
				err = -ENOMEM;
				break;
			}
			p = np;
		}
		k = read(fd, p + n, cap - n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			err = -errno;
			break;
		}
		if (k == 0)
			break;
		n += (size_t)k;
	}
	close(fd);
	if (err) {
		free(p);
		return err;
	}
	*buf = p;
	*len = n;
	return 0;
}

static int grow(void *pp, size_t *cap, size_t need, size_t elem)
{
	void **p = pp;
	size_t c = *cap ? *cap : 1024;
	void *np;

	if (need <= *cap)
		return 0;
	while (c < need)
		c *= 2;
	np = realloc(*p, c * elem);
	if (!np)
		return -ENOMEM;
	*p = np;
	*cap = c;
	return 0;
}

/* The decompressed stream, and where each zstd frame of it ended. */
static int load_raw(struct trace *t, const uint8_t *z, size_t zlen)
{
	ZSTD_DCtx *d = ZSTD_createDCtx();
	ZSTD_inBuffer in = { z, zlen, 0 };
	size_t raw_cap = 0, fe_cap = 0, ret;
	int err = 0;

	if (!d)
		return -ENOMEM;
	while (in.pos < in.size) {
		ZSTD_outBuffer out;

		err = grow(&t->raw, &raw_cap, t->raw_len + ZSTD_DStreamOutSize(), 1);
		if (err)
			break;
		out.dst = t->raw + t->raw_len;
		out.size = ZSTD_DStreamOutSize();
		out.pos = 0;
		ret = ZSTD_decompressStream(d, &out, &in);
		if (ZSTD_isError(ret)) {
			err = -EINVAL;
			break;
		}
		t->raw_len += out.pos;
		if (ret == 0) {
			err = grow(&t->frame_end, &fe_cap, t->frames + 1,
				   sizeof(*t->frame_end));
			if (err)
				break;
			t->frame_end[t->frames++] = t->raw_len;
		}
	}
	ZSTD_freeDCtx(d);
	return err;
}

/* -w: the records, absolute, as the reader hands them out. */
static int load_abs(struct trace *t, const uint8_t *z, size_t zlen)
{
	struct skr_reader *r = NULL;
	struct skr_record rec;
	size_t cap = 0;
	int rc;

	rc = skr_reader_open_mem(&r, z, zlen);
	while (rc == 0 && (rc = skr_reader_next(r, &rec)) == 1) {
		rc = grow(&t->abs, &cap, t->abs_len + rec.len, 1);
		if (rc)
			break;
		memcpy(t->abs + t->abs_len, rec.data, rec.len);
		t->abs_len += rec.len;
		if (skr_rec_is_event(rec.type))
			t->events++;
	}
	skr_reader_free(r);
	return rc;
}

static uint32_t rec_len(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint16_t rec_type(const uint8_t *p)
{
	return (uint16_t)(p[4] | p[5] << 8);
}

static int set(ZSTD_CCtx *c, ZSTD_cParameter p, int v)
{
	return ZSTD_isError(ZSTD_CCtx_setParameter(c, p, v)) ? -EINVAL : 0;
}

static int cctx_params(ZSTD_CCtx *c, const struct params *p)
{
	int err = set(c, ZSTD_c_compressionLevel, p->level);

	if (!err)
		err = set(c, ZSTD_c_checksumFlag, 1);
	if (!err)
		err = set(c, ZSTD_c_windowLog, p->window_log);
	if (!err)
		err = set(c, ZSTD_c_stableInBuffer, 1);
	if (!err && p->strategy)
		err = set(c, ZSTD_c_strategy, p->strategy);
	if (!err && p->hash_log)
		err = set(c, ZSTD_c_hashLog, p->hash_log);
	if (!err && p->chain_log)
		err = set(c, ZSTD_c_chainLog, p->chain_log);
	if (!err && p->min_match)
		err = set(c, ZSTD_c_minMatch, p->min_match);
	if (!err && p->target_len >= 0)
		err = set(c, ZSTD_c_targetLength, p->target_len);
	if (!err && p->lit_mode)
		err = set(c, ZSTD_c_literalCompressionMode, p->lit_mode);
	return err;
}

/* Compress [from, to) of the frame buffer as one block or the frame's last. */
static int push(ZSTD_CCtx *c, ZSTD_inBuffer *in, size_t to, uint8_t *out,
		size_t out_cap, ZSTD_EndDirective mode, uint64_t *bytes)
{
	size_t left;

	in->size = to;
	do {
		ZSTD_outBuffer o = { out, out_cap, 0 };

		left = ZSTD_compressStream2(c, &o, in, mode);
		if (ZSTD_isError(left))
			return -EINVAL;
		*bytes += o.pos;
	} while (left > 0);
	return 0;
}

/* One pass over the raw stream, frame by frame; returns bytes out or 0. */
uint64_t rezip_pass(ZSTD_CCtx *c, const struct trace *t, uint8_t *out,
		    size_t out_cap);
uint64_t rezip_pass(ZSTD_CCtx *c, const struct trace *t, uint8_t *out,
		    size_t out_cap)
{
	uint64_t bytes = 0;
	size_t start = 0;

	for (size_t f = 0; f < t->frames; f++) {
		const uint8_t *base = t->raw + start;
		size_t end = t->frame_end[f] - start, pos = 0, block = 0;
		ZSTD_inBuffer in = { base, 0, 0 };

		while (pos < end) {
			uint32_t len = rec_len(base + pos);

			if (len < SKR_REC_MIN || len > end - pos)
				return 0;
			if (pos + len - block > BLOCK_MAX) {
				if (push(c, &in, pos, out, out_cap, ZSTD_e_flush, &bytes))
					return 0;
				block = pos;
			}
			pos += len;
			if (rec_type(base + pos - len) == SKR_REC_ROUND) {
				if (push(c, &in, pos, out, out_cap, ZSTD_e_flush, &bytes))
					return 0;
				block = pos;
			}
		}
		if (push(c, &in, end, out, out_cap, ZSTD_e_end, &bytes))
			return 0;
		start = t->frame_end[f];
	}
	return bytes;
}

/* -w: the same records through skr_writer, to fd. */
#define RUN_BYTES	4096	/* as bpf/stage.h's SKR_STAGE_BYTES (2048 before kclock) */

uint64_t rezip_writer_pass(const struct trace *t, int fd, bool runs);
uint64_t rezip_writer_pass(const struct trace *t, int fd, bool runs)
{
	struct skr_writer *w = NULL;
	uint64_t bytes = 0;
	size_t pos = 0;
	int rc;

	rc = skr_writer_open(&w, fd, NULL);
	while (rc == 0 && pos < t->abs_len) {
		size_t run = 0;
		uint32_t len;
		bool round;

		/*
		 * -R: records in runs of up to RUN_BYTES, as the recorder takes
		 * a CPU's staged batch from one perf-buffer sample.
		 */
		do {
			len = rec_len(t->abs + pos + run);
			round = rec_type(t->abs + pos + run) == SKR_REC_ROUND;
			run += len;
		} while (runs && !round && pos + run < t->abs_len &&
			 run + rec_len(t->abs + pos + run) <= RUN_BYTES);
		rc = runs ? skr_writer_append_run(w, t->abs + pos, run)
			  : skr_writer_append(w, t->abs + pos, run);
		if (!rc && round)
			rc = skr_writer_sync(w);
		pos += run;
	}
	if (!rc)
		rc = skr_writer_flush(w);
	if (!rc)
		bytes = skr_writer_bytes_out(w);
	skr_writer_close(w);
	return bytes;
}

static double cpu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static int parse_int(const char *s, int lo, int hi, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		return -EINVAL;
	*out = (int)v;
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: rezip [-w [-R]] [-r REPS] [-l LEVEL] [-s STRATEGY] [-H HASHLOG]\n"
		"             [-C CHAINLOG] [-W WINDOWLOG] [-m MINMATCH] [-t TARGETLEN]\n"
		"             [-L LITMODE] [-o OUT] TRACE\n");
}

int main(int argc, char **argv)
{
	struct params p = { 1, 0, 0, 0, 20, 0, -1, 0 };
	struct trace t;
	double ms[REPS_MAX];
	uint8_t *z = NULL, *out = NULL;
	size_t zlen = 0, out_cap = ZSTD_CStreamOutSize();
	ZSTD_CCtx *c = NULL;
	const char *out_path = "/dev/null";
	uint64_t bytes = 0;
	int reps = 5, opt, writer = 0, fd = -1, status = 1, err;
	bool runs = false;
	struct stat st;
	int regular;

	memset(&t, 0, sizeof(t));
	while ((opt = getopt(argc, argv, "wRr:l:s:H:C:W:m:t:L:o:h")) != -1) {
		err = 0;
		switch (opt) {
		case 'w': writer = 1; break;
		case 'R': runs = true; break;
		case 'r': err = parse_int(optarg, 1, REPS_MAX, &reps); break;
		case 'l': err = parse_int(optarg, -131072, 22, &p.level); break;
		case 's': err = parse_int(optarg, 1, 9, &p.strategy); break;
		case 'H': err = parse_int(optarg, 6, 30, &p.hash_log); break;
		case 'C': err = parse_int(optarg, 6, 30, &p.chain_log); break;
		case 'W': err = parse_int(optarg, 10, 27, &p.window_log); break;
		case 'm': err = parse_int(optarg, 3, 7, &p.min_match); break;
		case 't': err = parse_int(optarg, 0, 131072, &p.target_len); break;
		case 'L': err = parse_int(optarg, 0, 2, &p.lit_mode); break;
		case 'o': out_path = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return EXIT_USAGE;
		}
		if (err) {
			fprintf(stderr, "rezip: -%c %s: out of range\n", opt, optarg);
			return EXIT_USAGE;
		}
	}
	if (optind + 1 != argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	err = read_file(argv[optind], &z, &zlen);
	if (!err)
		err = load_abs(&t, z, zlen);
	if (!err && !writer)
		err = load_raw(&t, z, zlen);
	if (err) {
		fprintf(stderr, "rezip: reading %s: %s\n", argv[optind], strerror(-err));
		goto out;
	}
	fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	regular = fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
	out = malloc(out_cap);
	c = ZSTD_createCCtx();
	if (fd < 0 || !out || !c) {
		fprintf(stderr, "rezip: setting up: %s\n", strerror(fd < 0 ? errno : ENOMEM));
		goto out;
	}
	if (!writer && cctx_params(c, &p)) {
		fprintf(stderr, "rezip: zstd refused a parameter\n");
		goto out;
	}
	for (int i = 0; i < reps; i++) {
		double t0 = cpu_ms();

		bytes = writer ? rezip_writer_pass(&t, fd, runs) : rezip_pass(c, &t, out, out_cap);
		ms[i] = cpu_ms() - t0;
		if (!bytes) {
			fprintf(stderr, "rezip: compressing failed\n");
			goto out;
		}
		/* -o FILE keeps the last pass only; /dev/null has no size. */
		if (writer && i + 1 < reps && regular &&
		    (ftruncate(fd, 0) || lseek(fd, 0, SEEK_SET) < 0)) {
			fprintf(stderr, "rezip: %s: %s\n", out_path, strerror(errno));
			goto out;
		}
	}
	qsort(ms, (size_t)reps, sizeof(ms[0]), cmp_double);
	printf("bytes=%llu events=%llu bytes/event=%.3f best_ms=%.2f median_ms=%.2f\n",
	       (unsigned long long)bytes, (unsigned long long)t.events,
	       t.events ? (double)bytes / (double)t.events : 0.0, ms[0],
	       ms[reps / 2]);
	status = 0;
out:
	ZSTD_freeCCtx(c);
	free(out);
	if (fd >= 0)
		close(fd);
	free(z);
	free(t.raw);
	free(t.frame_end);
	free(t.abs);
	return status;
}
