/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests of sockana against hostile but valid traces (security issue
 * 11), each on a synthetic trace written through the format library:
 *   - a syscall return value of INT32_MIN is named without negating it;
 *   - host and process names that a spreadsheet would run as formulas
 *     reach --csv as text, while negative numbers stay numbers;
 *   - more live sockets than the table holds (a snapshot, or events
 *     naming new sockets) are counted as not tracked, and every report,
 *     --info included, still works and says so;
 *   - a child finds its listener among 200,000 through the index, with
 *     bounded work per lookup, and --backlog's listener table likewise;
 *   - a trace with an error in the middle gives every report of what was
 *     read before it, plus the error.
 */
#include <check.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyze/hash.h"
#include "analyze/sockana.h"
#include "tracegen.h"

#define WALL_BASE	1795341600ull	/* 2026-11-22T10:00:00Z */
#define SEC		1000000000ull
#define MSEC		1000000ull
#define P		SKR_CTX_PROCESS
#define I		SKR_CTX_SOFTIRQ
#define LO		"127.0.0.1"

static void begin_host(struct tg *t, const char *hostname)
{
	const struct tg_host host = {
		.hostname = hostname, .boot_id = "boot-a",
	};

	tg_begin(t);
	t->comm_process_only = true;
	tg_header(t, 0, 0x5a, 0, WALL_BASE * SEC);
	tg_host(t, &host);
	tg_probe(t, "inet_sock_set_state", SKR_REC_STATE, SKR_TIER_TP_BTF,
		 NULL);
	tg_probe(t, "listen", SKR_REC_LISTEN, SKR_TIER_TP_BTF, NULL);
	tg_probe(t, "accept", SKR_REC_ACCEPT, SKR_TIER_TP_BTF, NULL);
	tg_clock(t, 1 * SEC, WALL_BASE * SEC, 0);
}

static void begin(struct tg *t)
{
	begin_host(t, "alpha");
}

/* ------------------------------------------------------------------ */
/* Return values from the file are negated safely                       */
/* ------------------------------------------------------------------ */

START_TEST(test_ret_int_min)
{
	struct skr_ev_listen l;
	struct skr_ev_accept ac;
	struct tg t;
	char *text;

	begin(&t);
	tg_st(&t, 2 * SEC, 0x10, P, 100, "srv", SKR_TCP_CLOSE, SKR_TCP_LISTEN,
	      LO, 8080, "0.0.0.0", 0);
	memset(&l, 0, sizeof(l));
	l.hdr.type = SKR_REC_LISTEN;
	l.hdr.len = sizeof(l);
	tg_common(&t, &l.c, 2 * SEC + MSEC, 0x10, P, 100);
	l.fd = 3;
	l.backlog = 16;
	l.ret = INT32_MIN;
	tg_put(&t, &l, sizeof(l));
	memset(&ac, 0, sizeof(ac));
	ac.hdr.type = SKR_REC_ACCEPT;
	ac.hdr.len = sizeof(ac);
	tg_common(&t, &ac.c, 2 * SEC + 2 * MSEC, 0x10, P, 100);
	ac.ret = INT32_MIN;
	ac.fd = 3;
	tg_put(&t, &ac, sizeof(ac));
	/* And a plain errno, still named. */
	ac.c.ts_ns += MSEC;
	ac.ret = -11;
	tg_put(&t, &ac, sizeof(ac));
	text = tg_report(&t, SA_REPORT_TIMELINE, SA_FORMAT_TEXT);
	ck_assert_msg(strstr(text, "backlog 16) failed: error") != NULL, "%s",
		      text);
	ck_assert_msg(strstr(text, "accept failed: error (queue") != NULL,
		      "%s", text);
	ck_assert_msg(strstr(text, "accept failed: EAGAIN (queue") != NULL,
		      "%s", text);
	free(text);
}
END_TEST

/* ------------------------------------------------------------------ */
/* CSV: text that looks like a formula stays text                       */
/* ------------------------------------------------------------------ */

