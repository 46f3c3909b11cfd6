/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests of pairing, the two ends of one connection in one trace
 * (analyze/pairs.c), on synthetic traces:
 *   - a loopback connection's two ends carry each other's id, in
 *     --timeline, --connections --json and --info;
 *   - a port used again while an earlier life of the same tuple waits out
 *     its grace after CLOSE pairs the new lives only;
 *   - two namespaces of one host are paired when one candidate exists,
 *     and the connect counts among the other namespace's listener's
 *     clients,
 *     and not at all (counted as ambiguous) when two namespaces use the
 *     same addresses at once;
 *   - --timeline --socket N interleaves N and its peer in time order;
 *   - a reset sent by one end and received by the other is joined in the
 *     diagnosis;
 *   - --map-addr's syntax;
 *   - pairs.c's caps, reached: past 256 entries scanned under one tuple a
 *     life is ambiguous (its one candidate in its own namespace beyond
 *     them is not paired), and past 131,072 sockets kept at once a life
 *     is not tried (its waiting peer is left unpaired); --info says both;
 *   - sa_pairs_settled() says "nothing to do" only where sa_pairs_note()
 *     does nothing: every pairing, role, state and closed flag, each run
 *     with the call made always and made only when not settled, must
 *     leave the same pairs behind.
 */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/pairs.h"
#include "analyze/sockana.h"
#include "analyze/sockets_priv.h"
#include "analyze/views.h"
#include "analyze/work.h"
#include "tracegen.h"

#define WALL_BASE	1795341600ull	/* 2026-11-22T10:00:00Z */
#define SEC		1000000000ull
#define USEC		1000ull
#define T0		(2 * SEC)
#define P		SKR_CTX_PROCESS
#define I		SKR_CTX_SOFTIRQ
#define LO		"127.0.0.1"
#define NS_A		4026532001u
#define NS_B		4026532002u
#define NS_C		4026532003u
#define NS_D		4026532004u

static void begin(struct tg *t)
{
	static const struct tg_host host = {
		.hostname = "alpha", .boot_id = "boot-a",
	};

	tg_begin(t);
	tg_header(t, 0, 0x7a, 0, WALL_BASE * SEC);
	tg_host(t, &host);
	tg_probe(t, "inet_sock_set_state", SKR_REC_STATE, SKR_TIER_TP_BTF,
		 NULL);
	tg_probe(t, "tcp_send_reset", SKR_REC_RESET, SKR_TIER_TP_BTF, NULL);
	tg_probe(t, "tcp_receive_reset", SKR_REC_RESET, SKR_TIER_TP_BTF,
		 NULL);
	tg_clock(t, 1 * SEC, WALL_BASE * SEC, 0);
}

/* One transition in namespace ns. */
static void st(struct tg *t, uint32_t ns, uint64_t ts, uint64_t cookie,
	       uint8_t o, uint8_t n, const char *src, uint16_t sport,
	       const char *dst, uint16_t dport)
{
	t->netns = ns;
	tg_st(t, ts, cookie, n == SKR_TCP_SYN_SENT ? P : I, 0,
	      n == SKR_TCP_SYN_SENT ? "cli" : "swapper/0", o, n, src, sport,
	      dst, dport);
}

static void listener(struct tg *t, uint32_t ns, uint64_t ts, uint64_t cookie,
		     const char *addr, uint16_t port)
{
	st(t, ns, ts, cookie, SKR_TCP_CLOSE, SKR_TCP_LISTEN, addr, port,
	   "0.0.0.0", 0);
}

/*
 * A connection's handshake at b, in the kernel's order (the client is
 * ESTABLISHED when the SYN-ACK comes; the server's child is born when the
 * last ACK arrives), then the client closes first at b + 100 us.
 */
static void conn(struct tg *t, uint64_t b, uint64_t cc, uint32_t cns,
		 uint64_t sc, uint32_t sns, const char *caddr, uint16_t cport,
		 const char *saddr, uint16_t sport)
{
	st(t, cns, b, cc, SKR_TCP_CLOSE, SKR_TCP_SYN_SENT, caddr, 0, saddr,
	   sport);
	st(t, cns, b + 5 * USEC, cc, SKR_TCP_SYN_SENT, SKR_TCP_ESTABLISHED,
	   caddr, cport, saddr, sport);
	st(t, sns, b + 8 * USEC, sc, SKR_TCP_LISTEN, SKR_TCP_SYN_RECV, saddr,
	   sport, caddr, cport);
	st(t, sns, b + 9 * USEC, sc, SKR_TCP_SYN_RECV, SKR_TCP_ESTABLISHED,
	   saddr, sport, caddr, cport);
	st(t, cns, b + 100 * USEC, cc, SKR_TCP_ESTABLISHED, SKR_TCP_FIN_WAIT1,
	   caddr, cport, saddr, sport);
	st(t, sns, b + 110 * USEC, sc, SKR_TCP_ESTABLISHED, SKR_TCP_CLOSE_WAIT,
	   saddr, sport, caddr, cport);
	st(t, cns, b + 120 * USEC, cc, SKR_TCP_FIN_WAIT1, SKR_TCP_FIN_WAIT2,
	   caddr, cport, saddr, sport);
	st(t, sns, b + 200 * USEC, sc, SKR_TCP_CLOSE_WAIT, SKR_TCP_LAST_ACK,
	   saddr, sport, caddr, cport);
	st(t, cns, b + 210 * USEC, cc, SKR_TCP_FIN_WAIT2, SKR_TCP_CLOSE,
	   caddr, cport, saddr, sport);
	st(t, sns, b + 220 * USEC, sc, SKR_TCP_LAST_ACK, SKR_TCP_CLOSE,
	   saddr, sport, caddr, cport);
}

