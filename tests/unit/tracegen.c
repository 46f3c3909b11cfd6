/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Synthetic traces for the unit tests (see tracegen.h).  Every record is
 * zeroed first, so fields a test does not name are 0 on disk.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tracegen.h"

#define LO	"127.0.0.1"

/* ---- writing ---- */

void tg_begin(struct tg *t)
{
	char path[] = "/tmp/tracegen.XXXXXX";

	memset(t, 0, sizeof(*t));
	t->netns = TG_NETNS;
	t->fd = mkstemp(path);
	ck_assert_int_ge(t->fd, 0);
	unlink(path);
	ck_assert_int_eq(skr_writer_open(&t->w, t->fd, NULL), 0);
}

void tg_put(struct tg *t, const void *rec, size_t len)
{
	ck_assert_int_eq(skr_writer_append(t->w, rec, len), 0);
}

void tg_put_tlv(struct tg *t, struct skr_tlv_builder *b)
{
	int len = skr_tlv_end(b);

	ck_assert_int_gt(len, 0);
	tg_put(t, b->buf, (size_t)len);
}

void tg_next_segment(struct tg *t)
{
	ck_assert_int_eq(skr_writer_close(t->w), 0);
	ck_assert_int_eq(skr_writer_open(&t->w, t->fd, NULL), 0);
}

static void rec_hdr(struct skr_rec_hdr *h, uint16_t type, size_t len)
{
	h->len = (uint32_t)len;
	h->type = type;
}

/* ---- metadata ---- */

void tg_header(struct tg *t, uint32_t file_index, uint8_t id_fill,
	       uint16_t minor, uint64_t created_ns)
{
	struct skr_file_header fh;
	uint8_t id[16];

	memset(id, id_fill, sizeof(id));
	skr_encode_file_header(&fh, SKR_VERSION_MAJOR, minor, file_index, id,
			       created_ns);
	tg_put(t, &fh, sizeof(fh));
}

void tg_clock(struct tg *t, uint64_t clock_ns, uint64_t wall_ns,
	      uint64_t uncertainty_ns)
{
	struct skr_clock c;

	memset(&c, 0, sizeof(c));
	rec_hdr(&c.hdr, SKR_REC_CLOCK, sizeof(c));
	c.clock_ns = clock_ns;
	c.realtime_ns = wall_ns;
	c.uncertainty_ns = uncertainty_ns;
	c.clock_id = SKR_CLOCK_BOOTTIME;
	tg_put(t, &c, sizeof(c));
}

void tg_host_tlv(struct skr_tlv_builder *b, const struct tg_host *h)
{
	skr_tlv_begin(b, SKR_REC_HOST);
	if (h->hostname)
		skr_tlv_put_str(b, SKR_HOST_HOSTNAME, h->hostname);
	if (h->boot_id)
		skr_tlv_put_str(b, SKR_HOST_BOOT_ID, h->boot_id);
	if (h->krelease)
		skr_tlv_put_str(b, SKR_HOST_KRELEASE, h->krelease);
	if (h->machine)
		skr_tlv_put_str(b, SKR_HOST_MACHINE, h->machine);
	if (h->ncpus)
		skr_tlv_put_u32(b, SKR_HOST_NCPUS, h->ncpus);
}

void tg_host(struct tg *t, const struct tg_host *h)
{
	/* static: the builder is large for a test thread's stack */
	static struct skr_tlv_builder b;

	tg_host_tlv(&b, h);
	tg_put_tlv(t, &b);
}

void tg_recorder(struct tg *t, const char *version,
		 const char *const *args, const char *comment)
{
	static struct skr_tlv_builder b;

	skr_tlv_begin(&b, SKR_REC_RECORDER);
	if (version)
		skr_tlv_put_str(&b, SKR_RECORDER_VERSION, version);
	for (; args && *args; args++)
		skr_tlv_put_str(&b, SKR_RECORDER_ARG, *args);
	if (comment)
		skr_tlv_put_str(&b, SKR_RECORDER_COMMENT, comment);
	tg_put_tlv(t, &b);
}

void tg_probe(struct tg *t, const char *name, uint16_t event, uint8_t tier,
	      const char *reason)
{
	static struct skr_tlv_builder b;

	skr_tlv_begin(&b, SKR_REC_PROBE);
	skr_tlv_put_str(&b, SKR_PROBE_NAME, name);
	skr_tlv_put_u8(&b, SKR_PROBE_TIER, tier);
	if (event)
		skr_tlv_put_u16(&b, SKR_PROBE_EVENT, event);
	if (reason) {
		skr_tlv_put_u32(&b, SKR_PROBE_ERROR, ENOENT);
		skr_tlv_put_str(&b, SKR_PROBE_REASON, reason);
	}
	tg_put_tlv(t, &b);
}

