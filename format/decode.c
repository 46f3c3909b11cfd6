// SPDX-License-Identifier: BSD-2-Clause
/*
 * The typed decoders of skr.h: each is the catalogue's decoder (catalog.c)
 * applied to its record type, except STATE and STATE4 (STATE4 widened to
 * STATE), every event's, which take fixed-size copies on a little-endian
 * host with the catalogue's checks.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "skr.h"

#define DECODER(fn, type, st)						\
	int fn(const struct skr_record *rec, struct st *out)		\
	{								\
		return skr_rec_decode(rec, type, out, sizeof(*out));	\
	}

DECODER(skr_decode_file_header, SKR_REC_FILE_HEADER, skr_file_header)
DECODER(skr_decode_clock, SKR_REC_CLOCK, skr_clock)
DECODER(skr_decode_loss, SKR_REC_LOSS, skr_loss)
DECODER(skr_decode_round, SKR_REC_ROUND, skr_round)
DECODER(skr_decode_end, SKR_REC_END, skr_end)
DECODER(skr_decode_stats, SKR_REC_STATS, skr_stats)
DECODER(skr_decode_benign, SKR_REC_BENIGN, skr_benign)
DECODER(skr_decode_listen, SKR_REC_LISTEN, skr_ev_listen)
DECODER(skr_decode_accept, SKR_REC_ACCEPT, skr_ev_accept)
DECODER(skr_decode_reset, SKR_REC_RESET, skr_ev_reset)
DECODER(skr_decode_sock_error, SKR_REC_SOCK_ERROR, skr_ev_sock_error)
DECODER(skr_decode_retransmit, SKR_REC_RETRANSMIT, skr_ev_retransmit)
DECODER(skr_decode_destroy, SKR_REC_DESTROY, skr_ev_destroy)
DECODER(skr_decode_skb_drop, SKR_REC_SKB_DROP, skr_ev_skb_drop)
DECODER(skr_decode_counters, SKR_REC_COUNTERS, skr_ev_counters)
DECODER(skr_decode_snapshot, SKR_REC_SNAPSHOT, skr_snapshot)
DECODER(skr_decode_listener, SKR_REC_LISTENER, skr_ev_listener)
DECODER(skr_decode_netns_stats, SKR_REC_NETNS_STATS, skr_ev_netns_stats)
DECODER(skr_decode_sampling, SKR_REC_SAMPLING, skr_ev_sampling)

/*
 * STATE4 (IPv4, 4-byte addresses) widened to STATE through the catalogue:
 * what the fast paths below fall back to, and the only path on a
 * big-endian host.
 */
static int widen_state4(const struct skr_record *rec, struct skr_ev_state *out)
{
	struct skr_ev_state4 s4;
	int rc;

	if (!out)
		return -EINVAL;
	rc = skr_rec_decode(rec, SKR_REC_STATE4, &s4, sizeof(s4));
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

/*
 * The fast STATE4 widening copies three runs that the two layouts share:
 * header and common fields up to the source address, the addresses' first
 * 4 bytes, and comm to the end (comm, ports, family, protocol, states, in
 * the same order and with no padding).  Asserted, so that a field added to
 * one struct and not the other stops the build instead of the copy.
 */
#define ST(m)		offsetof(struct skr_ev_state, m)
#define ST4(m)		offsetof(struct skr_ev_state4, m)
#define TAIL(st)	(sizeof(struct st) - offsetof(struct st, comm))
_Static_assert(ST(saddr) == ST4(saddr), "STATE4 shares STATE's head");
_Static_assert(ST(c) == ST4(c), "STATE4 shares STATE's common part");
_Static_assert(TAIL(skr_ev_state) == TAIL(skr_ev_state4),
	       "STATE4 shares STATE's tail");
_Static_assert(ST(sport) - ST(comm) == ST4(sport) - ST4(comm) &&
	       ST(dport) - ST(comm) == ST4(dport) - ST4(comm) &&
	       ST(family) - ST(comm) == ST4(family) - ST4(comm) &&
	       ST(protocol) - ST(comm) == ST4(protocol) - ST4(comm) &&
	       ST(oldstate) - ST(comm) == ST4(oldstate) - ST4(comm) &&
	       ST(newstate) - ST(comm) == ST4(newstate) - ST4(comm),
	       "STATE4's tail is STATE's");
_Static_assert(ST4(daddr) == ST4(saddr) + 4 && ST4(comm) == ST4(daddr) + 4,
	       "STATE4's addresses are 4 bytes each");

static int decode_slow(const struct skr_record *rec, struct skr_ev_state *out)
{
	if (rec && rec->type == SKR_REC_STATE4)
		return widen_state4(rec, out);
	return skr_rec_decode(rec, SKR_REC_STATE, out, sizeof(*out));
}

int skr_decode_state(const struct skr_record *rec, struct skr_ev_state *out)
{
	const uint16_t one = 1;
	const uint8_t *p;

	/*
	 * Nearly every event: the catalogue's checks (type, data, the whole
	 * v1 record there), then copies of sizes the compiler knows.
	 * memcpy() of a run-time size took wide stores that the caller's
	 * first 8-byte load (the cookie) could not be served from until they
	 * retired.  Anything else, and every big-endian host, takes the
	 * catalogue's decoder, which refuses or swaps.
	 */
	if (!rec || !out || !rec->data || *(const uint8_t *)&one != 1)
		return decode_slow(rec, out);
	p = rec->data;
	if (rec->type == SKR_REC_STATE4 &&
	    rec->len >= sizeof(struct skr_ev_state4)) {
		memcpy(out, p, ST(saddr));
		memcpy(out->saddr, p + ST4(saddr), 4);
		memset(out->saddr + 4, 0, sizeof(out->saddr) - 4);
		memcpy(out->daddr, p + ST4(daddr), 4);
		memset(out->daddr + 4, 0, sizeof(out->daddr) - 4);
		memcpy(out->comm, p + ST4(comm), TAIL(skr_ev_state));
		return 0;
	}
	if (rec->type == SKR_REC_STATE && rec->len >= sizeof(*out)) {
		memcpy(out, p, sizeof(*out));
		return 0;
	}
	return decode_slow(rec, out);
}
#undef ST
#undef ST4
#undef TAIL

int skr_event_ts(const struct skr_record *rec, uint64_t *ts_ns)
{
	const size_t off = sizeof(struct skr_rec_hdr);
	const uint8_t *p;

	if (!rec || !ts_ns || !rec->data || !skr_rec_is_event(rec->type) ||
	    rec->len < off + sizeof(*ts_ns))
		return -EINVAL;
	/* Spelt out, not a loop: compilers make it one load (every event). */
	p = rec->data + off;
	*ts_ns = (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 |
		 (uint64_t)p[3] << 24 | (uint64_t)p[4] << 32 |
		 (uint64_t)p[5] << 40 | (uint64_t)p[6] << 48 |
		 (uint64_t)p[7] << 56;
	return 0;
}
