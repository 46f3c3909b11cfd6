// SPDX-License-Identifier: BSD-2-Clause
/*
 * Unit tests of the record catalogue (format/catalog.c): one descriptor per
 * record type, its byte-order tables, the encoders beside the decoder, and
 * the rule that the format is little-endian (a big-endian header is refused
 * with a message that says so).
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zstd.h>

#include "format/skr.h"

/* Every type of version 1, with the struct docs/FORMAT.md gives it. */
static const struct {
	unsigned type;
	const char *name;
	size_t size;		/* SKR_REC_MIN for attribute records */
	bool tlv;
} v1_types[] = {	/* 1.0, SAMPLING of 1.1, COUNTERS of 1.2, BENIGN of 1.3 */
	{ SKR_REC_FILE_HEADER, "FILE_HEADER", sizeof(struct skr_file_header), false },
	{ SKR_REC_HOST, "HOST", SKR_REC_MIN, true },
	{ SKR_REC_RECORDER, "RECORDER", SKR_REC_MIN, true },
	{ SKR_REC_CLOCK, "CLOCK", sizeof(struct skr_clock), false },
	{ SKR_REC_PROBE, "PROBE", SKR_REC_MIN, true },
	{ SKR_REC_FILTER, "FILTER", SKR_REC_MIN, true },
	{ SKR_REC_SNAPSHOT, "SNAPSHOT", sizeof(struct skr_snapshot), false },
	{ SKR_REC_STATS, "STATS", sizeof(struct skr_stats), false },
	{ SKR_REC_BENIGN, "BENIGN", sizeof(struct skr_benign), false },
	{ SKR_REC_LOSS, "LOSS", sizeof(struct skr_loss), false },
	{ SKR_REC_ROUND, "ROUND", sizeof(struct skr_round), false },
	{ SKR_REC_END, "END", sizeof(struct skr_end), false },
	{ SKR_REC_STATE, "STATE", sizeof(struct skr_ev_state), false },
	{ SKR_REC_LISTEN, "LISTEN", sizeof(struct skr_ev_listen), false },
	{ SKR_REC_ACCEPT, "ACCEPT", sizeof(struct skr_ev_accept), false },
	{ SKR_REC_RESET, "RESET", sizeof(struct skr_ev_reset), false },
	{ SKR_REC_SOCK_ERROR, "SOCK_ERROR", sizeof(struct skr_ev_sock_error), false },
	{ SKR_REC_RETRANSMIT, "RETRANSMIT", sizeof(struct skr_ev_retransmit), false },
	{ SKR_REC_DESTROY, "DESTROY", sizeof(struct skr_ev_destroy), false },
	{ SKR_REC_SKB_DROP, "SKB_DROP", sizeof(struct skr_ev_skb_drop), false },
	{ SKR_REC_LISTENER, "LISTENER", sizeof(struct skr_ev_listener), false },
	{ SKR_REC_NETNS_STATS, "NETNS_STATS", sizeof(struct skr_ev_netns_stats), false },
	{ SKR_REC_STATE4, "STATE4", sizeof(struct skr_ev_state4), false },
	{ SKR_REC_SAMPLING, "SAMPLING", sizeof(struct skr_ev_sampling), false },
	{ SKR_REC_COUNTERS, "COUNTERS", sizeof(struct skr_ev_counters), false },
};

#define NTYPES	(sizeof(v1_types) / sizeof(v1_types[0]))

static bool is_v1(unsigned type)
{
	size_t i;

	for (i = 0; i < NTYPES; i++)
		if (v1_types[i].type == type)
			return true;
	return false;
}