static char *run(struct tg *t, enum sa_report rep, enum sa_format fmt,
		 uint64_t socket)
{
	struct sa_run_opts opts;
	char msg[256];
	char *text;
	int err;

	memset(&opts, 0, sizeof(opts));
	opts.report = rep;
	opts.format = fmt;
	if (socket) {
		opts.filters.socket[opts.filters.nsocket++] = socket;
		opts.filters.any = true;
	}
	text = tg_run(t, 1, &opts, &err, msg, sizeof(msg));
	ck_assert_msg(err == 0, "sa_run: %d %s", err, msg);
	return text;
}

/* The --connections --json row of socket id has "peer":want (0: null). */
static void peer_is(const char *text, unsigned id, unsigned want)
{
	char key[64], val[32];
	const char *row, *end;

	snprintf(key, sizeof(key), "{\"row\":\"connection\",\"socket\":%u,", id);
	row = strstr(text, key);
	ck_assert_msg(row != NULL, "no row of #%u in %s", id, text);
	end = strchr(row, '\n');
	ck_assert_ptr_nonnull(end);
	if (want)
		snprintf(val, sizeof(val), "\"peer\":%u,", want);
	else
		snprintf(val, sizeof(val), "\"peer\":null,");
	ck_assert_msg(tg_contains((const uint8_t *)row, (size_t)(end - row), val,
				  strlen(val)),
		      "#%u: want %s in %.*s", id, val, (int)(end - row), row);
}

static void build_loopback(struct tg *t)
{
	begin(t);
	listener(t, TG_NETNS, T0, 0x100, LO, 8080);
	conn(t, T0 + 10 * USEC, 0x101, TG_NETNS, 0x102, TG_NETNS, LO, 40001,
	     LO, 8080);
	tg_end(t, T0 + SEC, 0, 0);
}

START_TEST(test_loopback_pair)
{
	struct tg t;
	char *text;

	build_loopback(&t);
	text = run(&t, SA_REPORT_CONNECTIONS, SA_FORMAT_JSON, 0);
	peer_is(text, 1, 0);
	peer_is(text, 2, 3);
	peer_is(text, 3, 2);
	free(text);

	build_loopback(&t);
	text = run(&t, SA_REPORT_TIMELINE, SA_FORMAT_TEXT, 0);
	ck_assert_msg(strstr(text, "127.0.0.1:40001 -> 127.0.0.1:8080 netns "
			     "4026531840 owner cli[0] peer #3\n") != NULL,
		      "%s", text);
	ck_assert_msg(strstr(text, "127.0.0.1:8080 -> 127.0.0.1:40001 netns "
			     "4026531840 owner unknown peer #2\n") != NULL,
		      "%s", text);
	free(text);

	build_loopback(&t);
	text = run(&t, SA_REPORT_INFO, SA_FORMAT_TEXT, 0);
	ck_assert_msg(strstr(text, "Connection pairs:   1 with both ends here "
			     "(0 across namespaces, 0 across hosts); 0 sockets "
			     "with several candidate peers, not paired\n")
		      != NULL, "%s", text);
	free(text);
}
END_TEST

/*
 * Pairing costs a hash of every connection, so only the views that read
 * what it finds (a peer, the pair counts, a listener elsewhere, a reset's
 * two halves) have it done; for them it is still right.
 */
