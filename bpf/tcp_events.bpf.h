/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only) */
/*
 * TCP events besides state changes: resets, socket errors, retransmits,
 * destroy and packet drops (RESET, SOCK_ERROR, RETRANSMIT, DESTROY and
 * SKB_DROP records), each hook a tp_btf program (with its twin) and a
 * classic tracepoint program sharing one body.  Part of the one BPF object
 * built from bpf/sockrec.bpf.c, which includes it after bpf/output.bpf.h
 * and defines the argument shapes (rst_nargs, ...) read here.
 */
#ifndef SKR_BPF_TCP_EVENTS_H
#define SKR_BPF_TCP_EVENTS_H

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

#define copy_tuple(ev, t) do {					\
	__builtin_memcpy((ev)->saddr, (t)->saddr, 16);		\
	__builtin_memcpy((ev)->daddr, (t)->daddr, 16);		\
	(ev)->sport = (t)->sport;				\
	(ev)->dport = (t)->dport;				\
	(ev)->family = (t)->family;				\
} while (0)

/* ---- resets ---- */

/* sk may be NULL (a reset sent in reply to a packet no socket wanted). */
static __always_inline int record_reset(void *ctx, const struct sock *sk,
					const struct sk_buff *skb, __u64 cookie,
					__u32 reason, __u8 dir, const bool btf)
{
	struct skr_ev_reset ev;
	struct tuple t = {};
	__u8 ectx = SKR_CTX_SOFTIRQ, v;
	__u32 netns;

	if (sk) {
		sk_tuple(sk, &t, btf);
		netns = sk_netns(sk, btf);
		if (state_fullsock(t.state)) {
			ectx = exec_ctx(sk, btf);
			/* A refused connect's last full tuple before its error. */
			own_id_tuple(&t, cookie, netns);
		}
	} else {
		if (!skb || !skb_tuple(skb, true, &t, btf))
			return 0;
		netns = skb_netns(skb, btf);
	}
	if (!sock_pass(cookie, t.family, netns, t.sport, t.dport))
		return 0;
	v = task_pass(cookie, ectx == SKR_CTX_PROCESS);
	if (v == TASK_DROP)
		return 0;
	__builtin_memset(&ev, 0, sizeof(ev));
	ev.hdr.len = sizeof(ev);
	ev.hdr.type = SKR_REC_RESET;
	fill_common(&ev.c, cookie, netns, ectx);
	ev.c.pad = held_mark(v);
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
		cookie = sock_ident_btf((void *)sk);
	return record_reset(ctx, sk, skb, cookie, reason, SKR_RESET_SENT, true);
}
TP_BTF_HOOK(tcp_send_reset, handle_send_reset, BUSY_SEND_RESET)

/*
 * The classic record of tcp_send_reset and tcp_retransmit_skb before each
 * got a class of its own (6.10 and 6.16 or so): 6.1 has only this for both,
 * 6.12 for tcp_retransmit_skb.  A flavour: CO-RE matches it to the
 * kernel's trace_event_raw_tcp_event_sk_skb, which this vmlinux.h may lack.
 */
struct trace_event_raw_tcp_event_sk_skb___old {
	const void *skbaddr;
	const void *skaddr;
} __attribute__((preserve_access_index));

SEC("tracepoint/tcp/tcp_send_reset")
int handle_send_reset_tp(void *ctx)
{
	struct trace_event_raw_tcp_send_reset *e = ctx;
	struct trace_event_raw_tcp_event_sk_skb___old *o = ctx;
	const struct sk_buff *skb;
	__u32 reason = SKR_REASON_NONE;
	const struct sock *sk;

	if (bpf_core_type_exists(struct trace_event_raw_tcp_send_reset)) {
		sk = e->skaddr;
		skb = e->skbaddr;
		if (bpf_core_field_exists(e->reason))
			reason = e->reason;
	} else {
		sk = o->skaddr;
		skb = o->skbaddr;
	}
	return record_reset(ctx, sk, skb, sock_ident(sk), reason,
			    SKR_RESET_SENT, false);
}

