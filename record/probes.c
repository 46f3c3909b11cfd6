// SPDX-License-Identifier: BSD-2-Clause
/*
 * The BPF side of a session: choose for each hook the best tier this kernel
 * offers, load every chosen program at once, attach them, say in the file
 * which hooks attached and why the others did not, and read the kernel's
 * own loss counters at the end.
 *
 * A tier is offered when the kernel has its hook: BTF type btf_trace_<name>
 * for tp_btf, tracefs events/<cat>/<name> for a classic tracepoint.  The
 * programs of tiers not chosen are not loaded (autoload off).  If the one
 * load fails, each hook is tried alone to find which tier the verifier
 * refuses, so one bad program cannot stop the others.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "record/sockrec.h"
#include "sockrec.skel.h"

#define TIERS		2	/* tiers a hook may offer: tp_btf, tracepoint */
#define TIER_PROGS	2	/* programs one tier needs at most */
#define REASON_LEN	160
#define TWIN_PREFIX	"rcv_"	/* bpf/sockrec.bpf.c: TP_BTF_HOOK() */

struct tier_def {
	uint8_t tier;			/* enum skr_tier */
	const char *events[TIER_PROGS];	/* tracefs "cat/name", classic tier */
	const char *progs[TIER_PROGS];	/* BPF program names */
};

struct hook {
	const char *name;		/* kernel hook, as the PROBE record names it */
	uint16_t event;			/* record type it produces */
	bool required;			/* recording is pointless without it */
	const char *enum_name;		/* BTF enum its reason field uses, or NULL */
	const char *enum_prefix;	/* dropped from the enum's value names */
	struct tier_def tiers[TIERS];
	/* filled by choose_tiers() and load */
	uint8_t offered;		/* bit (1 << tier) per tier the kernel has */
	uint8_t chosen;			/* tier loaded, SKR_TIER_NONE if none */
	/* filled by rec_probes_attach() */
	struct bpf_link *links[TIER_PROGS];
	uint8_t tier;			/* tier attached */
	int error;			/* positive errno of the last failed tier */
	char reason[REASON_LEN];
};

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
 * The accept hooks come in two versions (bpf/sockrec.bpf.c): one program at
 * exit reading through typed pointers, which needs the bpf_rdonly_cast
 * kfunc (6.2+), or, before it, an entry and an exit program reading through
 * probe reads.  choose_accept() puts the right one in hooks[].
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

static struct hook hooks[] = {
	{ .name = "inet_sock_set_state", .event = SKR_REC_STATE, .required = true,
	  .tiers = { BTF_TIER("handle_set_state"),
		     TP_TIER("sock/inet_sock_set_state", "handle_set_state_tp") } },
	{ .name = "listen", .event = SKR_REC_LISTEN,
	  .tiers = { SYSCALL_TIER("listen", "handle_listen_enter",
				  "handle_listen_exit") } },
	{ .name = "accept", .event = SKR_REC_ACCEPT,
	  .tiers = { SYSCALL_EXIT_TIER("accept", "handle_accept_exit") } },
	{ .name = "accept4", .event = SKR_REC_ACCEPT,
	  .tiers = { SYSCALL_EXIT_TIER("accept4", "handle_accept4_exit") } },
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

#define NHOOKS (sizeof(hooks) / sizeof(hooks[0]))

/* Kernel facts shared by every file of the session. */
static struct btf *vmlinux_btf;
static const char *tracefs;		/* directory holding events/, or NULL */
static int tracefs_err;			/* why not, positive errno */
static bool libbpf_quiet;		/* trial loads: their refusals are expected */
static bool recover_misses;		/* --recover-misses: load and attach the twins */

/* A twin program of --recover-misses (bpf/sockrec.bpf.c: TP_BTF_HOOK). */
static bool is_twin(const char *prog)
{
	return strncmp(prog, TWIN_PREFIX, strlen(TWIN_PREFIX)) == 0;
}

/* Programs of a tier that this session loads. */
static bool prog_wanted(const char *prog)
{
	return recover_misses || !is_twin(prog);
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt,
			va_list args)
{
	/* Keep libbpf's warnings (verifier log on failure); drop its chatter. */
	if (level != LIBBPF_WARN || libbpf_quiet)
		return 0;
	return vfprintf(stderr, fmt, args);
}

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

