/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * memory.c: what an allocation really takes, for the bounds of
 * docs/FORMAT.md §11 that count memory rather than things.
 */
#ifndef SA_MEMORY_H
#define SA_MEMORY_H

#include <stddef.h>

/* Bytes that malloc(n) really takes (chunk header and rounding). */
size_t sa_mem_cost(size_t n);

#endif /* SA_MEMORY_H */
