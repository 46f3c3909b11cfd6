/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Helper of tests/e2e/t_diag.sh (the sock_diag side of sockrec).
 *
 *   diagtool hold PORT        listen on 127.0.0.1:PORT, connect to it and
 *                             accept; print each socket's cookie (SO_COOKIE),
 *                             then wait for SIGTERM and close, client first;
 *                             SIGUSR1 closes the client alone
 *   diagtool flood PORT BACKLOG N MS
 *                             listen(BACKLOG) on 127.0.0.1:PORT, never accept,
 *                             start N non-blocking connects, hold MS ms,
 *                             close them and keep the listener 300 ms more
 *   diagtool dump FILE        print the trace's SNAPSHOT, LISTENER,
 *                             NETNS_STATS, SAMPLING and STATE records, one
 *                             a line
 *
 * Lines are "key=value" words so the test can pick them with awk.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>

#include "format/skr.h"

#ifndef SO_COOKIE
#define SO_COOKIE 57
#endif

#define FLOOD_MAX	1000

static volatile sig_atomic_t stop, hang_up;

static void on_term(int sig)
{
	if (sig == SIGUSR1)
		hang_up = 1;
	else
		stop = 1;
}

static int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*out = strtoul(s, &end, 10);
	return errno || *end || *out > max ? -1 : 0;
}

static uint64_t cookie_of(int fd)
{
	uint64_t c = 0;
	socklen_t len = sizeof(c);

	if (getsockopt(fd, SOL_SOCKET, SO_COOKIE, &c, &len))
		return 0;
	return c;
}

static unsigned local_port(int fd)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);

	if (getsockname(fd, (struct sockaddr *)&a, &len))
		return 0;
	return ntohs(a.sin_port);
}

static int listener(unsigned port, int backlog)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	int fd, one = 1;

	a.sin_port = htons((uint16_t)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, backlog)) {
		close(fd);
		return -1;
	}
	return fd;
}

static int connect_to(unsigned port, int flags)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	int fd;

	a.sin_port = htons((uint16_t)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | flags, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) && errno != EINPROGRESS) {
		close(fd);
		return -1;
	}
	return fd;
}

static int do_hold(unsigned port)
{
	struct sigaction sa = { .sa_handler = on_term };
	sigset_t mask, old;
	int l, c, a;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGUSR1);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	l = listener(port, 16);
	if (l < 0) {
		perror("diagtool: listen");
		return 1;
	}
	c = connect_to(port, 0);
	a = c < 0 ? -1 : accept(l, NULL, NULL);
	if (a < 0) {
		perror("diagtool: connect/accept");
		return 1;
	}
	printf("listen port=%u cookie=%" PRIu64 "\n", port, cookie_of(l));
	printf("client port=%u cookie=%" PRIu64 "\n", local_port(c), cookie_of(c));
	printf("accepted port=%u cookie=%" PRIu64 "\n", local_port(a), cookie_of(a));
	printf("ready\n");
	fflush(stdout);
	/* Signals blocked but in sigsuspend(): none is missed between checks. */
	sigprocmask(SIG_BLOCK, &mask, &old);
	while (!stop) {
		if (hang_up && c >= 0) {
			/* The accepted side goes to CLOSE_WAIT, in softirq. */
			close(c);
			c = -1;
			printf("client closed\n");
			fflush(stdout);
			continue;
		}
		sigsuspend(&old);
	}
	if (c >= 0) {
		close(c);
		usleep(100000);
	}
	close(a);
	close(l);
	return 0;
}

