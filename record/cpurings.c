// SPDX-License-Identifier: BSD-2-Clause
/*
 * Perf rings for CPUs that come (back) online.  When a CPU goes offline
 * the kernel takes the perf events opened on it out of its context and
 * does not put them back when it returns: every bpf_perf_event_output()
 * there then fails (EOPNOTSUPP), and PERF_EVENT_IOC_ENABLE on the old
 * event does not revive it (tried in the 6.1 and 6.12 guests; the 6.18
 * source reads the same).  A CPU offline when the main buffer was opened
 * has no ring at all (libbpf opens rings for online CPUs only; ENOENT).
 * So such a CPU gets a new perf buffer of its own, opened on it alone,
 * whose event takes the CPU's slot in the programs' map; its records go
 * through the same callback, losses and staging as every other CPU's.
 *
 * Which CPUs lack a ring: those offline when the main buffer opened, those
 * a sweep's flush found offline (ENXIO), and those whose flush found no
 * ring (stage_flush says so, its records kept; a CPU whose failed outputs
 * grew is flushed at the next sweep with an empty sample if need be, to
 * ask).  Only while one of them is waiting is the online list read, once
 * per sweep; a CPU that never goes offline costs nothing, and the
 * programs that run per event are the same as without any of this.
 *
 * The new buffer is opened on a map of our own (hold) and its event then
 * put in the programs' map by us: perf_buffer__free() deletes the slots of
 * the map its buffer was opened on, and the CPU's slot then belongs to a
 * newer ring.  A ring replaced (the CPU went away again) is read to its end
 * before it is freed; the main buffer's dead ring of that CPU stays, empty,
 * until the end.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/perf_event.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "record/cpu_list.h"
#include "record/cpurings.h"
#include "record/sockrec.h"
#include "sockrec.skel.h"

#define ONLINE_PATH	"/sys/devices/system/cpu/online"
enum ring_state {
	RING_OK,		/* reads through the main buffer or its own ring */
	RING_NEEDED,		/* none that works: open one when it is online */
	RING_FAILED,		/* opening one failed: counted lost until seen offline again */
};

struct rec_cpurings {
	struct perf_event_attr attr;
	perf_buffer_event_fn cb;
	int ncpus;
	uint8_t *state;			/* enum ring_state, per CPU */
	struct perf_buffer **own;	/* per CPU: its own ring; NULL: the main buffer's */
	bool *suspect;			/* per CPU: its failed outputs grew; ask its flush */
	bool *online;			/* the online list, as last read */
	struct pollfd *pfd;		/* the main buffer's epoll and each own ring's */
	char *text;			/* the online list's text */
	size_t text_size;
	unsigned needed;		/* CPUs in RING_NEEDED */
	unsigned owned;			/* CPUs with a ring of their own */
	int online_fd;			/* ONLINE_PATH; -1: not readable, no revival */
	int hold_fd;			/* PERF_EVENT_ARRAY the own rings are opened on */
};

static void set_state(struct rec_cpurings *r, int cpu, enum ring_state st)
{
	if (r->state[cpu] == RING_NEEDED)
		r->needed--;
	if (st == RING_NEEDED)
		r->needed++;
	r->state[cpu] = (uint8_t)st;
}

/* The online list into r->online: 0 or -errno. */
static int read_online(struct rec_cpurings *r)
{
	ssize_t n = pread(r->online_fd, r->text, r->text_size, 0);

	if (n < 0)
		return -errno;
	if ((size_t)n == r->text_size)
		return -E2BIG;
	return rec_cpu_list_parse(r->text, (size_t)n, r->online, r->ncpus);
}

