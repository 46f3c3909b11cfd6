/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests of defects found in review of sockana, each on a synthetic
 * trace written through the format library:
 *   - the CLOSE_WAIT list of the diagnosis shows up to 20 sockets, the
 *     true count and "(+N more)";
 *   - an owner named only by a syscall record (accept) takes the name its
 *     pid showed in any process-context event;
 *   - a refused connect's local port comes from its RESET record;
 *   - socket ids follow time and file order only, so a redacted trace and
 *     one with other addresses number sockets the same way;
 *   - --info's peak of live sockets does not count closed sockets waiting
 *     out their grace;
 *   - --timeline names the limit that cut a socket's events;
 *   - what a socket's TIME_WAIT remnant reports after the DESTROY (same
 *     cookie) stays on its life instead of starting an "older" one;
 *   - a file joining traces of two boots (cat) says so in every report.
 */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyze/items.h"
#include "analyze/redact.h"
#include "analyze/sockana.h"
#include "tracegen.h"

#define NETNS		4026531840u
#define WALL_BASE	1795341600ull	/* 2026-11-22T10:00:00Z */
#define SEC		1000000000ull
#define MSEC		1000000ull
#define USEC		1000ull
#define T0		(2 * SEC)
#define P		SKR_CTX_PROCESS
#define I		SKR_CTX_SOFTIRQ
#define LO		"127.0.0.1"

/* ------------------------------------------------------------------ */
/* Building traces                                                      */
/* ------------------------------------------------------------------ */

static void begin(struct tg *t)
{
	static const struct tg_host host = {
		.hostname = "alpha", .boot_id = "boot-a",
	};

	tg_begin(t);
	t->comm_process_only = true;
	tg_header(t, 0, 0x5a, 0, WALL_BASE * SEC);
	tg_host(t, &host);
	tg_probe(t, "inet_sock_set_state", SKR_REC_STATE, SKR_TIER_TP_BTF,
		 NULL);
	tg_probe(t, "listen", SKR_REC_LISTEN, SKR_TIER_TP_BTF, NULL);
	tg_probe(t, "accept", SKR_REC_ACCEPT, SKR_TIER_TP_BTF, NULL);
	tg_probe(t, "tcp_receive_reset", SKR_REC_RESET, SKR_TIER_TP_BTF, NULL);
	tg_probe(t, "inet_sk_error_report", SKR_REC_SOCK_ERROR,
		 SKR_TIER_TP_BTF, NULL);
	tg_clock(t, 1 * SEC, WALL_BASE * SEC, 0);
}

/* ------------------------------------------------------------------ */
/* 1. The CLOSE_WAIT list                                               */
/* ------------------------------------------------------------------ */

/* n sockets left in CLOSE_WAIT; the diagnosis's section from its header. */
static char *close_wait_report(unsigned n, char **section)
{
	struct tg t;
	char *text, *sec;
	unsigned i;

	begin(&t);
	for (i = 0; i < n; i++) {
		uint64_t ts = T0 + i * MSEC;
		uint16_t port = (uint16_t)(40000 + i);

		tg_st(&t, ts, 0x100 + i, I, 0, "", SKR_TCP_LISTEN,
		      SKR_TCP_SYN_RECV, LO, 8080, LO, port);
		tg_st(&t, ts + 10 * USEC, 0x100 + i, I, 0, "",
		      SKR_TCP_SYN_RECV, SKR_TCP_ESTABLISHED, LO, 8080, LO,
		      port);
		tg_st(&t, ts + 20 * USEC, 0x100 + i, I, 0, "",
		      SKR_TCP_ESTABLISHED, SKR_TCP_CLOSE_WAIT, LO, 8080, LO,
		      port);
	}
	tg_end(&t, T0 + SEC, 0, 0);
	text = tg_report(&t, SA_REPORT_DIAG, SA_FORMAT_TEXT);
	sec = strstr(text, "Stuck in CLOSE_WAIT");
	ck_assert_ptr_nonnull(sec);
	*strstr(sec, "\n\n") = '\0';
	*section = sec;
	return text;
}

