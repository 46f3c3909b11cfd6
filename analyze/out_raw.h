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
static inline char *sa_row_raw_open(struct sa_out *o, const char *head,
				    size_t hlen, int nfields, size_t n)
{
	struct sa_buf *b = &o->vals;
	size_t need = hlen + n + 2;	/* and "}\n" */

	if (o->fmt != SA_FORMAT_JSON || b->failed)
		return NULL;
	b->len = o->pending;
	if (b->len + need >= b->cap && !sa_buf_grow(b, need))
		return NULL;
	o->in_row = true;
	o->emit = true;
	o->nfields = nfields;
	memcpy(b->p + b->len, head, hlen);
	return b->p + b->len + hlen;
}

static inline char *sa_row_raw_begin(struct sa_out *o,
				     const struct sa_row_prefix *p, size_t n)
{
	if (!p->valid || !p->emit)
		return NULL;
	return sa_row_raw_open(o, p->vals.p, p->vals.len, p->nfields, n);
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
void sa_row_raw_end(struct sa_out *o, char *end, int nfields);
void sa_row_raw_abort(struct sa_out *o);

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
 * ,"key":"val" for a string from outside; NULL when a byte of it needs an
 * escape (then the caller drops the row with sa_row_raw_abort() and
 * writes it field by field).
 */
static inline char *sa_raw_str(char *p, const char *jkey, size_t jlen,
			       const char *val)
{
	memcpy(p, jkey, jlen);
	p += jlen;
	*p++ = '"';
	for (; *val; val++) {
		if (!sa_json_plain_tab[(unsigned char)*val])
			return NULL;
		*p++ = *val;
	}
	*p++ = '"';
	return p;
}

#endif /* SA_OUT_RAW_H */
