// SPDX-License-Identifier: BSD-2-Clause
/*
 * synth: write a synthetic sockrec trace through libskr, to measure the
 * analyzer on traces longer than a benchmark can record (issue 7, item 3).
 *
 * The trace looks like a loopback storm recorded on two CPUs: a listener,
 * then connections that each make the 10 state changes docs/KERNELS.md
 * lists (client closes first), with at most LIVE connections open at any
 * time.  So traces of different lengths hold the same number of live
 * sockets, and an analyzer whose memory grows with length shows it.
 * Events are written in batches, each CPU's share together, as the
 * recorder reads its per-CPU buffers; ROUND records bound the disorder.
 *
 * With -R no ROUND record is written, so the whole trace is one round:
 * what a reorder buffer does at its memory bound (tests/e2e/t_memory.sh).
 * With -L two events of each batch (CPU 0's last two) are written after
 * the ROUND that should have waited for them: late events, as a recorder
 * whose rounds promise too much writes them.  Two, in time order, so that
 * a reader holds the second in the run the first opened (tests/prefetch).
 *
 * The sockets are IPv4.  By default their state changes are written as
 * STATE records (the 96-byte IPv6 layout), as every earlier measurement
 * of the analyzer read them; with -4 as STATE4 (72 bytes), as sockrec
 * writes an IPv4 socket's (docs/EVENTS.md), so that the analyzer is
 * measured on the decode real traces take.  The events are the same
 * either way: only the record type and size differ.
 *
 * usage: synth -o FILE [-n EVENTS] [-l LIVE] [-z LEVEL] [-R] [-4] [-L]
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "format/skr.h"

#define EXIT_USAGE	2
#define BATCH		512	/* events written at once, and between ROUNDs */
#define EVENTS_PER_CONN	10
#define NETNS		4026532000u
#define LISTEN_PORT	5000
#define CLIENT_TGID	4242
#define SERVER_TGID	4343

struct step {
	uint8_t server;		/* which socket of the pair */
	uint8_t oldstate, newstate;
	uint8_t ctx;
};

/* The 10 transitions of one loopback connection, in a plausible order. */
static const struct step steps[EVENTS_PER_CONN] = {
	{ 0, SKR_TCP_CLOSE, SKR_TCP_SYN_SENT, SKR_CTX_PROCESS },
	{ 1, SKR_TCP_LISTEN, SKR_TCP_SYN_RECV, SKR_CTX_SOFTIRQ },
	{ 0, SKR_TCP_SYN_SENT, SKR_TCP_ESTABLISHED, SKR_CTX_SOFTIRQ },
	{ 1, SKR_TCP_SYN_RECV, SKR_TCP_ESTABLISHED, SKR_CTX_SOFTIRQ },
	{ 0, SKR_TCP_ESTABLISHED, SKR_TCP_FIN_WAIT1, SKR_CTX_PROCESS },
	{ 1, SKR_TCP_ESTABLISHED, SKR_TCP_CLOSE_WAIT, SKR_CTX_SOFTIRQ },
	{ 0, SKR_TCP_FIN_WAIT1, SKR_TCP_FIN_WAIT2, SKR_CTX_SOFTIRQ },
	{ 1, SKR_TCP_CLOSE_WAIT, SKR_TCP_LAST_ACK, SKR_CTX_PROCESS },
	{ 1, SKR_TCP_LAST_ACK, SKR_TCP_CLOSE, SKR_CTX_SOFTIRQ },
	{ 0, SKR_TCP_FIN_WAIT2, SKR_TCP_CLOSE, SKR_CTX_SOFTIRQ },
};

struct conn {
	uint64_t cookie;	/* client's; the server's is cookie + 1 */
	uint16_t sport;
	uint8_t addr;		/* 127.0.0.addr */
	uint8_t step;
};

struct synth {
	struct skr_writer *w;
	struct conn *conns;
	uint64_t live;
	uint64_t ts;
	uint64_t next_cookie;
	uint64_t rng;
	uint64_t events;
	bool rounds;		/* write ROUND records (no -R) */
	bool state4;		/* -4: STATE4 records, as sockrec writes IPv4 */
	bool late;		/* -L: hold events back past their ROUND */
	unsigned nlate;
	struct skr_ev_state held_back[2];
	uint16_t next_port;
	/* one batch, split by CPU as a sweep of per-CPU buffers returns it */
	struct skr_ev_state batch[2][BATCH];
	unsigned nbatch[2];
};

