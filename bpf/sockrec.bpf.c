// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
/*
 * Kernel side of sockrec: turns TCP socket events into fixed-layout records
 * (format/skr_events.h) and hands them, unchanged, to a per-CPU perf buffer.
 *
 * Most hooks come in two tiers: a tp_btf program (typed arguments, socket
 * cookie helper) and a classic tracepoint program (an address in a trace
 * record, cookie read from the socket).  record/probes.c chooses one per
 * hook before load and disables the other; both share one body below.
 * docs/EVENTS.md lists every hook, its tiers and its fields.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_tracing.h>

#include "format/skr_events.h"
#include "bpf/sock.h"
#include "bpf/filter.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/*
 * Arguments of this kernel's hooks, read from BTF by record/probes.c: the
 * newer ones (reset reason 6.10, retransmit result 6.16, drop reason 5.17,
 * receiving socket 6.11) are only read where they exist.
 */
const volatile __u32 rst_nargs = 3;
const volatile __u32 retrans_nargs = 3;
const volatile __u32 drop_nargs = 4;

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} events SEC(".maps");

/*
 * The perf buffer only reports a loss once a later sample fits, so the end
 * of a burst would go unreported; counting failed outputs here is the
 * figure that stays true.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} output_failed SEC(".maps");

/* listen() (and accept() before 6.2) between syscall entry and exit, by thread id. */
struct inflight {
	__u64 sk;
	__s32 fd;
	__s32 backlog;
	__u8 again;
	__u8 pad[7];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct inflight);
} inflight SEC(".maps");

/*
 * Who acted: the kernel changes a TCP socket's state either in a system call
 * on it, with the socket lock owned by the calling task (connect, listen,
 * close, and the backlog that release_sock() processes for it), or from
 * packet processing and timers in softirq, which run only while no task owns
 * the lock (they defer to the backlog otherwise).  So lock ownership tells
 * whether the current task is the socket's user, which is what attribution
 * needs, on every kernel and without the preempt count (whose per-CPU
 * address this kernel does not export: no CONFIG_KALLSYMS_ALL).
 */
static __always_inline __u8 exec_ctx(const struct sock *sk, const bool btf)
{
	if (!bpf_core_field_exists(sk->sk_lock.owned))
		return SKR_CTX_UNKNOWN;
	return SKF(btf, sk, sk_lock.owned) ? SKR_CTX_PROCESS : SKR_CTX_SOFTIRQ;
}

/*
 * The TCP socket of a tp_btf argument typed struct sock: the verifier
 * allows a direct load only within the type it knows, so tcp_sock fields
 * need this cast (one cheap helper call; a probe read per field costs
 * more).  NULL (reads as 0) if sk is not a full TCP socket.
 */
static __always_inline const struct tcp_sock *tcp_of(const struct sock *sk)
{
	return bpf_skc_to_tcp_sock((void *)sk);
}

/* Only full sockets have a lock, a protocol and TCP counters. */
static __always_inline bool state_fullsock(__u8 state)
{
	return state != BPF_TCP_TIME_WAIT && state != BPF_TCP_NEW_SYN_RECV;
}

static __always_inline void fill_common(struct skr_ev_common *c, __u64 cookie,
					__u32 netns, __u8 ctx)
{
	__u64 id = bpf_get_current_pid_tgid();

	c->ts_ns = bpf_ktime_get_boot_ns();
	c->cookie = cookie;
	c->netns = netns;
	c->tgid = id >> 32;
	c->tid = (__u32)id;
	c->cpu = (__u16)bpf_get_smp_processor_id();
	c->ctx = ctx;
}

static __always_inline void emit(void *ctx, void *ev, __u64 size)
{
	__u32 zero = 0;
	__u64 *failed;

	if (bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, ev, size) == 0)
		return;
	failed = bpf_map_lookup_elem(&output_failed, &zero);
	if (failed)
		*failed += 1;
}

/*
 * --recover-misses.  The kernel skips a tp_btf program that is entered
 * again on a CPU where it is already running (a softirq interrupting it
 * fires the same hook) and only counts a recursion miss.  Each tp_btf hook
 * has a twin program on the same hook; the main program marks itself busy
 * on its CPU while it runs, and the twin, called for every event after or
 * before it, records the event only when the main program is busy there:
 * exactly the events the kernel skipped, so nothing is recorded twice.
 * Events that hit the few instructions before the mark is set or after it
 * is cleared stay lost, and counted: lost = misses of the main programs -
 * recovered.  Off (the default), the verifier removes all of it.
 */