START_TEST(test_pairs_by_view)
{
	static const struct {
		enum sa_report rep;
		enum sa_format fmt;
		bool pairs;
	} cases[] = {
		{ SA_REPORT_LATENCY, SA_FORMAT_TEXT, false },
		{ SA_REPORT_LATENCY, SA_FORMAT_JSON, false },
		{ SA_REPORT_EVENTS, SA_FORMAT_TEXT, false },
		{ SA_REPORT_CONNECTIONS, SA_FORMAT_JSON, true },
		{ SA_REPORT_TIMELINE, SA_FORMAT_TEXT, true },
		{ SA_REPORT_INFO, SA_FORMAT_TEXT, true },
		{ SA_REPORT_DIAG, SA_FORMAT_TEXT, true },
		{ SA_REPORT_BACKLOG, SA_FORMAT_TEXT, true },
		{ SA_REPORT_LATENCY, SA_FORMAT_TEXT, false },
		{ SA_REPORT_CONNECTIONS, SA_FORMAT_JSON, true },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t before = sa_work.pairs_listed;
		struct tg t;
		char *text;

		build_loopback(&t);
		text = run(&t, cases[i].rep, cases[i].fmt, 0);
		/* The client and the server's child: both ends listed. */
		ck_assert_msg(sa_work.pairs_listed - before ==
			      (cases[i].pairs ? 2u : 0u), "case %zu: %llu "
			      "listed", i, (unsigned long long)
			      (sa_work.pairs_listed - before));
		if (cases[i].rep == SA_REPORT_CONNECTIONS) {
			peer_is(text, 1, 0);
			peer_is(text, 2, 3);
			peer_is(text, 3, 2);
		}
		free(text);
	}
	/* The report files read the diagnosis (--html) or no peer. */
	ck_assert(sa_view_of(SA_REPORT_HTML)->pairs);
	ck_assert(!sa_view_of(SA_REPORT_TRACE_EVENT)->pairs);
}
END_TEST

/*
 * More connections open at once than pairs.c keeps in one slab (1,024
 * entries: 1,200 here), closing in another order than they opened: every
 * end still finds its own peer (entries are found through their socket
 * and reused once it is gone).
 */
#define MANY	600u

static void build_many(struct tg *t)
{
	const uint64_t shut = T0 + SEC / 10;
	unsigned i, j;

	begin(t);
	listener(t, TG_NETNS, T0, 0x100, LO, 8080);
	/* All open first, 10 us apart ... */
	for (i = 0; i < MANY; i++) {
		const uint64_t b = T0 + 10 * USEC + i * 10 * USEC;
		const uint64_t cc = 0x1000 + 2 * i, sc = cc + 1;
		const uint16_t cp = (uint16_t)(20000 + i);

		st(t, TG_NETNS, b, cc, SKR_TCP_CLOSE, SKR_TCP_SYN_SENT, LO, 0,
		   LO, 8080);
		st(t, TG_NETNS, b + 5 * USEC, cc, SKR_TCP_SYN_SENT,
		   SKR_TCP_ESTABLISHED, LO, cp, LO, 8080);
		st(t, TG_NETNS, b + 8 * USEC, sc, SKR_TCP_LISTEN,
		   SKR_TCP_SYN_RECV, LO, 8080, LO, cp);
		st(t, TG_NETNS, b + 9 * USEC, sc, SKR_TCP_SYN_RECV,
		   SKR_TCP_ESTABLISHED, LO, 8080, LO, cp);
	}
	/* ... then closed, the last opened first. */
	for (j = 0; j < MANY; j++) {
		const uint64_t b = shut + j * 10 * USEC;
		const uint64_t cc = 0x1000 + 2 * (MANY - 1 - j), sc = cc + 1;
		const uint16_t cp = (uint16_t)(20000 + MANY - 1 - j);

		st(t, TG_NETNS, b, cc, SKR_TCP_ESTABLISHED, SKR_TCP_FIN_WAIT1,
		   LO, cp, LO, 8080);
		st(t, TG_NETNS, b + 1 * USEC, sc, SKR_TCP_ESTABLISHED,
		   SKR_TCP_CLOSE_WAIT, LO, 8080, LO, cp);
		st(t, TG_NETNS, b + 2 * USEC, cc, SKR_TCP_FIN_WAIT1,
		   SKR_TCP_FIN_WAIT2, LO, cp, LO, 8080);
		st(t, TG_NETNS, b + 3 * USEC, sc, SKR_TCP_CLOSE_WAIT,
		   SKR_TCP_LAST_ACK, LO, 8080, LO, cp);
		st(t, TG_NETNS, b + 4 * USEC, cc, SKR_TCP_FIN_WAIT2,
		   SKR_TCP_CLOSE, LO, cp, LO, 8080);
		st(t, TG_NETNS, b + 5 * USEC, sc, SKR_TCP_LAST_ACK,
		   SKR_TCP_CLOSE, LO, 8080, LO, cp);
	}
	tg_end(t, shut + SEC, 0, 0);
}

START_TEST(test_many_open)
{
	const char *row, *peer;
	struct tg t;
	unsigned long id, want;
	unsigned rows = 0;
	char *text;

	build_many(&t);
	text = run(&t, SA_REPORT_CONNECTIONS, SA_FORMAT_JSON, 0);
	/*
	 * ids: 1 the listener, then each connection's client (even) and
	 * child (odd); one pass over the rows, not a search per socket.
	 */
	for (row = strstr(text, "{\"row\":\"connection\",\"socket\":"); row;
	     row = strstr(row + 1, "{\"row\":\"connection\",\"socket\":")) {
		id = strtoul(row + strlen("{\"row\":\"connection\",\"socket\":"),
			     NULL, 10);
		peer = strstr(row, "\"peer\":");
		ck_assert_ptr_nonnull(peer);
		ck_assert_ptr_null(memchr(row, '\n', (size_t)(peer - row)));
		if (id == 1) {
			ck_assert(strncmp(peer, "\"peer\":null,", 12) == 0);
			continue;
		}
		want = id % 2 == 0 ? id + 1 : id - 1;
		ck_assert_msg(strtoul(peer + 7, NULL, 10) == want,
			      "#%lu: want peer %lu, row %.200s", id, want, row);
		rows++;
	}
	ck_assert_uint_eq(rows, 2 * MANY);
	free(text);
	build_many(&t);
	text = run(&t, SA_REPORT_INFO, SA_FORMAT_TEXT, 0);
	ck_assert_msg(strstr(text, "\nPeak live sockets:  1201\nConnection "
			     "pairs:   600 with both ends here") != NULL, "%s",
		      text);
	free(text);
}
END_TEST

