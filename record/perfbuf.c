// SPDX-License-Identifier: BSD-2-Clause
/*
 * Reading the per-CPU perf buffers: raw samples (batches of records) become
 * records in the file, the BPF side's count of records it could not send
 * becomes LOSS records, and each full sweep of the buffers lets us promise
 * readers a time order (ROUND records).
 */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/perf_event.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <linux/types.h>

#include "bpf/stage.h"
#include "record/cpurings.h"
#include "record/sockrec.h"
#include "record/stage_age.h"
#include "sockrec.skel.h"

/*
 * After the last event, the rounds that release it: see the argument in
 * rec_perfbuf_sweep().  An event read during sweep k has a time stamp
 * below the start of sweep k+1, so ROUND k+2 releases it.
 */
#define ROUNDS_AFTER_EVENT	3u

struct raw_sample {
	struct perf_event_header header;
	uint32_t size;
	/* size bytes of payload follow, only 4-byte aligned */
};

/*
 * Shortest record of each of the first event types, as the catalogue has
 * it, filled once by rec_perfbuf_open(): asking the catalogue for every
 * record was 1% of a storm's recorder CPU.  Types past the table ask it.
 */
#define EV_MIN_TYPES	64u
static size_t ev_min[EV_MIN_TYPES];

static void event_min_init(void)
{
	unsigned i;

	for (i = 0; i < EV_MIN_TYPES; i++)
		ev_min[i] = skr_rec_min_len(SKR_REC_EVENT_BASE + i);
}

/*
 * Shortest record of a kernel event type (skr_rec_is_event) this recorder knows;
 * 0 for anything else, which the BPF side never emits.
 */
static size_t event_min_len(uint16_t type)
{
	if (!skr_rec_is_event(type))
		return 0;
	if ((unsigned)type - SKR_REC_EVENT_BASE < EV_MIN_TYPES)
		return ev_min[type - SKR_REC_EVENT_BASE];
	return skr_rec_min_len(type);
}

/* Longest event record the BPF programs send (a held one is copied). */
#define HELD_COPY_MAX	256
_Static_assert(sizeof(struct skr_ev_state) <= HELD_COPY_MAX, "held copy");

/* Where the common block's pad and cookie lie in every event record. */
#define PAD_OFF		(sizeof(struct skr_rec_hdr) + offsetof(struct skr_ev_common, pad))
#define COOKIE_OFF	(sizeof(struct skr_rec_hdr) + offsetof(struct skr_ev_common, cookie))

/*
 * Records of a sample that go to the file as the kernel wrote them, back to
 * back: the writer takes them in one call and one copy
 * (skr_writer_append_run), not one call per record.
 */
/* A cache line, as far as prefetching a sample goes. */
#define PREFETCH_STRIDE	64u

struct run {
	const uint8_t *at;
	size_t len;
	uint64_t count;
};

static void run_end(struct rec_session *s, struct run *r)
{
	if (r->count && rec_write_run(s, r->at, r->len) == 0) {
		s->events += r->count;
		s->rounds_pending = ROUNDS_AFTER_EVENT;
	}
	r->len = 0;
	r->count = 0;
}

/*
 * A record held back by a task filter until the start snapshot
 * (bpf/filter.h): an event of a socket the snapshot admitted is written
 * without its mark, any other dropped.
 */
static void on_held(struct rec_session *s, const uint8_t *rec, size_t len)
{
	uint8_t copy[HELD_COPY_MAX];
	uint64_t cookie;

	memcpy(&cookie, rec + COOKIE_OFF, sizeof(cookie));
	if (len > sizeof(copy) || !rec_filters_keep_held(cookie))
		return;
	memcpy(copy, rec, len);
	copy[PAD_OFF] = 0;
	if (rec_write(s, copy, len) == 0) {
		s->events++;
		s->rounds_pending = ROUNDS_AFTER_EVENT;
	}
}

/*
 * A sample holds one record, or several back to back (a CPU's staged
 * batch, bpf/output.bpf.h); the perf buffer pads it by fewer bytes than a
 * record header.  Each record is checked before use (a known event type,
 * a length from its shortest to what the sample has left); the first that
 * fails is counted malformed and the rest of the sample ignored.  The
 * records up to it that are written as they are leave in runs, straight
 * from the ring (or libbpf's copy of a sample that wraps) into the frame:
 * the writer reads them bytewise, so their 4-byte alignment here does not
 * matter.  The one copy left is of memory the kernel just wrote on another
 * CPU, most of what the writer's append costs.
 */
