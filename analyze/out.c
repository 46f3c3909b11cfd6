/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Machine-readable rows: JSON Lines and CSV (docs/OUTPUT.md).
 *
 * A report describes each row once, field by field, and this module writes
 * it in the chosen syntax.  Values that come from a trace are hostile: JSON
 * strings escape every control character and replace each byte that is
 * not part of valid UTF-8 with U+FFFD, so every line parses.  CSV carries
 * exactly one table per report (the row kind the report names), with a
 * header taken from the names of the first row's fields.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyze/inline.h"
#include "analyze/life.h"
#include "analyze/out.h"
#include "analyze/out_raw.h"
#include "analyze/out_rows.h"
#include "analyze/text.h"

/* Rows gathered before one write, for a report that asks (sa_out_batch). */
#define BATCH_BYTES	SA_OUT_BATCH_BYTES

/* Room for n more bytes and the terminator; false (failed) on ENOMEM. */
bool sa_buf_grow(struct sa_buf *b, size_t n)
{
	size_t cap;
	char *p;

	if (b->failed)
		return false;
	if (b->len + n < b->cap)
		return true;
	if (n > SIZE_MAX / 2 - b->len) {
		b->failed = true;
		return false;
	}
	cap = b->cap ? b->cap : 256;
	while (b->len + n >= cap)
		cap *= 2;
	p = realloc(b->p, cap);
	if (!p) {
		b->failed = true;
		return false;
	}
	b->p = p;
	b->cap = cap;
	return true;
}

/*
 * Rows are built a piece at a time, several pieces per field: the check
 * for room is inline, growing is not.
 */
static inline void buf_put(struct sa_buf *b, const char *s, size_t n)
{
	if ((b->failed || b->len + n >= b->cap) && !sa_buf_grow(b, n))
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

/*
 * Room for n more bytes and the terminator: where to write them, or NULL
 * (failed) on ENOMEM.  The caller adds n to b->len and terminates.
 */
static inline char *buf_room(struct sa_buf *b, size_t n)
{
	if ((b->failed || b->len + n >= b->cap) && !sa_buf_grow(b, n))
		return NULL;
	return b->p + b->len;
}

static inline void buf_putc(struct sa_buf *b, char c)
{
	if ((b->failed || b->len + 1 >= b->cap) && !sa_buf_grow(b, 1))
		return;
	b->p[b->len++] = c;
	b->p[b->len] = '\0';
}

static void buf_puts(struct sa_buf *b, const char *s)
{
	buf_put(b, s, strlen(s));
}

void sa_buf_append(struct sa_buf *b, const char *s)
{
	buf_puts(b, s);
}

void sa_buf_free(struct sa_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

/*
 * Length of the valid UTF-8 sequence at s (n bytes left), or 0 if the
 * bytes there are not one: overlong forms, surrogates and code points
 * above U+10FFFF are refused, as RFC 3629 asks.
 */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len, i;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return len;
}

/* Bytes a JSON string carries as they are: printable ASCII but " and \. */
static bool json_plain(unsigned char c)
{
	return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
}

/*
 * Length of the run of plain bytes at s, eight at a time (sa_json_plain8
 * in out_raw.h): a row is mostly such runs, and a byte at a time was a
 * third of --connections' time in this file.
 */
static size_t plain_run(const unsigned char *s, size_t n)
{
	size_t k = 0;
	uint64_t w;

	for (; k + 8 <= n; k += 8) {
		memcpy(&w, s + k, 8);
		if (!sa_json_plain8(w))
			break;
	}
	while (k < n && json_plain(s[k]))
		k++;
	return k;
}

/*
 * The same as a table, for out_rows.h, which checks a string byte by
 * byte while it copies it: one load a byte instead of four comparisons,
 * in the loop --timeline --json spent most of its escaping in.
 */
/* printable ASCII but " (0x22), \\ (0x5c) and DEL */
const bool sa_json_plain_tab[256] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,	/* 0x00 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,	/* 0x10 */
	1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,	/* 0x20 */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,	/* 0x30 */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,	/* 0x40 */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,	/* 0x50 */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,	/* 0x60 */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0,	/* 0x70 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,	/* 0x80 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,	/* 0x90 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,	/* 0xa0 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,	/* 0xb0 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,	/* 0xc0 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,	/* 0xd0 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,	/* 0xe0 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,	/* 0xf0 */
};

