/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libskr: writer and reader of sockrec trace files (docs/FORMAT.md).
 *
 * User space only; depends on libc and libzstd.  Every int function returns
 * 0 (or a documented positive value) on success and a negative errno on
 * failure.  Every _free/_close accepts NULL.
 */
#ifndef SKR_H
#define SKR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "skr_events.h"

/* ------------------------------------------------------------------ */
/* Writer                                                               */
/* ------------------------------------------------------------------ */

struct skr_writer;

struct skr_writer_opts {
	int level;		/* zstd level; 0 means the default (1) */
	size_t frame_bytes;	/* end a frame once this much is buffered;
				 * 0 means 1 MiB; capped at SKR_FRAME_MAX */
};

/*
 * Start writing to fd, which stays owned by the caller.  Nothing is
 * written until a FILE_HEADER is appended or the caller syncs or flushes
 * (or about 260 KiB of compressed output is waiting: blocks and frames the
 * writer ends because they are full are held back until then).
 * Returns 0, -EINVAL (bad options) or -ENOMEM.
 */
int skr_writer_open(struct skr_writer **wp, int fd,
		    const struct skr_writer_opts *opts);

/*
 * Append one complete record (header included).  The record's hdr.len
 * must equal len and lie in [SKR_REC_MIN, SKR_REC_MAX].  When the frame
 * is full it is ended first, when the block is full the block is ended
 * first (both reach fd at the next sync or flush); a FILE_HEADER is
 * written at once, in a block of its own.  The record is copied and the
 * caller's bytes are left as they are; in a segment of major 2 (after a
 * FILE_HEADER that says so, or before any) the copy of an event record
 * stores its time and cookie as deltas (docs/FORMAT.md §4.7.1), which the
 * reader undoes: callers deal in absolute values only.
 * Returns 0, -EINVAL (bad record) or the error of the write (-ENOSPC,
 * -EFBIG, -EIO, ...).  After a write error the writer refuses further
 * records with the same error.
 */
int skr_writer_append(struct skr_writer *w, const void *rec, size_t len);

/*
 * Append the complete records that fill recs[0, len) back to back (a
 * perf-buffer sample of the recorder's), as skr_writer_append() would
 * one by one, with one copy for as many as the open block takes.
 * Returns 0, -EINVAL at the first record that is not whole or whose
 * length is out of range (those before it are appended), or the error of
 * the write.
 */
int skr_writer_append_run(struct skr_writer *w, const void *recs, size_t len);

/*
 * End the current zstd block (ZSTD_e_flush) and write it, leaving the
 * frame open: a file cut after this point reads every record appended so
 * far (docs/FORMAT.md §2.3).  A no-op when nothing is buffered.  Returns 0
 * or a negative errno from write().
 */
int skr_writer_sync(struct skr_writer *w);

/*
 * End the current zstd frame (ZSTD_e_end: its checksum follows) and write
 * it completely.  A no-op when no frame is open.  Returns 0 or a negative
 * errno from write().
 */
int skr_writer_flush(struct skr_writer *w);

/* Bytes appended (uncompressed) and written (compressed) so far. */
uint64_t skr_writer_bytes_in(const struct skr_writer *w);
uint64_t skr_writer_bytes_out(const struct skr_writer *w);

/* Flush and free.  Returns the flush result; w is freed in every case. */
int skr_writer_close(struct skr_writer *w);

/* ------------------------------------------------------------------ */
/* Attribute (TLV) records: HOST, RECORDER, PROBE                      */
/* ------------------------------------------------------------------ */

struct skr_tlv_builder {
	uint8_t buf[SKR_REC_MAX];
	size_t len;
	int err;		/* first error; sticky */
};

/* Start a record of the given type. */
void skr_tlv_begin(struct skr_tlv_builder *b, uint16_t type);
/* Add one attribute; on overflow set b->err = -E2BIG and add nothing. */
void skr_tlv_put(struct skr_tlv_builder *b, uint16_t tag, const void *val,
		 size_t len);