/* ---- events ---- */

void tg_common(const struct tg *t, struct skr_ev_common *c, uint64_t ts,
	       uint64_t cookie, uint8_t ctx, uint32_t tgid)
{
	memset(c, 0, sizeof(*c));
	c->ts_ns = ts;
	c->cookie = cookie;
	c->netns = t->netns;
	c->tgid = tgid;
	c->tid = tgid;
	c->ctx = ctx;
}

void tg_addr(const char *s, uint8_t out[16], uint8_t *family)
{
	bool v6 = strchr(s, ':') != NULL;

	memset(out, 0, 16);
	ck_assert_int_eq(inet_pton(v6 ? AF_INET6 : AF_INET, s, out), 1);
	*family = v6 ? SKR_AF_INET6 : SKR_AF_INET;
}

void tg_state_fill(const struct tg *t, const struct tg_ev *e,
		   struct skr_ev_state *s)
{
	memset(s, 0, sizeof(*s));
	rec_hdr(&s->hdr, SKR_REC_STATE, sizeof(*s));
	tg_common(t, &s->c, e->ts, e->cookie, e->ctx, e->tgid);
	s->c.cpu = e->cpu;
	tg_addr(e->src, s->saddr, &s->family);
	tg_addr(e->dst, s->daddr, &s->family);
	/* comm fills all 16 bytes when long: no terminator, as in the kernel */
	if (!t->comm_process_only || e->ctx == SKR_CTX_PROCESS)
		memcpy(s->comm, e->comm, strnlen(e->comm, sizeof(s->comm)));
	s->sport = e->sport;
	s->dport = e->dport;
	s->protocol = 6;
	s->oldstate = e->oldstate;
	s->newstate = e->newstate;
}

void tg_state(struct tg *t, const struct tg_ev *e)
{
	struct skr_ev_state s;

	tg_state_fill(t, e, &s);
	tg_put(t, &s, sizeof(s));
}

void tg_st(struct tg *t, uint64_t ts, uint64_t cookie, uint8_t ctx,
	   uint32_t tgid, const char *comm, uint8_t o, uint8_t n,
	   const char *src, uint16_t sport, const char *dst, uint16_t dport)
{
	const struct tg_ev e = {
		.ts = ts, .cookie = cookie, .ctx = ctx, .tgid = tgid,
		.comm = comm, .oldstate = o, .newstate = n,
		.src = src, .sport = sport, .dst = dst, .dport = dport,
	};

	tg_state(t, &e);
}

void tg_listen(struct tg *t, uint64_t ts, uint64_t cookie, uint32_t tgid,
	       int32_t backlog, uint32_t limit, uint16_t port)
{
	struct skr_ev_listen e;

	memset(&e, 0, sizeof(e));
	rec_hdr(&e.hdr, SKR_REC_LISTEN, sizeof(e));
	tg_common(t, &e.c, ts, cookie, SKR_CTX_PROCESS, tgid);
	e.fd = 3;
	e.backlog = backlog;
	e.max_backlog = limit;
	e.sport = port;
	e.family = SKR_AF_INET;
	tg_put(t, &e, sizeof(e));
}

void tg_accept(struct tg *t, uint64_t ts, uint64_t lcookie, uint64_t child,
	       uint32_t tgid, uint32_t qlen, uint32_t limit, uint32_t drops)
{
	struct skr_ev_accept e;

	memset(&e, 0, sizeof(e));
	rec_hdr(&e.hdr, SKR_REC_ACCEPT, sizeof(e));
	tg_common(t, &e.c, ts, lcookie, SKR_CTX_PROCESS, tgid);
	e.child_cookie = child;
	e.ret = 5;
	e.fd = 3;
	e.qlen = qlen;
	e.max_backlog = limit;
	e.drops = drops;
	e.sport = 8080;
	e.family = SKR_AF_INET;
	tg_put(t, &e, sizeof(e));
}

void tg_reset(struct tg *t, uint64_t ts, uint64_t cookie, uint8_t state,
	      uint16_t sport, uint16_t dport)
{
	struct skr_ev_reset e;

	memset(&e, 0, sizeof(e));
	rec_hdr(&e.hdr, SKR_REC_RESET, sizeof(e));
	tg_common(t, &e.c, ts, cookie, SKR_CTX_SOFTIRQ, 0);
	tg_addr(LO, e.saddr, &e.family);
	tg_addr(LO, e.daddr, &e.family);
	e.sport = sport;
	e.dport = dport;
	e.reason = SKR_REASON_NONE;
	e.state = state;
	e.dir = SKR_RESET_RECEIVED;
	tg_put(t, &e, sizeof(e));
}

