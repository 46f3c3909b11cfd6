// SPDX-License-Identifier: BSD-2-Clause
/*
 * Unit tests of the sock_diag side: the decoders of SNAPSHOT, LISTENER and
 * NETNS_STATS (format/decode.c), and sockrec's parsing of what the
 * kernel sends (record/diag_nl.c) fed with well-formed and malformed
 * netlink answers and netstat files.
 *
 * record/ is not a library the tests link, and the parsers worth testing
 * are static, so the file is included whole.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "format/skr.h"
#include "record/diag_nl.c"

/* ---------------------------------------------------------------- */
/* Decoders                                                           */
/* ---------------------------------------------------------------- */

static struct skr_record rec_of(const void *p, size_t len, uint16_t type)
{
	struct skr_record r = { .data = p, .len = (uint32_t)len, .type = type };

	return r;
}

START_TEST(test_decode_snapshot)
{
	struct skr_snapshot in, out;
	uint8_t big[sizeof(in) + 16];
	struct skr_record r;

	memset(&in, 0, sizeof(in));
	in.hdr.len = sizeof(in);
	in.hdr.type = SKR_REC_SNAPSHOT;
	in.ts_ns = 123456789;
	in.cookie = 0x0000000100000002ull;
	in.netns = 4026531840u;
	in.inode = 77;
	in.uid = 1000;
	in.rqueue = 3;
	in.wqueue = 2;
	in.error = -EPERM;
	in.netns_listed = 5;
	in.netns_failed = 1;
	in.sport = 8080;
	in.family = SKR_AF_INET;
	in.state = SKR_TCP_LISTEN;
	in.kind = SKR_SNAP_SOCKET;
	r = rec_of(&in, sizeof(in), SKR_REC_SNAPSHOT);
	ck_assert_int_eq(skr_decode_snapshot(&r, &out), 0);
	ck_assert_int_eq(memcmp(&in, &out, sizeof(in)), 0);

	/* Fields a later minor appends are ignored. */
	memset(big, 0xee, sizeof(big));
	memcpy(big, &in, sizeof(in));
	r = rec_of(big, sizeof(big), SKR_REC_SNAPSHOT);
	ck_assert_int_eq(skr_decode_snapshot(&r, &out), 0);
	ck_assert_uint_eq(out.cookie, in.cookie);

	r = rec_of(&in, sizeof(in) - 1, SKR_REC_SNAPSHOT);
	ck_assert_int_eq(skr_decode_snapshot(&r, &out), -EINVAL);
	r = rec_of(&in, sizeof(in), SKR_REC_LISTENER);
	ck_assert_int_eq(skr_decode_snapshot(&r, &out), -EINVAL);
	ck_assert_int_eq(skr_decode_snapshot(NULL, &out), -EINVAL);
}
END_TEST

START_TEST(test_decode_listener_and_stats)
{
	struct skr_ev_listener l, lo;
	struct skr_ev_netns_stats n, no;
	struct skr_record r;
	uint64_t ts;

	memset(&l, 0, sizeof(l));
	l.hdr.len = sizeof(l);
	l.hdr.type = SKR_REC_LISTENER;
	l.c.ts_ns = 42;
	l.c.cookie = 9;
	l.c.netns = 10;
	l.drops = 115;
	l.ack_backlog = 3;
	l.max_ack_backlog = 2;
	l.sport = 7102;
	l.flags = SKR_LISTENER_FIRST;
	r = rec_of(&l, sizeof(l), SKR_REC_LISTENER);
	ck_assert_int_eq(skr_decode_listener(&r, &lo), 0);
	ck_assert_int_eq(memcmp(&l, &lo, sizeof(l)), 0);
	/* Event records are timed like every other event. */
	ck_assert_int_eq(skr_event_ts(&r, &ts), 0);
	ck_assert_uint_eq(ts, 42);
	r = rec_of(&l, sizeof(l) - 8, SKR_REC_LISTENER);
	ck_assert_int_eq(skr_decode_listener(&r, &lo), -EINVAL);

	memset(&n, 0, sizeof(n));
	n.hdr.len = sizeof(n);
	n.hdr.type = SKR_REC_NETNS_STATS;
	n.c.ts_ns = 43;
	n.c.netns = 10;
	n.listen_overflows = 99;
	n.listen_drops = 100;
	n.flags = SKR_NETNS_STATS_FIRST;
	r = rec_of(&n, sizeof(n), SKR_REC_NETNS_STATS);
	ck_assert_int_eq(skr_decode_netns_stats(&r, &no), 0);
	ck_assert_int_eq(memcmp(&n, &no, sizeof(n)), 0);
	r = rec_of(&n, sizeof(n), SKR_REC_LISTENER);
	ck_assert_int_eq(skr_decode_netns_stats(&r, &no), -EINVAL);
}
END_TEST

