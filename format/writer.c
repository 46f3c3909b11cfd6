// SPDX-License-Identifier: BSD-2-Clause
/*
 * Trace writer: appends records to a block buffer and streams the blocks
 * into independent, checksummed zstd frames (docs/FORMAT.md §2).  Records
 * never span frames, so a file cut after any frame reads up to that frame;
 * and they never span zstd blocks either, because the writer itself ends
 * every block (ZSTD_e_flush) at a record boundary before zstd would cut one
 * on its own: a file cut inside a frame still reads up to the last complete
 * block, which skr_writer_sync() lets the caller place.
 *
 * The records of a whole frame stay in one buffer until the frame ends,
 * and zstd reads them there (ZSTD_c_stableInBuffer) instead of copying
 * every block into a window of its own: that copy was the largest single
 * cost of the recorder's writing (docs/PERFORMANCE.md).
 *
 * A block the writer ends only because it is full stays in memory, with
 * those after it, until the caller syncs or flushes (or the output buffer
 * fills): one write() per sync instead of one per 128 KiB block, which is
 * what the recorder's storms paid for (docs/PERFORMANCE.md, "reccpu").  A
 * cut keeps what was synced, as before.
 */
#ifdef __linux__
#define _DEFAULT_SOURCE		/* madvise(), for populate() */
#endif
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

/* The kernel's number (5.14+), where the C library does not name it yet. */
#if defined(__linux__) && !defined(MADV_POPULATE_WRITE)
#define MADV_POPULATE_WRITE	23
#endif

/* ZSTD_c_stableInBuffer: experimental in name, in libzstd since 1.4.5. */
#define ZSTD_STATIC_LINKING_ONLY
#include <zstd.h>

#include "delta.h"
#include "skr.h"

#define FRAME_BYTES_DEFAULT (1u << 20)

/*
 * zstd ends a block by itself every ZSTD_BLOCKSIZE_MAX bytes of input once
 * the window reaches that size; the writer hands it at most that much per
 * block, so the only block ends are the writer's.
 */
#define BLOCK_BYTES	ZSTD_BLOCKSIZE_MAX
/*
 * Compressed bytes held back for the next sync: a few blocks of storm
 * records (about 12 KiB each) or two of records that do not compress.
 */
#define OUT_BYTES	(2 * BLOCK_BYTES + 4096)
#define WINDOW_LOG_MIN	17	/* log2(BLOCK_BYTES): smaller windows shrink blocks */

_Static_assert(BLOCK_BYTES >= SKR_REC_MAX, "a block holds any record");
_Static_assert((1u << WINDOW_LOG_MIN) == BLOCK_BYTES, "window of one block");

struct skr_writer {
	int fd;
	int err;		/* first write error; sticky */
	ZSTD_CCtx *cctx;
	uint8_t *buf;		/* records of the open frame; zstd reads them
				 * in place, so they stay until its end */
	size_t buf_cap;
	size_t frame_in;	/* bytes of the open frame in buf */
	size_t done;		/* of those, bytes already compressed: the
				 * block being built is buf[done, frame_in) */
	size_t frame_bytes;
	uint8_t *out;		/* compressed bytes on their way to fd */
	size_t out_cap;
	size_t out_len;		/* of those, bytes not written yet */
	uint64_t bytes_in;
	uint64_t bytes_out;
	/*
	 * The delta chain of §4.7.1: absolute time and cookie of the open
	 * frame's last event record, 0 at a frame's start and at a
	 * FILE_HEADER; delta is false in a segment whose FILE_HEADER says
	 * major 1, whose records are written as they come (a caller that
	 * must write a 1.x file, such as a test of the 1.x path, can).
	 */
	bool delta;
	uint64_t prev_ts;
	uint64_t prev_cookie;
};

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint16_t get_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

/*
 * A record being copied into the frame buffer, before zstd sees it: an
 * event's time and cookie become deltas (§4.7.1); a FILE_HEADER starts a
 * chain of its own and says whether its segment takes them.  src is the
 * caller's record and dst its copy: the fields are read from src, where
 * the copy's loads just brought them, not from dst, whose wide stores a
 * narrow load right after would wait for (that wait was most of the
 * append's own time in a storm's profile, docs/PERFORMANCE.md "recuser").
 */
