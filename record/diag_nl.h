/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Private to record/diag_nl.c and record/diag_ns.c: inside the handle that
 * diag.h keeps opaque, which both fill.  diag_ns.c visits namespaces;
 * diag_nl.c speaks sock_diag netlink in them.
 */
#ifndef SOCKREC_DIAG_NL_H
#define SOCKREC_DIAG_NL_H

#include <stdbool.h>
#include <stdint.h>

#include "record/diag.h"

/*
 * -Z: a namespace's sock_diag socket and netstat, opened inside it before
 * the privileges were dropped (setns() is refused after) and kept open.
 */
struct diag_kept {
	uint32_t ino;
	int sock, stat;		/* stat: -errno when netstat could not be opened */
};

struct diag_nl {
	int self_fd;		/* our own netns, to return to */
	uint32_t self_ino;
	uint32_t seq;
	bool broken;		/* could not return home: visit no more */
	bool denied;		/* entering refused (privileges dropped, -Z) */
	/*
	 * Our own namespace's sock_diag socket and netstat (-errno until one
	 * opens), made at its first visit and kept: sockrec is in that
	 * namespace, so holding them keeps nothing alive that would not be.
	 * A dump that did not end (dump_failed) may have left its tail in the
	 * socket: it is then made again.
	 */
	int self_sock, self_stat;
	bool dump_failed;
	uint8_t *buf;		/* NL_BUF_SIZE, malloc-aligned */
	char *text;		/* NETSTAT_MAX + 1: netstat as read */
	struct diag_kept kept[DIAG_NS_MAX];
	int nkept;
};

/* A sock_diag socket in the calling thread's current namespace, or -errno. */
int diag_nl_open_socket(void);
/* The netstat of the namespace the calling thread is in now, or -errno. */
int diag_nl_open_netstat(void);

#endif /* SOCKREC_DIAG_NL_H */
