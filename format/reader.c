// SPDX-License-Identifier: BSD-2-Clause
/*
 * Trace reader (docs/FORMAT.md §2-§6, §8).  Input may come from strangers: every
 * length is checked before use, memory is one input buffer plus one frame
 * buffer of at most SKR_FRAME_MAX, and the zstd window is capped.  Records
 * are handed out from complete, checksum-verified frames and, when the input
 * ends inside a frame, from what zstd decoded of that last frame: every
 * complete block (a compressed block decodes only once all of it is in; a
 * raw one as it arrives), less a record cut at the end.  So a file cut at
 * any byte reads up to its last complete block, and status says that the
 * frame's checksum was never seen.
 *
 * Decode-ahead (skr_reader_prefetch): a worker thread runs the same frame
 * layer on a second reader that owns the input, one frame ahead, and the
 * caller applies each frame's result (buffer, status, error) when it
 * takes the frame, so what it sees is what the single thread gives.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include <zstd.h>

#include "delta.h"
#include "skr.h"

#define IN_BUF_SIZE	(128u << 10)
#define FRAME_BUF_MIN	(64u << 10)
#define EVENT_MIN	(sizeof(struct skr_rec_hdr) + sizeof(struct skr_ev_common))

/* RFC 8878 frame header: magic (4), descriptor (1), then optional fields. */
#define ZHDR_PREFIX	5u
#define ZHDR_CHECKSUM	0x04u
#define SKIP_HDR	8u

#ifdef __GNUC__
#define PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define PRINTF(a, b)
#endif

struct skr_reader {
	char *name;
	int fd;			/* -1 when reading memory */
	bool own_fd;
	bool eof;		/* nothing more will come from the source */
	bool cut;		/* the input ended inside a frame */
	bool partial;		/* frame[] holds the blocks of an unfinished frame */
	bool done;
	int err;		/* sticky */

	const uint8_t *in;	/* in_buf, or the caller's memory */
	uint8_t *in_buf;
	size_t in_pos, in_len;
	uint64_t frame_off;	/* input offset where the current frame starts */

	ZSTD_DCtx *dctx;
	uint8_t *frame;
	size_t frame_cap, frame_len, frame_pos;
	uint64_t frame_idx;	/* index of the frame in frame[] */
	/*
	 * Decode-ahead: frame[0, checked) holds whole records the worker
	 * already took with take_record() (every check passed, deltas
	 * undone in place), so take_checked() only hands them out.  0 when
	 * this reader decoded the frame itself.
	 */
	size_t checked;
	/*
	 * frame[plain_from, checked) holds no FILE_HEADER, no END and no
	 * record of a type this reader does not know (take_record() moves
	 * it past each, walk_frame() starts it at 0): handing one of those
	 * out is the count alone (take_plain()).
	 */
	size_t plain_from;

	/*
	 * The frame being decoded, kept between calls so that a followed
	 * input (skr_reader_follow) hands out each block's records as it
	 * arrives: in_frame while zstd has not seen the frame's end.
	 */
	bool in_frame;
	ZSTD_outBuffer zout;
	uint8_t scratch;	/* zout.dst once frame[] is at SKR_FRAME_MAX */
	size_t grow_told;	/* frame_len when its records were last offered */
	uint64_t frame_recs;	/* records handed out of it so far */

	bool follow;		/* skr_reader_follow() */
	bool follow_file;	/* a regular file: read() 0 means "not yet" */
	struct skr_follow fo;

	/*
	 * skr_rec_min_len() of the last record's type: a file is mostly one
	 * or two types, and the catalogue is a call away.
	 */
	bool mlen_valid;
	uint16_t mlen_type;
	size_t mlen;

	bool seg_ended;		/* the current segment saw its END */
	uint16_t seg_minor;
	/*
	 * The delta chain of docs/FORMAT.md §4.7.1: in a segment of major 2
	 * (seg_delta), the absolute time and cookie of the last event record
	 * handed out of the current frame; 0 at a frame's first record and
	 * at a FILE_HEADER.
	 */
	bool seg_delta;
	uint64_t prev_ts;
	uint64_t prev_cookie;
	struct skr_reader_status st;
	char msg[512];

	bool want_prefetch;	/* skr_reader_prefetch(), not started yet */
	bool walk_failed;	/* the worker's reader: walk_frame() stopped */
	struct skr_prefetch *pf;	/* the caller's reader: the worker */
	atomic_bool *quit;	/* the worker's reader: stop reading */
};

/*
 * The worker and its one frame of look-ahead.  Three places hold frame
 * buffers, and at most two buffers exist: the caller's (walked), and
 * either the worker's (being decoded), the result (decoded, not taken)
 * or the spare (given back, not yet taken by the worker).
 */
struct skr_prefetch {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;	/* full or spare changed, or quit */
	atomic_bool quit;
	struct skr_reader dec;	/* owns the input, dctx and in_buf */

	bool spare_set;
	uint8_t *spare;
	size_t spare_cap;

	bool full;		/* res holds a frame the caller has not taken */
	struct {
		int rc;		/* next_frame()'s */
		uint8_t *buf;
		size_t cap, len;
		uint64_t idx;
		size_t checked;	/* walk_frame()'s */
		size_t plain_from;
		bool cut, partial;
		uint64_t frames, bytes_in, bytes_out;
		bool partial_frame;
		char msg[512];
	} res;
};

static uint16_t get_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static PRINTF(3, 4) int fail(struct skr_reader *r, int err, const char *fmt, ...)
{
	char what[400];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (n < 0)
		what[0] = '\0';
	n = snprintf(r->msg, sizeof(r->msg), "%s: %s", r->name, what);
	if (n < 0)
		r->msg[0] = '\0';
	r->err = err;
	return err;
}

