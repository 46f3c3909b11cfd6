// SPDX-License-Identifier: BSD-2-Clause
/*
 * Unit tests of libskr: writer/reader round trips, framing, concatenation,
 * truncation at every byte, and refusal of malformed input.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <zstd.h>

#include "format/skr.h"

/* ---------------------------------------------------------------- */
/* Helpers                                                            */
/* ---------------------------------------------------------------- */

struct buf {
	uint8_t *p;
	size_t len, cap;
};

static void buf_add(struct buf *b, const void *data, size_t n)
{
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;

		while (cap < b->len + n)
			cap *= 2;
		b->p = realloc(b->p, cap);
		ck_assert_ptr_nonnull(b->p);
		b->cap = cap;
	}
	if (n)
		memcpy(b->p + b->len, data, n);
	b->len += n;
}

static void buf_free(struct buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

/* A writer on an anonymous temporary file, read back into memory. */
struct wctx {
	FILE *f;
	int fd;
	struct skr_writer *w;
};

static void w_open(struct wctx *c, size_t frame_bytes)
{
	struct skr_writer_opts o = { .level = 0, .frame_bytes = frame_bytes };

	c->f = tmpfile();
	ck_assert_ptr_nonnull(c->f);
	c->fd = fileno(c->f);
	ck_assert_int_eq(skr_writer_open(&c->w, c->fd, &o), 0);
}

static void w_add(struct wctx *c, const void *rec)
{
	uint32_t len;

	memcpy(&len, rec, sizeof(len));
	ck_assert_int_eq(skr_writer_append(c->w, rec, len), 0);
}

static off_t w_pos(struct wctx *c)
{
	return lseek(c->fd, 0, SEEK_CUR);
}

static void w_finish(struct wctx *c, struct buf *out)
{
	uint8_t tmp[4096];
	ssize_t n;

	ck_assert_int_eq(skr_writer_close(c->w), 0);
	c->w = NULL;
	ck_assert_int_eq(lseek(c->fd, 0, SEEK_SET), 0);
	while ((n = read(c->fd, tmp, sizeof(tmp))) > 0)
		buf_add(out, tmp, (size_t)n);
	ck_assert_int_eq(n, 0);
	fclose(c->f);
}

static void mk_hdr(struct skr_rec_hdr *h, uint16_t type, uint32_t len)
{
	h->len = len;
	h->type = type;
	h->flags = 0;
}

static struct skr_file_header mk_file_header(uint16_t major, uint16_t minor,
					     uint32_t index)
{
	struct skr_file_header fh;
	uint8_t id[16];
	int i;

	for (i = 0; i < 16; i++)
		id[i] = (uint8_t)(0xa0 + i);
	skr_encode_file_header(&fh, major, minor, index, id,
			       1700000000123456789ull);
	return fh;
}

static struct skr_clock mk_clock(uint64_t clock_ns)
{
	struct skr_clock c;

	memset(&c, 0, sizeof(c));
	mk_hdr(&c.hdr, SKR_REC_CLOCK, sizeof(c));
	c.clock_ns = clock_ns;
	c.realtime_ns = 1700000000000000000ull + clock_ns;
	c.uncertainty_ns = 250;
	c.clock_id = SKR_CLOCK_BOOTTIME;
	return c;
}

static struct skr_loss mk_loss(void)
{
	struct skr_loss l;

	memset(&l, 0, sizeof(l));
	mk_hdr(&l.hdr, SKR_REC_LOSS, sizeof(l));
	l.ts_ns = 5000000123ull;
	l.count = 4242;
	l.cpu = 1;
	return l;
}

static struct skr_round mk_round(uint64_t horizon)
{
	struct skr_round r;

	mk_hdr(&r.hdr, SKR_REC_ROUND, sizeof(r));
	r.horizon_ns = horizon;
	return r;
}

static struct skr_end mk_end(void)
{
	struct skr_end e;

	mk_hdr(&e.hdr, SKR_REC_END, sizeof(e));
	e.ts_ns = 9000000000ull;
	e.events = 1234;
	e.lost = 56;
	e.output_failed = 7;
	e.recursion_misses = 89;
	return e;
}

static struct skr_ev_state mk_state(uint64_t ts)
{
	struct skr_ev_state s;
	int i;

	memset(&s, 0, sizeof(s));
	mk_hdr(&s.hdr, SKR_REC_STATE, sizeof(s));
	s.c.ts_ns = ts;
	s.c.cookie = 0x1122334455667788ull + ts;
	s.c.netns = 4026531840u;
	s.c.tgid = 4321;
	s.c.tid = 4322;
	s.c.cpu = 1;
	s.c.ctx = SKR_CTX_SOFTIRQ;
	for (i = 0; i < 16; i++) {
		s.saddr[i] = (uint8_t)i;
		s.daddr[i] = (uint8_t)(0xf0 | i);
	}
	memcpy(s.comm, "curl-with-a-long", SKR_COMM_LEN);	/* no terminator */
	s.sport = 54321;
	s.dport = 443;
	s.family = SKR_AF_INET6;
	s.protocol = 6;
	s.oldstate = SKR_TCP_SYN_SENT;
	s.newstate = SKR_TCP_ESTABLISHED;
	return s;
}

/* One zstd frame of content; wlog > 0 streams it with an unknown size. */
static void add_frame(struct buf *out, const void *content, size_t n,
		      int checksum, int content_size, int wlog)
{
	ZSTD_CCtx *cctx = ZSTD_createCCtx();
	size_t cap = ZSTD_compressBound(n) + 64, r;
	uint8_t *dst = malloc(cap);

	ck_assert_ptr_nonnull(cctx);
	ck_assert_ptr_nonnull(dst);
	ck_assert(!ZSTD_isError(ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, checksum)));
	ck_assert(!ZSTD_isError(ZSTD_CCtx_setParameter(cctx, ZSTD_c_contentSizeFlag, content_size)));
	if (wlog) {
		ZSTD_inBuffer in = { content, n, 0 };
		ZSTD_outBuffer o = { dst, cap, 0 };

		ck_assert(!ZSTD_isError(ZSTD_CCtx_setParameter(cctx, ZSTD_c_windowLog, wlog)));
		r = ZSTD_compressStream2(cctx, &o, &in, ZSTD_e_continue);
		ck_assert(!ZSTD_isError(r));
		do {
			r = ZSTD_compressStream2(cctx, &o, &in, ZSTD_e_end);
			ck_assert(!ZSTD_isError(r));
		} while (r != 0);
		r = o.pos;
	} else {
		r = ZSTD_compress2(cctx, dst, cap, content, n);
		ck_assert(!ZSTD_isError(r));
	}
	buf_add(out, dst, r);
	free(dst);
	ZSTD_freeCCtx(cctx);
}

static void add_skippable(struct buf *out, uint32_t size)
{
	uint8_t h[8] = { 0x5e, 0x2a, 0x4d, 0x18 };
	uint8_t junk[64];

	h[4] = (uint8_t)size;
	h[5] = (uint8_t)(size >> 8);
	h[6] = (uint8_t)(size >> 16);
	h[7] = (uint8_t)(size >> 24);
	buf_add(out, h, sizeof(h));
	memset(junk, 0xee, sizeof(junk));
	while (size > 0) {
		uint32_t k = size < sizeof(junk) ? size : (uint32_t)sizeof(junk);

		buf_add(out, junk, k);
		size -= k;
	}
}

/* Read everything; returns the last skr_reader_next result. */
struct result {
	int rc;
	size_t n;
	uint16_t types[64];
	struct skr_reader_status st;
	char msg[512];
};

static void read_mem(const void *p, size_t len, struct result *res)
{
	struct skr_reader *r;
	struct skr_record rec;

	memset(res, 0, sizeof(*res));
	ck_assert_int_eq(skr_reader_open_mem(&r, p, len), 0);
	while ((res->rc = skr_reader_next(r, &rec)) == 1) {
		if (res->n < 64)
			res->types[res->n] = rec.type;
		res->n++;
	}
	skr_reader_get_status(r, &res->st);
	snprintf(res->msg, sizeof(res->msg), "%s", skr_reader_errmsg(r));
	if (res->rc < 0)	/* errors are sticky */
		ck_assert_int_eq(skr_reader_next(r, &rec), res->rc);
	skr_reader_free(r);
}

/* FILE_HEADER + content records + (optionally) END, one frame. */
static void trace_of(struct buf *out, const struct buf *body, int with_end)
{
	struct skr_file_header fh = mk_file_header(1, 0, 0);
	struct skr_end e = mk_end();
	struct buf c = { 0 };

	buf_add(&c, &fh, sizeof(fh));
	buf_add(&c, body->p, body->len);
	if (with_end)
		buf_add(&c, &e, sizeof(e));
	add_frame(out, c.p, c.len, 1, 1, 0);
	buf_free(&c);
}

