#!/usr/bin/env bash
# Records staged on a CPU that goes offline (issue 18, "nothing lost").
# The BPF programs stage records per CPU (bpf/output.bpf.h) and the
# recorder's sweep sends them on that CPU; an offline CPU runs nothing, so
# the sweep sends its area from another CPU (stage_flush_cpu).  Here:
# sockrec stopped (no sweep), a workload pinned to CPU 1, CPU 1 taken
# offline while its area holds records, sockrec resumed and stopped.  Every
# event must be in the trace, nothing lost, and in the order the ROUND
# records promise (docs/FORMAT.md §7.1).
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

netns_new hotplug || exit 1
trace=$TMP/hotplug.skr
rec_start "$trace" --netns "$NS_INODE" || exit 1
check_eq "the recorder is the process stopped" sockrec "$(cat /proc/"$REC_PID"/comm)"

# No sweep while it is stopped: CPU 1's records stay staged.
kill -STOP "$REC_PID"
taskset -c "$CPU" ip netns exec "$NS" "$WORKLOAD" -n "$N" -p 7601 >"$TMP/workload.out"
check_eq "workload ran on CPU $CPU" 0 $?
staged=$(staged_records "$REC_PID" "$CPU")
check "CPU $CPU's area holds records before it goes offline (${staged:-none})" \
	test "${staged:-0}" -gt 0
echo 0 >"$ONLINE"
check_eq "CPU $CPU is offline" 0 "$(cat "$ONLINE")"
kill -CONT "$REC_PID"
sleep 1
rc=0
rec_stop || rc=$?
check_eq "sockrec exits 0" 0 "$rc"
check "sockrec sent its staged records without error" \
	test "$(grep -c 'sending staged records' "$TMP/sockrec.err")" -eq 0
echo 1 >"$ONLINE"

"$SOCKANA" "$trace" --info >"$TMP/info" 2>&1
check_eq "sockana --info exits 0" 0 $?
check "info: complete" grep -Eq '^File status: +complete' "$TMP/info"
check "info: no lost events" grep -Eq '^Lost events: +0$' "$TMP/info"
"$SOCKANA" "$trace" --timeline >"$TMP/timeline" 2>&1
check_eq "sockana --timeline exits 0" 0 $?
# Sent after a ROUND that promised them, they would be out of order.
check "every event in time order (no event after a ROUND that promised it)" \
	test "$(grep -c 'could not be put in time order' "$TMP/timeline")" -eq 0

# Every socket's whole life, as t_skeleton.sh checks it.
check_eq "every socket's whole life is in the trace" "$(workload_lives "$N")" \
	"$(socket_lives "$NS_INODE" "$TMP/timeline")"
finish
