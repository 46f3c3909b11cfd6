/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sockana: read a sockrec trace and report on the lives of its TCP sockets.
 * This file is the command line only; the analysis lives in run.c and the
 * modules it calls, so that tests can drive it without a process.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyze/redact.h"
#include "analyze/sockana.h"

#ifndef SKR_VERSION
#define SKR_VERSION "unknown"
#endif

#define EXIT_USAGE	2

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
"\n"
"Options:\n"
"  --by remote|local|process  group --latency by endpoint or owner\n"
"  --json        JSON Lines: one object per row (every report)\n"
"  --csv         CSV with a header line (--timeline, --latency, --backlog)\n"
"\n"
"Filters (different filters AND, a repeated one ORs):\n"
"  --pid PID     owner process      --comm NAME   owner task name\n"
"  --port PORT   local or remote    --addr ADDR[/BITS]  local or remote\n"
"  --netns INODE                    --state STATE  passed through STATE\n"
"  --socket ID   one socket (ids as printed: #ID)\n"
"  --since T, --until T  ISO 8601 UTC (2026-11-22T10:00:01Z) or +SECONDS\n"
"                from the first event; a socket is kept if its life\n"
"                overlaps the range, and --timeline shows only its events\n"
"                inside it\n"
"\n"
"  -h, --help     show this help and exit\n"
"  -V, --version  show the version and exit\n"
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
"Output formats are described in docs/OUTPUT.md.\n"
"\n"
"Exit status: 0 success, 1 unreadable or invalid trace, 2 usage error.\n";

static const struct report_flag {
	const char *flag;
	enum sa_report report;
} report_flags[] = {
	{ "--info", SA_REPORT_INFO },
	{ "--timeline", SA_REPORT_TIMELINE },
	{ "--latency", SA_REPORT_LATENCY },
	{ "--backlog", SA_REPORT_BACKLOG },
};

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

static const struct report_flag *find_report(const char *arg)
{
	size_t i;

	for (i = 0; i < sizeof(report_flags) / sizeof(report_flags[0]); i++)
		if (strcmp(arg, report_flags[i].flag) == 0)
			return &report_flags[i];
	return NULL;
}

static int analyze(const char *const *paths, size_t n,
		   struct sa_run_opts *opts)
{
	struct skr_reader *r[SA_INPUTS_MAX];
	const char *names[SA_INPUTS_MAX];
	size_t i, opened = 0;
	char msg[512];
	int err, status = EXIT_FAILURE;

	for (i = 0; i < n; i++) {
		err = skr_reader_open(&r[i], paths[i]);
		if (err) {
			err_printf("%s: %s", paths[i], strerror(-err));
			goto out;
		}
		opened++;
		/* The reader names standard input "(stdin)"; say the same. */
		names[i] = strcmp(paths[i], "-") == 0 ? "(stdin)" : paths[i];
	}
	opts->name = names[0];
	opts->names = names;
	/*
	 * Reports write hundreds of MB (--timeline --json); stdio's default
	 * buffer for a file or pipe is a page, a write(2) every 4 KiB.  A
	 * terminal keeps its line buffering.  Nothing is written before this.
	 */
	if (!isatty(STDOUT_FILENO))
		setvbuf(stdout, NULL, _IOFBF, (size_t)1 << 16);
	err = sa_run_many(r, n, opts, stdout, msg, sizeof(msg));
	if (err) {
		fflush(stdout);
		err_printf("%s", msg);
		goto out;
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		err_printf("writing the report: %s", strerror(errno));
		goto out;
	}
	status = EXIT_SUCCESS;
out:
	for (i = 0; i < opened; i++)
		skr_reader_free(r[i]);
	return status;
}

/* "--opt=value" or "--opt value": the value, or NULL if missing. */
static const char *value_of(const char *arg, const char *opt, int *i,
			    int argc, char **argv)
{
	size_t len = strlen(opt);

	if (strncmp(arg, opt, len) == 0 && arg[len] == '=')
		return arg + len + 1;
	if (*i + 1 >= argc)
		return NULL;
	return argv[++*i];
}

