// SPDX-License-Identifier: BSD-2-Clause
/*
 * sockrec: record the life of TCP sockets into a trace file.
 *
 * This file owns the signals, the privileges and the recording loop; the
 * other files of record/ do the work (see record/sockrec.h).
 */
#include <errno.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>

#include <bpf/libbpf.h>

#include "record/command.h"
#include "record/sockrec.h"

/* Loop timers, in ms. */
#define POLL_MS		100	/* longest wait for a wakeup */
#define SWEEP_MS	100	/* full sweep: a quiet host is never woken */
#define FLUSH_MS	1000	/* end a zstd frame: the file is readable to here */
#define CLOCK_MS	10000	/* clock-sync sample */
#define STATS_MS	5000	/* STATS record */
#define STATUS_MS	250	/* status line on a terminal */

#define READER_NICE	(-10)

/* Linux capability numbers, to explain a refusal before trying. */
#define CAP_SYS_ADMIN_BIT	21
#define CAP_PERFMON_BIT		38
#define CAP_BPF_BIT		39

static volatile sig_atomic_t stop_requested;
static volatile sig_atomic_t stop_signal;
static volatile sig_atomic_t forwarded;
static volatile sig_atomic_t stats_requested;

static void on_signal(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	if (sig == SIGUSR1) {
		stats_requested = 1;
		return;
	}
	/* A second ^C means now; every flush ended a frame, so the file reads. */
	if (sig == SIGINT && (stop_requested || forwarded))
		_exit(128 + SIGINT);
	/* -- CMD: the command decides when the recording ends, by exiting. */
	if (rec_command_forward(sig, si)) {
		forwarded = 1;
		return;
	}
	stop_signal = sig;
	stop_requested = 1;
}

/*
 * Loading tracing programs needs CAP_BPF and CAP_PERFMON (or the older
 * CAP_SYS_ADMIN).  Saying so beats a bare EPERM from the verifier.
 */
static bool has_bpf_caps(void)
{
	char line[256];
	unsigned long long eff = 0;
	bool found = false;
	FILE *f;

	f = fopen("/proc/self/status", "re");
	if (!f)
		return true;	/* cannot tell: let the kernel decide */
	while (fgets(line, sizeof(line), f)) {
		char *end;

		if (strncmp(line, "CapEff:", 7) != 0)
			continue;
		errno = 0;
		eff = strtoull(line + 7, &end, 16);
		found = errno == 0 && end != line + 7;
		break;
	}
	fclose(f);
	if (!found)
		return true;
	if (eff & (1ull << CAP_SYS_ADMIN_BIT))
		return true;
	return (eff & (1ull << CAP_BPF_BIT)) && (eff & (1ull << CAP_PERFMON_BIT));
}

/*
 * Events are lost when a CPU's ring fills before the reader runs, and on a
 * busy host the reader waits for a CPU after each wakeup.  Its CPU time is
 * set by the event rate, not by its priority, so a higher priority costs
 * the host nothing more; it only runs sooner.  Measured under the bench
 * storm with 32-page rings: 12.5% lost at nice 0, 2.5% at nice -10.  A
 * recorder started with a nice value of its own keeps it.
 */
static void raise_priority(void)
{
	errno = 0;
	if (getpriority(PRIO_PROCESS, 0) == 0 && errno == 0)
		(void)setpriority(PRIO_PROCESS, 0, READER_NICE);
}

static int install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_signal;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: the poll must return so the loop sees the flag. */
	if (sigaction(SIGINT, &sa, NULL) || sigaction(SIGTERM, &sa, NULL) ||
	    sigaction(SIGUSR1, &sa, NULL))
		return -errno;
	/*
	 * A closed pipe or a file size limit must become a write error we
	 * report (EPIPE, EFBIG) and END cleanly on, not a silent death.
	 */
	sa.sa_handler = SIG_IGN;
	sa.sa_flags = 0;
	if (sigaction(SIGPIPE, &sa, NULL) || sigaction(SIGXFSZ, &sa, NULL))
		return -errno;
	return 0;
}

