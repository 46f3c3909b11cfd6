/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What a trace says about itself: file header, host, recorder, probes,
 * clock samples, losses and record counts.  Descriptions are taken from
 * the first segment only, because every rotated file repeats them; a
 * record repeated within a segment does not replace the first one.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/meta.h"
#include "analyze/out.h"
#include "analyze/text.h"
#include "analyze/wallclock.h"
#include "format/skr.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

void sa_meta_init(struct sa_meta *m)
{
	memset(m, 0, sizeof(*m));
	sa_wallclock_init(&m->clock);
}

static void count_type(struct sa_meta *m, uint16_t type)
{
	size_t i;

	m->records++;
	/* Records come in long stretches of one type: look there first. */
	i = m->last_type;
	if (i < m->ntypes && m->types[i].type == type) {
		m->types[i].n++;
		return;
	}
	for (i = 0; i < m->ntypes && m->types[i].type < type; i++)
		;
	if (i < m->ntypes && m->types[i].type == type) {
		m->types[i].n++;
		m->last_type = i;
		return;
	}
	/* A file full of invented types must not grow the table. */
	if (m->ntypes == SA_TYPES_MAX) {
		m->other_types++;
		return;
	}
	memmove(&m->types[i + 1], &m->types[i],
		(m->ntypes - i) * sizeof(m->types[0]));
	m->types[i].type = type;
	m->types[i].n = 1;
	m->ntypes++;
	m->last_type = i;
}

/* Set *dst to a sanitized copy of an attribute, unless already set. */
static int keep_str(char **dst, const uint8_t *val, uint16_t vlen)
{
	if (*dst)
		return 0;
	*dst = sa_text_dup(val, vlen);
	return *dst ? 0 : -ENOMEM;
}

/*
 * Whether a later segment's HOST record names the boot of the first
 * segment.  A file made with cat of traces from two hosts (or two boots)
 * has one clock and one socket table per boot, which one input cannot
 * hold apart: the reports then say so.  Without a boot id on either side
 * nothing can be told, and nothing is said.
 */
static bool same_boot(const struct sa_meta *m, const struct skr_record *rec)
{
	struct skr_tlv_iter it;
	const uint8_t *val;
	uint16_t tag, vlen;
	char *id;
	bool same;

	if (!m->boot_id)
		return true;
	skr_tlv_iter_init(&it, rec->data, rec->len);
	while (skr_tlv_next(&it, &tag, &val, &vlen) == 1) {
		if (tag != SKR_HOST_BOOT_ID)
			continue;
		/* Compared as kept: made printable the same way. */
		id = sa_text_dup(val, vlen);
		if (!id)
			return true;
		same = strcmp(id, m->boot_id) == 0;
		free(id);
		return same;
	}
	return true;
}

/*
 * Attributes of HOST, RECORDER and PROBE records, each table naming where
 * a tag's value goes, so that one walk reads them all.  Strings keep their
 * first value; integers are taken when they fit their field, the first
 * one only when once is set.
 */
enum attr_kind {
	ATTR_STR,		/* char * at off (sanitized copy) */
	ATTR_UINT,		/* size-byte unsigned integer at off */
	ATTR_FN,		/* fn decides */
};

struct attr_ctx {
	struct sa_meta *m;
	void *dst;		/* struct sa_meta or struct sa_probe */
	bool first;		/* the first record of its type */
};

struct attr {
	uint16_t tag;
	uint8_t kind;		/* enum attr_kind */
	uint8_t size;		/* ATTR_UINT: 1, 2 or 4 */
	size_t off;		/* in dst */
	bool flag;		/* ATTR_UINT: bool at have is set with it */
	bool once;		/* ... and, set, keeps the first value */
	size_t have;
	int (*fn)(struct attr_ctx *c, const uint8_t *val, uint16_t vlen);
};

#define STR(tag, st, f)						\
	{ (tag), ATTR_STR, 0, offsetof(struct st, f), false, false, 0, NULL }
