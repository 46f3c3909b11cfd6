/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * --connections (report_connections.c): one row per socket life, its
 * endpoints, owner, times, durations, counters and how it ended, for
 * people (text) and for a query engine (--json, --csv; docs/OUTPUT.md).
 * The view keeps no state of its own: each row is written when the life
 * is handed on, so memory stays what the socket table holds.
 */
#ifndef SA_REPORT_CONNECTIONS_H
#define SA_REPORT_CONNECTIONS_H

#include "analyze/sockana.h"

/* The row kind of every socket, and the one table --csv writes. */
#define SA_CONNECTIONS_ROW	"connection"

/*
 * sa_sock_fn of --connections: write s's row (a socket that passed the
 * filters; a->selected already counts it).  Returns 0.
 */
int sa_connections_socket(struct sa_analysis *a, const struct sa_sock *s);
/* The summary (text) or the warning rows (JSON) after the last row. */
void sa_connections_end(struct sa_analysis *a);

#endif /* SA_REPORT_CONNECTIONS_H */