/* ---------------------------------------------------------------- */
/* Netlink answers                                                    */
/* ---------------------------------------------------------------- */

struct seen {
	int calls;
	struct diag_sock last;
};

static int on_sock(void *arg, const struct diag_sock *ds)
{
	struct seen *s = arg;

	s->calls++;
	s->last = *ds;
	return 0;
}

/* parse_datagram() with its end folded in: 1 when the dump is over. */
static int parse_dg(struct diag_nl *n, size_t len, uint8_t family,
		    diag_sock_fn fn, void *arg)
{
	bool done = false;
	int err = parse_datagram(n, len, family, fn, arg, &done);

	ck_assert(!(err && done));
	return err ? err : done;
}

/* A callback that stops the dump with a positive result of its own. */
static int stop_with_7(void *arg, const struct diag_sock *ds)
{
	(void)ds;
	((struct seen *)arg)->calls++;
	return 7;
}

static struct diag_nl *nl_new(void)
{
	struct diag_nl *n = calloc(1, sizeof(*n));

	ck_assert_ptr_nonnull(n);
	n->buf = calloc(1, NL_BUF_SIZE);
	ck_assert_ptr_nonnull(n->buf);
	n->self_fd = -1;
	n->seq = 7;
	return n;
}

/* Append one netlink message to n->buf at *off; returns its offset. */
static size_t put_msg(struct diag_nl *n, size_t *off, uint16_t type,
		      uint32_t seq, const void *payload, size_t plen)
{
	struct nlmsghdr h = {
		.nlmsg_len = (uint32_t)NLMSG_LENGTH(plen),
		.nlmsg_type = type,
		.nlmsg_flags = NLM_F_MULTI,
		.nlmsg_seq = seq,
	};
	size_t at = *off;

	memcpy(n->buf + at, &h, sizeof(h));
	if (plen)
		memcpy(n->buf + at + NLMSG_HDRLEN, payload, plen);
	*off = at + NLMSG_ALIGN(h.nlmsg_len);
	return at;
}

/* An inet_diag_msg for 127.0.0.1:8080 with an SKMEMINFO of nvals values. */
static size_t sock_payload(uint8_t *p, uint8_t family, unsigned nvals,
			   uint32_t drops)
{
	struct inet_diag_msg m;
	struct rtattr rta;
	uint32_t vals[SK_MEMINFO_VARS + 4];
	size_t off = NLMSG_ALIGN(sizeof(m));
	unsigned i;

	memset(&m, 0, sizeof(m));
	m.idiag_family = family;
	m.idiag_state = SKR_TCP_LISTEN;
	m.id.idiag_sport = htons(8080);
	m.id.idiag_src[0] = htonl(0x7f000001);
	m.id.idiag_cookie[0] = 0x11223344;
	m.id.idiag_cookie[1] = 0x1;
	m.idiag_rqueue = 3;
	m.idiag_wqueue = 2;
	m.idiag_inode = 555;
	memcpy(p, &m, sizeof(m));
	if (!nvals)
		return sizeof(m);
	for (i = 0; i < nvals && i < SK_MEMINFO_VARS + 4; i++)
		vals[i] = i == SK_MEMINFO_DROPS ? drops : 1000 + i;
	rta.rta_type = INET_DIAG_SKMEMINFO;
	rta.rta_len = (unsigned short)RTA_LENGTH(nvals * sizeof(uint32_t));
	memcpy(p + off, &rta, sizeof(rta));
	memcpy(p + off + RTA_LENGTH(0), vals, nvals * sizeof(uint32_t));
	return off + RTA_ALIGN(rta.rta_len);
}

START_TEST(test_nl_good_dump)
{
	struct diag_nl *n = nl_new();
	struct seen s = { 0 };
	uint8_t payload[512];
	size_t off = 0, plen;
	int32_t zero = 0;

	plen = sock_payload(payload, AF_INET, SK_MEMINFO_VARS, 115);
	put_msg(n, &off, SOCK_DIAG_BY_FAMILY, 7, payload, plen);
	put_msg(n, &off, SOCK_DIAG_BY_FAMILY, 7, payload, plen);
	put_msg(n, &off, NLMSG_DONE, 7, &zero, sizeof(zero));
	ck_assert_int_eq(parse_dg(n, off, AF_INET, on_sock, &s), 1);
	ck_assert_int_eq(s.calls, 2);
	ck_assert_uint_eq(s.last.cookie, 0x111223344ull);
	ck_assert_uint_eq(s.last.sport, 8080);
	ck_assert_uint_eq(s.last.rqueue, 3);
	ck_assert_uint_eq(s.last.wqueue, 2);
	ck_assert_uint_eq(s.last.inode, 555);
	ck_assert(s.last.has_drops);
	ck_assert_uint_eq(s.last.drops, 115);
	ck_assert_uint_eq(s.last.saddr[0], 127);
	ck_assert_uint_eq(s.last.saddr[3], 1);

	/* A callback's own non-zero result stops the datagram with it. */
	s.calls = 0;
	ck_assert_int_eq(parse_dg(n, off, AF_INET, stop_with_7, &s), 7);
	ck_assert_int_eq(s.calls, 1);

	/* Without DONE the caller reads on. */
	s.calls = 0;
	off = 0;
	put_msg(n, &off, SOCK_DIAG_BY_FAMILY, 7, payload, plen);
	ck_assert_int_eq(parse_dg(n, off, AF_INET, on_sock, &s), 0);
	ck_assert_int_eq(s.calls, 1);
	diag_nl_close(n);
}
END_TEST

