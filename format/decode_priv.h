/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Shared by the decoders (decode.c, decode_diag.c), not part of libskr's
 * API.  The on-disk layout is the struct layout on a little-endian host, so
 * decoding is a copy of the v1 prefix, followed on a big-endian host by a
 * swap of every multi-byte field.
 */
#ifndef SKR_DECODE_PRIV_H
#define SKR_DECODE_PRIV_H

#include <errno.h>
#include <string.h>

#include "skr.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define le16(v) ((v) = __builtin_bswap16(v))
#define le32(v) ((v) = __builtin_bswap32(v))
#define le64(v) ((v) = __builtin_bswap64(v))
#else
#define le16(v) ((void)0)
#define le32(v) ((void)0)
#define le64(v) ((void)0)
#endif

static inline int copy_prefix(const struct skr_record *rec, unsigned type,
			      void *out, size_t size)
{
	if (!rec || !out || !rec->data || rec->type != type ||
	    rec->len < size)
		return -EINVAL;
	memcpy(out, rec->data, size);
	return 0;
}

static inline void swap_hdr(struct skr_rec_hdr *h)
{
	le32(h->len);
	le16(h->type);
	le16(h->flags);
	(void)h;
}

static inline void swap_common(struct skr_ev_common *c)
{
	le64(c->ts_ns);
	le64(c->cookie);
	le32(c->netns);
	le32(c->tgid);
	le32(c->tid);
	le16(c->cpu);
	(void)c;
}

#endif /* SKR_DECODE_PRIV_H */
