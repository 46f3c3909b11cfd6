// SPDX-License-Identifier: BSD-2-Clause
/*
 * The record catalogue (skr_catalog.h) and the one decoder and encoder it
 * drives.
 *
 * The on-disk layout is the struct layout on a little-endian host, so
 * decoding is a copy of the v1 prefix and encoding a copy of the struct;
 * on a big-endian host both then reverse every multi-byte integer the
 * descriptor lists.  The lists are data, so a field missing from one is a
 * table error that the unit tests look for, not a decoder to rewrite; they
 * name the multi-byte pad fields too, so that the tests can check that
 * every byte of a record is either in a list or a byte field.
 */
#include <errno.h>
#include <string.h>

#include "skr.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define FLD(st, m)	{ offsetof(struct st, m), sizeof(((struct st *)0)->m) }
#define OFF(st, m)	offsetof(struct st, m)

static const struct skr_field hdr_fields[] = {
	FLD(skr_rec_hdr, len), FLD(skr_rec_hdr, type), FLD(skr_rec_hdr, flags),
};

/* Offsets within struct skr_ev_common; the record's common part starts at 8. */
static const struct skr_field common_fields[] = {
	FLD(skr_ev_common, ts_ns), FLD(skr_ev_common, cookie),
	FLD(skr_ev_common, netns), FLD(skr_ev_common, tgid),
	FLD(skr_ev_common, tid), FLD(skr_ev_common, cpu),
};

static const struct skr_field file_header_fields[] = {
	FLD(skr_file_header, major), FLD(skr_file_header, minor),
	FLD(skr_file_header, file_index), FLD(skr_file_header, created_ns),
};

static const struct skr_field clock_fields[] = {
	FLD(skr_clock, clock_ns), FLD(skr_clock, realtime_ns),
	FLD(skr_clock, uncertainty_ns), FLD(skr_clock, clock_id),
	FLD(skr_clock, pad),
};

static const struct skr_field loss_fields[] = {
	FLD(skr_loss, ts_ns), FLD(skr_loss, count), FLD(skr_loss, cpu),
	FLD(skr_loss, pad),
};

static const struct skr_field round_fields[] = {
	FLD(skr_round, horizon_ns),
};

static const struct skr_field end_fields[] = {
	FLD(skr_end, ts_ns), FLD(skr_end, events), FLD(skr_end, lost),
	FLD(skr_end, output_failed), FLD(skr_end, recursion_misses),
};

static const struct skr_field stats_fields[] = {
	FLD(skr_stats, ts_ns), FLD(skr_stats, events), FLD(skr_stats, lost),
	FLD(skr_stats, output_failed), FLD(skr_stats, recursion_misses),
	FLD(skr_stats, bytes_in), FLD(skr_stats, bytes_out),
	FLD(skr_stats, malformed),
};

_Static_assert(SKR_BENIGN_KINDS == 3, "benign_fields lists every kind");
static const struct skr_field benign_fields[] = {
	FLD(skr_benign, ts_ns),
	{ offsetof(struct skr_benign, not_recorded[0]), 8 },
	{ offsetof(struct skr_benign, not_recorded[1]), 8 },
	{ offsetof(struct skr_benign, not_recorded[2]), 8 },
	FLD(skr_benign, flags), FLD(skr_benign, pad),
};

static const struct skr_field snapshot_fields[] = {
	FLD(skr_snapshot, ts_ns), FLD(skr_snapshot, cookie),
	FLD(skr_snapshot, netns), FLD(skr_snapshot, inode),
	FLD(skr_snapshot, uid), FLD(skr_snapshot, rqueue),
	FLD(skr_snapshot, wqueue), FLD(skr_snapshot, count),
	FLD(skr_snapshot, error), FLD(skr_snapshot, netns_listed),
	FLD(skr_snapshot, netns_failed), FLD(skr_snapshot, sport),
	FLD(skr_snapshot, dport),
};

