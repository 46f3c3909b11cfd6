/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Little-endian words of the trace read in place (replay.c's event time and
 * the record headers of a checked span, run.c's event key, redact_map.c's
 * hash input).  Spelt out rather than a loop, so that compilers make each
 * one load on little-endian hosts.
 */
#ifndef SA_LE_H
#define SA_LE_H

#include <stdint.h>

static inline uint16_t sa_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t sa_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static inline uint64_t sa_le64(const uint8_t *p)
{
	return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 |
	       (uint64_t)p[3] << 24 | (uint64_t)p[4] << 32 |
	       (uint64_t)p[5] << 40 | (uint64_t)p[6] << 48 |
	       (uint64_t)p[7] << 56;
}

#endif /* SA_LE_H */
