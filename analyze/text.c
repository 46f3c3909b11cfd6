/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Formatting shared by the reports.  Strings from a trace are untrusted:
 * they may lack a terminator or carry terminal escapes, so they are copied
 * through sa_text_copy() before they reach the output.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "analyze/out_rows.h"
#include "analyze/text.h"
#include "format/skr.h"

static void terminate_empty(char *buf, size_t size, int n)
{
	/* A result that did not fit is shown as nothing rather than cut. */
	if (size > 0 && (n < 0 || (size_t)n >= size))
		buf[0] = '\0';
}

/*
 * The high bit of each byte of w not in 0x20..0x7e (printable ASCII, so
 * no NUL either) set, and maybe of bytes after one: a byte below 0x20
 * borrows, one above 0x7e carries or has bit 7, and a borrow or a carry
 * only reaches bytes above the one that made it.
 */
static uint64_t unprintable8(uint64_t w)
{
	const uint64_t ones = 0x0101010101010101u, high = ones << 7;

	return (((w - ones * 0x20) & ~w) | ((w + ones) | w)) & high;
}

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
/*
 * Little-endian, the lowest byte flagged in bad (unprintable8(w)) is the
 * first one in memory, and truly flagged.  When it is the NUL, the name
 * ends in this word (most do): the bytes before it and the NUL go to dst
 * in one store, dst's bytes after it kept as they were; true.  false when
 * it is another byte (the caller goes on byte by byte).
 */
static inline bool end_in_word(char *dst, uint64_t w, uint64_t bad)
{
	unsigned f = (unsigned)__builtin_ctzll(bad) / 8;
	uint64_t keep = f ? ~0ull >> (64 - 8 * f) : 0;
	uint64_t d;

	if ((w >> (8 * f) & 0xff) != 0)
		return false;
	memcpy(&d, dst, sizeof(d));
	d = (d & ~(keep | (0xffull << (8 * f)))) | (w & keep);
	memcpy(dst, &d, sizeof(d));
	return true;
}
#endif

void sa_text_copy(char *dst, size_t dsize, const void *src, size_t slen)
{
	const unsigned char *s = src;
	uint64_t w, bad;
	size_t i = 0;

	if (dsize == 0)
		return;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	/*
	 * A task name (16 bytes into 17) that ends within them, all of it
	 * printable: the case of every transition, done in two words with
	 * no loop (the loop below took some 80 instructions for it).
	 */
	if (slen >= 16 && dsize > 16) {
		uint64_t w0, w1, b0;

		memcpy(&w0, s, sizeof(w0));
		memcpy(&w1, s + 8, sizeof(w1));
		b0 = unprintable8(w0);
		if (b0 && end_in_word(dst, w0, b0))
			return;
		if (!b0 && (bad = unprintable8(w1)) != 0 &&
		    end_in_word(dst + 8, w1, bad)) {
			memcpy(dst, &w0, sizeof(w0));
			return;
		}
	}
#endif
	/*
	 * Every transition copies its task name: eight bytes at a time
	 * while they need no check of their own, then byte by byte.
	 */
	while (i + 8 <= slen && i + 8 < dsize) {
		memcpy(&w, s + i, sizeof(w));
		bad = unprintable8(w);
		if (bad) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
			if (end_in_word(dst + i, w, bad))
				return;
#endif
			break;
		}
		memcpy(dst + i, &w, sizeof(w));
		i += 8;
	}
	for (; i < slen && i + 1 < dsize && s[i] != '\0'; i++)
		dst[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? (char)s[i] : '?';
	dst[i] = '\0';
}

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
/*
 * As end_in_word(), into *d: the bytes before the NUL, then zeros, so the
 * word is stored whole.  end_in_word() read the slot first to keep its
 * bytes after the NUL, and that read waited for the line of a new item:
 * two thirds of sa_text_copy()'s samples in perf of --timeline --json.
 */
static inline bool nul_in_word(uint64_t w, uint64_t bad, uint64_t *d)
{
	unsigned f = (unsigned)__builtin_ctzll(bad) / 8;

	if ((w >> (8 * f) & 0xff) != 0)
		return false;
	*d = f ? w & (~0ull >> (64 - 8 * f)) : 0;
	return true;
}
#endif

void sa_text_name16(char dst[static 17], const void *src)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	const unsigned char *s = src;
	uint64_t w0, w1, b0, b1, d;

	memcpy(&w0, s, sizeof(w0));
	memcpy(&w1, s + 8, sizeof(w1));
	b0 = unprintable8(w0);
	if (b0) {
		if (nul_in_word(w0, b0, &d)) {
			memcpy(dst, &d, sizeof(d));
			return;
		}
	} else if ((b1 = unprintable8(w1)) != 0 && nul_in_word(w1, b1, &d)) {
		memcpy(dst, &w0, sizeof(w0));
		memcpy(dst + 8, &d, sizeof(d));
		return;
	}
#endif
	sa_text_copy(dst, 17, src, 16);
}

char *sa_text_dup(const void *src, size_t slen)
{
	char *d = malloc(slen + 1);

	if (d)
		sa_text_copy(d, slen + 1, src, slen);
	return d;
}

