/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The two ends of a connection: see pairs.h for the rules.  Open lives
 * with a complete tuple that wait for their other end are kept in a
 * chained hash keyed by that tuple (after the address map), so a life
 * finds its candidates in one chain, whatever the number of sockets.
 * Only open lives are listed, so memory follows the socket table's.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/hash.h"
#include "analyze/pairs.h"
#include "analyze/sockets_priv.h"
#include "analyze/work.h"
#include "format/skr.h"

#define tkey sa_pair_key
/* Listeners are few: a fixed table. */
#define LBUCKETS	1024
/*
 * Entries a lookup examines at most: a file that lists thousands of open
 * lives under one tuple (namespaces without end) must not make each
 * lookup walk them all.  Past it the match is ambiguous.
 */
#define SCAN_MAX	256

/*
 * What pairs.c keeps of one socket, found through the socket's own link
 * (sa_sock_node.pentry) and, once listed, by its key (the tuple or
 * listener table).  Kept here, not in the socket, whose size the table's
 * memory bound counts (FORMAT.md §11.2): the socket holds one pointer,
 * and the number of entries is bounded instead.
 */
struct sa_pair_entry {
	struct tkey k;
	uint64_t hash;			/* of k, when in a keyed table */
	struct sa_sock *s;
	struct sa_pair_entry *next;	/* in the tuple or listener table, or spare */
	uint64_t listener;		/* a connect's listener elsewhere, 0 */
	struct sa_pair_entry *peer;	/* the peer's, while both have one */
	uint32_t host, netns;		/* s's, when in the tuple table */
	uint8_t where;			/* 0, IN_TUPLES or IN_LISTENERS */
};

enum { IN_TUPLES = 1, IN_LISTENERS = 2 };
/* Sockets with an entry at once; past it new ones are not tried, counted. */
#define MAX_ENTRIES	131072u

/*
 * Entries come from slabs, and freed ones wait on a spare list for the
 * next socket: a malloc and a free per connection were dear.  The slabs
 * are only given back at the end, so memory follows the most entries
 * held at once (at most MAX_ENTRIES).
 */
#define SLAB_ENTRIES	1024u
struct slab {
	struct slab *next;
	size_t used;
	struct sa_pair_entry e[SLAB_ENTRIES];
};

struct sa_pairs {
	bool off;			/* no view reads pairs: note nothing */
	size_t nent;
	struct slab *slabs;		/* the newest first */
	struct sa_pair_entry *spare;		/* linked by next */
	struct sa_pair_entry **lbuckets;	/* listeners, keyed (addr, port) */
	struct sa_pair_entry **buckets;
	size_t nbuckets;		/* power of two */
	size_t n;
	uint64_t seed;
	struct sa_addr_map map[SA_ADDR_MAP_MAX];
	size_t nmap;
	struct sa_pairs_stats st;
};

int sa_pairs_new(struct sa_pairs **pp)
{
	struct sa_pairs *p = calloc(1, sizeof(*p));

	if (!p)
		return -ENOMEM;
	p->nbuckets = 256;
	p->buckets = calloc(p->nbuckets, sizeof(*p->buckets));
	p->lbuckets = calloc(LBUCKETS, sizeof(*p->lbuckets));
	if (!p->buckets || !p->lbuckets) {
		free(p->buckets);
		free(p->lbuckets);
		free(p);
		return -ENOMEM;
	}
	/* Only the chains' lengths depend on it, never what is reported. */
	p->seed = sa_mix64((uint64_t)(uintptr_t)p ^ 0x6a09e667f3bcc909ull);
	*pp = p;
	return 0;
}

void sa_pairs_free(struct sa_pairs *p)
{
	if (!p)
		return;
	/* Every entry is in a slab; sockets still linked to one are gone. */
	while (p->slabs) {
		struct slab *b = p->slabs;

		p->slabs = b->next;
		free(b);
	}
	free(p->buckets);
	free(p->lbuckets);
	free(p);
}

void sa_pairs_enable(struct sa_pairs *p, bool on)
{
	p->off = !on;
}

static struct sa_pair_entry *entry_new(struct sa_pairs *p)
{
	struct sa_pair_entry *e = p->spare;
	struct slab *b = p->slabs;

	if (e) {
		p->spare = e->next;
		return e;
	}
	if (!b || b->used == SLAB_ENTRIES) {
		b = malloc(sizeof(*b));
		if (!b)
			return NULL;
		b->used = 0;
		b->next = p->slabs;
		p->slabs = b;
	}
	return &b->e[b->used++];
}

