/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sockrec internals: one recording session, shared by the modules of
 * record/.  main.c owns the session and the loop; probes.c the BPF
 * skeleton; perfbuf.c the perf buffer; meta.c the records that are not
 * kernel events.  Every int function returns 0 or a negative errno.
 */
#ifndef SOCKREC_H
#define SOCKREC_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "format/skr.h"

struct sockrec_bpf;
struct perf_buffer;
struct rec_cpurings;
struct bpf_map;

/* The command line, parsed by options.c. */
struct rec_options {
	const char *out_path;		/* "-": standard output */
	uint64_t seconds;		/* -d; 0: until interrupted */
	uint64_t count;			/* -c; 0: no limit */
	uint64_t rotate_bytes;		/* -C, compressed bytes; 0: off */
	uint64_t rotate_secs;		/* -G; 0: off */
	uint32_t ring;			/* -W: files kept; 0: all */
	int level;			/* -z: zstd level */
	bool flush_each_sweep;		/* -U */
	bool quiet;			/* -q */
	size_t buffer_pages;		/* --buffer-pages, per CPU; 0: default */
	const char *comment;		/* --comment; NULL: none */
	const char *user;		/* -Z; NULL: stay root */
	uid_t uid;			/* of -Z USER, resolved before loading BPF */
	gid_t gid;
	int argc;			/* for the RECORDER record of every file */
	char **argv;
	char **cmd;			/* -- CMD ARGS... (command.c); NULL: none */
	/* Options of other modules (filters, sock_diag) go below. */
	uint32_t sample_ms;		/* --sample-interval (diag.c); 0: off */
	bool recover_misses;		/* --recover-misses (probes.c) */
	bool print;			/* --print (print.c) */
	bool keep_benign_drops;		/* --keep-benign-drops (benign.c) */
};

/* ---- options.c: the command line ---- */

/* Parse argv into o.  Returns -1 to go on, or the exit status (0 or 2). */
int rec_options_parse(int argc, char **argv, struct rec_options *o);
/*
 * A decimal number of the command line, digits only, in [min, max].
 * Returns 0, -EINVAL (not a number) or -ERANGE.
 */
int rec_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out);

/* Which file a name led to when sockrec created it (dev, inode). */
struct rec_file_id {
	dev_t dev;
	ino_t ino;
};

struct rec_session {
	const struct rec_options *opt;

	/* output: the current file (rotate.c) */
	struct skr_writer *w;
	const char *out_name;		/* for messages: cur_path or "standard output" */
	char cur_path[PATH_MAX];
	int out_fd;
	int werr;			/* first write error, sticky */
	bool werr_shown;		/* and its message is printed already */
	bool out_created;		/* the current file was created by sockrec (-Z may take it) */
	bool out_gone;			/* it was deleted during the recording */
	int dir_fd;			/* O_PATH directory of -o FILE; -1: none */
	size_t base_off;		/* where the last component of -o FILE starts */
	struct rec_file_id out_id;	/* of the current file */
	struct rec_file_id *ring_ids;	/* -W: files created, by index % -W */
	bool rotating;			/* -C or -G: files are FILE.0, FILE.1, ... */
	uint32_t file_index;		/* of the current file */
	uint32_t files;			/* files opened so far */
	uint8_t capture_id[16];		/* shared by every file of the capture */
	uint64_t file_start_ms;		/* rec_mono_ms() when the current file opened */
	uint64_t bytes_in_done;		/* uncompressed bytes of closed files */
	uint64_t bytes_out_done;	/* compressed bytes of closed files */
	/* totals when the current file began, for its END record */
	uint64_t file_events0, file_lost0, file_ofail0, file_rmiss0;

	/* kernel side */
	struct sockrec_bpf *skel;
	struct perf_buffer *pb;
	int ncpus;			/* possible CPUs */
	size_t pb_pages;		/* per CPU, a power of two; 0: perfbuf.c chooses */
	uint64_t *cpu_lost;		/* per CPU: failed outputs written as LOSS */
	uint64_t *percpu;		/* rec_percpu_u64()'s values, ncpus of them */
	uint8_t *stages;		/* perfbuf.c: each CPU's staging area, as read */
	struct rec_cpurings *rings;	/* cpurings.c: CPUs that came (back) online */