START_TEST(test_every_type_described)
{
	size_t i;
	unsigned t;

	for (i = 0; i < NTYPES; i++) {
		const struct skr_rec_desc *d = skr_rec_desc(v1_types[i].type);

		ck_assert_msg(d != NULL, "no descriptor for 0x%04x",
			      v1_types[i].type);
		ck_assert_uint_eq(d->type, v1_types[i].type);
		ck_assert_str_eq(d->name, v1_types[i].name);
		ck_assert_uint_eq(d->min_len, v1_types[i].size);
		ck_assert_uint_eq(skr_rec_min_len(d->type), v1_types[i].size);
		ck_assert_int_eq(d->tlv, v1_types[i].tlv);
		/* Events, and only events, carry the common fields. */
		ck_assert_int_eq(d->common, skr_rec_is_event(d->type));
	}
	/* No descriptor for anything else, whichever range it falls in. */
	for (t = 0; t <= 0xffff; t++)
		if (!is_v1(t))
			ck_assert_msg(skr_rec_desc(t) == NULL,
				      "descriptor for unknown type 0x%04x", t);
}
END_TEST

START_TEST(test_event_predicate)
{
	ck_assert(!skr_rec_is_event(SKR_REC_END));
	ck_assert(!skr_rec_is_event(0x00ff));
	ck_assert(skr_rec_is_event(SKR_REC_STATE));
	ck_assert(skr_rec_is_event(0x01ff));
	ck_assert(skr_rec_is_event(0xffff));
}
END_TEST

/*
 * The byte-order tables: each listed integer lies inside the record, is
 * 2, 4 or 8 bytes on its natural alignment, and no two overlap (nor with
 * the header and the common fields, which every fixed record swaps).
 */
START_TEST(test_field_tables)
{
	size_t i, j;

	for (i = 0; i < NTYPES; i++) {
		const struct skr_rec_desc *d = skr_rec_desc(v1_types[i].type);
		uint8_t used[SKR_REC_MAX];
		size_t first = sizeof(struct skr_rec_hdr) +
			       (d->common ? sizeof(struct skr_ev_common) : 0);

		if (d->tlv) {
			ck_assert_uint_eq(d->nfields, 0);
			continue;
		}
		ck_assert_uint_gt(d->nfields, 0);
		memset(used, 0, sizeof(used));
		for (j = 0; j < d->nfields; j++) {
			const struct skr_field *f = &d->fields[j];
			size_t k;

			ck_assert(f->size == 2 || f->size == 4 || f->size == 8);
			ck_assert_uint_eq(f->off % f->size, 0);
			ck_assert_uint_ge(f->off, first);
			ck_assert_uint_le(f->off + f->size, d->min_len);
			for (k = f->off; k < f->off + f->size; k++) {
				ck_assert_msg(!used[k], "%s: fields overlap at %zu",
					      d->name, k);
				used[k] = 1;
			}
		}
		/* The address, comm and kernel address parts are no integers. */
		for (j = 0; j < 2; j++)
			if (d->addr[j]) {
				ck_assert(d->addr_len == 4 || d->addr_len == 16);
				ck_assert(!used[d->addr[j]]);
				ck_assert_uint_le(d->addr[j] + d->addr_len, d->min_len);
			}
		if (d->comm)
			ck_assert_uint_le(d->comm + SKR_COMM_LEN, d->min_len);
		if (d->kaddr)
			ck_assert(used[d->kaddr]);
	}
}
END_TEST

/* The byte-sized fields of each fixed record: what a byte swap leaves alone. */
struct span {
	uint16_t off, len;
};

#define B(st, m)	{ offsetof(struct st, m), sizeof(((struct st *)0)->m) }
#define COMMON(st)							\
	{ offsetof(struct st, c) + offsetof(struct skr_ev_common, ctx), 1 }, \
	{ offsetof(struct st, c) + offsetof(struct skr_ev_common, pad), 1 }