static void on_sample(struct rec_session *s, const struct perf_event_header *e)
{
	const struct raw_sample *rs = (const void *)e;
	const uint8_t *rec = (const uint8_t *)(rs + 1);
	struct run run = { rec, 0, 0 };
	struct skr_rec_hdr hdr;
	uint32_t size, n;
	size_t min;

	if (e->size < sizeof(*rs)) {
		s->malformed++;
		return;
	}
	memcpy(&size, &rs->size, sizeof(size));
	if (size > e->size - sizeof(*rs)) {
		s->malformed++;
		return;
	}
	/*
	 * Shorter than a record: the empty sample of a flush that asked
	 * whether a CPU's ring works (SKR_STAGE_FLUSH_PROBE), which the kernel pads
	 * with zeros to 8 bytes, size field included; anything else is not ours.
	 */
	if (size < sizeof(struct skr_rec_hdr)) {
		for (n = 0; n < size && rec[n] == 0; n++)
			;
		if (n < size || size > sizeof(struct skr_rec_hdr) / 2)
			s->malformed++;
		return;
	}
	/*
	 * The walk below finds each record from the one before it: in memory
	 * another CPU just wrote, every header would be a cache miss waiting
	 * for the last.  Ask for the sample's lines all at once first.
	 */
	for (n = 0; n < size; n += PREFETCH_STRIDE)
		__builtin_prefetch(rec + n);
	while (size >= sizeof(hdr)) {
		memcpy(&hdr, rec, sizeof(hdr));
		min = event_min_len(hdr.type);
		if (min == 0 || hdr.len < min || hdr.len > size) {
			s->malformed++;
			break;
		}
		if ((s->max_events && s->events + run.count >= s->max_events) ||
		    (rec[PAD_OFF] & SKR_PAD_HELD)) {
			/* -c reached (the loop stops after this sweep), or held. */
			run_end(s, &run);
			if (!(s->max_events && s->events >= s->max_events))
				on_held(s, rec, hdr.len);
		} else {
			if (run.count == 0)
				run.at = rec;
			run.len += hdr.len;
			run.count++;
		}
		rec += hdr.len;
		size -= hdr.len;
	}
	run_end(s, &run);
}

/* sockrec.h: one buffer for every read of a per-CPU u64, kept. */
int rec_percpu_u64(struct rec_session *s, const struct bpf_map *map,
		   uint32_t key, const uint64_t **vals)
{
	/* A per-CPU value is rounded up to 8 bytes per possible CPU. */
	if (!s->percpu) {
		s->percpu = calloc((size_t)s->ncpus, sizeof(*s->percpu));
		if (!s->percpu)
			return -ENOMEM;
	}
	if (bpf_map_lookup_elem(bpf_map__fd(map), &key, s->percpu))
		return -errno;
	*vals = s->percpu;
	return 0;
}

/*
 * A perf buffer counts lost samples, and a sample now holds a batch of
 * records; it also reports a loss only once a later sample fits.  So the
 * LOSS records come from the BPF side's count of records it could not
 * send, per CPU (output_failed): each sweep writes what each CPU's count
 * grew by, stamped with the time it was read.
 */
static int write_losses(struct rec_session *s)
{
	const uint64_t *vals;
	int cpu, err;

	/*
	 * Not fatal: past -Z some kernels (6.1) refuse bpf() calls to a user
	 * (kernel.unprivileged_bpf_disabled), and recording goes on; the
	 * losses are then in STATS and END as far as they were read.
	 */
	err = rec_percpu_u64(s, s->skel->maps.output_failed, 0, &vals);
	if (err)
		return err == -ENOMEM ? err : 0;
	for (cpu = 0; cpu < s->ncpus && !err; cpu++) {
		struct skr_loss l;

		if (vals[cpu] <= s->cpu_lost[cpu])
			continue;
		memset(&l, 0, sizeof(l));
		l.hdr.len = sizeof(l);
		l.hdr.type = SKR_REC_LOSS;
		l.ts_ns = rec_boot_ns();
		l.count = vals[cpu] - s->cpu_lost[cpu];
		l.cpu = (uint32_t)cpu;
		s->cpu_lost[cpu] = vals[cpu];
		s->lost += l.count;
		/* For lack of a ring (a CPU back online, unseen)?  Ask at the next flush. */
		rec_cpurings_suspect(s, cpu);
		err = rec_write(s, &l, sizeof(l));
	}
	return err;
}

