/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * On-disk records of the sockrec trace format, version 1.
 *
 * This header is the single declaration of every record layout.  It is
 * included by the BPF programs (which fill the event records and hand them
 * to the perf buffer unchanged), by the recorder and by the reader.  It must
 * therefore compile for the BPF target (with vmlinux.h types) and for any C11
 * user-space compiler, and include no Linux uapi header.
 *
 * Rules that keep the layout stable (docs/FORMAT.md is the normative text):
 *  - every multi-byte integer is little-endian;
 *  - every record starts with struct skr_rec_hdr, whose len counts the whole
 *    record, header included;
 *  - fields are ordered largest first and all padding is explicit, so the
 *    layout is identical on every compiler; sizes are asserted below;
 *  - a minor version may only append fields to a record or add record types.
 */
#ifndef SKR_EVENTS_H
#define SKR_EVENTS_H

#ifdef __bpf__
/*
 * The BPF programs fill these records in host byte order and the recorder
 * writes them unchanged, while the format is little-endian: a big-endian
 * build would write files that no reader reads correctly.
 */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#error "sockrec records on little-endian hosts only: the trace format is little-endian and the BPF programs write host order (docs/FORMAT.md)"
#endif
typedef __u8 skr_u8;
typedef __u16 skr_u16;
typedef __u32 skr_u32;
typedef __s32 skr_s32;
typedef __u64 skr_u64;
#else
#include <stdint.h>
typedef uint8_t skr_u8;
typedef uint16_t skr_u16;
typedef uint32_t skr_u32;
typedef int32_t skr_s32;
typedef uint64_t skr_u64;
#endif

#define SKR_MAGIC		"SKRTRACE"	/* 8 bytes, no terminator on disk */
#define SKR_MAGIC_LEN		8
#define SKR_VERSION_MAJOR	2
#define SKR_VERSION_MINOR	0

/* Bounds a reader enforces before it trusts a length (docs/FORMAT.md §5). */
#define SKR_REC_MIN		8u		/* the header alone */
#define SKR_REC_MAX		65536u		/* one record */
#define SKR_FRAME_MAX		(4u << 20)	/* decompressed bytes of one frame */
#define SKR_WINDOW_LOG_MAX	23		/* zstd window a reader accepts */

/*
 * Record types.  0x00xx: structure and metadata; from SKR_REC_EVENT_BASE on:
 * kernel events (skr_rec_is_event() in skr_catalog.h).
 */
#define SKR_REC_EVENT_BASE	0x0100u

enum skr_rec_type {
	SKR_REC_FILE_HEADER	= 0x0001,
	SKR_REC_HOST		= 0x0002,
	SKR_REC_RECORDER	= 0x0003,
	SKR_REC_CLOCK		= 0x0004,
	SKR_REC_PROBE		= 0x0005,
	SKR_REC_FILTER		= 0x0006,	/* filters in force (TLV) */
	SKR_REC_SNAPSHOT	= 0x0007,	/* a socket that existed at start (sock_diag) */
	SKR_REC_STATS		= 0x0008,	/* periodic cumulative recorder/kernel counters */
	SKR_REC_BENIGN		= 0x0009,	/* 1.3: benign packet frees not recorded */
	SKR_REC_LOSS		= 0x0010,
	SKR_REC_ROUND		= 0x0011,
	SKR_REC_END		= 0x001f,
	SKR_REC_STATE		= SKR_REC_EVENT_BASE,
	SKR_REC_LISTEN		= 0x0101,
	SKR_REC_ACCEPT		= 0x0102,
	SKR_REC_RESET		= 0x0103,	/* reset sent or received */
	SKR_REC_SOCK_ERROR	= 0x0104,
	SKR_REC_RETRANSMIT	= 0x0105,	/* SYN-ACK or data retransmit */
	SKR_REC_DESTROY		= 0x0106,
	SKR_REC_SKB_DROP	= 0x0107,	/* kfree_skb with a drop reason */
	SKR_REC_LISTENER	= 0x0108,	/* periodic listener sample (sock_diag) */
	SKR_REC_NETNS_STATS	= 0x0109,	/* ListenOverflows/ListenDrops of a netns */
	SKR_REC_STATE4		= 0x010a,	/* STATE of an IPv4 socket, 4-byte addresses */
	SKR_REC_SAMPLING	= 0x010b,	/* 1.1: a namespace's sampling stopped or resumed */
	SKR_REC_COUNTERS	= 0x010c,	/* 1.2: a socket's counters as it entered CLOSE */
};

