// SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only)
/*
 * Kernel side of sockrec: turns TCP socket events into fixed-layout records
 * (format/skr_events.h) and hands them, unchanged, to a per-CPU perf buffer.
 *
 * Most hooks come in two tiers: a tp_btf program (typed arguments, socket
 * cookie helper) and a classic tracepoint program (an address in a trace
 * record, cookie read from the socket).  record/probes_tiers.c chooses one
 * per hook before load and disables the other; both share one body.
 * docs/EVENTS.md lists every hook, its tiers and its fields.
 *
 * The one BPF object (and skeleton) is built from this file: it holds the
 * hooks' argument shapes and the state hook, and includes the rest, each
 * header one job: bpf/output.bpf.h (perf output, common block, the
 * --recover-misses twins), bpf/syscalls.bpf.h (listen, accept) and
 * bpf/tcp_events.bpf.h (resets, errors, retransmits, destroy, drops).
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

#include "bpf/output.bpf.h"

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

/*
 * The other hooks after this one, so the object lists its programs in the
 * order they always had (state first), as bpftool and the skeleton show.
 */
#include "bpf/syscalls.bpf.h"
#include "bpf/tcp_events.bpf.h"
