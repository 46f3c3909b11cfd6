/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The strings of the raw JSON rows (out_raw.h): names from outside checked
 * for bytes that need an escape eight at a time and copied whole, or NULL
 * when one does (the caller then writes the row field by field); and a
 * cookie's hex digits.
 */
#ifndef SA_OUT_RAW_STR_H
#define SA_OUT_RAW_STR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "analyze/out_rows.h"

/*
 * Whether all eight bytes of w are ones JSON carries as they are
 * (sa_json_plain_tab): the classic word tests, each exact for "is there
 * any such byte": less than 0x20 ((w - 0x20..) & ~w), more than 0x7e
 * ((w + 0x01..) | w), equal to a quote or a backslash (a zero byte in w
 * xor it), each leaving the high bit of some byte set.  The order of the
 * bytes in w does not matter.
 */
#define SA_BYTES8(c)	(0x0101010101010101ull * (uint64_t)(c))
static inline uint64_t sa_json_bad8(uint64_t w)
{
	uint64_t q = w ^ SA_BYTES8('"'), bs = w ^ SA_BYTES8('\\');
	uint64_t bad = ((w - SA_BYTES8(0x20)) & ~w) |
		       (w + SA_BYTES8(0x01)) | w |
		       ((q - SA_BYTES8(0x01)) & ~q) |
		       ((bs - SA_BYTES8(0x01)) & ~bs);

	return bad & SA_BYTES8(0x80);
}

static inline bool sa_json_plain8(uint64_t w)
{
	return sa_json_bad8(w) == 0;
}

/*
 * ,"key":"val" for n bytes of a string from outside; NULL when a byte of
 * it needs an escape (then the caller drops the row with
 * sa_row_raw_abort() and writes it field by field).  Checked and copied
 * eight bytes at a time: a byte at a time was most of the cost of a task
 * or host name.
 */
static inline char *sa_raw_strn(char *p, const char *jkey, size_t jlen,
				const char *val, size_t n)
{
	size_t k = 0;
	uint64_t w;

	memcpy(p, jkey, jlen);
	p += jlen;
	*p++ = '"';
	for (; k + 8 <= n; k += 8) {
		memcpy(&w, val + k, 8);
		if (!sa_json_plain8(w))
			return NULL;
		memcpy(p + k, &w, 8);
	}
	for (; k < n; k++) {
		if (!sa_json_plain_tab[(unsigned char)val[k]])
			return NULL;
		p[k] = val[k];
	}
	p[n] = '"';
	return p + n + 1;
}

/* The same for a NUL-terminated string. */
static inline char *sa_raw_str(char *p, const char *jkey, size_t jlen,
			       const char *val)
{
	return sa_raw_strn(p, jkey, jlen, val, strlen(val));
}

/*
 * ,"key":"name" for a task name kept in SA_COMM_SLOT bytes with a NUL
 * among them (a transition's item, analyze/items.h); NULL as
 * sa_raw_strn().  Its first sixteen bytes are checked as two words and
 * copied whole, and its length is where the first byte the checks flag
 * is: the NUL, when no byte before it needs an escape.  No strlen and no
 * byte loop, which were a tenth of the row's instructions.  A caller
 * reserves SA_COMM_SLOT + 1 bytes of room for the name.
 *
 * A byte the checks flag only because of a borrow or carry lies past a
 * byte truly flagged, later in memory when the words are little-endian:
 * so the first flag is exact there, and elsewhere strlen decides.
 */
#define SA_COMM_SLOT	17

static inline char *sa_raw_comm(char *p, const char *jkey, size_t jlen,
				const char comm[static SA_COMM_SLOT])
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	uint64_t w0, w1, b0, b1;
	size_t n;

	memcpy(&w0, comm, 8);
	memcpy(&w1, comm + 8, 8);
	b0 = sa_json_bad8(w0);
	b1 = sa_json_bad8(w1);
	if (b0)
		n = (size_t)__builtin_ctzll(b0) / 8;
	else if (b1)
		n = 8 + (size_t)__builtin_ctzll(b1) / 8;
	else
		n = 16;
	if (comm[n] != '\0')
		return NULL;
	memcpy(p, jkey, jlen);
	p += jlen;
	*p++ = '"';
	memcpy(p, &w0, 8);
	memcpy(p + 8, &w1, 8);
	p[n] = '"';
	return p + n + 1;
#else
	size_t n = strnlen(comm, SA_COMM_SLOT - 1);

	if (comm[n] != '\0')
		return NULL;
	return sa_raw_strn(p, jkey, jlen, comm, n);
#endif
}

/*
 * ,"key":"0x..." of v, as "0x%" PRIx64 writes it: its count of hex
 * digits from its highest set bit, then the digits from the last back,
 * with no scratch copy to reverse.  At most jlen + 21 bytes.
 */
static inline char *sa_raw_hex(char *p, const char *jkey, size_t jlen,
			       uint64_t v)
{
	static const char digits[] = "0123456789abcdef";
#if defined(__GNUC__)
	size_t n = v ? (size_t)(67 - __builtin_clzll(v)) / 4 : 1;
#else
	size_t n = 1;

	while (n < 16 && v >> (4 * n))
		n++;
#endif
	size_t i = n;

	memcpy(p, jkey, jlen);
	p += jlen;
	memcpy(p, "\"0x", 3);
	p += 3;
	do {
		p[--i] = digits[v & 0xf];
		v >>= 4;
	} while (i > 0);
	p[n] = '"';
	return p + n + 1;
}

#endif /* SA_OUT_RAW_STR_H */