void sa_json_escape(struct sa_buf *b, const void *src, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = src;
	size_t i = 0, k, len;
	char *p;

	/* Most values need no escape: quote and copy them in one piece. */
	k = plain_run(s, n);
	if (k == n) {
		p = buf_room(b, n + 2);
		if (!p)
			return;
		p[0] = '"';
		memcpy(p + 1, s, n);
		p[n + 1] = '"';
		b->len += n + 2;
		b->p[b->len] = '\0';
		return;
	}
	buf_putc(b, '"');
	while (i < n) {
		unsigned char c = s[i];

		if (json_plain(c)) {
			/* The common case: copy the whole run at once. */
			k = i + 1 + plain_run(s + i + 1, n - i - 1);
			buf_put(b, (const char *)s + i, k - i);
			i = k;
		} else if (c == '"' || c == '\\') {
			buf_putc(b, '\\');
			buf_putc(b, (char)c);
			i++;
		} else if (c == '\n') {
			buf_puts(b, "\\n");
			i++;
		} else if (c == '\t') {
			buf_puts(b, "\\t");
			i++;
		} else if (c < 0x20 || c == 0x7f) {
			buf_puts(b, "\\u00");
			buf_putc(b, hex[c >> 4]);
			buf_putc(b, hex[c & 0xf]);
			i++;
		} else if ((len = utf8_len(s + i, n - i)) == 0) {
			buf_puts(b, "\\ufffd");
			i++;
		} else {
			buf_put(b, (const char *)s + i, len);
			i += len;
		}
	}
	buf_putc(b, '"');
}

/*
 * A text field a spreadsheet would take for a formula (OWASP, CSV
 * injection): one starting with = + - @, or with a tab or carriage return
 * that some strip before looking.  Host and process names come from the
 * trace, so "=HYPERLINK(...)" must reach the cell as text.  Only text goes
 * through here; numbers are written by sa_row_u64/i64 and stay numbers.
 */
static bool csv_formula(const char *s)
{
	return s[0] != '\0' && strchr("=+-@\t\r", s[0]) != NULL;
}

/*
 * RFC 4180: quote when needed, double the quotes; no control bytes.  A
 * field that could be read as a formula is quoted and led by a single
 * quote, which spreadsheets show as text.
 */
static void csv_escape(struct sa_buf *b, const char *s)
{
	bool formula = csv_formula(s);
	bool quote = formula || strpbrk(s, ",\"\r\n") != NULL || s[0] == ' ';
	const char *p;

	if (quote)
		buf_putc(b, '"');
	if (formula)
		buf_putc(b, '\'');
	for (p = s; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (c == '"')
			buf_putc(b, '"');
		buf_putc(b, (c < 0x20 || c == 0x7f) ? '?' : (char)c);
	}
	if (quote)
		buf_putc(b, '"');
}

void sa_out_init(struct sa_out *o, FILE *f, enum sa_format fmt,
		 const char *csv_kind)
{
	memset(o, 0, sizeof(*o));
	o->f = f;
	o->fmt = fmt;
	o->csv_kind = csv_kind;
}

void sa_out_release(struct sa_out *o)
{
	sa_out_flush(o);
	sa_buf_free(&o->names);
	sa_buf_free(&o->vals);
}

static bool active(const struct sa_out *o)
{
	return o->in_row && o->emit;
}

