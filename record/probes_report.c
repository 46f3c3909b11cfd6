// SPDX-License-Identifier: BSD-2-Clause
/*
 * Saying how each hook fared: one PROBE record per hook in every file (the
 * tier it attached with, or why none), and the table --list-probes prints.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "record/probes.h"
#include "record/sockrec.h"
#include "sockrec.skel.h"

/* The names of a reason enum of this kernel, so a reader needs no BTF. */
static void put_enum(struct skr_tlv_builder *b, const struct hook *h)
{
	const struct btf_type *t;
	const struct btf_enum *e;
	uint8_t val[4 + 64];
	size_t plen;
	int id, i;

	if (!probes_vmlinux_btf || !h->enum_name)
		return;
	plen = strlen(h->enum_prefix);
	id = btf__find_by_name_kind(probes_vmlinux_btf, h->enum_name,
				    BTF_KIND_ENUM);
	if (id <= 0)
		return;
	t = btf__type_by_id(probes_vmlinux_btf, id);
	e = btf_enum(t);
	for (i = 0; i < btf_vlen(t); i++) {
		const char *name = btf__name_by_offset(probes_vmlinux_btf,
						       e[i].name_off);
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

/*
 * What tcp_send_reset cannot show on this kernel, from its BTF: before
 * 6.10 the event belongs to the tcp_event_sk_skb class, which needs a full
 * socket (the kernel traces no reset sent without one, nor a timewait
 * socket's), and the hook has no reason argument.  Without BTF: unknown.
 */
static bool hook_limits(const struct hook *h, uint32_t *limits)
{
	int n;

	*limits = 0;
	if (!probes_vmlinux_btf || strcmp(h->name, "tcp_send_reset") != 0)
		return false;
	if (btf__find_by_name_kind(probes_vmlinux_btf,
				   "trace_event_raw_tcp_send_reset",
				   BTF_KIND_STRUCT) <= 0)
		*limits |= SKR_LIMIT_RST_FULLSOCK;
	n = probes_btf_trace_nargs(h->name);
	if (n >= 0 && n < 3)
		*limits |= SKR_LIMIT_RST_NO_REASON;
	return true;
}

void probes_drop_facts(void)
{
	size_t i;

	for (i = 0; i < NHOOKS; i++) {
		free(probes_hooks[i].facts);
		probes_hooks[i].facts = NULL;
		probes_hooks[i].facts_len = 0;
	}
}

/*
 * Each file of a session says the same of the kernel, so it is looked up
 * once: the lookups walk the whole BTF (0.7 ms per file here), and the BTF
 * need not stay in memory for the files to come.
 */
int probes_keep_facts(void)
{
	static struct skr_tlv_builder b;
	uint32_t limits;
	size_t i;
	int len;

	probes_drop_facts();
	for (i = 0; i < NHOOKS; i++) {
		struct hook *h = &probes_hooks[i];

		if (h->tier == SKR_TIER_NONE)
			continue;
		skr_tlv_begin(&b, SKR_REC_PROBE);
		if (hook_limits(h, &limits))
			skr_tlv_put_u32(&b, SKR_PROBE_LIMITS, limits);
		put_enum(&b, h);
		len = skr_tlv_end(&b);
		if (len < 0) {
			probes_drop_facts();
			return len;
		}
		if ((size_t)len == SKR_REC_MIN)
			continue;	/* nothing known: no BTF, no enum */
		h->facts = malloc((size_t)len);
		if (!h->facts) {
			probes_drop_facts();
			return -ENOMEM;
		}
		memcpy(h->facts, b.buf, (size_t)len);
		h->facts_len = (size_t)len;
	}
	return 0;
}

/* The kept facts' attributes, after the others as before. */
static void put_facts(struct skr_tlv_builder *b, const struct hook *h)
{
	struct skr_tlv_iter it;
	const uint8_t *val;
	uint16_t tag, vlen;

	if (!h->facts)
		return;
	skr_tlv_iter_init(&it, h->facts, h->facts_len);
	while (skr_tlv_next(&it, &tag, &val, &vlen) > 0)
		skr_tlv_put(b, tag, val, vlen);
}

int rec_probes_write(struct rec_session *s)
{
	static struct skr_tlv_builder b;
	size_t i;
	int len, err;

	for (i = 0; i < NHOOKS; i++) {
		const struct hook *h = &probes_hooks[i];

		skr_tlv_begin(&b, SKR_REC_PROBE);
		skr_tlv_put_str(&b, SKR_PROBE_NAME, h->name);
		skr_tlv_put_u8(&b, SKR_PROBE_TIER, h->tier);
		skr_tlv_put_u32(&b, SKR_PROBE_ERROR, (uint32_t)h->error);
		if (h->tier == SKR_TIER_NONE && h->reason[0])
			skr_tlv_put_str(&b, SKR_PROBE_REASON, h->reason);
		skr_tlv_put_u16(&b, SKR_PROBE_EVENT, h->event);
		skr_tlv_put_u8(&b, SKR_PROBE_TIERS, h->offered);
		put_facts(&b, h);
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

	libbpf_set_print(probes_libbpf_print);
	probes_choose_tiers();
	/* What would really load: the verifier has the last word. */
	probes_libbpf_quiet = true;
	err = probes_open_load(&skel, NULL);
	if (err && err != -EPERM) {
		probes_demote_failing();
		err = probes_open_load(&skel, NULL);
	}
	probes_libbpf_quiet = false;
	sockrec_bpf__destroy(skel);

	printf("%-22s %-7s %-10s %-10s %s\n", "HOOK", "TP_BTF", "TRACEPOINT",
	       "USE", "NOTE");
	for (i = 0; i < NHOOKS; i++) {
		const struct hook *h = &probes_hooks[i];

		printf("%-22s %-7s %-10s %-10s %s\n", h->name,
		       probes_tier_of(h, SKR_TIER_TP_BTF) ?
		       (h->offered & (1u << SKR_TIER_TP_BTF) ? "yes" : "no") : "-",
		       probes_tier_of(h, SKR_TIER_TRACEPOINT) ?
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