/* ---------------------------------------------------------------- */
/* Round trip                                                         */
/* ---------------------------------------------------------------- */

static void check_attr(struct skr_tlv_iter *it, uint16_t tag, const char *s)
{
	const uint8_t *val;
	uint16_t t, n;

	ck_assert_int_eq(skr_tlv_next(it, &t, &val, &n), 1);
	ck_assert_uint_eq(t, tag);
	ck_assert_uint_eq(n, strlen(s));
	ck_assert_mem_eq(val, s, n);
}

static void check_uint_attr(struct skr_tlv_iter *it, uint16_t tag,
			    uint16_t size, uint64_t v)
{
	const uint8_t *val;
	uint16_t t, n;
	uint64_t got;

	ck_assert_int_eq(skr_tlv_next(it, &t, &val, &n), 1);
	ck_assert_uint_eq(t, tag);
	ck_assert_uint_eq(n, size);
	ck_assert_int_eq(skr_tlv_uint(val, n, &got), 0);
	ck_assert_uint_eq(got, v);
}

static void check_tlv_end(struct skr_tlv_iter *it)
{
	const uint8_t *val;
	uint16_t t, n;

	ck_assert_int_eq(skr_tlv_next(it, &t, &val, &n), 0);
}

static struct skr_tlv_builder tb;

START_TEST(test_roundtrip_all_types)
{
	struct skr_file_header fh = mk_file_header(1, 0, 3), fh2;
	struct skr_clock ck = mk_clock(1000), ck2;
	struct skr_loss lo = mk_loss(), lo2;
	struct skr_round rd = mk_round(4000), rd2;
	struct skr_end en = mk_end(), en2;
	struct skr_ev_state s = mk_state(4500), s2;
	struct skr_reader_status st;
	struct skr_reader *r;
	struct skr_record rec;
	struct skr_tlv_iter it;
	struct wctx c;
	struct buf f = { 0 };
	uint64_t ts, head_out;
	int len;

	w_open(&c, 0);
	w_add(&c, &fh);
	/* The file header goes out at once, in a block of its own. */
	head_out = skr_writer_bytes_out(c.w);
	ck_assert_uint_gt(head_out, sizeof(fh));
	ck_assert_uint_eq(head_out, (uint64_t)w_pos(&c));
	skr_tlv_begin(&tb, SKR_REC_HOST);
	skr_tlv_put_str(&tb, SKR_HOST_HOSTNAME, "box");
	skr_tlv_put_str(&tb, SKR_HOST_KRELEASE, "6.18.0");
	skr_tlv_put_str(&tb, SKR_HOST_KVERSION, "#1 SMP");
	skr_tlv_put_str(&tb, SKR_HOST_MACHINE, "x86_64");
	skr_tlv_put_str(&tb, SKR_HOST_BOOT_ID, "0f0e-boot");
	skr_tlv_put_u32(&tb, SKR_HOST_NCPUS, 2);
	skr_tlv_put_str(&tb, SKR_HOST_OS, "Debian GNU/Linux 12");
	len = skr_tlv_end(&tb);
	ck_assert_int_gt(len, 0);
	ck_assert_int_eq(skr_writer_append(c.w, tb.buf, (size_t)len), 0);
	skr_tlv_begin(&tb, SKR_REC_RECORDER);
	skr_tlv_put_str(&tb, SKR_RECORDER_VERSION, "0.1.0");
	skr_tlv_put_str(&tb, SKR_RECORDER_ARG, "sockrec");
	skr_tlv_put_str(&tb, SKR_RECORDER_ARG, "-w");
	skr_tlv_put_str(&tb, SKR_RECORDER_ARG, "");
	skr_tlv_put_str(&tb, SKR_RECORDER_COMMENT, "test");
	skr_tlv_put_u32(&tb, SKR_RECORDER_PID, 777);
	len = skr_tlv_end(&tb);
	ck_assert_int_gt(len, 0);
	ck_assert_int_eq(skr_writer_append(c.w, tb.buf, (size_t)len), 0);
	skr_tlv_begin(&tb, SKR_REC_PROBE);
	skr_tlv_put_str(&tb, SKR_PROBE_NAME, "inet_sock_set_state");
	skr_tlv_put_u8(&tb, SKR_PROBE_TIER, SKR_TIER_TP_BTF);
	skr_tlv_put_u32(&tb, SKR_PROBE_ERROR, 0);
	skr_tlv_put_str(&tb, SKR_PROBE_REASON, "");
	skr_tlv_put_u16(&tb, SKR_PROBE_EVENT, SKR_REC_STATE);
	skr_tlv_put_u64(&tb, 99, 0x0102030405060708ull);	/* unknown tag */
	len = skr_tlv_end(&tb);
	ck_assert_int_gt(len, 0);
	ck_assert_int_eq(skr_writer_append(c.w, tb.buf, (size_t)len), 0);
	w_add(&c, &ck);
	w_add(&c, &lo);
	w_add(&c, &rd);
	w_add(&c, &s);
	w_add(&c, &en);
	/* The rest is still buffered. */
	ck_assert_uint_eq(skr_writer_bytes_out(c.w), head_out);
	w_finish(&c, &f);

	ck_assert_int_eq(skr_reader_open_mem(&r, f.p, f.len), 0);

	ck_assert_int_eq(skr_reader_next(r, &rec), 1);
	ck_assert_uint_eq(rec.type, SKR_REC_FILE_HEADER);
	ck_assert_uint_eq(rec.segment, 0);
	ck_assert_int_eq(skr_decode_file_header(&rec, &fh2), 0);
	ck_assert_mem_eq(&fh2, &fh, sizeof(fh));
	ck_assert_mem_eq(fh2.magic, "SKRTRACE", 8);
	ck_assert_uint_eq(fh2.major, 1);
	ck_assert_uint_eq(fh2.minor, 0);
	ck_assert_uint_eq(fh2.file_index, 3);
	ck_assert_uint_eq(fh2.capture_id[15], 0xaf);
	ck_assert_uint_eq(fh2.created_ns, 1700000000123456789ull);

	ck_assert_int_eq(skr_reader_next(r, &rec), 1);
	ck_assert_uint_eq(rec.type, SKR_REC_HOST);
	skr_tlv_iter_init(&it, rec.data, rec.len);
	check_attr(&it, SKR_HOST_HOSTNAME, "box");
	check_attr(&it, SKR_HOST_KRELEASE, "6.18.0");
	check_attr(&it, SKR_HOST_KVERSION, "#1 SMP");
	check_attr(&it, SKR_HOST_MACHINE, "x86_64");
	check_attr(&it, SKR_HOST_BOOT_ID, "0f0e-boot");
	check_uint_attr(&it, SKR_HOST_NCPUS, 4, 2);
	check_attr(&it, SKR_HOST_OS, "Debian GNU/Linux 12");
	check_tlv_end(&it);

	ck_assert_int_eq(skr_reader_next(r, &rec), 1);
	ck_assert_uint_eq(rec.type, SKR_REC_RECORDER);
	skr_tlv_iter_init(&it, rec.data, rec.len);
	check_attr(&it, SKR_RECORDER_VERSION, "0.1.0");
	check_attr(&it, SKR_RECORDER_ARG, "sockrec");
	check_attr(&it, SKR_RECORDER_ARG, "-w");
	check_attr(&it, SKR_RECORDER_ARG, "");
	check_attr(&it, SKR_RECORDER_COMMENT, "test");
	check_uint_attr(&it, SKR_RECORDER_PID, 4, 777);
	check_tlv_end(&it);

	ck_assert_int_eq(skr_reader_next(r, &rec), 1);
	ck_assert_uint_eq(rec.type, SKR_REC_PROBE);
	skr_tlv_iter_init(&it, rec.data, rec.len);
	check_attr(&it, SKR_PROBE_NAME, "inet_sock_set_state");
	check_uint_attr(&it, SKR_PROBE_TIER, 1, SKR_TIER_TP_BTF);
	check_uint_attr(&it, SKR_PROBE_ERROR, 4, 0);
	check_attr(&it, SKR_PROBE_REASON, "");
	check_uint_attr(&it, SKR_PROBE_EVENT, 2, SKR_REC_STATE);
	check_uint_attr(&it, 99, 8, 0x0102030405060708ull);
	check_tlv_end(&it);

	ck_assert_int_eq(skr_reader_next(r, &rec), 1);
	ck_assert_int_eq(skr_decode_clock(&rec, &ck2), 0);
	ck_assert_uint_eq(ck2.hdr.len, 40);
	ck_assert_uint_eq(ck2.hdr.type, SKR_REC_CLOCK);
	ck_assert_uint_eq(ck2.clock_ns, 1000);
	ck_assert_uint_eq(ck2.realtime_ns, 1700000000000001000ull);
	ck_assert_uint_eq(ck2.uncertainty_ns, 250);
	ck_assert_uint_eq(ck2.clock_id, SKR_CLOCK_BOOTTIME);
	ck_assert_uint_eq(ck2.pad, 0);

	ck_assert_int_eq(skr_reader_next(r, &rec), 1);
	ck_assert_int_eq(skr_decode_loss(&rec, &lo2), 0);
	ck_assert_uint_eq(lo2.hdr.len, 32);
	ck_assert_uint_eq(lo2.ts_ns, 5000000123ull);
	ck_assert_uint_eq(lo2.count, 4242);
	ck_assert_uint_eq(lo2.cpu, 1);
	ck_assert_uint_eq(lo2.pad, 0);

	ck_assert_int_eq(skr_reader_next(r, &rec), 1);
	ck_assert_int_eq(skr_decode_round(&rec, &rd2), 0);
	ck_assert_uint_eq(rd2.hdr.len, 16);
	ck_assert_uint_eq(rd2.horizon_ns, 4000);

	ck_assert_int_eq(skr_reader_next(r, &rec), 1);
	ck_assert_int_eq(skr_decode_state(&rec, &s2), 0);
	ck_assert_int_eq(skr_event_ts(&rec, &ts), 0);
	ck_assert_uint_eq(ts, 4500);
	ck_assert_uint_eq(s2.hdr.len, 96);
	ck_assert_uint_eq(s2.hdr.type, SKR_REC_STATE);
	ck_assert_uint_eq(s2.hdr.flags, 0);
	ck_assert_uint_eq(s2.c.ts_ns, 4500);
	ck_assert_uint_eq(s2.c.cookie, 0x1122334455667788ull + 4500);
	ck_assert_uint_eq(s2.c.netns, 4026531840u);
	ck_assert_uint_eq(s2.c.tgid, 4321);
	ck_assert_uint_eq(s2.c.tid, 4322);
	ck_assert_uint_eq(s2.c.cpu, 1);
	ck_assert_uint_eq(s2.c.ctx, SKR_CTX_SOFTIRQ);
	ck_assert_uint_eq(s2.c.pad, 0);
	ck_assert_mem_eq(s2.saddr, s.saddr, 16);
	ck_assert_mem_eq(s2.daddr, s.daddr, 16);
	ck_assert_mem_eq(s2.comm, "curl-with-a-long", SKR_COMM_LEN);
	ck_assert_uint_eq(s2.sport, 54321);
	ck_assert_uint_eq(s2.dport, 443);
	ck_assert_uint_eq(s2.family, SKR_AF_INET6);
	ck_assert_uint_eq(s2.protocol, 6);
	ck_assert_uint_eq(s2.oldstate, SKR_TCP_SYN_SENT);
	ck_assert_uint_eq(s2.newstate, SKR_TCP_ESTABLISHED);

	ck_assert_int_eq(skr_reader_next(r, &rec), 1);
	ck_assert_int_eq(skr_decode_end(&rec, &en2), 0);
	ck_assert_uint_eq(en2.hdr.len, 48);
	ck_assert_uint_eq(en2.ts_ns, 9000000000ull);
	ck_assert_uint_eq(en2.events, 1234);
	ck_assert_uint_eq(en2.lost, 56);
	ck_assert_uint_eq(en2.output_failed, 7);
	ck_assert_uint_eq(en2.recursion_misses, 89);

	ck_assert_int_eq(skr_reader_next(r, &rec), 0);
	ck_assert_int_eq(skr_reader_next(r, &rec), 0);
	skr_reader_get_status(r, &st);
	ck_assert(!st.truncated);
	ck_assert_uint_eq(st.major, 1);
	ck_assert_uint_eq(st.minor, 0);
	ck_assert_uint_eq(st.segments, 1);
	ck_assert_uint_eq(st.segments_ended, 1);
	ck_assert_uint_eq(st.frames, 1);
	ck_assert_uint_eq(st.records, 9);
	ck_assert_uint_eq(st.skipped, 0);
	ck_assert_uint_eq(st.bytes_in, f.len);
	ck_assert_str_eq(skr_reader_errmsg(r), "");
	skr_reader_free(r);
	buf_free(&f);
}
END_TEST