START_TEST(test_csv_formula_neutralised)
{
	static const char host[] = "=HYPERLINK(\"http://x.test\",\"y\")";
	struct tg t;
	char *text;

	begin_host(&t, host);
	tg_st(&t, 2 * SEC, 0x20, P, 100, "+calc", SKR_TCP_CLOSE,
	      SKR_TCP_SYN_SENT, LO, 0, LO, 9);
	tg_st(&t, 2 * SEC + MSEC, 0x20, P, 100, "@cmd", SKR_TCP_SYN_SENT,
	      SKR_TCP_CLOSE, LO, 40000, LO, 9);
	tg_st(&t, 3 * SEC, 0x21, P, 101, "-bash", SKR_TCP_CLOSE,
	      SKR_TCP_SYN_SENT, LO, 0, LO, 9);
	text = tg_report(&t, SA_REPORT_TIMELINE, SA_FORMAT_CSV);
	/* The header names the fields; every data line starts with an id. */
	ck_assert_msg(strstr(text, ",\"'=HYPERLINK(\"\"http://x.test\"\","
			     "\"\"y\"\")\",") != NULL, "%s", text);
	ck_assert_msg(strstr(text, ",\"'+calc\",") != NULL, "%s", text);
	ck_assert_msg(strstr(text, ",\"'@cmd\",") != NULL, "%s", text);
	ck_assert_msg(strstr(text, ",\"'-bash\",") != NULL, "%s", text);
	ck_assert_msg(strstr(text, ",=") == NULL && strstr(text, ",+") == NULL &&
		      strstr(text, ",@") == NULL && strstr(text, ",-") == NULL,
		      "%s", text);
	free(text);

	/* A negative number is a number: --backlog's backlog_asked. */
	begin(&t);
	tg_st(&t, 2 * SEC, 0x30, P, 100, "srv", SKR_TCP_CLOSE, SKR_TCP_LISTEN,
	      LO, 8080, "0.0.0.0", 0);
	tg_listen(&t, 2 * SEC + MSEC, 0x30, 100, -1, 4096, 8080);
	text = tg_report(&t, SA_REPORT_BACKLOG, SA_FORMAT_CSV);
	ck_assert_msg(strstr(text, ",-1,4096,") != NULL, "%s", text);
	free(text);

	/* JSON is not CSV: the name is carried as it is. */
	begin_host(&t, host);
	tg_st(&t, 2 * SEC, 0x20, P, 100, "+calc", SKR_TCP_CLOSE,
	      SKR_TCP_SYN_SENT, LO, 0, LO, 9);
	text = tg_report(&t, SA_REPORT_TIMELINE, SA_FORMAT_JSON);
	ck_assert_msg(strstr(text, "\"comm\":\"+calc\"") != NULL, "%s", text);
	free(text);
}
END_TEST

/* ------------------------------------------------------------------ */
/* More live sockets than the table holds                               */
/* ------------------------------------------------------------------ */

#define SMALL_MAX	8

static void snapshot(struct tg *t, uint64_t cookie, uint8_t state,
		     uint16_t sport, uint16_t dport)
{
	struct skr_snapshot sn;
	uint8_t fam;

	memset(&sn, 0, sizeof(sn));
	sn.hdr.len = sizeof(sn);
	sn.hdr.type = SKR_REC_SNAPSHOT;
	sn.ts_ns = 1 * SEC + MSEC;
	sn.cookie = cookie;
	sn.netns = t->netns;
	sn.kind = SKR_SNAP_SOCKET;
	sn.state = state;
	tg_addr(LO, sn.saddr, &fam);
	tg_addr(LO, sn.daddr, &fam);
	sn.family = fam;
	sn.sport = sport;
	sn.dport = dport;
	sn.wqueue = state == SKR_TCP_LISTEN ? 128 : 0;
	tg_put(t, &sn, sizeof(sn));
}

