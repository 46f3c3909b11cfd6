// SPDX-License-Identifier: BSD-2-Clause
/*
 * Asking the kernel about existing TCP sockets: sock_diag netlink dumps,
 * visits to other network namespaces, and the namespaces' listen counters.
 *
 * sock_diag only answers about the namespace its socket was created in, so a
 * socket is made inside each namespace (setns there and straight back) and
 * closed after one query: holding it would keep a namespace alive after its
 * last process left.  The namespace's netstat file is opened during the same
 * visit, so its counters stay readable when the process it was found through
 * has exited.  Namespaces are entered through their pin under /run/netns when
 * they have one, else through a process in them.  Everything the kernel sends
 * is length-checked against what was actually received before it is read.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/nsfs.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>

#include "record/diag.h"

/* One recv: the kernel fills dump datagrams of up to 32 KiB. */
#define NL_BUF_SIZE	(64u << 10)
/* A kernel that stops answering must not stall the recording loop. */
#define NL_TIMEOUT_MS	1000
/* Bound on datagrams per dump: ~100 sockets each, so 10M sockets. */
#define NL_MAX_RECVS	100000u
/* /proc/net/netstat is ~5 KiB; the TcpExt lines come first. */
#define NETSTAT_MAX	(64u << 10)

struct diag_nl {
	int self_fd;		/* our own netns, to return to */
	uint32_t self_ino;
	uint32_t seq;
	bool broken;		/* could not return home: visit no more */
	bool denied;		/* entering refused (privileges dropped, -Z) */
	uint8_t *buf;		/* NL_BUF_SIZE, malloc-aligned */
};

int diag_nl_open(struct diag_nl **np)
{
	struct diag_nl *n;
	struct stat st;
	int err = 0;

	n = calloc(1, sizeof(*n));
	if (!n)
		return -ENOMEM;
	n->self_fd = -1;
	n->buf = malloc(NL_BUF_SIZE);
	if (!n->buf) {
		err = -ENOMEM;
		goto fail;
	}
	/* thread-self: setns() moves the calling thread, so that is home. */
	n->self_fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (n->self_fd < 0 || fstat(n->self_fd, &st)) {
		err = -errno;
		goto fail;
	}
	n->self_ino = (uint32_t)st.st_ino;
	*np = n;
	return 0;
fail:
	diag_nl_close(n);
	return err;
}

void diag_nl_close(struct diag_nl *n)
{
	if (!n)
		return;
	if (n->self_fd >= 0)
		close(n->self_fd);
	free(n->buf);
	free(n);
}

uint32_t diag_nl_self_ns(const struct diag_nl *n)
{
	return n->self_ino;
}

bool diag_nl_denied(const struct diag_nl *n)
{
	return n->denied;
}

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
	if (!d)
		return -errno;
	while ((de = readdir(d)) != NULL) {
		char path[64];
		struct stat st;
		pid_t pid;
		int len;

		if (!all_digits(de->d_name))
			continue;
		len = snprintf(path, sizeof(path), "%s/ns/net", de->d_name);
		if (len < 0 || (size_t)len >= sizeof(path))
			continue;
		pid = (pid_t)strtol(de->d_name, NULL, 10);
		if (fstatat(dirfd(d), path, &st, 0) == 0) {
			add_ns(&sc, (uint32_t)st.st_ino, pid, NULL);
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
	return sc.count;
}

static int open_nl_socket(void)
{
	struct timeval tv = {
		.tv_sec = NL_TIMEOUT_MS / 1000,
		.tv_usec = (NL_TIMEOUT_MS % 1000) * 1000,
	};
	int fd, err;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv))) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
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

