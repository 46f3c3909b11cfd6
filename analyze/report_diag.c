/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The default report: a short diagnosis of what went wrong.  Sockets by
 * outcome; failed connects by reason and remote endpoint (with the drops
 * of their SYNs); resets by direction, state, reason, endpoints and owner;
 * packets dropped with no socket; listen overflows per listener (with what
 * its clients suffered) and per namespace; connections left in CLOSE_WAIT
 * at the end (an application that does not close); lost events and
 * truncation.  With several hosts each finding names its host.  Every finding names
 * the socket ids to look at with --timeline --socket ID.
 *
 * Lives are folded into bounded group tables as they end, here; a finding
 * whose events were not recorded says "not observable in this trace".
 * report_diag_out.c and report_diag_sockets.c write the sections.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/analysis.h"
#include "analyze/drops.h"
#include "analyze/life.h"
#include "analyze/meta.h"
#include "analyze/report_diag.h"
#include "analyze/sockets.h"
#include "analyze/text.h"
#include "analyze/views.h"
#include "format/skr.h"

#define GROUPS_MAX	256	/* distinct keys per table; more go to "other" */

static void diag_free(void *state)
{
	struct sa_diag *d = state;

	if (!d)
		return;
	sa_backlog_free(d->bl);
	sa_diag_join_free(d->join);
	free(d->failed.g);
	free(d->resets.g);
	free(d);
}

static void ids_add(struct sa_diag_ids *ids, uint64_t id)
{
	if (ids->n < SA_DIAG_IDS_SHOWN)
		ids->id[ids->n++] = id;
	ids->count++;
}

static bool same_key(const struct sa_diag_group *g,
		     const struct sa_diag_group *k)
{
	return g->host == k->host && strcmp(g->a, k->a) == 0 &&
	       strcmp(g->b, k->b) == 0 && strcmp(g->c, k->c) == 0 &&
	       strcmp(g->local, k->local) == 0 &&
	       strcmp(g->remote, k->remote) == 0 &&
	       strcmp(g->owner, k->owner) == 0 &&
	       strcmp(g->dropped, k->dropped) == 0 && g->peer == k->peer;
}

/* k: the key fields of a group (host, a, b, c, local, remote, owner). */
static struct sa_diag_group *group_of(struct sa_diag_table *t,
				      const struct sa_diag_group *k, int *err)
{
	struct sa_diag_group *g;
	size_t i;

	*err = 0;
	for (i = 0; i < t->n; i++)
		if (same_key(&t->g[i], k))
			return &t->g[i];
	if (t->n == GROUPS_MAX)
		return NULL;
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;

		g = realloc(t->g, cap * sizeof(*g));
		if (!g) {
			*err = -ENOMEM;
			return NULL;
		}
		t->g = g;
		t->cap = cap;
	}
	g = &t->g[t->n++];
	*g = *k;
	memset(&g->ids, 0, sizeof(g->ids));
	g->drops = 0;
	g->have_ns = false;
	return g;
}

static int group_add(struct sa_diag_table *t, const struct sa_diag_group *k,
		     uint64_t id, const uint64_t *ns)
{
	struct sa_diag_group *g;
	int err;

	g = group_of(t, k, &err);
	if (!g) {
		if (err)
			return err;
		ids_add(&t->other, id);
		return 0;
	}
	ids_add(&g->ids, id);
	g->drops += k->drops;
	if (ns) {
		if (!g->have_ns || *ns < g->ns_min)
			g->ns_min = *ns;
		if (!g->have_ns || *ns > g->ns_max)
			g->ns_max = *ns;
		g->have_ns = true;
	}
	return 0;
}

/* "addr:port" -> "addr" (IPv6 "[addr]:port" -> "[addr]"). */
static void no_port(char *ep)
{
	char *colon = strrchr(ep, ':');

	if (colon && (ep[0] != '[' || colon[-1] == ']'))
		*colon = '\0';
}

/*
 * A connect's SYNs that the kernel dropped with no socket to blame (a
 * firewall rule, nobody listening where they were routed): the packets
 * sent from its port to its remote endpoint.  Its timeout then has a
 * cause the diagnosis can name.
 */