	struct rec_diag *diag;		/* diag.c: sock_diag state; NULL before use */

	/* limits */
	uint64_t max_events;		/* 0: no limit */

	/* progress */
	uint64_t events;		/* kernel event records written */
	uint64_t lost;			/* written as LOSS records */
	uint64_t malformed;		/* samples dropped as invalid */
	uint64_t prev_sweep_start_ns;	/* boot clock; 0 before the first sweep */
	unsigned rounds_pending;	/* ROUND records still owed to recent events */
	/* kernel counters, as last read by rec_probes_totals() */
	uint64_t output_failed;
	uint64_t recursion_misses;	/* not recovered: lost */
	uint64_t recovered;		/* --recover-misses: skipped, then recorded */

	/* status line (status.c) */
	bool status_tty;		/* stderr is a terminal and not -q */
	bool status_shown;		/* a status line is on the terminal */
	uint64_t rate_ms;		/* when rate_events was taken */
	uint64_t rate_events;
	double rate;			/* events per second, recent */
};

/* ---- meta.c: records other than kernel events ---- */

/* Append one record; on failure remember the first error in s->werr. */
int rec_write(struct rec_session *s, const void *rec, size_t len);
/*
 * Append records back to back whose lengths the caller checked (a run of a
 * perf-buffer sample), in one call to the writer; errors as rec_write.
 */
int rec_write_run(struct rec_session *s, const void *recs, size_t len);
/* Flush the writer (end a zstd frame), remembering errors in s->werr. */
int rec_flush(struct rec_session *s);
/* End a zstd block (what is read so far survives a cut), errors as rec_flush. */
int rec_sync(struct rec_session *s);
/* CLOCK_BOOTTIME in ns: the clock bpf_ktime_get_boot_ns() reads. */
uint64_t rec_boot_ns(void);
/* CLOCK_MONOTONIC in ms, for the loop's timers. */
uint64_t rec_mono_ms(void);
/* FILE_HEADER, HOST, RECORDER and a first CLOCK record. */
int rec_meta_begin(struct rec_session *s, int argc, char **argv);
/* One CLOCK record: CLOCK_BOOTTIME bracketed by CLOCK_REALTIME. */
int rec_meta_clock(struct rec_session *s);
/*
 * The final ROUND and the END record: this file's events and losses, and
 * the given kernel counts for this file.
 */
int rec_meta_end(struct rec_session *s, uint64_t output_failed,
		 uint64_t recursion_misses);
/* A random capture id into s->capture_id, once per capture. */
int rec_meta_capture_id(struct rec_session *s);
/* One STATS record: the capture's cumulative counters (s->output_failed etc.). */
int rec_meta_stats(struct rec_session *s);

/* ---- rotate.c: the output files ---- */

/* Open the first output file (before BPF loads, so a bad path fails fast). */
int rec_output_open(struct rec_session *s);
/* Write the metadata every file starts with, and flush it. */
int rec_output_begin(struct rec_session *s);
/* True when -C or -G says the current file is full. */
bool rec_output_due(const struct rec_session *s, uint64_t now_ms);
/*
 * End the current file (STATS, ROUND, END with its own totals), open the
 * next one, delete the oldest beyond -W, and begin it.  Call between
 * sweeps so no event straddles two files.
 */
int rec_output_rotate(struct rec_session *s);
/* End the last file: STATS, ROUND, END, flush.  Programs must be detached. */
int rec_output_end(struct rec_session *s);
/*
 * chown the current file to the -Z user (called while still root), if
 * sockrec created it; a file it replaced keeps its owner.
 */
int rec_output_chown(struct rec_session *s);
/*
 * -ENOENT (printed, and remembered in s->werr) if the current file was
 * deleted during the recording: nothing written to it can be read again.
 */
int rec_output_check(struct rec_session *s);
/* Free the writer and close the file; unlink it if nothing was written. */
int rec_output_close(struct rec_session *s, bool failed);
/* Compressed and uncompressed bytes over every file so far. */
uint64_t rec_output_bytes_out(const struct rec_session *s);
uint64_t rec_output_bytes_in(const struct rec_session *s);

