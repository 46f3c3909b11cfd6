/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * --connections: the socket table as a table, one row per socket life,
 * written when the life is handed on (closed sockets in order of closing,
 * those open at the end in order of first appearance, as --timeline).
 *
 * The JSON and CSV rows are meant to be loaded into a query engine as
 * they are, so every field has one type, addresses and ports are separate
 * fields, and what the trace did not measure is null, never 0: a duration
 * whose start or end was not seen, counters without a DESTROY or that the
 * kernel had zeroed before it, endpoints of an unknown family.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "analyze/analysis.h"
#include "analyze/life.h"
#include "analyze/out.h"
#include "analyze/out_raw.h"
#include "analyze/out_rows.h"
#include "analyze/report_connections.h"
#include "analyze/run.h"
#include "analyze/sockets.h"
#include "analyze/text.h"
#include "analyze/wallclock.h"
#include "format/skr.h"


/* What one row says beyond the socket's own fields. */
struct conn {
	enum sa_outcome outcome;
	bool have_connect, have_handshake, have_accept, have_life;
	uint64_t connect_ns, handshake_ns, accept_ns, life_ns;
	enum sa_counters_from counters;	/* where n comes from (life.h) */
	struct sa_counters n;
	const char *close;
	char close_buf[24];
};

/*
 * The view's own words, made once (sa_word_make(), out_raw.h): a row
 * copies a slot rather than calling a name lookup and strlen for each.
 * A slot of len 0 (a word too long for it) is looked up per row.
 */
struct words {
	struct sa_sock_words sw;	/* roles, families, outcomes' lengths */
	struct sa_word counters[4];
};

/* States a socket that sent or received a segment went through. */
#define SETUP_STATES	((1u << SKR_TCP_SYN_SENT) | (1u << SKR_TCP_SYN_RECV) | \
			 (1u << SKR_TCP_ESTABLISHED))
#define ACTIVE_CLOSE	((1u << SKR_TCP_FIN_WAIT1) | (1u << SKR_TCP_FIN_WAIT2) | \
			 (1u << SKR_TCP_CLOSING) | (1u << SKR_TCP_TIME_WAIT))
#define PASSIVE_CLOSE	((1u << SKR_TCP_CLOSE_WAIT) | (1u << SKR_TCP_LAST_ACK))

static bool family_known(unsigned family)
{
	return family == SKR_AF_INET || family == SKR_AF_INET6;
}

static const char *close_reason(const struct sa_sock *s, char *buf,
				size_t size)
{
	const char *e;
	int n;

	if (!s->closed)
		return "open";
	if (s->error != 0) {
		e = skr_errno_name(s->error);
		if (e)
			return e;
		n = snprintf(buf, size, "errno %" PRId32, s->error);
		return n > 0 && (size_t)n < size ? buf : "error";
	}
	if (s->resets_in > 0)
		return "reset received";
	if (s->resets_out > 0)
		return "reset sent";
	if (s->role == SA_ROLE_LISTENER)
		return "listener closed";
	if (s->states_seen & ACTIVE_CLOSE)
		return "active close";
	if (s->states_seen & PASSIVE_CLOSE)
		return "passive close";
	return "closed";
}

/* The same phases, measured the same way, as --latency's. */
static void measure(const struct sa_analysis *a, const struct sa_sock *s,
		    struct conn *c)
{
	memset(c, 0, sizeof(*c));
	c->outcome = sa_outcome_of(a, s);
	switch (c->outcome) {
	case SA_OUT_CONNECTED:
		c->have_connect = sa_life_time(s, SA_AT_SYN_SENT,
					       SA_AT_ESTABLISHED,
					       &c->connect_ns);
		break;
	case SA_OUT_REFUSED:
	case SA_OUT_CONNECT_TIMEOUT:
	case SA_OUT_CONNECT_ERROR:
	case SA_OUT_CONNECT_FAILED:
	case SA_OUT_CONNECT_ABORTED:
		c->have_connect = sa_life_time(s, SA_AT_SYN_SENT, SA_AT_CLOSE,
					       &c->connect_ns);
		break;
	default:
		break;
	}
	if (s->role == SA_ROLE_PASSIVE)
		c->have_handshake = sa_life_time(s, SA_AT_SYN_RECV,
						 SA_AT_ESTABLISHED,
						 &c->handshake_ns);
	c->have_accept = sa_life_time(s, SA_AT_ESTABLISHED, SA_AT_ACCEPT,
				      &c->accept_ns);
	/* A life that began before the trace has no known length. */
	if (!s->older && s->closed && (s->have_at & (1u << SA_AT_CLOSE)) &&
	    s->at[SA_AT_CLOSE] >= s->first_ts) {
		c->have_life = true;
		c->life_ns = s->at[SA_AT_CLOSE] - s->first_ts;
	}
	c->counters = sa_life_counters(s, &c->n);
	c->close = close_reason(s, c->close_buf, sizeof(c->close_buf));
}