void skr_tlv_put_str(struct skr_tlv_builder *b, uint16_t tag, const char *s);
void skr_tlv_put_u8(struct skr_tlv_builder *b, uint16_t tag, uint8_t v);
void skr_tlv_put_u16(struct skr_tlv_builder *b, uint16_t tag, uint16_t v);
void skr_tlv_put_u32(struct skr_tlv_builder *b, uint16_t tag, uint32_t v);
void skr_tlv_put_u64(struct skr_tlv_builder *b, uint16_t tag, uint64_t v);
/*
 * Finish the record: fill in the header length.  Returns the record length
 * (> 0) or the first error; the record is b->buf.
 */
int skr_tlv_end(struct skr_tlv_builder *b);

struct skr_tlv_iter {
	const uint8_t *p;
	const uint8_t *end;
};

/* Iterate the attributes of a TLV record (rec points at its header). */
void skr_tlv_iter_init(struct skr_tlv_iter *it, const void *rec, size_t len);
/*
 * Next attribute.  Returns 1 and sets tag, val, vlen; 0 at the end; -EINVAL
 * if an attribute runs past the record.
 */
int skr_tlv_next(struct skr_tlv_iter *it, uint16_t *tag, const uint8_t **val,
		 uint16_t *vlen);
/* Integer value of an attribute of 1, 2, 4 or 8 bytes; -EINVAL otherwise. */
int skr_tlv_uint(const uint8_t *val, uint16_t vlen, uint64_t *out);

/* ------------------------------------------------------------------ */
/* Reader                                                               */
/* ------------------------------------------------------------------ */

struct skr_reader;

/* One record as read; data stays valid until the next skr_reader_next(). */
struct skr_record {
	const uint8_t *data;	/* len bytes, header included */
	uint32_t len;
	uint16_t type;
	uint16_t flags;
	uint32_t segment;	/* index of the file within a concatenation */
	uint16_t minor;		/* minor version of that file */
};

struct skr_reader_status {
	uint16_t major, minor;	/* version of the first file */
	uint32_t segments;	/* files seen (FILE_HEADER records) */
	uint32_t segments_ended;	/* files that ended with an END record */
	bool truncated;		/* input ended inside a frame or before END */
	uint64_t frames;	/* complete zstd frames decoded */
	uint64_t bytes_in;	/* compressed bytes consumed */
	uint64_t bytes_out;	/* decompressed bytes produced */
	uint64_t records;	/* records returned */
	uint64_t skipped;	/* records of unknown type returned (callers skip them) */
	/*
	 * The input ended inside a frame after some of its blocks: their
	 * records were returned (partial_records of them) although the
	 * frame's checksum could not be checked; partial_dropped bytes of a
	 * record cut at the end of the last block (only a writer older than
	 * the block layout leaves one) were not.
	 */
	bool partial_frame;
	uint64_t partial_records;
	uint64_t partial_dropped;
	/* The input ended inside a frame before any record: nothing was read. */
	bool cut_first_frame;
	/* ... and the part of a record it kept is a FILE_HEADER with the magic. */
	bool cut_magic;
};

/*
 * Open a trace.  path "-" reads standard input.  Returns 0, -ENOENT and the
 * like from open(), or -ENOMEM.  The file's contents are only checked by
 * skr_reader_next().
 */
int skr_reader_open(struct skr_reader **rp, const char *path);
/* Read from a caller-owned file descriptor; name is used in messages. */
int skr_reader_open_fd(struct skr_reader **rp, int fd, const char *name);
/* Read from memory (tests, fuzzing); buf must outlive the reader. */
int skr_reader_open_mem(struct skr_reader **rp, const void *buf, size_t len);

/*
 * Next record, in file order.  Returns 1 with *rec filled, 0 at the end of
 * the input (complete or truncated: see skr_reader_get_status), or a
 * negative errno: -EINVAL when the data is not a valid trace (bad magic,
 * bad length, corrupt frame), -EPROTONOSUPPORT for a newer major version,
 * -EIO and friends from read(), -ENOMEM.  After an error, calls keep
 * returning it; skr_reader_errmsg() names the field and the values found.
 */
int skr_reader_next(struct skr_reader *r, struct skr_record *rec);
const char *skr_reader_errmsg(const struct skr_reader *r);