START_TEST(test_close_wait_list)
{
	char *text, *sec;

	text = close_wait_report(12, &sec);
	ck_assert_msg(tg_count_lines(sec, "  #") == 12, "%s", sec);
	ck_assert_ptr_nonnull(strstr(sec, "\n  12 sockets\n"));
	ck_assert_ptr_null(strstr(sec, "more"));
	free(text);

	text = close_wait_report(25, &sec);
	ck_assert_msg(tg_count_lines(sec, "  #") == 20, "%s", sec);
	ck_assert_ptr_nonnull(strstr(sec, "\n  25 sockets\n"));
	ck_assert_msg(strstr(sec, "\n  (+5 more)") != NULL, "%s", sec);
	free(text);
}
END_TEST

START_TEST(test_close_wait_json)
{
	struct tg t;
	char *text;
	unsigned i;

	begin(&t);
	for (i = 0; i < 21; i++)
		tg_st(&t, T0 + i * MSEC, 0x100 + i, I, 0, "",
		      SKR_TCP_ESTABLISHED, SKR_TCP_CLOSE_WAIT, LO, 8080, LO,
		      (uint16_t)(40000 + i));
	tg_end(&t, T0 + SEC, 0, 0);
	text = tg_report(&t, SA_REPORT_DIAG, SA_FORMAT_JSON);
	ck_assert_uint_eq(tg_count_lines(text, "{\"row\":\"close_wait\""), 20);
	ck_assert_msg(strstr(text, "{\"row\":\"close_wait_more\",\"count\":21,"
			     "\"sockets_more\":1}") != NULL, "%s", text);
	free(text);
}
END_TEST

/* ------------------------------------------------------------------ */
/* 2. Owners named by the pid's name seen elsewhere                     */
/* ------------------------------------------------------------------ */

#define LSN	0x200

static void accepted(struct tg *t, uint64_t ts, uint64_t cookie,
		     uint16_t port, uint32_t pid)
{
	tg_st(t, ts, cookie, I, 0, "", SKR_TCP_LISTEN, SKR_TCP_SYN_RECV, LO,
	      8080, LO, port);
	tg_st(t, ts + 10 * USEC, cookie, I, 0, "", SKR_TCP_SYN_RECV,
	      SKR_TCP_ESTABLISHED, LO, 8080, LO, port);
	tg_accept(t, ts + 20 * USEC, LSN, cookie, pid, 1, 128, 0);
}

START_TEST(test_accept_owner_name)
{
	struct tg t;
	char *text;

	begin(&t);
	tg_st(&t, T0, LSN, P, 10, "master", SKR_TCP_CLOSE, SKR_TCP_LISTEN, LO,
	      8080, "0.0.0.0", 0);
	/* Worker 11 names itself before its accept (a connect of its own). */
	tg_st(&t, T0 + 1 * MSEC, 0x300, P, 11, "worker", SKR_TCP_CLOSE,
	      SKR_TCP_SYN_SENT, LO, 0, LO, 5432);
	accepted(&t, T0 + 2 * MSEC, 0x201, 40001, 11);
	/* Worker 12 names itself only after: when it closes the socket. */
	accepted(&t, T0 + 3 * MSEC, 0x202, 40002, 12);
	tg_st(&t, T0 + 4 * MSEC, 0x202, I, 0, "", SKR_TCP_ESTABLISHED,
	      SKR_TCP_CLOSE_WAIT, LO, 8080, LO, 40002);
	tg_st(&t, T0 + 5 * MSEC, 0x202, P, 12, "late", SKR_TCP_CLOSE_WAIT,
	      SKR_TCP_LAST_ACK, LO, 8080, LO, 40002);
	/* Worker 13 never shows a name. */
	accepted(&t, T0 + 6 * MSEC, 0x203, 40003, 13);
	tg_end(&t, T0 + SEC, 0, 0);
	text = tg_report(&t, SA_REPORT_TIMELINE, SA_FORMAT_TEXT);
	ck_assert_msg(strstr(text, "127.0.0.1:8080 -> 127.0.0.1:40001 netns "
			     "4026531840 owner worker[11]\n") != NULL, "%s",
		      text);
	ck_assert_msg(strstr(text, "127.0.0.1:8080 -> 127.0.0.1:40002 netns "
			     "4026531840 owner late[12]\n") != NULL, "%s",
		      text);
	ck_assert_msg(strstr(text, "127.0.0.1:8080 -> 127.0.0.1:40003 netns "
			     "4026531840 owner ?[13]\n") != NULL, "%s", text);
	free(text);
}
END_TEST