START_TEST(test_many_frames)
{
	struct skr_file_header fh = mk_file_header(1, 0, 0);
	struct skr_end en = mk_end();
	struct skr_reader_status st;
	struct skr_reader *r;
	struct skr_record rec;
	struct wctx c;
	struct buf f = { 0 };
	uint64_t i, n = 0, in_bytes;

	w_open(&c, 1000);	/* ten STATE records per frame */
	w_add(&c, &fh);
	for (i = 0; i < 500; i++) {
		struct skr_ev_state s = mk_state(1000 + i);

		w_add(&c, &s);
		if (i == 250)
			ck_assert_int_eq(skr_writer_flush(c.w), 0);
	}
	w_add(&c, &en);
	in_bytes = skr_writer_bytes_in(c.w);
	ck_assert_uint_eq(in_bytes, 48 + 500 * 96 + 48);
	ck_assert_int_eq(skr_writer_flush(c.w), 0);
	ck_assert_int_eq(skr_writer_flush(c.w), 0);	/* nothing buffered */
	ck_assert_uint_eq(skr_writer_bytes_out(c.w), (uint64_t)w_pos(&c));
	w_finish(&c, &f);

	/* What `zstd -t` checks: plain independent zstd frames with checksums. */
	{
		uint8_t *d = malloc(in_bytes);

		ck_assert_ptr_nonnull(d);
		ck_assert_uint_eq(ZSTD_decompress(d, in_bytes, f.p, f.len), in_bytes);
		free(d);
	}

	ck_assert_int_eq(skr_reader_open_mem(&r, f.p, f.len), 0);
	ck_assert_int_eq(skr_reader_next(r, &rec), 1);
	ck_assert_uint_eq(rec.type, SKR_REC_FILE_HEADER);
	while (skr_reader_next(r, &rec) == 1 && rec.type == SKR_REC_STATE) {
		struct skr_ev_state s;

		ck_assert_int_eq(skr_decode_state(&rec, &s), 0);
		ck_assert_uint_eq(s.c.ts_ns, 1000 + n);
		n++;
	}
	ck_assert_uint_eq(n, 500);
	ck_assert_uint_eq(rec.type, SKR_REC_END);
	ck_assert_int_eq(skr_reader_next(r, &rec), 0);
	skr_reader_get_status(r, &st);
	ck_assert(!st.truncated);
	/* 48 + 10*96 = 1008 > 1000, so 10 records per frame after the first. */
	ck_assert_uint_ge(st.frames, 50);
	ck_assert_uint_le(st.frames, 53);
	ck_assert_uint_eq(st.bytes_out, in_bytes);
	ck_assert_uint_eq(st.bytes_in, f.len);
	ck_assert_uint_eq(st.records, 502);
	skr_reader_free(r);
	buf_free(&f);
}
END_TEST

/*
 * The writer keeps a frame's records where zstd reads them until the frame
 * ends (ZSTD_c_stableInBuffer): records of many blocks per frame, whose
 * matches reach back into earlier blocks, must read back byte for byte.
 */
static struct skr_ev_state mk_varied_state(uint64_t i, uint32_t *seed)
{
	struct skr_ev_state s = mk_state(1000000 + i * 977);

	*seed = *seed * 1103515245u + 12345u;
	s.c.cookie = 0x5000 + (*seed >> 16) % 97;	/* recurring sockets */
	s.sport = (uint16_t)(1024 + (*seed >> 8) % 3000);
	s.oldstate = (uint8_t)(1 + i % 11);
	s.newstate = (uint8_t)(1 + (i + 1) % 11);
	return s;
}

START_TEST(test_blocks_read_in_place)
{
	struct skr_file_header fh = mk_file_header(1, 0, 0);
	struct skr_end en = mk_end();
	struct skr_reader *r;
	struct skr_record rec;
	struct wctx c;
	struct buf f = { 0 };
	uint32_t seed = 7;
	uint64_t i, n = 0, next_sync = 1;
	const uint64_t total = 30000;	/* about 2.9 MB: three 1 MiB frames */

	w_open(&c, 0);
	w_add(&c, &fh);
	for (i = 0; i < total; i++) {
		struct skr_ev_state s = mk_varied_state(i, &seed);

		w_add(&c, &s);
		/* Blocks of 1 to 53 records, as sweeps of the buffers end them. */
		if (i == next_sync) {
			ck_assert_int_eq(skr_writer_sync(c.w), 0);
			next_sync = i + 1 + (i * 7) % 53;
		}
		if (i == total / 2)
			ck_assert_int_eq(skr_writer_flush(c.w), 0);
	}
	w_add(&c, &en);
	w_finish(&c, &f);

	seed = 7;
	ck_assert_int_eq(skr_reader_open_mem(&r, f.p, f.len), 0);
	ck_assert_int_eq(skr_reader_next(r, &rec), 1);
	ck_assert_uint_eq(rec.type, SKR_REC_FILE_HEADER);
	while (skr_reader_next(r, &rec) == 1 && rec.type == SKR_REC_STATE) {
		struct skr_ev_state want = mk_varied_state(n, &seed);

		ck_assert_uint_eq(rec.len, sizeof(want));
		ck_assert_msg(memcmp(rec.data, &want, sizeof(want)) == 0,
			      "record %" PRIu64 " differs", n);
		n++;
	}
	ck_assert_uint_eq(n, total);
	ck_assert_uint_eq(rec.type, SKR_REC_END);
	ck_assert_int_eq(skr_reader_next(r, &rec), 0);
	skr_reader_free(r);
	buf_free(&f);
}
END_TEST