#define UINT(tag, st, f)						\
	{ (tag), ATTR_UINT, sizeof(((struct st *)0)->f),		\
	  offsetof(struct st, f), false, false, 0, NULL }
#define UINT_HAVE(tag, st, f, h, first) \
	{ (tag), ATTR_UINT, sizeof(((struct st *)0)->f),		\
	  offsetof(struct st, f), true, (first), offsetof(struct st, h), NULL }
#define FN(tag, fn)		{ (tag), ATTR_FN, 0, 0, false, false, 0, (fn) }

static int attr_uint(struct attr_ctx *c, const struct attr *a,
		     const uint8_t *val, uint16_t vlen)
{
	char *dst = c->dst;
	bool *have = a->flag ? (bool *)(void *)(dst + a->have) : NULL;
	uint64_t v;
	uint32_t v32;
	uint16_t v16;
	uint8_t v8;

	if ((have && a->once && *have) || skr_tlv_uint(val, vlen, &v) != 0 ||
	    v > (UINT64_MAX >> (64 - 8 * a->size)))
		return 0;
	switch (a->size) {
	case 1:
		v8 = (uint8_t)v;
		memcpy(dst + a->off, &v8, 1);
		break;
	case 2:
		v16 = (uint16_t)v;
		memcpy(dst + a->off, &v16, 2);
		break;
	default:
		v32 = (uint32_t)v;
		memcpy(dst + a->off, &v32, 4);
		break;
	}
	if (have)
		*have = true;
	return 0;
}

static int parse_attrs(struct attr_ctx *c, const struct attr *tab, size_t n,
		       const struct skr_record *rec)
{
	struct skr_tlv_iter it;
	const uint8_t *val;
	uint16_t tag, vlen;
	char **str;
	size_t i;
	int err = 0;

	skr_tlv_iter_init(&it, rec->data, rec->len);
	while (err == 0 && skr_tlv_next(&it, &tag, &val, &vlen) == 1) {
		for (i = 0; i < n && tab[i].tag != tag; i++)
			;
		if (i == n)
			continue;	/* a tag of a later minor version */
		switch (tab[i].kind) {
		case ATTR_STR:
			str = (char **)(void *)((char *)c->dst + tab[i].off);
			err = keep_str(str, val, vlen);
			break;
		case ATTR_UINT:
			err = attr_uint(c, &tab[i], val, vlen);
			break;
		default:
			err = tab[i].fn(c, val, vlen);
			break;
		}
	}
	return err;
}

static const struct attr host_attrs[] = {
	STR(SKR_HOST_HOSTNAME, sa_meta, hostname),
	STR(SKR_HOST_KRELEASE, sa_meta, krelease),
	STR(SKR_HOST_KVERSION, sa_meta, kversion),
	STR(SKR_HOST_MACHINE, sa_meta, machine),
	STR(SKR_HOST_BOOT_ID, sa_meta, boot_id),
	STR(SKR_HOST_OS, sa_meta, os),
	UINT_HAVE(SKR_HOST_NCPUS, sa_meta, ncpus, have_ncpus, true),
};

static int parse_host(struct sa_meta *m, const struct skr_record *rec)
{
	struct attr_ctx c = { .m = m, .dst = m };

	return parse_attrs(&c, host_attrs, ARRAY_SIZE(host_attrs), rec);
}

/* Append one argv element to the command line, quoted if it needs it. */
static int append_arg(char **line, const uint8_t *val, uint16_t vlen)
{
	size_t old = *line ? strlen(*line) : 0;
	size_t room;
	char *arg, *n;
	bool quote;
	int len, err = 0;

	arg = sa_text_dup(val, vlen);
	if (!arg)
		return -ENOMEM;
	quote = arg[0] == '\0' || strpbrk(arg, " \"'\\$`") != NULL;
	room = strlen(arg) + 4;		/* space, two quotes, NUL */
	n = realloc(*line, old + room);
	if (!n) {
		err = -ENOMEM;
		goto out;
	}
	*line = n;
	len = snprintf(n + old, room, "%s%s%s%s", old ? " " : "",
		       quote ? "'" : "", arg, quote ? "'" : "");
	if (len < 0 || (size_t)len >= room)
		err = -EOVERFLOW;
out:
	free(arg);
	return err;
}