/* The map is bounded: the pid named first is forgotten past 4096 others. */
START_TEST(test_owner_map_bounded)
{
	struct tg t;
	char *text;
	unsigned i;

	begin(&t);
	tg_st(&t, T0, LSN, P, 10, "master", SKR_TCP_CLOSE, SKR_TCP_LISTEN, LO,
	      8080, "0.0.0.0", 0);
	for (i = 0; i <= 4096; i++) {
		char name[16];

		ck_assert_int_lt(snprintf(name, sizeof(name), "w%u", i),
				 (int)sizeof(name));
		tg_st(&t, T0 + 1 * MSEC + i * USEC, 0x10000 + i, P, 1000 + i,
		      name, SKR_TCP_CLOSE, SKR_TCP_SYN_SENT, LO, 0, LO, 5432);
	}
	accepted(&t, T0 + 10 * MSEC, 0x201, 40001, 1000);
	accepted(&t, T0 + 11 * MSEC, 0x202, 40002, 1001);
	tg_end(&t, T0 + SEC, 0, 0);
	text = tg_report(&t, SA_REPORT_TIMELINE, SA_FORMAT_TEXT);
	ck_assert_ptr_nonnull(strstr(text, "40001 netns 4026531840 owner "
					   "?[1000]\n"));
	ck_assert_ptr_nonnull(strstr(text, "40002 netns 4026531840 owner "
					   "w1[1001]\n"));
	free(text);
}
END_TEST

/* ------------------------------------------------------------------ */
/* 3. A refused connect's local port                                    */
/* ------------------------------------------------------------------ */

START_TEST(test_refused_local_port)
{
	struct tg t;
	char *text;

	begin(&t);
	tg_st(&t, T0, 0x400, P, 30, "curl", SKR_TCP_CLOSE, SKR_TCP_SYN_SENT, LO,
	      0, LO, 9);
	tg_reset(&t, T0 + 40 * USEC, 0x400, SKR_TCP_SYN_SENT, 40002, 9);
	tg_st(&t, T0 + 41 * USEC, 0x400, P, 30, "curl", SKR_TCP_SYN_SENT,
	      SKR_TCP_CLOSE, LO, 0, LO, 9);
	tg_error(&t, T0 + 42 * USEC, 0x400, 111, SKR_TCP_CLOSE, 9);
	tg_end(&t, T0 + SEC, 0, 0);
	text = tg_report(&t, SA_REPORT_TIMELINE, SA_FORMAT_TEXT);
	ck_assert_msg(strstr(text, "#1 cookie 0x400 IPv4 127.0.0.1:40002 -> "
			     "127.0.0.1:9 ") != NULL, "%s", text);
	free(text);
}
END_TEST

/* ------------------------------------------------------------------ */
/* 4. Socket ids do not depend on addresses                             */
/* ------------------------------------------------------------------ */

/*
 * Three connects: A and B at the same time (A first in the file), C
 * earlier but later in the file (another CPU's buffer).  Their addresses
 * are swapped between the two variants.
 */
static void build_ids(struct tg *t, bool swap)
{
	const char *x = swap ? "10.0.0.1" : "10.0.0.9";
	const char *y = swap ? "10.0.0.9" : "10.0.0.1";
	const char *z = swap ? "192.168.1.1" : "172.16.0.1";

	begin(t);
	tg_st(t, T0 + 10 * USEC, 0xa, P, 20, "cli", SKR_TCP_CLOSE,
	      SKR_TCP_SYN_SENT, "0.0.0.0", 0, x, 80);
	tg_st(t, T0 + 10 * USEC, 0xb, P, 21, "cli", SKR_TCP_CLOSE,
	      SKR_TCP_SYN_SENT, "0.0.0.0", 0, y, 80);
	tg_st(t, T0 + 5 * USEC, 0xc, P, 22, "cli", SKR_TCP_CLOSE,
	      SKR_TCP_SYN_SENT, "0.0.0.0", 0, z, 443);
	tg_round(t, T0 + 20 * USEC);
	/* Closed in the reverse order, at one time too. */
	tg_st(t, T0 + 3 * SEC, 0xc, I, 0, "", SKR_TCP_SYN_SENT, SKR_TCP_CLOSE,
	      "0.0.0.0", 0, z, 443);
	tg_st(t, T0 + 3 * SEC, 0xb, I, 0, "", SKR_TCP_SYN_SENT, SKR_TCP_CLOSE,
	      "0.0.0.0", 0, y, 80);
	tg_st(t, T0 + 3 * SEC, 0xa, I, 0, "", SKR_TCP_SYN_SENT, SKR_TCP_CLOSE,
	      "0.0.0.0", 0, x, 80);
	tg_end(t, T0 + 4 * SEC, 0, 0);
}

