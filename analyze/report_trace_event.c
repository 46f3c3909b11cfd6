/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * --trace-event OUT: the trace as a Trace Event Format file (its JSON
 * object form), which ui.perfetto.dev and chrome://tracing open, for
 * traces too long to read as --timeline.
 *
 * A process per owner ("comm[pid]") and one "unknown owner" process per
 * host and network namespace; in it a track (a "thread") per socket,
 * named "#id local -> remote".  On a socket's track one slice spans its
 * life (named by its outcome) and holds one slice per TCP state; resets,
 * errors, drops and retransmits are instants on it.  Each listener's
 * accept queue is a counter (length and limit) in its process.
 *
 * The file streams: a socket's events are written when its life is handed
 * on, as --timeline writes its block, and counters as the model applies
 * them; the format does not ask for time order.  What is kept between
 * events is one entry per process, per namespace and per open listener.
 * Times are microseconds (three decimals: nanoseconds) from the first
 * event of the whole run, so that they stay exact as JSON doubles; the
 * wall time of 0 is in otherData.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/analysis.h"
#include "analyze/filter.h"
#include "analyze/hash.h"
#include "analyze/items.h"
#include "analyze/life.h"
#include "analyze/out.h"
#include "analyze/out_rows.h"
#include "analyze/report_trace_event.h"
#include "analyze/sockets.h"
#include "analyze/text.h"
#include "analyze/views.h"
#include "analyze/wallclock.h"
#include "format/skr.h"

#ifndef SKR_VERSION
#define SKR_VERSION "unknown"
#endif

/* ---- a small map of 64-bit keys (linear probing, no tombstones) ---- */

struct slot {
	uint64_t key;			/* the caller's key + 1; 0: free */
	uint64_t val;
};

struct map {
	struct slot *s;
	size_t cap, n;			/* cap: 0 or a power of two */
	uint64_t seed;
};

static size_t map_home(const struct map *m, uint64_t key)
{
	return (size_t)(sa_mix64(key ^ m->seed) & (m->cap - 1));
}

static struct slot *map_find(const struct map *m, uint64_t key)
{
	size_t i;

	if (m->cap == 0)
		return NULL;
	for (i = map_home(m, key + 1); m->s[i].key != 0;
	     i = (i + 1) & (m->cap - 1))
		if (m->s[i].key == key + 1)
			return &m->s[i];
	return NULL;
}

static int map_grow(struct map *m)
{
	size_t cap = m->cap ? m->cap * 2 : 64, i, j;
	struct slot *s = calloc(cap, sizeof(*s)), *old = m->s;
	size_t oldcap = m->cap;

	if (!s)
		return -ENOMEM;
	m->s = s;
	m->cap = cap;
	for (i = 0; i < oldcap; i++) {
		if (old[i].key == 0)
			continue;
		for (j = map_home(m, old[i].key); s[j].key != 0;
		     j = (j + 1) & (cap - 1))
			;
		s[j] = old[i];
	}
	free(old);
	return 0;
}

/* Set key's value (added if new).  0 or -ENOMEM. */
static int map_put(struct map *m, uint64_t key, uint64_t val)
{
	struct slot *e = map_find(m, key);
	size_t i;
	int err;

	if (e) {
		e->val = val;
		return 0;
	}
	if ((m->n + 1) * 2 > m->cap) {
		err = map_grow(m);
		if (err)
			return err;
	}
	for (i = map_home(m, key + 1); m->s[i].key != 0;
	     i = (i + 1) & (m->cap - 1))
		;
	m->s[i].key = key + 1;
	m->s[i].val = val;
	m->n++;
	return 0;
}

/* Remove key, moving later entries of its run back so none is lost. */
static void map_del(struct map *m, uint64_t key)
{
	struct slot *e = map_find(m, key);
	size_t hole, i, home;

	if (!e)
		return;
	hole = (size_t)(e - m->s);
	m->s[hole].key = 0;
	m->n--;
	for (i = (hole + 1) & (m->cap - 1); m->s[i].key != 0;
	     i = (i + 1) & (m->cap - 1)) {
		home = map_home(m, m->s[i].key);
		/* Stays unless its home lies cyclically in (hole, i]. */
		if ((i > hole && (home <= hole || home > i)) ||
		    (i < hole && home <= hole && home > i)) {
			m->s[hole] = m->s[i];
			m->s[i].key = 0;
			hole = i;
		}
	}
}