/*
 * ---- outfile.c: output files opened safely as root ----
 * Each prints its own message, naming the file and why.
 */

/* Open the directory of -o FILE into s->dir_fd; set s->base_off. */
int rec_outfile_dir(struct rec_session *s);
/*
 * Create path (in s->dir_fd, by its last component) exclusively, mode
 * 0600, following no link; s->out_created true.  If it exists and
 * may_replace, replace it only if the descriptor shows a regular file of
 * the effective user with one link (truncated, mode 0600; out_created
 * false).  Sets s->out_id.  0, -EEXIST, -EPERM (refused) or -errno.
 */
int rec_outfile_open(struct rec_session *s, const char *path, bool may_replace,
		     int *fd);
/* -EEXIST if any FILE.N (N digits) is in the directory of -o FILE. */
int rec_outfile_no_series(struct rec_session *s);
/*
 * Remove path if it is still the file id names; 0 also when it is gone
 * already, -ESTALE when the name now leads to another file (kept).
 */
int rec_outfile_remove(struct rec_session *s, const char *path,
		       const struct rec_file_id *id);
/* True if the file open on fd has no name left (deleted). */
bool rec_outfile_gone(int fd);

/* ---- status.c: what the operator sees ---- */

/* Read the kernel's loss counters into s; keeps the old values on failure. */
void rec_counters_refresh(struct rec_session *s);
void rec_status_init(struct rec_session *s);
/* Refresh the terminal status line (rate-limited by the caller). */
void rec_status_update(struct rec_session *s, uint64_t now_ms);
/* The stats line on its own line (SIGUSR1). */
void rec_status_print(struct rec_session *s);
/* The summary at exit (unless -q). */
void rec_status_summary(struct rec_session *s);
/* Remove the status line before other messages are printed. */
void rec_status_clear(struct rec_session *s);

/* ---- probes.c: BPF skeleton (hooks and tiers: probes_tiers.c) ---- */

/* Open and load the BPF object; prints its own diagnostics. */
int rec_probes_load(struct rec_session *s);
/* Attach every hook; -errno if a required hook failed (printed). */
int rec_probes_attach(struct rec_session *s);
/* probes_report.c: one PROBE record per hook, how it attached or why not. */
int rec_probes_write(struct rec_session *s);
/* Stop the programs so that a final drain sees every event. */
void rec_probes_detach(struct rec_session *s);
/*
 * Failed perf outputs (all CPUs); recursion misses of the programs minus
 * the events --recover-misses recovered (what was really lost); and those
 * recovered.
 */
int rec_probes_totals(struct rec_session *s, uint64_t *output_failed,
		      uint64_t *recursion_misses, uint64_t *recovered);
void rec_probes_close(struct rec_session *s);
/*
 * probes_report.c, --list-probes: print, per hook, the tiers this kernel
 * offers and the one a recording would use (checked by loading, without
 * attaching).  Returns the exit status.
 */
int rec_probes_list(void);

/* ---- filters.c: in-kernel filters ---- */

enum rec_filter_opt {
	REC_FILTER_PID,			/* -p PID */
	REC_FILTER_COMM,		/* --comm NAME */
	REC_FILTER_PORT,		/* --port PORT */
	REC_FILTER_NETNS,		/* --netns INODE|PATH */
	REC_FILTER_CGROUP,		/* --cgroup PATH */
	REC_FILTER_INET,		/* -4 */
	REC_FILTER_INET6,		/* -6 */
};

/*
 * Take one filter option (arg NULL for -4/-6).  Returns 0, or -errno with
 * *why set to a printf format (one %s: arg) for the usage message.
 */
int rec_filters_parse(int opt, const char *arg, const char **why);
/* Before load: the switches in the programs' read-only data. */
int rec_filters_setup(struct sockrec_bpf *skel);
/* After load, before attach: the value sets (pids, ports, cgroup). */
int rec_filters_fill(struct sockrec_bpf *skel);
/* The FILTER record: every filter in force (none: an empty record). */
int rec_filters_write(struct rec_session *s);
/*
 * The socket-level filters (netns, family, port) applied in user space to
 * what sock_diag reports (snapshot, listener samples), so a filtered
 * recording holds no other socket; the task filters are applied there by
 * socket owner (diag.c, owners.c).  netns 0: any; family/ports as in
 * skr_events.h (host order).
 */
