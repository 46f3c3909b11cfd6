/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A deterministic TCP workload for the end-to-end tests and the demo.
 *
 * One listener process ("skr-server") accepts N connections, reads each
 * until the peer's FIN and then closes it; one client process
 * ("skr-client") opens the N connections one after another, sends a few
 * bytes and closes first.  Connections are strictly sequential so that every
 * socket goes through exactly the transitions docs/KERNELS.md lists
 * ("The state changes of one connection").
 *
 * usage: workload [-6] [-a ADDR] [-p PORT] [-n COUNT] [-b BACKLOG]
 * Prints "server PID" and "client PID" on stdout, exits 0 when all
 * connections completed, 1 on any failure, and gives up after 20 seconds.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

struct opts {
	int family;
	const char *addr;
	unsigned port;
	unsigned count;
	int backlog;
};

static int parse_uint(const char *s, unsigned max, unsigned *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v > max)
		return -EINVAL;
	*out = (unsigned)v;
	return 0;
}

static socklen_t make_addr(const struct opts *o, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (o->family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)o->port);
		if (inet_pton(AF_INET6, o->addr, &s6->sin6_addr) != 1)
			return 0;
		return sizeof(*s6);
	}
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

	s4->sin_family = AF_INET;
	s4->sin_port = htons((uint16_t)o->port);
	if (inet_pton(AF_INET, o->addr, &s4->sin_addr) != 1)
		return 0;
	return sizeof(*s4);
}

static int run_server(const struct opts *o, int ready)
{
	struct sockaddr_storage ss;
	socklen_t len = make_addr(o, &ss);
	char buf[256];
	int lfd, one = 1;

	prctl(PR_SET_NAME, "skr-server", 0, 0, 0);
	lfd = socket(o->family, SOCK_STREAM, 0);
	if (lfd < 0 || setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(lfd, (struct sockaddr *)&ss, len) || listen(lfd, o->backlog)) {
		perror("workload: listener");
		return 1;
	}
	if (write(ready, "r", 1) != 1)
		return 1;
	close(ready);
	for (unsigned i = 0; i < o->count; i++) {
		int cfd = accept(lfd, NULL, NULL);
		ssize_t n;

		if (cfd < 0) {
			perror("workload: accept");
			return 1;
		}
		do
			n = read(cfd, buf, sizeof(buf));
		while (n > 0 || (n < 0 && errno == EINTR));
		if (n < 0) {
			perror("workload: read");
			close(cfd);
			return 1;
		}
		close(cfd);
	}
	close(lfd);
	return 0;
}

static int run_client(const struct opts *o)
{
	struct sockaddr_storage ss;
	socklen_t len = make_addr(o, &ss);
	static const char msg[] = "hello from skr-client\n";

	prctl(PR_SET_NAME, "skr-client", 0, 0, 0);
	for (unsigned i = 0; i < o->count; i++) {
		int fd = socket(o->family, SOCK_STREAM, 0);

		if (fd < 0 || connect(fd, (struct sockaddr *)&ss, len) < 0) {
			perror("workload: connect");
			return 1;
		}
		if (write(fd, msg, sizeof(msg) - 1) != (ssize_t)(sizeof(msg) - 1)) {
			perror("workload: write");
			return 1;
		}
		close(fd);
		/*
		 * Wait for the server's FIN to have closed this connection
		 * before the next one, so connections never overlap.
		 */
		usleep(2000);
	}
	return 0;
}

static int wait_child(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return 1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}

int main(int argc, char **argv)
{
	struct opts o = { AF_INET, NULL, 5555, 5, 16 };
	struct sockaddr_storage ss;
	pid_t server, client;
	unsigned v;
	int opt, rc, ready[2];
	char c;

	while ((opt = getopt(argc, argv, "6a:p:n:b:")) != -1) {
		switch (opt) {
		case '6':
			o.family = AF_INET6;
			break;
		case 'a':
			o.addr = optarg;
			break;
		case 'p':
			if (parse_uint(optarg, 65535, &o.port) || o.port == 0)
				goto usage;
			break;
		case 'n':
			if (parse_uint(optarg, 100000, &o.count))
				goto usage;
			break;
		case 'b':
			if (parse_uint(optarg, 65535, &v))
				goto usage;
			o.backlog = (int)v;
			break;
		default:
			goto usage;
		}
	}
	if (optind != argc)
		goto usage;
	if (!o.addr)
		o.addr = o.family == AF_INET6 ? "::1" : "127.0.0.1";
	if (!make_addr(&o, &ss)) {
		fprintf(stderr, "workload: bad address '%s'\n", o.addr);
		return 2;
	}

	if (pipe(ready)) {
		perror("workload: pipe");
		return 1;
	}
	fflush(stdout);
	server = fork();
	if (server < 0) {
		perror("workload: fork");
		return 1;
	}
	if (server == 0) {
		close(ready[0]);
		alarm(20);
		_exit(run_server(&o, ready[1]));
	}
	close(ready[1]);
	/* The clients start only once the listener listens. */
	if (read(ready[0], &c, 1) != 1) {
		fprintf(stderr, "workload: server failed to listen\n");
		wait_child(server);
		return 1;
	}
	close(ready[0]);
	client = fork();
	if (client < 0) {
		perror("workload: fork");
		kill(server, SIGKILL);
		return 1;
	}
	if (client == 0) {
		alarm(20);
		_exit(run_client(&o));
	}
	printf("server %d\nclient %d\n", (int)server, (int)client);
	rc = wait_child(client);
	rc |= wait_child(server);
	return rc ? 1 : 0;
usage:
	fprintf(stderr, "usage: workload [-6] [-a ADDR] [-p PORT] [-n COUNT] [-b BACKLOG]\n");
	return 2;
}
