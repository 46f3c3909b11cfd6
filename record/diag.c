// SPDX-License-Identifier: BSD-2-Clause
/*
 * Sockets BPF did not see being born, and counters BPF cannot see move:
 * the SNAPSHOT that starts every file (each existing TCP socket of every
 * namespace that is pinned or has processes), periodic LISTENER samples (accept queue,
 * limit and sk_drops of each listener) and NETNS_STATS (ListenOverflows and
 * ListenDrops of each namespace).  Samples are written only when something
 * changed, except the first of a file, which is the baseline.  Every filter
 * in force applies: socket-level ones by what sock_diag says, task-level
 * ones (-p, --comm, --cgroup) by the processes holding the socket
 * (owners.c); namespaces without such a process are not visited at all.
 *
 * A failure to list a namespace is printed once and recorded in the file
 * (SNAPSHOT NETNS with its error; for samples, a SAMPLING record when they
 * stop and another when they work again); only write errors stop the
 * recording.  With -Z, rec_diag_keep() opens what sampling needs in every
 * namespace before the privileges go; namespaces sockrec cannot find or
 * enter after that are recorded as not sampled (SAMPLING STOPPED).
 * A namespace whose process left since the last scan is looked for again at
 * once (another process, or its pin), not after NS_RESCAN_MS.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include "record/diag.h"
#include "record/owners.h"
#include "record/sockrec.h"

/* How often the namespaces are looked for again, between snapshots. */
#define NS_RESCAN_MS	2000
/* Listeners tracked at most (about 64 bytes each). */
#define LISTENERS_MAX	65536u
#define INTERVAL_MAX_MS	3600000u
/* As in perfbuf.c: ROUNDs still owed so a live reader releases a sample. */
#define ROUNDS_AFTER_SAMPLE	3u

#define STATE_BIT(s)	(1u << (s))
/*
 * Full sockets only: request (SYN_RECV, NEW_SYN_RECV) and TIME_WAIT mini
 * sockets never appear in BPF events under their own cookie.
 */
#define SNAP_STATES	(STATE_BIT(SKR_TCP_ESTABLISHED) | STATE_BIT(SKR_TCP_SYN_SENT) | \
			 STATE_BIT(SKR_TCP_FIN_WAIT1) | STATE_BIT(SKR_TCP_FIN_WAIT2) | \
			 STATE_BIT(SKR_TCP_CLOSE) | STATE_BIT(SKR_TCP_CLOSE_WAIT) | \
			 STATE_BIT(SKR_TCP_LAST_ACK) | STATE_BIT(SKR_TCP_LISTEN) | \
			 STATE_BIT(SKR_TCP_CLOSING))

struct listener {
	uint64_t cookie;
	uint64_t drops;
	uint64_t ts_ns;		/* the dump's start: before anything it saw changed */
	uint64_t end_ns;	/* its end: after anything it saw was born */
	uint8_t saddr[16];
	uint32_t netns;
	uint32_t ack_backlog, max_ack_backlog;
	uint32_t inode;
	uint16_t sport;
	uint8_t family;
	uint8_t flags;		/* SKR_LISTENER_NO_DROPS */
	uint8_t verdict;	/* task filters: enum verdict */
};

/* A listener against the task filters; kept from sample to sample. */
enum verdict {
	V_UNKNOWN,
	V_IN,			/* a matching process held it: stays in */
	V_OUT,			/* judged again at the next periodic owner scan */
};

struct listeners {
	struct listener *v;
	size_t n, cap;
};