/* "89 50 4e 47" for the first bytes of p, for messages. */
static const char *hex_bytes(const uint8_t *p, size_t n, char *buf, size_t size)
{
	size_t i, off = 0;

	buf[0] = '\0';
	if (n > 8)
		n = 8;
	for (i = 0; i < n; i++) {
		int k = snprintf(buf + off, size - off, "%s%02x", i ? " " : "",
				 p[i]);

		if (k < 0 || (size_t)k >= size - off)
			break;
		off += (size_t)k;
	}
	return buf;
}

static size_t in_avail(const struct skr_reader *r)
{
	return r->in_len - r->in_pos;
}

static void in_consume(struct skr_reader *r, size_t n)
{
	r->in_pos += n;
	r->st.bytes_in += n;
}

/*
 * Followed input only: nothing new has come.  At a frame boundary after
 * the END of every segment of a file (stop_at_end; a pipe ends at its
 * EOF, since it may carry a concatenation), that is the end, unless the
 * caller's next hands over the file that goes on (end_or_next);
 * otherwise ask the caller (idle) whether to stop, and wait a while:
 * for a pipe until it is readable, for a file a fixed interval.  A stop
 * reads as the end of the input.
 */
static void end_or_next(struct skr_reader *r)
{
	int fd = -1;

	if (!r->fo.next || r->fo.next(r->fo.ctx, &fd) != 1 || fd < 0) {
		r->eof = true;
		return;
	}
	if (r->own_fd)
		close(r->fd);
	r->fd = fd;
	r->own_fd = true;
}

static void follow_wait(struct skr_reader *r)
{
	struct pollfd pfd;
	struct timespec ts;

	if (r->fo.stop_at_end && r->follow_file && !r->in_frame &&
	    in_avail(r) == 0 &&
	    r->st.segments > 0 && r->st.segments_ended == r->st.segments) {
		end_or_next(r);
		return;
	}
	if (r->fo.idle && r->fo.idle(r->fo.ctx)) {
		r->eof = true;
		return;
	}
	if (r->fo.interval_ms == 0)
		return;
	if (!r->follow_file) {
		pfd.fd = r->fd;
		pfd.events = POLLIN;
		pfd.revents = 0;
		/* EINTR: the caller looks again, and idle sees the signal. */
		(void)poll(&pfd, 1, (int)r->fo.interval_ms);
		return;
	}
	ts.tv_sec = r->fo.interval_ms / 1000;
	ts.tv_nsec = (long)(r->fo.interval_ms % 1000) * 1000000L;
	(void)nanosleep(&ts, NULL);
}

/* A followed pipe has bytes (or its end) to read now. */
static bool stream_ready(const struct skr_reader *r)
{
	struct pollfd pfd;

	if (!r->follow || r->follow_file)
		return true;
	pfd.fd = r->fd;
	pfd.events = POLLIN;
	pfd.revents = 0;
	return poll(&pfd, 1, 0) > 0;
}

/*
 * The worker's reader: wait until the input is readable, looking at the
 * quit flag now and then, so that skr_reader_free() never waits on a pipe
 * that has nothing to say.  False when told to quit.
 */
static bool quit_wait(const struct skr_reader *r)
{
	struct pollfd pfd;
	int n;

	for (;;) {
		if (atomic_load(r->quit))
			return false;
		pfd.fd = r->fd;
		pfd.events = POLLIN;
		pfd.revents = 0;
		n = poll(&pfd, 1, 100);
		/* Ready, or an error that read() will name. */
		if (n > 0 || (n < 0 && errno != EINTR))
			return !atomic_load(r->quit);
	}
}

/*
 * One read into in_buf.  Returns 0 with *got the bytes read (0 at the end
 * of a stream or file, or, when followed, if nothing is there now), or a
 * negative errno.
 */
static int in_read(struct skr_reader *r, size_t *got)
{
	ssize_t n;

	*got = 0;
	if (r->in_pos > 0) {
		memmove(r->in_buf, r->in_buf + r->in_pos, in_avail(r));
		r->in_len -= r->in_pos;
		r->in_pos = 0;
	}
	if (r->in_len == IN_BUF_SIZE || !stream_ready(r))
		return 0;
	if (r->quit && !quit_wait(r))
		return fail(r, -ECANCELED, "read: stopped");
	for (;;) {
		n = read(r->fd, r->in_buf + r->in_len, IN_BUF_SIZE - r->in_len);
		if (n >= 0)
			break;
		if (errno == EINTR && r->follow)
			return 0;	/* the caller's idle hears of it */
		if (errno != EINTR) {
			int e = errno;

			return fail(r, -e, "read: %s", strerror(e));
		}
	}
	/* End of a stream, or of an input that is not followed. */
	if (n == 0 && (!r->follow || !r->follow_file))
		r->eof = true;
	r->in_len += (size_t)n;
	*got = (size_t)n;
	return 0;
}

/*
 * Make at least need bytes (need <= IN_BUF_SIZE) available unless the
 * source ends first; fewer are available only at EOF.  A followed input
 * waits for them (follow_wait), and ends when its caller stops it.
 */
static int in_fill(struct skr_reader *r, size_t need)
{
	size_t got;
	int rc;

	if (in_avail(r) >= need || r->eof)
		return 0;
	if (!r->in_buf) {
		r->eof = true;
		return 0;
	}
	while (in_avail(r) < need && !r->eof) {
		rc = in_read(r, &got);
		if (rc)
			return rc;
		if (got == 0 && !r->eof)
			follow_wait(r);
	}
	return 0;
}