const volatile bool recover_misses = false;

enum busy_bit {
	BUSY_STATE		= 1 << 0,
	BUSY_SEND_RESET		= 1 << 1,
	BUSY_RECEIVE_RESET	= 1 << 2,
	BUSY_ERROR_REPORT	= 1 << 3,
	BUSY_RETRANSMIT		= 1 << 4,
	BUSY_SYNACK		= 1 << 5,
	BUSY_DESTROY		= 1 << 6,
	BUSY_KFREE_SKB		= 1 << 7,
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} busy SEC(".maps");

/* Events the twins handled, per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} recovered SEC(".maps");

static __always_inline __u32 *busy_enter(__u32 bit)
{
	__u32 zero = 0, *b;

	if (!recover_misses)
		return NULL;
	b = bpf_map_lookup_elem(&busy, &zero);
	if (b)
		*b |= bit;
	return b;
}

static __always_inline void busy_exit(__u32 *b, __u32 bit)
{
	if (b)
		*b &= ~bit;
}

static __always_inline bool recovering(__u32 bit)
{
	__u32 zero = 0, *b;
	__u64 *n;

	if (!recover_misses)
		return false;
	b = bpf_map_lookup_elem(&busy, &zero);
	if (!b || !(*b & bit))
		return false;
	n = bpf_map_lookup_elem(&recovered, &zero);
	if (n)
		*n += 1;
	return true;
}

/*
 * A tp_btf hook: its main program NAME and its twin rcv_NAME, one body.
 * The prefix survives the kernel's 15-character program names, so tools
 * that list programs (bench/run) can tell twins apart.
 */
#define TP_BTF_HOOK(hook, name, bit)					\
SEC("tp_btf/" #hook)							\
int name(__u64 *ctx)							\
{									\
	__u32 *b = busy_enter(bit);					\
	int ret = name##_body(ctx);					\
									\
	busy_exit(b, bit);						\
	return ret;							\
}									\
SEC("tp_btf/" #hook)							\
int rcv_##name(__u64 *ctx)						\
{									\
	return recovering(bit) ? name##_body(ctx) : 0;			\
}

#define copy_tuple(ev, t) do {					\
	__builtin_memcpy((ev)->saddr, (t)->saddr, 16);		\
	__builtin_memcpy((ev)->daddr, (t)->daddr, 16);		\
	(ev)->sport = (t)->sport;				\
	(ev)->dport = (t)->dport;				\
	(ev)->family = (t)->family;				\
} while (0)

/* ---- state changes ---- */

/*
 * The fields STATE and STATE4 share.  No comm in softirq: the current task
 * is then whoever was interrupted, and its name would only mislead; the
 * helper call is saved on most of the hottest hook's runs, and the file is
 * no bigger (measured: the zeros compress as well as the repeated names).
 */
#define fill_state(ev, cookie, netns, ectx, t, oldstate, newstate) do {	\
	__builtin_memset(&(ev), 0, sizeof(ev));				\
	(ev).hdr.len = sizeof(ev);					\
	fill_common(&(ev).c, cookie, netns, ectx);			\
	if ((ectx) != SKR_CTX_SOFTIRQ)					\
		bpf_get_current_comm((ev).comm, sizeof((ev).comm));	\
	(ev).sport = (t)->sport;					\
	(ev).dport = (t)->dport;					\
	(ev).family = (t)->family;					\
	(ev).protocol = IPPROTO_TCP;					\
	(ev).oldstate = (__u8)(oldstate);				\
	(ev).newstate = (__u8)(newstate);				\
} while (0)

