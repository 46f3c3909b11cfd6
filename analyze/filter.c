/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Which sockets a report looks at.  Different filters combine with AND;
 * the same filter given several times combines with OR (--port 80 --port
 * 443).  Filters judge a socket's whole life once it is over, because the
 * owner and the endpoints are only known by then; socket ids are assigned
 * before filtering, so an id means the same socket whatever the filters.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "analyze/filter.h"
#include "analyze/sockets.h"
#include "analyze/text.h"
#include "format/skr.h"

#define NSEC_PER_SEC	1000000000ull

static int fail(char *msg, size_t size, const char *fmt, const char *arg)
{
	int n = snprintf(msg, size, fmt, arg);

	if (size > 0 && (n < 0 || (size_t)n >= size))
		msg[0] = '\0';
	return -EINVAL;
}

/* Unsigned decimal in [0, max], the whole string. */
static int parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (s[0] < '0' || s[0] > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end != '\0' || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

/* "S[.fraction]" seconds into ns; the fraction is cut after 9 digits. */
static int parse_secs(const char *s, uint64_t *ns)
{
	uint64_t secs = 0, frac = 0, scale = NSEC_PER_SEC;
	const char *p = s;
	int digits = 0;

	for (; *p >= '0' && *p <= '9'; p++, digits++) {
		if (secs > (UINT64_MAX / NSEC_PER_SEC - 9) / 10)
			return -ERANGE;
		secs = secs * 10 + (uint64_t)(*p - '0');
	}
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++, digits++) {
			if (scale > 1) {
				scale /= 10;
				frac += (uint64_t)(*p - '0') * scale;
			}
		}
	}
	if (digits == 0 || *p != '\0')
		return -EINVAL;
	*ns = secs * NSEC_PER_SEC + frac;
	return 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static int digits(const char *s, int n, unsigned *out)
{
	unsigned v = 0;
	int i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	*out = v;
	return 0;
}

static unsigned days_in_month(unsigned y, unsigned m)
{
	static const unsigned char days[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31,
	};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : days[m - 1];
}

/*
 * The zone of an ISO 8601 time, as seconds east of UTC: "Z", "+HH:MM",
 * "+HHMM" or "+HH" (or '-').  None at all means UTC, not the reader's zone:
 * a trace is read far from where it was recorded.
 */
static int parse_zone(const char *p, int64_t *east)
{
	unsigned h, m = 0;
	size_t len = strlen(p);
	const char *rest;
	int sign;

	*east = 0;
	if (len == 0 || strcmp(p, "Z") == 0)
		return 0;
	if (p[0] != '+' && p[0] != '-')
		return -EINVAL;
	sign = p[0] == '-' ? -1 : 1;
	if (len < 3 || digits(p + 1, 2, &h) != 0)
		return -EINVAL;
	rest = p + 3;
	if (len == 6 && *rest == ':')
		rest++;
	else if (len != 3 && len != 5)
		return -EINVAL;
	if (*rest != '\0' && digits(rest, 2, &m) != 0)
		return -EINVAL;
	if (h > 23 || m > 59)
		return -EINVAL;
	*east = sign * ((int64_t)h * 3600 + (int64_t)m * 60);
	return 0;
}

/*
 * ISO 8601: YYYY-MM-DDTHH:MM:SS[.fraction][ZONE] (a space may stand for the
 * T), ZONE as parse_zone() takes it.  A date that does not exist
 * (2026-02-31) is refused rather than rolled over into the next month.
 */
static int parse_iso(const char *s, uint64_t *wall_ns)
{
	unsigned y, mo, d, h, mi, se;
	uint64_t frac = 0, scale = NSEC_PER_SEC;
	const char *p;
	int64_t days, secs, east;

	if (strlen(s) < 19 || digits(s, 4, &y) || s[4] != '-' ||
	    digits(s + 5, 2, &mo) || s[7] != '-' || digits(s + 8, 2, &d) ||
	    (s[10] != 'T' && s[10] != ' ') || digits(s + 11, 2, &h) ||
	    s[13] != ':' || digits(s + 14, 2, &mi) || s[16] != ':' ||
	    digits(s + 17, 2, &se))
		return -EINVAL;
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 ||
	    d > days_in_month(y, mo) || h > 23 || mi > 59 || se > 60)
		return -EINVAL;
	p = s + 19;
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++) {
			if (scale > 1) {
				scale /= 10;
				frac += (uint64_t)(*p - '0') * scale;
			}
		}
	}
	if (parse_zone(p, &east) != 0)
		return -EINVAL;
	days = days_from_civil(y, mo, d);
	secs = days * 86400 + (int64_t)h * 3600 + (int64_t)mi * 60 + se - east;
	if (secs < 0)
		return -EINVAL;
	*wall_ns = (uint64_t)secs * NSEC_PER_SEC + frac;
	return 0;
}