static enum bpf_perf_event_ret on_event(void *ctx, int cpu,
					struct perf_event_header *e)
{
	struct rec_session *s = ctx;

	(void)cpu;
	/*
	 * After a write error keep consuming, so the kernel side is not left
	 * blocked on a full ring, but write nothing: the loop stops.
	 */
	if (s->werr)
		return LIBBPF_PERF_EVENT_CONT;
	switch (e->type) {
	case PERF_RECORD_SAMPLE:
		on_sample(s, e);
		break;
	default:	/* PERF_RECORD_LOST: see write_losses() */
		break;
	}
	return LIBBPF_PERF_EVENT_CONT;
}

/*
 * Pages per CPU when --buffer-pages is not given.  The reader must catch up
 * before a CPU's ring is full; on a busy 2-CPU host it may wait tens of
 * milliseconds for a CPU after a wakeup, while a storm fills 4 KiB in
 * 10 us.  512 pages lost whole bursts in a few runs in ten; 1024 (4 MiB)
 * lost none in the runs we made.  Past 16 CPUs the total stays at 64 MiB.
 */
#define PAGES_PER_CPU	1024u
#define PAGES_TOTAL	16384u
#define PAGES_MIN	64u

static size_t default_pages(int ncpus)
{
	size_t pages = PAGES_PER_CPU;

	while (ncpus > 0 && pages > PAGES_MIN &&
	       pages * (size_t)ncpus > PAGES_TOTAL)
		pages /= 2;
	return pages;
}

/*
 * Send the records each CPU's programs staged (bpf/output.bpf.h) to its
 * perf buffer: stage_flush, run on that CPU.  0 if every CPU's staging
 * area was sent or empty; -EBUSY if one stayed busy (a program was filling
 * it each time we asked) and may still hold records; another -errno if the
 * kernel would not run the flush.
 *
 * Only CPUs that hold records are asked, and we move to each in turn to
 * run it there: a run on another CPU is a cross-CPU call, whose caller
 * spins until it is done, and in a busy VM that took up to 117 ms (the
 * recorder's CPU went up 10x).  A move sleeps instead.  The CPU we are
 * on is asked first and without a move (the kernel runs the flush in place
 * when the CPU asked is the caller's): in a storm every CPU holds records
 * at every sweep, and each sched_setaffinity() was a syscall and often a
 * migration (3.5% of a storm's recorder samples went to them;
 * docs/PERFORMANCE.md, "benchcpu").  Should we be moved between
 * sched_getcpu() and the flush, that one flush is a cross-CPU call: right,
 * only slower.  A CPU that is offline runs no program (-ENXIO):
 * flush_offline() sends its records.
 */
#define FLUSH_TRIES	3

/*
 * A sweep may leave a CPU's staged records in place when all of them are
 * younger than this at the sweep's start (and stamped after the previous
 * sweep's start, ROUND's horizon): they leave with the CPU's next full
 * area or, at the latest, with the next sweep, which finds them older.  In
 * a storm every CPU fills its area in well under a millisecond, so the
 * sweep's moves and test runs bought nothing there (docs/PERFORMANCE.md,
 * "recrest").  With 100 ms sweeps a record waits at most 150 ms instead of
 * 100 ms; the file's frames end once a second.
 */
#define STAGE_FRESH_NS	(50u * 1000u * 1000u)

/*
 * 0, -EBUSY, -ENOLINK (the CPU has no working ring: with SKR_STAGE_FLUSH_KEEP
 * its records stay staged), or the kernel's -errno (-ENXIO: offline).
 */
static int flush_cpu(int fd, int cpu, uint64_t mode)
{
	int i;

	for (i = 0; i < FLUSH_TRIES; i++) {
		uint64_t arg = mode;
		LIBBPF_OPTS(bpf_test_run_opts, o,
			    .ctx_in = &arg,
			    .ctx_size_in = sizeof(arg),
			    .flags = BPF_F_TEST_RUN_ON_CPU,
			    .cpu = (uint32_t)cpu);

		if (bpf_prog_test_run_opts(fd, &o))
			return -errno;
		if (o.retval == 0)
			return 0;
		if (o.retval == SKR_STAGE_FLUSH_NO_RING)
			return -ENOLINK;
	}
	return -EBUSY;
}