static __always_inline int record_state(void *ctx, const struct sock *sk,
					__u64 cookie, int oldstate, int newstate,
					const bool btf)
{
	struct tuple t = {};
	__u32 netns = sk_netns(sk, btf);
	__u8 ectx = exec_ctx(sk, btf);

	sk_tuple(sk, &t, btf);
	if (!sock_pass(cookie, t.family, netns, t.sport, t.dport))
		return 0;
	if (task_filtering()) {
		__u64 key = port_key(netns, t.sport);
		__u8 one = 1;
		bool pass = task_pass(cookie, ectx == SKR_CTX_PROCESS);

		/* A child is born in softirq: admit it by its listener's port. */
		if (!pass && oldstate == BPF_TCP_LISTEN &&
		    bpf_map_lookup_elem(&admitted_ports, &key)) {
			admit(cookie);
			pass = true;
		}
		if (!pass)
			return 0;
		if (newstate == BPF_TCP_LISTEN)
			bpf_map_update_elem(&admitted_ports, &key, &one, BPF_ANY);
		else if (oldstate == BPF_TCP_LISTEN && newstate == BPF_TCP_CLOSE)
			bpf_map_delete_elem(&admitted_ports, &key);
	}

	/* IPv4: the compact record, 24 bytes fewer to copy and compress. */
	if (t.family == AF_INET) {
		struct skr_ev_state4 ev;

		fill_state(ev, cookie, netns, ectx, &t, oldstate, newstate);
		ev.hdr.type = SKR_REC_STATE4;
		__builtin_memcpy(ev.saddr, t.saddr, 4);
		__builtin_memcpy(ev.daddr, t.daddr, 4);
		emit(ctx, &ev, sizeof(ev));
	} else {
		struct skr_ev_state ev;

		fill_state(ev, cookie, netns, ectx, &t, oldstate, newstate);
		ev.hdr.type = SKR_REC_STATE;
		__builtin_memcpy(ev.saddr, t.saddr, 16);
		__builtin_memcpy(ev.daddr, t.daddr, 16);
		emit(ctx, &ev, sizeof(ev));
	}
	return 0;
}

static __always_inline int handle_set_state_body(__u64 *ctx)
{
	const struct sock *sk = (const struct sock *)ctx[0];
	__u64 cookie;

	if (!sk_is_tcp(sk, true))
		return 0;
	/* Before any filter: the syscall programs read the cookie this assigns. */
	cookie = bpf_get_socket_cookie((void *)sk);
	return record_state(ctx, sk, cookie, (int)ctx[1], (int)ctx[2], true);
}
TP_BTF_HOOK(inet_sock_set_state, handle_set_state, BUSY_STATE)

SEC("tracepoint/sock/inet_sock_set_state")
int handle_set_state_tp(struct trace_event_raw_inet_sock_set_state *ctx)
{
	const struct sock *sk = ctx->skaddr;

	if (ctx->protocol != IPPROTO_TCP)
		return 0;
	return record_state(ctx, sk, sk_cookie_read(sk), ctx->oldstate,
			    ctx->newstate, false);
}

/* ---- listen() and accept(): syscall tracepoints ---- */

static __always_inline void stash(struct sock *sk, int fd, int backlog)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct inflight in = {};

	in.sk = (__u64)sk;
	in.fd = fd;
	in.backlog = backlog;
	in.again = BPF_CORE_READ(sk, __sk_common.skc_state) == BPF_TCP_LISTEN;
	bpf_map_update_elem(&inflight, &tid, &in, BPF_ANY);
}

SEC("tracepoint/syscalls/sys_enter_listen")
int handle_listen_enter(struct trace_event_raw_sys_enter *ctx)
{
	int fd = (int)ctx->args[0];
	struct sock *sk = fd_to_tcp_sock(fd);

	if (sk)
		stash(sk, fd, (int)ctx->args[1]);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_listen")
int handle_listen_exit(struct trace_event_raw_sys_exit *ctx)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct skr_ev_listen ev;
	struct inflight *in;
	struct tuple t = {};
	struct sock *sk;
	__u64 cookie;
	__u32 netns;

	in = bpf_map_lookup_elem(&inflight, &tid);
	if (!in)
		return 0;
	sk = (struct sock *)in->sk;
	__builtin_memset(&ev, 0, sizeof(ev));
	ev.fd = in->fd;
	ev.backlog = in->backlog;
	ev.flags = in->again ? SKR_LISTEN_AGAIN : 0;
	bpf_map_delete_elem(&inflight, &tid);

	sk_tuple(sk, &t, false);
	netns = sk_netns(sk, false);
	cookie = sk_cookie_read(sk);
	if (!sock_pass(cookie, t.family, netns, t.sport, 0) || !task_pass(cookie, true))
		return 0;
	ev.hdr.len = sizeof(ev);
	ev.hdr.type = SKR_REC_LISTEN;
	fill_common(&ev.c, cookie, netns, SKR_CTX_PROCESS);
	ev.ret = (__s32)ctx->ret;
	ev.max_backlog = BPF_CORE_READ(sk, sk_max_ack_backlog);
	ev.qlen = BPF_CORE_READ(sk, sk_ack_backlog);
	ev.drops = sk_drops(sk, false);
	ev.sport = t.sport;
	ev.family = t.family;
	emit(ctx, &ev, sizeof(ev));
	return 0;
}