struct rec_diag {
	struct diag_nl *nl;
	struct diag_ns ns[DIAG_NS_MAX];
	struct diag_ns scan[DIAG_NS_MAX];
	int nns;
	unsigned ns_skipped;	/* namespaces beyond DIAG_NS_MAX */
	uint64_t scan_ms;	/* rec_mono_ms() of the last scan */
	bool scanned;
	bool stale;		/* a namespace's process left: rescan now */
	bool file_first;	/* the next sample is a file's baseline */
	bool warned_full;
	struct listeners cur, prev;
	/*
	 * -Z: privileges dropped after rec_diag_keep().  Namespaces not found
	 * so far (or the --netns one, when it was not) cannot be sampled.
	 */
	bool dropped;
	struct diag_ns unfound;
	/* -p, --comm, --cgroup: sock_diag sockets need a matching owner. */
	bool task;
	struct rec_task_filter tf;
	struct owners own;
};

/* Collecting the listeners of one namespace during a sample. */
struct collect {
	struct rec_diag *d;
	uint32_t netns;
	uint64_t ts_ns;
};

/* Writing the SOCKET records of one namespace during a snapshot. */
struct snap {
	struct rec_session *s;
	struct rec_diag *d;
	uint32_t netns;
	uint64_t ts_ns;
	uint32_t count;
};

int rec_diag_parse_interval(const char *arg, uint32_t *ms)
{
	uint64_t v;
	int err = rec_parse_u64(arg, 0, INTERVAL_MAX_MS, &v);

	if (!err)
		*ms = (uint32_t)v;
	return err;
}

static int diag_get(struct rec_session *s, struct rec_diag **dp)
{
	struct rec_diag *d = s->diag;
	int err;

	if (d) {
		*dp = d;
		return 0;
	}
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	err = diag_nl_open(&d->nl);
	if (err) {
		fprintf(stderr, "sockrec: opening own netns for sock_diag: %s\n",
			strerror(-err));
		free(d);
		return err;
	}
	d->task = rec_filters_task(&d->tf);
	s->diag = d;
	*dp = d;
	return 0;
}

void rec_diag_close(struct rec_session *s)
{
	struct rec_diag *d = s->diag;

	if (!d)
		return;
	diag_nl_close(d->nl);
	owners_free(&d->own);
	free(d->cur.v);
	free(d->prev.v);
	free(d);
	s->diag = NULL;
}

/*
 * Namespaces a --netns filter leaves out are neither listed nor sampled;
 * with a task filter, neither are those where no matching process was seen:
 * their counters and their very existence are none of the recording's business.
 */
static int keep_wanted(struct rec_diag *d, struct diag_ns *v, int n)
{
	int i, kept = 0;

	for (i = 0; i < n; i++)
		if (rec_filters_want_netns(v[i].ino) &&
		    (!d->task || owners_netns(&d->own, v[i].ino)))
			v[kept++] = v[i];
	return kept;
}

static void rescan(struct rec_diag *d)
{
	unsigned skipped = 0;
	int n;

	n = diag_nl_scan(d->nl, d->ns, d->nns, d->scan, DIAG_NS_MAX, &skipped);
	d->scan_ms = rec_mono_ms();
	d->scanned = true;
	if (n < 0) {
		/* Without /proc, our own namespace is still worth listing. */
		fprintf(stderr, "sockrec: looking for network namespaces in /proc: %s\n",
			strerror(-n));
		memset(&d->scan[0], 0, sizeof(d->scan[0]));
		d->scan[0].ino = diag_nl_self_ns(d->nl);
		n = 1;
	}
	n = keep_wanted(d, d->scan, n);
	if (skipped && d->ns_skipped != skipped)
		fprintf(stderr, "sockrec: %u network namespaces beyond the first %d "
			"are not listed\n", skipped, DIAG_NS_MAX);
	memcpy(d->ns, d->scan, (size_t)n * sizeof(d->ns[0]));
	d->nns = n;
	d->ns_skipped = skipped;
	d->stale = false;
}

/*
 * A visit found ns's process gone (nothing of it was written yet): mark it
 * to be visited again after a rescan, once per sample or snapshot.
 */