/* The option name of "--opt=value" in buf, or arg itself. */
static const char *option_name(const char *arg, char *buf, size_t size)
{
	const char *eq = strchr(arg, '=');
	size_t len;

	if (!eq || strncmp(arg, "--", 2) != 0)
		return arg;
	len = (size_t)(eq - arg);
	if (len >= size)
		return arg;
	memcpy(buf, arg, len);
	buf[len] = '\0';
	return buf;
}

int main(int argc, char **argv)
{
	static struct sa_run_opts opts;
	const struct report_flag *rf, *chosen = NULL;
	const char *paths[SA_INPUTS_MAX];
	bool options_done = false, by_set = false;
	size_t npaths = 0;
	char name[32], msg[200];
	int i;

	if (sa_redact_wanted(argc, argv))
		return sa_redact_main(argc, argv);
	memset(&opts, 0, sizeof(opts));
	for (i = 1; i < argc; i++) {
		const char *arg = argv[i];
		const char *opt = option_name(arg, name, sizeof(name));
		const char *val;

		if (options_done || arg[0] != '-' || strcmp(arg, "-") == 0) {
			if (npaths == SA_INPUTS_MAX)
				return usage_error("too many trace files; at "
						   "most 64, extra", arg);
			paths[npaths++] = arg;
		} else if (strcmp(arg, "--") == 0) {
			options_done = true;
		} else if (strcmp(arg, "--help") == 0 ||
			   strcmp(arg, "-h") == 0) {
			fputs(usage_text, stdout);
			return fflush(stdout) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
		} else if (strcmp(arg, "--version") == 0 ||
			   strcmp(arg, "-V") == 0) {
			puts("sockana " SKR_VERSION);
			return fflush(stdout) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
		} else if ((rf = find_report(arg)) != NULL) {
			if (chosen && chosen != rf)
				return usage_error("one report at a time; also "
						   "asked for", arg);
			chosen = rf;
		} else if (strcmp(arg, "--json") == 0 ||
			   strcmp(arg, "--csv") == 0) {
			enum sa_format f = arg[2] == 'j' ? SA_FORMAT_JSON
							 : SA_FORMAT_CSV;

			if (opts.format != SA_FORMAT_TEXT && opts.format != f)
				return usage_error("one output format at a "
						   "time; also asked for", arg);
			opts.format = f;
		} else if (strcmp(opt, "--by") == 0) {
			val = value_of(arg, "--by", &i, argc, argv);
			if (!val)
				return usage_error("missing value of", "--by");
			if (strcmp(val, "remote") == 0)
				opts.by = SA_BY_REMOTE;
			else if (strcmp(val, "local") == 0)
				opts.by = SA_BY_LOCAL;
			else if (strcmp(val, "process") == 0)
				opts.by = SA_BY_PROCESS;
			else
				return usage_error("--by takes remote, local or "
						   "process, not", val);
			by_set = true;
		} else if (sa_filter_is_option(opt)) {
			val = value_of(arg, opt, &i, argc, argv);
			if (!val)
				return usage_error("missing value of", opt);
			if (sa_filter_parse(&opts.filters, opt, val, msg,
					    sizeof(msg)) != 0)
				return usage_error(msg, NULL);
		} else {
			return usage_error("unknown option", arg);
		}
	}
	if (npaths == 0)
		return usage_error("missing trace FILE", NULL);
	opts.report = chosen ? chosen->report : SA_REPORT_DIAG;
	if (by_set && opts.report != SA_REPORT_LATENCY)
		return usage_error("--by goes with --latency", NULL);
	if (opts.format == SA_FORMAT_CSV && opts.report != SA_REPORT_TIMELINE &&
	    opts.report != SA_REPORT_LATENCY && opts.report != SA_REPORT_BACKLOG)
		return usage_error("--csv goes with --timeline, --latency or "
				   "--backlog", NULL);
	return analyze(paths, npaths, &opts);
}
