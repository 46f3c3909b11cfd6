// SPDX-License-Identifier: BSD-2-Clause
/*
 * Decoders of the records sockrec takes from sock_diag and /proc/net/netstat
 * (SNAPSHOT, LISTENER, NETNS_STATS, SAMPLING); the scheme is in decode_priv.h.
 */
#include "decode_priv.h"

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

int skr_decode_sampling(const struct skr_record *rec,
			struct skr_ev_sampling *out)
{
	int rc = copy_prefix(rec, SKR_REC_SAMPLING, out, sizeof(*out));

	if (rc)
		return rc;
	swap_hdr(&out->hdr);
	swap_common(&out->c);
	le32(out->error);
	le16(out->pad2);
	return 0;
}