/* With rotation, the -Z user must be able to create the next files. */
static int check_dir_writable(const struct rec_session *s)
{
	char dir[PATH_MAX];
	const char *slash;
	size_t n;

	if (!s->rotating)
		return 0;
	slash = strrchr(s->opt->out_path, '/');
	if (!slash) {
		dir[0] = '.';
		dir[1] = '\0';
	} else {
		n = slash == s->opt->out_path ? 1 : (size_t)(slash - s->opt->out_path);
		if (n >= sizeof(dir))
			return -ENAMETOOLONG;
		memcpy(dir, s->opt->out_path, n);
		dir[n] = '\0';
	}
	if (access(dir, W_OK | X_OK)) {
		int err = -errno;

		fprintf(stderr, "sockrec: -Z %s: cannot create the next files in %s: %s\n",
			s->opt->user, dir, strerror(-err));
		return err;
	}
	return 0;
}

/*
 * -Z: the probes are attached and the first file is open, so root is no
 * longer needed.  The BPF and perf file descriptors stay usable.
 */
static int drop_privileges(struct rec_session *s)
{
	const struct rec_options *o = s->opt;
	int err;

	if (!o->user)
		return 0;
	err = rec_output_chown(s);
	if (err)
		return err;
	/* setns() needs CAP_SYS_ADMIN: keep what sampling needs first. */
	err = rec_diag_keep(s);
	if (err)
		return err;
	if (initgroups(o->user, o->gid) || setgid(o->gid) || setuid(o->uid)) {
		err = -errno;
		fprintf(stderr, "sockrec: becoming user %s: %s\n", o->user,
			strerror(-err));
		return err;
	}
	/* A drop that can be undone is no drop. */
	if (getuid() != o->uid || geteuid() != o->uid || getgid() != o->gid ||
	    getegid() != o->gid || (o->uid != 0 && setuid(0) == 0)) {
		fprintf(stderr, "sockrec: becoming user %s: still privileged\n",
			o->user);
		return -EPERM;
	}
	if (o->uid != 0)
		rec_diag_dropped(s);
	return check_dir_writable(s);
}

static int record_loop(struct rec_session *s)
{
	const struct rec_options *o = s->opt;
	uint64_t now = rec_mono_ms();
	uint64_t deadline = o->seconds ? now + o->seconds * 1000 : 0;
	uint64_t next_sweep = now, next_flush = now + FLUSH_MS;
	uint64_t next_clock = now + CLOCK_MS, next_stats = now + STATS_MS;
	uint64_t next_status = now;
	uint64_t next_sample = now + o->sample_ms;	/* diag.c: sock_diag samples */
	int err = 0;

	while (!stop_requested && !s->werr) {
		uint64_t wait = POLL_MS;

		if (s->max_events && s->events >= s->max_events)
			break;
		now = rec_mono_ms();
		if (deadline && now >= deadline)
			break;
		/* Found within a poll: what its exit caused is drained by finish(). */
		if (rec_command_exited())
			break;
		if (next_sweep > now && next_sweep - now < wait)
			wait = next_sweep - now;
		else if (next_sweep <= now)
			wait = 0;
		if (deadline && deadline - now < wait)
			wait = deadline - now;
		if (o->sample_ms && next_sample > now && next_sample - now < wait)
			wait = next_sample - now;
		err = rec_perfbuf_poll(s, (int)wait);
		if (err)
			break;
		/*
		 * Every read of the buffers ends a zstd block: a file cut
		 * now keeps what was read, not only the last whole frame.
		 */
		rec_sync(s);
		/* --print's lines leave with the block that holds them. */
		if (o->print)
			fflush(stdout);

		now = rec_mono_ms();
		if (now >= next_sweep) {
			err = rec_perfbuf_sweep(s, false);
			if (err)
				break;
			next_sweep = now + SWEEP_MS;
			if (o->flush_each_sweep)
				rec_flush(s);
			else
				rec_sync(s);
			/* Between sweeps: every event read so far is in this file. */
			if (rec_output_due(s, now)) {
				err = rec_output_rotate(s);
				if (err)
					break;
				next_flush = now + FLUSH_MS;
			}
		}
		if (o->sample_ms && now >= next_sample) {
			err = rec_diag_sample(s);
			if (err)
				break;
			next_sample = now + o->sample_ms;
		}
		if (now >= next_clock) {
			rec_meta_clock(s);
			next_clock = now + CLOCK_MS;
		}
		if (now >= next_stats) {
			rec_counters_refresh(s);
			rec_meta_stats(s);
			next_stats = now + STATS_MS;
		}
		if (now >= next_flush) {
			rec_flush(s);
			/* A file deleted under us keeps nothing: stop, and say so. */
			rec_output_check(s);
			next_flush = now + FLUSH_MS;
		}
		if (s->status_tty && now >= next_status) {
			rec_counters_refresh(s);
			rec_status_update(s, now);
			next_status = now + STATUS_MS;
		}
		if (stats_requested) {
			stats_requested = 0;
			rec_counters_refresh(s);
			rec_status_print(s);
		}
	}
	return s->werr ? s->werr : err;
}