/* s's entry, or NULL. */
static struct sa_pair_entry *entry_of(const struct sa_pairs *p, const struct sa_sock *s)
{
	(void)p;
	return sa_node(s)->pentry;
}

/* s's entry, made if needed; NULL with *err 0 past MAX_ENTRIES. */
static struct sa_pair_entry *entry_get(struct sa_pairs *p, struct sa_sock *s,
			       int *err)
{
	struct sa_pair_entry *e = entry_of(p, s);

	*err = 0;
	if (e)
		return e;
	if (p->nent == MAX_ENTRIES) {
		p->st.untried++;
		return NULL;
	}
	e = entry_new(p);
	if (!e) {
		*err = -ENOMEM;
		return NULL;
	}
	memset(e, 0, sizeof(*e));
	e->s = s;
	sa_node(s)->pentry = e;
	p->nent++;
	return e;
}

static void entry_free(struct sa_pairs *p, struct sa_pair_entry *e)
{
	e->next = p->spare;
	p->spare = e;
}

int sa_pairs_set_map(struct sa_pairs *p, const struct sa_addr_map *m,
		     size_t n)
{
	if (n > SA_ADDR_MAP_MAX)
		return -EINVAL;
	if (n > 0)
		memcpy(p->map, m, n * sizeof(*m));
	p->nmap = n;
	return 0;
}

const struct sa_pairs_stats *sa_pairs_stats(const struct sa_pairs *p)
{
	return &p->st;
}

static size_t addr_len(uint8_t family)
{
	return family == SKR_AF_INET ? 4 : 16;
}

/* One endpoint through the map: the first entry that matches rewrites it. */
static void map_endpoint(const struct sa_pairs *p, uint8_t family,
			 uint8_t addr[16], uint16_t *port)
{
	size_t i;

	for (i = 0; i < p->nmap; i++) {
		const struct sa_addr_map *m = &p->map[i];

		if (m->family != family ||
		    memcmp(m->from, addr, addr_len(family)) != 0 ||
		    (m->from_port != 0 && m->from_port != *port))
			continue;
		memcpy(addr, m->to, 16);
		if (m->to_port != 0)
			*port = m->to_port;
		return;
	}
}

/* s's tuple as keyed, or false when it is not complete. */
static bool key_of(const struct sa_pairs *p, const struct sa_sock *s,
		   struct tkey *k)
{
	size_t al;

	if (s->family != SKR_AF_INET && s->family != SKR_AF_INET6)
		return false;
	al = addr_len(s->family);
	if (s->sport == 0 || s->dport == 0 ||
	    sa_sockets_is_zero(s->saddr, al) || sa_sockets_is_zero(s->daddr, al))
		return false;
	memset(k, 0, sizeof(*k));
	k->family = s->family;
	/* Copies of a size the compiler knows: no call to libc's memcpy. */
	if (al == 4) {
		memcpy(k->la, s->saddr, 4);
		memcpy(k->ra, s->daddr, 4);
	} else {
		memcpy(k->la, s->saddr, 16);
		memcpy(k->ra, s->daddr, 16);
	}
	k->lp = s->sport;
	k->rp = s->dport;
	/* Most runs map nothing: no call. */
	if (p->nmap > 0) {
		map_endpoint(p, k->family, k->la, &k->lp);
		map_endpoint(p, k->family, k->ra, &k->rp);
	}
	return true;
}

static void mirror(const struct tkey *k, struct tkey *m);

bool sa_pairs_key(const struct sa_pairs *p, const struct sa_sock *s,
		  struct sa_pair_key *k)
{
	return key_of(p, s, k);
}

void sa_pairs_mirror(const struct sa_pair_key *k, struct sa_pair_key *m)
{
	mirror(k, m);
}

static void mirror(const struct tkey *k, struct tkey *m)
{
	memset(m, 0, sizeof(*m));
	m->family = k->family;
	memcpy(m->la, k->ra, sizeof(m->la));
	memcpy(m->ra, k->la, sizeof(m->ra));
	m->lp = k->rp;
	m->rp = k->lp;
}

_Static_assert(offsetof(struct tkey, lp) == 32 && sizeof(struct tkey) == 40,
	       "hash_of() reads the addresses as words, then lp, rp, family");

