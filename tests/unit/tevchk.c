// SPDX-License-Identifier: BSD-2-Clause
/*
 * A checker of sockana --trace-event files against the Trace Event
 * Format, with no JSON library: the syntax is checked by jsonl.c, then
 * this walks the (now known to be valid) text for the fields each phase
 * needs, and checks that slices of a track nest and that every track and
 * process used has its name.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonl.h"
#include "tevchk.h"

struct span {
	uint32_t pid, tid;
	uint64_t b, e;			/* ns */
	size_t idx;			/* event index, for messages */
};

struct pair {
	uint32_t a, b;
	size_t idx;
};

struct vec {
	void *p;
	size_t n, cap, size;
};

struct ck {
	const char *p, *end;
	struct tevchk *r;
	size_t idx;			/* event being read */
	struct vec slices;		/* struct span */
	struct vec used_tracks;		/* pair: pid, tid */
	struct vec named_tracks;	/* pair: pid, tid */
	struct vec used_pids;		/* pair: pid */
	struct vec named_pids;		/* pair: pid */
	struct vec tid_pid;		/* pair: tid, pid */
};

static int fail(struct ck *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int fail(struct ck *c, const char *fmt, ...)
{
	char what[200];
	va_list ap;

	if (c->r->msg[0])
		return -1;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(c->r->msg, sizeof(c->r->msg), "event %zu: %s", c->idx, what);
	return -1;
}

static void *vec_add(struct ck *c, struct vec *v)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 256;
		void *p = realloc(v->p, cap * v->size);

		if (!p) {
			fail(c, "out of memory");
			return NULL;
		}
		v->p = p;
		v->cap = cap;
	}
	return (char *)v->p + v->n++ * v->size;
}

static int pair_add(struct ck *c, struct vec *v, uint32_t a, uint32_t b)
{
	struct pair *e = vec_add(c, v);

	if (!e)
		return -1;
	e->a = a;
	e->b = b;
	e->idx = c->idx;
	return 0;
}

static void ws(struct ck *c)
{
	while (c->p < c->end && strchr(" \t\r\n", *c->p) && *c->p)
		c->p++;
}

static bool eat(struct ck *c, char ch)
{
	ws(c);
	if (c->p < c->end && *c->p == ch) {
		c->p++;
		return true;
	}
	return false;
}

/* A string's raw bytes between its quotes (escapes left as they are). */
static void string_raw(struct ck *c, const char **s, size_t *n)
{
	const char *q;

	ws(c);
	q = ++c->p;			/* past the quote */
	while (*c->p != '"')
		c->p += *c->p == '\\' ? 2 : 1;
	*s = q;
	*n = (size_t)(c->p - q);
	c->p++;
}

static void skip_value(struct ck *c)
{
	const char *s;
	size_t n;

	ws(c);
	if (*c->p == '"') {
		string_raw(c, &s, &n);
	} else if (*c->p == '{' || *c->p == '[') {
		char close = *c->p == '{' ? '}' : ']';

		c->p++;
		if (eat(c, close))
			return;
		do {
			if (close == '}') {
				string_raw(c, &s, &n);
				eat(c, ':');
			}
			skip_value(c);
		} while (eat(c, ','));
		eat(c, close);
	} else {
		while (c->p < c->end && !strchr(",}] \t\r\n", *c->p))
			c->p++;
	}
}

static bool is(const char *s, size_t n, const char *lit)
{
	return strlen(lit) == n && memcmp(s, lit, n) == 0;
}

/* A number token: its bytes, or false if the value is not a number. */
static bool number(struct ck *c, const char **s, size_t *n)
{
	ws(c);
	if (c->p >= c->end || !strchr("-0123456789", *c->p) || !*c->p)
		return false;
	*s = c->p;
	skip_value(c);
	*n = (size_t)(c->p - *s);
	return true;
}

