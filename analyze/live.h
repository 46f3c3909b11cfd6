/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * live.c: an analysis of traces still being written (--follow, and '-'
 * on a pipe).  The readers follow their inputs; while they wait for more,
 * lives whose grace is over by the wall clock are handed on (so --timeline
 * prints a closed socket's block without waiting for a later event) and
 * the report written so far is flushed.
 */
#ifndef SA_LIVE_H
#define SA_LIVE_H

#include <stdint.h>

#include "analyze/analysis.h"

/* How long a followed input waits between looks at its file or pipe. */
#define SA_LIVE_POLL_MS		150u
/*
 * How far behind the wall clock the analysis treats the trace as
 * complete: past the recorder's once-a-second flush (record/main.c
 * FLUSH_MS) and a sweep, every event of that time is in the file.
 */
#define SA_LIVE_LAG_NS		1500000000ull
/*
 * A trace whose latest event is older than this is not live (a finished
 * trace piped in): the wall clock says nothing about it.
 */
#define SA_LIVE_WINDOW_NS	(600ull * 1000000000ull)

/*
 * At the END of a file of a rotated capture (NAME.N), how long to look
 * for NAME.N+1 while its recorder runs, and when the recorder cannot be
 * seen (live.c).  A recorder starts its next file as soon as it wrote an
 * END, but writes the start of it (its socket snapshot) before that file
 * can be read, which takes seconds in a slow guest.
 */
#define SA_LIVE_NEXT_MS		60000u
#define SA_LIVE_NEXT_UNSEEN_MS	5000u

struct sa_live;

/*
 * Follow every input of a (called once its readers exist, before any is
 * read).  Returns 0, -ENOMEM, or the reader's error.
 */
int sa_live_start(struct sa_analysis *a, struct sa_live **lp);
/* The error that stopped the inputs while they waited, or 0. */
int sa_live_error(const struct sa_live *l);
void sa_live_free(struct sa_live *l);
/*
 * Hand on the lives whose grace ended by wall time now_ns, if the trace
 * is live (its latest event within SA_LIVE_WINDOW_NS of it), and flush
 * the output.  What the waiting readers call; exposed for tests.
 */
int sa_live_tick(struct sa_analysis *a, uint64_t now_ns);

#endif /* SA_LIVE_H */
