/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Keyed pseudonyms for --redact.
 *
 * The keyed hash is SipHash-2-4 (Aumasson and Bernstein, "SipHash: a fast
 * short-input PRF", 2012), written from the paper: short inputs, a 128-bit
 * key, and no dependency beyond libc.
 *
 * Addresses use the construction of Crypto-PAn (Xu, Fan, Ammar, Moon,
 * 2002): output bit i is input bit i XOR a keyed function of the input's
 * first i bits.  Two addresses that share an n-bit prefix get the same
 * first n flips, so they keep a common n-bit prefix after mapping, and bit
 * n+1 differs in the output exactly when it differs in the input: subnets
 * stay subnets, hosts stay distinct, and without the key nothing maps back.
 */
#include <string.h>

#include "analyze/le.h"
#include "analyze/redact.h"

#define ROTL(x, b)	(uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

#define SIPROUND(v0, v1, v2, v3) do {					\
	v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32);	\
	v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2;				\
	v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0;				\
	v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32);	\
} while (0)

uint64_t sa_siphash24(const uint8_t key[SA_REDACT_KEY_LEN], const void *data,
		      size_t len)
{
	const uint8_t *p = data;
	uint64_t k0 = sa_le64(key), k1 = sa_le64(key + 8);
	uint64_t v0 = k0 ^ 0x736f6d6570736575ull;
	uint64_t v1 = k1 ^ 0x646f72616e646f6dull;
	uint64_t v2 = k0 ^ 0x6c7967656e657261ull;
	uint64_t v3 = k1 ^ 0x7465646279746573ull;
	uint64_t m, b = (uint64_t)len << 56;
	size_t i, left = len % 8;

	for (i = 0; i + 8 <= len; i += 8) {
		m = sa_le64(p + i);
		v3 ^= m;
		SIPROUND(v0, v1, v2, v3);
		SIPROUND(v0, v1, v2, v3);
		v0 ^= m;
	}
	/* Last block: the remaining bytes, and the length mod 256 on top. */
	while (left-- > 0)
		b |= (uint64_t)p[i + left] << (8 * left);
	v3 ^= b;
	SIPROUND(v0, v1, v2, v3);
	SIPROUND(v0, v1, v2, v3);
	v0 ^= b;
	v2 ^= 0xff;
	SIPROUND(v0, v1, v2, v3);
	SIPROUND(v0, v1, v2, v3);
	SIPROUND(v0, v1, v2, v3);
	SIPROUND(v0, v1, v2, v3);
	return v0 ^ v1 ^ v2 ^ v3;
}

void sa_redact_derive_key(const uint8_t *material, size_t len,
			  uint8_t key[SA_REDACT_KEY_LEN])
{
	/* Two hashes under distinct fixed keys spread any file over 128 bits. */
	uint8_t k[SA_REDACT_KEY_LEN];
	uint64_t h[2];
	int i, j;

	for (i = 0; i < 2; i++) {
		memset(k, 0, sizeof(k));
		memcpy(k, "skr-redact-key", 14);
		k[15] = (uint8_t)i;
		h[i] = sa_siphash24(k, material, len);
	}
	for (i = 0; i < 2; i++)
		for (j = 0; j < 8; j++)
			key[8 * i + j] = (uint8_t)(h[i] >> (8 * j));
}

/*
 * Crypto-PAn flips for bits [from, to) of an address of alen bytes: bit i
 * of out is toggled by a keyed function of the first i bits of in.  The
 * hashed message is a domain byte, the bit index and in with every bit
 * from i on cleared, padded to alen bytes, so each prefix has its own flip
 * for bit i.  out must already hold in's bits in that range.
 */
static void flip_bits(const uint8_t key[SA_REDACT_KEY_LEN], uint8_t domain,
		      unsigned alen, const uint8_t *in, uint8_t *out,
		      unsigned from, unsigned to)
{
	uint8_t msg[2 + 16];
	unsigned i;

	for (i = from; i < to; i++) {
		unsigned byte = i / 8;

		memset(msg, 0, sizeof(msg));
		msg[0] = domain;
		msg[1] = (uint8_t)i;
		memcpy(msg + 2, in, byte);
		msg[2 + byte] = in[byte] & (uint8_t)~(0xffu >> (i % 8));
		if (sa_siphash24(key, msg, 2 + alen) & 1)
			out[byte] ^= (uint8_t)(0x80u >> (i % 8));
	}
}

/* The whole Crypto-PAn permutation of an address of alen bytes. */
static void cryptopan(const uint8_t key[SA_REDACT_KEY_LEN], uint8_t domain,
		      unsigned alen, const uint8_t *in, uint8_t *out)
{
	memcpy(out, in, alen);
	flip_bits(key, domain, alen, in, out, 0, 8 * alen);
}

#define DOMAIN_V4	4
#define DOMAIN_V6	6

/*
 * What stays as it is: 0.0.0.0 and 127/8, which say nothing about the host
 * and help reading.  No other address may map onto them.
 */