static const struct {
	unsigned type;
	struct span b[12];
} bytes_of[] = {
	{ SKR_REC_FILE_HEADER, { B(skr_file_header, magic),
				 B(skr_file_header, capture_id) } },
	{ SKR_REC_CLOCK, { { 0, 0 } } },
	{ SKR_REC_LOSS, { { 0, 0 } } },
	{ SKR_REC_ROUND, { { 0, 0 } } },
	{ SKR_REC_END, { { 0, 0 } } },
	{ SKR_REC_STATS, { { 0, 0 } } },
	{ SKR_REC_BENIGN, { { 0, 0 } } },
	{ SKR_REC_SNAPSHOT, { B(skr_snapshot, saddr), B(skr_snapshot, daddr),
			      B(skr_snapshot, family), B(skr_snapshot, state),
			      B(skr_snapshot, kind), B(skr_snapshot, pad) } },
	{ SKR_REC_STATE, { COMMON(skr_ev_state), B(skr_ev_state, saddr),
			   B(skr_ev_state, daddr), B(skr_ev_state, comm),
			   B(skr_ev_state, family), B(skr_ev_state, protocol),
			   B(skr_ev_state, oldstate),
			   B(skr_ev_state, newstate) } },
	{ SKR_REC_STATE4, { COMMON(skr_ev_state4), B(skr_ev_state4, saddr),
			    B(skr_ev_state4, daddr), B(skr_ev_state4, comm),
			    B(skr_ev_state4, family),
			    B(skr_ev_state4, protocol),
			    B(skr_ev_state4, oldstate),
			    B(skr_ev_state4, newstate) } },
	{ SKR_REC_LISTEN, { COMMON(skr_ev_listen), B(skr_ev_listen, family),
			    B(skr_ev_listen, flags) } },
	{ SKR_REC_ACCEPT, { COMMON(skr_ev_accept), B(skr_ev_accept, family),
			    B(skr_ev_accept, flags) } },
	{ SKR_REC_RESET, { COMMON(skr_ev_reset), B(skr_ev_reset, saddr),
			   B(skr_ev_reset, daddr), B(skr_ev_reset, family),
			   B(skr_ev_reset, state), B(skr_ev_reset, dir),
			   B(skr_ev_reset, pad) } },
	{ SKR_REC_SOCK_ERROR, { COMMON(skr_ev_sock_error),
				B(skr_ev_sock_error, saddr),
				B(skr_ev_sock_error, daddr),
				B(skr_ev_sock_error, family),
				B(skr_ev_sock_error, state) } },
	{ SKR_REC_RETRANSMIT, { COMMON(skr_ev_retransmit),
				B(skr_ev_retransmit, saddr),
				B(skr_ev_retransmit, daddr),
				B(skr_ev_retransmit, family),
				B(skr_ev_retransmit, state),
				B(skr_ev_retransmit, kind),
				B(skr_ev_retransmit, pad) } },
	{ SKR_REC_DESTROY, { COMMON(skr_ev_destroy), B(skr_ev_destroy, family),
			     B(skr_ev_destroy, state) } },
	{ SKR_REC_SKB_DROP, { COMMON(skr_ev_skb_drop),
			      B(skr_ev_skb_drop, saddr),
			      B(skr_ev_skb_drop, daddr),
			      B(skr_ev_skb_drop, family),
			      B(skr_ev_skb_drop, state),
			      B(skr_ev_skb_drop, benign),
			      B(skr_ev_skb_drop, pad) } },
	{ SKR_REC_LISTENER, { COMMON(skr_ev_listener),
			      B(skr_ev_listener, saddr),
			      B(skr_ev_listener, family),
			      B(skr_ev_listener, flags) } },
	{ SKR_REC_NETNS_STATS, { COMMON(skr_ev_netns_stats) } },
	{ SKR_REC_SAMPLING, { COMMON(skr_ev_sampling), B(skr_ev_sampling, state),
			      B(skr_ev_sampling, pad) } },
	{ SKR_REC_COUNTERS, { COMMON(skr_ev_counters) } },
};

/*
 * Every byte of every fixed record is accounted for: the swap a big-endian
 * host runs moves every byte of every integer (header and common fields
 * included) and leaves exactly the byte fields above alone.  An integer
 * missing from a catalogue table, which a little-endian host would never
 * notice, fails here.
 */