struct skr_rec_hdr {
	skr_u32 len;		/* whole record in bytes, header included */
	skr_u16 type;		/* enum skr_rec_type */
	skr_u16 flags;		/* 0 in version 1; readers ignore it */
};

/* First record of every file (and of every file inside a concatenation). */
struct skr_file_header {
	struct skr_rec_hdr hdr;
	char magic[SKR_MAGIC_LEN];	/* SKR_MAGIC */
	skr_u16 major;
	skr_u16 minor;
	skr_u32 file_index;		/* 0 for the first file of a capture */
	skr_u8 capture_id[16];		/* random, shared by a capture's files */
	skr_u64 created_ns;		/* CLOCK_REALTIME when the file was opened */
};

/*
 * HOST, RECORDER and PROBE records carry a body of attributes after the
 * header: { u16 tag; u16 len; u8 value[len]; } repeated, unaligned, until
 * the record ends.  Strings are not NUL-terminated.  Unknown tags are
 * skipped.  Integer values are little-endian of the attribute's length.
 */
enum skr_host_tag {
	SKR_HOST_HOSTNAME	= 1,	/* string */
	SKR_HOST_KRELEASE	= 2,	/* string, uname -r */
	SKR_HOST_KVERSION	= 3,	/* string, uname -v */
	SKR_HOST_MACHINE	= 4,	/* string, uname -m */
	SKR_HOST_BOOT_ID	= 5,	/* string, /proc/sys/kernel/random/boot_id */
	SKR_HOST_NCPUS		= 6,	/* u32, possible CPUs */
	SKR_HOST_OS		= 7,	/* string, os-release PRETTY_NAME */
};

enum skr_recorder_tag {
	SKR_RECORDER_VERSION	= 1,	/* string */
	SKR_RECORDER_ARG	= 2,	/* string, one per argv element, in order */
	SKR_RECORDER_COMMENT	= 3,	/* string */
	SKR_RECORDER_PID	= 4,	/* u32 */
};

enum skr_probe_tag {
	SKR_PROBE_NAME		= 1,	/* string: the hook, e.g. inet_sock_set_state */
	SKR_PROBE_TIER		= 2,	/* u8: enum skr_tier */
	SKR_PROBE_ERROR		= 3,	/* u32: errno of the last failed tier, 0 if attached */
	SKR_PROBE_REASON	= 4,	/* string: why no tier attached, for people */
	SKR_PROBE_EVENT		= 5,	/* u16: record type the hook produces */
	SKR_PROBE_ENUM		= 6,	/* repeated: u32 value then its name: a reason code of this kernel */
	SKR_PROBE_TIERS		= 7,	/* u8: bit (1 << tier) for each tier this kernel offers */
	SKR_PROBE_LIMITS	= 8,	/* u32: enum skr_probe_limit bits: what this kernel's hook cannot show */
};

/* What a hook of this kernel does not report (PROBE LIMITS); absent: unknown. */
enum skr_probe_limit {
	SKR_LIMIT_RST_NO_REASON	= 1u << 0,	/* tcp_send_reset: no reset reason (before 6.10) */
	SKR_LIMIT_RST_FULLSOCK	= 1u << 1,	/* tcp_send_reset: only resets of full sockets; none
						 * without a socket or from TIME_WAIT (before 6.10) */
};

enum skr_tier {
	SKR_TIER_NONE		= 0,	/* not attached */
	SKR_TIER_TP_BTF		= 1,
	SKR_TIER_TRACEPOINT	= 2,
	SKR_TIER_KPROBE		= 3,
	SKR_TIER_FENTRY		= 4,
};

enum skr_clock_id {
	SKR_CLOCK_BOOTTIME	= 7,	/* Linux CLOCK_BOOTTIME, bpf_ktime_get_boot_ns() */
	SKR_CLOCK_MONOTONIC	= 1,	/* Linux CLOCK_MONOTONIC, bpf_ktime_get_ns() */
};

