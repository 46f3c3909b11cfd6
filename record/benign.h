/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Benign packet frees (record/benign.c): the kfree_skb program counts them
 * instead of recording them, unless --keep-benign-drops; the trace says how
 * many in BENIGN records (docs/EVENTS.md, "Benign frees").
 */
#ifndef SOCKREC_BENIGN_H
#define SOCKREC_BENIGN_H

#include <stdbool.h>

struct rec_session;
struct sockrec_bpf;

/* Before load: whether the program records benign frees (marked) too. */
void rec_benign_setup(struct sockrec_bpf *skel, bool keep);
/*
 * One BENIGN record: the frees counted so far in the capture (read from the
 * program while it is loaded, the last figures after).  0 or -errno of the
 * write; a failed read is said once on stderr and keeps the last figures.
 */
int rec_benign_write(struct rec_session *s);

#endif /* SOCKREC_BENIGN_H */
