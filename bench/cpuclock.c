// SPDX-License-Identifier: BSD-2-Clause
/*
 * cpuclock: the CPU time of a recorder, exactly, for bench/run.
 *
 *   cpuclock -o FILE -- CMD [ARG...]   run CMD; when it exits, write its
 *                                      user + system CPU in ns to FILE
 *   cpuclock -p PID                    print the CPU PID has used so far, ns
 *
 * The first replaces GNU time's %U %S, which print 10 ms steps: the sum
 * ru_utime + ru_stime that wait4() returns is the scheduler's runtime of
 * all the process's threads (the kernel scales the tick-sampled user/system
 * split so that the two add up to it), to the microsecond, plus that of
 * any child the process waited for, as with time(1).  The second reads
 * the process's CPU-time clock (clock_getcpuclockid): the same runtime,
 * threads that already exited included, to the nanosecond, without
 * signalling or stopping the process.  bench/run subtracts the second, at
 * the storm's start, from the first.
 *
 * While CMD runs, SIGINT and SIGQUIT are ignored here (CMD gets them, as
 * under time(1)).  Exit status: CMD's (128+N if signal N ended it), 127 if
 * it could not be run; 1 on error, 2 on misuse.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>

#define EXIT_USAGE	2
#define EXIT_NOEXEC	127

static void usage(FILE *f)
{
	fprintf(f, "usage: cpuclock -o FILE -- CMD [ARG...]\n"
		   "       cpuclock -p PID\n");
}

static int now_of(const char *arg)
{
	char *end;
	unsigned long v;
	clockid_t clk;
	struct timespec ts;
	int err;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno || end == arg || *end || v == 0 || v > INT32_MAX) {
		fprintf(stderr, "cpuclock: bad pid '%s'\n", arg);
		return EXIT_USAGE;
	}
	err = clock_getcpuclockid((pid_t)v, &clk);
	if (err) {
		fprintf(stderr, "cpuclock: clock of %lu: %s\n", v, strerror(err));
		return 1;
	}
	if (clock_gettime(clk, &ts)) {
		fprintf(stderr, "cpuclock: clock of %lu: %s\n", v, strerror(errno));
		return 1;
	}
	printf("%" PRIu64 "\n", (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec);
	return 0;
}

static uint64_t tv_ns(struct timeval tv)
{
	return (uint64_t)tv.tv_sec * 1000000000u + (uint64_t)tv.tv_usec * 1000u;
}

static int run(const char *out, char **argv)
{
	struct sigaction ign = { .sa_handler = SIG_IGN }, old_int, old_quit;
	struct rusage ru;
	pid_t pid, w;
	int status, fd, n;
	char line[32];

	fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		fprintf(stderr, "cpuclock: %s: %s\n", out, strerror(errno));
		return 1;
	}
	sigemptyset(&ign.sa_mask);
	sigaction(SIGINT, &ign, &old_int);
	sigaction(SIGQUIT, &ign, &old_quit);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "cpuclock: fork: %s\n", strerror(errno));
		close(fd);
		return 1;
	}
	if (pid == 0) {
		sigaction(SIGINT, &old_int, NULL);
		sigaction(SIGQUIT, &old_quit, NULL);
		execvp(argv[0], argv);
		fprintf(stderr, "cpuclock: %s: %s\n", argv[0], strerror(errno));
		_exit(EXIT_NOEXEC);
	}
	do
		w = wait4(pid, &status, 0, &ru);
	while (w < 0 && errno == EINTR);
	if (w < 0) {
		fprintf(stderr, "cpuclock: wait4: %s\n", strerror(errno));
		close(fd);
		return 1;
	}
	n = snprintf(line, sizeof(line), "%" PRIu64 "\n", tv_ns(ru.ru_utime) + tv_ns(ru.ru_stime));
	if (n < 0 || (size_t)n >= sizeof(line) || write(fd, line, (size_t)n) != n) {
		fprintf(stderr, "cpuclock: %s: write failed\n", out);
		close(fd);
		return 1;
	}
	if (close(fd)) {
		fprintf(stderr, "cpuclock: %s: %s\n", out, strerror(errno));
		return 1;
	}
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

int main(int argc, char **argv)
{
	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		usage(stdout);
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "-p"))
		return now_of(argv[2]);
	if (argc >= 5 && !strcmp(argv[1], "-o") && !strcmp(argv[3], "--"))
		return run(argv[2], argv + 4);
	usage(stderr);
	return EXIT_USAGE;
}