static const struct skr_field state_fields[] = {
	FLD(skr_ev_state, sport), FLD(skr_ev_state, dport),
};

static const struct skr_field state4_fields[] = {
	FLD(skr_ev_state4, sport), FLD(skr_ev_state4, dport),
};

static const struct skr_field listen_fields[] = {
	FLD(skr_ev_listen, ret), FLD(skr_ev_listen, fd),
	FLD(skr_ev_listen, backlog), FLD(skr_ev_listen, max_backlog),
	FLD(skr_ev_listen, qlen), FLD(skr_ev_listen, drops),
	FLD(skr_ev_listen, sport), FLD(skr_ev_listen, pad),
};

static const struct skr_field accept_fields[] = {
	FLD(skr_ev_accept, child_cookie), FLD(skr_ev_accept, ret),
	FLD(skr_ev_accept, fd), FLD(skr_ev_accept, qlen),
	FLD(skr_ev_accept, qlen_exit), FLD(skr_ev_accept, max_backlog),
	FLD(skr_ev_accept, drops), FLD(skr_ev_accept, sport),
	FLD(skr_ev_accept, pad),
};

static const struct skr_field reset_fields[] = {
	FLD(skr_ev_reset, reason), FLD(skr_ev_reset, sport),
	FLD(skr_ev_reset, dport), FLD(skr_ev_reset, pad2),
};

static const struct skr_field sock_error_fields[] = {
	FLD(skr_ev_sock_error, error), FLD(skr_ev_sock_error, sport),
	FLD(skr_ev_sock_error, dport), FLD(skr_ev_sock_error, pad),
	FLD(skr_ev_sock_error, pad2),
};

static const struct skr_field retransmit_fields[] = {
	FLD(skr_ev_retransmit, retrans), FLD(skr_ev_retransmit, err),
	FLD(skr_ev_retransmit, sport), FLD(skr_ev_retransmit, dport),
};

static const struct skr_field destroy_fields[] = {
	FLD(skr_ev_destroy, bytes_acked), FLD(skr_ev_destroy, bytes_received),
	FLD(skr_ev_destroy, segs_in), FLD(skr_ev_destroy, segs_out),
	FLD(skr_ev_destroy, total_retrans), FLD(skr_ev_destroy, srtt_us),
	FLD(skr_ev_destroy, drops), FLD(skr_ev_destroy, sport),
	FLD(skr_ev_destroy, dport), FLD(skr_ev_destroy, pad),
	FLD(skr_ev_destroy, pad2),
};

static const struct skr_field counters_fields[] = {
	FLD(skr_ev_counters, bytes_acked), FLD(skr_ev_counters, bytes_received),
	FLD(skr_ev_counters, segs_in), FLD(skr_ev_counters, segs_out),
	FLD(skr_ev_counters, total_retrans), FLD(skr_ev_counters, srtt_us),
};

static const struct skr_field skb_drop_fields[] = {
	FLD(skr_ev_skb_drop, location), FLD(skr_ev_skb_drop, reason),
	FLD(skr_ev_skb_drop, sport), FLD(skr_ev_skb_drop, dport),
	FLD(skr_ev_skb_drop, pad2),
};

static const struct skr_field listener_fields[] = {
	FLD(skr_ev_listener, drops), FLD(skr_ev_listener, ack_backlog),
	FLD(skr_ev_listener, max_ack_backlog), FLD(skr_ev_listener, inode),
	FLD(skr_ev_listener, sport),
};

static const struct skr_field netns_stats_fields[] = {
	FLD(skr_ev_netns_stats, listen_overflows),
	FLD(skr_ev_netns_stats, listen_drops),
	FLD(skr_ev_netns_stats, flags), FLD(skr_ev_netns_stats, pad),
};

static const struct skr_field sampling_fields[] = {
	FLD(skr_ev_sampling, error), FLD(skr_ev_sampling, pad2),
};