/*
 * accept(2) and accept4(2).  The record, once the listener and the child
 * (NULL when the call failed) are known; btf: they are typed pointers.
 */
static __always_inline int record_accept(void *ctx, const struct sock *sk,
					 const struct sock *child, int fd,
					 __s32 ret, __u8 flags, const bool btf)
{
	struct skr_ev_accept ev;
	struct tuple t = {};
	__u64 cookie;
	__u32 netns;

	sk_tuple(sk, &t, btf);
	netns = sk_netns(sk, btf);
	cookie = btf ? sk->__sk_common.skc_cookie.counter : sk_cookie_read(sk);
	if (!sock_pass(cookie, t.family, netns, t.sport, 0) || !task_pass(cookie, true))
		return 0;
	__builtin_memset(&ev, 0, sizeof(ev));
	if (child)
		ev.child_cookie = btf ? child->__sk_common.skc_cookie.counter
				      : sk_cookie_read(child);
	/* The accepting task owns the child from now on. */
	if (task_filtering())
		admit(ev.child_cookie);
	ev.hdr.len = sizeof(ev);
	ev.hdr.type = SKR_REC_ACCEPT;
	fill_common(&ev.c, cookie, netns, SKR_CTX_PROCESS);
	ev.ret = ret;
	ev.fd = fd;
	ev.flags = flags;
	ev.qlen_exit = SKF(btf, sk, sk_ack_backlog);
	/* The queue as the call found the connection it took. */
	ev.qlen = ev.qlen_exit + (ret >= 0 ? 1 : 0);
	ev.max_backlog = SKF(btf, sk, sk_max_ack_backlog);
	ev.drops = sk_drops(sk, btf);
	ev.sport = t.sport;
	ev.family = t.family;
	emit(ctx, &ev, sizeof(ev));
	return 0;
}

/*
 * One program, at exit (6.2+).  The listener's fd is the call's first
 * argument, still in the task's saved user registers (the kernel only puts
 * the return value there), so no entry program and no map carry it across
 * the call; the fd table is read through typed pointers.  Measured on the
 * connection storm: 280 ns per accepted connection, against 730 for the
 * entry/exit pair below.  A thread that closes or replaces the fd while the
 * call blocks leaves a record of whatever socket the fd then holds, or none.
 */
static __always_inline int accept_exit(struct trace_event_raw_sys_exit *ctx,
				       __u8 flags)
{
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(
		bpf_get_current_task_btf());
	int fd = (int)PT_REGS_PARM1_CORE_SYSCALL(regs);
	__s32 ret = (__s32)ctx->ret;
	struct sock *sk, *child = NULL;

	sk = fd_to_tcp_sock_btf(fd);
	if (!sk)
		return 0;
	if (ret >= 0)
		child = fd_to_tcp_sock_btf(ret);
	return record_accept(ctx, sk, child, fd, ret, flags, true);
}

SEC("tracepoint/syscalls/sys_exit_accept")
int handle_accept_exit(struct trace_event_raw_sys_exit *ctx)
{
	return accept_exit(ctx, 0);
}

SEC("tracepoint/syscalls/sys_exit_accept4")
int handle_accept4_exit(struct trace_event_raw_sys_exit *ctx)
{
	return accept_exit(ctx, SKR_ACCEPT_4);
}

/*
 * Kernels without bpf_rdonly_cast (before 6.2) get these instead
 * (record/probes.c picks): entry finds the listener and remembers it by
 * thread id, exit reads everything through probe reads.
 */
