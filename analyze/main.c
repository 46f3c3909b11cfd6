/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sockana: read a sockrec trace and report on the lives of its TCP sockets.
 * This file is the command line only; the analysis lives in run.c and the
 * modules it calls, so that tests can drive it without a process.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zstd.h>

#include "analyze/clock.h"
#include "analyze/filter.h"
#include "analyze/pairs.h"
#include "analyze/out.h"
#include "analyze/redact.h"
#include "analyze/run.h"
#include "analyze/views.h"
#include "analyze/wallclock.h"
#include "format/skr.h"
#include "format/skr_cli.h"

#ifndef SKR_VERSION
#define SKR_VERSION "unknown"
#endif

#define EXIT_USAGE	SKR_EXIT_USAGE

static const char usage_text[] =
"Usage: sockana [REPORT] [OPTIONS] FILE...\n"
"Report on the lives of the TCP sockets in sockrec traces.\n"
"FILE '-' reads standard input.  Several files (a rotated series, or\n"
"traces of several hosts) are merged in time order.\n"
"\n"
"Reports (one at a time; the default is the diagnosis):\n"
"  (none)        what went wrong: sockets by outcome, failed connects by\n"
"                reason and remote, resets, listen overflows, sockets left\n"
"                in CLOSE_WAIT, lost events, truncation\n"
"  --info        what the file holds: host, recorder, probes, filters,\n"
"                time span, events by type, lost events, sizes\n"
"  --timeline    every event of every socket, with wall time, offset from\n"
"                the socket's first event and time in the previous state\n"
"  --latency     connect, handshake, accept wait, close and lifetime:\n"
"                count, min, p50, p90, p99, max and log2 histograms\n"
"  --backlog     per listener: backlog asked and effective, accepts,\n"
"                accept-queue length, overflows, SYN-ACK retransmits\n"
"  --connections one row per socket: endpoints, role, owner, times,\n"
"                connect/handshake/accept-wait/lifetime, bytes, outcome\n"
"  --events      one line per event in time order, as sockrec --print\n"
"                writes them (the default with --follow)\n"
"\n"
"Watching live:\n"
"  --follow      FILE is still being written (sockrec -o FILE): print\n"
"                each event within about a second of it, or with\n"
"                --timeline each socket's block once it is closed and\n"
"                its grace is over (about 2.5 s after its close); other\n"
"                reports are written at the end.  Stops at the END of\n"
"                the recording or on Ctrl-C; a rotated one (FILE.0 of\n"
"                sockrec -C or -G) file after file.  FILE '-' on a\n"
"                pipe is always followed, to the end of the pipe.\n"
"  --html OUT    one self-contained HTML page for a bug report, written to\n"
"                OUT ('-': standard output): the diagnosis, a lane per\n"
"                socket coloured by state with its events marked (grouped\n"
"                by outcome and remote past 3000 sockets), accept queues\n"
"                over time, connect and accept-wait latency; a failed run\n"
"                leaves OUT as it was\n"
"  --trace-event OUT  a Trace Event Format file (JSON) in OUT ('-':\n"
"                standard output) for ui.perfetto.dev or chrome://tracing:\n"
"                a track per socket by owner, state slices, resets and\n"
"                errors, accept-queue counters\n"
"\n"
"Options:\n"
"  --by remote|local|process  group --latency by endpoint or owner\n"
"  --json        JSON Lines: one object per row (every report)\n"
"  --csv         CSV with a header line (--timeline, --latency, --backlog,\n"
"                --connections)\n"
"\n"
"Filters (different filters AND, a repeated one ORs):\n"
"  --pid PID     owner process      --comm NAME   owner task name\n"
"  --port PORT   local or remote    --addr ADDR[/BITS]  local or remote\n"
"  --netns INODE                    --state STATE  passed through STATE\n"
"  --socket ID   one socket (ids as printed: #ID); --timeline adds its\n"
"                peer, the connection's other end, in one time order\n"
"  --since T, --until T  ISO 8601 (2026-11-22T10:00:01Z, or with an\n"
"                offset such as +01:00; UTC without one) or +SECONDS\n"
"                from the first event; a socket is kept if its life\n"
"                overlaps the range, and --timeline shows only its events\n"
"                inside it\n"
"\n"
"Several hosts (docs/OUTPUT.md, Pairs):\n"
"  --map-addr A[:PORT]=B[:PORT]  address A seen by one end is B at the\n"
"                other (NAT); IPv6 as [ADDR]:PORT; up to 16\n"
"  --clock-offset HOST=SECONDS  add SECONDS to HOST's times instead of\n"
"                the offset estimated from connections both traces saw\n"
"\n"
"  --localtime    print times in the local zone (TZ), with their offset,\n"
"                 instead of UTC\n"
"  -h, --help     show this help and exit\n"
"  -V, --version  show the version, the libzstd and trace format\n"
"                 versions, and exit\n"
"\n"
"To publish a trace: sockana --redact KEYFILE [--keep-comm] -o OUT FILE\n"
"(see sockana --redact --help).\n"
"\n"
"Sockets are numbered #1, #2, ... in order of first appearance and\n"
"identified by (host, network namespace, socket cookie), never by\n"
"address; a socket used again after CLOSE gets a new number.  Ids do not\n"
"depend on the filters.  A socket's owner is the process seen in its\n"
"owning call (connect, listen, accept); transitions run in softirq show\n"
"the context instead of the interrupted task.  A --timeline block is\n"
"printed when the socket's life ends, so closed sockets come in order of\n"
"closing; sockets open at the end follow in order of first appearance.\n"
"Output formats are described in docs/OUTPUT.md.  Long options may be\n"
"abbreviated.\n"
"\n"
"Exit status: 0 success, 1 unreadable or invalid trace, 2 usage error.\n";