/* Microseconds with at most three decimals, as nanoseconds. */
static int micros(struct ck *c, const char *key, uint64_t *ns)
{
	const char *s;
	size_t n, i, dec = 0;
	uint64_t v = 0;
	bool dot = false;

	if (!number(c, &s, &n))
		return fail(c, "\"%s\" is not a number", key);
	for (i = 0; i < n; i++) {
		if (s[i] == '.' && !dot && i > 0) {
			dot = true;
			continue;
		}
		if (s[i] < '0' || s[i] > '9' || (dot && ++dec > 3) ||
		    v > UINT64_MAX / 10 - 10)
			return fail(c, "\"%s\" %.*s is not microseconds with at "
				    "most three decimals", key, (int)n, s);
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (dot && dec == 0)
		return fail(c, "\"%s\" ends with a dot", key);
	for (; dec < 3; dec++)
		v *= 10;
	*ns = v;
	return 0;
}

static int u32(struct ck *c, const char *key, uint32_t *out)
{
	const char *s;
	size_t n, i;
	uint64_t v = 0;

	if (!number(c, &s, &n))
		return fail(c, "\"%s\" is not a number", key);
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9' || v > UINT32_MAX)
			return fail(c, "\"%s\" %.*s is not an unsigned 32-bit "
				    "integer", key, (int)n, s);
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > UINT32_MAX || n == 0)
		return fail(c, "\"%s\" %.*s is not an unsigned 32-bit integer",
			    key, (int)n, s);
	*out = (uint32_t)v;
	return 0;
}

/* args of a counter: members all numbers, at least one. */
static int counter_args(struct ck *c)
{
	const char *s, *k;
	size_t n, kn, members = 0;

	if (!eat(c, '{'))
		return fail(c, "counter args is not an object");
	if (!eat(c, '}')) {
		do {
			string_raw(c, &k, &kn);
			eat(c, ':');
			if (!number(c, &s, &n))
				return fail(c, "counter value \"%.*s\" is not a "
					    "number", (int)kn, k);
			members++;
		} while (eat(c, ','));
		eat(c, '}');
	}
	return members ? 0 : fail(c, "counter without a value");
}

/* args.name of a metadata event, not empty. */
static int meta_args(struct ck *c, bool *named)
{
	const char *k, *s;
	size_t kn, n;

	if (!eat(c, '{'))
		return fail(c, "metadata args is not an object");
	if (eat(c, '}'))
		return 0;
	do {
		string_raw(c, &k, &kn);
		eat(c, ':');
		ws(c);
		if (is(k, kn, "name") && *c->p == '"') {
			string_raw(c, &s, &n);
			*named = n > 0;
		} else {
			skip_value(c);
		}
	} while (eat(c, ','));
	eat(c, '}');
	return 0;
}

enum { K_PH, K_NAME, K_TS, K_DUR, K_PID, K_TID, K_S, K_ARGS, K_COUNT };