/*
 * Dotted quad by hand: glibc's inet_ntop() formats IPv4 through sprintf,
 * which was a seventh of this view's time on a storm's trace.
 */
static const char *ipv4_text(const uint8_t addr[4], char *buf, size_t size)
{
	if (size < SA_IPV4_ROOM)	/* "255.255.255.255" and its NUL */
		return NULL;
	*sa_text_put_ipv4(buf, addr) = '\0';
	return buf;
}

/* "0x..." as --timeline writes cookies, without printf's machinery. */
static const char *hex_text(uint64_t v, char *buf, size_t size)
{
	static const char digits[] = "0123456789abcdef";
	char tmp[16];
	size_t n = 0, i;

	do {
		tmp[n++] = digits[v & 0xf];
		v >>= 4;
	} while (v);
	if (size < n + 3)
		return NULL;
	buf[0] = '0';
	buf[1] = 'x';
	for (i = 0; i < n; i++)
		buf[2 + i] = tmp[n - 1 - i];
	buf[2 + n] = '\0';
	return buf;
}

/* The address alone, IPv6 without brackets; NULL for an unknown family. */
static const char *addr_text(unsigned family, const uint8_t addr[16],
			     char *buf, size_t size)
{
	if (family == SKR_AF_INET)
		return ipv4_text(addr, buf, size);
	if (family == SKR_AF_INET6)
		return inet_ntop(AF_INET6, addr, buf, (socklen_t)size);
	return NULL;
}

/* Keys come as SA_KEY("name") (out_rows.h). */
static void row_opt(struct sa_out *o, const char *jkey, size_t jlen, bool have,
		    uint64_t v)
{
	if (have)
		sa_rowk_u64(o, jkey, jlen, v);
	else
		sa_rowk_null(o, jkey, jlen);
}

/* A port of 0 is one the trace never showed (a listener has no peer). */
static void row_port(struct sa_out *o, const char *jkey, size_t jlen,
		     bool known, uint16_t port)
{
	row_opt(o, jkey, jlen, known && port != 0, port);
}

/* ,"key":N, or null when not measured (row_opt in one check of room). */
static char *raw_opt(char *p, const char *jkey, size_t jlen, bool have,
		     uint64_t v)
{
	return have ? sa_raw_u64(p, jkey, jlen, v) : sa_raw_null(p, jkey, jlen);
}

/* ,"key":"word" of n bytes, or null. */
static char *raw_word(char *p, const char *jkey, size_t jlen,
		      const char *word, size_t n)
{
	return word ? sa_raw_wordn(p, jkey, jlen, word, n)
		    : sa_raw_null(p, jkey, jlen);
}

static size_t len_of(const char *s)
{
	return s ? strlen(s) : 0;
}

_Static_assert(sizeof(((struct sa_sock *)0)->owner_comm) == SA_COMM_SLOT,
	       "sa_raw_comm() reads an owner's name as sockets keep it");

/* ,"key":"a.b.c.d" of an IPv4 address, written in place. */
static inline char *raw_ipv4(char *p, const char *jkey, size_t jlen,
		      const uint8_t addr[4])
{
	memcpy(p, jkey, jlen);
	p += jlen;
	*p++ = '"';
	p = sa_text_put_ipv4(p, addr);
	*p++ = '"';
	return p;
}

/* ,"key":"address", or null for an unknown family; as addr_text(). */
static inline char *raw_addr(char *p, const char *jkey, size_t jlen,
		      unsigned family, const uint8_t addr[16], bool have)
{
	char buf[INET6_ADDRSTRLEN];
	const char *t;

	if (have && family == SKR_AF_INET)
		return raw_ipv4(p, jkey, jlen, addr);
	t = have ? addr_text(family, addr, buf, sizeof(buf)) : NULL;
	return raw_word(p, jkey, jlen, t, len_of(t));
}