void sa_row_begin(struct sa_out *o, const char *kind)
{
	o->in_row = true;
	o->nfields = 0;
	o->names.len = 0;
	o->vals.len = o->pending;
	if (o->vals.p)
		o->vals.p[o->vals.len] = '\0';
	if (o->names.p)
		o->names.p[0] = '\0';
	switch (o->fmt) {
	case SA_FORMAT_JSON:
		o->emit = true;
		buf_puts(&o->vals, "{\"row\":");
		sa_json_escape(&o->vals, kind, strlen(kind));
		break;
	case SA_FORMAT_CSV:
		o->emit = o->csv_kind && strcmp(kind, o->csv_kind) == 0;
		break;
	default:
		o->emit = false;
		break;
	}
}

/*
 * Start a field: its name and the separator.  Keys are the reports' own
 * words (docs/OUTPUT.md), never data from a trace, and need no escape.
 */
static void field(struct sa_out *o, const char *key)
{
	if (o->fmt == SA_FORMAT_JSON) {
		/*
		 * Keys are the reports' own constants, lower-case ASCII, never
		 * trace data: copied as they are, which takes a third of the
		 * time escaping them took on a --connections row.
		 */
		size_t n = strlen(key);
		char *p = buf_room(&o->vals, n + 4);

		if (p) {
			p[0] = ',';
			p[1] = '"';
			memcpy(p + 2, key, n);
			p[n + 2] = '"';
			p[n + 3] = ':';
			o->vals.len += n + 4;
			o->vals.p[o->vals.len] = '\0';
		}
	} else {
		if (o->nfields > 0) {
			buf_putc(&o->vals, ',');
			buf_putc(&o->names, ',');
		}
		buf_puts(&o->names, key);
	}
	o->nfields++;
}

void sa_row_str(struct sa_out *o, const char *key, const char *val)
{
	if (!active(o))
		return;
	field(o, key);
	if (o->fmt == SA_FORMAT_JSON) {
		if (val)
			sa_json_escape(&o->vals, val, strlen(val));
		else
			buf_puts(&o->vals, "null");
	} else if (val) {
		csv_escape(&o->vals, val);
	}
}

/* d < 100 as two digits at p. */
static inline void put_2(char *p, uint32_t d)
{
	memcpy(p, sa_digit_pairs + 2 * d, 2);
}

/* v < 10^4 as exactly 4 digits. */
static inline void put_4(char *p, uint32_t v)
{
	put_2(p, v / 100);
	put_2(p + 2, v % 100);
}

/*
 * v < 10^8 as exactly 8 digits: two halves of four, each two pairs,
 * rather than four steps of % 100 each waiting for the one before.
 */
static inline char *put_8(char *p, uint32_t v)
{
	put_4(p, v / 10000);
	put_4(p + 4, v % 10000);
	return p + 8;
}

/*
 * v < 10^8, without leading zeros, straight into p: its length found by
 * a few comparisons, then its digits two at a time from a table (a copy
 * from a scratch array of a length known only at run time was a call to
 * memcpy() per number, and a loop of % 100 a step per two digits).
 */
static SA_ALWAYS_INLINE char *put_u32(char *p, uint32_t v)
{
	uint32_t hi, lo;

	if (v < 100) {
		if (v < 10) {
			p[0] = (char)('0' + v);
			return p + 1;
		}
		put_2(p, v);
		return p + 2;
	}
	if (v < 10000) {
		if (v < 1000) {
			p[0] = (char)('0' + v / 100);
			put_2(p + 1, v % 100);
			return p + 3;
		}
		put_4(p, v);
		return p + 4;
	}
	hi = v / 10000;
	lo = v % 10000;
	if (hi < 100) {
		if (hi < 10) {
			p[0] = (char)('0' + hi);
			put_4(p + 1, lo);
			return p + 5;
		}
		put_2(p, hi);
		put_4(p + 2, lo);
		return p + 6;
	}
	if (hi < 1000) {
		p[0] = (char)('0' + hi / 100);
		put_2(p + 1, hi % 100);
		put_4(p + 3, lo);
		return p + 7;
	}
	put_4(p, hi);
	put_4(p + 4, lo);
	return p + 8;
}