/* A clock-sync sample: event time clock_ns corresponds to wall time realtime_ns. */
struct skr_clock {
	struct skr_rec_hdr hdr;
	skr_u64 clock_ns;		/* the event clock */
	skr_u64 realtime_ns;		/* CLOCK_REALTIME at the same instant */
	skr_u64 uncertainty_ns;		/* half the bracket the sample was taken in */
	skr_u32 clock_id;		/* enum skr_clock_id: clock of every event ts */
	skr_u32 pad;
};

/* The perf buffer reported events lost on one CPU. */
struct skr_loss {
	struct skr_rec_hdr hdr;
	skr_u64 ts_ns;			/* event clock when the loss was read */
	skr_u64 count;
	skr_u32 cpu;
	skr_u32 pad;
};

/*
 * Round marker: every event record that follows this one in the file has
 * ts_ns >= horizon_ns.  A reader may release, in time order, all events it
 * holds with ts_ns < horizon_ns.
 */
struct skr_round {
	struct skr_rec_hdr hdr;
	skr_u64 horizon_ns;
};

/* Last record of a complete file. */
struct skr_end {
	struct skr_rec_hdr hdr;
	skr_u64 ts_ns;			/* event clock at the end of recording */
	skr_u64 events;			/* event records in this file */
	skr_u64 lost;			/* events the perf buffer reported lost, this file */
	skr_u64 output_failed;		/* failed perf outputs counted in BPF, this file */
	skr_u64 recursion_misses;	/* program re-entries the kernel skipped, this file */
};

/*
 * Recorder and kernel counters, cumulative since the capture started (not
 * since the file began: END has the per-file figures).  Written every few
 * seconds and just before each END, so a file cut short still says how
 * much was lost up to its last frame.
 */
struct skr_stats {
	struct skr_rec_hdr hdr;
	skr_u64 ts_ns;			/* event clock when the counters were read */
	skr_u64 events;			/* event records written */
	skr_u64 lost;			/* events the perf buffers reported lost */
	skr_u64 output_failed;		/* failed perf outputs counted in BPF */
	skr_u64 recursion_misses;	/* program re-entries skipped, all programs */
	skr_u64 bytes_in;		/* uncompressed bytes written before this record */
	skr_u64 bytes_out;		/* compressed bytes written before this record */
	skr_u64 malformed;		/* samples the recorder dropped as invalid */
};

/*
 * Packet frees that kfree_skb reports although nothing failed
 * (docs/EVENTS.md, "Benign frees"), by kind: SKB_DROP.benign, and the
 * indices of BENIGN.not_recorded.
 */
enum skr_benign_kind {
	SKR_BENIGN_NONE		= 0,	/* a drop, or not classified (files < 1.3) */
	SKR_BENIGN_TIME_WAIT	= 1,	/* segment a TIME_WAIT socket handled */
	SKR_BENIGN_FIN_PURGE	= 2,	/* peer's FIN freed with its closed socket */
	SKR_BENIGN_KINDS	= 3,
};

/* BENIGN flags. */
#define SKR_BENIGN_KEPT		0x01	/* --keep-benign-drops: all recorded */

/*
 * 1.3.  Benign frees the kfree_skb program counted instead of recording
 * them, cumulative since the capture started, like STATS (and written with
 * it), so that what the trace leaves out is still accounted for.
 */
struct skr_benign {
	struct skr_rec_hdr hdr;
	skr_u64 ts_ns;			/* event clock when the counters were read */
	skr_u64 not_recorded[SKR_BENIGN_KINDS];	/* [0] unused, 0 */
	skr_u32 flags;			/* SKR_BENIGN_KEPT */
	skr_u32 pad;
};

/* Execution context of the event, from the preempt count. */
enum skr_ctx {
	SKR_CTX_UNKNOWN		= 0,
	SKR_CTX_PROCESS		= 1,
	SKR_CTX_SOFTIRQ		= 2,
	SKR_CTX_HARDIRQ		= 3,
	SKR_CTX_NMI		= 4,
};

/* Fields every kernel event starts with, right after the header. */
struct skr_ev_common {
	skr_u64 ts_ns;			/* clock named by the CLOCK record */
	skr_u64 cookie;			/* socket cookie; 0 if none */
	skr_u32 netns;			/* network namespace inode */
	skr_u32 tgid;			/* current task: process id (0 in idle) */
	skr_u32 tid;			/* current task: thread id */
	skr_u16 cpu;
	skr_u8 ctx;			/* enum skr_ctx */
	skr_u8 pad;			/* 0 in a file; SKR_PAD_HELD only between
					 * the BPF programs and the recorder */
};

