/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Work done by the listener lookups of this process (sockets_listen.c,
 * report_backlog.c), summed over every analysis: tests check that it stays
 * bounded per lookup, whatever the number of listeners, without timing
 * anything.
 */
#ifndef SA_WORK_H
#define SA_WORK_H

#include <stdint.h>

struct sa_work {
	uint64_t listener_ops;		/* listener lookups and index inserts */
	uint64_t listener_steps;	/* index entries they examined */
	uint64_t backlog_finds;		/* --backlog's listener table lookups */
	uint64_t backlog_steps;		/* table entries they examined */
};
extern struct sa_work sa_work;

#endif /* SA_WORK_H */
