#!/usr/bin/env bash
# Watching live (issue 15): while sockrec records a namespace of our own, a
# connection is refused and an accept queue overflows; the lines that say
# so must come out of `sockrec --print`, `sockana --follow` (events and
# --timeline) and `sockrec -o - -U | sockana - --timeline` before the
# recorder is stopped.  Then the followers end by themselves at the END of
# the recording (or the end of the pipe), --print's lines are sockana
# --events' lines, and Ctrl-C stops a follower of a trace that never ends.
# Every wait is a bounded poll: the QEMU guests run this 10-30x slower.
. "$(dirname "$0")/lib.sh"
need_root
DIAGTOOL=$BUILD/tests/diagtool
for t in "$WORKLOAD" "$DIAGTOOL"; do
	[ -x "$t" ] || { echo "missing $t (make $t)" >&2; exit 77; }
done

REFUSED=7301		# nothing listens there
FLOOD=7302		# listen(1), never accepts
WORK=7303		# three connections that open and close
netns_new live || exit 1
TRACE=$TMP/live.skr
PIPED=$TMP/piped.skr
FOLLOWERS=

# wait_for SECS FILE ERE: poll until a line of FILE matches, at most SECS s
# of wall time (a count of tries would stretch tenfold in a slow guest).
wait_for() {
	local end=$((SECONDS + $1)) file=$2 re=$3
	while :; do
		grep -Eq -- "$re" "$file" 2>/dev/null && return 0
		[ "$SECONDS" -ge "$end" ] && return 1
		sleep 0.2
	done
}

# wait_gone SECS PID: poll until PID has exited, at most SECS s.
wait_gone() {
	local end=$((SECONDS + $1)) pid=$2
	while kill -0 "$pid" 2>/dev/null; do
		[ "$SECONDS" -ge "$end" ] && return 1
		sleep 0.2
	done
	return 0
}

live_cleanup() {
	local p
	for p in $FOLLOWERS ${PIPE_REC:-}; do
		kill -KILL "$p" 2>/dev/null
	done
	t_cleanup
}
trap live_cleanup EXIT

# The issue's own pipeline, through tee so that we can tell when it records.
mkfifo "$TMP/fifo"
"$SOCKANA" - --timeline <"$TMP/fifo" >"$TMP/pipe.tl" 2>"$TMP/pipe.err" &
PIPE_ANA=$!
FOLLOWERS="$FOLLOWERS $PIPE_ANA"
"$SOCKREC" -o - -U -q --netns "$NS_INODE" 2>"$TMP/pipe-rec.err" \
	> >(tee "$PIPED" >"$TMP/fifo") &
PIPE_REC=$!
# The file one, with --print.
rec_start "$TRACE" -q --print --netns "$NS_INODE" >"$TMP/print.out" || exit 1
end=$((SECONDS + 120))
until rec_ready "$PIPED" || [ "$SECONDS" -ge "$end" ]; do
	sleep 0.2
done
check "the piped recorder records" rec_ready "$PIPED"

"$SOCKANA" --follow "$TRACE" >"$TMP/follow.out" 2>"$TMP/follow.err" &
F_EVENTS=$!
"$SOCKANA" --follow --timeline "$TRACE" >"$TMP/follow.tl" 2>"$TMP/follow-tl.err" &
F_TIMELINE=$!
FOLLOWERS="$FOLLOWERS $F_EVENTS $F_TIMELINE"

# A refused connect, an overflowing accept queue, three good connections.
ip netns exec "$NS" bash -c "exec 3<>/dev/tcp/127.0.0.1/$REFUSED" 2>/dev/null
check "the connect to :$REFUSED was refused" test $? -ne 0
ip netns exec "$NS" "$DIAGTOOL" flood $FLOOD 1 6 1500 >"$TMP/flood.out"
check_eq "the flood ran" 0 $?
timeout 60 ip netns exec "$NS" "$WORKLOAD" -p $WORK -n 3 >"$TMP/workload.out"
check_eq "three connections completed" 0 $?

# The classic-tracepoint tier knows no state for the error (no " in CLOSE").
REFUSED_LINE=" error ECONNREFUSED [0-9.]+:[0-9]+ > 127\\.0\\.0\\.1:$REFUSED( |\$)"
OVERFLOW_LINE=" listener port $FLOOD queue [0-9]+/1 drops [1-9]"
BLOCK_LINE="^#[0-9]+ cookie 0x[0-9a-f]+ IPv4 127\\.0\\.0\\.1:[0-9]+ -> 127\\.0\\.0\\.1:$REFUSED "
check "sockrec --print: the refused connect" wait_for 120 "$TMP/print.out" "$REFUSED_LINE"
check "sockrec --print: the overflow" wait_for 120 "$TMP/print.out" "$OVERFLOW_LINE"
check "sockana --follow: the refused connect" wait_for 120 "$TMP/follow.out" "$REFUSED_LINE"
check "sockana --follow: the overflow" wait_for 120 "$TMP/follow.out" "$OVERFLOW_LINE"
check "sockana --follow --timeline: the refused socket's block" \
	wait_for 120 "$TMP/follow.tl" "$BLOCK_LINE"
check "sockrec -o - -U | sockana - --timeline: the refused socket's block" \
	wait_for 120 "$TMP/pipe.tl" "$BLOCK_LINE"