/*
 * Following a trace that is still being written (sockana --follow).  When
 * no new byte is there, the reader calls idle, and, unless it returns
 * non-zero, waits: up to interval_ms for a pipe to become readable, or
 * interval_ms for a file to grow (0: no wait, for tests), then looks
 * again.  Records are handed out block by block as their zstd blocks
 * arrive, before their frame ends.  A followed input ends when idle
 * returns non-zero (as if cut there), when a pipe is closed, or, for a
 * regular file with stop_at_end, at a frame boundary after the END of
 * every segment seen when nothing more has come (a growing file never
 * reads as ended; a pipe may carry a concatenation, and ends at its EOF).
 * There, if next is set, the reader asks it for the file that goes on
 * (a rotated capture's next file): next returns 1 with *fd, a descriptor
 * the reader then owns and reads on as if the files were concatenated,
 * or 0 (or a negative errno) to end the input there.
 * The input must be a descriptor (not memory) and nothing read yet.
 */
struct skr_follow {
	unsigned interval_ms;
	bool stop_at_end;
	int (*idle)(void *ctx);
	int (*next)(void *ctx, int *fd);
	void *ctx;
};

/*
 * Returns 0, or -EINVAL (memory input, reading already began, or
 * skr_reader_prefetch() on).
 */
int skr_reader_follow(struct skr_reader *r, const struct skr_follow *f);
/*
 * Decode ahead: with on, a worker thread reads the input and decodes the
 * next zstd frame, and checks its records (deltas undone), while the
 * caller walks the records of the current one (one frame of look-ahead:
 * at most two frame buffers).  Records, their
 * order, every error and when it is returned, and the status at every
 * point are the same as without it; only the time differs, given a
 * second core.  Call before the first skr_reader_next(); default off.
 * A followed input (skr_reader_follow) is read by one thread: the two
 * refuse each other.  If the thread cannot be started, the reader reads
 * on its own.  skr_reader_free() stops the worker wherever it is.
 * Returns 0, or -EINVAL (followed, or reading already began).
 */
int skr_reader_prefetch(struct skr_reader *r, bool on);
/*
 * Records a decode-ahead reader already checked, handed out in bulk.
 * skr_reader_span() sets *sp to the bytes from the next record to the end
 * of the run the worker walked and passed, when that run holds no
 * FILE_HEADER, no END and no record of a type this reader does not know
 * (take_plain()'s records, most of a prefetched frame), and returns
 * true; otherwise (not prefetched, an error, a frame this thread checks
 * itself, nothing left) false, and skr_reader_next() reads on as usual.
 * Every record in the span is whole (len at offset 0, SKR_REC_MIN <= len
 * <= bytes left), at least its type's minimum length, and an event's
 * deltas are undone: exactly what skr_reader_next() would hand out, with
 * segment and minor as in *sp.  The caller takes records from its start
 * and says how many with skr_reader_span_done(r, bytes, records) before
 * calling the reader again: bytes is the sum of their lengths (at most
 * sp->len), and the reader's position and status move as if
 * skr_reader_next() had handed out each.  The span stays valid until the
 * next skr_reader_next().
 */
struct skr_span {
	const uint8_t *data;
	size_t len;
	uint32_t segment;
	uint16_t minor;
};
bool skr_reader_span(const struct skr_reader *r, struct skr_span *sp);
void skr_reader_span_done(struct skr_reader *r, size_t bytes,
			  uint64_t records);
void skr_reader_get_status(const struct skr_reader *r,
			   struct skr_reader_status *st);
void skr_reader_free(struct skr_reader *r);

/* ------------------------------------------------------------------ */
/* Decoding fixed records                                               */
/* ------------------------------------------------------------------ */

/*
 * Copy a record into its host-order struct.  A record shorter than the
 * struct is refused (-EINVAL); bytes beyond the struct (fields a later
 * minor version appended) are ignored.  rec->type must match.
 */
int skr_decode_file_header(const struct skr_record *rec,
			   struct skr_file_header *out);
