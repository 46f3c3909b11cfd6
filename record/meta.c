// SPDX-License-Identifier: BSD-2-Clause
/*
 * Records sockrec writes itself: the metadata that makes a trace
 * self-describing, clock samples, and the END record.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/random.h>
#include <sys/utsname.h>

#include <bpf/libbpf.h>

#include "record/benign.h"
#include "record/sockrec.h"

#define NSEC_PER_SEC	1000000000ull

/* Room kept free in a TLV record for the attributes after the argv list. */
#define ARGV_RESERVE	256u

int rec_write(struct rec_session *s, const void *rec, size_t len)
{
	int err;

	if (s->werr)
		return s->werr;
	err = skr_writer_append(s->w, rec, len);
	if (err)
		s->werr = err;
	/* Kernel events and sock_diag samples alike (print.c skips the rest). */
	else if (s->opt->print)
		rec_print_event(rec, len);
	return err;
}

int rec_write_run(struct rec_session *s, const void *recs, size_t len)
{
	const uint8_t *p = recs;
	uint32_t rl;
	size_t off;
	int err;

	if (s->werr)
		return s->werr;
	err = skr_writer_append_run(s->w, recs, len);
	if (err) {
		s->werr = err;
		return err;
	}
	/* The writer took every record whole: their lengths walk the run. */
	for (off = 0; s->opt->print && len - off >= sizeof(rl); off += rl) {
		memcpy(&rl, p + off, sizeof(rl));
		if (rl < sizeof(rl) || rl > len - off)
			break;
		rec_print_event(p + off, rl);
	}
	return 0;
}

int rec_sync(struct rec_session *s)
{
	int err;

	if (s->werr)
		return s->werr;
	err = skr_writer_sync(s->w);
	if (err)
		s->werr = err;
	return err;
}

int rec_flush(struct rec_session *s)
{
	int err;

	if (s->werr)
		return s->werr;
	err = skr_writer_flush(s->w);
	if (err)
		s->werr = err;
	return err;
}

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	/* These clocks cannot fail on Linux with a valid pointer. */
	if (clock_gettime(id, &ts))
		return 0;
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

uint64_t rec_boot_ns(void)
{
	return clock_ns(CLOCK_BOOTTIME);
}

uint64_t rec_mono_ms(void)
{
	return clock_ns(CLOCK_MONOTONIC) / 1000000u;
}

/*
 * Read a small text file into buf, NUL-terminated, first line only.
 * Returns the length or -errno.
 */
static int read_line_file(const char *path, char *buf, size_t size)
{
	FILE *f;
	int ret = 0;

	f = fopen(path, "re");
	if (!f)
		return -errno;
	if (!fgets(buf, (int)size, f)) {
		ret = ferror(f) ? -EIO : -ENODATA;
		goto out;
	}
	buf[strcspn(buf, "\n")] = '\0';
	ret = (int)strlen(buf);
out:
	fclose(f);
	return ret;
}

/* PRETTY_NAME from os-release, unquoted; -ENOENT if not found. */
static int os_pretty_name(char *buf, size_t size)
{
	static const char key[] = "PRETTY_NAME=";
	char line[512];
	FILE *f;
	int ret = -ENOENT;

	f = fopen("/etc/os-release", "re");
	if (!f)
		f = fopen("/usr/lib/os-release", "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		size_t n = strcspn(line, "\n");
		char *v = line + sizeof(key) - 1;
		size_t vlen;

		if (strncmp(line, key, sizeof(key) - 1) != 0)
			continue;
		line[n] = '\0';
		vlen = strlen(v);
		if (vlen >= 2 && (v[0] == '"' || v[0] == '\'') &&
		    v[vlen - 1] == v[0]) {
			v++;
			vlen -= 2;
		}
		if (vlen >= size)
			vlen = size - 1;
		memcpy(buf, v, vlen);
		buf[vlen] = '\0';
		ret = 0;
		break;
	}
	fclose(f);
	return ret;
}

int rec_meta_capture_id(struct rec_session *s)
{
	ssize_t n = getrandom(s->capture_id, sizeof(s->capture_id), 0);

	if (n != (ssize_t)sizeof(s->capture_id)) {
		int err = n < 0 ? -errno : -EIO;

		fprintf(stderr, "sockrec: making a capture id: %s\n",
			strerror(-err));
		return err;
	}
	return 0;
}

static int write_file_header(struct rec_session *s)
{
	struct skr_file_header fh;

	skr_encode_file_header(&fh, SKR_VERSION_MAJOR, SKR_VERSION_MINOR,
			       s->file_index, s->capture_id,
			       clock_ns(CLOCK_REALTIME));
	return rec_write(s, &fh, sizeof(fh));
}