/* Could these few bytes at EOF be the start of a zstd or skippable frame? */
static bool magic_prefix(const uint8_t *p, size_t n)
{
	static const uint8_t zstd[4] = { 0x28, 0xb5, 0x2f, 0xfd };
	static const uint8_t skip[4] = { 0x50, 0x2a, 0x4d, 0x18 };

	if (memcmp(p, zstd, n) == 0)
		return true;
	return (p[0] & 0xf0) == skip[0] && (n < 2 || memcmp(p + 1, skip + 1, n - 1) == 0);
}

static int bad_magic(struct skr_reader *r, const uint8_t *p, size_t n)
{
	char hex[32];

	hex_bytes(p, n < 4 ? n : 4, hex, sizeof(hex));
	if (r->st.frames == 0)
		return fail(r, -EINVAL, "not a sockrec trace: input does not start "
			    "with a zstd frame (found bytes %s)", hex);
	return fail(r, -EINVAL, "frame %" PRIu64 " at byte %" PRIu64
		    ": not a zstd frame (found bytes %s)", r->st.frames,
		    r->st.bytes_in, hex);
}

/* Returns 1 when skipped, 0 when the input ends inside it. */
static int skip_frame(struct skr_reader *r)
{
	uint32_t left;
	int rc;

	rc = in_fill(r, SKIP_HDR);
	if (rc)
		return rc;
	if (in_avail(r) < SKIP_HDR) {
		r->cut = true;
		return 0;
	}
	left = get_le32(r->in + r->in_pos + 4);
	in_consume(r, SKIP_HDR);
	while (left > 0) {
		size_t n;

		rc = in_fill(r, 1);
		if (rc)
			return rc;
		n = in_avail(r);
		if (n == 0) {
			r->cut = true;
			return 0;
		}
		if (n > left)
			n = left;
		in_consume(r, n);
		left -= (uint32_t)n;
	}
	r->frame_len = r->frame_pos = 0;
	r->st.frames++;
	return 1;
}

static size_t zstd_header_size(uint8_t fhd)
{
	static const size_t did[4] = { 0, 1, 2, 4 };
	static const size_t fcs[4] = { 0, 2, 4, 8 };
	bool single = fhd & 0x20;
	size_t n = ZHDR_PREFIX + (single ? 0 : 1) + did[fhd & 3] + fcs[fhd >> 6];

	if (single && (fhd >> 6) == 0)
		n += 1;
	return n;
}

static int grow_frame(struct skr_reader *r, size_t want)
{
	size_t cap = r->frame_cap ? r->frame_cap : FRAME_BUF_MIN;
	uint8_t *p;

	if (want <= r->frame_cap)
		return 0;
	while (cap < want)
		cap *= 2;
	if (cap > SKR_FRAME_MAX)
		cap = SKR_FRAME_MAX;
	p = realloc(r->frame, cap);
	if (!p)
		return fail(r, -ENOMEM, "frame buffer of %zu bytes: %s", cap,
			    strerror(ENOMEM));
	r->frame = p;
	r->frame_cap = cap;
	return 0;
}

static int too_big(struct skr_reader *r, const char *what)
{
	return fail(r, -EINVAL, "frame %" PRIu64 " at byte %" PRIu64
		    ": decompressed size %s exceeds the limit of %u bytes",
		    r->st.frames, r->frame_off, what, SKR_FRAME_MAX);
}

/*
 * Decode the rest of the frame begun by zstd_frame() into r->frame: 1 done,
 * 0 the input ended inside it, 2 (followed input only) the blocks that came
 * so far hold bytes not yet offered, and more may come.
 */
static int frame_run(struct skr_reader *r)
{
	ZSTD_outBuffer *out = &r->zout;
	size_t got;
	int rc;

	for (;;) {
		ZSTD_inBuffer in;
		size_t ret;

		if (r->follow) {
			/* Offer each block's records before waiting for more. */
			rc = in_avail(r) || r->eof ? 0 : in_read(r, &got);
			if (rc)
				return rc;
			if (in_avail(r) == 0 && !r->eof) {
				if (out->dst != &r->scratch)
					r->frame_len = out->pos;
				if (r->frame_len > r->grow_told) {
					r->grow_told = r->frame_len;
					return 2;
				}
				follow_wait(r);
				continue;
			}
		} else {
			rc = in_fill(r, 1);
			if (rc)
				return rc;
		}
		if (in_avail(r) == 0)
			goto cut_blocks;
		in.src = r->in + r->in_pos;
		in.size = in_avail(r);
		in.pos = 0;
		ret = ZSTD_decompressStream(r->dctx, out, &in);
		in_consume(r, in.pos);
		if (ZSTD_isError(ret))
			return fail(r, -EINVAL, "frame %" PRIu64 " at byte %" PRIu64
				    ": cannot decode: %s", r->st.frames,
				    r->frame_off, ZSTD_getErrorName(ret));
		if (out->dst == &r->scratch && out->pos > 0)
			return too_big(r, "(not recorded)");
		if (ret == 0)
			break;
		if (out->pos < out->size)
			continue;
		if (r->frame_cap < SKR_FRAME_MAX) {
			rc = grow_frame(r, r->frame_cap + 1);
			if (rc)
				return rc;
			out->dst = r->frame;
			out->size = r->frame_cap;
		} else if (out->dst != &r->scratch) {
			/*
			 * The buffer is at the limit but the frame may only
			 * lack its checksum: keep decoding into one spare
			 * byte, and any byte written there is one too many.
			 */
			r->frame_len = out->pos;
			out->dst = &r->scratch;
			out->size = 1;
			out->pos = 0;
		}
	}
	if (out->dst != &r->scratch)
		r->frame_len = out->pos;
	r->in_frame = false;
	r->st.frames++;
	r->st.bytes_out += r->frame_len;
	return 1;
cut_blocks:
	/*
	 * The input ended after the frame header: what zstd produced is the
	 * content of the complete blocks.  Hand it out, marked partial, and
	 * let take_record() drop a record cut at its end.
	 */
	if (out->dst != &r->scratch)
		r->frame_len = out->pos;
	r->in_frame = false;
	r->st.bytes_out += r->frame_len;
	/* A followed frame's records went out before it was cut. */
	r->st.partial_records += r->frame_recs;
	r->partial = r->frame_len > 0;
	r->st.partial_frame = r->partial;
	r->cut = true;
	return 0;
}