/*
 * A snapshot of 12 sockets, a table of 8: the first 8 are tracked, the
 * others counted.  Then events naming new sockets (an error, a listener
 * sample, an accept's child) are counted too, and a state change of a new
 * socket still makes room by handing on the oldest.
 */
static void big_trace(struct tg *t)
{
	uint64_t i;

	begin(t);
	snapshot(t, 0x100, SKR_TCP_LISTEN, 8080, 0);
	for (i = 1; i < 12; i++)
		snapshot(t, 0x100 + i, SKR_TCP_ESTABLISHED, 8080,
			 (uint16_t)(40000 + i));
	tg_error(t, 2 * SEC, 0x200, 111, SKR_TCP_SYN_SENT, 9);
	tg_listener(t, 2 * SEC + MSEC, 0x201, 3, 128, 0);
	/* The tracked listener accepts a child the table has no room for. */
	tg_accept(t, 2 * SEC + 2 * MSEC, 0x100, 0x202, 100, 1, 128, 0);
	tg_st(t, 3 * SEC, 0x300, P, 100, "cli", SKR_TCP_CLOSE,
	      SKR_TCP_SYN_SENT, LO, 0, LO, 9);
}

START_TEST(test_table_full_degrades)
{
	static const enum sa_report reps[] = {
		SA_REPORT_DIAG, SA_REPORT_INFO, SA_REPORT_TIMELINE,
		SA_REPORT_LATENCY, SA_REPORT_BACKLOG,
	};
	struct tg t;
	char *text;
	size_t i;

	sa_sockets_test_max_live(SMALL_MAX);
	for (i = 0; i < sizeof(reps) / sizeof(reps[0]); i++) {
		big_trace(&t);
		text = tg_report(&t, reps[i], SA_FORMAT_TEXT);
		if (reps[i] == SA_REPORT_INFO) {
			ck_assert_msg(strstr(text, "Untracked sockets:  4 of "
					     "the snapshot, and 3 events naming "
					     "other new sockets ignored (more "
					     "than 8 live at once)") != NULL,
				      "%s", text);
			ck_assert_msg(strstr(text, "Evicted sockets:    1 "
					     "(more than 8 live at once)") !=
				      NULL, "%s", text);
		} else {
			ck_assert_msg(strstr(text, "WARNING: 4 sockets of the "
					     "snapshot not tracked: the table "
					     "holds 8 live sockets at most\n") !=
				      NULL, "report %zu: %s", i, text);
			ck_assert_msg(strstr(text, "WARNING: 3 events naming a "
					     "new socket ignored, the socket "
					     "not tracked: the table held 8 "
					     "live sockets, its most\n") !=
				      NULL, "report %zu: %s", i, text);
		}
		if (reps[i] == SA_REPORT_TIMELINE)
			ck_assert_msg(strstr(text, "accept: a socket not "
					     "tracked, the table being full "
					     "(queue 1 of 128)") != NULL, "%s",
				      text);
		free(text);

		big_trace(&t);
		text = tg_report(&t, reps[i], SA_FORMAT_JSON);
		ck_assert_msg(strstr(text, "{\"row\":\"warning\",\"kind\":"
				     "\"untracked\",\"input\":null,\"count\":"
				     "4,") != NULL, "report %zu: %s", i, text);
		ck_assert_msg(strstr(text, "{\"row\":\"warning\",\"kind\":"
				     "\"untracked_events\",\"input\":null,"
				     "\"count\":3,") != NULL, "report %zu: %s",
			      i, text);
		free(text);
	}
}
END_TEST

/* ------------------------------------------------------------------ */
/* Many listeners: the lookups are indexed                              */
/* ------------------------------------------------------------------ */

#define NLISTEN		200000u
#define EVERY		200u		/* a child for every 200th listener */
#define L_COOKIE	0x1000000ull
#define C_COOKIE	0x9000000ull

/* Listener i's address: 127.0.0.0/8 past 127.0.0.0, never a real host. */
static void lsn_addr(uint32_t i, char *buf, size_t size)
{
	uint32_t v = i + 1;
	int n = snprintf(buf, size, "127.%u.%u.%u", (v >> 16) & 0xff,
			 (v >> 8) & 0xff, v & 0xff);

	ck_assert(n > 0 && (size_t)n < size);
}

