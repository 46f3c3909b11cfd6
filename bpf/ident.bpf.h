/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only) */
/*
 * Socket identity where the cookie helper is missing.  Classic tracepoint
 * programs cannot call bpf_get_socket_cookie(), and a socket's cookie stays
 * 0 until someone asks for it: with the state hook in the classic tier,
 * nothing does.  So, then (own_ids, set by record/probes.c when the state
 * hook is not tp_btf), every program names a socket by an id kept here,
 * by the socket's address: the kernel's cookie if the socket already has
 * one (sockets of the start snapshot, which sock_diag gave one), otherwise
 * an id of our own with the top bit set, so it never equals a cookie.  A
 * child gets a fresh id at birth (it starts as a copy of its listener, whose
 * cookie it may still carry); destroy forgets the address, so a new socket
 * at a reused address is a new socket.  docs/EVENTS.md says what this means.
 *
 * The classic inet_sk_error_report record has no socket, only addresses and
 * ports: the last id and namespace seen with that tuple name it.
 * Part of the one BPF object built from bpf/sockrec.bpf.c.
 */
#ifndef SKR_BPF_IDENT_H
#define SKR_BPF_IDENT_H

#define OWN_ID_BIT	(1ULL << 63)
#define OWN_IDS_MAX	65536

const volatile bool own_ids = false;

/* The last own id handed out; ids are this plus one, then OR OWN_ID_BIT. */
__u64 own_id_last = 0;

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, OWN_IDS_MAX);
	__type(key, __u64);
	__type(value, __u64);
} sk_ids SEC(".maps");

struct tuple_key {
	__u8 saddr[16];
	__u8 daddr[16];
	__u16 sport;
	__u16 dport;
	__u8 family;
	__u8 pad[3];
};

struct tuple_id {
	__u64 id;
	__u32 netns;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, OWN_IDS_MAX);
	__type(key, struct tuple_key);
	__type(value, struct tuple_id);
} tuple_ids SEC(".maps");

/* sk's id; fresh: sk was just born, whatever its address held before. */
static __always_inline __u64 own_id(const struct sock *sk, bool fresh)
{
	__u64 key = (__u64)(unsigned long)sk, id = 0, *v;

	if (!sk)
		return 0;
	if (!fresh) {
		v = bpf_map_lookup_elem(&sk_ids, &key);
		if (v)
			return *v;
		id = sk_cookie_read(sk);
	}
	if (!id)
		id = OWN_ID_BIT | (__sync_fetch_and_add(&own_id_last, 1) + 1);
	bpf_map_update_elem(&sk_ids, &key, &id, BPF_ANY);
	return id;
}

/*
 * Timewait and request sockets (a reset may come from one) have their own
 * addresses and never change state: they keep whatever cookie they carry.
 */
static __always_inline bool own_id_applies(__u8 state)
{
	return state != BPF_TCP_TIME_WAIT && state != BPF_TCP_NEW_SYN_RECV;
}

/* A classic program's name for sk: an own id, or the cookie as it stands. */
static __always_inline __u64 sock_ident(const struct sock *sk)
{
	if (own_ids && sk &&
	    own_id_applies(BPF_CORE_READ(sk, __sk_common.skc_state)))
		return own_id(sk, false);
	return sk_cookie_read(sk);
}

/* A tp_btf program's name for sk (own ids: the state hook is classic). */
static __always_inline __u64 sock_ident_btf(struct sock *sk)
{
	if (own_ids && own_id_applies(sk->__sk_common.skc_state))
		return own_id(sk, false);
	return sk_cookie_btf(sk);
}

static __always_inline void own_id_forget(const struct sock *sk)
{
	__u64 key = (__u64)(unsigned long)sk;

	if (own_ids)
		bpf_map_delete_elem(&sk_ids, &key);
}

/* Remember who has tuple t, for the error record that only has a tuple. */
static __always_inline void own_id_tuple(const struct tuple *t, __u64 id,
					 __u32 netns)
{
	struct tuple_key k = {};
	struct tuple_id v = {};

	if (!own_ids || !t->sport || !t->dport || !id)
		return;
	__builtin_memcpy(k.saddr, t->saddr, 16);
	__builtin_memcpy(k.daddr, t->daddr, 16);
	k.sport = t->sport;
	k.dport = t->dport;
	k.family = t->family;
	v.id = id;
	v.netns = netns;
	bpf_map_update_elem(&tuple_ids, &k, &v, BPF_ANY);
}

static __always_inline const struct tuple_id *own_id_by_tuple(const struct tuple *t)
{
	struct tuple_key k = {};

	__builtin_memcpy(k.saddr, t->saddr, 16);
	__builtin_memcpy(k.daddr, t->daddr, 16);
	k.sport = t->sport;
	k.dport = t->dport;
	k.family = t->family;
	return bpf_map_lookup_elem(&tuple_ids, &k);
}

#endif /* SKR_BPF_IDENT_H */
