/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The socket table.  A socket is identified by (host, netns, cookie), never
 * by its addresses, which the kernel reuses; the host is part of the key
 * because cookies are only unique within one boot of one machine.
 *
 * Only live sockets are held.  A socket that reaches CLOSE moves to a
 * closing list for SA_CLOSE_GRACE_NS (the kernel reports a refused
 * connect's error and a socket's destroy counters after CLOSE), or until
 * SA_CLOSING_MAX later ones closed, then is handed to the callback and
 * freed, so memory follows the number of open sockets rather than the
 * length of the trace or its rate of closes.
 *
 * Live sockets are kept in order of first appearance and closing ones in
 * order of closing, which are the orders lives are handed on in; nothing
 * is ever reported in hash order.
 *
 * Each passive socket asks for the listener it came from.  Open listeners
 * are kept on an index of their own, in order of first appearance, so
 * that question does not walk every open socket.  A socket becomes a
 * listener either here (a transition) or in the caller's hands after
 * sa_sockets_get(); the latter are remembered and checked on the next
 * tick or listener lookup, once the caller is done with them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/sockana.h"

struct list {
	struct sa_sock *head, *tail;
};

#define DIRTY_MAX	8	/* sockets handed out between two ticks */
#define SPARE_MAX	4096	/* freed sockets kept for reuse */

/*
 * Task names by pid.  Syscall records (listen, accept) carry a pid but no
 * name; any event in process context names its task, so the latest name
 * seen for a pid names owners that came from a syscall.  Bounded: past
 * COMM_MAX pids the name learnt first is replaced.
 */
#define COMM_MAX	4096
#define COMM_BUCKETS	8192	/* power of two */
#define COMM_NONE	UINT32_MAX

struct comm_ent {
	uint32_t pid;
	uint32_t next;			/* hash chain, COMM_NONE ends it */
	char comm[SKR_COMM_LEN + 1];	/* sanitized */
};

struct comm_map {
	struct comm_ent e[COMM_MAX];
	uint32_t bucket[COMM_BUCKETS];
	uint32_t n;			/* entries in use */
	uint32_t oldest;		/* next to replace once full */
};

struct sa_sockets {
	struct sa_sock **buckets;
	size_t nbuckets;		/* power of two */
	size_t live;			/* in the table: open and closing */
	struct list open, closing;
	sa_sock_fn done;
	void *ctx;
	bool keep_items;
	uint64_t next_id;
	uint64_t seen;
	uint64_t transitions;
	uint64_t peak_live;		/* open sockets, not those in their grace */
	size_t nopen;
	size_t items_held;		/* over all live sockets */
	uint64_t evicted;
	size_t nclosing;
	struct sa_sock *lis_head, *lis_tail;	/* open listeners, by id */
	struct sa_sock *dirty[DIRTY_MAX];	/* handed out by get */
	size_t ndirty;
	bool rescan;			/* dirty overflowed: check every one */
	struct sa_sock *spare;		/* freed sockets, linked by hnext */
	size_t nspare;
	struct comm_map *comms;
};

static size_t hash_key(uint32_t host, uint32_t netns, uint64_t cookie,
		       size_t nbuckets)
{
	/* splitmix64 finalizer: cookies are sequential, so mix them. */
	uint64_t x = cookie ^ ((uint64_t)netns << 32 | netns) ^
		     ((uint64_t)host * 0x9e3779b97f4a7c15ull);

	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	x ^= x >> 31;
	return (size_t)(x & (nbuckets - 1));
}

static size_t hash_sock(const struct sa_sock *s, size_t nbuckets)
{
	return hash_key(s->host, s->netns, s->cookie, nbuckets);
}

int sa_sockets_new(struct sa_sockets **tp, sa_sock_fn done, void *ctx)
{
	struct sa_sockets *t;
	int err = -ENOMEM;

	t = calloc(1, sizeof(*t));
	if (!t)
		goto fail;
	t->nbuckets = 256;
	t->buckets = calloc(t->nbuckets, sizeof(*t->buckets));
	if (!t->buckets)
		goto fail;
	t->comms = malloc(sizeof(*t->comms));
	if (!t->comms)
		goto fail;
	t->comms->n = t->comms->oldest = 0;
	for (size_t i = 0; i < COMM_BUCKETS; i++)
		t->comms->bucket[i] = COMM_NONE;
	t->done = done;
	t->ctx = ctx;
	t->next_id = 1;
	t->keep_items = true;
	*tp = t;
	return 0;
fail:
	sa_sockets_free(t);
	return err;
}

