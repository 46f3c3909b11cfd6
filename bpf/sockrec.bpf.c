// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
/*
 * Kernel side of sockrec: turns TCP state changes into fixed-layout records
 * (format/skr_events.h) and hands them, unchanged, to a per-CPU perf buffer.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_tracing.h>

#include "format/skr_events.h"

#define AF_INET		2
#define AF_INET6	10
#define IPPROTO_TCP	6

char LICENSE[] SEC("license") = "Dual BSD/GPL";

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
static __always_inline __u8 exec_ctx(const struct sock *sk)
{
	if (!bpf_core_field_exists(sk->sk_lock.owned))
		return SKR_CTX_UNKNOWN;
	return BPF_CORE_READ(sk, sk_lock.owned) ? SKR_CTX_PROCESS : SKR_CTX_SOFTIRQ;
}

static __always_inline void fill_common(struct skr_ev_common *c,
					const struct sock *sk)
{
	__u64 id = bpf_get_current_pid_tgid();

	c->ts_ns = bpf_ktime_get_boot_ns();
	c->cookie = bpf_get_socket_cookie((void *)sk);
	c->netns = BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum);
	c->tgid = id >> 32;
	c->tid = (__u32)id;
	c->cpu = (__u16)bpf_get_smp_processor_id();
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

static __always_inline int record_state(void *ctx, const struct sock *sk,
					int oldstate, int newstate)
{
	struct skr_ev_state ev;
	__u16 family;

	/* sk_protocol is a plain u16 since 5.6, older than any tp_btf we need. */
	if (BPF_CORE_READ(sk, sk_protocol) != IPPROTO_TCP)
		return 0;

	__builtin_memset(&ev, 0, sizeof(ev));
	ev.hdr.len = sizeof(ev);
	ev.hdr.type = SKR_REC_STATE;
	fill_common(&ev.c, sk);
	ev.c.ctx = exec_ctx(sk);
	bpf_get_current_comm(ev.comm, sizeof(ev.comm));

	family = BPF_CORE_READ(sk, __sk_common.skc_family);
	ev.family = (__u8)family;
	ev.protocol = IPPROTO_TCP;
	ev.sport = BPF_CORE_READ(sk, __sk_common.skc_num);
	ev.dport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	ev.oldstate = (__u8)oldstate;
	ev.newstate = (__u8)newstate;

	/* Explicit sizes: the READ_INTO macros would size by one array element. */
	if (family == AF_INET) {
		bpf_core_read(ev.saddr, sizeof(sk->__sk_common.skc_rcv_saddr),
			      &sk->__sk_common.skc_rcv_saddr);
		bpf_core_read(ev.daddr, sizeof(sk->__sk_common.skc_daddr),
			      &sk->__sk_common.skc_daddr);
	} else if (family == AF_INET6) {
		bpf_core_read(ev.saddr, sizeof(sk->__sk_common.skc_v6_rcv_saddr),
			      &sk->__sk_common.skc_v6_rcv_saddr);
		bpf_core_read(ev.daddr, sizeof(sk->__sk_common.skc_v6_daddr),
			      &sk->__sk_common.skc_v6_daddr);
	}

	emit(ctx, &ev, sizeof(ev));
	return 0;
}

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(handle_set_state, const struct sock *sk, int oldstate,
	     int newstate)
{
	return record_state(ctx, sk, oldstate, newstate);
}