/* ---- the view ---- */

#define FLUSH_BYTES	((size_t)64 << 10)

/* Process entries: named, or waiting for a socket to name them. */
#define PROC_PENDING	0
#define PROC_NAMED	1

struct tev {
	struct sa_buf b;		/* events not yet written */
	size_t start;			/* of the last one begun, in b */
	bool any;			/* an event was written */
	uint64_t origin;		/* merge time of ts 0 */
	bool origin_set;
	uint64_t sockets, events;
	struct map procs;		/* pid -> PROC_* */
	struct map nets;		/* host << 32 | netns -> its pid */
	struct map lsn;			/* listener id -> pid of its counter */
	uint32_t nnet[SA_INPUTS_MAX];	/* unknown-owner processes per host */
	uint32_t *pending;		/* pids to name at the end, in order */
	size_t npending, cappending;
};

/* The socket's times: the previous one, so that they never step back. */
struct clock {
	uint64_t last;
};

/*
 * Pieces of known length: at 180 bytes an event and a million events a
 * second, strlen() of every literal was a tenth of the run.
 */
static inline void put_n(struct tev *t, const char *s, size_t n)
{
	struct sa_buf *b = &t->b;

	if ((b->failed || b->len + n >= b->cap) && !sa_buf_grow(b, n))
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

#define PUT(t, lit)	put_n((t), (lit), sizeof(lit) - 1)

static void put(struct tev *t, const char *s)
{
	put_n(t, s, strlen(s));
}

/* v in decimal, ending at end (exclusive); returns where it starts. */
static char *digits(char *end, uint64_t v)
{
	do {
		*--end = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return end;
}

static void put_u64(struct tev *t, uint64_t v)
{
	char d[24], *p = digits(d + sizeof(d), v);

	put_n(t, p, (size_t)(d + sizeof(d) - p));
}

/* Nanoseconds as microseconds with up to three decimals, exactly. */
static void put_us(struct tev *t, uint64_t ns)
{
	char d[32], *end = d + sizeof(d), *p = end;
	unsigned r = (unsigned)(ns % 1000);

	if (r != 0) {
		*--p = (char)('0' + r % 10);
		*--p = (char)('0' + r / 10 % 10);
		*--p = (char)('0' + r / 100);
		*--p = '.';
	}
	p = digits(p, ns / 1000);
	put_n(t, p, (size_t)(end - p));
}

static void put_str(struct tev *t, const char *s)
{
	sa_json_escape(&t->b, s, strlen(s));
}

/* ,"key":"value" */
static void put_kv(struct tev *t, const char *key, const char *val)
{
	PUT(t, ",\"");
	put(t, key);
	PUT(t, "\":");
	put_str(t, val);
}

/*
 * The event's first fields: {"ph":"X","name":...,"cat":...,"ts":...
 * ph and cat are sockana's own words, written as they are; so is name
 * (state, outcome, event names, endpoints sockana formats) unless esc
 * says it holds what a file said.
 */
static void ev_begin(struct tev *t, char ph, const char *name, bool esc,
		     const char *cat, uint64_t ts)
{
	t->start = t->b.len;
	/*
	 * The file begins with its first event, so that a run that fails
	 * before any (an unreadable trace) leaves it empty (main.c).
	 */
	if (t->any)
		PUT(t, ",\n{\"ph\":\"");
	else
		PUT(t, "{\"traceEvents\":[\n{\"ph\":\"");
	put_n(t, &ph, 1);
	if (esc) {
		PUT(t, "\",\"name\":");
		put_str(t, name);
		PUT(t, ",\"");
	} else {
		PUT(t, "\",\"name\":\"");
		put(t, name);
		PUT(t, "\",\"");
	}
	if (cat) {
		PUT(t, "cat\":\"");
		put(t, cat);
		PUT(t, "\",\"");
	}
	PUT(t, "ts\":");
	put_us(t, ts);
}

static void ev_ids(struct tev *t, uint32_t pid, uint32_t tid)
{
	PUT(t, ",\"pid\":");
	put_u64(t, pid);
	PUT(t, ",\"tid\":");
	put_u64(t, tid);
}

/* Write what t->b holds. */
static void flush(struct sa_analysis *a, struct tev *t)
{
	if (t->b.len > 0)
		fwrite(t->b.p, 1, t->b.len, a->out);
	t->b.len = 0;
	if (t->b.p)
		t->b.p[0] = '\0';
}

/*
 * End the event begun; events are written 64 KiB at a time.  0, or
 * -ENOMEM: the event is dropped, those before it written.
 */
static int ev_end(struct sa_analysis *a, struct tev *t)
{
	PUT(t, "}");
	if (t->b.failed) {
		t->b.failed = false;
		t->b.len = t->start;
		flush(a, t);
		a->o.failed = true;
		return -ENOMEM;
	}
	t->any = true;
	t->events++;
	if (t->b.len >= FLUSH_BYTES)
		flush(a, t);
	return 0;
}

/* Microseconds from the origin of merge time mt (the clamp: see above). */
static uint64_t rel(struct tev *t, uint64_t mt)
{
	return mt > t->origin ? mt - t->origin : 0;
}

static void set_origin(struct sa_analysis *a, struct tev *t)
{
	if (!t->origin_set) {
		t->origin = a->start_mt;
		t->origin_set = true;
	}
}

static uint32_t host_base(uint32_t host)
{
	return (host < SA_INPUTS_MAX ? host : SA_INPUTS_MAX - 1) *
	       SA_TEV_HOST_SPAN;
}

static uint32_t tid_of(const struct sa_sock *s)
{
	return SA_TEV_TID_BASE +
	       (uint32_t)(s->id % (UINT32_MAX - SA_TEV_TID_BASE + 1ull));
}

/* " (host NAME)" when several hosts share the file, else "". */
static const char *host_suffix(struct sa_analysis *a, uint32_t host,
			       char *buf, size_t size)
{
	int n;

	if (a->nhosts <= 1)
		return "";
	n = snprintf(buf, size, " (host %s)", sa_host_name(a, host));
	if (n < 0 || (size_t)n >= size)
		return "";
	return buf;
}

static int proc_name(struct sa_analysis *a, struct tev *t, uint32_t pid,
		     const char *name)
{
	ev_begin(t, 'M', "process_name", false, NULL, 0);
	ev_ids(t, pid, pid);
	PUT(t, ",\"args\":{\"name\":");
	put_str(t, name);
	PUT(t, "}");
	return ev_end(a, t);
}

static bool owner_known(const struct sa_sock *s)
{
	return s->have_owner && s->owner_pid != 0 &&
	       s->owner_pid < SA_TEV_PID_LIMIT;
}

/*
 * The pid of s's process: its owner's, or its namespace's unknown-owner
 * process, named when first used.  0 or -ENOMEM.
 */
static int pid_of(struct sa_analysis *a, struct tev *t,
		  const struct sa_sock *s, uint32_t *pid)
{
	uint64_t key = (uint64_t)s->host << 32 | s->netns;
	uint32_t h = s->host < SA_INPUTS_MAX ? s->host : SA_INPUTS_MAX - 1;
	char name[160], hs[96];
	struct slot *e;
	int n, err;

	if (owner_known(s)) {
		*pid = host_base(s->host) + s->owner_pid;
		return 0;
	}
	e = map_find(&t->nets, key);
	if (e) {
		*pid = (uint32_t)e->val;
		return 0;
	}
	/* Past the range, the last namespaces share one process. */
	*pid = host_base(s->host) + SA_TEV_PID_LIMIT +
	       (t->nnet[h] < SA_TEV_PID_LIMIT - 1 ? t->nnet[h]++
						  : SA_TEV_PID_LIMIT - 1);
	err = map_put(&t->nets, key, *pid);
	if (err)
		return err;
	n = snprintf(name, sizeof(name), "unknown owner, netns %" PRIu32 "%s",
		     s->netns, host_suffix(a, s->host, hs, sizeof(hs)));
	if (n < 0 || (size_t)n >= sizeof(name))
		name[0] = '\0';
	return proc_name(a, t, *pid, name);
}

/*
 * Name the owner's process from s once its name is known (a syscall
 * record names none: sockets_owner.c may still say "?"); until then it
 * waits, and the end names it "[pid]".  0 or -ENOMEM.
 */
static int name_owner(struct sa_analysis *a, struct tev *t,
		      const struct sa_sock *s, uint32_t pid)
{
	char task[SA_TASK_LEN], name[160], hs[96];
	struct slot *e = map_find(&t->procs, pid);
	bool known = strcmp(s->owner_comm, "?") != 0 && s->owner_comm[0];
	uint32_t *np;
	int n, err;

	if (!owner_known(s) || (e && e->val == PROC_NAMED) ||
	    (e && !known))
		return 0;
	err = map_put(&t->procs, pid, known ? PROC_NAMED : PROC_PENDING);
	if (err)
		return err;
	if (!known) {
		if (t->npending == t->cappending) {
			size_t cap = t->cappending ? t->cappending * 2 : 64;

			np = realloc(t->pending, cap * sizeof(*np));
			if (!np)
				return -ENOMEM;
			t->pending = np;
			t->cappending = cap;
		}
		t->pending[t->npending++] = pid;
		return 0;
	}
	n = snprintf(name, sizeof(name), "%s%s",
		     sa_text_task(s->owner_comm, s->owner_pid, task,
				  sizeof(task)),
		     host_suffix(a, s->host, hs, sizeof(hs)));
	if (n < 0 || (size_t)n >= sizeof(name))
		name[0] = '\0';
	return proc_name(a, t, pid, name);
}

/* The window of --since/--until, as merge times. */
static bool clip(const struct sa_analysis *a, uint64_t *b, uint64_t *e)
{
	if (*e < a->win_lo || *b > a->win_hi)
		return false;
	if (*b < a->win_lo)
		*b = a->win_lo;
	if (*e > a->win_hi)
		*e = a->win_hi;
	return true;
}

/* What every event of one socket's track shares. */
struct track {
	uint32_t pid, tid;
	const struct sa_sock *s;
};

/*
 * A slice [b, e] (merge times) of the track, cut to the window; args,
 * when not NULL, is the inside of its args object, already JSON.
 */
static int slice(struct sa_analysis *a, struct tev *t,
		 const struct track *k, const char *name, const char *cat,
		 uint64_t b, uint64_t e, const char *from)
{
	if (!clip(a, &b, &e))
		return 0;
	ev_begin(t, 'X', name, false, cat, rel(t, b));
	PUT(t, ",\"dur\":");
	put_us(t, rel(t, e) - rel(t, b));
	ev_ids(t, k->pid, k->tid);
	if (from) {
		PUT(t, ",\"args\":{\"from\":");
		put_str(t, from);
		PUT(t, "}");
	}
	return ev_end(a, t);
}

static int state_slice(struct sa_analysis *a, struct tev *t,
		       const struct track *k, unsigned state, unsigned from,
		       bool from_known, uint64_t b, uint64_t e)
{
	char name[24], f[24];

	return slice(a, t, k, skr_tcp_state_name(state, name, sizeof(name)),
		     "state", b, e, from_known ? skr_tcp_state_name(from, f,
								   sizeof(f))
					       : NULL);
}

/* What an event other than a transition shows as: NULL for none. */
static const char *instant_name(const struct sa_item *it, const char **cat,
				char *buf, size_t size)
{
	const char *e;
	int n;

	switch (it->kind) {
	case SA_IK_RESET_IN:
		*cat = "reset";
		return "reset received";
	case SA_IK_RESET_OUT:
		*cat = "reset";
		return "reset sent";
	case SA_IK_ERROR:
		*cat = "error";
		e = skr_errno_name((int32_t)it->u.n.w[0]);
		n = snprintf(buf, size, "error %s", e ? e : "?");
		return n < 0 || (size_t)n >= size ? "error" : buf;
	case SA_IK_LISTEN_FAIL:
		*cat = "error";
		return "listen failed";
	case SA_IK_ACCEPT_FAIL:
		*cat = "error";
		return "accept failed";
	case SA_IK_DROP:
		/* A benign free (kept, or from an older trace) is no drop. */
		if (it->u.n.w[1] != SKR_BENIGN_NONE) {
			*cat = "benign";
			return "benign free";
		}
		*cat = "drop";
		return "drop";
	case SA_IK_RETRANS:
		*cat = "retransmit";
		return "retransmit";
	case SA_IK_SYNACK:
		*cat = "retransmit";
		return "SYN-ACK retransmit";
	default:
		return NULL;
	}
}

static int instant(struct sa_analysis *a, struct tev *t,
		   const struct track *k, const struct sa_item *it,
		   uint64_t mt)
{
	char name[48], detail[SA_DETAIL_MAX];
	const char *cat = NULL, *nm = instant_name(it, &cat, name,
						   sizeof(name));

	if (!nm || mt < a->win_lo || mt > a->win_hi)
		return 0;
	ev_begin(t, 'i', nm, false, cat, rel(t, mt));
	PUT(t, ",\"s\":\"t\"");
	ev_ids(t, k->pid, k->tid);
	PUT(t, ",\"args\":{\"detail\":");
	put_str(t, sa_item_detail(a, it, detail, sizeof(detail)));
	PUT(t, "}");
	return ev_end(a, t);
}

/* Merge time of an item, never before the one before it on the track. */
static uint64_t tick(struct sa_analysis *a, struct clock *c, uint16_t input,
		     uint64_t ts)
{
	uint64_t mt = sa_merge_time(a, input, ts);

	if (mt < c->last)
		mt = c->last;
	c->last = mt;
	return mt;
}

/* The end of s's life on the merged clock, as the second pass will see it. */
static uint64_t life_end(struct sa_analysis *a, const struct sa_sock *s,
			 uint64_t start)
{
	const struct sa_gap_run *run;
	const struct sa_item *it;
	struct sa_items_pos pos;
	struct clock c = { start };

	sa_items_begin(&pos);
	while (sa_items_next(s, &pos, &it, &run)) {
		if (run) {
			tick(a, &c, run->first_input, run->first_ts);
			tick(a, &c, run->last_input, run->last_ts);
		} else {
			tick(a, &c, it->input, it->ts_ns);
		}
	}
	if (s->last_mt > c.last)
		c.last = s->last_mt;
	/* Open at the end: it lives on to the end of the trace. */
	if (!s->closed && a->end_mt > c.last)
		c.last = a->end_mt;
	return c.last;
}

static int thread_name(struct sa_analysis *a, struct tev *t,
		       const struct track *k)
{
	const struct sa_sock *s = k->s;
	char name[2 * SA_ENDPOINT_LEN + 48], lo[SA_ENDPOINT_LEN];
	char re[SA_ENDPOINT_LEN];
	int n;

	sa_text_endpoint(s->family, s->saddr, s->sport, lo, sizeof(lo));
	sa_text_endpoint(s->family, s->daddr, s->dport, re, sizeof(re));
	if (s->role == SA_ROLE_LISTENER)
		n = snprintf(name, sizeof(name), "#%" PRIu64 " listen %s",
			     s->id, lo);
	else
		n = snprintf(name, sizeof(name), "#%" PRIu64 " %s -> %s",
			     s->id, lo, re);
	if (n < 0 || (size_t)n >= sizeof(name))
		name[0] = '\0';
	ev_begin(t, 'M', "thread_name", false, NULL, 0);
	ev_ids(t, k->pid, k->tid);
	PUT(t, ",\"args\":{\"name\":");
	put_str(t, name);
	PUT(t, "}");
	return ev_end(a, t);
}

/* "0x..." of v, as "0x%" PRIx64 would; buf. */
static const char *hex(uint64_t v, char buf[static 19])
{
	static const char xd[] = "0123456789abcdef";
	char *p = buf + 18;

	*p = '\0';
	do {
		*--p = xd[v & 0xf];
		v >>= 4;
	} while (v);
	*--p = 'x';
	*--p = '0';
	return p;
}

/* The slice of the whole life, holding the others. */
static int life_slice(struct sa_analysis *a, struct tev *t,
		      const struct track *k, uint64_t b, uint64_t e)
{
	const struct sa_sock *s = k->s;
	char cookie[24], owner[SA_TASK_LEN];

	if (!clip(a, &b, &e))
		return 0;
	ev_begin(t, 'X', sa_outcome_name(sa_outcome_of(a, s)), false, "socket",
		 rel(t, b));
	PUT(t, ",\"dur\":");
	put_us(t, rel(t, e) - rel(t, b));
	ev_ids(t, k->pid, k->tid);
	PUT(t, ",\"args\":{\"socket\":");
	put_u64(t, s->id);
	PUT(t, ",\"cookie\":\"");
	put(t, hex(s->cookie, cookie));
	PUT(t, "\"");
	PUT(t, ",\"netns\":");
	put_u64(t, s->netns);
	put_kv(t, "role", sa_role_name(s->role));
	put_kv(t, "owner", s->have_owner ? sa_text_task(s->owner_comm,
							s->owner_pid, owner,
							sizeof(owner))
					 : "unknown");
	put_kv(t, "host", sa_host_name(a, s->host));
	if (s->older)
		PUT(t, ",\"older\":true");
	PUT(t, "}");
	return ev_end(a, t);
}

/*
 * States and instants in the second pass.  A run of events not kept that
 * hides transitions ends the state then known; the state after it is
 * known again from the next transition kept.
 */
static int track_events(struct sa_analysis *a, struct tev *t,
			const struct track *k, uint64_t start, uint64_t end)
{
	const struct sa_sock *s = k->s;
	const struct sa_gap_run *run;
	const struct sa_item *it;
	struct sa_items_pos pos;
	struct clock c = { start };
	uint64_t since = start, mt, b;
	unsigned cur = 0, from = 0;
	bool have = false, from_known = false;
	int err = 0;

	sa_items_begin(&pos);
	while (err == 0 && sa_items_next(s, &pos, &it, &run)) {
		if (run) {
			b = tick(a, &c, run->first_input, run->first_ts);
			mt = tick(a, &c, run->last_input, run->last_ts);
			if (run->by_kind[SA_GK_STATE] == 0)
				continue;
			if (have)
				err = state_slice(a, t, k, cur, from,
						  from_known, since, b);
			if (err == 0)
				err = slice(a, t, k, "events not kept", "gap",
					    b, mt, NULL);
			have = false;
			since = mt;
			continue;
		}
		mt = tick(a, &c, it->input, it->ts_ns);
		if (it->kind == SA_IK_SNAP || it->kind == SA_IK_SNAP_LISTEN) {
			if (!have) {
				cur = it->kind == SA_IK_SNAP ? it->evstate
							     : SKR_TCP_LISTEN;
				have = true;
				from_known = false;
				since = mt;
			}
			continue;
		}
		if (it->kind != SA_IK_STATE) {
			err = instant(a, t, k, it, mt);
			continue;
		}
		/*
		 * Before its first transition seen, it was in oldstate: shown
		 * when that took time (an older socket's, not a new one's
		 * CLOSE of a moment).
		 */
		if (have || (mt > since && it->oldstate != SKR_TCP_CLOSE))
			err = state_slice(a, t, k, have ? cur : it->oldstate,
					  from, have && from_known, since, mt);
		from = it->oldstate;
		from_known = true;
		cur = it->newstate;
		have = cur != SKR_TCP_CLOSE;
		since = mt;
	}
	if (err == 0 && have && end >= since)
		err = state_slice(a, t, k, cur, from, from_known, since, end);
	return err;
}

static int tev_socket(struct sa_analysis *a, void *state,
		      const struct sa_sock *s)
{
	struct tev *t = state;
	struct track k = { .s = s, .tid = tid_of(s) };
	struct slot *l;
	uint64_t start, end;
	int err;

	set_origin(a, t);
	start = s->first_mt;
	end = life_end(a, s, start);
	/* A listener stays with its accept-queue counter. */
	l = map_find(&t->lsn, s->id);
	if (l) {
		k.pid = (uint32_t)l->val;
		map_del(&t->lsn, s->id);
	} else {
		err = pid_of(a, t, s, &k.pid);
		if (err)
			return err;
	}
	err = name_owner(a, t, s, k.pid);
	if (err == 0)
		err = thread_name(a, t, &k);
	if (err == 0)
		err = life_slice(a, t, &k, start, end);
	if (err == 0)
		err = track_events(a, t, &k, start, end);
	t->sockets++;
	return err;
}

/* A listener's accept queue, length and limit, from what the model applied. */
static int tev_event(struct sa_analysis *a, void *state,
		     const struct sa_evctx *ec, const union skr_rec_any *rec,
		     struct sa_sock *s)
{
	struct tev *t = state;
	char name[SA_ENDPOINT_LEN + 48], lo[SA_ENDPOINT_LEN];
	uint32_t len, limit, pid;
	struct slot *e;
	int n, err;

	if (!s)
		return 0;
	switch (rec->hdr.type) {
	case SKR_REC_ACCEPT:
		len = rec->accept.qlen;
		limit = rec->accept.max_backlog;
		break;
	case SKR_REC_LISTENER:
		len = rec->listener.ack_backlog;
		limit = rec->listener.max_ack_backlog;
		break;
	case SKR_REC_LISTEN:
		if (rec->listen.ret != 0)
			return 0;
		len = rec->listen.qlen;
		limit = rec->listen.max_backlog;
		break;
	default:
		return 0;
	}
	if (ec->mt < a->win_lo || ec->mt > a->win_hi ||
	    !sa_filter_socket(&a->opts->filters, s, a->win_lo, a->win_hi))
		return 0;
	set_origin(a, t);
	e = map_find(&t->lsn, s->id);
	if (e) {
		pid = (uint32_t)e->val;
	} else {
		err = pid_of(a, t, s, &pid);
		if (err == 0)
			err = map_put(&t->lsn, s->id, pid);
		if (err == 0)
			err = name_owner(a, t, s, pid);
		if (err)
			return err;
	}
	n = snprintf(name, sizeof(name), "accept queue #%" PRIu64 " %s", s->id,
		     sa_text_endpoint(s->family, s->saddr, s->sport, lo,
				      sizeof(lo)));
	if (n < 0 || (size_t)n >= sizeof(name))
		name[0] = '\0';
	ev_begin(t, 'C', name, false, "accept_queue", rel(t, ec->mt));
	ev_ids(t, pid, tid_of(s));
	PUT(t, ",\"args\":{\"length\":");
	put_u64(t, len);
	PUT(t, ",\"limit\":");
	put_u64(t, limit);
	PUT(t, "}");
	return ev_end(a, t);
}

static int tev_new(struct sa_analysis *a, void **state)
{
	struct tev *t = calloc(1, sizeof(*t));

	*state = t;
	if (!t)
		return -ENOMEM;
	t->procs.seed = sa_mix64((uint64_t)(uintptr_t)t ^ 0x6a09e667f3bcc909ull);
	t->nets.seed = sa_mix64(t->procs.seed);
	t->lsn.seed = sa_mix64(t->nets.seed);
	(void)a;
	return 0;
}

static void other_data(struct sa_analysis *a, struct tev *t)
{
	char wall[SA_WALL_LEN], hosts[512];
	size_t used = 0;
	uint32_t h;
	int n;

	/*
	 * No displayTimeUnit: some Perfetto versions took "ns" there for the
	 * unit of ts, a thousand times off.
	 */
	if (!t->any)
		PUT(t, "{\"traceEvents\":[");
	PUT(t, "\n],\n\"otherData\":{");
	PUT(t, "\"generator\":");
	put_str(t, "sockana");
	if (t->origin_set && a->wall &&
	    sa_format_wall(t->origin, wall, sizeof(wall)) == 0)
		put_kv(t, "ts_0", wall);
	hosts[0] = '\0';
	for (h = 0; h < a->nhosts && used < sizeof(hosts); h++) {
		n = snprintf(hosts + used, sizeof(hosts) - used, "%s%s",
			     h ? ", " : "", sa_host_name(a, h));
		if (n < 0 || (size_t)n >= sizeof(hosts) - used) {
			hosts[used] = '\0';
			break;
		}
		used += (size_t)n;
	}
	put_kv(t, "hosts", hosts);
	PUT(t, ",\"sockets\":\"");
	put_u64(t, t->sockets);
	PUT(t, "\",\"lost_events\":\"");
	put_u64(t, sa_lost(a));
	PUT(t, "\",\"truncated\":\"");
	put(t, sa_truncated(a) ? "yes" : "no");
	PUT(t, "\"}}\n");
}

/*
 * Lost events, truncation, ...: each warning the other reports write is
 * a global instant at 0, where a viewer shows it above every track, and
 * goes to opts->warn_to.  0 or -ENOMEM.
 */
static int warnings(struct sa_analysis *a, struct tev *t)
{
	char *text = NULL, *line, *nl;
	size_t len = 0;
	FILE *mem;
	int err = 0;

	mem = open_memstream(&text, &len);
	if (!mem) {
		a->o.failed = true;
		return -ENOMEM;
	}
	sa_print_warnings(a, mem);
	if (fclose(mem) != 0 || !text) {
		free(text);
		a->o.failed = true;
		return -ENOMEM;
	}
	if (a->opts->warn_to)
		fputs(text, a->opts->warn_to);
	for (line = text; err == 0 && *line; line = nl + 1) {
		nl = strchr(line, '\n');
		if (!nl)
			break;
		*nl = '\0';
		ev_begin(t, 'i', line, true, "warning", 0);
		PUT(t, ",\"s\":\"g\"");
		ev_ids(t, 0, 0);
		err = ev_end(a, t);
	}
	free(text);
	return err;
}

static void tev_end(struct sa_analysis *a, void *state)
{
	struct tev *t = state;
	char name[32];
	size_t i;
	int n;

	/* Owners whose name no socket said: their pid alone. */
	for (i = 0; i < t->npending; i++) {
		struct slot *e = map_find(&t->procs, t->pending[i]);

		if (!e || e->val == PROC_NAMED)
			continue;
		e->val = PROC_NAMED;
		n = snprintf(name, sizeof(name), "[%" PRIu32 "]",
			     t->pending[i] % SA_TEV_HOST_SPAN);
		if (n < 0 || (size_t)n >= sizeof(name))
			name[0] = '\0';
		if (proc_name(a, t, t->pending[i], name) != 0)
			return;
	}
	if (warnings(a, t) != 0)
		return;
	other_data(a, t);
	if (t->b.failed) {
		a->o.failed = true;
		return;
	}
	flush(a, t);
}

static void tev_free(void *state)
{
	struct tev *t = state;

	if (!t)
		return;
	sa_buf_free(&t->b);
	free(t->procs.s);
	free(t->nets.s);
	free(t->lsn.s);
	free(t->pending);
	free(t);
}

const struct sa_view sa_view_trace_event = {
	.name = "trace-event",
	.option = "--trace-event",
	.arg = "OUT",
	.report = SA_REPORT_TRACE_EVENT,
	.formats = SA_VIEW_TEXT,
	.items = true,
	.new = tev_new,
	.socket = tev_socket,
	.event = tev_event,
	.end = tev_end,
	.free = tev_free,
};