static int event(struct ck *c)
{
	static const char *const keys[K_COUNT] = {
		"ph", "name", "ts", "dur", "pid", "tid", "s", "args",
	};
	const char *k, *ph = NULL, *name = NULL, *scope = NULL;
	size_t kn, phn = 0, namen = 0, scopen = 0;
	uint64_t ts = 0, dur = 0;
	uint32_t pid = 0, tid = 0;
	unsigned seen = 0, i;
	bool named = false;
	const char *args = NULL, *after;
	struct span *sp;
	int ret;

	if (!eat(c, '{'))
		return fail(c, "not an object");
	if (eat(c, '}'))
		return fail(c, "empty event");
	do {
		string_raw(c, &k, &kn);
		eat(c, ':');
		for (i = 0; i < K_COUNT && !is(k, kn, keys[i]); i++)
			;
		if (i < K_COUNT && (seen & (1u << i)))
			return fail(c, "\"%s\" twice", keys[i]);
		if (i < K_COUNT)
			seen |= 1u << i;
		ws(c);
		switch (i) {
		case K_PH: case K_NAME: case K_S:
			if (*c->p != '"')
				return fail(c, "\"%s\" is not a string",
					    keys[i]);
			string_raw(c, i == K_PH ? &ph : i == K_NAME ? &name
					 : &scope,
				   i == K_PH ? &phn : i == K_NAME ? &namen
					     : &scopen);
			break;
		case K_TS:
			if (micros(c, "ts", &ts))
				return -1;
			break;
		case K_DUR:
			if (micros(c, "dur", &dur))
				return -1;
			break;
		case K_PID:
			if (u32(c, "pid", &pid))
				return -1;
			break;
		case K_TID:
			if (u32(c, "tid", &tid))
				return -1;
			break;
		case K_ARGS:
			args = c->p;
			skip_value(c);
			break;
		default:
			skip_value(c);
			break;
		}
	} while (eat(c, ','));
	if (!eat(c, '}'))
		return fail(c, "unexpected text in the event");
	after = c->p;
	for (i = 0; i < K_COUNT; i++)
		if ((i == K_PH || i == K_TS || i == K_PID || i == K_TID ||
		     i == K_NAME) && !(seen & (1u << i)))
			return fail(c, "no \"%s\"", keys[i]);
	if (phn != 1 || !strchr("XiCM", ph[0]))
		return fail(c, "ph \"%.*s\" is not X, i, C or M", (int)phn, ph);
	/* A global instant is on no process's track. */
	if (ph[0] != 'M' && !(ph[0] == 'i' && scope && scopen == 1 &&
			      scope[0] == 'g') &&
	    pair_add(c, &c->used_pids, pid, 0))
		return -1;
	switch (ph[0]) {
	case 'X':
		if (!(seen & (1u << K_DUR)))
			return fail(c, "slice without \"dur\"");
		sp = vec_add(c, &c->slices);
		if (!sp)
			return -1;
		sp->pid = pid;
		sp->tid = tid;
		sp->b = ts;
		sp->e = ts + dur;
		sp->idx = c->idx;
		c->r->slices++;
		if (pair_add(c, &c->used_tracks, pid, tid))
			return -1;
		break;
	case 'i':
		if (!scope || scopen != 1 || !strchr("tpg", scope[0]))
			return fail(c, "instant without \"s\" t, p or g");
		c->r->instants++;
		if (scope[0] == 't' &&
		    pair_add(c, &c->used_tracks, pid, tid))
			return -1;
		break;
	case 'C':
		c->r->counters++;
		if (!args)
			return fail(c, "counter without args");
		c->p = args;
		ret = counter_args(c);
		c->p = after;
		if (ret)
			return -1;
		break;
	case 'M':
		c->r->metadata++;
		if (!args)
			return fail(c, "metadata without args");
		c->p = args;
		ret = meta_args(c, &named);
		c->p = after;
		if (ret)
			return -1;
		if (!named)
			return fail(c, "metadata without args.name");
		if (is(name, namen, "process_name")) {
			c->r->processes++;
			return pair_add(c, &c->named_pids, pid, 0);
		}
		if (!is(name, namen, "thread_name"))
			return fail(c, "metadata \"%.*s\" is not a process or "
				    "thread name", (int)namen, name);
		if (pair_add(c, &c->named_tracks, pid, tid))
			return -1;
		break;
	}
	/* Every event but a process name and a global instant is on its tid. */
	if (ph[0] == 'i' && scope[0] == 'g')
		return 0;
	return pair_add(c, &c->tid_pid, tid, pid);
}

