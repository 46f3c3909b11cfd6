/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Seed traces for the fuzzer, written with libskr into DIR: small files
 * that between them reach every record type the reader and the analyzer
 * know, several frames, rounds out of order, more than one segment, IPv4,
 * IPv6 and IPv4-mapped addresses, unknown record types and a cut file.
 * Small frames, so that a mutation of one frame leaves the others readable;
 * and one long frame of many blocks (skr_writer_sync), whole and cut inside
 * that frame, for the reader's unfinished-frame path.  Seeds of both
 * majors: 2.x (times and cookies as deltas, docs/FORMAT.md §4.7.1) and 1.x
 * (stored as they are), alone and concatenated, so both paths are fuzzed.
 * Late events in frames a decode-ahead reader offers as spans.
 *
 * usage: gen_corpus DIR
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "format/skr.h"

struct gen {
	struct skr_writer *w;
	int fd;
	int err;
	uint16_t major;		/* of the FILE_HEADERs written next */
};

static void put(struct gen *g, const void *rec, size_t len)
{
	int rc = skr_writer_append(g->w, rec, len);

	if (rc && !g->err)
		g->err = rc;
}

static void hdr(struct skr_rec_hdr *h, uint16_t type, size_t len)
{
	h->len = (uint32_t)len;
	h->type = type;
	h->flags = 0;
}

static void header(struct gen *g, uint32_t index, uint16_t minor)
{
	struct skr_file_header fh;
	uint8_t id[16];

	memset(id, 0x42, sizeof(id));
	skr_encode_file_header(&fh, g->major, minor, index, id,
			       1790000000000000000ull);
	put(g, &fh, sizeof(fh));
}

static void meta(struct gen *g)
{
	struct skr_tlv_builder *b = malloc(sizeof(*b));
	struct skr_clock ck;
	int n;

	if (!b) {
		g->err = -ENOMEM;
		return;
	}
	skr_tlv_begin(b, SKR_REC_HOST);
	skr_tlv_put_str(b, SKR_HOST_HOSTNAME, "seedhost");
	skr_tlv_put_str(b, SKR_HOST_KRELEASE, "6.18.0");
	skr_tlv_put_str(b, SKR_HOST_BOOT_ID, "0f0e0d0c-0b0a-0908-0706-050403020100");
	skr_tlv_put_u32(b, SKR_HOST_NCPUS, 4);
	skr_tlv_put_str(b, SKR_HOST_OS, "Seed OS");
	n = skr_tlv_end(b);
	if (n > 0)
		put(g, b->buf, (size_t)n);
	skr_tlv_begin(b, SKR_REC_RECORDER);
	skr_tlv_put_str(b, SKR_RECORDER_VERSION, "0.1.0");
	skr_tlv_put_str(b, SKR_RECORDER_ARG, "sockrec");
	skr_tlv_put_str(b, SKR_RECORDER_ARG, "-o");
	skr_tlv_put_str(b, SKR_RECORDER_ARG, "it's here.skr");
	skr_tlv_put_str(b, SKR_RECORDER_COMMENT, "seed");
	skr_tlv_put_u32(b, SKR_RECORDER_PID, 4242);
	n = skr_tlv_end(b);
	if (n > 0)
		put(g, b->buf, (size_t)n);
	skr_tlv_begin(b, SKR_REC_PROBE);
	skr_tlv_put_str(b, SKR_PROBE_NAME, "inet_sock_set_state");
	skr_tlv_put_u8(b, SKR_PROBE_TIER, SKR_TIER_TP_BTF);
	skr_tlv_put_u32(b, SKR_PROBE_ERROR, 0);
	skr_tlv_put_u16(b, SKR_PROBE_EVENT, SKR_REC_STATE);
	n = skr_tlv_end(b);
	if (n > 0)
		put(g, b->buf, (size_t)n);
	skr_tlv_begin(b, SKR_REC_PROBE);
	skr_tlv_put_str(b, SKR_PROBE_NAME, "tcp_receive_reset");
	skr_tlv_put_u8(b, SKR_PROBE_TIER, SKR_TIER_NONE);
	skr_tlv_put_u32(b, SKR_PROBE_ERROR, ENOENT);
	skr_tlv_put_str(b, SKR_PROBE_REASON, "no such tracepoint");
	n = skr_tlv_end(b);
	if (n > 0)
		put(g, b->buf, (size_t)n);
	free(b);

	memset(&ck, 0, sizeof(ck));
	hdr(&ck.hdr, SKR_REC_CLOCK, sizeof(ck));
	ck.clock_ns = 1000000000ull;
	ck.realtime_ns = 1790000000000000000ull;
	ck.uncertainty_ns = 500;
	ck.clock_id = SKR_CLOCK_BOOTTIME;
	put(g, &ck, sizeof(ck));
}

