/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What the clients of a listener went through (report_backlog_clients.c):
 * the connects traced to its address and port, and how many resent their
 * SYN and how long they took.  A listen overflow drops SYNs; the clients
 * pay for it in SYN retransmits (1 s, then 3 s, ...).  --backlog and the
 * diagnosis put both side by side.
 */
#ifndef SA_REPORT_BACKLOG_CLIENTS_H
#define SA_REPORT_BACKLOG_CLIENTS_H

#include <stdbool.h>
#include <stdint.h>

#include "analyze/sockana.h"

#define SA_CLIENT_DESTS_MAX	4096	/* server endpoints followed */
#define SA_CLIENT_IDS_SHOWN	8

struct sa_clients_sum {
	uint64_t connects;		/* connects to the listener */
	uint64_t established;
	uint64_t retried;		/* of those, that resent their SYN */
	uint64_t syn_retrans;		/* SYNs resent in all */
	uint64_t connect_max_ns;	/* longest SYN_SENT -> ESTABLISHED */
	uint64_t ids[SA_CLIENT_IDS_SHOWN];	/* first that resent, ascending */
	size_t nids;
};

struct sa_clients;

int sa_clients_new(struct sa_clients **cp);
void sa_clients_free(struct sa_clients *c);
/*
 * A finished life: counted if it is a connect; listener, when not 0, is
 * the listener of another host or namespace the model linked it to
 * (sa_pairs_listener_of()).  0 or -ENOMEM.
 */
int sa_clients_add(struct sa_clients *c, const struct sa_sock *s,
		   uint64_t listener);
/*
 * The connects to listener l's endpoint (to any address, for a wildcard
 * listener), in its host and netns, and those of other hosts and
 * namespaces the model linked to it.  False when
 * there is none.
 */
bool sa_clients_of(const struct sa_clients *c, const struct sa_sock *l,
		   struct sa_clients_sum *sum);
/*
 * The ids of the connects that resent their SYN, each after hash, space
 * separated ("#4 #6 #7"), into buf (cut at the last id that fits).  buf.
 */
const char *sa_clients_ids(const struct sa_clients_sum *c, const char *hash,
			   char *buf, size_t size);
/* Whether the trace could see SYN retransmits (tcp_retransmit_skb). */
bool sa_clients_syn_observable(const struct sa_analysis *a);

#endif /* SA_REPORT_BACKLOG_CLIENTS_H */
