/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * scenario: the traffic of the sample traces (samples/NAME/record.sh), one
 * scenario per call, on an address of the caller's network namespace.
 * The server and the clients are separate processes with their own names
 * ("srv-NAME", "cli-NAME") so the reports show who owned what.  Every
 * process ends itself after SCN_ALARM seconds whatever happens.
 *
 *   scenario healthy ADDR PORT SHORT KEEP PACE_MS
 *       a request/response server; SHORT one-request connections, PACE_MS
 *       apart, and KEEP keep-alive connections that send a request between
 *       the short ones and close at the end
 *   scenario slowaccept ADDR PORT BACKLOG CLIENTS DELAY_MS
 *       a server with listen(BACKLOG) that accepts first after 0.9 s,
 *       then one connection every DELAY_MS (500 or more), while CLIENTS connect
 *       at once with lazy handshake ACKs: accept-queue overflows, SYN and
 *       SYN-ACK retransmits
 *   scenario refused ADDR PORT N          N connects to a closed port
 *   scenario timeout ADDR PORT N          N connects at once to an address
 *                                         that drops everything
 *   scenario resets ADDR PORT             on PORT, PORT+1, PORT+2: an
 *       abortive close (SO_LINGER 0), data sent to a peer that closed, and
 *       a close with unread data
 *   scenario closewait ADDR PORT N HOLD   a server that answers N requests
 *       and never closes; once the clients closed, prints "holding" and
 *       keeps the CLOSE_WAIT sockets HOLD seconds
 * Exits 0 when the scenario happened as intended, 1 otherwise, 2 on misuse.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SCN_ALARM	30
#define MAX_CONNS	512
#define REQ_LEN		64
#define RESP_LEN	512
/* slowaccept's server speaks first, like SMTP: a client whose handshake
 * ACK met a full queue sends nothing more, so the server's SYN-ACK timer
 * (not the client's data) completes the handshake. */
#define BANNER		"220 slow server ready\r\n"

static struct sockaddr_storage peer;
static socklen_t peer_len;
static unsigned peer_port;

static int fail(const char *what)
{
	fprintf(stderr, "scenario: %s: %s\n", what, strerror(errno));
	return 1;
}

static int parse(const char *s, unsigned long max, unsigned *out)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v > max)
		return -1;
	*out = (unsigned)v;
	return 0;
}

static int set_addr(const char *ip, unsigned port)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)&peer;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&peer;

	memset(&peer, 0, sizeof(peer));
	peer_port = port;
	if (inet_pton(AF_INET, ip, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		peer_len = sizeof(*s4);
		return 0;
	}
	if (inet_pton(AF_INET6, ip, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		peer_len = sizeof(*s6);
		return 0;
	}
	return -1;
}

/* The scenario address with another port (resets uses three). */
static void set_port(unsigned port)
{
	peer_port = port;
	if (peer.ss_family == AF_INET)
		((struct sockaddr_in *)&peer)->sin_port = htons((uint16_t)port);
	else
		((struct sockaddr_in6 *)&peer)->sin6_port = htons((uint16_t)port);
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static int listener(int backlog)
{
	int one = 1, fd = socket(peer.ss_family, SOCK_STREAM, 0);

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&peer, peer_len) || listen(fd, backlog)) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * A blocking connect; the fd or -errno.  With lazy_ack, the handshake's
 * last ACK is delayed (a client TCP_DEFER_ACCEPT makes the kernel wait to
 * send it with data, or for the delayed-ACK timer): it reaches the
 * listener well after its SYN did.
 */
static int client_ack(bool lazy_ack)
{
	int fd = socket(peer.ss_family, SOCK_STREAM, 0), err, one = 1;

	if (fd < 0)
		return -errno;
	if (lazy_ack)
		setsockopt(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT, &one, sizeof(one));
	if (connect(fd, (struct sockaddr *)&peer, peer_len)) {
		err = errno;
		close(fd);
		return -err;
	}
	return fd;
}

static int client(void)
{
	return client_ack(false);
}

/* Read exactly len bytes, waiting at most 10 s; 0, or -1 (EOF or error). */
static int read_full(int fd, char *buf, size_t len)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	size_t got = 0;

	while (got < len) {
		ssize_t n;

		if (poll(&p, 1, 10000) <= 0)
			return -1;
		n = read(fd, buf + got, len - got);
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	return 0;
}

static int request(int fd)
{
	char req[REQ_LEN], resp[RESP_LEN];

	memset(req, 'q', sizeof(req));
	if (write(fd, req, sizeof(req)) != (ssize_t)sizeof(req))
		return -1;
	return read_full(fd, resp, sizeof(resp));
}

/* Serve one request of a connection: -1 when the client closed. */
static int serve(int fd)
{
	char req[REQ_LEN], resp[RESP_LEN];

	if (read_full(fd, req, sizeof(req)))
		return -1;
	memset(resp, 'r', sizeof(resp));
	return write(fd, resp, sizeof(resp)) == (ssize_t)sizeof(resp) ? 0 : -1;
}

/* Run fn in a child named NAME; returns its pid, -1 on failure. */
static pid_t spawn(const char *name, int (*fn)(void *), void *arg)
{
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		prctl(PR_SET_NAME, name, 0, 0, 0);
		alarm(SCN_ALARM);
		_exit(fn(arg));
	}
	return pid;
}