check "sockrec -o - -U | sockana - --timeline: a closed connection to :$WORK" \
	wait_for 120 "$TMP/pipe.tl" "^#[0-9]+ .* 127\\.0\\.0\\.1:[0-9]+ -> 127\\.0\\.0\\.1:$WORK "
# All of it before either recorder was told to stop.
check "the file's recorder is still running" kill -0 "$REC_PID"
check "the piped recorder is still running" kill -0 "$PIPE_REC"
check "the followers are still running" kill -0 $F_EVENTS $F_TIMELINE $PIPE_ANA

rc=0
rec_stop || rc=$?
check_eq "sockrec --print exits 0" 0 "$rc"
check "sockana --follow ends at the END by itself" wait_gone 120 $F_EVENTS
check "sockana --follow --timeline ends at the END by itself" wait_gone 120 $F_TIMELINE
rc=0; wait $F_EVENTS || rc=$?
check_eq "sockana --follow exits 0" 0 "$rc"
rc=0; wait $F_TIMELINE || rc=$?
check_eq "sockana --follow --timeline exits 0" 0 "$rc"
kill -INT "$PIPE_REC"
rc=0; wait "$PIPE_REC" || rc=$?
check_eq "the piped sockrec exits 0" 0 "$rc"
check "sockana - ends with the pipe" wait_gone 120 $PIPE_ANA
rc=0; wait $PIPE_ANA || rc=$?
check_eq "sockana - exits 0" 0 "$rc"
FOLLOWERS=
PIPE_REC=

# What was followed is what the finished file says.
"$SOCKANA" --events "$TRACE" >"$TMP/events.out"
check_eq "sockana --events exits 0" 0 $?
check "sockana --follow printed what --events prints of the whole file" \
	cmp -s "$TMP/events.out" "$TMP/follow.out"
"$SOCKANA" --timeline "$TRACE" >"$TMP/timeline.txt"
# (A life split by an event more than SA_LIVE_LAG_NS late would add one.)
check "--follow --timeline has as many blocks as --timeline, or more" \
	test "$(grep -c '^#' "$TMP/follow.tl")" -ge "$(grep -c '^#' "$TMP/timeline.txt")"
# --print writes in the order it reads the CPUs' buffers, sockana in time
# order; the times may differ by the clock samples' microsecond.  sockana
# --events ends with the trace's warnings; "N events lost" (recursion
# misses of other traffic, say) has no --print line, and is the one kind
# left out.  Any other line that differs, warnings included, fails.
LOST_LINE='^WARNING: [0-9]+ events? lost; timelines may have gaps$'
same_lines() {
	cmp -s <(cut -d' ' -f2- "$1" | sort) \
		<(grep -Ev "$LOST_LINE" "$2" | cut -d' ' -f2- | sort)
}
check "sockrec --print's lines are sockana --events' lines" \
	same_lines "$TMP/print.out" "$TMP/events.out"
# The comparison itself: it leaves out a lost-events line and nothing else.
differs() { ! same_lines "$@"; }
{ cat "$TMP/events.out"; echo "WARNING: 3 events lost; timelines may have gaps"; } >"$TMP/events.lost"
check "the comparison leaves out an \"events lost\" line" \
	same_lines "$TMP/print.out" "$TMP/events.lost"
{ cat "$TMP/events.out"; echo "WARNING: 1 event could not be put in time order (reorder buffer full or rounds broken)"; } >"$TMP/events.warn"
check "the comparison fails on another warning" \
	differs "$TMP/print.out" "$TMP/events.warn"
# One event line changed: a digit added to its end (a port, a count).
sed '1s/$/1/' "$TMP/events.out" >"$TMP/events.changed"
check "the comparison fails on an event line that differs" \
	differs "$TMP/print.out" "$TMP/events.changed"
check "the follower wrote nothing on stderr" test ! -s "$TMP/follow.err"

# A trace that never gets its END: Ctrl-C stops the follower, which
# reports what it read and says the trace is cut.
head -c "$(($(stat -c %s "$TRACE") - 30))" "$TRACE" >"$TMP/cut.skr"
"$SOCKANA" --follow "$TMP/cut.skr" >"$TMP/cut.out" 2>"$TMP/cut.err" &
F_CUT=$!
FOLLOWERS=$F_CUT
check "a follower of a cut trace prints its events" \
	wait_for 120 "$TMP/cut.out" "$REFUSED_LINE"
check "and waits for more" kill -0 $F_CUT
kill -INT $F_CUT
check "SIGINT stops it" wait_gone 120 $F_CUT
rc=0; wait $F_CUT || rc=$?
check_eq "it exits 0" 0 "$rc"
check "it says the trace is truncated" grep -q 'truncated' "$TMP/cut.out"
FOLLOWERS=

# Misuse.
rc=0; "$SOCKREC" -o - --print >/dev/null 2>"$TMP/misuse.err" || rc=$?
check_eq "sockrec -o - --print is a usage error" 2 "$rc"
rc=0; "$SOCKANA" --follow "$TRACE" "$TRACE" >/dev/null 2>&1 || rc=$?
check_eq "sockana --follow with two files is a usage error" 2 "$rc"
finish
