// SPDX-License-Identifier: BSD-2-Clause
/*
 * Benign packet frees: what the kfree_skb program counted instead of
 * recording (bpf/tcp_events.bpf.h, benign_kind()), summed over CPUs into
 * a BENIGN record beside every STATS, so a trace that leaves them out
 * still says how many there were.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "record/benign.h"
#include "record/sockrec.h"
#include "sockrec.skel.h"

/* Cumulative over the capture; one recorder runs one capture. */
static uint64_t counted[SKR_BENIGN_KINDS];
static bool kept, read_failed;

void rec_benign_setup(struct sockrec_bpf *skel, bool keep)
{
	kept = keep;
	skel->rodata->keep_benign_drops = keep;
}

/* Sum kind's per-CPU counts; only ever raises counted[kind]. */
static int read_kind(struct rec_session *s, uint32_t kind)
{
	const uint64_t *vals;
	uint64_t sum = 0;
	int i, err;

	err = rec_percpu_u64(s, s->skel->maps.benign_drops, kind, &vals);
	if (err)
		return err;
	for (i = 0; i < s->ncpus; i++)
		sum += vals[i];
	if (sum > counted[kind])
		counted[kind] = sum;
	return 0;
}

static void read_counts(struct rec_session *s)
{
	uint32_t k;
	int err = 0;

	if (!s->skel || read_failed)
		return;
	for (k = SKR_BENIGN_NONE + 1; !err && k < SKR_BENIGN_KINDS; k++)
		err = read_kind(s, k);
	if (err) {
		/* Later records keep the last good figures; one message. */
		read_failed = true;
		fprintf(stderr, "sockrec: reading benign drop counters: %s\n",
			strerror(-err));
	}
}

int rec_benign_write(struct rec_session *s)
{
	struct skr_benign b;
	size_t k;

	read_counts(s);
	memset(&b, 0, sizeof(b));
	b.hdr.len = sizeof(b);
	b.hdr.type = SKR_REC_BENIGN;
	b.ts_ns = rec_boot_ns();
	for (k = 0; k < SKR_BENIGN_KINDS; k++)
		b.not_recorded[k] = counted[k];
	b.flags = kept ? SKR_BENIGN_KEPT : 0;
	return rec_write(s, &b, sizeof(b));
}
