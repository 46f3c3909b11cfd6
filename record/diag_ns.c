// SPDX-License-Identifier: BSD-2-Clause
/*
 * Finding the network namespaces that have TCP sockets, and visiting them
 * to make a sock_diag socket (diag_nl.c) inside each.
 *
 * sock_diag only answers about the namespace its socket was created in, so a
 * socket is made inside each namespace (setns there and straight back) and
 * closed after one query: holding it would keep a namespace alive after its
 * last process left.  The exceptions: -Z, where setns() is refused once
 * root is dropped, so diag_nl_keep() makes and keeps one per namespace just
 * before; and sockrec's own namespace, which sockrec keeps alive anyway, so
 * its socket and netstat are kept from the first visit (self_socket()).
 * The namespace's netstat file is opened during the same visit, so its
 * counters stay readable when the process it was found through has exited.
 * Namespaces are entered through their pin under /run/netns when they have
 * one, else through a process in them.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <linux/nsfs.h>

#include "record/diag.h"
#include "record/diag_nl.h"

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

static int find_ns(const struct diag_ns *tab, int n, uint32_t ino)
{
	int i;

	for (i = 0; i < n; i++)
		if (tab[i].ino == ino)
			return i;
	return -1;
}

static int find_pid(const struct diag_ns *tab, int n, pid_t pid)
{
	int i;

	for (i = 0; i < n; i++)
		if (tab[i].pid == pid && pid != 0)
			return i;
	return -1;
}

/*
 * The inode of the namespace that the link path (a /proc/<pid>/ns/net,
 * relative to dfd) names.  The link reads "net:[INODE]", the inode that a
 * stat through it would give; reading it is half the kernel's work of
 * following it (no nsfs lookup), which every process costs at each scan.
 * Anything else is stat'ed as before.  0 or -1 with errno set.
 */
static int ns_link_ino(int dfd, const char *path, uint32_t *ino)
{
	static const char pre[] = "net:[";
	char text[32], *end;
	unsigned long long v;
	struct stat st;
	ssize_t len;

	len = readlinkat(dfd, path, text, sizeof(text) - 1);
	if (len < 0)
		return -1;
	text[len] = '\0';
	if ((size_t)len > sizeof(pre) && memcmp(text, pre, sizeof(pre) - 1) == 0 &&
	    text[sizeof(pre) - 1] >= '0' && text[sizeof(pre) - 1] <= '9') {
		errno = 0;
		v = strtoull(text + sizeof(pre) - 1, &end, 10);
		if (!errno && v <= UINT32_MAX && end[0] == ']' && end[1] == '\0') {
			*ino = (uint32_t)v;
			return 0;
		}
	}
	if (fstatat(dfd, path, &st, 0))
		return -1;
	*ino = (uint32_t)st.st_ino;
	return 0;
}

/* What a scan has found so far. */
struct scan {
	struct diag_ns *out;
	int count, max;
	const struct diag_ns *old;
	int nold;
	uint32_t skip[DIAG_NS_MAX];	/* inodes counted in *skipped */
	unsigned nskip;
	unsigned *skipped;
};

/*
 * Add ino to out[] (keeping what old[] knew of it) unless present or full.
 * name is its pin in DIAG_NS_PIN_DIR or NULL; the caller checked its length.
 */
static void add_ns(struct scan *sc, uint32_t ino, pid_t pid, const char *name)
{
	struct diag_ns *out = sc->out, *e;
	int i;

	if (find_ns(out, sc->count, ino) >= 0)
		return;
	if (sc->count >= sc->max) {
		for (i = 0; i < (int)sc->nskip; i++)
			if (sc->skip[i] == ino)
				return;
		/* Past the dedup table a namespace may be counted twice. */
		if (sc->nskip < DIAG_NS_MAX)
			sc->skip[sc->nskip++] = ino;
		(*sc->skipped)++;
		return;
	}
	e = &out[sc->count++];
	i = find_ns(sc->old, sc->nold, ino);
	if (i >= 0)
		*e = sc->old[i];
	else
		memset(e, 0, sizeof(*e));
	e->ino = ino;
	e->pid = pid;
	e->name[0] = '\0';
	if (name)
		memcpy(e->name, name, strlen(name) + 1);
}

/* True if fd is a network namespace file (nsfs), which setns() can enter. */
static bool is_netns_fd(int fd)
{
	return ioctl(fd, NS_GET_NSTYPE) == CLONE_NEWNET;
}

/*
 * Namespaces that `ip netns add` pinned by a bind mount: they may have no
 * process at all for a while.  Only regular files (nsfs inodes are) are
 * opened, so a FIFO or device left there cannot block or be disturbed.
 */
