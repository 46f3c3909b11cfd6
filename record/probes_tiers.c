// SPDX-License-Identifier: BSD-2-Clause
/*
 * The hooks sockrec attaches, and for each the best tier this kernel
 * offers.
 *
 * A tier is offered when the kernel has its hook: BTF type btf_trace_<name>
 * for tp_btf, tracefs events/<cat>/<name> for a classic tracepoint.  Only
 * the chosen tier of a hook is loaded (probes.c).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>

#include <bpf/btf.h>

#include "record/probes.h"
#include "format/skr_events.h"

/* A tp_btf tier: its program and the twin --recover-misses adds. */
#define BTF_TIER(prog) \
	{ .tier = SKR_TIER_TP_BTF, .progs = { prog, TWIN_PREFIX prog } }
#define TP_TIER(ev, prog) \
	{ .tier = SKR_TIER_TRACEPOINT, .events = { ev }, .progs = { prog } }
#define SYSCALL_TIER(sys, enter, exit) \
	{ .tier = SKR_TIER_TRACEPOINT, \
	  .events = { "syscalls/sys_enter_" sys, "syscalls/sys_exit_" sys }, \
	  .progs = { enter, exit } }
#define SYSCALL_EXIT_TIER(sys, exit) \
	{ .tier = SKR_TIER_TRACEPOINT, \
	  .events = { "syscalls/sys_exit_" sys }, .progs = { exit } }

/*
 * The accept hooks come in two versions (bpf/syscalls.bpf.h): one program at
 * exit reading through typed pointers, which needs the bpf_rdonly_cast
 * kfunc (6.2+), or, before it, an entry and an exit program reading through
 * probe reads.  choose_accept() puts the right one in probes_hooks[].
 */
static const struct {
	const char *hook;
	struct tier_def fast, old;
} accept_versions[] = {
	{ "accept", SYSCALL_EXIT_TIER("accept", "handle_accept_exit"),
	  SYSCALL_TIER("accept", "handle_accept_enter_old",
		       "handle_accept_exit_old") },
	{ "accept4", SYSCALL_EXIT_TIER("accept4", "handle_accept4_exit"),
	  SYSCALL_TIER("accept4", "handle_accept4_enter_old",
		       "handle_accept4_exit_old") },
};

struct hook probes_hooks[] = {
	{ .name = "inet_sock_set_state", .event = SKR_REC_STATE, .required = true,
	  .tiers = { BTF_TIER("handle_set_state"),
		     TP_TIER("sock/inet_sock_set_state", "handle_set_state_tp") } },
	{ .name = "listen", .event = SKR_REC_LISTEN,
	  .tiers = { SYSCALL_TIER("listen", "handle_listen_enter",
				  "handle_listen_exit") } },
	/* Their tier, one of accept_versions[] above: choose_accept(). */
	{ .name = "accept", .event = SKR_REC_ACCEPT },
	{ .name = "accept4", .event = SKR_REC_ACCEPT },
	{ .name = "tcp_send_reset", .event = SKR_REC_RESET,
	  .enum_name = "sk_rst_reason", .enum_prefix = "SK_RST_REASON_",
	  .tiers = { BTF_TIER("handle_send_reset"),
		     TP_TIER("tcp/tcp_send_reset", "handle_send_reset_tp") } },
	{ .name = "tcp_receive_reset", .event = SKR_REC_RESET,
	  .tiers = { BTF_TIER("handle_receive_reset"),
		     TP_TIER("tcp/tcp_receive_reset", "handle_receive_reset_tp") } },
	{ .name = "inet_sk_error_report", .event = SKR_REC_SOCK_ERROR,
	  .tiers = { BTF_TIER("handle_error_report"),
		     TP_TIER("sock/inet_sk_error_report", "handle_error_report_tp") } },
	{ .name = "tcp_retransmit_skb", .event = SKR_REC_RETRANSMIT,
	  .tiers = { BTF_TIER("handle_retransmit_skb"),
		     TP_TIER("tcp/tcp_retransmit_skb", "handle_retransmit_skb_tp") } },
	{ .name = "tcp_retransmit_synack", .event = SKR_REC_RETRANSMIT,
	  .tiers = { BTF_TIER("handle_retransmit_synack"),
		     TP_TIER("tcp/tcp_retransmit_synack",
			     "handle_retransmit_synack_tp") } },
	{ .name = "tcp_destroy_sock", .event = SKR_REC_DESTROY,
	  .tiers = { BTF_TIER("handle_destroy"),
		     TP_TIER("tcp/tcp_destroy_sock", "handle_destroy_tp") } },
	{ .name = "kfree_skb", .event = SKR_REC_SKB_DROP,
	  .enum_name = "skb_drop_reason", .enum_prefix = "SKB_DROP_REASON_",
	  .tiers = { BTF_TIER("handle_kfree_skb"),
		     TP_TIER("skb/kfree_skb", "handle_kfree_skb_tp") } },
};

const size_t probes_nhooks = sizeof(probes_hooks) / sizeof(probes_hooks[0]);

/* Kernel facts shared by every file of the session. */
struct btf *probes_vmlinux_btf;
static const char *tracefs;		/* directory holding events/, or NULL */
static int tracefs_err;			/* why not, positive errno */