/* A passive child of the listener at addr:port that completes and closes. */
static void child(struct tg *t, uint64_t *ts, uint64_t cookie,
		  const char *addr, uint16_t port)
{
	tg_st(t, (*ts)++, cookie, I, 0, "", SKR_TCP_LISTEN, SKR_TCP_SYN_RECV,
	      addr, port, LO, 50000);
	tg_st(t, (*ts)++, cookie, I, 0, "", SKR_TCP_SYN_RECV,
	      SKR_TCP_ESTABLISHED, addr, port, LO, 50000);
	tg_st(t, (*ts)++, cookie, I, 0, "", SKR_TCP_ESTABLISHED, SKR_TCP_CLOSE,
	      addr, port, LO, 50000);
}

/* handshakes of the listener rows of --backlog --json, by socket id. */
static uint64_t *handshakes_by_id(const char *text, size_t nids)
{
	static const char row[] = "{\"row\":\"listener\",\"socket\":";
	uint64_t *h = calloc(nids, sizeof(*h));
	const char *p = text, *f;

	ck_assert_ptr_nonnull(h);
	while ((p = strstr(p, row)) != NULL) {
		uint64_t id = strtoull(p + sizeof(row) - 1, NULL, 10);

		f = strstr(p, "\"handshakes\":");
		ck_assert_ptr_nonnull(f);
		ck_assert_uint_lt(id, nids);
		h[id] = strtoull(f + strlen("\"handshakes\":"), NULL, 10);
		p = f;
	}
	return h;
}