static void state(struct gen *g, uint64_t ts, uint64_t cookie, int family,
		  uint8_t old, uint8_t new, uint8_t ctx, const char *comm)
{
	struct skr_ev_state ev;

	memset(&ev, 0, sizeof(ev));
	hdr(&ev.hdr, SKR_REC_STATE, sizeof(ev));
	ev.c.ts_ns = ts;
	ev.c.cookie = cookie;
	ev.c.netns = 4026531840u;
	ev.c.tgid = ev.c.tid = 100 + (uint32_t)(cookie & 7);
	ev.c.cpu = (uint16_t)(cookie & 1);
	ev.c.ctx = ctx;
	ev.family = (uint8_t)family;
	ev.protocol = 6;
	ev.oldstate = old;
	ev.newstate = new;
	ev.sport = (uint16_t)(40000 + cookie);
	ev.dport = 80;
	if (family == SKR_AF_INET) {
		static const uint8_t s[4] = { 10, 1, 2, 3 }, d[4] = { 192, 0, 2, 9 };

		memcpy(ev.saddr, s, 4);
		memcpy(ev.daddr, d, 4);
	} else {
		ev.saddr[0] = 0x20;
		ev.saddr[1] = 0x01;
		ev.saddr[2] = 0x0d;
		ev.saddr[3] = 0xb8;
		ev.saddr[15] = (uint8_t)cookie;
		/* An IPv4-mapped peer. */
		ev.daddr[10] = ev.daddr[11] = 0xff;
		ev.daddr[12] = 198;
		ev.daddr[13] = 51;
		ev.daddr[14] = 100;
		ev.daddr[15] = 7;
	}
	/* A long name fills comm with no terminator, as the format allows. */
	memcpy(ev.comm, comm, strnlen(comm, sizeof(ev.comm)));
	put(g, &ev, sizeof(ev));
}

static void round_(struct gen *g, uint64_t horizon)
{
	struct skr_round r;

	hdr(&r.hdr, SKR_REC_ROUND, sizeof(r));
	r.horizon_ns = horizon;
	put(g, &r, sizeof(r));
}

static void loss(struct gen *g, uint64_t ts, uint64_t count)
{
	struct skr_loss l;

	memset(&l, 0, sizeof(l));
	hdr(&l.hdr, SKR_REC_LOSS, sizeof(l));
	l.ts_ns = ts;
	l.count = count;
	l.cpu = 1;
	put(g, &l, sizeof(l));
}

static void end(struct gen *g, uint64_t ts, uint64_t events, uint64_t lost)
{
	struct skr_end e;

	memset(&e, 0, sizeof(e));
	hdr(&e.hdr, SKR_REC_END, sizeof(e));
	e.ts_ns = ts;
	e.events = events;
	e.lost = lost;
	e.recursion_misses = 1;
	put(g, &e, sizeof(e));
}

