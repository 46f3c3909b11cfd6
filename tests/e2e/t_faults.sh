#!/usr/bin/env bash
# Recorder faults (issue 5): an output that cannot be written is refused
# before any BPF program is loaded; a full disk stops the recording with a
# clear error and leaves a readable file; a perf buffer overrun is counted in
# the file and in the exit summary, and sockana says so; a kernel that will
# not run the flush of staged records gets every record sent alone.
. "$(dirname "$0")/lib.sh"
need_root

netns_new faults || exit 1
workload() { ip netns exec "$NS" "$WORKLOAD" -n "$1" -p "$2" >/dev/null; }

# ---- unwritable output: refused, and no program was ever loaded
if command -v strace >/dev/null; then
	rc=0
	# LeakSanitizer cannot run under ptrace: off for this one run.
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		strace -f -qq -e trace=bpf -o "$TMP/strace" \
		"$SOCKREC" -o /nonexistent-dir/x.skr -d 1 2>"$TMP/unwritable.err" || rc=$?
	check_eq "unwritable output: exit 1" 1 "$rc"
	check "unwritable output: names the path and the reason" \
		grep -q "/nonexistent-dir/x.skr: No such file or directory" "$TMP/unwritable.err"
	check_eq "unwritable output: no bpf() call was made" 0 \
		"$(grep -c 'bpf(' "$TMP/strace" | tr -d ' ')"
else
	bad "strace is missing (.ci/install-deps installs it)"
fi
rc=0
"$SOCKREC" -o /proc/version -d 1 2>"$TMP/ro.err" || rc=$?
check_eq "read-only output: exit 1" 1 "$rc"
check_eq "read-only output: one line" 1 "$(wc -l <"$TMP/ro.err" | tr -d ' ')"

# ---- full disk: a 32 KiB tmpfs, a frame per sweep (-U) and traffic until it fills
mnt=$TMP/small
mkdir "$mnt"
if mount -t tmpfs -o size=32k tmpfs "$mnt"; then
	"$SOCKREC" -o "$mnt/full.skr" -U -q 2>"$TMP/full.err" &
	REC_PID=$!
	for _ in $(seq 100); do [ -s "$mnt/full.skr" ] && break; sleep 0.1; done
	port=7400
	# Each round adds ~ 200 events; stop when sockrec gives up (bounded: 100 rounds).
	for _ in $(seq 100); do
		kill -0 "$REC_PID" 2>/dev/null || break
		workload 20 "$port"
		port=$((port + 1))
	done
	rc=0
	if kill -0 "$REC_PID" 2>/dev/null; then
		bad "full disk: sockrec still running after the tmpfs filled"
		kill -INT "$REC_PID"
	fi
	wait "$REC_PID" || rc=$?
	REC_PID=
	check_eq "full disk: sockrec exits 1" 1 "$rc"
	check "full disk: says No space left on device" grep -q "No space left on device" "$TMP/full.err"
	cp "$mnt/full.skr" "$TMP/full.skr"
	umount "$mnt"
	"$SOCKANA" "$TMP/full.skr" --info >"$TMP/full.info" 2>&1
	check_eq "full disk: sockana reads what was written" 0 $?
	check "full disk: reported truncated" grep -Eq '^File status: +truncated' "$TMP/full.info"
	check "full disk: events before the failure are there" \
		grep -Eq '^  STATE4?: +[1-9]' "$TMP/full.info"
else
	bad "full disk: cannot mount a tmpfs"
fi

