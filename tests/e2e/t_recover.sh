#!/usr/bin/env bash
# --recover-misses: the twin programs load and attach next to the main ones,
# the exit summary says how many skipped events they recovered, and no event
# of a deterministic workload is recorded twice.  (Whether a miss happens at
# all is up to the scheduler; the storm in bench/ shows the recoveries.)
. "$(dirname "$0")/lib.sh"
need_root

SKRDUMP=$BUILD/tests/skrdump
[ -x "$SKRDUMP" ] || { echo "t_recover: $SKRDUMP missing" >&2; exit 77; }

N=20
netns_new perfrec || exit 1
trace=$TMP/recover.skr

rec_start "$trace" --recover-misses || exit 1
# Twins are attached: programs named rcv_* held by this sockrec.
twins=0
for f in /proc/"$REC_PID"/fdinfo/*; do
	id=$(sed -n 's/^prog_id:[[:space:]]*//p' "$f" 2>/dev/null)
	[ -n "$id" ] || continue
	bpftool prog show id "$id" 2>/dev/null | grep -q ' name rcv_' && twins=$((twins + 1))
done
# Twins exist for tp_btf hooks only: none when every hook is limited to classic
# tracepoints (tests/vm runs the suite so on 6.1).
if [ "${SKR_PROBE_TIER:-}" = tracepoint ]; then
	check_eq "no twin programs in the classic tier" 0 "$twins"
else
	check "twin programs attached" test "$twins" -ge 1
fi
ip netns exec "$NS" "$WORKLOAD" -n "$N" -p 7301 >/dev/null
check_eq "workload ran" 0 $?
sleep 0.3
rc=0
rec_stop || rc=$?
check_eq "sockrec exits 0" 0 "$rc"
check "summary: recovered count" grep -Eq '^sockrec: [0-9]+ events skipped by the kernel \(recursion\) were recovered by --recover-misses$' "$TMP/sockrec.err"
check "summary: recursion misses" grep -Eq ' [0-9]+ recursion misses, ' "$TMP/sockrec.err"

"$SKRDUMP" "$trace" >"$TMP/dump" 2>&1
check_eq "skrdump reads it" 0 $?
# Each connection: 5 state changes on each side; the listener: 2.
states=$(grep -c "^STATE .*netns=$NS_INODE " "$TMP/dump")
check_eq "every state change once, none twice" $((N * 10 + 2)) "$states"
"$SOCKANA" "$trace" --info >"$TMP/info" 2>&1
check_eq "sockana --info exits 0" 0 $?
check "info: complete" grep -Eq '^File status: +complete' "$TMP/info"
finish
