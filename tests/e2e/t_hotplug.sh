#!/usr/bin/env bash
# A CPU taken offline and brought back during a recording (issue 18,
# "nothing lost").
#
# Part 1, records staged on a CPU that goes offline.  The BPF programs
# stage records per CPU (bpf/output.bpf.h) and the recorder's sweep sends
# them on that CPU; an offline CPU runs nothing, so the sweep sends its
# area from another CPU (stage_flush_cpu).  Here: sockrec stopped (no
# sweep), a workload pinned to CPU 1, CPU 1 taken offline while its area
# holds records, sockrec resumed.
# Part 2, the CPU back online.  The kernel does not give back the perf event
# sockrec had opened on it, so sockrec opens the CPU a new ring
# (record/cpurings.c); a second workload pinned to CPU 1 runs once sockrec
# says so.  Every event of both workloads must be in the trace, nothing
# lost, and in the order the ROUND records promise (docs/FORMAT.md §7.1).
# Part 3, a CPU offline when sockrec starts (libbpf opens it no ring) that
# comes online during the recording: the same, for a workload pinned to it.
# Part 4, a CPU that goes offline and comes back unseen (sockrec stopped,
# nothing staged there): the first flush of a workload's records finds no
# ring, keeps them staged, and sockrec opens one and sends them there.
#
# Taking a CPU offline disturbs whatever else runs on the machine, so the
# script does it only in a tests/vm guest (SKR_VM_GUEST=1, set by
# tests/vm/guest) or when asked to (SKR_HOTPLUG=1); elsewhere, and where
# the kernel does not allow CPU hotplug, it skips and says why.
. "$(dirname "$0")/lib.sh"
need_root

CPU=1
ONLINE=/sys/devices/system/cpu/cpu$CPU/online
N=5
skip() {
	echo "SKIPPED: $*" >&2
	exit 77
}
if [ "${SKR_VM_GUEST:-}" != 1 ] && [ "${SKR_HOTPLUG:-}" != 1 ]; then
	skip "takes CPU $CPU offline: runs in the tests/vm guests (make vmtest), or with SKR_HOTPLUG=1 on a machine of your own"
fi
[ -w "$ONLINE" ] || skip "CPU hotplug is not allowed here: no writable $ONLINE"
[ "$(cat "$ONLINE")" = 1 ] || skip "CPU $CPU is offline already"
for t in taskset bpftool jq; do
	command -v "$t" >/dev/null || skip "no $t"
done

hotplug_cleanup() {
	echo 1 >"$ONLINE" 2>/dev/null
	t_cleanup
}
trap hotplug_cleanup EXIT

# staged_records PID CPU: records the recorder PID's BPF programs hold
# staged on CPU (its map "stage"), read with bpftool.
staged_records() {
	local id f
	for f in /proc/"$1"/fdinfo/*; do
		id=$(sed -n 's/^map_id:[[:space:]]*//p' "$f" 2>/dev/null)
		[ -n "$id" ] || continue
		if [ "$(bpftool map show id "$id" -j 2>/dev/null | jq -r .name)" = stage ]; then
			bpftool map dump id "$id" -j 2>/dev/null |
				jq -r --argjson c "$2" \
				'.[0].formatted.values[] | select(.cpu == $c) | .value.h.records'
			return
		fi
	done
}