static __always_inline int handle_receive_reset_body(__u64 *ctx)
{
	struct sock *sk = (struct sock *)ctx[0];

	if (!sk)
		return 0;
	return record_reset(ctx, sk, NULL, sock_ident_btf(sk),
			    SKR_REASON_NONE, SKR_RESET_RECEIVED, true);
}
TP_BTF_HOOK(tcp_receive_reset, handle_receive_reset, BUSY_RECEIVE_RESET)

/* The classic record of tcp_receive_reset and tcp_destroy_sock. */
static __always_inline __u64 tp_sk_cookie(struct trace_event_raw_tcp_event_sk *ctx)
{
	if (own_ids)
		return sock_ident(ctx->skaddr);
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
	__u8 v;

	/* Some paths report with sk_err already consumed: nothing to say. */
	if (error == 0)
		return 0;
	if (!sock_pass(cookie, t->family, netns, t->sport, t->dport))
		return 0;
	v = task_pass(cookie, ectx == SKR_CTX_PROCESS);
	if (v == TASK_DROP)
		return 0;
	__builtin_memset(&ev, 0, sizeof(ev));
	ev.hdr.len = sizeof(ev);
	ev.hdr.type = SKR_REC_SOCK_ERROR;
	fill_common(&ev.c, cookie, netns, ectx);
	ev.c.pad = held_mark(v);
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
	return record_error(ctx, sock_ident_btf((void *)sk),
			    sk_netns(sk, true), exec_ctx(sk, true), &t, sk->sk_err);
}
TP_BTF_HOOK(inet_sk_error_report, handle_error_report, BUSY_ERROR_REPORT)

/*
 * The classic record has no socket and no namespace: with own ids
 * (bpf/ident.bpf.h), the socket last seen with its tuple; otherwise none.
 */
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
	if (own_ids) {
		const struct tuple_id *id = own_id_by_tuple(&t);

		if (id)
			return record_error(ctx, id->id, id->netns,
					    SKR_CTX_UNKNOWN, &t, ctx->error);
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
	__u8 ectx = exec_ctx(sk, btf), v;

	/* A SYN-ACK's addresses are the request's; its state the listener's. */
	sk_tuple(req ? req : sk, &t, btf);
	if (!req)
		own_id_tuple(&t, cookie, netns);
	if (!sock_pass(cookie, t.family, netns, t.sport, t.dport))
		return 0;
	v = task_pass(cookie, ectx == SKR_CTX_PROCESS);
	if (v == TASK_DROP)
		return 0;
	__builtin_memset(&ev, 0, sizeof(ev));
	ev.hdr.len = sizeof(ev);
	ev.hdr.type = SKR_REC_RETRANSMIT;
	fill_common(&ev.c, cookie, netns, ectx);
	ev.c.pad = held_mark(v);
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
	return record_retrans(ctx, sk, NULL, sock_ident_btf((void *)sk),
			      err, true);
}
TP_BTF_HOOK(tcp_retransmit_skb, handle_retransmit_skb, BUSY_RETRANSMIT)

SEC("tracepoint/tcp/tcp_retransmit_skb")
int handle_retransmit_skb_tp(void *ctx)
{
	struct trace_event_raw_tcp_retransmit_skb *e = ctx;
	struct trace_event_raw_tcp_event_sk_skb___old *o = ctx;
	const struct sock *sk;
	int err = 0;

	if (bpf_core_type_exists(struct trace_event_raw_tcp_retransmit_skb)) {
		sk = e->skaddr;
		if (bpf_core_field_exists(e->err))
			err = e->err;
	} else {
		sk = o->skaddr;
	}
	if (!sk)
		return 0;
	return record_retrans(ctx, sk, NULL, sock_ident(sk), err, false);
}

static __always_inline int handle_retransmit_synack_body(__u64 *ctx)
{
	const struct sock *sk = (const struct sock *)ctx[0];
	const struct sock *req = (const struct sock *)ctx[1];

	if (!sk || !req)
		return 0;
	return record_retrans(ctx, sk, req, sock_ident_btf((void *)sk),
			      0, true);
}
TP_BTF_HOOK(tcp_retransmit_synack, handle_retransmit_synack, BUSY_SYNACK)