static __always_inline int accept_enter_old(struct trace_event_raw_sys_enter *ctx)
{
	int fd = (int)ctx->args[0];
	struct sock *sk = fd_to_tcp_sock(fd);

	if (sk)
		stash(sk, fd, 0);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_accept")
int handle_accept_enter_old(struct trace_event_raw_sys_enter *ctx)
{
	return accept_enter_old(ctx);
}

SEC("tracepoint/syscalls/sys_enter_accept4")
int handle_accept4_enter_old(struct trace_event_raw_sys_enter *ctx)
{
	return accept_enter_old(ctx);
}

static __always_inline int accept_exit_old(struct trace_event_raw_sys_exit *ctx,
					   __u8 flags)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__s32 ret = (__s32)ctx->ret;
	struct sock *sk, *child = NULL;
	struct inflight *in;
	int fd;

	in = bpf_map_lookup_elem(&inflight, &tid);
	if (!in)
		return 0;
	sk = (struct sock *)in->sk;
	fd = in->fd;
	bpf_map_delete_elem(&inflight, &tid);
	if (ret >= 0)
		child = fd_to_tcp_sock(ret);
	return record_accept(ctx, sk, child, fd, ret, flags, false);
}

SEC("tracepoint/syscalls/sys_exit_accept")
int handle_accept_exit_old(struct trace_event_raw_sys_exit *ctx)
{
	return accept_exit_old(ctx, 0);
}

SEC("tracepoint/syscalls/sys_exit_accept4")
int handle_accept4_exit_old(struct trace_event_raw_sys_exit *ctx)
{
	return accept_exit_old(ctx, SKR_ACCEPT_4);
}

/* ---- resets ---- */

/* sk may be NULL (a reset sent in reply to a packet no socket wanted). */
static __always_inline int record_reset(void *ctx, const struct sock *sk,
					const struct sk_buff *skb, __u64 cookie,
					__u32 reason, __u8 dir, const bool btf)
{
	struct skr_ev_reset ev;
	struct tuple t = {};
	__u8 ectx = SKR_CTX_SOFTIRQ;
	__u32 netns;

	if (sk) {
		sk_tuple(sk, &t, btf);
		netns = sk_netns(sk, btf);
		if (state_fullsock(t.state))
			ectx = exec_ctx(sk, btf);
	} else {
		if (!skb || !skb_tuple(skb, true, &t, btf))
			return 0;
		netns = skb_netns(skb, btf);
	}
	if (!sock_pass(cookie, t.family, netns, t.sport, t.dport) ||
	    !task_pass(cookie, ectx == SKR_CTX_PROCESS))
		return 0;
	__builtin_memset(&ev, 0, sizeof(ev));
	ev.hdr.len = sizeof(ev);
	ev.hdr.type = SKR_REC_RESET;
	fill_common(&ev.c, cookie, netns, ectx);
	copy_tuple(&ev, &t);
	ev.state = t.state;
	ev.reason = reason;
	ev.dir = dir;
	emit(ctx, &ev, sizeof(ev));
	return 0;
}

static __always_inline int handle_send_reset_body(__u64 *ctx)
{
	const struct sock *sk = (const struct sock *)ctx[0];
	const struct sk_buff *skb = (const struct sk_buff *)ctx[1];
	__u32 reason = SKR_REASON_NONE;
	__u64 cookie = 0;

	if (rst_nargs >= 3)
		reason = (__u32)ctx[2];
	if (sk)
		cookie = bpf_get_socket_cookie((void *)sk);
	return record_reset(ctx, sk, skb, cookie, reason, SKR_RESET_SENT, true);
}
TP_BTF_HOOK(tcp_send_reset, handle_send_reset, BUSY_SEND_RESET)

SEC("tracepoint/tcp/tcp_send_reset")
int handle_send_reset_tp(struct trace_event_raw_tcp_send_reset *ctx)
{
	const struct sock *sk = ctx->skaddr;
	__u32 reason = SKR_REASON_NONE;

	if (bpf_core_field_exists(ctx->reason))
		reason = ctx->reason;
	return record_reset(ctx, sk, ctx->skbaddr, sk_cookie_read(sk), reason,
			    SKR_RESET_SENT, false);
}