# wait_revived N: sockrec said N times that a CPU got a new ring (10 s at most).
REVIVED="CPU $CPU is online: its events go to a new perf buffer"
wait_revived() {
	local _
	for _ in $(seq 100); do
		[ "$(grep -c "$REVIVED" "$TMP/sockrec.err")" -ge "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

# check_trace NAME WANT_LIVES: the checks every part makes of its trace.
check_trace() {
	local trace=$TMP/$1.skr
	"$SOCKANA" "$trace" --info >"$TMP/$1.info" 2>&1
	check_eq "$1: sockana --info exits 0" 0 $?
	check "$1: info: complete" grep -Eq '^File status: +complete' "$TMP/$1.info"
	check "$1: info: no lost events ($(sed -n 's/^Lost events: *//p' "$TMP/$1.info"))" \
		grep -Eq '^Lost events: +0$' "$TMP/$1.info"
	"$SOCKANA" "$trace" --timeline >"$TMP/$1.timeline" 2>&1
	check_eq "$1: sockana --timeline exits 0" 0 $?
	# Sent after a ROUND that promised them, they would be out of order.
	check "$1: every event in time order (no event after a ROUND that promised it)" \
		test "$(grep -c 'could not be put in time order' "$TMP/$1.timeline")" -eq 0
	# Every socket's whole life, as t_skeleton.sh checks it.
	check_eq "$1: every socket's whole life is in the trace" "$2" \
		"$(socket_lives "$NS_INODE" "$TMP/$1.timeline")"
}

# two_workloads N: socket_lives of `workload -n N` run twice (two listeners).
two_workloads() {
	workload_lives "$((2 * $1))" | sed 's/^1 skr-server CLOSE>LISTEN/2 skr-server CLOSE>LISTEN/' |
		LC_ALL=C sort
}

# pinned_workload WHAT N PORT: workload -n N on CPU $CPU in the namespace,
# which must succeed ("WHAT ran on CPU N").
pinned_workload() {
	taskset -c "$CPU" ip netns exec "$NS" "$WORKLOAD" -n "$2" -p "$3" >"$TMP/workload-$3.out"
	check_eq "$1 ran on CPU $CPU" 0 $?
}

# stop_recorder [NOTE]: a second for the last sweeps, then stop sockrec,
# which must exit 0 ("sockrec exits 0NOTE").
stop_recorder() {
	local rc=0
	sleep 1
	rec_stop || rc=$?
	check_eq "sockrec exits 0${1:-}" 0 "$rc"
}

netns_new hotplug || exit 1

# ---- parts 1 and 2: offline with records staged, then back online ----
rec_start "$TMP/back.skr" --netns "$NS_INODE" || exit 1
check_eq "the recorder is the process stopped" sockrec "$(cat /proc/"$REC_PID"/comm)"

# No sweep while it is stopped: CPU 1's records stay staged.
kill -STOP "$REC_PID"
pinned_workload workload "$N" 7601
staged=$(staged_records "$REC_PID" "$CPU")
check "CPU $CPU's area holds records before it goes offline (${staged:-none})" \
	test "${staged:-0}" -gt 0
echo 0 >"$ONLINE"
check_eq "CPU $CPU is offline" 0 "$(cat "$ONLINE")"
kill -CONT "$REC_PID"
sleep 1
check "sockrec sent its staged records without error" \
	test "$(grep -c 'sending staged records' "$TMP/sockrec.err")" -eq 0
echo 1 >"$ONLINE"
check_eq "CPU $CPU is back online" 1 "$(cat "$ONLINE")"
check "sockrec opened CPU $CPU a new ring within a few sweeps" wait_revived 1
# That ring's epoll joins the poll (record/cpurings.c): with no traffic the
# recorder must still sleep between sweeps; a wakeup that poll() kept
# reporting would spin it on a CPU (user + system ticks, USER_HZ 100).
cpu_ticks() { awk '{ print $14 + $15 }' /proc/"$REC_PID"/stat; }
t0=$(cpu_ticks)
sleep 2
t1=$(cpu_ticks)
check "sockrec sleeps with a ring of its own in its poll ($((t1 - t0)) ticks of CPU in 2 s)" \
	test $((t1 - t0)) -lt 50
pinned_workload "second workload" "$N" 7602
stop_recorder
check_eq "sockrec said so once" 1 "$(grep -c "$REVIVED" "$TMP/sockrec.err")"
check_trace back "$(two_workloads "$N")"

# ---- part 3: offline when sockrec starts, online during the recording ----
echo 0 >"$ONLINE"
check_eq "CPU $CPU is offline before sockrec starts" 0 "$(cat "$ONLINE")"
rec_start "$TMP/late.skr" --netns "$NS_INODE" || exit 1
echo 1 >"$ONLINE"
check "sockrec opened CPU $CPU, offline at its start, a ring" wait_revived 1
pinned_workload "third workload" "$N" 7603
stop_recorder " (CPU offline at start)"
check_trace late "$(workload_lives "$N")"

# ---- part 4: offline and back while sockrec does not look ----
# Few connections, so that their records stay staged (a 4 KiB area) until
# a sweep flushes them: more would fill the area, and its send from the
# program, into the dead ring, would be lost (counted) before any flush.
N4=2
rec_start "$TMP/unseen.skr" --netns "$NS_INODE" || exit 1
kill -STOP "$REC_PID"
echo 0 >"$ONLINE"
check_eq "CPU $CPU is offline while sockrec is stopped" 0 "$(cat "$ONLINE")"
echo 1 >"$ONLINE"
kill -CONT "$REC_PID"
sleep 0.5
check_eq "sockrec has not noticed yet" 0 "$(grep -c "$REVIVED" "$TMP/sockrec.err")"
pinned_workload "fourth workload" "$N4" 7604
check "sockrec opened CPU $CPU a new ring at the flush that found none" wait_revived 1
stop_recorder " (CPU back unseen)"
check_trace unseen "$(workload_lives "$N4")"
finish
