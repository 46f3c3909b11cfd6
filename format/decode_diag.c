// SPDX-License-Identifier: BSD-2-Clause
/*
 * Decoders of the records sockrec takes from sock_diag and /proc/net/netstat
 * (SNAPSHOT, LISTENER, NETNS_STATS).  Same scheme as decode.c: copy the v1
 * prefix, then swap multi-byte fields on a big-endian host.
 */
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

static int copy_prefix(const struct skr_record *rec, unsigned type,
		       void *out, size_t size)
{
	if (!rec || !out || !rec->data || rec->type != type ||
	    rec->len < size)
		return -EINVAL;
	memcpy(out, rec->data, size);
	return 0;
}

static void swap_hdr(struct skr_rec_hdr *h)
{
	le32(h->len);
	le16(h->type);
	le16(h->flags);
	(void)h;
}

static void swap_common(struct skr_ev_common *c)
{
	le64(c->ts_ns);
	le64(c->cookie);
	le32(c->netns);
	le32(c->tgid);
	le32(c->tid);
	le16(c->cpu);
	(void)c;
}

int skr_decode_snapshot(const struct skr_record *rec, struct skr_snapshot *out)
{
	int rc = copy_prefix(rec, SKR_REC_SNAPSHOT, out, sizeof(*out));

	if (rc)
		return rc;
	swap_hdr(&out->hdr);
	le64(out->ts_ns);
	le64(out->cookie);
	le32(out->netns);
	le32(out->inode);
	le32(out->uid);
	le32(out->rqueue);
	le32(out->wqueue);
	le32(out->count);
	le32(out->error);
	le16(out->netns_listed);
	le16(out->netns_failed);
	le16(out->sport);
	le16(out->dport);
	return 0;
}

int skr_decode_listener(const struct skr_record *rec,
			struct skr_ev_listener *out)
{
	int rc = copy_prefix(rec, SKR_REC_LISTENER, out, sizeof(*out));

	if (rc)
		return rc;
	swap_hdr(&out->hdr);
	swap_common(&out->c);
	le64(out->drops);
	le32(out->ack_backlog);
	le32(out->max_ack_backlog);
	le32(out->inode);
	le16(out->sport);
	return 0;
}

int skr_decode_netns_stats(const struct skr_record *rec,
			   struct skr_ev_netns_stats *out)
{
	int rc = copy_prefix(rec, SKR_REC_NETNS_STATS, out, sizeof(*out));

	if (rc)
		return rc;
	swap_hdr(&out->hdr);
	swap_common(&out->c);
	le64(out->listen_overflows);
	le64(out->listen_drops);
	le32(out->flags);
	le32(out->pad);
	return 0;
}
