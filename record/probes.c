// SPDX-License-Identifier: BSD-2-Clause
/*
 * The BPF side of a session: load the skeleton, attach each hook in the
 * best tier it has, say in the file which hooks attached, and read the
 * kernel's own loss counters at the end.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "record/sockrec.h"
#include "sockrec.skel.h"

struct hook {
	const char *name;		/* kernel hook, as the PROBE record names it */
	uint16_t event;			/* record type it produces */
	bool required;			/* recording is pointless without it */
	struct bpf_program *(*prog)(struct sockrec_bpf *skel);
	/* filled by rec_probes_attach() */
	struct bpf_link *link;
	uint8_t tier;
	int error;			/* positive errno of the last failed tier */
	const char *reason;
};

static struct bpf_program *prog_set_state(struct sockrec_bpf *skel)
{
	return skel->progs.handle_set_state;
}

static struct hook hooks[] = {
	{ .name = "inet_sock_set_state", .event = SKR_REC_STATE,
	  .required = true, .prog = prog_set_state },
};

#define NHOOKS (sizeof(hooks) / sizeof(hooks[0]))

static int libbpf_print(enum libbpf_print_level level, const char *fmt,
			va_list args)
{
	/* Keep libbpf's warnings (verifier log on failure); drop its chatter. */
	if (level != LIBBPF_WARN)
		return 0;
	return vfprintf(stderr, fmt, args);
}

int rec_probes_load(struct rec_session *s)
{
	struct sockrec_bpf *skel;
	int err;

	libbpf_set_print(libbpf_print);
	skel = sockrec_bpf__open();
	if (!skel) {
		err = -errno;
		fprintf(stderr, "sockrec: opening BPF object: %s\n",
			strerror(-err));
		return err;
	}
	err = sockrec_bpf__load(skel);
	if (err) {
		err = err < 0 ? err : -EINVAL;
		fprintf(stderr, "sockrec: loading BPF programs: %s\n",
			strerror(-err));
		sockrec_bpf__destroy(skel);
		return err;
	}
	s->skel = skel;
	return 0;
}

int rec_probes_attach(struct rec_session *s)
{
	size_t i;
	int err = 0;

	for (i = 0; i < NHOOKS; i++) {
		struct hook *h = &hooks[i];

		/* Only tp_btf exists today; classic tracepoints come next. */
		h->link = bpf_program__attach(h->prog(s->skel));
		if (h->link) {
			h->tier = SKR_TIER_TP_BTF;
			h->error = 0;
			h->reason = NULL;
			continue;
		}
		h->tier = SKR_TIER_NONE;
		h->error = errno ? errno : EINVAL;
		h->reason = "tp_btf attach failed";
		fprintf(stderr, "sockrec: attaching %s: %s\n", h->name,
			strerror(h->error));
		if (h->required && !err)
			err = -h->error;
	}
	return err;
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
		if (h->reason)
			skr_tlv_put_str(&b, SKR_PROBE_REASON, h->reason);
		skr_tlv_put_u16(&b, SKR_PROBE_EVENT, h->event);
		len = skr_tlv_end(&b);
		if (len < 0)
			return len;
		err = rec_write(s, b.buf, (size_t)len);
		if (err)
			return err;
	}
	return 0;
}

void rec_probes_detach(struct rec_session *s)
{
	size_t i;

	(void)s;
	for (i = 0; i < NHOOKS; i++) {
		bpf_link__destroy(hooks[i].link);
		hooks[i].link = NULL;
	}
}

static int sum_output_failed(struct rec_session *s, uint64_t *sum)
{
	uint32_t key = 0;
	uint64_t *vals;
	int i, err = 0;

	/* A per-CPU value is rounded up to 8 bytes per possible CPU. */
	vals = calloc((size_t)s->ncpus, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	if (bpf_map_lookup_elem(bpf_map__fd(s->skel->maps.output_failed), &key,
				vals)) {
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

		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		if (bpf_obj_get_info_by_fd(fd, &info, &len))
			return -errno;
		*sum += info.recursion_misses;
	}
	return 0;
}

int rec_probes_totals(struct rec_session *s, uint64_t *output_failed,
		      uint64_t *recursion_misses)
{
	int err;

	*output_failed = 0;
	*recursion_misses = 0;
	err = sum_output_failed(s, output_failed);
	if (err) {
		fprintf(stderr, "sockrec: reading output_failed counters: %s\n",
			strerror(-err));
		return err;
	}
	err = sum_recursion_misses(s, recursion_misses);
	if (err)
		fprintf(stderr, "sockrec: reading program info: %s\n",
			strerror(-err));
	return err;
}

void rec_probes_close(struct rec_session *s)
{
	rec_probes_detach(s);
	sockrec_bpf__destroy(s->skel);
	s->skel = NULL;
}
