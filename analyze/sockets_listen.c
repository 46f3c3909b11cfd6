/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The socket table's index of open listeners.
 *
 * Each passive socket asks for the listener it came from.  Open listeners
 * are kept on an index of their own, in order of first appearance, so
 * that question does not walk every open socket.  A socket becomes a
 * listener either here (a transition) or in the caller's hands after
 * sa_sockets_get(); the latter are remembered and checked on the next
 * tick or listener lookup, once the caller is done with them.
 */
#include <string.h>

#include "analyze/sockets.h"

static void index_add(struct sa_sockets *t, struct sa_sock *s)
{
	struct sa_sock *after = t->lis_tail;

	/* Almost always the newest socket: found at the tail. */
	while (after && after->id > s->id)
		after = after->xprev;
	s->xprev = after;
	s->xnext = after ? after->xnext : t->lis_head;
	if (s->xnext)
		s->xnext->xprev = s;
	else
		t->lis_tail = s;
	if (after)
		after->xnext = s;
	else
		t->lis_head = s;
	s->listed = true;
}

void sa_sockets_index_del(struct sa_sockets *t, struct sa_sock *s)
{
	if (!s->listed)
		return;
	if (s->xprev)
		s->xprev->xnext = s->xnext;
	else
		t->lis_head = s->xnext;
	if (s->xnext)
		s->xnext->xprev = s->xprev;
	else
		t->lis_tail = s->xprev;
	s->xprev = s->xnext = NULL;
	s->listed = false;
}

/*
 * Listeners are the open sockets whose role says so.  Nothing turns a
 * listener into another role, but the lookup checks the role again all
 * the same: the index may hold more than the listeners, never fewer.
 */
void sa_sockets_index_check(struct sa_sockets *t, struct sa_sock *s)
{
	if (!s->listed && !s->ending && s->role == SA_ROLE_LISTENER)
		index_add(t, s);
}

void sa_sockets_settle(struct sa_sockets *t)
{
	struct sa_sock *s;
	size_t i;

	if (t->rescan) {
		for (s = t->open.head; s; s = s->lnext)
			sa_sockets_index_check(t, s);
		t->rescan = false;
	}
	for (i = 0; i < t->ndirty; i++)
		sa_sockets_index_check(t, t->dirty[i]);
	t->ndirty = 0;
}

void sa_sockets_mark_dirty(struct sa_sockets *t, struct sa_sock *s)
{
	if (s->listed || s->ending)
		return;
	if (t->ndirty > 0 && t->dirty[t->ndirty - 1] == s)
		return;
	if (t->ndirty == SA_DIRTY_MAX) {
		t->rescan = true;
		return;
	}
	t->dirty[t->ndirty++] = s;
}

struct sa_sock *sa_sockets_listener(struct sa_sockets *t, uint32_t host,
				    uint32_t netns, unsigned family,
				    const uint8_t addr[16], uint16_t port)
{
	struct sa_sock *s, *wild = NULL;

	sa_sockets_settle(t);
	/* A listener bound to the address beats one bound to any address. */
	for (s = t->lis_head; s; s = s->xnext) {
		if (s->role != SA_ROLE_LISTENER || s->host != host ||
		    s->netns != netns || s->sport != port)
			continue;
		if (s->family == family && memcmp(s->saddr, addr, 16) == 0)
			return s;
		if (!wild && sa_sockets_is_zero(s->saddr, sizeof(s->saddr)))
			wild = s;
	}
	return wild;
}
