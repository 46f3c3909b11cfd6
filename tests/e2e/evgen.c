/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * evgen: provokes, one scenario per call, the kernel events sockrec records,
 * for tests/e2e/t_events.sh and t_filters.sh.  IPv4 on 127.0.0.1 unless an
 * address is given; every wait is bounded.
 *
 *   evgen listen PORT BACKLOG    listen(BACKLOG), then listen() again
 *   evgen noaccept PORT N        listener with backlog 1 that never
 *                                accepts; N clients connect; waits 3 s
 *   evgen synack PORT            a client that never sends to a listener
 *                                with TCP_DEFER_ACCEPT: SYN-ACK retransmits
 *   evgen accept PORT            one connection accepted with accept() and
 *                                one with accept4(), 1000 bytes each way
 *   evgen refused PORT           connect to a closed port: prints the errno
 *   evgen linger0 PORT           1000 bytes each way, then the client
 *                                closes with SO_LINGER 0 (reset sent)
 *   evgen timeout ADDR PORT      connect to an address that drops
 *                                everything: prints the errno
 *   evgen hold PORT SECS         a listener that only exists for SECS
 *                                seconds (at most 600), then exits 0
 * Prints "errno NAME" for refused/timeout, exits 0 when the scenario
 * happened as intended, 1 otherwise.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_CLIENTS	64

static int fail(const char *what)
{
	fprintf(stderr, "evgen: %s: %s\n", what, strerror(errno));
	return 1;
}

static int parse(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(s, &end, 10);
	return errno || end == s || *end || *out > max ? -1 : 0;
}

static struct sockaddr_in addr_of(const char *ip, unsigned port)
{
	struct sockaddr_in sa;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	inet_pton(AF_INET, ip, &sa.sin_addr);
	return sa;
}

static int listener(unsigned port, int backlog)
{
	struct sockaddr_in sa = addr_of("127.0.0.1", port);
	int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(fd, backlog)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* A blocking connect; returns the fd or -errno. */
static int client(const char *ip, unsigned port)
{
	struct sockaddr_in sa = addr_of(ip, port);
	int fd = socket(AF_INET, SOCK_STREAM, 0), err;

	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		err = errno;
		close(fd);
		return -err;
	}
	return fd;
}

static int do_listen(unsigned port, int backlog)
{
	int fd = listener(port, backlog);

	if (fd < 0)
		return fail("listen");
	/* A second listen() on a listening socket only changes the backlog. */
	if (listen(fd, backlog / 2 + 1))
		return fail("listen again");
	close(fd);
	return 0;
}