/*
 * Start decoding one zstd frame into r->frame, and go on as frame_run():
 * 1 done, 0 input ended inside it, 2 (followed) records so far.
 */
static int zstd_frame(struct skr_reader *r)
{
	unsigned long long csize;
	size_t hsize;
	int rc;

	rc = in_fill(r, ZHDR_PREFIX);
	if (rc)
		return rc;
	if (in_avail(r) < ZHDR_PREFIX)
		goto cut;
	hsize = zstd_header_size(r->in[r->in_pos + 4]);
	rc = in_fill(r, hsize);
	if (rc)
		return rc;
	if (in_avail(r) < hsize)
		goto cut;
	if (!(r->in[r->in_pos + 4] & ZHDR_CHECKSUM))
		return fail(r, -EINVAL, "frame %" PRIu64 " at byte %" PRIu64
			    ": no content checksum (descriptor 0x%02x)",
			    r->st.frames, r->frame_off, r->in[r->in_pos + 4]);
	csize = ZSTD_getFrameContentSize(r->in + r->in_pos, hsize);
	if (csize == ZSTD_CONTENTSIZE_ERROR)
		return fail(r, -EINVAL, "frame %" PRIu64 " at byte %" PRIu64
			    ": invalid zstd frame header", r->st.frames,
			    r->frame_off);
	if (csize == ZSTD_CONTENTSIZE_UNKNOWN) {
		rc = grow_frame(r, FRAME_BUF_MIN);
	} else if (csize > SKR_FRAME_MAX) {
		char num[24];

		rc = snprintf(num, sizeof(num), "%llu", csize);
		return too_big(r, rc > 0 ? num : "?");
	} else {
		rc = grow_frame(r, csize > 0 ? (size_t)csize : 1);
	}
	if (rc)
		return rc;

	ZSTD_DCtx_reset(r->dctx, ZSTD_reset_session_only);
	r->zout.dst = r->frame;
	r->zout.size = r->frame_cap;
	r->zout.pos = 0;
	r->frame_len = r->frame_pos = 0;
	r->grow_told = 0;
	r->frame_recs = 0;
	r->frame_idx = r->st.frames;
	r->in_frame = true;
	return frame_run(r);
cut:
	r->cut = true;
	return 0;
}

/* Next frame with records: 1 loaded, 0 end of input, < 0 error. */
static int next_frame(struct skr_reader *r)
{
	if (r->cut)
		return 0;
	for (;;) {
		const uint8_t *p;
		uint32_t magic;
		size_t n;
		int rc;

		rc = in_fill(r, 4);
		if (rc)
			return rc;
		p = r->in + r->in_pos;
		n = in_avail(r);
		r->frame_off = r->st.bytes_in;
		if (n == 0)
			return 0;
		if (n < 4) {
			if (!magic_prefix(p, n))
				return bad_magic(r, p, n);
			r->cut = true;
			return 0;
		}
		magic = get_le32(p);
		if ((magic & ZSTD_MAGIC_SKIPPABLE_MASK) == ZSTD_MAGIC_SKIPPABLE_START)
			rc = skip_frame(r);
		else if (magic == ZSTD_MAGICNUMBER)
			rc = zstd_frame(r);
		else
			return bad_magic(r, p, n);
		if (rc < 0)
			return rc;
		if (rc == 2)
			return 1;
		if (r->cut)
			return r->partial ? 1 : 0;
		if (r->frame_len > 0)
			return 1;
	}
}

/*
 * Shortest valid length of a record type.  A type this reader does not know
 * still has to be a whole header, and an event (skr_rec_is_event) must also carry
 * the common event fields, so that it can be time-ordered and skipped.
 */
static size_t min_len(uint16_t type)
{
	size_t n = skr_rec_min_len(type);

	if (n)
		return n;
	return skr_rec_is_event(type) ? EVENT_MIN : SKR_REC_MIN;
}

static bool known_type(uint16_t type)
{
	return skr_rec_min_len(type) != 0;
}

static const char *type_str(uint16_t type, char *buf, size_t size)
{
	int n;

	if (known_type(type))
		return skr_rec_type_name(type, buf, size);
	n = snprintf(buf, size, "type 0x%04x", type);
	return n > 0 && (size_t)n < size ? buf : "of unknown type";
}