/* An event a task filter holds back until the start snapshot (bpf/filter.h). */
#define SKR_PAD_HELD	1

#define SKR_AF_INET	2
#define SKR_AF_INET6	10
#define SKR_COMM_LEN	16

/* inet_sock_set_state: a TCP socket changed state (IPv6; IPv4: STATE4 below). */
struct skr_ev_state {
	struct skr_rec_hdr hdr;
	struct skr_ev_common c;
	skr_u8 saddr[16];		/* IPv4: first 4 bytes, rest zero */
	skr_u8 daddr[16];
	char comm[SKR_COMM_LEN];	/* current task in process context, else zero;
					 * may lack a terminator */
	skr_u16 sport;			/* host byte order */
	skr_u16 dport;			/* host byte order */
	skr_u8 family;			/* SKR_AF_INET or SKR_AF_INET6 */
	skr_u8 protocol;		/* IPPROTO_TCP = 6 */
	skr_u8 oldstate;		/* TCP state, Linux numbering */
	skr_u8 newstate;
};

/*
 * inet_sock_set_state of an IPv4 socket: STATE with 4-byte addresses, the
 * same fields in the same order.  24 bytes fewer to copy and compress on
 * the hottest event (a loopback storm's trace: 7.5 instead of 8.3 bytes
 * per event at zstd level 1).  skr_decode_state() reads both types into
 * struct skr_ev_state.
 */
struct skr_ev_state4 {
	struct skr_rec_hdr hdr;
	struct skr_ev_common c;
	skr_u8 saddr[4];		/* network order */
	skr_u8 daddr[4];
	char comm[SKR_COMM_LEN];	/* current task in process context, else zero */
	skr_u16 sport;			/* host byte order */
	skr_u16 dport;			/* host byte order */
	skr_u8 family;			/* SKR_AF_INET */
	skr_u8 protocol;		/* IPPROTO_TCP = 6 */
	skr_u8 oldstate;		/* TCP state, Linux numbering */
	skr_u8 newstate;
};

/* ---- kernel event records (bpf/): LISTEN .. SKB_DROP, FILTER, STATS ---- */

/*
 * docs/EVENTS.md says, for each record, which kernel hook fills it in each
 * tier and what every field means.  Addresses: IPv4 in the first 4 bytes
 * (network order), the rest 0.  Ports are numbers (host order on disk:
 * little-endian like every integer).  state is a TCP state, 0 if unknown.
 */

/* Value of a reason field when the kernel's hook carries none. */
#define SKR_REASON_NONE		0xffffffffu

/* listen(2), from the syscall tracepoints: cookie is the socket's. */
struct skr_ev_listen {
	struct skr_rec_hdr hdr;
	struct skr_ev_common c;
	skr_s32 ret;			/* 0 or -errno */
	skr_s32 fd;
	skr_s32 backlog;		/* as the program asked */
	skr_u32 max_backlog;		/* sk_max_ack_backlog after the call */
	skr_u32 qlen;			/* sk_ack_backlog after the call */
	skr_u32 drops;			/* sk_drops after the call */
	skr_u16 sport;			/* local port */
	skr_u8 family;
	skr_u8 flags;			/* SKR_LISTEN_* */
	skr_u32 pad;
};
#define SKR_LISTEN_AGAIN	0x01	/* the socket already listened */

/* accept(2)/accept4(2): cookie is the listener's. */
struct skr_ev_accept {
	struct skr_rec_hdr hdr;
	struct skr_ev_common c;
	skr_u64 child_cookie;		/* 0 when the call failed */
	skr_s32 ret;			/* new fd or -errno */
	skr_s32 fd;			/* the listener's fd */
	skr_u32 qlen;			/* queue as the call took its connection:
					 * qlen_exit + 1 on success, else qlen_exit */
	skr_u32 qlen_exit;		/* listener's sk_ack_backlog when the call returned */
	skr_u32 max_backlog;		/* listener's sk_max_ack_backlog */
	skr_u32 drops;			/* listener's sk_drops when the call returned */
	skr_u16 sport;			/* listener's local port */
	skr_u8 family;
	skr_u8 flags;			/* SKR_ACCEPT_* */
	skr_u32 pad;
};
#define SKR_ACCEPT_4		0x01	/* accept4(2) rather than accept(2) */

