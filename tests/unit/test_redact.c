// SPDX-License-Identifier: BSD-2-Clause
/*
 * Unit tests of sockana --redact: the keyed hash against the published
 * test vectors, the prefix-preserving property of the address mapping, and
 * a whole trace redacted in memory.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include "analyze/redact.h"
#include "tracegen.h"

static const uint8_t key[SA_REDACT_KEY_LEN] = "unit-test-key-01";

/* SipHash-2-4 paper, appendix A: key 00..0f; messages 00..(n-1). */
START_TEST(test_siphash_vectors)
{
	uint8_t k[16], msg[64];
	int i;

	for (i = 0; i < 16; i++)
		k[i] = (uint8_t)i;
	for (i = 0; i < 64; i++)
		msg[i] = (uint8_t)i;
	ck_assert_uint_eq(sa_siphash24(k, msg, 0), 0x726fdb47dd0e0e31ull);
	ck_assert_uint_eq(sa_siphash24(k, msg, 1), 0x74f839c593dc67fdull);
	ck_assert_uint_eq(sa_siphash24(k, msg, 8), 0x93f5f5799a932462ull);
	ck_assert_uint_eq(sa_siphash24(k, msg, 15), 0xa129ca6149be45e5ull);
	ck_assert_uint_eq(sa_siphash24(k, msg, 63), 0x958a324ceb064572ull);
}
END_TEST

static unsigned common_prefix(const uint8_t *a, const uint8_t *b, unsigned bits)
{
	unsigned i;

	for (i = 0; i < bits; i++) {
		uint8_t m = (uint8_t)(0x80u >> (i % 8));

		if ((a[i / 8] & m) != (b[i / 8] & m))
			break;
	}
	return i;
}

static void v4(uint8_t a[16], unsigned x0, unsigned x1, unsigned x2, unsigned x3)
{
	memset(a, 0, 16);
	a[0] = (uint8_t)x0;
	a[1] = (uint8_t)x1;
	a[2] = (uint8_t)x2;
	a[3] = (uint8_t)x3;
}

START_TEST(test_prefix_preserving_v6)
{
	uint8_t a[16], b[16], ma[16], mb[16];
	unsigned i, j;

	srand(11);
	for (i = 0; i < 500; i++) {
		for (j = 0; j < 16; j++)
			a[j] = (uint8_t)rand();
		a[0] = 0x20;
		memcpy(b, a, 16);
		b[i % 16] ^= (uint8_t)(1u << (rand() % 8));
		sa_redact_addr(key, SKR_AF_INET6, a, ma);
		sa_redact_addr(key, SKR_AF_INET6, b, mb);
		ck_assert_uint_eq(common_prefix(ma, mb, 128),
				  common_prefix(a, b, 128));
	}
}
END_TEST

START_TEST(test_kept_and_mapped_forms)
{
	uint8_t a[16], m[16], m4[16];

	v4(a, 127, 0, 0, 1);
	ck_assert(!sa_redact_addr(key, SKR_AF_INET, a, m));
	ck_assert(memcmp(a, m, 16) == 0);
	v4(a, 127, 9, 8, 7);
	ck_assert(!sa_redact_addr(key, SKR_AF_INET, a, m));
	v4(a, 0, 0, 0, 0);
	ck_assert(!sa_redact_addr(key, SKR_AF_INET, a, m));
	memset(a, 0, 16);
	ck_assert(!sa_redact_addr(key, SKR_AF_INET6, a, m));
	a[15] = 1;
	ck_assert(!sa_redact_addr(key, SKR_AF_INET6, a, m));
	ck_assert(memcmp(a, m, 16) == 0);

	/* ::ffff:192.0.2.7 maps like 192.0.2.7. */
	v4(a, 192, 0, 2, 7);
	sa_redact_addr(key, SKR_AF_INET, a, m4);
	memset(a, 0, 16);
	a[10] = a[11] = 0xff;
	a[12] = 192;
	a[13] = 0;
	a[14] = 2;
	a[15] = 7;
	ck_assert(sa_redact_addr(key, SKR_AF_INET6, a, m));
	ck_assert(memcmp(m, a, 12) == 0);
	ck_assert(memcmp(m + 12, m4, 4) == 0);

	/* Garbage after an IPv4 address is not carried over. */
	v4(a, 10, 0, 0, 1);
	a[9] = 0x55;
	sa_redact_addr(key, SKR_AF_INET, a, m);
	ck_assert_uint_eq(m[9], 0);

	/* An unknown family is still mapped, never copied. */
	ck_assert(sa_redact_addr(key, 99, a, m));
}
END_TEST

/*
 * An oracle: plain Crypto-PAn as redact_map.c builds it (the flip of bit i
 * is bit 0 of SipHash over domain, i, the address cut before bit i, padded
 * to its length), forward and inverse.  The inverse finds, for any key, the
 * real addresses that plain Crypto-PAn would send onto a kept address:
 * those are the ones the mapping must move elsewhere.
 */
static unsigned cp_flip(const uint8_t *k, uint8_t dom, unsigned alen,
			const uint8_t *in, unsigned i)
{
	uint8_t msg[18];

	memset(msg, 0, sizeof(msg));
	msg[0] = dom;
	msg[1] = (uint8_t)i;
	memcpy(msg + 2, in, i / 8);
	msg[2 + i / 8] = in[i / 8] & (uint8_t)~(0xffu >> (i % 8));
	return (unsigned)(sa_siphash24(k, msg, 2 + alen) & 1);
}

static void cp_fwd(const uint8_t *k, uint8_t dom, unsigned alen,
		   const uint8_t *in, uint8_t *out)
{
	unsigned i;

	memcpy(out, in, alen);
	for (i = 0; i < 8 * alen; i++)
		if (cp_flip(k, dom, alen, in, i))
			out[i / 8] ^= (uint8_t)(0x80u >> (i % 8));
}

static void cp_inv(const uint8_t *k, uint8_t dom, unsigned alen,
		   const uint8_t *out, uint8_t *in)
{
	unsigned i;

	memset(in, 0, alen);
	for (i = 0; i < 8 * alen; i++) {
		uint8_t m = (uint8_t)(0x80u >> (i % 8));

		if (((out[i / 8] & m) != 0) != (cp_flip(k, dom, alen, in, i) != 0))
			in[i / 8] |= m;
	}
}