/*
 * Run a server in a child named NAME: it makes its own listener (so the
 * reports name it as the owner) and returns once the listener listens.
 */
static int server_fd = -1;

static pid_t spawn_server(const char *name, int backlog, int (*fn)(void *),
			  void *arg)
{
	int pfd[2];
	pid_t pid;
	char c;

	if (pipe(pfd))
		return -1;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		prctl(PR_SET_NAME, name, 0, 0, 0);
		alarm(SCN_ALARM);
		close(pfd[0]);
		server_fd = listener(backlog);
		if (server_fd < 0)
			_exit(fail("listen"));
		if (write(pfd[1], "r", 1) != 1)
			_exit(1);
		close(pfd[1]);
		_exit(fn(arg));
	}
	close(pfd[1]);
	if (pid > 0 && read(pfd[0], &c, 1) != 1) {
		waitpid(pid, NULL, 0);
		pid = -1;
	}
	close(pfd[0]);
	return pid;
}

static int reap(pid_t pid)
{
	int st;

	if (pid < 0)
		return 1;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return 1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}

/* ---- healthy ---- */

struct healthy {
	unsigned nshort, nkeep, pace_ms;
};

/* Any number of connections at once: poll over all of them. */
static int healthy_server(void *arg)
{
	const struct healthy *h = arg;
	struct pollfd p[MAX_CONNS + 1];
	unsigned n = 1, served = 0, total = h->nshort + h->nkeep;

	p[0].fd = server_fd;
	p[0].events = POLLIN;
	while (served < total || n > 1) {
		if (poll(p, n, 10000) <= 0)
			return fail("server poll");
		for (unsigned i = n; i-- > 1;) {
			if (!p[i].revents)
				continue;
			if (serve(p[i].fd) == 0)
				continue;
			close(p[i].fd);
			p[i] = p[--n];
		}
		if ((p[0].revents & POLLIN) && n <= MAX_CONNS) {
			int fd = accept(server_fd, NULL, NULL);

			if (fd < 0)
				return fail("accept");
			p[n].fd = fd;
			p[n].events = POLLIN;
			p[n].revents = 0;
			n++;
			served++;
		}
	}
	close(server_fd);
	return 0;
}

static int healthy_client(void *arg)
{
	const struct healthy *h = arg;
	int keep[MAX_CONNS];
	unsigned i, k;

	for (k = 0; k < h->nkeep; k++) {
		keep[k] = client();
		if (keep[k] < 0 || request(keep[k]))
			return fail("keep-alive connection");
	}
	for (i = 0; i < h->nshort; i++) {
		int fd = client();

		if (fd < 0 || request(fd)) {
			errno = fd < 0 ? -fd : errno;
			return fail("short connection");
		}
		close(fd);
		if (h->nkeep && i % 8 == 7 && request(keep[(i / 8) % h->nkeep]))
			return fail("keep-alive request");
		sleep_ms(h->pace_ms);
	}
	for (k = 0; k < h->nkeep; k++)
		close(keep[k]);
	return 0;
}

static int do_healthy(unsigned nshort, unsigned nkeep, unsigned pace_ms)
{
	struct healthy h = { nshort, nkeep, pace_ms };
	pid_t srv, cli;
	int rc;

	srv = spawn_server("srv-healthy", 128, healthy_server, &h);
	if (srv < 0)
		return 1;
	cli = spawn("cli-healthy", healthy_client, &h);
	rc = reap(cli);
	return reap(srv) | rc;
}

/* ---- slowaccept ---- */

struct slow {
	unsigned clients, delay_ms;
};

