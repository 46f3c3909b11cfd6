/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Following traces that are still being written (live.h).
 *
 * The model runs on event time: a closed socket waits out its grace
 * (SA_CLOSE_GRACE_NS) until a later event moves the time on.  A live
 * trace may have no later event for a long while, so when every byte
 * written so far is read, the wall clock moves it on instead: the events
 * still to come were all stamped after the wall clock less the
 * recorder's flush delay (SA_LIVE_LAG_NS), and a socket closed more than
 * a grace before that can receive none of them.  Only merge times that
 * are wall times qualify, and only for a trace whose latest event is
 * recent, so a finished trace read through a pipe is reported exactly as
 * from its file.
 *
 * A file of a rotated capture (sockrec -C/-G writes NAME.0, NAME.1, ...)
 * ends with an END like the last one, and the format does not say which
 * END is the capture's last.  So at each END the follower looks for
 * NAME.<index + 1> of the same capture, for as long as the recorder that
 * wrote it still runs (its pid and boot, from the trace's metadata) and at
 * most SA_LIVE_NEXT_MS; a recorder that cannot be seen (another machine)
 * gets SA_LIVE_NEXT_UNSEEN_MS.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "analyze/live.h"
#include "analyze/out_rows.h"
#include "analyze/sockets.h"
#include "format/skr.h"

struct sa_live {
	struct sa_analysis *a;
	int err;
};

static int live_idle(void *ctx);

int sa_live_tick(struct sa_analysis *a, uint64_t now_ns)
{
	uint64_t t;
	int err = 0;

	if (a->started && a->wall && now_ns > SA_LIVE_LAG_NS) {
		t = now_ns - SA_LIVE_LAG_NS;
		if (t > a->end_mt && t - a->end_mt < SA_LIVE_WINDOW_NS)
			err = sa_sockets_tick(a->socks, t);
	}
	sa_out_flush(&a->o);
	if (fflush(a->out) != 0 && err == 0)
		err = -EIO;
	return err;
}

static uint64_t mono_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/*
 * The length of NAME in "NAME.N" (N digits only): a file of a rotated
 * series (record/rotate.c names them so); 0 for any other name.
 */
static size_t series_base(const char *name)
{
	const char *dot = strrchr(name, '.');

	if (!dot || dot == name || dot[1] == '\0' ||
	    strspn(dot + 1, "0123456789") != strlen(dot + 1))
		return 0;
	return (size_t)(dot - name);
}

enum recorder { RECORDER_UNSEEN, RECORDER_RUNS, RECORDER_GONE };

/*
 * Whether the recorder of the trace still runs: only a pid of this boot
 * means anything (Linux's boot id; elsewhere, or without it, unseen).
 */
static enum recorder recorder_state(const struct sa_meta *m)
{
	char boot[64];
	size_t n;
	FILE *f;

	if (!m->have_rec_pid || m->rec_pid == 0 || !m->boot_id)
		return RECORDER_UNSEEN;
	f = fopen("/proc/sys/kernel/random/boot_id", "r");
	if (!f)
		return RECORDER_UNSEEN;
	n = fread(boot, 1, sizeof(boot) - 1, f);
	fclose(f);
	boot[n] = '\0';
	boot[strcspn(boot, "\n")] = '\0';
	if (strcmp(boot, m->boot_id) != 0)
		return RECORDER_UNSEEN;
	if (kill((pid_t)m->rec_pid, 0) == 0 || errno == EPERM)
		return RECORDER_RUNS;
	return errno == ESRCH ? RECORDER_GONE : RECORDER_UNSEEN;
}

/*
 * path holds the next file of capture `capture`, index `index`: its first
 * record is its FILE_HEADER, with both.  A file just created may not hold
 * it yet: false, look again later.
 */
static bool is_next_file(const char *path, const uint8_t capture[16],
			 uint32_t index)
{
	struct skr_file_header fh;
	struct skr_reader *r = NULL;
	struct skr_record rec;
	bool ok = false;

	if (skr_reader_open(&r, path) != 0)
		return false;
	if (skr_reader_next(r, &rec) == 1 &&
	    rec.type == SKR_REC_FILE_HEADER &&
	    skr_decode_file_header(&rec, &fh) == 0)
		ok = fh.file_index == index &&
		     memcmp(fh.capture_id, capture, sizeof(fh.capture_id)) == 0;
	skr_reader_free(r);
	return ok;
}

/*
 * The reader read every byte of a file up to its END (skr_follow.next):
 * 1 and *fd the capture's next file once it is there, or 0 to end.
 */
static int live_next(void *ctx, int *fd)
{
	struct sa_live *l = ctx;
	struct sa_analysis *a = l->a;
	const struct sa_input *in = &a->in[0];
	const struct sa_meta *m = &in->meta;
	struct timespec nap = {
		.tv_sec = SA_LIVE_POLL_MS / 1000,
		.tv_nsec = (long)(SA_LIVE_POLL_MS % 1000) * 1000000L,
	};
	uint64_t start = mono_ms(), limit;
	char path[PATH_MAX];
	size_t base;
	enum recorder rs;
	bool last_look = false;
	int n;

	base = a->nin == 1 && in->name ? series_base(in->name) : 0;
	if (base == 0 || !m->have_header || m->last_file_index == UINT32_MAX)
		return 0;
	n = snprintf(path, sizeof(path), "%.*s.%" PRIu32, (int)base, in->name,
		     m->last_file_index + 1);
	if (n < 0 || (size_t)n >= sizeof(path))
		return 0;
	for (;;) {
		if (is_next_file(path, m->last_capture,
				 m->last_file_index + 1)) {
			*fd = open(path, O_RDONLY | O_CLOEXEC);
			return *fd >= 0 ? 1 : 0;
		}
		if (last_look || live_idle(l))
			return 0;
		rs = recorder_state(m);
		limit = rs == RECORDER_RUNS ? SA_LIVE_NEXT_MS
					    : SA_LIVE_NEXT_UNSEEN_MS;
		/* Gone: it may have made the file just before it exited. */
		if (rs == RECORDER_GONE || mono_ms() - start >= limit) {
			last_look = true;
			continue;
		}
		(void)nanosleep(&nap, NULL);
	}
}

static int live_idle(void *ctx)
{
	struct sa_live *l = ctx;
	struct sa_analysis *a = l->a;
	struct timespec ts;

	if (l->err)
		return 1;
	if (a->opts->stop && a->opts->stop())
		return 1;
	if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
		return 0;
	l->err = sa_live_tick(a, (uint64_t)ts.tv_sec * 1000000000ull +
				 (uint64_t)ts.tv_nsec);
	return l->err != 0;
}

int sa_live_start(struct sa_analysis *a, struct sa_live **lp)
{
	struct skr_follow fo;
	struct sa_live *l;
	size_t i;
	int err;

	*lp = NULL;
	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	l->a = a;
	fo.interval_ms = SA_LIVE_POLL_MS;
	fo.stop_at_end = true;
	fo.idle = live_idle;
	fo.next = live_next;
	fo.ctx = l;
	for (i = 0; i < a->nin; i++) {
		err = skr_reader_follow(a->in[i].r, &fo);
		if (err) {
			free(l);
			return err;
		}
	}
	*lp = l;
	return 0;
}

int sa_live_error(const struct sa_live *l)
{
	return l ? l->err : 0;
}

void sa_live_free(struct sa_live *l)
{
	free(l);
}