static inline void delta_encode(struct skr_writer *w, uint8_t *dst,
			 const uint8_t *src, size_t len)
{
	uint16_t type = get_le16(src + 4);
	uint64_t ts, cookie;

	if (skr_rec_is_event(type)) {
		/*
		 * Events are at least 40 bytes long to the reader, but the
		 * writer takes any record: never touch bytes it lacks.
		 */
		if (!w->delta || len < SKR_EV_DELTA_END)
			return;
		ts = skr_delta_get64(src + SKR_EV_TS_OFF);
		cookie = skr_delta_get64(src + SKR_EV_COOKIE_OFF);
		skr_delta_put64(dst + SKR_EV_TS_OFF, skr_delta_make(ts, w->prev_ts));
		skr_delta_put64(dst + SKR_EV_COOKIE_OFF,
				skr_delta_make(cookie, w->prev_cookie));
		w->prev_ts = ts;
		w->prev_cookie = cookie;
	} else if (type == SKR_REC_FILE_HEADER) {
		w->delta = !(len >= SKR_FH_MAJOR_END &&
			     get_le16(src + SKR_FH_MAJOR_OFF) <
			     SKR_VERSION_MAJOR_DELTA);
		w->prev_ts = 0;
		w->prev_cookie = 0;
	}
}

/*
 * Level 1, the default, with two of its parameters changed for records:
 * a 4096-entry hash table (16 KiB, stays in L1 cache) and a search step of
 * 1.  On a storm trace of 2.1 M records this compresses 14% faster for the
 * same size (7.48 instead of 7.49 bytes per record; bench/ measures the
 * recorder).  Other levels keep zstd's own parameters.
 */
#define LEVEL1_HASH_LOG		12
#define LEVEL1_TARGET_LENGTH	1

/*
 * The smallest window that holds a whole frame, so no data is out of reach
 * of the matcher, and never above what a reader accepts: streaming does
 * not know the frame's size in advance, and without this a high level
 * would ask readers for a window of up to 128 MiB.
 */
static int window_log(size_t frame_bytes)
{
	int log = WINDOW_LOG_MIN;

	while (log < SKR_WINDOW_LOG_MAX && ((size_t)1 << log) < frame_bytes)
		log++;
	return log;
}

static int cctx_setup(ZSTD_CCtx *cctx, int level, size_t frame_bytes)
{
	if (ZSTD_isError(ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel,
						level)) ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1)) ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(cctx, ZSTD_c_contentSizeFlag,
						1)) ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(cctx, ZSTD_c_windowLog,
						window_log(frame_bytes))))
		return -EINVAL;
	/*
	 * The buffer never moves and only grows within a frame, as this mode
	 * asks.  A libzstd without it (headers or library before 1.4.5)
	 * copies the input as before: same bytes out, so it is no error.
	 */
#ifdef ZSTD_c_stableInBuffer
	(void)ZSTD_CCtx_setParameter(cctx, ZSTD_c_stableInBuffer, 1);
#endif
	if (level == 1 &&
	    (ZSTD_isError(ZSTD_CCtx_setParameter(cctx, ZSTD_c_hashLog,
						 LEVEL1_HASH_LOG)) ||
	     ZSTD_isError(ZSTD_CCtx_setParameter(cctx, ZSTD_c_targetLength,
						 LEVEL1_TARGET_LENGTH))))
		return -EINVAL;
	return 0;
}

/*
 * Map the whole pages of a fresh buffer in one call.  A frame fills every
 * page of the frame buffer, and a page first touched by a store costs a
 * fault each (256 of the 270 a storm's recorder took; about 10 us each on
 * a VM); one populating call does the same work for less.  Linux 5.14 and
 * later; elsewhere, or if refused, the pages come by faults as before.
 */
static void populate(void *p, size_t len)
{
#ifdef MADV_POPULATE_WRITE
	long page = sysconf(_SC_PAGESIZE);
	uintptr_t a, b;

	if (page <= 0 || !p)
		return;
	a = ((uintptr_t)p + (uintptr_t)page - 1) & ~((uintptr_t)page - 1);
	b = ((uintptr_t)p + len) & ~((uintptr_t)page - 1);
	if (b > a)
		(void)madvise((void *)a, b - a, MADV_POPULATE_WRITE);
#else
	(void)p;
	(void)len;
#endif
}