static void scan_pinned(struct scan *sc)
{
	struct dirent *de;
	DIR *d;
	int i;

	d = opendir(DIAG_NS_PIN_DIR);
	if (!d) {
		/* After -Z: keep the pins known from before, as for /proc. */
		if (errno == EACCES || errno == EPERM)
			for (i = 0; i < sc->nold; i++)
				if (sc->old[i].name[0])
					add_ns(sc, sc->old[i].ino, 0,
					       sc->old[i].name);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		struct stat st;
		int fd;

		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0 ||
		    strlen(de->d_name) > DIAG_NS_NAME_MAX)
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) ||
		    !S_ISREG(st.st_mode))
			continue;
		fd = openat(dirfd(d), de->d_name,
			    O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
		if (fd < 0)
			continue;
		/* A name being created has no namespace mounted on it yet. */
		if (is_netns_fd(fd) && fstat(fd, &st) == 0)
			add_ns(sc, (uint32_t)st.st_ino, 0, de->d_name);
		close(fd);
	}
	closedir(d);
}

/*
 * Last: namespaces kept by diag_nl_keep() that the scan did not find (after
 * -Z, /proc hides other users' namespaces), with what old[] knew of them.
 */
static void scan_kept(struct diag_nl *n, struct scan *sc)
{
	int i, j;

	for (i = 0; i < n->nkept; i++) {
		j = find_ns(sc->old, sc->nold, n->kept[i].ino);
		add_ns(sc, n->kept[i].ino, j >= 0 ? sc->old[j].pid : 0,
		       j >= 0 && sc->old[j].name[0] ? sc->old[j].name : NULL);
	}
}

int diag_nl_scan(struct diag_nl *n, const struct diag_ns *old, int nold,
		 struct diag_ns *out, int max, unsigned *skipped)
{
	struct scan sc = {
		.out = out, .max = max, .old = old, .nold = nold,
		.skipped = skipped,
	};
	struct dirent *de;
	DIR *d;

	*skipped = 0;
	if (max < 1)
		return -EINVAL;
	add_ns(&sc, n->self_ino, 0, NULL);
	/* Pins first: entered by file, they need no process to stay alive. */
	scan_pinned(&sc);
	d = opendir("/proc");
	if (!d) {
		int err = -errno;

		scan_kept(n, &sc);
		return sc.count > 1 ? sc.count : err;
	}
	while ((de = readdir(d)) != NULL) {
		char path[64];
		uint32_t ino;
		pid_t pid;
		int len;

		if (!all_digits(de->d_name))
			continue;
		len = snprintf(path, sizeof(path), "%s/ns/net", de->d_name);
		if (len < 0 || (size_t)len >= sizeof(path))
			continue;
		pid = (pid_t)strtol(de->d_name, NULL, 10);
		if (ns_link_ino(dirfd(d), path, &ino) == 0) {
			add_ns(&sc, ino, pid, NULL);
			continue;
		}
		/*
		 * Processes come and go.  After -Z, other users' namespaces are
		 * hidden: keep those known from before, so that their failure
		 * is recorded rather than their existence forgotten.
		 */
		if (errno == EACCES || errno == EPERM) {
			int i = find_pid(old, nold, pid);

			if (i >= 0)
				add_ns(&sc, old[i].ino, pid, NULL);
		}
	}
	closedir(d);
	scan_kept(n, &sc);
	return sc.count;
}

/*
 * /proc/<pid> as a directory fd pins that very process: if it exits and the
 * pid is reused, lookups through the old fd fail instead of reaching the
 * newcomer.  The ns/net inode is then checked against the one scanned.
 */
static int open_proc_dir(const struct diag_ns *ns, int *nsfd)
{
	char path[32];
	struct stat st;
	int dfd, fd, err, len;

	len = snprintf(path, sizeof(path), "/proc/%ld", (long)ns->pid);
	if (len < 0 || (size_t)len >= sizeof(path))
		return -EINVAL;
	dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	fd = openat(dfd, "ns/net", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st)) {
		err = errno == ENOENT ? -ESRCH : -errno;
		goto fail;
	}
	if ((uint32_t)st.st_ino != ns->ino) {
		err = -ESRCH;	/* the process moved on to another namespace */
		goto fail;
	}
	if (nsfd)
		*nsfd = fd;
	else
		close(fd);
	return dfd;
fail:
	if (fd >= 0)
		close(fd);
	close(dfd);
	return err;
}

/*
 * A pin is looked up again at each visit: it may have been removed, or
 * removed and made again for another namespace, which the inode tells.
 */
static int open_pinned(const struct diag_ns *ns, int *nsfd)
{
	char path[sizeof(DIAG_NS_PIN_DIR) + DIAG_NS_NAME_MAX + 1];
	struct stat st;
	int fd, err, len;

	if (strchr(ns->name, '/'))
		return -EINVAL;
	len = snprintf(path, sizeof(path), "%s/%s", DIAG_NS_PIN_DIR, ns->name);
	if (len < 0 || (size_t)len >= sizeof(path))
		return -EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	if (fstat(fd, &st)) {
		err = -errno;
		goto fail;
	}
	if (!S_ISREG(st.st_mode) || (uint32_t)st.st_ino != ns->ino ||
	    !is_netns_fd(fd)) {
		err = -ESRCH;
		goto fail;
	}
	*nsfd = fd;
	return 0;
fail:
	close(fd);
	return err;
}