static __always_inline int handle_receive_reset_body(__u64 *ctx)
{
	struct sock *sk = (struct sock *)ctx[0];

	if (!sk)
		return 0;
	return record_reset(ctx, sk, NULL, bpf_get_socket_cookie(sk),
			    SKR_REASON_NONE, SKR_RESET_RECEIVED, true);
}
TP_BTF_HOOK(tcp_receive_reset, handle_receive_reset, BUSY_RECEIVE_RESET)

/* The classic record of tcp_receive_reset and tcp_destroy_sock. */
static __always_inline __u64 tp_sk_cookie(struct trace_event_raw_tcp_event_sk *ctx)
{
	if (bpf_core_field_exists(ctx->sock_cookie))
		return ctx->sock_cookie;
	return sk_cookie_read(ctx->skaddr);
}

SEC("tracepoint/tcp/tcp_receive_reset")
int handle_receive_reset_tp(struct trace_event_raw_tcp_event_sk *ctx)
{
	return record_reset(ctx, ctx->skaddr, NULL, tp_sk_cookie(ctx),
			    SKR_REASON_NONE, SKR_RESET_RECEIVED, false);
}

/* ---- socket errors ---- */

static __always_inline int record_error(void *ctx, __u64 cookie, __u32 netns,
					__u8 ectx, const struct tuple *t,
					int error)
{
	struct skr_ev_sock_error ev;

	/* Some paths report with sk_err already consumed: nothing to say. */
	if (error == 0)
		return 0;
	if (!sock_pass(cookie, t->family, netns, t->sport, t->dport) ||
	    !task_pass(cookie, ectx == SKR_CTX_PROCESS))
		return 0;
	__builtin_memset(&ev, 0, sizeof(ev));
	ev.hdr.len = sizeof(ev);
	ev.hdr.type = SKR_REC_SOCK_ERROR;
	fill_common(&ev.c, cookie, netns, ectx);
	copy_tuple(&ev, t);
	ev.state = t->state;
	ev.error = error;
	emit(ctx, &ev, sizeof(ev));
	return 0;
}

static __always_inline int handle_error_report_body(__u64 *ctx)
{
	const struct sock *sk = (const struct sock *)ctx[0];
	struct tuple t = {};

	if (!sk_is_tcp(sk, true))
		return 0;
	sk_tuple(sk, &t, true);
	return record_error(ctx, bpf_get_socket_cookie((void *)sk),
			    sk_netns(sk, true), exec_ctx(sk, true), &t, sk->sk_err);
}
TP_BTF_HOOK(inet_sk_error_report, handle_error_report, BUSY_ERROR_REPORT)

/* The classic record has no socket: no cookie, no namespace, no state. */
SEC("tracepoint/sock/inet_sk_error_report")
int handle_error_report_tp(struct trace_event_raw_inet_sk_error_report *ctx)
{
	struct tuple t = {};

	if (ctx->protocol != IPPROTO_TCP)
		return 0;
	t.family = (__u8)ctx->family;
	t.sport = ctx->sport;
	t.dport = ctx->dport;
	/* Relocated offsets into the context cannot be loaded directly. */
	if (t.family == AF_INET) {
		bpf_core_read(t.saddr, 4, &ctx->saddr);
		bpf_core_read(t.daddr, 4, &ctx->daddr);
	} else {
		bpf_core_read(t.saddr, 16, &ctx->saddr_v6);
		bpf_core_read(t.daddr, 16, &ctx->daddr_v6);
	}
	return record_error(ctx, 0, 0, SKR_CTX_UNKNOWN, &t, ctx->error);
}

/* ---- retransmits ---- */