void tg_destroy(struct tg *t, uint64_t ts, uint64_t cookie, uint16_t dport)
{
	struct skr_ev_destroy e;

	memset(&e, 0, sizeof(e));
	rec_hdr(&e.hdr, SKR_REC_DESTROY, sizeof(e));
	tg_common(t, &e.c, ts, cookie, SKR_CTX_SOFTIRQ, 0);
	e.family = SKR_AF_INET;
	e.state = SKR_TCP_CLOSE;
	e.dport = dport;
	tg_put(t, &e, sizeof(e));
}

void tg_error(struct tg *t, uint64_t ts, uint64_t cookie, int32_t err,
	      uint8_t state, uint16_t dport)
{
	struct skr_ev_sock_error e;

	memset(&e, 0, sizeof(e));
	rec_hdr(&e.hdr, SKR_REC_SOCK_ERROR, sizeof(e));
	tg_common(t, &e.c, ts, cookie, SKR_CTX_SOFTIRQ, 0);
	tg_addr(LO, e.saddr, &e.family);
	tg_addr(LO, e.daddr, &e.family);
	e.dport = dport;
	e.error = err;
	e.state = state;
	tg_put(t, &e, sizeof(e));
}

void tg_listener(struct tg *t, uint64_t ts, uint64_t cookie, uint32_t qlen,
		 uint32_t limit, uint64_t drops)
{
	struct skr_ev_listener e;

	memset(&e, 0, sizeof(e));
	rec_hdr(&e.hdr, SKR_REC_LISTENER, sizeof(e));
	tg_common(t, &e.c, ts, cookie, SKR_CTX_UNKNOWN, 0);
	tg_addr(LO, e.saddr, &e.family);
	e.ack_backlog = qlen;
	e.max_ack_backlog = limit;
	e.drops = drops;
	e.sport = 8080;
	tg_put(t, &e, sizeof(e));
}

void tg_netns_stats(struct tg *t, uint64_t ts, uint64_t overflows)
{
	struct skr_ev_netns_stats e;

	memset(&e, 0, sizeof(e));
	rec_hdr(&e.hdr, SKR_REC_NETNS_STATS, sizeof(e));
	tg_common(t, &e.c, ts, 0, SKR_CTX_UNKNOWN, 0);
	e.listen_overflows = overflows;
	e.listen_drops = overflows;
	tg_put(t, &e, sizeof(e));
}

void tg_sampling(struct tg *t, uint64_t ts, uint32_t netns, uint8_t state,
		 int32_t error)
{
	struct skr_ev_sampling e;

	memset(&e, 0, sizeof(e));
	rec_hdr(&e.hdr, SKR_REC_SAMPLING, sizeof(e));
	tg_common(t, &e.c, ts, 0, SKR_CTX_UNKNOWN, 0);
	e.c.netns = netns;
	e.state = state;
	e.error = error;
	tg_put(t, &e, sizeof(e));
}

void tg_round(struct tg *t, uint64_t horizon)
{
	struct skr_round r;

	memset(&r, 0, sizeof(r));
	rec_hdr(&r.hdr, SKR_REC_ROUND, sizeof(r));
	r.horizon_ns = horizon;
	tg_put(t, &r, sizeof(r));
}

void tg_loss(struct tg *t, uint64_t ts, uint64_t count)
{
	struct skr_loss l;

	memset(&l, 0, sizeof(l));
	rec_hdr(&l.hdr, SKR_REC_LOSS, sizeof(l));
	l.ts_ns = ts;
	l.count = count;
	tg_put(t, &l, sizeof(l));
}

void tg_end(struct tg *t, uint64_t ts, uint64_t lost, uint64_t events)
{
	struct skr_end e;

	memset(&e, 0, sizeof(e));
	rec_hdr(&e.hdr, SKR_REC_END, sizeof(e));
	e.ts_ns = ts;
	e.lost = lost;
	e.events = events;
	tg_put(t, &e, sizeof(e));
}

/* ---- finishing ---- */

void tg_close_writer(struct tg *t)
{
	ck_assert_int_eq(skr_writer_close(t->w), 0);
	t->w = NULL;
	ck_assert_int_eq(lseek(t->fd, 0, SEEK_SET), 0);
}

struct skr_reader *tg_finish(struct tg *t)
{
	struct skr_reader *r = NULL;

	tg_close_writer(t);
	ck_assert_int_eq(skr_reader_open_fd(&r, t->fd, "test.skr"), 0);
	return r;
}