START_TEST(test_swap_covers_every_integer)
{
	size_t i, j, k, fixed = 0;

	for (i = 0; i < NTYPES; i++)
		fixed += !v1_types[i].tlv;
	ck_assert_uint_eq(sizeof(bytes_of) / sizeof(bytes_of[0]), fixed);
	for (i = 0; i < sizeof(bytes_of) / sizeof(bytes_of[0]); i++) {
		const struct skr_rec_desc *d = skr_rec_desc(bytes_of[i].type);
		uint8_t rec[256], orig[256], is_byte[256];

		ck_assert_ptr_nonnull(d);
		ck_assert_uint_le(d->min_len, sizeof(rec));
		memset(is_byte, 0, sizeof(is_byte));
		for (j = 0; j < 12 && bytes_of[i].b[j].len; j++)
			for (k = 0; k < bytes_of[i].b[j].len; k++)
				is_byte[bytes_of[i].b[j].off + k] = 1;
		for (k = 0; k < d->min_len; k++)
			orig[k] = rec[k] = (uint8_t)(k + 1);
		ck_assert_int_eq(skr_rec_swap(d->type, rec, d->min_len), 0);
		for (k = 0; k < d->min_len; k++)
			ck_assert_msg((rec[k] == orig[k]) == is_byte[k],
				      "%s: byte %zu %s by the swap", d->name, k,
				      is_byte[k] ? "moved" : "not moved");
	}
}
END_TEST

/*
 * A big-endian host's conversion, run here: every integer of the header,
 * the common part and the body comes out with its bytes reversed.
 */
START_TEST(test_swap_listen)
{
	struct skr_ev_listen l, s;
	const uint8_t *p = (const uint8_t *)&s;

	memset(&l, 0, sizeof(l));
	l.hdr.len = sizeof(l);
	l.hdr.type = SKR_REC_LISTEN;
	l.c.ts_ns = 0x0102030405060708ull;
	l.c.cpu = 0x0a0b;
	l.backlog = 0x11223344;
	l.sport = 0x5566;
	l.family = 0x77;
	s = l;
	ck_assert_int_eq(skr_rec_swap(SKR_REC_LISTEN, &s, sizeof(s)), 0);
	ck_assert_uint_eq(p[0], 0);
	ck_assert_uint_eq(p[3], sizeof(l));
	ck_assert_uint_eq(p[5], SKR_REC_LISTEN & 0xff);
	ck_assert_uint_eq(s.c.ts_ns, 0x0807060504030201ull);
	ck_assert_uint_eq(s.c.cpu, 0x0b0a);
	ck_assert_uint_eq((uint32_t)s.backlog, 0x44332211u);
	ck_assert_uint_eq(s.sport, 0x6655);
	ck_assert_uint_eq(s.family, 0x77);
	ck_assert_int_eq(skr_rec_swap(SKR_REC_LISTEN, &s, sizeof(s)), 0);
	ck_assert_mem_eq(&s, &l, sizeof(l));
	/* Attribute records, unknown types and short buffers are refused. */
	ck_assert_int_eq(skr_rec_swap(SKR_REC_HOST, &s, sizeof(s)), -EINVAL);
	ck_assert_int_eq(skr_rec_swap(0x01ff, &s, sizeof(s)), -EINVAL);
	ck_assert_int_eq(skr_rec_swap(SKR_REC_LISTEN, &s, sizeof(s) - 1), -EINVAL);
}
END_TEST