static void make_key(uint8_t k[SA_REDACT_KEY_LEN], unsigned n)
{
	unsigned i;

	srand(1000 + n);
	for (i = 0; i < SA_REDACT_KEY_LEN; i++)
		k[i] = (uint8_t)rand();
}

static bool v4_is_kept(const uint8_t *a)
{
	return a[0] == 127 || (a[0] == 0 && a[1] == 0 && a[2] == 0 && a[3] == 0);
}

/* Pairs of (input, output), sorted by output to find two inputs meeting. */
struct pair {
	uint8_t in[16], out[16];
};

static int by_out(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;
	int c = memcmp(x->out, y->out, 16);

	return c ? c : memcmp(x->in, y->in, 16);
}

static void assert_injective(struct pair *p, size_t n)
{
	size_t i;

	qsort(p, n, sizeof(*p), by_out);
	for (i = 1; i < n; i++)
		if (memcmp(p[i].out, p[i - 1].out, 16) == 0)
			ck_assert_msg(memcmp(p[i].in, p[i - 1].in, 16) == 0,
				      "two addresses map to one");
}

#define NKEYS		32
#define NTAILS		12

/*
 * Every first octet, for many keys: kept addresses stay, no other address
 * lands on a kept one, 0/8 stays in 0/8, the other octets are permuted among
 * themselves, and no two inputs meet.  The inputs include, for each key,
 * the ones plain Crypto-PAn sends onto 0.0.0.0 and into 127/8.
 */
START_TEST(test_v4_first_octets)
{
	static struct pair pairs[256 * NTAILS + 64];
	uint8_t k[SA_REDACT_KEY_LEN], a[16], m[16], img[256], seen[256];
	uint8_t walked[2], special[4][4];
	unsigned n, o, t, i, j;
	size_t np;

	for (n = 0; n < NKEYS; n++) {
		make_key(k, n);
		/* Plain Crypto-PAn's preimages of 0.0.0.0, 127.0.0.0, 127/8
		 * and of its image of 0.0.0.0: the cases that must walk. */
		memset(special, 0, sizeof(special));
		special[1][0] = 127;
		cp_fwd(k, 4, 4, special[0], special[2]);	/* of 0.0.0.0 */
		special[2][1] = special[2][2] = special[2][3] = 0;
		special[3][0] = 127;
		special[3][3] = 9;
		for (i = 0; i < 4; i++) {
			uint8_t pre[4];

			cp_inv(k, 4, 4, special[i], pre);
			memcpy(special[i], pre, 4);
		}
		walked[0] = special[0][0];	/* the octet sent to 0 */
		walked[1] = special[1][0];	/* the octet sent to 127 */
		ck_assert_uint_eq(special[2][0], 0);	/* the 0/8 rest sent to 0 */
		np = 0;
		memset(seen, 0, sizeof(seen));
		for (o = 0; o < 256; o++) {
			for (t = 0; t < NTAILS; t++) {
				memset(a, 0, 16);
				a[0] = (uint8_t)o;
				if (t == 0)
					;			/* o.0.0.0 */
				else if (t == 1)
					a[3] = 1;
				else if (t == 2)
					a[1] = a[2] = a[3] = 255;
				else if (t < 6)		/* the special rests */
					memcpy(a + 1, special[t - 2] + 1, 3);
				else
					for (j = 1; j < 4; j++)
						a[j] = (uint8_t)rand();
				if (v4_is_kept(a)) {
					ck_assert(!sa_redact_addr(k, SKR_AF_INET, a, m));
					ck_assert(memcmp(a, m, 16) == 0);
					continue;
				}
				ck_assert(sa_redact_addr(k, SKR_AF_INET, a, m));
				ck_assert_msg(!v4_is_kept(m), "%u.%u.%u.%u -> %u.%u.%u.%u, "
					      "a kept address (key %u)", a[0], a[1],
					      a[2], a[3], m[0], m[1], m[2], m[3], n);
				ck_assert_uint_eq(m[0] == 0, o == 0);
				ck_assert(memcmp(m + 4, "\0\0\0\0\0\0\0\0\0\0\0\0", 12) == 0);
				if (o != 0) {
					/* The first octet maps by itself. */
					if (!seen[o])
						img[o] = m[0];
					seen[o] = 1;
					ck_assert_uint_eq(m[0], img[o]);
				}
				memcpy(pairs[np].in, a, 16);
				memcpy(pairs[np].out, m, 16);
				np++;
			}
		}
		/* The walking octets and 0/8 rest: more of them. */
		for (i = 0; i < 64; i++) {
			memset(a, 0, 16);
			a[0] = i == 0 ? 0 : walked[i % 2];
			memcpy(a + 1, i == 0 ? special[2] + 1 : special[i % 2] + 1, 3);
			if (i > 1)
				a[3] = (uint8_t)rand();
			if (v4_is_kept(a))
				continue;	/* that octet is 127: nothing walks */
			ck_assert(sa_redact_addr(k, SKR_AF_INET, a, m));
			ck_assert(!v4_is_kept(m));
			memcpy(pairs[np].in, a, 16);
			memcpy(pairs[np].out, m, 16);
			np++;
		}
		/* The 254 octets other than 0 and 127: a permutation of them. */
		memset(seen, 0, sizeof(seen));
		for (o = 1; o < 256; o++) {
			if (o == 127)
				continue;
			ck_assert(img[o] != 0 && img[o] != 127);
			ck_assert_msg(!seen[img[o]], "two first octets map to %u",
				      img[o]);
			seen[img[o]] = 1;
		}
		assert_injective(pairs, np);
	}
}
END_TEST

