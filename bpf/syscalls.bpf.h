/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only) */
/*
 * listen() and accept(): the programs on the syscall tracepoints that
 * write LISTEN and ACCEPT records, and the inflight map that carries a
 * call's socket from entry to exit where one program cannot see both.
 * Part of the one BPF object built from bpf/sockrec.bpf.c, which includes
 * it after bpf/output.bpf.h.
 */
#ifndef SKR_BPF_SYSCALLS_H
#define SKR_BPF_SYSCALLS_H

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
	__u8 v;

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
	cookie = sock_ident(sk);
	if (!sock_pass(cookie, t.family, netns, t.sport, 0))
		return 0;
	v = task_pass(cookie, true);
	if (v == TASK_DROP)
		return 0;
	ev.hdr.len = sizeof(ev);
	ev.hdr.type = SKR_REC_LISTEN;
	fill_common(&ev.c, cookie, netns, SKR_CTX_PROCESS);
	ev.c.pad = held_mark(v);
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
	struct skr_ev_accept sev, *ev;
	struct tuple t = {};
	__u64 cookie, child_cookie = 0;
	struct stage *st;
	__u32 netns;
	__u8 v;

	sk_tuple(sk, &t, btf);
	netns = sk_netns(sk, btf);
	cookie = btf ? sk->__sk_common.skc_cookie.counter : sock_ident(sk);
	if (!sock_pass(cookie, t.family, netns, t.sport, 0))
		return 0;
	v = task_pass(cookie, true);
	if (v == TASK_DROP)
		return 0;
	if (child)
		child_cookie = btf ? child->__sk_common.skc_cookie.counter
				   : sock_ident(child);
	/* The accepting task owns the child from now on (not a held one's). */
	if (task_filtering() && v == TASK_PASS)
		admit(child_cookie);
	/* One run per connection: built in place, as the state record. */
	STAGE_PLACE(ctx, struct skr_ev_accept, sev, ev, st);
	__builtin_memset(ev, 0, sizeof(*ev));
	ev->child_cookie = child_cookie;
	ev->hdr.len = sizeof(*ev);
	ev->hdr.type = SKR_REC_ACCEPT;
	fill_common(&ev->c, cookie, netns, SKR_CTX_PROCESS);
	ev->c.pad = held_mark(v);
	ev->ret = ret;
	ev->fd = fd;
	ev->flags = flags;
	ev->qlen_exit = SKF(btf, sk, sk_ack_backlog);
	/* The queue as the call found the connection it took. */
	ev->qlen = ev->qlen_exit + (ret >= 0 ? 1 : 0);
	ev->max_backlog = SKF(btf, sk, sk_max_ack_backlog);
	ev->drops = sk_drops(sk, btf);
	ev->sport = t.sport;
	ev->family = t.family;
	stage_end(ctx, st, ev, sizeof(*ev));
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
	struct task_struct *task = bpf_get_current_task_btf();
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(task);
	/* A typed pointer: a plain load on x86, no probe read. */
	int fd = (int)PT_REGS_PARM1_SYSCALL(regs);
	__s32 ret = (__s32)ctx->ret;
	struct sock *sk, *child = NULL;

	sk = fd_to_tcp_sock_btf(task, fd);
	if (!sk)
		return 0;
	if (ret >= 0)
		child = fd_to_tcp_sock_btf(task, ret);
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
 * (record/probes_tiers.c picks): entry finds the listener and remembers it
 * by thread id, exit reads everything through probe reads.
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

#endif /* SKR_BPF_SYSCALLS_H */