static void syn_drops(const struct sa_analysis *a, const struct sa_sock *s,
		      struct sa_diag_group *k)
{
	const char *why;
	uint64_t n;

	if (s->sport == 0)
		return;
	n = sa_drops_to(a->drops, s->host, s->netns, s->family, s->daddr,
			s->dport, s->sport, &why);
	if (n == 0 || !why)
		return;
	k->drops = n;
	sa_text_copy(k->dropped, sizeof(k->dropped), why, strlen(why));
}

/* A key with its host and columns; the others empty. */
static void key_init(struct sa_diag_group *k, uint32_t host, const char *a,
		     const char *b, const char *c)
{
	memset(k, 0, sizeof(*k));
	k->host = host;
	sa_text_copy(k->a, sizeof(k->a), a, strlen(a));
	sa_text_copy(k->b, sizeof(k->b), b, strlen(b));
	sa_text_copy(k->c, sizeof(k->c), c, strlen(c));
}

/*
 * Where a reset happened, without the ephemeral port that would make a
 * group of every connection: a client's remote service and local address,
 * a server child's local service and remote address.
 */
static void reset_ends(const struct sa_sock *s, struct sa_diag_group *k)
{
	bool active = s->role == SA_ROLE_ACTIVE;
	bool passive = s->role == SA_ROLE_PASSIVE;

	sa_text_endpoint(s->family, s->saddr, active ? 0 : s->sport,
			 k->local, sizeof(k->local));
	sa_text_endpoint(s->family, s->daddr, passive ? 0 : s->dport,
			 k->remote, sizeof(k->remote));
	if (active)
		no_port(k->local);
	if (passive)
		no_port(k->remote);
	if (s->have_owner)
		sa_text_task(s->owner_comm, s->owner_pid, k->owner,
			     sizeof(k->owner));
	else
		memcpy(k->owner, "unknown", sizeof("unknown"));
}

/* The failure of a connect, in words: errno name or what is known. */
static const char *fail_reason(const struct sa_sock *s, enum sa_outcome o,
			       char *buf, size_t size)
{
	const char *name;
	int n;

	if (o == SA_OUT_HANDSHAKE_FAILED)
		return "passive handshake failed";
	if (o == SA_OUT_NOT_ACCEPTED_RESET)
		return "reset, never accepted";
	if (s->error) {
		name = skr_errno_name(s->error);
		if (name)
			return name;
		n = snprintf(buf, size, "errno %" PRId32, s->error);
		return n > 0 && (size_t)n < size ? buf : "errno";
	}
	if (o == SA_OUT_REFUSED)
		return "reset in SYN_SENT";
	if (o == SA_OUT_CONNECT_ABORTED)
		return "closed while connecting";
	return "reason not seen";
}

static int fold_resets(struct sa_analysis *a, struct sa_diag *d,
		       const struct sa_sock *s)
{
	struct sa_diag_group k;
	char st[24], rb[24];
	const char *why;
	int n, err = 0;

	if (!sa_life_reset(s))
		return 0;
	d->reset_sockets++;
	if (s->resets_in > 0) {
		/* Both halves of one reset: the pair joins the two rows. */
		key_init(&k, s->host, "received", skr_tcp_state_name(
				 s->reset_in_state, st, sizeof(st)),
			 "");
		k.peer = s->peer_reset_in;
		reset_ends(s, &k);
		err = group_add(&d->resets, &k, s->id, NULL);
	}
	if (err == 0 && s->resets_out > 0) {
		/* Before 6.10 the hook has no reason: say so, not blank. */
		if (s->reset_reason == SKR_REASON_NONE)
			why = sa_meta_limited(&a->in[s->input].meta,
					      "tcp_send_reset",
					      SKR_LIMIT_RST_NO_REASON) ?
			      "reason " SA_NOT_ON_KERNEL : "";
		else
			why = sa_meta_enum(&a->in[s->input].meta,
					   SKR_REC_RESET, s->reset_reason);
		if (!why) {
			n = snprintf(rb, sizeof(rb), "reason %" PRIu32,
				     s->reset_reason);
			why = n > 0 && (size_t)n < sizeof(rb) ? rb : "";
		}
		key_init(&k, s->host, "sent", "", why);
		k.peer = s->peer_reset_out;
		reset_ends(s, &k);
		err = group_add(&d->resets, &k, s->id, NULL);
	}
	return err;
}