START_TEST(test_many_listeners_indexed)
{
	struct sa_work before = sa_work;
	uint64_t ts = 2 * SEC, *h, lookups, steps, finds, bsteps, nchild = 0;
	struct sa_run_opts opts;
	char addr[32];
	struct tg t;
	char *text;
	uint32_t i;

	begin(&t);
	/* Ids: W1 1, D1 2, D2 3, listener i 4 + i, W2 NLISTEN + 4. */
	tg_st(&t, ts++, 0x50, P, 100, "srv", SKR_TCP_CLOSE, SKR_TCP_LISTEN,
	      "0.0.0.0", 9090, "0.0.0.0", 0);
	tg_st(&t, ts++, 0x60, P, 100, "srv", SKR_TCP_CLOSE, SKR_TCP_LISTEN,
	      LO, 7070, "0.0.0.0", 0);
	tg_st(&t, ts++, 0x61, P, 100, "srv", SKR_TCP_CLOSE, SKR_TCP_LISTEN,
	      LO, 7070, "0.0.0.0", 0);
	for (i = 0; i < NLISTEN; i++) {
		lsn_addr(i, addr, sizeof(addr));
		tg_st(&t, ts++, L_COOKIE + i, P, 100, "srv", SKR_TCP_CLOSE,
		      SKR_TCP_LISTEN, addr, 8080, "0.0.0.0", 0);
		if (i % 16384 == 0)
			tg_round(&t, ts);
	}
	tg_st(&t, ts++, 0x51, P, 100, "srv", SKR_TCP_CLOSE, SKR_TCP_LISTEN,
	      "::", 9090, "::", 0);
	tg_round(&t, ts);
	/* Children of every EVERY-th listener, last ones first. */
	for (i = NLISTEN; i-- > 0;) {
		if (i % EVERY != 0)
			continue;
		lsn_addr(i, addr, sizeof(addr));
		child(&t, &ts, C_COOKIE + i, addr, 8080);
		nchild++;
	}
	/* Any address: the wildcard seen first (IPv4 W1, not IPv6 W2). */
	child(&t, &ts, 0x70, "127.0.0.9", 9090);
	/* The same address twice (SO_REUSEPORT): the older, then the other. */
	child(&t, &ts, 0x71, LO, 7070);
	tg_st(&t, ts++, 0x60, P, 100, "srv", SKR_TCP_LISTEN, SKR_TCP_CLOSE,
	      LO, 7070, "0.0.0.0", 0);
	child(&t, &ts, 0x72, LO, 7070);
	/*
	 * A child still open at the end is handed on after every listener,
	 * when --backlog's table is full: its listener is not counted again.
	 */
	lsn_addr(NLISTEN - 1, addr, sizeof(addr));
	tg_st(&t, ts++, 0x73, I, 0, "", SKR_TCP_LISTEN, SKR_TCP_SYN_RECV,
	      addr, 8080, LO, 50001);
	nchild += 4;
	tg_close_writer(&t);
	memset(&opts, 0, sizeof(opts));
	opts.report = SA_REPORT_BACKLOG;
	opts.format = SA_FORMAT_TEXT;
	text = tg_analyze_fd(t.fd, &opts);
	/* Each listener life past the table's 4,096 counted once. */
	ck_assert_msg(strstr(text, "WARNING: 195908 listeners beyond the "
			     "first 4096 not shown\n") != NULL, "%s",
		      text + (strlen(text) > 300 ? strlen(text) - 300 : 0));
	free(text);
	opts.format = SA_FORMAT_JSON;
	text = tg_analyze_fd(t.fd, &opts);
	close(t.fd);

	h = handshakes_by_id(text, NLISTEN + 5);
	for (i = 0; i < NLISTEN; i++)
		ck_assert_msg(h[4 + i] == (i % EVERY == 0 ? 1 : 0),
			      "listener %u: %" PRIu64 " handshakes", i,
			      h[4 + i]);
	ck_assert_uint_eq(h[1], 1);		/* W1 */
	ck_assert_uint_eq(h[2], 1);		/* D1 */
	ck_assert_uint_eq(h[3], 1);		/* D2 */
	ck_assert_uint_eq(h[NLISTEN + 4], 0);	/* W2 */
	free(h);
	free(text);

	/* Bounded work per lookup, however many listeners are open. */
	lookups = sa_work.listener_ops - before.listener_ops;
	steps = sa_work.listener_steps - before.listener_steps;
	finds = sa_work.backlog_finds - before.backlog_finds;
	bsteps = sa_work.backlog_steps - before.backlog_steps;
	ck_assert_uint_ge(lookups, nchild);
	ck_assert_msg(steps <= 4 * lookups, "%" PRIu64 " steps for %" PRIu64
		      " listener lookups and inserts", steps, lookups);
	ck_assert_uint_ge(finds, 2 * NLISTEN);
	ck_assert_msg(bsteps <= 4 * finds, "%" PRIu64 " steps for %" PRIu64
		      " backlog finds", bsteps, finds);
}
END_TEST

/* ------------------------------------------------------------------ */
/* An error part-way: every report shows what was read before it        */
/* ------------------------------------------------------------------ */

/*
 * A listener, a refused connect and an accepted connection still open,
 * then a frame of garbage where the next zstd frame must start.
 */
