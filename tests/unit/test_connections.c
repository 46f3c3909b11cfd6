/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests of sockana --connections on synthetic traces: the values of
 * one row per socket (durations as --latency measures them, endpoints as
 * separate fields, counters), null where the trace did not measure a
 * thing (unknown family, ports never seen, a socket older than the trace,
 * one open at the end, counters the kernel zeroed), the CSV header, the
 * text table; JSON escaping of every byte at every place of short
 * strings; and, over the committed samples, that every JSON key has one
 * type in every report.
 */
#include <check.h>
#include <glob.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/report_connections.h"
#include "analyze/sockana.h"
#include "jsonl.h"
#include "tracegen.h"

#define WALL_BASE	1795341600ull	/* 2026-11-22T10:00:00Z */
#define SEC		1000000000ull
#define USEC		1000ull
#define T0		(2 * SEC)
#define P		SKR_CTX_PROCESS
#define I		SKR_CTX_SOFTIRQ
#define LO		"127.0.0.1"

#define LSN	0x200		/* listener on 127.0.0.1:8080 */
#define CLI	0x201		/* client: connects, sends, closes first */
#define SRV	0x202		/* its accepted socket */
#define OLD	0x203		/* established before the trace began */
#define OPEN	0x204		/* connected, still open at the end */
#define ODD	0x205		/* a family no kernel has */
#define REF	0x206		/* refused; its local port never seen */

static void begin_clock(struct tg *t, bool clock)
{
	static const char *const args[] = { "sockrec", NULL };
	const struct tg_host h = { .hostname = "alpha", .boot_id = "boot-a" };

	tg_begin(t);
	tg_header(t, 0, 0x5c, 0, WALL_BASE * SEC);
	tg_host(t, &h);
	tg_recorder(t, NULL, args, "unit test");
	tg_probe(t, "inet_sock_set_state", SKR_REC_STATE, SKR_TIER_TP_BTF,
		 NULL);
	tg_probe(t, "accept", SKR_REC_ACCEPT, SKR_TIER_TRACEPOINT, NULL);
	tg_probe(t, "tcp_destroy_sock", SKR_REC_DESTROY, SKR_TIER_TP_BTF,
		 NULL);
	if (clock)
		tg_clock(t, 1 * SEC, WALL_BASE * SEC, 0);
}

static void begin(struct tg *t)
{
	begin_clock(t, true);
}

static void destroy(struct tg *t, uint64_t ts, uint64_t cookie,
		    uint64_t acked, uint64_t received, uint32_t out,
		    uint32_t in)
{
	struct skr_ev_destroy e;

	memset(&e, 0, sizeof(e));
	e.hdr.len = sizeof(e);
	e.hdr.type = SKR_REC_DESTROY;
	tg_common(t, &e.c, ts, cookie, SKR_CTX_SOFTIRQ, 0);
	e.family = SKR_AF_INET;
	e.state = SKR_TCP_CLOSE;
	e.bytes_acked = acked;
	e.bytes_received = received;
	e.segs_out = out;
	e.segs_in = in;
	e.total_retrans = 1;
	tg_put(t, &e, sizeof(e));
}