static int diag_socket(struct sa_analysis *a, void *state,
		       const struct sa_sock *s)
{
	struct sa_diag *d = state;
	enum sa_outcome o = sa_outcome_of(a, s);
	char ep[SA_ENDPOINT_LEN], rb[32];
	struct sa_diag_group k;
	uint64_t ns;
	bool have_ns, passive;
	int err;

	err = sa_backlog_socket(d->bl, s, sa_pairs_listener_of(
					sa_sockets_pairs(a->socks), s));
	if (err)
		return err;
	d->sockets++;
	if (s->older)
		d->older++;
	if (s->from_snapshot)
		d->snapshot++;
	if (!s->closed)
		d->open_at_end++;
	ids_add(&d->outcome[o], s->id);
	/*
	 * A child never accepted and reset when its listener closed is a
	 * client that connected and was served nothing: a failure too.
	 */
	passive = o == SA_OUT_HANDSHAKE_FAILED ||
		  o == SA_OUT_NOT_ACCEPTED_RESET;
	if (o == SA_OUT_REFUSED || o == SA_OUT_CONNECT_TIMEOUT ||
	    o == SA_OUT_CONNECT_ERROR || o == SA_OUT_CONNECT_FAILED ||
	    o == SA_OUT_CONNECT_ABORTED || passive) {
		have_ns = sa_life_time(s, o == SA_OUT_HANDSHAKE_FAILED
					   ? SA_AT_SYN_RECV
					   : passive ? SA_AT_ESTABLISHED
						     : SA_AT_SYN_SENT,
				       SA_AT_CLOSE, &ns);
		/* A passive socket's remote port is the client's: leave it. */
		sa_text_endpoint(s->family, s->daddr, passive ? 0 : s->dport,
				 ep, sizeof(ep));
		if (passive)
			no_port(ep);
		key_init(&k, s->host, fail_reason(s, o, rb, sizeof(rb)), ep,
			 "");
		if (!passive)
			syn_drops(a, s, &k);
		err = group_add(&d->failed, &k, s->id, have_ns ? &ns : NULL);
		if (err)
			return err;
	}
	err = fold_resets(a, d, s);
	if (err)
		return err;
	err = sa_diag_join_socket(d->join, a, s, o);
	if (err)
		return err;
	/* Its own bound: each socket gets a line, not just an id. */
	if (!s->closed && s->state == SKR_TCP_CLOSE_WAIT) {
		if (d->ncw < SA_DIAG_CLOSE_WAIT_SHOWN) {
			struct sa_diag_cw *c = &d->cw[d->ncw++];

			c->id = s->id;
			c->s = *s;
			c->s.items = NULL;
			c->s.nitems = 0;
			c->s.gap = NULL;
			c->s.acc = NULL;
		}
		d->close_wait++;
	}
	return 0;
}

/* The diagnosis keeps the listeners as --backlog does, for their overflows. */
static int diag_new(struct sa_analysis *a, void **state)
{
	struct sa_diag *d;
	int err;

	(void)a;
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	err = sa_backlog_new(&d->bl);
	if (err == 0)
		err = sa_diag_join_new(&d->join);
	if (err) {
		diag_free(d);
		d = NULL;
	}
	*state = d;
	return err;
}

static int diag_event(struct sa_analysis *a, void *state,
		      const struct sa_evctx *ec, const union skr_rec_any *rec,
		      struct sa_sock *s)
{
	struct sa_diag *d = state;
	int err;

	(void)a;
	err = sa_backlog_event(d->bl, ec, rec, s);
	return err ? err : sa_diag_join_event(d->join, ec, rec, s);
}

static void diag_end(struct sa_analysis *a, void *state)
{
	sa_diag_end(a, state);
}

const struct sa_view sa_view_diag = {
	.name = "diagnosis",
	.option = NULL,
	.report = SA_REPORT_DIAG,
	.pairs = true,		/* listener links, a reset's two halves */
	.formats = SA_VIEW_TEXT | SA_VIEW_JSON,
	.new = diag_new,
	.socket = diag_socket,
	.event = diag_event,
	.end = diag_end,
	.free = diag_free,
};
