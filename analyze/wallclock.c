/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Event clock (boot or monotonic) to wall time, from the CLOCK records the
 * recorder writes.  The offset between the two clocks drifts as NTP slews
 * the wall clock, so each event is converted with the sample nearest
 * before it rather than with one fixed offset.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analyze/text.h"
#include "analyze/wallclock.h"
#include "format/skr.h"

#define NSEC_PER_SEC	1000000000ull

void sa_wallclock_init(struct sa_wallclock *wc)
{
	memset(wc, 0, sizeof(*wc));
}

void sa_wallclock_add(struct sa_wallclock *wc, const struct skr_clock *c)
{
	size_t i;

	if (wc->samples == 0)
		wc->clock_id = c->clock_id;
	else if (c->clock_id != wc->clock_id)
		wc->mixed_ids = true;
	wc->samples++;
	if (c->uncertainty_ns > wc->max_uncertainty_ns)
		wc->max_uncertainty_ns = c->uncertainty_ns;
	/* Samples of another clock would convert events with the wrong base. */
	if (c->clock_id != wc->clock_id)
		return;

	if (wc->n == SA_CLOCK_SAMPLES) {
		if (c->clock_ns <= wc->s[0].clock_ns)
			return;
		memmove(&wc->s[0], &wc->s[1], (wc->n - 1) * sizeof(wc->s[0]));
		wc->n--;
	}
	/* Insert keeping the order; equal clock_ns replaces (later wins). */
	i = wc->n;
	while (i > 0 && wc->s[i - 1].clock_ns > c->clock_ns)
		i--;
	if (i > 0 && wc->s[i - 1].clock_ns == c->clock_ns) {
		wc->s[i - 1].realtime_ns = c->realtime_ns;
		return;
	}
	memmove(&wc->s[i + 1], &wc->s[i], (wc->n - i) * sizeof(wc->s[0]));
	wc->s[i].clock_ns = c->clock_ns;
	wc->s[i].realtime_ns = c->realtime_ns;
	wc->n++;
}

int sa_wallclock_to_wall(const struct sa_wallclock *wc, uint64_t ts_ns,
			 uint64_t *wall_ns)
{
	const struct sa_clock_sample *s;
	size_t lo = 0, hi;
	uint64_t d;

	if (wc->n == 0)
		return -ENOENT;
	/*
	 * Latest sample with clock_ns <= ts_ns: binary search on [lo, hi).
	 * Events are replayed in time order, so it is most often the last
	 * sample: checked first (a time is converted for every row written).
	 */
	hi = wc->n;
	if (wc->s[hi - 1].clock_ns <= ts_ns)
		lo = hi;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (wc->s[mid].clock_ns <= ts_ns)
			lo = mid + 1;
		else
			hi = mid;
	}
	s = &wc->s[lo > 0 ? lo - 1 : 0];

	if (ts_ns >= s->clock_ns) {
		d = ts_ns - s->clock_ns;
		if (d > UINT64_MAX - s->realtime_ns)
			return -ERANGE;
		*wall_ns = s->realtime_ns + d;
	} else {
		d = s->clock_ns - ts_ns;
		if (d > s->realtime_ns)
			return -ERANGE;
		*wall_ns = s->realtime_ns - d;
	}
	return 0;
}

/* "YYYY-MM-DDTHH:MM:SS" is 19 characters for the years 1970 to 9999. */
#define WALL_SECS_LEN	19
#define WALL_FRAC_LEN	7	/* ".UUUUUU" */
#define WALL_ZONE_MAX	6	/* "Z" in UTC, "+HH:MM" in local time */

/*
 * The date and time of the latest second formatted.  A report formats a
 * time per event, and events come in time order, so most share the second
 * of the one before: gmtime and printf run once a second of trace instead
 * of once an event.  sockana is single-threaded.
 */
static struct {
	bool valid;
	bool local;
	uint64_t secs;
	char text[WALL_SECS_LEN + 1];
	char zone[WALL_ZONE_MAX + 1];
	/*
	 * The whole time of that second, its microseconds to be filled in,
	 * and its length: copied in one piece of fixed size into a buffer of
	 * SA_WALL_LEN, with no strlen and no call (one time a row written).
	 */
	char whole[SA_WALL_LEN];
	size_t len;
} wall_cache;

void sa_wallclock_use_local(bool local)
{
	/* localtime_r need not read TZ itself (POSIX); tzset does. */
	if (local)
		tzset();
	wall_cache.local = local;
	wall_cache.valid = false;
}

/*
 * The offset of local time from UTC at t, as "+HH:MM", from the two broken
 * down times rather than tm_gmtoff, which POSIX.1-2008 does not have.
 */
static int zone_offset(time_t t, const struct tm *lt, char *zone, size_t size)
{
	struct tm gt;
	long off, day;
	int n;

	if (!gmtime_r(&t, &gt))
		return -ERANGE;
	/* Zones are less than a day from UTC: the dates differ by one at most. */
	if (lt->tm_year != gt.tm_year)
		day = lt->tm_year < gt.tm_year ? -1 : 1;
	else
		day = lt->tm_yday - gt.tm_yday;
	off = day * 86400 + (lt->tm_hour - gt.tm_hour) * 3600L +
	      (lt->tm_min - gt.tm_min) * 60L + (lt->tm_sec - gt.tm_sec);
	n = snprintf(zone, size, "%c%02ld:%02ld", off < 0 ? '-' : '+',
		     labs(off) / 3600, labs(off) % 3600 / 60);
	return n == WALL_ZONE_MAX ? 0 : -ERANGE;
}

