/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The kernel's CPU lists (/sys/devices/system/cpu/online: "0-3,6,8-9"),
 * read by record/cpurings.c: a header of its own so the unit tests reach
 * the parser without libbpf.
 */
#ifndef SOCKREC_CPU_LIST_H
#define SOCKREC_CPU_LIST_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

/* A CPU number of the list: digits, at most 9 of them; -1 if none. */
static inline long rec_cpu_list_num(const char *s, size_t len, size_t *at)
{
	long v = 0;
	size_t n = 0;

	while (*at < len && s[*at] >= '0' && s[*at] <= '9' && n < 9) {
		v = v * 10 + (s[*at] - '0');
		(*at)++;
		n++;
	}
	if (n == 0 || (*at < len && s[*at] >= '0' && s[*at] <= '9'))
		return -1;
	return v;
}

/*
 * Parse len bytes of a CPU list into set[0..ncpus-1] (true: listed).  The
 * list may end with a newline; an empty list (no CPU) is valid.  CPUs at or
 * past ncpus are ignored.  0, or -EINVAL if anything does not read as
 * NUM or NUM-NUM items (first <= last) separated by commas; set is then
 * left all false.
 */
static inline int rec_cpu_list_parse(const char *s, size_t len, bool *set,
				     int ncpus)
{
	size_t at = 0;

	memset(set, 0, (size_t)(ncpus > 0 ? ncpus : 0) * sizeof(*set));
	if (len && s[len - 1] == '\n')
		len--;
	while (at < len) {
		long first = rec_cpu_list_num(s, len, &at), last = first, c;

		if (first < 0)
			goto bad;
		if (at < len && s[at] == '-') {
			at++;
			last = rec_cpu_list_num(s, len, &at);
			if (last < first)
				goto bad;
		}
		if (at < len && s[at] != ',')
			goto bad;
		if (at < len && ++at == len)
			goto bad;		/* a trailing comma */
		for (c = first; c <= last && c < ncpus; c++)
			set[c] = true;
	}
	return 0;
bad:
	memset(set, 0, (size_t)(ncpus > 0 ? ncpus : 0) * sizeof(*set));
	return -EINVAL;
}

#endif /* SOCKREC_CPU_LIST_H */
