// SPDX-License-Identifier: BSD-2-Clause
/*
 * The sockrec command line: every option, its range check and its help.
 *
 * Other modules' options (filters, sock_diag sampling) are parsed here too:
 * add the long option to longopts, the letter to SHORTOPTS, a line to the
 * help, and a case that hands optarg to the module's own parser.
 */
#include <errno.h>
#include <getopt.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>
#include <zstd.h>

#include "format/skr_cli.h"
#include "record/sockrec.h"

#define EXIT_USAGE	SKR_EXIT_USAGE

#define MAX_SECONDS	(100ull * 365 * 24 * 3600)
#define LEVEL_DEFAULT	1
#define LEVEL_MAX	19	/* higher levels want windows a reader refuses */
#define PAGES_DEFAULT	0	/* per CPU: perfbuf.c chooses (1024, less on many CPUs) */
#define PAGES_MAX	65536	/* 256 MiB per CPU */
#define ROTATE_MIN	4096	/* below this the metadata alone fills a file */
#define RING_MAX	1000000
#define COMMENT_MAX	4096

/*
 * Letters of every module's short options.  '+': options end at the first
 * word that is not one, so the options of -- CMD ARGS stay CMD's.
 */
#define SHORTOPTS	"+:o:d:c:C:G:W:z:UZ:qp:46hV"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: sockrec -o FILE [options]\n"
		"       sockrec -o FILE [options] -- CMD [ARGS...]\n"
		"Record the life of TCP sockets into a trace file (needs root).\n"
		"\n"
		"Output:\n"
		"  -o, --output FILE      write the trace to FILE ('-': standard output,\n"
		"                         which must not be a terminal)\n"
		"  -C, --file-size SIZE   start a new file once this one holds SIZE\n"
		"                         compressed bytes (suffix k, M or G: KiB, MiB, GiB;\n"
		"                         at least 4k); a file may pass SIZE by one frame\n"
		"  -G, --file-time SECS   start a new file every SECS seconds\n"
		"  -W, --files N          with -C or -G: keep only the N newest files\n"
		"                         (the oldest is deleted when a new one starts)\n"
		"  -z, --level LEVEL      zstd level, 1 (fast, default) to 19 (small)\n"
		"  -U, --unbuffered       end a frame after every read of the buffers\n"
		"                         (~10 per second) instead of once a second\n"
		"      --comment TEXT     store TEXT in the file (sockana --info shows it)\n"
		"      --print            also print each event on standard output as it\n"
		"                         is read, one line each, as sockana --events\n"
		"                         prints them (not with -o -)\n"
		"\n"
		"Session:\n"
		"  -d, --duration SECONDS stop after SECONDS\n"
		"  -c, --count COUNT      stop after COUNT events\n"
		"      --buffer-pages N   perf buffer pages per CPU, a power of two\n"
		"                         (default 1024, fewer beyond 16 CPUs: 64 MiB\n"
		"                         in all)\n"
		"      --recover-misses   also record the events the kernel skips when\n"
		"                         a program is re-entered on its CPU (a second\n"
		"                         program per hook, ~40 ns more per event)\n"
		"      --keep-benign-drops  also record the packet frees kfree_skb\n"
		"                         reports although nothing failed (a segment\n"
		"                         a TIME_WAIT socket handled, a FIN freed with\n"
		"                         its closed socket); by default they are only\n"
		"                         counted (sockana --info shows how many)\n"
		"  -Z, --user USER        once the probes are attached, give the output\n"
		"                         files to USER and run as USER (and CMD too)\n"
		"  -q, --quiet            no status line, no summary\n"
		"      --sample-interval MS  sample every listener's accept queue and\n"
		"                         drops every MS milliseconds (default 250;\n"
		"                         0: only the snapshot at the start of a file)\n"
		"      --list-probes      show which kernel hooks this kernel offers and\n"
		"                         which tier each would use, and exit\n"
		"  -h, --help             show this help and exit\n"
		"  -V, --version          show the version, the libraries' and the\n"
		"                         trace format's, and exit\n"
		"\n"
		"Filters (in the kernel; repeated -p/--port: any of them):\n"
		"  -p, --pid PID          sockets of process PID (their softirq events too)\n"
		"      --comm NAME        sockets of tasks named NAME\n"
		"      --cgroup PATH      sockets of tasks in cgroup v2 PATH or below\n"
		"      --port PORT        sockets with local or remote port PORT\n"
		"      --netns NS         sockets of network namespace NS (inode number,\n"
		"                         or a path such as /run/netns/NAME)\n"
		"  -4, -6                 IPv4 or IPv6 sockets only\n"
		"\n"
		"With -- CMD [ARGS...], sockrec runs CMD and records only its sockets and\n"
		"those of every process and thread it starts: CMD runs in a cgroup (v2)\n"
		"that sockrec creates (sockrec-PID-RANDOM at the cgroup2 mount) and\n"
		"filters on, and starts only once recording has begun.  Recording stops\n"
		"when CMD exits, and sockrec exits with CMD's status (128+N if signal N\n"
		"ended it).  SIGINT and SIGTERM are passed on to CMD (a terminal's ^C\n"
		"reaches it directly); recording goes on until CMD exits.  The cgroup is\n"
		"removed at the end if it is empty.  With -o -, CMD's standard output\n"
		"goes to standard error.  -p and --cgroup do not apply; -Z runs CMD as\n"
		"USER (its groups too).\n"
		"\n"
		"With -C or -G, FILE is a prefix: the files are FILE.0, FILE.1, ...; each\n"
		"is a complete trace, and 'cat FILE.0 FILE.1 ...' in index order is one\n"
		"trace too.  A series starts only where no FILE.N exists.\n"
		"\n"
		"sockrec creates its files itself (mode 0600) and follows no symbolic link;\n"
		"an existing -o FILE is replaced only if it is a regular file of the user\n"
		"sockrec runs as, with one link.  -Z gives away only files it created.\n"
		"\n"
		"On a terminal, a status line on stderr shows events, losses, bytes and\n"
		"rate; SIGUSR1 prints it at any time.  SIGINT or SIGTERM ends the\n"
		"recording cleanly; a second SIGINT ends it at once, leaving the file\n"
		"readable up to its last flush (within ~1 s).\n"
		"\n"
		"Environment:\n"
		"  SKR_PROBE_TIER=tp_btf|tracepoint  attach every hook in that tier\n"
		"                         only (the others are recorded as disabled), to\n"
		"                         test the classic tracepoints on a kernel with\n"
		"                         tp_btf\n"
		"\n"
		"Exit status: 0 success, 1 failure, 2 usage error, 130 after a second\n"
		"SIGINT.\n");
}

