/* SPDX-License-Identifier: BSD-2-Clause */
/* Strict JSON syntax check of one line (tests/unit/jsonl.c). */
#ifndef SKR_TEST_JSONL_H
#define SKR_TEST_JSONL_H

#include <stdbool.h>
#include <stddef.h>

/* [line, line + len) is one JSON object and nothing else. */
bool jsonl_object(const char *line, size_t len);

#endif /* SKR_TEST_JSONL_H */