const char *sa_text_secs(uint64_t ns, char *buf, size_t size)
{
	int n = snprintf(buf, size, "%" PRIu64 ".%06" PRIu64,
			 ns / 1000000000u, ns % 1000000000u / 1000u);

	terminate_empty(buf, size, n);
	return buf;
}

const char *sa_text_family(unsigned family, char *buf, size_t size)
{
	int n;

	if (family == SKR_AF_INET)
		return "IPv4";
	if (family == SKR_AF_INET6)
		return "IPv6";
	n = snprintf(buf, size, "UNKNOWN(%u)", family);
	terminate_empty(buf, size, n);
	return buf;
}

const char sa_digit_pairs[201] =
	"00010203040506070809101112131415161718192021222324"
	"25262728293031323334353637383940414243444546474849"
	"50515253545556575859606162636465666768697071727374"
	"75767778798081828384858687888990919293949596979899";

/*
 * The 256 address bytes in decimal, each in a slot of four with its
 * length: an octet is one four-byte move, no division.  Made on first use
 * (sockana formats on one thread).
 */
static struct {
	char s[4];
	unsigned char n;
} octets[256];
static bool octets_made;

static void make_octets(void)
{
	unsigned v;

	for (v = 0; v < 256; v++) {
		char *p = octets[v].s;

		if (v >= 100)
			*p++ = (char)('0' + v / 100);
		if (v >= 10)
			*p++ = (char)('0' + v / 10 % 10);
		*p++ = (char)('0' + v % 10);
		octets[v].n = (unsigned char)(p - octets[v].s);
	}
	octets_made = true;
}

/*
 * "a.b.c.d:port", as inet_ntop and printf would write it: a report writes
 * two endpoints a socket, and those two took a fifth of the instructions
 * of --timeline --json (callgrind) on a trace of short connections.
 */
/* "255.255.255.255:4294967295", the longest endpoint4() writes. */
#define ENDPOINT4_MAX	26

char *sa_text_put_ipv4(char *p, const uint8_t addr[4])
{
	int i;

	if (!octets_made)
		make_octets();
	for (i = 0; i < 4; i++) {
		/* A whole slot: the separator after it covers what is spare. */
		memcpy(p, octets[addr[i]].s, 4);
		p += octets[addr[i]].n;
		*p++ = '.';
	}
	return p - 1;
}

/* At p, which has ENDPOINT4_MAX bytes of room; the end (no NUL). */
static char *put_endpoint4(char *p, const uint8_t addr[16], unsigned port)
{
	p = sa_text_put_ipv4(p, addr);
	*p++ = ':';
	return sa_put_u64(p, port);
}

static const char *endpoint4(const uint8_t addr[16], unsigned port,
			     char *buf, size_t size)
{
	char t[32], *p;
	size_t n;

	/* Straight into buf when the longest fits (all callers' buffers do). */
	if (size > ENDPOINT4_MAX) {
		*put_endpoint4(buf, addr, port) = '\0';
		return buf;
	}
	p = put_endpoint4(t, addr, port);
	n = (size_t)(p - t);
	if (n >= size) {
		terminate_empty(buf, size, -1);
		return buf;
	}
	memcpy(buf, t, n);
	buf[n] = '\0';
	return buf;
}

const char *sa_text_endpoint(unsigned family, const uint8_t addr[16],
			     unsigned port, char *buf, size_t size)
{
	char a[INET6_ADDRSTRLEN];
	int n;

	/* The trace's family numbers are Linux's; map them to the host's. */
	if (family == SKR_AF_INET)
		return endpoint4(addr, port, buf, size);
	if (family == SKR_AF_INET6 &&
		 inet_ntop(AF_INET6, addr, a, sizeof(a)))
		n = snprintf(buf, size, "[%s]:%u", a, port);
	else
		n = snprintf(buf, size, "?:%u", port);
	terminate_empty(buf, size, n);
	return buf;
}

size_t sa_text_endpoint_n(unsigned family, const uint8_t addr[16],
			  unsigned port, char buf[static SA_ENDPOINT_LEN])
{
	_Static_assert(SA_ENDPOINT_LEN > ENDPOINT4_MAX,
		       "an IPv4 endpoint is written in place");
	char *end;

	/* IPv4 as sa_text_endpoint() writes it, its end known: no strlen. */
	if (family == SKR_AF_INET) {
		end = put_endpoint4(buf, addr, port);
		*end = '\0';
		return (size_t)(end - buf);
	}
	return strlen(sa_text_endpoint(family, addr, port, buf,
				       SA_ENDPOINT_LEN));
}

const char *sa_text_task(const char *comm, uint32_t pid, char *buf,
			 size_t size)
{
	int n = snprintf(buf, size, "%s[%" PRIu32 "]", comm, pid);

	terminate_empty(buf, size, n);
	return buf;
}

/* The words and names are the format's catalogue's. */
const char *sa_event_name(uint16_t type)
{
	const struct skr_rec_desc *d = skr_rec_desc(type);

	return d && d->word ? d->word : "other";
}

const char *sa_rec_type_name(unsigned type, char *buf, size_t size)
{
	return skr_rec_type_name(type, buf, size);
}