static int start_segment(struct skr_reader *r, const struct skr_record *rec)
{
	struct skr_file_header fh;
	char hex[32];

	if (skr_decode_file_header(rec, &fh))
		return fail(r, -EINVAL, "FILE_HEADER at frame %" PRIu64
			    " offset %zu: cannot decode", r->frame_idx,
			    r->frame_pos);
	if (memcmp(fh.magic, SKR_MAGIC, SKR_MAGIC_LEN) != 0)
		return fail(r, -EINVAL, "not a sockrec trace: FILE_HEADER at frame %"
			    PRIu64 " offset %zu has magic %s, expected \"%s\"",
			    r->frame_idx, r->frame_pos,
			    hex_bytes((const uint8_t *)fh.magic, SKR_MAGIC_LEN,
				      hex, sizeof(hex)), SKR_MAGIC);
	if (fh.major > SKR_VERSION_MAJOR)
		return fail(r, -EPROTONOSUPPORT, "trace format version %u.%u is "
			    "newer than this reader (%u.%u); a newer sockana is "
			    "needed", fh.major, fh.minor, SKR_VERSION_MAJOR,
			    SKR_VERSION_MINOR);
	/* 1.x differs from 2.x only by the deltas (§4.7.1): both are read. */
	if (fh.major < 1)
		return fail(r, -EPROTONOSUPPORT, "trace format version %u.%u is "
			    "not supported by this reader (%u.%u)", fh.major,
			    fh.minor, SKR_VERSION_MAJOR, SKR_VERSION_MINOR);
	if (r->st.segments == 0) {
		r->st.major = fh.major;
		r->st.minor = fh.minor;
	}
	r->st.segments++;
	r->seg_minor = fh.minor;
	r->seg_ended = false;
	r->seg_delta = fh.major >= SKR_VERSION_MAJOR_DELTA;
	r->prev_ts = 0;
	r->prev_cookie = 0;
	return 0;
}

/*
 * The delta chain starts over with each frame's records, so that every
 * frame decodes on its own (§4.7.1).  frame_pos is 0 exactly when the
 * next record is the first of a frame: the frame layer starts each frame
 * there, and a followed frame's later blocks only add to frame_len.  Called
 * for every record handed out; a record offered twice (a followed frame
 * waiting for the rest of it) was not handed out the first time.
 */
static void delta_frame_start(struct skr_reader *r)
{
	if (r->frame_pos == 0) {
		r->prev_ts = 0;
		r->prev_cookie = 0;
	}
}

/*
 * An event record of a major-2 segment, about to be handed out: its time
 * and cookie back to absolute values, in place in the frame buffer, so
 * that every consumer sees them as a 1.x file has them.
 */
static void delta_decode(struct skr_reader *r, uint8_t *p)
{
	r->prev_ts = skr_delta_undo(skr_delta_get64(p + SKR_EV_TS_OFF),
				    r->prev_ts);
	r->prev_cookie = skr_delta_undo(skr_delta_get64(p + SKR_EV_COOKIE_OFF),
					r->prev_cookie);
	skr_delta_put64(p + SKR_EV_TS_OFF, r->prev_ts);
	skr_delta_put64(p + SKR_EV_COOKIE_OFF, r->prev_cookie);
}

/* rec from the header at p; its length is checked, or was by the worker. */
static inline void rec_header(struct skr_record *rec, const uint8_t *p)
{
	rec->data = p;
	rec->len = get_le32(p);
	rec->type = get_le16(p + 4);
	rec->flags = get_le16(p + 6);
}

/*
 * Hand out the record at frame_pos, whose header rec holds: its file, the
 * counts, and frame_pos past it.  Returns 1, what the take_* functions do.
 */
static inline int hand_out(struct skr_reader *r, struct skr_record *rec)
{
	rec->segment = r->st.segments - 1;
	rec->minor = r->seg_minor;
	r->st.records++;
	r->frame_recs++;
	r->frame_pos += rec->len;
	return 1;
}