/* The command line is the first RECORDER record's. */
static int recorder_arg(struct attr_ctx *c, const uint8_t *val, uint16_t vlen)
{
	return c->first ? append_arg(&c->m->rec_cmdline, val, vlen) : 0;
}

static const struct attr recorder_attrs[] = {
	STR(SKR_RECORDER_VERSION, sa_meta, rec_version),
	STR(SKR_RECORDER_COMMENT, sa_meta, rec_comment),
	FN(SKR_RECORDER_ARG, recorder_arg),
	UINT_HAVE(SKR_RECORDER_PID, sa_meta, rec_pid, have_rec_pid, true),
};

static int parse_recorder(struct sa_meta *m, const struct skr_record *rec)
{
	struct attr_ctx c = { .m = m, .dst = m, .first = !m->have_recorder };

	m->have_recorder = true;
	return parse_attrs(&c, recorder_attrs, ARRAY_SIZE(recorder_attrs), rec);
}

static int add_enum(struct attr_ctx *c, const uint8_t *val, uint16_t vlen)
{
	struct sa_meta *m = c->m;
	struct sa_enum_name *e;
	uint64_t v;

	if (vlen < 4 || m->nenums == SA_ENUM_MAX)
		return 0;
	if (skr_tlv_uint(val, 4, &v) != 0)
		return 0;
	e = &m->enums[m->nenums];
	e->name = sa_text_dup(val + 4, (size_t)vlen - 4);
	if (!e->name)
		return -ENOMEM;
	e->value = (uint32_t)v;
	m->nenums++;
	return 0;
}

static const struct attr probe_attrs[] = {
	STR(SKR_PROBE_NAME, sa_probe, name),
	STR(SKR_PROBE_REASON, sa_probe, reason),
	UINT_HAVE(SKR_PROBE_TIER, sa_probe, tier, has_tier, false),
	UINT(SKR_PROBE_ERROR, sa_probe, error),
	UINT(SKR_PROBE_EVENT, sa_probe, event),
	FN(SKR_PROBE_ENUM, add_enum),
	UINT(SKR_PROBE_LIMITS, sa_probe, limits),
};

static int parse_probe(struct sa_meta *m, const struct skr_record *rec)
{
	size_t first_enum = m->nenums;
	struct attr_ctx c = { .m = m };
	struct sa_probe *p;
	int err;

	if (m->nprobes == SA_PROBES_MAX) {
		m->probes_dropped++;
		return 0;
	}
	p = &m->probes[m->nprobes++];
	memset(p, 0, sizeof(*p));
	c.dst = p;
	err = parse_attrs(&c, probe_attrs, ARRAY_SIZE(probe_attrs), rec);
	/* The EVENT tag may follow the names it qualifies. */
	for (; first_enum < m->nenums; first_enum++)
		m->enums[first_enum].event = p->event;
	return err;
}

