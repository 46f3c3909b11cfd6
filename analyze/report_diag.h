/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The default report's insides, shared by its files:
 *
 *   report_diag.c          lives folded into bounded tables as they end
 *   report_diag_out.c      the sections, in order, as text or rows
 *   report_diag_sockets.c  the sections with a line per socket found:
 *                          listen overflows and CLOSE_WAIT
 *   report_diag_drops.c    packets dropped with no socket
 *
 * Kept apart from views.h: only the report looks inside struct sa_diag.
 */
#ifndef SA_REPORT_DIAG_H
#define SA_REPORT_DIAG_H

#include <stddef.h>
#include <stdint.h>

#include "analyze/analysis.h"
#include "analyze/life.h"
#include "analyze/report_backlog.h"
#include "analyze/sockets.h"
#include "analyze/text.h"

#define SA_DIAG_IDS_SHOWN	8	/* socket ids named per finding */
#define SA_DIAG_CLOSE_WAIT_SHOWN 20
#define SA_DIAG_KEY_LEN		128

struct sa_diag_ids {
	uint64_t id[SA_DIAG_IDS_SHOWN];
	size_t n;
	uint64_t count;
};

struct sa_diag_group {
	uint32_t host;			/* the key: its host, */
	char a[40], b[SA_DIAG_KEY_LEN - 40];	/* two columns, */
	char c[40];
	char local[SA_ENDPOINT_LEN];	/* and for resets, where and who */
	char remote[SA_ENDPOINT_LEN];
	char owner[SA_TASK_LEN];
	char dropped[40];		/* failed connects: SYNs dropped, why */
	uint64_t drops;			/* how many times */
	struct sa_diag_ids ids;
	uint64_t ns_min, ns_max;	/* time from start to failure */
	bool have_ns;
	bool peer;			/* resets: its peer did the other half */
};

struct sa_diag_table {
	struct sa_diag_group *g;
	size_t n, cap;
	struct sa_diag_ids other;
};

struct sa_diag_cw {
	uint64_t id;
	struct sa_sock s;		/* summary copy, no items */
};

struct sa_diag {
	uint64_t sockets;
	uint64_t older, snapshot, open_at_end;
	struct sa_diag_ids outcome[SA_OUT_COUNT];
	struct sa_diag_table failed;
	struct sa_diag_table resets;
	struct sa_diag_cw cw[SA_DIAG_CLOSE_WAIT_SHOWN];
	size_t ncw;			/* filled in cw[] */
	uint64_t close_wait;		/* sockets in CLOSE_WAIT at the end */
	uint64_t reset_sockets;
	struct sa_backlog *bl;		/* the listeners, for their overflows */
};

/* report_diag_out.c: every section, in order. */
void sa_diag_end(struct sa_analysis *a, struct sa_diag *d);
/* report_diag_out.c: a finding whose events were not recorded. */
void sa_diag_not_observable(struct sa_analysis *a, const char *finding,
			    const char *why);
/* report_diag_sockets.c: the "Listen overflows" section. */
void sa_diag_overflows(struct sa_analysis *a, const struct sa_diag *d);
/* report_diag_drops.c: the "Packets dropped with no socket" section. */
void sa_diag_drops(struct sa_analysis *a, const struct sa_diag *d);
/* report_diag_sockets.c: the "Stuck in CLOSE_WAIT" section. */
void sa_diag_close_wait(struct sa_analysis *a, const struct sa_diag *d);

#endif /* SA_REPORT_DIAG_H */
