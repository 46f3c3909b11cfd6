/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Helper of tests/e2e/t_pair.sh: a server and its clients as separate
 * commands, so that each can run in its own network namespace.
 *
 *   pairtool serve ADDR PORT BACKLOG N HOLD_MS
 *       listen(BACKLOG) on ADDR:PORT, print "listening", accept nothing
 *       for HOLD_MS (clients beyond the queue overflow it), then accept N
 *       connections, read each to its end and close it
 *   pairtool connect ADDR PORT N
 *       N clients at once, each connects, sends a byte, closes first and
 *       waits for the server's close
 *   pairtool refuse ADDR PORT
 *       one connect, which must be refused
 *
 * Exits 0 when that happened, 1 otherwise, 2 on misuse; every process
 * ends itself after ALARM_S seconds whatever happens.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ALARM_S		40
#define MAX_N		64

static struct sockaddr_in sa;

static int parse(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(s, &end, 10);
	return errno || end == s || *end != '\0' || *out > max ? -1 : 0;
}

static void sleep_ms(unsigned long ms)
{
	struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static int drain(int fd)
{
	char buf[256];
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0)
		;
	return n == 0 ? 0 : -1;
}

static int serve(unsigned long backlog, unsigned long n, unsigned long hold)
{
	int one = 1, fd, c;
	unsigned long i;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
				 sizeof(one)) != 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    listen(fd, (int)backlog) != 0) {
		perror("pairtool: listen");
		return 1;
	}
	printf("listening\n");
	fflush(stdout);
	sleep_ms(hold);
	for (i = 0; i < n; i++) {
		c = accept(fd, NULL, NULL);
		if (c < 0) {
			perror("pairtool: accept");
			return 1;
		}
		if (drain(c) != 0)
			perror("pairtool: read");
		close(c);
	}
	close(fd);
	return 0;
}

static int client(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    write(fd, "x", 1) != 1 || shutdown(fd, SHUT_WR) != 0 ||
	    drain(fd) != 0) {
		perror("pairtool: client");
		return 1;
	}
	close(fd);
	return 0;
}

static int connect_all(unsigned long n)
{
	unsigned long i;
	int rc = 0, st;
	pid_t p;

	for (i = 0; i < n; i++) {
		p = fork();
		if (p < 0) {
			perror("pairtool: fork");
			rc = 1;
			break;
		}
		if (p == 0)
			_exit(client());
	}
	while ((p = wait(&st)) > 0)
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
			rc = 1;
	return rc;
}

static int refuse(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		return 1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 ||
	    errno != ECONNREFUSED) {
		fprintf(stderr, "pairtool: connect was not refused\n");
		return 1;
	}
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long port, a = 0, b = 0, c = 0;

	if (argc < 4)
		goto usage;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	if (inet_pton(AF_INET, argv[2], &sa.sin_addr) != 1 ||
	    parse(argv[3], 65535, &port) || port == 0)
		goto usage;
	sa.sin_port = htons((uint16_t)port);
	alarm(ALARM_S);
	if (strcmp(argv[1], "serve") == 0 && argc == 7 &&
	    !parse(argv[4], 4096, &a) && !parse(argv[5], MAX_N, &b) &&
	    !parse(argv[6], 10000, &c))
		return serve(a, b, c);
	if (strcmp(argv[1], "connect") == 0 && argc == 5 &&
	    !parse(argv[4], MAX_N, &a))
		return connect_all(a);
	if (strcmp(argv[1], "refuse") == 0 && argc == 4)
		return refuse();
usage:
	fprintf(stderr, "usage: pairtool serve ADDR PORT BACKLOG N HOLD_MS | "
		"connect ADDR PORT N | refuse ADDR PORT\n");
	return 2;
}