/* One connection's life, client and server side, in two rounds. */
static void connection(struct gen *g, uint64_t t, uint64_t c, int family)
{
	const uint64_t us = 1000;

	state(g, t + 3 * us, c + 1, family, SKR_TCP_LISTEN, SKR_TCP_SYN_RECV,
	      SKR_CTX_SOFTIRQ, "swapper/0");
	state(g, t, c, family, SKR_TCP_CLOSE, SKR_TCP_SYN_SENT,
	      SKR_CTX_PROCESS, "curl");
	state(g, t + 5 * us, c, family, SKR_TCP_SYN_SENT, SKR_TCP_ESTABLISHED,
	      SKR_CTX_SOFTIRQ, "curl");
	round_(g, t + 4 * us);
	state(g, t + 9 * us, c, family, SKR_TCP_ESTABLISHED, SKR_TCP_FIN_WAIT1,
	      SKR_CTX_PROCESS, "a-very-long-comm-name");
	state(g, t + 8 * us, c + 1, family, SKR_TCP_SYN_RECV,
	      SKR_TCP_ESTABLISHED, SKR_CTX_SOFTIRQ, "");
	state(g, t + 20 * us, c, family, SKR_TCP_FIN_WAIT1, SKR_TCP_CLOSE,
	      SKR_CTX_SOFTIRQ, "curl");
	state(g, t + 21 * us, c + 1, family, SKR_TCP_ESTABLISHED,
	      SKR_TCP_CLOSE, SKR_CTX_PROCESS, "nginx\x1b[31m");
	round_(g, t + 22 * us);
}

static int open_out_frames(struct gen *g, const char *dir, const char *name,
			   size_t frame_bytes)
{
	char path[4096];
	int n = snprintf(path, sizeof(path), "%s/%s", dir, name);
	struct skr_writer_opts o = { .level = 1, .frame_bytes = frame_bytes };

	if (n < 0 || (size_t)n >= sizeof(path))
		return -ENAMETOOLONG;
	memset(g, 0, sizeof(*g));
	g->major = SKR_VERSION_MAJOR;
	g->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (g->fd < 0)
		return -errno;
	return skr_writer_open(&g->w, g->fd, &o);
}

static int open_out(struct gen *g, const char *dir, const char *name)
{
	return open_out_frames(g, dir, name, 512);
}

static int close_out(struct gen *g)
{
	int rc = skr_writer_close(g->w);

	if (close(g->fd) != 0 && !rc)
		rc = -errno;
	return g->err ? g->err : rc;
}

static int finish(struct gen *g, int rc)
{
	int rc2 = close_out(g);

	return rc ? rc : rc2;
}

static int segment(struct gen *g, uint32_t index, int family, bool ended)
{
	uint64_t t = 2000000000ull + index * 1000000000ull;
	int i;

	header(g, index, 0);
	meta(g);
	for (i = 0; i < 3; i++)
		connection(g, t + (uint64_t)i * 100000, 0x1000 + 16 * (uint64_t)i +
			   index * 256, family);
	loss(g, t + 500000, 3);
	if (ended)
		end(g, t + 600000, 21, 3);
	return skr_writer_flush(g->w);
}

/*
 * The header frame, then one frame of a block per connection, as the
 * recorder writes a read of its buffers; cut says how many bytes of the
 * file's end to leave out (0: none, and an END).
 */
static int blocks(struct gen *g, const char *dir, const char *name,
		  size_t cut, uint16_t major)
{
	struct stat st;
	char path[4096];
	int i, rc, n = snprintf(path, sizeof(path), "%s/%s", dir, name);

	if (n < 0 || (size_t)n >= sizeof(path))
		return -ENAMETOOLONG;
	rc = open_out_frames(g, dir, name, 0);
	if (rc)
		return rc;
	g->major = major;
	header(g, 0, major == 1 ? 3 : 0);
	meta(g);
	rc = skr_writer_flush(g->w);
	for (i = 0; i < 6 && rc == 0; i++) {
		connection(g, 3000000000ull + (uint64_t)i * 100000,
			   0x3000 + 16 * (uint64_t)i,
			   i % 2 ? SKR_AF_INET6 : SKR_AF_INET);
		rc = skr_writer_sync(g->w);
	}
	if (!cut)
		end(g, 3000900000ull, 60, 0);
	rc = finish(g, rc);
	if (rc || !cut)
		return rc;
	if (stat(path, &st) != 0)
		return -errno;
	if ((size_t)st.st_size <= cut || truncate(path, st.st_size - (off_t)cut))
		return -EIO;
	return 0;
}