/* ,"key":"time" of merge time mt, in place when it is a wall time. */
static inline char *raw_time(char *p, const char *jkey, size_t jlen,
		      const struct sa_analysis *a, uint64_t mt)
{
	char buf[SA_WALL_LEN], *end;
	const char *t;

	if (a->wall) {
		memcpy(p, jkey, jlen);
		p[jlen] = '"';
		end = sa_wall_put(mt, p + jlen + 1);
		if (end) {
			*end = '"';
			return end + 1;
		}
	}
	t = sa_merge_time_text(a, mt, buf, sizeof(buf));
	return sa_raw_wordn(p, jkey, jlen, t, strlen(t));
}

/* ,"key":"word" from a slot, or from word itself when it has none. */
static inline char *raw_slot(char *p, const char *jkey, size_t jlen,
		      const struct sa_word *w, const char *word)
{
	if (w && w->len)
		return sa_raw_slot(p, jkey, jlen, w);
	return sa_raw_wordn(p, jkey, jlen, word, strlen(word));
}

/*
 * row() in JSON with one check of room (out_raw.h) instead of one per
 * field: the view writes nothing else, so a row is most of its output
 * time.  False when the row takes the general path: a host, task or
 * close reason with a byte to escape, or not JSON.  Cookies, families,
 * addresses, roles, times and outcomes are sockana's own words, written
 * in place or copied from the view's slots (struct words).
 */
static bool row_raw(struct sa_analysis *a, const struct words *wd,
		    const struct sa_sock *s, const struct conn *c)
{
	char fam[24];
	bool known = family_known(s->family);
	bool peer = known && s->role != SA_ROLE_LISTENER;
	bool counted = c->counters == SA_COUNTERS_CLOSE ||
		       c->counters == SA_COUNTERS_DESTROY;
	const char *host = sa_host_name(a, s->host);
	const struct sa_word *famw =
		s->family == SKR_AF_INET ? &wd->sw.ipv4 :
		s->family == SKR_AF_INET6 ? &wd->sw.ipv6 : NULL;
	const char *family = famw && famw->len ? ""
			     : sa_text_family(s->family, fam, sizeof(fam));
	const char *role = s->role < 4 && wd->sw.roles[s->role].len ? ""
			   : sa_role_name(s->role);
	const char *cn = c->counters == SA_COUNTERS_NONE
			 ? "not_seen" : sa_counters_from_name(c->counters);
	const char *oc = sa_outcome_name(c->outcome);
	size_t nhost = strlen(host), nfam = strlen(family);
	size_t nrole = strlen(role), ncn = len_of(cn);
	size_t noc = (unsigned)c->outcome < SA_OUT_COUNT
		     ? wd->sw.outcome_len[c->outcome] : strlen(oc);
	size_t nclose = strlen(c->close);
	struct sa_out *o = &a->o;
	char *p;

	/*
	 * Keys, numbers (20 digits at most), booleans, nulls, the cookie,
	 * addresses, times and the slots in fewer than 2 KiB; then the
	 * strings.
	 */
	p = sa_row_raw_kind(o, SA_ROW_HEAD(SA_CONNECTIONS_ROW),
			    2048 + nhost + nfam + nrole + ncn + noc + nclose);
	if (!p)
		return false;
	p = sa_raw_u64(p, SA_KEY("socket"), s->id);
	p = sa_raw_strn(p, SA_KEY("host"), host, nhost);
	if (!p)
		goto general;
	p = sa_raw_u64(p, SA_KEY("netns"), s->netns);
	p = sa_raw_hex(p, SA_KEY("cookie"), s->cookie);
	p = raw_slot(p, SA_KEY("family"), famw, family);
	p = raw_addr(p, SA_KEY("local_addr"), s->family, s->saddr, true);
	p = raw_opt(p, SA_KEY("local_port"), known && s->sport != 0, s->sport);
	p = raw_addr(p, SA_KEY("remote_addr"), s->family, s->daddr, peer);
	p = raw_opt(p, SA_KEY("remote_port"), peer && s->dport != 0, s->dport);
	p = raw_slot(p, SA_KEY("role"), s->role < 4 ? &wd->sw.roles[s->role]
						     : NULL, role);
	if (s->have_owner) {
		p = sa_raw_u64(p, SA_KEY("owner_pid"), s->owner_pid);
		p = sa_raw_comm(p, SA_KEY("owner_comm"), s->owner_comm);
		if (!p)
			goto general;
	} else {
		p = sa_raw_null(p, SA_KEY("owner_pid"));
		p = sa_raw_null(p, SA_KEY("owner_comm"));
	}
	p = raw_opt(p, SA_KEY("parent"), s->parent != 0, s->parent);
	p = raw_opt(p, SA_KEY("peer"), s->peer != 0, s->peer);
	p = sa_raw_bool(p, SA_KEY("older"), s->older);
	p = sa_raw_bool(p, SA_KEY("snapshot"), s->from_snapshot);
	p = sa_raw_bool(p, SA_KEY("closed"), s->closed);
	p = raw_time(p, SA_KEY("first_time"), a, s->first_mt);
	p = sa_raw_u64(p, SA_KEY("first_ns"), s->first_mt);
	p = raw_time(p, SA_KEY("last_time"), a, s->last_mt);
	p = sa_raw_u64(p, SA_KEY("last_ns"), s->last_mt);
	p = raw_opt(p, SA_KEY("connect_ns"), c->have_connect, c->connect_ns);
	p = raw_opt(p, SA_KEY("handshake_ns"), c->have_handshake,
		    c->handshake_ns);
	p = raw_opt(p, SA_KEY("accept_wait_ns"), c->have_accept, c->accept_ns);
	p = raw_opt(p, SA_KEY("lifetime_ns"), c->have_life, c->life_ns);
	if ((unsigned)c->counters < 4 && wd->counters[c->counters].len)
		p = sa_raw_slot(p, SA_KEY("counters"),
				&wd->counters[c->counters]);
	else
		p = raw_word(p, SA_KEY("counters"), cn, ncn);
	p = raw_opt(p, SA_KEY("bytes_acked"), counted, c->n.bytes_acked);
	p = raw_opt(p, SA_KEY("bytes_received"), counted,
		    c->n.bytes_received);
	p = raw_opt(p, SA_KEY("segs_out"), counted, c->n.segs_out);
	p = raw_opt(p, SA_KEY("segs_in"), counted, c->n.segs_in);
	p = raw_opt(p, SA_KEY("retransmits"), counted, c->n.total_retrans);
	p = sa_raw_wordn(p, SA_KEY("outcome"), oc, noc);
	/* A close reason may name an errno the trace gave: checked. */
	p = sa_raw_strn(p, SA_KEY("close_reason"), c->close, nclose);
	if (!p)
		goto general;
	sa_row_raw_end(o, p, 33);
	return true;
general:
	sa_row_raw_abort(o);
	return false;
}

