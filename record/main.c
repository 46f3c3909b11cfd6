// SPDX-License-Identifier: BSD-2-Clause
/*
 * sockrec: record the life of TCP sockets into a trace file.
 *
 * This file owns the command line, the signals and the recording loop;
 * the other files of record/ do the work (see record/sockrec.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <bpf/libbpf.h>

#include "record/sockrec.h"

#define EXIT_USAGE	2

/* Loop timers, in ms. */
#define POLL_MS		100	/* longest wait for a wakeup */
#define SWEEP_MS	100	/* full sweep: a quiet host is never woken */
#define FLUSH_MS	1000	/* end a zstd frame: the file is readable to here */
#define CLOCK_MS	10000	/* clock-sync sample */

#define PB_PAGES	512	/* per CPU: no loss at ~770k events/s here */

#define MAX_SECONDS	(100ull * 365 * 24 * 3600)

/* Linux capability numbers, to explain a refusal before trying. */
#define CAP_SYS_ADMIN_BIT	21
#define CAP_PERFMON_BIT		38
#define CAP_BPF_BIT		39

struct options {
	const char *out_path;
	uint64_t seconds;	/* 0: until interrupted */
	uint64_t count;		/* 0: no limit */
};

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	/* A second ^C means now; every flush ended a frame, so the file reads. */
	if (sig == SIGINT && stop_requested)
		_exit(128 + SIGINT);
	stop_requested = 1;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: sockrec -o FILE [-d SECONDS] [-c COUNT]\n"
		"Record TCP socket state changes into a trace file (needs root).\n"
		"\n"
		"  -o, --output FILE      write the trace to FILE ('-': standard output,\n"
		"                         which must not be a terminal)\n"
		"  -d, --duration SECONDS stop after SECONDS\n"
		"  -c, --count COUNT      stop after COUNT events\n"
		"      --help             show this help and exit\n"
		"      --version          show the version and exit\n"
		"\n"
		"SIGINT or SIGTERM ends the recording cleanly; a second SIGINT ends it\n"
		"at once, leaving the file readable up to its last flush (within ~1 s).\n");
}

static int misuse(const char *fmt, const char *arg)
{
	fputs("sockrec: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs("\nTry 'sockrec --help'.\n", stderr);
	return EXIT_USAGE;
}

static int parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	/* strtoull accepts "-1" as a huge number; we want digits only. */
	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end != '\0')
		return -EINVAL;
	if (v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

/* Returns -1 to go on, or the exit status. */
static int parse_args(int argc, char **argv, struct options *o)
{
	enum { OPT_HELP = 256, OPT_VERSION };
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "duration", required_argument, NULL, 'd' },
		{ "count", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, OPT_HELP },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:d:c:", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			o->out_path = optarg;
			break;
		case 'd':
			if (parse_u64(optarg, 1, MAX_SECONDS, &o->seconds))
				return misuse("-d wants a number of seconds from 1, not '%s'",
					      optarg);
			break;
		case 'c':
			if (parse_u64(optarg, 1, UINT64_MAX, &o->count))
				return misuse("-c wants a count from 1, not '%s'",
					      optarg);
			break;
		case OPT_HELP:
			usage(stdout);
			return fflush(stdout) ? 1 : 0;
		case OPT_VERSION:
			printf("sockrec %s\n", SKR_VERSION);
			return fflush(stdout) ? 1 : 0;
		case ':':
			if (optopt && optopt < 256) {
				char opt[3] = { '-', (char)optopt, '\0' };

				return misuse("option '%s' needs an argument", opt);
			}
			return misuse("option '%s' needs an argument",
				      argv[optind - 1]);
		default:
			if (optopt) {
				char opt[3] = { '-', (char)optopt, '\0' };

				return misuse("unknown option '%s'", opt);
			}
			return misuse("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return misuse("unexpected argument '%s'", argv[optind]);
	if (!o->out_path)
		return misuse("%s", "no output file: use -o FILE");
	return -1;
}

/*
 * Loading tracing programs needs CAP_BPF and CAP_PERFMON (or the older
 * CAP_SYS_ADMIN).  Saying so beats a bare EPERM from the verifier.
 */
static bool has_bpf_caps(void)
{
	char line[256];
	unsigned long long eff = 0;
	bool found = false;
	FILE *f;

	f = fopen("/proc/self/status", "re");
	if (!f)
		return true;	/* cannot tell: let the kernel decide */
	while (fgets(line, sizeof(line), f)) {
		char *end;

		if (strncmp(line, "CapEff:", 7) != 0)
			continue;
		errno = 0;
		eff = strtoull(line + 7, &end, 16);
		found = errno == 0 && end != line + 7;
		break;
	}
	fclose(f);
	if (!found)
		return true;
	if (eff & (1ull << CAP_SYS_ADMIN_BIT))
		return true;
	return (eff & (1ull << CAP_BPF_BIT)) && (eff & (1ull << CAP_PERFMON_BIT));
}

static int open_output(const char *path, const char **name)
{
	int fd;

	if (strcmp(path, "-") == 0) {
		*name = "standard output";
		if (isatty(STDOUT_FILENO)) {
			fprintf(stderr, "sockrec: refusing to write a binary trace to a terminal; "
				"redirect standard output or use -o FILE\n");
			return -ENOTTY;
		}
		return STDOUT_FILENO;
	}
	*name = path;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		fd = -errno;
		fprintf(stderr, "sockrec: opening %s: %s\n", path, strerror(-fd));
	}
	return fd;
}

