/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sockrec internals: one recording session, shared by the modules of
 * record/.  main.c owns the session and the loop; probes.c the BPF
 * skeleton; perfbuf.c the perf buffer; meta.c the records that are not
 * kernel events.  Every int function returns 0 or a negative errno.
 */
#ifndef SOCKREC_H
#define SOCKREC_H

#include <stdbool.h>
#include <stdint.h>

#include "format/skr.h"

struct sockrec_bpf;
struct perf_buffer;

struct rec_session {
	/* output */
	struct skr_writer *w;
	const char *out_name;		/* for messages */
	int out_fd;
	int werr;			/* first write error, sticky */

	/* kernel side */
	struct sockrec_bpf *skel;
	struct perf_buffer *pb;
	int ncpus;			/* possible CPUs */
	size_t pb_pages;		/* per CPU, a power of two */

	/* limits */
	uint64_t max_events;		/* 0: no limit */

	/* progress */
	uint64_t events;		/* kernel event records written */
	uint64_t lost;			/* reported by PERF_RECORD_LOST */
	uint64_t malformed;		/* samples dropped as invalid */
	uint64_t prev_sweep_start_ns;	/* boot clock; 0 before the first sweep */
	unsigned rounds_pending;	/* ROUND records still owed to recent events */
};

/* ---- meta.c: records other than kernel events ---- */

/* Append one record; on failure remember the first error in s->werr. */
int rec_write(struct rec_session *s, const void *rec, size_t len);
/* Flush the writer (end a zstd frame), remembering errors in s->werr. */
int rec_flush(struct rec_session *s);
/* CLOCK_BOOTTIME in ns: the clock bpf_ktime_get_boot_ns() reads. */
uint64_t rec_boot_ns(void);
/* CLOCK_MONOTONIC in ms, for the loop's timers. */
uint64_t rec_mono_ms(void);
/* FILE_HEADER, HOST, RECORDER and a first CLOCK record. */
int rec_meta_begin(struct rec_session *s, int argc, char **argv);
/* One CLOCK record: CLOCK_BOOTTIME bracketed by CLOCK_REALTIME. */
int rec_meta_clock(struct rec_session *s);
/* The final ROUND and the END record with the given kernel totals. */
int rec_meta_end(struct rec_session *s, uint64_t output_failed,
		 uint64_t recursion_misses);

/* ---- probes.c: BPF skeleton ---- */

/* Open and load the BPF object; prints its own diagnostics. */
int rec_probes_load(struct rec_session *s);
/* Attach every hook; -errno if a required hook failed (printed). */
int rec_probes_attach(struct rec_session *s);
/* One PROBE record per hook, saying how it attached or why not. */
int rec_probes_write(struct rec_session *s);
/* Stop the programs so that a final drain sees every event. */
void rec_probes_detach(struct rec_session *s);
/* Failed perf outputs (all CPUs) and recursion misses (all programs). */
int rec_probes_totals(struct rec_session *s, uint64_t *output_failed,
		      uint64_t *recursion_misses);
void rec_probes_close(struct rec_session *s);

/* ---- perfbuf.c: perf buffer ---- */

int rec_perfbuf_open(struct rec_session *s);
/* Wait up to timeout_ms for wakeups and read what they announce. */
int rec_perfbuf_poll(struct rec_session *s, int timeout_ms);
/* Read every CPU buffer, then write a ROUND record when one is due. */
int rec_perfbuf_sweep(struct rec_session *s);
void rec_perfbuf_close(struct rec_session *s);

#endif /* SOCKREC_H */