int diag_nl_open_netstat(void)
{
	int fd = open("/proc/thread-self/net/netstat", O_RDONLY | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

/*
 * Our own namespace: duplicates of the socket and netstat kept for it
 * (diag_nl.h), made at the first visit, and again after a dump that did not
 * end or a netstat that would not open.  A new socket and an open of netstat
 * at every sample cost about as much as the dumps themselves.
 */
static int self_socket(struct diag_nl *n, int *netstat)
{
	int fd;

	if (n->dump_failed && n->self_sock >= 0) {
		close(n->self_sock);
		n->self_sock = -1;
	}
	n->dump_failed = false;
	if (n->self_sock < 0) {
		fd = diag_nl_open_socket();
		if (fd < 0)
			return fd;
		n->self_sock = fd;
	}
	fd = fcntl(n->self_sock, F_DUPFD_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (!netstat)
		return fd;
	if (n->self_stat < 0)
		n->self_stat = diag_nl_open_netstat();
	*netstat = n->self_stat < 0 ? n->self_stat :
		   fcntl(n->self_stat, F_DUPFD_CLOEXEC, 0);
	if (*netstat == -1)
		*netstat = -errno;
	return fd;
}

/* After -Z: one line for all namespaces, not one per namespace and file. */
static int note_denied(struct diag_nl *n, const struct diag_ns *ns, int err)
{
	if (err != -EPERM && err != -EACCES)
		return err;
	if (!n->denied)
		fprintf(stderr, "sockrec: entering netns %u: %s; only netns %u "
			"is listed from now on\n", ns->ino, strerror(-err),
			n->self_ino);
	n->denied = true;
	return err;
}

/* diag_nl_socket() by entering ns (and coming back), for a namespace not kept. */
static int visit(struct diag_nl *n, const struct diag_ns *ns, int *netstat)
{
	int dfd = -1, nsfd = -1, sfd = -ENOENT, fd;

	if (ns->ino == n->self_ino || (ns->pid == 0 && !ns->name[0]))
		return self_socket(n, netstat);
	if (n->broken)
		return -ENOTRECOVERABLE;
	if (ns->name[0]) {
		fd = open_pinned(ns, &nsfd);
	} else {
		dfd = open_proc_dir(ns, &nsfd);
		fd = dfd < 0 ? dfd : 0;
	}
	if (fd < 0)
		return note_denied(n, ns, fd);
	if (setns(nsfd, CLONE_NEWNET)) {
		fd = note_denied(n, ns, -errno);
		goto out;
	}
	fd = diag_nl_open_socket();
	if (fd >= 0 && netstat)
		sfd = diag_nl_open_netstat();
	if (setns(n->self_fd, CLONE_NEWNET)) {
		int err = errno;

		/* Not fatal to the recording (BPF does not care); stop visiting. */
		n->broken = true;
		fprintf(stderr, "sockrec: returning to netns %u: %s; "
			"no other namespace will be listed\n", n->self_ino,
			strerror(err));
		if (fd >= 0)
			close(fd);
		fd = -ENOTRECOVERABLE;
	}
	if (fd >= 0 && netstat) {
		*netstat = sfd;
		sfd = -1;
	}
out:
	if (sfd >= 0)
		close(sfd);
	close(nsfd);
	if (dfd >= 0)
		close(dfd);
	return fd;
}

static const struct diag_kept *kept_of(const struct diag_nl *n, uint32_t ino)
{
	int i;

	for (i = 0; i < n->nkept; i++)
		if (n->kept[i].ino == ino)
			return &n->kept[i];
	return NULL;
}

/* The caller closes what it gets, as for a fresh socket. */
static int dup_kept(const struct diag_kept *k, int *netstat)
{
	int fd = fcntl(k->sock, F_DUPFD_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	if (!netstat)
		return fd;
	if (k->stat < 0) {
		*netstat = k->stat;
		return fd;
	}
	*netstat = fcntl(k->stat, F_DUPFD_CLOEXEC, 0);
	if (*netstat < 0)
		*netstat = -errno;
	return fd;
}

int diag_nl_keep(struct diag_nl *n, const struct diag_ns *ns)
{
	struct diag_kept *k;
	int fd, sfd = -ENOENT;

	/* Our own namespace needs no privilege: a socket is made each time. */
	if (ns->ino == n->self_ino || kept_of(n, ns->ino))
		return 0;
	if (n->nkept == DIAG_NS_MAX)
		return -ENOSPC;
	fd = visit(n, ns, &sfd);
	if (fd < 0)
		return fd;
	k = &n->kept[n->nkept++];
	k->ino = ns->ino;
	k->sock = fd;
	k->stat = sfd;
	return 0;
}

int diag_nl_socket(struct diag_nl *n, const struct diag_ns *ns, int *netstat)
{
	const struct diag_kept *k = kept_of(n, ns->ino);

	if (k)
		return dup_kept(k, netstat);
	return visit(n, ns, netstat);
}