/* Detach, read what is left, and close the file with STATS and END. */
static int finish(struct rec_session *s)
{
	int err;

	rec_probes_detach(s);
	err = rec_perfbuf_sweep(s, true);
	/* The listeners' drops up to the very end. */
	if (!err && s->opt->sample_ms)
		err = rec_diag_sample(s);
	if (!err)
		err = rec_output_end(s);
	return err;
}

static int run(struct rec_session *s)
{
	int err;

	err = rec_probes_load(s);
	if (err)
		return err;
	/* The buffer exists before the hooks fire, so no early event fails. */
	err = rec_perfbuf_open(s);
	if (!err)
		err = rec_probes_attach(s);
	/* The first file's metadata (sock_diag snapshot included) needs root. */
	if (!err)
		err = rec_output_begin(s);
	/* Nothing was read yet: every held event is judged after this. */
	rec_filters_started(s);
	if (!err) {
		err = drop_privileges(s);
		/* -- CMD runs now: attached, snapshot written, filter in place. */
		if (!err && !stop_requested)
			err = rec_command_start();
		if (!err) {
			rec_status_init(s);
			err = record_loop(s);
		}
		/* A failed poll still deserves an END; a failed write cannot have one. */
		if (!s->werr) {
			int ferr = finish(s);

			if (!err)
				err = ferr;
		}
	}
	rec_diag_close(s);
	rec_perfbuf_close(s);
	rec_probes_close(s);
	return err;
}

int main(int argc, char **argv)
{
	struct rec_options o = { 0 };
	struct rec_session s = { 0 };
	int status, err, cmd_status;

	status = rec_options_parse(argc, argv, &o);
	if (status >= 0)
		return status;
	s.opt = &o;
	if (!has_bpf_caps()) {
		fprintf(stderr, "sockrec: loading BPF programs needs root "
			"(CAP_BPF and CAP_PERFMON): %s\n", strerror(EPERM));
		return 1;
	}
	/* -- CMD: forked before sockrec changes its signals and priority. */
	status = 1;
	if (rec_command_prepare(&o))
		goto out;
	err = install_signals();
	if (err) {
		fprintf(stderr, "sockrec: installing signal handlers: %s\n",
			strerror(-err));
		goto out;
	}

	raise_priority();
	s.max_events = o.count;
	s.pb_pages = o.buffer_pages;
	s.ncpus = libbpf_num_possible_cpus();
	if (s.ncpus <= 0) {
		fprintf(stderr, "sockrec: counting possible CPUs: %s\n",
			strerror(s.ncpus < 0 ? -s.ncpus : EINVAL));
		goto out;
	}
	/* Before BPF loads, so a bad path fails fast. */
	if (rec_output_open(&s))
		goto out;

	err = run(&s);
	rec_status_clear(&s);
	if (s.werr && !s.werr_shown)
		fprintf(stderr, "sockrec: writing %s: %s%s\n", s.out_name,
			strerror(-s.werr), s.werr == -EFBIG ?
			" (the file size limit, ulimit -f, was reached)" : "");
	status = err ? 1 : 0;
	rec_status_summary(&s);
	/* Flushed already when all went well; otherwise this only repeats an error. */
	if (rec_output_close(&s, status != 0) && status == 0)
		status = 1;
out:
	/* After a good recording, CMD's status is sockrec's, as for a shell. */
	cmd_status = rec_command_finish();
	if (o.cmd && status == 0)
		status = cmd_status >= 0 ? cmd_status :
			 stop_signal ? 128 + stop_signal : 1;
	return status;
}
