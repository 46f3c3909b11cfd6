/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only) */
/*
 * Reading sockets and packets for sockrec's programs.  The same code serves
 * tp_btf programs (whose arguments are BTF pointers, read directly) and
 * classic tracepoint programs (which only hold addresses, read through
 * CO-RE probe reads): see SKC() below.
 */
#ifndef SKR_BPF_SOCK_H
#define SKR_BPF_SOCK_H

#define AF_INET		2
#define AF_INET6	10
#define IPPROTO_TCP	6
#define ETH_P_IP	0x0800
#define ETH_P_IPV6	0x86DD
#define S_IFMT		00170000
#define S_IFSOCK	0140000

/* The address and ports of a socket or of a packet, as records store them. */
struct tuple {
	__u8 saddr[16];
	__u8 daddr[16];
	__u16 sport;
	__u16 dport;
	__u8 family;
	__u8 state;
};

/*
 * Reading a socket, in two ways.  A tp_btf program's arguments are typed
 * (BTF) pointers: a field is a plain load the verifier guards (a faulting
 * address reads as 0), about a nanosecond.  A classic tracepoint program
 * holds bare addresses and must go through a probe-read helper call,
 * 20-30 ns each; the state hook alone made ten of them per event.  The
 * functions below take `btf`, always a constant at the call site: once
 * inlined, the compiler keeps only the branch of the tier, so a classic
 * program never contains a direct load the verifier would refuse.
 */
#define SKC(btf, sk, f) \
	((btf) ? (sk)->__sk_common.f : BPF_CORE_READ(sk, __sk_common.f))
#define SKF(btf, sk, f) ((btf) ? (sk)->f : BPF_CORE_READ(sk, f))

/*
 * A TCP socket's counters into a record that carries them under these
 * names (COUNTERS, DESTROY); srtt_us is stored in µs, the kernel's <<3.
 */
#define SKF_TCP_COUNTERS(ev, btf, tp) do {				\
	(ev)->bytes_acked = SKF(btf, tp, bytes_acked);			\
	(ev)->bytes_received = SKF(btf, tp, bytes_received);		\
	(ev)->segs_in = SKF(btf, tp, segs_in);				\
	(ev)->segs_out = SKF(btf, tp, segs_out);			\
	(ev)->total_retrans = SKF(btf, tp, total_retrans);		\
	(ev)->srtt_us = SKF(btf, tp, srtt_us) >> 3;			\
} while (0)

/*
 * A socket's cookie without the helper, which classic tracepoints and
 * pointers read from memory cannot use.  It is non-zero once anyone asked
 * for it: our tp_btf state program does for every TCP socket that changes
 * state, sock_diag does for every socket it reports.
 */
static __always_inline __u64 sk_cookie_read(const struct sock *sk)
{
	if (!sk)
		return 0;
	return (__u64)BPF_CORE_READ(sk, __sk_common.skc_cookie.counter);
}

/*
 * A namespace's inode number shares a cache line with its reference count
 * (struct ns_common), which every socket's birth and death writes: on a
 * connection storm, reading it missed the cache on most program runs (a
 * fifth of the state program's samples).  net_cookie, unique to the
 * namespace until reboot, lies in a line nothing writes.  Each CPU keeps
 * the last pair it read as one word, cookie << 32 | inum, so a program
 * that interrupts another's update reads an old pair or a new one, never
 * half of each; a cookie past 32 bits (or a kernel without net_cookie)
 * reads the inode number every time.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} net_seen SEC(".maps");

static __always_inline __u32 net_inum(const struct net *net, const bool btf)
{
	__u64 cookie = 0, *seen;
	__u32 zero = 0, inum;

	if (bpf_core_field_exists(net->net_cookie))
		cookie = btf ? net->net_cookie : BPF_CORE_READ(net, net_cookie);
	if (!cookie || cookie >> 32)
		return btf ? net->ns.inum : BPF_CORE_READ(net, ns.inum);
	seen = bpf_map_lookup_elem(&net_seen, &zero);
	if (seen) {
		__u64 pair = *(volatile __u64 *)seen;	/* one load */

		if (pair >> 32 == cookie)
			return (__u32)pair;
	}
	inum = btf ? net->ns.inum : BPF_CORE_READ(net, ns.inum);
	if (seen)
		*(volatile __u64 *)seen = cookie << 32 | inum;
	return inum;
}

/*
 * A tp_btf program's cookie for sk: read where it is already set (every
 * socket past its first state change), the helper only to assign one.
 * The kernel sets it once, with a compare-and-exchange from 0, so the
 * read sees 0 or the final value.
 */
