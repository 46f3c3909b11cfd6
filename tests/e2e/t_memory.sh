#!/usr/bin/env bash
# sockana's peak memory against the bounds docs/FORMAT.md §11.2 states, on
# synthetic traces (bench/synth) that push each bound: one round of 3 M
# events (the reorder buffer full), that file given twice (the bound is
# shared by the inputs), and --timeline with 1,048,576 sockets live at once
# (the socket table and the kept items full).  Peak RSS comes from GNU time.
# Needs no root.  Under AddressSanitizer RSS says nothing about the program's
# own allocations, so the traces are smaller and only the reports are checked.
. "$(dirname "$0")/lib.sh"

SYNTH=$BUILD/bench/synth
GNUTIME=/usr/bin/time
MIB=1024	# GNU time's %M is in KiB

# The bounds, in MiB, as FORMAT.md §11.2 states them.
REORDER=256	# reorder buffers, all inputs together
READER=13	# one reader (§11.1)
TABLE=568	# socket table at 1,048,576 live sockets, with --timeline items
# The program, its libraries and the socket table of a trace with 1,000
# connections open (about 6,000 sockets counting those in their grace).
BASE=16

if [ ! -x "$SYNTH" ]; then
	bad "$SYNTH missing: make $BUILD/bench/synth"
	finish
fi
if [ ! -x "$GNUTIME" ]; then
	bad "$GNUTIME missing: GNU time measures peak memory (.ci/install-deps installs it)"
	finish
fi

asan=
if grep -q __asan_init "$SOCKANA" 2>/dev/null || ldd "$SOCKANA" 2>/dev/null | grep -q libasan; then
	asan=1
	echo "t_memory: WARNING: sockana is built with AddressSanitizer, which inflates RSS:" >&2
	echo "t_memory: WARNING: smaller traces, peak memory NOT checked; run it on a plain build" >&2
fi

# peak_mib OUT CMD...: run CMD, print its peak RSS in MiB; the last 200 lines
# of its stdout go to OUT (a timeline of a million sockets is hundreds of MB).
peak_mib() {
	local out=$1 kib rc
	shift
	"$GNUTIME" -f '%M' -o "$TMP/rss" "$@" 2>"$TMP/err" | tail -n 200 >"$out"
	rc=${PIPESTATUS[0]}
	if [ "$rc" -ne 0 ]; then
		echo "t_memory: $* failed:" >&2
		cat "$TMP/err" >&2
		echo -1
		return
	fi
	kib=$(tail -n 1 "$TMP/rss")
	echo $(((kib + MIB - 1) / MIB))
}

# within DESC MIB LIMIT: a check that peak MIB stays at or below LIMIT.
within() {
	local desc=$1 got=$2 limit=$3
	if [ -n "$asan" ]; then
		echo "  skipped under ASan: $desc (${got} MiB, limit ${limit} MiB)"
	elif [ "$got" -ge 0 ] && [ "$got" -le "$limit" ]; then
		ok "$desc: ${got} MiB <= ${limit} MiB"
	else
		bad "$desc: ${got} MiB, limit ${limit} MiB"
	fi
}

if [ -n "$asan" ]; then
	ROUND_EVENTS=200000 SOCK_EVENTS=20000 SOCK_CONNS=7000
else
	# 3 M events of 96 bytes do not fit in 256 MiB (about 1.9 M do);
	# 700,000 connections reach the 1,048,576 live sockets.
	ROUND_EVENTS=3000000 SOCK_EVENTS=2200000 SOCK_CONNS=700000
fi

# ---- one round: the reorder buffer at its bound ----
"$SYNTH" -o "$TMP/round.skr" -n "$ROUND_EVENTS" -R >/dev/null ||
	bad "synth -R failed"
got=$(peak_mib "$TMP/one.txt" "$SOCKANA" --info "$TMP/round.skr")
within "one input, one round of $ROUND_EVENTS events" "$got" $((REORDER + READER + BASE))
check "one input: every event comes out" grep -q "^Events: *$ROUND_EVENTS\$" "$TMP/one.txt"
if [ -z "$asan" ]; then
	# A bound that is really counted makes the buffer release early.
	check "one input: events released early" \
		grep -Eq '^Reordering: .* [1-9][0-9]* released early' "$TMP/one.txt"
fi

# ---- the same trace twice: one bound for both ----
got=$(peak_mib "$TMP/two.txt" "$SOCKANA" --info "$TMP/round.skr" "$TMP/round.skr")
within "two inputs, one round each" "$got" $((REORDER + 2 * READER + BASE))
# Both are read through their own buffers; the second, the same capture,
# is counted once (docs/OUTPUT.md, "Several inputs").
check_eq "two inputs: every event comes out once" "$ROUND_EVENTS" \
	"$(awk '/^Events:/ { n += $2 } END { print n }' "$TMP/two.txt")"
check "two inputs: the second said to be the same capture" \
	grep -q "^Duplicate: .*, its $ROUND_EVENTS events counted once\$" "$TMP/two.txt"
if [ -z "$asan" ]; then
	# Each input holds at most half of what one input alone may hold.
	one=$(sed -n 's/^Reordering: *peak \([0-9]*\) events held.*/\1/p' "$TMP/one.txt")
	two=$(sed -n 's/^Reordering: *peak \([0-9]*\) events held.*/\1/p' "$TMP/two.txt" | sort -n | tail -n 1)
	# (1% for what a buffer holds besides events)
	half() { [ -n "$one" ] && [ -n "$two" ] && [ $((200 * two)) -le $((101 * one)) ]; }
	check "two inputs: each holds at most half of what one alone holds ($two of $one)" half
fi

# ---- --timeline with the socket table full ----
"$SYNTH" -o "$TMP/socks.skr" -n "$SOCK_EVENTS" -l "$SOCK_CONNS" >/dev/null ||
	bad "synth -l failed"
got=$(peak_mib "$TMP/timeline.txt" "$SOCKANA" --timeline "$TMP/socks.skr")
within "--timeline, $SOCK_CONNS connections" "$got" $((TABLE + READER + BASE))
check "--timeline: counts every event" \
	grep -Eq "^[0-9]+ sockets, $SOCK_EVENTS events\$" "$TMP/timeline.txt"
if [ -z "$asan" ]; then
	check "--timeline: the trace reaches the live-socket bound" \
		grep -q "more than 1048576 open at once" "$TMP/timeline.txt"
fi

finish
