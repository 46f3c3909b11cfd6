/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Rows for reports that write very many of them alike (--timeline: one
 * per event, each repeating its socket's fields), beside the row API of
 * out.c in out.h.
 */
#ifndef SA_OUT_ROWS_H
#define SA_OUT_ROWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "analyze/out.h"

/*
 * Fields whose key is a string literal, given as SA_KEY("name"): the
 * compiler makes its JSON form (,"name":) and its length, which field by
 * field was most of the cost of writing a row (strlen, a quote, a copy,
 * another quote, a colon).  Otherwise as sa_row_u64/str/null.
 */
#define SA_KEY(k)	",\"" k "\":", sizeof(k) + 3

/* out.c: room in b for n more bytes and a NUL; false (b->failed) on ENOMEM. */
bool sa_buf_grow(struct sa_buf *b, size_t n);
/* Decimal digits of v at p (at most 20); returns their end. */
char *sa_put_u64(char *p, uint64_t v);
/* The same fields in any format (out.c); the inline ones below call them. */
void sa_rowk_u64_all(struct sa_out *o, const char *jkey, size_t jlen,
		     uint64_t v);
void sa_rowk_str_all(struct sa_out *o, const char *jkey, size_t jlen,
		     const char *val);
void sa_rowk_null_all(struct sa_out *o, const char *jkey, size_t jlen);
void sa_rowk_bool_all(struct sa_out *o, const char *jkey, size_t jlen,
		      bool v);
void sa_rowk_word_all(struct sa_out *o, const char *jkey, size_t jlen,
		      const char *word);

/*
 * Where a JSON field of at most n bytes goes in the row being written,
 * or NULL when this row takes the general path (CSV, not written, or out
 * of memory).  Inline, so that the compiler copies a literal key with a
 * move or two instead of a call.
 */
static inline char *sa_rowk_at(struct sa_out *o, size_t n)
{
	struct sa_buf *b = &o->vals;

	if (!o->in_row || !o->emit || o->fmt != SA_FORMAT_JSON || b->failed)
		return NULL;
	if (b->len + n >= b->cap && !sa_buf_grow(b, n))
		return NULL;
	return b->p + b->len;
}

static inline void sa_rowk_done(struct sa_out *o, const char *end)
{
	o->vals.len = (size_t)(end - o->vals.p);
	o->nfields++;
}

static inline void sa_rowk_u64(struct sa_out *o, const char *jkey,
			       size_t jlen, uint64_t v)
{
	char *p = sa_rowk_at(o, jlen + 20);

	if (!p) {
		sa_rowk_u64_all(o, jkey, jlen, v);
		return;
	}
	memcpy(p, jkey, jlen);
	sa_rowk_done(o, sa_put_u64(p + jlen, v));
}

static inline void sa_rowk_null(struct sa_out *o, const char *jkey,
				size_t jlen)
{
	char *p = sa_rowk_at(o, jlen + 4);

	if (!p) {
		sa_rowk_null_all(o, jkey, jlen);
		return;
	}
	memcpy(p, jkey, jlen);
	memcpy(p + jlen, "null", 4);
	sa_rowk_done(o, p + jlen + 4);
}

static inline void sa_rowk_bool(struct sa_out *o, const char *jkey,
				size_t jlen, bool v)
{
	char *p = sa_rowk_at(o, jlen + 5);

	if (!p) {
		sa_rowk_bool_all(o, jkey, jlen, v);
		return;
	}
	memcpy(p, jkey, jlen);
	p += jlen;
	if (v) {
		memcpy(p, "true", 4);
		p += 4;
	} else {
		memcpy(p, "false", 5);
		p += 5;
	}
	sa_rowk_done(o, p);
}

/* out.c: whether JSON carries byte c of a string as it is. */
extern const bool sa_json_plain_tab[256];

/*
 * A string from outside: escaped.  Most (names, addresses) need nothing
 * escaped, and are checked while they are copied; the others, and NULL,
 * take the general path.
 */
static inline void sa_rowk_str(struct sa_out *o, const char *jkey,
			       size_t jlen, const char *val)
{
	size_t n = val ? strlen(val) : 0, i;
	char *p = val ? sa_rowk_at(o, jlen + n + 2) : NULL;

	if (p) {
		memcpy(p, jkey, jlen);
		p += jlen;
		*p++ = '"';
		for (i = 0; i < n && sa_json_plain_tab[(unsigned char)val[i]];
		     i++)
			p[i] = val[i];
		if (i == n) {
			p[n] = '"';
			sa_rowk_done(o, p + n + 1);
			return;
		}
	}
	sa_rowk_str_all(o, jkey, jlen, val);
}

/*
 * A string field whose value is one of sockana's own words (a state,
 * context or event name, a time): printable ASCII without quote or
 * backslash, copied into JSON without looking at each byte.
 */
static inline void sa_rowk_word(struct sa_out *o, const char *jkey,
				size_t jlen, const char *word)
{
	size_t n = strlen(word);
	char *p = sa_rowk_at(o, jlen + n + 2);

	if (!p) {
		sa_rowk_word_all(o, jkey, jlen, word);
		return;
	}
	memcpy(p, jkey, jlen);
	p += jlen;
	*p++ = '"';
	memcpy(p, word, n);
	p += n;
	*p++ = '"';
	sa_rowk_done(o, p);
}

/* The start of a row (its kind and first fields), kept to begin others with. */
struct sa_row_prefix {
	struct sa_buf names, vals;
	int nfields;
	bool emit;
	bool valid;		/* kept whole (false after ENOMEM) */
};

/*
 * Keep the row begun so far in p, and end it without writing it.  When
 * p->valid is false afterwards, begin rows field by field instead.
 */
void sa_row_keep(struct sa_out *o, struct sa_row_prefix *p);
/* Begin a row with p's kind and fields (p->valid); more fields follow. */
void sa_row_begin_kept(struct sa_out *o, const struct sa_row_prefix *p);
void sa_row_prefix_release(struct sa_row_prefix *p);

/*
 * With on, gather rows and write them 64 KiB at a time rather than one
 * stdio call each: only while a report writes nothing to the stream but
 * rows.  Off (or sa_out_flush(), or sa_out_release()) writes what was
 * gathered.
 */
void sa_out_batch(struct sa_out *o, bool on);
void sa_out_flush(struct sa_out *o);

#endif /* SA_OUT_ROWS_H */
