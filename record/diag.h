/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Private to record/diag.c, record/diag_nl.c and record/diag_ns.c: how
 * sockrec asks the kernel about sockets that BPF did not see being born.
 * diag_ns.c finds the namespaces and enters them; diag_nl.c talks to the
 * kernel there (sock_diag netlink, /proc/net/netstat); diag.c turns the
 * answers into records.  Every int function returns 0 or a negative errno.
 */
#ifndef SOCKREC_DIAG_H
#define SOCKREC_DIAG_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* Namespaces listed at most; the rest are counted as not listed. */
#define DIAG_NS_MAX	256

/* Where a pinned namespace lives: ip netns add's bind mounts. */
#define DIAG_NS_PIN_DIR	"/run/netns"
/* Longest file name there that is followed (NAME_MAX); longer ones are not. */
#define DIAG_NS_NAME_MAX	255

/*
 * A network namespace that sockrec can enter: sockrec's own, one pinned
 * under DIAG_NS_PIN_DIR (name set), or one that a process is in (pid set).
 * A pinned one is entered by its file, which outlives every process in it.
 */
struct diag_ns {
	uint32_t ino;		/* nsfs inode: the netns number BPF reports */
	pid_t pid;		/* a process in it; 0 for own and pinned ones */
	char name[DIAG_NS_NAME_MAX + 1];	/* its file in DIAG_NS_PIN_DIR, or "" */
	/* last NETNS_STATS written to the current file */
	bool stats_written;
	uint64_t overflows, drops;
	bool warned;		/* a failure of this namespace was printed */
	/* sampling failed and has not worked since (diag.c) */
	bool stopped;
	bool stop_written;	/* its SAMPLING STOPPED is in the current file */
	bool retry;		/* its process left: visit again after a rescan */
};

/* One TCP socket as sock_diag describes it, in host order. */
struct diag_sock {
	uint64_t cookie;
	uint64_t drops;		/* sk_drops, when has_drops */
	uint8_t saddr[16];
	uint8_t daddr[16];
	uint32_t inode, uid;
	uint32_t rqueue, wqueue;
	uint16_t sport, dport;
	uint8_t family, state;
	bool has_drops;
};

/* Called for each socket of a dump; a non-zero return stops the dump with it. */
typedef int (*diag_sock_fn)(void *arg, const struct diag_sock *ds);

/* ---- diag_nl.c: the handle ---- */

struct diag_nl;

/* Remember sockrec's own namespace, to come back to after each visit. */
int diag_nl_open(struct diag_nl **np);
void diag_nl_close(struct diag_nl *n);
/* Inode of sockrec's own network namespace. */
uint32_t diag_nl_self_ns(const struct diag_nl *n);
/* True once entering a namespace was refused; diag_nl_socket() said so. */
bool diag_nl_denied(const struct diag_nl *n);

/*
 * Before the privileges are dropped (-Z): make ns's sock_diag socket and
 * open its netstat, and keep both, so that diag_nl_socket() still answers
 * for ns once setns() is refused.  Holding them keeps the namespace alive
 * until sockrec exits.  Returns 0 or -errno (-ENOSPC: table full).
 */
int diag_nl_keep(struct diag_nl *n, const struct diag_ns *ns);

/* ---- diag_ns.c: finding and entering namespaces ---- */

/*
 * Find the network namespaces: sockrec's own first, then those pinned under
 * DIAG_NS_PIN_DIR in directory order, then one entry per other inode found
 * under /proc/<pid>/ns/net, in /proc order, then those kept by
 * diag_nl_keep() that were not found (after -Z, /proc hides other users'
 * namespaces), keeping the state of entries of old[] that are still there.  At most max entries; *skipped counts the
 * namespaces beyond.  Returns the count or -errno (only if /proc cannot be
 * read at all; a missing or unreadable DIAG_NS_PIN_DIR just pins nothing).
 */
int diag_nl_scan(struct diag_nl *n, const struct diag_ns *old, int nold,
		 struct diag_ns *out, int max, unsigned *skipped);

/*
 * A sock_diag socket inside namespace ns, or -errno (-ESRCH: its process
 * left or its pin was removed; -EPERM: not allowed to enter).
 * -ENOTRECOVERABLE means sockrec could not return to its own namespace: no
 * namespace may be visited after that.  When netstat is not NULL it gets,
 * opened during the same visit, the namespace's /proc/net/netstat (an fd
 * that keeps reading that namespace's counters wherever it is read from) or
 * -errno; it is only set when the socket was made.  A namespace kept by
 * diag_nl_keep() is not entered: its kept descriptors are duplicated.
 */
int diag_nl_socket(struct diag_nl *n, const struct diag_ns *ns, int *netstat);

/* ---- diag_nl.c: sock_diag dumps and netstat ---- */

/*
 * Dump the TCP sockets of one family whose state bit is set in states,
 * asking for memory info (drops) when meminfo is set.  fn sees each socket.
 * Returns 0, fn's non-zero result (the dump stops there, and its socket is
 * made again before the next dump), or -errno (from the kernel's
 * NLMSG_ERROR, a malformed answer: -EBADMSG, or a timeout: -EAGAIN).
 */
int diag_nl_dump(struct diag_nl *n, int fd, uint8_t family, uint32_t states,
		 bool meminfo, diag_sock_fn fn, void *arg);

/*
 * TcpExtListenOverflows and TcpExtListenDrops from a netstat fd (not
 * closed; read from offset 0 whatever its position, so a kept fd and its
 * duplicates can be read again and again).
 */
int diag_nl_netstat(struct diag_nl *n, int fd, uint64_t *overflows,
		    uint64_t *drops);
/*
 * A small text file from offset 0 (pread, whatever the fd's position) into
 * buf: at most size - 1 bytes, NUL-terminated.  Its length or -errno.
 */
ssize_t diag_read_text(int fd, char *buf, size_t size);

#endif /* SOCKREC_DIAG_H */
