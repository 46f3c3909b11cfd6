/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The delta chain of format 2 (docs/FORMAT.md §4.7.1), shared by the
 * writer, which makes the deltas, and the reader, which undoes them: the
 * 64-bit little-endian words of an event's time and cookie, and the zigzag
 * mapping of their differences.  Private to libskr.
 */
#ifndef SKR_DELTA_H
#define SKR_DELTA_H

#include <stdint.h>
#include <string.h>

/*
 * On the hot path of every event: one load or store where the host is
 * little-endian like the file (the hosts that record), byte by byte
 * elsewhere.
 */
static inline uint64_t skr_delta_get64(const uint8_t *p)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
#else
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
#endif
}

static inline void skr_delta_put64(uint8_t *p, uint64_t v)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	memcpy(p, &v, sizeof(v));
#else
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
#endif
}

/* zigzag(v - prev), mod 2^64: small differences either way stay small. */
static inline uint64_t skr_delta_make(uint64_t v, uint64_t prev)
{
	uint64_t d = v - prev;

	return (d << 1) ^ (0 - (d >> 63));
}

/* The value a stored delta z stands for, after prev. */
static inline uint64_t skr_delta_undo(uint64_t z, uint64_t prev)
{
	return prev + ((z >> 1) ^ (0 - (z & 1)));
}

#endif /* SKR_DELTA_H */