static uint64_t rnd(struct synth *s)
{
	/* xorshift64: deterministic, so two runs give identical files */
	s->rng ^= s->rng << 13;
	s->rng ^= s->rng >> 7;
	s->rng ^= s->rng << 17;
	return s->rng;
}

static void new_conn(struct synth *s, struct conn *c)
{
	c->cookie = s->next_cookie;
	s->next_cookie += 2;
	if (s->next_port < 1024)
		s->next_port = 1024;
	c->sport = s->next_port++;
	c->addr = (uint8_t)(1 + rnd(s) % 4);
	c->step = 0;
}

static void fill_state(struct skr_ev_state *ev, uint64_t ts, uint64_t cookie,
		       uint16_t cpu, uint8_t ctx, uint32_t tgid,
		       const char *comm)
{
	memset(ev, 0, sizeof(*ev));
	ev->hdr.len = sizeof(*ev);
	ev->hdr.type = SKR_REC_STATE;
	ev->c.ts_ns = ts;
	ev->c.cookie = cookie;
	ev->c.netns = NETNS;
	ev->c.cpu = cpu;
	ev->c.ctx = ctx;
	/* softirq work runs on whoever was interrupted, often idle */
	if (ctx == SKR_CTX_PROCESS) {
		ev->c.tgid = tgid;
		ev->c.tid = tgid;
		memcpy(ev->comm, comm, strlen(comm));
	} else {
		memcpy(ev->comm, "swapper/0", 9);
	}
	ev->family = SKR_AF_INET;
	ev->protocol = 6;
}

/*
 * An IPv4 socket's STATE as sockrec writes it: STATE4, the same fields
 * with 4-byte addresses (the first 4 bytes of STATE's).
 */
static void narrow_state(const struct skr_ev_state *ev, struct skr_ev_state4 *s4)
{
	memset(s4, 0, sizeof(*s4));
	s4->hdr.len = sizeof(*s4);
	s4->hdr.type = SKR_REC_STATE4;
	s4->c = ev->c;
	memcpy(s4->saddr, ev->saddr, sizeof(s4->saddr));
	memcpy(s4->daddr, ev->daddr, sizeof(s4->daddr));
	memcpy(s4->comm, ev->comm, sizeof(s4->comm));
	s4->sport = ev->sport;
	s4->dport = ev->dport;
	s4->family = ev->family;
	s4->protocol = ev->protocol;
	s4->oldstate = ev->oldstate;
	s4->newstate = ev->newstate;
}

static int append_state(struct synth *s, const struct skr_ev_state *ev)
{
	struct skr_ev_state4 s4;

	if (!s->state4)
		return skr_writer_append(s->w, ev, sizeof(*ev));
	narrow_state(ev, &s4);
	return skr_writer_append(s->w, &s4, sizeof(s4));
}

/* last: the batch before the END, which holds nothing back. */
static int flush_batch(struct synth *s, bool last)
{
	struct skr_round r;
	unsigned cpu, i, n;
	int err;

	for (i = 0; i < s->nlate; i++) {
		err = append_state(s, &s->held_back[i]);
		if (err)
			return err;
	}
	s->nlate = 0;
	for (cpu = 0; cpu < 2; cpu++) {
		n = s->nbatch[cpu];
		if (s->late && s->rounds && !last && cpu == 0 && n >= 2) {
			n -= 2;
			s->held_back[0] = s->batch[0][n];
			s->held_back[1] = s->batch[0][n + 1];
			s->nlate = 2;
		}
		for (i = 0; i < n; i++) {
			err = append_state(s, &s->batch[cpu][i]);
			if (err)
				return err;
		}
		s->nbatch[cpu] = 0;
	}
	if (!s->rounds)
		return 0;
	/* Everything later is stamped after s->ts. */
	memset(&r, 0, sizeof(r));
	r.hdr.len = sizeof(r);
	r.hdr.type = SKR_REC_ROUND;
	r.horizon_ns = s->ts + 1;
	return skr_writer_append(s->w, &r, sizeof(r));
}

static int add_event(struct synth *s, struct skr_ev_state *ev)
{
	unsigned cpu = ev->c.cpu & 1;

	s->batch[cpu][s->nbatch[cpu]++] = *ev;
	s->events++;
	if (s->nbatch[0] + s->nbatch[1] >= BATCH)
		return flush_batch(s, false);
	return 0;
}

