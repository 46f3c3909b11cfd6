#!/usr/bin/env bash
# A trace cut anywhere (issue 14), on a trace today's recorder writes:
#   1. as soon as sockrec records, the file already holds its header frame:
#      a copy names the host and says truncated;
#   2. copies taken while sockrec runs hold the events read so far inside
#      a frame that has not ended yet (a block per read of the buffers);
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

N=10
netns_new cut || exit 1
trace=$TMP/cut.skr
host=$(uname -n)

rec_start "$trace" --netns "/run/netns/$NS" || exit 1

# ---- 1. the header frame is on disk before any event ----
# The file header is a block of its own and may reach the disk a moment before
# the rest of the metadata frame (the snapshot takes a while in a slow guest):
# copy until the copy names the host, for at most 10 s.
for _ in $(seq 100); do
	cp "$trace" "$TMP/early.skr"
	"$SOCKANA" --info "$TMP/early.skr" >"$TMP/early.info" 2>"$TMP/early.err"
	early_rc=$?
	grep -Fqx "Host name:          $host" "$TMP/early.info" && break
	sleep 0.1
done
check_eq "early copy: sockana --info exits 0" 0 "$early_rc"
check "early copy: names the host" grep -Fqx "Host name:          $host" "$TMP/early.info"
check "early copy: truncated, says what it kept" grep -Eq '^File status: +truncated, 1 segment; kept [0-9]+ records' "$TMP/early.info"
check "early copy: lists the probes" grep -Eq '^Probes: +inet_sock_set_state +(tp_btf|tracepoint)' "$TMP/early.info"

# ---- 2. live copies: what was read is in the file before its frame ends ----
# Frames end once a second; buffers are read every 100 ms and each read ends
# a block.  Copies taken a few times a second, between bursts of traffic,
# so most of them fall inside a frame: their blocks must already show the
# events (no copy would, with frames alone).
partial=0
for i in $(seq 10); do
	ip netns exec "$NS" "$WORKLOAD" -n "$N" -p $((7400 + i)) >/dev/null ||
		bad "workload $i failed"
	sleep 0.25
	cp "$trace" "$TMP/copy.skr"
	"$SOCKANA" --info "$TMP/copy.skr" >"$TMP/copy.info" 2>&1
	if grep -Eq '^File status: +truncated, 1 segment; kept [0-9]+ records, [0-9.]+ s of events \(the last frame unfinished: its complete blocks read, its checksum missing\)$' "$TMP/copy.info"; then
		partial=$((partial + 1))
		cp "$TMP/copy.skr" "$TMP/live.skr"
	fi
done
check "live copies: events read inside an unfinished frame ($partial of 10)" test "$partial" -ge 1
if [ -f "$TMP/live.skr" ]; then
	"$CUTCHECK" "$TMP/live.skr" 7 --aligned >"$TMP/live.cut" 2>&1
	rc=$?
	check_eq "live copy: every 7th cut passes ($(tr '\n' ' ' <"$TMP/live.cut"))" 0 "$rc"
fi

rc=0
rec_stop || rc=$?
check_eq "sockrec exits 0" 0 "$rc"

"$SKRDUMP" "$trace" >"$TMP/dump" 2>&1
check_eq "skrdump reads the trace" 0 $?
# Each connection: 5 state changes on each side; each listener: 2.
states=$(grep -c "^STATE" "$TMP/dump")
check_eq "every state change of the workloads" $((10 * (N * 10 + 2))) "$states"

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
