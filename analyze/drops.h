/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Packets the kernel dropped with no socket to blame (analyze/drops.c): a
 * SYN to a port nobody listens on, a SYN a firewall rule threw away.  They
 * belong to no life, so the socket table never sees them; this keeps them
 * for the reports, grouped by reason and destination, and by flow, so that
 * a connect that timed out can say its SYNs were dropped and why.
 */
#ifndef SA_DROPS_H
#define SA_DROPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyze/sockana.h"

#define SA_DROPS_GROUPS_MAX	256	/* (reason, destination); more: "other" */
#define SA_DROPS_FLOWS_MAX	65536u	/* flows remembered for the link */
#define SA_DROP_REASON_LEN	40

struct sa_drop_group {
	uint32_t host, netns;
	char reason[SA_DROP_REASON_LEN];
	char dest[SA_ENDPOINT_LEN];	/* the packet's destination */
	uint16_t port;			/* its port, for --port */
	uint64_t count;
	uint16_t input;			/* of the first drop, for its time */
	uint64_t first_ts, last_ts;	/* event clock of that input */
	uint64_t first_mt, last_mt;	/* merge time */
};

struct sa_drops;

int sa_drops_new(struct sa_drops **dp);
void sa_drops_free(struct sa_drops *d);
/*
 * One packet dropped with no socket (its record's cookie is 0), reason its
 * name.  0 or -ENOMEM; past the bounds it is counted as "other".
 */
int sa_drops_add(struct sa_drops *d, const struct sa_evctx *ec,
		 const char *reason, const struct skr_ev_skb_drop *ev);
/*
 * Packets dropped on their way to (family, addr, port) from source port
 * from_port, in (host, netns): how many, and the reason of the latest
 * (static or owned by d).  0 when none, or when the flow was not kept.
 */
uint64_t sa_drops_to(const struct sa_drops *d, uint32_t host, uint32_t netns,
		     unsigned family, const uint8_t addr[16], uint16_t port,
		     uint16_t from_port, const char **reason);
size_t sa_drops_ngroups(const struct sa_drops *d);
const struct sa_drop_group *sa_drops_group(const struct sa_drops *d,
					   size_t i);
/* Drops beyond SA_DROPS_GROUPS_MAX groups. */
uint64_t sa_drops_other(const struct sa_drops *d);

#endif /* SA_DROPS_H */
