#!/usr/bin/env bash
# sockana --follow on a rotated recording: sockrec -C writes NAME.0,
# NAME.1, ..., each a whole trace ending with its own END.  A follower of
# NAME.0 must go on to NAME.1 and the rest of the same capture while the
# recorder writes them, and end by itself after the last file's END once
# the recorder has stopped; what it printed is what the finished files say
# together.  Every wait is a bounded poll on wall time: the QEMU guests run
# this 10-30x slower.
. "$(dirname "$0")/lib.sh"
need_root
[ -x "$WORKLOAD" ] || { echo "missing $WORKLOAD (make $WORKLOAD)" >&2; exit 77; }

PORT=7311
MIN_FILES=3
netns_new liverot || exit 1
BASE=$TMP/rot.skr
FOLLOWER=

# wait_until SECS CMD...: poll CMD until it succeeds, at most SECS s.
wait_until() {
	local end=$((SECONDS + $1))
	shift
	until "$@"; do
		[ "$SECONDS" -ge "$end" ] && return 1
		sleep 0.2
	done
}

has_file() { [ -s "$BASE.$1" ]; }
alive() { kill -0 "$1" 2>/dev/null; }
gone() { ! alive "$1"; }
# the follower printed at least $1 state lines
printed() { [ "$(grep -c ' state ' "$TMP/follow.out" 2>/dev/null)" -ge "$1" ]; }

rot_cleanup() {
	[ -n "$FOLLOWER" ] && kill -KILL "$FOLLOWER" 2>/dev/null
	t_cleanup
}
trap rot_cleanup EXIT

# -C 4k is sockrec's smallest file; frames are cut at that size too.
rec_start_wait "$BASE.0" "$BASE" -q -C 4k --netns "$NS_INODE" || exit 1
"$SOCKANA" --follow "$BASE.0" >"$TMP/follow.out" 2>"$TMP/follow.err" &
FOLLOWER=$!

# Connections in rounds until the recorder has begun file MIN_FILES (so
# that at least MIN_FILES files are complete), at most 40 rounds and 300 s.
end=$((SECONDS + 300))
rounds=0
while ! has_file "$MIN_FILES" && [ "$rounds" -lt 40 ] && [ "$SECONDS" -lt "$end" ]; do
	timeout 60 ip netns exec "$NS" "$WORKLOAD" -p "$PORT" -n 50 \
		>>"$TMP/workload.out" 2>&1
	rounds=$((rounds + 1))
done
check "sockrec -C 4k wrote at least $((MIN_FILES + 1)) files ($rounds rounds)" \
	has_file "$MIN_FILES"
# The follower is past the first files while the recorder still runs:
# it printed more state changes than the first file holds.
first=$("$SOCKANA" --events "$BASE.0" | grep -c ' state ')
check "the follower goes past $BASE.0 ($first state lines) while recording" \
	wait_until 120 printed $((first + 1))
check "the recorder is still running" alive "$REC_PID"
check "the follower is still running" alive "$FOLLOWER"

rc=0
rec_stop || rc=$?
check_eq "sockrec exits 0" 0 "$rc"
check "sockana --follow ends by itself after the last file's END" \
	wait_until 120 gone "$FOLLOWER"
rc=0; wait "$FOLLOWER" || rc=$?
check_eq "sockana --follow exits 0" 0 "$rc"
FOLLOWER=
check "it wrote nothing on stderr" test ! -s "$TMP/follow.err"

# The files of the capture, in index order, read as one concatenation.
files=()
for ((i = 0; i < 10000; i++)); do
	[ -e "$BASE.$i" ] || break
	files+=("$BASE.$i")
done
check "the recorder wrote at least $((MIN_FILES + 1)) files" \
	test "${#files[@]}" -gt "$MIN_FILES"
cat "${files[@]}" | "$SOCKANA" --events - >"$TMP/all.out"
check_eq "sockana --events of them all exits 0" 0 "${PIPESTATUS[1]}"
check "the follower printed every event of all ${#files[@]} files" \
	cmp -s "$TMP/all.out" "$TMP/follow.out"
finish
