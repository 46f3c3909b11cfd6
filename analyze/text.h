/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * text.c: the words and numbers every report writes the same way.
 */
#ifndef SA_TEXT_H
#define SA_TEXT_H

#include <stddef.h>
#include <stdint.h>

/*
 * Copy at most slen bytes of an untrusted string, stopping at a NUL, into
 * dst (always terminated), replacing bytes that are not printable ASCII
 * with '?'.
 */
void sa_text_copy(char *dst, size_t dsize, const void *src, size_t slen);
/*
 * The same for a task name of 16 bytes into a slot of 17, where what
 * follows the terminator is not kept: each word is stored without reading
 * the slot (a new item's, often not in the cache).
 */
void sa_text_name16(char dst[static 17], const void *src);
/* Same into a new allocation; NULL on ENOMEM. */
char *sa_text_dup(const void *src, size_t slen);
/* "S.UUUUUU" of a duration in ns (truncated to microseconds). */
const char *sa_text_secs(uint64_t ns, char *buf, size_t size);

/* "00" "01" ... "99": two decimal digits of d < 100 at 2 * d. */
extern const char sa_digit_pairs[201];
/* "addr:port", IPv6 in brackets; "?" for an unknown family. */
#define SA_ENDPOINT_LEN	64
const char *sa_text_endpoint(unsigned family, const uint8_t addr[16],
			     unsigned port, char *buf, size_t size);
/* The same into buf (SA_ENDPOINT_LEN bytes); its length. */
size_t sa_text_endpoint_n(unsigned family, const uint8_t addr[16],
			  unsigned port, char buf[static SA_ENDPOINT_LEN]);
/*
 * The dotted quad of addr at p, as inet_ntop() writes it, without a NUL;
 * its end.  p has SA_IPV4_ROOM bytes of room, all of which may be written.
 */
#define SA_IPV4_ROOM	16
char *sa_text_put_ipv4(char *p, const uint8_t addr[4]);
/* "IPv4", "IPv6" or "UNKNOWN(n)". */
const char *sa_text_family(unsigned family, char *buf, size_t size);
/* "comm[pid]". */
#define SA_TASK_LEN	40
const char *sa_text_task(const char *comm, uint32_t pid, char *buf,
			 size_t size);
/* Record type name, knowing every type of the v1 catalogue. */
const char *sa_rec_type_name(unsigned type, char *buf, size_t size);
/* "state", "reset", ...: the event field of rows. */
const char *sa_event_name(uint16_t type);

#endif /* SA_TEXT_H */