int skr_writer_open(struct skr_writer **wp, int fd,
		    const struct skr_writer_opts *opts)
{
	struct skr_writer *w = NULL;
	int level = 1;
	size_t frame_bytes = FRAME_BYTES_DEFAULT;
	int rc;

	if (!wp || fd < 0)
		return -EINVAL;
	*wp = NULL;
	if (opts && opts->level)
		level = opts->level;
	if (opts && opts->frame_bytes)
		frame_bytes = opts->frame_bytes;
	if (frame_bytes > SKR_FRAME_MAX)
		frame_bytes = SKR_FRAME_MAX;
	if (level < ZSTD_minCLevel() || level > ZSTD_maxCLevel())
		return -EINVAL;

	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->fd = fd;
	w->delta = true;
	w->frame_bytes = frame_bytes;
	w->out_cap = OUT_BYTES;
	/* A record larger than frame_bytes still fits in a frame of its own. */
	w->buf_cap = frame_bytes > SKR_REC_MAX ? frame_bytes : SKR_REC_MAX;
	w->buf = malloc(w->buf_cap);
	w->out = malloc(w->out_cap);
	w->cctx = ZSTD_createCCtx();
	if (!w->buf || !w->out || !w->cctx) {
		rc = -ENOMEM;
		goto fail;
	}
	rc = cctx_setup(w->cctx, level, w->buf_cap);
	if (rc)
		goto fail;
	populate(w->buf, w->buf_cap);
	populate(w->out, w->out_cap);
	*wp = w;
	return 0;
fail:
	ZSTD_freeCCtx(w->cctx);
	free(w->out);
	free(w->buf);
	free(w);
	return rc;
}