static bool defer_gone(struct rec_diag *d, struct diag_ns *ns, int err,
		       bool retrying)
{
	if (err != -ESRCH || retrying)
		return false;
	ns->retry = true;
	d->stale = true;
	return true;
}

/*
 * Print a namespace's failure once.  A process that just left is no news,
 * and a refused or broken setns() was reported once for all namespaces.
 */
static void warn_ns(struct rec_diag *d, struct diag_ns *ns, const char *what,
		    int err)
{
	if (ns->warned || err == -ESRCH || err == -ENOTRECOVERABLE ||
	    ((err == -EPERM || err == -EACCES) && diag_nl_denied(d->nl)))
		return;
	ns->warned = true;
	fprintf(stderr, "sockrec: %s of netns %u: %s\n", what, ns->ino,
		strerror(-err));
}

static bool limit_reached(const struct rec_session *s)
{
	return s->max_events && s->events >= s->max_events;
}

/* An event record: counted in END like the kernel's, and released by ROUNDs. */
static int write_event(struct rec_session *s, const void *rec, size_t len)
{
	int err = rec_write(s, rec, len);

	if (err)
		return err;
	s->events++;
	if (s->rounds_pending < ROUNDS_AFTER_SAMPLE)
		s->rounds_pending = ROUNDS_AFTER_SAMPLE;
	return 0;
}

/* SAMPLING: from ts_ns on, netns (0: every one not found) is or is not sampled. */
static int write_sampling(struct rec_session *s, uint32_t netns, uint8_t state,
			  int error, uint64_t ts_ns)
{
	struct skr_ev_sampling r;

	memset(&r, 0, sizeof(r));
	r.hdr.len = sizeof(r);
	r.hdr.type = SKR_REC_SAMPLING;
	r.c.ts_ns = ts_ns;
	r.c.netns = netns;
	r.error = error;
	r.state = state;
	return write_event(s, &r, sizeof(r));
}

/*
 * A sample of ns failed: say so once per stop and file, so that an
 * analyzer reports its overflows as unknown rather than as none.
 */
static int sampling_failed(struct rec_session *s, struct diag_ns *ns, int err,
			   uint64_t ts_ns)
{
	ns->stopped = true;
	if (ns->stop_written)
		return 0;
	ns->stop_written = true;
	return write_sampling(s, ns->ino, SKR_SAMPLING_STOPPED, err, ts_ns);
}

static int sampling_worked(struct rec_session *s, struct diag_ns *ns,
			   uint64_t ts_ns)
{
	bool written = ns->stop_written;

	ns->stopped = false;
	ns->stop_written = false;
	return written ? write_sampling(s, ns->ino, SKR_SAMPLING_RESUMED, 0,
					ts_ns) : 0;
}

/* ---- snapshot ---- */

static int snap_socket(void *arg, const struct diag_sock *ds)
{
	struct snap *sn = arg;
	struct skr_snapshot r;
	int err;

	if (!rec_filters_want_sock(ds->family, ds->sport, ds->dport))
		return 0;
	if (sn->d->task) {
		if (!owners_sock(&sn->d->own, ds->inode))
			return 0;
		rec_filters_admit(sn->s, ds->cookie);
	}
	memset(&r, 0, sizeof(r));
	r.hdr.len = sizeof(r);
	r.hdr.type = SKR_REC_SNAPSHOT;
	r.kind = SKR_SNAP_SOCKET;
	r.ts_ns = sn->ts_ns;
	r.cookie = ds->cookie;
	r.netns = sn->netns;
	r.inode = ds->inode;
	r.uid = ds->uid;
	r.rqueue = ds->rqueue;
	r.wqueue = ds->wqueue;
	memcpy(r.saddr, ds->saddr, sizeof(r.saddr));
	memcpy(r.daddr, ds->daddr, sizeof(r.daddr));
	r.sport = ds->sport;
	r.dport = ds->dport;
	r.family = ds->family;
	r.state = ds->state;
	err = rec_write(sn->s, &r, sizeof(r));
	if (!err)
		sn->count++;
	return err;
}

