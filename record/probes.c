// SPDX-License-Identifier: BSD-2-Clause
/*
 * The BPF side of a session: load every program of the tiers
 * probes_tiers.c chose at once, attach them, and read the kernel's own
 * loss counters at the end.
 *
 * The programs of tiers not chosen are not loaded (autoload off).  If the
 * one load fails, each hook is tried alone to find which tier the verifier
 * refuses, so one bad program cannot stop the others.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "record/benign.h"
#include "record/probes.h"
#include "record/sockrec.h"
#include "sockrec.skel.h"

bool probes_libbpf_quiet;		/* trial loads: their refusals are expected */
static bool recover_misses;		/* --recover-misses: load and attach the twins */
static bool keep_benign;		/* --keep-benign-drops (record/benign.c) */

/* A twin program of --recover-misses (bpf/output.bpf.h: TP_BTF_HOOK). */
static bool is_twin(const char *prog)
{
	return strncmp(prog, TWIN_PREFIX, strlen(TWIN_PREFIX)) == 0;
}

/* Programs of a tier that this session loads. */
static bool prog_wanted(const char *prog)
{
	return recover_misses || !is_twin(prog);
}

/*
 * What libbpf said during a quiet trial load: the verifier log and CO-RE
 * failures of a refused program, shown to the user once the trial tells
 * which hook it was.  Only the tail is kept: that is where the reason is.
 */
#define TRIAL_LOG_LEN	8192
static char trial_log[TRIAL_LOG_LEN];
static size_t trial_len;

static void trial_log_add(const char *fmt, va_list args)
{
	char line[1024];
	size_t n, keep;
	int w;

	w = vsnprintf(line, sizeof(line), fmt, args);
	if (w <= 0)
		return;
	n = (size_t)w < sizeof(line) ? (size_t)w : sizeof(line) - 1;
	if (n > TRIAL_LOG_LEN - 1)
		n = TRIAL_LOG_LEN - 1;
	if (trial_len + n > TRIAL_LOG_LEN - 1) {
		keep = TRIAL_LOG_LEN - 1 - n;
		memmove(trial_log, trial_log + trial_len - keep, keep);
		trial_len = keep;
	}
	memcpy(trial_log + trial_len, line, n);
	trial_len += n;
	trial_log[trial_len] = '\0';
}

int probes_libbpf_print(enum libbpf_print_level level, const char *fmt,
			va_list args)
{
	/* Keep libbpf's warnings (verifier log on failure); drop its chatter. */
	if (level != LIBBPF_WARN)
		return 0;
	if (probes_libbpf_quiet) {
		trial_log_add(fmt, args);
		return 0;
	}
	return vfprintf(stderr, fmt, args);
}

/*
 * The lines of the trial log that say why prog was refused: libbpf's own
 * lines about it (CO-RE failures among them) and the verifier log's last
 * lines, at most max in all, each prefixed for the user.
 */
static void print_refusal(const char *hook, const char *tier, int max)
{
	const char *p, *start[64];
	int n = 0, i;

	fprintf(stderr, "sockrec: %s: the verifier refused the %s program; "
		"its log ends:\n", hook, tier);
	/* Start of each line, keeping the last 64. */
	for (p = trial_log; *p; ) {
		const char *nl = strchr(p, '\n');

		start[n % 64] = p;
		n++;
		if (!nl)
			break;
		p = nl + 1;
	}
	i = n > max ? n - max : 0;
	if (n - i > 64)
		i = n - 64;
	for (; i < n; i++) {
		const char *l = start[i % 64], *nl = strchr(l, '\n');
		int len = nl ? (int)(nl - l) : (int)strlen(l);

		if (len > 0)
			fprintf(stderr, "sockrec:   %.*s\n", len, l);
	}
}

int probes_btf_trace_nargs(const char *name)
{
	const struct btf_type *t;
	char type[128];
	int id, n;

	if (!probes_vmlinux_btf)
		return -1;
	n = snprintf(type, sizeof(type), "btf_trace_%s", name);
	if (n <= 0 || (size_t)n >= sizeof(type))
		return -1;
	id = btf__find_by_name_kind(probes_vmlinux_btf, type, BTF_KIND_TYPEDEF);
	if (id <= 0)
		return -1;
	t = btf__type_by_id(probes_vmlinux_btf,
			    btf__resolve_type(probes_vmlinux_btf, id));
	if (!t || !btf_is_ptr(t))
		return -1;
	t = btf__type_by_id(probes_vmlinux_btf, t->type);
	if (!t || !btf_is_func_proto(t) || btf_vlen(t) < 1)
		return -1;
	return btf_vlen(t) - 1;
}