static void err_printf(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static void err_printf(const char *fmt, ...)
{
	va_list ap;

	fputs("sockana: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static int usage_error(const char *what, const char *arg)
{
	if (arg)
		err_printf("%s '%s'", what, arg);
	else
		err_printf("%s", what);
	fputs("Try 'sockana --help'.\n", stderr);
	return EXIT_USAGE;
}

/* --follow: the first SIGINT or SIGTERM ends the input; a second kills. */
static volatile sig_atomic_t stop_flag;

static void on_stop(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static bool stop_requested(void)
{
	return stop_flag != 0;
}

static int follow_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	/* No SA_RESTART: a wait for input ends at once and sees the flag. */
	sa.sa_flags = SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGINT, &sa, NULL) != 0 ||
	    sigaction(SIGTERM, &sa, NULL) != 0)
		return -errno;
	return 0;
}

/* Standard input is a pipe or a socket, not a file or a terminal. */
static bool stdin_is_stream(void)
{
	struct stat sb;

	if (fstat(STDIN_FILENO, &sb) != 0)
		return false;
	return S_ISFIFO(sb.st_mode) || S_ISSOCK(sb.st_mode);
}

/*
 * The file a report such as --html names.  It is written as a new file
 * beside it (mkstemp: no link followed, nothing truncated) and renamed over
 * it once complete, so that a failed run leaves no half page and the file
 * that was there before stays; one of the traces read is never replaced.
 * Returns the stream, or NULL after saying why.
 */
static FILE *report_open(const char *path, const char *const *inputs,
			 size_t n, char *tmp, size_t tmpsize)
{
	struct stat so, si;
	mode_t mask;
	FILE *f;
	size_t i;
	int fd, k;

	if (stat(path, &so) == 0) {
		for (i = 0; i < n; i++) {
			if (strcmp(inputs[i], "-") != 0 &&
			    stat(inputs[i], &si) == 0 &&
			    si.st_dev == so.st_dev && si.st_ino == so.st_ino) {
				err_printf("%s: is a trace to read; not "
					   "replacing it", path);
				return NULL;
			}
		}
	}
	k = snprintf(tmp, tmpsize, "%s.XXXXXX", path);
	if (k < 0 || (size_t)k >= tmpsize) {
		err_printf("%s: name too long", path);
		return NULL;
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		err_printf("%s: %s", path, strerror(errno));
		return NULL;
	}
	/* mkstemp makes it 0600; the page gets the mode fopen would give. */
	mask = umask(0);
	umask(mask);
	if (fchmod(fd, 0666 & ~mask) != 0) {
		err_printf("%s: %s", path, strerror(errno));
		close(fd);
		unlink(tmp);
		return NULL;
	}
	f = fdopen(fd, "w");
	if (!f) {
		err_printf("%s: %s", path, strerror(errno));
		close(fd);
		unlink(tmp);
		return NULL;
	}
	return f;
}

/*
 * An input read to its end (not followed) is decoded a frame ahead on a
 * second core; SOCKANA_PREFETCH=0 keeps it on one (docs/PERFORMANCE.md).
 * Past SA_PREFETCH_INPUTS inputs there are more threads than cores to run
 * them, and each costs a frame buffer more (docs/FORMAT.md §11.2): none.
 * Nor with one core online, nor for a file under SA_PREFETCH_MIN_BYTES:
 * a few frames decode in less time than a thread takes to start and hand
 * them over, and in an emulated guest the thread costs far more.
 */
#define SA_PREFETCH_INPUTS	4
#define SA_PREFETCH_MIN_BYTES	(512 << 10)

static bool prefetch_on;

static void prefetch(struct skr_reader *r, const char *path)
{
	struct stat st;

	if (!prefetch_on)
		return;
	if (strcmp(path, "-") != 0 && stat(path, &st) == 0 &&
	    S_ISREG(st.st_mode) && st.st_size < SA_PREFETCH_MIN_BYTES)
		return;
	(void)skr_reader_prefetch(r, true);
}

/* out_path: the file a report such as --html names, NULL for stdout. */
/* The clock pass reads each input again; standard input only once. */
static int reopen(void *ctx, size_t i, struct skr_reader **r)
{
	const char *const *paths = ctx;
	int err;

	if (strcmp(paths[i], "-") == 0)
		return -ESPIPE;
	err = skr_reader_open(r, paths[i]);
	if (!err)
		prefetch(*r, paths[i]);
	return err;
}

static int analyze(const char *const *paths, size_t n,
		   struct sa_run_opts *opts, const char *out_path)
{
	static char outbuf[64 << 10];	/* glibc ignores a size without a buffer */
	struct skr_reader *r[SA_INPUTS_MAX];
	const char *names[SA_INPUTS_MAX];
	size_t i, opened = 0;
	char msg[512], tmp[4096];
	int err, status = EXIT_FAILURE;
	FILE *out = stdout;

	prefetch_on = n <= SA_PREFETCH_INPUTS && !opts->follow &&
		      sysconf(_SC_NPROCESSORS_ONLN) > 1 &&
		      !(getenv("SOCKANA_PREFETCH") &&
			strcmp(getenv("SOCKANA_PREFETCH"), "0") == 0);
	for (i = 0; i < n; i++) {
		err = skr_reader_open(&r[i], paths[i]);
		if (err) {
			err_printf("%s: %s", paths[i], strerror(-err));
			goto out;
		}
		opened++;
		prefetch(r[i], paths[i]);
		/* The reader names standard input "(stdin)"; say the same. */
		names[i] = strcmp(paths[i], "-") == 0 ? "(stdin)" : paths[i];
	}
	opts->name = names[0];
	opts->names = names;
	opts->warn_to = stderr;
	if (opts->follow) {
		err = follow_signals();
		if (err) {
			err_printf("installing signal handlers: %s",
				   strerror(-err));
			goto out;
		}
		opts->stop = stop_requested;
	}
	/* A followed input is read once, as it grows: no clock pass. */
	if (!opts->follow) {
		opts->reopen = reopen;
		opts->reopen_ctx = (void *)paths;
	}
	/*
	 * Into a pipe or a file, write in 64 KiB pieces rather than stdio's
	 * 4 KiB: --connections --json writes some 700 bytes a socket, and a
	 * write() per six sockets cost it several percent of its time.
	 */
	if (out_path && strcmp(out_path, "-") != 0) {
		out = report_open(out_path, paths, n, tmp, sizeof(tmp));
		if (!out) {
			out = stdout;
			goto out;
		}
	}
	if (!isatty(fileno(out)))
		setvbuf(out, outbuf, _IOFBF, sizeof(outbuf));
	err = sa_run_many(r, n, opts, out, msg, sizeof(msg));
	if (err) {
		fflush(out);
		err_printf("%s", msg);
		goto out;
	}
	if (fflush(out) != 0 || ferror(out)) {
		err_printf("writing the report%s%s: %s", out != stdout ? " to " : "",
			   out != stdout ? out_path : "", strerror(errno));
		goto out;
	}
	status = EXIT_SUCCESS;
out:
	if (out != stdout) {
		if (fclose(out) != 0 && status == EXIT_SUCCESS) {
			err_printf("writing %s: %s", out_path, strerror(errno));
			status = EXIT_FAILURE;
		}
		if (status == EXIT_SUCCESS && rename(tmp, out_path) != 0) {
			err_printf("%s: %s", out_path, strerror(errno));
			status = EXIT_FAILURE;
		}
		if (status != EXIT_SUCCESS)
			unlink(tmp);
	}
	for (i = 0; i < opened; i++)
		skr_reader_free(r[i]);
	return status;
}

static int print_version(void)
{
	printf("sockana %s\n"
	       "trace format: reads 1.x and %u.x (%u.%u and older in full, "
	       "newer %u.x skipping what it does not know); --redact writes "
	       "%u.%u\n"
	       "libzstd %s\n",
	       SKR_VERSION, SKR_VERSION_MAJOR, SKR_VERSION_MAJOR,
	       SKR_VERSION_MINOR, SKR_VERSION_MAJOR, SKR_VERSION_MAJOR,
	       SKR_VERSION_MINOR, ZSTD_versionString());
	return fflush(stdout) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

/*
 * getopt_long's table: the fixed options, then one entry per view that has
 * an option, taken from the view table (views.c), so that a new view needs
 * no change here.
 */
enum {
	OPT_JSON = 256, OPT_CSV, OPT_BY, OPT_LOCALTIME, OPT_FOLLOW,
	/*
	 * One value per filter: getopt_long calls a prefix ambiguous only
	 * between options that differ, so "--s" would be --state.
	 */
	OPT_PID, OPT_COMM, OPT_PORT, OPT_ADDR, OPT_NETNS, OPT_STATE,
	OPT_SOCKET, OPT_SINCE, OPT_UNTIL, OPT_MAP_ADDR, OPT_CLOCK_OFFSET,
	OPT_VIEW,			/* OPT_VIEW + i: the view sa_view_at(i) */
};

static const struct option fixed_opts[] = {
	{ "json", no_argument, NULL, OPT_JSON },
	{ "csv", no_argument, NULL, OPT_CSV },
	{ "by", required_argument, NULL, OPT_BY },
	{ "localtime", no_argument, NULL, OPT_LOCALTIME },
	{ "follow", no_argument, NULL, OPT_FOLLOW },
	{ "map-addr", required_argument, NULL, OPT_MAP_ADDR },
	{ "clock-offset", required_argument, NULL, OPT_CLOCK_OFFSET },
	/* sa_filter_parse() takes these, by their name */
	{ "pid", required_argument, NULL, OPT_PID },
	{ "comm", required_argument, NULL, OPT_COMM },
	{ "port", required_argument, NULL, OPT_PORT },
	{ "addr", required_argument, NULL, OPT_ADDR },
	{ "netns", required_argument, NULL, OPT_NETNS },
	{ "state", required_argument, NULL, OPT_STATE },
	{ "socket", required_argument, NULL, OPT_SOCKET },
	{ "since", required_argument, NULL, OPT_SINCE },
	{ "until", required_argument, NULL, OPT_UNTIL },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
};

#define NFIXED	(sizeof(fixed_opts) / sizeof(fixed_opts[0]))

/* Fill opts (room for NFIXED + SA_VIEWS_MAX + 1); the last entry is zero. */
static void build_longopts(struct option *opts)
{
	size_t i, n = NFIXED;

	memcpy(opts, fixed_opts, sizeof(fixed_opts));
	for (i = 0; i < sa_view_count(); i++) {
		const struct sa_view *v = sa_view_at(i);

		if (!v->option || n == NFIXED + SA_VIEWS_MAX)
			continue;
		opts[n].name = v->option + 2;	/* past "--" */
		opts[n].has_arg = v->arg ? required_argument : no_argument;
		opts[n].flag = NULL;
		opts[n].val = OPT_VIEW + (int)i;
		n++;
	}
	memset(&opts[n], 0, sizeof(opts[n]));
}

int main(int argc, char **argv)
{
	static struct option longopts[NFIXED + SA_VIEWS_MAX + 1];
	static struct sa_run_opts opts;
	const struct sa_view *chosen = NULL;
	const char *out_path = NULL;
	bool by_set = false;
	char name[32], msg[200], kinds[96];
	int c, idx = 0, n;

	if (sa_redact_wanted(argc, argv))
		return sa_redact_main(argc, argv);
	build_longopts(longopts);
	memset(&opts, 0, sizeof(opts));
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hV", longopts, &idx)) != -1) {
		/* The option's full name, for messages: "--lat" means --latency. */
		if (c >= OPT_JSON) {
			n = snprintf(name, sizeof(name), "--%s",
				     longopts[idx].name);
			if (n < 0 || (size_t)n >= sizeof(name))
				return usage_error("option name too long", NULL);
		}
		if (c >= OPT_VIEW) {
			const struct sa_view *v = sa_view_at((size_t)(c - OPT_VIEW));

			if (chosen && chosen != v)
				return usage_error("one report at a time; also "
						   "asked for", name);
			chosen = v;
			if (v->arg)
				out_path = optarg;
			continue;
		}
		switch (c) {
		case 'h':
			fputs(usage_text, stdout);
			return fflush(stdout) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
		case 'V':
			return print_version();
		case OPT_JSON: case OPT_CSV: {
			enum sa_format f = c == OPT_JSON ? SA_FORMAT_JSON
							 : SA_FORMAT_CSV;

			if (opts.format != SA_FORMAT_TEXT && opts.format != f)
				return usage_error("one output format at a "
						   "time; also asked for", name);
			opts.format = f;
			break;
		}
		case OPT_BY:
			if (strcmp(optarg, "remote") == 0)
				opts.by = SA_BY_REMOTE;
			else if (strcmp(optarg, "local") == 0)
				opts.by = SA_BY_LOCAL;
			else if (strcmp(optarg, "process") == 0)
				opts.by = SA_BY_PROCESS;
			else
				return usage_error("--by takes remote, local or "
						   "process, not", optarg);
			by_set = true;
			break;
		case OPT_LOCALTIME:
			sa_wallclock_use_local(true);
			break;
		case OPT_FOLLOW:
			opts.follow = true;
			break;
		case OPT_MAP_ADDR:
			if (opts.nmap == SA_ADDR_MAP_MAX)
				return usage_error("too many --map-addr; at "
						   "most 16, extra", optarg);
			if (sa_pairs_parse_map(optarg, &opts.map[opts.nmap],
					       msg, sizeof(msg)) != 0)
				return usage_error(msg, NULL);
			opts.nmap++;
			break;
		case OPT_CLOCK_OFFSET: {
			struct sa_clock_set *cs = &opts.clock_set[opts.nclock_set];

			if (opts.nclock_set == SA_CLOCK_SET_MAX)
				return usage_error("too many --clock-offset; at "
						   "most 16, extra", optarg);
			if (sa_clock_parse_offset(optarg, &cs->host,
						  &cs->hostlen, &cs->ns, msg,
						  sizeof(msg)) != 0)
				return usage_error(msg, NULL);
			opts.nclock_set++;
			break;
		}
		case OPT_PID: case OPT_COMM: case OPT_PORT: case OPT_ADDR:
		case OPT_NETNS: case OPT_STATE: case OPT_SOCKET:
		case OPT_SINCE: case OPT_UNTIL:
			if (sa_filter_parse(&opts.filters, name, optarg, msg,
					    sizeof(msg)) != 0)
				return usage_error(msg, NULL);
			break;
		default:
			return skr_cli_refused("sockana", c, argv, longopts);
		}
	}
	n = argc - optind;
	if (n == 0)
		return usage_error("missing trace FILE", NULL);
	if (n > SA_INPUTS_MAX)
		return usage_error("too many trace files; at most 64, extra",
				   argv[optind + SA_INPUTS_MAX]);
	/* A trace arriving through a pipe is live: show it as it comes. */
	if (n == 1 && strcmp(argv[optind], "-") == 0 && stdin_is_stream())
		opts.follow = true;
	if (opts.follow && n > 1)
		return usage_error("--follow reads one trace; also given",
				   argv[optind + 1]);
	/* Filters select sockets: with them the default stays the diagnosis. */
	opts.report = chosen ? chosen->report :
		      opts.follow && !opts.filters.any ? SA_REPORT_EVENTS :
		      SA_REPORT_DIAG;
	if (opts.report == SA_REPORT_EVENTS && opts.filters.any)
		return usage_error("--events shows every event; the filters "
				   "select sockets, for the other reports",
				   NULL);
	if (by_set && opts.report != SA_REPORT_LATENCY)
		return usage_error("--by goes with --latency", NULL);
	if (!(sa_view_of(opts.report)->formats & (1u << opts.format))) {
		if (snprintf(msg, sizeof(msg), "--%s goes with %s",
			     opts.format == SA_FORMAT_CSV ? "csv" : "json",
			     sa_view_options(opts.format, "or", kinds,
					     sizeof(kinds))) < 0)
			msg[0] = '\0';
		return usage_error(msg, NULL);
	}
	return analyze((const char *const *)(argv + optind), (size_t)n, &opts,
		       out_path);
}