static int listener_event(struct synth *s, uint8_t oldstate, uint8_t newstate)
{
	struct skr_ev_state ev;

	s->ts += 1000;
	fill_state(&ev, s->ts, 1, 0, SKR_CTX_PROCESS, SERVER_TGID, "synth-server");
	ev.saddr[0] = 0;
	ev.sport = LISTEN_PORT;
	ev.oldstate = oldstate;
	ev.newstate = newstate;
	return add_event(s, &ev);
}

static int conn_event(struct synth *s, struct conn *c)
{
	const struct step *st = &steps[c->step];
	struct skr_ev_state ev;
	uint8_t ip[4] = { 127, 0, 0, c->addr };

	s->ts += 500 + rnd(s) % 1000;	/* ~1M events/s, as in a storm */
	fill_state(&ev, s->ts, c->cookie + st->server, (uint16_t)(rnd(s) & 1),
		   st->ctx, st->server ? SERVER_TGID : CLIENT_TGID,
		   st->server ? "synth-server" : "synth-client");
	memcpy(ev.saddr, ip, sizeof(ip));
	memcpy(ev.daddr, ip, sizeof(ip));
	if (st->server) {
		ev.sport = LISTEN_PORT;
		ev.dport = c->sport;
	} else {
		/* the port is chosen after the first transition */
		ev.sport = c->step == 0 ? 0 : c->sport;
		ev.dport = LISTEN_PORT;
	}
	ev.oldstate = st->oldstate;
	ev.newstate = st->newstate;
	if (++c->step == EVENTS_PER_CONN)
		new_conn(s, c);
	return add_event(s, &ev);
}

static int write_meta(struct synth *s, int argc, char **argv)
{
	static struct skr_tlv_builder b;
	struct skr_file_header fh;
	struct skr_clock ck;
	struct timespec now;
	int i, len, err;

	clock_gettime(CLOCK_REALTIME, &now);
	skr_encode_file_header(&fh, SKR_VERSION_MAJOR, SKR_VERSION_MINOR, 0,
			       (const uint8_t *)"synthetic-trace!",
			       (uint64_t)now.tv_sec * 1000000000ull +
			       (uint64_t)now.tv_nsec);
	err = skr_writer_append(s->w, &fh, sizeof(fh));
	if (err)
		return err;

	skr_tlv_begin(&b, SKR_REC_HOST);
	skr_tlv_put_str(&b, SKR_HOST_HOSTNAME, "synth");
	skr_tlv_put_u32(&b, SKR_HOST_NCPUS, 2);
	len = skr_tlv_end(&b);
	if (len < 0)
		return len;
	err = skr_writer_append(s->w, b.buf, (size_t)len);
	if (err)
		return err;

	skr_tlv_begin(&b, SKR_REC_RECORDER);
	skr_tlv_put_str(&b, SKR_RECORDER_COMMENT, "synthetic trace (bench/synth)");
	for (i = 0; i < argc; i++)
		skr_tlv_put_str(&b, SKR_RECORDER_ARG, argv[i]);
	len = skr_tlv_end(&b);
	if (len < 0)
		return len;
	err = skr_writer_append(s->w, b.buf, (size_t)len);
	if (err)
		return err;

	memset(&ck, 0, sizeof(ck));
	ck.hdr.len = sizeof(ck);
	ck.hdr.type = SKR_REC_CLOCK;
	ck.clock_ns = s->ts;
	ck.realtime_ns = fh.created_ns;
	ck.clock_id = SKR_CLOCK_BOOTTIME;
	err = skr_writer_append(s->w, &ck, sizeof(ck));
	if (err)
		return err;

	skr_tlv_begin(&b, SKR_REC_PROBE);
	skr_tlv_put_str(&b, SKR_PROBE_NAME, "inet_sock_set_state");
	skr_tlv_put_u8(&b, SKR_PROBE_TIER, SKR_TIER_TP_BTF);
	skr_tlv_put_u32(&b, SKR_PROBE_ERROR, 0);
	skr_tlv_put_u16(&b, SKR_PROBE_EVENT, SKR_REC_STATE);
	len = skr_tlv_end(&b);
	if (len < 0)
		return len;
	return skr_writer_append(s->w, b.buf, (size_t)len);
}

static int write_end(struct synth *s)
{
	struct skr_end e;
	int err = flush_batch(s, true);

	if (err)
		return err;
	memset(&e, 0, sizeof(e));
	e.hdr.len = sizeof(e);
	e.hdr.type = SKR_REC_END;
	e.ts_ns = s->ts + 1;
	e.events = s->events;
	return skr_writer_append(s->w, &e, sizeof(e));
}

