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
#include "bpf/ident.bpf.h"

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

/*
 * A child socket's birth (LISTEN -> SYN_RECV) held back until the child is
 * complete.  Older kernels' inet_csk_clone_lock() (6.1 and 6.12; not 6.18)
 * announces SYN_RECV right after copying the listener, before it gives the
 * child its own addresses, ports and cookie: the event would carry the
 * listener's cookie and tuple.  The child's next transition (always from
 * SYN_RECV: to ESTABLISHED, or to CLOSE if the handshake is abandoned)
 * sees it complete, so the birth is written then, with its own time and
 * context.  Keyed by the child's address, which is unique while it lives.
 *
 * That next transition follows within microseconds, except for a Fast Open
 * child waiting for the client's ACK.  A birth written later than
 * BIRTH_LATE_NS is stamped BIRTH_LATE_NS before its writing: the recorder's
 * ROUND markers (record/perfbuf.c) promise that nothing written after a
 * sweep is older than the sweep before, 100 ms earlier.
 */
#define BIRTH_LATE_NS	50000000ull

struct birth {
	__u64 ts_ns;
	__u32 tgid;
	__u32 tid;
	__u16 cpu;
	__u8 ctx;
	__u8 pad[5];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct birth);
} births SEC(".maps");

/*
 * Set once a birth was held: on kernels that announce a child complete
 * (6.18) it never is, and the state hook then skips the births lookup of
 * every SYN_RECV transition (a hash lookup per connection).
 */
__u32 births_held = 0;

/* Who ran the birth: not the task that runs the child's next event. */
static __always_inline void birth_common(struct skr_ev_common *c,
					 const struct birth *b, char *comm)
{
	__builtin_memset(comm, 0, SKR_COMM_LEN);
	c->ts_ns = b->ts_ns;
	c->tgid = b->tgid;
	c->tid = b->tid;
	c->cpu = b->cpu;
}

/*
 * COUNTERS: the socket's counters as it enters CLOSE, where they are still
 * true.  tcp_disconnect() (a refused or timed-out connect, a close with
 * SO_LINGER 0) calls tcp_set_state(sk, TCP_CLOSE) first and zeroes bytes,
 * segments, retransmits and srtt after it, long before tcp_destroy_sock.
 * The common block is the transition's (c): the same instant, and three
 * helper calls saved.  False if sk is no full TCP socket: no record then.
 */
static __always_inline bool fill_counters(struct skr_ev_counters *ev,
					  const struct sock *sk,
					  const struct skr_ev_common *c,
					  const bool btf)
{
	const struct tcp_sock *tp = btf ? bpf_skc_to_tcp_sock((void *)sk) :
				    (const struct tcp_sock *)sk;

	if (!tp)
		return false;
	__builtin_memset(ev, 0, sizeof(*ev));
	ev->hdr.len = sizeof(*ev);
	ev->hdr.type = SKR_REC_COUNTERS;
	ev->c = *c;
	SKF_TCP_COUNTERS(ev, btf, tp);
	return true;
}

/*
 * A transition to CLOSE and the COUNTERS record that follows it leave in
 * one output, two records back to back in one sample (record/perfbuf.c
 * splits them): a perf output is about a third of the program's time.
 * A listener has nothing to count.
 */
struct state4_close {
	struct skr_ev_state4 st;
	struct skr_ev_counters cn;
};

struct state_close {
	struct skr_ev_state st;
	struct skr_ev_counters cn;
};

/* Built in place in the staging area: whole words, inside its slack. */
_Static_assert(sizeof(struct state_close) % 8 == 0 &&
	       sizeof(struct state_close) <= 255 &&
	       sizeof(struct state4_close) % 8 == 0 &&
	       sizeof(struct skr_ev_state4) % 8 == 0 &&
	       sizeof(struct skr_ev_state) % 8 == 0,
	       "a state record is whole 8-byte words, at most 255 bytes");

static __always_inline bool counts_at(int oldstate, int newstate)
{
	return newstate == BPF_TCP_CLOSE && oldstate != BPF_TCP_LISTEN &&
	       oldstate != BPF_TCP_CLOSE;
}

/*
 * emit_state()'s record of type T (struct state4_close or state_close:
 * record type RT, addresses of ALEN bytes), built in place in the staging
 * area (stage_reserve); on the stack only when the area is busy or off.
 * The room reserved is the size the record will have unless
 * fill_counters() finds no TCP socket, so batches end where they did when
 * records were copied.  It reads emit_state()'s own variables.
 */
#define STATE_IN_PLACE(T, RT, ALEN) do {					\
	T sev, *ev;							\
	bool cnt = counts_at(oldstate, newstate);			\
	__u64 size = cnt ? sizeof(sev) : sizeof(sev.st);		\
	void *at = &sev;	/* the staging area's room, if it has one */	\
	struct stage *st = stage_reserve(ctx, size, &at);		\
									\
	ev = at;							\
	fill_state(ev->st, cookie, netns, ectx, &t, oldstate, newstate);	\
	ev->st.c.pad = held_mark(v);					\
	ev->st.hdr.type = (RT);						\
	__builtin_memcpy(ev->st.saddr, t.saddr, (ALEN));		\
	__builtin_memcpy(ev->st.daddr, t.daddr, (ALEN));		\
	if (b)								\
		birth_common(&ev->st.c, b, ev->st.comm);		\
	size = cnt && fill_counters(&ev->cn, sk, &ev->st.c, btf) ?	\
	       sizeof(*ev) : sizeof(ev->st);				\
	stage_end(ctx, st, ev, size);					\
} while (0)

