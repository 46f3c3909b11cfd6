/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * --html OUT: one self-contained page for a bug report.  Its files:
 *
 *   report_html.c       the view: lives folded into lanes (or, past a
 *                       budget, into groups), listener queue series and
 *                       latency distributions, kept bounded
 *   report_html_page.c  the page: diagnosis, timeline, accept queues and
 *                       latency as inline SVG, every trace string escaped
 *
 * Only these files look inside struct sa_html.
 */
#ifndef SA_REPORT_HTML_H
#define SA_REPORT_HTML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "analyze/analysis.h"
#include "analyze/hist.h"
#include "analyze/items.h"
#include "analyze/life.h"
#include "analyze/text.h"

/*
 * Bounds that keep the page a few MiB whatever the trace: sockets drawn
 * one lane each while both hold (a lane's cost is counted in bytes of
 * markup it will take, HTML_LANE_COST()), then every life is folded into
 * groups instead.
 */
#define SA_HTML_LANES_MAX	3000
#define SA_HTML_BYTES_MAX	(3u << 20)
#define SA_HTML_SEGS_MAX	16	/* state spans drawn per lane */
#define SA_HTML_MARKS_MAX	12	/* events marked per lane */
#define SA_HTML_DETAIL_LEN	96	/* a mark's words, cut */
#define SA_HTML_GROUPS_MAX	400	/* more go to one "other" group */
#define SA_HTML_IDS_SHOWN	8	/* ids named per group */
#define SA_HTML_BINS		120	/* a group's starts over time */
#define SA_HTML_LISTENERS_MAX	16	/* accept-queue charts */
#define SA_HTML_QPOINTS_MAX	600	/* points per chart, halved when full */

/* What a mark on a lane is. */
enum sa_html_mark_kind {
	SA_HM_RESET_IN,
	SA_HM_RESET_OUT,
	SA_HM_ERROR,
	SA_HM_RETRANS,		/* data or SYN retransmitted */
	SA_HM_SYNACK,		/* SYN-ACK retransmitted */
	SA_HM_DROP,		/* a packet of the socket dropped */
	SA_HM_BENIGN,		/* a packet freed after it was handled */
	SA_HM_ACCEPTED,		/* a child taken by accept() */
	SA_HM_FAILED_CALL,	/* listen() or accept() returned an error */
	SA_HM_COUNT
};

struct sa_html_seg {
	uint64_t mt;			/* merge time it starts */
	uint8_t state;
};

struct sa_html_mark {
	uint64_t ts;			/* event clock of input, for its wall time */
	uint64_t mt;
	uint16_t input;
	uint8_t kind;			/* enum sa_html_mark_kind */
	char detail[SA_HTML_DETAIL_LEN];
};

/* One socket drawn on a lane of its own. */
struct sa_html_lane {
	uint64_t id;
	uint64_t first_mt, end_mt;	/* end_mt: its CLOSE, or 0 if open */
	uint64_t first_ts;
	uint16_t input;
	uint32_t host;
	uint8_t family, role, outcome;
	bool older;
	uint8_t saddr[16], daddr[16];
	uint16_t sport, dport;
	char owner[SA_TASK_LEN];
	char why[80];			/* outcome and what went wrong, in words */
	size_t nsegs, nmarks;
	uint64_t segs_hidden, marks_hidden;
	struct sa_html_seg seg[SA_HTML_SEGS_MAX];
	struct sa_html_mark mark[SA_HTML_MARKS_MAX];
};

/* Lives of one outcome and remote, once there are too many for lanes. */
struct sa_html_group {
	uint8_t outcome, role, family;
	uint32_t host;
	uint8_t addr[16];		/* the remote (a listener: its own) */
	uint16_t port;			/* the service port, 0 for "any" */
	bool other;			/* past SA_HTML_GROUPS_MAX keys */
	uint64_t count;
	uint64_t ids[SA_HTML_IDS_SHOWN];	/* the first ones, ascending */
	size_t nids;
	uint64_t marks[SA_HM_COUNT];
	uint64_t first_mt, last_mt;
	uint64_t bin[SA_HTML_BINS];	/* lives started, per bin */
};

/* One point of a listener's accept queue. */
struct sa_html_qpoint {
	uint64_t mt;
	uint32_t qlen, limit;
	uint64_t drops;			/* sk_drops, cumulative */
	bool have_drops;
};

struct sa_html_listener {
	uint64_t id;
	uint32_t host;
	uint8_t family;
	uint8_t addr[16];
	uint16_t port;
	bool selected;			/* its life passed the filters */
	uint64_t end_mt;		/* its CLOSE, or 0: open at the end */
	char owner[SA_TASK_LEN];
	size_t npts;
	uint64_t merged;		/* points folded by halving */
	struct sa_html_qpoint pt[SA_HTML_QPOINTS_MAX];
};

/* The latency distributions drawn. */
enum sa_html_dist {
	SA_HD_CONNECT,			/* SYN_SENT -> ESTABLISHED */
	SA_HD_CONNECT_FAILED,		/* SYN_SENT -> CLOSE, connect failed */
	SA_HD_ACCEPT_WAIT,		/* ESTABLISHED -> accept() */
	SA_HD_COUNT
};

struct sa_html {
	void *diag;			/* the default report's state */
	struct sa_html_lane **lane;
	size_t nlanes, lanecap;
	size_t bytes;			/* what the lanes will take, estimated */
	bool grouped;
	struct sa_html_group *group;
	size_t ngroups, groupcap;
	uint64_t bin_ns;		/* width of a group bin */
	uint64_t sockets;		/* lives that passed the filters */
	struct sa_html_listener *lsn[SA_HTML_LISTENERS_MAX];
	size_t nlsn;
	uint64_t lsn_more;		/* listener events of those not charted */
	struct sa_hist dist[SA_HD_COUNT];
};

/* report_html_page.c: the whole page, to a->out. */
void sa_html_page(struct sa_analysis *a, struct sa_html *h);

#endif /* SA_REPORT_HTML_H */