/* A FILTER record, as words for --info: "port 80 or 443; netns 1234". */
static int describe_filter(struct sa_meta *m, const struct skr_record *rec)
{
	static const char *const names[] = {
		[SKR_FILTER_PID] = "pid", [SKR_FILTER_COMM] = "comm",
		[SKR_FILTER_PORT] = "port", [SKR_FILTER_NETNS] = "netns",
		[SKR_FILTER_CGROUP] = "cgroup",
		[SKR_FILTER_CGROUP_ID] = "cgroup id",
		[SKR_FILTER_FAMILY] = "family",
	};
	struct skr_tlv_iter it;
	struct sa_buf b;
	const uint8_t *val;
	uint16_t tag, vlen, last = 0;
	char word[48], txt[64];
	uint64_t v;
	int n, err = 0;

	if (m->have_filter)
		return 0;
	m->have_filter = true;
	memset(&b, 0, sizeof(b));
	skr_tlv_iter_init(&it, rec->data, rec->len);
	while (skr_tlv_next(&it, &tag, &val, &vlen) == 1) {
		if (tag == 0 || tag >= sizeof(names) / sizeof(names[0]))
			continue;
		if (tag == SKR_FILTER_COMM || tag == SKR_FILTER_CGROUP) {
			sa_text_copy(txt, sizeof(txt), val, vlen);
		} else if (skr_tlv_uint(val, vlen, &v) != 0) {
			continue;
		} else if (tag == SKR_FILTER_FAMILY) {
			n = snprintf(txt, sizeof(txt), "%s",
				     sa_text_family((unsigned)v, word,
						    sizeof(word)));
			if (n < 0 || (size_t)n >= sizeof(txt))
				continue;
		} else {
			n = snprintf(txt, sizeof(txt), "%" PRIu64, v);
			if (n < 0 || (size_t)n >= sizeof(txt))
				continue;
		}
		if (tag == last) {
			sa_buf_append(&b, " or ");
		} else {
			if (last != 0)
				sa_buf_append(&b, "; ");
			sa_buf_append(&b, names[tag]);
			sa_buf_append(&b, " ");
		}
		sa_buf_append(&b, txt);
		last = tag;
	}
	if (b.failed)
		err = -ENOMEM;
	else
		m->filters = b.p;
	if (err)
		sa_buf_free(&b);
	return err;
}

static int account_snapshot(struct sa_meta *m, const union skr_rec_any *r)
{
	switch (r->snapshot.kind) {
	case SKR_SNAP_SOCKET:
		m->snap_sockets++;
		break;
	case SKR_SNAP_NETNS:
		if (r->snapshot.error != 0)
			m->snap_netns_failed++;
		break;
	case SKR_SNAP_END:
		m->snap_complete = true;
		break;
	default:
		break;
	}
	return 0;
}

static int account_stats(struct sa_meta *m, const union skr_rec_any *r)
{
	/* Cumulative within a capture: the latest is the total so far. */
	m->have_stats = true;
	m->stats_lost = r->stats.lost;
	m->stats_output_failed = r->stats.output_failed;
	m->stats_recursion = r->stats.recursion_misses;
	m->stats_malformed = r->stats.malformed;
	return 0;
}

static int account_benign(struct sa_meta *m, const union skr_rec_any *r)
{
	size_t k;

	/* Cumulative within a capture, like STATS. */
	m->have_benign = true;
	m->benign_kept = r->benign.flags & SKR_BENIGN_KEPT;
	for (k = 0; k < SKR_BENIGN_KINDS; k++)
		m->benign[k] = r->benign.not_recorded[k];
	return 0;
}

static void end_segment(struct sa_meta *m, uint64_t end_lost)
{
	m->perf_lost = sat_add(m->perf_lost,
			       m->seg_loss > end_lost ? m->seg_loss : end_lost);
	m->seg_loss = 0;
}

static int on_file_header(struct sa_meta *m, const union skr_rec_any *r)
{
	const struct skr_file_header *fh = &r->file_header;
	size_t k;

	if (!m->have_header) {
		m->header = *fh;
		m->have_header = true;
	} else {
		/* A segment that ended without END: close its count. */
		end_segment(m, 0);
		if (memcmp(fh->capture_id, m->last_capture,
			   sizeof(fh->capture_id)) != 0) {
			m->mixed_captures = true;
			/* STATS restart with a new capture. */
			m->stats_base_lost = sat_add(m->stats_base_lost,
						     m->stats_lost);
			m->stats_base_failed = sat_add(m->stats_base_failed,
						       m->stats_output_failed);
			m->stats_base_recursion = sat_add(
				m->stats_base_recursion, m->stats_recursion);
			m->stats_lost = m->stats_output_failed = 0;
			m->stats_recursion = 0;
			m->stats_base_malformed = sat_add(
				m->stats_base_malformed, m->stats_malformed);
			m->stats_malformed = 0;
			for (k = 0; k < SKR_BENIGN_KINDS; k++) {
				m->benign_base[k] = sat_add(m->benign_base[k],
							    m->benign[k]);
				m->benign[k] = 0;
			}
		}
	}
	memcpy(m->last_capture, fh->capture_id, sizeof(fh->capture_id));
	m->last_file_index = fh->file_index;
	return 0;
}