START_TEST(test_prefix_preserving_v4)
{
	uint8_t a[16], b[16], ma[16], mb[16], z[4] = { 0 }, pre[4];
	uint8_t walked[2];
	unsigned i, cross = 0;

	/* The two octets plain Crypto-PAn sends to 0 and 127 under key. */
	cp_inv(key, 4, 4, z, pre);
	walked[0] = pre[0];
	z[0] = 127;
	cp_inv(key, 4, 4, z, pre);
	walked[1] = pre[0];
	/*
	 * Pseudo-random pairs: the shared prefix is exactly kept within a /8,
	 * and across /8s unless one of them is an octet that walks.
	 */
	srand(7);
	for (i = 0; i < 4000; i++) {
		v4(a, (unsigned)rand() % 255 + 1, (unsigned)rand() & 255,
		   (unsigned)rand() & 255, (unsigned)rand() & 255);
		if (i % 8 == 0)
			a[0] = walked[i % 16 == 0];
		memcpy(b, a, 16);
		b[(i % 4)] ^= (uint8_t)(1u << (rand() % 8));
		if (v4_is_kept(a) || v4_is_kept(b) || a[0] == 0 || b[0] == 0)
			continue;
		ck_assert(sa_redact_addr(key, SKR_AF_INET, a, ma));
		sa_redact_addr(key, SKR_AF_INET, b, mb);
		if (a[0] != b[0] && (a[0] == walked[0] || a[0] == walked[1] ||
				     b[0] == walked[0] || b[0] == walked[1]))
			continue;
		cross += a[0] != b[0];
		ck_assert_uint_eq(common_prefix(ma, mb, 32),
				  common_prefix(a, b, 32));
		ck_assert(memcmp(ma + 4, "\0\0\0\0\0\0\0\0\0\0\0\0", 12) == 0);
	}
	ck_assert_uint_gt(cross, 300);
	/* Deterministic, and another key gives another mapping. */
	v4(a, 10, 77, 1, 1);
	sa_redact_addr(key, SKR_AF_INET, a, ma);
	sa_redact_addr(key, SKR_AF_INET, a, mb);
	ck_assert(memcmp(ma, mb, 16) == 0);
	sa_redact_addr((const uint8_t *)"another-key-0000", SKR_AF_INET, a, mb);
	ck_assert(memcmp(ma, mb, 16) != 0);
}
END_TEST

static bool v6_not_target(const uint8_t *a)
{
	static const uint8_t z[16], v4m[12] = { [10] = 0xff, [11] = 0xff };

	return (memcmp(a, z, 15) == 0 && a[15] <= 1) || memcmp(a, v4m, 12) == 0;
}

/*
 * IPv6, for many keys: the addresses plain Crypto-PAn sends onto ::, ::1
 * and into ::ffff:0:0/96 land elsewhere, no IPv6 address lands there, and
 * no two meet; IPv4-mapped ones stay in their /96 and map as IPv4.
 */
START_TEST(test_v6_kept_and_one_to_one)
{
	static struct pair pairs[NKEYS * 80];
	uint8_t k[SA_REDACT_KEY_LEN], t[16], a[16], m[16], m4[16];
	unsigned n, i, j;
	size_t np = 0;

	for (n = 0; n < NKEYS; n++) {
		make_key(k, n);
		np = 0;
		for (i = 0; i < 80; i++) {
			memset(t, 0, 16);
			if (i == 1) {
				t[15] = 1;			/* ::1 */
			} else if (i >= 2 && i < 12) {		/* ::ffff:x */
				t[10] = t[11] = 0xff;
				for (j = 12; j < 16; j++)
					t[j] = (uint8_t)rand();
			}
			if (i < 12) {
				cp_inv(k, 6, 16, t, a);
			} else {
				for (j = 0; j < 16; j++)
					a[j] = (uint8_t)rand();
				if (i < 20)		/* near the kept ones */
					memset(a, 0, 14);
			}
			if (v6_not_target(a))
				continue;
			ck_assert(sa_redact_addr(k, SKR_AF_INET6, a, m));
			ck_assert_msg(!v6_not_target(m), "an IPv6 address mapped onto "
				      "::, ::1 or ::ffff:0:0/96 (key %u, case %u)", n, i);
			/* The same bytes in an unknown family: the same rules. */
			sa_redact_addr(k, 99, a, m4);
			ck_assert(memcmp(m, m4, 16) == 0);
			memcpy(pairs[np].in, a, 16);
			memcpy(pairs[np].out, m, 16);
			np++;
		}
		/* IPv4-mapped: within the /96, as the IPv4 address maps. */
		for (i = 0; i < 16; i++) {
			memset(a, 0, 16);
			for (j = 0; j < 4; j++)
				a[j] = (uint8_t)rand();
			if (i < 4)
				a[0] = (uint8_t)(i == 0 ? 0 : 127);
			if (v4_is_kept(a))
				continue;
			sa_redact_addr(k, SKR_AF_INET, a, m4);
			memmove(a + 12, a, 4);
			memset(a, 0, 12);
			a[10] = a[11] = 0xff;
			sa_redact_addr(k, SKR_AF_INET6, a, m);
			ck_assert(memcmp(m, a, 12) == 0);
			ck_assert(memcmp(m + 12, m4, 4) == 0);
			memcpy(pairs[np].in, a, 16);
			memcpy(pairs[np].out, m, 16);
			np++;
		}
		assert_injective(pairs, np);
	}
}
END_TEST

START_TEST(test_comm_pseudonym)
{
	char out[SKR_COMM_LEN], out2[SKR_COMM_LEN];
	const char in[SKR_COMM_LEN] = "0123456789abcdef";	/* no NUL */

	sa_redact_comm(key, "curl", SKR_COMM_LEN, out, sizeof(out));
	ck_assert_int_eq(strncmp(out, "c-", 2), 0);
	ck_assert_uint_eq(strlen(out), 14);
	sa_redact_comm(key, "curl\0junk", 9, out2, sizeof(out2));
	ck_assert_str_eq(out, out2);
	sa_redact_comm(key, in, sizeof(in), out2, sizeof(out2));
	ck_assert_str_ne(out, out2);
	sa_redact_comm(key, "", 1, out2, sizeof(out2));
	ck_assert_str_eq(out2, "");
	/* In place, as the redactor does it: same result. */
	memset(out2, 0, sizeof(out2));
	memcpy(out2, "curl", 4);
	sa_redact_comm(key, out2, sizeof(out2), out2, sizeof(out2));
	ck_assert_str_eq(out, out2);
	sa_redact_comm(key, "wget", SKR_COMM_LEN, out2, sizeof(out2));
	ck_assert_str_ne(out, out2);
}
END_TEST

/* ---- a whole trace ---- */