SEC("tracepoint/tcp/tcp_retransmit_synack")
int handle_retransmit_synack_tp(struct trace_event_raw_tcp_retransmit_synack *ctx)
{
	const struct sock *sk = ctx->skaddr;

	return record_retrans(ctx, sk, ctx->req, sock_ident(sk), 0, false);
}

/* ---- destroy ---- */

static __always_inline int record_destroy(void *ctx, const struct sock *sk,
					  __u64 cookie, const bool btf)
{
	const struct tcp_sock *tp = btf ? tcp_of(sk) :
				    (const struct tcp_sock *)sk;
	struct skr_ev_destroy sev, *ev;
	struct tuple t = {};
	__u32 netns = sk_netns(sk, btf);
	__u8 ectx = exec_ctx(sk, btf), v = TASK_DROP;
	struct stage *st;

	sk_tuple(sk, &t, btf);
	if (sock_pass(cookie, t.family, netns, t.sport, t.dport))
		v = task_pass(cookie, ectx == SKR_CTX_PROCESS);
	/* The socket's last event: nothing more to admit it for. */
	forget(cookie);
	own_id_forget(sk);
	if (v == TASK_DROP)
		return 0;
	/* Two runs per connection: built in place, as the state record. */
	STAGE_PLACE(ctx, struct skr_ev_destroy, sev, ev, st);
	__builtin_memset(ev, 0, sizeof(*ev));
	ev->hdr.len = sizeof(*ev);
	ev->hdr.type = SKR_REC_DESTROY;
	fill_common(&ev->c, cookie, netns, ectx);
	ev->c.pad = held_mark(v);
	if (tp)
		SKF_TCP_COUNTERS(ev, btf, tp);
	ev->drops = sk_drops(sk, btf);
	ev->sport = t.sport;
	ev->dport = t.dport;
	ev->family = t.family;
	ev->state = t.state;
	stage_end(ctx, st, ev, sizeof(*ev));
	return 0;
}

static __always_inline int handle_destroy_body(__u64 *ctx)
{
	struct sock *sk = (struct sock *)ctx[0];

	if (!sk_is_tcp(sk, true))
		return 0;
	return record_destroy(ctx, sk, sock_ident_btf(sk), true);
}
TP_BTF_HOOK(tcp_destroy_sock, handle_destroy, BUSY_DESTROY)

SEC("tracepoint/tcp/tcp_destroy_sock")
int handle_destroy_tp(struct trace_event_raw_tcp_event_sk *ctx)
{
	return record_destroy(ctx, ctx->skaddr, tp_sk_cookie(ctx), false);
}

/* ---- packet drops with a reason ---- */

/*
 * Benign frees (docs/EVENTS.md, "Benign frees"): kfree_skb reports them
 * although TCP did its job, about one per connection, so by default they
 * are counted here, by kind, instead of recorded (--keep-benign-drops keeps
 * them, marked).  The recorder writes the sums to BENIGN records.
 */
const volatile bool keep_benign_drops = false;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SKR_BENIGN_KINDS);
	__type(key, __u32);
	__type(value, __u64);
} benign_drops SEC(".maps");

