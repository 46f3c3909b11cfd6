/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A checker of Trace Event Format files as sockana --trace-event writes
 * them (tests/unit/tevchk.c), shared by the unit tests and
 * tests/e2e/tevcheck.c.
 */
#ifndef SKR_TEST_TEVCHK_H
#define SKR_TEST_TEVCHK_H

#include <stddef.h>
#include <stdint.h>

struct tevchk {
	size_t events;			/* in traceEvents */
	size_t slices, instants, counters, metadata;
	size_t tracks;			/* distinct (pid, tid) of slices and instants */
	size_t processes;		/* process_name events */
	size_t max_depth;		/* deepest nesting of slices on a track */
	char msg[256];			/* why it failed, naming the event */
};

/*
 * Check [doc, doc + len): strict JSON; an object whose "traceEvents" is an
 * array of objects; every event with a one-letter "ph" among X, i, C, M, a
 * "name", and numbers "ts" (microseconds, at most three decimals), "pid"
 * and "tid" (unsigned 32-bit); X with a "dur" of the same form; i with
 * "s" t, p or g; C with args all numbers; M naming a process or thread
 * with args.name.  Slices of one track nest (none overlaps another
 * partly), every track and process used is named once, and no tid is
 * used under two pids.  Returns 0, or -1 with r->msg saying why.
 */
int tevchk_check(const char *doc, size_t len, struct tevchk *r);

#endif /* SKR_TEST_TEVCHK_H */