	if (!vmlinux_btf)
		return false;
	n = snprintf(type, sizeof(type), "btf_trace_%s", name);
	return n > 0 && (size_t)n < sizeof(type) &&
	       btf__find_by_name_kind(vmlinux_btf, type, BTF_KIND_TYPEDEF) > 0;
}

/* Arguments of a tp_btf hook (the context pointer not counted), or -1. */
static int btf_trace_nargs(const char *name)
{
	const struct btf_type *t;
	char type[128];
	int id, n;

	if (!vmlinux_btf)
		return -1;
	n = snprintf(type, sizeof(type), "btf_trace_%s", name);
	if (n <= 0 || (size_t)n >= sizeof(type))
		return -1;
	id = btf__find_by_name_kind(vmlinux_btf, type, BTF_KIND_TYPEDEF);
	if (id <= 0)
		return -1;
	t = btf__type_by_id(vmlinux_btf, btf__resolve_type(vmlinux_btf, id));
	if (!t || !btf_is_ptr(t))
		return -1;
	t = btf__type_by_id(vmlinux_btf, t->type);
	if (!t || !btf_is_func_proto(t) || btf_vlen(t) < 1)
		return -1;
	return btf_vlen(t) - 1;
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

/* SKR_PROBE_TIER=tp_btf|tracepoint limits every hook to that tier (tests). */
static uint8_t forced_tier(void)
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

static void set_reason(struct hook *h, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void set_reason(struct hook *h, const char *fmt, ...)
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
		set_reason(h, "tracefs is not mounted and mounting it failed: %s",
			   strerror(tracefs_err));
	} else if (tp) {
		set_reason(h, "no tracepoint %s in this kernel%s", tp->events[0],
			   h->tiers[0].tier == SKR_TIER_TP_BTF ?
			   " and no BTF for tp_btf" : "");
	} else {
		set_reason(h, "no tp_btf hook btf_trace_%s in this kernel", h->name);
	}
}

/*
 * The fast accept programs where the kernel has bpf_rdonly_cast; the old
 * ones otherwise, and with SKR_PROBE_TIER=tracepoint, which asks for the
 * path of older kernels everywhere (the tests run it).
 */
static void choose_accept(void)
{
	bool fast = vmlinux_btf && forced_tier() != SKR_TIER_TRACEPOINT &&
		    btf__find_by_name_kind(vmlinux_btf, "bpf_rdonly_cast",
					   BTF_KIND_FUNC) > 0;
	size_t i, k;

	for (i = 0; i < NHOOKS; i++)
		for (k = 0; k < sizeof(accept_versions) / sizeof(accept_versions[0]); k++)
			if (strcmp(hooks[i].name, accept_versions[k].hook) == 0)
				hooks[i].tiers[0] = fast ? accept_versions[k].fast
							 : accept_versions[k].old;
}

/* Fill offered/chosen of every hook from what the kernel has. */
static void choose_tiers(void)
{
	uint8_t force = forced_tier();
	size_t i, j;

	/* Without BTF no tp_btf tier is offered; tracepoints may still be. */
	if (!vmlinux_btf)
		vmlinux_btf = btf__load_vmlinux_btf();
	find_tracefs();
	choose_accept();
	for (i = 0; i < NHOOKS; i++) {
		struct hook *h = &hooks[i];

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
			set_reason(h, "tier disabled by SKR_PROBE_TIER");
		}
	}
}

static const struct tier_def *tier_of(const struct hook *h, uint8_t tier)
{
	size_t j;

	for (j = 0; j < TIERS; j++)
		if (h->tiers[j].tier == tier && tier != SKR_TIER_NONE)
			return &h->tiers[j];
	return NULL;
}

/* Load only the chosen tier of each hook (only hook `only`, if not NULL). */
static void set_autoload(struct sockrec_bpf *skel, const struct hook *only)
{
	struct bpf_program *prog;
	size_t i, k;

	bpf_object__for_each_program(prog, skel->obj)
		bpf_program__set_autoload(prog, false);
	for (i = 0; i < NHOOKS; i++) {
		const struct hook *h = &hooks[i];
		const struct tier_def *td = tier_of(h, h->chosen);

		if (!td || (only && only != h))
			continue;
		for (k = 0; k < TIER_PROGS && td->progs[k]; k++) {
			if (!prog_wanted(td->progs[k]))
				continue;
			prog = bpf_object__find_program_by_name(skel->obj,
								td->progs[k]);
			if (prog)
				bpf_program__set_autoload(prog, true);
		}
	}
}