void sa_sockets_keep_items(struct sa_sockets *t, bool keep)
{
	t->keep_items = keep;
}

static void grow(struct sa_sockets *t)
{
	size_t n = t->nbuckets * 2, i;
	struct sa_sock **b;

	if (n < t->nbuckets)
		return;
	b = calloc(n, sizeof(*b));
	/* On ENOMEM keep the smaller table: slower, still correct. */
	if (!b)
		return;
	for (i = 0; i < t->nbuckets; i++) {
		struct sa_sock *s = t->buckets[i], *next;

		for (; s; s = next) {
			size_t h = hash_sock(s, n);

			next = s->hnext;
			s->hnext = b[h];
			b[h] = s;
		}
	}
	free(t->buckets);
	t->buckets = b;
	t->nbuckets = n;
}

static struct sa_sock *lookup(struct sa_sockets *t, uint32_t host,
			      uint32_t netns, uint64_t cookie)
{
	struct sa_sock *s;

	s = t->buckets[hash_key(host, netns, cookie, t->nbuckets)];
	while (s && !(s->cookie == cookie && s->netns == netns &&
		      s->host == host))
		s = s->hnext;
	return s;
}

static void list_add(struct list *l, struct sa_sock *s)
{
	s->lnext = NULL;
	s->lprev = l->tail;
	if (l->tail)
		l->tail->lnext = s;
	else
		l->head = s;
	l->tail = s;
}

static void list_del(struct list *l, struct sa_sock *s)
{
	if (s->lprev)
		s->lprev->lnext = s->lnext;
	else
		l->head = s->lnext;
	if (s->lnext)
		s->lnext->lprev = s->lprev;
	else
		l->tail = s->lprev;
	s->lprev = s->lnext = NULL;
}

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

static void index_del(struct sa_sockets *t, struct sa_sock *s)
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
static void index_check(struct sa_sockets *t, struct sa_sock *s)
{
	if (!s->listed && !s->ending && s->role == SA_ROLE_LISTENER)
		index_add(t, s);
}

static void settle(struct sa_sockets *t)
{
	struct sa_sock *s;
	size_t i;

	if (t->rescan) {
		for (s = t->open.head; s; s = s->lnext)
			index_check(t, s);
		t->rescan = false;
	}
	for (i = 0; i < t->ndirty; i++)
		index_check(t, t->dirty[i]);
	t->ndirty = 0;
}

static void mark_dirty(struct sa_sockets *t, struct sa_sock *s)
{
	if (s->listed || s->ending)
		return;
	if (t->ndirty > 0 && t->dirty[t->ndirty - 1] == s)
		return;
	if (t->ndirty == DIRTY_MAX) {
		t->rescan = true;
		return;
	}
	t->dirty[t->ndirty++] = s;
}

static struct sa_sock *sock_alloc(struct sa_sockets *t)
{
	struct sa_sock *s = t->spare;

	if (!s)
		return calloc(1, sizeof(*s));
	t->spare = s->hnext;
	t->nspare--;
	memset(s, 0, sizeof(*s));
	return s;
}

static void sock_free(struct sa_sockets *t, struct sa_sock *s)
{
	if (t->nspare == SPARE_MAX) {
		free(s);
		return;
	}
	s->hnext = t->spare;
	t->spare = s;
	t->nspare++;
}