/* "#ID cookie C" of each socket block, in the order printed. */
static void ids_of(const char *text, char *buf, size_t size)
{
	const char *p = text;
	size_t used = 0;

	buf[0] = '\0';
	while (p && *p) {
		if (*p == '#') {
			const char *e = strstr(p, " IPv");
			size_t n = e ? (size_t)(e - p) : 0;

			ck_assert_uint_lt(used + n + 2, size);
			memcpy(buf + used, p, n);
			used += n;
			buf[used++] = ';';
			buf[used] = '\0';
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
}

static char *timeline_fd(int fd)
{
	struct sa_run_opts opts;

	memset(&opts, 0, sizeof(opts));
	opts.report = SA_REPORT_TIMELINE;
	return tg_analyze_fd(fd, &opts);
}

START_TEST(test_ids_not_from_addresses)
{
	static const char *const want =
		"#1 cookie 0xc;#3 cookie 0xb;#2 cookie 0xa;";
	struct sa_redact_opts ro;
	struct sa_redact_stats rs;
	struct skr_reader *r = NULL;
	struct tg t, u;
	char ids[256], msg[256], *text;
	FILE *red;
	unsigned k;

	build_ids(&t, false);
	tg_close_writer(&t);
	text = timeline_fd(t.fd);
	ids_of(text, ids, sizeof(ids));
	ck_assert_msg(strcmp(ids, want) == 0, "%s\n%s", ids, text);
	free(text);

	build_ids(&u, true);
	tg_close_writer(&u);
	text = timeline_fd(u.fd);
	ids_of(text, ids, sizeof(ids));
	ck_assert_str_eq(ids, want);
	free(text);
	close(u.fd);

	/* Several keys: the mapped addresses sort in different orders. */
	for (k = 0; k < 8; k++) {
		memset(&ro, 0, sizeof(ro));
		memset(ro.key, (int)(0x11 * k + 1), sizeof(ro.key));
		ro.comm = k & 1;
		red = tmpfile();
		ck_assert_ptr_nonnull(red);
		ck_assert_int_eq(lseek(t.fd, 0, SEEK_SET), 0);
		ck_assert_int_eq(skr_reader_open_fd(&r, t.fd, "test.skr"), 0);
		ck_assert_int_eq(sa_redact(r, &ro, fileno(red), &rs, msg,
					   sizeof(msg)), 0);
		skr_reader_free(r);
		ck_assert_uint_gt(rs.addresses, 0);
		text = timeline_fd(fileno(red));
		ids_of(text, ids, sizeof(ids));
		ck_assert_msg(strcmp(ids, want) == 0, "key %u: %s", k, ids);
		free(text);
		fclose(red);
	}
	close(t.fd);
}
END_TEST

/* ------------------------------------------------------------------ */
/* 5. Peak live sockets                                                 */
/* ------------------------------------------------------------------ */

START_TEST(test_peak_live_open_only)
{
	struct tg t;
	char *text;
	unsigned i;

	/* One after the other, each closed well within the others' grace. */
	begin(&t);
	for (i = 0; i < 5; i++) {
		uint64_t ts = T0 + i * MSEC;

		tg_st(&t, ts, 0x500 + i, P, 40, "cli", SKR_TCP_CLOSE,
		      SKR_TCP_SYN_SENT, LO, 0, LO, 9);
		tg_st(&t, ts + 100 * USEC, 0x500 + i, I, 0, "",
		      SKR_TCP_SYN_SENT, SKR_TCP_CLOSE, LO, 0, LO, 9);
	}
	/* Two open at once at the end. */
	tg_st(&t, T0 + 100 * MSEC, 0x600, P, 40, "cli", SKR_TCP_CLOSE,
	      SKR_TCP_SYN_SENT, LO, 0, LO, 9);
	tg_st(&t, T0 + 101 * MSEC, 0x601, P, 40, "cli", SKR_TCP_CLOSE,
	      SKR_TCP_SYN_SENT, LO, 0, LO, 9);
	tg_end(&t, T0 + SEC, 0, 0);
	text = tg_report(&t, SA_REPORT_INFO, SA_FORMAT_JSON);
	ck_assert_msg(strstr(text, "\"peak_live_sockets\":2,") != NULL, "%s",
		      text);
	free(text);
}
END_TEST

/* ------------------------------------------------------------------ */
/* 6. Which limit cut a socket's events                                 */
/* ------------------------------------------------------------------ */

START_TEST(test_items_limit_named)
{
	struct sa_run_opts opts;
	struct tg t;
	uint64_t ts = T0, c;
	char *text, *one, *last;
	unsigned k;

	/*
	 * Socket 1 gets one event past its own limit and the transitions
	 * kept aside (items.h); sockets 1..1024 then hold SA_ITEMS_MAX_HELD
	 * events, so socket 1025 keeps none of its 3.
	 */
	ck_assert_uint_eq(SA_ITEMS_MAX_HELD, 1024u * SA_SOCK_MAX_ITEMS);
	begin(&t);
	for (c = 1; c <= 1025; c++) {
		unsigned n = c == 1 ? SA_SOCK_MAX_ITEMS + SA_GAP_STATES + 1
			     : c == 1025 ? 3 : SA_SOCK_MAX_ITEMS;

		tg_st(&t, ts++, c, P, 50, "cli", SKR_TCP_CLOSE,
		      SKR_TCP_SYN_SENT, LO, 0, LO, 80);
		for (k = 1; k < n; k++)
			tg_st(&t, ts++, c, I, 0, "", SKR_TCP_ESTABLISHED,
			      SKR_TCP_ESTABLISHED, LO, 1000, LO, 80);
		tg_round(&t, ts);
	}
	tg_end(&t, ts + SEC, 0, 0);
	tg_close_writer(&t);
	memset(&opts, 0, sizeof(opts));
	opts.report = SA_REPORT_TIMELINE;
	opts.filters.any = true;
	opts.filters.socket[opts.filters.nsocket++] = 1;
	opts.filters.socket[opts.filters.nsocket++] = 1025;
	text = tg_analyze_fd(t.fd, &opts);
	close(t.fd);
	one = strstr(text, "#1 cookie");
	last = strstr(text, "#1025 cookie");
	ck_assert_ptr_nonnull(one);
	ck_assert_ptr_nonnull(last);
	ck_assert_msg(strstr(one, ": 1 state (limit 1024 per socket: its "
			     "first and latest events are kept)\n") != NULL,
		      "%.300s", one);
	ck_assert_msg(strstr(last, "  ... 3 more events not kept (limit "
			     "1048576 events held over all sockets)\n") != NULL,
		      "%.400s", last);
	free(text);
}
END_TEST

/* ------------------------------------------------------------------ */
/* 7. After the DESTROY: the TIME_WAIT remnant                          */
/* ------------------------------------------------------------------ */

START_TEST(test_timewait_after_destroy)
{
	struct tg t;
	char *text;

	/*
	 * The kernel destroys the full socket when it enters TIME_WAIT; the
	 * timewait socket keeps its cookie and may still send a reset.
	 */
	begin(&t);
	tg_st(&t, T0, 0x700, P, 60, "cli", SKR_TCP_CLOSE, SKR_TCP_SYN_SENT,
	      LO, 0, LO, 80);
	tg_st(&t, T0 + 1 * MSEC, 0x700, I, 0, "", SKR_TCP_SYN_SENT,
	      SKR_TCP_ESTABLISHED, LO, 40000, LO, 80);
	tg_st(&t, T0 + 2 * MSEC, 0x700, P, 60, "cli", SKR_TCP_ESTABLISHED,
	      SKR_TCP_FIN_WAIT1, LO, 40000, LO, 80);
	tg_st(&t, T0 + 3 * MSEC, 0x700, I, 0, "", SKR_TCP_FIN_WAIT1,
	      SKR_TCP_FIN_WAIT2, LO, 40000, LO, 80);
	tg_st(&t, T0 + 4 * MSEC, 0x700, I, 0, "", SKR_TCP_FIN_WAIT2,
	      SKR_TCP_CLOSE, LO, 0, LO, 80);
	tg_destroy(&t, T0 + 4 * MSEC + 10 * USEC, 0x700, 80);
	tg_round(&t, T0 + 5 * MSEC);
	tg_reset(&t, T0 + 200 * MSEC, 0x700, SKR_TCP_TIME_WAIT, 40000, 80);
	tg_end(&t, T0 + 3 * SEC, 0, 0);
	text = tg_report(&t, SA_REPORT_TIMELINE, SA_FORMAT_TEXT);
	ck_assert_msg(tg_count_lines(text, "#") == 1, "%s", text);
	ck_assert_msg(strstr(text, "older than the trace") == NULL, "%s", text);
	ck_assert_msg(strstr(text, "* reset received in TIME_WAIT") != NULL,
		      "%s", text);
	free(text);
}
END_TEST

/* ------------------------------------------------------------------ */
/* 8. One file, two boots                                               */
/* ------------------------------------------------------------------ */

/* Two segments, as `cat` of two files; boot ids as given. */
static char *two_segments(const char *boot0, const char *boot1,
			  enum sa_report rep, enum sa_format fmt)
{
	const struct tg_host h0 = { .hostname = "alpha", .boot_id = boot0 };
	const struct tg_host h1 = { .hostname = "beta", .boot_id = boot1 };
	struct tg t;

	tg_begin(&t);
	tg_header(&t, 0, 0x5a, 0, WALL_BASE * SEC);
	tg_host(&t, &h0);
	tg_clock(&t, 1 * SEC, WALL_BASE * SEC, 0);
	tg_st(&t, T0, 0x800, P, 70, "cli", SKR_TCP_CLOSE, SKR_TCP_SYN_SENT,
	      LO, 0, LO, 80);
	tg_end(&t, T0 + SEC, 0, 0);
	tg_next_segment(&t);
	tg_header(&t, 0, 0x6b, 0, WALL_BASE * SEC);
	tg_host(&t, &h1);
	tg_clock(&t, 1 * SEC, WALL_BASE * SEC, 0);
	tg_st(&t, T0 + 2 * SEC, 0x800, P, 70, "cli", SKR_TCP_CLOSE,
	      SKR_TCP_SYN_SENT, LO, 0, LO, 80);
	tg_end(&t, T0 + 3 * SEC, 0, 0);
	return tg_report(&t, rep, fmt);
}

START_TEST(test_mixed_boots_warned)
{
	static const char warn[] = "WARNING: the file joins traces of "
				   "different hosts or boots";
	char *text;

	text = two_segments("boot-a", "boot-b", SA_REPORT_DIAG, SA_FORMAT_TEXT);
	ck_assert_msg(strstr(text, warn) != NULL, "%s", text);
	free(text);
	text = two_segments("boot-a", "boot-b", SA_REPORT_INFO, SA_FORMAT_TEXT);
	ck_assert_msg(strstr(text, "2 segments (from different hosts or "
			     "boots)") != NULL, "%s", text);
	free(text);
	text = two_segments("boot-a", "boot-b", SA_REPORT_INFO, SA_FORMAT_JSON);
	ck_assert_msg(strstr(text, "\"kind\":\"mixed_hosts\"") != NULL, "%s",
		      text);
	free(text);
	/* Rotated files of one capture: the same boot, no warning. */
	text = two_segments("boot-a", "boot-a", SA_REPORT_DIAG, SA_FORMAT_TEXT);
	ck_assert_msg(strstr(text, "WARNING") == NULL, "%s", text);
	free(text);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Children born under their listener's cookie (6.1, 6.12)              */
/* ------------------------------------------------------------------ */

/*
 * What sockrec 0.2.0 wrote on 6.1 and 6.12 for each accepted
 * connection: the child's LISTEN -> SYN_RECV carries the listener's cookie
 * and address (remote port 0); its later events its own cookie.
 */
static void child_under_listener(struct tg *t, uint64_t ts, uint64_t cookie,
				 uint16_t port)
{
	tg_st(t, ts, LSN, I, 0, "", SKR_TCP_LISTEN, SKR_TCP_SYN_RECV, LO,
	      8080, "0.0.0.0", 0);
	tg_st(t, ts + 5 * USEC, cookie, I, 0, "", SKR_TCP_SYN_RECV,
	      SKR_TCP_ESTABLISHED, LO, 8080, LO, port);
	tg_accept(t, ts + 20 * USEC, LSN, cookie, 10, 1, 128, 0);
	tg_st(t, ts + 1 * MSEC, cookie, I, 0, "", SKR_TCP_ESTABLISHED,
	      SKR_TCP_CLOSE_WAIT, LO, 8080, LO, port);
}

START_TEST(test_child_under_listener_cookie)
{
	struct tg t;
	char *text, *child;

	begin(&t);
	tg_st(&t, T0, LSN, P, 10, "srv", SKR_TCP_CLOSE, SKR_TCP_LISTEN, LO,
	      8080, "0.0.0.0", 0);
	child_under_listener(&t, T0 + 1 * MSEC, 0x201, 40001);
	child_under_listener(&t, T0 + 2 * MSEC, 0x202, 40002);
	/* A child's own event long after a birth that was never claimed. */
	tg_st(&t, T0 + 3 * MSEC, LSN, I, 0, "", SKR_TCP_LISTEN,
	      SKR_TCP_SYN_RECV, LO, 8080, "0.0.0.0", 0);
	tg_st(&t, T0 + 3 * SEC, 0x203, I, 0, "", SKR_TCP_SYN_RECV,
	      SKR_TCP_ESTABLISHED, LO, 8080, LO, 40003);
	tg_st(&t, T0 + 4 * SEC, LSN, P, 10, "srv", SKR_TCP_LISTEN,
	      SKR_TCP_CLOSE, LO, 8080, "0.0.0.0", 0);
	tg_end(&t, T0 + 5 * SEC, 0, 0);
	text = tg_report(&t, SA_REPORT_DIAG, SA_FORMAT_TEXT);
	/* 40003's birth is too old to be its own: that one stays unknown. */
	ck_assert_msg(strstr(text, "Sockets: 4 (1 older than the trace, ")
		      != NULL, "%s", text);
	free(text);

	begin(&t);
	tg_st(&t, T0, LSN, P, 10, "srv", SKR_TCP_CLOSE, SKR_TCP_LISTEN, LO,
	      8080, "0.0.0.0", 0);
	child_under_listener(&t, T0 + 1 * MSEC, 0x201, 40001);
	tg_st(&t, T0 + 4 * SEC, LSN, P, 10, "srv", SKR_TCP_LISTEN,
	      SKR_TCP_CLOSE, LO, 8080, "0.0.0.0", 0);
	tg_end(&t, T0 + 5 * SEC, 0, 0);
	text = tg_report(&t, SA_REPORT_TIMELINE, SA_FORMAT_TEXT);
	/* The listener's life (#1): LISTEN to CLOSE, no SYN_RECV of its own. */
	child = strstr(text, "\n#2 cookie 0x201 ");
	ck_assert_msg(child != NULL, "%s", text);
	ck_assert_msg(memmem(text, (size_t)(child - text), "SYN_RECV", 8) ==
		      NULL, "%s", text);
	/* The child's, from its birth. */
	ck_assert_msg(strstr(child, "LISTEN       -> SYN_RECV") != NULL, "%s",
		      text);
	ck_assert_msg(strstr(text, "older than the trace") == NULL, "%s",
		      text);
	free(text);
}
END_TEST

/* ------------------------------------------------------------------ */
/* What a kernel's tcp_send_reset cannot show (PROBE LIMITS, 6.1)       */
/* ------------------------------------------------------------------ */

/* A client that aborts its connection: a reset sent, with no reason. */
static char *reset_report(bool limited, enum sa_format fmt)
{
	static struct skr_tlv_builder b;
	struct skr_ev_reset e;
	struct tg t;

	begin(&t);
	skr_tlv_begin(&b, SKR_REC_PROBE);
	skr_tlv_put_str(&b, SKR_PROBE_NAME, "tcp_send_reset");
	skr_tlv_put_u8(&b, SKR_PROBE_TIER, SKR_TIER_TP_BTF);
	skr_tlv_put_u16(&b, SKR_PROBE_EVENT, SKR_REC_RESET);
	if (limited)
		skr_tlv_put_u32(&b, SKR_PROBE_LIMITS, SKR_LIMIT_RST_NO_REASON |
				SKR_LIMIT_RST_FULLSOCK);
	tg_put_tlv(&t, &b);
	tg_st(&t, T0, 0x300, P, 11, "cli", SKR_TCP_CLOSE, SKR_TCP_SYN_SENT, LO,
	      0, LO, 7000);
	tg_st(&t, T0 + 10 * USEC, 0x300, I, 0, "", SKR_TCP_SYN_SENT,
	      SKR_TCP_ESTABLISHED, LO, 40001, LO, 7000);
	memset(&e, 0, sizeof(e));
	e.hdr.len = sizeof(e);
	e.hdr.type = SKR_REC_RESET;
	tg_common(&t, &e.c, T0 + 1 * MSEC, 0x300, P, 11);
	tg_addr(LO, e.saddr, &e.family);
	tg_addr(LO, e.daddr, &e.family);
	e.sport = 40001;
	e.dport = 7000;
	e.reason = SKR_REASON_NONE;
	e.state = SKR_TCP_ESTABLISHED;
	e.dir = SKR_RESET_SENT;
	tg_put(&t, &e, sizeof(e));
	tg_st(&t, T0 + 1 * MSEC, 0x300, P, 11, "cli", SKR_TCP_ESTABLISHED,
	      SKR_TCP_CLOSE, LO, 40001, LO, 7000);
	tg_end(&t, T0 + SEC, 0, 0);
	return tg_report(&t, SA_REPORT_DIAG, fmt);
}

START_TEST(test_reset_limits_of_kernel)
{
	char *text;

	text = reset_report(true, SA_FORMAT_TEXT);
	ck_assert_msg(strstr(text, "\n  sent                     reason not "
			     "observable on this kernel      1  #1  local "
			     "127.0.0.1, remote 127.0.0.1:7000, owner cli[11]\n")
		      != NULL, "%s", text);
	/* Below the table, in line with its widest entry (36 columns). */
	ck_assert_msg(strstr(text, "\n  sent                     no socket or "
			     "TIME_WAIT               not observable on this "
			     "kernel\n") != NULL, "%s", text);
	free(text);
	text = reset_report(true, SA_FORMAT_JSON);
	ck_assert_msg(strstr(text, "\"finding\":\"resets sent with no socket "
			     "or from TIME_WAIT\",\"reason\":\"not observable "
			     "on this kernel\"") != NULL, "%s", text);
	free(text);
	/* A kernel that shows both: no such words. */
	text = reset_report(false, SA_FORMAT_TEXT);
	ck_assert_msg(strstr(text, "on this kernel") == NULL, "%s", text);
	free(text);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Listener samples of a listener named by an own id (classic tier)     */
/* ------------------------------------------------------------------ */

START_TEST(test_listener_sample_own_id)
{
	const uint64_t own = (1ull << 63) | 1;
	struct tg t;
	char *text;

	begin(&t);
	tg_st(&t, T0, own, P, 10, "srv", SKR_TCP_CLOSE, SKR_TCP_LISTEN, LO,
	      8080, "0.0.0.0", 0);
	tg_listen(&t, T0 + 10 * USEC, own, 10, 1024, 8, 8080);
	/* sock_diag names it by the kernel cookie it gave it. */
	tg_listener(&t, T0 + 100 * MSEC, 0x55, 8, 8, 0);
	tg_listener(&t, T0 + 200 * MSEC, 0x55, 8, 8, 7);
	tg_st(&t, T0 + 300 * MSEC, own, P, 10, "srv", SKR_TCP_LISTEN,
	      SKR_TCP_CLOSE, LO, 8080, "0.0.0.0", 0);
	tg_end(&t, T0 + SEC, 0, 0);
	text = tg_report(&t, SA_REPORT_DIAG, SA_FORMAT_TEXT);
	ck_assert_msg(strstr(text, "Sockets: 1 (0 older than the trace, ")
		      != NULL, "%s", text);
	ck_assert_msg(strstr(text, "\n  #1 127.0.0.1:8080 owner srv[10]: 7 "
			     "drops") != NULL, "%s", text);
	free(text);
}
END_TEST

static Suite *fixes_suite(void)
{
	Suite *s = suite_create("analyze_fixes");
	TCase *tc = tcase_create("fixes");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_close_wait_list);
	tcase_add_test(tc, test_close_wait_json);
	tcase_add_test(tc, test_accept_owner_name);
	tcase_add_test(tc, test_owner_map_bounded);
	tcase_add_test(tc, test_refused_local_port);
	tcase_add_test(tc, test_ids_not_from_addresses);
	tcase_add_test(tc, test_peak_live_open_only);
	tcase_add_test(tc, test_items_limit_named);
	tcase_add_test(tc, test_timewait_after_destroy);
	tcase_add_test(tc, test_mixed_boots_warned);
	tcase_add_test(tc, test_child_under_listener_cookie);
	tcase_add_test(tc, test_reset_limits_of_kernel);
	tcase_add_test(tc, test_listener_sample_own_id);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tg_main(fixes_suite());
}