static void set_shapes(struct sockrec_bpf *skel)
{
	int n;

	n = btf_trace_nargs("tcp_send_reset");
	skel->rodata->rst_nargs = n < 0 ? 2 : (uint32_t)n;
	n = btf_trace_nargs("tcp_retransmit_skb");
	skel->rodata->retrans_nargs = n < 0 ? 2 : (uint32_t)n;
	n = btf_trace_nargs("kfree_skb");
	skel->rodata->drop_nargs = n < 0 ? 2 : (uint32_t)n;
}

/* Open, configure and load; only: load just that hook's chosen tier. */
static int open_load(struct sockrec_bpf **skelp, const struct hook *only)
{
	struct sockrec_bpf *skel;
	int err;

	*skelp = NULL;
	skel = sockrec_bpf__open();
	if (!skel)
		return errno ? -errno : -ENOMEM;
	set_shapes(skel);
	skel->rodata->recover_misses = recover_misses;
	err = rec_filters_setup(skel);
	if (!err) {
		set_autoload(skel, only);
		err = sockrec_bpf__load(skel);
		if (err)
			err = err < 0 ? err : -EINVAL;
	}
	if (err) {
		sockrec_bpf__destroy(skel);
		return err;
	}
	*skelp = skel;
	return 0;
}

/*
 * The full load failed: find, hook by hook, a tier the verifier takes.  A
 * hook whose every offered tier fails is left out, with the error.
 */
static void demote_failing(void)
{
	size_t i, j;

	libbpf_quiet = true;
	for (i = 0; i < NHOOKS; i++) {
		struct hook *h = &hooks[i];
		uint8_t first = h->chosen;

		for (j = 0; j < TIERS && h->chosen != SKR_TIER_NONE; j++) {
			struct sockrec_bpf *skel;
			int err;

			if (h->tiers[j].tier != h->chosen)
				continue;
			err = open_load(&skel, h);
			if (!err) {
				sockrec_bpf__destroy(skel);
				break;
			}
			h->error = -err;
			set_reason(h, "the verifier refused the %s program: %s",
				   h->chosen == SKR_TIER_TP_BTF ? "tp_btf" : "tracepoint",
				   strerror(-err));
			/* Next offered tier, unless a forced tier rules it out. */
			h->chosen = SKR_TIER_NONE;
			if (j + 1 < TIERS && !forced_tier() &&
			    (h->offered & (1u << h->tiers[j + 1].tier)))
				h->chosen = h->tiers[j + 1].tier;
		}
		if (h->chosen != first && h->chosen != SKR_TIER_NONE)
			h->reason[0] = '\0';
	}
	libbpf_quiet = false;
}

int rec_probes_load(struct rec_session *s)
{
	struct sockrec_bpf *skel = NULL;
	int err;

	libbpf_set_print(libbpf_print);
	recover_misses = s->opt->recover_misses;
	choose_tiers();
	libbpf_quiet = true;
	err = open_load(&skel, NULL);
	libbpf_quiet = false;
	if (err == -EPERM || err == -ENOMEM) {
		/* Not a program's fault: every trial would fail the same way. */
		goto fail;
	}
	if (err) {
		demote_failing();
		err = open_load(&skel, NULL);
		if (err)
			goto fail;
	}
	err = rec_filters_fill(skel);
	if (err) {
		sockrec_bpf__destroy(skel);
		return err;
	}
	s->skel = skel;
	return 0;
fail:
	fprintf(stderr, "sockrec: loading BPF programs: %s\n", strerror(-err));
	return err;
}

static void detach_hook(struct hook *h)
{
	size_t k;

	for (k = 0; k < TIER_PROGS; k++) {
		bpf_link__destroy(h->links[k]);
		h->links[k] = NULL;
	}
}

static int attach_hook(struct rec_session *s, struct hook *h)
{
	const struct tier_def *td = tier_of(h, h->chosen);
	size_t k;

	for (k = 0; td && k < TIER_PROGS && td->progs[k]; k++) {
		struct bpf_program *prog;

		if (!prog_wanted(td->progs[k]))
			continue;
		prog = bpf_object__find_program_by_name(s->skel->obj, td->progs[k]);

		h->links[k] = prog ? bpf_program__attach(prog) : NULL;
		if (!h->links[k]) {
			int err = errno ? errno : ENOENT;

			detach_hook(h);
			return -err;
		}
	}
	return td ? 0 : -ENOENT;
}