/* The netstat of the namespace the calling thread is in now, or -errno. */
static int open_netstat(void)
{
	int fd = open("/proc/thread-self/net/netstat", O_RDONLY | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
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

int diag_nl_socket(struct diag_nl *n, const struct diag_ns *ns, int *netstat)
{
	int dfd = -1, nsfd = -1, sfd = -ENOENT, fd;

	if (ns->ino == n->self_ino || (ns->pid == 0 && !ns->name[0])) {
		fd = open_nl_socket();
		if (fd >= 0 && netstat)
			*netstat = open_netstat();
		return fd;
	}
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
	fd = open_nl_socket();
	if (fd >= 0 && netstat)
		sfd = open_netstat();
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

static int send_request(struct diag_nl *n, int fd, uint8_t family,
			uint32_t states, bool meminfo)
{
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req_v2 req;
	} msg;
	struct sockaddr_nl sa;
	ssize_t r;

	memset(&msg, 0, sizeof(msg));
	msg.nlh.nlmsg_len = sizeof(msg);
	msg.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	msg.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	msg.nlh.nlmsg_seq = ++n->seq;
	msg.req.sdiag_family = family;
	msg.req.sdiag_protocol = IPPROTO_TCP;
	msg.req.idiag_states = states;
	if (meminfo)
		msg.req.idiag_ext = 1u << (INET_DIAG_SKMEMINFO - 1);
	msg.req.id.idiag_cookie[0] = INET_DIAG_NOCOOKIE;
	msg.req.id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
	memset(&sa, 0, sizeof(sa));
	sa.nl_family = AF_NETLINK;
	do
		r = sendto(fd, &msg, sizeof(msg), 0, (struct sockaddr *)&sa,
			   sizeof(sa));
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	return r == (ssize_t)sizeof(msg) ? 0 : -EIO;
}

/* The attributes after an inet_diag_msg: only the drop counter is wanted. */
static void parse_attrs(const uint8_t *p, size_t len, struct diag_sock *ds)
{
	while (len >= sizeof(struct rtattr)) {
		struct rtattr rta;
		size_t alen, step;

		memcpy(&rta, p, sizeof(rta));
		alen = rta.rta_len;
		if (alen < sizeof(rta) || alen > len)
			return;		/* malformed: keep what was parsed */
		if (rta.rta_type == INET_DIAG_SKMEMINFO &&
		    alen - RTA_LENGTH(0) >= (SK_MEMINFO_DROPS + 1) * sizeof(uint32_t)) {
			uint32_t v;

			memcpy(&v, p + RTA_LENGTH(0) + SK_MEMINFO_DROPS * sizeof(v),
			       sizeof(v));
			ds->drops = v;
			ds->has_drops = true;
		}
		step = RTA_ALIGN(alen);
		if (step >= len)
			return;
		p += step;
		len -= step;
	}
}

static int parse_sock(const uint8_t *payload, size_t len, uint8_t family,
		      struct diag_sock *ds)
{
	struct inet_diag_msg m;
	size_t hlen = NLMSG_ALIGN(sizeof(m));

	if (len < sizeof(m))
		return -EBADMSG;
	memcpy(&m, payload, sizeof(m));
	if (m.idiag_family != family)
		return -EBADMSG;
	memset(ds, 0, sizeof(*ds));
	ds->cookie = (uint64_t)m.id.idiag_cookie[1] << 32 | m.id.idiag_cookie[0];
	ds->inode = m.idiag_inode;
	ds->uid = m.idiag_uid;
	ds->rqueue = m.idiag_rqueue;
	ds->wqueue = m.idiag_wqueue;
	ds->sport = ntohs(m.id.idiag_sport);
	ds->dport = ntohs(m.id.idiag_dport);
	ds->family = m.idiag_family;
	ds->state = m.idiag_state;
	if (family == AF_INET) {
		memcpy(ds->saddr, m.id.idiag_src, 4);
		memcpy(ds->daddr, m.id.idiag_dst, 4);
	} else {
		memcpy(ds->saddr, m.id.idiag_src, 16);
		memcpy(ds->daddr, m.id.idiag_dst, 16);
	}
	if (len > hlen)
		parse_attrs(payload + hlen, len - hlen, ds);
	return 0;
}

/*
 * One datagram of the answer.  Returns 1 when the dump is over (DONE), 0 to
 * read on, or an error.
 */
static int parse_datagram(struct diag_nl *n, size_t len, uint8_t family,
			  diag_sock_fn fn, void *arg)
{
	const uint8_t *p = n->buf;

	while (len > 0) {
		struct nlmsghdr h;
		size_t mlen, step;
		int err;

		if (len < sizeof(h))
			return -EBADMSG;
		memcpy(&h, p, sizeof(h));
		mlen = h.nlmsg_len;
		if (mlen < sizeof(h) || mlen > len)
			return -EBADMSG;
		if (h.nlmsg_seq != n->seq)
			goto next;	/* the tail of an earlier, abandoned dump */
		if (h.nlmsg_type == NLMSG_DONE) {
			int32_t v;

			/* Newer kernels put the dump's own error here. */
			if (mlen >= NLMSG_LENGTH(sizeof(v))) {
				memcpy(&v, p + NLMSG_HDRLEN, sizeof(v));
				if (v < 0)
					return v;
			}
			return 1;
		}
		if (h.nlmsg_type == NLMSG_ERROR) {
			struct nlmsgerr e;

			if (mlen < NLMSG_LENGTH(sizeof(e)))
				return -EBADMSG;
			memcpy(&e, p + NLMSG_HDRLEN, sizeof(e));
			if (e.error > 0 || e.error < -4095)
				return -EBADMSG;
			return e.error ? e.error : 1;
		}
		if (h.nlmsg_type == SOCK_DIAG_BY_FAMILY) {
			struct diag_sock ds;

			err = parse_sock(p + NLMSG_HDRLEN, mlen - NLMSG_HDRLEN,
					 family, &ds);
			if (err)
				return err;
			err = fn(arg, &ds);
			if (err)
				return err;
		}
next:
		step = NLMSG_ALIGN(mlen);
		if (step >= len)
			break;
		p += step;
		len -= step;
	}
	return 0;
}

int diag_nl_dump(struct diag_nl *n, int fd, uint8_t family, uint32_t states,
		 bool meminfo, diag_sock_fn fn, void *arg)
{
	unsigned i;
	int err;

	if (family != AF_INET && family != AF_INET6)
		return -EAFNOSUPPORT;
	err = send_request(n, fd, family, states, meminfo);
	if (err)
		return err;
	for (i = 0; i < NL_MAX_RECVS; i++) {
		struct sockaddr_nl sa;
		struct iovec iov = { .iov_base = n->buf, .iov_len = NL_BUF_SIZE };
		struct msghdr mh = {
			.msg_name = &sa, .msg_namelen = sizeof(sa),
			.msg_iov = &iov, .msg_iovlen = 1,
		};
		ssize_t r;

		r = recvmsg(fd, &mh, 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return errno == EWOULDBLOCK ? -EAGAIN : -errno;
		}
		if (r == 0 || (mh.msg_flags & MSG_TRUNC))
			return -EBADMSG;
		/* Only the kernel (port 0) answers dumps. */
		if (mh.msg_namelen < sizeof(sa) || sa.nl_pid != 0)
			continue;
		err = parse_datagram(n, (size_t)r, family, fn, arg);
		if (err)
			return err > 0 ? 0 : err;
	}
	return -E2BIG;
}

/* Value of field name on the TcpExt values line; names and values align. */
static int netstat_field(const char *names, const char *values,
			 const char *name, uint64_t *out)
{
	size_t nlen = strlen(name);

	for (;;) {
		size_t a, b;

		names += strspn(names, " \t");
		values += strspn(values, " \t");
		a = strcspn(names, " \t\n");
		b = strcspn(values, " \t\n");
		if (a == 0 || b == 0)
			return -ENOENT;
		if (a == nlen && memcmp(names, name, nlen) == 0) {
			unsigned long long v;
			char *end;

			if (values[0] < '0' || values[0] > '9')
				return -EBADMSG;
			errno = 0;
			v = strtoull(values, &end, 10);
			if (errno || end != values + b)
				return -EBADMSG;
			*out = v;
			return 0;
		}
		names += a;
		values += b;
	}
}

static int parse_netstat(char *buf, uint64_t *overflows, uint64_t *drops)
{
	static const char key[] = "TcpExt:";
	char *names, *values, *nl;
	int err;

	names = strstr(buf, key);
	if (!names || (names != buf && names[-1] != '\n'))
		return -ENOENT;
	nl = strchr(names, '\n');
	if (!nl || strncmp(nl + 1, key, sizeof(key) - 1) != 0)
		return -EBADMSG;
	values = nl + sizeof(key);
	names += sizeof(key) - 1;
	err = netstat_field(names, values, "ListenOverflows", overflows);
	if (!err)
		err = netstat_field(names, values, "ListenDrops", drops);
	return err;
}

int diag_nl_netstat(int fd, uint64_t *overflows, uint64_t *drops)
{
	char *buf;
	size_t got = 0;
	int err = 0;

	if (fd < 0)
		return -EBADF;
	buf = malloc(NETSTAT_MAX + 1);
	if (!buf)
		return -ENOMEM;
	while (got < NETSTAT_MAX) {
		ssize_t r = read(fd, buf + got, NETSTAT_MAX - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			err = -errno;
			break;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	buf[got] = '\0';
	if (!err)
		err = parse_netstat(buf, overflows, drops);
	free(buf);
	return err;
}
