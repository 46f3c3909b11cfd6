/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * --trace-event OUT (report_trace_event.c): how sockets and owners become
 * the pid and tid numbers of a Trace Event Format file.  Perfetto reads
 * both as unsigned 32-bit numbers and takes a tid seen under two pids for
 * two threads, so the ranges below never meet; docs/OUTPUT.md says the
 * same for users.
 */
#ifndef SA_REPORT_TRACE_EVENT_H
#define SA_REPORT_TRACE_EVENT_H

#include <stdint.h>

/*
 * Linux pids stay below 2^22 (PID_MAX_LIMIT on 64-bit).  Host h's pids are
 * h * SA_TEV_HOST_SPAN + pid; its "unknown owner" processes, one per
 * network namespace in order of first appearance, follow at
 * h * SA_TEV_HOST_SPAN + SA_TEV_PID_LIMIT + k.  With at most 64 inputs
 * (SA_INPUTS_MAX) every pid is below SA_TEV_TID_BASE.
 */
#define SA_TEV_PID_LIMIT	(1u << 22)
#define SA_TEV_HOST_SPAN	(1u << 23)
/* Socket #id's track is tid SA_TEV_TID_BASE + id: no pid is one. */
#define SA_TEV_TID_BASE	(1u << 29)

#endif /* SA_REPORT_TRACE_EVENT_H */