int rec_probes_attach(struct rec_session *s)
{
	size_t i;
	int err = 0;

	for (i = 0; i < NHOOKS; i++) {
		struct hook *h = &hooks[i];
		int aerr;

		h->tier = SKR_TIER_NONE;
		if (h->chosen == SKR_TIER_NONE) {
			if (h->required && !err) {
				fprintf(stderr, "sockrec: %s: %s\n", h->name,
					h->reason);
				err = -(h->error ? h->error : ENOENT);
			}
			continue;
		}
		aerr = attach_hook(s, h);
		if (!aerr) {
			h->tier = h->chosen;
			h->error = 0;
			h->reason[0] = '\0';
			continue;
		}
		h->error = -aerr;
		set_reason(h, "attaching the %s program failed: %s",
			   h->chosen == SKR_TIER_TP_BTF ? "tp_btf" : "tracepoint",
			   strerror(-aerr));
		if (h->required) {
			fprintf(stderr, "sockrec: attaching %s: %s\n", h->name,
				strerror(-aerr));
			if (!err)
				err = aerr;
		}
	}
	return err;
}

/* The names of a reason enum of this kernel, so a reader needs no BTF. */
static void put_enum(struct skr_tlv_builder *b, const struct hook *h)
{
	const struct btf_type *t;
	const struct btf_enum *e;
	uint8_t val[4 + 64];
	size_t plen;
	int id, i;

	if (!vmlinux_btf || !h->enum_name)
		return;
	plen = strlen(h->enum_prefix);
	id = btf__find_by_name_kind(vmlinux_btf, h->enum_name, BTF_KIND_ENUM);
	if (id <= 0)
		return;
	t = btf__type_by_id(vmlinux_btf, id);
	e = btf_enum(t);
	for (i = 0; i < btf_vlen(t); i++) {
		const char *name = btf__name_by_offset(vmlinux_btf, e[i].name_off);
		uint32_t v = (uint32_t)e[i].val;
		size_t n;

		if (!name)
			continue;
		if (strncmp(name, h->enum_prefix, plen) == 0)
			name += plen;
		n = strlen(name);
		if (n > sizeof(val) - 4)
			n = sizeof(val) - 4;
		val[0] = (uint8_t)v;
		val[1] = (uint8_t)(v >> 8);
		val[2] = (uint8_t)(v >> 16);
		val[3] = (uint8_t)(v >> 24);
		memcpy(val + 4, name, n);
		skr_tlv_put(b, SKR_PROBE_ENUM, val, 4 + n);
	}
}

int rec_probes_write(struct rec_session *s)
{
	static struct skr_tlv_builder b;
	size_t i;
	int len, err;

	for (i = 0; i < NHOOKS; i++) {
		const struct hook *h = &hooks[i];

		skr_tlv_begin(&b, SKR_REC_PROBE);
		skr_tlv_put_str(&b, SKR_PROBE_NAME, h->name);
		skr_tlv_put_u8(&b, SKR_PROBE_TIER, h->tier);
		skr_tlv_put_u32(&b, SKR_PROBE_ERROR, (uint32_t)h->error);
		if (h->tier == SKR_TIER_NONE && h->reason[0])
			skr_tlv_put_str(&b, SKR_PROBE_REASON, h->reason);
		skr_tlv_put_u16(&b, SKR_PROBE_EVENT, h->event);
		skr_tlv_put_u8(&b, SKR_PROBE_TIERS, h->offered);
		if (h->tier != SKR_TIER_NONE)
			put_enum(&b, h);
		len = skr_tlv_end(&b);
		if (len < 0)
			return len;
		err = rec_write(s, b.buf, (size_t)len);
		if (err)
			return err;
	}
	return 0;
}

static const char *tier_word(uint8_t tier)
{
	static char buf[24];

	return skr_tier_name(tier, buf, sizeof(buf));
}

