// SPDX-License-Identifier: BSD-2-Clause
/*
 * Fixed records to host-order structs (the scheme is in decode_priv.h).
 */
#include "decode_priv.h"

int skr_decode_file_header(const struct skr_record *rec,
			   struct skr_file_header *out)
{
	int rc = copy_prefix(rec, SKR_REC_FILE_HEADER, out, sizeof(*out));

	if (rc)
		return rc;
	swap_hdr(&out->hdr);
	le16(out->major);
	le16(out->minor);
	le32(out->file_index);
	le64(out->created_ns);
	return 0;
}

int skr_decode_clock(const struct skr_record *rec, struct skr_clock *out)
{
	int rc = copy_prefix(rec, SKR_REC_CLOCK, out, sizeof(*out));

	if (rc)
		return rc;
	swap_hdr(&out->hdr);
	le64(out->clock_ns);
	le64(out->realtime_ns);
	le64(out->uncertainty_ns);
	le32(out->clock_id);
	le32(out->pad);
	return 0;
}

int skr_decode_loss(const struct skr_record *rec, struct skr_loss *out)
{
	int rc = copy_prefix(rec, SKR_REC_LOSS, out, sizeof(*out));

	if (rc)
		return rc;
	swap_hdr(&out->hdr);
	le64(out->ts_ns);
	le64(out->count);
	le32(out->cpu);
	le32(out->pad);
	return 0;
}

int skr_decode_round(const struct skr_record *rec, struct skr_round *out)
{
	int rc = copy_prefix(rec, SKR_REC_ROUND, out, sizeof(*out));

	if (rc)
		return rc;
	swap_hdr(&out->hdr);
	le64(out->horizon_ns);
	return 0;
}

int skr_decode_end(const struct skr_record *rec, struct skr_end *out)
{
	int rc = copy_prefix(rec, SKR_REC_END, out, sizeof(*out));

	if (rc)
		return rc;
	swap_hdr(&out->hdr);
	le64(out->ts_ns);
	le64(out->events);
	le64(out->lost);
	le64(out->output_failed);
	le64(out->recursion_misses);
	return 0;
}

/* STATE4 (IPv4, 4-byte addresses) widened to STATE, as every reader wants it. */
static int decode_state4(const struct skr_record *rec, struct skr_ev_state *out)
{
	struct skr_ev_state4 s4;
	int rc = copy_prefix(rec, SKR_REC_STATE4, &s4, sizeof(s4));

	if (rc)
		return rc;
	memset(out, 0, sizeof(*out));
	out->hdr = s4.hdr;
	out->c = s4.c;
	memcpy(out->saddr, s4.saddr, sizeof(s4.saddr));
	memcpy(out->daddr, s4.daddr, sizeof(s4.daddr));
	memcpy(out->comm, s4.comm, sizeof(out->comm));
	out->sport = s4.sport;
	out->dport = s4.dport;
	out->family = s4.family;
	out->protocol = s4.protocol;
	out->oldstate = s4.oldstate;
	out->newstate = s4.newstate;
	return 0;
}

int skr_decode_state(const struct skr_record *rec, struct skr_ev_state *out)
{
	int rc;

	if (rec && rec->type == SKR_REC_STATE4)
		rc = decode_state4(rec, out);
	else
		rc = copy_prefix(rec, SKR_REC_STATE, out, sizeof(*out));
	if (rc)
		return rc;
	swap_hdr(&out->hdr);
	swap_common(&out->c);
	le16(out->sport);
	le16(out->dport);
	return 0;
}

int skr_decode_listen(const struct skr_record *rec, struct skr_ev_listen *out)
{
	int rc = copy_prefix(rec, SKR_REC_LISTEN, out, sizeof(*out));

	if (rc)
		return rc;
	swap_hdr(&out->hdr);
	swap_common(&out->c);
	le32(out->ret);
	le32(out->fd);
	le32(out->backlog);
	le32(out->max_backlog);
	le32(out->qlen);
	le32(out->drops);
	le16(out->sport);
	return 0;
}

