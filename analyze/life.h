/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * life.c: what a finished life means (outcome, durations, names).
 */
#ifndef SA_LIFE_H
#define SA_LIFE_H

#include <stdbool.h>
#include <stdint.h>

#include "analyze/sockets.h"

enum sa_outcome {
	SA_OUT_LISTENER,		/* a listening socket */
	SA_OUT_CONNECTED,		/* connect established */
	SA_OUT_REFUSED,			/* connect refused (RST or ECONNREFUSED) */
	SA_OUT_CONNECT_TIMEOUT,		/* connect timed out */
	SA_OUT_CONNECT_ERROR,		/* connect failed with another error */
	SA_OUT_CONNECT_ABORTED,		/* closed by its process while connecting */
	SA_OUT_CONNECT_FAILED,		/* connect failed, reason not seen */
	SA_OUT_CONNECTING,		/* still in SYN_SENT at the end */
	SA_OUT_ACCEPTED,		/* passive handshake completed */
	SA_OUT_HANDSHAKE_FAILED,	/* SYN_RECV -> CLOSE */
	SA_OUT_OTHER,			/* older than the trace, or unclear */
	SA_OUT_COUNT
};

const char *sa_outcome_name(enum sa_outcome o);
enum sa_outcome sa_life_outcome(const struct sa_sock *s);
/* How the connection ended: "reset", "timed out", "closed", "open" ... */
bool sa_life_reset(const struct sa_sock *s);
bool sa_life_time(const struct sa_sock *s, enum sa_mark from,
		  enum sa_mark to, uint64_t *ns);
/* Linux errno name ("ECONNREFUSED") or NULL. */
const char *sa_errno_name(int32_t err);
const char *sa_role_name(unsigned role);

#endif /* SA_LIFE_H */
