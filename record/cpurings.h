/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Perf rings for CPUs that come (back) online during a recording
 * (record/cpurings.c), used by record/perfbuf.c only.  Every int function
 * returns 0 or a negative errno.
 */
#ifndef SOCKREC_CPURINGS_H
#define SOCKREC_CPURINGS_H

#include <bpf/libbpf.h>

struct rec_session;
struct perf_event_attr;

/*
 * After the main perf buffer is open: note the CPUs that are offline now
 * (libbpf opened them no ring).  attr and cb are what a CPU's new ring is
 * opened with, ctx s.  -ENOMEM only; without the online list the
 * recording goes on, said once, with no ring opened later.
 */
int rec_cpurings_open(struct rec_session *s, const struct perf_event_attr *attr,
		      perf_buffer_event_fn cb);
/* A sweep's flush found cpu offline (ENXIO): its ring is gone once it is back. */
void rec_cpurings_offline(struct rec_session *s, int cpu);
/*
 * cpu's failed outputs grew: its ring may be gone (it went offline and
 * came back unseen), or full.  The next sweep flushes it, asking.
 */
void rec_cpurings_suspect(struct rec_session *s, int cpu);
/* Whether cpu is to be asked at this sweep's flush (and forget it). */
bool rec_cpurings_take_suspect(struct rec_session *s, int cpu);
/*
 * While some CPU lacks a ring: read the online list once and open a ring
 * for each such CPU that is online, printed.  Call at a sweep's start,
 * before its flush, so what the flush sends lands in a ring this sweep
 * reads.  Failures are printed and leave the CPU counted lost.
 */
void rec_cpurings_revive(struct rec_session *s);
/*
 * A flush found cpu, online, without a working ring: open it one now,
 * unless opening one failed already.  True if it has one.
 */
bool rec_cpurings_revive_cpu(struct rec_session *s, int cpu);
/* True if some CPU reads from a ring of its own. */
bool rec_cpurings_any(const struct rec_session *s);
/* Read every ring of its own, as perf_buffer__consume(); count or -errno. */
int rec_cpurings_consume(struct rec_session *s);
/*
 * Wait up to timeout_ms for a wakeup of the main buffer (pb's epoll) or of
 * any ring of its own; 1 if one came, 0 if none, -errno.
 */
int rec_cpurings_wait(struct rec_session *s, int timeout_ms);
void rec_cpurings_close(struct rec_session *s);

#endif /* SOCKREC_CPURINGS_H */