/* Every segment repeats the host; a different one is said, not read. */
static int on_host(struct sa_meta *m, const struct skr_record *rec)
{
	if (rec->segment == 0)
		return parse_host(m, rec);
	if (!same_boot(m, rec))
		m->mixed_hosts = true;
	return 0;
}

static int on_clock(struct sa_meta *m, const union skr_rec_any *r)
{
	sa_wallclock_add(&m->clock, &r->clock);
	return 0;
}

static int on_loss(struct sa_meta *m, const union skr_rec_any *r)
{
	m->loss_records++;
	m->seg_loss = sat_add(m->seg_loss, r->loss.count);
	return 0;
}

static int on_end(struct sa_meta *m, const union skr_rec_any *r)
{
	end_segment(m, r->end.lost);
	m->output_failed = sat_add(m->output_failed, r->end.output_failed);
	m->recursion_misses = sat_add(m->recursion_misses,
				      r->end.recursion_misses);
	return 0;
}

/*
 * What each metadata type adds, indexed by type: an attribute record is
 * read by attrs, a fixed one comes decoded by the format's catalogue to
 * fixed (one too short for its type adds nothing but its count).
 * first_segment: a description every rotated file repeats.
 */
static const struct meta_rule {
	bool first_segment;
	int (*attrs)(struct sa_meta *m, const struct skr_record *rec);
	int (*fixed)(struct sa_meta *m, const union skr_rec_any *r);
} meta_rules[] = {
	[SKR_REC_FILE_HEADER] = { false, NULL, on_file_header },
	[SKR_REC_HOST] = { false, on_host, NULL },
	[SKR_REC_RECORDER] = { true, parse_recorder, NULL },
	[SKR_REC_PROBE] = { true, parse_probe, NULL },
	[SKR_REC_FILTER] = { true, describe_filter, NULL },
	[SKR_REC_SNAPSHOT] = { true, NULL, account_snapshot },
	[SKR_REC_STATS] = { false, NULL, account_stats },
	[SKR_REC_BENIGN] = { false, NULL, account_benign },
	[SKR_REC_CLOCK] = { false, NULL, on_clock },
	[SKR_REC_LOSS] = { false, NULL, on_loss },
	[SKR_REC_END] = { false, NULL, on_end },
};

int sa_meta_record(struct sa_meta *m, const struct skr_record *rec)
{
	const struct skr_rec_desc *d = skr_rec_desc(rec->type);
	const struct meta_rule *rule;
	union skr_rec_any r;

	count_type(m, rec->type);
	/* What benign.c decided from them may change (sa_benign_state()). */
	if (rec->type == SKR_REC_HOST || rec->type == SKR_REC_PROBE ||
	    rec->type == SKR_REC_FILE_HEADER)
		m->tw_mode = 0;
	if (rec->type >= ARRAY_SIZE(meta_rules) || !d)
		return 0;
	rule = &meta_rules[rec->type];
	if (rule->first_segment && rec->segment != 0)
		return 0;
	if (d->tlv)
		return rule->attrs ? rule->attrs(m, rec) : 0;
	if (!rule->fixed || skr_rec_decode_any(rec, &r) != 0)
		return 0;
	return rule->fixed(m, &r);
}

void sa_meta_event(struct sa_meta *m, uint16_t type, uint64_t ts_ns)
{
	size_t i = m->last_type;

	/* count_type()'s first test, without the call for most events. */
	if (i < m->ntypes && m->types[i].type == type) {
		m->records++;
		m->types[i].n++;
	} else {
		count_type(m, type);
	}
	if (m->events == 0 || ts_ns < m->first_ts)
		m->first_ts = ts_ns;
	if (m->events == 0 || ts_ns > m->last_ts)
		m->last_ts = ts_ns;
	m->events++;
}

