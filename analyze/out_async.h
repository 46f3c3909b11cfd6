/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * out_async.c: a report's rows written on a thread of their own.
 *
 * The main thread replays the trace and keeps the socket table; writing
 * --timeline --json's rows from what it hands on took a third of its time
 * (docs/PERFORMANCE.md, branch json30).  Here the main thread copies what
 * a row needs into a job, and one worker thread runs the jobs in the order
 * they were given, each with the report's own function.  Jobs gather in a
 * few blocks of fixed size, so memory does not grow with the trace, and
 * the main thread waits only when every block is full.
 */
#ifndef SA_OUT_ASYNC_H
#define SA_OUT_ASYNC_H

#include <stddef.h>

/* The largest job sa_async_reserve() takes. */
#define SA_ASYNC_JOB_MAX	((size_t)64 << 10)

struct sa_async;

/*
 * run(ctx, job, len) is called on the worker for each job, in order; ctx
 * and what run writes to belong to the worker until sa_async_drain() or
 * sa_async_free() returns.  0, -ENOMEM, or the error of pthread_create
 * (negated).
 */
int sa_async_new(struct sa_async **q,
		 void (*run)(void *ctx, const void *job, size_t len),
		 void *ctx);
/*
 * Room for a job of len bytes (at most SA_ASYNC_JOB_MAX), aligned for any
 * struct; it is given to the worker by sa_async_commit() with the same
 * len.  Waits while every block is queued.  NULL when len is too large.
 */
void *sa_async_reserve(struct sa_async *q, size_t len);
void sa_async_commit(struct sa_async *q, size_t len);
/*
 * Every job committed has run, and the worker waits for more: the caller
 * may use what run() writes to until it commits another job.
 */
void sa_async_drain(struct sa_async *q);
/* Drain, stop the worker and free; NULL is a no-op. */
void sa_async_free(struct sa_async *q);

#endif /* SA_OUT_ASYNC_H */