# ---- the flush fallback: rec_perfbuf_open() runs stage_flush once (a
# BPF_PROG_TEST_RUN); if the kernel refuses it, records cannot wait in the
# per-CPU staging areas (bpf/output.bpf.h) for a flush that never comes,
# and each is sent alone.  strace counts bpf() calls per process: a first
# run finds which one is that first BPF_PROG_TEST_RUN, a second makes it
# fail with EPERM.  No flush runs after it, so a record still staged at
# the end would be missing from the trace.
if command -v strace >/dev/null; then
	nsan="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
	ASAN_OPTIONS=$nsan strace -f -qq -e trace=bpf -o "$TMP/count.strace" \
		"$SOCKREC" -o "$TMP/count.skr" -q -d 1 --netns "$NS_INODE" 2>/dev/null
	nth=$(awk '/ bpf\(/ { n[$1]++ } / bpf\(BPF_PROG_TEST_RUN/ { print n[$1]; exit }' \
		"$TMP/count.strace")
	check "fallback: the first flush is bpf() call ${nth:-none}" test -n "$nth"
	trace=$TMP/fallback.skr
	ASAN_OPTIONS=$nsan strace -f -qq -e trace=bpf -e inject=bpf:error=EPERM:when="${nth:-1}" \
		-o "$TMP/fallback.strace" \
		"$SOCKREC" -o "$trace" -q --netns "$NS_INODE" 2>"$TMP/fallback.err" &
	STRACE_PID=$!
	for _ in $(seq 600); do
		rec_ready "$trace" && break
		kill -0 "$STRACE_PID" 2>/dev/null || break
		sleep 0.1
	done
	REC_PID=$(pgrep -P "$STRACE_PID" -x sockrec)
	check "fallback: sockrec records under strace" test -n "$REC_PID"
	workload 5 7450
	sleep 0.5
	rc=0
	[ -n "$REC_PID" ] && kill -INT "$REC_PID"
	wait "$STRACE_PID" || rc=$?
	REC_PID=
	check_eq "fallback: sockrec exits 0" 0 "$rc"
	check "fallback: the refused call was the flush" \
		grep -q 'bpf(BPF_PROG_TEST_RUN.*(INJECTED)' "$TMP/fallback.strace"
	check "fallback: says it sends each record alone" grep -q \
		'^sockrec: sending records in batches: Operation not permitted; sending each alone$' \
		"$TMP/fallback.err"
	check_eq "fallback: no flush ran after it" 1 \
		"$(grep -c 'bpf(BPF_PROG_TEST_RUN' "$TMP/fallback.strace")"
	"$SOCKANA" "$trace" --info >"$TMP/fallback.info" 2>&1
	check_eq "fallback: sockana --info exits 0" 0 $?
	check "fallback: complete" grep -Eq '^File status: +complete' "$TMP/fallback.info"
	check "fallback: no lost events" grep -Eq '^Lost events: +0$' "$TMP/fallback.info"
	"$SOCKANA" "$trace" --timeline >"$TMP/fallback.timeline" 2>&1
	check_eq "fallback: every socket's whole life is in the trace" \
		"$(workload_lives 5)" "$(socket_lives "$NS_INODE" "$TMP/fallback.timeline")"
else
	bad "strace is missing (.ci/install-deps installs it)"
fi

# ---- perf buffer overrun: one page per CPU, recorder stopped while traffic runs
trace=$TMP/overrun.skr
rec_start "$trace" --buffer-pages 1 || exit 1
kill -STOP "$REC_PID"
workload 100 7500
kill -CONT "$REC_PID"
sleep 0.5
rc=0
rec_stop || rc=$?
check_eq "overrun: sockrec exits 0" 0 "$rc"
lost=$(sed -n 's/.*events recorded, \([0-9]*\) lost.*/\1/p' "$TMP/sockrec.err")
check "overrun: the exit summary counts lost events (${lost:-none})" test "${lost:-0}" -gt 0
"$SOCKANA" "$trace" --info >"$TMP/overrun.info" 2>&1
check "overrun: --info counts them" grep -Eq '^Lost events: +[1-9]' "$TMP/overrun.info"
# A sample carries a batch of records: the LOSS records must count records
# (the BPF side's failed outputs), not the samples the perf buffer lost.
pb=$(sed -n 's/^Lost events:.*perf buffer \([0-9]*\).*/\1/p' "$TMP/overrun.info")
of=$(sed -n 's/^Lost events:.*output failed \([0-9]*\).*/\1/p' "$TMP/overrun.info")
check_eq "overrun: LOSS records count every record BPF could not send" "${of:-none}" "${pb:-none}"
"$SOCKANA" "$trace" >"$TMP/overrun.diag" 2>&1
check "overrun: the diagnosis says events were lost" grep -Eiq 'events? lost|lost [0-9]+ events' "$TMP/overrun.diag"
"$SOCKANA" "$trace" --timeline >"$TMP/overrun.timeline" 2>&1
check "overrun: the timeline warns" grep -q "WARNING: .*lost" "$TMP/overrun.timeline"

finish
