/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * JSON rows written straight into the output buffer (out.c), for the
 * reports that write very many rows of one shape: one check of room per
 * row instead of one per field.  The field-by-field writers are in
 * out_rows.h.
 */
#ifndef SA_OUT_RAW_H
#define SA_OUT_RAW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "analyze/life.h"
#include "analyze/out_raw_str.h"
#include "analyze/out_rows.h"

/*
 * A JSON row written straight into the output buffer, for a report that
 * writes very many rows of one shape (--timeline's events):
 * sa_row_raw_begin() begins it with p's fields, sa_row_raw_kind() with
 * its kind alone, and the caller writes at most n more bytes of fields at
 * the pointer returned, with the sa_raw_*() helpers below, then ends it
 * with sa_row_raw_end() (nfields: how many it wrote) or drops it with
 * sa_row_raw_abort().  NULL when the row must be written field by field
 * instead (not JSON, p not kept whole, or out of memory).  One check of
 * room per row rather than one per field.
 */
static inline char *sa_row_raw_room(struct sa_out *o, size_t need,
				    int nfields)
{
	struct sa_buf *b = &o->vals;

	if (o->fmt != SA_FORMAT_JSON || b->failed)
		return NULL;
	b->len = o->pending;
	if (b->len + need >= b->cap && !sa_buf_grow(b, need))
		return NULL;
	o->in_row = true;
	o->emit = true;
	o->nfields = nfields;
	return b->p + b->len;
}

static inline char *sa_row_raw_open(struct sa_out *o, const char *head,
				    size_t hlen, int nfields, size_t n)
{
	/* The fields, and "}\n". */
	char *p = sa_row_raw_room(o, hlen + n + 2, nfields);

	if (!p)
		return NULL;
	memcpy(p, head, hlen);
	return p + hlen;
}

/*
 * A kept prefix of at most this many bytes, in a buffer of at least as
 * many (sa_buf_grow() allocates 256 or more), is copied whole, with
 * moves of a size the compiler knows, rather than by a call to memcpy for
 * its length: the fields written next cover what is spare.
 */
#define SA_PREFIX_MOVE	128

static inline char *sa_row_raw_begin(struct sa_out *o,
				     const struct sa_row_prefix *p, size_t n)
{
	char *d;

	if (!p->valid || !p->emit)
		return NULL;
	if (p->vals.len > SA_PREFIX_MOVE || p->vals.cap < SA_PREFIX_MOVE)
		return sa_row_raw_open(o, p->vals.p, p->vals.len, p->nfields,
				       n);
	d = sa_row_raw_room(o, SA_PREFIX_MOVE + n + 2, p->nfields);
	if (!d)
		return NULL;
	memcpy(d, p->vals.p, SA_PREFIX_MOVE);
	return d + p->vals.len;
}

/* A row's kind as SA_ROW_HEAD("kind"): what sa_row_begin() writes. */
#define SA_ROW_HEAD(k)	"{\"row\":\"" k "\"", sizeof(k) + 8

static inline char *sa_row_raw_kind(struct sa_out *o, const char *head,
				    size_t hlen, size_t n)
{
	return sa_row_raw_open(o, head, hlen, 0, n);
}

/*
 * out.c: the fields written end at end; sa_row_raw_done() leaves the row
 * open (for more fields, or sa_row_keep()), sa_row_raw_end() ends it.
 */
void sa_row_raw_done(struct sa_out *o, char *end, int nfields);
/*
 * A kept prefix (out_rows.h) written straight into p, for JSON: its kind
 * head, then at most n bytes of fields at the pointer returned, ended by
 * sa_row_prefix_raw_end().  NULL (p not valid): make it through a row and
 * sa_row_keep().  No copy through the output buffer.
 */
char *sa_row_prefix_raw(struct sa_out *o, struct sa_row_prefix *p,
			const char *head, size_t hlen, size_t n);
void sa_row_prefix_raw_end(struct sa_row_prefix *p, char *end, int nfields);
void sa_row_raw_end_slow(struct sa_out *o, char *end, int nfields);
void sa_row_raw_abort(struct sa_out *o);

/*
 * A batched row ends inline; out.c flushes past SA_OUT_BATCH_BYTES and
 * ends any other row.  The row's room kept "}\n" and the NUL.
 */