/* One healthy connection and its listener. */
static void build_healthy(struct tg *t)
{
	const uint64_t b = T0;

	begin(t);
	tg_st(t, b, LSN, P, 10, "srv", SKR_TCP_CLOSE, SKR_TCP_LISTEN, LO, 8080,
	      "0.0.0.0", 0);
	tg_listen(t, b + 1 * USEC, LSN, 10, 128, 128, 8080);
	tg_st(t, b + 10 * USEC, CLI, P, 20, "cli", SKR_TCP_CLOSE,
	      SKR_TCP_SYN_SENT, LO, 0, LO, 8080);
	tg_st(t, b + 12 * USEC, SRV, I, 0, "swapper/0", SKR_TCP_LISTEN,
	      SKR_TCP_SYN_RECV, LO, 8080, LO, 40001);
	tg_st(t, b + 15 * USEC, CLI, I, 0, "swapper/0", SKR_TCP_SYN_SENT,
	      SKR_TCP_ESTABLISHED, LO, 40001, LO, 8080);
	tg_st(t, b + 20 * USEC, SRV, I, 0, "swapper/0", SKR_TCP_SYN_RECV,
	      SKR_TCP_ESTABLISHED, LO, 8080, LO, 40001);
	tg_accept(t, b + 60 * USEC, LSN, SRV, 10, 1, 128, 0);
	tg_st(t, b + 100 * USEC, CLI, P, 20, "cli", SKR_TCP_ESTABLISHED,
	      SKR_TCP_FIN_WAIT1, LO, 40001, LO, 8080);
	tg_st(t, b + 110 * USEC, SRV, I, 0, "swapper/0", SKR_TCP_ESTABLISHED,
	      SKR_TCP_CLOSE_WAIT, LO, 8080, LO, 40001);
	tg_st(t, b + 120 * USEC, CLI, I, 0, "swapper/0", SKR_TCP_FIN_WAIT1,
	      SKR_TCP_FIN_WAIT2, LO, 40001, LO, 8080);
	tg_st(t, b + 300 * USEC, SRV, P, 10, "srv", SKR_TCP_CLOSE_WAIT,
	      SKR_TCP_LAST_ACK, LO, 8080, LO, 40001);
	tg_st(t, b + 310 * USEC, CLI, I, 0, "swapper/0", SKR_TCP_FIN_WAIT2,
	      SKR_TCP_CLOSE, LO, 40001, LO, 8080);
	destroy(t, b + 311 * USEC, CLI, 66, 513, 6, 4);
	tg_st(t, b + 320 * USEC, SRV, I, 0, "swapper/0", SKR_TCP_LAST_ACK,
	      SKR_TCP_CLOSE, LO, 8080, LO, 40001);
	tg_end(t, b + 1 * SEC, 0, 0);
}

/* A client's short life in a trace with no CLOCK sample: no wall time. */
static void build_no_clock(struct tg *t)
{
	const uint64_t b = T0;

	begin_clock(t, false);
	tg_st(t, b + 10 * USEC, CLI, P, 20, "cli", SKR_TCP_CLOSE,
	      SKR_TCP_SYN_SENT, LO, 0, LO, 8080);
	tg_st(t, b + 15 * USEC, CLI, I, 0, "swapper/0", SKR_TCP_SYN_SENT,
	      SKR_TCP_ESTABLISHED, LO, 40001, LO, 8080);
	tg_st(t, b + 310 * USEC, CLI, I, 0, "swapper/0", SKR_TCP_ESTABLISHED,
	      SKR_TCP_CLOSE, LO, 40001, LO, 8080);
	tg_end(t, b + 1 * SEC, 0, 0);
}

/* The hostile and partial cases: one socket each. */
static void build_edges(struct tg *t)
{
	const uint64_t b = T0;
	struct skr_ev_state s;
	struct tg_ev e = {
		.cookie = ODD, .ctx = P, .tgid = 40, .comm = "odd",
		.src = LO, .sport = 7000, .dst = LO, .dport = 7001,
	};

	begin(t);
	/* OLD: its first event is a close from ESTABLISHED. */
	tg_st(t, b, OLD, P, 30, "old", SKR_TCP_ESTABLISHED, SKR_TCP_FIN_WAIT1,
	      LO, 5000, LO, 6000);
	tg_st(t, b + 5 * USEC, OLD, I, 0, "swapper/0", SKR_TCP_FIN_WAIT1,
	      SKR_TCP_CLOSE, LO, 5000, LO, 6000);
	/* ODD: family 7, which no report can print as an address. */
	e.ts = b + 10 * USEC;
	e.oldstate = SKR_TCP_CLOSE;
	e.newstate = SKR_TCP_SYN_SENT;
	tg_state_fill(t, &e, &s);
	s.family = 7;
	tg_put(t, &s, sizeof(s));
	/* REF: refused, never showing a local port; DESTROY after tcp_disconnect. */
	tg_st(t, b + 20 * USEC, REF, P, 50, "ref", SKR_TCP_CLOSE,
	      SKR_TCP_SYN_SENT, LO, 0, LO, 9);
	tg_st(t, b + 25 * USEC, REF, I, 0, "swapper/0", SKR_TCP_SYN_SENT,
	      SKR_TCP_CLOSE, LO, 0, LO, 9);
	tg_error(t, b + 26 * USEC, REF, 111, SKR_TCP_CLOSE, 9);
	tg_destroy(t, b + 27 * USEC, REF, 9);
	/* OPEN: connected, never closed. */
	tg_st(t, b + 30 * USEC, OPEN, P, 60, "open", SKR_TCP_CLOSE,
	      SKR_TCP_SYN_SENT, LO, 0, LO, 8443);
	tg_st(t, b + 37 * USEC, OPEN, I, 0, "swapper/0", SKR_TCP_SYN_SENT,
	      SKR_TCP_ESTABLISHED, LO, 41000, LO, 8443);
	tg_end(t, b + 1 * SEC, 0, 0);
}