static struct sa_sock *create(struct sa_sockets *t, const struct sa_evctx *ec,
			      uint32_t netns, uint64_t cookie, uint64_t ts)
{
	struct sa_sock *s;
	size_t h;

	/* Other events name sockets while holding one: they get no room made. */
	if (t->live >= SA_SOCKETS_MAX_LIVE)
		return NULL;
	if (t->live >= t->nbuckets)
		grow(t);
	s = sock_alloc(t);
	if (!s)
		return NULL;
	s->id = t->next_id++;
	s->cookie = cookie;
	s->netns = netns;
	s->host = ec->host;
	s->input = ec->input;
	s->first_ts = s->last_ts = ts;
	s->first_mt = s->last_mt = ec->mt;
	s->reset_reason = SKR_REASON_NONE;
	h = hash_sock(s, t->nbuckets);
	s->hnext = t->buckets[h];
	t->buckets[h] = s;
	list_add(&t->open, s);
	t->live++;
	t->nopen++;
	t->seen++;
	/* Closed ones waiting out their grace are not live any more. */
	if (t->nopen > t->peak_live)
		t->peak_live = t->nopen;
	return s;
}

static void destroy(struct sa_sockets *t, struct sa_sock *s)
{
	struct sa_sock **pp = &t->buckets[hash_sock(s, t->nbuckets)];
	size_t i;

	while (*pp && *pp != s)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = s->hnext;
	for (i = 0; i < t->ndirty;) {
		if (t->dirty[i] == s)
			t->dirty[i] = t->dirty[--t->ndirty];
		else
			i++;
	}
	index_del(t, s);
	if (s->ending)
		t->nclosing--;
	else
		t->nopen--;
	list_del(s->ending ? &t->closing : &t->open, s);
	t->live--;
	t->items_held -= s->nitems;
	free(s->items);
	sock_free(t, s);
}

static uint32_t comm_hash(uint32_t pid)
{
	return (pid * 2654435761u) & (COMM_BUCKETS - 1);
}

static const char *comm_find(const struct comm_map *m, uint32_t pid)
{
	uint32_t i = m->bucket[comm_hash(pid)];

	while (i != COMM_NONE && m->e[i].pid != pid)
		i = m->e[i].next;
	return i == COMM_NONE ? NULL : m->e[i].comm;
}

static void comm_unlink(struct comm_map *m, uint32_t idx)
{
	uint32_t *pp = &m->bucket[comm_hash(m->e[idx].pid)];

	while (*pp != COMM_NONE && *pp != idx)
		pp = &m->e[*pp].next;
	if (*pp == idx)
		*pp = m->e[idx].next;
}

/* The latest name of a process-context task, from a record's comm field. */
static void comm_learn(struct comm_map *m, const struct skr_ev_common *c,
		       const char *comm, size_t commlen)
{
	char name[SKR_COMM_LEN + 1];
	uint32_t i, h;

	if (c->ctx != SKR_CTX_PROCESS || c->tgid == 0)
		return;
	sa_text_copy(name, sizeof(name), comm, commlen);
	if (name[0] == '\0')
		return;
	h = comm_hash(c->tgid);
	for (i = m->bucket[h]; i != COMM_NONE; i = m->e[i].next)
		if (m->e[i].pid == c->tgid)
			break;
	if (i == COMM_NONE) {
		if (m->n < COMM_MAX) {
			i = m->n++;
		} else {
			i = m->oldest;
			m->oldest = (m->oldest + 1) % COMM_MAX;
			comm_unlink(m, i);
		}
		m->e[i].pid = c->tgid;
		m->e[i].next = m->bucket[h];
		m->bucket[h] = i;
	}
	memcpy(m->e[i].comm, name, sizeof(name));
}

/* An owner named "?" (from a syscall record) may have shown its name since. */
static void name_owner(struct sa_sockets *t, struct sa_sock *s)
{
	const char *name;

	if (!s->have_owner || strcmp(s->owner_comm, "?") != 0)
		return;
	name = comm_find(t->comms, s->owner_pid);
	if (name)
		memcpy(s->owner_comm, name, sizeof(s->owner_comm));
}

/* Hand a life on and forget it. */
static int hand_on(struct sa_sockets *t, struct sa_sock *s)
{
	int err = 0;

	name_owner(t, s);
	if (t->done)
		err = t->done(t->ctx, s);
	destroy(t, s);
	return err;
}

static void start_closing(struct sa_sockets *t, struct sa_sock *s,
			  uint64_t mt)
{
	if (s->ending)
		return;
	index_del(t, s);
	list_del(&t->open, s);
	list_add(&t->closing, s);
	s->ending = true;
	s->close_mt = mt;
	t->nclosing++;
	t->nopen--;
}

