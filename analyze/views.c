/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The table of views.  A view is one report_*.c file exporting one
 * struct sa_view; listing it here (and giving it an id in enum sa_report)
 * is all run.c and main.c need to offer it.
 */
#include <stdio.h>
#include <string.h>

#include "analyze/views.h"

extern const struct sa_view sa_view_diag;
extern const struct sa_view sa_view_info;
extern const struct sa_view sa_view_timeline;
extern const struct sa_view sa_view_latency;
extern const struct sa_view sa_view_backlog;
extern const struct sa_view sa_view_connections;
extern const struct sa_view sa_view_events;
extern const struct sa_view sa_view_html;
extern const struct sa_view sa_view_trace_event;

/* The first row is the default. */
static const struct sa_view *const views[] = {
	&sa_view_diag,
	&sa_view_info,
	&sa_view_timeline,
	&sa_view_latency,
	&sa_view_backlog,
	&sa_view_connections,
	&sa_view_events,
	&sa_view_html,
	&sa_view_trace_event,
};

#define NVIEWS	(sizeof(views) / sizeof(views[0]))
_Static_assert(NVIEWS <= SA_VIEWS_MAX, "raise SA_VIEWS_MAX");

size_t sa_view_count(void)
{
	return NVIEWS;
}

const struct sa_view *sa_view_at(size_t i)
{
	return i < NVIEWS ? views[i] : NULL;
}

const struct sa_view *sa_view_of(enum sa_report report)
{
	size_t i;

	for (i = 0; i < NVIEWS; i++)
		if (views[i]->report == report)
			return views[i];
	return views[0];
}

const struct sa_view *sa_view_by_option(const char *option)
{
	size_t i;

	for (i = 0; i < NVIEWS; i++)
		if (views[i]->option && strcmp(views[i]->option, option) == 0)
			return views[i];
	return NULL;
}

const char *sa_view_options(enum sa_format fmt, const char *conj, char *buf,
			    size_t size)
{
	size_t i, n = 0, k = 0, len = 0;
	int w;

	for (i = 0; i < NVIEWS; i++)
		if (views[i]->option && (views[i]->formats & (1u << fmt)))
			n++;
	if (size > 0)
		buf[0] = '\0';
	for (i = 0; i < NVIEWS && len < size; i++) {
		if (!views[i]->option || !(views[i]->formats & (1u << fmt)))
			continue;
		k++;
		w = snprintf(buf + len, size - len, "%s%s%s%s",
			     k == 1 ? "" : k == n ? " " : ", ",
			     k > 1 && k == n ? conj : "",
			     k > 1 && k == n ? " " : "", views[i]->option);
		/* A list that does not fit ends at the last whole option. */
		if (w < 0 || (size_t)w >= size - len) {
			buf[len] = '\0';
			break;
		}
		len += (size_t)w;
	}
	return buf;
}
