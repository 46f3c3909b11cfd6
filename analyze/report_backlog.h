/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * --backlog's listener table, which the default diagnosis keeps too for
 * its listen overflows (report_backlog.c).
 */
#ifndef SA_REPORT_BACKLOG_H
#define SA_REPORT_BACKLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyze/analysis.h"
#include "analyze/sockets.h"
#include "format/skr.h"

struct sa_backlog;

int sa_backlog_new(struct sa_backlog **bp);
/* A finished life: a listener's summary, or a child's accept wait. */
/* listener: the model's link of a connect elsewhere (pairs.h), or 0. */
int sa_backlog_socket(struct sa_backlog *b, const struct sa_sock *s,
		      uint64_t listener);
/* Listener samples, netns counters and accepts, as they come (views.h). */
int sa_backlog_event(struct sa_backlog *b, const struct sa_evctx *ec,
		     const union skr_rec_any *rec, const struct sa_sock *s);
void sa_backlog_free(struct sa_backlog *b);

/* Why overflows are not observable: the SAMPLING stop, in words. */
#define SA_WHY_LEN	192

/* A listener's overflows, for the diagnosis. */
struct sa_overflow {
	const struct sa_sock *listener;	/* its finished life */
	uint16_t input;
	bool known;			/* drops were sampled, and still were at the end */
	bool stopped;			/* sampling of its netns stopped: why says so */
	char why[SA_WHY_LEN];
	uint64_t drops;			/* sk_drops growth during the trace */
	uint64_t first, last;		/* event clock of the first/last growth */
	uint32_t qpeak, limit;
	bool have_q;
};
struct sa_netns_delta {
	bool shown;			/* passes --netns */
	uint32_t host, netns;
	uint64_t overflows, drops;	/* growth during the trace */
	bool stopped;			/* not observable: why says so */
	char why[SA_WHY_LEN];
};
size_t sa_backlog_count(const struct sa_backlog *b);
/* Listener i (if it passed the filters); false otherwise. */
bool sa_backlog_overflows(const struct sa_analysis *a,
			  const struct sa_backlog *b, size_t i,
			  struct sa_overflow *ov);
bool sa_backlog_netns(const struct sa_analysis *a, const struct sa_backlog *b,
		      size_t i, struct sa_netns_delta *d);
/* The connects traced to listener i (report_backlog_clients.h). */
struct sa_clients_sum;
bool sa_backlog_clients(const struct sa_backlog *b, size_t i,
			struct sa_clients_sum *sum);

#endif /* SA_REPORT_BACKLOG_H */