static uint64_t hash_of(const struct sa_pairs *p, const struct tkey *k)
{
	uint64_t h = p->seed, w;
	size_t i;

	/*
	 * A multiply (odd: no two h collide) per word and one full mix at
	 * the end: each connection hashes tuples four or five times, and a
	 * full mix per word was a sixth of pairing's time.
	 */
	for (i = 0; i + 8 <= offsetof(struct tkey, lp); i += 8) {
		memcpy(&w, (const uint8_t *)k + i, 8);
		h = (h ^ w) * 0x9e3779b97f4a7c15ull;
	}
	/*
	 * The ports and family as one word from their fields, not one load:
	 * the key was just written field by field (mirror(), key_of()), and
	 * a load spanning those small stores waits for them to retire (a
	 * quarter of sa_pairs_note's samples).  pad is zero in every key.
	 */
	w = (uint64_t)k->lp | (uint64_t)k->rp << 16 |
	    (uint64_t)k->family << 32;
	h = (h ^ w) * 0x9e3779b97f4a7c15ull;
	return sa_mix64(h);
}

static void grow(struct sa_pairs *p)
{
	size_t n = p->nbuckets * 2, i;
	struct sa_pair_entry **b = calloc(n, sizeof(*b));

	/* Without room the chains only get longer. */
	if (!b)
		return;
	for (i = 0; i < p->nbuckets; i++) {
		while (p->buckets[i]) {
			struct sa_pair_entry *e = p->buckets[i];

			p->buckets[i] = e->next;
			e->next = b[e->hash & (n - 1)];
			b[e->hash & (n - 1)] = e;
		}
	}
	free(p->buckets);
	p->buckets = b;
	p->nbuckets = n;
}

/* Take e off the chain at *head (linked by next). */
static void unlink_next(struct sa_pair_entry **head, struct sa_pair_entry *e)
{
	struct sa_pair_entry **pp;

	for (pp = head; *pp; pp = &(*pp)->next) {
		if (*pp == e) {
			*pp = e->next;
			return;
		}
	}
}

/*
 * e's life is no candidate any more (paired, ambiguous or closed): off the
 * tuple table, so that it holds only lives that wait; the entry stays for
 * the peer and listener links until the life leaves the socket table.
 */
static void unlist(struct sa_pairs *p, struct sa_pair_entry *e)
{
	if (e->where != IN_TUPLES)
		return;
	unlink_next(&p->buckets[e->hash & (p->nbuckets - 1)], e);
	e->where = 0;
	p->n--;
}

static void pair(struct sa_pairs *p, struct sa_sock *s, struct sa_sock *c)
{
	struct sa_pair_entry *es = sa_node(s)->pentry;
	struct sa_pair_entry *ec = sa_node(c)->pentry;

	/*
	 * A paired life is nobody's candidate any more (match() takes only
	 * LISTED ones): both leave the tuple table, which then holds only
	 * the lives still waiting, few and in cache, and each end is found
	 * through the other's entry (sa_pairs_peer_of()).
	 */
	es->peer = ec;
	ec->peer = es;
	unlist(p, es);
	unlist(p, ec);
	s->peer = c->id;
	c->peer = s->id;
	s->pairing = c->pairing = SA_PAIRING_PAIRED;
	p->st.pairs++;
	if (s->host != c->host)
		p->st.cross_host++;
	else if (s->netns != c->netns)
		p->st.cross_netns++;
}

/*
 * The open lives waiting under s's mirrored tuple: those of s's own host
 * and namespace first (a tuple and its mirror in one namespace are
 * loopback), then the others; one is paired, several are ambiguous.
 */
static void match(struct sa_pairs *p, struct sa_sock *s, const struct tkey *k)
{
	struct sa_sock *near = NULL, *far = NULL;
	size_t nnear = 0, nfar = 0, steps = 0;
	struct sa_pair_entry *e;
	struct tkey m;
	uint64_t h;

	mirror(k, &m);
	h = hash_of(p, &m);
	for (e = p->buckets[h & (p->nbuckets - 1)]; e; e = e->next) {
		struct sa_sock *c = e->s;

		if (++steps > SCAN_MAX) {
			nnear = nfar = 2;
			break;
		}
		/*
		 * The table holds only open lives still waiting (LISTED, not
		 * closed: unlist()), and their host and namespace, so a
		 * candidate's own life, long out of cache, is not read.
		 */
		if (e->hash != h || memcmp(&e->k, &m, sizeof(m)) != 0 ||
		    c == s)
			continue;
		if (e->host == s->host && e->netns == s->netns) {
			near = c;
			nnear++;
		} else {
			far = c;
			nfar++;
		}
	}
	if (nnear == 1)
		pair(p, s, near);
	else if (nnear == 0 && nfar == 1)
		pair(p, s, far);
	else if (nnear + nfar > 1) {
		s->pairing = SA_PAIRING_AMBIGUOUS;
		p->st.ambiguous++;
		unlist(p, sa_node(s)->pentry);
	}
}