/* Write a small trace to a temporary file; returns its bytes. */
static uint8_t *make_trace(size_t *len)
{
	static const char *const args[] = { "sockrec",
					    "/home/secret-user/x.skr", NULL };
	static const struct tg_host host = {
		.hostname = "secret-host.example.com",
		.boot_id = "boot-id-secret", .krelease = "6.18.0",
	};
	static struct skr_tlv_builder b;
	struct skr_rec_hdr *h;
	uint8_t unknown[64];
	struct tg t;

	tg_begin(&t);
	t.netns = 0;
	tg_header(&t, 0, 0, 0, 0);
	tg_host_tlv(&b, &host);
	skr_tlv_put(&b, 99, "unknown-tag-secret", 18);
	tg_put_tlv(&t, &b);
	tg_recorder(&t, "0.1.0", args, "secret comment");
	tg_st(&t, 1000, 5, SKR_CTX_PROCESS, 0, "secretcomm", SKR_TCP_CLOSE,
	      SKR_TCP_SYN_SENT, "10.77.1.1", 0, "203.0.113.9", 0);
	/* An event type the redactor cannot interpret: dropped. */
	memset(unknown, 0, sizeof(unknown));
	h = (struct skr_rec_hdr *)unknown;
	h->len = sizeof(unknown);
	h->type = 0x01ff;
	memcpy(unknown + 40, "\xcb\x00\x71\x09", 4);
	tg_put(&t, unknown, sizeof(unknown));
	tg_end(&t, 0, 0, 0);
	return tg_bytes(&t, len);
}

START_TEST(test_redact_trace)
{
	static const char *secrets[] = {
		"secret-host", "boot-id-secret", "unknown-tag-secret",
		"secret-user", "secret comment", "secretcomm",
	};
	struct sa_redact_opts opts;
	struct sa_redact_stats st;
	struct skr_reader *r, *r2;
	struct skr_record rec;
	struct skr_ev_state ev;
	struct skr_reader_status rs;
	uint8_t *in, *out, *plain, addr[4];
	size_t inlen, outlen, plen = 0, cap = 1 << 16;
	char msg[256];
	FILE *f = tmpfile();
	unsigned i;
	int rc, states = 0;

	in = make_trace(&inlen);
	memset(&opts, 0, sizeof(opts));
	memcpy(opts.key, key, sizeof(key));
	opts.comm = true;
	ck_assert_int_eq(skr_reader_open_mem(&r, in, inlen), 0);
	ck_assert_int_eq(sa_redact(r, &opts, fileno(f), &st, msg, sizeof(msg)), 0);
	skr_reader_free(r);
	ck_assert_uint_eq(st.records_in, 6);
	ck_assert_uint_eq(st.records_out, 5);
	ck_assert_uint_eq(st.dropped, 1);
	ck_assert_uint_eq(st.addresses, 2);
	ck_assert(!st.truncated);

	outlen = (size_t)ftell(f);
	out = malloc(outlen);
	ck_assert_ptr_nonnull(out);
	rewind(f);
	ck_assert_uint_eq(fread(out, 1, outlen, f), outlen);
	fclose(f);

	/* Valid, complete, and none of the secrets in its records. */
	plain = malloc(cap);
	ck_assert_ptr_nonnull(plain);
	ck_assert_int_eq(skr_reader_open_mem(&r2, out, outlen), 0);
	while ((rc = skr_reader_next(r2, &rec)) == 1) {
		ck_assert_uint_le(plen + rec.len, cap);
		memcpy(plain + plen, rec.data, rec.len);
		plen += rec.len;
		if (rec.type == SKR_REC_STATE) {
			ck_assert_int_eq(skr_decode_state(&rec, &ev), 0);
			ck_assert_uint_eq(ev.c.cookie, 5);
			ck_assert_uint_eq(ev.newstate, SKR_TCP_SYN_SENT);
			ck_assert_int_eq(strncmp(ev.comm, "c-", 2), 0);
			states++;
		}
	}
	ck_assert_int_eq(rc, 0);
	skr_reader_get_status(r2, &rs);
	ck_assert(!rs.truncated);
	skr_reader_free(r2);
	ck_assert_int_eq(states, 1);
	for (i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++)
		ck_assert_msg(!tg_contains(plain, plen, secrets[i], strlen(secrets[i])),
			      "%s left in the redacted trace", secrets[i]);
	memcpy(addr, "\x0a\x4d\x01\x01", 4);
	ck_assert(!tg_contains(plain, plen, addr, 4));
	memcpy(addr, "\xcb\x00\x71\x09", 4);
	ck_assert(!tg_contains(plain, plen, addr, 4));
	free(plain);
	free(out);
	free(in);
}
END_TEST

/* Metadata with something to hide in every attribute the recorder writes. */
#define SECRET_ADDR	"\xc0\x00\x02\x37"	/* 192.0.2.55 */
#define SECRET_PID	0x5ec7e7u
#define SECRET_CGID	0x5ec7e75ec7e7ull

static uint8_t *make_meta_trace(size_t *len)
{
	static const struct tg_host host = {
		.hostname = "secret-host.example.com",
		.boot_id = "boot-id-secret", .krelease = "6.18.0-1-amd64",
		.machine = "x86_64",
	};
	static const char *const args[] = { "sockrec", "-o", "x.skr", NULL };
	static struct skr_tlv_builder b;
	uint8_t val[64];
	struct tg t;

	tg_begin(&t);
	tg_header(&t, 0, 0, 0, 0);
	tg_host_tlv(&b, &host);
	skr_tlv_put_str(&b, SKR_HOST_KVERSION, "#1 SMP secret-build 2026");
	tg_put_tlv(&t, &b);
	skr_tlv_begin(&b, SKR_REC_RECORDER);
	skr_tlv_put_str(&b, SKR_RECORDER_VERSION, "0.1.0");
	for (const char *const *a = args; *a; a++)
		skr_tlv_put_str(&b, SKR_RECORDER_ARG, *a);
	skr_tlv_put_u32(&b, SKR_RECORDER_PID, SECRET_PID);
	tg_put_tlv(&t, &b);

	/* A PROBE record as a modified recorder or a hand could write it. */
	skr_tlv_begin(&b, SKR_REC_PROBE);
	skr_tlv_put_str(&b, SKR_PROBE_NAME, "inet_sock_set_state");
	skr_tlv_put_u8(&b, SKR_PROBE_TIER, SKR_TIER_NONE);
	skr_tlv_put(&b, SKR_PROBE_ERROR, "/home/secret", 12);	/* not a number */
	skr_tlv_put_u32(&b, SKR_PROBE_ERROR, ENOENT);
	skr_tlv_put_str(&b, SKR_PROBE_REASON, "reading /home/secret-user/.cfg "
			"for 192.0.2.55 on secret-host.example.com failed");
	skr_tlv_put(&b, 42, "/var/lib/secret-path\0" SECRET_ADDR, 25);
	memcpy(val, "\x02\0\0\0" "NO_SOCKET", 13);
	skr_tlv_put(&b, SKR_PROBE_ENUM, val, 13);
	memcpy(val, "\x03\0\0\0" "/etc/secret-enum", 20);
	skr_tlv_put(&b, SKR_PROBE_ENUM, val, 20);
	skr_tlv_put_u16(&b, SKR_PROBE_EVENT, SKR_REC_STATE);
	skr_tlv_put_u32(&b, SKR_PROBE_LIMITS, 3);	/* kept: what the kernel cannot show */
	skr_tlv_put_u8(&b, SKR_PROBE_TIERS, 6);
	tg_put_tlv(&t, &b);
	skr_tlv_begin(&b, SKR_REC_PROBE);
	skr_tlv_put_str(&b, SKR_PROBE_NAME, "secret-host.example.com");
	tg_put_tlv(&t, &b);

	skr_tlv_begin(&b, SKR_REC_FILTER);
	skr_tlv_put_u32(&b, SKR_FILTER_PID, 77);
	skr_tlv_put_str(&b, SKR_FILTER_COMM, "secretcomm");
	skr_tlv_put_str(&b, SKR_FILTER_CGROUP, "/sys/fs/cgroup/secret.slice");
	skr_tlv_put_u64(&b, SKR_FILTER_CGROUP_ID, SECRET_CGID);
	skr_tlv_put(&b, SKR_FILTER_NETNS, "secret-netns-val", 16);
	tg_put_tlv(&t, &b);
	tg_st(&t, 1000, 5, SKR_CTX_PROCESS, 77, "secretcomm", SKR_TCP_CLOSE,
	      SKR_TCP_SYN_SENT, "10.0.0.1", 0, "192.0.2.55", 80);
	tg_end(&t, 0, 0, 0);
	return tg_bytes(&t, len);
}