static int slow_server(void *arg)
{
	const struct slow *s = arg;

	/*
	 * The first clients fill the queue (limit + 1) and the others' SYNs
	 * are dropped.  One accept just before those SYNs are retransmitted
	 * (1 s) leaves room for several handshakes, whose lazy ACKs arrive
	 * ~0.2 s later: the first fills the queue, the next are dropped and
	 * the server retransmits its SYN-ACK.
	 */
	sleep_ms(900);
	for (unsigned i = 0; i < s->clients; i++) {
		int fd;

		if (i)
			sleep_ms(s->delay_ms);
		fd = accept(server_fd, NULL, NULL);
		if (fd < 0)
			return fail("accept");
		if (write(fd, BANNER, sizeof(BANNER) - 1) > 0)
			serve(fd);
		close(fd);
	}
	close(server_fd);
	return 0;
}

/* All clients connect at once (the kernel retries refused SYNs itself). */
static int slow_clients(void *arg)
{
	const struct slow *s = arg;
	pid_t pids[MAX_CONNS];
	unsigned i;
	int rc = 0;

	for (i = 0; i < s->clients; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			char banner[sizeof(BANNER) - 1];
			int fd;

			alarm(SCN_ALARM);
			fd = client_ack(true);
			_exit(fd < 0 || read_full(fd, banner, sizeof(banner)) ||
			      request(fd) ? 1 : (close(fd), 0));
		}
	}
	for (i = 0; i < s->clients; i++)
		rc |= reap(pids[i]);
	if (rc)
		fprintf(stderr, "scenario: a slowaccept client failed\n");
	return rc;
}

static int do_slowaccept(unsigned backlog, unsigned clients, unsigned delay_ms)
{
	struct slow s = { clients, delay_ms };
	pid_t srv, cli;
	int rc;

	srv = spawn_server("srv-slow", (int)backlog, slow_server, &s);
	if (srv < 0)
		return 1;
	cli = spawn("cli-slow", slow_clients, &s);
	rc = reap(cli);
	return reap(srv) | rc;
}

/* ---- refused, timeout ---- */

static int connect_fails(void *arg)
{
	const unsigned *n = arg;
	int rc = 0;

	for (unsigned i = 0; i < *n; i++) {
		int fd = client();

		if (fd >= 0) {
			close(fd);
			fprintf(stderr, "scenario: connect to port %u succeeded\n",
				peer_port);
			rc = 1;
			continue;
		}
		printf("errno %s\n", -fd == ECONNREFUSED ? "ECONNREFUSED" :
		       -fd == ETIMEDOUT ? "ETIMEDOUT" : strerror(-fd));
		fflush(stdout);
	}
	return rc;
}

static int do_refused(unsigned n)
{
	return reap(spawn("cli-refused", connect_fails, &n));
}

/* Every connect at once: the SYN retries of all run in parallel. */
static int do_timeout(unsigned n)
{
	pid_t pids[MAX_CONNS];
	unsigned one = 1, i;
	int rc = 0;

	for (i = 0; i < n; i++)
		pids[i] = spawn("cli-timeout", connect_fails, &one);
	for (i = 0; i < n; i++)
		rc |= reap(pids[i]);
	return rc;
}

/* ---- resets ---- */

/* One request from c answered on s. */
static int exchange(int c, int s)
{
	char req[REQ_LEN], resp[RESP_LEN];

	memset(req, 'q', sizeof(req));
	if (c < 0 || s < 0 ||
	    write(c, req, sizeof(req)) != (ssize_t)sizeof(req) || serve(s))
		return -1;
	return read_full(c, resp, sizeof(resp));
}

/* The client aborts with SO_LINGER 0: a reset instead of a FIN. */
static int abortive_close(int lfd)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	int c = client(), s = accept(lfd, NULL, NULL), rc = 0;
	char b;

	if (exchange(c, s))
		return fail("abortive close: exchange");
	setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(c);
	errno = 0;
	if (read_full(s, &b, 1) == 0 || errno != ECONNRESET)
		rc = fail("abortive close: server read");
	close(s);
	return rc;
}

/* The server closed; the client writes anyway and the peer resets. */
static int write_to_closed(int lfd)
{
	int c = client(), s = accept(lfd, NULL, NULL), rc = 0;
	char b[REQ_LEN];

	if (exchange(c, s))
		return fail("write to closed: exchange");
	close(s);
	sleep_ms(50);
	memset(b, 'q', sizeof(b));
	if (write(c, b, sizeof(b)) != (ssize_t)sizeof(b))
		rc = fail("write to closed: first write");
	sleep_ms(50);
	/* The reset arrived: the next write fails (EPIPE, SIGPIPE ignored). */
	if (write(c, b, sizeof(b)) >= 0)
		rc = fail("write to closed: second write succeeded");
	close(c);
	return rc;
}