static int install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: the poll must return so the loop sees the flag. */
	if (sigaction(SIGINT, &sa, NULL) || sigaction(SIGTERM, &sa, NULL))
		return -errno;
	/*
	 * A closed pipe or a file size limit must become a write error we
	 * report (EPIPE, EFBIG) and END cleanly on, not a silent death.
	 */
	sa.sa_handler = SIG_IGN;
	if (sigaction(SIGPIPE, &sa, NULL) || sigaction(SIGXFSZ, &sa, NULL))
		return -errno;
	return 0;
}

static int record_loop(struct rec_session *s, const struct options *o)
{
	uint64_t now = rec_mono_ms();
	uint64_t deadline = o->seconds ? now + o->seconds * 1000 : 0;
	uint64_t next_sweep = now, next_flush = now + FLUSH_MS;
	uint64_t next_clock = now + CLOCK_MS;
	int err = 0;

	while (!stop_requested && !s->werr) {
		uint64_t wait = POLL_MS;

		if (s->max_events && s->events >= s->max_events)
			break;
		now = rec_mono_ms();
		if (deadline && now >= deadline)
			break;
		if (next_sweep > now && next_sweep - now < wait)
			wait = next_sweep - now;
		else if (next_sweep <= now)
			wait = 0;
		if (deadline && deadline - now < wait)
			wait = deadline - now;
		err = rec_perfbuf_poll(s, (int)wait);
		if (err)
			break;

		now = rec_mono_ms();
		if (now >= next_sweep) {
			err = rec_perfbuf_sweep(s);
			if (err)
				break;
			next_sweep = now + SWEEP_MS;
		}
		if (now >= next_clock) {
			rec_meta_clock(s);
			next_clock = now + CLOCK_MS;
		}
		if (now >= next_flush) {
			rec_flush(s);
			next_flush = now + FLUSH_MS;
		}
	}
	return s->werr ? s->werr : err;
}

/* Detach, read what is left, and close the file with END. */
static int finish(struct rec_session *s)
{
	uint64_t output_failed = 0, recursion_misses = 0;
	int err;

	rec_probes_detach(s);
	err = rec_perfbuf_sweep(s);
	if (err)
		return err;
	/* Totals are still worth writing if the counters cannot be read. */
	rec_probes_totals(s, &output_failed, &recursion_misses);
	err = rec_meta_end(s, output_failed, recursion_misses);
	if (!err)
		err = rec_flush(s);
	if (!err && s->malformed)
		fprintf(stderr, "sockrec: %llu malformed samples dropped\n",
			(unsigned long long)s->malformed);
	/* output_failed counts every loss, including those the ring reported. */
	if (output_failed > s->lost)
		s->lost = output_failed;
	return err;
}