static int write_all(int fd, const uint8_t *p, size_t n, uint64_t *done)
{
	while (n > 0) {
		ssize_t k = write(fd, p, n);

		if (k < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (k == 0)
			return -EIO;
		p += k;
		n -= (size_t)k;
		*done += (uint64_t)k;
	}
	return 0;
}

/* Write the compressed bytes held back, if any. */
static int drain(struct skr_writer *w)
{
	int rc;

	if (w->out_len == 0)
		return 0;
	rc = write_all(w->fd, w->out, w->out_len, &w->bytes_out);
	w->out_len = 0;
	if (rc)
		w->err = rc;
	return rc;
}

/*
 * Compress the block being built as one block (ZSTD_e_flush) or as the
 * last one of the frame (ZSTD_e_end).  What zstd produced stays in w->out
 * until the output buffer is full, or, with now, is written at once.
 */
static int push(struct skr_writer *w, ZSTD_EndDirective mode, bool now)
{
	ZSTD_inBuffer in = { w->buf, w->frame_in, w->done };
	size_t left;
	int rc;

	for (;;) {
		ZSTD_outBuffer out = { w->out, w->out_cap, w->out_len };

		left = ZSTD_compressStream2(w->cctx, &out, &in, mode);
		if (ZSTD_isError(left)) {
			/* Parameters were checked at open: only memory fails. */
			w->err = -ENOMEM;
			return w->err;
		}
		w->out_len = out.pos;
		/* left > 0: zstd holds more than the buffer had room for. */
		if (left == 0 && !now && w->out_len < w->out_cap)
			break;
		rc = drain(w);
		if (rc)
			return rc;
		if (left == 0)
			break;
	}
	w->done = in.pos;
	return 0;
}

int skr_writer_sync(struct skr_writer *w)
{
	if (!w)
		return -EINVAL;
	if (w->err)
		return w->err;
	if (w->done == w->frame_in)
		return drain(w);
	return push(w, ZSTD_e_flush, true);
}

/* End the open frame; its bytes are written now or at the next sync. */
static int end_frame(struct skr_writer *w, bool now)
{
	int rc;

	if (w->frame_in == 0)
		return now ? drain(w) : 0;
	rc = push(w, ZSTD_e_end, now);
	if (rc)
		return rc;
	/*
	 * zstd is done with the frame's bytes: the next one starts over, and
	 * so does the delta chain, so that every frame decodes on its own.
	 */
	w->frame_in = 0;
	w->done = 0;
	w->prev_ts = 0;
	w->prev_cookie = 0;
	return 0;
}

int skr_writer_flush(struct skr_writer *w)
{
	if (!w)
		return -EINVAL;
	if (w->err)
		return w->err;
	return end_frame(w, true);
}

int skr_writer_append(struct skr_writer *w, const void *rec, size_t len)
{
	int rc;

	if (!w || !rec || len < SKR_REC_MIN || len > SKR_REC_MAX ||
	    get_le32(rec) != len)
		return -EINVAL;
	if (w->err)
		return w->err;
	if (w->frame_in > 0 && w->frame_in + len > w->frame_bytes) {
		rc = end_frame(w, false);
		if (rc)
			return rc;
	}
	if (w->frame_in - w->done + len > BLOCK_BYTES) {
		/* A block ends here, but reaches the file at the next sync. */
		rc = push(w, ZSTD_e_flush, false);
		if (rc)
			return rc;
	}
	/* Fits: frame_in + len <= frame_bytes here, or frame_in is 0. */
	memcpy(w->buf + w->frame_in, rec, len);
	delta_encode(w, w->buf + w->frame_in, rec, len);
	w->frame_in += len;
	w->bytes_in += len;
	/*
	 * The file header in a block of its own: a file cut anywhere after
	 * its first few dozen bytes still says it is a sockrec trace.
	 */
	if (get_le16((const uint8_t *)rec + 4) == SKR_REC_FILE_HEADER)
		return skr_writer_sync(w);
	return 0;
}

/*
 * Records per pass of skr_writer_append_run(): their lengths are checked
 * once, into this many slots on the stack, before one copy of them all.
 */
#define RUN_RECS	64

/*
 * The leading records of p (at most RUN_RECS) that the open block and
 * frame take as they are: each whole and of a valid length, none a
 * FILE_HEADER.  Their lengths go to lens; returns their total bytes (0 if
 * the first one needs skr_writer_append()'s care), *count their number.
 */
static size_t run_fit(const struct skr_writer *w, const uint8_t *p,
		      size_t len, uint32_t *lens, unsigned *count)
{
	size_t room = BLOCK_BYTES - (w->frame_in - w->done), n = 0;
	unsigned k = 0;
	uint32_t rl;

	if (w->frame_in >= w->frame_bytes)
		room = 0;
	else if (w->frame_bytes - w->frame_in < room)
		room = w->frame_bytes - w->frame_in;
	while (k < RUN_RECS && len - n >= SKR_REC_MIN) {
		rl = get_le32(p + n);
		if (rl < SKR_REC_MIN || rl > SKR_REC_MAX || rl > len - n ||
		    rl > room - n ||
		    get_le16(p + n + 4) == SKR_REC_FILE_HEADER)
			break;
		lens[k++] = rl;
		n += rl;
	}
	*count = k;
	return n;
}

int skr_writer_append_run(struct skr_writer *w, const void *recs, size_t len)
{
	const uint8_t *p = recs;
	uint32_t lens[RUN_RECS];
	unsigned i, k;
	size_t n, off;
	uint8_t *dst;
	int rc;

	if (!w || (!recs && len))
		return -EINVAL;
	if (w->err)
		return w->err;
	while (len > 0) {
		n = run_fit(w, p, len, lens, &k);
		if (n == 0) {
			/*
			 * The first record ends the block or the frame, is a
			 * FILE_HEADER or is bad: the one-record path decides
			 * (and refuses a bad one with -EINVAL).
			 */
			n = len >= SKR_REC_MIN ? get_le32(p) : len;
			if (n < SKR_REC_MIN || n > len)
				return -EINVAL;
			rc = skr_writer_append(w, p, n);
			if (rc)
				return rc;
		} else {
			dst = w->buf + w->frame_in;
			memcpy(dst, p, n);
			for (i = 0, off = 0; i < k; off += lens[i++])
				delta_encode(w, dst + off, p + off, lens[i]);
			w->frame_in += n;
			w->bytes_in += n;
		}
		p += n;
		len -= n;
	}
	return 0;
}

uint64_t skr_writer_bytes_in(const struct skr_writer *w)
{
	return w ? w->bytes_in : 0;
}

uint64_t skr_writer_bytes_out(const struct skr_writer *w)
{
	return w ? w->bytes_out : 0;
}

int skr_writer_close(struct skr_writer *w)
{
	int rc;

	if (!w)
		return 0;
	rc = skr_writer_flush(w);
	ZSTD_freeCCtx(w->cctx);
	free(w->out);
	free(w->buf);
	free(w);
	return rc;
}