static int do_flood(unsigned port, int backlog, unsigned n, unsigned ms)
{
	static int fds[FLOOD_MAX];
	struct timespec gap = { 0, 20 * 1000 * 1000 };
	struct timespec hold = { ms / 1000, (long)(ms % 1000) * 1000000 };
	struct timespec settle = { 0, 300 * 1000 * 1000 };
	unsigned i;
	int l;

	l = listener(port, backlog);
	if (l < 0) {
		perror("diagtool: listen");
		return 1;
	}
	printf("flood port=%u cookie=%" PRIu64 "\n", port, cookie_of(l));
	fflush(stdout);
	for (i = 0; i < n; i++) {
		fds[i] = connect_to(port, SOCK_NONBLOCK);
		nanosleep(&gap, NULL);
	}
	nanosleep(&hold, NULL);
	for (i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	/* No more SYNs: let a sample see the listener's final drops. */
	nanosleep(&settle, NULL);
	close(l);
	return 0;
}

static void addr(char *buf, size_t size, unsigned family, const uint8_t *a)
{
	if (!inet_ntop(family == SKR_AF_INET6 ? AF_INET6 : AF_INET, a, buf,
		       (socklen_t)size))
		snprintf(buf, size, "?");
}

static int dump_one(const struct skr_record *rec)
{
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];

	switch (rec->type) {
	case SKR_REC_SNAPSHOT: {
		struct skr_snapshot r;

		if (skr_decode_snapshot(rec, &r))
			return -1;
		addr(a, sizeof(a), r.family, r.saddr);
		addr(b, sizeof(b), r.family, r.daddr);
		printf("SNAPSHOT kind=%u ts=%" PRIu64 " netns=%u cookie=%" PRIu64
		       " state=%u family=%u saddr=%s sport=%u daddr=%s dport=%u"
		       " inode=%u uid=%u rqueue=%u wqueue=%u count=%u error=%d"
		       " listed=%u failed=%u\n",
		       r.kind, r.ts_ns, r.netns, r.cookie, r.state, r.family, a,
		       r.sport, b, r.dport, r.inode, r.uid, r.rqueue, r.wqueue,
		       r.count, r.error, r.netns_listed, r.netns_failed);
		return 0;
	}
	case SKR_REC_LISTENER: {
		struct skr_ev_listener r;

		if (skr_decode_listener(rec, &r))
			return -1;
		addr(a, sizeof(a), r.family, r.saddr);
		printf("LISTENER ts=%" PRIu64 " netns=%u cookie=%" PRIu64
		       " saddr=%s sport=%u ack=%u max=%u drops=%" PRIu64
		       " inode=%u flags=%u\n", r.c.ts_ns, r.c.netns,
		       r.c.cookie, a, r.sport, r.ack_backlog, r.max_ack_backlog,
		       r.drops, r.inode, r.flags);
		return 0;
	}
	case SKR_REC_NETNS_STATS: {
		struct skr_ev_netns_stats r;

		if (skr_decode_netns_stats(rec, &r))
			return -1;
		printf("NETNS_STATS ts=%" PRIu64 " netns=%u overflows=%" PRIu64
		       " drops=%" PRIu64 " flags=%u\n", r.c.ts_ns, r.c.netns,
		       r.listen_overflows, r.listen_drops, r.flags);
		return 0;
	}
	case SKR_REC_SAMPLING: {
		struct skr_ev_sampling r;

		if (skr_decode_sampling(rec, &r))
			return -1;
		printf("SAMPLING ts=%" PRIu64 " netns=%u state=%u error=%d\n",
		       r.c.ts_ns, r.c.netns, r.state, r.error);
		return 0;
	}
	case SKR_REC_STATE:
	case SKR_REC_STATE4: {	/* printed as STATE: same fields */
		struct skr_ev_state r;

		if (skr_decode_state(rec, &r))
			return -1;
		printf("STATE ts=%" PRIu64 " netns=%u cookie=%" PRIu64
		       " sport=%u dport=%u old=%u new=%u\n", r.c.ts_ns,
		       r.c.netns, r.c.cookie, r.sport, r.dport, r.oldstate,
		       r.newstate);
		return 0;
	}
	default:
		return 0;
	}
}

static int do_dump(const char *path)
{
	struct skr_reader *r;
	struct skr_record rec;
	int rc;

	rc = skr_reader_open(&r, path);
	if (rc) {
		fprintf(stderr, "diagtool: %s: %s\n", path, strerror(-rc));
		return 1;
	}
	while ((rc = skr_reader_next(r, &rec)) == 1) {
		if (dump_one(&rec)) {
			fprintf(stderr, "diagtool: record type 0x%04x too short\n",
				rec.type);
			rc = -EINVAL;
			break;
		}
	}
	if (rc < 0 && skr_reader_errmsg(r))
		fprintf(stderr, "diagtool: %s\n", skr_reader_errmsg(r));
	skr_reader_free(r);
	return rc < 0 || fflush(stdout) ? 1 : 0;
}

int main(int argc, char **argv)
{
	unsigned long port, backlog, n, ms;

	if (argc == 3 && strcmp(argv[1], "hold") == 0 &&
	    !parse_uint(argv[2], 65535, &port))
		return do_hold((unsigned)port);
	if (argc == 6 && strcmp(argv[1], "flood") == 0 &&
	    !parse_uint(argv[2], 65535, &port) &&
	    !parse_uint(argv[3], 65535, &backlog) &&
	    !parse_uint(argv[4], FLOOD_MAX, &n) &&
	    !parse_uint(argv[5], 60000, &ms))
		return do_flood((unsigned)port, (int)backlog, (unsigned)n,
				(unsigned)ms);
	if (argc == 3 && strcmp(argv[1], "dump") == 0)
		return do_dump(argv[2]);
	fprintf(stderr, "usage: diagtool hold PORT | flood PORT BACKLOG N MS | dump FILE\n");
	return 2;
}