int rec_cpurings_open(struct rec_session *s, const struct perf_event_attr *attr,
		      perf_buffer_event_fn cb)
{
	struct rec_cpurings *r = calloc(1, sizeof(*r));
	size_t n = (size_t)s->ncpus;
	int cpu, err;

	if (!r)
		return -ENOMEM;
	s->rings = r;
	r->attr = *attr;
	r->cb = cb;
	r->ncpus = s->ncpus;
	r->online_fd = -1;
	r->hold_fd = -1;
	/* "N," per CPU at most, up to 9 digits each, and the newline. */
	r->text_size = n * 10 + 2;
	r->state = calloc(n, sizeof(*r->state));
	r->own = calloc(n, sizeof(*r->own));
	r->suspect = calloc(n, sizeof(*r->suspect));
	r->online = calloc(n, sizeof(*r->online));
	r->pfd = calloc(n + 1, sizeof(*r->pfd));
	r->text = malloc(r->text_size);
	if (!r->state || !r->own || !r->suspect || !r->online || !r->pfd ||
	    !r->text)
		return -ENOMEM;
	/* sysfs, read as root: a plain file, never through a link. */
	r->online_fd = open(ONLINE_PATH, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	err = r->online_fd < 0 ? -errno : read_online(r);
	if (err) {
		fprintf(stderr, "sockrec: reading %s: %s; a CPU that comes "
			"online during the recording will be counted lost\n",
			ONLINE_PATH, strerror(-err));
		if (r->online_fd >= 0)
			close(r->online_fd);
		r->online_fd = -1;
		return 0;
	}
	for (cpu = 0; cpu < r->ncpus; cpu++)
		if (!r->online[cpu])
			set_state(r, cpu, RING_NEEDED);
	return 0;
}

void rec_cpurings_offline(struct rec_session *s, int cpu)
{
	struct rec_cpurings *r = s->rings;

	if (r && cpu >= 0 && cpu < r->ncpus && r->state[cpu] != RING_NEEDED)
		set_state(r, cpu, RING_NEEDED);
}

void rec_cpurings_suspect(struct rec_session *s, int cpu)
{
	struct rec_cpurings *r = s->rings;

	if (r && cpu >= 0 && cpu < r->ncpus && r->state[cpu] == RING_OK)
		r->suspect[cpu] = true;
}

bool rec_cpurings_take_suspect(struct rec_session *s, int cpu)
{
	struct rec_cpurings *r = s->rings;
	bool was;

	if (!r || cpu < 0 || cpu >= r->ncpus)
		return false;
	was = r->suspect[cpu];
	r->suspect[cpu] = false;
	return was;
}

/* Open cpu a ring of its own and give it the CPU's slot; -errno. */
static int open_own(struct rec_session *s, struct rec_cpurings *r, int cpu)
{
	LIBBPF_OPTS(perf_buffer_raw_opts, o, .cpu_cnt = 1, .cpus = &cpu,
		    .map_keys = &cpu);
	struct perf_buffer *pb, *old = r->own[cpu];
	int fd, err = 0;

	if (r->hold_fd < 0) {
		r->hold_fd = bpf_map_create(BPF_MAP_TYPE_PERF_EVENT_ARRAY,
					    "skr_own_rings", sizeof(int),
					    sizeof(int), (uint32_t)r->ncpus, NULL);
		if (r->hold_fd < 0)
			return -errno;
	}
	pb = perf_buffer__new_raw(r->hold_fd, s->pb_pages, &r->attr, r->cb, s, &o);
	if (!pb)
		return -errno;
	fd = perf_buffer__buffer_fd(pb, 0);
	if (fd < 0 || bpf_map_update_elem(bpf_map__fd(s->skel->maps.events),
					  &cpu, &fd, BPF_ANY)) {
		err = fd < 0 ? fd : -errno;
		perf_buffer__free(pb);
		return err;
	}
	/* The old ring gets nothing more: read what it holds, then free it. */
	if (old) {
		perf_buffer__consume(old);
		perf_buffer__free(old);
	} else {
		r->owned++;
	}
	r->own[cpu] = pb;
	return 0;
}

/* Open cpu, online and in RING_NEEDED, a ring; true if it has one now. */
static bool revive_one(struct rec_session *s, struct rec_cpurings *r, int cpu)
{
	/* -Z: perf_event_open() on a CPU needs the privileges we dropped. */
	int err = s->opt->user ? -EPERM : open_own(s, r, cpu);

	/* Gone again since it was seen online: wait for its return. */
	if (err == -ENODEV)
		return false;
	rec_status_clear(s);
	if (err) {
		set_state(r, cpu, RING_FAILED);
		fprintf(stderr, "sockrec: opening a perf buffer for CPU %d, "
			"online again: %s; its events are counted lost\n",
			cpu, strerror(-err));
		return false;
	}
	set_state(r, cpu, RING_OK);
	fprintf(stderr, "sockrec: CPU %d is online: its events go to a "
		"new perf buffer\n", cpu);
	return true;
}

bool rec_cpurings_revive_cpu(struct rec_session *s, int cpu)
{
	struct rec_cpurings *r = s->rings;

	if (!r || cpu < 0 || cpu >= r->ncpus)
		return false;
	/* One that failed is not tried again before it is seen offline. */
	if (r->state[cpu] == RING_OK)
		set_state(r, cpu, RING_NEEDED);
	return r->state[cpu] == RING_NEEDED && revive_one(s, r, cpu);
}

void rec_cpurings_revive(struct rec_session *s)
{
	struct rec_cpurings *r = s->rings;
	int cpu, err;

	if (!r || !r->needed || r->online_fd < 0)
		return;
	err = read_online(r);
	if (err) {
		rec_status_clear(s);
		fprintf(stderr, "sockrec: reading %s: %s; a CPU that comes "
			"online from now on will be counted lost\n",
			ONLINE_PATH, strerror(-err));
		close(r->online_fd);
		r->online_fd = -1;
		return;
	}
	for (cpu = 0; cpu < r->ncpus && r->needed; cpu++)
		if (r->state[cpu] == RING_NEEDED && r->online[cpu])
			revive_one(s, r, cpu);
}

bool rec_cpurings_any(const struct rec_session *s)
{
	return s->rings && s->rings->owned;
}

int rec_cpurings_consume(struct rec_session *s)
{
	struct rec_cpurings *r = s->rings;
	int cpu, n, total = 0;

	if (!r || !r->owned)
		return 0;
	for (cpu = 0; cpu < r->ncpus; cpu++) {
		if (!r->own[cpu])
			continue;
		n = perf_buffer__consume(r->own[cpu]);
		if (n < 0)
			return n;
		total += n;
	}
	return total;
}

int rec_cpurings_wait(struct rec_session *s, int timeout_ms)
{
	struct rec_cpurings *r = s->rings;
	nfds_t n = 0;
	int cpu, rc;

	r->pfd[n].fd = perf_buffer__epoll_fd(s->pb);
	r->pfd[n++].events = POLLIN;
	for (cpu = 0; cpu < r->ncpus; cpu++) {
		if (!r->own[cpu])
			continue;
		r->pfd[n].fd = perf_buffer__epoll_fd(r->own[cpu]);
		r->pfd[n++].events = POLLIN;
	}
	rc = poll(r->pfd, n, timeout_ms);
	if (rc < 0)
		return -errno;
	return rc > 0;
}

void rec_cpurings_close(struct rec_session *s)
{
	struct rec_cpurings *r = s->rings;
	int cpu;

	if (!r)
		return;
	if (r->own)
		for (cpu = 0; cpu < r->ncpus; cpu++)
			perf_buffer__free(r->own[cpu]);
	if (r->hold_fd >= 0)
		close(r->hold_fd);
	if (r->online_fd >= 0)
		close(r->online_fd);
	free(r->state);
	free(r->own);
	free(r->suspect);
	free(r->online);
	free(r->pfd);
	free(r->text);
	free(r);
	s->rings = NULL;
}
