/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * filter.c: --pid --comm --port --addr --netns --socket --state --since
 * --until, parsed and applied to finished lives.
 */
#ifndef SA_FILTER_H
#define SA_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyze/sockets.h"
#include "format/skr.h"

#define SA_FILTER_MAX	16

struct sa_cidr {
	uint8_t family;			/* SKR_AF_INET or SKR_AF_INET6 */
	uint8_t addr[16];
	unsigned bits;
};

struct sa_when {
	bool set;
	bool offset;			/* ns from the first event, else wall ns */
	uint64_t ns;
};

struct sa_filters {
	bool any;
	uint32_t pid[SA_FILTER_MAX];
	size_t npid;
	char comm[SA_FILTER_MAX][SKR_COMM_LEN + 1];
	size_t ncomm;
	uint16_t port[SA_FILTER_MAX];
	size_t nport;
	struct sa_cidr addr[SA_FILTER_MAX];
	size_t naddr;
	uint32_t netns[SA_FILTER_MAX];
	size_t nnetns;
	uint64_t socket[SA_FILTER_MAX];
	size_t nsocket;
	uint32_t states;		/* bit (1 << state) */
	struct sa_when since, until;
};

/*
 * Add one filter.  Returns 0, -EINVAL (bad value or too many; msg says
 * which) or -ENOENT (opt is not a filter option).
 */
int sa_filter_parse(struct sa_filters *f, const char *opt, const char *arg,
		    char *msg, size_t msgsize);
/* TCP state number of a name ("CLOSE_WAIT", "close-wait"); -EINVAL. */
int sa_filter_state_value(const char *name);
bool sa_cidr_match(const struct sa_cidr *c, unsigned family,
		   const uint8_t addr[16]);
/*
 * Merge-time window [lo, hi] of --since/--until, given the first event's
 * merge time and whether merge times are wall times.  -EINVAL (msg set)
 * for a wall time on a trace without one.
 */
int sa_filter_window(const struct sa_filters *f, uint64_t start, bool wall,
		     uint64_t *lo, uint64_t *hi, char *msg, size_t msgsize);
bool sa_filter_socket(const struct sa_filters *f, const struct sa_sock *s,
		      uint64_t lo, uint64_t hi);
/* Namespace-wide figures: shown unless --netns names other namespaces. */
bool sa_filter_netns(const struct sa_filters *f, uint32_t netns);

#endif /* SA_FILTER_H */