static int write_host(struct rec_session *s)
{
	static struct skr_tlv_builder b;
	struct utsname u;
	char buf[256];
	int len, ncpus;

	skr_tlv_begin(&b, SKR_REC_HOST);
	if (gethostname(buf, sizeof(buf)) == 0) {
		buf[sizeof(buf) - 1] = '\0';
		skr_tlv_put_str(&b, SKR_HOST_HOSTNAME, buf);
	}
	if (uname(&u) == 0) {
		skr_tlv_put_str(&b, SKR_HOST_KRELEASE, u.release);
		skr_tlv_put_str(&b, SKR_HOST_KVERSION, u.version);
		skr_tlv_put_str(&b, SKR_HOST_MACHINE, u.machine);
	}
	if (read_line_file("/proc/sys/kernel/random/boot_id", buf,
			   sizeof(buf)) > 0)
		skr_tlv_put_str(&b, SKR_HOST_BOOT_ID, buf);
	ncpus = libbpf_num_possible_cpus();
	if (ncpus > 0)
		skr_tlv_put_u32(&b, SKR_HOST_NCPUS, (uint32_t)ncpus);
	if (os_pretty_name(buf, sizeof(buf)) == 0)
		skr_tlv_put_str(&b, SKR_HOST_OS, buf);
	len = skr_tlv_end(&b);
	if (len < 0)
		return len;
	return rec_write(s, b.buf, (size_t)len);
}

static int write_recorder(struct rec_session *s, int argc, char **argv)
{
	static struct skr_tlv_builder b;
	int i, len;

	skr_tlv_begin(&b, SKR_REC_RECORDER);
	skr_tlv_put_str(&b, SKR_RECORDER_VERSION, SKR_VERSION);
	/* Before argv, which may be cut to fit; options.c bounds its length. */
	if (s->opt && s->opt->comment)
		skr_tlv_put_str(&b, SKR_RECORDER_COMMENT, s->opt->comment);
	for (i = 0; i < argc; i++) {
		size_t n = strlen(argv[i]);

		/* A huge command line is cut rather than failing the capture. */
		if (b.len + 4 + n > SKR_REC_MAX - ARGV_RESERVE) {
			skr_tlv_put_str(&b, SKR_RECORDER_COMMENT,
					"command line truncated");
			break;
		}
		skr_tlv_put_str(&b, SKR_RECORDER_ARG, argv[i]);
	}
	skr_tlv_put_u32(&b, SKR_RECORDER_PID, (uint32_t)getpid());
	len = skr_tlv_end(&b);
	if (len < 0)
		return len;
	return rec_write(s, b.buf, (size_t)len);
}

int rec_meta_clock(struct rec_session *s)
{
	struct skr_clock c;
	uint64_t best = UINT64_MAX;
	int i;

	memset(&c, 0, sizeof(c));
	c.hdr.len = sizeof(c);
	c.hdr.type = SKR_REC_CLOCK;
	c.clock_id = SKR_CLOCK_BOOTTIME;
	/* Keep the narrowest of a few brackets: a preemption widens one. */
	for (i = 0; i < 3; i++) {
		uint64_t r1 = clock_ns(CLOCK_REALTIME);
		uint64_t b = clock_ns(CLOCK_BOOTTIME);
		uint64_t r2 = clock_ns(CLOCK_REALTIME);
		uint64_t half;

		if (r2 < r1)	/* wall clock stepped back mid-sample */
			continue;
		half = (r2 - r1 + 1) / 2;
		if (half < best) {
			best = half;
			c.clock_ns = b;
			c.realtime_ns = r1 + (r2 - r1) / 2;
			c.uncertainty_ns = half;
		}
	}
	if (best == UINT64_MAX)
		return 0;	/* wall clock kept jumping; try again later */
	return rec_write(s, &c, sizeof(c));
}

int rec_meta_begin(struct rec_session *s, int argc, char **argv)
{
	int err;

	err = write_file_header(s);
	if (!err)
		err = write_host(s);
	if (!err)
		err = write_recorder(s, argc, argv);
	if (!err)
		err = rec_meta_clock(s);
	return err;
}

int rec_meta_end(struct rec_session *s, uint64_t output_failed,
		 uint64_t recursion_misses)
{
	struct skr_round r;
	struct skr_end e;
	uint64_t now = rec_boot_ns();
	int err;

	/*
	 * Nothing older than now follows in this segment: at the end of the
	 * capture every event is drained and the programs are detached; at
	 * a rotation they still run, but what they send goes into the next
	 * file, a segment of its own (the ROUND invariant is per segment).
	 * Release all that a reader holds.
	 */
	memset(&r, 0, sizeof(r));
	r.hdr.len = sizeof(r);
	r.hdr.type = SKR_REC_ROUND;
	r.horizon_ns = now + 1;
	err = rec_write(s, &r, sizeof(r));
	if (err)
		return err;

	memset(&e, 0, sizeof(e));
	e.hdr.len = sizeof(e);
	e.hdr.type = SKR_REC_END;
	e.ts_ns = now;
	e.events = s->events - s->file_events0;
	e.lost = s->lost - s->file_lost0;
	e.output_failed = output_failed;
	e.recursion_misses = recursion_misses;
	return rec_write(s, &e, sizeof(e));
}

int rec_meta_stats(struct rec_session *s)
{
	struct skr_stats st;
	int err;

	memset(&st, 0, sizeof(st));
	st.hdr.len = sizeof(st);
	st.hdr.type = SKR_REC_STATS;
	st.ts_ns = rec_boot_ns();
	st.events = s->events;
	st.lost = s->lost;
	st.output_failed = s->output_failed;
	st.recursion_misses = s->recursion_misses;
	st.bytes_in = rec_output_bytes_in(s);
	st.bytes_out = rec_output_bytes_out(s);
	st.malformed = s->malformed;
	err = rec_write(s, &st, sizeof(st));
	return err ? err : rec_benign_write(s);
}