/* The line of the connection row of socket id, which must exist. */
static char *row_of(char *text, unsigned id)
{
	char want[64], *p, *nl;

	snprintf(want, sizeof(want), "{\"row\":\"connection\",\"socket\":%u,",
		 id);
	p = strstr(text, want);
	ck_assert_msg(p != NULL, "no row for socket %u in:\n%s", id, text);
	nl = strchr(p, '\n');
	ck_assert_ptr_nonnull(nl);
	*nl = '\0';
	ck_assert_msg(jsonl_object(p, strlen(p)), "not JSON: %s", p);
	return p;
}

static void has(const char *row, const char *field)
{
	ck_assert_msg(strstr(row, field) != NULL, "%s not in %s", field, row);
}

START_TEST(test_healthy_json)
{
	char *text = tg_build_report(build_healthy, SA_REPORT_CONNECTIONS,
				     SA_FORMAT_JSON, SA_BY_NONE);
	char *copy = strdup(text), *r;

	ck_assert_ptr_nonnull(copy);
	/* ids: 1 listener, 2 client, 3 accepted child */
	r = row_of(copy, 2);
	has(r, "\"family\":\"IPv4\",\"local_addr\":\"127.0.0.1\","
	    "\"local_port\":40001,\"remote_addr\":\"127.0.0.1\","
	    "\"remote_port\":8080,\"role\":\"active\",\"owner_pid\":20,"
	    "\"owner_comm\":\"cli\",\"parent\":null,\"peer\":3,"
	    "\"older\":false,"
	    "\"snapshot\":false,\"closed\":true,"
	    "\"first_time\":\"2026-11-22T10:00:01.000010Z\"");
	has(r, "\"first_ns\":1795341601000010000,");
	has(r, "\"last_time\":\"2026-11-22T10:00:01.000311Z\"");
	has(r, "\"connect_ns\":5000,\"handshake_ns\":null,"
	    "\"accept_wait_ns\":null,\"lifetime_ns\":300000,"
	    "\"counters\":\"destroy\",\"bytes_acked\":66,"
	    "\"bytes_received\":513,\"segs_out\":6,\"segs_in\":4,"
	    "\"retransmits\":1,\"outcome\":\"connect established\","
	    "\"close_reason\":\"active close\"}");
	free(copy);
	copy = strdup(text);
	ck_assert_ptr_nonnull(copy);
	r = row_of(copy, 3);
	has(r, "\"role\":\"passive\",\"owner_pid\":10,\"owner_comm\":\"srv\","
	    "\"parent\":1,\"peer\":2,");
	has(r, "\"connect_ns\":null,\"handshake_ns\":8000,"
	    "\"accept_wait_ns\":40000,\"lifetime_ns\":308000,"
	    "\"counters\":\"not_seen\",\"bytes_acked\":null,");
	has(r, "\"close_reason\":\"passive close\"}");
	free(copy);
	copy = strdup(text);
	ck_assert_ptr_nonnull(copy);
	r = row_of(copy, 1);
	/* A listener has no peer: its remote end is null, not 0.0.0.0:0. */
	has(r, "\"local_port\":8080,\"remote_addr\":null,\"remote_port\":null,"
	    "\"role\":\"listener\"");
	has(r, "\"closed\":false,");
	has(r, "\"close_reason\":\"open\"}");
	free(copy);
	free(text);
}
END_TEST