/* The value of tag in a record's attributes, its count in *n. */
static const uint8_t *attr(const struct skr_record *rec, uint16_t want,
			   uint16_t *vlen, unsigned *n)
{
	struct skr_tlv_iter it;
	const uint8_t *val, *first = NULL;
	uint16_t tag, len;

	*n = 0;
	skr_tlv_iter_init(&it, rec->data, rec->len);
	while (skr_tlv_next(&it, &tag, &val, &len) == 1) {
		if (tag != want)
			continue;
		if ((*n)++ == 0) {
			first = val;
			*vlen = len;
		}
	}
	return first;
}

static void assert_attr_str(const struct skr_record *rec, uint16_t tag,
			    const char *want)
{
	const uint8_t *v;
	uint16_t len = 0;
	unsigned n;

	v = attr(rec, tag, &len, &n);
	ck_assert_msg(n == 1, "record 0x%x tag %u: %u values", rec->type, tag, n);
	ck_assert_msg(len == strlen(want) && memcmp(v, want, len) == 0,
		      "record 0x%x tag %u: '%.*s', want '%s'", rec->type, tag,
		      (int)len, (const char *)v, want);
}

static void assert_attr_uint(const struct skr_record *rec, uint16_t tag,
			     uint16_t width, uint64_t want)
{
	const uint8_t *v;
	uint16_t len = 0;
	uint64_t got;
	unsigned n;

	v = attr(rec, tag, &len, &n);
	ck_assert_msg(n == 1, "record 0x%x tag %u: %u values", rec->type, tag, n);
	ck_assert_uint_eq(len, width);
	ck_assert_int_eq(skr_tlv_uint(v, len, &got), 0);
	ck_assert_uint_eq(got, want);
}

static void assert_no_attr(const struct skr_record *rec, uint16_t tag)
{
	uint16_t len;
	unsigned n;

	attr(rec, tag, &len, &n);
	ck_assert_msg(n == 0, "record 0x%x tag %u kept", rec->type, tag);
}

/* Redact bytes in memory; the plain records of the result in *plain. */
static uint8_t *redact_mem(const uint8_t *in, size_t inlen, bool comm,
			   size_t *outlen)
{
	struct sa_redact_opts opts;
	struct sa_redact_stats st;
	struct skr_reader *r;
	char msg[256];
	FILE *f = tmpfile();
	uint8_t *out;

	ck_assert_ptr_nonnull(f);
	memset(&opts, 0, sizeof(opts));
	memcpy(opts.key, key, sizeof(key));
	opts.comm = comm;
	ck_assert_int_eq(skr_reader_open_mem(&r, in, inlen), 0);
	ck_assert_int_eq(sa_redact(r, &opts, fileno(f), &st, msg, sizeof(msg)), 0);
	skr_reader_free(r);
	*outlen = (size_t)ftell(f);
	out = malloc(*outlen);
	ck_assert_ptr_nonnull(out);
	rewind(f);
	ck_assert_uint_eq(fread(out, 1, *outlen, f), *outlen);
	fclose(f);
	return out;
}

/*
 * PROBE records are rebuilt (issue 11, item 6): free text and unknown
 * attributes go, numbers and identifiers stay; and the per-field choices
 * for the other metadata hold.
 */
/*
 * The redactor writes format 2.0 whatever the input's version: a 1.x
 * input (absolute times and cookies) and a 2.x one of a later minor both
 * come out as 2.0, with the same absolute values read back, and stored as
 * deltas (docs/FORMAT.md §4.7.1).
 */