/* Check the record at frame_pos and hand it out. */
static int take_record(struct skr_reader *r, struct skr_record *rec)
{
	const uint8_t *p = r->frame + r->frame_pos;
	size_t left = r->frame_len - r->frame_pos;
	char tbuf[32];
	size_t known;		/* the type's minimum length; 0: unknown */
	uint32_t len;
	uint16_t type;
	int rc;

	/*
	 * A followed frame still arriving: a record not wholly decoded yet
	 * is waited for (a bad length still reads as one).
	 */
	if (r->in_frame && (left < SKR_REC_MIN ||
			    (get_le32(p) >= SKR_REC_MIN &&
			     get_le32(p) <= SKR_REC_MAX && get_le32(p) > left)))
		return 0;
	/*
	 * The end of an unfinished frame may cut a record that a writer older
	 * than the block layout let span blocks: that record is part of what
	 * the cut lost, not an error.  Its length is checked first so that a
	 * bad length still reads as one.
	 */
	if (r->partial && (left < SKR_REC_MIN ||
			   (get_le32(p) >= SKR_REC_MIN &&
			    get_le32(p) <= SKR_REC_MAX && get_le32(p) > left))) {
		/* A sockrec trace cut inside its FILE_HEADER still says so. */
		if (r->st.segments == 0 && left >= SKR_REC_MIN + SKR_MAGIC_LEN &&
		    get_le16(p + 4) == SKR_REC_FILE_HEADER &&
		    memcmp(p + SKR_REC_MIN, SKR_MAGIC, SKR_MAGIC_LEN) == 0)
			r->st.cut_magic = true;
		r->st.partial_dropped += left;
		r->frame_pos = r->frame_len;
		return 0;
	}
	/*
	 * Until a FILE_HEADER has been seen the bytes may be any zstd data:
	 * say it is not a trace rather than describe a record it never was.
	 */
	if (r->st.segments == 0) {
		if (left < SKR_REC_MIN)
			return fail(r, -EINVAL, "not a sockrec trace: the first "
				    "frame holds %zu bytes, too few for a record",
				    left);
		if (get_le16(p + 4) != SKR_REC_FILE_HEADER &&
		    !skr_file_header_swapped(p, left))
			return fail(r, -EINVAL, "not a sockrec trace: first record "
				    "is type 0x%04x, expected FILE_HEADER",
				    get_le16(p + 4));
	}
	if (left < SKR_REC_MIN)
		return fail(r, -EINVAL, "frame %" PRIu64 " offset %zu: %zu bytes "
			    "left, too few for a record header", r->frame_idx,
			    r->frame_pos, left);
	/* A big-endian header's length starts with a zero byte. */
	if (p[0] == 0 && skr_file_header_swapped(p, left))
		return fail(r, -EINVAL, "FILE_HEADER at frame %" PRIu64 " offset "
			    "%zu is big-endian, but the trace format is little-endian "
			    "on every host (docs/FORMAT.md); this file cannot be "
			    "read", r->frame_idx, r->frame_pos);
	len = get_le32(p);
	type = get_le16(p + 4);
	if (len < SKR_REC_MIN || len > SKR_REC_MAX)
		return fail(r, -EINVAL, "record %s at frame %" PRIu64 " offset %zu:"
			    " length %" PRIu32 " out of range [%u, %u]",
			    type_str(type, tbuf, sizeof(tbuf)), r->frame_idx,
			    r->frame_pos, len, SKR_REC_MIN, SKR_REC_MAX);
	if (len > left)
		return fail(r, -EINVAL, "record %s at frame %" PRIu64 " offset %zu:"
			    " length %" PRIu32 " runs past the end of the frame "
			    "(%zu bytes left)", type_str(type, tbuf, sizeof(tbuf)),
			    r->frame_idx, r->frame_pos, len, left);
	if (!r->mlen_valid || r->mlen_type != type) {
		r->mlen = skr_rec_min_len(type);
		r->mlen_type = type;
		r->mlen_valid = true;
	}
	known = r->mlen;
	if (len < (known ? known : min_len(type)))
		return fail(r, -EINVAL, "record %s at frame %" PRIu64 " offset %zu:"
			    " length %" PRIu32 " shorter than %zu",
			    type_str(type, tbuf, sizeof(tbuf)), r->frame_idx,
			    r->frame_pos, len, min_len(type));

	rec->data = p;
	rec->len = len;
	rec->type = type;
	rec->flags = get_le16(p + 6);

	delta_frame_start(r);
	if (type == SKR_REC_FILE_HEADER) {
		rc = start_segment(r, rec);
		if (rc)
			return rc;
		r->plain_from = r->frame_pos + len;
	} else if (r->st.segments == 0) {
		return fail(r, -EINVAL, "not a sockrec trace: first record is "
			    "type 0x%04x, expected FILE_HEADER", type);
	} else if (r->seg_ended) {
		return fail(r, -EINVAL, "record %s at frame %" PRIu64 " offset %zu"
			    " follows the END of segment %" PRIu32 "; only a "
			    "FILE_HEADER may", type_str(type, tbuf, sizeof(tbuf)),
			    r->frame_idx, r->frame_pos, r->st.segments - 1);
	}
	if (type == SKR_REC_END) {
		r->seg_ended = true;
		r->st.segments_ended++;
		r->plain_from = r->frame_pos + len;
	}
	if (!known) {
		r->st.skipped++;
		r->plain_from = r->frame_pos + len;
	}
	/* Events are at least EVENT_MIN long here (min_len). */
	if (r->seg_delta && skr_rec_is_event(type))
		delta_decode(r, r->frame + r->frame_pos);
	if (r->partial)
		r->st.partial_records++;
	return hand_out(r, rec);
}

/*
 * A record below r->checked: the worker's take_record() passed it with
 * the state this reader has now (both took the same records before it),
 * so only what the caller and the status see is left to do.
 */
static int take_checked(struct skr_reader *r, struct skr_record *rec)
{
	uint16_t type;
	int rc;

	rec_header(rec, r->frame + r->frame_pos);
	type = rec->type;
	if (type == SKR_REC_FILE_HEADER) {
		/* It decoded and passed in the worker: it does here too. */
		rc = start_segment(r, rec);
		if (rc)
			return rc;
	} else if (type == SKR_REC_END) {
		r->seg_ended = true;
		r->st.segments_ended++;
	}
	if (!r->mlen_valid || r->mlen_type != type) {
		r->mlen = skr_rec_min_len(type);
		r->mlen_type = type;
		r->mlen_valid = true;
	}
	if (!r->mlen)
		r->st.skipped++;
	return hand_out(r, rec);
}

/*
 * A record in frame[plain_from, checked): take_checked() without the
 * tests that only a FILE_HEADER, an END or an unknown type passes (most
 * records of most frames; once per event).
 */
static int take_plain(struct skr_reader *r, struct skr_record *rec)
{
	rec_header(rec, r->frame + r->frame_pos);
	return hand_out(r, rec);
}

/*
 * The worker, on a whole frame just decoded: take its records as the
 * caller will (the checks of take_record(), the deltas undone in place),
 * keeping the record state of its own reader in step with the caller's.
 * Stops at the first record that fails: the caller's take_record() meets
 * it with the same state and reports it, after the same records, with the
 * same message.  Nothing is walked after a failure (the caller's error is
 * sticky) or in a cut frame (its end is the caller's to judge).
 */
static void walk_frame(struct skr_reader *d)
{
	struct skr_record rec;

	d->frame_pos = 0;
	d->plain_from = 0;
	if (d->walk_failed || d->partial)
		return;
	while (d->frame_pos < d->frame_len) {
		if (take_record(d, &rec) != 1) {
			d->walk_failed = true;
			break;
		}
	}
}