/* Load only the chosen tier of each hook (only hook `only`, if not NULL). */
static void set_autoload(struct sockrec_bpf *skel, const struct hook *only)
{
	struct bpf_program *prog;
	size_t i, k;

	bpf_object__for_each_program(prog, skel->obj)
		bpf_program__set_autoload(prog, false);
	/* No hook's: the sweep runs them (record/perfbuf.c). */
	bpf_program__set_autoload(skel->progs.stage_flush, true);
	/* Needs bpf_map_lookup_percpu_elem (5.19); without it, see perfbuf.c. */
	bpf_program__set_autoload(skel->progs.stage_flush_cpu,
				  libbpf_probe_bpf_helper(BPF_PROG_TYPE_RAW_TRACEPOINT,
							  BPF_FUNC_map_lookup_percpu_elem,
							  NULL) == 1);
	for (i = 0; i < NHOOKS; i++) {
		const struct hook *h = &probes_hooks[i];
		const struct tier_def *td = probes_tier_of(h, h->chosen);

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

	n = probes_btf_trace_nargs("tcp_send_reset");
	skel->rodata->rst_nargs = n < 0 ? 2 : (uint32_t)n;
	n = probes_btf_trace_nargs("tcp_retransmit_skb");
	skel->rodata->retrans_nargs = n < 0 ? 2 : (uint32_t)n;
	n = probes_btf_trace_nargs("kfree_skb");
	skel->rodata->drop_nargs = n < 0 ? 2 : (uint32_t)n;
}

/*
 * Sockets are named by ids of our own (bpf/ident.bpf.h) when the state
 * hook, whose tp_btf program gives every socket its cookie, is not tp_btf.
 */
static bool own_ids_needed(void)
{
	size_t i;

	for (i = 0; i < NHOOKS; i++)
		if (probes_hooks[i].event == SKR_REC_STATE)
			return probes_hooks[i].chosen != SKR_TIER_TP_BTF;
	return false;
}

int probes_open_load(struct sockrec_bpf **skelp, const struct hook *only)
{
	struct sockrec_bpf *skel;
	int err;

	*skelp = NULL;
	skel = sockrec_bpf__open();
	if (!skel)
		return errno ? -errno : -ENOMEM;
	set_shapes(skel);
	skel->rodata->recover_misses = recover_misses;
	rec_benign_setup(skel, keep_benign);
	skel->rodata->own_ids = own_ids_needed();
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

void probes_demote_failing(void)
{
	size_t i, j;

	probes_libbpf_quiet = true;
	for (i = 0; i < NHOOKS; i++) {
		struct hook *h = &probes_hooks[i];
		uint8_t first = h->chosen;

		for (j = 0; j < TIERS && h->chosen != SKR_TIER_NONE; j++) {
			struct sockrec_bpf *skel;
			int err;

			if (h->tiers[j].tier != h->chosen)
				continue;
			trial_len = 0;
			trial_log[0] = '\0';
			err = probes_open_load(&skel, h);
			if (!err) {
				sockrec_bpf__destroy(skel);
				break;
			}
			if (trial_len)
				print_refusal(h->name, h->chosen == SKR_TIER_TP_BTF ?
					      "tp_btf" : "tracepoint", 12);
			h->error = -err;
			probes_set_reason(h, "the verifier refused the %s "
					  "program: %s",
					  h->chosen == SKR_TIER_TP_BTF ?
					  "tp_btf" : "tracepoint",
					  strerror(-err));
			/* Next offered tier, unless a forced tier rules it out. */
			h->chosen = SKR_TIER_NONE;
			if (j + 1 < TIERS && !probes_forced_tier() &&
			    (h->offered & (1u << h->tiers[j + 1].tier)))
				h->chosen = h->tiers[j + 1].tier;
		}
		if (h->chosen != first && h->chosen != SKR_TIER_NONE)
			h->reason[0] = '\0';
	}
	probes_libbpf_quiet = false;
}

int rec_probes_load(struct rec_session *s)
{
	struct sockrec_bpf *skel = NULL;
	int err;

	libbpf_set_print(probes_libbpf_print);
	recover_misses = s->opt->recover_misses;
	keep_benign = s->opt->keep_benign_drops;
	probes_choose_tiers();
	probes_libbpf_quiet = true;
	err = probes_open_load(&skel, NULL);
	probes_libbpf_quiet = false;
	if (err == -EPERM || err == -ENOMEM) {
		/* Not a program's fault: every trial would fail the same way. */
		goto fail;
	}
	if (err) {
		probes_demote_failing();
		err = probes_open_load(&skel, NULL);
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
	const struct tier_def *td = probes_tier_of(h, h->chosen);
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
		struct hook *h = &probes_hooks[i];
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
		probes_set_reason(h, "attaching the %s program failed: %s",
				  h->chosen == SKR_TIER_TP_BTF ?
				  "tp_btf" : "tracepoint",
				  strerror(-aerr));
		if (h->required) {
			fprintf(stderr, "sockrec: attaching %s: %s\n", h->name,
				strerror(-aerr));
			if (!err)
				err = aerr;
		}
	}
	if (err)
		return err;
	/*
	 * Keep what the files' PROBE records need of the BTF and let the rest
	 * go now: held to the end it was 5 MiB of the recorder's memory all
	 * along, and its free 0.6-1.2 ms of the session's last ten
	 * (docs/PERFORMANCE.md, "recend").
	 */
	err = probes_keep_facts();
	if (err) {
		fprintf(stderr, "sockrec: keeping what the kernel's BTF says of "
			"the hooks: %s\n", strerror(-err));
		return err;
	}
	btf__free(probes_vmlinux_btf);
	probes_vmlinux_btf = NULL;
	return 0;
}

void rec_probes_detach(struct rec_session *s)
{
	size_t i;

	(void)s;
	for (i = 0; i < NHOOKS; i++)
		detach_hook(&probes_hooks[i]);
}

/* The sum over CPUs of a one-entry per-CPU array of u64. */
static int sum_percpu(struct rec_session *s, const struct bpf_map *map,
		      uint64_t *sum)
{
	const uint64_t *vals;
	int i, err;

	err = rec_percpu_u64(s, map, 0, &vals);
	if (err)
		return err;
	*sum = 0;
	for (i = 0; i < s->ncpus; i++)
		*sum += vals[i];
	return 0;
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
	btf__free(probes_vmlinux_btf);
	probes_vmlinux_btf = NULL;
	probes_drop_facts();
	rec_filters_close();
	free(s->percpu);
	s->percpu = NULL;
}