/* The bytes a writer's descriptor has been given so far. */
static struct buf w_written(struct wctx *c)
{
	struct buf b = { 0 };
	uint8_t tmp[4096];
	off_t end = w_pos(c);
	ssize_t n;

	ck_assert_int_eq(lseek(c->fd, 0, SEEK_SET), 0);
	while (b.len < (size_t)end &&
	       (n = read(c->fd, tmp, sizeof(tmp))) > 0)
		buf_add(&b, tmp, (size_t)n);
	ck_assert_uint_eq(b.len, (size_t)end);
	return b;
}

/*
 * Blocks and frames the writer ends because they are full wait for the
 * caller's sync: one write() per read of the recorder's buffers, not one
 * per 128 KiB block.  What was synced reads back as a cut file, whole.
 */
START_TEST(test_full_blocks_wait_for_sync)
{
	struct skr_file_header fh = mk_file_header(SKR_VERSION_MAJOR, 0, 0);
	struct skr_reader *r;
	struct skr_reader_status st;
	struct skr_record rec;
	struct wctx c;
	struct buf f;
	uint32_t seed = 11;
	uint64_t i, n = 0;
	const uint64_t total = 6000;	/* about 580 KB: 4 blocks, 2 frames */
	off_t head;

	w_open(&c, 400000);
	w_add(&c, &fh);
	head = w_pos(&c);
	ck_assert_int_gt(head, 0);	/* the FILE_HEADER's block, at once */
	for (i = 0; i < total; i++) {
		struct skr_ev_state s = mk_varied_state(i, &seed);

		w_add(&c, &s);
	}
	ck_assert_int_eq(w_pos(&c), head);
	ck_assert_uint_eq(skr_writer_bytes_out(c.w), (uint64_t)head);
	ck_assert_int_eq(skr_writer_sync(c.w), 0);
	ck_assert_int_gt(w_pos(&c), head);
	ck_assert_uint_eq(skr_writer_bytes_out(c.w), (uint64_t)w_pos(&c));

	/* Cut right after the sync: every record, one frame complete. */
	f = w_written(&c);
	seed = 11;
	ck_assert_int_eq(skr_reader_open_mem(&r, f.p, f.len), 0);
	ck_assert_int_eq(skr_reader_next(r, &rec), 1);
	ck_assert_uint_eq(rec.type, SKR_REC_FILE_HEADER);
	while (skr_reader_next(r, &rec) == 1) {
		struct skr_ev_state want = mk_varied_state(n, &seed);

		ck_assert_uint_eq(rec.type, SKR_REC_STATE);
		ck_assert_msg(memcmp(rec.data, &want, sizeof(want)) == 0,
			      "record %" PRIu64 " differs", n);
		n++;
	}
	ck_assert_uint_eq(n, total);
	skr_reader_get_status(r, &st);
	ck_assert(st.truncated);
	ck_assert_uint_eq(st.frames, 1);
	skr_reader_free(r);
	buf_free(&f);
	ck_assert_int_eq(lseek(c.fd, 0, SEEK_END), (off_t)skr_writer_bytes_out(c.w));
	w_finish(&c, &f);
	buf_free(&f);
}
END_TEST

/*
 * Records that do not compress: what is held back for the next sync stays
 * bounded (a few hundred KiB is written without one), and reads back.
 */
START_TEST(test_held_output_bounded)
{
	struct skr_file_header fh = mk_file_header(SKR_VERSION_MAJOR, 0, 0);
	static uint8_t big[60000];
	struct skr_reader *r;
	struct skr_record rec;
	struct wctx c;
	struct buf f = { 0 };
	uint32_t seed = 5;
	const int total = 24;		/* 1.44 MB, two frames */
	int i, n = 0;

	w_open(&c, 0);
	w_add(&c, &fh);
	for (i = 0; i < total; i++) {
		mk_hdr((struct skr_rec_hdr *)big, 0x0050, sizeof(big));
		for (size_t k = sizeof(struct skr_rec_hdr); k < sizeof(big); k++) {
			seed = seed * 1103515245u + 12345u;
			big[k] = (uint8_t)(seed >> 16);
		}
		big[sizeof(struct skr_rec_hdr)] = (uint8_t)i;
		w_add(&c, big);
	}
	/* No sync yet: all but the last 300 KiB or so must be in the file. */
	ck_assert_int_gt(w_pos(&c), (off_t)(total * sizeof(big) - 300 * 1024));
	w_finish(&c, &f);

	ck_assert_int_eq(skr_reader_open_mem(&r, f.p, f.len), 0);
	ck_assert_int_eq(skr_reader_next(r, &rec), 1);
	while (skr_reader_next(r, &rec) == 1) {
		ck_assert_uint_eq(rec.type, 0x0050);
		ck_assert_uint_eq(rec.len, sizeof(big));
		ck_assert_uint_eq(rec.data[sizeof(struct skr_rec_hdr)], (uint8_t)n);
		n++;
	}
	ck_assert_int_eq(n, total);
	skr_reader_free(r);
	buf_free(&f);
}
END_TEST

START_TEST(test_max_record_and_trailing_fields)
{
	static uint8_t big[SKR_REC_MAX];
	struct skr_file_header fh = mk_file_header(1, 3, 0);
	struct skr_ev_state s = mk_state(77), s2;
	struct skr_end en = mk_end();
	uint8_t longer[sizeof(s) + 8];
	struct skr_reader *r;
	struct skr_record rec;
	struct wctx c;
	struct buf f = { 0 };
	uint64_t ts;
	uint32_t v;

	/* A later minor appends 8 bytes to STATE; this reader ignores them. */
	memcpy(longer, &s, sizeof(s));
	memset(longer + sizeof(s), 0x5a, 8);
	v = sizeof(longer);
	memcpy(longer, &v, 4);
	/* The largest allowed record, of a type this reader does not know. */
	memset(big, 0x33, sizeof(big));
	v = SKR_REC_MAX;
	memcpy(big, &v, 4);
	big[4] = 0x7f;
	big[5] = 0x00;

	w_open(&c, 100);	/* smaller than a record: one record per frame */
	w_add(&c, &fh);
	w_add(&c, big);
	w_add(&c, longer);
	w_add(&c, &en);
	w_finish(&c, &f);

	ck_assert_int_eq(skr_reader_open_mem(&r, f.p, f.len), 0);
	ck_assert_int_eq(skr_reader_next(r, &rec), 1);
	ck_assert_uint_eq(rec.minor, 3);
	ck_assert_int_eq(skr_reader_next(r, &rec), 1);
	ck_assert_uint_eq(rec.type, 0x007f);
	ck_assert_uint_eq(rec.len, SKR_REC_MAX);
	ck_assert_uint_eq(rec.data[SKR_REC_MAX - 1], 0x33);
	ck_assert_int_eq(skr_event_ts(&rec, &ts), -EINVAL);	/* not an event */
	ck_assert_int_eq(skr_reader_next(r, &rec), 1);
	ck_assert_uint_eq(rec.len, sizeof(longer));
	ck_assert_int_eq(skr_decode_state(&rec, &s2), 0);
	ck_assert_uint_eq(s2.c.ts_ns, 77);
	ck_assert_uint_eq(s2.newstate, SKR_TCP_ESTABLISHED);
	ck_assert_int_eq(skr_reader_next(r, &rec), 1);
	ck_assert_uint_eq(rec.type, SKR_REC_END);
	ck_assert_int_eq(skr_reader_next(r, &rec), 0);
	skr_reader_free(r);
	buf_free(&f);
}
END_TEST

/* ---------------------------------------------------------------- */
/* Concatenation, truncation, sources                                 */
/* ---------------------------------------------------------------- */

static void small_file(struct buf *f, uint32_t index, int with_end)
{
	struct skr_file_header fh = mk_file_header(1, index, index);
	struct skr_clock ck = mk_clock(10);
	struct skr_ev_state s = mk_state(20);
	struct skr_end en = mk_end();
	struct wctx c;

	w_open(&c, 0);
	w_add(&c, &fh);
	w_add(&c, &ck);
	ck_assert_int_eq(skr_writer_flush(c.w), 0);
	w_add(&c, &s);
	if (with_end)
		w_add(&c, &en);
	w_finish(&c, f);
}