static int do_noaccept(unsigned port, unsigned n)
{
	int fds[MAX_CLIENTS], lfd = listener(port, 1);
	struct sockaddr_in sa = addr_of("127.0.0.1", port);
	unsigned i;

	if (lfd < 0)
		return fail("listen");
	for (i = 0; i < n; i++) {
		fds[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		if (fds[i] >= 0)
			connect(fds[i], (struct sockaddr *)&sa, sizeof(sa));
	}
	/* The first SYN-ACK retransmit is due after 1 s, the next after 3 s. */
	sleep(3);
	for (i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	close(lfd);
	return 0;
}

static int do_synack(unsigned port)
{
	int secs = 1, lfd = listener(port, 4), c;

	if (lfd < 0)
		return fail("listen");
	/*
	 * The server drops the bare ACK; it resends its SYN-ACK on the last
	 * timeout of the deferral only, which with 1 s is the first one (1 s).
	 */
	if (setsockopt(lfd, IPPROTO_TCP, TCP_DEFER_ACCEPT, &secs, sizeof(secs)))
		return fail("TCP_DEFER_ACCEPT");
	c = client("127.0.0.1", port);
	if (c < 0) {
		errno = -c;
		return fail("connect");
	}
	sleep(2);
	close(c);
	close(lfd);
	return 0;
}

static int exchange(int a, int b)
{
	char buf[1000];

	memset(buf, 'x', sizeof(buf));
	if (write(a, buf, sizeof(buf)) != (ssize_t)sizeof(buf) ||
	    read(b, buf, sizeof(buf)) <= 0 ||
	    write(b, buf, sizeof(buf)) != (ssize_t)sizeof(buf) ||
	    read(a, buf, sizeof(buf)) <= 0)
		return -1;
	return 0;
}

static int do_accept(unsigned port)
{
	int lfd = listener(port, 16), c1, c2, s1, s2, rc = 1;

	if (lfd < 0)
		return fail("listen");
	c1 = client("127.0.0.1", port);
	s1 = accept(lfd, NULL, NULL);
	c2 = client("127.0.0.1", port);
	s2 = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (c1 >= 0 && c2 >= 0 && s1 >= 0 && s2 >= 0 &&
	    exchange(c1, s1) == 0 && exchange(c2, s2) == 0)
		rc = 0;
	else
		fail("accept");
	close(c1);
	close(c2);
	close(s1);
	close(s2);
	close(lfd);
	return rc;
}

static int do_connect_error(const char *ip, unsigned port)
{
	int fd = client(ip, port);

	if (fd >= 0) {
		close(fd);
		fprintf(stderr, "evgen: connect to %s:%u succeeded\n", ip, port);
		return 1;
	}
	printf("errno %s\n", -fd == ECONNREFUSED ? "ECONNREFUSED" :
	       -fd == ETIMEDOUT ? "ETIMEDOUT" : strerror(-fd));
	return 0;
}

static int do_linger0(unsigned port)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	int lfd = listener(port, 4), c, s;
	struct pollfd p;
	char b;

	if (lfd < 0)
		return fail("listen");
	c = client("127.0.0.1", port);
	s = accept(lfd, NULL, NULL);
	if (c < 0 || s < 0)
		return fail("connect/accept");
	/* Data first: the counters the kernel zeroes have something in them. */
	if (exchange(c, s))
		return fail("exchange");
	if (setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)))
		return fail("SO_LINGER");
	close(c);
	/* The server sees the reset as ECONNRESET. */
	p.fd = s;
	p.events = POLLIN;
	poll(&p, 1, 2000);
	if (read(s, &b, 1) >= 0 || errno != ECONNRESET)
		fprintf(stderr, "evgen: server read: %s\n", strerror(errno));
	close(s);
	close(lfd);
	return 0;
}

static int do_hold(unsigned port, unsigned secs)
{
	int lfd = listener(port, 1);

	if (lfd < 0)
		return fail("listen");
	sleep(secs);
	close(lfd);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long port, n;

	if (argc < 3)
		goto usage;
	if (strcmp(argv[1], "timeout") == 0) {
		if (argc != 4 || parse(argv[3], 65535, &port))
			goto usage;
		return do_connect_error(argv[2], (unsigned)port);
	}
	if (parse(argv[2], 65535, &port))
		goto usage;
	if (strcmp(argv[1], "listen") == 0 && argc == 4 &&
	    parse(argv[3], 1u << 20, &n) == 0)
		return do_listen((unsigned)port, (int)n);
	if (strcmp(argv[1], "noaccept") == 0 && argc == 4 &&
	    parse(argv[3], MAX_CLIENTS, &n) == 0)
		return do_noaccept((unsigned)port, (unsigned)n);
	if (strcmp(argv[1], "synack") == 0 && argc == 3)
		return do_synack((unsigned)port);
	if (strcmp(argv[1], "accept") == 0 && argc == 3)
		return do_accept((unsigned)port);
	if (strcmp(argv[1], "refused") == 0 && argc == 3)
		return do_connect_error("127.0.0.1", (unsigned)port);
	if (strcmp(argv[1], "linger0") == 0 && argc == 3)
		return do_linger0((unsigned)port);
	if (strcmp(argv[1], "hold") == 0 && argc == 4 &&
	    parse(argv[3], 600, &n) == 0)
		return do_hold((unsigned)port, (unsigned)n);
usage:
	fprintf(stderr, "usage: evgen listen|noaccept|synack|accept|refused|linger0|timeout|hold ...\n");
	return 2;
}