START_TEST(test_edges_json)
{
	char *text = tg_build_report(build_edges, SA_REPORT_CONNECTIONS,
				     SA_FORMAT_JSON, SA_BY_NONE);
	char *copy = strdup(text), *r;

	ck_assert_ptr_nonnull(copy);
	/* ids in order of first appearance: OLD 1, ODD 2, REF 3, OPEN 4 */
	r = row_of(copy, 1);
	has(r, "\"older\":true,");
	has(r, "\"connect_ns\":null,\"handshake_ns\":null,"
	    "\"accept_wait_ns\":null,\"lifetime_ns\":null,");
	has(r, "\"close_reason\":\"active close\"}");
	free(copy);
	copy = strdup(text);
	ck_assert_ptr_nonnull(copy);
	r = row_of(copy, 2);
	has(r, "\"family\":\"UNKNOWN(7)\",\"local_addr\":null,"
	    "\"local_port\":null,\"remote_addr\":null,\"remote_port\":null,");
	has(r, "\"closed\":false,");
	free(copy);
	copy = strdup(text);
	ck_assert_ptr_nonnull(copy);
	r = row_of(copy, 3);
	/* Port 0 is a port the trace never showed, not port 0. */
	has(r, "\"local_addr\":\"127.0.0.1\",\"local_port\":null,"
	    "\"remote_addr\":\"127.0.0.1\",\"remote_port\":9,");
	has(r, "\"connect_ns\":5000,");
	/* The kernel zeroed these before DESTROY: null, never a false 0. */
	has(r, "\"counters\":\"reset\",\"bytes_acked\":null,"
	    "\"bytes_received\":null,\"segs_out\":null,\"segs_in\":null,"
	    "\"retransmits\":null,\"outcome\":\"connect refused\","
	    "\"close_reason\":\"ECONNREFUSED\"}");
	free(copy);
	copy = strdup(text);
	ck_assert_ptr_nonnull(copy);
	r = row_of(copy, 4);
	has(r, "\"local_port\":41000,");
	has(r, "\"closed\":false,");
	has(r, "\"connect_ns\":7000,\"handshake_ns\":null,"
	    "\"accept_wait_ns\":null,\"lifetime_ns\":null,"
	    "\"counters\":\"not_seen\",\"bytes_acked\":null,");
	has(r, "\"close_reason\":\"open\"}");
	free(copy);
	free(text);
}
END_TEST

/*
 * Without a wall clock the times are the event clock's "clock+S" words:
 * the row writes wall times in place only when there are some.
 */
START_TEST(test_no_clock_json)
{
	char *text = tg_build_report(build_no_clock, SA_REPORT_CONNECTIONS,
				     SA_FORMAT_JSON, SA_BY_NONE);
	char *r = row_of(text, 1);

	has(r, "\"first_time\":\"clock+2.000010\",\"first_ns\":2000010000,"
	    "\"last_time\":\"clock+2.000310\",\"last_ns\":2000310000,");
	has(r, "\"connect_ns\":5000,");
	free(text);
}
END_TEST

START_TEST(test_csv)
{
	char *text = tg_build_report(build_edges, SA_REPORT_CONNECTIONS,
				     SA_FORMAT_CSV, SA_BY_NONE);
	static const char header[] =
		"socket,host,netns,cookie,family,local_addr,local_port,"
		"remote_addr,remote_port,role,owner_pid,owner_comm,parent,"
		"peer,older,snapshot,closed,first_time,first_ns,last_time,last_ns,"
		"connect_ns,handshake_ns,accept_wait_ns,lifetime_ns,counters,"
		"bytes_acked,bytes_received,segs_out,segs_in,retransmits,"
		"outcome,close_reason\n";

	ck_assert_msg(strncmp(text, header, strlen(header)) == 0, "%s", text);
	/* The refused socket: nulls are empty fields. */
	ck_assert_msg(strstr(text, "\n3,alpha,4026531840,0x206,IPv4,127.0.0.1,,"
			     "127.0.0.1,9,active,50,ref,,,false,false,true,")
		      != NULL, "%s", text);
	ck_assert_msg(strstr(text, ",5000,,,5000,reset,,,,,,"
			     "connect refused,ECONNREFUSED\n") != NULL, "%s",
		      text);
	free(text);
}
END_TEST

