/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Jobs handed from the main thread to one worker thread (out_async.h).
 *
 * NBLOCKS blocks are used in turn: the main thread fills one while the
 * worker runs the queued ones, oldest first.  A block changes hands only
 * under the mutex, so whatever the main thread wrote into it, and whatever
 * the worker wrote while running it, is seen by the other side afterwards.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/out_async.h"

#define BLOCK_BYTES	((size_t)256 << 10)
#define NBLOCKS		4

_Static_assert(SA_ASYNC_JOB_MAX + 16 <= BLOCK_BYTES,
	       "a job of the largest size fits an empty block");

/* Each job is led by its length, and starts on a 16-byte boundary. */
struct job_head {
	size_t len;
	size_t pad;
};

struct block {
	unsigned char *p;
	size_t used;
};

struct sa_async {
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t work;	/* to the worker: a block queued, or quit */
	pthread_cond_t done;	/* to the main thread: a block run */
	void (*run)(void *ctx, const void *job, size_t len);
	void *ctx;
	struct block blk[NBLOCKS];
	size_t head, count;	/* queued: blk[head], ... count of them */
	size_t fill;		/* the block the main thread fills */
	bool quit;
};

static size_t job_size(size_t len)
{
	return sizeof(struct job_head) + ((len + 15) & ~(size_t)15);
}

static void run_block(struct sa_async *q, const struct block *b)
{
	size_t off = 0;

	while (off < b->used) {
		const struct job_head *h = (const void *)(b->p + off);

		q->run(q->ctx, h + 1, h->len);
		off += job_size(h->len);
	}
}

static void *worker(void *arg)
{
	struct sa_async *q = arg;
	struct block *b;

	pthread_mutex_lock(&q->mu);
	for (;;) {
		while (q->count == 0 && !q->quit)
			pthread_cond_wait(&q->work, &q->mu);
		if (q->count == 0)
			break;
		b = &q->blk[q->head];
		pthread_mutex_unlock(&q->mu);
		run_block(q, b);
		pthread_mutex_lock(&q->mu);
		b->used = 0;
		q->head = (q->head + 1) % NBLOCKS;
		q->count--;
		pthread_cond_signal(&q->done);
	}
	pthread_mutex_unlock(&q->mu);
	return NULL;
}

int sa_async_new(struct sa_async **qp,
		 void (*run)(void *ctx, const void *job, size_t len),
		 void *ctx)
{
	struct sa_async *q = calloc(1, sizeof(*q));
	int err = -ENOMEM, i;

	*qp = NULL;
	if (!q)
		return -ENOMEM;
	q->run = run;
	q->ctx = ctx;
	for (i = 0; i < NBLOCKS; i++) {
		/* 16-byte aligned, for the jobs' structs. */
		q->blk[i].p = aligned_alloc(16, BLOCK_BYTES);
		if (!q->blk[i].p)
			goto fail;
	}
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->work, NULL);
	pthread_cond_init(&q->done, NULL);
	err = pthread_create(&q->th, NULL, worker, q);
	if (err) {
		err = -err;
		pthread_cond_destroy(&q->done);
		pthread_cond_destroy(&q->work);
		pthread_mutex_destroy(&q->mu);
		goto fail;
	}
	*qp = q;
	return 0;
fail:
	for (i = 0; i < NBLOCKS; i++)
		free(q->blk[i].p);
	free(q);
	return err;
}

/* The block being filled goes to the worker; wait for one to fill. */
static void submit(struct sa_async *q)
{
	if (q->blk[q->fill].used == 0)
		return;
	pthread_mutex_lock(&q->mu);
	q->count++;
	pthread_cond_signal(&q->work);
	while (q->count == NBLOCKS)
		pthread_cond_wait(&q->done, &q->mu);
	q->fill = (q->head + q->count) % NBLOCKS;
	pthread_mutex_unlock(&q->mu);
}

void *sa_async_reserve(struct sa_async *q, size_t len)
{
	struct block *b = &q->blk[q->fill];
	struct job_head *h;

	if (len > SA_ASYNC_JOB_MAX)
		return NULL;
	if (b->used + job_size(len) > BLOCK_BYTES) {
		submit(q);
		b = &q->blk[q->fill];
	}
	h = (struct job_head *)(b->p + b->used);
	h->len = len;
	return h + 1;
}

void sa_async_commit(struct sa_async *q, size_t len)
{
	q->blk[q->fill].used += job_size(len);
}

void sa_async_drain(struct sa_async *q)
{
	submit(q);
	pthread_mutex_lock(&q->mu);
	while (q->count > 0)
		pthread_cond_wait(&q->done, &q->mu);
	pthread_mutex_unlock(&q->mu);
}

void sa_async_free(struct sa_async *q)
{
	int i;

	if (!q)
		return;
	sa_async_drain(q);
	pthread_mutex_lock(&q->mu);
	q->quit = true;
	pthread_cond_signal(&q->work);
	pthread_mutex_unlock(&q->mu);
	pthread_join(q->th, NULL);
	pthread_cond_destroy(&q->done);
	pthread_cond_destroy(&q->work);
	pthread_mutex_destroy(&q->mu);
	for (i = 0; i < NBLOCKS; i++)
		free(q->blk[i].p);
	free(q);
}