START_TEST(test_nl_meminfo_missing_or_short)
{
	struct diag_nl *n = nl_new();
	struct seen s = { 0 };
	uint8_t payload[512];
	size_t off = 0, plen;
	struct rtattr rta;

	/* An old kernel's SKMEMINFO without the drops slot. */
	plen = sock_payload(payload, AF_INET, SK_MEMINFO_DROPS, 9);
	put_msg(n, &off, SOCK_DIAG_BY_FAMILY, 7, payload, plen);
	ck_assert_int_eq(parse_dg(n, off, AF_INET, on_sock, &s), 0);
	ck_assert_int_eq(s.calls, 1);
	ck_assert(!s.last.has_drops);

	/* An attribute claiming more than its message holds. */
	plen = sock_payload(payload, AF_INET, SK_MEMINFO_VARS, 9);
	memcpy(&rta, payload + NLMSG_ALIGN(sizeof(struct inet_diag_msg)), sizeof(rta));
	rta.rta_len = 4000;
	memcpy(payload + NLMSG_ALIGN(sizeof(struct inet_diag_msg)), &rta, sizeof(rta));
	off = 0;
	put_msg(n, &off, SOCK_DIAG_BY_FAMILY, 7, payload, plen);
	ck_assert_int_eq(parse_dg(n, off, AF_INET, on_sock, &s), 0);
	ck_assert_int_eq(s.calls, 2);
	ck_assert(!s.last.has_drops);

	/* An attribute shorter than its own header. */
	rta.rta_len = 2;
	memcpy(payload + NLMSG_ALIGN(sizeof(struct inet_diag_msg)), &rta, sizeof(rta));
	off = 0;
	put_msg(n, &off, SOCK_DIAG_BY_FAMILY, 7, payload, plen);
	ck_assert_int_eq(parse_dg(n, off, AF_INET, on_sock, &s), 0);
	ck_assert(!s.last.has_drops);
	diag_nl_close(n);
}
END_TEST

START_TEST(test_nl_malformed)
{
	struct diag_nl *n = nl_new();
	struct seen s = { 0 };
	uint8_t payload[512];
	struct nlmsghdr h;
	size_t off = 0, plen, at;

	plen = sock_payload(payload, AF_INET, SK_MEMINFO_VARS, 1);

	/* A message longer than what was received. */
	put_msg(n, &off, SOCK_DIAG_BY_FAMILY, 7, payload, plen);
	ck_assert_int_eq(parse_dg(n, off - 8, AF_INET, on_sock, &s), -EBADMSG);

	/* nlmsg_len below the header. */
	off = 0;
	at = put_msg(n, &off, SOCK_DIAG_BY_FAMILY, 7, payload, plen);
	memcpy(&h, n->buf + at, sizeof(h));
	h.nlmsg_len = 8;
	memcpy(n->buf + at, &h, sizeof(h));
	ck_assert_int_eq(parse_dg(n, off, AF_INET, on_sock, &s), -EBADMSG);

	/* A few stray bytes after a whole message: that one was good. */
	off = 0;
	put_msg(n, &off, SOCK_DIAG_BY_FAMILY, 7, payload, plen);
	ck_assert_int_eq(parse_dg(n, off + 4, AF_INET, on_sock, &s), -EBADMSG);
	ck_assert_int_eq(s.calls, 1);
	s.calls = 0;

	/* A payload too short for an inet_diag_msg. */
	off = 0;
	put_msg(n, &off, SOCK_DIAG_BY_FAMILY, 7, payload, 20);
	ck_assert_int_eq(parse_dg(n, off, AF_INET, on_sock, &s), -EBADMSG);

	/* The wrong family. */
	off = 0;
	put_msg(n, &off, SOCK_DIAG_BY_FAMILY, 7, payload, plen);
	ck_assert_int_eq(parse_dg(n, off, AF_INET6, on_sock, &s), -EBADMSG);

	/* Less than a header. */
	ck_assert_int_eq(parse_dg(n, 10, AF_INET, on_sock, &s), -EBADMSG);
	ck_assert_int_eq(s.calls, 0);
	diag_nl_close(n);
}
END_TEST