static __always_inline int record_retrans(void *ctx, const struct sock *sk,
					  const struct sock *req, __u64 cookie,
					  int err, const bool btf)
{
	struct skr_ev_retransmit ev;
	struct tuple t = {};
	__u32 netns = sk_netns(sk, btf);
	__u8 ectx = exec_ctx(sk, btf);

	/* A SYN-ACK's addresses are the request's; its state the listener's. */
	sk_tuple(req ? req : sk, &t, btf);
	if (!sock_pass(cookie, t.family, netns, t.sport, t.dport) ||
	    !task_pass(cookie, ectx == SKR_CTX_PROCESS))
		return 0;
	__builtin_memset(&ev, 0, sizeof(ev));
	ev.hdr.len = sizeof(ev);
	ev.hdr.type = SKR_REC_RETRANSMIT;
	fill_common(&ev.c, cookie, netns, ectx);
	copy_tuple(&ev, &t);
	ev.state = SKC(btf, sk, skc_state);
	if (req) {
		ev.kind = SKR_RETRANS_SYNACK;
		ev.retrans = SKF(btf, (const struct request_sock *)req,
				 num_retrans);
	} else {
		const struct tcp_sock *tp = btf ? tcp_of(sk) :
					    (const struct tcp_sock *)sk;

		ev.kind = SKR_RETRANS_DATA;
		if (tp)
			ev.retrans = SKF(btf, tp, total_retrans);
		ev.err = err;
	}
	emit(ctx, &ev, sizeof(ev));
	return 0;
}

static __always_inline int handle_retransmit_skb_body(__u64 *ctx)
{
	const struct sock *sk = (const struct sock *)ctx[0];
	int err = 0;

	if (!sk)
		return 0;
	if (retrans_nargs >= 3)
		err = (int)ctx[2];
	return record_retrans(ctx, sk, NULL, bpf_get_socket_cookie((void *)sk),
			      err, true);
}
TP_BTF_HOOK(tcp_retransmit_skb, handle_retransmit_skb, BUSY_RETRANSMIT)

SEC("tracepoint/tcp/tcp_retransmit_skb")
int handle_retransmit_skb_tp(struct trace_event_raw_tcp_retransmit_skb *ctx)
{
	const struct sock *sk = ctx->skaddr;
	int err = 0;

	if (!sk)
		return 0;
	if (bpf_core_field_exists(ctx->err))
		err = ctx->err;
	return record_retrans(ctx, sk, NULL, sk_cookie_read(sk), err, false);
}

static __always_inline int handle_retransmit_synack_body(__u64 *ctx)
{
	const struct sock *sk = (const struct sock *)ctx[0];
	const struct sock *req = (const struct sock *)ctx[1];

	if (!sk || !req)
		return 0;
	return record_retrans(ctx, sk, req, bpf_get_socket_cookie((void *)sk),
			      0, true);
}
TP_BTF_HOOK(tcp_retransmit_synack, handle_retransmit_synack, BUSY_SYNACK)

SEC("tracepoint/tcp/tcp_retransmit_synack")
int handle_retransmit_synack_tp(struct trace_event_raw_tcp_retransmit_synack *ctx)
{
	const struct sock *sk = ctx->skaddr;

	return record_retrans(ctx, sk, ctx->req, sk_cookie_read(sk), 0, false);
}

/* ---- destroy ---- */

static __always_inline int record_destroy(void *ctx, const struct sock *sk,
					  __u64 cookie, const bool btf)
{
	const struct tcp_sock *tp = btf ? tcp_of(sk) :
				    (const struct tcp_sock *)sk;
	struct skr_ev_destroy ev;
	struct tuple t = {};
	__u32 netns = sk_netns(sk, btf);
	__u8 ectx = exec_ctx(sk, btf);
	bool pass;

	sk_tuple(sk, &t, btf);
	pass = sock_pass(cookie, t.family, netns, t.sport, t.dport) &&
	       task_pass(cookie, ectx == SKR_CTX_PROCESS);
	/* The socket's last event: nothing more to admit it for. */
	forget(cookie);
	if (!pass)
		return 0;
	__builtin_memset(&ev, 0, sizeof(ev));
	ev.hdr.len = sizeof(ev);
	ev.hdr.type = SKR_REC_DESTROY;
	fill_common(&ev.c, cookie, netns, ectx);
	if (tp) {
		ev.bytes_acked = SKF(btf, tp, bytes_acked);
		ev.bytes_received = SKF(btf, tp, bytes_received);
		ev.segs_in = SKF(btf, tp, segs_in);
		ev.segs_out = SKF(btf, tp, segs_out);
		ev.total_retrans = SKF(btf, tp, total_retrans);
		ev.srtt_us = SKF(btf, tp, srtt_us) >> 3;
	}
	ev.drops = sk_drops(sk, btf);
	ev.sport = t.sport;
	ev.dport = t.dport;
	ev.family = t.family;
	ev.state = t.state;
	emit(ctx, &ev, sizeof(ev));
	return 0;
}