START_TEST(test_text)
{
	char *text = tg_build_report(build_healthy, SA_REPORT_CONNECTIONS,
				     SA_FORMAT_TEXT, SA_BY_NONE);

	ck_assert_msg(strncmp(text, "SOCKET  ROLE     NETNS      LOCAL ", 34)
		      == 0, "%s", text);
	ck_assert_msg(strstr(text, "\n#2      active   4026531840 "
			     "127.0.0.1:40001       127.0.0.1:8080        "
			     "cli[20]                "
			     "2026-11-22T10:00:01.000010Z  0.000005         -"
			     "  0.000300          66         513  "
			     "connect established (active close)\n") != NULL,
		      "%s", text);
	ck_assert_msg(strstr(text, "\n3 sockets.") != NULL, "%s", text);
	free(text);
}
END_TEST

/*
 * sa_json_escape scans eight bytes at a time: every byte value at every
 * place of strings of 1 to 20 bytes (a word, its tail, two words) must
 * come out as a byte-at-a-time escape would write it.
 */
static void escape_one(char *out, size_t size, unsigned char c)
{
	if (c == '"' || c == '\\')
		snprintf(out, size, "\\%c", c);
	else if (c == '\n')
		snprintf(out, size, "\\n");
	else if (c == '\t')
		snprintf(out, size, "\\t");
	else if (c < 0x20 || c == 0x7f)
		snprintf(out, size, "\\u%04x", c);
	else if (c >= 0x80)
		snprintf(out, size, "\\ufffd");	/* alone: never valid UTF-8 */
	else
		snprintf(out, size, "%c", c);
}

START_TEST(test_escape_every_byte)
{
	unsigned char in[20];
	char want[64], one[8];
	struct sa_buf b;
	size_t len, pos;
	unsigned c;

	memset(&b, 0, sizeof(b));
	for (len = 1; len <= sizeof(in); len++) {
		for (pos = 0; pos < len; pos++) {
			for (c = 0; c < 256; c++) {
				memset(in, 'a', len);
				in[pos] = (unsigned char)c;
				escape_one(one, sizeof(one), (unsigned char)c);
				snprintf(want, sizeof(want), "\"%.*s%s%.*s\"",
					 (int)pos, "aaaaaaaaaaaaaaaaaaaa", one,
					 (int)(len - pos - 1),
					 "aaaaaaaaaaaaaaaaaaaa");
				b.len = 0;
				sa_json_escape(&b, in, len);
				ck_assert(!b.failed);
				ck_assert_msg(strcmp(b.p, want) == 0,
					      "byte 0x%02x at %zu of %zu: %s, "
					      "want %s", c, pos, len, b.p, want);
			}
		}
	}
	sa_buf_free(&b);
}
END_TEST

/* ---- every JSON key has one type, over every report on the samples ---- */

#define KEYS_MAX	512

struct key_type {
	char name[48];
	char type;		/* 's' string, 'n' number, 'b' bool */
	char row[32];		/* the row kind where it was first seen */
	char where[64];
};

struct key_types {
	struct key_type k[KEYS_MAX];
	size_t n;
	char conflict[512];
};

/* A JSON string at p (past its quote) copied into buf; returns past it. */
static const char *json_str(const char *p, char *buf, size_t size)
{
	size_t n = 0;

	for (; *p && *p != '"'; p++) {
		if (*p == '\\' && p[1])
			p++;
		if (n + 1 < size)
			buf[n++] = *p;
	}
	buf[n] = '\0';
	return *p == '"' ? p + 1 : p;
}

static void key_seen(struct key_types *kt, const char *key, char type,
		     const char *row, const char *where)
{
	size_t i;

	for (i = 0; i < kt->n; i++) {
		if (strcmp(kt->k[i].name, key) != 0)
			continue;
		if (kt->k[i].type != type && kt->conflict[0] == '\0')
			snprintf(kt->conflict, sizeof(kt->conflict),
				 "key \"%s\" is a %s in row \"%s\" (%s) and a "
				 "%s in row \"%s\" (%s)", key,
				 kt->k[i].type == 's' ? "string" :
				 kt->k[i].type == 'n' ? "number" : "bool",
				 kt->k[i].row, kt->k[i].where,
				 type == 's' ? "string" :
				 type == 'n' ? "number" : "bool", row, where);
		return;
	}
	ck_assert_uint_lt(kt->n, KEYS_MAX);
	snprintf(kt->k[kt->n].name, sizeof(kt->k[kt->n].name), "%s", key);
	snprintf(kt->k[kt->n].row, sizeof(kt->k[kt->n].row), "%s", row);
	snprintf(kt->k[kt->n].where, sizeof(kt->k[kt->n].where), "%s", where);
	kt->k[kt->n].type = type;
	kt->n++;
}

