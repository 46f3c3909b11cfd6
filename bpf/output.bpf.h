/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only) */
/*
 * How a record leaves the kernel: batched per CPU into the per-CPU perf
 * buffer, the count of outputs that failed, the common block every record starts with
 * (fill_common, with who acted: exec_ctx), and the --recover-misses twin of
 * each tp_btf program (TP_BTF_HOOK).  Part of the one BPF object built from
 * bpf/sockrec.bpf.c, which includes it before any program.
 */
#ifndef SKR_BPF_OUTPUT_H
#define SKR_BPF_OUTPUT_H

#include "bpf/stage.h"

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

/*
 * Records leave in batches.  A perf output costs more than the rest of a
 * state change's work (the program ran in ~170 ns without it, ~260 with
 * it, on a loaded 2-vCPU VM), so each CPU gathers its records in a
 * staging area and sends them as one sample of up to STAGE_BYTES, which
 * record/perfbuf.c already splits into records.  The recorder sends what
 * is left on every sweep (stage_flush, run on each CPU), so a record
 * waits at most one sweep, as it waited for the reader before.
 *
 * Only the program that finds the area free uses it: a program that
 * interrupts another on the same CPU (a softirq, the sweep's flush) sees
 * it busy and sends its record alone, as before.  Busy is set before the
 * fill is read and cleared after it is written, and an interruption runs
 * to its end before the interrupted program goes on, so the two never
 * share a fill.
 */
#define STAGE_BYTES	SKR_STAGE_BYTES

struct stage {
	struct skr_stage_head h;
	__u8 buf[STAGE_BYTES + 256];	/* + the largest record: see emit() */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct stage);
} stage SEC(".maps");

/* Set by the recorder if it cannot run stage_flush: every record alone. */
__u32 stage_off = 0;

static __always_inline void count_failed(__u64 n)
{
	__u32 zero = 0;
	__u64 *failed = bpf_map_lookup_elem(&output_failed, &zero);

	if (failed)
		*failed += n;
}

/* Send the staged records (the caller holds busy). */
static __always_inline void stage_send(void *ctx, struct stage *st)
{
	/* Masked so the verifier sees the bound; used < STAGE_BYTES. */
	__u64 n = st->h.used & (STAGE_BYTES - 1);

	if (n && bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU,
				       st->buf, n))
		count_failed(st->h.records);
	st->h.used = 0;
	st->h.records = 0;
}

/*
 * A record is copied into the staging area as 8-byte words, in line: a
 * helper call that copies it costs more than the copy.  emit() checks at
 * build time that each record is whole words (so the area's fill stays
 * 8-aligned) and fits the slack after STAGE_BYTES.
 */
static __always_inline void stage_copy(__u8 *dst, const void *src, __u64 size)
{
	const __u64 *s = src;
	__u64 *d = (__u64 *)dst;
	int i;

#pragma unroll
	for (i = 0; i < (int)(size / 8); i++)
		d[i] = s[i];
}

/* A record that cannot be staged goes alone. */
static __always_inline void emit_alone(void *ctx, void *ev, __u64 size)
{
	if (bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, ev, size))
		count_failed(1);
}

/*
 * The state record is built in place in the staging area, not on the
 * stack and copied: stage_reserve() takes the area (busy) and sends it
 * first if a record of up to size bytes would not fit, and gives where the
 * record goes; stage_commit() adds the record, of its final size (at most
 * the size reserved), and frees the area.  NULL, *at left as it was, when
 * the area is busy or off: the caller builds the record there (its stack)
 * and sends it with emit_alone(), as emit_rec() does.  The offset is
 * masked below STAGE_BYTES, so a record of up to 255 bytes stays inside
 * buf: the verifier sees the bound on 6.1 and 6.18.
 */
static __always_inline struct stage *stage_reserve(void *ctx, __u64 size,
						   void **at)
{
	__u32 zero = 0;
	struct stage *st = bpf_map_lookup_elem(&stage, &zero);

	if (!st || st->h.busy || stage_off)
		return NULL;
	st->h.busy = 1;
	asm volatile("" ::: "memory");
	if (st->h.used > STAGE_BYTES - 1 - size)
		stage_send(ctx, st);
	*at = st->buf + (st->h.used & (STAGE_BYTES - 1));
	return st;
}

static __always_inline void stage_commit(struct stage *st, __u64 size)
{
	st->h.used += size;
	st->h.records++;
	asm volatile("" ::: "memory");
	st->h.busy = 0;
}

/* The end of a record stage_reserve() placed: committed, or sent alone. */
static __always_inline void stage_end(void *ctx, struct stage *st, void *ev,
				      __u64 size)
{
	if (st)
		stage_commit(st, size);
	else
		emit_alone(ctx, ev, size);
}

/*
 * Where a record of type T is built (T *ev): in the staging area, or on
 * the stack (sev) when stage_reserve() found it busy or off.  stage_end()
 * finishes it.  Used by the programs that run on every connection.
 */
#define STAGE_PLACE(ctx, T, sev, ev, st) do {				\
	_Static_assert(sizeof(T) % 8 == 0 && sizeof(T) <= 255,		\
		       "a record is whole 8-byte words, at most 255 bytes"); \
	void *at_ = &(sev);						\
	(st) = stage_reserve(ctx, sizeof(T), &at_);			\
	(ev) = at_;							\
} while (0)