/*
 * A server's child seen alone (its client is not in the trace) closes;
 * within its grace a new connection from the same client port comes: the
 * new ends pair with each other, the closed life with nobody.
 */
static void build_reused(struct tg *t)
{
	const uint64_t b = T0;

	begin(t);
	listener(t, TG_NETNS, b, 0x100, LO, 8080);
	st(t, TG_NETNS, b + 8 * USEC, 0x150, SKR_TCP_LISTEN, SKR_TCP_SYN_RECV,
	   LO, 8080, LO, 40001);
	st(t, TG_NETNS, b + 9 * USEC, 0x150, SKR_TCP_SYN_RECV,
	   SKR_TCP_ESTABLISHED, LO, 8080, LO, 40001);
	st(t, TG_NETNS, b + 50 * USEC, 0x150, SKR_TCP_ESTABLISHED,
	   SKR_TCP_CLOSE, LO, 8080, LO, 40001);
	/* 100 us later: well inside the grace of 0x150's CLOSE. */
	conn(t, b + 150 * USEC, 0x151, TG_NETNS, 0x152, TG_NETNS, LO, 40001,
	     LO, 8080);
	/* And once more, after both earlier ends closed. */
	conn(t, b + 500 * USEC, 0x153, TG_NETNS, 0x154, TG_NETNS, LO, 40001,
	     LO, 8080);
	tg_end(t, b + SEC, 0, 0);
}

START_TEST(test_port_reused)
{
	struct tg t;
	char *text;

	build_reused(&t);
	text = run(&t, SA_REPORT_CONNECTIONS, SA_FORMAT_JSON, 0);
	/* ids: 1 listener, 2 the lone child, 3 4 and 5 6 the connections */
	peer_is(text, 2, 0);
	peer_is(text, 3, 4);
	peer_is(text, 4, 3);
	peer_is(text, 5, 6);
	peer_is(text, 6, 5);
	free(text);
}
END_TEST

/* A client in namespace A, its server in B: two namespaces, one host. */
static void build_two_netns(struct tg *t)
{
	begin(t);
	listener(t, NS_B, T0, 0x200, "10.0.0.2", 80);
	conn(t, T0 + 10 * USEC, 0x201, NS_A, 0x202, NS_B, "10.0.0.1", 5000,
	     "10.0.0.2", 80);
	tg_end(t, T0 + SEC, 0, 0);
}

START_TEST(test_two_netns)
{
	struct tg t;
	char *text;

	build_two_netns(&t);
	text = run(&t, SA_REPORT_CONNECTIONS, SA_FORMAT_JSON, 0);
	peer_is(text, 2, 3);
	peer_is(text, 3, 2);
	free(text);

	build_two_netns(&t);
	text = run(&t, SA_REPORT_INFO, SA_FORMAT_JSON, 0);
	ck_assert_msg(strstr(text, "\"pairs\":1,\"pairs_cross_netns\":1,"
			     "\"pairs_cross_host\":0,\"pairs_ambiguous\":0,")
		      != NULL, "%s", text);
	free(text);

	/* The listener in B counts the connect from A among its clients. */
	build_two_netns(&t);
	text = run(&t, SA_REPORT_BACKLOG, SA_FORMAT_JSON, 0);
	ck_assert_msg(strstr(text, "\"client_connects\":1,") != NULL, "%s",
		      text);
	free(text);
}
END_TEST

/*
 * Two namespace pairs (A to B, C to D) using the same addresses at the
 * same time: nothing tells which server is whose, so neither is paired.
 */
