/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sockana --redact: rewrite a trace so that it can be published.
 *
 *   redact_map.c   keyed hash (SipHash-2-4) and the prefix-preserving
 *                  address mapping built on it
 *   redact.c       the record-by-record rewrite and its command line
 *
 * Kept apart from the analysis headers: the analysis never needs any of this.
 */
#ifndef SA_REDACT_H
#define SA_REDACT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "format/skr.h"

#define SA_REDACT_KEY_LEN	16	/* SipHash key */
#define SA_REDACT_KEYFILE_MIN	16	/* bytes a key file must hold */
#define SA_REDACT_KEYFILE_MAX	4096

/* SipHash-2-4 of data under a 128-bit key (little-endian key words). */
uint64_t sa_siphash24(const uint8_t key[SA_REDACT_KEY_LEN], const void *data,
		      size_t len);

/*
 * Derive the mapping key from the bytes of a key file (any content of
 * SA_REDACT_KEYFILE_MIN to SA_REDACT_KEYFILE_MAX bytes, e.g. 32 random
 * bytes or a long passphrase).  The same file always gives the same key.
 */
void sa_redact_derive_key(const uint8_t *material, size_t len,
			  uint8_t key[SA_REDACT_KEY_LEN]);

/*
 * Map one address (as stored in a record: IPv4 in the first 4 bytes) in a
 * keyed way that is one-to-one and prefix-preserving (Crypto-PAn):
 *   - kept as they are: 0.0.0.0, 127/8, :: and ::1, and the IPv4-mapped
 *     forms of the first two (::ffff:0.0.0.0, ::ffff:127/8);
 *   - every other address maps to another address outside that kept set,
 *     and two different addresses never map to one: IPv4 within IPv4 (0/8
 *     within 0/8, other first octets permuted among 1-126 and 128-255),
 *     IPv4-mapped like the IPv4 address they hold, IPv6 outside ::, ::1
 *     and ::ffff:0:0/96;
 *   - two addresses sharing their first n bits map to two sharing exactly
 *     their first n bits, within one IPv4 /8 always, and across /8s or in
 *     IPv6 except for the few prefixes the mapping moves off the kept set
 *     (redact_map.c says which).
 * Any family but SKR_AF_INET is read as 16 bytes by the IPv6 rules, so an
 * unknown family's bytes are never copied.  Returns true when the address
 * was changed.
 */
bool sa_redact_addr(const uint8_t key[SA_REDACT_KEY_LEN], unsigned family,
		    const uint8_t in[16], uint8_t out[16]);

/*
 * A process name replaced by "c-" and 12 hex digits of its keyed hash; an
 * empty name stays empty.  in and out may be the same buffer.
 */
void sa_redact_comm(const uint8_t key[SA_REDACT_KEY_LEN], const char *in,
		    size_t inlen, char *out, size_t outlen);

struct sa_redact_opts {
	uint8_t key[SA_REDACT_KEY_LEN];
	bool comm;			/* mask process names (events, FILTER);
					 * sockana --redact sets it unless
					 * --keep-comm */
};

struct sa_redact_stats {
	uint64_t records_in;
	uint64_t records_out;
	uint64_t addresses;		/* addresses changed */
	uint64_t dropped;		/* records of types with unknown layout */
	uint64_t malformed;		/* records too short for their type */
	bool truncated;			/* the input was */
};

/* sa_redact()'s message for -ENODATA. */
#define SA_REDACT_NO_DATA	"no trace data: the input is empty or was cut " \
				"before its first complete frame; nothing written"

/*
 * Read r and write the redacted trace to fd (owned by the caller).
 * Returns 0, the reader's error (-EINVAL, ...), the writer's, or -ENODATA
 * when the input held no trace (no file header: an empty file, or one cut
 * before its first complete frame); msg then holds a one-line message
 * naming what failed.  Whatever was written to fd is then no trace.
 */
int sa_redact(struct skr_reader *r, const struct sa_redact_opts *opts, int fd,
	      struct sa_redact_stats *st, char *msg, size_t msgsize);

/* True if argv asks for redaction (an option starting with --redact). */
bool sa_redact_wanted(int argc, char **argv);
/* sockana's main for redaction: parses argv itself; returns the exit status. */
int sa_redact_main(int argc, char **argv);

#endif /* SA_REDACT_H */
