/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * skrdump: one line of key=value pairs per record of a trace, for the
 * end-to-end tests to grep.  Not a user tool: sockana is.
 *
 * usage: skrdump FILE
 * Event lines: TYPE ts= cookie= netns= tgid= ctx= then the record's fields.
 * PROBE and FILTER lines list their attributes.  Exits 0 when the trace
 * read without error (truncated or not), 1 otherwise.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "format/skr.h"

static void addr(const char *key, const uint8_t *a, unsigned family)
{
	if (family == SKR_AF_INET) {
		printf(" %s=%u.%u.%u.%u", key, a[0], a[1], a[2], a[3]);
		return;
	}
	printf(" %s=", key);
	for (int i = 0; i < 16; i += 2)
		printf("%s%x", i ? ":" : "", (unsigned)(a[i] << 8 | a[i + 1]));
}

static void common(const char *name, const struct skr_ev_common *c)
{
	printf("%s ts=%" PRIu64 " cookie=%" PRIu64 " netns=%u tgid=%u ctx=%u",
	       name, c->ts_ns, c->cookie, c->netns, c->tgid, c->ctx);
}

static void tlv(const struct skr_record *rec, const char *name)
{
	struct skr_tlv_iter it;
	const uint8_t *val;
	uint16_t tag, vlen;
	uint64_t v;

	printf("%s", name);
	skr_tlv_iter_init(&it, rec->data, rec->len);
	while (skr_tlv_next(&it, &tag, &val, &vlen) == 1) {
		bool text = rec->type == SKR_REC_PROBE ?
			    (tag == SKR_PROBE_NAME || tag == SKR_PROBE_REASON) :
			    (tag == SKR_FILTER_COMM || tag == SKR_FILTER_CGROUP);

		if (rec->type == SKR_REC_PROBE && tag == SKR_PROBE_ENUM) {
			if (vlen > 4 && skr_tlv_uint(val, 4, &v) == 0)
				printf(" enum%" PRIu64 "=%.*s", v, vlen - 4,
				       (const char *)val + 4);
			continue;
		}
		if (text)
			printf(" t%u=%.*s", tag, vlen, (const char *)val);
		else if (skr_tlv_uint(val, vlen, &v) == 0)
			printf(" t%u=%" PRIu64, tag, v);
	}
	printf("\n");
}

