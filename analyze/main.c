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

#include "analyze/sockana.h"

#ifndef SKR_VERSION
#define SKR_VERSION "unknown"
#endif

#define EXIT_USAGE	2

static const char usage_text[] =
"Usage: sockana [REPORT] FILE\n"
"Report on the lives of the TCP sockets in a sockrec trace.\n"
"FILE '-' reads standard input.\n"
"\n"
"Reports (one at a time; the default is --info for now):\n"
"  --info        what the file holds: host, recorder, probes, time span,\n"
"                events by type, sockets, lost events, sizes\n"
"  --timeline    every state transition of every socket, with wall time,\n"
"                offset from the socket's first event and time spent in\n"
"                the previous state\n"
"\n"
"  -h, --help     show this help and exit\n"
"  -V, --version  show the version and exit\n"
"\n"
"Timeline order: a socket's block is printed when the socket reaches CLOSE,\n"
"so closed sockets appear in order of closing time; sockets still open at\n"
"the end of the trace follow, in order of first appearance.  Sockets are\n"
"numbered #1, #2, ... in order of first appearance and identified by\n"
"(network namespace, socket cookie), never by address; a socket used again\n"
"after CLOSE starts a new block with a new number.  A socket's owner\n"
"is the process seen in process context; transitions run in softirq show\n"
"the context instead of the interrupted task.\n"
"\n"
"Exit status: 0 success, 1 unreadable or invalid trace, 2 usage error.\n";

static const struct report_flag {
	const char *flag;
	enum sa_report report;
} report_flags[] = {
	{ "--info", SA_REPORT_INFO },
	{ "--timeline", SA_REPORT_TIMELINE },
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

static int analyze(const char *path, enum sa_report report)
{
	struct sa_run_opts opts;
	struct skr_reader *r = NULL;
	char msg[512];
	int err, status = EXIT_FAILURE;

	err = skr_reader_open(&r, path);
	if (err) {
		err_printf("%s: %s", path, strerror(-err));
		goto out;
	}
	memset(&opts, 0, sizeof(opts));
	opts.report = report;
	/* The reader names standard input "(stdin)"; say the same. */
	opts.name = strcmp(path, "-") == 0 ? "(stdin)" : path;
	err = sa_run(r, &opts, stdout, msg, sizeof(msg));
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
	skr_reader_free(r);
	return status;
}

int main(int argc, char **argv)
{
	const struct report_flag *rf, *chosen = NULL;
	const char *path = NULL;
	bool options_done = false;
	int i;

	for (i = 1; i < argc; i++) {
		const char *arg = argv[i];

		if (options_done || arg[0] != '-' || strcmp(arg, "-") == 0) {
			if (path)
				return usage_error("one trace file at a time; "
						   "extra argument", arg);
			path = arg;
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
		} else {
			return usage_error("unknown option", arg);
		}
	}
	if (!path)
		return usage_error("missing trace FILE", NULL);
	return analyze(path, chosen ? chosen->report : SA_REPORT_INFO);
}