START_TEST(test_nl_errors_and_seq)
{
	struct diag_nl *n = nl_new();
	struct seen s = { 0 };
	uint8_t payload[512];
	struct nlmsgerr e;
	size_t off = 0, plen;
	int32_t v;

	memset(&e, 0, sizeof(e));
	e.error = -EPERM;
	put_msg(n, &off, NLMSG_ERROR, 7, &e, sizeof(e));
	ck_assert_int_eq(parse_dg(n, off, AF_INET, on_sock, &s), -EPERM);

	/* An error message cut short. */
	off = 0;
	put_msg(n, &off, NLMSG_ERROR, 7, &e, 2);
	ck_assert_int_eq(parse_dg(n, off, AF_INET, on_sock, &s), -EBADMSG);

	/* A nonsense "errno". */
	e.error = 12345;
	off = 0;
	put_msg(n, &off, NLMSG_ERROR, 7, &e, sizeof(e));
	ck_assert_int_eq(parse_dg(n, off, AF_INET, on_sock, &s), -EBADMSG);

	/* DONE carrying the dump's error. */
	v = -ENOENT;
	off = 0;
	put_msg(n, &off, NLMSG_DONE, 7, &v, sizeof(v));
	ck_assert_int_eq(parse_dg(n, off, AF_INET, on_sock, &s), -ENOENT);

	/* DONE without a payload (old kernels). */
	off = 0;
	put_msg(n, &off, NLMSG_DONE, 7, NULL, 0);
	ck_assert_int_eq(parse_dg(n, off, AF_INET, on_sock, &s), 1);

	/* Messages of an earlier dump are passed over, DONE included. */
	plen = sock_payload(payload, AF_INET, SK_MEMINFO_VARS, 1);
	off = 0;
	put_msg(n, &off, SOCK_DIAG_BY_FAMILY, 6, payload, plen);
	put_msg(n, &off, NLMSG_DONE, 6, NULL, 0);
	ck_assert_int_eq(parse_dg(n, off, AF_INET, on_sock, &s), 0);
	ck_assert_int_eq(s.calls, 0);
	diag_nl_close(n);
}
END_TEST

/* ---------------------------------------------------------------- */
/* /proc/net/netstat                                                  */
/* ---------------------------------------------------------------- */

START_TEST(test_netstat)
{
	char good[] =
		"TcpExt: SyncookiesSent ListenOverflows ListenDrops TCPTimeouts\n"
		"TcpExt: 0 115 116 7\n"
		"IpExt: InNoRoutes\n"
		"IpExt: 0\n";
	char missing[] = "IpExt: InNoRoutes\nIpExt: 0\n";
	char no_values[] = "TcpExt: ListenOverflows ListenDrops\nIpExt: 1 2\n";
	char bad_num[] = "TcpExt: ListenOverflows ListenDrops\nTcpExt: 1x 2\n";
	char short_values[] = "TcpExt: A B ListenOverflows ListenDrops\nTcpExt: 1 2 3\n";
	char no_field[] = "TcpExt: A B\nTcpExt: 1 2\n";
	uint64_t o = 0, d = 0;

	ck_assert_int_eq(parse_netstat(good, &o, &d), 0);
	ck_assert_uint_eq(o, 115);
	ck_assert_uint_eq(d, 116);
	ck_assert_int_eq(parse_netstat(missing, &o, &d), -ENOENT);
	ck_assert_int_eq(parse_netstat(no_values, &o, &d), -EBADMSG);
	ck_assert_int_eq(parse_netstat(bad_num, &o, &d), -EBADMSG);
	ck_assert_int_eq(parse_netstat(short_values, &o, &d), -ENOENT);
	ck_assert_int_eq(parse_netstat(no_field, &o, &d), -ENOENT);
}
END_TEST

static Suite *diag_suite(void)
{
	Suite *s = suite_create("diag");
	TCase *tc = tcase_create("decode");

	tcase_add_test(tc, test_decode_snapshot);
	tcase_add_test(tc, test_decode_listener_and_stats);
	suite_add_tcase(s, tc);
	tc = tcase_create("netlink");
	tcase_add_test(tc, test_nl_good_dump);
	tcase_add_test(tc, test_nl_meminfo_missing_or_short);
	tcase_add_test(tc, test_nl_malformed);
	tcase_add_test(tc, test_nl_errors_and_seq);
	suite_add_tcase(s, tc);
	tc = tcase_create("netstat");
	tcase_add_test(tc, test_netstat);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(diag_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