static void dump(const struct skr_record *rec)
{
	union {
		struct skr_ev_state st;
		struct skr_ev_listen l;
		struct skr_ev_accept a;
		struct skr_ev_reset r;
		struct skr_ev_sock_error e;
		struct skr_ev_retransmit rt;
		struct skr_ev_destroy d;
		struct skr_ev_counters n;
		struct skr_ev_skb_drop k;
		struct skr_benign b;
	} u;

	switch (rec->type) {
	case SKR_REC_PROBE:
		tlv(rec, "PROBE");
		return;
	case SKR_REC_FILTER:
		tlv(rec, "FILTER");
		return;
	case SKR_REC_STATE:
	case SKR_REC_STATE4:	/* printed as STATE: same fields */
		if (skr_decode_state(rec, &u.st))
			break;
		common("STATE", &u.st.c);
		printf(" old=%u new=%u sport=%u dport=%u family=%u comm=%.16s",
		       u.st.oldstate, u.st.newstate, u.st.sport, u.st.dport,
		       u.st.family, u.st.comm);
		addr("saddr", u.st.saddr, u.st.family);
		addr("daddr", u.st.daddr, u.st.family);
		printf("\n");
		return;
	case SKR_REC_LISTEN:
		if (skr_decode_listen(rec, &u.l))
			break;
		common("LISTEN", &u.l.c);
		printf(" ret=%d fd=%d backlog=%d max_backlog=%u qlen=%u drops=%u sport=%u family=%u flags=%u\n",
		       u.l.ret, u.l.fd, u.l.backlog, u.l.max_backlog, u.l.qlen,
		       u.l.drops, u.l.sport, u.l.family, u.l.flags);
		return;
	case SKR_REC_ACCEPT:
		if (skr_decode_accept(rec, &u.a))
			break;
		common("ACCEPT", &u.a.c);
		printf(" child=%" PRIu64 " ret=%d fd=%d qlen=%u qlen_exit=%u max_backlog=%u drops=%u sport=%u family=%u flags=%u\n",
		       u.a.child_cookie, u.a.ret, u.a.fd, u.a.qlen, u.a.qlen_exit,
		       u.a.max_backlog, u.a.drops, u.a.sport, u.a.family,
		       u.a.flags);
		return;
	case SKR_REC_RESET:
		if (skr_decode_reset(rec, &u.r))
			break;
		common("RESET", &u.r.c);
		printf(" dir=%u reason=%u state=%u sport=%u dport=%u family=%u",
		       u.r.dir, u.r.reason, u.r.state, u.r.sport, u.r.dport,
		       u.r.family);
		addr("saddr", u.r.saddr, u.r.family);
		addr("daddr", u.r.daddr, u.r.family);
		printf("\n");
		return;
	case SKR_REC_SOCK_ERROR:
		if (skr_decode_sock_error(rec, &u.e))
			break;
		common("SOCK_ERROR", &u.e.c);
		printf(" error=%d state=%u sport=%u dport=%u family=%u\n",
		       u.e.error, u.e.state, u.e.sport, u.e.dport, u.e.family);
		return;
	case SKR_REC_RETRANSMIT:
		if (skr_decode_retransmit(rec, &u.rt))
			break;
		common("RETRANSMIT", &u.rt.c);
		printf(" kind=%u retrans=%u err=%d state=%u sport=%u dport=%u family=%u\n",
		       u.rt.kind, u.rt.retrans, u.rt.err, u.rt.state,
		       u.rt.sport, u.rt.dport, u.rt.family);
		return;
	case SKR_REC_DESTROY:
		if (skr_decode_destroy(rec, &u.d))
			break;
		common("DESTROY", &u.d.c);
		printf(" bytes_acked=%" PRIu64 " bytes_received=%" PRIu64
		       " segs_in=%u segs_out=%u total_retrans=%u srtt_us=%u drops=%u state=%u sport=%u dport=%u family=%u\n",
		       u.d.bytes_acked, u.d.bytes_received, u.d.segs_in,
		       u.d.segs_out, u.d.total_retrans, u.d.srtt_us, u.d.drops,
		       u.d.state,
		       u.d.sport, u.d.dport, u.d.family);
		return;
	case SKR_REC_COUNTERS:
		if (skr_decode_counters(rec, &u.n))
			break;
		common("COUNTERS", &u.n.c);
		printf(" bytes_acked=%" PRIu64 " bytes_received=%" PRIu64
		       " segs_in=%u segs_out=%u total_retrans=%u srtt_us=%u\n",
		       u.n.bytes_acked, u.n.bytes_received, u.n.segs_in,
		       u.n.segs_out, u.n.total_retrans, u.n.srtt_us);
		return;
	case SKR_REC_SKB_DROP:
		if (skr_decode_skb_drop(rec, &u.k))
			break;
		common("SKB_DROP", &u.k.c);
		printf(" reason=%u state=%u sport=%u dport=%u family=%u benign=%u\n",
		       u.k.reason, u.k.state, u.k.sport, u.k.dport, u.k.family,
		       u.k.benign);
		return;
	case SKR_REC_BENIGN:
		if (skr_decode_benign(rec, &u.b))
			break;
		printf("BENIGN ts=%" PRIu64 " time_wait=%" PRIu64
		       " fin_purge=%" PRIu64 " flags=%u\n", u.b.ts_ns,
		       u.b.not_recorded[SKR_BENIGN_TIME_WAIT],
		       u.b.not_recorded[SKR_BENIGN_FIN_PURGE], u.b.flags);
		return;
	default: {
		char buf[24];

		printf("%s len=%u\n", skr_rec_type_name(rec->type, buf, sizeof(buf)),
		       rec->len);
		return;
	}
	}
	printf("MALFORMED type=%u len=%u\n", rec->type, rec->len);
}

int main(int argc, char **argv)
{
	struct skr_reader *r = NULL;
	struct skr_record rec;
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: skrdump FILE\n");
		return 2;
	}
	rc = skr_reader_open(&r, argv[1]);
	if (rc) {
		fprintf(stderr, "skrdump: %s: %s\n", argv[1], strerror(-rc));
		return 1;
	}
	while ((rc = skr_reader_next(r, &rec)) == 1)
		dump(&rec);
	if (rc < 0)
		fprintf(stderr, "skrdump: %s\n", skr_reader_errmsg(r));
	skr_reader_free(r);
	return rc < 0 ? 1 : 0;
}
