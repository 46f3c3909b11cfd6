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

/* Names and lengths of record types come from the catalogue (catalog.c). */
const char *skr_rec_type_name(unsigned type, char *buf, size_t size)
{
	const struct skr_rec_desc *d = skr_rec_desc(type);

	return d ? d->name : unknown(type, buf, size);
}

size_t skr_rec_min_len(unsigned type)
{
	const struct skr_rec_desc *d = skr_rec_desc(type);

	return d ? d->min_len : 0;
}
