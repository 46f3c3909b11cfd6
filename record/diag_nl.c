// SPDX-License-Identifier: BSD-2-Clause
/*
 * Asking the kernel about existing TCP sockets: the diag_nl handle,
 * sock_diag netlink dumps, and the namespaces' listen counters from
 * /proc/net/netstat.  Visiting other network namespaces to ask there is
 * diag_ns.c's job.
 *
 * Everything the kernel sends is length-checked against what was actually
 * received before it is read.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>

#include "record/diag.h"
#include "record/diag_nl.h"

/* One recv: the kernel fills dump datagrams of up to 32 KiB. */
#define NL_BUF_SIZE	(64u << 10)
/* A kernel that stops answering must not stall the recording loop. */
#define NL_TIMEOUT_MS	1000
/* Bound on datagrams per dump: ~100 sockets each, so 10M sockets. */
#define NL_MAX_RECVS	100000u
/* /proc/net/netstat is ~5 KiB; the TcpExt lines come first. */
#define NETSTAT_MAX	(64u << 10)

int diag_nl_open(struct diag_nl **np)
{
	struct diag_nl *n;
	struct stat st;
	int err = 0;

	n = calloc(1, sizeof(*n));
	if (!n)
		return -ENOMEM;
	n->self_fd = -1;
	n->self_sock = -1;
	n->self_stat = -ENOENT;
	n->buf = malloc(NL_BUF_SIZE);
	n->text = malloc(NETSTAT_MAX + 1);
	if (!n->buf || !n->text) {
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
	int i;

	if (!n)
		return;
	for (i = 0; i < n->nkept; i++) {
		close(n->kept[i].sock);
		if (n->kept[i].stat >= 0)
			close(n->kept[i].stat);
	}
	if (n->self_sock >= 0)
		close(n->self_sock);
	if (n->self_stat >= 0)
		close(n->self_stat);
	if (n->self_fd >= 0)
		close(n->self_fd);
	free(n->text);
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

int diag_nl_open_socket(void)
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
 * One datagram of the answer.  Sets *done when the dump is over (DONE, or
 * an acknowledgement without error).  Returns 0, fn's non-zero result, or
 * -errno.
 */
static int parse_datagram(struct diag_nl *n, size_t len, uint8_t family,
			  diag_sock_fn fn, void *arg, bool *done)
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
			*done = true;
			return 0;
		}
		if (h.nlmsg_type == NLMSG_ERROR) {
			struct nlmsgerr e;

			if (mlen < NLMSG_LENGTH(sizeof(e)))
				return -EBADMSG;
			memcpy(&e, p + NLMSG_HDRLEN, sizeof(e));
			if (e.error > 0 || e.error < -4095)
				return -EBADMSG;
			*done = e.error == 0;
			return e.error;
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

static int dump(struct diag_nl *n, int fd, uint8_t family, uint32_t states,
		bool meminfo, diag_sock_fn fn, void *arg)
{
	bool done = false;
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
		err = parse_datagram(n, (size_t)r, family, fn, arg, &done);
		if (err || done)
			return err;
	}
	return -E2BIG;
}

int diag_nl_dump(struct diag_nl *n, int fd, uint8_t family, uint32_t states,
		 bool meminfo, diag_sock_fn fn, void *arg)
{
	int err = dump(n, fd, family, states, meminfo, fn, arg);

	/* Its tail may still be queued, or the kernel still dumping. */
	if (err)
		n->dump_failed = true;
	return err;
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

ssize_t diag_read_text(int fd, char *buf, size_t size)
{
	size_t got = 0;

	if (size == 0)
		return -EINVAL;
	while (got + 1 < size) {
		ssize_t r = pread(fd, buf + got, size - 1 - got, (off_t)got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			buf[got] = '\0';
			return -errno;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	buf[got] = '\0';
	return (ssize_t)got;
}

int diag_nl_netstat(struct diag_nl *n, int fd, uint64_t *overflows,
		    uint64_t *drops)
{
	ssize_t len;

	if (fd < 0)
		return -EBADF;
	len = diag_read_text(fd, n->text, NETSTAT_MAX + 1);
	return len < 0 ? (int)len : parse_netstat(n->text, overflows, drops);
}
