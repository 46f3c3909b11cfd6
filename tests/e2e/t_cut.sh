#!/usr/bin/env bash
# A trace cut anywhere (issue 14), on a trace today's recorder writes:
#   1. as soon as sockrec records, the file already holds its header frame:
#      a copy names the host and says truncated;
#   2. a copy taken while sockrec runs, after the workload and more than one
#      read of the buffers, holds every event of the workload, whether or
#      not its last frame has ended;
#   3. the whole trace cut at every 7th byte (tests/e2e/cutcheck): records
#      a prefix of the whole, never fewer than the complete blocks before
#      the cut hold, every record boundary a block boundary, the host named
#      and "truncated" said after the header frame, a one-line error that
#      says "truncated" before it.
. "$(dirname "$0")/lib.sh"
need_root

CUTCHECK=$BUILD/tests/cutcheck
SKRDUMP=$BUILD/tests/skrdump
for f in "$CUTCHECK" "$SKRDUMP"; do
	[ -x "$f" ] || { echo "t_cut: $f missing" >&2; exit 77; }
done

N=30
netns_new cut || exit 1
trace=$TMP/cut.skr
host=$(uname -n)

rec_start "$trace" --netns "/run/netns/$NS" || exit 1

# ---- 1. the header frame is on disk before any event ----
cp "$trace" "$TMP/early.skr"
"$SOCKANA" --info "$TMP/early.skr" >"$TMP/early.info" 2>"$TMP/early.err"
check_eq "early copy: sockana --info exits 0" 0 $?
check "early copy: names the host" grep -Fqx "Host name:          $host" "$TMP/early.info"
check "early copy: truncated, says what it kept" grep -Eq '^File status: +truncated, 1 segment; kept [0-9]+ records' "$TMP/early.info"
check "early copy: lists the probes" grep -Eq '^Probes: +inet_sock_set_state +tp_btf' "$TMP/early.info"

# ---- 2. a live copy holds what was read, before its frame ends ----
ip netns exec "$NS" "$WORKLOAD" -n "$N" -p 7401 >/dev/null
check_eq "workload ran" 0 $?
sleep 0.3	# three sweeps (100 ms each): every event read, a block ended
cp "$trace" "$TMP/live.skr"
"$SKRDUMP" "$TMP/live.skr" >"$TMP/live.dump" 2>&1
check_eq "live copy: skrdump reads it" 0 $?
# Each connection: 5 state changes on each side; the listener: 1 so far.
states=$(grep -c "^STATE" "$TMP/live.dump")
check "live copy: every state change of the workload ($states)" test "$states" -ge $((N * 10 + 1))
"$SOCKANA" --info "$TMP/live.skr" >"$TMP/live.info" 2>&1
check "live copy: truncated, says what it kept" grep -Eq '^File status: +truncated, 1 segment; kept [0-9]+ records, [0-9.]+ s of events' "$TMP/live.info"
"$CUTCHECK" "$TMP/live.skr" 7 --aligned >"$TMP/live.cut" 2>&1
check_eq "live copy: every 7th cut passes ($(cat "$TMP/live.cut" | tr '\n' ' '))" 0 $?

rc=0
rec_stop || rc=$?
check_eq "sockrec exits 0" 0 "$rc"

# ---- 3. the whole trace, cut at every 7th byte ----
"$CUTCHECK" "$trace" 7 --aligned >"$TMP/cut.out" 2>&1
check_eq "every 7th cut passes" 0 $?
cat "$TMP/cut.out"
check "the checker saw the host" grep -Fq " host=$host" "$TMP/cut.out"
# Frames: the header's, at least one more; blocks: at least one per frame.
frames=$(sed -nE 's/.* frames=([0-9]+) .*/\1/p' "$TMP/cut.out")
blocks=$(sed -nE 's/.* blocks=([0-9]+) .*/\1/p' "$TMP/cut.out")
check "header frame and event frames (${frames:-?})" test "${frames:-0}" -ge 2
check "blocks inside frames (${blocks:-?})" test "${blocks:-0}" -gt "${frames:-0}"
finish