/* A reason of this kernel's enum, or one no packet carries if it has none. */
#define DROP_REASON(name)						\
	(bpf_core_enum_value_exists(enum skb_drop_reason,		\
				    SKB_DROP_REASON_##name) ?		\
	 (__u32)bpf_core_enum_value(enum skb_drop_reason,		\
				    SKB_DROP_REASON_##name) : ~0u)

/*
 * Which benign free this is, if any.  sk is the socket the kernel named
 * (owned: the packet was charged to it, skb->sk), state its state.
 *  - TIME_WAIT: tcp_v4_rcv/tcp_v6_rcv hand a segment for a TIME_WAIT socket
 *    to tcp_timewait_state_process() and free it afterwards, whatever it
 *    decided (ACK it, ignore a duplicate, answer with a reset, accept a
 *    reset), as NOT_SPECIFIED; the segments that path really refuses carry
 *    their own reason (TCP_CSUM, XFRM_POLICY, TCP_RFC7323_TW_PAWS).  The
 *    socket is only named where the tracepoint has rx_sk (6.11 on).
 *  - FIN purge: an orphaned socket that enters TIME_WAIT from FIN_WAIT2 is
 *    destroyed at once, and its receive queue, which then holds only the
 *    peer's FIN (data after close() is answered with a reset, not queued),
 *    is purged: QUEUE_PURGE, or NOT_SPECIFIED where that has no name.  A
 *    FIN has no payload, which tells it from anything else a purge may
 *    free.
 */
static __always_inline __u8 benign_kind(const struct sk_buff *skb,
					__u8 state, bool owned, __u32 reason,
					const bool btf)
{
	__u32 unspec = DROP_REASON(NOT_SPECIFIED);

	if (state == BPF_TCP_TIME_WAIT && reason == unspec)
		return SKR_BENIGN_TIME_WAIT;
	if (state == BPF_TCP_CLOSE && owned && SKF(btf, skb, len) == 0 &&
	    (reason == unspec || reason == DROP_REASON(QUEUE_PURGE)))
		return SKR_BENIGN_FIN_PURGE;
	return SKR_BENIGN_NONE;
}

/*
 * Called for every freed-with-reason packet of the host, so it leaves early:
 * only TCP packets (by their socket, or by their headers) go on.
 */
static __always_inline int record_drop(void *ctx, const struct sk_buff *skb,
				       __u64 location, __u32 reason,
				       const struct sock *rx_sk, const bool btf)
{
	const struct sock *sk = SKF(btf, skb, sk);
	bool owned = sk != NULL, have = false;
	struct skr_ev_skb_drop ev;
	struct tuple t = {};
	__u64 cookie = 0, *n;
	__u32 netns, kind;
	__u8 v;

	if (!sk)
		sk = rx_sk;
	if (sk) {
		__u8 state = SKC(btf, sk, skc_state);
		__u16 family = SKC(btf, sk, skc_family);

		/* Timewait and request sockets exist only for TCP here. */
		if ((family == AF_INET || family == AF_INET6) &&
		    (!state_fullsock(state) || sk_is_tcp(sk, btf))) {
			/*
			 * With no filter every event passes them: a benign
			 * free (about one per connection) is counted before
			 * the tuple, cookie and namespace it would not use.
			 */
			if (!sock_filtering() && !task_filtering() &&
			    !keep_benign_drops) {
				kind = benign_kind(skb, state, owned, reason, btf);
				if (kind) {
					n = bpf_map_lookup_elem(&benign_drops, &kind);
					if (n)
						*n += 1;
					return 0;
				}
			}
			sk_tuple(sk, &t, btf);
			have = true;
		}
	}
	if (!have) {
		sk = NULL;
		if (!skb_tuple(skb, true, &t, btf))
			return 0;
	}
	if (own_ids)
		cookie = sk && own_id_applies(t.state) ? own_id(sk, false) :
			 sk_cookie_read(sk);
	else if (btf)
		cookie = sk ? sk->__sk_common.skc_cookie.counter : 0;
	else
		cookie = sk_cookie_read(sk);
	netns = sk ? sk_netns(sk, btf) : skb_netns(skb, btf);
	/* A drop is no task's act: it passes task filters by its socket only. */
	if (!sock_pass(cookie, t.family, netns, t.sport, t.dport))
		return 0;
	v = task_pass(cookie, false);
	if (v == TASK_DROP)
		return 0;
	/* After the filters: the count is of what the trace would have held. */
	kind = sk ? benign_kind(skb, t.state, owned, reason, btf) : 0;
	if (kind && !keep_benign_drops) {
		n = bpf_map_lookup_elem(&benign_drops, &kind);
		if (n)
			*n += 1;
		return 0;
	}
	__builtin_memset(&ev, 0, sizeof(ev));
	ev.hdr.len = sizeof(ev);
	ev.hdr.type = SKR_REC_SKB_DROP;
	fill_common(&ev.c, cookie, netns, SKR_CTX_UNKNOWN);
	ev.c.pad = held_mark(v);
	copy_tuple(&ev, &t);
	ev.state = sk ? t.state : 0;
	ev.location = location;
	ev.reason = reason;
	ev.benign = (__u8)kind;
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

#endif /* SKR_BPF_TCP_EVENTS_H */