static int snap_marker(struct rec_session *s, uint8_t kind, uint32_t netns,
		       uint32_t count, int error, unsigned listed,
		       unsigned failed)
{
	struct skr_snapshot r;

	memset(&r, 0, sizeof(r));
	r.hdr.len = sizeof(r);
	r.hdr.type = SKR_REC_SNAPSHOT;
	r.kind = kind;
	r.ts_ns = rec_boot_ns();
	r.netns = netns;
	r.count = count;
	r.error = error;
	r.netns_listed = listed > UINT16_MAX ? UINT16_MAX : (uint16_t)listed;
	r.netns_failed = failed > UINT16_MAX ? UINT16_MAX : (uint16_t)failed;
	return rec_write(s, &r, sizeof(r));
}

/* List one namespace into SOCKET records; returns the listing's error. */
static int snap_ns(struct rec_session *s, struct diag_ns *ns, uint32_t *count)
{
	struct rec_diag *d = s->diag;
	struct snap sn = { .s = s, .d = d, .netns = ns->ino };
	int fd, err;

	fd = diag_nl_socket(d->nl, ns, NULL);
	if (fd < 0) {
		*count = 0;
		return fd;
	}
	sn.ts_ns = rec_boot_ns();
	err = diag_nl_dump(d->nl, fd, SKR_AF_INET, SNAP_STATES, false,
			   snap_socket, &sn);
	if (!err)
		err = diag_nl_dump(d->nl, fd, SKR_AF_INET6, SNAP_STATES, false,
				   snap_socket, &sn);
	close(fd);
	*count = sn.count;
	return err;
}

/* Totals of a snapshot's NETNS records, for its END record. */
struct snap_totals {
	unsigned listed, failed;
	uint32_t total;
};

/* List one namespace and write its NETNS record, unless deferred. */
static int snap_one(struct rec_session *s, struct diag_ns *ns, bool retrying,
		    struct snap_totals *t)
{
	struct rec_diag *d = s->diag;
	uint32_t count;
	int err;

	err = snap_ns(s, ns, &count);
	if (s->werr)
		return s->werr;
	if (count == 0 && defer_gone(d, ns, err, retrying))
		return 0;
	if (err) {
		warn_ns(d, ns, "listing sockets", err);
		t->failed++;
	} else {
		t->listed++;
	}
	t->total += count;
	err = snap_marker(s, SKR_SNAP_NETNS, ns->ino, count, err, 0, 0);
	/* A new file: its first sample is a full baseline, stops said again. */
	ns->stats_written = false;
	ns->stop_written = false;
	return err;
}

int rec_diag_snapshot(struct rec_session *s)
{
	struct rec_diag *d;
	struct snap_totals t = { 0 };
	int i, err;

	err = diag_get(s, &d);
	if (err) {
		/* Still say in the file that nothing could be listed. */
		return snap_marker(s, SKR_SNAP_END, 0, 0, err, 0, 1);
	}
	if (d->task) {
		err = owners_scan(&d->own, &d->tf);
		if (err)
			return err;
	}
	rescan(d);
	for (i = 0; i < d->nns; i++) {
		err = snap_one(s, &d->ns[i], false, &t);
		if (err)
			return err;
	}
	if (d->stale) {
		/* Gone namespaces drop out; moved ones are listed via the new process. */
		rescan(d);
		for (i = 0; i < d->nns; i++) {
			if (!d->ns[i].retry)
				continue;
			d->ns[i].retry = false;
			err = snap_one(s, &d->ns[i], true, &t);
			if (err)
				return err;
		}
	}
	t.failed += d->ns_skipped;
	err = snap_marker(s, SKR_SNAP_END, 0, t.total, 0, t.listed, t.failed);
	if (err)
		return err;
	d->unfound.stop_written = false;
	d->file_first = true;
	d->prev.n = 0;
	if (s->opt && s->opt->sample_ms)
		return rec_diag_sample(s);
	return 0;
}