static __always_inline int handle_destroy_body(__u64 *ctx)
{
	struct sock *sk = (struct sock *)ctx[0];

	if (!sk_is_tcp(sk, true))
		return 0;
	return record_destroy(ctx, sk, bpf_get_socket_cookie(sk), true);
}
TP_BTF_HOOK(tcp_destroy_sock, handle_destroy, BUSY_DESTROY)

SEC("tracepoint/tcp/tcp_destroy_sock")
int handle_destroy_tp(struct trace_event_raw_tcp_event_sk *ctx)
{
	return record_destroy(ctx, ctx->skaddr, tp_sk_cookie(ctx), false);
}

/* ---- packet drops with a reason ---- */

/*
 * Called for every freed-with-reason packet of the host, so it leaves early:
 * only TCP packets (by their socket, or by their headers) go on.
 */
static __always_inline int record_drop(void *ctx, const struct sk_buff *skb,
				       __u64 location, __u32 reason,
				       const struct sock *rx_sk, const bool btf)
{
	const struct sock *sk = SKF(btf, skb, sk);
	struct skr_ev_skb_drop ev;
	struct tuple t = {};
	bool have = false;
	__u64 cookie = 0;
	__u32 netns;

	if (!sk)
		sk = rx_sk;
	if (sk) {
		__u8 state = SKC(btf, sk, skc_state);
		__u16 family = SKC(btf, sk, skc_family);

		/* Timewait and request sockets exist only for TCP here. */
		if ((family == AF_INET || family == AF_INET6) &&
		    (!state_fullsock(state) || sk_is_tcp(sk, btf))) {
			sk_tuple(sk, &t, btf);
			have = true;
		}
	}
	if (!have) {
		sk = NULL;
		if (!skb_tuple(skb, true, &t, btf))
			return 0;
	}
	if (btf)
		cookie = sk ? sk->__sk_common.skc_cookie.counter : 0;
	else
		cookie = sk_cookie_read(sk);
	netns = sk ? sk_netns(sk, btf) : skb_netns(skb, btf);
	/* A drop is no task's act: it passes task filters by its socket only. */
	if (!sock_pass(cookie, t.family, netns, t.sport, t.dport) ||
	    !task_pass(cookie, false))
		return 0;
	__builtin_memset(&ev, 0, sizeof(ev));
	ev.hdr.len = sizeof(ev);
	ev.hdr.type = SKR_REC_SKB_DROP;
	fill_common(&ev.c, cookie, netns, SKR_CTX_UNKNOWN);
	copy_tuple(&ev, &t);
	ev.state = sk ? t.state : 0;
	ev.location = location;
	ev.reason = reason;
	emit(ctx, &ev, sizeof(ev));
	return 0;
}

static __always_inline int handle_kfree_skb_body(__u64 *ctx)
{
	const struct sk_buff *skb = (const struct sk_buff *)ctx[0];
	const struct sock *rx_sk = NULL;
	__u32 reason = SKR_REASON_NONE;

	if (!skb)
		return 0;
	if (drop_nargs >= 3)
		reason = (__u32)ctx[2];
	if (drop_nargs >= 4)
		rx_sk = (const struct sock *)ctx[3];
	return record_drop(ctx, skb, ctx[1], reason, rx_sk, true);
}
TP_BTF_HOOK(kfree_skb, handle_kfree_skb, BUSY_KFREE_SKB)

SEC("tracepoint/skb/kfree_skb")
int handle_kfree_skb_tp(struct trace_event_raw_kfree_skb *ctx)
{
	const struct sock *rx_sk = NULL;
	__u32 reason = SKR_REASON_NONE;

	if (bpf_core_field_exists(ctx->reason))
		reason = ctx->reason;
	if (bpf_core_field_exists(ctx->rx_sk))
		rx_sk = ctx->rx_sk;
	return record_drop(ctx, ctx->skbaddr, (__u64)ctx->location, reason,
			   rx_sk, false);
}
