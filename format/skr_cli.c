/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The refusal of a command-line option, worded once for sockrec and
 * sockana (skr_cli.h).
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "format/skr_cli.h"

static int refuse(const char *prog, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int refuse(const char *prog, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s --help'.\n", prog);
	return SKR_EXIT_USAGE;
}

/*
 * getopt_long takes any unambiguous prefix of a long option, so the same
 * names reach the caller's switch whether typed in full or not; what it
 * cannot tell us (opterr is off) is why it refused one.
 */
static bool ambiguous(const char *arg, const struct option *longopts)
{
	size_t len, hits = 0;
	const char *eq;

	if (strncmp(arg, "--", 2) != 0)
		return false;
	arg += 2;
	eq = strchr(arg, '=');
	len = eq ? (size_t)(eq - arg) : strlen(arg);
	for (; longopts->name; longopts++) {
		if (strncmp(longopts->name, arg, len) != 0)
			continue;
		if (longopts->name[len] == '\0')
			return false;
		hits++;
	}
	return hits > 1;
}

int skr_cli_refused(const char *prog, int c, char **argv,
		    const struct option *longopts)
{
	const char *arg = argv[optind - 1], *eq;
	char opt[3] = { '-', '\0', '\0' };

	if (strncmp(arg, "--", 2) != 0 && optopt > 0 && optopt < 256) {
		opt[1] = (char)optopt;
		arg = opt;
	}
	eq = strchr(arg, '=');
	if (c == ':')
		return refuse(prog, "option '%s' needs an argument", arg);
	if (optopt != 0 && eq && strncmp(arg, "--", 2) == 0)
		return refuse(prog, "option '%.*s' takes no argument",
			      (int)(eq - arg), arg);
	if (ambiguous(arg, longopts))
		return refuse(prog, "ambiguous option '%s'", arg);
	return refuse(prog, "unknown option '%s'", arg);
}