static __always_inline __u64 sk_cookie_btf(struct sock *sk)
{
	__u64 cookie = sk->__sk_common.skc_cookie.counter;

	return cookie ? cookie : bpf_get_socket_cookie(sk);
}

static __always_inline __u32 sk_netns(const struct sock *sk, const bool btf)
{
	if (btf)
		return net_inum(sk->__sk_common.skc_net.net, true);
	return net_inum(BPF_CORE_READ(sk, __sk_common.skc_net.net), false);
}

/*
 * Works on full, request and timewait sockets: it reads sock_common only.
 * IPv6 addresses are read only for IPv6 sockets (an IPv4 socket's are
 * left as the caller zeroed them).
 */
static __always_inline void sk_tuple(const struct sock *sk, struct tuple *t,
				     const bool btf)
{
	__u16 family = SKC(btf, sk, skc_family);

	t->family = (__u8)family;
	t->state = SKC(btf, sk, skc_state);
	t->sport = SKC(btf, sk, skc_num);
	t->dport = bpf_ntohs(SKC(btf, sk, skc_dport));
	if (btf) {
		if (family == AF_INET) {
			__u32 a = sk->__sk_common.skc_rcv_saddr;
			__u32 b = sk->__sk_common.skc_daddr;

			__builtin_memcpy(t->saddr, &a, 4);
			__builtin_memcpy(t->daddr, &b, 4);
		} else if (family == AF_INET6) {
			struct in6_addr a = sk->__sk_common.skc_v6_rcv_saddr;
			struct in6_addr b = sk->__sk_common.skc_v6_daddr;

			__builtin_memcpy(t->saddr, &a, 16);
			__builtin_memcpy(t->daddr, &b, 16);
		}
		return;
	}
	/* Explicit sizes: the READ_INTO macros would size by one array element. */
	if (family == AF_INET) {
		bpf_core_read(t->saddr, sizeof(sk->__sk_common.skc_rcv_saddr),
			      &sk->__sk_common.skc_rcv_saddr);
		bpf_core_read(t->daddr, sizeof(sk->__sk_common.skc_daddr),
			      &sk->__sk_common.skc_daddr);
	} else if (family == AF_INET6) {
		bpf_core_read(t->saddr, sizeof(sk->__sk_common.skc_v6_rcv_saddr),
			      &sk->__sk_common.skc_v6_rcv_saddr);
		bpf_core_read(t->daddr, sizeof(sk->__sk_common.skc_v6_daddr),
			      &sk->__sk_common.skc_v6_daddr);
	}
}

static __always_inline bool sk_is_tcp(const struct sock *sk, const bool btf)
{
	/* sk_protocol is a plain u16 since 5.6, older than any tp_btf we use. */
	return sk && SKF(btf, sk, sk_protocol) == IPPROTO_TCP;
}

/*
 * sk_drops.  Since 6.18 a socket may count drops per NUMA node besides
 * sk_drops; TCP sockets do not use that, but add it where it is set.
 */
static __always_inline __u32 sk_drops(const struct sock *sk, const bool btf)
{
	__u32 drops = (__u32)SKF(btf, sk, sk_drops.counter);
	struct numa_drop_counters *nd;

	if (bpf_core_field_exists(sk->sk_drop_counters)) {
		nd = SKF(btf, sk, sk_drop_counters);
		if (nd)
			drops += (__u32)SKF(btf, nd, drops0.counter) +
				 (__u32)SKF(btf, nd, drops1.counter);
	}
	return drops;
}

/*
 * The TCP tuple of a packet from its headers.  reply: the packet came in,
 * so the local side is its destination.  Returns false for anything but
 * TCP over IPv4/IPv6 (extension headers are not walked).
 */
static __always_inline bool skb_tuple(const struct sk_buff *skb, bool reply,
				      struct tuple *t, const bool btf)
{
	unsigned char *head = SKF(btf, skb, head);
	__u16 nh = SKF(btf, skb, network_header);
	__u16 th = SKF(btf, skb, transport_header);
	__u16 proto = bpf_ntohs(SKF(btf, skb, protocol));
	__u8 *src = reply ? t->daddr : t->saddr;
	__u8 *dst = reply ? t->saddr : t->daddr;
	struct tcphdr tcp;

