/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Who owns a socket: the task seen in process context, or in the syscall
 * that made the socket what it is (connect, listen, accept).  Syscall
 * records carry no task name, so the latest name each pid showed in
 * another event is kept (a bounded pid -> name map, analyze/sockets_priv.h).
 */
#include <string.h>

#include "analyze/sockets_owner.h"
#include "analyze/sockets_priv.h"
#include "analyze/text.h"
#include "format/skr.h"

static uint32_t comm_hash(uint32_t pid)
{
	return (pid * 2654435761u) & (SA_COMM_BUCKETS - 1);
}

static const char *comm_find(const struct sa_comm_map *m, uint32_t pid)
{
	uint32_t i = m->bucket[comm_hash(pid)];

	while (i != SA_COMM_NONE && m->e[i].pid != pid)
		i = m->e[i].next;
	return i == SA_COMM_NONE ? NULL : m->e[i].comm;
}

static void comm_unlink(struct sa_comm_map *m, uint32_t idx)
{
	uint32_t *pp = &m->bucket[comm_hash(m->e[idx].pid)];

	while (*pp != SA_COMM_NONE && *pp != idx)
		pp = &m->e[*pp].next;
	if (*pp == idx)
		*pp = m->e[idx].next;
}

/* The latest name of a process-context task, from a record's comm field. */
void sa_sockets_comm_learn(struct sa_comm_map *m,
			   const struct skr_ev_common *c, const char *comm,
			   size_t commlen)
{
	char name[SKR_COMM_LEN + 1];
	uint32_t i, h;

	if (c->ctx != SKR_CTX_PROCESS || c->tgid == 0)
		return;
	h = comm_hash(c->tgid);
	for (i = m->bucket[h]; i != SA_COMM_NONE; i = m->e[i].next)
		if (m->e[i].pid == c->tgid)
			break;
	/*
	 * Mostly the name it has: the record's bytes are then the kept name
	 * (sanitized, so printable), ended by a NUL or by commlen, and
	 * sanitizing them again would give the same name.
	 */
	if (i != SA_COMM_NONE) {
		size_t len = strlen(m->e[i].comm);

		if (len <= commlen && memcmp(m->e[i].comm, comm, len) == 0 &&
		    (len == commlen || comm[len] == '\0'))
			return;
	}
	sa_text_copy(name, sizeof(name), comm, commlen);
	if (name[0] == '\0')
		return;
	if (i == SA_COMM_NONE) {
		if (m->n < SA_COMM_MAX) {
			i = m->n++;
		} else {
			i = m->oldest;
			m->oldest = (m->oldest + 1) % SA_COMM_MAX;
			comm_unlink(m, i);
		}
		m->e[i].pid = c->tgid;
		m->e[i].next = m->bucket[h];
		m->bucket[h] = i;
	}
	memcpy(m->e[i].comm, name, sizeof(name));
}

void sa_sockets_keep_owners(struct sa_sockets *t, bool keep)
{
	t->keep_owners = keep;
}

/* An owner named "?" (from a syscall record) may have shown its name since. */
void sa_sockets_name_owner(struct sa_sockets *t, struct sa_sock *s)
{
	const char *name;

	if (!s->have_owner || strcmp(s->owner_comm, "?") != 0)
		return;
	name = comm_find(t->comms, s->owner_pid);
	if (name)
		memcpy(s->owner_comm, name, sizeof(s->owner_comm));
}

/*
 * The owner is the process seen in process context.  Transitions run in
 * softirq carry whatever task was interrupted, so they never name it.
 * Without context information (ctx UNKNOWN) the first non-idle task is the
 * best guess, and a later process-context event replaces it.  An owner
 * seen in the owning syscall (sa_sockets_owner) is never replaced.
 */
void sa_sockets_attribute(struct sa_sock *s, const struct skr_ev_common *c,
			  const char *comm, size_t commlen)
{
	if (s->owner_by_call)
		return;
	if (c->ctx == SKR_CTX_PROCESS) {
		if (s->have_owner && s->owner_ctx == SKR_CTX_PROCESS)
			return;
	} else if (c->ctx == SKR_CTX_UNKNOWN && c->tgid != 0) {
		if (s->have_owner)
			return;
	} else {
		return;
	}
	s->have_owner = true;
	s->owner_ctx = c->ctx;
	s->owner_pid = c->tgid;
	sa_text_copy(s->owner_comm, sizeof(s->owner_comm), comm, commlen);
}

void sa_sockets_owner(struct sa_sockets *t, struct sa_sock *s,
		      const struct skr_ev_common *c, const char *comm)
{
	bool same = s->have_owner && s->owner_pid == c->tgid;
	const char *known;

	if (!t->keep_owners || s->owner_by_call || c->ctx == SKR_CTX_SOFTIRQ ||
	    c->ctx == SKR_CTX_HARDIRQ || c->ctx == SKR_CTX_NMI || c->tgid == 0)
		return;
	s->have_owner = true;
	s->owner_by_call = true;
	s->owner_ctx = SKR_CTX_PROCESS;
	s->owner_pid = c->tgid;
	/*
	 * Syscall records carry no task name: keep the one already seen, or
	 * the one the pid showed in another event ("?" until it shows one).
	 */
	if (comm) {
		sa_text_copy(s->owner_comm, sizeof(s->owner_comm), comm,
			     strnlen(comm, SKR_COMM_LEN));
	} else if (!same || strcmp(s->owner_comm, "?") == 0) {
		known = comm_find(t->comms, c->tgid);
		if (known)
			memcpy(s->owner_comm, known, sizeof(s->owner_comm));
		else
			sa_text_copy(s->owner_comm, sizeof(s->owner_comm),
				     "?", 1);
	}
}