/*
 * Decimal digits of v, without printf's machinery: rows are mostly
 * numbers, times in ns of 10 to 19 digits.  32-bit steps of 8 digits are
 * cheaper than 64-bit divisions digit by digit.
 */
char *sa_put_u64(char *p, uint64_t v)
{
	uint64_t hi;

	if (v < 100000000u)
		return put_u32(p, (uint32_t)v);
	hi = v / 100000000u;
	if (hi < 100000000u) {
		p = put_u32(p, (uint32_t)hi);
	} else {
		p = put_u32(p, (uint32_t)(hi / 100000000u));
		p = put_8(p, (uint32_t)(hi % 100000000u));
	}
	return put_8(p, (uint32_t)(v % 100000000u));
}

static void put_u64(struct sa_buf *b, uint64_t v, bool minus)
{
	char num[24], *p = num;

	if (minus)
		*p++ = '-';
	p = sa_put_u64(p, v);
	buf_put(b, num, (size_t)(p - num));
}

void sa_row_u64(struct sa_out *o, const char *key, uint64_t v)
{
	if (!active(o))
		return;
	field(o, key);
	put_u64(&o->vals, v, false);
}

void sa_row_i64(struct sa_out *o, const char *key, int64_t v)
{
	if (!active(o))
		return;
	field(o, key);
	/* The magnitude of INT64_MIN fits in uint64_t. */
	put_u64(&o->vals, v < 0 ? 0 - (uint64_t)v : (uint64_t)v, v < 0);
}

void sa_row_bool(struct sa_out *o, const char *key, bool v)
{
	if (!active(o))
		return;
	field(o, key);
	buf_puts(&o->vals, v ? "true" : "false");
}

void sa_row_null(struct sa_out *o, const char *key)
{
	if (!active(o))
		return;
	field(o, key);
	if (o->fmt == SA_FORMAT_JSON)
		buf_puts(&o->vals, "null");
}

void sa_row_end(struct sa_out *o)
{
	if (!active(o)) {
		o->in_row = false;
		return;
	}
	o->in_row = false;
	if (o->vals.failed || o->names.failed) {
		/* Half a row would be worse than none; the caller sees ENOMEM. */
		o->failed = true;
		return;
	}
	if (o->fmt == SA_FORMAT_JSON) {
		buf_putc(&o->vals, '}');
	} else if (!o->csv_header_done) {
		fputs(o->names.p ? o->names.p : "", o->f);
		fputc('\n', o->f);
		o->csv_header_done = true;
	}
	/* One stdio call a row, or one every BATCH_BYTES of them. */
	buf_putc(&o->vals, '\n');
	if (o->vals.failed) {
		o->failed = true;
		o->vals.len = o->pending;
		return;
	}
	if (!o->batch) {
		fwrite(o->vals.p, 1, o->vals.len, o->f);
		return;
	}
	o->pending = o->vals.len;
	if (o->pending >= BATCH_BYTES)
		sa_out_flush(o);
}

void sa_out_batch(struct sa_out *o, bool on)
{
	if (!on)
		sa_out_flush(o);
	o->batch = on;
}

/*
 * n bytes of whole rows to o->f.  A batch is 64 KiB or more: stdio would
 * copy all of it into its own buffer before writing (7% of --timeline
 * --json's instructions), so it goes to the descriptor directly, after
 * whatever stdio still holds.  A stream without a descriptor (a memory
 * stream) takes fwrite(); so does the rest of a batch whose write()
 * failed, which then fails in stdio too and leaves the stream's error
 * flag set for the caller's ferror(), as if stdio had written it all.
 */
static void write_rows(FILE *f, const char *p, size_t n)
{
	int fd = fileno(f);
	ssize_t w;

	if (fd < 0 || fflush(f) != 0) {
		fwrite(p, 1, n, f);
		return;
	}
	while (n > 0) {
		w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			fwrite(p, 1, n, f);
			return;
		}
		p += w;
		n -= (size_t)w;
	}
}