static void *pf_main(void *arg)
{
	struct skr_prefetch *pf = arg;
	struct skr_reader *d = &pf->dec;
	int rc;

	pthread_mutex_lock(&pf->lock);
	for (;;) {
		while (!atomic_load(&pf->quit) && (pf->full || !pf->spare_set))
			pthread_cond_wait(&pf->cond, &pf->lock);
		if (atomic_load(&pf->quit))
			break;
		d->frame = pf->spare;
		d->frame_cap = pf->spare_cap;
		pf->spare = NULL;
		pf->spare_set = false;
		pthread_mutex_unlock(&pf->lock);

		rc = next_frame(d);
		if (rc > 0)
			walk_frame(d);

		pthread_mutex_lock(&pf->lock);
		pf->res.rc = rc;
		pf->res.buf = d->frame;
		pf->res.cap = d->frame_cap;
		pf->res.len = d->frame_len;
		pf->res.idx = d->frame_idx;
		pf->res.checked = rc > 0 ? d->frame_pos : 0;
		pf->res.plain_from = rc > 0 ? d->plain_from : 0;
		pf->res.cut = d->cut;
		pf->res.partial = d->partial;
		pf->res.frames = d->st.frames;
		pf->res.bytes_in = d->st.bytes_in;
		pf->res.bytes_out = d->st.bytes_out;
		pf->res.partial_frame = d->st.partial_frame;
		if (rc < 0)
			memcpy(pf->res.msg, d->msg, sizeof(pf->res.msg));
		d->frame = NULL;
		d->frame_cap = 0;
		pf->full = true;
		pthread_cond_broadcast(&pf->cond);
		if (rc <= 0)
			break;	/* the end, or an error: nothing follows */
	}
	pthread_mutex_unlock(&pf->lock);
	return NULL;
}

/*
 * Hand the input over to a worker.  The worker's reader starts as a copy
 * of this one before any byte was read; this one keeps the name (shared,
 * read-only), the record state and its status, and reads nothing more.
 */
