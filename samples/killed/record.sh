#!/usr/bin/env bash
# A recording cut short: sockrec is killed with SIGKILL 1.5 s into a
# workload of 100 connections 20 ms apart (later if no event reached the
# file by then, on a slow machine).  The file ends without its END
# record, at the last frame sockrec flushed (it flushes once a second).
. "$(dirname "$0")/../lib.sh"
sample_begin killed
rec_begin --comment "sample killed: sockrec killed with SIGKILL during the workload"
ns_run "$SCENARIO" healthy 127.0.0.1 8080 100 2 20 &
work=$!
sleep 1.5
# A slow machine may not have flushed an event yet: the cut must fall after
# some (bounded: 10 s more at most).
for _ in $(seq 100); do
	"$BUILD/sockana" --info "$OUT" 2>/dev/null | grep -Eq '^First event: +[0-9]' && break
	sleep 0.1
done
rec_kill
wait "$work"