void sa_meta_finish(struct sa_meta *m)
{
	end_segment(m, 0);
}

static uint64_t max3(uint64_t a, uint64_t b, uint64_t c)
{
	uint64_t m = a > b ? a : b;

	return m > c ? m : c;
}

uint64_t sa_meta_lost(const struct sa_meta *m)
{
	/*
	 * STATS totals cover a file cut before its END; END and LOSS cover
	 * a file without STATS.  Each is a lower bound: take the largest.
	 */
	uint64_t perf = max3(m->perf_lost, m->output_failed,
			     sat_add(m->stats_base_lost, m->stats_lost));
	uint64_t failed = sat_add(m->stats_base_failed, m->stats_output_failed);
	uint64_t rec = sat_add(m->stats_base_recursion, m->stats_recursion);

	if (failed > perf)
		perf = failed;
	perf = sat_add(perf, sa_meta_malformed(m));
	return sat_add(perf, rec > m->recursion_misses ? rec
						       : m->recursion_misses);
}

/*
 * A sample the recorder took from the perf buffer and could not parse
 * (bad size, unknown type) is an event the trace does not hold; only
 * STATS counts them.
 */
uint64_t sa_meta_malformed(const struct sa_meta *m)
{
	return sat_add(m->stats_base_malformed, m->stats_malformed);
}

uint64_t sa_meta_count(const struct sa_meta *m, uint16_t type)
{
	size_t i;

	for (i = 0; i < m->ntypes; i++)
		if (m->types[i].type == type)
			return m->types[i].n;
	return 0;
}

enum sa_observe sa_meta_observe(const struct sa_meta *m, uint16_t type,
				const char **why)
{
	const struct sa_probe *missing = NULL;
	size_t i;

	for (i = 0; i < m->nprobes; i++) {
		const struct sa_probe *p = &m->probes[i];

		if (p->event != type)
			continue;
		if (p->has_tier && p->tier != SKR_TIER_NONE)
			return SA_OBSERVED;
		if (!missing)
			missing = p;
	}
	/* Records of the type prove it was observed, whatever was recorded. */
	if (sa_meta_count(m, type) > 0)
		return SA_OBSERVED;
	if (missing) {
		*why = missing->reason ? missing->reason
		       : missing->name ? missing->name : "probe not attached";
		return SA_NOT_ATTACHED;
	}
	*why = "no probe recorded for it";
	return SA_NO_PROBE;
}

bool sa_meta_limited(const struct sa_meta *m, const char *probe,
		     uint32_t bit)
{
	size_t i;

	for (i = 0; i < m->nprobes; i++) {
		const struct sa_probe *p = &m->probes[i];

		if (p->name && strcmp(p->name, probe) == 0 && p->has_tier &&
		    p->tier != SKR_TIER_NONE && (p->limits & bit))
			return true;
	}
	return false;
}

const char *sa_meta_enum(const struct sa_meta *m, uint16_t type,
			 uint32_t value)
{
	size_t i;

	for (i = 0; i < m->nenums; i++)
		if (m->enums[i].value == value && m->enums[i].event == type)
			return m->enums[i].name;
	return NULL;
}

void sa_meta_release(struct sa_meta *m)
{
	size_t i;

	free(m->tw);
	free(m->hostname);
	free(m->krelease);
	free(m->kversion);
	free(m->machine);
	free(m->boot_id);
	free(m->os);
	free(m->rec_version);
	free(m->rec_cmdline);
	free(m->rec_comment);
	for (i = 0; i < m->nprobes; i++) {
		free(m->probes[i].name);
		free(m->probes[i].reason);
	}
	for (i = 0; i < m->nenums; i++)
		free(m->enums[i].name);
	free(m->filters);
	sa_meta_init(m);
}
