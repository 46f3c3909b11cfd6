/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only) */
/*
 * In-kernel filters: an event that fails them never reaches the perf
 * buffer.  record/filters.c sets the switches below before load (the
 * verifier then drops the code of filters that are off) and fills the maps
 * after load, before any program is attached.
 *
 * Socket-level filters (family, netns, port) judge every event by its
 * socket.  A socket's ports change during its life (0 before connect()
 * picks one, 0 again once it left its port before destroy), so a socket
 * whose ports matched once stays admitted by its cookie.  Task-level filters (pid, comm, cgroup) judge the socket's owner:
 * an event in process context admits the socket when the current task
 * matches; events of an admitted socket pass whoever runs them, which is
 * how softirq events (run on behalf of no task) of a matching process's
 * sockets get through.  Children of a listener a matching task opened are
 * admitted when they are born (LISTEN -> SYN_RECV, in softirq).
 */
#ifndef SKR_BPF_FILTER_H
#define SKR_BPF_FILTER_H

#define FILTER_SET_MAX		64	/* -p and --port values */
#define ADMITTED_MAX		65536	/* sockets of matching tasks alive at once */

const volatile __u8 filter_family = 0;		/* 0: any */
const volatile __u32 filter_netns = 0;		/* 0: any */
const volatile bool filter_ports = false;
const volatile bool filter_tgids = false;
const volatile bool filter_comm_on = false;
const volatile char filter_comm[16] = {};
const volatile bool filter_cgroup = false;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FILTER_SET_MAX);
	__type(key, __u16);
	__type(value, __u8);
} port_set SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FILTER_SET_MAX);
	__type(key, __u32);
	__type(value, __u8);
} tgid_set SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} cgroup_set SEC(".maps");

/* Sockets admitted by a task filter, by cookie; forgotten at destroy. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, ADMITTED_MAX);
	__type(key, __u64);
	__type(value, __u8);
} admitted SEC(".maps");

/* Sockets admitted by the port filter, by cookie; forgotten at destroy. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, ADMITTED_MAX);
	__type(key, __u64);
	__type(value, __u8);
} port_admitted SEC(".maps");

/* Listeners admitted by a task filter, by (netns << 16 | port). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, __u8);
} admitted_ports SEC(".maps");

/*
 * From attach until the start snapshot has admitted the sockets that matching
 * tasks already hold (record/filters.c clears it), an event a task filter
 * would drop may still be one of theirs: it goes out held (SKR_PAD_HELD in
 * its common block) and the recorder keeps it only if the snapshot admitted
 * its socket.  Without this, a softirq event of such a socket between attach
 * and its admission was lost.
 */
__u32 admit_pending = 0;

/* task_pass() verdicts. */
#define TASK_DROP	0
#define TASK_PASS	1
#define TASK_HELD	2

static __always_inline bool task_filtering(void)
{
	return filter_tgids || filter_comm_on || filter_cgroup;
}

/* Whether any socket-level filter is on (the verifier knows: rodata). */
static __always_inline bool sock_filtering(void)
{
	return filter_family || filter_netns || filter_ports;
}

static __always_inline bool sock_pass(__u64 cookie, __u8 family, __u32 netns,
				      __u16 sport, __u16 dport)
{
	__u8 one = 1;

	if (filter_family && family != filter_family)
		return false;
	if (filter_netns && netns != filter_netns)
		return false;
	if (!filter_ports)
		return true;
	if (bpf_map_lookup_elem(&port_set, &sport) ||
	    bpf_map_lookup_elem(&port_set, &dport)) {
		if (cookie)
			bpf_map_update_elem(&port_admitted, &cookie, &one, BPF_ANY);
		return true;
	}
	return cookie && bpf_map_lookup_elem(&port_admitted, &cookie);
}

static __always_inline bool task_match(void)
{
	if (filter_tgids) {
		__u32 tgid = bpf_get_current_pid_tgid() >> 32;

		if (!bpf_map_lookup_elem(&tgid_set, &tgid))
			return false;
	}
	if (filter_comm_on) {
		char comm[16];
		int i;

		bpf_get_current_comm(comm, sizeof(comm));
#pragma unroll
		for (i = 0; i < 16; i++) {
			if (comm[i] != filter_comm[i])
				return false;
			if (!comm[i])
				break;
		}
	}
	if (filter_cgroup && bpf_current_task_under_cgroup(&cgroup_set, 0) != 1)
		return false;
	return true;
}

static __always_inline void admit(__u64 cookie)
{
	__u8 one = 1;

	if (cookie)
		bpf_map_update_elem(&admitted, &cookie, &one, BPF_ANY);
}

/*
 * Task-level verdict for an event of socket cookie (TASK_*: DROP is 0);
 * process: the current task is the one acting on the socket (syscall, or
 * socket lock owned).
 */
static __always_inline __u8 task_pass(__u64 cookie, bool process)
{
	if (!task_filtering())
		return TASK_PASS;
	if (process && task_match()) {
		admit(cookie);
		return TASK_PASS;
	}
	if (cookie && bpf_map_lookup_elem(&admitted, &cookie))
		return TASK_PASS;
	return cookie && admit_pending ? TASK_HELD : TASK_DROP;
}

/* The common block's pad for an event of verdict v (0 in every file). */
static __always_inline __u8 held_mark(__u8 v)
{
	return v == TASK_HELD ? SKR_PAD_HELD : 0;
}

static __always_inline __u64 port_key(__u32 netns, __u16 port)
{
	return (__u64)netns << 16 | port;
}

static __always_inline void forget(__u64 cookie)
{
	if (!cookie)
		return;
	if (task_filtering())
		bpf_map_delete_elem(&admitted, &cookie);
	if (filter_ports)
		bpf_map_delete_elem(&port_admitted, &cookie);
}

#endif /* SKR_BPF_FILTER_H */