static int parse_when(struct sa_when *w, const char *arg)
{
	memset(w, 0, sizeof(*w));
	if (arg[0] == '+') {
		if (parse_secs(arg + 1, &w->ns) != 0)
			return -EINVAL;
		w->offset = true;
	} else if (parse_iso(arg, &w->ns) != 0) {
		return -EINVAL;
	}
	w->set = true;
	return 0;
}

int sa_filter_state_value(const char *name)
{
	char buf[24], norm[24];
	size_t i;
	unsigned st;

	for (i = 0; name[i] && i + 1 < sizeof(norm); i++)
		norm[i] = name[i] == '-' ? '_' : name[i];
	if (name[i])
		return -EINVAL;
	norm[i] = '\0';
	for (st = 1; st < 32; st++) {
		const char *n = skr_tcp_state_name(st, buf, sizeof(buf));

		if (strncmp(n, "UNKNOWN", 7) != 0 && strcasecmp(n, norm) == 0)
			return (int)st;
	}
	return -EINVAL;
}

static int parse_cidr(struct sa_cidr *c, const char *arg)
{
	char addr[INET6_ADDRSTRLEN + 1];
	const char *slash = strchr(arg, '/');
	size_t len = slash ? (size_t)(slash - arg) : strlen(arg);
	uint64_t bits;

	if (len == 0 || len >= sizeof(addr))
		return -EINVAL;
	memcpy(addr, arg, len);
	addr[len] = '\0';
	memset(c, 0, sizeof(*c));
	if (inet_pton(AF_INET, addr, c->addr) == 1)
		c->family = SKR_AF_INET;
	else if (inet_pton(AF_INET6, addr, c->addr) == 1)
		c->family = SKR_AF_INET6;
	else
		return -EINVAL;
	c->bits = c->family == SKR_AF_INET ? 32 : 128;
	if (slash) {
		if (parse_u64(slash + 1, c->bits, &bits) != 0)
			return -EINVAL;
		c->bits = (unsigned)bits;
	}
	return 0;
}

int sa_filter_parse(struct sa_filters *f, const char *opt, const char *arg,
		    char *msg, size_t msgsize)
{
	uint64_t v;
	int st;

#define ADD(arr, n, val) do {						\
		if ((n) == SA_FILTER_MAX)				\
			return fail(msg, msgsize, "too many %s filters", opt); \
		(arr)[(n)++] = (val);					\
	} while (0)

	if (strcmp(opt, "--pid") == 0) {
		if (parse_u64(arg, UINT32_MAX, &v))
			return fail(msg, msgsize, "bad --pid '%s'", arg);
		ADD(f->pid, f->npid, (uint32_t)v);
	} else if (strcmp(opt, "--port") == 0) {
		if (parse_u64(arg, 65535, &v))
			return fail(msg, msgsize, "bad --port '%s'", arg);
		ADD(f->port, f->nport, (uint16_t)v);
	} else if (strcmp(opt, "--netns") == 0) {
		if (parse_u64(arg, UINT32_MAX, &v))
			return fail(msg, msgsize, "bad --netns '%s'", arg);
		ADD(f->netns, f->nnetns, (uint32_t)v);
	} else if (strcmp(opt, "--socket") == 0) {
		if (arg[0] == '#')
			arg++;
		if (parse_u64(arg, UINT64_MAX, &v) || v == 0)
			return fail(msg, msgsize, "bad --socket '%s'", arg);
		ADD(f->socket, f->nsocket, v);
	} else if (strcmp(opt, "--comm") == 0) {
		if (arg[0] == '\0' || strlen(arg) > SKR_COMM_LEN)
			return fail(msg, msgsize, "bad --comm '%s' (1 to 16 "
				    "characters)", arg);
		if (f->ncomm == SA_FILTER_MAX)
			return fail(msg, msgsize, "too many %s filters", opt);
		sa_text_copy(f->comm[f->ncomm++], sizeof(f->comm[0]), arg,
			     strlen(arg));
	} else if (strcmp(opt, "--addr") == 0) {
		struct sa_cidr c;

		if (parse_cidr(&c, arg))
			return fail(msg, msgsize, "bad --addr '%s' (an IPv4 or "
				    "IPv6 address, or ADDR/BITS)", arg);
		ADD(f->addr, f->naddr, c);
	} else if (strcmp(opt, "--state") == 0) {
		st = sa_filter_state_value(arg);
		if (st < 0)
			return fail(msg, msgsize, "bad --state '%s' (a TCP state "
				    "name such as CLOSE_WAIT)", arg);
		f->states |= 1u << st;
	} else if (strcmp(opt, "--since") == 0 || strcmp(opt, "--until") == 0) {
		struct sa_when *w = opt[2] == 's' ? &f->since : &f->until;

		if (parse_when(w, arg))
			return fail(msg, msgsize, "bad time '%s' (ISO 8601 "
				    "such as 2026-11-22T10:00:01.5Z or "
				    "2026-11-22T11:00:01+01:00, or +SECONDS "
				    "from the first event)", arg);
	} else {
		return -ENOENT;
	}