/* The file header's bytes, as docs/FORMAT.md lays them out. */
START_TEST(test_encode_file_header)
{
	static const uint8_t want[48] = {
		0x30, 0, 0, 0, 0x01, 0x00, 0, 0,		/* len 48, FILE_HEADER */
		'S', 'K', 'R', 'T', 'R', 'A', 'C', 'E',
		0x01, 0x00, 0x02, 0x00,				/* 1.2 */
		0x04, 0x03, 0x02, 0x01,				/* file index */
		0xc0, 0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7,
		0xc8, 0xc9, 0xca, 0xcb, 0xcc, 0xcd, 0xce, 0xcf,
		0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11,	/* created */
	};
	struct skr_file_header fh, back;
	struct skr_record rec;
	uint8_t id[16];
	int i;

	for (i = 0; i < 16; i++)
		id[i] = (uint8_t)(0xc0 + i);
	memset(&fh, 0xee, sizeof(fh));
	skr_encode_file_header(&fh, 1, 2, 0x01020304u, id,
			       0x1122334455667788ull);
	ck_assert_mem_eq(&fh, want, sizeof(want));

	rec.data = (const uint8_t *)&fh;
	rec.len = sizeof(fh);
	rec.type = SKR_REC_FILE_HEADER;
	ck_assert_int_eq(skr_decode_file_header(&rec, &back), 0);
	ck_assert_uint_eq(back.minor, 2);
	ck_assert_uint_eq(back.file_index, 0x01020304u);
	ck_assert_uint_eq(back.created_ns, 0x1122334455667788ull);

	/* Re-encoding a decoded header in place (as redaction does) keeps its id. */
	skr_encode_file_header(&back, back.major, back.minor, back.file_index,
			       back.capture_id, back.created_ns);
	ck_assert_mem_eq(&back, want, sizeof(want));
}
END_TEST

/* Encoding then decoding through the catalogue gives the struct back. */
START_TEST(test_encode_decode)
{
	struct skr_ev_destroy in, wire, out;
	struct skr_record rec;

	memset(&in, 0, sizeof(in));
	in.c.ts_ns = 42;
	in.c.cookie = 7;
	in.bytes_acked = 1000;
	in.srtt_us = 250;
	in.sport = 8080;
	ck_assert_int_eq(skr_rec_encode(SKR_REC_DESTROY, &in, sizeof(in), &wire), 0);
	ck_assert_uint_eq(((const uint8_t *)&wire)[0], sizeof(in));
	rec.data = (const uint8_t *)&wire;
	rec.len = sizeof(wire);
	rec.type = SKR_REC_DESTROY;
	ck_assert_int_eq(skr_decode_destroy(&rec, &out), 0);
	ck_assert_uint_eq(out.hdr.len, sizeof(in));
	ck_assert_uint_eq(out.hdr.type, SKR_REC_DESTROY);
	ck_assert_uint_eq(out.bytes_acked, 1000);
	ck_assert_uint_eq(out.srtt_us, 250);
	ck_assert_uint_eq(out.sport, 8080);
	ck_assert_uint_eq(out.c.ts_ns, 42);
	/* The wrong size for the type, a wrong type or a short record: refused. */
	ck_assert_int_eq(skr_rec_encode(SKR_REC_DESTROY, &in, sizeof(in) - 8, &wire),
			 -EINVAL);
	ck_assert_int_eq(skr_rec_encode(SKR_REC_PROBE, &in, sizeof(in), &wire),
			 -EINVAL);
	ck_assert_int_eq(skr_rec_decode(&rec, SKR_REC_RESET, &out, sizeof(out)),
			 -EINVAL);
	rec.len = sizeof(wire) - 1;
	ck_assert_int_eq(skr_decode_destroy(&rec, &out), -EINVAL);
}
END_TEST

