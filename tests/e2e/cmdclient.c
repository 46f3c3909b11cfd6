/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cmdclient: the processes of tests/e2e/t_command.sh (sockrec -- CMD).
 * IPv4 on 127.0.0.1; every wait is bounded.
 *
 *   cmdclient serve PORT SECS   a listener that accepts, reads each
 *                               connection to its end and closes it, for
 *                               SECS seconds (at most 600); prints "ready"
 *   cmdclient clients PORT N    connects once from a thread, once from each
 *                               of N forked children and once itself
 *   cmdclient sigint PORT       prints "waiting", waits (20 s at most) for
 *                               SIGINT, then connects once and dies of it
 *
 * Each connection prints "conn tgid=T tid=I sport=S" and sends one byte;
 * the client closes first.  Exits 0 when every connection was made.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_CHILDREN	16
#define STEP_MS		100

static volatile sig_atomic_t interrupted;

static int parse(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(s, &end, 10);
	return errno || end == s || *end || *out > max ? -1 : 0;
}

static struct sockaddr_in loopback(unsigned port)
{
	struct sockaddr_in sa;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return sa;
}

/* One line in one write(): the processes share standard output. */
static void say(const char *line)
{
	size_t len = strlen(line);

	if (write(STDOUT_FILENO, line, len) != (ssize_t)len)
		perror("cmdclient: write");
}

static int connect_once(unsigned port)
{
	struct sockaddr_in sa = loopback(port), me;
	socklen_t len = sizeof(me);
	char line[96];
	int fd, n, rc = 1;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&me, &len) == 0 &&
	    write(fd, "x", 1) == 1) {
		n = snprintf(line, sizeof(line), "conn tgid=%ld tid=%ld sport=%u\n",
			     (long)getpid(), (long)syscall(SYS_gettid),
			     (unsigned)ntohs(me.sin_port));
		if (n > 0 && (size_t)n < sizeof(line)) {
			say(line);
			rc = 0;
		}
	}
	if (rc)
		perror("cmdclient: connect");
	close(fd);
	return rc;
}

static int serve(unsigned port, unsigned long secs)
{
	struct sockaddr_in sa = loopback(port);
	struct pollfd p;
	unsigned long steps;
	char buf[256];
	int fd, c, one = 1;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 64)) {
		perror("cmdclient: listen");
		return 1;
	}
	say("ready\n");
	for (steps = 0; steps < secs * (1000 / STEP_MS); steps++) {
		p.fd = fd;
		p.events = POLLIN;
		if (poll(&p, 1, STEP_MS) != 1)
			continue;
		c = accept(fd, NULL, NULL);
		if (c < 0)
			continue;
		/* To the client's FIN, a few seconds at most. */
		p.fd = c;
		for (int i = 0; i < 30 && poll(&p, 1, STEP_MS) >= 0; i++) {
			ssize_t n = p.revents ? read(c, buf, sizeof(buf)) : 1;

			if (n <= 0)
				break;
		}
		close(c);
	}
	close(fd);
	return 0;
}

static void *thread_main(void *arg)
{
	return (void *)(long)connect_once(*(unsigned *)arg);
}

static int clients(unsigned port, unsigned long n)
{
	pid_t kids[MAX_CHILDREN];
	pthread_t t;
	void *trc;
	unsigned long i;
	int rc = 0, st;

	if (pthread_create(&t, NULL, thread_main, &port))
		return 1;
	if (pthread_join(t, &trc) || trc)
		rc = 1;
	for (i = 0; i < n; i++) {
		kids[i] = fork();
		if (kids[i] == 0)
			_exit(connect_once(port));
		if (kids[i] < 0)
			rc = 1;
	}
	for (i = 0; i < n; i++)
		if (kids[i] > 0 && (waitpid(kids[i], &st, 0) != kids[i] ||
				    !WIFEXITED(st) || WEXITSTATUS(st)))
			rc = 1;
	return connect_once(port) || rc;
}

static void on_int(int sig)
{
	(void)sig;
	interrupted = 1;
}

static int sigint(unsigned port)
{
	const struct timespec step = { 0, STEP_MS * 1000000L };
	struct sigaction sa;
	int i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_int;
	if (sigaction(SIGINT, &sa, NULL))
		return 1;
	say("waiting\n");
	for (i = 0; i < 200 && !interrupted; i++)
		nanosleep(&step, NULL);
	if (!interrupted)
		return 1;
	/* What a program does after ^C belongs to the recording too. */
	if (connect_once(port))
		return 1;
	sa.sa_handler = SIG_DFL;
	sigaction(SIGINT, &sa, NULL);
	raise(SIGINT);
	return 1;
}

int main(int argc, char **argv)
{
	unsigned long port, v = 0;

	if (argc < 3 || parse(argv[2], 65535, &port) || port == 0)
		goto usage;
	if (strcmp(argv[1], "serve") == 0 && argc == 4 && !parse(argv[3], 600, &v))
		return serve((unsigned)port, v);
	if (strcmp(argv[1], "clients") == 0 && argc == 4 &&
	    !parse(argv[3], MAX_CHILDREN, &v))
		return clients((unsigned)port, v);
	if (strcmp(argv[1], "sigint") == 0 && argc == 3)
		return sigint((unsigned)port);
usage:
	fprintf(stderr, "usage: cmdclient serve PORT SECS | clients PORT N | sigint PORT\n");
	return 2;
}
