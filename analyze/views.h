/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Views: every report is one, chosen from the table in views.c.  run.c
 * builds the model (inputs, their metadata, the socket table) and hands
 * each finished life, and the listener events the model marks, to the one
 * view asked for; the view keeps its own state between new() and free().
 * docs/ANALYZER.md says how to add one.
 */
#ifndef SA_VIEWS_H
#define SA_VIEWS_H

#include <stdbool.h>

#include "analyze/analysis.h"
#include "analyze/out.h"
#include "analyze/run.h"
#include "analyze/sockets.h"
#include "format/skr.h"

/* Bits of struct sa_view.formats. */
#define SA_VIEW_TEXT	(1u << SA_FORMAT_TEXT)
#define SA_VIEW_JSON	(1u << SA_FORMAT_JSON)
#define SA_VIEW_CSV	(1u << SA_FORMAT_CSV)

struct sa_view {
	const char *name;		/* "latency": for messages */
	const char *option;		/* "--latency"; NULL for the default */
	const char *arg;		/* "OUT": the option names the file the
					   report goes to; NULL: stdout */
	enum sa_report report;		/* how sa_run_opts asks for it */
	unsigned formats;		/* SA_VIEW_* it writes */
	const char *csv_kind;		/* the one row kind its CSV holds */
	/*
	 * Its CSV header line (no newline), the names its rows' fields
	 * give: written when no row is, so that a consumer reading the
	 * columns by name also can read an empty report.
	 */
	const char *csv_header;
	bool items;			/* reads each life's items (memory!) */
	/* --socket N also hands on N's peer (pairs.h), whatever the filters. */
	bool with_peers;
	/*
	 * Reads what pairs.c finds (a life's peer, pairing, peer_reset_*,
	 * sa_pairs_listener_of(), the pair counts): without it no life is
	 * paired, which saves a hash of every connection.
	 */
	bool pairs;
	/*
	 * Reads no life's owner (have_owner, owner_*): the table then keeps
	 * none, which saves the task-name bookkeeping of every transition.
	 * Only for a view that is handed no life (no socket or event
	 * callback, tests/unit/test_views.c), so that no filter is affected.
	 */
	bool no_owners;
	/*
	 * Every callback but new may be NULL.  new sets *state (NULL is
	 * allowed); the others get it back; free(NULL) is a no-op.
	 *
	 * socket: a finished life that passed the filters, in the order the
	 * table hands lives on; s is freed when it returns.  event: a
	 * listener's record, decoded, as the model applied it (LISTEN,
	 * ACCEPT, a SYN-ACK retransmit, a LISTENER sample: s the listener's
	 * life) or a namespace-wide one (NETNS_STATS, SAMPLING: s NULL).
	 * end: write the report; the model is complete and every life was
	 * handed on.  record: every kernel event record, in time order, as
	 * it reaches the model (before it is applied; --events).
	 */
	int (*new)(struct sa_analysis *a, void **state);
	int (*socket)(struct sa_analysis *a, void *state,
		      const struct sa_sock *s);
	int (*event)(struct sa_analysis *a, void *state,
		     const struct sa_evctx *ec, const union skr_rec_any *rec,
		     struct sa_sock *s);
	void (*end)(struct sa_analysis *a, void *state);
	void (*free)(void *state);
	int (*record)(struct sa_analysis *a, void *state,
		      const struct sa_evctx *ec, const struct skr_record *rec,
		      uint64_t ts);
};

/* Most views the table may hold (main.c sizes its option table by it). */
#define SA_VIEWS_MAX	16

/* The table's rows, for listing them: 0 <= i < sa_view_count(). */
size_t sa_view_count(void);
const struct sa_view *sa_view_at(size_t i);

/* The view of a report id; never NULL (the default diagnosis if unknown). */
const struct sa_view *sa_view_of(enum sa_report report);
/* The view chosen by a command-line option ("--latency"), or NULL. */
const struct sa_view *sa_view_by_option(const char *option);
/*
 * The options of the views that write fmt, joined by commas and, before
 * the last, conj: "--timeline, --latency or --backlog".  Returns buf.
 */
const char *sa_view_options(enum sa_format fmt, const char *conj, char *buf,
			    size_t size);

#endif /* SA_VIEWS_H */