static int span_cmp(const void *x, const void *y)
{
	const struct span *a = x, *b = y;

	if (a->pid != b->pid)
		return a->pid < b->pid ? -1 : 1;
	if (a->tid != b->tid)
		return a->tid < b->tid ? -1 : 1;
	if (a->b != b->b)
		return a->b < b->b ? -1 : 1;
	/* At the same start the longer one holds the other. */
	if (a->e != b->e)
		return a->e > b->e ? -1 : 1;
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

static int pair_cmp(const void *x, const void *y)
{
	const struct pair *a = x, *b = y;

	if (a->a != b->a)
		return a->a < b->a ? -1 : 1;
	if (a->b != b->b)
		return a->b < b->b ? -1 : 1;
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

/* Slices of a track form a forest: each inside or after the one before. */
static int nesting(struct ck *c)
{
	struct span *s = c->slices.p, **stack;
	size_t i, depth = 0;
	int ret = 0;

	if (c->slices.n == 0)
		return 0;
	qsort(s, c->slices.n, sizeof(*s), span_cmp);
	stack = calloc(c->slices.n, sizeof(*stack));
	if (!stack)
		return fail(c, "out of memory");
	for (i = 0; i < c->slices.n && ret == 0; i++) {
		if (i > 0 && (s[i].pid != s[i - 1].pid ||
			      s[i].tid != s[i - 1].tid))
			depth = 0;
		while (depth > 0 && stack[depth - 1]->e <= s[i].b)
			depth--;
		if (depth > 0 && s[i].e > stack[depth - 1]->e) {
			c->idx = s[i].idx;
			ret = fail(c, "slice overlaps event %zu partly (pid %u "
				   "tid %u)", stack[depth - 1]->idx, s[i].pid,
				   s[i].tid);
		}
		stack[depth++] = &s[i];
		if (depth > c->r->max_depth)
			c->r->max_depth = depth;
	}
	free(stack);
	return ret;
}

static bool has_pair(const struct vec *v, uint32_t a, uint32_t b)
{
	const struct pair *p = v->p;
	size_t lo = 0, hi = v->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (p[mid].a < a || (p[mid].a == a && p[mid].b < b))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < v->n && p[lo].a == a && p[lo].b == b;
}

/* Names given once each, and every track and process used has one. */
static int names(struct ck *c, struct vec *named, struct vec *used,
		 const char *what)
{
	struct pair *n = named->p, *u = used->p;
	size_t i;

	if (named->n)
		qsort(n, named->n, sizeof(*n), pair_cmp);
	for (i = 1; i < named->n; i++) {
		if (n[i].a == n[i - 1].a && n[i].b == n[i - 1].b) {
			c->idx = n[i].idx;
			return fail(c, "%s %u/%u named twice", what, n[i].a,
				    n[i].b);
		}
	}
	for (i = 0; i < used->n; i++) {
		if (!has_pair(named, u[i].a, u[i].b)) {
			c->idx = u[i].idx;
			return fail(c, "%s %u/%u has no name", what, u[i].a,
				    u[i].b);
		}
	}
	return 0;
}

static int one_pid_per_tid(struct ck *c)
{
	struct pair *p = c->tid_pid.p;
	size_t i;

	if (c->tid_pid.n)
		qsort(p, c->tid_pid.n, sizeof(*p), pair_cmp);
	for (i = 1; i < c->tid_pid.n; i++) {
		if (p[i].a == p[i - 1].a && p[i].b != p[i - 1].b) {
			c->idx = p[i].idx;
			return fail(c, "tid %u under pids %u and %u", p[i].a,
				    p[i - 1].b, p[i].b);
		}
	}
	return 0;
}

static size_t distinct(struct vec *v)
{
	struct pair *p = v->p;
	size_t i, n = 0;

	if (v->n)
		qsort(p, v->n, sizeof(*p), pair_cmp);
	for (i = 0; i < v->n; i++)
		if (i == 0 || p[i].a != p[i - 1].a || p[i].b != p[i - 1].b)
			n++;
	return n;
}

static int walk(struct ck *c)
{
	const char *k;
	size_t kn;
	bool found = false;

	if (!eat(c, '{'))
		return fail(c, "not a JSON object");
	if (eat(c, '}'))
		return fail(c, "no traceEvents");
	do {
		string_raw(c, &k, &kn);
		eat(c, ':');
		if (!is(k, kn, "traceEvents")) {
			skip_value(c);
			continue;
		}
		if (found)
			return fail(c, "traceEvents twice");
		found = true;
		if (!eat(c, '['))
			return fail(c, "traceEvents is not an array");
		if (eat(c, ']'))
			continue;
		do {
			if (event(c))
				return -1;
			c->idx++;
			c->r->events++;
		} while (eat(c, ','));
		if (!eat(c, ']'))
			return fail(c, "traceEvents does not end");
	} while (eat(c, ','));
	if (!found)
		return fail(c, "no traceEvents");
	return 0;
}

int tevchk_check(const char *doc, size_t len, struct tevchk *r)
{
	struct ck c;
	size_t n = len;
	int ret;

	memset(r, 0, sizeof(*r));
	memset(&c, 0, sizeof(c));
	c.r = r;
	c.slices.size = sizeof(struct span);
	c.used_tracks.size = c.named_tracks.size = c.used_pids.size =
		c.named_pids.size = c.tid_pid.size = sizeof(struct pair);
	while (n > 0 && strchr(" \t\r\n", doc[n - 1]) && doc[n - 1])
		n--;
	if (!jsonl_object(doc, n)) {
		snprintf(r->msg, sizeof(r->msg), "not one JSON object");
		return -1;
	}
	c.p = doc;
	c.end = doc + n;
	ret = walk(&c);
	if (ret == 0)
		ret = nesting(&c);
	if (ret == 0)
		ret = names(&c, &c.named_pids, &c.used_pids, "process");
	if (ret == 0)
		ret = names(&c, &c.named_tracks, &c.used_tracks, "track");
	if (ret == 0)
		ret = one_pid_per_tid(&c);
	if (ret == 0)
		r->tracks = distinct(&c.used_tracks);
	free(c.slices.p);
	free(c.used_tracks.p);
	free(c.named_tracks.p);
	free(c.used_pids.p);
	free(c.named_pids.p);
	free(c.tid_pid.p);
	return ret;
}