/*
 * The header frame, then frames of events a ROUND releases followed by
 * two events it should have waited for, in time order: late, the second
 * held in the run the first opened.  A decode-ahead reader offers these
 * frames as spans, so the replay holds them in admit_span()/hold_fast().
 */
static int late_spans(struct gen *g, const char *dir)
{
	uint64_t t, c;
	int f, i, rc;

	rc = open_out_frames(g, dir, "seed-late-spans.skr", 0);
	if (rc)
		return rc;
	header(g, 0, 0);
	meta(g);
	rc = skr_writer_flush(g->w);
	for (f = 0; f < 4 && rc == 0; f++) {
		t = 4000000000ull + (uint64_t)f * 1000000;
		c = 0x5000 + 16 * (uint64_t)f;
		for (i = 0; i < 6; i++)
			state(g, t + 1000 * (uint64_t)i, c + (uint64_t)(i & 1),
			      SKR_AF_INET, SKR_TCP_ESTABLISHED,
			      SKR_TCP_ESTABLISHED, SKR_CTX_SOFTIRQ, "");
		round_(g, t + 10000);
		state(g, t + 500, c + 2, SKR_AF_INET, SKR_TCP_CLOSE,
		      SKR_TCP_SYN_SENT, SKR_CTX_PROCESS, "late");
		state(g, t + 600, c + 2, SKR_AF_INET, SKR_TCP_SYN_SENT,
		      SKR_TCP_ESTABLISHED, SKR_CTX_SOFTIRQ, "late");
		rc = skr_writer_flush(g->w);
	}
	end(g, 4010000000ull, 32, 0);
	return finish(g, rc);
}

int main(int argc, char **argv)
{
	static const uint8_t unknown[48] = { 48, 0, 0, 0, 0x77, 0x07 };
	static const uint8_t unknown_meta[12] = { 12, 0, 0, 0, 0x42, 0 };
	struct gen g;
	int rc = 0;

	if (argc != 2) {
		fputs("usage: gen_corpus DIR\n", stderr);
		return 2;
	}
	if ((rc = open_out(&g, argv[1], "seed-v4.skr")) == 0) {
		rc = segment(&g, 0, SKR_AF_INET, true);
		rc = finish(&g, rc);
	}
	if (rc == 0 && (rc = open_out(&g, argv[1], "seed-v6-two-segments.skr")) == 0) {
		rc = segment(&g, 0, SKR_AF_INET6, true);
		if (rc == 0)
			rc = segment(&g, 1, SKR_AF_INET, false);
		rc = finish(&g, rc);
	}
	if (rc == 0 && (rc = open_out(&g, argv[1], "seed-unknown-types.skr")) == 0) {
		header(&g, 0, 3);
		meta(&g);
		put(&g, unknown_meta, sizeof(unknown_meta));
		put(&g, unknown, sizeof(unknown));
		connection(&g, 5000000000ull, 0x77, SKR_AF_INET);
		end(&g, 6000000000ull, 8, 0);
		rc = finish(&g, 0);
	}
	if (rc == 0)
		rc = blocks(&g, argv[1], "seed-blocks.skr", 0, SKR_VERSION_MAJOR);
	/* Into the last connection's block: the five before it read. */
	if (rc == 0)
		rc = blocks(&g, argv[1], "seed-blocks-cut.skr", 20,
			    SKR_VERSION_MAJOR);
	/* 1.x, whose records are stored as they are, and `cat v1 v2`. */
	if (rc == 0)
		rc = blocks(&g, argv[1], "seed-v1-blocks-cut.skr", 20, 1);
	if (rc == 0)
		rc = late_spans(&g, argv[1]);
	if (rc == 0 && (rc = open_out(&g, argv[1], "seed-v1-then-v2.skr")) == 0) {
		g.major = 1;
		rc = segment(&g, 0, SKR_AF_INET, true);
		g.major = SKR_VERSION_MAJOR;
		if (rc == 0)
			rc = segment(&g, 1, SKR_AF_INET6, true);
		rc = finish(&g, rc);
	}
	if (rc) {
		fprintf(stderr, "gen_corpus: %s: %s\n", argv[1], strerror(-rc));
		return 1;
	}
	return 0;
}
