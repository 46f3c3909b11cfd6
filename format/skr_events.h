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
#define SKR_VERSION_MAJOR	1
#define SKR_VERSION_MINOR	0

/* Bounds a reader enforces before it trusts a length (docs/FORMAT.md §5). */
#define SKR_REC_MIN		8u		/* the header alone */
#define SKR_REC_MAX		65536u		/* one record */
#define SKR_FRAME_MAX		(4u << 20)	/* decompressed bytes of one frame */
#define SKR_WINDOW_LOG_MAX	23		/* zstd window a reader accepts */

/* Record types.  0x00xx: structure and metadata; 0x01xx: kernel events. */
enum skr_rec_type {
	SKR_REC_FILE_HEADER	= 0x0001,
	SKR_REC_HOST		= 0x0002,
	SKR_REC_RECORDER	= 0x0003,
	SKR_REC_CLOCK		= 0x0004,
	SKR_REC_PROBE		= 0x0005,
	SKR_REC_FILTER		= 0x0006,	/* filters in force (TLV) */
	SKR_REC_SNAPSHOT	= 0x0007,	/* a socket that existed at start (sock_diag) */
	SKR_REC_STATS		= 0x0008,	/* periodic cumulative recorder/kernel counters */
	SKR_REC_LOSS		= 0x0010,
	SKR_REC_ROUND		= 0x0011,
	SKR_REC_END		= 0x001f,
	SKR_REC_STATE		= 0x0100,
	SKR_REC_LISTEN		= 0x0101,
	SKR_REC_ACCEPT		= 0x0102,
	SKR_REC_RESET		= 0x0103,	/* reset sent or received */
	SKR_REC_SOCK_ERROR	= 0x0104,
	SKR_REC_RETRANSMIT	= 0x0105,	/* SYN-ACK or data retransmit */
	SKR_REC_DESTROY		= 0x0106,
	SKR_REC_SKB_DROP	= 0x0107,	/* kfree_skb with a drop reason */
	SKR_REC_LISTENER	= 0x0108,	/* periodic listener sample (sock_diag) */
	SKR_REC_NETNS_STATS	= 0x0109,	/* ListenOverflows/ListenDrops of a netns */
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
	skr_u8 pad;
};

#define SKR_AF_INET	2
#define SKR_AF_INET6	10
#define SKR_COMM_LEN	16

/* inet_sock_set_state: a TCP socket changed state. */
struct skr_ev_state {
	struct skr_rec_hdr hdr;
	struct skr_ev_common c;
	skr_u8 saddr[16];		/* IPv4: first 4 bytes, rest zero */
	skr_u8 daddr[16];
	char comm[SKR_COMM_LEN];	/* current task, may lack a terminator */
	skr_u16 sport;			/* host byte order */
	skr_u16 dport;			/* host byte order */
	skr_u8 family;			/* SKR_AF_INET or SKR_AF_INET6 */
	skr_u8 protocol;		/* IPPROTO_TCP = 6 */
	skr_u8 oldstate;		/* TCP state, Linux numbering */
	skr_u8 newstate;
};

/* ---- kernel event records (bpf/): LISTEN .. SKB_DROP, FILTER, STATS ---- */

/* ---- sock_diag records (record/diag.c): SNAPSHOT, LISTENER, NETNS_STATS ---- */

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
_Static_assert(sizeof(struct skr_ev_common) == 32, "skr_ev_common layout");
_Static_assert(sizeof(struct skr_ev_state) == 96, "skr_ev_state layout");

#endif /* SKR_EVENTS_H */