/* A TCP reset sent or received.  cookie 0: sent with no socket. */
struct skr_ev_reset {
	struct skr_rec_hdr hdr;
	struct skr_ev_common c;
	skr_u8 saddr[16];		/* local */
	skr_u8 daddr[16];		/* remote */
	skr_u32 reason;			/* sent: enum sk_rst_reason (PROBE ENUM); else SKR_REASON_NONE */
	skr_u16 sport;
	skr_u16 dport;
	skr_u8 family;
	skr_u8 state;
	skr_u8 dir;			/* enum skr_reset_dir */
	skr_u8 pad;
	skr_u32 pad2;
};
enum skr_reset_dir {
	SKR_RESET_SENT		= 1,
	SKR_RESET_RECEIVED	= 2,
};

/* inet_sk_error_report on a TCP socket: sk_err became error. */
struct skr_ev_sock_error {
	struct skr_rec_hdr hdr;
	struct skr_ev_common c;
	skr_u8 saddr[16];
	skr_u8 daddr[16];
	skr_s32 error;			/* positive errno (ECONNREFUSED, ETIMEDOUT, ...) */
	skr_u16 sport;
	skr_u16 dport;
	skr_u8 family;
	skr_u8 state;
	skr_u16 pad;
	skr_u32 pad2;
};

/* A segment sent again: data (cookie: the socket) or SYN-ACK (cookie: the listener). */
struct skr_ev_retransmit {
	struct skr_rec_hdr hdr;
	struct skr_ev_common c;
	skr_u8 saddr[16];
	skr_u8 daddr[16];
	skr_u32 retrans;		/* data: tcp total_retrans; SYN-ACK: the request's num_retrans */
	skr_s32 err;			/* data: result of the retransmit where the kernel says, else 0 */
	skr_u16 sport;
	skr_u16 dport;
	skr_u8 family;
	skr_u8 state;			/* of the socket (SYN-ACK: of the listener) */
	skr_u8 kind;			/* enum skr_retrans_kind */
	skr_u8 pad;
};
enum skr_retrans_kind {
	SKR_RETRANS_DATA	= 1,
	SKR_RETRANS_SYNACK	= 2,
};

/* tcp_destroy_sock: the socket's last counters. */
struct skr_ev_destroy {
	struct skr_rec_hdr hdr;
	struct skr_ev_common c;
	skr_u64 bytes_acked;
	skr_u64 bytes_received;
	skr_u32 segs_in;
	skr_u32 segs_out;
	skr_u32 total_retrans;
	skr_u32 srtt_us;		/* smoothed RTT in microseconds */
	skr_u32 drops;			/* sk_drops: for a listener, attempts it dropped */
	skr_u16 sport;			/* local port; 0 once the socket left its port */
	skr_u16 dport;
	skr_u8 family;
	skr_u8 state;
	skr_u16 pad;
	skr_u32 pad2;
};

/*
 * Minor 2.  A TCP socket's counters at its transition to CLOSE, written by
 * the state hook right after that STATE record (not for a listener).  The
 * kernel's tcp_disconnect() (a refused or timed-out connect, a close with
 * SO_LINGER 0) zeroes them after that transition, so the DESTROY record of
 * such a socket reads 0; these are the values it had.  Segments sent by
 * the close itself (its reset) are not in them.
 */
struct skr_ev_counters {
	struct skr_rec_hdr hdr;
	struct skr_ev_common c;
	skr_u64 bytes_acked;
	skr_u64 bytes_received;
	skr_u32 segs_in;
	skr_u32 segs_out;
	skr_u32 total_retrans;
	skr_u32 srtt_us;		/* smoothed RTT in microseconds */
};

/* kfree_skb of a TCP packet with a drop reason. */
struct skr_ev_skb_drop {
	struct skr_rec_hdr hdr;
	struct skr_ev_common c;	/* cookie: the packet's socket, 0 if none */
	skr_u64 location;		/* kernel text address that freed it */
	skr_u8 saddr[16];		/* local side (the packet's destination if received) */
	skr_u8 daddr[16];
	skr_u32 reason;			/* enum skb_drop_reason of this kernel (PROBE ENUM) */
	skr_u16 sport;
	skr_u16 dport;
	skr_u8 family;
	skr_u8 state;			/* of the socket, 0 if none */
	skr_u8 benign;			/* 1.3: enum skr_benign_kind (kept ones) */
	skr_u8 pad;
	skr_u32 pad2;
};

