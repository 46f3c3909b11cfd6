/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * meta.c: what a trace says about itself (file header, host, recorder,
 * probes, filters, clock samples, losses and per-type record counts).
 */
#ifndef SA_META_H
#define SA_META_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyze/wallclock.h"
#include "format/skr.h"

#define SA_PROBES_MAX	64	/* probes described; more are counted only */
#define SA_TYPES_MAX	64	/* distinct record types counted by name */

struct sa_probe {
	char *name;
	char *reason;
	uint32_t error;
	uint16_t event;
	uint8_t tier;
	bool has_tier;
	uint32_t limits;		/* enum skr_probe_limit bits (PROBE LIMITS) */
};

/* Names of a probe's reason codes (PROBE ENUM attributes). */
#define SA_ENUM_MAX	512

struct sa_enum_name {
	uint32_t value;
	uint16_t event;			/* record type of the probe */
	char *name;
};

struct sa_type_count {
	uint16_t type;
	uint64_t n;
};

/*
 * What a trace says about itself.  Host, recorder and probe descriptions
 * come from the first segment; counts and losses cover every segment.
 */
struct sa_benign_tw;

struct sa_meta {
	bool have_header;
	struct skr_file_header header;	/* of the first segment */
	uint8_t last_capture[16];	/* capture id of the latest segment */
	uint32_t last_file_index;
	bool mixed_captures;		/* segments of different captures */
	bool mixed_hosts;		/* ... and of different boots or hosts */

	char *hostname, *krelease, *kversion, *machine, *boot_id, *os;
	uint32_t ncpus;
	bool have_ncpus;

	char *rec_version, *rec_cmdline, *rec_comment;
	uint32_t rec_pid;
	bool have_rec_pid;
	bool have_recorder;

	struct sa_probe probes[SA_PROBES_MAX];
	size_t nprobes;
	uint64_t probes_dropped;
	struct sa_enum_name enums[SA_ENUM_MAX];
	size_t nenums;

	bool have_filter;		/* a FILTER record was read */
	char *filters;			/* its description, NULL if none in force */

	/* Snapshot of the sockets that existed at start (first segment). */
	uint64_t snap_sockets;
	uint32_t snap_netns_failed;
	bool snap_complete;		/* its END kind was read */

	/* Latest STATS (cumulative per capture), summed over captures. */
	bool have_stats;
	uint64_t stats_lost, stats_output_failed, stats_recursion;
	uint64_t stats_base_lost, stats_base_failed, stats_base_recursion;
	/* Samples the recorder read but dropped as invalid: events lost too. */
	uint64_t stats_malformed, stats_base_malformed;

	/*
	 * Benign packet frees (analyze/benign.h): latest BENIGN record
	 * (cumulative per capture) summed over captures, and those recorded.
	 */
	bool have_benign, benign_kept;
	uint64_t benign[SKR_BENIGN_KINDS], benign_base[SKR_BENIGN_KINDS];
	uint64_t benign_recorded[SKR_BENIGN_KINDS];
	struct sa_benign_tw *tw;	/* ways into TIME_WAIT (benign.c) */
	uint8_t tw_mode;		/* benign.c's; 0 again after HOST, PROBE */

	struct sa_wallclock clock;

	/* Loss, summed over segments (see sa_meta_lost). */
	uint64_t perf_lost;		/* max(LOSS records, END.lost) per segment */
	uint64_t seg_loss;		/* LOSS records of the current segment */
	uint64_t output_failed;
	uint64_t recursion_misses;
	uint64_t loss_records;

	struct sa_type_count types[SA_TYPES_MAX];	/* sorted by type */
	size_t ntypes;
	size_t last_type;	/* types[] slot of the latest record counted */
	uint64_t other_types;		/* records of types beyond the table */
	uint64_t records;
	uint64_t events;		/* event records (skr_rec_is_event) */
	uint64_t malformed;		/* events too short to decode */
	uint64_t first_ts, last_ts;	/* of events; valid if events > 0 */
};

void sa_meta_init(struct sa_meta *m);
/* Account one non-event record, in file order.  -ENOMEM, or 0. */
int sa_meta_record(struct sa_meta *m, const struct skr_record *rec);
/* Account one event record, in time order. */
void sa_meta_event(struct sa_meta *m, uint16_t type, uint64_t ts_ns);
/* Close the accounting of the last segment; call once at the end. */
void sa_meta_finish(struct sa_meta *m);
/*
 * Events lost: perf-buffer losses (LOSS records or END.lost) and failed
 * perf outputs count the same loss seen from two sides, so the larger one
 * is taken; recursion misses never reached the buffer and add up.
 */
uint64_t sa_meta_lost(const struct sa_meta *m);
/* Of those, the samples the recorder dropped as malformed (STATS). */
uint64_t sa_meta_malformed(const struct sa_meta *m);
void sa_meta_release(struct sa_meta *m);

/* Whether events of a record type could be seen in this trace. */
enum sa_observe {
	SA_OBSERVED,		/* a probe attached for it, or it occurs */
	SA_NOT_ATTACHED,	/* its probe(s) say tier NONE */
	SA_NO_PROBE,		/* no PROBE record names it */
};
/* *why: the probe's reason or "no probe recorded for it" (static/owned by m). */
enum sa_observe sa_meta_observe(const struct sa_meta *m, uint16_t type,
				const char **why);
/* Count of records of a type seen. */
uint64_t sa_meta_count(const struct sa_meta *m, uint16_t type);
/* Whether the attached probe name of this input has limit bit (PROBE LIMITS). */
bool sa_meta_limited(const struct sa_meta *m, const char *probe,
		     uint32_t bit);
/* Name of a reason code of the probe producing type; NULL if unknown. */
const char *sa_meta_enum(const struct sa_meta *m, uint16_t type,
			 uint32_t value);

#endif /* SA_META_H */