/* A listener's or a connect's destination, as keyed: (addr, port). */
static struct tkey dest_key(const struct sa_pairs *p, uint8_t family,
			    const uint8_t addr[16], uint16_t port)
{
	struct tkey k;

	memset(&k, 0, sizeof(k));
	k.family = family;
	memcpy(k.la, addr, addr_len(family));
	k.lp = port;
	if (p->nmap > 0)
		map_endpoint(p, family, k.la, &k.lp);
	return k;
}

/* An open listener bound to one address: listed under it. */
static int note_listener(struct sa_pairs *p, struct sa_sock *s)
{
	struct sa_pair_entry *e;
	int err;

	if (s->sport == 0 || sa_sockets_is_zero(s->saddr, addr_len(s->family)))
		return 0;
	e = entry_get(p, s, &err);
	if (!e)
		return err;
	e->k = dest_key(p, s->family, s->saddr, s->sport);
	e->hash = hash_of(p, &e->k);
	e->next = p->lbuckets[e->hash & (LBUCKETS - 1)];
	p->lbuckets[e->hash & (LBUCKETS - 1)] = e;
	e->where = IN_LISTENERS;
	s->pairing = SA_PAIRING_LISTENER;
	return 0;
}

/*
 * A connect: the one open listener elsewhere (another host or namespace)
 * bound to its destination.  Its own namespace's listener is the socket
 * table's business (and the clients' count by address).
 */
static int find_listener(struct sa_pairs *p, struct sa_sock *s)
{
	struct sa_sock *l = NULL;
	struct sa_pair_entry *e;
	size_t n = 0, steps = 0;
	struct tkey k;
	uint64_t h;
	int err;

	if (s->dport == 0 || sa_sockets_is_zero(s->daddr, addr_len(s->family)))
		return 0;
	e = entry_of(p, s);
	if (e && e->listener != 0)
		return 0;
	k = dest_key(p, s->family, s->daddr, s->dport);
	h = hash_of(p, &k);
	for (e = p->lbuckets[h & (LBUCKETS - 1)]; e; e = e->next) {
		if (++steps > SCAN_MAX)
			return 0;
		if (e->hash != h || memcmp(&e->k, &k, sizeof(k)) != 0 ||
		    e->s->closed || e->s->state != SKR_TCP_LISTEN)
			continue;
		if (e->s->host == s->host && e->s->netns == s->netns)
			return 0;
		l = e->s;
		n++;
	}
	if (n != 1)
		return 0;
	e = entry_get(p, s, &err);
	if (e)
		e->listener = l->id;
	return err;
}

int sa_pairs_note(struct sa_pairs *p, struct sa_sock *s)
{
	struct sa_pair_entry *e;
	uint8_t role, pairing, state;
	struct tkey k;
	int err;

	if (!p || p->off)
		return 0;
	if (s->family != SKR_AF_INET && s->family != SKR_AF_INET6)
		return 0;
	/*
	 * One load each: the transition just stored them byte by byte, and
	 * the compiler's one load of role and pairing together waited for
	 * those stores (store forwarding failed: a fifth of this function's
	 * samples).
	 */
	role = *(const volatile uint8_t *)&s->role;
	pairing = *(const volatile uint8_t *)&s->pairing;
	state = *(const volatile uint8_t *)&s->state;
	if (pairing == SA_PAIRING_NONE && role == SA_ROLE_LISTENER &&
	    state == SKR_TCP_LISTEN && !s->closed)
		return note_listener(p, s);
	if (role == SA_ROLE_ACTIVE && state == SKR_TCP_SYN_SENT) {
		err = find_listener(p, s);
		if (err)
			return err;
	}
	/* A closed life waits no more: off the tuple table (match()). */
	if (s->closed && s->pairing == SA_PAIRING_LISTED)
		unlist(p, sa_node(s)->pentry);
	if (s->pairing != SA_PAIRING_NONE || s->closed ||
	    s->role == SA_ROLE_LISTENER || s->state == SKR_TCP_LISTEN ||
	    !key_of(p, s, &k))
		return 0;
	e = entry_get(p, s, &err);
	if (!e)
		return err;
	if (p->n >= p->nbuckets)
		grow(p);
	e->k = k;
	e->hash = hash_of(p, &k);
	e->host = s->host;
	e->netns = s->netns;
	e->next = p->buckets[e->hash & (p->nbuckets - 1)];
	p->buckets[e->hash & (p->nbuckets - 1)] = e;
	e->where = IN_TUPLES;
	p->n++;
	if (p->n > p->st.listed_max)
		p->st.listed_max = p->n;
	s->pairing = SA_PAIRING_LISTED;
	sa_work.pairs_listed++;
	match(p, s, &k);
	return 0;
}