/*
 * Flush a CPU that is online (KEEP; PROBE if ask: a suspect CPU).  If
 * it has no working ring (it went offline and came back between two
 * sweeps, unseen), its records stay staged: open it a new ring now and
 * flush again, so they reach a ring this sweep reads; if no ring can be
 * opened, they are counted lost.
 */
static int flush_online(struct rec_session *s, int fd, int cpu, bool ask)
{
	int err = flush_cpu(fd, cpu, ask ? SKR_STAGE_FLUSH_PROBE :
			    SKR_STAGE_FLUSH_KEEP);

	if (err != -ENOLINK)
		return err;
	if (rec_cpurings_revive_cpu(s, cpu))
		err = flush_cpu(fd, cpu, SKR_STAGE_FLUSH_KEEP);
	/* No ring still (gone again, or none could be opened): lost, counted. */
	if (err == -ENOLINK)
		err = flush_cpu(fd, cpu, SKR_STAGE_FLUSH_DROP);
	return err;
}

/* One step of stage_flush_cpu (bpf/output.bpf.h) on cpu's area, run here. */
static int flush_step(int fd, int cpu, uint64_t step)
{
	uint64_t args[2] = { (uint64_t)cpu, step };
	LIBBPF_OPTS(bpf_test_run_opts, o,
		    .ctx_in = args,
		    .ctx_size_in = sizeof(args));

	if (bpf_prog_test_run_opts(fd, &o))
		return -errno;
	return o.retval == 0 ? 0 : -EBUSY;
}

/*
 * Records staged on a CPU that went offline stay in its area: sent from
 * here, so that this sweep's ROUND still holds (they are read with the
 * rest), and none is lost if the CPU never comes back.  Claim the area,
 * check that the CPU is still offline, then send: the order that makes it
 * safe is argued at stage_flush_cpu.  -EBUSY (no ROUND this sweep) if the
 * area is taken or the CPU came back meanwhile: its next sweep flushes it
 * there.  A kernel without bpf_map_lookup_percpu_elem (before 5.19) does
 * not load stage_flush_cpu: such records wait for the CPU's return, as
 * before (docs/KERNELS.md).
 */
static int flush_offline(struct rec_session *s, int cpu)
{
	int fd = bpf_program__fd(s->skel->progs.stage_flush_cpu);
	int err;

	if (fd < 0)
		return 0;
	err = flush_step(fd, cpu, 0);		/* STAGE_CLAIM */
	if (err)
		return err;
	err = flush_cpu(bpf_program__fd(s->skel->progs.stage_flush), cpu,
			SKR_STAGE_FLUSH_KEEP);
	if (err == -ENXIO)
		return flush_step(fd, cpu, 1);	/* STAGE_SEND */
	flush_step(fd, cpu, 2);			/* STAGE_RELEASE */
	return err ? err : -EBUSY;
}

/*
 * fresh_since: records staged at or after it may stay staged (rec_stage_fresh);
 * 0 sends everything.
 */
static int flush_stages(struct rec_session *s, uint64_t fresh_since)
{
	int fd = bpf_program__fd(s->skel->progs.stage_flush);
	const struct bpf_map *map = s->skel->maps.stage;
	size_t stride = (bpf_map__value_size(map) + 7) & ~(size_t)7;
	struct skr_stage_head head;
	cpu_set_t old, one;
	bool moved = false, asked = false, ask;
	uint8_t *vals;
	uint32_t key = 0;
	int cpu, here, e, err = 0;

	if (s->skel->bss->stage_off)
		return 0;
	if (!s->stages) {
		s->stages = malloc(stride * (size_t)s->ncpus);
		if (!s->stages)
			return -ENOMEM;
	}
	vals = s->stages;
	if (bpf_map_lookup_elem(bpf_map__fd(map), &key, vals))
		return -errno;
	here = sched_getcpu();
	if (here >= 0 && here < s->ncpus) {
		memcpy(&head, vals + stride * (size_t)here, sizeof(head));
		ask = rec_cpurings_take_suspect(s, here);
		if (ask || (head.used && !(fresh_since &&
		    rec_stage_fresh(vals + stride * (size_t)here, stride, fresh_since))))
			err = flush_online(s, fd, here, ask);
	}
	for (cpu = 0; cpu < s->ncpus && cpu < CPU_SETSIZE; cpu++) {
		if (cpu == here)
			continue;
		memcpy(&head, vals + stride * (size_t)cpu, sizeof(head));
		/* A CPU whose outputs failed is asked whether its ring works. */
		ask = rec_cpurings_take_suspect(s, cpu);
		/* Empty after our start: anything staged before was sent. */
		if (head.used == 0 && !ask)
			continue;
		if (fresh_since && !ask &&
		    rec_stage_fresh(vals + stride * (size_t)cpu, stride, fresh_since))
			continue;
		/* Where to come back to, asked only when we may move. */
		if (!asked && sched_getaffinity(0, sizeof(old), &old))
			return -errno;
		asked = true;
		CPU_ZERO(&one);
		CPU_SET(cpu, &one);
		/* Cannot move there (not allowed, offline): asked from afar. */
		moved = sched_setaffinity(0, sizeof(one), &one) == 0 || moved;
		e = flush_online(s, fd, cpu, ask);
		if (e == -ENXIO) {
			/* Its ring is gone for good once it is back. */
			rec_cpurings_offline(s, cpu);
			e = flush_offline(s, cpu);
		}
		if (e && (err == 0 || err == -EBUSY))
			err = e;
	}
	if (moved)
		sched_setaffinity(0, sizeof(old), &old);
	return err;
}