	if (!head || nh == (__u16)~0u)
		return false;
	if (proto == ETH_P_IP) {
		struct iphdr ip;

		if (bpf_probe_read_kernel(&ip, sizeof(ip), head + nh))
			return false;
		if (ip.protocol != IPPROTO_TCP)
			return false;
		t->family = AF_INET;
		__builtin_memcpy(src, &ip.saddr, 4);
		__builtin_memcpy(dst, &ip.daddr, 4);
		if (th == (__u16)~0u || th <= nh)
			th = nh + ip.ihl * 4;
	} else if (proto == ETH_P_IPV6) {
		struct ipv6hdr ip6;

		if (bpf_probe_read_kernel(&ip6, sizeof(ip6), head + nh))
			return false;
		if (ip6.nexthdr != IPPROTO_TCP)
			return false;
		t->family = AF_INET6;
		__builtin_memcpy(src, &ip6.saddr, 16);
		__builtin_memcpy(dst, &ip6.daddr, 16);
		if (th == (__u16)~0u || th <= nh)
			th = nh + sizeof(ip6);
	} else {
		return false;
	}
	if (bpf_probe_read_kernel(&tcp, sizeof(tcp), head + th))
		return false;
	t->sport = bpf_ntohs(reply ? tcp.dest : tcp.source);
	t->dport = bpf_ntohs(reply ? tcp.source : tcp.dest);
	return true;
}

/* The namespace of a packet that has no socket: its device's. */
static __always_inline __u32 skb_netns(const struct sk_buff *skb,
					 const bool btf)
{
	struct net_device *dev = SKF(btf, skb, dev);

	if (!dev)
		return 0;
	if (btf)
		return net_inum(dev->nd_net.net, true);
	return net_inum(BPF_CORE_READ(dev, nd_net.net), false);
}

/*
 * A typed view of a kernel address (6.2+): plain loads instead of probe
 * reads.  Weak: on an older kernel it stays unresolved and only the
 * programs that call it fail to load, which record/probes.c then skips.
 */
extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym __weak;

/*
 * fd_to_tcp_sock() below with typed pointers: plain loads, here and in
 * what the caller then reads from the socket with btf = true, for task
 * (the current one, from bpf_get_current_task_btf()).  The fd table's slot
 * is an array the verifier cannot index, so its address is viewed as a
 * struct kiocb, whose first field (ki_filp) is a struct file pointer: one
 * fault-safe load instead of a probe-read call (about 30 ns of the accept
 * program's ~350, measured: docs/PERFORMANCE.md, "kclock").  A kernel
 * whose kiocb starts otherwise gets the probe read.
 */
static __always_inline struct sock *fd_to_tcp_sock_btf(struct task_struct *task,
							int fd)
{
	struct files_struct *files = task->files;
	struct fdtable *fdt;
	struct file *f = NULL;
	struct socket *sock;
	struct sock *sk;
	__u16 family;

	if (!files)
		return NULL;
	fdt = files->fdt;
	if (fd < 0 || !fdt || (unsigned int)fd >= fdt->max_fds)
		return NULL;
	if (bpf_core_field_offset(struct kiocb, ki_filp) == 0) {
		struct kiocb *slot = bpf_rdonly_cast(&fdt->fd[fd],
			bpf_core_type_id_kernel(struct kiocb));

		f = slot->ki_filp;
	} else if (bpf_probe_read_kernel(&f, sizeof(f), &fdt->fd[fd])) {
		return NULL;
	}
	if (!f)
		return NULL;
	f = bpf_rdonly_cast(f, bpf_core_type_id_kernel(struct file));
	if (!f->f_inode || (f->f_inode->i_mode & S_IFMT) != S_IFSOCK)
		return NULL;
	sock = bpf_rdonly_cast(f->private_data,
			       bpf_core_type_id_kernel(struct socket));
	if (!sock)
		return NULL;
	sk = sock->sk;
	if (!sk_is_tcp(sk, true))
		return NULL;
	family = sk->__sk_common.skc_family;
	if (family != AF_INET && family != AF_INET6)
		return NULL;
	return sk;
}

/*
 * The TCP socket behind a file descriptor of the current task, or NULL:
 * task -> files -> fdt -> fd[fd] -> file (a socket inode) -> socket -> sk.
 */
static __always_inline struct sock *fd_to_tcp_sock(int fd)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct file **fds;
	struct file *f = NULL;
	struct socket *sock;
	struct sock *sk;
	__u16 family;

	if (fd < 0 || !fdt || (unsigned int)fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	fds = BPF_CORE_READ(fdt, fd);
	if (bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]) || !f)
		return NULL;
	if ((BPF_CORE_READ(f, f_inode, i_mode) & S_IFMT) != S_IFSOCK)
		return NULL;
	sock = BPF_CORE_READ(f, private_data);
	if (!sock)
		return NULL;
	sk = BPF_CORE_READ(sock, sk);
	if (!sk_is_tcp(sk, false))
		return NULL;
	family = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (family != AF_INET && family != AF_INET6)
		return NULL;
	return sk;
}

#endif /* SKR_BPF_SOCK_H */