START_TEST(test_concatenation)
{
	struct buf f = { 0 };
	struct skr_reader *r;
	struct skr_record rec;
	struct skr_reader_status st;
	struct skr_file_header fh;
	uint32_t seg[16];
	size_t n = 0;

	small_file(&f, 0, 1);
	small_file(&f, 1, 1);
	ck_assert_int_eq(skr_reader_open_mem(&r, f.p, f.len), 0);
	while (skr_reader_next(r, &rec) == 1) {
		ck_assert_uint_lt(n, 16);
		seg[n++] = rec.segment;
		ck_assert_uint_eq(rec.minor, rec.segment);
		if (rec.type == SKR_REC_FILE_HEADER) {
			ck_assert_int_eq(skr_decode_file_header(&rec, &fh), 0);
			ck_assert_uint_eq(fh.file_index, rec.segment);
		}
	}
	ck_assert_uint_eq(n, 8);
	ck_assert_uint_eq(seg[3], 0);
	ck_assert_uint_eq(seg[4], 1);
	skr_reader_get_status(r, &st);
	ck_assert_str_eq(skr_reader_errmsg(r), "");
	ck_assert_uint_eq(st.segments, 2);
	ck_assert_uint_eq(st.segments_ended, 2);
	ck_assert_uint_eq(st.minor, 0);		/* the first file's */
	ck_assert(!st.truncated);
	skr_reader_free(r);
	buf_free(&f);
}
END_TEST

START_TEST(test_concat_after_truncated_file)
{
	struct buf f = { 0 };
	struct result res;

	small_file(&f, 0, 0);	/* killed before END */
	small_file(&f, 1, 1);
	read_mem(f.p, f.len, &res);
	ck_assert_int_eq(res.rc, 0);
	ck_assert_uint_eq(res.n, 7);
	ck_assert_uint_eq(res.st.segments, 2);
	ck_assert_uint_eq(res.st.segments_ended, 1);
	ck_assert(res.st.truncated);
	buf_free(&f);
}
END_TEST

START_TEST(test_truncation_every_byte)
{
	struct skr_file_header fh = mk_file_header(1, 0, 0);
	struct skr_round rd = mk_round(100);
	struct skr_loss lo = mk_loss();
	struct skr_end en = mk_end();
	struct skr_clock ck = mk_clock(1);
	struct wctx c;
	struct buf f = { 0 }, skip = { 0 };
	size_t bound[16], nrec[16], nb = 0, total = 0, L, i;
	uint16_t types[32];
	struct result res;
	int k;

	w_open(&c, 0);
	bound[nb] = 0;
	nrec[nb++] = 0;
#define ADD(rec) do { w_add(&c, &(rec)); types[total++] = (rec).hdr.type; } while (0)
#define CUT() do { ck_assert_int_eq(skr_writer_flush(c.w), 0); \
		   bound[nb] = (size_t)w_pos(&c); nrec[nb++] = total; } while (0)
#define SYNC() do { ck_assert_int_eq(skr_writer_sync(c.w), 0); \
		    bound[nb] = (size_t)w_pos(&c); nrec[nb++] = total; } while (0)
	/* The writer ends the file header's block by itself. */
	ADD(fh);
	bound[nb] = (size_t)w_pos(&c);
	nrec[nb++] = total;
	CUT();
	/* Blocks ended inside a frame read without the frame's end. */
	ADD(ck);
	SYNC();
	for (k = 0; k < 3; k++) {
		struct skr_ev_state s = mk_state(10 + (uint64_t)k);

		ADD(s);
		SYNC();
	}
	CUT();
	ADD(rd);
	ADD(lo);
	CUT();
	/* A skippable frame between data frames holds no records. */
	add_skippable(&skip, 21);
	ck_assert_int_eq(write(c.fd, skip.p, skip.len), (ssize_t)skip.len);
	bound[nb] = (size_t)w_pos(&c);
	nrec[nb++] = total;
	{
		struct skr_ev_state s = mk_state(200);

		ADD(s);
	}
	CUT();
	ADD(en);
	CUT();
#undef ADD
#undef CUT
#undef SYNC
	w_finish(&c, &f);
	ck_assert_uint_eq(f.len, bound[nb - 1]);

	for (L = 0; L <= f.len; L++) {
		size_t want = 0, most = total;

		for (i = 0; i < nb; i++) {
			if (bound[i] <= L)
				want = nrec[i];
			else if (nrec[i] < most)
				most = nrec[i];
		}
		read_mem(f.p, L, &res);
		ck_assert_msg(res.rc == 0, "prefix %zu: rc %d (%s)", L, res.rc,
			      res.msg);
		/*
		 * Every record of the complete blocks; more only from a raw
		 * block, which zstd hands out as it arrives, never past the
		 * next block end.
		 */
		ck_assert_msg(res.n >= want && res.n <= most,
			      "prefix %zu: %zu records, want %zu to %zu", L,
			      res.n, want, most);
		for (i = 0; i < res.n; i++)
			ck_assert_uint_eq(res.types[i], types[i]);
		ck_assert_msg(res.st.truncated == (L != f.len),
			      "prefix %zu: truncated %d", L, res.st.truncated);
		ck_assert_uint_eq(res.st.segments, want > 0);
		/* zstd streams raw blocks byte by byte: a cut record is dropped. */
		ck_assert_uint_lt(res.st.partial_dropped, SKR_REC_MAX);
		ck_assert_uint_eq(res.st.partial_frame,
				  res.st.partial_records > 0 ||
				  res.st.partial_dropped > 0);
		ck_assert_uint_eq(res.st.cut_first_frame, L > 0 && want == 0);
	}
	buf_free(&skip);
	buf_free(&f);
}
END_TEST

START_TEST(test_pipe_and_path)
{
	struct buf f = { 0 };
	struct skr_reader_status st;
	struct skr_reader *r;
	struct skr_record rec;
	char path[] = "/tmp/test_format_XXXXXX";
	int p[2], n = 0, status, fd;
	pid_t pid;

	small_file(&f, 0, 1);
	small_file(&f, 1, 1);

	/* Through a pipe in 7-byte writes: the reader must reassemble frames. */
	ck_assert_int_eq(pipe(p), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		size_t off;

		close(p[0]);
		for (off = 0; off < f.len; off += 7) {
			size_t k = f.len - off < 7 ? f.len - off : 7;

			if (write(p[1], f.p + off, k) != (ssize_t)k)
				_exit(1);
			usleep(100);	/* make the reader see short reads */
		}
		_exit(0);
	}
	close(p[1]);
	ck_assert_int_eq(skr_reader_open_fd(&r, p[0], "pipe"), 0);
	while (skr_reader_next(r, &rec) == 1)
		n++;
	skr_reader_get_status(r, &st);
	ck_assert_int_eq(n, 8);
	ck_assert_uint_eq(st.segments_ended, 2);
	ck_assert(!st.truncated);
	ck_assert_uint_eq(st.bytes_in, f.len);
	skr_reader_free(r);
	close(p[0]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);

	/* From a path. */
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, f.p, f.len), (ssize_t)f.len);
	close(fd);
	ck_assert_int_eq(skr_reader_open(&r, path), 0);
	n = 0;
	while (skr_reader_next(r, &rec) == 1)
		n++;
	ck_assert_int_eq(n, 8);
	skr_reader_free(r);
	unlink(path);
	ck_assert_int_eq(skr_reader_open(&r, path), -ENOENT);
	ck_assert_ptr_null(r);
	skr_reader_free(NULL);
	buf_free(&f);
}
END_TEST

/* Incompressible records, so frames straddle the 128 KiB input buffer. */
START_TEST(test_large_file_fd)
{
	struct skr_file_header fh = mk_file_header(1, 0, 0);
	struct skr_end en = mk_end();
	static uint8_t rec[4096];
	struct skr_reader_status st;
	struct skr_reader *r;
	struct skr_record out;
	struct wctx c;
	uint32_t x = 12345, v = sizeof(rec);
	size_t i, j, n = 0;

	w_open(&c, 100000);
	w_add(&c, &fh);
	for (i = 0; i < 300; i++) {
		for (j = 8; j < sizeof(rec); j++) {
			x = x * 1103515245u + 12345u;
			rec[j] = (uint8_t)(x >> 16);
		}
		memcpy(rec, &v, 4);
		rec[4] = 0x60;
		rec[5] = 0;
		rec[6] = (uint8_t)i;
		rec[7] = (uint8_t)(i >> 8);
		w_add(&c, rec);
	}
	w_add(&c, &en);
	ck_assert_int_eq(skr_writer_flush(c.w), 0);
	ck_assert_uint_gt(skr_writer_bytes_out(c.w), 1000000);
	ck_assert_int_eq(lseek(c.fd, 0, SEEK_SET), 0);
	ck_assert_int_eq(skr_reader_open_fd(&r, c.fd, "big"), 0);
	while (skr_reader_next(r, &out) == 1) {
		if (out.type == 0x60) {
			ck_assert_uint_eq(out.len, sizeof(rec));
			ck_assert_uint_eq(out.flags, n);
			n++;
		}
	}
	skr_reader_get_status(r, &st);
	ck_assert_str_eq(skr_reader_errmsg(r), "");
	ck_assert_uint_eq(n, 300);
	ck_assert(!st.truncated);
	ck_assert_uint_eq(st.bytes_in, skr_writer_bytes_out(c.w));
	ck_assert_uint_ge(st.frames, 13);
	skr_reader_free(r);
	ck_assert_int_eq(skr_writer_close(c.w), 0);
	fclose(c.f);
}
END_TEST