static int misuse(const char *fmt, const char *arg)
{
	fputs("sockrec: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs("\nTry 'sockrec --help'.\n", stderr);
	return EXIT_USAGE;
}

int rec_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
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

/* A byte count with an optional binary suffix: 4096, 64k, 10M, 2G. */
static int parse_size(const char *s, uint64_t min, uint64_t *out)
{
	unsigned long long v;
	unsigned shift = 0;
	char *end;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -EINVAL;
	switch (*end) {
	case '\0':
		break;
	case 'k': case 'K':
		shift = 10;
		end++;
		break;
	case 'M':
		shift = 20;
		end++;
		break;
	case 'G':
		shift = 30;
		end++;
		break;
	default:
		return -EINVAL;
	}
	if (*end != '\0')
		return -EINVAL;
	if (v > (UINT64_MAX >> shift))
		return -ERANGE;
	v <<= shift;
	if (v < min)
		return -ERANGE;
	*out = v;
	return 0;
}

/* -Z must name a real user, found now: after the drop there is no fixing it. */
static int resolve_user(struct rec_options *o)
{
	struct passwd *pw;

	errno = 0;
	pw = getpwnam(o->user);
	if (!pw)
		return errno ? -errno : -ENOENT;
	o->uid = pw->pw_uid;
	o->gid = pw->pw_gid;
	return 0;
}

static int check_combinations(struct rec_options *o)
{
	bool rotating = o->rotate_bytes || o->rotate_secs;
	int err;

	if (!o->out_path)
		return misuse("%s", "no output file: use -o FILE");
	if (o->ring && !rotating)
		return misuse("%s", "-W needs -C or -G");
	if (rotating && strcmp(o->out_path, "-") == 0)
		return misuse("%s", "-C and -G need a file name, not '-'");
	if (o->print && strcmp(o->out_path, "-") == 0)
		return misuse("%s", "--print writes to standard output, which -o - "
			      "already holds; use -o FILE");
	if (o->cmd) {
		struct rec_task_filter tf;

		rec_filters_task(&tf);
		if (tf.npids)
			return misuse("%s", "-p cannot be used with -- CMD: the processes "
				      "recorded are CMD and those it starts");
		if (tf.cgroup_fd >= 0)
			return misuse("%s", "--cgroup cannot be used with -- CMD: CMD runs "
				      "in a cgroup of its own, made by sockrec");
	}
	if (o->user) {
		err = resolve_user(o);
		if (err == -ENOENT)
			return misuse("-Z: no such user '%s'", o->user);
		if (err) {
			fprintf(stderr, "sockrec: looking up user %s: %s\n",
				o->user, strerror(-err));
			return 1;
		}
	}
	return -1;
}

int rec_options_parse(int argc, char **argv, struct rec_options *o)
{
	enum {
		OPT_COMMENT = 256, OPT_BUFFER_PAGES,
		/* other modules' long-only options: add after this line */
		OPT_COMM, OPT_PORT, OPT_NETNS, OPT_CGROUP, OPT_LIST_PROBES,
		OPT_SAMPLE_INTERVAL, OPT_RECOVER_MISSES, OPT_PRINT, OPT_KEEP_BENIGN,
	};
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "duration", required_argument, NULL, 'd' },
		{ "count", required_argument, NULL, 'c' },
		{ "file-size", required_argument, NULL, 'C' },
		{ "file-time", required_argument, NULL, 'G' },
		{ "files", required_argument, NULL, 'W' },
		{ "level", required_argument, NULL, 'z' },
		{ "unbuffered", no_argument, NULL, 'U' },
		{ "user", required_argument, NULL, 'Z' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "comment", required_argument, NULL, OPT_COMMENT },
		{ "buffer-pages", required_argument, NULL, OPT_BUFFER_PAGES },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "sample-interval", required_argument, NULL, OPT_SAMPLE_INTERVAL },
		{ "pid", required_argument, NULL, 'p' },
		{ "comm", required_argument, NULL, OPT_COMM },
		{ "port", required_argument, NULL, OPT_PORT },
		{ "netns", required_argument, NULL, OPT_NETNS },
		{ "cgroup", required_argument, NULL, OPT_CGROUP },
		{ "list-probes", no_argument, NULL, OPT_LIST_PROBES },
		{ "recover-misses", no_argument, NULL, OPT_RECOVER_MISSES },
		{ "print", no_argument, NULL, OPT_PRINT },
		{ "keep-benign-drops", no_argument, NULL, OPT_KEEP_BENIGN },
		/* other modules' options: add before this line */
		{ NULL, 0, NULL, 0 },
	};
	uint64_t v;
	int c, at;

	o->level = LEVEL_DEFAULT;
	o->buffer_pages = PAGES_DEFAULT;
	o->sample_ms = REC_DIAG_INTERVAL_MS;
	o->argc = argc;
	o->argv = argv;
	opterr = 0;
	/* at: where each call starts, to tell a "--" that ended the options. */
	while ((at = optind, c = getopt_long(argc, argv, SHORTOPTS, longopts,
					     NULL)) != -1) {
		switch (c) {
		case 'o':
			o->out_path = optarg;
			break;
		case 'd':
			if (rec_parse_u64(optarg, 1, MAX_SECONDS, &o->seconds))
				return misuse("-d wants a number of seconds from 1, not '%s'",
					      optarg);
			break;
		case 'c':
			if (rec_parse_u64(optarg, 1, UINT64_MAX, &o->count))
				return misuse("-c wants a count from 1, not '%s'",
					      optarg);
			break;
		case 'C':
			if (parse_size(optarg, ROTATE_MIN, &o->rotate_bytes))
				return misuse("-C wants a size from 4k (suffix k, M or G), not '%s'",
					      optarg);
			break;
		case 'G':
			if (rec_parse_u64(optarg, 1, MAX_SECONDS, &o->rotate_secs))
				return misuse("-G wants a number of seconds from 1, not '%s'",
					      optarg);
			break;
		case 'W':
			if (rec_parse_u64(optarg, 1, RING_MAX, &v))
				return misuse("-W wants a number of files from 1, not '%s'",
					      optarg);
			o->ring = (uint32_t)v;
			break;
		case 'z':
			if (rec_parse_u64(optarg, 1, LEVEL_MAX, &v))
				return misuse("-z wants a zstd level from 1 to 19, not '%s'",
					      optarg);
			o->level = (int)v;
			break;
		case 'U':
			o->flush_each_sweep = true;
			break;
		case 'Z':
			o->user = optarg;
			break;
		case 'q':
			o->quiet = true;
			break;
		case OPT_COMMENT:
			if (strlen(optarg) > COMMENT_MAX)
				return misuse("--comment is longer than 4096 bytes: '%.40s...'",
					      optarg);
			o->comment = optarg;
			break;
		case OPT_BUFFER_PAGES:
			if (rec_parse_u64(optarg, 1, PAGES_MAX, &v) || (v & (v - 1)))
				return misuse("--buffer-pages wants a power of two from 1 to 65536, not '%s'",
					      optarg);
			o->buffer_pages = (size_t)v;
			break;
		/* other modules' options: add their cases here */
		case 'p': case OPT_COMM: case OPT_PORT: case OPT_NETNS:
		case OPT_CGROUP: case '4': case '6': {
			const char *why = NULL;
			int f = c == 'p' ? REC_FILTER_PID :
				c == OPT_COMM ? REC_FILTER_COMM :
				c == OPT_PORT ? REC_FILTER_PORT :
				c == OPT_NETNS ? REC_FILTER_NETNS :
				c == OPT_CGROUP ? REC_FILTER_CGROUP :
				c == '4' ? REC_FILTER_INET : REC_FILTER_INET6;

			if (rec_filters_parse(f, optarg, &why))
				return misuse(why, optarg ? optarg : "");
			break;
		}
		case OPT_LIST_PROBES:
			return rec_probes_list();
		case OPT_PRINT:
			o->print = true;
			break;
		case OPT_RECOVER_MISSES:
			o->recover_misses = true;
			break;
		case OPT_KEEP_BENIGN:
			o->keep_benign_drops = true;
			break;
		case OPT_SAMPLE_INTERVAL:
			if (rec_diag_parse_interval(optarg, &o->sample_ms))
				return misuse("--sample-interval wants milliseconds from 0 (off) to 3600000, not '%s'",
					      optarg);
			break;
		case 'h':
			usage(stdout);
			return fflush(stdout) ? 1 : 0;
		case 'V':
			printf("sockrec %s\n"
			       "trace format: writes %u.%u\n"
			       "libbpf %s, libzstd %s\n",
			       SKR_VERSION, SKR_VERSION_MAJOR, SKR_VERSION_MINOR,
			       libbpf_version_string(), ZSTD_versionString());
			return fflush(stdout) ? 1 : 0;
		default:
			return skr_cli_refused("sockrec", c, argv, longopts);
		}
	}
	if (optind == at + 1 && strcmp(argv[at], "--") == 0) {
		if (optind == argc)
			return misuse("%s", "'--' must be followed by the command to run");
		o->cmd = &argv[optind];
	} else if (optind < argc) {
		return misuse("unexpected argument '%s'", argv[optind]);
	}
	return check_combinations(o);
}
