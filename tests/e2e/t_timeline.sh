#!/usr/bin/env bash
# --timeline on a busy listener, recorded for real: a listener in a namespace
# of our own accepts 2,000 connections (tests/workload), more events than a
# socket keeps (1,024).  Its end (LISTEN -> CLOSE, DESTROY) must still be shown, after
# a line and a JSON "gap" row that say how many accepts were left out there,
# and its accepts are summed up (an "accepts" row, a line).
. "$(dirname "$0")/lib.sh"
need_root
[ -x "$WORKLOAD" ] || { echo "missing $WORKLOAD (make $WORKLOAD)" >&2; exit 77; }

CONNS=2000
PORT=7070
netns_new timeline || exit 1
TRACE=$TMP/busy.skr
rec_start "$TRACE" -q || exit 1
timeout 60 ip netns exec "$NS" "$WORKLOAD" -p $PORT -n $CONNS -b 128 >"$TMP/workload.out"
check_eq "workload completed $CONNS connections" 0 $?
sleep 0.3
rec_stop
check_eq "sockrec exits 0" 0 $?

"$SOCKANA" --timeline --json --netns "$NS_INODE" "$TRACE" >"$TMP/t.json"
check_eq "sockana --timeline --json exits 0" 0 $?
check "every --json line parses" "$BUILD/tests/jsonlines" "$TMP/t.json"

# The listener's socket row: role listener, bound to the port.
row=$(grep '^{"row":"socket"' "$TMP/t.json" | grep '"role":"listener"' |
	grep -F ":$PORT\"," | head -n 1)
id=$(printf '%s\n' "$row" | sed -n 's/^{"row":"socket","socket":\([0-9]*\),.*/\1/p')
check "the listener has a socket row" test -n "$id"
id=${id:-0}
events=$(printf '%s\n' "$row" | sed -n 's/.*"events":\([0-9]*\)[,}].*/\1/p')
not_kept=$(printf '%s\n' "$row" | sed -n 's/.*"not_kept":\([0-9]*\)[,}].*/\1/p')
check "it had more events than a socket keeps (${events:-?})" \
	test "${events:-0}" -gt $((CONNS + 1))
check "it says how many were not kept (${not_kept:-?})" \
	test "${not_kept:-0}" -gt 0

mine() { grep -E "^\\{\"row\":\"$1\",\"socket\":$id," "$TMP/t.json"; }
gap=$(mine gap)
check_eq "one gap row" 1 "$(printf '%s\n' "$gap" | grep -c .)"
g_events=$(printf '%s\n' "$gap" | sed -n 's/.*,"events":\([0-9]*\),.*/\1/p')
g_accept=$(printf '%s\n' "$gap" | sed -n 's/.*"n_accept":\([0-9]*\),.*/\1/p')
check_eq "the gap row counts what was not kept" "${not_kept:-none}" "${g_events:-}"
check "the events not kept are accepts (${g_accept:-?} of ${g_events:-?})" \
	test "${g_accept:-0}" -gt 0 -a "${g_accept:-0}" -le "${g_events:-0}"
kept=$(mine event | grep -c .)
check_eq "kept events and those left out add up" "$events" $((kept + ${not_kept:-0}))
# Its end: LISTEN -> CLOSE, then the kernel's DESTROY.
end=$(mine event | tail -n 2)
last=$(tail -n 1 <<<"$end")
check "its last transition, LISTEN -> CLOSE, is kept" \
	grep -q '"old_state":"LISTEN","new_state":"CLOSE"' <<<"$(head -n 1 <<<"$end")"
check "and its DESTROY after it" grep -q '"event":"destroy"' <<<"$last"
check "the gap row comes before the end" \
	test "$(grep -n "^{\"row\":\"gap\",\"socket\":$id," "$TMP/t.json" | cut -d: -f1)" \
	-lt "$(grep -nF "$last" "$TMP/t.json" | cut -d: -f1)"

check "its accepts are summed up in one row" \
	grep -q "\"accepts\":$CONNS,\"failed\":0," <<<"$(mine accepts)"

"$SOCKANA" --timeline --socket "$id" "$TRACE" >"$TMP/t.txt"
check_eq "sockana --timeline --socket exits 0" 0 $?
check "text: a line says what was not kept here" \
	grep -Eq "^  \\.\\.\\. $not_kept events not kept here, \\+[0-9.]+ to \\+[0-9.]+: ([0-9]+ [a-z]+, )*[0-9]+ accept" "$TMP/t.txt"
check "text: a line sums up its accepts" grep -q "^  accepts: $CONNS in " "$TMP/t.txt"
check "text: the block ends with LISTEN -> CLOSE and the destroy" \
	sh -c "grep -E '^  [0-9]' '$TMP/t.txt' | tail -n 2 | head -n 1 | grep -q 'LISTEN       -> CLOSE'"
finish
