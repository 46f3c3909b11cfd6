/* SPDX-License-Identifier: (BSD-2-Clause OR GPL-2.0-only) */
/*
 * The head of a CPU's staging area (bpf/output.bpf.h), which the recorder
 * reads to see which CPUs hold staged records (record/perfbuf.c).  Plain
 * fixed-width types: included by the BPF side and by user space.
 */
#ifndef SKR_BPF_STAGE_H
#define SKR_BPF_STAGE_H

/*
 * A perf output's fixed cost is paid once per batch: 4 KiB (~56 records)
 * measured 5-6 ns per program run less than 2 KiB (docs/PERFORMANCE.md,
 * "kclock").
 */
#define SKR_STAGE_BYTES	4096

/*
 * stage_flush's argument (ctx[0], from the recorder's BPF_PROG_TEST_RUN)
 * and its answer for a CPU without a working ring (bpf/output.bpf.h).
 */
#define SKR_STAGE_FLUSH_KEEP	0	/* no ring: keep the records staged */
#define SKR_STAGE_FLUSH_DROP	1	/* no ring: count them lost */
#define SKR_STAGE_FLUSH_PROBE	2	/* KEEP, and send an empty sample to ask */
#define SKR_STAGE_FLUSH_NO_RING	2	/* the return value: no working ring */

struct skr_stage_head {
	__u32 busy;		/* a program is filling it: leave it alone */
	__u32 used;		/* bytes of records staged */
	__u64 records;		/* records staged: counted as failed if a send fails */
};

#endif /* SKR_BPF_STAGE_H */