/* Attribute records: the header alone is their shortest form. */
#define TLV(t, n)	{ .type = (t), .name = (n), .min_len = SKR_REC_MIN, .tlv = true }
/* A fixed record with no address in it. */
#define FIXED(t, n, w, st, f)						\
	{ .type = (t), .name = (n), .word = (w),			\
	  .min_len = sizeof(struct st), .fields = (f),			\
	  .nfields = ARRAY_SIZE(f) }
/* A kernel event: skr_ev_common after the header. */
#define EVENT(t, n, w, st, f)						\
	{ .type = (t), .name = (n), .word = (w),			\
	  .min_len = sizeof(struct st), .common = true, .fields = (f),	\
	  .nfields = ARRAY_SIZE(f) }
/* The address part of a record with family, saddr and daddr. */
#define ADDRS(st)							\
	.family = OFF(st, family),					\
	.addr = { OFF(st, saddr), OFF(st, daddr) },			\
	.addr_len = sizeof(((struct st *)0)->saddr)

/*
 * Indexed by type, one array for the structure and metadata types (0x00xx)
 * and one for the kernel events, so that the reader's per-record lookup is
 * an index.  The words are what --timeline prints for an event on a socket.
 */
#define META_TYPES	0x20u
#define EVENT_TYPES	0x20u
#define EV(t)		[(t) - SKR_REC_EVENT_BASE]

static const struct skr_rec_desc meta_types[META_TYPES] = {
	[SKR_REC_FILE_HEADER] = FIXED(SKR_REC_FILE_HEADER, "FILE_HEADER", NULL,
				      skr_file_header, file_header_fields),
	[SKR_REC_HOST] = TLV(SKR_REC_HOST, "HOST"),
	[SKR_REC_RECORDER] = TLV(SKR_REC_RECORDER, "RECORDER"),
	[SKR_REC_CLOCK] = FIXED(SKR_REC_CLOCK, "CLOCK", NULL, skr_clock,
				clock_fields),
	[SKR_REC_PROBE] = TLV(SKR_REC_PROBE, "PROBE"),
	[SKR_REC_FILTER] = TLV(SKR_REC_FILTER, "FILTER"),
	[SKR_REC_SNAPSHOT] = {
		.type = SKR_REC_SNAPSHOT, .name = "SNAPSHOT", .word = "snapshot",
		.min_len = sizeof(struct skr_snapshot),
		.fields = snapshot_fields,
		.nfields = ARRAY_SIZE(snapshot_fields), ADDRS(skr_snapshot) },
	[SKR_REC_STATS] = FIXED(SKR_REC_STATS, "STATS", NULL, skr_stats,
				stats_fields),
	[SKR_REC_BENIGN] = FIXED(SKR_REC_BENIGN, "BENIGN", NULL, skr_benign,
				 benign_fields),
	[SKR_REC_LOSS] = FIXED(SKR_REC_LOSS, "LOSS", NULL, skr_loss,
			       loss_fields),
	[SKR_REC_ROUND] = FIXED(SKR_REC_ROUND, "ROUND", NULL, skr_round,
				round_fields),
	[SKR_REC_END] = FIXED(SKR_REC_END, "END", NULL, skr_end, end_fields),
};