/* Classic tracepoints need tracefs, which is not mounted at boot here. */
static void find_tracefs(void)
{
	static const char *const dirs[] = {
		"/sys/kernel/tracing", "/sys/kernel/debug/tracing",
	};
	char path[64];
	size_t i;

	if (tracefs || tracefs_err)
		return;
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		int n = snprintf(path, sizeof(path), "%s/events", dirs[i]);

		if (n > 0 && (size_t)n < sizeof(path) && access(path, F_OK) == 0) {
			tracefs = dirs[i];
			return;
		}
	}
	if (mount("nodev", dirs[0], "tracefs", 0, NULL) == 0) {
		tracefs = dirs[0];
		return;
	}
	tracefs_err = errno ? errno : ENOENT;
}

static bool has_tracepoint(const char *event)
{
	char path[256];
	int n;

	if (!tracefs)
		return false;
	n = snprintf(path, sizeof(path), "%s/events/%s/id", tracefs, event);
	return n > 0 && (size_t)n < sizeof(path) && access(path, F_OK) == 0;
}

static bool has_btf_trace(const char *name)
{
	char type[128];
	int n;

	if (!probes_vmlinux_btf)
		return false;
	n = snprintf(type, sizeof(type), "btf_trace_%s", name);
	return n > 0 && (size_t)n < sizeof(type) &&
	       btf__find_by_name_kind(probes_vmlinux_btf, type,
				      BTF_KIND_TYPEDEF) > 0;
}

static bool tier_offered(const struct hook *h, const struct tier_def *td)
{
	size_t i;

	if (td->tier == SKR_TIER_TP_BTF)
		return has_btf_trace(h->name);
	for (i = 0; i < TIER_PROGS && td->events[i]; i++)
		if (!has_tracepoint(td->events[i]))
			return false;
	return td->tier == SKR_TIER_TRACEPOINT;
}

uint8_t probes_forced_tier(void)
{
	const char *v = getenv("SKR_PROBE_TIER");

	if (!v)
		return SKR_TIER_NONE;
	if (strcmp(v, "tp_btf") == 0)
		return SKR_TIER_TP_BTF;
	if (strcmp(v, "tracepoint") == 0)
		return SKR_TIER_TRACEPOINT;
	return SKR_TIER_NONE;
}

void probes_set_reason(struct hook *h, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(h->reason, sizeof(h->reason), fmt, ap);
	va_end(ap);
	if (n < 0)
		h->reason[0] = '\0';
}

/* Why no tier of h is offered, in words. */
static void explain_missing(struct hook *h)
{
	const struct tier_def *tp = NULL;
	size_t i;

	for (i = 0; i < TIERS; i++)
		if (h->tiers[i].tier == SKR_TIER_TRACEPOINT)
			tp = &h->tiers[i];
	h->error = ENOENT;
	if (tp && !tracefs) {
		h->error = tracefs_err;
		probes_set_reason(h, "tracefs is not mounted and mounting it "
				  "failed: %s", strerror(tracefs_err));
	} else if (tp) {
		probes_set_reason(h, "no tracepoint %s in this kernel%s",
				  tp->events[0],
				  h->tiers[0].tier == SKR_TIER_TP_BTF ?
				  " and no BTF for tp_btf" : "");
	} else {
		probes_set_reason(h, "no tp_btf hook btf_trace_%s in this kernel",
				  h->name);
	}
}

/*
 * The fast accept programs where the kernel has bpf_rdonly_cast; the old
 * ones otherwise, and with SKR_PROBE_TIER=tracepoint, which asks for the
 * path of older kernels everywhere (the tests run it).
 */
static void choose_accept(void)
{
	bool fast = probes_vmlinux_btf &&
		    probes_forced_tier() != SKR_TIER_TRACEPOINT &&
		    btf__find_by_name_kind(probes_vmlinux_btf, "bpf_rdonly_cast",
					   BTF_KIND_FUNC) > 0;
	size_t i, k;

	for (i = 0; i < NHOOKS; i++)
		for (k = 0; k < sizeof(accept_versions) / sizeof(accept_versions[0]); k++)
			if (strcmp(probes_hooks[i].name, accept_versions[k].hook) == 0)
				probes_hooks[i].tiers[0] =
					fast ? accept_versions[k].fast
					     : accept_versions[k].old;
}

void probes_choose_tiers(void)
{
	uint8_t force = probes_forced_tier();
	size_t i, j;

	/* Without BTF no tp_btf tier is offered; tracepoints may still be. */
	if (!probes_vmlinux_btf)
		probes_vmlinux_btf = btf__load_vmlinux_btf();
	find_tracefs();
	choose_accept();
	for (i = 0; i < NHOOKS; i++) {
		struct hook *h = &probes_hooks[i];

		h->offered = 0;
		h->chosen = SKR_TIER_NONE;
		h->error = 0;
		h->reason[0] = '\0';
		for (j = 0; j < TIERS; j++) {
			const struct tier_def *td = &h->tiers[j];

			if (td->tier == SKR_TIER_NONE || !tier_offered(h, td))
				continue;
			h->offered |= (uint8_t)(1u << td->tier);
			if (h->chosen == SKR_TIER_NONE &&
			    (!force || force == td->tier))
				h->chosen = td->tier;
		}
		if (!h->offered) {
			explain_missing(h);
		} else if (h->chosen == SKR_TIER_NONE) {
			h->error = ENOENT;
			probes_set_reason(h, "tier disabled by SKR_PROBE_TIER");
		}
	}
}

const struct tier_def *probes_tier_of(const struct hook *h, uint8_t tier)
{
	size_t j;

	for (j = 0; j < TIERS; j++)
		if (h->tiers[j].tier == tier && tier != SKR_TIER_NONE)
			return &h->tiers[j];
	return NULL;
}
