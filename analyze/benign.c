/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Benign packet frees, told from drops (analyze/benign.h).  The recorder
 * classifies with what only the kernel sees (the packet's length); a trace
 * recorded before it did still carries the reason and the socket's state,
 * enough for the commonest kind.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "analyze/benign.h"
#include "analyze/analysis.h"
#include "analyze/meta.h"
#include "analyze/out.h"

uint8_t sa_benign_kind(const struct sa_meta *m,
		       const struct skr_ev_skb_drop *ev)
{
	const char *why;

	if (ev->benign > SKR_BENIGN_NONE && ev->benign < SKR_BENIGN_KINDS)
		return ev->benign;
	/*
	 * tcp_v4_rcv/tcp_v6_rcv free every segment a TIME_WAIT socket handled
	 * as NOT_SPECIFIED; what that path refuses has a reason of its own.
	 */
	if (ev->c.cookie == 0 || ev->state != SKR_TCP_TIME_WAIT)
		return SKR_BENIGN_NONE;
	why = sa_meta_enum(m, SKR_REC_SKB_DROP, ev->reason);
	return why && strcmp(why, "NOT_SPECIFIED") == 0 ? SKR_BENIGN_TIME_WAIT
							: SKR_BENIGN_NONE;
}

const char *sa_benign_text(uint8_t kind)
{
	switch (kind) {
	case SKR_BENIGN_TIME_WAIT:
		return "segment handled by the TIME_WAIT socket, then freed";
	case SKR_BENIGN_FIN_PURGE:
		return "peer's FIN freed with its closed socket";
	default:
		return "";
	}
}

uint64_t sa_benign_not_recorded(const struct sa_meta *m, uint8_t kind)
{
	uint64_t n;

	if (kind >= SKR_BENIGN_KINDS)
		return 0;
	n = m->benign_base[kind] + m->benign[kind];
	return n < m->benign_base[kind] ? UINT64_MAX : n;
}

uint64_t sa_benign_recorded(const struct sa_meta *m, uint8_t kind)
{
	return kind < SKR_BENIGN_KINDS ? m->benign_recorded[kind] : 0;
}

const char *sa_benign_summary(const struct sa_meta *m, char *buf,
			      size_t size)
{
	uint64_t tw = sa_benign_not_recorded(m, SKR_BENIGN_TIME_WAIT);
	uint64_t fin = sa_benign_not_recorded(m, SKR_BENIGN_FIN_PURGE);
	uint64_t kept = sa_benign_recorded(m, SKR_BENIGN_TIME_WAIT) +
			sa_benign_recorded(m, SKR_BENIGN_FIN_PURGE);
	int n;

	if (!m->have_benign && kept == 0) {
		buf[0] = '\0';
		return buf;
	}
	if (!m->have_benign)
		n = snprintf(buf, size, "%" PRIu64 " recorded", kept);
	else if (m->benign_kept)
		n = snprintf(buf, size, "%" PRIu64 " recorded "
			     "(--keep-benign-drops)", kept);
	else
		n = snprintf(buf, size, "%" PRIu64 " not recorded (TIME_WAIT "
			     "%" PRIu64 ", FIN with closed socket %" PRIu64 ")",
			     tw + fin, tw, fin);
	if (n < 0 || (size_t)n >= size)
		buf[0] = '\0';
	return buf;
}

void sa_benign_health(struct sa_analysis *a)
{
	char line[200];
	size_t i;

	for (i = 0; i < a->nin; i++) {
		const struct sa_meta *m = &a->in[i].meta;

		if (!*sa_benign_summary(m, line, sizeof(line)))
			continue;
		if (a->opts->format == SA_FORMAT_TEXT) {
			fprintf(a->out, "  benign packet frees, not drops%s%s: "
				"%s\n", a->nin > 1 ? ", " : "",
				a->nin > 1 ? a->in[i].name : "", line);
			continue;
		}
		sa_row_begin(&a->o, "benign_frees");
		sa_row_str(&a->o, "input", a->in[i].name);
		if (m->have_benign && !m->benign_kept) {
			sa_row_u64(&a->o, "not_recorded_time_wait",
				   sa_benign_not_recorded(m,
					SKR_BENIGN_TIME_WAIT));
			sa_row_u64(&a->o, "not_recorded_fin_purge",
				   sa_benign_not_recorded(m,
					SKR_BENIGN_FIN_PURGE));
		} else {
			sa_row_null(&a->o, "not_recorded_time_wait");
			sa_row_null(&a->o, "not_recorded_fin_purge");
		}
		sa_row_u64(&a->o, "recorded_time_wait",
			   sa_benign_recorded(m, SKR_BENIGN_TIME_WAIT));
		sa_row_u64(&a->o, "recorded_fin_purge",
			   sa_benign_recorded(m, SKR_BENIGN_FIN_PURGE));
		sa_row_end(&a->o);
	}
}