static const struct skr_rec_desc event_types[EVENT_TYPES] = {
	EV(SKR_REC_STATE) = {
		.type = SKR_REC_STATE, .name = "STATE", .word = "state",
		.min_len = sizeof(struct skr_ev_state), .common = true,
		.fields = state_fields, .nfields = ARRAY_SIZE(state_fields),
		ADDRS(skr_ev_state), .comm = OFF(skr_ev_state, comm) },
	/* Ports, fds, queue lengths and counters only. */
	EV(SKR_REC_LISTEN) = EVENT(SKR_REC_LISTEN, "LISTEN", "listen",
				   skr_ev_listen, listen_fields),
	EV(SKR_REC_ACCEPT) = EVENT(SKR_REC_ACCEPT, "ACCEPT", "accept",
				   skr_ev_accept, accept_fields),
	EV(SKR_REC_RESET) = {
		.type = SKR_REC_RESET, .name = "RESET", .word = "reset",
		.min_len = sizeof(struct skr_ev_reset), .common = true,
		.fields = reset_fields, .nfields = ARRAY_SIZE(reset_fields),
		ADDRS(skr_ev_reset) },
	EV(SKR_REC_SOCK_ERROR) = {
		.type = SKR_REC_SOCK_ERROR, .name = "SOCK_ERROR", .word = "error",
		.min_len = sizeof(struct skr_ev_sock_error), .common = true,
		.fields = sock_error_fields,
		.nfields = ARRAY_SIZE(sock_error_fields),
		ADDRS(skr_ev_sock_error) },
	EV(SKR_REC_RETRANSMIT) = {
		.type = SKR_REC_RETRANSMIT, .name = "RETRANSMIT",
		.word = "retransmit",
		.min_len = sizeof(struct skr_ev_retransmit), .common = true,
		.fields = retransmit_fields,
		.nfields = ARRAY_SIZE(retransmit_fields),
		ADDRS(skr_ev_retransmit) },
	EV(SKR_REC_DESTROY) = EVENT(SKR_REC_DESTROY, "DESTROY", "destroy",
				    skr_ev_destroy, destroy_fields),
	/* A kernel text address tells where the kernel was loaded (KASLR). */
	EV(SKR_REC_SKB_DROP) = {
		.type = SKR_REC_SKB_DROP, .name = "SKB_DROP", .word = "drop",
		.min_len = sizeof(struct skr_ev_skb_drop), .common = true,
		.fields = skb_drop_fields,
		.nfields = ARRAY_SIZE(skb_drop_fields),
		ADDRS(skr_ev_skb_drop),
		.kaddr = OFF(skr_ev_skb_drop, location) },
	EV(SKR_REC_LISTENER) = {
		.type = SKR_REC_LISTENER, .name = "LISTENER", .word = "listener",
		.min_len = sizeof(struct skr_ev_listener), .common = true,
		.fields = listener_fields,
		.nfields = ARRAY_SIZE(listener_fields),
		.family = OFF(skr_ev_listener, family),
		.addr = { OFF(skr_ev_listener, saddr), 0 },
		.addr_len = sizeof(((struct skr_ev_listener *)0)->saddr) },
	EV(SKR_REC_NETNS_STATS) = EVENT(SKR_REC_NETNS_STATS, "NETNS_STATS",
					NULL, skr_ev_netns_stats,
					netns_stats_fields),
	EV(SKR_REC_STATE4) = {
		.type = SKR_REC_STATE4, .name = "STATE4",
		.min_len = sizeof(struct skr_ev_state4), .common = true,
		.fields = state4_fields, .nfields = ARRAY_SIZE(state4_fields),
		ADDRS(skr_ev_state4), .comm = OFF(skr_ev_state4, comm) },
	/* Which namespace (netns in the common part), stopped or resumed, why. */
	EV(SKR_REC_SAMPLING) = EVENT(SKR_REC_SAMPLING, "SAMPLING", NULL,
				     skr_ev_sampling, sampling_fields),
	/* Counters only; shown with the socket's destroy, not a line of its own. */
	EV(SKR_REC_COUNTERS) = EVENT(SKR_REC_COUNTERS, "COUNTERS", "counters",
				     skr_ev_counters, counters_fields),
};

const struct skr_rec_desc *skr_rec_desc(unsigned type)
{
	const struct skr_rec_desc *d = NULL;

	if (type < META_TYPES)
		d = &meta_types[type];
	else if (skr_rec_is_event(type) &&
		 type - SKR_REC_EVENT_BASE < EVENT_TYPES)
		d = &event_types[type - SKR_REC_EVENT_BASE];
	return d && d->name ? d : NULL;
}