static __always_inline void emit_rec(void *ctx, void *ev, __u64 size)
{
	__u32 zero = 0;
	struct stage *st = bpf_map_lookup_elem(&stage, &zero);

	if (st && !st->h.busy && !stage_off) {
		st->h.busy = 1;
		asm volatile("" ::: "memory");
		if (st->h.used > STAGE_BYTES - 1 - size)
			stage_send(ctx, st);
		/* A record never goes past buf: size is at most 255. */
		stage_copy(st->buf + (st->h.used & (STAGE_BYTES - 1)), ev, size);
		st->h.used += size;
		st->h.records++;
		asm volatile("" ::: "memory");
		st->h.busy = 0;
		return;
	}
	emit_alone(ctx, ev, size);
}

/* size: sizeof the record, a constant, so the check is the compiler's. */
#define emit(ctx, ev, size) do {					\
	_Static_assert((size) % 8 == 0 && (size) <= 255,		\
		       "a record is whole 8-byte words, at most 255 bytes"); \
	emit_rec(ctx, ev, size);					\
} while (0)

/*
 * The recorder's sweep runs this on each CPU in turn (BPF_PROG_TEST_RUN,
 * on that CPU): send what the CPU has staged.  Returns 1 if the area was
 * busy (a program was filling it when the sweep interrupted it), so the
 * recorder knows the CPU may still hold records and writes no ROUND
 * (record/perfbuf.c).
 *
 * Returns 2 if the CPU has no working ring: no perf event in its slot
 * (ENOENT: offline when the recorder opened its rings) or one the kernel
 * took off the CPU when it went offline and never put back (EOPNOTSUPP).
 * ctx[0] says what then: SKR_STAGE_FLUSH_KEEP leaves the records staged (the
 * recorder opens the CPU a new ring and runs this again), SKR_STAGE_FLUSH_DROP
 * counts them lost.  SKR_STAGE_FLUSH_PROBE is KEEP that, with nothing staged,
 * sends an empty sample to learn whether the ring works: the recorder asks
 * so only of a CPU whose failed outputs grew, so that the programs that
 * run per event need not tell one failure from another.
 */
#define OUTPUT_ENOENT		2
#define OUTPUT_EOPNOTSUPP	95

SEC("raw_tp")
int stage_flush(__u64 *ctx)
{
	__u32 zero = 0;
	struct stage *st = bpf_map_lookup_elem(&stage, &zero);
	__u64 n, mode = ctx[0];
	long err = 0;

	if (!st)
		return 0;
	if (st->h.busy)
		return 1;
	st->h.busy = 1;
	asm volatile("" ::: "memory");
	n = st->h.used & (STAGE_BYTES - 1);
	if (n || mode == SKR_STAGE_FLUSH_PROBE)
		err = bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU,
					    st->buf, n);
	if ((err == -OUTPUT_ENOENT || err == -OUTPUT_EOPNOTSUPP) &&
	    mode != SKR_STAGE_FLUSH_DROP) {
		asm volatile("" ::: "memory");
		st->h.busy = 0;
		return SKR_STAGE_FLUSH_NO_RING;
	}
	if (err && n)
		count_failed(st->h.records);
	st->h.used = 0;
	st->h.records = 0;
	asm volatile("" ::: "memory");
	st->h.busy = 0;
	return 0;
}

/*
 * A CPU that went offline runs no program, so stage_flush cannot reach
 * what it staged: the recorder sends it from its own CPU with this
 * program, in three runs (record/perfbuf.c, flush_offline()).  ctx[0] is
 * the offline CPU, ctx[1] the step:
 *   STAGE_CLAIM    mark the area busy (REMOTE_BUSY) if it is free: 1 if not;
 *   STAGE_SEND     send its records to this CPU's buffer and free it;
 *   STAGE_RELEASE  free it unsent (the CPU came back meanwhile).
 * Between the claim and the send the recorder checks, with a stage_flush
 * run on that CPU, that it is still offline.  A CPU's own programs take
 * busy with a plain load and store, so a claim from another CPU could fall
 * between the two while that CPU runs; the check rules that out.  The
 * claim is a compare-and-exchange (a full barrier) made before the check:
 * a CPU offline at the check sees the claim once it is back (bringing a
 * CPU up orders everything before it), and its programs find the area busy
 * and send their records alone; a CPU taken down ran its programs to their
 * end first.  The area's first word holds busy (low half, little-endian)
 * and used, updated together.
 */
#define STAGE_CLAIM	0
#define STAGE_SEND	1
#define STAGE_RELEASE	2
#define REMOTE_BUSY	2ULL

SEC("raw_tp")
int stage_flush_cpu(__u64 *ctx)
{
	__u32 zero = 0, cpu = (__u32)ctx[0];
	__u64 step = ctx[1], old, *word;
	struct stage *st;

	_Static_assert(__builtin_offsetof(struct skr_stage_head, busy) == 0 &&
		       __builtin_offsetof(struct skr_stage_head, used) == 4,
		       "busy and used share the head's first word");
	st = bpf_map_lookup_percpu_elem(&stage, &zero, cpu);
	if (!st)
		return 1;
	word = (__u64 *)&st->h;
	old = *word;
	if (step == STAGE_CLAIM)
		return (__u32)old != 0 ||
		       __sync_val_compare_and_swap(word, old,
						   old | REMOTE_BUSY) != old;
	if ((__u32)old != REMOTE_BUSY)
		return 1;
	if (step == STAGE_SEND) {
		stage_send(ctx, st);
		__sync_lock_test_and_set(word, 0);	/* free, empty */
	} else {
		/* Free, the records left for the CPU's own flush. */
		__sync_val_compare_and_swap(word, old, old & ~0xffffffffULL);
	}
	return 0;
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