void sa_out_flush(struct sa_out *o)
{
	if (o->pending > 0)
		write_rows(o->f, o->vals.p, o->pending);
	o->pending = 0;
	o->vals.len = 0;
}

/* Start a field whose key came as SA_KEY(): ,"key": made by the compiler. */
static void fieldk(struct sa_out *o, const char *jkey, size_t jlen)
{
	if (o->fmt == SA_FORMAT_JSON) {
		buf_put(&o->vals, jkey, jlen);
	} else {
		if (o->nfields > 0) {
			buf_putc(&o->vals, ',');
			buf_putc(&o->names, ',');
		}
		buf_put(&o->names, jkey + 2, jlen - 4);
	}
	o->nfields++;
}

void sa_rowk_u64_all(struct sa_out *o, const char *jkey, size_t jlen,
		     uint64_t v)
{
	if (!active(o))
		return;
	fieldk(o, jkey, jlen);
	put_u64(&o->vals, v, false);
}

void sa_rowk_str_all(struct sa_out *o, const char *jkey, size_t jlen,
		 const char *val)
{
	if (!active(o))
		return;
	fieldk(o, jkey, jlen);
	if (o->fmt == SA_FORMAT_JSON) {
		if (val)
			sa_json_escape(&o->vals, val, strlen(val));
		else
			buf_put(&o->vals, "null", 4);
	} else if (val) {
		csv_escape(&o->vals, val);
	}
}

void sa_rowk_word_all(struct sa_out *o, const char *jkey, size_t jlen,
		  const char *word)
{
	size_t n;

	if (!active(o))
		return;
	if (o->fmt != SA_FORMAT_JSON) {
		sa_rowk_str_all(o, jkey, jlen, word);
		return;
	}
	fieldk(o, jkey, jlen);
	n = strlen(word);
	buf_putc(&o->vals, '"');
	buf_put(&o->vals, word, n);
	buf_putc(&o->vals, '"');
}

void sa_rowk_null_all(struct sa_out *o, const char *jkey, size_t jlen)
{
	if (!active(o))
		return;
	fieldk(o, jkey, jlen);
	if (o->fmt == SA_FORMAT_JSON)
		buf_put(&o->vals, "null", 4);
}

void sa_rowk_bool_all(struct sa_out *o, const char *jkey, size_t jlen,
		      bool v)
{
	if (!active(o))
		return;
	fieldk(o, jkey, jlen);
	buf_puts(&o->vals, v ? "true" : "false");
}

void sa_row_raw_done(struct sa_out *o, char *end, int nfields)
{
	o->vals.len = (size_t)(end - o->vals.p);
	o->vals.p[o->vals.len] = '\0';
	o->nfields += nfields;
}

void sa_row_raw_end_slow(struct sa_out *o, char *end, int nfields)
{
	struct sa_buf *b = &o->vals;

	/*
	 * The row's room (sa_row_raw_open) kept two bytes and the NUL for its
	 * end, so a batched JSON row ends here without sa_row_end()'s checks
	 * and its three appends, which were 5% of --timeline --json.
	 */
	if (!o->batch || !o->emit || o->names.failed) {
		sa_row_raw_done(o, end, nfields);
		sa_row_end(o);
		return;
	}
	end[0] = '}';
	end[1] = '\n';
	end[2] = '\0';
	b->len = (size_t)(end + 2 - b->p);
	o->nfields += nfields;
	o->in_row = false;
	o->pending = b->len;
	if (o->pending >= BATCH_BYTES)
		sa_out_flush(o);
}