bool rec_filters_want_netns(uint32_t netns);
/* The --netns inode, 0 if none. */
uint32_t rec_filters_netns(void);

/* The task filters, as bpf/filter.h applies them (all that are on, AND). */
struct rec_task_filter {
	const uint32_t *pids;		/* -p: process ids (tgid), any of them */
	unsigned npids;			/* 0: off */
	const char *comm;		/* --comm: a thread's exact name; NULL: off */
	int cgroup_fd;			/* --cgroup: its directory; -1: off */
};
/* Fill *tf; true if a task filter is on. */
bool rec_filters_task(struct rec_task_filter *tf);
/*
 * Admit a socket that existed before recording (snapshot) to the BPF task
 * filter, as if its owner had acted on it: its later events run in softirq
 * too.  Failures are ignored (the socket then passes at its owner's next
 * syscall on it, as for any socket).
 */
void rec_filters_admit(struct rec_session *s, uint64_t cookie);
/*
 * The start snapshot is done: the BPF programs stop holding back events a
 * task filter drops (bpf/filter.h), and those held so far are judged by
 * rec_filters_keep_held(): kept if the snapshot admitted their socket.
 */
void rec_filters_started(struct rec_session *s);
bool rec_filters_keep_held(uint64_t cookie);
bool rec_filters_want_sock(uint8_t family, uint16_t sport, uint16_t dport);
void rec_filters_close(void);

/* ---- perfbuf.c: perf buffer ---- */

int rec_perfbuf_open(struct rec_session *s);
/* Wait up to timeout_ms for wakeups and read what they announce. */
int rec_perfbuf_poll(struct rec_session *s, int timeout_ms);
/*
 * Read every CPU buffer, then write a ROUND record when one is due.  A CPU's
 * staged records that are all recent may stay staged for the next sweep;
 * last (the hooks are detached) sends every one.
 */
int rec_perfbuf_sweep(struct rec_session *s, bool last);
void rec_perfbuf_close(struct rec_session *s);
/*
 * Each possible CPU's value of key in a per-CPU map of u64, read into a
 * buffer the session keeps (*vals, valid until the next call; allocated at
 * the first, freed by rec_probes_close()).  0, -ENOMEM, or bpf()'s -errno.
 */
int rec_percpu_u64(struct rec_session *s, const struct bpf_map *map,
		   uint32_t key, const uint64_t **vals);

/* ---- print.c: --print ---- */

/* One line on standard output for an event record of len bytes; others are skipped. */
void rec_print_event(const void *rec, size_t len);

/* ---- diag.c: sockets that already exist (sock_diag) ---- */

#define REC_DIAG_INTERVAL_MS	250	/* --sample-interval default */

/* --sample-interval MS: 0 (off) to 3600000; -EINVAL or -ERANGE. */
int rec_diag_parse_interval(const char *arg, uint32_t *ms);
/*
 * The SNAPSHOT records of every existing TCP socket (every namespace with
 * processes), then, when sampling, the file's first LISTENER/NETNS_STATS
 * baseline.  Call at the start of every file, before any event.  Failures
 * to list are printed and recorded; returns 0 or a write error.
 */
int rec_diag_snapshot(struct rec_session *s);
/*
 * One sample: LISTENER and NETNS_STATS records for what changed, SAMPLING
 * records when sampling of a namespace stops or works again.
 */
int rec_diag_sample(struct rec_session *s);
/*
 * -Z, before the drop: open and keep each namespace's sock_diag socket and
 * netstat, which cannot be entered afterwards.  Returns 0 or -ENOMEM.
 */
int rec_diag_keep(struct rec_session *s);
/* -Z, after the drop: namespaces not kept can no longer be sampled. */
void rec_diag_dropped(struct rec_session *s);
void rec_diag_close(struct rec_session *s);

#endif /* SOCKREC_H */
