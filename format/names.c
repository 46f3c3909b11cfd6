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

/*
 * Linux's numbers, not the host's <errno.h>: the trace was recorded on
 * Linux and sockana also runs elsewhere (macOS numbers them otherwise).
 * The kernel-internal ones (ERESTARTSYS, ...) are what a syscall's exit
 * tracepoint sees when a signal interrupts it, before the restart.
 */
static const struct {
	int32_t v;
	const char *name;
} errnos[] = {
	{ 1, "EPERM" }, { 2, "ENOENT" }, { 3, "ESRCH" }, { 4, "EINTR" },
	{ 5, "EIO" }, { 7, "E2BIG" }, { 9, "EBADF" }, { 11, "EAGAIN" },
	{ 12, "ENOMEM" }, { 13, "EACCES" }, { 14, "EFAULT" },
	{ 16, "EBUSY" }, { 17, "EEXIST" }, { 19, "ENODEV" },
	{ 22, "EINVAL" }, { 23, "ENFILE" }, { 24, "EMFILE" },
	{ 32, "EPIPE" }, { 38, "ENOSYS" }, { 71, "EPROTO" },
	{ 88, "ENOTSOCK" }, { 89, "EDESTADDRREQ" }, { 90, "EMSGSIZE" },
	{ 92, "ENOPROTOOPT" }, { 93, "EPROTONOSUPPORT" },
	{ 95, "EOPNOTSUPP" }, { 97, "EAFNOSUPPORT" },
	{ 98, "EADDRINUSE" }, { 99, "EADDRNOTAVAIL" },
	{ 100, "ENETDOWN" }, { 101, "ENETUNREACH" },
	{ 102, "ENETRESET" }, { 103, "ECONNABORTED" },
	{ 104, "ECONNRESET" }, { 105, "ENOBUFS" }, { 106, "EISCONN" },
	{ 107, "ENOTCONN" }, { 108, "ESHUTDOWN" }, { 110, "ETIMEDOUT" },
	{ 111, "ECONNREFUSED" }, { 112, "EHOSTDOWN" },
	{ 113, "EHOSTUNREACH" }, { 114, "EALREADY" },
	{ 115, "EINPROGRESS" }, { 125, "ECANCELED" },
	{ 512, "ERESTARTSYS" }, { 513, "ERESTARTNOINTR" },
	{ 514, "ERESTARTNOHAND" }, { 516, "ERESTART_RESTARTBLOCK" },
	{ 524, "ENOTSUPP" },
};

const char *skr_errno_name(int32_t err)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(errnos); i++)
		if (errnos[i].v == err)
			return errnos[i].name;
	return NULL;
}