bool sa_word_make(struct sa_word *w, const char *word)
{
	size_t n = strlen(word);

	memset(w, 0, sizeof(*w));
	/* Its quotes, and room to spare in the slot (sa_raw_slot). */
	if (n + 2 > SA_WORD_SLOT)
		return false;
	w->s[0] = '"';
	memcpy(w->s + 1, word, n);
	w->s[n + 1] = '"';
	w->len = n + 2;
	return true;
}

void sa_sock_words_make(struct sa_sock_words *w)
{
	char buf[24];
	unsigned v;

	/* A word too long for its slot stays len 0: looked up per row. */
	for (v = 0; v < 4; v++)
		(void)sa_word_make(&w->roles[v], sa_role_name(v));
	(void)sa_word_make(&w->ipv4, sa_text_family(SKR_AF_INET, buf,
						    sizeof(buf)));
	(void)sa_word_make(&w->ipv6, sa_text_family(SKR_AF_INET6, buf,
						    sizeof(buf)));
	for (v = 0; v < SA_OUT_COUNT; v++)
		w->outcome_len[v] = strlen(sa_outcome_name(v));
}

void sa_row_raw_abort(struct sa_out *o)
{
	o->vals.len = o->pending;
	o->vals.p[o->vals.len] = '\0';
	o->in_row = false;
}

/* b's content replaced by n bytes at p. */
static void buf_set(struct sa_buf *b, const char *p, size_t n)
{
	b->len = 0;
	if (b->p)
		b->p[0] = '\0';
	if (n > 0)
		buf_put(b, p, n);
}

void sa_row_keep(struct sa_out *o, struct sa_row_prefix *p)
{
	p->valid = false;
	if (o->in_row) {
		p->emit = o->emit;
		p->nfields = o->nfields;
		p->names.failed = p->vals.failed = false;
		buf_set(&p->names, o->names.p, o->names.len);
		buf_set(&p->vals, o->vals.p + o->pending,
			o->vals.len - o->pending);
		p->valid = !p->names.failed && !p->vals.failed &&
			   !o->names.failed && !o->vals.failed;
	}
	o->vals.len = o->pending;
	o->in_row = false;
}

char *sa_row_prefix_raw(struct sa_out *o, struct sa_row_prefix *p,
			const char *head, size_t hlen, size_t n)
{
	p->valid = false;
	if (o->fmt != SA_FORMAT_JSON || o->vals.failed || o->names.failed)
		return NULL;
	p->vals.failed = false;
	p->vals.len = 0;
	if (!sa_buf_grow(&p->vals, hlen + n))
		return NULL;
	memcpy(p->vals.p, head, hlen);
	return p->vals.p + hlen;
}

void sa_row_prefix_raw_end(struct sa_row_prefix *p, char *end, int nfields)
{
	/* What sa_row_keep() leaves for a JSON row begun with these fields. */
	p->vals.len = (size_t)(end - p->vals.p);
	p->vals.p[p->vals.len] = '\0';
	p->names.failed = false;
	p->names.len = 0;
	if (p->names.p)
		p->names.p[0] = '\0';
	p->nfields = nfields;
	p->emit = true;
	p->valid = true;
}

void sa_row_begin_kept(struct sa_out *o, const struct sa_row_prefix *p)
{
	o->in_row = true;
	o->emit = p->emit;
	o->nfields = p->nfields;
	if (!o->emit)
		return;
	/* The names are only written once, in CSV's header. */
	if (o->fmt == SA_FORMAT_CSV && !o->csv_header_done)
		buf_set(&o->names, p->names.p, p->names.len);
	o->vals.len = o->pending;
	buf_put(&o->vals, p->vals.p, p->vals.len);
}

void sa_row_prefix_release(struct sa_row_prefix *p)
{
	sa_buf_free(&p->names);
	sa_buf_free(&p->vals);
	p->valid = false;
}

void sa_out_csv_header(struct sa_out *o, const char *names)
{
	if (o->fmt != SA_FORMAT_CSV || o->csv_header_done || !names)
		return;
	fputs(names, o->f);
	fputc('\n', o->f);
	o->csv_header_done = true;
}