int skr_decode_accept(const struct skr_record *rec, struct skr_ev_accept *out)
{
	int rc = copy_prefix(rec, SKR_REC_ACCEPT, out, sizeof(*out));

	if (rc)
		return rc;
	swap_hdr(&out->hdr);
	swap_common(&out->c);
	le64(out->child_cookie);
	le32(out->ret);
	le32(out->fd);
	le32(out->qlen);
	le32(out->qlen_exit);
	le32(out->max_backlog);
	le32(out->drops);
	le16(out->sport);
	return 0;
}

int skr_decode_reset(const struct skr_record *rec, struct skr_ev_reset *out)
{
	int rc = copy_prefix(rec, SKR_REC_RESET, out, sizeof(*out));

	if (rc)
		return rc;
	swap_hdr(&out->hdr);
	swap_common(&out->c);
	le32(out->reason);
	le16(out->sport);
	le16(out->dport);
	return 0;
}

int skr_decode_sock_error(const struct skr_record *rec,
			  struct skr_ev_sock_error *out)
{
	int rc = copy_prefix(rec, SKR_REC_SOCK_ERROR, out, sizeof(*out));

	if (rc)
		return rc;
	swap_hdr(&out->hdr);
	swap_common(&out->c);
	le32(out->error);
	le16(out->sport);
	le16(out->dport);
	return 0;
}

int skr_decode_retransmit(const struct skr_record *rec,
			  struct skr_ev_retransmit *out)
{
	int rc = copy_prefix(rec, SKR_REC_RETRANSMIT, out, sizeof(*out));

	if (rc)
		return rc;
	swap_hdr(&out->hdr);
	swap_common(&out->c);
	le32(out->retrans);
	le32(out->err);
	le16(out->sport);
	le16(out->dport);
	return 0;
}

int skr_decode_destroy(const struct skr_record *rec, struct skr_ev_destroy *out)
{
	int rc = copy_prefix(rec, SKR_REC_DESTROY, out, sizeof(*out));

	if (rc)
		return rc;
	swap_hdr(&out->hdr);
	swap_common(&out->c);
	le64(out->bytes_acked);
	le64(out->bytes_received);
	le32(out->segs_in);
	le32(out->segs_out);
	le32(out->total_retrans);
	le32(out->srtt_us);
	le32(out->drops);
	le16(out->sport);
	le16(out->dport);
	return 0;
}

int skr_decode_skb_drop(const struct skr_record *rec,
			struct skr_ev_skb_drop *out)
{
	int rc = copy_prefix(rec, SKR_REC_SKB_DROP, out, sizeof(*out));

	if (rc)
		return rc;
	swap_hdr(&out->hdr);
	swap_common(&out->c);
	le64(out->location);
	le32(out->reason);
	le16(out->sport);
	le16(out->dport);
	return 0;
}

int skr_event_ts(const struct skr_record *rec, uint64_t *ts_ns)
{
	const size_t off = sizeof(struct skr_rec_hdr);
	uint64_t v = 0;
	size_t i;

	if (!rec || !ts_ns || !rec->data || rec->type < 0x0100 ||
	    rec->len < off + sizeof(v))
		return -EINVAL;
	for (i = 0; i < sizeof(v); i++)
		v |= (uint64_t)rec->data[off + i] << (8 * i);
	*ts_ns = v;
	return 0;
}

int skr_decode_stats(const struct skr_record *rec, struct skr_stats *out)
{
	int rc = copy_prefix(rec, SKR_REC_STATS, out, sizeof(*out));

	if (rc)
		return rc;
	swap_hdr(&out->hdr);
	le64(out->ts_ns);
	le64(out->events);
	le64(out->lost);
	le64(out->output_failed);
	le64(out->recursion_misses);
	le64(out->bytes_in);
	le64(out->bytes_out);
	le64(out->malformed);
	return 0;
}