static void row(struct sa_analysis *a, const struct words *wd,
		const struct sa_sock *s, const struct conn *c)
{
	char addr[INET6_ADDRSTRLEN], cookie[24], fam[24], w[SA_WALL_LEN];
	bool known = family_known(s->family);
	bool peer = known && s->role != SA_ROLE_LISTENER;
	bool counted = c->counters == SA_COUNTERS_CLOSE ||
		       c->counters == SA_COUNTERS_DESTROY;
	struct sa_out *o = &a->o;

	/* CSV goes field by field: its header takes the fields' names. */
	if (o->fmt == SA_FORMAT_JSON && wd && row_raw(a, wd, s, c))
		return;
	sa_row_begin(o, SA_CONNECTIONS_ROW);
	sa_rowk_u64(o, SA_KEY("socket"), s->id);
	sa_rowk_str(o, SA_KEY("host"), sa_host_name(a, s->host));
	sa_rowk_u64(o, SA_KEY("netns"), s->netns);
	sa_rowk_str(o, SA_KEY("cookie"),
		    hex_text(s->cookie, cookie, sizeof(cookie)));
	sa_rowk_str(o, SA_KEY("family"),
		    sa_text_family(s->family, fam, sizeof(fam)));
	sa_rowk_str(o, SA_KEY("local_addr"),
		    addr_text(s->family, s->saddr, addr, sizeof(addr)));
	row_port(o, SA_KEY("local_port"), known, s->sport);
	sa_rowk_str(o, SA_KEY("remote_addr"),
		    peer ? addr_text(s->family, s->daddr, addr, sizeof(addr))
			 : NULL);
	row_port(o, SA_KEY("remote_port"), peer, s->dport);
	sa_rowk_str(o, SA_KEY("role"), sa_role_name(s->role));
	if (s->have_owner) {
		sa_rowk_u64(o, SA_KEY("owner_pid"), s->owner_pid);
		sa_rowk_str(o, SA_KEY("owner_comm"), s->owner_comm);
	} else {
		sa_rowk_null(o, SA_KEY("owner_pid"));
		sa_rowk_null(o, SA_KEY("owner_comm"));
	}
	row_opt(o, SA_KEY("parent"), s->parent != 0, s->parent);
	row_opt(o, SA_KEY("peer"), s->peer != 0, s->peer);
	sa_rowk_bool(o, SA_KEY("older"), s->older);
	sa_rowk_bool(o, SA_KEY("snapshot"), s->from_snapshot);
	sa_rowk_bool(o, SA_KEY("closed"), s->closed);
	sa_rowk_str(o, SA_KEY("first_time"),
		    sa_merge_time_text(a, s->first_mt, w, sizeof(w)));
	sa_rowk_u64(o, SA_KEY("first_ns"), s->first_mt);
	sa_rowk_str(o, SA_KEY("last_time"), sa_merge_time_text(a, s->last_mt, w, sizeof(w)));
	sa_rowk_u64(o, SA_KEY("last_ns"), s->last_mt);
	row_opt(o, SA_KEY("connect_ns"), c->have_connect, c->connect_ns);
	row_opt(o, SA_KEY("handshake_ns"), c->have_handshake, c->handshake_ns);
	row_opt(o, SA_KEY("accept_wait_ns"), c->have_accept, c->accept_ns);
	row_opt(o, SA_KEY("lifetime_ns"), c->have_life, c->life_ns);
	sa_rowk_str(o, SA_KEY("counters"),
		    c->counters == SA_COUNTERS_NONE
		    ? "not_seen" : sa_counters_from_name(c->counters));
	row_opt(o, SA_KEY("bytes_acked"), counted, c->n.bytes_acked);
	row_opt(o, SA_KEY("bytes_received"), counted, c->n.bytes_received);
	row_opt(o, SA_KEY("segs_out"), counted, c->n.segs_out);
	row_opt(o, SA_KEY("segs_in"), counted, c->n.segs_in);
	row_opt(o, SA_KEY("retransmits"), counted, c->n.total_retrans);
	sa_rowk_str(o, SA_KEY("outcome"), sa_outcome_name(c->outcome));
	sa_rowk_str(o, SA_KEY("close_reason"), c->close);
	sa_row_end(o);
}