int skr_decode_clock(const struct skr_record *rec, struct skr_clock *out);
int skr_decode_loss(const struct skr_record *rec, struct skr_loss *out);
int skr_decode_round(const struct skr_record *rec, struct skr_round *out);
int skr_decode_end(const struct skr_record *rec, struct skr_end *out);
/* STATE, or STATE4 widened (addresses in the first 4 bytes, type kept). */
int skr_decode_state(const struct skr_record *rec, struct skr_ev_state *out);
int skr_decode_stats(const struct skr_record *rec, struct skr_stats *out);
int skr_decode_benign(const struct skr_record *rec, struct skr_benign *out);

/* ---- decoders of kernel event records ---- */

/* Same contract as the decoders above: 0, or -EINVAL for a wrong type or length. */
int skr_decode_listen(const struct skr_record *rec, struct skr_ev_listen *out);
int skr_decode_accept(const struct skr_record *rec, struct skr_ev_accept *out);
int skr_decode_reset(const struct skr_record *rec, struct skr_ev_reset *out);
int skr_decode_sock_error(const struct skr_record *rec,
			  struct skr_ev_sock_error *out);
int skr_decode_retransmit(const struct skr_record *rec,
			  struct skr_ev_retransmit *out);
int skr_decode_destroy(const struct skr_record *rec, struct skr_ev_destroy *out);
int skr_decode_skb_drop(const struct skr_record *rec,
			struct skr_ev_skb_drop *out);
/* 1.2: COUNTERS, a socket's counters as it entered CLOSE. */
int skr_decode_counters(const struct skr_record *rec,
			struct skr_ev_counters *out);

/* ---- decoders of sock_diag records ---- */

/* Same contract as the decoders above: 0, or -EINVAL for a wrong type or length. */
int skr_decode_snapshot(const struct skr_record *rec, struct skr_snapshot *out);
int skr_decode_listener(const struct skr_record *rec,
			struct skr_ev_listener *out);
int skr_decode_netns_stats(const struct skr_record *rec,
			   struct skr_ev_netns_stats *out);
int skr_decode_sampling(const struct skr_record *rec,
			struct skr_ev_sampling *out);

/* Event time of a kernel event record (skr_rec_is_event); -EINVAL if none. */
int skr_event_ts(const struct skr_record *rec, uint64_t *ts_ns);

/* ------------------------------------------------------------------ */
/* Names                                                                */
/* ------------------------------------------------------------------ */

/*
 * Names for values taken from data.  Unknown values give "UNKNOWN(n)"
 * written into buf (which must hold at least 24 bytes); known ones return
 * a static string.
 */
const char *skr_tcp_state_name(unsigned state, char *buf, size_t size);
const char *skr_rec_type_name(unsigned type, char *buf, size_t size);
/*
 * Shortest valid length of a record type of this version (its v1 struct, or
 * the header alone for attribute records); 0 for a type this library does
 * not know.
 */
size_t skr_rec_min_len(unsigned type);
const char *skr_tier_name(unsigned tier, char *buf, size_t size);
const char *skr_ctx_name(unsigned ctx, char *buf, size_t size);
/*
 * "ECONNREFUSED" for a positive errno as Linux numbers it, or NULL: the
 * one table of names, for sockrec --print and every sockana report.
 */
const char *skr_errno_name(int32_t err);

/* ------------------------------------------------------------------ */
/* Event lines (evline.c): sockrec --print, sockana --events            */
/* ------------------------------------------------------------------ */

/*
 * One line of text for a kernel event record (skr_rec_is_event), without
 * time or newline: "state 10.0.0.1:4000 > 10.0.0.2:80 SYN_SENT -> CLOSE
 * netns 4026532 sk 8193 softirq" (docs/OUTPUT.md, "Event lines").  A
 * line longer than size - 1 ends at its last part that fits.  Returns its
 * length, or -EINVAL for a record that is not an event.
 */
int skr_event_line(const struct skr_record *rec, char *buf, size_t size);
/*
 * ISO 8601 UTC with microseconds ("2026-11-22T10:01:02.123456Z") of a wall
 * time in ns since the epoch, as sockana prints times.  0 or -ERANGE.
 */
int skr_format_wall_utc(uint64_t wall_ns, char *buf, size_t size);

#include "skr_catalog.h"

#endif /* SKR_H */
