/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What a trace says about itself: file header, host, recorder, probes,
 * clock samples, losses and record counts.  Descriptions are taken from
 * the first segment only, because every rotated file repeats them; a
 * record repeated within a segment does not replace the first one.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/meta.h"
#include "analyze/out.h"
#include "analyze/text.h"
#include "analyze/wallclock.h"
#include "format/skr.h"

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
	for (i = 0; i < m->ntypes && m->types[i].type < type; i++)
		;
	if (i < m->ntypes && m->types[i].type == type) {
		m->types[i].n++;
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

static int parse_host(struct sa_meta *m, const struct skr_record *rec)
{
	struct skr_tlv_iter it;
	const uint8_t *val;
	uint16_t tag, vlen;
	uint64_t v;
	int err = 0;

	skr_tlv_iter_init(&it, rec->data, rec->len);
	while (err == 0 && skr_tlv_next(&it, &tag, &val, &vlen) == 1) {
		switch (tag) {
		case SKR_HOST_HOSTNAME:
			err = keep_str(&m->hostname, val, vlen);
			break;
		case SKR_HOST_KRELEASE:
			err = keep_str(&m->krelease, val, vlen);
			break;
		case SKR_HOST_KVERSION:
			err = keep_str(&m->kversion, val, vlen);
			break;
		case SKR_HOST_MACHINE:
			err = keep_str(&m->machine, val, vlen);
			break;
		case SKR_HOST_BOOT_ID:
			err = keep_str(&m->boot_id, val, vlen);
			break;
		case SKR_HOST_OS:
			err = keep_str(&m->os, val, vlen);
			break;
		case SKR_HOST_NCPUS:
			if (!m->have_ncpus && skr_tlv_uint(val, vlen, &v) == 0 &&
			    v <= UINT32_MAX) {
				m->ncpus = (uint32_t)v;
				m->have_ncpus = true;
			}
			break;
		default:
			break;
		}
	}
	return err;
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

static int parse_recorder(struct sa_meta *m, const struct skr_record *rec)
{
	struct skr_tlv_iter it;
	const uint8_t *val;
	uint16_t tag, vlen;
	bool first = !m->have_recorder;
	uint64_t v;
	int err = 0;

	m->have_recorder = true;
	skr_tlv_iter_init(&it, rec->data, rec->len);
	while (err == 0 && skr_tlv_next(&it, &tag, &val, &vlen) == 1) {
		switch (tag) {
		case SKR_RECORDER_VERSION:
			err = keep_str(&m->rec_version, val, vlen);
			break;
		case SKR_RECORDER_COMMENT:
			err = keep_str(&m->rec_comment, val, vlen);
			break;
		case SKR_RECORDER_ARG:
			if (first)
				err = append_arg(&m->rec_cmdline, val, vlen);
			break;
		case SKR_RECORDER_PID:
			if (!m->have_rec_pid && skr_tlv_uint(val, vlen, &v) == 0 &&
			    v <= UINT32_MAX) {
				m->rec_pid = (uint32_t)v;
				m->have_rec_pid = true;
			}
			break;
		default:
			break;
		}
	}
	return err;
}

static int add_enum(struct sa_meta *m, const uint8_t *val, uint16_t vlen)
{
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

static int parse_probe(struct sa_meta *m, const struct skr_record *rec)
{
	size_t first_enum = m->nenums;
	struct sa_probe *p;
	struct skr_tlv_iter it;
	const uint8_t *val;
	uint16_t tag, vlen;
	uint64_t v;
	int err = 0;

	if (m->nprobes == SA_PROBES_MAX) {
		m->probes_dropped++;
		return 0;
	}
	p = &m->probes[m->nprobes++];
	memset(p, 0, sizeof(*p));
	skr_tlv_iter_init(&it, rec->data, rec->len);
	while (err == 0 && skr_tlv_next(&it, &tag, &val, &vlen) == 1) {
		switch (tag) {
		case SKR_PROBE_NAME:
			err = keep_str(&p->name, val, vlen);
			break;
		case SKR_PROBE_REASON:
			err = keep_str(&p->reason, val, vlen);
			break;
		case SKR_PROBE_TIER:
			if (skr_tlv_uint(val, vlen, &v) == 0 && v <= UINT8_MAX) {
				p->tier = (uint8_t)v;
				p->has_tier = true;
			}
			break;
		case SKR_PROBE_ERROR:
			if (skr_tlv_uint(val, vlen, &v) == 0 && v <= UINT32_MAX)
				p->error = (uint32_t)v;
			break;
		case SKR_PROBE_EVENT:
			if (skr_tlv_uint(val, vlen, &v) == 0 && v <= UINT16_MAX)
				p->event = (uint16_t)v;
			break;
		case SKR_PROBE_ENUM:
			err = add_enum(m, val, vlen);
			break;
		case SKR_PROBE_LIMITS:
			if (skr_tlv_uint(val, vlen, &v) == 0 && v <= UINT32_MAX)
				p->limits = (uint32_t)v;
			break;
		default:
			break;
		}
	}
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

static void account_snapshot(struct sa_meta *m, const struct skr_record *rec)
{
	struct skr_snapshot sn;

	if (rec->segment != 0 || skr_decode_snapshot(rec, &sn) != 0)
		return;
	switch (sn.kind) {
	case SKR_SNAP_SOCKET:
		m->snap_sockets++;
		break;
	case SKR_SNAP_NETNS:
		if (sn.error != 0)
			m->snap_netns_failed++;
		break;
	case SKR_SNAP_END:
		m->snap_complete = true;
		break;
	default:
		break;
	}
}

static void account_stats(struct sa_meta *m, const struct skr_record *rec)
{
	struct skr_stats st;

	if (skr_decode_stats(rec, &st) != 0)
		return;
	/* Cumulative within a capture: the latest is the total so far. */
	m->have_stats = true;
	m->stats_lost = st.lost;
	m->stats_output_failed = st.output_failed;
	m->stats_recursion = st.recursion_misses;
}

static void end_segment(struct sa_meta *m, uint64_t end_lost)
{
	m->perf_lost = sat_add(m->perf_lost,
			       m->seg_loss > end_lost ? m->seg_loss : end_lost);
	m->seg_loss = 0;
}

int sa_meta_record(struct sa_meta *m, const struct skr_record *rec)
{
	struct skr_file_header fh;
	struct skr_clock ck;
	struct skr_loss ls;
	struct skr_end end;

	count_type(m, rec->type);
	switch (rec->type) {
	case SKR_REC_FILE_HEADER:
		if (skr_decode_file_header(rec, &fh) != 0)
			return 0;
		if (!m->have_header) {
			m->header = fh;
			m->have_header = true;
		} else {
			/* A segment that ended without END: close its count. */
			end_segment(m, 0);
			if (memcmp(fh.capture_id, m->last_capture,
				   sizeof(fh.capture_id)) != 0) {
				m->mixed_captures = true;
				/* STATS restart with a new capture. */
				m->stats_base_lost = sat_add(m->stats_base_lost,
							     m->stats_lost);
				m->stats_base_failed = sat_add(
					m->stats_base_failed,
					m->stats_output_failed);
				m->stats_base_recursion = sat_add(
					m->stats_base_recursion,
					m->stats_recursion);
				m->stats_lost = m->stats_output_failed = 0;
				m->stats_recursion = 0;
			}
		}
		memcpy(m->last_capture, fh.capture_id, sizeof(fh.capture_id));
		m->last_file_index = fh.file_index;
		return 0;
	case SKR_REC_HOST:
		if (rec->segment == 0)
			return parse_host(m, rec);
		if (!same_boot(m, rec))
			m->mixed_hosts = true;
		return 0;
	case SKR_REC_RECORDER:
		return rec->segment == 0 ? parse_recorder(m, rec) : 0;
	case SKR_REC_PROBE:
		return rec->segment == 0 ? parse_probe(m, rec) : 0;
	case SKR_REC_FILTER:
		return rec->segment == 0 ? describe_filter(m, rec) : 0;
	case SKR_REC_SNAPSHOT:
		account_snapshot(m, rec);
		return 0;
	case SKR_REC_STATS:
		account_stats(m, rec);
		return 0;
	case SKR_REC_CLOCK:
		if (skr_decode_clock(rec, &ck) == 0)
			sa_wallclock_add(&m->clock, &ck);
		return 0;
	case SKR_REC_LOSS:
		if (skr_decode_loss(rec, &ls) == 0) {
			m->loss_records++;
			m->seg_loss = sat_add(m->seg_loss, ls.count);
		}
		return 0;
	case SKR_REC_END:
		if (skr_decode_end(rec, &end) == 0) {
			end_segment(m, end.lost);
			m->output_failed = sat_add(m->output_failed,
						   end.output_failed);
			m->recursion_misses = sat_add(m->recursion_misses,
						      end.recursion_misses);
		}
		return 0;
	default:
		return 0;
	}
}

void sa_meta_event(struct sa_meta *m, uint16_t type, uint64_t ts_ns)
{
	count_type(m, type);
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
	return sat_add(perf, rec > m->recursion_misses ? rec
						       : m->recursion_misses);
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