/* ---- text ---- */

#define TEXT_FMT	"%-7s %-8s %-10s %-21s %-21s %-22s %-27s %9s %9s %9s " \
			"%11s %11s  %s\n"

static void text_header(struct sa_analysis *a)
{
	fprintf(a->out, TEXT_FMT, "SOCKET", "ROLE", "NETNS", "LOCAL", "REMOTE",
		"OWNER", "FIRST", "SETUP_S", "ACCEPT_S", "LIFE_S", "BYTES_OUT",
		"BYTES_IN", "OUTCOME (CLOSE REASON)");
}

static const char *opt_secs(bool have, uint64_t ns, char *buf, size_t size)
{
	return have ? sa_text_secs(ns, buf, size) : "-";
}

static const char *opt_num(bool have, uint64_t v, char *buf, size_t size)
{
	int n;

	if (!have)
		return "-";
	n = snprintf(buf, size, "%" PRIu64, v);
	return n > 0 && (size_t)n < size ? buf : "?";
}

static void text_row(struct sa_analysis *a, const struct sa_sock *s,
		     const struct conn *c)
{
	char id[24], netns[16], src[SA_ENDPOINT_LEN], dst[SA_ENDPOINT_LEN];
	char owner[SA_TASK_LEN], w[SA_WALL_LEN], setup[32], acc[32], life[32];
	char out[24], in[24], end[160];
	bool counted = c->counters == SA_COUNTERS_CLOSE ||
		       c->counters == SA_COUNTERS_DESTROY;
	int n;

	n = snprintf(id, sizeof(id), "#%" PRIu64, s->id);
	if (n < 0 || (size_t)n >= sizeof(id))
		id[0] = '\0';
	n = snprintf(netns, sizeof(netns), "%" PRIu32, s->netns);
	if (n < 0 || (size_t)n >= sizeof(netns))
		netns[0] = '\0';
	/* The host only when there are several, as in --timeline. */
	n = snprintf(end, sizeof(end), "%s (%s)%s%s",
		     sa_outcome_name(c->outcome), c->close,
		     a->nhosts > 1 ? " host " : "",
		     a->nhosts > 1 ? sa_host_name(a, s->host) : "");
	if (n < 0 || (size_t)n >= sizeof(end))
		end[0] = '\0';
	fprintf(a->out, TEXT_FMT, id, sa_role_name(s->role), netns,
		sa_text_endpoint(s->family, s->saddr, s->sport, src,
				 sizeof(src)),
		s->role == SA_ROLE_LISTENER ? "-"
		: sa_text_endpoint(s->family, s->daddr, s->dport, dst,
				   sizeof(dst)),
		s->have_owner ? sa_text_task(s->owner_comm, s->owner_pid,
					     owner, sizeof(owner))
			      : "unknown",
		sa_merge_time_text(a, s->first_mt, w, sizeof(w)),
		s->role == SA_ROLE_PASSIVE
		? opt_secs(c->have_handshake, c->handshake_ns, setup,
			   sizeof(setup))
		: opt_secs(c->have_connect, c->connect_ns, setup,
			   sizeof(setup)),
		opt_secs(c->have_accept, c->accept_ns, acc, sizeof(acc)),
		opt_secs(c->have_life, c->life_ns, life, sizeof(life)),
		opt_num(counted, c->n.bytes_acked, out, sizeof(out)),
		opt_num(counted, c->n.bytes_received, in, sizeof(in)), end);
}