/* wall_cache made the template of second secs; 0 or -ERANGE. */
static int wall_second(uint64_t secs)
{
	size_t zlen;
	struct tm tm;
	time_t t;
	int n;

	if (wall_cache.valid && wall_cache.secs == secs)
		return 0;
	t = (time_t)secs;
	if (t < 0 || (uint64_t)t != secs)
		return -ERANGE;
	if (wall_cache.local ? !localtime_r(&t, &tm) : !gmtime_r(&t, &tm))
		return -ERANGE;
	if (tm.tm_year > 9999 - 1900 || tm.tm_year < 0)
		return -ERANGE;
	n = snprintf(wall_cache.text, sizeof(wall_cache.text),
		     "%04d-%02d-%02dT%02d:%02d:%02d",
		     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
		     tm.tm_hour, tm.tm_min, tm.tm_sec);
	if (n != WALL_SECS_LEN) {
		wall_cache.valid = false;
		return -ERANGE;
	}
	if (!wall_cache.local) {
		wall_cache.zone[0] = 'Z';
		wall_cache.zone[1] = '\0';
	} else if (zone_offset(t, &tm, wall_cache.zone,
			       sizeof(wall_cache.zone)) != 0) {
		wall_cache.valid = false;
		return -ERANGE;
	}
	zlen = strlen(wall_cache.zone);
	memset(wall_cache.whole, 0, sizeof(wall_cache.whole));
	memcpy(wall_cache.whole, wall_cache.text, WALL_SECS_LEN);
	wall_cache.whole[WALL_SECS_LEN] = '.';
	memcpy(wall_cache.whole + WALL_SECS_LEN + WALL_FRAC_LEN,
	       wall_cache.zone, zlen + 1);
	wall_cache.len = WALL_SECS_LEN + WALL_FRAC_LEN + zlen;
	wall_cache.secs = secs;
	wall_cache.valid = true;
	return 0;
}

/* The microseconds into a copy of the template at buf: two digits a step. */
static void put_usec(char *buf, unsigned usec)
{
	unsigned hi = usec / 10000;

	usec %= 10000;
	memcpy(buf + WALL_SECS_LEN + 1, sa_digit_pairs + 2 * hi, 2);
	memcpy(buf + WALL_SECS_LEN + 3, sa_digit_pairs + 2 * (usec / 100), 2);
	memcpy(buf + WALL_SECS_LEN + 5, sa_digit_pairs + 2 * (usec % 100), 2);
}

int sa_format_wall(uint64_t wall_ns, char *buf, size_t size)
{
	int ret = wall_second(wall_ns / NSEC_PER_SEC);

	if (ret != 0)
		return ret;
	if (size >= sizeof(wall_cache.whole))
		memcpy(buf, wall_cache.whole, sizeof(wall_cache.whole));
	else if (size > wall_cache.len)
		memcpy(buf, wall_cache.whole, wall_cache.len + 1);
	else
		return -ENOSPC;
	put_usec(buf, (unsigned)(wall_ns % NSEC_PER_SEC / 1000));
	return 0;
}

/*
 * sa_wall_put(), inline in sa_wallclock_put(): a row's time was two calls
 * (about 10 of its 90 instructions).
 */
static inline char *wall_put(uint64_t wall_ns, char *p)
{
	uint64_t secs = wall_ns / NSEC_PER_SEC;

	/* Most rows share the second of the row before: no call then. */
	if ((!wall_cache.valid || wall_cache.secs != secs) &&
	    wall_second(secs) != 0)
		return NULL;
	/* The whole template in one move of a size the compiler knows. */
	memcpy(p, wall_cache.whole, sizeof(wall_cache.whole));
	put_usec(p, (unsigned)(wall_ns % NSEC_PER_SEC / 1000));
	return p + wall_cache.len;
}

char *sa_wall_put(uint64_t wall_ns, char *p)
{
	return wall_put(wall_ns, p);
}

char *sa_wallclock_put(const struct sa_wallclock *wc, uint64_t ts_ns, char *p)
{
	const struct sa_clock_sample *last = &wc->s[wc->n > 0 ? wc->n - 1 : 0];
	uint64_t wall;

	/*
	 * At or after the latest sample, as most rows are: what
	 * sa_wallclock_to_wall() finds first, without the call.
	 */
	if (wc->n > 0 && ts_ns >= last->clock_ns &&
	    ts_ns - last->clock_ns <= UINT64_MAX - last->realtime_ns)
		return wall_put(last->realtime_ns + (ts_ns - last->clock_ns),
				p);
	if (sa_wallclock_to_wall(wc, ts_ns, &wall) != 0)
		return NULL;
	return wall_put(wall, p);
}

const char *sa_wallclock_format(const struct sa_wallclock *wc, uint64_t ts_ns,
				char *buf, size_t size)
{
	char secs[32];
	uint64_t wall;
	int n;

	if (sa_wallclock_to_wall(wc, ts_ns, &wall) == 0 &&
	    sa_format_wall(wall, buf, size) == 0)
		return buf;
	n = snprintf(buf, size, "clock+%s",
		     sa_text_secs(ts_ns, secs, sizeof(secs)));
	if (n < 0 || (size_t)n >= size)
		buf[0] = '\0';
	return buf;
}