static void build_ambiguous(struct tg *t)
{
	const uint64_t b = T0 + 10 * USEC;
	const char *c = "10.0.0.1", *s = "10.0.0.2";

	begin(t);
	listener(t, NS_B, T0, 0x300, s, 80);
	listener(t, NS_D, T0 + 1 * USEC, 0x400, s, 80);
	st(t, NS_A, b, 0x301, SKR_TCP_CLOSE, SKR_TCP_SYN_SENT, c, 0, s, 80);
	st(t, NS_C, b + 1 * USEC, 0x401, SKR_TCP_CLOSE, SKR_TCP_SYN_SENT, c, 0,
	   s, 80);
	st(t, NS_A, b + 5 * USEC, 0x301, SKR_TCP_SYN_SENT, SKR_TCP_ESTABLISHED,
	   c, 5000, s, 80);
	st(t, NS_C, b + 6 * USEC, 0x401, SKR_TCP_SYN_SENT, SKR_TCP_ESTABLISHED,
	   c, 5000, s, 80);
	st(t, NS_B, b + 8 * USEC, 0x302, SKR_TCP_LISTEN, SKR_TCP_SYN_RECV, s,
	   80, c, 5000);
	st(t, NS_D, b + 9 * USEC, 0x402, SKR_TCP_LISTEN, SKR_TCP_SYN_RECV, s,
	   80, c, 5000);
	st(t, NS_B, b + 10 * USEC, 0x302, SKR_TCP_SYN_RECV,
	   SKR_TCP_ESTABLISHED, s, 80, c, 5000);
	st(t, NS_D, b + 11 * USEC, 0x402, SKR_TCP_SYN_RECV,
	   SKR_TCP_ESTABLISHED, s, 80, c, 5000);
	tg_end(t, T0 + SEC, 0, 0);
}

START_TEST(test_ambiguous)
{
	struct tg t;
	char *text;
	unsigned id;

	build_ambiguous(&t);
	text = run(&t, SA_REPORT_CONNECTIONS, SA_FORMAT_JSON, 0);
	for (id = 1; id <= 6; id++)
		peer_is(text, id, 0);
	free(text);

	build_ambiguous(&t);
	text = run(&t, SA_REPORT_INFO, SA_FORMAT_JSON, 0);
	ck_assert_msg(strstr(text, "\"pairs\":0,\"pairs_cross_netns\":0,"
			     "\"pairs_cross_host\":0,\"pairs_ambiguous\":2,")
		      != NULL, "%s", text);
	free(text);
}
END_TEST