static int broken_trace(void)
{
	static const uint8_t junk[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };
	char path[] = "/tmp/test_analyze_sec.XXXXXX";
	uint8_t *bytes;
	size_t len;
	struct tg t;
	int fd;

	begin(&t);
	tg_st(&t, 2 * SEC, 0x40, P, 100, "srv", SKR_TCP_CLOSE, SKR_TCP_LISTEN,
	      LO, 8080, "0.0.0.0", 0);
	tg_listen(&t, 2 * SEC + 1, 0x40, 100, 128, 128, 8080);
	tg_st(&t, 3 * SEC, 0x41, P, 200, "cli", SKR_TCP_CLOSE,
	      SKR_TCP_SYN_SENT, LO, 0, LO, 9);
	tg_st(&t, 3 * SEC + MSEC, 0x41, I, 0, "", SKR_TCP_SYN_SENT,
	      SKR_TCP_CLOSE, LO, 41000, LO, 9);
	tg_error(&t, 3 * SEC + MSEC + 1, 0x41, 111, SKR_TCP_SYN_SENT, 9);
	tg_st(&t, 4 * SEC, 0x42, I, 0, "", SKR_TCP_LISTEN, SKR_TCP_SYN_RECV,
	      LO, 8080, LO, 42000);
	tg_st(&t, 4 * SEC + MSEC, 0x42, I, 0, "", SKR_TCP_SYN_RECV,
	      SKR_TCP_ESTABLISHED, LO, 8080, LO, 42000);
	tg_accept(&t, 4 * SEC + 2 * MSEC, 0x40, 0x42, 100, 0, 128, 0);
	bytes = tg_bytes(&t, &len);
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	unlink(path);
	ck_assert_int_eq(write(fd, bytes, len), (ssize_t)len);
	ck_assert_int_eq(write(fd, junk, sizeof(junk)), (ssize_t)sizeof(junk));
	free(bytes);
	return fd;
}

/* Run a report on the broken trace: it fails, with the reader's error. */
static char *run_broken(enum sa_report rep, enum sa_format fmt)
{
	struct skr_reader *r = NULL;
	struct sa_run_opts opts;
	char *text = NULL, msg[512];
	size_t len = 0;
	FILE *out;
	int fd = broken_trace(), err;

	memset(&opts, 0, sizeof(opts));
	opts.report = rep;
	opts.format = fmt;
	opts.name = "test.skr";
	ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
	ck_assert_int_eq(skr_reader_open_fd(&r, fd, "test.skr"), 0);
	out = open_memstream(&text, &len);
	ck_assert_ptr_nonnull(out);
	err = sa_run(r, &opts, out, msg, sizeof(msg));
	ck_assert_int_eq(fclose(out), 0);
	skr_reader_free(r);
	close(fd);
	ck_assert_int_eq(err, -EINVAL);
	ck_assert_msg(strncmp(msg, "test.skr: frame 1 at byte ", 26) == 0 &&
		      strstr(msg, ": not a zstd frame (found bytes 01 02 03 "
			     "04)") != NULL, "%s", msg);
	return text;
}

START_TEST(test_error_midway_reports)
{
	static const char warn[] = "WARNING: reading stopped at an error in "
		"the file; showing what was read before it: test.skr: frame 1";
	static const char row[] = "{\"row\":\"warning\",\"kind\":\"read_error\","
		"\"input\":null,\"count\":1,";
	char *text;

	text = run_broken(SA_REPORT_DIAG, SA_FORMAT_TEXT);
	ck_assert_msg(strstr(text, "Sockets: 3 ") != NULL, "%s", text);
	ck_assert_msg(strstr(text, "ECONNREFUSED") != NULL, "%s", text);
	ck_assert_msg(strstr(text, warn) != NULL, "%s", text);
	free(text);

	text = run_broken(SA_REPORT_TIMELINE, SA_FORMAT_TEXT);
	ck_assert_msg(strstr(text, "#1 ") != NULL && strstr(text, "#2 ") &&
		      strstr(text, "#3 ") != NULL, "%s", text);
	ck_assert_msg(strstr(text, warn) != NULL, "%s", text);
	free(text);

	text = run_broken(SA_REPORT_LATENCY, SA_FORMAT_TEXT);
	ck_assert_msg(strstr(text, "connect") != NULL, "%s", text);
	ck_assert_msg(strstr(text, warn) != NULL, "%s", text);
	free(text);

	text = run_broken(SA_REPORT_BACKLOG, SA_FORMAT_TEXT);
	ck_assert_msg(strstr(text, "#1 127.0.0.1:8080") != NULL, "%s", text);
	ck_assert_msg(strstr(text, "accepts:             1 ") != NULL, "%s",
		      text);
	ck_assert_msg(strstr(text, warn) != NULL, "%s", text);
	free(text);

	text = run_broken(SA_REPORT_INFO, SA_FORMAT_TEXT);
	ck_assert_msg(strstr(text, "File status:        error, 1 segment\n"
			     "Error:              test.skr: frame 1 at byte")
		      != NULL, "%s", text);
	ck_assert_msg(strstr(text, "Sockets seen:       3\n") != NULL, "%s",
		      text);
	free(text);

	text = run_broken(SA_REPORT_INFO, SA_FORMAT_JSON);
	ck_assert_msg(strstr(text, row) != NULL, "%s", text);
	ck_assert_msg(strstr(text, "\"complete\":false") != NULL, "%s", text);
	free(text);
	text = run_broken(SA_REPORT_DIAG, SA_FORMAT_JSON);
	ck_assert_msg(strstr(text, row) != NULL, "%s", text);
	free(text);
	text = run_broken(SA_REPORT_BACKLOG, SA_FORMAT_CSV);
	ck_assert_msg(strstr(text, "\n1,alpha,4026531840,127.0.0.1:8080,") !=
		      NULL, "%s", text);
	free(text);
}
END_TEST