/* The record of one transition; b: a held-back birth's time and context. */
static __always_inline int emit_state(void *ctx, const struct sock *sk,
				      __u64 cookie, int oldstate, int newstate,
				      const struct birth *b, const bool btf)
{
	struct tuple t = {};
	__u32 netns = sk_netns(sk, btf);
	__u8 ectx = b ? b->ctx : exec_ctx(sk, btf), v = TASK_PASS;

	sk_tuple(sk, &t, btf);
	if (!btf)
		own_id_tuple(&t, cookie, netns);
	if (!sock_pass(cookie, t.family, netns, t.sport, t.dport))
		return 0;
	if (task_filtering()) {
		__u64 key = port_key(netns, t.sport);
		__u8 one = 1;

		v = task_pass(cookie, ectx == SKR_CTX_PROCESS);
		/* A child is born in softirq: admit it by its listener's port. */
		if (v != TASK_PASS && oldstate == BPF_TCP_LISTEN &&
		    bpf_map_lookup_elem(&admitted_ports, &key)) {
			admit(cookie);
			v = TASK_PASS;
		}
		if (v == TASK_DROP)
			return 0;
		/* A held listener is no matching task's (yet): no port for it. */
		if (newstate == BPF_TCP_LISTEN && v == TASK_PASS)
			bpf_map_update_elem(&admitted_ports, &key, &one, BPF_ANY);
		else if (oldstate == BPF_TCP_LISTEN && newstate == BPF_TCP_CLOSE)
			bpf_map_delete_elem(&admitted_ports, &key);
	}

	/* IPv4: the compact record, 24 bytes fewer to copy and compress. */
	if (t.family == AF_INET)
		STATE_IN_PLACE(struct state4_close, SKR_REC_STATE4, 4);
	else
		STATE_IN_PLACE(struct state_close, SKR_REC_STATE, 16);
	return 0;
}
#undef STATE_IN_PLACE

static __always_inline int record_state(void *ctx, const struct sock *sk,
					__u64 cookie, int oldstate, int newstate,
					const bool btf)
{
	__u64 key = (__u64)(unsigned long)sk;
	struct birth *held, b;

	/* A listener's remote port is 0; a complete child's never is. */
	if (oldstate == BPF_TCP_LISTEN && newstate == BPF_TCP_SYN_RECV &&
	    SKC(btf, sk, skc_dport) == 0) {
		__u64 id = bpf_get_current_pid_tgid();

		__builtin_memset(&b, 0, sizeof(b));
		b.ts_ns = bpf_ktime_get_boot_ns();
		b.tgid = id >> 32;
		b.tid = (__u32)id;
		b.cpu = (__u16)bpf_get_smp_processor_id();
		b.ctx = exec_ctx(sk, btf);
		if (!births_held)
			births_held = 1;
		bpf_map_update_elem(&births, &key, &b, BPF_ANY);
		return 0;
	}
	if (oldstate == BPF_TCP_SYN_RECV && births_held) {
		held = bpf_map_lookup_elem(&births, &key);
		if (held) {
			__u64 now = bpf_ktime_get_boot_ns();

			b = *held;
			bpf_map_delete_elem(&births, &key);
			if (now - b.ts_ns > BIRTH_LATE_NS)
				b.ts_ns = now - BIRTH_LATE_NS;
			if (!btf)
				cookie = own_ids ? own_id(sk, true) :
					 sk_cookie_read(sk);
			emit_state(ctx, sk, cookie, BPF_TCP_LISTEN,
				   BPF_TCP_SYN_RECV, &b, btf);
			return emit_state(ctx, sk, cookie, oldstate, newstate,
					  NULL, btf);
		}
	}
	/* The classic tier names the socket here (btf: the caller did). */
	if (!btf)
		cookie = own_ids ? own_id(sk, oldstate == BPF_TCP_LISTEN &&
					      newstate == BPF_TCP_SYN_RECV) :
			 sk_cookie_read(sk);
	return emit_state(ctx, sk, cookie, oldstate, newstate, NULL, btf);
}

static __always_inline int handle_set_state_body(__u64 *ctx)
{
	const struct sock *sk = (const struct sock *)ctx[0];
	__u64 cookie;

	if (!sk_is_tcp(sk, true))
		return 0;
	/* Before any filter: the syscall programs read the cookie this assigns. */
	cookie = sk_cookie_btf((struct sock *)sk);
	return record_state(ctx, sk, cookie, (int)ctx[1], (int)ctx[2], true);
}
TP_BTF_HOOK(inet_sock_set_state, handle_set_state, BUSY_STATE)

SEC("tracepoint/sock/inet_sock_set_state")
int handle_set_state_tp(struct trace_event_raw_inet_sock_set_state *ctx)
{
	const struct sock *sk = ctx->skaddr;

	if (ctx->protocol != IPPROTO_TCP)
		return 0;
	return record_state(ctx, sk, 0, ctx->oldstate, ctx->newstate, false);
}

/*
 * The other hooks after this one, so the object lists its programs in the
 * order they always had (state first), as bpftool and the skeleton show.
 */
#include "bpf/syscalls.bpf.h"
#include "bpf/tcp_events.bpf.h"
