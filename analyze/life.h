/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * life.c beyond what sockana.h declares: outcomes that depend on what the
 * trace could observe.  The reports take a socket's outcome from
 * sa_outcome_of(), so that all of them say the same thing about it.
 */
#ifndef SA_LIFE_H
#define SA_LIFE_H

#include <stdbool.h>

#include "analyze/sockana.h"

/*
 * The outcome of s.  accept_seen: its input could see accept() (the probe
 * attached), so a child without an accept was never accepted; otherwise
 * such a child is SA_OUT_HANDSHAKE_DONE.  sa_life_outcome(s) is this with
 * accept_seen true.
 */
enum sa_outcome sa_life_outcome_seen(const struct sa_sock *s,
				     bool accept_seen);
/* The outcome of s in analysis a, knowing what its input observed. */
enum sa_outcome sa_outcome_of(const struct sa_analysis *a,
			      const struct sa_sock *s);

#endif /* SA_LIFE_H */