/* Every test starts with the table's real bound, whatever one failed. */
static void reset_bound(void)
{
	sa_sockets_test_max_live(0);
}

/* The inverse of sa_mix64 (hash.h): x for which sa_mix64(x) == y. */
static uint64_t mul_inverse(uint64_t c)
{
	uint64_t x = c;	/* right to 3 bits for an odd c; Newton doubles it */

	for (int i = 0; i < 5; i++)
		x *= 2 - c * x;
	return x;
}

static uint64_t unmix64(uint64_t y)
{
	y ^= y >> 31 ^ y >> 62;
	y *= mul_inverse(0x94d049bb133111ebull);
	y ^= y >> 27 ^ y >> 54;
	y *= mul_inverse(0xbf58476d1ce4e5b9ull);
	y ^= y >> 30 ^ y >> 60;
	return y;
}

static int sock_done(void *ctx, const struct sa_sock *s)
{
	(void)ctx;
	(void)s;
	return 0;
}

/*
 * Cookies come from the file.  Chosen so that the socket table's mix, were
 * it not seeded, would put every one in bucket 0 at any table size (the low
 * 32 bits of the mixed key zero), they must still spread.
 */
START_TEST(test_socket_hash_not_chosen_by_file)
{
	enum { N = 4096, NETNS = 4026531840u };
	struct sa_evctx ec = { .host = 0, .input = 0, .mt = 1 };
	struct sa_sockets *t;
	uint64_t i, cookie;

	ck_assert_uint_eq(sa_mix64(unmix64(0x1234567887654321ull)),
			  0x1234567887654321ull);
	ck_assert_int_eq(sa_sockets_new(&t, sock_done, NULL), 0);
	for (i = 1; i <= N; i++) {
		cookie = unmix64(i << 32) ^ ((uint64_t)NETNS << 32 | NETNS);
		ck_assert_ptr_nonnull(sa_sockets_get(t, &ec, NETNS, cookie,
						     1000 + i, true));
	}
	for (i = 1; i <= N; i++) {
		cookie = unmix64(i << 32) ^ ((uint64_t)NETNS << 32 | NETNS);
		ck_assert_ptr_nonnull(sa_sockets_get(t, &ec, NETNS, cookie,
						     9000 + i, false));
	}
	/* 4,096 keys spread at random over >= 4,096 buckets: ~7 at most. */
	ck_assert_uint_le(sa_sockets_test_longest_chain(t), 32);
	sa_sockets_free(t);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("analyze_sec");
	TCase *tc = tcase_create("sec");

	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, reset_bound, reset_bound);
	tcase_add_test(tc, test_ret_int_min);
	tcase_add_test(tc, test_csv_formula_neutralised);
	tcase_add_test(tc, test_table_full_degrades);
	tcase_add_test(tc, test_many_listeners_indexed);
	tcase_add_test(tc, test_socket_hash_not_chosen_by_file);
	tcase_add_test(tc, test_error_midway_reports);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tg_main(suite());
}