uint8_t *tg_bytes(struct tg *t, size_t *len)
{
	uint8_t *data;
	off_t size;

	ck_assert_int_eq(skr_writer_close(t->w), 0);
	t->w = NULL;
	size = lseek(t->fd, 0, SEEK_END);
	ck_assert_int_gt(size, 0);
	data = malloc((size_t)size);
	ck_assert_ptr_nonnull(data);
	ck_assert_int_eq(pread(t->fd, data, (size_t)size, 0), size);
	close(t->fd);
	t->fd = -1;
	*len = (size_t)size;
	return data;
}

char *tg_analyze_fd(int fd, struct sa_run_opts *opts)
{
	struct skr_reader *r = NULL;
	char *text = NULL, msg[256];
	size_t len = 0;
	FILE *out;
	int err;

	ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
	ck_assert_int_eq(skr_reader_open_fd(&r, fd, "test.skr"), 0);
	out = open_memstream(&text, &len);
	ck_assert_ptr_nonnull(out);
	if (!opts->name)
		opts->name = "test.skr";
	err = sa_run(r, opts, out, msg, sizeof(msg));
	ck_assert_msg(err == 0, "sa_run: %d %s", err, msg);
	ck_assert_int_eq(fclose(out), 0);
	skr_reader_free(r);
	return text;
}

char *tg_report(struct tg *t, enum sa_report rep, enum sa_format fmt)
{
	struct sa_run_opts opts;
	char *text;

	memset(&opts, 0, sizeof(opts));
	opts.report = rep;
	opts.format = fmt;
	tg_close_writer(t);
	text = tg_analyze_fd(t->fd, &opts);
	close(t->fd);
	return text;
}

int tg_reopen(void *ctx, size_t i, struct skr_reader **r)
{
	const struct tg *t = ctx;
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/fd/%d", t[i].fd);
	return skr_reader_open(r, path);
}

static char *run_report(struct tg *t, size_t n, enum sa_report rep,
			enum sa_format fmt, enum sa_group by, bool reopen)
{
	struct sa_run_opts opts;
	char msg[256];
	char *text;
	int err;

	memset(&opts, 0, sizeof(opts));
	opts.report = rep;
	opts.format = fmt;
	opts.by = by;
	if (reopen) {
		opts.reopen = tg_reopen;
		opts.reopen_ctx = t;
	}
	text = tg_run(t, n, &opts, &err, msg, sizeof(msg));
	ck_assert_msg(err == 0, "sa_run: %d %s", err, msg);
	return text;
}

char *tg_run_report(struct tg *t, size_t n, enum sa_report rep,
		    enum sa_format fmt, enum sa_group by)
{
	return run_report(t, n, rep, fmt, by, false);
}

char *tg_run_joined(struct tg *t, size_t n, enum sa_report rep,
		    enum sa_format fmt)
{
	return run_report(t, n, rep, fmt, SA_BY_NONE, true);
}

char *tg_build_report(void (*build)(struct tg *), enum sa_report rep,
		      enum sa_format fmt, enum sa_group by)
{
	struct tg t;

	build(&t);
	return tg_run_report(&t, 1, rep, fmt, by);
}

char *tg_run(struct tg *t, size_t n, struct sa_run_opts *opts, int *err,
	     char *msg, size_t msgsize)
{
	static const char *const names[] = { "a.skr", "b.skr", "c.skr" };
	struct skr_reader *r[3];
	char *text = NULL;
	size_t len = 0, i;
	FILE *out;

	ck_assert_uint_le(n, 3);
	for (i = 0; i < n; i++)
		r[i] = tg_finish(&t[i]);
	out = open_memstream(&text, &len);
	ck_assert_ptr_nonnull(out);
	if (!opts->name)
		opts->name = "test.skr";
	if (n > 1)
		opts->names = names;
	*err = sa_run_many(r, n, opts, out, msg, msgsize);
	ck_assert_int_eq(fclose(out), 0);
	for (i = 0; i < n; i++) {
		skr_reader_free(r[i]);
		close(t[i].fd);
	}
	return text;
}

bool tg_contains(const uint8_t *h, size_t hl, const void *n, size_t nl)
{
	size_t i;

	for (i = 0; i + nl <= hl; i++)
		if (memcmp(h + i, n, nl) == 0)
			return true;
	return false;
}

size_t tg_count(const char *text, const char *needle)
{
	size_t n = 0;

	while ((text = strstr(text, needle)) != NULL) {
		n++;
		text += strlen(needle);
	}
	return n;
}

size_t tg_count_lines(const char *text, const char *prefix)
{
	size_t n = 0, pl = strlen(prefix);
	const char *p = text;

	while (p && *p) {
		if (strncmp(p, prefix, pl) == 0)
			n++;
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return n;
}

int tg_main(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