void sa_pairs_forget(struct sa_pairs *p, struct sa_sock *s)
{
	struct sa_pair_entry *e;

	if (!p)
		return;
	e = sa_node(s)->pentry;
	if (!e)
		return;
	sa_node(s)->pentry = NULL;
	if (e->peer)
		e->peer->peer = NULL;
	if (e->where == IN_TUPLES) {
		unlink_next(&p->buckets[e->hash & (p->nbuckets - 1)], e);
		p->n--;
	} else if (e->where == IN_LISTENERS) {
		unlink_next(&p->lbuckets[e->hash & (LBUCKETS - 1)], e);
	}
	p->nent--;
	entry_free(p, e);
}

uint64_t sa_pairs_listener_of(const struct sa_pairs *p,
			      const struct sa_sock *s)
{
	const struct sa_pair_entry *e = p ? entry_of(p, s) : NULL;

	return e ? e->listener : 0;
}

struct sa_sock *sa_pairs_peer_of(struct sa_pairs *p, const struct sa_sock *s)
{
	const struct sa_pair_entry *e;

	if (!p || s->peer == 0)
		return NULL;
	e = sa_node(s)->pentry;
	return e && e->peer ? e->peer->s : NULL;
}

void sa_pairs_reset(struct sa_pairs *p, struct sa_sock *s, bool sent)
{
	struct sa_sock *q = sa_pairs_peer_of(p, s);

	/* Either half may be read first: the kernel stamps them apart. */
	if (!q || (sent ? q->resets_in : q->resets_out) == 0)
		return;
	if (sent) {
		s->peer_reset_out = true;
		q->peer_reset_in = true;
	} else {
		s->peer_reset_in = true;
		q->peer_reset_out = true;
	}
}

/* "ADDR" or "ADDR:PORT" or "[V6]:PORT" into m's side. */
static int parse_side(const char *text, size_t len, uint8_t *family,
		      uint8_t addr[16], uint16_t *port)
{
	char buf[INET6_ADDRSTRLEN + 8];
	char *colon = NULL, *a = buf;
	unsigned long v;
	char *end;

	if (len == 0 || len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, text, len);
	buf[len] = '\0';
	*port = 0;
	if (buf[0] == '[') {
		char *close = strchr(buf, ']');

		if (!close)
			return -EINVAL;
		*close = '\0';
		a = buf + 1;
		if (close[1] == ':')
			colon = close + 1;
		else if (close[1] != '\0')
			return -EINVAL;
	} else if (strchr(buf, ':') == strrchr(buf, ':')) {
		/* One colon: IPv4 with a port.  Several: a bare IPv6. */
		colon = strchr(buf, ':');
	}
	if (colon) {
		errno = 0;
		v = strtoul(colon + 1, &end, 10);
		if (errno || colon[1] < '0' || colon[1] > '9' ||
		    *end != '\0' || v == 0 || v > 65535)
			return -EINVAL;
		*port = (uint16_t)v;
		*colon = '\0';
	}
	memset(addr, 0, 16);
	if (inet_pton(AF_INET, a, addr) == 1)
		*family = SKR_AF_INET;
	else if (inet_pton(AF_INET6, a, addr) == 1)
		*family = SKR_AF_INET6;
	else
		return -EINVAL;
	return 0;
}

int sa_pairs_parse_map(const char *arg, struct sa_addr_map *m, char *msg,
		       size_t size)
{
	const char *eq = strchr(arg, '=');
	uint8_t f1 = 0, f2 = 0;
	int n;

	memset(m, 0, sizeof(*m));
	if (!eq || strchr(eq + 1, '=') ||
	    parse_side(arg, (size_t)(eq - arg), &f1, m->from,
		       &m->from_port) != 0 ||
	    parse_side(eq + 1, strlen(eq + 1), &f2, m->to, &m->to_port) != 0) {
		n = snprintf(msg, size, "--map-addr takes ADDR[:PORT]=ADDR[:PORT] "
			     "(IPv6 as [ADDR]:PORT), not '%s'", arg);
		goto fail;
	}
	if (f1 != f2) {
		n = snprintf(msg, size, "--map-addr maps an address to one of "
			     "the same family, not '%s'", arg);
		goto fail;
	}
	if ((m->from_port == 0) != (m->to_port == 0)) {
		n = snprintf(msg, size, "--map-addr gives a port on both sides "
			     "or on neither, not '%s'", arg);
		goto fail;
	}
	m->family = f1;
	return 0;
fail:
	if (n < 0 && size > 0)
		msg[0] = '\0';
	return -EINVAL;
}