static int connections_new(struct sa_analysis *a, void **state)
{
	struct words *wd;
	unsigned v;

	*state = NULL;
	if (a->opts->format != SA_FORMAT_JSON)
		return 0;
	wd = calloc(1, sizeof(*wd));
	if (!wd)
		return -ENOMEM;
	for (v = 0; v < 4; v++) {
		const char *cn = v == SA_COUNTERS_NONE ? "not_seen"
			: sa_counters_from_name((enum sa_counters_from)v);

		if (cn)
			(void)sa_word_make(&wd->counters[v], cn);
	}
	sa_sock_words_make(&wd->sw);
	*state = wd;
	return 0;
}

static void connections_free(void *state)
{
	free(state);
}

static int connections_socket(struct sa_analysis *a, void *state,
			      const struct sa_sock *s)
{
	struct conn c;

	measure(a, s, &c);
	if (a->opts->format != SA_FORMAT_TEXT) {
		/* Nothing but rows until the end: written 64 KiB at a time. */
		sa_out_batch(&a->o, true);
		row(a, state, s, &c);
		return 0;
	}
	if (a->selected == 1)
		text_header(a);
	text_row(a, s, &c);
	return 0;
}

static void connections_end(struct sa_analysis *a, void *state)
{
	(void)state;
	sa_out_batch(&a->o, false);
	if (a->opts->format != SA_FORMAT_TEXT) {
		sa_row_warnings(a);
		return;
	}
	if (a->selected == 0) {
		text_header(a);
		fputs("(no socket)\n", a->out);
	}
	fprintf(a->out, "\n%" PRIu64 " socket%s.  SETUP_S: connect (active) "
		"or handshake (passive) in seconds; '-': not measured.\n",
		a->selected, a->selected == 1 ? "" : "s");
	sa_print_warnings(a, a->out);
}

const struct sa_view sa_view_connections = {
	.name = "connections",
	.option = "--connections",
	.report = SA_REPORT_CONNECTIONS,
	.pairs = true,		/* each life's peer */
	.formats = SA_VIEW_TEXT | SA_VIEW_JSON | SA_VIEW_CSV,
	.csv_kind = SA_CONNECTIONS_ROW,
	.csv_header =
		"socket,host,netns,cookie,family,local_addr,local_port,"
		"remote_addr,remote_port,role,owner_pid,owner_comm,"
		"parent,peer,older,snapshot,closed,first_time,first_ns,"
		"last_time,last_ns,connect_ns,handshake_ns,"
		"accept_wait_ns,lifetime_ns,counters,bytes_acked,"
		"bytes_received,segs_out,segs_in,retransmits,outcome,"
		"close_reason",
	.new = connections_new,
	.socket = connections_socket,
	.end = connections_end,
	.free = connections_free,
};
