/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * out.c: JSON Lines and CSV rows, written the same way by every report.
 */
#ifndef SA_OUT_H
#define SA_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum sa_format {
	SA_FORMAT_TEXT,
	SA_FORMAT_JSON,
	SA_FORMAT_CSV,
};

struct sa_buf {
	char *p;
	size_t len, cap;
	bool failed;
};

void sa_buf_free(struct sa_buf *b);
/* Append a string; on ENOMEM set b->failed and drop it. */
void sa_buf_append(struct sa_buf *b, const char *s);
/* Append src (n bytes, any content) as a JSON string literal. */
void sa_json_escape(struct sa_buf *b, const void *src, size_t n);

struct sa_out {
	FILE *f;
	enum sa_format fmt;
	const char *csv_kind;	/* the one row kind CSV writes */
	bool csv_header_done;
	bool in_row, emit;
	bool failed;		/* a row was dropped for lack of memory */
	int nfields;
	struct sa_buf names, vals;
	bool batch;		/* whole rows gather in vals (analyze/out_rows.h) */
	size_t pending;		/* their bytes, before the row being written */
};

void sa_out_init(struct sa_out *o, FILE *f, enum sa_format fmt,
		 const char *csv_kind);
void sa_out_release(struct sa_out *o);
/*
 * One row: begin, fields in a fixed order, end.  In text format rows are
 * not written (reports print text themselves).  NULL strings are JSON null
 * and empty CSV fields.
 */
void sa_row_begin(struct sa_out *o, const char *kind);
void sa_row_str(struct sa_out *o, const char *key, const char *val);
void sa_row_u64(struct sa_out *o, const char *key, uint64_t v);
void sa_row_i64(struct sa_out *o, const char *key, int64_t v);
void sa_row_bool(struct sa_out *o, const char *key, bool v);
void sa_row_null(struct sa_out *o, const char *key);
void sa_row_end(struct sa_out *o);
/*
 * At the end of a report: in CSV, the header line names (the view's
 * csv_header) unless a row has already written it.
 */
void sa_out_csv_header(struct sa_out *o, const char *names);

#endif /* SA_OUT_H */
