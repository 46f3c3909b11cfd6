/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Private to record/diag.c and record/owners.c: which sockets belong to the
 * processes that the task filters (-p, --comm, --cgroup) select, so that
 * what sock_diag lists (snapshot, listener samples, namespace counters) is
 * filtered like the events.  sock_diag names a socket's inode, not its
 * process: the owners are found through the socket:[INODE] links of
 * /proc/PID/fd.  Every int function returns 0 or a negative errno.
 */
#ifndef SOCKREC_OWNERS_H
#define SOCKREC_OWNERS_H

#include <stdbool.h>
#include <stdint.h>

#include "record/diag.h"

struct rec_task_filter;

struct owners {
	uint32_t *socks;		/* inodes, sorted after a scan */
	size_t nsocks, cap;
	/* Namespaces a matching process was ever seen in (kept: see owners.c). */
	uint32_t netns[DIAG_NS_MAX];
	unsigned nnetns;
	uint64_t scan_ms;		/* rec_mono_ms() of the last scan */
	bool scanned;
	bool warned;			/* a failure was printed */
};

/*
 * Find the matching processes now: the inodes of their sockets replace the
 * previous ones, their namespaces are added.  Processes whose fds cannot be
 * read (gone, or another user's after -Z) own nothing.  Returns 0 or
 * -ENOMEM; when /proc cannot be read, the previous owners stay.
 */
int owners_scan(struct owners *o, const struct rec_task_filter *tf);
/* A socket inode of a matching process at the last scan (0: none). */
bool owners_sock(const struct owners *o, uint32_t inode);
/* A namespace a matching process was in at some scan. */
bool owners_netns(const struct owners *o, uint32_t ino);
void owners_free(struct owners *o);

#endif /* SOCKREC_OWNERS_H */