static int synthesize(struct synth *s, uint64_t target, int argc, char **argv)
{
	uint64_t i;
	int err;

	err = write_meta(s, argc, argv);
	if (!err)
		err = listener_event(s, SKR_TCP_CLOSE, SKR_TCP_LISTEN);
	for (i = 0; i < s->live; i++)
		new_conn(s, &s->conns[i]);
	/* Two events reserved for the listener's own open and close. */
	while (!err && s->events + 1 < target)
		err = conn_event(s, &s->conns[rnd(s) % s->live]);
	if (!err)
		err = listener_event(s, SKR_TCP_LISTEN, SKR_TCP_CLOSE);
	if (!err)
		err = write_end(s);
	return err;
}

static int parse_u64(const char *arg, uint64_t min, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (*arg < '0' || *arg > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(arg, &end, 10);
	if (errno || *end || v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

static int misuse(const char *what, const char *arg)
{
	fprintf(stderr, "synth: %s '%s'\nTry 'synth -h'.\n", what, arg);
	return EXIT_USAGE;
}

int main(int argc, char **argv)
{
	static struct synth s;
	const char *path = NULL;
	uint64_t target = 1000000, level = 1;
	struct skr_writer_opts wo;
	int c, fd = -1, err, status = 1;

	s.live = 1000;
	s.rounds = true;
	while ((c = getopt(argc, argv, ":o:n:l:z:R4Lh")) != -1) {
		switch (c) {
		case 'o':
			path = optarg;
			break;
		case 'n':
			if (parse_u64(optarg, 2, 10000000000ull, &target))
				return misuse("-n wants 2 to 10^10 events, not", optarg);
			break;
		case 'l':
			if (parse_u64(optarg, 1, 10000000, &s.live))
				return misuse("-l wants 1 to 10^7 live connections, not", optarg);
			break;
		case 'z':
			if (parse_u64(optarg, 1, 19, &level))
				return misuse("-z wants a zstd level 1 to 19, not", optarg);
			break;
		case 'R':
			s.rounds = false;
			break;
		case '4':
			s.state4 = true;
			break;
		case 'L':
			s.late = true;
			break;
		case 'h':
			printf("Usage: synth -o FILE [-n EVENTS] [-l LIVE] [-z LEVEL] [-R] [-4] [-L]\n"
			       "Write a synthetic trace of EVENTS state changes (default 1000000)\n"
			       "with at most LIVE connections open at once (default 1000).\n"
			       "The sockets are IPv4; their changes are STATE records (96 bytes,\n"
			       "the IPv6 layout) unless -4 writes them as sockrec does: STATE4\n"
			       "(72 bytes).\n"
			       "-R writes no ROUND record: the trace is one round.\n"
			       "-L writes two events of each round after its ROUND: late.\n");
			return fflush(stdout) ? 1 : 0;
		case ':':
			return misuse("option needs an argument:", argv[optind - 1]);
		default:
			return misuse("unknown option", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return misuse("unexpected argument", argv[optind]);
	if (!path) {
		fprintf(stderr, "synth: no output file: use -o FILE\nTry 'synth -h'.\n");
		return EXIT_USAGE;
	}

	s.rng = 0x9e3779b97f4a7c15ull;
	s.ts = 1000000000ull;
	s.next_cookie = 2;
	s.conns = calloc(s.live, sizeof(*s.conns));
	if (!s.conns) {
		fprintf(stderr, "synth: allocating %llu connections: %s\n",
			(unsigned long long)s.live, strerror(ENOMEM));
		return 1;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) {
		fprintf(stderr, "synth: opening %s: %s\n", path, strerror(errno));
		goto out;
	}
	memset(&wo, 0, sizeof(wo));
	wo.level = (int)level;
	err = skr_writer_open(&s.w, fd, &wo);
	if (!err)
		err = synthesize(&s, target, argc, argv);
	if (!err)
		err = skr_writer_flush(s.w);
	if (err) {
		fprintf(stderr, "synth: writing %s: %s\n", path, strerror(-err));
		goto out;
	}
	printf("events=%llu bytes=%llu\n", (unsigned long long)s.events,
	       (unsigned long long)skr_writer_bytes_out(s.w));
	status = fflush(stdout) ? 1 : 0;
out:
	skr_writer_close(s.w);
	if (fd >= 0 && close(fd) && status == 0) {
		fprintf(stderr, "synth: closing %s: %s\n", path, strerror(errno));
		status = 1;
	}
	free(s.conns);
	return status;
}
