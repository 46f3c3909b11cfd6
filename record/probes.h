/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Private to record/probes_tiers.c, record/probes.c and
 * record/probes_report.c: the table of hooks and what the session learns
 * about each.  probes_tiers.c owns the table and chooses a tier per hook;
 * probes.c loads and attaches the chosen programs; probes_report.c says in
 * the file (PROBE records) and on --list-probes how each hook fared.
 */
#ifndef SOCKREC_PROBES_H
#define SOCKREC_PROBES_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <bpf/libbpf.h>

struct sockrec_bpf;

#define TIERS		2	/* tiers a hook may offer: tp_btf, tracepoint */
#define TIER_PROGS	2	/* programs one tier needs at most */
#define REASON_LEN	160
#define TWIN_PREFIX	"rcv_"	/* bpf/output.bpf.h: TP_BTF_HOOK() */

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
	/* filled by probes_choose_tiers() and load */
	uint8_t offered;		/* bit (1 << tier) per tier the kernel has */
	uint8_t chosen;			/* tier loaded, SKR_TIER_NONE if none */
	/* filled by rec_probes_attach() */
	struct bpf_link *links[TIER_PROGS];
	uint8_t tier;			/* tier attached */
	int error;			/* positive errno of the last failed tier */
	char reason[REASON_LEN];
	/* probes_keep_facts(): a PROBE record of what the BTF says, or NULL */
	uint8_t *facts;
	size_t facts_len;
};

/* ---- probes_tiers.c: the hooks, and the tier the kernel offers each ---- */

extern struct hook probes_hooks[];
extern const size_t probes_nhooks;
#define NHOOKS probes_nhooks
/* This kernel's BTF, loaded once per session (NULL: none). */
extern struct btf *probes_vmlinux_btf;

/* Fill offered/chosen of every hook from what the kernel has. */
void probes_choose_tiers(void);
/* The definition of tier for hook h, or NULL if h has none. */
const struct tier_def *probes_tier_of(const struct hook *h, uint8_t tier);
/* SKR_PROBE_TIER=tp_btf|tracepoint limits every hook to that tier (tests). */
uint8_t probes_forced_tier(void);
/* h->reason, printf-style; truncated to fit, empty if formatting fails. */
void probes_set_reason(struct hook *h, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* ---- probes.c: loading ---- */

/* Trial loads set it: their refusals are expected, libbpf need not print. */
extern bool probes_libbpf_quiet;
/* libbpf's printer: its warnings only, and none while quiet. */
int probes_libbpf_print(enum libbpf_print_level level, const char *fmt,
			va_list args);
/* Arguments of a tp_btf hook (the context pointer not counted), or -1. */
int probes_btf_trace_nargs(const char *name);
/* Open, configure and load; only: load just that hook's chosen tier. */
int probes_open_load(struct sockrec_bpf **skelp, const struct hook *only);
/*
 * The full load failed: find, hook by hook, a tier the verifier takes.  A
 * hook whose every offered tier fails is left out, with the error.
 */
void probes_demote_failing(void);

/* ---- probes_report.c ---- */

/*
 * Take from the kernel's BTF, for each attached hook, what its PROBE
 * records say of the kernel (LIMITS, ENUM), so that the BTF need not be
 * kept for the files to come.  0, -ENOMEM, or -E2BIG if a hook's would
 * not fit in a record.  probes_drop_facts() frees them.
 */
int probes_keep_facts(void);
void probes_drop_facts(void);

#endif /* SOCKREC_PROBES_H */
