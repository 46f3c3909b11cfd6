/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only) */
/*
 * How a record leaves the kernel: the per-CPU perf buffer, the count of
 * outputs that failed, the common block every record starts with
 * (fill_common, with who acted: exec_ctx), and the --recover-misses twin of
 * each tp_btf program (TP_BTF_HOOK).  Part of the one BPF object built from
 * bpf/sockrec.bpf.c, which includes it before any program.
 */
#ifndef SKR_BPF_OUTPUT_H
#define SKR_BPF_OUTPUT_H

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
static __always_inline __u8 exec_ctx(const struct sock *sk, const bool btf)
{
	if (!bpf_core_field_exists(sk->sk_lock.owned))
		return SKR_CTX_UNKNOWN;
	return SKF(btf, sk, sk_lock.owned) ? SKR_CTX_PROCESS : SKR_CTX_SOFTIRQ;
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

#endif /* SKR_BPF_OUTPUT_H */
