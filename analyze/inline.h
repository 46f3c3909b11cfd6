/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Inlining where GCC decides otherwise: a function run once per event that
 * it kept a call (SA_ALWAYS_INLINE), or a rare path kept out of the hot
 * function it would swell (SA_NOINLINE).  Each use was measured in
 * instructions per event (docs/PERFORMANCE.md, "anainfo").  Other
 * compilers get plain inline and their own choice.
 */
#ifndef SA_INLINE_H
#define SA_INLINE_H

#if defined(__GNUC__)
#define SA_ALWAYS_INLINE	__attribute__((always_inline)) inline
#define SA_NOINLINE		__attribute__((noinline))
#else
#define SA_ALWAYS_INLINE	inline
#define SA_NOINLINE
#endif

#endif /* SA_INLINE_H */