/* Where line starts in text, or NULL. */
static const char *line_at(const char *text, const char *start)
{
	const char *p = text;
	size_t n = strlen(start);

	while (p && *p) {
		if (strncmp(p, start, n) == 0)
			return p;
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return NULL;
}

START_TEST(test_interleave)
{
	const char *a, *b, *c;
	struct tg t;
	char *text;

	build_loopback(&t);
	text = run(&t, SA_REPORT_TIMELINE, SA_FORMAT_TEXT, 2);
	/* Both headers, then one time order: #2's ESTABLISHED before #3's
	 * birth, and #3's birth before #2's FIN_WAIT1. */
	ck_assert_msg(line_at(text, "#2 cookie 0x101 ") != NULL, "%s", text);
	ck_assert_msg(line_at(text, "#3 cookie 0x102 ") != NULL, "%s", text);
	a = strstr(text, "  #2     2026-11-22T10:00:01.000015Z  +0.000005    "
		   "SYN_SENT     -> ESTABLISHED");
	b = strstr(text, "  #3     2026-11-22T10:00:01.000018Z  +0.000008    "
		   "LISTEN       -> SYN_RECV");
	c = strstr(text, "  #2     2026-11-22T10:00:01.000110Z  +0.000100    "
		   "ESTABLISHED  -> FIN_WAIT1");
	ck_assert_msg(a && b && c && a < b && b < c, "%s", text);
	ck_assert_msg(strstr(text, "\n2 sockets, 10 events\n") != NULL, "%s",
		      text);
	free(text);

	/* Without --socket, one block per socket as before. */
	build_loopback(&t);
	text = run(&t, SA_REPORT_TIMELINE, SA_FORMAT_TEXT, 0);
	ck_assert_ptr_null(strstr(text, "  #2     "));
	free(text);
}
END_TEST

static void reset(struct tg *t, uint64_t ts, uint64_t cookie, uint8_t dir,
		  uint16_t sport, uint16_t dport)
{
	struct skr_ev_reset e;

	memset(&e, 0, sizeof(e));
	e.hdr.len = sizeof(e);
	e.hdr.type = SKR_REC_RESET;
	tg_common(t, &e.c, ts, cookie, SKR_CTX_SOFTIRQ, 0);
	tg_addr(LO, e.saddr, &e.family);
	tg_addr(LO, e.daddr, &e.family);
	e.sport = sport;
	e.dport = dport;
	e.reason = SKR_REASON_NONE;
	e.state = SKR_TCP_ESTABLISHED;
	e.dir = dir;
	tg_put(t, &e, sizeof(e));
}

/*
 * The client aborts: the server's receipt is stamped before the client's
 * send, as the kernel does on loopback; a lone reset received by another
 * socket, whose peer sent nothing, stays unjoined.
 */
static void build_reset(struct tg *t)
{
	const uint64_t b = T0 + 10 * USEC;

	begin(t);
	listener(t, TG_NETNS, T0, 0x100, LO, 8080);
	st(t, TG_NETNS, b, 0x101, SKR_TCP_CLOSE, SKR_TCP_SYN_SENT, LO, 0, LO,
	   8080);
	st(t, TG_NETNS, b + 5 * USEC, 0x101, SKR_TCP_SYN_SENT,
	   SKR_TCP_ESTABLISHED, LO, 40001, LO, 8080);
	st(t, TG_NETNS, b + 8 * USEC, 0x102, SKR_TCP_LISTEN, SKR_TCP_SYN_RECV,
	   LO, 8080, LO, 40001);
	st(t, TG_NETNS, b + 9 * USEC, 0x102, SKR_TCP_SYN_RECV,
	   SKR_TCP_ESTABLISHED, LO, 8080, LO, 40001);
	st(t, TG_NETNS, b + 50 * USEC, 0x101, SKR_TCP_ESTABLISHED,
	   SKR_TCP_CLOSE, LO, 40001, LO, 8080);
	reset(t, b + 52 * USEC, 0x102, SKR_RESET_RECEIVED, 8080, 40001);
	st(t, TG_NETNS, b + 52 * USEC, 0x102, SKR_TCP_ESTABLISHED,
	   SKR_TCP_CLOSE, LO, 8080, LO, 40001);
	reset(t, b + 54 * USEC, 0x101, SKR_RESET_SENT, 40001, 8080);
	/* A second connection whose server gets a reset nobody sent here. */
	conn(t, b + 300 * USEC, 0x103, TG_NETNS, 0x104, TG_NETNS, LO, 40002,
	     LO, 8080);
	reset(t, b + 305 * USEC, 0x104, SKR_RESET_RECEIVED, 8080, 40002);
	tg_end(t, T0 + SEC, 0, 0);
}

START_TEST(test_reset_halves)
{
	struct tg t;
	char *text;

	build_reset(&t);
	text = run(&t, SA_REPORT_DIAG, SA_FORMAT_TEXT, 0);
	ck_assert_msg(strstr(text, "  received                 ESTABLISHED, "
			     "from peer        1  #3  ") != NULL, "%s", text);
	ck_assert_msg(strstr(text, "  sent                     to peer     "
			     "                  1  #2  ") != NULL, "%s", text);
	ck_assert_msg(tg_count(text, "to peer") == 1, "%s", text);
	ck_assert_msg(strstr(text, "  received                 ESTABLISHED  "
			     "                 1  #5  ") != NULL, "%s", text);
	free(text);

	build_reset(&t);
	text = run(&t, SA_REPORT_DIAG, SA_FORMAT_JSON, 0);
	ck_assert_uint_eq(tg_count(text, "\"peer_half\":true,"), 2);
	free(text);
}
END_TEST

START_TEST(test_map_syntax)
{
	struct sa_addr_map m;
	char msg[160];

	ck_assert_int_eq(sa_pairs_parse_map("203.0.113.5:8080=10.0.0.2:80", &m,
					    msg, sizeof(msg)), 0);
	ck_assert_uint_eq(m.family, SKR_AF_INET);
	ck_assert_uint_eq(m.from_port, 8080);
	ck_assert_uint_eq(m.to_port, 80);
	ck_assert_uint_eq(m.from[0], 203);
	ck_assert_uint_eq(m.to[3], 2);
	ck_assert_int_eq(sa_pairs_parse_map("198.51.100.7=10.0.0.1", &m, msg,
					    sizeof(msg)), 0);
	ck_assert_uint_eq(m.from_port, 0);
	ck_assert_int_eq(sa_pairs_parse_map("[2001:db8::1]:443=[fd00::2]:8443",
					    &m, msg, sizeof(msg)), 0);
	ck_assert_uint_eq(m.family, SKR_AF_INET6);
	ck_assert_uint_eq(m.to_port, 8443);
	ck_assert_int_eq(sa_pairs_parse_map("2001:db8::1=fd00::2", &m, msg,
					    sizeof(msg)), 0);
	ck_assert_int_eq(sa_pairs_parse_map("1.2.3.4:80=10.0.0.1", &m, msg,
					    sizeof(msg)), -EINVAL);
	ck_assert_msg(strstr(msg, "port on both sides") != NULL, "%s", msg);
	ck_assert_int_eq(sa_pairs_parse_map("1.2.3.4=fd00::2", &m, msg,
					    sizeof(msg)), -EINVAL);
	ck_assert_msg(strstr(msg, "same family") != NULL, "%s", msg);
	ck_assert_int_eq(sa_pairs_parse_map("1.2.3.4", &m, msg, sizeof(msg)),
			 -EINVAL);
	ck_assert_int_eq(sa_pairs_parse_map("1.2.3.4:0=1.2.3.5:1", &m, msg,
					    sizeof(msg)), -EINVAL);
	ck_assert_int_eq(sa_pairs_parse_map("1.2.3.4:+80=1.2.3.5:80", &m, msg,
					    sizeof(msg)), -EINVAL);
	ck_assert_int_eq(sa_pairs_parse_map("a=b", &m, msg, sizeof(msg)),
			 -EINVAL);
}
END_TEST

/*
 * Caps.  A life N in NS_A, then nfar lives with N's tuple in other
 * namespaces, then N's mirror in NS_A: without a scan bound the mirror
 * pairs with N, its own namespace's candidate.
 */
#define SCAN_CAP	256	/* pairs.c's SCAN_MAX */
#define ENTRIES_CAP	131072	/* pairs.c's MAX_ENTRIES */

static void build_scan(struct tg *t, unsigned nfar)
{
	unsigned i;

	begin(t);
	st(t, NS_A, T0, 0x10, SKR_TCP_SYN_SENT, SKR_TCP_ESTABLISHED,
	   "10.1.0.1", 40000, "10.1.0.2", 80);
	for (i = 0; i < nfar; i++)
		st(t, NS_B + i, T0 + (1 + i) * USEC, 0x100 + i,
		   SKR_TCP_SYN_SENT, SKR_TCP_ESTABLISHED, "10.1.0.1", 40000,
		   "10.1.0.2", 80);
	st(t, NS_A, T0 + SEC, 0x20, SKR_TCP_SYN_RECV, SKR_TCP_ESTABLISHED,
	   "10.1.0.2", 80, "10.1.0.1", 40000);
	tg_end(t, T0 + 2 * SEC, 0, 0);
}

START_TEST(test_scan_cap)
{
	struct tg t;
	char *text;

	/* One short of the bound: N is found behind the others, paired. */
	build_scan(&t, SCAN_CAP - 1);
	text = run(&t, SA_REPORT_INFO, SA_FORMAT_JSON, 0);
	ck_assert_msg(strstr(text, "\"pairs\":1,\"pairs_cross_netns\":0,"
			     "\"pairs_cross_host\":0,\"pairs_ambiguous\":0,")
		      != NULL, "%s", text);
	free(text);

	/* At it: the lookup gives up, and says the mirror was not paired. */
	build_scan(&t, SCAN_CAP);
	text = run(&t, SA_REPORT_INFO, SA_FORMAT_JSON, 0);
	ck_assert_msg(strstr(text, "\"pairs\":0,\"pairs_cross_netns\":0,"
			     "\"pairs_cross_host\":0,\"pairs_ambiguous\":1,"
			     "\"pairs_untried\":0,") != NULL, "%s", text);
	free(text);
	build_scan(&t, SCAN_CAP);
	text = run(&t, SA_REPORT_INFO, SA_FORMAT_TEXT, 0);
	ck_assert_msg(strstr(text, "0 with both ends here (0 across namespaces, "
			     "0 across hosts); 1 socket with several candidate "
			     "peers, not paired") != NULL, "%s", text);
	free(text);
}
END_TEST

/*
 * A life A, nfill open lives of other tuples, then A's mirror B, all
 * open at once in one namespace.
 */
static void build_entries(struct tg *t, unsigned nfill)
{
	char src[32];
	unsigned i;

	begin(t);
	st(t, NS_A, T0, 0x10, SKR_TCP_SYN_SENT, SKR_TCP_ESTABLISHED,
	   "10.1.0.1", 40000, "10.1.0.2", 80);
	for (i = 0; i < nfill; i++) {
		snprintf(src, sizeof(src), "10.2.%u.%u", i / 60000 / 250,
			 1 + i / 60000 % 250);
		st(t, NS_A, T0 + USEC + i * 10, 0x1000 + i, SKR_TCP_SYN_SENT,
		   SKR_TCP_ESTABLISHED, src, (uint16_t)(1024 + i % 60000),
		   "10.3.0.1", 80);
	}
	st(t, NS_A, T0 + SEC, 0x20, SKR_TCP_SYN_RECV, SKR_TCP_ESTABLISHED,
	   "10.1.0.2", 80, "10.1.0.1", 40000);
	tg_end(t, T0 + 2 * SEC, 0, 0);
}

START_TEST(test_entries_cap)
{
	struct tg t;
	char *text;

	/* B takes the last place: paired. */
	build_entries(&t, ENTRIES_CAP - 2);
	text = run(&t, SA_REPORT_INFO, SA_FORMAT_JSON, 0);
	ck_assert_msg(strstr(text, "\"pairs\":1,\"pairs_cross_netns\":0,"
			     "\"pairs_cross_host\":0,\"pairs_ambiguous\":0,"
			     "\"pairs_untried\":0,") != NULL, "%.2000s", text);
	free(text);

	/* One more before it: B is not tried, A waits in vain; both said. */
	build_entries(&t, ENTRIES_CAP - 1);
	text = run(&t, SA_REPORT_INFO, SA_FORMAT_TEXT, 0);
	ck_assert_msg(strstr(text, "Connection pairs:") != NULL &&
		      strstr(text, "0 with both ends here") != NULL, "%.4000s",
		      text);
	ck_assert_msg(strstr(text, "Pairs not tried:") != NULL &&
		      strstr(text, "1 socket (more than 131072 waiting for "
			     "their peer at once)") != NULL, "%.4000s", text);
	free(text);
}
END_TEST

/* A socket of its own node, as pairs.c finds it (sa_node()). */
static struct sa_sock *node_sock(uint64_t id, uint32_t ns, const char *src,
				 uint16_t sport, const char *dst,
				 uint16_t dport)
{
	struct sa_sock_node *n = calloc(1, sizeof(*n));
	struct sa_sock *s;

	ck_assert_ptr_nonnull(n);
	s = &n->s;
	s->id = id;
	s->netns = ns;
	s->family = SKR_AF_INET;
	ck_assert_int_eq(inet_pton(AF_INET, src, s->saddr), 1);
	ck_assert_int_eq(inet_pton(AF_INET, dst, s->daddr), 1);
	s->sport = sport;
	s->dport = dport;
	return s;
}

/*
 * One world: a listener in NS_B, s (listed by its tuple, then given the
 * pairing, role, state and closed flag asked for), s's note made always
 * or only when not settled, then a probe: a life under s's mirrored tuple
 * noted.  What pairs.c did is summed up in out[].
 */
static void settled_world(uint8_t pairing, uint8_t role, uint8_t state,
			  bool closed, bool skip_settled, uint64_t out[6])
{
	struct sa_sock *l, *s, *m;
	struct sa_pairs *p;

	ck_assert_int_eq(sa_pairs_new(&p), 0);
	l = node_sock(100, NS_B, "10.0.0.2", 80, "0.0.0.0", 0);
	l->role = SA_ROLE_LISTENER;
	l->state = SKR_TCP_LISTEN;
	ck_assert_int_eq(sa_pairs_note(p, l), 0);
	s = node_sock(1, NS_A, "10.0.0.1", 5000, "10.0.0.2", 80);
	s->role = SA_ROLE_PASSIVE;
	s->state = SKR_TCP_ESTABLISHED;
	ck_assert_int_eq(sa_pairs_note(p, s), 0);
	ck_assert_int_eq(s->pairing, SA_PAIRING_LISTED);
	s->pairing = pairing;
	s->role = role;
	s->state = state;
	s->closed = closed;
	if (!skip_settled || !sa_pairs_settled(s))
		ck_assert_int_eq(sa_pairs_note(p, s), 0);
	m = node_sock(2, NS_A, "10.0.0.2", 80, "10.0.0.1", 5000);
	m->role = SA_ROLE_PASSIVE;
	m->state = SKR_TCP_ESTABLISHED;
	ck_assert_int_eq(sa_pairs_note(p, m), 0);
	out[0] = s->pairing;
	out[1] = s->peer;
	out[2] = m->pairing;
	out[3] = m->peer;
	out[4] = sa_pairs_listener_of(p, s);
	out[5] = sa_pairs_stats(p)->pairs;
	sa_pairs_forget(p, m);
	sa_pairs_forget(p, s);
	sa_pairs_forget(p, l);
	free(sa_node(m));
	free(sa_node(s));
	free(sa_node(l));
	sa_pairs_free(p);
}

START_TEST(test_settled_means_no_work)
{
	uint64_t always[6], skipped[6];
	unsigned pairing, role, state, closed, settled = 0;

	for (pairing = SA_PAIRING_NONE; pairing <= SA_PAIRING_LISTENER;
	     pairing++)
		for (role = SA_ROLE_UNKNOWN; role <= SA_ROLE_LISTENER; role++)
			for (state = 0; state <= SKR_TCP_NEW_SYN_RECV; state++)
				for (closed = 0; closed < 2; closed++) {
					settled_world(pairing, role, state,
						      closed, false, always);
					settled_world(pairing, role, state,
						      closed, true, skipped);
					ck_assert_msg(memcmp(always, skipped,
							     sizeof(always)) == 0,
						      "pairing %u role %u state "
						      "%u closed %u", pairing,
						      role, state, closed);
				}
	/* The walk saw both answers. */
	for (pairing = SA_PAIRING_LISTED; pairing <= SA_PAIRING_LISTENER;
	     pairing++) {
		struct sa_sock s;

		memset(&s, 0, sizeof(s));
		s.pairing = (uint8_t)pairing;
		s.state = SKR_TCP_ESTABLISHED;
		settled += sa_pairs_settled(&s);
	}
	ck_assert_uint_eq(settled, 4);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("pairs");
	TCase *tc = tcase_create("pairs");

	tcase_add_test(tc, test_loopback_pair);
	tcase_add_test(tc, test_port_reused);
	tcase_add_test(tc, test_two_netns);
	tcase_add_test(tc, test_ambiguous);
	tcase_add_test(tc, test_interleave);
	tcase_add_test(tc, test_reset_halves);
	tcase_add_test(tc, test_map_syntax);
	tcase_add_test(tc, test_pairs_by_view);
	tcase_add_test(tc, test_many_open);
	tcase_add_test(tc, test_scan_cap);
	tcase_add_test(tc, test_entries_cap);
	tcase_add_test(tc, test_settled_means_no_work);
	/* 131,072 sockets at once: slow under the sanitizers, not a timing. */
	tcase_set_timeout(tc, 300);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tg_main(suite());
}