/* ---- samples ---- */

static int collect_listener(void *arg, const struct diag_sock *ds)
{
	struct collect *c = arg;
	struct listeners *l = &c->d->cur;
	struct listener *e;

	if (ds->state != SKR_TCP_LISTEN ||
	    !rec_filters_want_sock(ds->family, ds->sport, ds->dport))
		return 0;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct listener *v;

		if (l->cap >= LISTENERS_MAX) {
			if (!c->d->warned_full)
				fprintf(stderr, "sockrec: more than %u listeners; "
					"sampling only the first\n", LISTENERS_MAX);
			c->d->warned_full = true;
			return 0;
		}
		v = realloc(l->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	e = &l->v[l->n++];
	memset(e, 0, sizeof(*e));
	e->cookie = ds->cookie;
	e->drops = ds->drops;
	e->ts_ns = c->ts_ns;
	memcpy(e->saddr, ds->saddr, sizeof(e->saddr));
	e->netns = c->netns;
	/* For a listener, sock_diag's queues are the accept queue and its limit. */
	e->ack_backlog = ds->rqueue;
	e->max_ack_backlog = ds->wqueue;
	e->inode = ds->inode;
	e->sport = ds->sport;
	e->family = ds->family;
	e->flags = ds->has_drops ? 0 : SKR_LISTENER_NO_DROPS;
	return 0;
}

static int cmp_listener(const void *a, const void *b)
{
	const struct listener *x = a, *y = b;

	if (x->netns != y->netns)
		return x->netns < y->netns ? -1 : 1;
	if (x->cookie != y->cookie)
		return x->cookie < y->cookie ? -1 : 1;
	return 0;
}

/*
 * statfd: the namespace's netstat opened during the visit, or -errno.
 * *why gets the failure to read it, if any (and keeps its value otherwise).
 */
static int write_netns_stats(struct rec_session *s, struct diag_ns *ns,
			     int statfd, uint64_t ts_ns, int *why)
{
	struct skr_ev_netns_stats r;
	uint64_t ovf = 0, drops = 0;
	int err;

	err = statfd < 0 ? statfd : diag_nl_netstat(s->diag->nl, statfd, &ovf,
							       &drops);
	if (err) {
		warn_ns(s->diag, ns, "reading ListenOverflows", err);
		*why = err;
		return 0;
	}
	if (ns->stats_written && ns->overflows == ovf && ns->drops == drops)
		return 0;
	memset(&r, 0, sizeof(r));
	r.hdr.len = sizeof(r);
	r.hdr.type = SKR_REC_NETNS_STATS;
	r.c.ts_ns = ts_ns;
	r.c.netns = ns->ino;
	r.listen_overflows = ovf;
	r.listen_drops = drops;
	r.flags = ns->stats_written ? 0 : SKR_NETNS_STATS_FIRST;
	err = write_event(s, &r, sizeof(r));
	if (err)
		return err;
	ns->stats_written = true;
	ns->overflows = ovf;
	ns->drops = drops;
	return 0;
}

/* seen: the previous sample had it too (in this file or the one before). */
static int write_listener(struct rec_session *s, const struct listener *e,
			  bool first, bool seen)
{
	struct skr_ev_listener r;

	memset(&r, 0, sizeof(r));
	r.hdr.len = sizeof(r);
	r.hdr.type = SKR_REC_LISTENER;
	/*
	 * A listener that the previous sample did not see may have been born
	 * during this dump, after its start: stamped with the start, the
	 * sample would come before the listener's own CLOSE -> LISTEN in time
	 * order, and an analyzer would give it to a socket of its own (with
	 * classic tracepoints, where the listener is named by an own id and
	 * the sample by its cookie, that took the overflows away from the
	 * listener).  One seen before was born before this dump began; the
	 * start keeps its sample before a close that the dump did not see.
	 */
	r.c.ts_ns = seen ? e->ts_ns : e->end_ns;
	r.c.cookie = e->cookie;
	r.c.netns = e->netns;
	r.drops = e->drops;
	memcpy(r.saddr, e->saddr, sizeof(r.saddr));
	r.ack_backlog = e->ack_backlog;
	r.max_ack_backlog = e->max_ack_backlog;
	r.inode = e->inode;
	r.sport = e->sport;
	r.family = e->family;
	r.flags = e->flags | (first ? SKR_LISTENER_FIRST : 0);
	return write_event(s, &r, sizeof(r));
}

/* Listeners and counters of one namespace into d->cur; NETNS_STATS out. */
static int sample_ns(struct rec_session *s, struct diag_ns *ns, bool retrying)
{
	struct rec_diag *d = s->diag;
	struct collect c = { .d = d, .netns = ns->ino };
	size_t i, n0 = d->cur.n;
	int fd, statfd = -EBADF, err, why = 0;
	uint64_t end_ns;

	fd = diag_nl_socket(d->nl, ns, &statfd);
	if (fd < 0) {
		if (defer_gone(d, ns, fd, retrying))
			return 0;
		warn_ns(d, ns, "sampling listeners", fd);
		/* A namespace that is gone has nothing left to sample. */
		return fd == -ESRCH ? 0 : sampling_failed(s, ns, fd, rec_boot_ns());
	}
	c.ts_ns = rec_boot_ns();
	err = diag_nl_dump(d->nl, fd, SKR_AF_INET, STATE_BIT(SKR_TCP_LISTEN),
			   true, collect_listener, &c);
	if (!err)
		err = diag_nl_dump(d->nl, fd, SKR_AF_INET6,
				   STATE_BIT(SKR_TCP_LISTEN), true,
				   collect_listener, &c);
	close(fd);
	end_ns = rec_boot_ns();
	for (i = n0; i < d->cur.n; i++)
		d->cur.v[i].end_ns = end_ns;
	if (err == -ENOMEM)
		goto out;
	if (err) {
		/* A partial list would look like listeners that closed. */
		d->cur.n = n0;
		warn_ns(d, ns, "sampling listeners", err);
		why = err;
	}
	err = write_netns_stats(s, ns, statfd, c.ts_ns, &why);
	if (!err)
		err = why ? sampling_failed(s, ns, why, c.ts_ns)
			  : sampling_worked(s, ns, c.ts_ns);
out:
	if (statfd >= 0)
		close(statfd);
	return err;
}

/*
 * After -Z, namespaces that were not found before the drop stay unknown
 * (/proc hides them) or cannot be entered: say so once per file, for the
 * --netns one while it is not found, else for all of them (netns 0).
 */
static int sample_unfound(struct rec_session *s, struct rec_diag *d)
{
	uint32_t want = rec_filters_netns();
	bool missing = true;
	int i;

	if (!d->dropped)
		return 0;
	for (i = 0; want && i < d->nns; i++)
		if (d->ns[i].ino == want)
			missing = false;
	d->unfound.ino = want;
	if (missing)
		return sampling_failed(s, &d->unfound, -EPERM, rec_boot_ns());
	return sampling_worked(s, &d->unfound, rec_boot_ns());
}

int rec_diag_keep(struct rec_session *s)
{
	struct rec_diag *d;
	int i, err;

	err = diag_get(s, &d);
	if (err)
		return err == -ENOMEM ? err : 0;
	rescan(d);
	for (i = 0; i < d->nns; i++) {
		err = diag_nl_keep(d->nl, &d->ns[i]);
		/* Not fatal: its samples will fail, and the file say so. */
		if (err && err != -ESRCH)
			warn_ns(d, &d->ns[i], "keeping sock_diag open", err);
	}
	return 0;
}

void rec_diag_dropped(struct rec_session *s)
{
	if (s->diag)
		s->diag->dropped = true;
}

/*
 * The task filters' verdict on each listener of d->cur (sorted): kept from
 * the previous sample, else from the owners, scanned again at most once
 * per sample and only for a listener not judged yet.  fresh: the owners
 * were just scanned, so listeners left out are judged again (a matching
 * process may have been given one since).
 */
static int judge(struct rec_diag *d, bool fresh)
{
	bool scanned = fresh;
	size_t i;
	int err;

	for (i = 0; i < d->cur.n; i++) {
		struct listener *e = &d->cur.v[i];
		const struct listener *old = NULL;

		if (!d->task) {
			e->verdict = V_IN;
			continue;
		}
		if (d->prev.n)
			old = bsearch(e, d->prev.v, d->prev.n, sizeof(*e),
				      cmp_listener);
		e->verdict = old ? old->verdict : V_UNKNOWN;
		if (e->verdict == V_OUT && fresh)
			e->verdict = V_UNKNOWN;
		if (e->verdict != V_UNKNOWN)
			continue;
		if (!scanned) {
			err = owners_scan(&d->own, &d->tf);
			if (err)
				return err;
			scanned = true;
		}
		e->verdict = owners_sock(&d->own, e->inode) ? V_IN : V_OUT;
	}
	return 0;
}

int rec_diag_sample(struct rec_session *s)
{
	struct rec_diag *d;
	struct listeners t;
	bool fresh = false;
	size_t i;
	int err;

	if (s->werr)
		return s->werr;
	if (limit_reached(s))
		return 0;
	err = diag_get(s, &d);
	if (err)
		return err == -ENOMEM ? err : 0;
	if (d->task && (!d->own.scanned ||
			rec_mono_ms() - d->own.scan_ms >= NS_RESCAN_MS)) {
		err = owners_scan(&d->own, &d->tf);
		if (err)
			return err;
		fresh = true;
	}
	if (!d->scanned || rec_mono_ms() - d->scan_ms >= NS_RESCAN_MS)
		rescan(d);
	d->cur.n = 0;
	for (i = 0; i < (size_t)d->nns; i++) {
		err = sample_ns(s, &d->ns[i], false);
		if (err)
			return err;
	}
	if (d->stale) {
		/* Deferred ones added nothing to d->cur: no listener twice. */
		rescan(d);
		for (i = 0; i < (size_t)d->nns; i++) {
			if (!d->ns[i].retry)
				continue;
			d->ns[i].retry = false;
			err = sample_ns(s, &d->ns[i], true);
			if (err)
				return err;
		}
	}
	err = sample_unfound(s, d);
	if (err)
		return err;
	if (d->cur.n > 1)	/* qsort(NULL, 0, ...) is undefined behaviour */
		qsort(d->cur.v, d->cur.n, sizeof(*d->cur.v), cmp_listener);
	err = judge(d, fresh);
	if (err)
		return err;
	for (i = 0; i < d->cur.n; i++) {
		const struct listener *e = &d->cur.v[i];
		const struct listener *old = NULL, *seen = NULL;

		if (e->verdict != V_IN)
			continue;	/* a filter leaves it out */
		if (d->prev.n)
			seen = bsearch(e, d->prev.v, d->prev.n, sizeof(*e),
				       cmp_listener);
		if (!d->file_first)
			old = seen;
		if (old && old->verdict != V_IN)
			old = NULL;	/* never written: this is its first */
		if (old && old->ack_backlog == e->ack_backlog &&
		    old->drops == e->drops &&
		    old->max_ack_backlog == e->max_ack_backlog)
			continue;
		err = write_listener(s, e, old == NULL, seen != NULL);
		if (err)
			return err;
	}
	t = d->prev;
	d->prev = d->cur;
	d->cur = t;
	d->file_first = false;
	return 0;
}
