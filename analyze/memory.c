/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What an allocation really takes from the system, for the memory bounds
 * of docs/FORMAT.md §11.2.  Counting the bytes asked for is not enough:
 * the allocator adds a header and rounds up, and the issue that led here
 * measured 476 MB of reorder buffer against a counted 256 MiB.
 *
 * The model is glibc's malloc on a 64-bit host (Debian, where the bounds
 * are measured: tests/e2e/t_memory.sh): a chunk is the request plus an
 * 8-byte header rounded up to 16, at least 32 bytes; a large request may
 * be served by mmap, whole pages plus a 16-byte header.  Allocators with
 * coarser size classes take a little more than this model says.
 */
#include "analyze/memory.h"

#define CHUNK_ALIGN	16u
#define CHUNK_MIN	32u
#define CHUNK_HDR	8u
#define PAGE		4096u
#define MMAP_FROM	(64u << 10)	/* page rounding is an upper bound from here */

size_t sa_mem_cost(size_t n)
{
	size_t c;

	if (n >= MMAP_FROM)
		return (n + 2 * CHUNK_HDR + PAGE - 1) / PAGE * PAGE;
	c = (n + CHUNK_HDR + CHUNK_ALIGN - 1) / CHUNK_ALIGN * CHUNK_ALIGN;
	return c < CHUNK_MIN ? CHUNK_MIN : c;
}