START_TEST(test_redact_writes_v2)
{
	static const uint16_t in_major[2] = { 1, 2 }, in_minor[2] = { 3, 9 };
	struct sa_redact_opts opts;
	struct sa_redact_stats st;
	struct skr_file_header fh;
	struct skr_reader *r;
	struct skr_record rec;
	struct skr_ev_state ev;
	uint8_t *in, *out, *plain, ts_le[8];
	size_t inlen, outlen, plainlen;
	char msg[256];
	FILE *f = tmpfile();
	unsigned i, states = 0;
	struct tg t;
	int rc;

	tg_begin(&t);
	skr_encode_file_header(&fh, in_major[_i], in_minor[_i], 0, NULL, 1);
	tg_put(&t, &fh, sizeof(fh));
	tg_clock(&t, 1000, 1790000000000000000ull, 10);
	for (i = 0; i < 4; i++)
		tg_st(&t, 0x123456789abcull + i * 1000, 0x8000000000000077ull - i,
		      SKR_CTX_PROCESS, 42, "cli", SKR_TCP_CLOSE, SKR_TCP_SYN_SENT,
		      "127.0.0.1", 0, "127.0.0.1", 80);
	tg_end(&t, 0x123456789abcull + 5000, 0, 4);
	in = tg_bytes(&t, &inlen);

	memset(&opts, 0, sizeof(opts));
	memcpy(opts.key, key, sizeof(key));
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(skr_reader_open_mem(&r, in, inlen), 0);
	ck_assert_int_eq(sa_redact(r, &opts, fileno(f), &st, msg, sizeof(msg)), 0);
	skr_reader_free(r);
	outlen = (size_t)ftell(f);
	out = malloc(outlen);
	ck_assert_ptr_nonnull(out);
	rewind(f);
	ck_assert_uint_eq(fread(out, 1, outlen, f), outlen);
	fclose(f);

	ck_assert_int_eq(skr_reader_open_mem(&r, out, outlen), 0);
	ck_assert_int_eq(skr_reader_next(r, &rec), 1);
	ck_assert_int_eq(skr_decode_file_header(&rec, &fh), 0);
	ck_assert_uint_eq(fh.major, 2);
	ck_assert_uint_eq(fh.minor, 0);
	while ((rc = skr_reader_next(r, &rec)) == 1) {
		if (rec.type != SKR_REC_STATE4 && rec.type != SKR_REC_STATE)
			continue;
		ck_assert_int_eq(skr_decode_state(&rec, &ev), 0);
		ck_assert_uint_eq(ev.c.ts_ns, 0x123456789abcull + states * 1000);
		ck_assert_uint_eq(ev.c.cookie, 0x8000000000000077ull - states);
		states++;
	}
	ck_assert_int_eq(rc, 0);
	ck_assert_uint_eq(states, 4);
	skr_reader_free(r);
	/* Stored as deltas: the absolute time of the second event is not there. */
	plain = malloc(1 << 16);
	ck_assert_ptr_nonnull(plain);
	plainlen = ZSTD_decompress(plain, 1 << 16, out, outlen);
	ck_assert(!ZSTD_isError(plainlen));
	for (i = 0; i < 8; i++)
		ts_le[i] = (uint8_t)((0x123456789abcull + 1000) >> (8 * i));
	ck_assert(!tg_contains(plain, plainlen, ts_le, sizeof(ts_le)));
	free(plain);
	free(out);
	free(in);
}
END_TEST

START_TEST(test_redact_probe_and_metadata)
{
	static const char *secrets[] = {
		"secret-host", "secret-user", "192.0.2.55", "secret-path",
		"secret-enum", "secret-build", "secretcomm", "secret.slice",
		"secret-netns", "/home/secret", "boot-id-secret",
	};
	uint8_t *in, *out, *plain, pid[4], cgid[8];
	size_t inlen, outlen, plen = 0, cap = 1 << 16;
	struct skr_reader *r;
	struct skr_record rec;
	struct skr_ev_state ev;
	const uint8_t *v;
	uint16_t len = 0;
	unsigned i, n, probes = 0, filters = 0;
	uint64_t got;
	int rc;

	in = make_meta_trace(&inlen);
	out = redact_mem(in, inlen, true, &outlen);
	plain = malloc(cap);
	ck_assert_ptr_nonnull(plain);
	ck_assert_int_eq(skr_reader_open_mem(&r, out, outlen), 0);
	while ((rc = skr_reader_next(r, &rec)) == 1) {
		ck_assert_uint_le(plen + rec.len, cap);
		memcpy(plain + plen, rec.data, rec.len);
		plen += rec.len;
		switch (rec.type) {
		case SKR_REC_HOST:
			assert_attr_str(&rec, SKR_HOST_KRELEASE, "6.18.0-1-amd64");
			assert_attr_str(&rec, SKR_HOST_MACHINE, "x86_64");
			assert_attr_str(&rec, SKR_HOST_KVERSION, "redacted");
			break;
		case SKR_REC_RECORDER:
			assert_attr_str(&rec, SKR_RECORDER_VERSION, "0.1.0");
			assert_no_attr(&rec, SKR_RECORDER_PID);
			break;
		case SKR_REC_PROBE:
			if (probes++ == 1) {
				assert_attr_str(&rec, SKR_PROBE_NAME, "redacted");
				break;
			}
			assert_attr_str(&rec, SKR_PROBE_NAME, "inet_sock_set_state");
			assert_attr_uint(&rec, SKR_PROBE_TIER, 1, SKR_TIER_NONE);
			assert_attr_uint(&rec, SKR_PROBE_ERROR, 4, ENOENT);
			assert_attr_str(&rec, SKR_PROBE_REASON, "reason redacted");
			assert_attr_uint(&rec, SKR_PROBE_EVENT, 2, SKR_REC_STATE);
			assert_attr_uint(&rec, SKR_PROBE_TIERS, 1, 6);
			assert_attr_uint(&rec, SKR_PROBE_LIMITS, 4, 3);
			assert_no_attr(&rec, 42);
			v = attr(&rec, SKR_PROBE_ENUM, &len, &n);
			ck_assert_uint_eq(n, 1);
			ck_assert_uint_eq(len, 13);
			ck_assert(memcmp(v, "\x02\0\0\0" "NO_SOCKET", 13) == 0);
			break;
		case SKR_REC_FILTER:
			filters++;
			assert_attr_uint(&rec, SKR_FILTER_PID, 4, 77);
			assert_attr_str(&rec, SKR_FILTER_CGROUP, "redacted");
			assert_no_attr(&rec, SKR_FILTER_NETNS);
			v = attr(&rec, SKR_FILTER_COMM, &len, &n);
			ck_assert_uint_eq(n, 1);
			ck_assert(len > 2 && memcmp(v, "c-", 2) == 0);
			v = attr(&rec, SKR_FILTER_CGROUP_ID, &len, &n);
			ck_assert_uint_eq(n, 1);
			ck_assert_int_eq(skr_tlv_uint(v, len, &got), 0);
			ck_assert_uint_ne(got, SECRET_CGID);
			break;
		case SKR_REC_STATE4:
		case SKR_REC_STATE:
			ck_assert_int_eq(skr_decode_state(&rec, &ev), 0);
			ck_assert_int_eq(strncmp(ev.comm, "c-", 2), 0);
			ck_assert_uint_eq(ev.c.tgid, 77);
			break;
		default:
			break;
		}
	}
	ck_assert_int_eq(rc, 0);
	skr_reader_free(r);
	ck_assert_uint_eq(probes, 2);
	ck_assert_uint_eq(filters, 1);
	for (i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++)
		ck_assert_msg(!tg_contains(plain, plen, secrets[i], strlen(secrets[i])),
			      "%s left in the redacted trace", secrets[i]);
	ck_assert(!tg_contains(plain, plen, SECRET_ADDR, 4));
	for (i = 0; i < 4; i++)
		pid[i] = (uint8_t)(SECRET_PID >> (8 * i));
	ck_assert(!tg_contains(plain, plen, pid, 4));
	for (i = 0; i < 8; i++)
		cgid[i] = (uint8_t)(SECRET_CGID >> (8 * i));
	ck_assert(!tg_contains(plain, plen, cgid, 6));
	free(plain);
	free(out);
	free(in);
}
END_TEST