/*
 * FILTER (0x0006): the filters in force, as attributes like HOST's.  One
 * record per file, with no attribute when nothing is filtered.  Filters of
 * different tags all apply (and); repeated tags are alternatives (or).
 */
enum skr_filter_tag {
	SKR_FILTER_PID		= 1,	/* u32, repeated: process id (tgid) */
	SKR_FILTER_COMM		= 2,	/* string: task name */
	SKR_FILTER_PORT		= 3,	/* u16, repeated: local or remote port */
	SKR_FILTER_NETNS	= 4,	/* u32: network namespace inode */
	SKR_FILTER_CGROUP	= 5,	/* string: cgroup v2 path (tasks in it or below) */
	SKR_FILTER_CGROUP_ID	= 6,	/* u64: that cgroup's id */
	SKR_FILTER_FAMILY	= 7,	/* u8: SKR_AF_INET or SKR_AF_INET6 */
};

/* ---- sock_diag records (record/diag.c): SNAPSHOT, LISTENER, NETNS_STATS ---- */

/* What a SNAPSHOT record describes. */
enum skr_snap_kind {
	SKR_SNAP_SOCKET		= 1,	/* one TCP socket that existed */
	SKR_SNAP_NETNS		= 2,	/* one namespace was listed (or failed) */
	SKR_SNAP_END		= 3,	/* the snapshot is complete */
};

/*
 * Metadata, not an event: the TCP sockets of every namespace sockrec could
 * list, written at the start of each file before any event.  A segment's
 * snapshot is whole only once its END kind was read.
 */
struct skr_snapshot {
	struct skr_rec_hdr hdr;
	skr_u64 ts_ns;			/* event clock when the namespace was listed */
	skr_u64 cookie;			/* SOCKET: socket cookie, as BPF sees it */
	skr_u32 netns;			/* SOCKET, NETNS: namespace inode */
	skr_u32 inode;			/* SOCKET: socket inode, 0 if none */
	skr_u32 uid;			/* SOCKET: owner */
	skr_u32 rqueue;			/* SOCKET: LISTEN: accept queue; else bytes unread */
	skr_u32 wqueue;			/* SOCKET: LISTEN: its limit; else bytes unsent */
	skr_u32 count;			/* NETNS, END: SOCKET records written */
	skr_s32 error;			/* NETNS: -errno if it could not be listed */
	skr_u16 netns_listed;		/* END: NETNS records with error 0 */
	skr_u16 netns_failed;		/* END: namespaces not listed */
	skr_u8 saddr[16];		/* SOCKET: IPv4 in the first 4 bytes */
	skr_u8 daddr[16];
	skr_u16 sport;			/* host byte order */
	skr_u16 dport;
	skr_u8 family;			/* SKR_AF_INET or SKR_AF_INET6 */
	skr_u8 state;			/* enum skr_tcp_state */
	skr_u8 kind;			/* enum skr_snap_kind */
	skr_u8 pad;
};

/* LISTENER flags. */
#define SKR_LISTENER_FIRST	0x01	/* first sample of it in this file */
#define SKR_LISTENER_NO_DROPS	0x02	/* the kernel did not report drops */

/*
 * Periodic sample of a listener (sock_diag), written when its queue length
 * or drops changed, and for every listener in the first sample of a file.
 * The common block's task fields are 0: no task is behind a sample.
 */
struct skr_ev_listener {
	struct skr_rec_hdr hdr;
	struct skr_ev_common c;
	skr_u64 drops;			/* sk_drops: cumulative, since listen() */
	skr_u8 saddr[16];
	skr_u32 ack_backlog;		/* accept queue length */
	skr_u32 max_ack_backlog;	/* its limit, after the somaxconn clamp */
	skr_u32 inode;
	skr_u16 sport;
	skr_u8 family;
	skr_u8 flags;			/* SKR_LISTENER_* */
};

/* NETNS_STATS flags. */
#define SKR_NETNS_STATS_FIRST	0x01	/* first sample of it in this file */