/*
 * The owner is the process seen in process context.  Transitions run in
 * softirq carry whatever task was interrupted, so they never name it.
 * Without context information (ctx UNKNOWN) the first non-idle task is the
 * best guess, and a later process-context event replaces it.  An owner
 * seen in the owning syscall (sa_sockets_owner) is never replaced.
 */
static void attribute(struct sa_sock *s, const struct skr_ev_common *c,
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

	if (s->owner_by_call || c->ctx == SKR_CTX_SOFTIRQ ||
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

/* *out: a cleared item to fill, or NULL when items are not kept. */
static int add_item(struct sa_sockets *t, struct sa_sock *s,
		    struct sa_item **out)
{
	struct sa_item *it;

	*out = NULL;
	if (!t->keep_items)
		return 0;
	if (s->nitems == SA_SOCK_MAX_ITEMS) {
		s->items_dropped++;
		return 0;
	}
	if (t->items_held >= SA_ITEMS_MAX_HELD) {
		s->items_dropped++;
		s->items_dropped_held++;
		return 0;
	}
	if (s->nitems == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 8;

		it = realloc(s->items, cap * sizeof(*it));
		if (!it)
			return -ENOMEM;
		s->items = it;
		s->cap = cap;
	}
	it = &s->items[s->nitems++];
	t->items_held++;
	memset(it, 0, sizeof(*it));
	*out = it;
	return 0;
}

static void touch(struct sa_sock *s, const struct sa_evctx *ec, uint64_t ts)
{
	if (ts > s->last_ts)
		s->last_ts = ts;
	if (ec->mt > s->last_mt)
		s->last_mt = ec->mt;
}

int sa_sockets_note(struct sa_sockets *t, struct sa_sock *s,
		    const struct sa_evctx *ec, const struct skr_ev_common *c,
		    uint16_t type, const char *detail)
{
	struct sa_item *it;
	int err;

	touch(s, ec, c->ts_ns);
	err = add_item(t, s, &it);
	if (err || !it)
		return err;
	it->ts_ns = c->ts_ns;
	it->tgid = c->tgid;
	it->type = type;
	it->input = ec->input;
	it->ctx = c->ctx;
	it->oldstate = it->newstate = s->state;
	sa_text_copy(it->detail, sizeof(it->detail), detail, strlen(detail));
	return 0;
}

/*
 * The endpoints a socket is known by: the latest non-zero value of each
 * field.  A client's first event (CLOSE->SYN_SENT) has no local port yet,
 * and by its last (->CLOSE) the kernel has already released the port, so
 * neither the first nor the last event alone names the connection.
 */
static bool is_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

static void update_endpoints(struct sa_sock *s, unsigned family,
			     const uint8_t saddr[16], const uint8_t daddr[16],
			     uint16_t sport, uint16_t dport)
{
	if (family != s->family) {
		/* First event, or a family the socket did not have: start over. */
		s->family = (uint8_t)family;
		memcpy(s->saddr, saddr, sizeof(s->saddr));
		memcpy(s->daddr, daddr, sizeof(s->daddr));
		s->sport = sport;
		s->dport = dport;
		return;
	}
	if (!is_zero(saddr, sizeof(s->saddr)))
		memcpy(s->saddr, saddr, sizeof(s->saddr));
	if (!is_zero(daddr, sizeof(s->daddr)))
		memcpy(s->daddr, daddr, sizeof(s->daddr));
	if (sport)
		s->sport = sport;
	if (dport)
		s->dport = dport;
}

void sa_sockets_endpoints(struct sa_sock *s, unsigned family,
			  const uint8_t saddr[16], const uint8_t daddr[16],
			  uint16_t sport, uint16_t dport)
{
	/*
	 * A listener's records may carry a request's tuple (remote = a
	 * client); it is known by its local end only.  A family other than
	 * the socket's says nothing about its endpoints.
	 */
	if (s->family != 0 &&
	    (s->role == SA_ROLE_LISTENER || family != s->family))
		return;
	update_endpoints(s, family, saddr, daddr, sport, dport);
}

static void mark(struct sa_sock *s, enum sa_mark m, uint64_t ts)
{
	if (s->have_at & (1u << m))
		return;
	s->have_at |= 1u << m;
	s->at[m] = ts;
}

static void apply_state(struct sa_sock *s, const struct skr_ev_state *ev,
			bool first)
{
	/* The mark of entering each state, plus one (0: none). */
	static const uint8_t marks[16] = {
		[SKR_TCP_SYN_SENT] = SA_AT_SYN_SENT + 1,
		[SKR_TCP_SYN_RECV] = SA_AT_SYN_RECV + 1,
		[SKR_TCP_ESTABLISHED] = SA_AT_ESTABLISHED + 1,
		[SKR_TCP_FIN_WAIT1] = SA_AT_FIN_WAIT1 + 1,
		[SKR_TCP_CLOSE_WAIT] = SA_AT_CLOSE_WAIT + 1,
		[SKR_TCP_LAST_ACK] = SA_AT_LAST_ACK + 1,
		[SKR_TCP_TIME_WAIT] = SA_AT_TIME_WAIT + 1,
		[SKR_TCP_CLOSE] = SA_AT_CLOSE + 1,
		[SKR_TCP_LISTEN] = SA_AT_LISTEN + 1,
	};
	uint8_t o = ev->oldstate, n = ev->newstate;
	uint64_t ts = ev->c.ts_ns;

	if (first) {
		/* Born here: from CLOSE, or a listener's child from LISTEN. */
		s->older = !(o == SKR_TCP_CLOSE ||
			     (o == SKR_TCP_LISTEN && n == SKR_TCP_SYN_RECV));
		if (o < 32)
			s->states_seen |= 1u << o;
		/*
		 * A socket older than the trace entered its old state at an
		 * unknown time: no mark, so no duration starts from a guess.
		 */
	}
	if (s->role == SA_ROLE_UNKNOWN) {
		if (n == SKR_TCP_SYN_SENT || o == SKR_TCP_SYN_SENT)
			s->role = SA_ROLE_ACTIVE;
		else if (n == SKR_TCP_LISTEN || (o == SKR_TCP_LISTEN &&
						 n == SKR_TCP_CLOSE))
			s->role = SA_ROLE_LISTENER;
		else if (n == SKR_TCP_SYN_RECV || o == SKR_TCP_SYN_RECV ||
			 o == SKR_TCP_LISTEN)
			s->role = SA_ROLE_PASSIVE;
	}
	if (n < 32)
		s->states_seen |= 1u << n;
	if (n < 16 && marks[n])
		mark(s, (enum sa_mark)(marks[n] - 1), ts);
	if (o == SKR_TCP_TIME_WAIT)
		mark(s, SA_AT_TIME_WAIT_END, ts);
	if (n == SKR_TCP_CLOSE)
		s->close_ctx = ev->c.ctx;
	s->state = n;
}

int sa_sockets_state(struct sa_sockets *t, const struct sa_evctx *ec,
		     const struct skr_ev_state *ev)
{
	struct sa_sock *s;
	struct sa_item *it;
	bool first;
	int err = 0;

	s = lookup(t, ec->host, ev->c.netns, ev->c.cookie);
	/* A closed socket used again (connect after a failed connect). */
	if (s && s->ending && ev->oldstate == SKR_TCP_CLOSE &&
	    ev->newstate != SKR_TCP_CLOSE) {
		err = hand_on(t, s);
		if (err)
			return err;
		s = NULL;
	}
	first = s == NULL;
	/*
	 * A file can claim any number of open sockets; memory must not follow.
	 * Make room by handing on the oldest life, here where no caller holds
	 * a socket that this could free.
	 */
	while (!s && t->live >= SA_SOCKETS_MAX_LIVE) {
		t->evicted++;
		err = hand_on(t, t->closing.head ? t->closing.head
						 : t->open.head);
		if (err)
			return err;
	}
	if (!s) {
		s = create(t, ec, ev->c.netns, ev->c.cookie, ev->c.ts_ns);
		if (!s)
			return -ENOMEM;
	}
	err = add_item(t, s, &it);
	if (err)
		return err;
	if (it) {
		it->ts_ns = ev->c.ts_ns;
		it->tgid = ev->c.tgid;
		it->type = SKR_REC_STATE;
		it->input = ec->input;
		it->oldstate = ev->oldstate;
		it->newstate = ev->newstate;
		it->ctx = ev->c.ctx;
		sa_text_copy(it->comm, sizeof(it->comm), ev->comm,
			     sizeof(ev->comm));
	}
	t->transitions++;
	s->transitions++;
	touch(s, ec, ev->c.ts_ns);
	update_endpoints(s, ev->family, ev->saddr, ev->daddr, ev->sport,
			 ev->dport);
	attribute(s, &ev->c, ev->comm, sizeof(ev->comm));
	comm_learn(t->comms, &ev->c, ev->comm, sizeof(ev->comm));
	apply_state(s, ev, first);
	index_check(t, s);
	/* A child is born from the listener bound to its local end. */
	if (first && s->role == SA_ROLE_PASSIVE && s->parent == 0) {
		struct sa_sock *l = sa_sockets_listener(t, s->host, s->netns,
							s->family, s->saddr,
							s->sport);

		if (l)
			s->parent = l->id;
	}

	/* A first event CLOSE->CLOSE says nothing ended; keep the socket. */
	if (ev->newstate == SKR_TCP_CLOSE &&
	    !(first && ev->oldstate == SKR_TCP_CLOSE)) {
		s->closed = true;
		start_closing(t, s, ec->mt);
	}
	return 0;
}

struct sa_sock *sa_sockets_get(struct sa_sockets *t,
			       const struct sa_evctx *ec, uint32_t netns,
			       uint64_t cookie, uint64_t ts, bool create_it)
{
	struct sa_sock *s = lookup(t, ec->host, netns, cookie);

	if (!s && create_it) {
		s = create(t, ec, netns, cookie, ts);
		if (s)
			s->older = true;
	}
	/* The caller may make it a listener. */
	if (s)
		mark_dirty(t, s);
	return s;
}

struct sa_sock *sa_sockets_listener(struct sa_sockets *t, uint32_t host,
				    uint32_t netns, unsigned family,
				    const uint8_t addr[16], uint16_t port)
{
	struct sa_sock *s, *wild = NULL;

	settle(t);
	/* A listener bound to the address beats one bound to any address. */
	for (s = t->lis_head; s; s = s->xnext) {
		if (s->role != SA_ROLE_LISTENER || s->host != host ||
		    s->netns != netns || s->sport != port)
			continue;
		if (s->family == family && memcmp(s->saddr, addr, 16) == 0)
			return s;
		if (!wild && is_zero(s->saddr, sizeof(s->saddr)))
			wild = s;
	}
	return wild;
}

void sa_sockets_destroyed(struct sa_sockets *t, struct sa_sock *s)
{
	s->destroyed = true;
	start_closing(t, s, s->last_mt);
}

int sa_sockets_tick(struct sa_sockets *t, uint64_t now)
{
	struct sa_sock *s;
	int err = 0;

	settle(t);
	while (err == 0 && (s = t->closing.head) != NULL) {
		if (!s->destroyed && t->nclosing <= SA_CLOSING_MAX &&
		    (now < s->close_mt ||
		     now - s->close_mt < SA_CLOSE_GRACE_NS))
			break;
		err = hand_on(t, s);
	}
	return err;
}

int sa_sockets_finish(struct sa_sockets *t)
{
	int err = 0;

	while (err == 0 && t->closing.head)
		err = hand_on(t, t->closing.head);
	while (err == 0 && t->open.head)
		err = hand_on(t, t->open.head);
	return err;
}

uint64_t sa_sockets_seen(const struct sa_sockets *t)
{
	return t->seen;
}

uint64_t sa_sockets_transitions(const struct sa_sockets *t)
{
	return t->transitions;
}

uint64_t sa_sockets_evicted(const struct sa_sockets *t)
{
	return t->evicted;
}

uint64_t sa_sockets_peak_live(const struct sa_sockets *t)
{
	return t->peak_live;
}

void sa_sockets_free(struct sa_sockets *t)
{
	if (!t)
		return;
	while (t->closing.head)
		destroy(t, t->closing.head);
	while (t->open.head)
		destroy(t, t->open.head);
	while (t->spare) {
		struct sa_sock *s = t->spare;

		t->spare = s->hnext;
		free(s);
	}
	free(t->buckets);
	free(t->comms);
	free(t);
}