int rec_perfbuf_open(struct rec_session *s)
{
	struct perf_event_attr attr;
	long page = sysconf(_SC_PAGESIZE);
	struct perf_buffer *pb;
	int cpu, err;

	if (page <= 0)
		page = 4096;
	event_min_init();
	if (!s->pb_pages)
		s->pb_pages = default_pages(s->ncpus);
	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	attr.type = PERF_TYPE_SOFTWARE;
	attr.config = PERF_COUNT_SW_BPF_OUTPUT;
	attr.sample_type = PERF_SAMPLE_RAW;
	attr.sample_period = 1;
	/*
	 * One wakeup per event costs ~10 us of kernel time each
	 * (docs/KERNELS.md, "Getting events out through a perf buffer");
	 * wake the reader only when a quarter of the ring is used, and
	 * sweep on a timer for the rest.
	 */
	attr.watermark = 1;
	attr.wakeup_watermark = (uint32_t)(s->pb_pages * (size_t)page / 4);

	pb = perf_buffer__new_raw(bpf_map__fd(s->skel->maps.events), s->pb_pages,
				  &attr, on_event, s, NULL);
	if (!pb) {
		err = -errno;
		fprintf(stderr, "sockrec: opening perf buffer: %s\n",
			strerror(-err));
		return err;
	}
	s->pb = pb;
	s->cpu_lost = calloc((size_t)s->ncpus, sizeof(*s->cpu_lost));
	if (!s->cpu_lost)
		return -ENOMEM;
	err = rec_cpurings_open(s, &attr, on_event);
	if (err)
		return err;
	/*
	 * Without a working flush staged records would wait for the next
	 * record of their CPU: send each record alone instead.  Nothing is
	 * staged yet, so flush_stages() would ask no CPU: ask this one.
	 */
	cpu = sched_getcpu();
	err = cpu < 0 ? -errno :
	      flush_cpu(bpf_program__fd(s->skel->progs.stage_flush), cpu,
			SKR_STAGE_FLUSH_KEEP);
	if (err) {
		fprintf(stderr, "sockrec: sending records in batches: %s; "
			"sending each alone\n", strerror(-err));
		s->skel->bss->stage_off = 1;
	}
	/*
	 * -Z: past the drop of privileges the kernel refuses bpf() calls
	 * (kernel.unprivileged_bpf_disabled), and so the flush.
	 */
	if (s->opt->user)
		s->skel->bss->stage_off = 1;
	return 0;
}

/* Every ring: the main buffer's and those of CPUs that came back. */
static int consume_all(struct rec_session *s)
{
	int err = perf_buffer__consume(s->pb);

	if (err >= 0 && rec_cpurings_any(s))
		err = rec_cpurings_consume(s);
	return err;
}

int rec_perfbuf_poll(struct rec_session *s, int timeout_ms)
{
	/* A CPU with a ring of its own wakes us through its own epoll. */
	int err = rec_cpurings_any(s) ? rec_cpurings_wait(s, timeout_ms) :
		  perf_buffer__poll(s->pb, timeout_ms);

	/*
	 * One CPU's ring reached its watermark; the others are likely filling
	 * at the same pace.  Reading them all now costs little more than
	 * reading one and saves their wakeups to come, and the room it makes
	 * is what absorbs the reader's next scheduling delay.
	 */
	if (err > 0)
		err = consume_all(s);
	if (err == -EINTR)
		return 0;
	if (err < 0) {
		fprintf(stderr, "sockrec: polling perf buffer: %s\n",
			strerror(-err));
		return err;
	}
	return 0;
}

