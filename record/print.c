// SPDX-License-Identifier: BSD-2-Clause
/*
 * --print: one line per event on standard output as the recorder writes
 * it (kernel events and sock_diag samples), while the file is written as
 * usual.  The line is the one sockana
 * --events prints for the same record (format/evline.c), after the wall
 * time the event's boot-clock stamp stands for now.  Only called when
 * --print is on: rec_write() tests one flag per record otherwise.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "record/sockrec.h"

#define NSEC_PER_SEC	1000000000ull

/*
 * Wall time of a boot-clock stamp.  The offset between the two clocks is
 * taken anew for each line: it moves when the wall clock is set, and the
 * two reads cost nothing next to the write of the line.
 */
static uint64_t wall_of(uint64_t boot_ns)
{
	struct timespec rt, bt;
	uint64_t r, b;

	if (clock_gettime(CLOCK_REALTIME, &rt) != 0 ||
	    clock_gettime(CLOCK_BOOTTIME, &bt) != 0)
		return 0;
	r = (uint64_t)rt.tv_sec * NSEC_PER_SEC + (uint64_t)rt.tv_nsec;
	b = (uint64_t)bt.tv_sec * NSEC_PER_SEC + (uint64_t)bt.tv_nsec;
	if (r < b || boot_ns > UINT64_MAX - (r - b))
		return 0;
	return boot_ns + (r - b);
}

void rec_print_event(const void *data, size_t len)
{
	char when[40], line[512];
	struct skr_record rec;
	struct skr_rec_hdr hdr;
	uint64_t ts;

	if (len < sizeof(hdr))
		return;
	memcpy(&hdr, data, sizeof(hdr));
	if (!skr_rec_is_event(hdr.type))
		return;
	memset(&rec, 0, sizeof(rec));
	rec.data = data;
	rec.len = (uint32_t)len;
	rec.type = hdr.type;
	rec.flags = hdr.flags;
	rec.minor = SKR_VERSION_MINOR;
	if (skr_event_ts(&rec, &ts) != 0 ||
	    skr_event_line(&rec, line, sizeof(line)) < 0)
		return;
	if (skr_format_wall_utc(wall_of(ts), when, sizeof(when)) != 0)
		when[0] = '\0';
	printf("%s %s\n", when, line);
}