#define SA_OUT_BATCH_BYTES	((size_t)64 << 10)

static inline void sa_row_raw_end(struct sa_out *o, char *end, int nfields)
{
	size_t len = (size_t)(end + 2 - o->vals.p);

	if (!o->batch || !o->emit || o->names.failed ||
	    len >= SA_OUT_BATCH_BYTES) {
		sa_row_raw_end_slow(o, end, nfields);
		return;
	}
	memcpy(end, "}\n", 3);
	o->vals.len = len;
	o->nfields += nfields;
	o->in_row = false;
	o->pending = len;
}

/* ,"key": then v. */
static inline char *sa_raw_u64(char *p, const char *jkey, size_t jlen,
			       uint64_t v)
{
	memcpy(p, jkey, jlen);
	return sa_put_u64(p + jlen, v);
}

static inline char *sa_raw_null(char *p, const char *jkey, size_t jlen)
{
	memcpy(p, jkey, jlen);
	memcpy(p + jlen, "null", 4);
	return p + jlen + 4;
}

static inline char *sa_raw_bool(char *p, const char *jkey, size_t jlen,
			       bool v)
{
	memcpy(p, jkey, jlen);
	p += jlen;
	if (v) {
		memcpy(p, "true", 4);
		return p + 4;
	}
	memcpy(p, "false", 5);
	return p + 5;
}

/* ,"key":"word" for one of sockana's own short words (as sa_rowk_word). */
static inline char *sa_raw_word(char *p, const char *jkey, size_t jlen,
				const char *word)
{
	size_t n = strlen(word);

	memcpy(p, jkey, jlen);
	p += jlen;
	*p++ = '"';
	memcpy(p, word, n);
	p += n;
	*p++ = '"';
	return p;
}

/*
 * ,"key":"word" for a word whose length n is known: one copy, no strlen.
 */
static inline char *sa_raw_wordn(char *p, const char *jkey, size_t jlen,
				 const char *word, size_t n)
{
	memcpy(p, jkey, jlen);
	p += jlen;
	*p++ = '"';
	memcpy(p, word, n);
	p[n] = '"';
	return p + n + 1;
}

/*
 * The same for a word of n bytes at the start of a buffer of size bytes,
 * all of them set (n < size): the whole buffer is copied, with moves the
 * compiler makes inline when size is a constant, rather than a call to
 * memcpy for n.  A caller reserves size + 2 bytes of room for it.
 */
static inline char *sa_raw_wordbuf(char *p, const char *jkey, size_t jlen,
				   const char *buf, size_t n, size_t size)
{
	memcpy(p, jkey, jlen);
	p += jlen;
	*p++ = '"';
	memcpy(p, buf, size);
	p[n] = '"';
	return p + n + 1;
}

/*
 * One of sockana's own words as a JSON string, quotes included, in a slot
 * of fixed size: the slot is copied whole with a few moves the compiler
 * makes inline (no strlen, no call to memcpy), and the row goes on len
 * bytes later.  Reports keep tables of them (TCP states, contexts, event
 * names) made once by sa_word_make().  A caller reserves SA_WORD_SLOT
 * bytes of room for each slot it writes, not len.
 */
#define SA_WORD_SLOT	32

struct sa_word {
	char s[SA_WORD_SLOT];
	size_t len;		/* 0: it did not fit: sa_raw_word() */
};

/* out.c: w made from word; false (w->len 0) when it does not fit a slot. */
bool sa_word_make(struct sa_word *w, const char *word);

/*
 * A socket row's own words, for --timeline's and --connections' JSON:
 * roles by SA_ROLE_*, the two families, and the outcomes' lengths (longer
 * than a slot).  sa_sock_words_make() (out.c) makes them once.
 */
struct sa_sock_words {
	struct sa_word roles[4], ipv4, ipv6;
	size_t outcome_len[SA_OUT_COUNT];
};
void sa_sock_words_make(struct sa_sock_words *w);

/* ,"key":"word" from a slot made by sa_word_make() (w->len > 0). */
static inline char *sa_raw_slot(char *p, const char *jkey, size_t jlen,
				const struct sa_word *w)
{
	memcpy(p, jkey, jlen);
	memcpy(p + jlen, w->s, SA_WORD_SLOT);
	return p + jlen + w->len;
}

#endif /* SA_OUT_RAW_H */