/* ---------------------------------------------------------------- */
/* Malformed input                                                    */
/* ---------------------------------------------------------------- */

START_TEST(test_not_zstd)
{
	static const uint8_t png[] = { 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a };
	struct result res;

	read_mem(png, sizeof(png), &res);
	ck_assert_int_eq(res.rc, -EINVAL);
	ck_assert_ptr_nonnull(strstr(res.msg, "not a sockrec trace: input does "
				     "not start with a zstd frame (found bytes "
				     "89 50 4e 47"));
	/* Three bytes that cannot start a frame are refused, not "truncated". */
	read_mem(png, 3, &res);
	ck_assert_int_eq(res.rc, -EINVAL);
	ck_assert_ptr_nonnull(strstr(res.msg, "not a sockrec trace"));
	/* Empty input is a truncated trace with nothing in it. */
	read_mem(png, 0, &res);
	ck_assert_int_eq(res.rc, 0);
	ck_assert(res.st.truncated);
	ck_assert_uint_eq(res.st.segments, 0);
}
END_TEST

START_TEST(test_wrong_magic)
{
	struct skr_file_header fh = mk_file_header(1, 0, 0);
	struct skr_ev_state s = mk_state(1);
	struct buf f = { 0 };
	struct result res;

	memcpy(fh.magic, "SKRTRACX", 8);
	add_frame(&f, &fh, sizeof(fh), 1, 1, 0);
	read_mem(f.p, f.len, &res);
	ck_assert_int_eq(res.rc, -EINVAL);
	ck_assert_uint_eq(res.n, 0);
	ck_assert_ptr_nonnull(strstr(res.msg, "not a sockrec trace"));
	buf_free(&f);

	/* A zstd file that does not start with FILE_HEADER. */
	add_frame(&f, &s, sizeof(s), 1, 1, 0);
	read_mem(f.p, f.len, &res);
	ck_assert_int_eq(res.rc, -EINVAL);
	ck_assert_ptr_nonnull(strstr(res.msg, "not a sockrec trace: first record "
				     "is type 0x0100, expected FILE_HEADER"));
	buf_free(&f);
}
END_TEST

START_TEST(test_newer_major)
{
	struct skr_file_header fh = mk_file_header(3, 0, 0);
	struct buf f = { 0 };
	struct result res;

	add_frame(&f, &fh, sizeof(fh), 1, 1, 0);
	read_mem(f.p, f.len, &res);
	ck_assert_int_eq(res.rc, -EPROTONOSUPPORT);
	ck_assert_ptr_nonnull(strstr(res.msg, "version 3.0 is newer than this "
				     "reader (2.0)"));
	buf_free(&f);

	/* Newer minor of a major it knows, 1 or 2: read. */
	fh = mk_file_header(1, 9, 0);
	add_frame(&f, &fh, sizeof(fh), 1, 1, 0);
	read_mem(f.p, f.len, &res);
	ck_assert_int_eq(res.rc, 0);
	ck_assert_uint_eq(res.st.major, 1);
	ck_assert_uint_eq(res.st.minor, 9);
	buf_free(&f);
	fh = mk_file_header(2, 9, 0);
	add_frame(&f, &fh, sizeof(fh), 1, 1, 0);
	read_mem(f.p, f.len, &res);
	ck_assert_int_eq(res.rc, 0);
	ck_assert_uint_eq(res.st.major, 2);
	ck_assert_uint_eq(res.st.minor, 9);
	buf_free(&f);
}
END_TEST

static void bad_body(const void *rec, size_t len, int rc, const char *msg,
		     size_t nrec)
{
	struct buf body = { 0 }, f = { 0 };
	struct result res;

	buf_add(&body, rec, len);
	/* Without END when the body is a fragment: it must end the frame. */
	trace_of(&f, &body, len >= SKR_REC_MIN);
	read_mem(f.p, f.len, &res);
	ck_assert_int_eq(res.rc, rc);
	ck_assert_uint_eq(res.n, nrec);
	ck_assert_msg(strstr(res.msg, msg), "message \"%s\" lacks \"%s\"",
		      res.msg, msg);
	buf_free(&body);
	buf_free(&f);
}

START_TEST(test_bad_record_length)
{
	struct skr_clock ck = mk_clock(5);
	struct skr_ev_state s = mk_state(5);
	uint8_t raw[16] = { 0 };

	raw[0] = 4;	/* shorter than the header */
	bad_body(raw, sizeof(raw), -EINVAL,
		 "at frame 0 offset 48: length 4 out of range [8, 65536]", 1);
	raw[0] = 0x00;
	raw[1] = 0x10;	/* 4096 bytes, far past the frame */
	bad_body(raw, sizeof(raw), -EINVAL,
		 "length 4096 runs past the end of the frame", 1);
	raw[1] = 0;
	raw[3] = 0x80;	/* 2 GiB */
	bad_body(raw, sizeof(raw), -EINVAL, "out of range", 1);
	ck.hdr.len = 16;
	bad_body(&ck, 16, -EINVAL,
		 "record CLOCK at frame 0 offset 48: length 16 shorter than 40", 1);
	s.hdr.len = 64;
	bad_body(&s, 64, -EINVAL, "record STATE at frame 0 offset 48: length 64 "
		 "shorter than 96", 1);
	/* An unknown event type must still carry the common event fields. */
	s.hdr.len = 24;
	s.hdr.type = 0x0123;
	bad_body(&s, 24, -EINVAL, "type 0x0123 at frame 0 offset 48: length 24 "
		 "shorter than 40", 1);
	/* Fewer than 8 bytes left at the end of a frame. */
	bad_body(raw, 5, -EINVAL, "5 bytes left, too few for a record header", 1);
}
END_TEST

START_TEST(test_unknown_type_skipped)
{
	struct skr_clock ck = mk_clock(5), ck2;
	struct skr_ev_state s = mk_state(5);
	uint8_t unk[20];
	struct buf body = { 0 }, f = { 0 };
	struct skr_reader *r;
	struct skr_record rec;
	struct skr_reader_status st;
	uint64_t ts;

	memset(unk, 0xcc, sizeof(unk));
	unk[0] = sizeof(unk);
	unk[1] = unk[2] = unk[3] = 0;
	unk[4] = 0x50;
	unk[5] = 0x00;
	buf_add(&body, unk, sizeof(unk));
	buf_add(&body, &ck, sizeof(ck));
	s.hdr.type = 0x0142;	/* an event type from a later minor */
	buf_add(&body, &s, sizeof(s));
	trace_of(&f, &body, 1);

	ck_assert_int_eq(skr_reader_open_mem(&r, f.p, f.len), 0);
	ck_assert_int_eq(skr_reader_next(r, &rec), 1);
	ck_assert_int_eq(skr_reader_next(r, &rec), 1);
	ck_assert_uint_eq(rec.type, 0x0050);
	ck_assert_uint_eq(rec.len, 20);
	ck_assert_int_eq(skr_decode_clock(&rec, &ck2), -EINVAL);
	ck_assert_int_eq(skr_reader_next(r, &rec), 1);
	ck_assert_int_eq(skr_decode_clock(&rec, &ck2), 0);
	ck_assert_uint_eq(ck2.clock_ns, 5);
	ck_assert_int_eq(skr_reader_next(r, &rec), 1);
	ck_assert_uint_eq(rec.type, 0x0142);
	ck_assert_int_eq(skr_event_ts(&rec, &ts), 0);
	ck_assert_uint_eq(ts, 5);
	ck_assert_int_eq(skr_reader_next(r, &rec), 1);
	ck_assert_uint_eq(rec.type, SKR_REC_END);
	ck_assert_int_eq(skr_reader_next(r, &rec), 0);
	skr_reader_get_status(r, &st);
	ck_assert_uint_eq(st.skipped, 2);
	ck_assert_uint_eq(st.records, 5);
	ck_assert(!st.truncated);
	skr_reader_free(r);
	buf_free(&body);
	buf_free(&f);
}
END_TEST