/* One decoder for every fixed type: the union holds each, by its descriptor. */
START_TEST(test_decode_any)
{
	struct skr_ev_accept in, wire;
	union skr_rec_any out;
	struct skr_record rec;
	uint8_t tlv[SKR_REC_MIN] = { SKR_REC_MIN, 0, 0, 0, SKR_REC_HOST, 0 };
	size_t i;

	for (i = 0; i < NTYPES; i++)
		if (!v1_types[i].tlv)
			ck_assert_uint_le(v1_types[i].size, sizeof(out));
	memset(&in, 0, sizeof(in));
	in.c.cookie = 9;
	in.child_cookie = 10;
	in.qlen = 3;
	ck_assert_int_eq(skr_rec_encode(SKR_REC_ACCEPT, &in, sizeof(in), &wire), 0);
	memset(&rec, 0, sizeof(rec));
	rec.data = (const uint8_t *)&wire;
	rec.len = sizeof(wire);
	rec.type = SKR_REC_ACCEPT;
	ck_assert_int_eq(skr_rec_decode_any(&rec, &out), 0);
	ck_assert_uint_eq(out.hdr.type, SKR_REC_ACCEPT);
	ck_assert_uint_eq(out.ev.c.cookie, 9);
	ck_assert_uint_eq(out.accept.child_cookie, 10);
	ck_assert_uint_eq(out.accept.qlen, 3);
	/* Short, unknown and attribute records: refused. */
	rec.len = sizeof(wire) - 1;
	ck_assert_int_eq(skr_rec_decode_any(&rec, &out), -EINVAL);
	rec.len = sizeof(wire);
	rec.type = 0x01fe;
	ck_assert_int_eq(skr_rec_decode_any(&rec, &out), -EINVAL);
	rec.data = tlv;
	rec.len = sizeof(tlv);
	rec.type = SKR_REC_HOST;
	ck_assert_int_eq(skr_rec_decode_any(&rec, &out), -EINVAL);
	ck_assert_int_eq(skr_rec_decode_any(NULL, &out), -EINVAL);
}
END_TEST

/* ---- reading whole files ---- */

struct file {
	uint8_t buf[4096];
	size_t len;
};

static void add_rec(struct file *f, const void *rec, size_t len)
{
	ck_assert_uint_le(f->len + len, sizeof(f->buf));
	memcpy(f->buf + f->len, rec, len);
	f->len += len;
}

/* The records so far as one zstd frame appended to out. */
static void frame(struct file *f, uint8_t *out, size_t *out_len, size_t cap)
{
	ZSTD_CCtx *cctx = ZSTD_createCCtx();
	size_t n;

	/* The reader wants every frame checksummed, as the writer makes them. */
	ck_assert_ptr_nonnull(cctx);
	ck_assert(!ZSTD_isError(ZSTD_CCtx_setParameter(cctx,
						       ZSTD_c_checksumFlag, 1)));
	n = ZSTD_compress2(cctx, out + *out_len, cap - *out_len, f->buf, f->len);
	ZSTD_freeCCtx(cctx);
	ck_assert(!ZSTD_isError(n));
	*out_len += n;
	f->len = 0;
}

static void good_file(uint8_t *out, size_t *out_len, size_t cap)
{
	struct file f = { .len = 0 };
	struct skr_file_header fh;
	struct skr_end end;
	uint8_t id[16] = { 1 };

	skr_encode_file_header(&fh, SKR_VERSION_MAJOR, SKR_VERSION_MINOR, 0,
			       id, 1);
	add_rec(&f, &fh, sizeof(fh));
	memset(&end, 0, sizeof(end));
	ck_assert_int_eq(skr_rec_encode(SKR_REC_END, &end, sizeof(end), &end), 0);
	add_rec(&f, &end, sizeof(end));
	frame(&f, out, out_len, cap);
}

/* A header as a big-endian recorder writing host order would put it. */
static void big_endian_file(uint8_t *out, size_t *out_len, size_t cap)
{
	struct file f = { .len = 0 };
	struct skr_file_header fh;
	uint8_t id[16] = { 2 };

	skr_encode_file_header(&fh, SKR_VERSION_MAJOR, SKR_VERSION_MINOR, 1,
			       id, 1);
	ck_assert_int_eq(skr_rec_swap(SKR_REC_FILE_HEADER, &fh, sizeof(fh)), 0);
	add_rec(&f, &fh, sizeof(fh));
	frame(&f, out, out_len, cap);
}

static int read_all(const uint8_t *p, size_t len, char *msg, size_t size,
		    size_t *records)
{
	struct skr_reader *r;
	struct skr_record rec;
	int rc;

	*records = 0;
	ck_assert_int_eq(skr_reader_open_mem(&r, p, len), 0);
	while ((rc = skr_reader_next(r, &rec)) == 1)
		(*records)++;
	snprintf(msg, size, "%s", skr_reader_errmsg(r));
	skr_reader_free(r);
	return rc;
}