/* The server closes with a request it did not read: a reset. */
static int close_unread(int lfd)
{
	int c = client(), s = accept(lfd, NULL, NULL), rc = 0;
	char b[REQ_LEN];

	if (exchange(c, s))
		return fail("close unread: exchange");
	memset(b, 'q', sizeof(b));
	if (write(c, b, sizeof(b)) != (ssize_t)sizeof(b))
		return fail("close unread: write");
	sleep_ms(50);
	close(s);
	errno = 0;
	if (read_full(c, b, 1) == 0 || errno != ECONNRESET)
		rc = fail("close unread: client read");
	close(c);
	return rc;
}

static int resets(void *arg)
{
	int (*const cases[])(int) = { abortive_close, write_to_closed, close_unread };
	unsigned base = *(const unsigned *)arg;
	int rc = 0;

	signal(SIGPIPE, SIG_IGN);
	for (unsigned i = 0; i < 3; i++) {
		int lfd;

		set_port(base + i);
		lfd = listener(4);
		if (lfd < 0)
			return fail("listen");
		rc |= cases[i](lfd);
		close(lfd);
		sleep_ms(100);
	}
	return rc;
}

static int do_resets(void)
{
	unsigned base = peer_port;

	return reap(spawn("resets", resets, &base));
}

/* ---- closewait ---- */

struct closewait {
	unsigned n;
	int ready;		/* pipe: the server answered every request */
	unsigned hold;
};

/* Answers and forgets to close: the sockets stay in CLOSE_WAIT. */
static int leaky_server(void *arg)
{
	const struct closewait *w = arg;
	int fds[MAX_CONNS];
	unsigned i;

	for (i = 0; i < w->n; i++) {
		fds[i] = accept(server_fd, NULL, NULL);
		if (fds[i] < 0 || serve(fds[i]))
			return fail("leaky server");
	}
	if (write(w->ready, "r", 1) != 1)
		return fail("leaky server: ready");
	sleep(w->hold + 5);
	return 0;
}

static int polite_clients(void *arg)
{
	const struct closewait *w = arg;

	for (unsigned i = 0; i < w->n; i++) {
		int fd = client();

		if (fd < 0 || request(fd))
			return fail("client");
		close(fd);
		sleep_ms(20);
	}
	return 0;
}

static int do_closewait(unsigned n, unsigned hold)
{
	struct closewait w = { n, -1, hold };
	int rc, pfd[2];
	pid_t srv, cli;
	char c;

	if (pipe(pfd))
		return fail("pipe");
	w.ready = pfd[1];
	srv = spawn_server("srv-leaky", 128, leaky_server, &w);
	close(pfd[1]);
	if (srv < 0)
		return 1;
	cli = spawn("cli-polite", polite_clients, &w);
	rc = reap(cli);
	if (read(pfd[0], &c, 1) != 1)
		rc = 1;
	close(pfd[0]);
	/* record.sh stops the recorder while the sockets are held. */
	printf("holding\n");
	fflush(stdout);
	sleep(hold);
	kill(srv, SIGKILL);
	reap(srv);
	return rc;
}

int main(int argc, char **argv)
{
	unsigned port, a = 0, b = 0, c = 0;
	const char *cmd;

	if (argc < 4)
		goto usage;
	cmd = argv[1];
	if (set_addr(argv[2], 0) || parse(argv[3], 65535, &port) || port == 0)
		goto usage;
	set_port(port);
	alarm(SCN_ALARM);
	if (argc > 4 && parse(argv[4], MAX_CONNS, &a))
		goto usage;
	if (argc > 5 && parse(argv[5], MAX_CONNS, &b))
		goto usage;
	if (argc > 6 && parse(argv[6], 10000, &c))
		goto usage;
	if (strcmp(cmd, "healthy") == 0 && argc == 7)
		return do_healthy(a, b, c);
	if (strcmp(cmd, "slowaccept") == 0 && argc == 7 && b > 0)
		return do_slowaccept(a, b, c);
	if (strcmp(cmd, "refused") == 0 && argc == 5)
		return do_refused(a);
	if (strcmp(cmd, "timeout") == 0 && argc == 5)
		return do_timeout(a);
	if (strcmp(cmd, "resets") == 0 && argc == 4 && port <= 65533)
		return do_resets();
	if (strcmp(cmd, "closewait") == 0 && argc == 6 && b <= 20)
		return do_closewait(a, b);
usage:
	fprintf(stderr, "usage: scenario healthy|slowaccept|refused|timeout|resets|closewait ADDR PORT ...\n"
		"(see the comment at the top of samples/tools/scenario.c)\n");
	return 2;
}
