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
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "analyze/live.h"
#include "analyze/out_rows.h"
#include "analyze/sockets.h"
#include "format/skr.h"

struct sa_live {
	struct sa_analysis *a;
	int err;
};

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
