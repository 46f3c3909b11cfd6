// SPDX-License-Identifier: BSD-2-Clause
/*
 * Printable names for numbers taken from trace data.  Every lookup is
 * bounds-checked: the kernel grows new states and the file grows new record
 * types, and an out-of-range value must print as UNKNOWN(n), not crash.
 */
#include <stdio.h>

#include "skr.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const char *const tcp_states[] = {
	[SKR_TCP_ESTABLISHED]	= "ESTABLISHED",
	[SKR_TCP_SYN_SENT]	= "SYN_SENT",
	[SKR_TCP_SYN_RECV]	= "SYN_RECV",
	[SKR_TCP_FIN_WAIT1]	= "FIN_WAIT1",
	[SKR_TCP_FIN_WAIT2]	= "FIN_WAIT2",
	[SKR_TCP_TIME_WAIT]	= "TIME_WAIT",
	[SKR_TCP_CLOSE]		= "CLOSE",
	[SKR_TCP_CLOSE_WAIT]	= "CLOSE_WAIT",
	[SKR_TCP_LAST_ACK]	= "LAST_ACK",
	[SKR_TCP_LISTEN]	= "LISTEN",
	[SKR_TCP_CLOSING]	= "CLOSING",
	[SKR_TCP_NEW_SYN_RECV]	= "NEW_SYN_RECV",
};

static const char *const tiers[] = {
	[SKR_TIER_NONE]		= "none",
	[SKR_TIER_TP_BTF]	= "tp_btf",
	[SKR_TIER_TRACEPOINT]	= "tracepoint",
	[SKR_TIER_KPROBE]	= "kprobe",
	[SKR_TIER_FENTRY]	= "fentry",
};

static const char *const ctxs[] = {
	[SKR_CTX_UNKNOWN]	= "unknown",
	[SKR_CTX_PROCESS]	= "process",
	[SKR_CTX_SOFTIRQ]	= "softirq",
	[SKR_CTX_HARDIRQ]	= "hardirq",
	[SKR_CTX_NMI]		= "nmi",
};

/*
 * Every record type of this version: its name and its shortest valid length
 * (the v1 struct; the header alone for attribute records).  The reader's
 * length checks and the recorder's check of every perf sample come from
 * here, so the lookup is an index: one array for the structure and metadata
 * types (0x00xx), one for the kernel events (0x01xx).
 */
struct rec_type_info {
	const char *name;		/* NULL: no such type */
	size_t min_len;
};

#define META_TYPES	0x20u
#define EVENT_BASE	0x100u
#define EVENT_TYPES	0x20u

static const struct rec_type_info meta_types[META_TYPES] = {
	[SKR_REC_FILE_HEADER]	= { "FILE_HEADER",	sizeof(struct skr_file_header) },
	[SKR_REC_HOST]		= { "HOST",		SKR_REC_MIN },
	[SKR_REC_RECORDER]	= { "RECORDER",		SKR_REC_MIN },
	[SKR_REC_CLOCK]		= { "CLOCK",		sizeof(struct skr_clock) },
	[SKR_REC_PROBE]		= { "PROBE",		SKR_REC_MIN },
	[SKR_REC_FILTER]	= { "FILTER",		SKR_REC_MIN },
	[SKR_REC_SNAPSHOT]	= { "SNAPSHOT",		sizeof(struct skr_snapshot) },
	[SKR_REC_STATS]		= { "STATS",		sizeof(struct skr_stats) },
	[SKR_REC_LOSS]		= { "LOSS",		sizeof(struct skr_loss) },
	[SKR_REC_ROUND]		= { "ROUND",		sizeof(struct skr_round) },
	[SKR_REC_END]		= { "END",		sizeof(struct skr_end) },
};

static const struct rec_type_info event_types[EVENT_TYPES] = {
#define EV(t) [(t) - EVENT_BASE]
	EV(SKR_REC_STATE)	= { "STATE",		sizeof(struct skr_ev_state) },
	EV(SKR_REC_LISTEN)	= { "LISTEN",		sizeof(struct skr_ev_listen) },
	EV(SKR_REC_ACCEPT)	= { "ACCEPT",		sizeof(struct skr_ev_accept) },
	EV(SKR_REC_RESET)	= { "RESET",		sizeof(struct skr_ev_reset) },
	EV(SKR_REC_SOCK_ERROR)	= { "SOCK_ERROR",	sizeof(struct skr_ev_sock_error) },
	EV(SKR_REC_RETRANSMIT)	= { "RETRANSMIT",	sizeof(struct skr_ev_retransmit) },
	EV(SKR_REC_DESTROY)	= { "DESTROY",		sizeof(struct skr_ev_destroy) },
	EV(SKR_REC_SKB_DROP)	= { "SKB_DROP",		sizeof(struct skr_ev_skb_drop) },
	EV(SKR_REC_LISTENER)	= { "LISTENER",		sizeof(struct skr_ev_listener) },
	EV(SKR_REC_NETNS_STATS)	= { "NETNS_STATS",	sizeof(struct skr_ev_netns_stats) },
	EV(SKR_REC_STATE4)	= { "STATE4",		sizeof(struct skr_ev_state4) },
	EV(SKR_REC_SAMPLING)	= { "SAMPLING",		sizeof(struct skr_ev_sampling) },
#undef EV
};

/* The entry of a known type, or NULL. */
static const struct rec_type_info *rec_type(unsigned type)
{
	const struct rec_type_info *e = NULL;

	if (type < META_TYPES)
		e = &meta_types[type];
	else if (type - EVENT_BASE < EVENT_TYPES)
		e = &event_types[type - EVENT_BASE];
	return e && e->name ? e : NULL;
}

static const char *unknown(unsigned v, char *buf, size_t size)
{
	int n;

	if (!buf || size == 0)
		return "UNKNOWN";
	n = snprintf(buf, size, "UNKNOWN(%u)", v);
	if (n < 0 || (size_t)n >= size)
		return "UNKNOWN";
	return buf;
}

static const char *lookup(const char *const *tab, size_t n, unsigned v,
			  char *buf, size_t size)
{
	if (v < n && tab[v])
		return tab[v];
	return unknown(v, buf, size);
}

const char *skr_tcp_state_name(unsigned state, char *buf, size_t size)
{
	return lookup(tcp_states, ARRAY_SIZE(tcp_states), state, buf, size);
}

const char *skr_tier_name(unsigned tier, char *buf, size_t size)
{
	return lookup(tiers, ARRAY_SIZE(tiers), tier, buf, size);
}

const char *skr_ctx_name(unsigned ctx, char *buf, size_t size)
{
	return lookup(ctxs, ARRAY_SIZE(ctxs), ctx, buf, size);
}

const char *skr_rec_type_name(unsigned type, char *buf, size_t size)
{
	const struct rec_type_info *e = rec_type(type);

	return e ? e->name : unknown(type, buf, size);
}

size_t skr_rec_min_len(unsigned type)
{
	const struct rec_type_info *e = rec_type(type);

	return e ? e->min_len : 0;
}
