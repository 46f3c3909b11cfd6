// SPDX-License-Identifier: BSD-2-Clause
/*
 * Unit tests of sockana --redact: the keyed hash against the published
 * test vectors, the prefix-preserving property of the address mapping, and
 * a whole trace redacted in memory.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

START_TEST(test_prefix_preserving_v4)
{
	uint8_t a[16], b[16], ma[16], mb[16];
	unsigned i;

	/* Pseudo-random pairs: the shared prefix is exactly kept. */
	srand(7);
	for (i = 0; i < 2000; i++) {
		v4(a, (unsigned)rand() % 126 + 1, (unsigned)rand() & 255,
		   (unsigned)rand() & 255, (unsigned)rand() & 255);
		memcpy(b, a, 16);
		b[(i % 4)] ^= (uint8_t)(1u << (rand() % 8));
		if (b[0] == 127 || b[0] == 0)
			continue;
		ck_assert(sa_redact_addr(key, SKR_AF_INET, a, ma));
		sa_redact_addr(key, SKR_AF_INET, b, mb);
		ck_assert_uint_eq(common_prefix(ma, mb, 32),
				  common_prefix(a, b, 32));
		ck_assert(memcmp(ma + 4, "\0\0\0\0\0\0\0\0\0\0\0\0", 12) == 0);
	}
	/* Deterministic, and another key gives another mapping. */
	v4(a, 10, 77, 1, 1);
	sa_redact_addr(key, SKR_AF_INET, a, ma);
	sa_redact_addr(key, SKR_AF_INET, a, mb);
	ck_assert(memcmp(ma, mb, 16) == 0);
	sa_redact_addr((const uint8_t *)"another-key-0000", SKR_AF_INET, a, mb);
	ck_assert(memcmp(ma, mb, 16) != 0);
}
END_TEST

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

/* A cut input gives a cut (but valid) output; garbage gives an error. */
START_TEST(test_redact_truncated_and_bad)
{
	struct sa_redact_opts opts;
	struct sa_redact_stats st;
	struct skr_reader *r;
	uint8_t *in;
	size_t inlen;
	char msg[256];
	int fd = open("/dev/null", O_WRONLY);

	ck_assert_int_ge(fd, 0);
	in = make_trace(&inlen);
	memset(&opts, 0, sizeof(opts));
	ck_assert_int_eq(skr_reader_open_mem(&r, in, inlen - 3), 0);
	ck_assert_int_eq(sa_redact(r, &opts, fd, &st, msg, sizeof(msg)), 0);
	ck_assert(st.truncated);
	skr_reader_free(r);

	in[0] ^= 0xff;
	ck_assert_int_eq(skr_reader_open_mem(&r, in, inlen), 0);
	ck_assert_int_eq(sa_redact(r, &opts, fd, &st, msg, sizeof(msg)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(msg, "not a sockrec trace"));
	skr_reader_free(r);
	close(fd);
	free(in);
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
	tcase_add_test(tc, test_redact_truncated_and_bad);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tg_main(redact_suite());
}