/* One flat object of sockana's rows; null matches every type. */
static void line_types(struct key_types *kt, const char *line,
		       const char *where)
{
	char key[48], row[32] = "", val[32];
	const char *p = line;
	char type;

	ck_assert_msg(*p == '{', "%s: not an object: %s", where, line);
	p++;
	while (*p == '"') {
		p = json_str(p + 1, key, sizeof(key));
		ck_assert_msg(*p == ':', "%s: %s", where, line);
		p++;
		if (*p == '"') {
			p = json_str(p + 1, val, sizeof(val));
			type = 's';
			if (strcmp(key, "row") == 0)
				snprintf(row, sizeof(row), "%s", val);
		} else if (*p == 't' || *p == 'f') {
			p += *p == 't' ? 4 : 5;
			type = 'b';
		} else if (*p == 'n') {
			p += 4;
			type = 0;
		} else {
			while (*p == '-' || (*p >= '0' && *p <= '9'))
				p++;
			type = 'n';
		}
		if (type)
			key_seen(kt, key, type, row, where);
		if (*p == ',')
			p++;
	}
	ck_assert_msg(*p == '}', "%s: flat object expected: %s", where, line);
}

START_TEST(test_key_types_samples)
{
	static const struct {
		enum sa_report rep;
		const char *name;
	} reports[] = {
		{ SA_REPORT_DIAG, "default" },
		{ SA_REPORT_INFO, "--info" },
		{ SA_REPORT_TIMELINE, "--timeline" },
		{ SA_REPORT_LATENCY, "--latency" },
		{ SA_REPORT_BACKLOG, "--backlog" },
		{ SA_REPORT_CONNECTIONS, "--connections" },
	};
	static struct key_types kt;
	struct sa_run_opts opts;
	size_t i, k, lines = 0;
	glob_t g;

	memset(&kt, 0, sizeof(kt));
	ck_assert_int_eq(glob("samples/*/trace.skr", 0, NULL, &g), 0);
	ck_assert_uint_ge(g.gl_pathc, 8);
	for (i = 0; i < g.gl_pathc; i++) {
		for (k = 0; k < sizeof(reports) / sizeof(reports[0]); k++) {
			struct skr_reader *r = NULL;
			char *text = NULL, *line, *nl, where[64], msg[256];
			size_t len = 0;
			FILE *out;
			int err;

			memset(&opts, 0, sizeof(opts));
			opts.report = reports[k].rep;
			opts.format = SA_FORMAT_JSON;
			opts.name = g.gl_pathv[i];
			ck_assert_int_eq(skr_reader_open(&r, g.gl_pathv[i]), 0);
			out = open_memstream(&text, &len);
			ck_assert_ptr_nonnull(out);
			err = sa_run(r, &opts, out, msg, sizeof(msg));
			ck_assert_int_eq(fclose(out), 0);
			skr_reader_free(r);
			/* samples/killed ends in a cut: a report all the same. */
			ck_assert_msg(err == 0, "%s %s: %s", g.gl_pathv[i],
				      reports[k].name, msg);
			snprintf(where, sizeof(where), "%s %s",
				 strchr(g.gl_pathv[i], '/') + 1,
				 reports[k].name);
			for (line = text; *line; line = nl + 1) {
				nl = strchr(line, '\n');
				ck_assert_ptr_nonnull(nl);
				*nl = '\0';
				line_types(&kt, line, where);
				lines++;
			}
			free(text);
		}
	}
	globfree(&g);
	ck_assert_uint_gt(lines, 1000);
	ck_assert_msg(kt.conflict[0] == '\0', "%s", kt.conflict);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("connections");
	TCase *tc = tcase_create("connections");

	/* A bound, not a measure: every report on every sample, under ASan too. */
	tcase_set_timeout(tc, 300);

	tcase_add_test(tc, test_healthy_json);
	tcase_add_test(tc, test_edges_json);
	tcase_add_test(tc, test_no_clock_json);
	tcase_add_test(tc, test_csv);
	tcase_add_test(tc, test_text);
	tcase_add_test(tc, test_escape_every_byte);
	tcase_add_test(tc, test_key_types_samples);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tg_main(suite());
}
