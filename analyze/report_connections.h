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

#include "analyze/views.h"

/* The row kind of every socket, and the one table --csv writes. */
#define SA_CONNECTIONS_ROW	"connection"

/* The view (views.c's table); its functions are its own. */
extern const struct sa_view sa_view_connections;

#endif /* SA_REPORT_CONNECTIONS_H */