#undef ADD
	f->any = true;
	return 0;
}

/* ::ffff:a.b.c.d carries an IPv4 address. */
static bool v4_mapped(const uint8_t a[16])
{
	static const uint8_t prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
					    0xff, 0xff };

	return memcmp(a, prefix, sizeof(prefix)) == 0;
}

static bool prefix_match(const uint8_t *a, const uint8_t *b, unsigned bits)
{
	unsigned full = bits / 8, rest = bits % 8;

	if (memcmp(a, b, full) != 0)
		return false;
	if (rest == 0)
		return true;
	return ((a[full] ^ b[full]) & (0xff00u >> rest) & 0xff) == 0;
}

bool sa_cidr_match(const struct sa_cidr *c, unsigned family,
		   const uint8_t addr[16])
{
	if (c->family == family)
		return prefix_match(addr, c->addr, c->bits);
	if (c->family == SKR_AF_INET && family == SKR_AF_INET6 &&
	    v4_mapped(addr))
		return prefix_match(addr + 12, c->addr, c->bits);
	return false;
}

int sa_filter_window(const struct sa_filters *f, uint64_t start,
		     bool wall, uint64_t *lo, uint64_t *hi, char *msg,
		     size_t msgsize)
{
	*lo = 0;
	*hi = UINT64_MAX;
	if ((f->since.set && !f->since.offset) ||
	    (f->until.set && !f->until.offset)) {
		if (!wall)
			return fail(msg, msgsize, "%s", "the trace has no wall "
				    "clock (no CLOCK record): give --since/"
				    "--until as +SECONDS from the first event");
	}
	if (f->since.set)
		*lo = f->since.offset ? start + f->since.ns : f->since.ns;
	if (f->until.set)
		*hi = f->until.offset ? start + f->until.ns : f->until.ns;
	return 0;
}

bool sa_filter_netns(const struct sa_filters *f, uint32_t netns)
{
	size_t i;

	for (i = 0; i < f->nnetns; i++)
		if (f->netns[i] == netns)
			return true;
	return f->nnetns == 0;
}

bool sa_filter_socket(const struct sa_filters *f, const struct sa_sock *s,
		      uint64_t lo, uint64_t hi)
{
	size_t i;
	bool ok;

	if (!f->any)
		return true;
	if (f->nsocket) {
		for (i = 0, ok = false; i < f->nsocket && !ok; i++)
			ok = f->socket[i] == s->id;
		if (!ok)
			return false;
	}
	if (f->npid) {
		for (i = 0, ok = false; i < f->npid && !ok; i++)
			ok = s->have_owner && f->pid[i] == s->owner_pid;
		if (!ok)
			return false;
	}
	if (f->ncomm) {
		for (i = 0, ok = false; i < f->ncomm && !ok; i++)
			ok = s->have_owner &&
			     strcmp(f->comm[i], s->owner_comm) == 0;
		if (!ok)
			return false;
	}
	if (f->nport) {
		for (i = 0, ok = false; i < f->nport && !ok; i++)
			ok = f->port[i] == s->sport || f->port[i] == s->dport;
		if (!ok)
			return false;
	}
	if (f->naddr) {
		for (i = 0, ok = false; i < f->naddr && !ok; i++)
			ok = sa_cidr_match(&f->addr[i], s->family, s->saddr) ||
			     sa_cidr_match(&f->addr[i], s->family, s->daddr);
		if (!ok)
			return false;
	}
	if (f->nnetns) {
		for (i = 0, ok = false; i < f->nnetns && !ok; i++)
			ok = f->netns[i] == s->netns;
		if (!ok)
			return false;
	}
	if (f->states && (f->states & s->states_seen) == 0)
		return false;
	if (s->first_mt > hi || s->last_mt < lo)
		return false;
	return true;
}
