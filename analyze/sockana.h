/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sockana's modules, each with a header of its own:
 *
 *   replay.h     replay.c          records in file order -> events in time order
 *   memory.h     memory.c          what an allocation really takes, for the bounds
 *   meta.h       meta.c            metadata, clock, loss and per-type counts
 *   wallclock.h  wallclock.c       event clock -> wall time
 *   sockets.h    sockets*.c        socket table: one life per (host, netns,
 *                                  cookie); its insides in sockets_priv.h
 *   events.h     events.c          non-state kernel events onto socket lives
 *   items.h      sockets_items.c,  the events a socket keeps for --timeline, as
 *                items_text.c      numbers; their words made at output
 *   life.h       life.c            what a finished life means (outcome, durations)
 *   filter.h     filter.c          --pid --comm --port --addr --netns --state ...
 *   hist.h       hist.c            bounded duration distributions
 *   out.h        out.c             JSON Lines and CSV rows (out_rows.h: many
 *                                  rows alike, batched; out_raw.h: rows
 *                                  written straight, for --timeline)
 *   text.h       text.c            formatting shared by the reports
 *   run.h        run.c             the analysis as main.c and tests call it
 *   live.h       live.c            --follow: inputs still being written
 *   analysis.h   run.c, warn.c     an analysis under way, as reports read it
 *   work.h       sockets_listen.c  lookup work counted, for tests
 *   views.h      views.c           the table of views: every report is one
 *                report_*.c        --info, --timeline, --latency, --backlog and
 *                                  the default diagnosis (report_diag.h inside;
 *                                  report_backlog.h, its listeners, shared)
 *   redact.h     redact*.c         --redact
 *
 * Files in analyze/ include the headers they use.  This one includes them
 * all, for tests and tools that drive the whole analyzer.
 *
 * Everything here is portable POSIX C; no Linux header.  Every int function
 * returns 0 or a negative errno unless its comment says otherwise.
 */
#ifndef SOCKANA_H
#define SOCKANA_H

#include "analyze/analysis.h"
#include "analyze/events.h"
#include "analyze/filter.h"
#include "analyze/hist.h"
#include "analyze/items.h"
#include "analyze/life.h"
#include "analyze/live.h"
#include "analyze/memory.h"
#include "analyze/meta.h"
#include "analyze/out.h"
#include "analyze/replay.h"
#include "analyze/report_backlog.h"
#include "analyze/run.h"
#include "analyze/sockets.h"
#include "analyze/text.h"
#include "analyze/views.h"
#include "analyze/wallclock.h"
#include "analyze/work.h"

#endif /* SOCKANA_H */