/* A namespace's listen counters (/proc/net/netstat), written when they change. */
struct skr_ev_netns_stats {
	struct skr_rec_hdr hdr;
	struct skr_ev_common c;		/* cookie 0 */
	skr_u64 listen_overflows;	/* TcpExtListenOverflows, cumulative */
	skr_u64 listen_drops;		/* TcpExtListenDrops, cumulative */
	skr_u32 flags;			/* SKR_NETNS_STATS_* */
	skr_u32 pad;
};

/* SAMPLING states. */
#define SKR_SAMPLING_STOPPED	1	/* from ts_ns on, the namespace is not sampled */
#define SKR_SAMPLING_RESUMED	2	/* from ts_ns on, it is sampled again */

/*
 * Minor 1.  Sampling (LISTENER, NETNS_STATS) of namespace c.netns stopped
 * or resumed at c.ts_ns; netns 0 stands for every namespace that had no
 * NETNS_STATS in the segment before this record (those the recorder can no
 * longer find, e.g. created after it dropped its privileges).  A stop is
 * written again at the start of each later segment while it lasts.
 */
struct skr_ev_sampling {
	struct skr_rec_hdr hdr;
	struct skr_ev_common c;		/* cookie, tgid, tid, cpu, ctx 0 */
	skr_s32 error;			/* STOPPED: negative errno, why */
	skr_u8 state;			/* SKR_SAMPLING_* */
	skr_u8 pad;
	skr_u16 pad2;
};

_Static_assert(sizeof(struct skr_snapshot) == 96, "skr_snapshot layout");
_Static_assert(sizeof(struct skr_ev_sampling) == 48, "skr_ev_sampling layout");
_Static_assert(sizeof(struct skr_ev_listener) == 80, "skr_ev_listener layout");
_Static_assert(sizeof(struct skr_ev_netns_stats) == 64, "skr_ev_netns_stats layout");

/* Linux TCP states, as the kernel numbers them. */
enum skr_tcp_state {
	SKR_TCP_ESTABLISHED	= 1,
	SKR_TCP_SYN_SENT	= 2,
	SKR_TCP_SYN_RECV	= 3,
	SKR_TCP_FIN_WAIT1	= 4,
	SKR_TCP_FIN_WAIT2	= 5,
	SKR_TCP_TIME_WAIT	= 6,
	SKR_TCP_CLOSE		= 7,
	SKR_TCP_CLOSE_WAIT	= 8,
	SKR_TCP_LAST_ACK	= 9,
	SKR_TCP_LISTEN		= 10,
	SKR_TCP_CLOSING		= 11,
	SKR_TCP_NEW_SYN_RECV	= 12,
};

_Static_assert(sizeof(struct skr_rec_hdr) == 8, "skr_rec_hdr layout");
_Static_assert(sizeof(struct skr_file_header) == 48, "skr_file_header layout");
_Static_assert(sizeof(struct skr_clock) == 40, "skr_clock layout");
_Static_assert(sizeof(struct skr_loss) == 32, "skr_loss layout");
_Static_assert(sizeof(struct skr_round) == 16, "skr_round layout");
_Static_assert(sizeof(struct skr_end) == 48, "skr_end layout");
_Static_assert(sizeof(struct skr_stats) == 72, "skr_stats layout");
_Static_assert(sizeof(struct skr_benign) == 48, "skr_benign layout");
_Static_assert(sizeof(struct skr_ev_common) == 32, "skr_ev_common layout");
_Static_assert(sizeof(struct skr_ev_state) == 96, "skr_ev_state layout");
_Static_assert(sizeof(struct skr_ev_state4) == 72, "skr_ev_state4 layout");
_Static_assert(sizeof(struct skr_ev_listen) == 72, "skr_ev_listen layout");
_Static_assert(sizeof(struct skr_ev_accept) == 80, "skr_ev_accept layout");
_Static_assert(sizeof(struct skr_ev_reset) == 88, "skr_ev_reset layout");
_Static_assert(sizeof(struct skr_ev_sock_error) == 88, "skr_ev_sock_error layout");
_Static_assert(sizeof(struct skr_ev_retransmit) == 88, "skr_ev_retransmit layout");
_Static_assert(sizeof(struct skr_ev_destroy) == 88, "skr_ev_destroy layout");
_Static_assert(sizeof(struct skr_ev_skb_drop) == 96, "skr_ev_skb_drop layout");
_Static_assert(sizeof(struct skr_ev_counters) == 72, "skr_ev_counters layout");

#endif /* SKR_EVENTS_H */