/* A cut input gives a cut (but valid) output; garbage gives an error. */
START_TEST(test_redact_truncated_and_bad)
{
	struct sa_redact_opts opts;
	struct sa_redact_stats st;
	struct skr_reader *r;
	uint8_t *in, *two;
	size_t inlen;
	char msg[256];
	int fd = open("/dev/null", O_WRONLY);

	ck_assert_int_ge(fd, 0);
	in = make_trace(&inlen);
	memset(&opts, 0, sizeof(opts));
	/*
	 * Cut inside its only frame: the complete blocks before the cut are
	 * read (FORMAT.md §2.4), so there is a truncated trace to redact ...
	 */
	ck_assert_int_eq(skr_reader_open_mem(&r, in, inlen - 3), 0);
	ck_assert_int_eq(sa_redact(r, &opts, fd, &st, msg, sizeof(msg)), 0);
	ck_assert(st.truncated);
	ck_assert_uint_gt(st.records_out, 0);
	skr_reader_free(r);
	/* ... but cut before its file header is whole, nothing (item 8). */
	ck_assert_int_eq(skr_reader_open_mem(&r, in, 12), 0);
	ck_assert_int_eq(sa_redact(r, &opts, fd, &st, msg, sizeof(msg)),
			 -ENODATA);
	skr_reader_free(r);
	/* A whole segment, then a cut one (cat a.skr b.skr, b cut). */
	two = malloc(2 * inlen);
	ck_assert_ptr_nonnull(two);
	memcpy(two, in, inlen);
	memcpy(two + inlen, in, inlen);
	ck_assert_int_eq(skr_reader_open_mem(&r, two, 2 * inlen - 3), 0);
	ck_assert_int_eq(sa_redact(r, &opts, fd, &st, msg, sizeof(msg)), 0);
	ck_assert(st.truncated);
	ck_assert_uint_gt(st.records_out, 0);
	skr_reader_free(r);
	free(two);

	in[0] ^= 0xff;
	ck_assert_int_eq(skr_reader_open_mem(&r, in, inlen), 0);
	ck_assert_int_eq(sa_redact(r, &opts, fd, &st, msg, sizeof(msg)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(msg, "not a sockrec trace"));
	skr_reader_free(r);
	close(fd);
	free(in);
}
END_TEST

/* ---- the command line: what it writes, and where ---- */

static char dir[64];

static void path_in_dir(char *out, size_t size, const char *name)
{
	int n = snprintf(out, size, "%s/%s", dir, name);

	ck_assert(n > 0 && (size_t)n < size);
}

static void write_file(const char *name, const void *data, size_t len)
{
	char p[128];
	FILE *f;

	path_in_dir(p, sizeof(p), name);
	f = fopen(p, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(data, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
}

/* The file's bytes (malloc'd), or NULL if it does not exist. */
static uint8_t *read_file(const char *name, size_t *len)
{
	static uint8_t buf[1 << 16];
	char p[128];
	uint8_t *copy;
	FILE *f;

	path_in_dir(p, sizeof(p), name);
	f = fopen(p, "rb");
	if (!f)
		return NULL;
	*len = fread(buf, 1, sizeof(buf), f);
	ck_assert(feof(f));
	fclose(f);
	copy = malloc(*len + 1);
	ck_assert_ptr_nonnull(copy);
	memcpy(copy, buf, *len);
	return copy;
}

static bool exists(const char *name)
{
	char p[128];
	struct stat sb;

	path_in_dir(p, sizeof(p), name);
	return lstat(p, &sb) == 0;
}

/* sockana --redact KEY [opt] -o OUT IN, in dir; its exit status. */
static int redact_cli(const char *opt, const char *out, const char *in)
{
	char key_p[128], out_p[128], in_p[128];
	char *argv[8];
	int argc = 0;

	path_in_dir(key_p, sizeof(key_p), "key");
	path_in_dir(out_p, sizeof(out_p), out);
	path_in_dir(in_p, sizeof(in_p), in);
	argv[argc++] = (char *)"sockana";
	argv[argc++] = (char *)"--redact";
	argv[argc++] = key_p;
	if (opt)
		argv[argc++] = (char *)opt;
	argv[argc++] = (char *)"-o";
	argv[argc++] = out_p;
	argv[argc++] = in_p;
	argv[argc] = NULL;
	return sa_redact_main(argc, argv);
}

static void cli_setup(void)
{
	uint8_t *trace;
	size_t len;

	memcpy(dir, "/tmp/test-redact-XXXXXX", 24);
	ck_assert_ptr_nonnull(mkdtemp(dir));
	write_file("key", "0123456789abcdef0123456789abcdef", 32);
	trace = make_meta_trace(&len);
	write_file("in.skr", trace, len);
	free(trace);
}

static void cli_teardown(void)
{
	static const char *const names[] = {
		"key", "in.skr", "out.skr", "empty.skr", "nodata.skr", "link",
		"target", "precious",
	};
	char p[128];
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		path_in_dir(p, sizeof(p), names[i]);
		unlink(p);
	}
	rmdir(dir);
}

/* Item 8: no trace data is an error, and leaves no file behind. */
START_TEST(test_cli_no_trace_data)
{
	uint8_t frame[64];
	size_t n;

	write_file("empty.skr", "", 0);
	ck_assert_int_eq(redact_cli(NULL, "out.skr", "empty.skr"), 1);
	ck_assert(!exists("out.skr"));

	/* A complete zstd frame that holds nothing, checksum and all. */
	{
		ZSTD_CCtx *cc = ZSTD_createCCtx();

		ck_assert_ptr_nonnull(cc);
		ck_assert(!ZSTD_isError(ZSTD_CCtx_setParameter(
			cc, ZSTD_c_checksumFlag, 1)));
		n = ZSTD_compress2(cc, frame, sizeof(frame), "", 0);
		ck_assert(!ZSTD_isError(n));
		ZSTD_freeCCtx(cc);
	}
	write_file("nodata.skr", frame, n);
	ck_assert_int_eq(redact_cli(NULL, "out.skr", "nodata.skr"), 1);
	ck_assert(!exists("out.skr"));

	/* The library says why. */
	{
		struct sa_redact_opts opts;
		struct skr_reader *r;
		char msg[256];
		int fd = open("/dev/null", O_WRONLY);

		ck_assert_int_ge(fd, 0);
		memset(&opts, 0, sizeof(opts));
		ck_assert_int_eq(skr_reader_open_mem(&r, frame, n), 0);
		ck_assert_int_eq(sa_redact(r, &opts, fd, NULL, msg, sizeof(msg)),
				 -ENODATA);
		ck_assert_str_eq(msg, SA_REDACT_NO_DATA);
		skr_reader_free(r);
		close(fd);
	}

	/* And a trace is still redacted, readable by its owner only. */
	ck_assert_int_eq(redact_cli(NULL, "out.skr", "in.skr"), 0);
	{
		char p[128];
		struct stat sb;

		path_in_dir(p, sizeof(p), "out.skr");
		ck_assert_int_eq(stat(p, &sb), 0);
		ck_assert_uint_eq(sb.st_mode & 0777, 0600);
	}
}
END_TEST

/* -o never replaces a file, and never follows a symbolic link. */
START_TEST(test_cli_output_never_clobbered)
{
	char target[128], link[128];
	uint8_t *b;
	size_t len;

	write_file("precious", "keep me", 7);
	ck_assert_int_eq(redact_cli(NULL, "precious", "in.skr"), 1);
	b = read_file("precious", &len);
	ck_assert_ptr_nonnull(b);
	ck_assert(len == 7 && memcmp(b, "keep me", 7) == 0);
	free(b);

	/* The input itself. */
	ck_assert_int_eq(redact_cli(NULL, "in.skr", "in.skr"), 1);
	b = read_file("in.skr", &len);
	ck_assert_ptr_nonnull(b);
	ck_assert_uint_gt(len, 7);
	free(b);

	/* A link to an existing file, and one to a file not there yet. */
	path_in_dir(target, sizeof(target), "precious");
	path_in_dir(link, sizeof(link), "link");
	ck_assert_int_eq(symlink(target, link), 0);
	ck_assert_int_eq(redact_cli(NULL, "link", "in.skr"), 1);
	b = read_file("precious", &len);
	ck_assert_ptr_nonnull(b);
	ck_assert(len == 7 && memcmp(b, "keep me", 7) == 0);
	free(b);
	ck_assert_int_eq(unlink(link), 0);
	path_in_dir(target, sizeof(target), "target");
	ck_assert_int_eq(symlink(target, link), 0);
	ck_assert_int_eq(redact_cli(NULL, "link", "in.skr"), 1);
	ck_assert(!exists("target"));
}
END_TEST

/* Process names: pseudonyms by default, kept with --keep-comm. */
START_TEST(test_cli_comm_default)
{
	struct skr_reader *r;
	struct skr_record rec;
	struct skr_ev_state ev;
	char out[128];
	uint8_t *b;
	size_t len;
	int rc, states;
	unsigned pass;

	for (pass = 0; pass < 3; pass++) {
		static const char *const opt[] = {
			NULL, "--redact-comm", "--keep-comm"
		};

		path_in_dir(out, sizeof(out), "out.skr");
		unlink(out);
		ck_assert_int_eq(redact_cli(opt[pass], "out.skr", "in.skr"), 0);
		b = read_file("out.skr", &len);
		ck_assert_ptr_nonnull(b);
		ck_assert_int_eq(skr_reader_open_mem(&r, b, len), 0);
		states = 0;
		while ((rc = skr_reader_next(r, &rec)) == 1) {
			if (rec.type != SKR_REC_STATE && rec.type != SKR_REC_STATE4)
				continue;
			ck_assert_int_eq(skr_decode_state(&rec, &ev), 0);
			if (pass < 2)
				ck_assert_int_eq(strncmp(ev.comm, "c-", 2), 0);
			else
				ck_assert_int_eq(strncmp(ev.comm, "secretcomm", 11), 0);
			states++;
		}
		ck_assert_int_eq(rc, 0);
		ck_assert_int_eq(states, 1);
		skr_reader_free(r);
		free(b);
	}
	path_in_dir(out, sizeof(out), "out.skr");
	unlink(out);
	{
		char key_p[128], in_p[128];
		char *argv[] = { (char *)"sockana", (char *)"--redact", key_p,
				 (char *)"--keep-comm", (char *)"--redact-comm",
				 (char *)"-o", out, in_p, NULL };

		path_in_dir(key_p, sizeof(key_p), "key");
		path_in_dir(in_p, sizeof(in_p), "in.skr");
		ck_assert_int_eq(sa_redact_main(8, argv), 2);
		ck_assert(!exists("out.skr"));
	}
}
END_TEST

static Suite *redact_suite(void)
{
	Suite *s = suite_create("redact");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_siphash_vectors);
	tcase_add_test(tc, test_prefix_preserving_v4);
	tcase_add_test(tc, test_prefix_preserving_v6);
	tcase_add_test(tc, test_kept_and_mapped_forms);
	tcase_add_test(tc, test_comm_pseudonym);
	tcase_add_test(tc, test_redact_trace);
	tcase_add_test(tc, test_redact_probe_and_metadata);
	tcase_add_loop_test(tc, test_redact_writes_v2, 0, 2);
	tcase_add_test(tc, test_redact_truncated_and_bad);
	suite_add_tcase(s, tc);
	tc = tcase_create("command line");
	tcase_add_checked_fixture(tc, cli_setup, cli_teardown);
	tcase_add_test(tc, test_cli_no_trace_data);
	tcase_add_test(tc, test_cli_output_never_clobbered);
	tcase_add_test(tc, test_cli_comm_default);
	suite_add_tcase(s, tc);
	/* Many keys: slow under the sanitizers on a shared machine. */
	tc = tcase_create("one-to-one");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_v4_first_octets);
	tcase_add_test(tc, test_v6_kept_and_one_to_one);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tg_main(redact_suite());
}
