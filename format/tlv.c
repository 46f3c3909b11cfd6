// SPDX-License-Identifier: BSD-2-Clause
/*
 * Attribute records (HOST, RECORDER, PROBE): building them for the writer
 * and walking them for the reader.  Values are stored little-endian byte by
 * byte so the encoding does not depend on the host.
 */
#include <errno.h>
#include <string.h>

#include "skr.h"

#define TLV_HDR 4u	/* u16 tag + u16 len */

static void put_le(uint8_t *p, uint64_t v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le(const uint8_t *p, size_t n)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

void skr_tlv_begin(struct skr_tlv_builder *b, uint16_t type)
{
	memset(b->buf, 0, SKR_REC_MIN);
	put_le(b->buf + 4, type, 2);
	b->len = SKR_REC_MIN;
	b->err = 0;
}

void skr_tlv_put(struct skr_tlv_builder *b, uint16_t tag, const void *val,
		 size_t len)
{
	if (b->err)
		return;
	if (!val && len) {
		b->err = -EINVAL;
		return;
	}
	if (len > UINT16_MAX || b->len > SKR_REC_MAX ||
	    SKR_REC_MAX - b->len < TLV_HDR + len) {
		b->err = -E2BIG;
		return;
	}
	put_le(b->buf + b->len, tag, 2);
	put_le(b->buf + b->len + 2, len, 2);
	if (len)
		memcpy(b->buf + b->len + TLV_HDR, val, len);
	b->len += TLV_HDR + len;
}

void skr_tlv_put_str(struct skr_tlv_builder *b, uint16_t tag, const char *s)
{
	if (!s) {
		if (!b->err)
			b->err = -EINVAL;
		return;
	}
	skr_tlv_put(b, tag, s, strlen(s));
}

static void put_uint(struct skr_tlv_builder *b, uint16_t tag, uint64_t v,
		     size_t n)
{
	uint8_t tmp[8];

	put_le(tmp, v, n);
	skr_tlv_put(b, tag, tmp, n);
}

void skr_tlv_put_u8(struct skr_tlv_builder *b, uint16_t tag, uint8_t v)
{
	put_uint(b, tag, v, 1);
}

void skr_tlv_put_u16(struct skr_tlv_builder *b, uint16_t tag, uint16_t v)
{
	put_uint(b, tag, v, 2);
}

void skr_tlv_put_u32(struct skr_tlv_builder *b, uint16_t tag, uint32_t v)
{
	put_uint(b, tag, v, 4);
}

void skr_tlv_put_u64(struct skr_tlv_builder *b, uint16_t tag, uint64_t v)
{
	put_uint(b, tag, v, 8);
}

int skr_tlv_end(struct skr_tlv_builder *b)
{
	if (b->err)
		return b->err;
	if (b->len < SKR_REC_MIN || b->len > SKR_REC_MAX)
		return -EINVAL;
	put_le(b->buf, b->len, 4);
	return (int)b->len;
}

void skr_tlv_iter_init(struct skr_tlv_iter *it, const void *rec, size_t len)
{
	const uint8_t *p = rec;

	/*
	 * Two pointers are all the iterator has, so a record too short for
	 * its header is encoded as p == NULL with end != NULL, which
	 * skr_tlv_next reports as -EINVAL instead of as "no attributes".
	 */
	if (!p) {
		it->p = it->end = NULL;
		return;
	}
	if (len < SKR_REC_MIN) {
		it->p = NULL;
		it->end = p;
		return;
	}
	it->p = p + SKR_REC_MIN;
	it->end = p + len;
}

int skr_tlv_next(struct skr_tlv_iter *it, uint16_t *tag, const uint8_t **val,
		 uint16_t *vlen)
{
	size_t left, n;

	if (!it->p)
		return it->end ? -EINVAL : 0;
	left = (size_t)(it->end - it->p);
	if (left == 0)
		return 0;
	if (left < TLV_HDR)
		return -EINVAL;
	n = (size_t)get_le(it->p + 2, 2);
	if (left - TLV_HDR < n)
		return -EINVAL;
	*tag = (uint16_t)get_le(it->p, 2);
	*vlen = (uint16_t)n;
	*val = it->p + TLV_HDR;
	it->p += TLV_HDR + n;
	return 1;
}

int skr_tlv_uint(const uint8_t *val, uint16_t vlen, uint64_t *out)
{
	if (!val || !out)
		return -EINVAL;
	switch (vlen) {
	case 1:
	case 2:
	case 4:
	case 8:
		*out = get_le(val, vlen);
		return 0;
	default:
		return -EINVAL;
	}
}