START_TEST(test_record_after_end)
{
	struct skr_file_header fh = mk_file_header(1, 0, 0);
	struct skr_end en = mk_end();
	struct skr_ev_state s = mk_state(5);
	struct buf c = { 0 }, f = { 0 };
	struct result res;

	buf_add(&c, &fh, sizeof(fh));
	buf_add(&c, &en, sizeof(en));
	buf_add(&c, &s, sizeof(s));
	add_frame(&f, c.p, c.len, 1, 1, 0);
	read_mem(f.p, f.len, &res);
	ck_assert_int_eq(res.rc, -EINVAL);
	ck_assert_uint_eq(res.n, 2);
	ck_assert_ptr_nonnull(strstr(res.msg, "record STATE at frame 0 offset 96 "
				     "follows the END of segment 0"));
	buf_free(&c);
	buf_free(&f);
}
END_TEST

START_TEST(test_frame_too_large)
{
	struct skr_file_header fh = mk_file_header(1, 0, 0);
	size_t n = SKR_FRAME_MAX + 8;
	uint8_t *c = calloc(1, n);
	struct buf f = { 0 };
	struct result res;
	size_t off;

	ck_assert_ptr_nonnull(c);
	memcpy(c, &fh, sizeof(fh));
	for (off = sizeof(fh); off + 8 <= n; off += 8)
		c[off] = 8;	/* a run of unknown 8-byte records */

	/* Content size recorded: refused from the frame header. */
	add_frame(&f, c, n, 1, 1, 0);
	read_mem(f.p, f.len, &res);
	ck_assert_int_eq(res.rc, -EINVAL);
	ck_assert_uint_eq(res.n, 0);
	ck_assert_ptr_nonnull(strstr(res.msg, "frame 0 at byte 0: decompressed "
				     "size 4194312 exceeds the limit of 4194304"));
	buf_free(&f);

	/* Size not recorded: refused once decoding passes the limit. */
	add_frame(&f, c, n, 1, 0, 0);
	read_mem(f.p, f.len, &res);
	ck_assert_int_eq(res.rc, -EINVAL);
	ck_assert_uint_eq(res.n, 0);
	ck_assert_ptr_nonnull(strstr(res.msg, "exceeds the limit of 4194304"));
	buf_free(&f);

	/* Exactly the limit, size not recorded: accepted. */
	add_frame(&f, c, SKR_FRAME_MAX, 1, 0, 0);
	read_mem(f.p, f.len, &res);
	ck_assert_int_eq(res.rc, 0);
	ck_assert_uint_eq(res.n, 1 + (SKR_FRAME_MAX - sizeof(fh)) / 8);
	ck_assert_uint_eq(res.st.bytes_out, SKR_FRAME_MAX);
	ck_assert(res.st.truncated);	/* no END */
	buf_free(&f);
	free(c);
}
END_TEST

START_TEST(test_corrupt_frames)
{
	struct buf body = { 0 }, f = { 0 }, g = { 0 };
	struct skr_clock ck = mk_clock(5);
	struct result res;
	uint8_t junk[6] = { 1, 2, 3, 4, 5, 6 };
	size_t i;

	for (i = 0; i < 40; i++)
		buf_add(&body, &ck, sizeof(ck));
	trace_of(&f, &body, 1);

	/* Flip a byte of the compressed data: zstd or the checksum refuses. */
	f.p[f.len / 2] ^= 0x40;
	read_mem(f.p, f.len, &res);
	ck_assert_int_eq(res.rc, -EINVAL);
	ck_assert_uint_eq(res.n, 0);
	ck_assert_ptr_nonnull(strstr(res.msg, "frame 0 at byte 0: cannot decode: "));
	f.p[f.len / 2] ^= 0x40;

	/* Garbage after a complete file. */
	buf_add(&g, f.p, f.len);
	buf_add(&g, junk, sizeof(junk));
	read_mem(g.p, g.len, &res);
	ck_assert_int_eq(res.rc, -EINVAL);
	ck_assert_uint_eq(res.n, 42);
	ck_assert_ptr_nonnull(strstr(res.msg, "frame 1 at byte"));
	ck_assert_ptr_nonnull(strstr(res.msg, "not a zstd frame (found bytes 01 02 03 04)"));
	buf_free(&g);

	/* A frame without a content checksum. */
	{
		struct skr_file_header fh = mk_file_header(1, 0, 0);

		add_frame(&g, &fh, sizeof(fh), 0, 1, 0);
	}
	read_mem(g.p, g.len, &res);
	ck_assert_int_eq(res.rc, -EINVAL);
	ck_assert_ptr_nonnull(strstr(res.msg, "no content checksum"));
	buf_free(&g);

	/* A window larger than 2^SKR_WINDOW_LOG_MAX. */
	add_frame(&g, body.p, body.len, 1, 0, SKR_WINDOW_LOG_MAX + 2);
	read_mem(g.p, g.len, &res);
	ck_assert_int_eq(res.rc, -EINVAL);
	ck_assert_ptr_nonnull(strstr(res.msg, "cannot decode: Frame requires too much memory"));
	buf_free(&g);

	/* Skippable frames anywhere are ignored. */
	add_skippable(&g, 0);
	buf_add(&g, f.p, f.len);
	add_skippable(&g, 300);
	read_mem(g.p, g.len, &res);
	ck_assert_int_eq(res.rc, 0);
	ck_assert_uint_eq(res.n, 42);
	ck_assert(!res.st.truncated);
	ck_assert_uint_eq(res.st.frames, 3);
	/* ... but one cut short makes the input truncated. */
	read_mem(g.p, g.len - 1, &res);
	ck_assert_int_eq(res.rc, 0);
	ck_assert_uint_eq(res.n, 42);
	ck_assert(res.st.truncated);
	buf_free(&g);
	buf_free(&f);
	buf_free(&body);
}
END_TEST

/* ---------------------------------------------------------------- */
/* Writer                                                             */
/* ---------------------------------------------------------------- */

START_TEST(test_writer_misuse)
{
	struct skr_writer_opts bad = { .level = 1000 };
	struct skr_writer_opts big = { .frame_bytes = (size_t)1 << 30 };
	struct skr_round rd = mk_round(1);
	struct skr_writer *w;
	uint8_t raw[SKR_REC_MAX + 8] = { 0 };
	uint32_t v;

	ck_assert_int_eq(skr_writer_open(&w, 1, &bad), -EINVAL);
	ck_assert_ptr_null(w);
	ck_assert_int_eq(skr_writer_open(&w, -1, NULL), -EINVAL);
	/* An oversized frame_bytes is capped, not refused. */
	ck_assert_int_eq(skr_writer_open(&w, 1, &big), 0);
	ck_assert_int_eq(skr_writer_close(w), 0);

	ck_assert_int_eq(skr_writer_open(&w, 1, NULL), 0);
	ck_assert_int_eq(skr_writer_append(w, &rd, sizeof(rd) - 1), -EINVAL);
	ck_assert_int_eq(skr_writer_append(w, &rd, 4), -EINVAL);
	ck_assert_int_eq(skr_writer_append(w, NULL, 16), -EINVAL);
	v = sizeof(raw);
	memcpy(raw, &v, 4);
	ck_assert_int_eq(skr_writer_append(w, raw, sizeof(raw)), -EINVAL);
	ck_assert_uint_eq(skr_writer_bytes_in(w), 0);
	ck_assert_int_eq(skr_writer_close(w), 0);	/* nothing to write */
	ck_assert_int_eq(skr_writer_close(NULL), 0);
}
END_TEST