/*
 * Why the horizon is the start of the previous sweep.
 *
 * The BPF program takes an event's time stamp and commits it to the ring
 * of the CPU it runs on a few hundred nanoseconds later.  A sweep reads
 * every ring up to its head.  Let sweep k start at boot time T(k).  Any
 * event not read by sweep k (or earlier) was committed after sweep k read
 * its CPU's ring, hence after T(k), and its stamp precedes that commit by
 * no more than the program's run time.  So for such an event to carry a
 * stamp before T(k-1), the program would have had to run for longer than
 * the whole of sweep k-1 plus the gap to sweep k.  We take that as
 * impossible, and promise, after sweep k, that every event still to come
 * has ts >= T(k-1).  Events read between sweeps by poll() do not weaken
 * this: they were not read by sweep k either, so the same bound holds.
 * Using T(k) instead would be wrong by exactly the commit delay: an event
 * stamped just before T(k) and committed just after sweep k passed its
 * CPU would break the promise.
 *
 * With staging (bpf/output.bpf.h), "committed" is "staged": sweep k first
 * sends every CPU's staged records to its ring (flush_stages, after T(k)),
 * then reads the rings.  An event staged before its CPU's flush is read by
 * sweep k; one staged after it was staged after T(k), the argument above.
 * A CPU whose staging area stayed busy may keep records staged before
 * T(k), so that sweep promises nothing new: no ROUND.  The next sweep
 * whose flush reaches every CPU sends them, and its promise holds again.
 * A CPU whose records are all recent is not asked at all (STAGE_FRESH_NS):
 * what stays staged is stamped at or after T(k-1), so still to come and
 * within the promise; sweep k+1 sends whatever of it is stamped before
 * T(k).  A copy torn by a send during the lookup shows newer records or
 * bytes that do not read as such: the first change nothing, the second
 * are flushed.
 */
int rec_perfbuf_sweep(struct rec_session *s, bool last)
{
	uint64_t start = rec_boot_ns();
	uint64_t fresh = start > STAGE_FRESH_NS ? start - STAGE_FRESH_NS : 0;
	struct skr_round r;
	bool flushed;
	int err;

	/*
	 * Records left staged must not break the promise below: each is
	 * stamped at or after the previous sweep's start, the horizon this
	 * sweep's ROUND gives.  Without a previous sweep, or at the last one
	 * (the hooks are detached: nothing would send them), all are sent.
	 */
	if (last || !s->prev_sweep_start_ns)
		fresh = 0;
	else if (fresh < s->prev_sweep_start_ns)
		fresh = s->prev_sweep_start_ns;
	/*
	 * A CPU back online gets its new ring before the flush, which then
	 * sends its staged records there, and the reads below include it.
	 */
	if (!last)
		rec_cpurings_revive(s);
	err = flush_stages(s, fresh);
	if (err && err != -EBUSY) {
		fprintf(stderr, "sockrec: sending staged records: %s\n",
			strerror(-err));
		return err;
	}
	flushed = err == 0;
	err = consume_all(s);
	if (err < 0 && err != -EINTR) {
		fprintf(stderr, "sockrec: reading perf buffer: %s\n",
			strerror(-err));
		return err;
	}
	if (s->werr)
		return s->werr;
	err = write_losses(s);
	if (err)
		return err;
	/*
	 * A quiet host needs no markers; after the last event a few rounds
	 * are still written so that a reader of a live file can release it.
	 */
	if (s->prev_sweep_start_ns && s->rounds_pending && flushed) {
		memset(&r, 0, sizeof(r));
		r.hdr.len = sizeof(r);
		r.hdr.type = SKR_REC_ROUND;
		r.horizon_ns = s->prev_sweep_start_ns;
		err = rec_write(s, &r, sizeof(r));
		if (err)
			return err;
		s->rounds_pending--;
	}
	s->prev_sweep_start_ns = start;
	return 0;
}

void rec_perfbuf_close(struct rec_session *s)
{
	perf_buffer__free(s->pb);
	s->pb = NULL;
	rec_cpurings_close(s);
	free(s->cpu_lost);
	s->cpu_lost = NULL;
	free(s->stages);
	s->stages = NULL;
}