static void reverse(uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n / 2; i++) {
		uint8_t t = p[i];

		p[i] = p[n - 1 - i];
		p[n - 1 - i] = t;
	}
}

static void swap_list(uint8_t *base, const struct skr_field *f, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		reverse(base + f[i].off, f[i].size);
}

static void swap_desc(const struct skr_rec_desc *d, uint8_t *rec)
{
	swap_list(rec, hdr_fields, ARRAY_SIZE(hdr_fields));
	if (d->common)
		swap_list(rec + sizeof(struct skr_rec_hdr), common_fields,
			  ARRAY_SIZE(common_fields));
	swap_list(rec, d->fields, d->nfields);
}

static bool host_is_le(void)
{
	const uint16_t one = 1;

	return *(const uint8_t *)&one == 1;
}

int skr_rec_swap(unsigned type, void *rec, size_t len)
{
	const struct skr_rec_desc *d = skr_rec_desc(type);

	if (!d || d->tlv || !rec || len < d->min_len)
		return -EINVAL;
	swap_desc(d, rec);
	return 0;
}

int skr_rec_decode(const struct skr_record *rec, unsigned type, void *out,
		   size_t size)
{
	const struct skr_rec_desc *d = skr_rec_desc(type);

	if (!d || d->tlv || size != d->min_len || !rec || !out ||
	    !rec->data || rec->type != type || rec->len < size)
		return -EINVAL;
	memcpy(out, rec->data, size);
	if (!host_is_le())
		swap_desc(d, out);
	return 0;
}

int skr_rec_decode_any(const struct skr_record *rec, union skr_rec_any *out)
{
	const struct skr_rec_desc *d = rec ? skr_rec_desc(rec->type) : NULL;

	if (!d || d->tlv || d->min_len > sizeof(*out))
		return -EINVAL;
	return skr_rec_decode(rec, rec->type, out, d->min_len);
}

int skr_rec_encode(unsigned type, const void *in, size_t size, void *out)
{
	const struct skr_rec_desc *d = skr_rec_desc(type);
	struct skr_rec_hdr h = { .len = (uint32_t)size, .type = (uint16_t)type };

	if (!d || d->tlv || size != d->min_len || !in || !out)
		return -EINVAL;
	memmove(out, in, size);
	memcpy(out, &h, sizeof(h));
	if (!host_is_le())
		swap_desc(d, out);
	return 0;
}

void skr_encode_file_header(struct skr_file_header *fh, uint16_t major,
			    uint16_t minor, uint32_t file_index,
			    const uint8_t capture_id[16], uint64_t created_ns)
{
	uint8_t id[sizeof(fh->capture_id)] = { 0 };

	/* capture_id may point into *fh (re-encoding a decoded header). */
	if (capture_id)
		memcpy(id, capture_id, sizeof(id));
	memset(fh, 0, sizeof(*fh));
	memcpy(fh->magic, SKR_MAGIC, SKR_MAGIC_LEN);
	fh->major = major;
	fh->minor = minor;
	fh->file_index = file_index;
	memcpy(fh->capture_id, id, sizeof(id));
	fh->created_ns = created_ns;
	(void)skr_rec_encode(SKR_REC_FILE_HEADER, fh, sizeof(*fh), fh);
}

bool skr_file_header_swapped(const uint8_t *p, size_t n)
{
	/* The header's len and type as a big-endian writer puts them. */
	static const uint8_t be_hdr[6] = {
		0, 0, 0, sizeof(struct skr_file_header), 0, SKR_REC_FILE_HEADER,
	};

	return p && n >= OFF(skr_file_header, magic) + SKR_MAGIC_LEN &&
	       memcmp(p, be_hdr, sizeof(be_hdr)) == 0 &&
	       memcmp(p + OFF(skr_file_header, magic), SKR_MAGIC,
		      SKR_MAGIC_LEN) == 0;
}