static bool v4_kept(const uint8_t *a)
{
	return a[0] == 127 || (a[0] == 0 && a[1] == 0 && a[2] == 0 && a[3] == 0);
}

/* Crypto-PAn's permutation of first octets: its bits 0-7 alone. */
static uint8_t octet_perm(const uint8_t key[SA_REDACT_KEY_LEN], uint8_t o)
{
	uint8_t in[4] = { o, 0, 0, 0 }, out[4] = { o, 0, 0, 0 };

	flip_bits(key, DOMAIN_V4, 4, in, out, 0, 8);
	return out[0];
}

/*
 * An IPv4 address that is not kept, in three classes told apart by the
 * first octet, each mapped onto itself:
 *   - 0/8 (not 0.0.0.0) keeps its octet; Crypto-PAn permutes the 24-bit
 *     rests, and the rest that would become 0.0.0.0 walks on (below);
 *   - 127/8 is kept;
 *   - every other octet o: Crypto-PAn, then, while the first octet is 0 or
 *     127, the octet permutation again.
 * Walking a permutation until it leaves a set (cycle walking) gives a
 * permutation of what is outside the set: the first octets 1-126 and
 * 128-255 are permuted among themselves, and Crypto-PAn permutes each
 * octet's rests.  So two different inputs never meet, and nothing lands in
 * 0.0.0.0 or 127/8.  The walk ends because it follows a cycle of a
 * permutation of 256 octets that holds the start, at most two steps
 * longer.  Only the at most two octets that walk, and the one 0/8 rest,
 * lose Crypto-PAn's prefix relation with the rest.
 */
static void map_v4(const uint8_t key[SA_REDACT_KEY_LEN], const uint8_t in[4],
		   uint8_t out[4])
{
	uint8_t t[4];

	cryptopan(key, DOMAIN_V4, 4, in, out);
	if (in[0] == 0) {
		out[0] = 0;
		while (out[1] == 0 && out[2] == 0 && out[3] == 0) {
			memcpy(t, out, 4);
			cryptopan(key, DOMAIN_V4, 4, t, out);
			out[0] = 0;
		}
		return;
	}
	while (out[0] == 0 || out[0] == 127)
		out[0] = octet_perm(key, out[0]);
}

static const uint8_t v4mapped_prefix[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
};

static bool v6_unspec_or_loopback(const uint8_t *a)
{
	static const uint8_t zero[15];

	return memcmp(a, zero, 15) == 0 && (a[15] == 0 || a[15] == 1);
}

/*
 * An IPv6 address that is neither ::, ::1 nor IPv4-mapped: Crypto-PAn over
 * 128 bits, walked on while the result is ::, ::1 or in ::ffff:0:0/96 (the
 * IPv4-mapped addresses map within that /96, by the IPv4 rules).  As for
 * IPv4, the walk permutes what is outside those sets, and ends.
 */
static void map_v6(const uint8_t key[SA_REDACT_KEY_LEN], const uint8_t in[16],
		   uint8_t out[16])
{
	uint8_t t[16];

	cryptopan(key, DOMAIN_V6, 16, in, out);
	while (v6_unspec_or_loopback(out) ||
	       memcmp(out, v4mapped_prefix, 12) == 0) {
		memcpy(t, out, 16);
		cryptopan(key, DOMAIN_V6, 16, t, out);
	}
}

bool sa_redact_addr(const uint8_t key[SA_REDACT_KEY_LEN], unsigned family,
		    const uint8_t in[16], uint8_t out[16])
{
	if (family == SKR_AF_INET) {
		/* Bytes 4-15 are zero by the format; never copy what they held. */
		memset(out, 0, 16);
		if (v4_kept(in))
			memcpy(out, in, 4);
		else
			map_v4(key, in, out);
	} else if (memcmp(in, v4mapped_prefix, 12) == 0) {
		memcpy(out, in, 12);
		if (v4_kept(in + 12))
			memcpy(out + 12, in + 12, 4);
		else
			map_v4(key, in + 12, out + 12);
	} else if (v6_unspec_or_loopback(in)) {
		memcpy(out, in, 16);
	} else {
		map_v6(key, in, out);
	}
	return memcmp(in, out, 16) != 0;
}

void sa_redact_comm(const uint8_t key[SA_REDACT_KEY_LEN], const char *in,
		    size_t inlen, char *out, size_t outlen)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = strnlen(in, inlen), i;
	/* Hashed first: in and out may be the same buffer. */
	uint64_t h = sa_siphash24(key, in, n);

	if (outlen == 0)
		return;
	memset(out, 0, outlen);
	if (n == 0)
		return;		/* no name stays no name */
	for (i = 0; i < outlen - 1 && i < 14; i++) {
		if (i < 2)
			out[i] = "c-"[i];
		else
			out[i] = hex[(h >> (4 * (i - 2))) & 0xf];
	}
}