static int run(struct rec_session *s, const struct options *o, int argc,
	       char **argv)
{
	int err;

	err = rec_probes_load(s);
	if (err)
		return err;
	/* The buffer exists before the hooks fire, so no early event fails. */
	err = rec_perfbuf_open(s);
	if (!err)
		err = rec_probes_attach(s);
	if (!err)
		err = rec_meta_begin(s, argc, argv);
	if (!err)
		err = rec_probes_write(s);
	if (!err)
		err = rec_flush(s);
	if (!err) {
		err = record_loop(s, o);
		/* A failed poll still deserves an END; a failed write cannot have one. */
		if (!s->werr) {
			int ferr = finish(s);

			if (!err)
				err = ferr;
		}
	}
	rec_perfbuf_close(s);
	rec_probes_close(s);
	return err;
}

int main(int argc, char **argv)
{
	struct options o = { 0 };
	struct rec_session s = { 0 };
	bool created = false;
	uint64_t bytes_out = 0;
	struct stat st;
	int status, err;

	status = parse_args(argc, argv, &o);
	if (status >= 0)
		return status;
	if (!has_bpf_caps()) {
		fprintf(stderr, "sockrec: loading BPF programs needs root "
			"(CAP_BPF and CAP_PERFMON): %s\n", strerror(EPERM));
		return 1;
	}
	err = install_signals();
	if (err) {
		fprintf(stderr, "sockrec: installing signal handlers: %s\n",
			strerror(-err));
		return 1;
	}

	s.out_fd = open_output(o.out_path, &s.out_name);
	if (s.out_fd < 0)
		return 1;
	created = s.out_fd != STDOUT_FILENO && fstat(s.out_fd, &st) == 0 &&
		  S_ISREG(st.st_mode);
	s.max_events = o.count;
	s.pb_pages = PB_PAGES;
	s.ncpus = libbpf_num_possible_cpus();
	if (s.ncpus <= 0) {
		fprintf(stderr, "sockrec: counting possible CPUs: %s\n",
			strerror(s.ncpus < 0 ? -s.ncpus : EINVAL));
		status = 1;
		goto out;
	}
	err = skr_writer_open(&s.w, s.out_fd, NULL);
	if (err) {
		fprintf(stderr, "sockrec: starting the writer: %s\n",
			strerror(-err));
		status = 1;
		goto out;
	}

	err = run(&s, &o, argc, argv);
	if (s.werr)
		fprintf(stderr, "sockrec: writing %s: %s\n", s.out_name,
			strerror(-s.werr));
	status = err ? 1 : 0;
	bytes_out = skr_writer_bytes_out(s.w);
	/* After a write error the file holds fewer events than were read. */
	if (bytes_out)
		fprintf(stderr, "sockrec: %llu events %s, %llu lost, %llu bytes written to %s\n",
			(unsigned long long)s.events,
			s.werr ? "read" : "recorded",
			(unsigned long long)s.lost,
			(unsigned long long)bytes_out, s.out_name);
out:
	/* Flushed already when all went well; otherwise this only repeats an error. */
	err = skr_writer_close(s.w);
	if (err && status == 0) {
		fprintf(stderr, "sockrec: writing %s: %s\n", s.out_name,
			strerror(-err));
		status = 1;
	}
	/* Nothing recorded: do not leave an empty file that looks like a trace. */
	if (created && status != 0 && bytes_out == 0)
		unlink(o.out_path);
	if (s.out_fd > STDOUT_FILENO && close(s.out_fd) && status == 0) {
		fprintf(stderr, "sockrec: closing %s: %s\n", s.out_name,
			strerror(errno));
		status = 1;
	}
	return status;
}
