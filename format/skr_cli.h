/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What sockrec and sockana share on their command lines (skr_cli.c): one
 * wording for the options getopt_long refuses, so that both tools say the
 * same thing the same way.  Not part of the file format; it lives in
 * libskr because both tools link it.
 */
#ifndef SKR_CLI_H
#define SKR_CLI_H

struct option;

/* The exit status of a misuse of the command line. */
#define SKR_EXIT_USAGE	2

/*
 * Explain why getopt_long refused an option, for a caller that turned
 * opterr off and started its optstring with ':'.  c is what getopt_long
 * returned ('?' or ':'); argv and longopts are what it was given.  Writes
 * "PROG: unknown option '--x'" (or "ambiguous option", "option '-o' needs
 * an argument", "option '--json' takes no argument") and "Try 'PROG
 * --help'." to stderr.  Returns SKR_EXIT_USAGE.
 */
int skr_cli_refused(const char *prog, int c, char **argv,
		    const struct option *longopts);

#endif /* SKR_CLI_H */
