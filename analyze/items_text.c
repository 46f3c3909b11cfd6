/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What a kept event says, in words, made when a view writes it rather
 * than when the event is read: most events kept are never written (a
 * filter, a time range, a report other than --timeline), and a view may
 * want the numbers rather than the words.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "analyze/benign.h"
#include "analyze/items.h"
#include "analyze/life.h"
#include "analyze/meta.h"
#include "analyze/text.h"

/*
 * Name of the errno behind a syscall's return value ret (0 or -errno), or
 * "error".  The value comes from the file: INT32_MIN has no positive
 * counterpart, and negating it would be undefined, so only values in
 * [-INT32_MAX, -1] are negated.
 */
static const char *ret_errno_name(int32_t ret)
{
	const char *name = NULL;

	if (ret < 0 && ret != INT32_MIN)
		name = skr_errno_name(-ret);
	return name ? name : "error";
}

static const char *say(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A text that did not fit is cut, which vsnprintf already did. */
static const char *say(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	if (n < 0)
		buf[0] = '\0';
	return buf;
}

/* Name of a reason code from the input's probe, or "reason N". */
static const char *reason(const struct sa_analysis *a, const struct sa_item *it,
			  char *buf, size_t size)
{
	const char *why = NULL;

	if (it->input < a->nin)
		why = sa_meta_enum(&a->in[it->input].meta, it->type,
				   it->u.n.w[0]);
	return why ? why : say(buf, size, "reason %" PRIu32, it->u.n.w[0]);
}

const char *sa_item_detail(const struct sa_analysis *a,
			   const struct sa_item *it, char *buf, size_t size)
{
	const uint32_t *w = it->u.n.w;
	const uint64_t *v = it->u.n.v;
	char st[24], x[SA_ENDPOINT_LEN];
	const char *why;

	if (size == 0)
		return buf;
	switch (it->kind) {
	case SA_IK_SNAP_LISTEN:
		return say(buf, size, "existed at start: LISTEN, accept queue %"
			   PRIu32 " of %" PRIu32 ", uid %" PRIu32, w[0], w[1],
			   w[2]);
	case SA_IK_SNAP:
		return say(buf, size, "existed at start: %s, uid %" PRIu32,
			   skr_tcp_state_name(it->evstate, st, sizeof(st)),
			   w[2]);
	case SA_IK_LISTEN:
		return say(buf, size, "listen(fd %" PRId32 ", backlog %" PRId32
			   "): limit %" PRIu32 "%s", (int32_t)w[0],
			   (int32_t)w[1], w[2],
			   (int32_t)w[1] > 0 && w[1] > w[2]
			   ? " (clamped by net.core.somaxconn)" : "");
	case SA_IK_LISTEN_FAIL:
		return say(buf, size, "listen(fd %" PRId32 ", backlog %" PRId32
			   ") failed: %s", (int32_t)w[0], (int32_t)w[1],
			   ret_errno_name((int32_t)w[2]));
	case SA_IK_ACCEPTED:
		return say(buf, size, "accepted from listener #%" PRIu64, v[0]);
	case SA_IK_ACCEPTED_WAIT:
		return say(buf, size, "accepted from listener #%" PRIu64
			   " after %s s in the accept queue", v[0],
			   sa_text_secs(v[1], x, sizeof(x)));
	case SA_IK_ACCEPT:
		return say(buf, size, "accept: #%" PRIu64 " (queue %" PRIu32
			   " of %" PRIu32 ")", v[0], w[0], w[1]);
	case SA_IK_ACCEPT_UNTRACKED:
		return say(buf, size, "accept: a socket not tracked, the table "
			   "being full (queue %" PRIu32 " of %" PRIu32 ")",
			   w[0], w[1]);
	case SA_IK_ACCEPT_FAIL:
		return say(buf, size, "accept failed: %s (queue %" PRIu32
			   " of %" PRIu32 ")", ret_errno_name((int32_t)w[2]),
			   w[0], w[1]);
	case SA_IK_RESET_IN:
		return say(buf, size, "reset received in %s",
			   skr_tcp_state_name(it->evstate, st, sizeof(st)));
	case SA_IK_RESET_OUT:
		why = w[0] == SKR_REASON_NONE ? NULL
		      : reason(a, it, x, sizeof(x));
		return say(buf, size, "reset sent in %s%s%s",
			   skr_tcp_state_name(it->evstate, st, sizeof(st)),
			   why ? ": " : "", why ? why : "");
	case SA_IK_ERROR:
		why = skr_errno_name((int32_t)w[0]);
		if (why)
			return say(buf, size, "error %s in %s", why,
				   skr_tcp_state_name(it->evstate, st,
						      sizeof(st)));
		return say(buf, size, "error %" PRId32 " in %s", (int32_t)w[0],
			   skr_tcp_state_name(it->evstate, st, sizeof(st)));
	case SA_IK_SYNACK:
		return say(buf, size, "SYN-ACK retransmit #%" PRIu32 " to %s",
			   it->u.peer.count,
			   sa_text_endpoint(it->u.peer.family, it->u.peer.addr,
					    it->u.peer.port, x, sizeof(x)));
	case SA_IK_RETRANS:
		return say(buf, size, "retransmit in %s (total %" PRIu32 ")",
			   skr_tcp_state_name(it->evstate, st, sizeof(st)),
			   w[0]);
	case SA_IK_DESTROY:
		return say(buf, size, "destroy: %" PRIu64 " bytes acked, %"
			   PRIu64 " received, %" PRIu32 " segments out, %"
			   PRIu32 " in, %" PRIu32 " retransmitted, srtt %s s",
			   v[0], v[1], w[0], w[1], w[2],
			   sa_text_secs((uint64_t)w[3] * 1000, x, sizeof(x)));
	case SA_IK_DESTROY_RESET:
		return say(buf, size, "destroy: counters already reset by the "
			   "kernel, none recorded at CLOSE");
	case SA_IK_DROP:
		if (w[1] != SKR_BENIGN_NONE)
			return say(buf, size, "benign, not a drop: %s (%s)",
				   sa_benign_text((uint8_t)w[1]),
				   reason(a, it, x, sizeof(x)));
		return say(buf, size, "packet dropped: %s",
			   reason(a, it, x, sizeof(x)));
	default:
		buf[0] = '\0';
		return buf;
	}
}