static int pf_start(struct skr_reader *r)
{
	struct skr_prefetch *pf;
	sigset_t all, old;
	int rc;

	pf = calloc(1, sizeof(*pf));
	if (!pf)
		return -ENOMEM;
	rc = pthread_mutex_init(&pf->lock, NULL);
	if (rc)
		goto fail_lock;
	rc = pthread_cond_init(&pf->cond, NULL);
	if (rc)
		goto fail_cond;
	atomic_init(&pf->quit, false);
	pf->dec = *r;
	pf->dec.quit = &pf->quit;
	pf->spare = r->frame;
	pf->spare_cap = r->frame_cap;
	pf->spare_set = true;
	/* Signals stay with the caller's threads. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&pf->thread, NULL, pf_main, pf);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc)
		goto fail_thread;
	r->own_fd = false;
	r->in = r->in_buf = NULL;
	r->dctx = NULL;
	r->frame = NULL;
	r->frame_cap = 0;
	r->pf = pf;
	return 0;
fail_thread:
	pthread_cond_destroy(&pf->cond);
fail_cond:
	pthread_mutex_destroy(&pf->lock);
fail_lock:
	free(pf);
	return -rc;
}

/*
 * next_frame() for a prefetching reader: the worker's result for the next
 * frame, applied as if this reader had decoded it.  A worker that cannot
 * be started leaves the reader single-threaded, which reads the same.
 */
static int pf_take(struct skr_reader *r)
{
	struct skr_prefetch *pf = r->pf;
	int rc;

	if (!pf) {
		if (pf_start(r) != 0) {
			r->want_prefetch = false;
			return next_frame(r);
		}
		pf = r->pf;
	}
	pthread_mutex_lock(&pf->lock);
	while (!pf->full)
		pthread_cond_wait(&pf->cond, &pf->lock);
	pf->spare = r->frame;
	pf->spare_cap = r->frame_cap;
	pf->spare_set = true;
	r->frame = pf->res.buf;
	r->frame_cap = pf->res.cap;
	rc = pf->res.rc;
	/* At the end the worker's last buffer holds nothing to hand out. */
	r->frame_len = rc > 0 ? pf->res.len : 0;
	r->frame_pos = 0;
	r->frame_idx = pf->res.idx;
	r->checked = rc > 0 ? pf->res.checked : 0;
	r->plain_from = rc > 0 ? pf->res.plain_from : 0;
	r->cut = pf->res.cut;
	r->partial = pf->res.partial;
	r->st.frames = pf->res.frames;
	r->st.bytes_in = pf->res.bytes_in;
	r->st.bytes_out = pf->res.bytes_out;
	r->st.partial_frame = pf->res.partial_frame;
	/*
	 * Those are every field the frame layer sets for the caller (a new
	 * one goes in res too); partial_records it adds to only for a
	 * followed frame, which is never prefetched.
	 */
	if (rc < 0) {
		memcpy(r->msg, pf->res.msg, sizeof(r->msg));
		r->err = rc;
	}
	pf->res.buf = NULL;
	pf->full = false;
	pthread_cond_broadcast(&pf->cond);
	pthread_mutex_unlock(&pf->lock);
	return rc;
}

/* Stop and join the worker wherever it is, and free what it holds. */
static void pf_stop(struct skr_prefetch *pf)
{
	struct skr_reader *d = &pf->dec;

	pthread_mutex_lock(&pf->lock);
	atomic_store(&pf->quit, true);
	pthread_cond_broadcast(&pf->cond);
	pthread_mutex_unlock(&pf->lock);
	pthread_join(pf->thread, NULL);
	free(pf->res.buf);
	free(pf->spare);
	if (d->own_fd)
		close(d->fd);
	free(d->frame);
	ZSTD_freeDCtx(d->dctx);
	free(d->in_buf);
	pthread_cond_destroy(&pf->cond);
	pthread_mutex_destroy(&pf->lock);
	free(pf);
}

bool skr_reader_span(const struct skr_reader *r, struct skr_span *sp)
{
	if (r->err || r->frame_pos < r->plain_from ||
	    r->frame_pos >= r->checked)
		return false;
	sp->data = r->frame + r->frame_pos;
	sp->len = r->checked - r->frame_pos;
	sp->segment = r->st.segments - 1;
	sp->minor = r->seg_minor;
	return true;
}

/* hand_out() of records records of bytes bytes together. */
void skr_reader_span_done(struct skr_reader *r, size_t bytes,
			  uint64_t records)
{
	r->st.records += records;
	r->frame_recs += records;
	r->frame_pos += bytes;
}

int skr_reader_next(struct skr_reader *r, struct skr_record *rec)
{
	int rc;

	if (!r || !rec)
		return -EINVAL;
	if (r->err)
		return r->err;
	for (;;) {
		if (r->frame_pos < r->checked)
			return r->frame_pos >= r->plain_from ?
			       take_plain(r, rec) : take_checked(r, rec);
		if (r->frame_pos < r->frame_len) {
			rc = take_record(r, rec);
			if (rc != 0)
				return rc;
			if (!r->in_frame)
				continue;	/* a record cut at the end: dropped */
		}
		if (r->in_frame) {
			/* Followed: the frame's next blocks, or its end. */
			rc = frame_run(r);
			if (rc < 0)
				return rc;
			continue;
		}
		if (r->done)
			return 0;
		/* The caller starts a new frame: here, and only here. */
		r->checked = 0;
		rc = r->want_prefetch ? pf_take(r) : next_frame(r);
		if (rc < 0)
			return rc;
		if (rc == 0) {
			r->done = true;
			r->st.truncated = r->cut || r->st.segments == 0 ||
					  r->st.segments_ended != r->st.segments;
			r->st.cut_first_frame = r->cut && r->st.records == 0;
			return 0;
		}
	}
}

static int reader_new(struct skr_reader **rp, int fd, bool own_fd,
		      const char *name)
{
	struct skr_reader *r;
	int rc = -ENOMEM;

	r = calloc(1, sizeof(*r));
	if (!r)
		goto fail;
	r->fd = fd;
	r->own_fd = own_fd;
	r->name = strdup(name);
	r->dctx = ZSTD_createDCtx();
	if (!r->name || !r->dctx)
		goto fail;
	if (ZSTD_isError(ZSTD_DCtx_setParameter(r->dctx, ZSTD_d_windowLogMax,
						SKR_WINDOW_LOG_MAX))) {
		rc = -EINVAL;
		goto fail;
	}
	if (fd >= 0) {
		r->in_buf = malloc(IN_BUF_SIZE);
		if (!r->in_buf)
			goto fail;
		r->in = r->in_buf;
	}
	*rp = r;
	return 0;
fail:
	if (r)
		r->own_fd = false;	/* the caller closes on failure */
	skr_reader_free(r);
	return rc;
}

int skr_reader_open_fd(struct skr_reader **rp, int fd, const char *name)
{
	if (!rp || fd < 0)
		return -EINVAL;
	*rp = NULL;
	return reader_new(rp, fd, false, name ? name : "(fd)");
}

int skr_reader_open(struct skr_reader **rp, const char *path)
{
	int fd, rc;

	if (!rp || !path)
		return -EINVAL;
	*rp = NULL;
	if (strcmp(path, "-") == 0)
		return reader_new(rp, STDIN_FILENO, false, "(stdin)");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	rc = reader_new(rp, fd, true, path);
	if (rc)
		close(fd);
	return rc;
}

int skr_reader_open_mem(struct skr_reader **rp, const void *buf, size_t len)
{
	int rc;

	if (!rp || (!buf && len))
		return -EINVAL;
	*rp = NULL;
	rc = reader_new(rp, -1, false, "(memory)");
	if (rc)
		return rc;
	(*rp)->in = buf;
	(*rp)->in_len = len;
	(*rp)->eof = true;
	return 0;
}

int skr_reader_prefetch(struct skr_reader *r, bool on)
{
	if (!r || r->follow || r->pf || r->done || r->err || r->st.records > 0 ||
	    r->st.bytes_in > 0)
		return -EINVAL;
	r->want_prefetch = on;
	return 0;
}

int skr_reader_follow(struct skr_reader *r, const struct skr_follow *f)
{
	struct stat sb;

	if (!r || !f || !r->in_buf || r->st.bytes_in > 0 || r->want_prefetch)
		return -EINVAL;
	if (fstat(r->fd, &sb) != 0)
		return -errno;
	r->follow = true;
	r->follow_file = S_ISREG(sb.st_mode);
	r->fo = *f;
	return 0;
}

const char *skr_reader_errmsg(const struct skr_reader *r)
{
	if (!r || !r->err)
		return "";
	return r->msg;
}

void skr_reader_get_status(const struct skr_reader *r,
			   struct skr_reader_status *st)
{
	if (!st)
		return;
	if (!r) {
		memset(st, 0, sizeof(*st));
		return;
	}
	*st = r->st;
}

void skr_reader_free(struct skr_reader *r)
{
	if (!r)
		return;
	if (r->pf)
		pf_stop(r->pf);
	if (r->own_fd)
		close(r->fd);
	free(r->frame);
	ZSTD_freeDCtx(r->dctx);
	free(r->in_buf);
	free(r->name);
	free(r);
}