int rec_probes_list(void)
{
	struct sockrec_bpf *skel = NULL;
	size_t i;
	int err;

	libbpf_set_print(libbpf_print);
	choose_tiers();
	/* What would really load: the verifier has the last word. */
	libbpf_quiet = true;
	err = open_load(&skel, NULL);
	if (err && err != -EPERM) {
		demote_failing();
		err = open_load(&skel, NULL);
	}
	libbpf_quiet = false;
	sockrec_bpf__destroy(skel);

	printf("%-22s %-7s %-10s %-10s %s\n", "HOOK", "TP_BTF", "TRACEPOINT",
	       "USE", "NOTE");
	for (i = 0; i < NHOOKS; i++) {
		const struct hook *h = &hooks[i];

		printf("%-22s %-7s %-10s %-10s %s\n", h->name,
		       tier_of(h, SKR_TIER_TP_BTF) ?
		       (h->offered & (1u << SKR_TIER_TP_BTF) ? "yes" : "no") : "-",
		       tier_of(h, SKR_TIER_TRACEPOINT) ?
		       (h->offered & (1u << SKR_TIER_TRACEPOINT) ? "yes" : "no") : "-",
		       tier_word(h->chosen),
		       h->chosen == SKR_TIER_NONE ? h->reason :
		       h->required ? "required" : "");
	}
	if (err)
		printf("(could not load the programs to check them: %s)\n",
		       strerror(-err));
	if (fflush(stdout))
		return 1;
	return 0;
}

void rec_probes_detach(struct rec_session *s)
{
	size_t i;

	(void)s;
	for (i = 0; i < NHOOKS; i++)
		detach_hook(&hooks[i]);
}

/* The sum over CPUs of a one-entry per-CPU array of u64. */
static int sum_percpu(struct rec_session *s, const struct bpf_map *map,
		      uint64_t *sum)
{
	uint32_t key = 0;
	uint64_t *vals;
	int i, err = 0;

	/* A per-CPU value is rounded up to 8 bytes per possible CPU. */
	vals = calloc((size_t)s->ncpus, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	if (bpf_map_lookup_elem(bpf_map__fd(map), &key, vals)) {
		err = -errno;
		goto out;
	}
	*sum = 0;
	for (i = 0; i < s->ncpus; i++)
		*sum += vals[i];
out:
	free(vals);
	return err;
}

static int sum_recursion_misses(struct rec_session *s, uint64_t *sum)
{
	struct bpf_program *prog;

	*sum = 0;
	bpf_object__for_each_program(prog, s->skel->obj) {
		struct bpf_prog_info info;
		uint32_t len = sizeof(info);
		int fd = bpf_program__fd(prog);

		/* A twin's own misses lose nothing the main program missed too. */
		if (fd < 0 || is_twin(bpf_program__name(prog)))
			continue;
		memset(&info, 0, sizeof(info));
		if (bpf_obj_get_info_by_fd(fd, &info, &len))
			return -errno;
		*sum += info.recursion_misses;
	}
	return 0;
}

int rec_probes_totals(struct rec_session *s, uint64_t *output_failed,
		      uint64_t *recursion_misses, uint64_t *recovered)
{
	uint64_t misses = 0;
	int err;

	*output_failed = 0;
	*recursion_misses = 0;
	*recovered = 0;
	/*
	 * Misses before recoveries: a miss and its recovery landing between
	 * the two reads then make the gap smaller for a moment, never larger
	 * (the caller keeps the largest figure seen; the last read, after
	 * detaching, is exact).
	 */
	err = sum_recursion_misses(s, &misses);
	if (err) {
		fprintf(stderr, "sockrec: reading program info: %s\n",
			strerror(-err));
		return err;
	}
	err = sum_percpu(s, s->skel->maps.output_failed, output_failed);
	if (!err)
		err = sum_percpu(s, s->skel->maps.recovered, recovered);
	if (err) {
		fprintf(stderr, "sockrec: reading loss counters: %s\n",
			strerror(-err));
		return err;
	}
	/* Every skipped event was either recovered by a twin or lost. */
	*recursion_misses = misses > *recovered ? misses - *recovered : 0;
	return 0;
}

void rec_probes_close(struct rec_session *s)
{
	rec_probes_detach(s);
	sockrec_bpf__destroy(s->skel);
	s->skel = NULL;
	btf__free(vmlinux_btf);
	vmlinux_btf = NULL;
	rec_filters_close();
}
