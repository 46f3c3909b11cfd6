/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What the socket table's owner bookkeeping (sockets_owner.c) offers
 * outside the table.
 */
#ifndef SA_SOCKETS_OWNER_H
#define SA_SOCKETS_OWNER_H

#include <stdbool.h>

struct sa_sockets;

/*
 * Track each socket's owner (have_owner, owner_*) and the task names
 * behind them (on by default).  Off, no socket has an owner, and no
 * transition pays for the bookkeeping: for a view that reads none
 * (struct sa_view's no_owners).
 */
void sa_sockets_keep_owners(struct sa_sockets *t, bool keep);

#endif /* SA_SOCKETS_OWNER_H */