#define BE_MSG	"is big-endian, but the trace format is little-endian on every host"

START_TEST(test_big_endian_refused)
{
	uint8_t out[8192];
	size_t len = 0, n;
	char msg[512];

	big_endian_file(out, &len, sizeof(out));
	ck_assert_int_eq(read_all(out, len, msg, sizeof(msg), &n), -EINVAL);
	ck_assert_uint_eq(n, 0);
	ck_assert_msg(strstr(msg, BE_MSG) != NULL, "message: %s", msg);

	/* The same as the second file of a concatenation. */
	len = 0;
	good_file(out, &len, sizeof(out));
	big_endian_file(out, &len, sizeof(out));
	ck_assert_int_eq(read_all(out, len, msg, sizeof(msg), &n), -EINVAL);
	ck_assert_uint_eq(n, 2);
	ck_assert_msg(strstr(msg, BE_MSG) != NULL, "message: %s", msg);
}
END_TEST

/* Types the catalogue does not know are handed out and skipped by length. */
START_TEST(test_unknown_skipped_by_length)
{
	struct file f = { .len = 0 };
	struct skr_file_header fh;
	struct skr_end end;
	struct skr_reader *r;
	struct skr_record rec;
	struct skr_reader_status st;
	uint8_t unk[64], out[8192];
	uint16_t seen[8];
	size_t len = 0, n = 0;
	uint8_t id[16] = { 3 };

	skr_encode_file_header(&fh, SKR_VERSION_MAJOR, SKR_VERSION_MINOR, 0,
			       id, 1);
	add_rec(&f, &fh, sizeof(fh));
	/* A metadata type of a later minor: 20 bytes. */
	memset(unk, 0xab, sizeof(unk));
	unk[0] = 20; unk[1] = 0; unk[2] = 0; unk[3] = 0;
	unk[4] = 0x1e; unk[5] = 0x00; unk[6] = 0; unk[7] = 0;
	add_rec(&f, unk, 20);
	/* An event type of a later minor: 56 bytes, more than the common part. */
	unk[0] = 56; unk[4] = 0xff; unk[5] = 0x01;
	add_rec(&f, unk, 56);
	memset(&end, 0, sizeof(end));
	ck_assert_int_eq(skr_rec_encode(SKR_REC_END, &end, sizeof(end), &end), 0);
	add_rec(&f, &end, sizeof(end));
	frame(&f, out, &len, sizeof(out));

	ck_assert_int_eq(skr_reader_open_mem(&r, out, len), 0);
	while (skr_reader_next(r, &rec) == 1) {
		ck_assert_uint_lt(n, 8);
		seen[n++] = rec.type;
	}
	skr_reader_get_status(r, &st);
	ck_assert_str_eq(skr_reader_errmsg(r), "");
	skr_reader_free(r);
	ck_assert_uint_eq(n, 4);
	ck_assert_uint_eq(seen[1], 0x001e);
	ck_assert_uint_eq(seen[2], 0x01ff);
	ck_assert_uint_eq(seen[3], SKR_REC_END);
	ck_assert_uint_eq(st.skipped, 2);
	ck_assert(!st.truncated);
}
END_TEST

static Suite *catalog_suite(void)
{
	Suite *s = suite_create("catalog");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_every_type_described);
	tcase_add_test(tc, test_event_predicate);
	tcase_add_test(tc, test_field_tables);
	tcase_add_test(tc, test_swap_covers_every_integer);
	tcase_add_test(tc, test_swap_listen);
	tcase_add_test(tc, test_encode_file_header);
	tcase_add_test(tc, test_encode_decode);
	tcase_add_test(tc, test_decode_any);
	tcase_add_test(tc, test_big_endian_refused);
	tcase_add_test(tc, test_unknown_skipped_by_length);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(catalog_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
