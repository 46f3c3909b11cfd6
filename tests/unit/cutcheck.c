// SPDX-License-Identifier: BSD-2-Clause
/*
 * The cut checker of cutcheck.h.  The frame and block ends come from the
 * zstd layout itself (RFC 8878 §3.1), parsed here independently of the
 * reader, so that "every complete block is kept" is checked against the
 * file and not against what the reader believes.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/sockana.h"
#include "cutcheck.h"

#define ZSTD_MAGIC	0xfd2fb528u
#define SKIP_MAGIC	0x184d2a50u
#define SKIP_MASK	0xfffffff0u
#define MAX_ENDS	100000

struct got {
	uint8_t *recs;		/* every record's bytes, in order */
	size_t len, cap;
	uint64_t records, events;
	bool host;		/* a HOST record was read */
	int rc;
	struct skr_reader_status st;
	char host_name[64];
};

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static int say(char *why, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int say(char *why, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (vsnprintf(why, size, fmt, ap) < 0 && size > 0)
		why[0] = '\0';
	va_end(ap);
	return -1;
}

static size_t fhd_size(uint8_t fhd)
{
	static const size_t did[4] = { 0, 1, 2, 4 };
	static const size_t fcs[4] = { 0, 2, 4, 8 };
	bool single = fhd & 0x20;
	size_t n = 5 + (single ? 0 : 1) + did[fhd & 3] + fcs[fhd >> 6];

	if (single && (fhd >> 6) == 0)
		n += 1;
	return n;
}

/*
 * Offsets where a block (or a frame) ends; frame ends are marked in
 * is_frame.  A file that is itself cut (a copy of a live trace) ends its
 * list at its last complete block.  Returns the count, or -1 if the
 * layout does not parse.
 */
static long layout(const uint8_t *b, size_t len, size_t *ends, bool *is_frame)
{
	size_t off = 0;
	long n = 0;

	while (off < len) {
		uint32_t magic;

		if (len - off < 8)
			return n;
		magic = le32(b + off);
		if ((magic & SKIP_MASK) == SKIP_MAGIC) {
			off += 8 + (size_t)le32(b + off + 4);
		} else if (magic == ZSTD_MAGIC) {
			uint8_t fhd = b[off + 4];
			bool last = false;

			off += fhd_size(fhd);
			while (!last) {
				uint32_t bh;
				size_t size;

				if (off + 3 > len)
					return n;
				bh = (uint32_t)b[off] | (uint32_t)b[off + 1] << 8 |
				     (uint32_t)b[off + 2] << 16;
				last = bh & 1;
				size = ((bh >> 1) & 3) == 1 ? 1 : bh >> 3;
				off += 3 + size;
				if (last && (fhd & 0x04))
					off += 4;
				if (off > len)
					return n;
				if (n >= MAX_ENDS)
					return -1;
				ends[n] = off;
				is_frame[n++] = last;
			}
			continue;
		} else {
			return -1;
		}
		if (off > len)
			return n;
		if (n >= MAX_ENDS)
			return -1;
		ends[n] = off;
		is_frame[n++] = true;
	}
	return n;
}

static void got_free(struct got *g)
{
	free(g->recs);
	memset(g, 0, sizeof(*g));
}

static void read_prefix(const uint8_t *buf, size_t len, struct got *g)
{
	struct skr_reader *r;
	struct skr_record rec;

	memset(g, 0, sizeof(*g));
	if (skr_reader_open_mem(&r, buf, len)) {
		g->rc = -ENOMEM;
		return;
	}
	while ((g->rc = skr_reader_next(r, &rec)) == 1) {
		if (g->len + rec.len > g->cap) {
			size_t cap = g->cap ? 2 * g->cap : 65536;
			uint8_t *p;

			while (cap < g->len + rec.len)
				cap *= 2;
			p = realloc(g->recs, cap);
			if (!p) {
				g->rc = -ENOMEM;
				break;
			}
			g->recs = p;
			g->cap = cap;
		}
		memcpy(g->recs + g->len, rec.data, rec.len);
		g->len += rec.len;
		g->records++;
		if (rec.type >= 0x0100)
			g->events++;
		if (rec.type == SKR_REC_HOST && !g->host) {
			struct skr_tlv_iter it;
			const uint8_t *val;
			uint16_t tag, vlen;

			g->host = true;
			skr_tlv_iter_init(&it, rec.data, rec.len);
			while (skr_tlv_next(&it, &tag, &val, &vlen) == 1)
				if (tag == SKR_HOST_HOSTNAME &&
				    vlen < sizeof(g->host_name)) {
					memcpy(g->host_name, val, vlen);
					g->host_name[vlen] = '\0';
				}
		}
	}
	skr_reader_get_status(r, &g->st);
	skr_reader_free(r);
}

/*
 * sockana --info on a truncated prefix: 0 or -1 with why.  With its HOST
 * read it reports, naming the host; with only its FILE_HEADER it reports a
 * trace cut before the end of its header; with nothing it fails with one
 * line.
 */
static int analyze_prefix(const uint8_t *buf, size_t L, uint64_t records,
			  bool have_host, const char *host, char *why,
			  size_t whysize)
{
	struct sa_run_opts opts;
	struct skr_reader *r;
	char msg[512], want[96];
	char *text = NULL;
	size_t tlen = 0;
	FILE *out;
	int err, ret = 0;

	memset(&opts, 0, sizeof(opts));
	opts.report = SA_REPORT_INFO;
	opts.name = "cut.skr";
	msg[0] = '\0';
	if (skr_reader_open_mem(&r, buf, L))
		return say(why, whysize, "cut %zu: no reader", L);
	out = open_memstream(&text, &tlen);
	if (!out) {
		skr_reader_free(r);
		return say(why, whysize, "cut %zu: no memstream", L);
	}
	err = sa_run(r, &opts, out, msg, sizeof(msg));
	fclose(out);
	skr_reader_free(r);
	if (have_host) {
		snprintf(want, sizeof(want), "Host name:          %s\n", host);
		if (err)
			ret = say(why, whysize, "cut %zu (HOST read): sockana "
				  "fails: %s", L, msg);
		else if (!strstr(text, "File status:        truncated, "))
			ret = say(why, whysize, "cut %zu: --info does not say "
				  "truncated", L);
		else if (!strstr(text, "; kept "))
			ret = say(why, whysize, "cut %zu: --info does not say "
				  "what was kept", L);
		else if (!strstr(text, want))
			ret = say(why, whysize, "cut %zu: --info does not name "
				  "host %s", L, host);
	} else if (records > 0) {
		if (err)
			ret = say(why, whysize, "cut %zu (FILE_HEADER read): "
				  "sockana fails: %s", L, msg);
		else if (!strstr(text, "File status:        truncated, 1 segment; "
				 "cut before the end of its header (no host, "
				 "no probes); kept "))
			ret = say(why, whysize, "cut %zu: --info does not say "
				  "cut before the end of its header", L);
	} else if (L > 0) {
		if (!err)
			ret = say(why, whysize, "cut %zu (no HOST read): sockana "
				  "reports", L);
		else if (!strstr(msg, "truncated") || strchr(msg, '\n'))
			ret = say(why, whysize, "cut %zu: message does not say "
				  "truncated: %s", L, msg);
	}
	free(text);
	return ret;
}

int cut_check(const uint8_t *buf, size_t len, const struct cut_opts *o,
	      struct cut_report *rep, char *why, size_t whysize)
{
	size_t *ends = calloc(MAX_ENDS, sizeof(*ends));
	bool *is_frame = calloc(MAX_ENDS, sizeof(*is_frame));
	uint64_t *kept_at = calloc(MAX_ENDS, sizeof(*kept_at));
	size_t step = o->step ? o->step : 1, L, bi = 0;
	struct got whole = { 0 }, g = { 0 };
	uint64_t prev_records = 0, prev_events = 0;
	long nends, i;
	int ret = -1;

	memset(rep, 0, sizeof(*rep));
	if (!ends || !is_frame || !kept_at) {
		say(why, whysize, "out of memory");
		goto out;
	}
	nends = layout(buf, len, ends, is_frame);
	if (nends <= 0) {
		say(why, whysize, "the zstd layout does not parse");
		goto out;
	}
	/* A whole file may be truncated already (samples/killed). */
	read_prefix(buf, len, &whole);
	if (whole.rc != 0 || !whole.host) {
		say(why, whysize, "the whole file: rc %d, host %d", whole.rc,
		    whole.host);
		goto out;
	}
	rep->records = whole.records;
	rep->events = whole.events;
	snprintf(rep->host, sizeof(rep->host), "%s", whole.host_name);
	for (i = 0; i < nends; i++) {
		if (is_frame[i]) {
			rep->frames++;
			if (!rep->first_frame_end)
				rep->first_frame_end = ends[i];
		}
		read_prefix(buf, ends[i], &g);
		kept_at[i] = g.records;
		if (g.rc != 0) {
			say(why, whysize, "block end %zu: rc %d", ends[i], g.rc);
			goto out;
		}
		if (o->blocks_aligned && g.st.partial_dropped) {
			say(why, whysize, "block end %zu: %" PRIu64 " bytes of a "
			    "record cut: a record spans blocks", ends[i],
			    g.st.partial_dropped);
			goto out;
		}
		if (i > 0 && kept_at[i] - kept_at[i - 1] > rep->max_block_records)
			rep->max_block_records = kept_at[i] - kept_at[i - 1];
		got_free(&g);
	}
	rep->blocks = (size_t)nends - rep->frames;
	if (!rep->first_frame_end)
		rep->first_frame_end = len + 1;	/* no frame ends: no host promised */
	/* The file header, a block of its own, before the rest of its frame. */
	if (o->blocks_aligned && (nends < 2 || is_frame[0] || kept_at[0] != 1)) {
		say(why, whysize, "the file header is not a block of its own");
		goto out;
	}

	for (L = 0; L <= len; L = L < len && L + step > len ? len : L + step) {
		uint64_t floor = 0, ceil = whole.records;

		while (bi < (size_t)nends && ends[bi] <= L)
			bi++;
		if (bi > 0)
			floor = kept_at[bi - 1];
		if (bi < (size_t)nends)
			ceil = kept_at[bi];
		read_prefix(buf, L, &g);
		rep->cuts++;
		if (g.rc != 0) {
			say(why, whysize, "cut %zu: rc %d", L, g.rc);
			goto out;
		}
		if (g.len > whole.len ||
		    (g.len > 0 && memcmp(g.recs, whole.recs, g.len) != 0)) {
			say(why, whysize, "cut %zu: records are not a prefix of "
			    "the whole file's", L);
			goto out;
		}
		if (g.records < floor || g.records > ceil) {
			say(why, whysize, "cut %zu: %" PRIu64 " records kept, "
			    "the complete blocks before it hold %" PRIu64
			    " (at most %" PRIu64 ")", L, g.records, floor, ceil);
			goto out;
		}
		if (g.records < prev_records || g.events < prev_events) {
			say(why, whysize, "cut %zu: %" PRIu64 " records after %"
			    PRIu64 " at a shorter cut", L, g.records,
			    prev_records);
			goto out;
		}
		prev_records = g.records;
		prev_events = g.events;
		if (g.st.truncated != (L < len || whole.st.truncated)) {
			say(why, whysize, "cut %zu: truncated %d", L,
			    g.st.truncated);
			goto out;
		}
		if (L >= rep->first_frame_end && !g.host) {
			say(why, whysize, "cut %zu: no HOST after the header "
			    "frame", L);
			goto out;
		}
		if (g.st.partial_records)
			rep->partial_cuts++;
		if (g.st.truncated && o->analyze &&
		    analyze_prefix(buf, L, g.records, g.host, whole.host_name,
				   why, whysize))
			goto out;
		got_free(&g);
	}
	ret = 0;
out:
	got_free(&g);
	got_free(&whole);
	free(kept_at);
	free(is_frame);
	free(ends);
	return ret;
}
