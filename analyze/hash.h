/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The mixing step of the hash tables keyed by what the trace says
 * (drops.c, inputs.c, pairs.c, sockets.c, sockets_listen.c): each seeds it
 * per run, so that a crafted file cannot choose its chains.
 */
#ifndef SA_HASH_H
#define SA_HASH_H

#include <stdint.h>

/* splitmix64's finalizer: every bit of x moves about half of the result. */
static inline uint64_t sa_mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	x ^= x >> 31;
	return x;
}

#endif /* SA_HASH_H */