START_TEST(test_writer_write_error)
{
	struct skr_round rd = mk_round(1);
	struct skr_writer *w;
	int fd = open("/dev/full", O_WRONLY);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(skr_writer_open(&w, fd, NULL), 0);
	ck_assert_int_eq(skr_writer_append(w, &rd, sizeof(rd)), 0);
	ck_assert_int_eq(skr_writer_flush(w), -ENOSPC);
	/* Sticky: later records and flushes get the same error. */
	ck_assert_int_eq(skr_writer_append(w, &rd, sizeof(rd)), -ENOSPC);
	ck_assert_int_eq(skr_writer_flush(w), -ENOSPC);
	ck_assert_int_eq(skr_writer_close(w), -ENOSPC);
	close(fd);

	fd = open("/dev/null", O_RDONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(skr_writer_open(&w, fd, NULL), 0);
	ck_assert_int_eq(skr_writer_append(w, &rd, sizeof(rd)), 0);
	ck_assert_int_eq(skr_writer_close(w), -EBADF);
	close(fd);
}
END_TEST

/* ---------------------------------------------------------------- */
/* TLV, decoding, names                                               */
/* ---------------------------------------------------------------- */

START_TEST(test_tlv_bounds)
{
	static uint8_t val[SKR_REC_MAX];
	struct skr_tlv_iter it;
	const uint8_t *v;
	uint16_t tag, n;
	uint64_t out;
	uint8_t rec[16];
	int i;

	/* 8 + 4 + 65524 is exactly SKR_REC_MAX. */
	skr_tlv_begin(&tb, SKR_REC_HOST);
	skr_tlv_put(&tb, 1, val, SKR_REC_MAX - 12);
	ck_assert_int_eq(skr_tlv_end(&tb), (int)SKR_REC_MAX);
	skr_tlv_iter_init(&it, tb.buf, SKR_REC_MAX);
	ck_assert_int_eq(skr_tlv_next(&it, &tag, &v, &n), 1);
	ck_assert_uint_eq(n, SKR_REC_MAX - 12);
	ck_assert_int_eq(skr_tlv_next(&it, &tag, &v, &n), 0);

	/* One byte more does not fit; the error sticks and nothing is added. */
	skr_tlv_begin(&tb, SKR_REC_HOST);
	skr_tlv_put(&tb, 1, val, SKR_REC_MAX - 11);
	ck_assert_int_eq(tb.err, -E2BIG);
	ck_assert_uint_eq(tb.len, 8);
	skr_tlv_put_u8(&tb, 2, 1);
	ck_assert_uint_eq(tb.len, 8);
	ck_assert_int_eq(skr_tlv_end(&tb), -E2BIG);

	/* Many small attributes overflow too. */
	skr_tlv_begin(&tb, SKR_REC_RECORDER);
	for (i = 0; i < 10000; i++)
		skr_tlv_put_str(&tb, SKR_RECORDER_ARG, "argument");
	ck_assert_int_eq(skr_tlv_end(&tb), -E2BIG);
	ck_assert_uint_le(tb.len, SKR_REC_MAX);

	skr_tlv_begin(&tb, SKR_REC_HOST);
	skr_tlv_put_str(&tb, 1, NULL);
	ck_assert_int_eq(skr_tlv_end(&tb), -EINVAL);

	/* An attribute running past its record. */
	skr_tlv_begin(&tb, SKR_REC_HOST);
	skr_tlv_put_str(&tb, 1, "abcdef");
	ck_assert_int_eq(skr_tlv_end(&tb), 18);
	skr_tlv_iter_init(&it, tb.buf, 17);
	ck_assert_int_eq(skr_tlv_next(&it, &tag, &v, &n), -EINVAL);
	skr_tlv_iter_init(&it, tb.buf, 10);	/* half an attribute header */
	ck_assert_int_eq(skr_tlv_next(&it, &tag, &v, &n), -EINVAL);
	skr_tlv_iter_init(&it, tb.buf, 5);	/* shorter than a record header */
	ck_assert_int_eq(skr_tlv_next(&it, &tag, &v, &n), -EINVAL);

	memset(rec, 0, sizeof(rec));
	rec[0] = 1;
	rec[1] = 2;
	rec[2] = 3;
	ck_assert_int_eq(skr_tlv_uint(rec, 3, &out), -EINVAL);
	ck_assert_int_eq(skr_tlv_uint(rec, 16, &out), -EINVAL);
	ck_assert_int_eq(skr_tlv_uint(rec, 2, &out), 0);
	ck_assert_uint_eq(out, 0x0201);
	ck_assert_int_eq(skr_tlv_uint(rec, 4, &out), 0);
	ck_assert_uint_eq(out, 0x030201);
}
END_TEST

START_TEST(test_decode_refuses)
{
	struct skr_ev_state s = mk_state(9), s2;
	struct skr_clock ck;
	struct skr_record rec = { 0 };
	uint64_t ts;

	rec.data = (const uint8_t *)&s;
	rec.len = sizeof(s);
	rec.type = SKR_REC_STATE;
	ck_assert_int_eq(skr_decode_state(&rec, &s2), 0);
	ck_assert_int_eq(skr_decode_clock(&rec, &ck), -EINVAL);	/* wrong type */
	rec.len = sizeof(s) - 1;
	ck_assert_int_eq(skr_decode_state(&rec, &s2), -EINVAL);	/* too short */
	rec.len = 15;
	ck_assert_int_eq(skr_event_ts(&rec, &ts), -EINVAL);
	rec.len = 16;
	ck_assert_int_eq(skr_event_ts(&rec, &ts), 0);
	ck_assert_uint_eq(ts, 9);
	rec.data = NULL;
	ck_assert_int_eq(skr_decode_state(&rec, &s2), -EINVAL);
}
END_TEST

START_TEST(test_names)
{
	char buf[24];

	ck_assert_str_eq(skr_tcp_state_name(SKR_TCP_ESTABLISHED, buf, sizeof(buf)), "ESTABLISHED");
	ck_assert_str_eq(skr_tcp_state_name(SKR_TCP_SYN_SENT, buf, sizeof(buf)), "SYN_SENT");
	ck_assert_str_eq(skr_tcp_state_name(SKR_TCP_NEW_SYN_RECV, buf, sizeof(buf)), "NEW_SYN_RECV");
	ck_assert_str_eq(skr_tcp_state_name(0, buf, sizeof(buf)), "UNKNOWN(0)");
	ck_assert_str_eq(skr_tcp_state_name(13, buf, sizeof(buf)), "UNKNOWN(13)");
	ck_assert_str_eq(skr_tcp_state_name(4294967295u, buf, sizeof(buf)),
			 "UNKNOWN(4294967295)");
	ck_assert_str_eq(skr_rec_type_name(SKR_REC_FILE_HEADER, buf, sizeof(buf)), "FILE_HEADER");
	ck_assert_str_eq(skr_rec_type_name(SKR_REC_STATE, buf, sizeof(buf)), "STATE");
	ck_assert_str_eq(skr_rec_type_name(SKR_REC_END, buf, sizeof(buf)), "END");
	ck_assert_str_eq(skr_rec_type_name(0x01ff, buf, sizeof(buf)), "UNKNOWN(511)");
	ck_assert_str_eq(skr_tier_name(SKR_TIER_NONE, buf, sizeof(buf)), "none");
	ck_assert_str_eq(skr_tier_name(SKR_TIER_TP_BTF, buf, sizeof(buf)), "tp_btf");
	ck_assert_str_eq(skr_tier_name(SKR_TIER_FENTRY, buf, sizeof(buf)), "fentry");
	ck_assert_str_eq(skr_tier_name(5, buf, sizeof(buf)), "UNKNOWN(5)");
	ck_assert_str_eq(skr_ctx_name(SKR_CTX_SOFTIRQ, buf, sizeof(buf)), "softirq");
	ck_assert_str_eq(skr_ctx_name(SKR_CTX_NMI, buf, sizeof(buf)), "nmi");
	ck_assert_str_eq(skr_ctx_name(200, buf, sizeof(buf)), "UNKNOWN(200)");
	/* A buffer too small still yields a printable name. */
	ck_assert_str_eq(skr_ctx_name(200, buf, 4), "UNKNOWN");
}
END_TEST

static Suite *format_suite(void)
{
	Suite *s = suite_create("format");
	TCase *tc;

	tc = tcase_create("roundtrip");
	tcase_add_test(tc, test_roundtrip_all_types);
	tcase_add_test(tc, test_many_frames);
	tcase_add_test(tc, test_blocks_read_in_place);
	tcase_add_test(tc, test_full_blocks_wait_for_sync);
	tcase_add_test(tc, test_held_output_bounded);
	tcase_add_test(tc, test_max_record_and_trailing_fields);
	suite_add_tcase(s, tc);

	tc = tcase_create("stream");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_concatenation);
	tcase_add_test(tc, test_concat_after_truncated_file);
	tcase_add_test(tc, test_truncation_every_byte);
	tcase_add_test(tc, test_pipe_and_path);
	tcase_add_test(tc, test_large_file_fd);
	suite_add_tcase(s, tc);

	tc = tcase_create("malformed");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_not_zstd);
	tcase_add_test(tc, test_wrong_magic);
	tcase_add_test(tc, test_newer_major);
	tcase_add_test(tc, test_bad_record_length);
	tcase_add_test(tc, test_unknown_type_skipped);
	tcase_add_test(tc, test_record_after_end);
	tcase_add_test(tc, test_frame_too_large);
	tcase_add_test(tc, test_corrupt_frames);
	suite_add_tcase(s, tc);

	tc = tcase_create("writer");
	tcase_add_test(tc, test_writer_misuse);
	tcase_add_test(tc, test_writer_write_error);
	suite_add_tcase(s, tc);
	return s;
}

static Suite *codec_suite(void)
{
	Suite *s = suite_create("codec");
	TCase *tc = tcase_create("tlv-decode-names");

	tcase_add_test(tc, test_tlv_bounds);
	tcase_add_test(tc, test_decode_refuses);
	tcase_add_test(tc, test_names);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(format_suite());
	int failed;

	srunner_add_suite(sr, codec_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
