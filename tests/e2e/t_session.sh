#!/usr/bin/env bash
# The recording session: rotation by size and time with a ring of files,
# zstd level, comment, privilege drop, SIGUSR1 stats, and the files left
# behind by SIGKILL and by a file size limit.
. "$(dirname "$0")/lib.sh"
need_root

netns_new session || exit 1
chmod 755 "$TMP"

# The files of a rotated capture, in index order.
series() { ls -1v "$1".* 2>/dev/null; }

# Transitions recorded for the sockets of our namespace, from a timeline.
# State changes of the sockets of our namespace in a --timeline, or with a
# port, of the sockets of that port only (not a FIN_WAIT2 of an earlier run
# that times out meanwhile: a slow guest takes a minute between runs).
our_transitions() {
	awk -v ns="$NS_INODE" -v port="${2:-}" '
		/^#[0-9]+ / { mine = 0; for (i = 1; i < NF; i++) if ($i == "netns" && $(i + 1) == ns) mine = 1
			      if (port != "" && index($0, ":" port " ") == 0) mine = 0; next }
		mine && $4 == "->" { n++ }
		END { print n + 0 }' "$1"
}

workload() { ip netns exec "$NS" "$WORKLOAD" -n "$1" -p "$2" >/dev/null; }

# ---- -C without a ring: no event lost or repeated across rotations
N=300
dir=$TMP/all
mkdir "$dir"
rec_start_wait "$dir/c.skr.0" "$dir/c.skr" -C 4k --buffer-pages 64 || exit 1
workload "$N" 7201
check_eq "workload ran" 0 $?
sleep 0.5
rc=0
rec_stop || rc=$?
check_eq "-C: sockrec exits 0" 0 "$rc"
nfiles=$(series "$dir/c.skr" | wc -l)
check "-C: rotated into several files ($nfiles)" [ "$nfiles" -ge 3 ]
# shellcheck disable=SC2046
cat $(series "$dir/c.skr") >"$TMP/c.cat"
"$SOCKANA" "$TMP/c.cat" --timeline >"$TMP/c.timeline" 2>&1
got=$(our_transitions "$TMP/c.timeline")
check_eq "-C: every transition of the workload once, across files" $((10 * N + 2)) "$got"
if [ "$got" != $((10 * N + 2)) ]; then
	# What a failure needs explained: the files, lost events, and the
	# sockets of port 7201 whose transitions are not the usual 5 (2 for the
	# listener).
	ls -l "$dir"
	"$SOCKANA" "$TMP/c.cat" --info 2>&1 | sed 's/^/    info: /'
	awk -v ns="$NS_INODE" '
		/^#[0-9]+ / { if (hdr != "" && n != 5) print "    odd: " n " " hdr; hdr = ""; n = 0
			      if (index($0, ":7201 ")) hdr = $0; next }
		hdr != "" && $4 == "->" { n++ }
		END { if (hdr != "" && n != 5) print "    odd: " n " " hdr }' "$TMP/c.timeline"
fi
"$SOCKANA" "$TMP/c.cat" --info >"$TMP/c.info" 2>&1
check "-C: the series is complete, one segment per file" \
	grep -Eq "^File status: +complete, $nfiles segments\$" "$TMP/c.info"
check "-C: the files are one capture" \
	grep -Eq "^File index: +0 to $((nfiles - 1))\$" "$TMP/c.info"

# ---- -C with -W 3: exactly the 3 newest files, each complete, one series
dir=$TMP/ring
mkdir "$dir"
rec_start_wait "$dir/r.skr.0" "$dir/r.skr" -C 4k -W 3 || exit 1
workload 400 7202
sleep 0.5
rc=0
rec_stop || rc=$?
check_eq "-W 3: sockrec exits 0" 0 "$rc"
check_eq "-W 3: exactly 3 files left" 3 "$(series "$dir/r.skr" | wc -l)"
for f in $(series "$dir/r.skr"); do
	check "-W 3: $(basename "$f") passes zstd -t" zstd -q -t "$f"
	"$SOCKANA" "$f" --info >"$TMP/r.info" 2>&1
	check "-W 3: $(basename "$f") alone is complete" \
		grep -Eq '^File status: +complete, 1 segment$' "$TMP/r.info"
done
first=$(series "$dir/r.skr" | head -n 1)
check "-W 3: older files were deleted" [ "${first##*.}" -ge 3 ]
# shellcheck disable=SC2046,SC2002
cat $(series "$dir/r.skr") | "$SOCKANA" - --info >"$TMP/r.cat.info" 2>&1
check_eq "-W 3: sockana reads the concatenation" 0 $?
check "-W 3: concatenation is complete, 3 segments" \
	grep -Eq '^File status: +complete, 3 segments$' "$TMP/r.cat.info"
check "-W 3: one capture" sh -c "! grep -q 'different captures' '$TMP/r.cat.info'"

# ---- -G: a new file every second
dir=$TMP/time
mkdir "$dir"
# Until the third file is in place (bounded), not for a fixed time: each new
# file's snapshot takes longer in a slow guest.  Not more than one file per
# second either: at most one per whole second sockrec ran, plus its first.
t0=$(date +%s%N)
rec_start_wait "$dir/g.skr.0" "$dir/g.skr" -G 1 -q || exit 1
for _ in $(seq 300); do
	[ -e "$dir/g.skr.2" ] && rec_ready "$dir/g.skr.2" && break
	sleep 0.1
done
# The kernel's BTF (5.4 MB on 6.18) is read at the start and let go once the
# hooks are attached: the files keep what they say of it, not the BTF.  A
# recorder that kept it has more anonymous memory than the BTF's size (8.8
# MB against 5.4 when it did); one that does not, about 3 MB.
btf_bytes=$(stat -c %s /sys/kernel/btf/vmlinux 2>/dev/null || echo 0)
anon=$(awk '/^RssAnon:/ { print $2 * 1024 }' "/proc/$REC_PID/status")
if grep -q __asan_init "$SOCKREC" 2>/dev/null || ldd "$SOCKREC" 2>/dev/null | grep -q libasan; then
	echo "  skipped under ASan, which inflates RSS: -G: no copy of the BTF kept ($anon bytes)"
elif [ "$btf_bytes" -gt 0 ]; then
	check "-G: no copy of the kernel's BTF kept while recording (RssAnon $anon < BTF $btf_bytes bytes)" \
		test "${anon:-0}" -gt 0 -a "${anon:-0}" -lt "$btf_bytes"
fi
rc=0
rec_stop || rc=$?
ran_ms=$((($(date +%s%N) - t0) / 1000000))
check_eq "-G: sockrec exits 0" 0 "$rc"
n=$(series "$dir/g.skr" | wc -l)
check "-G 1: a third file within 30 s ($n files)" test "$n" -ge 3
check "-G 1: at most one new file a second ($n files in $ran_ms ms)" \
	test "$n" -le $((ran_ms / 1000 + 1))
for f in $(series "$dir/g.skr"); do
	"$SOCKANA" "$f" --info >"$TMP/g.info" 2>&1
	check "-G: $(basename "$f") alone is complete" \
		grep -Eq '^File status: +complete, 1 segment$' "$TMP/g.info"
done
# Every file says the same of the hooks, the kernel's reason names and
# limits included, though the BTF they came from was let go after the start.
SKRDUMP=$BUILD/tests/skrdump
if [ -x "$SKRDUMP" ]; then
	"$SKRDUMP" "$dir/g.skr.0" | grep '^PROBE' >"$TMP/g.probes0"
	# t2: the tier kfree_skb attached with (0: none, then no names either)
	if grep -Eq '^PROBE t1=kfree_skb t2=[12] ' "$TMP/g.probes0"; then
		check "-G: the first file names kfree_skb's drop reasons" \
			grep -Eq '^PROBE t1=kfree_skb .* enum[0-9]+=NOT_SPECIFIED' "$TMP/g.probes0"
	fi
	for f in $(series "$dir/g.skr" | tail -n +2); do
		"$SKRDUMP" "$f" | grep '^PROBE' >"$TMP/g.probes"
		check "-G: $(basename "$f") has the first file's PROBE records" \
			cmp -s "$TMP/g.probes0" "$TMP/g.probes"
	done
else
	bad "$SKRDUMP missing: make $SKRDUMP"
fi
check_eq "-q: nothing on stderr" 0 "$(wc -c <"$TMP/sockrec.err" | tr -d ' ')"

# ---- -Z nobody, with rotation, --comment, -z 19, SIGUSR1
dir=$TMP/user
mkdir "$dir"
chmod 1777 "$dir"
rec_start_wait "$dir/z.skr.0" "$dir/z.skr" -G 1 -Z nobody -z 19 \
	--comment "session test $$" || exit 1
uids=""
for _ in $(seq 30); do
	uids=$(awk '/^Uid:/ { print $2, $3, $4, $5 }' "/proc/$REC_PID/status")
	[ "$uids" = "65534 65534 65534 65534" ] && break
	sleep 0.1
done
check_eq "-Z: the recorder runs as nobody" "65534 65534 65534 65534" "$uids"
check_eq "-Z: no capability left" 0000000000000000 \
	"$(awk '/^CapEff:/ { print $2 }' "/proc/$REC_PID/status")"
workload 5 7203
# A second file (the drop must not stop rotation), waited for, up to 30 s.
for _ in $(seq 300); do
	[ -e "$dir/z.skr.1" ] && break
	sleep 0.1
done
kill -USR1 "$REC_PID"
for _ in $(seq 100); do
	grep -q '^sockrec: [0-9]* events' "$TMP/sockrec.err" && break
	sleep 0.1
done
rc=0
rec_stop || rc=$?
check_eq "-Z: sockrec exits 0" 0 "$rc"
check "SIGUSR1 prints the stats" grep -Eq '^sockrec: [0-9]+ events, [0-9]+ lost, .* events/s$' "$TMP/sockrec.err"
check "summary states losses and recursion misses" \
	grep -Eq 'events recorded, [0-9]+ lost \(perf buffer [0-9]+, failed outputs [0-9]+\), [0-9]+ recursion misses' "$TMP/sockrec.err"
# shellcheck disable=SC2046
owners=$(stat -c %U $(series "$dir/z.skr") | sort -u)
check_eq "-Z: every file is owned by nobody" nobody "$owners"
check "-Z: at least 2 files" [ "$(series "$dir/z.skr" | wc -l)" -ge 2 ]
# shellcheck disable=SC2046
cat $(series "$dir/z.skr") >"$TMP/z.cat"
check "-z 19: passes zstd -t" zstd -q -t "$TMP/z.cat"
"$SOCKANA" "$TMP/z.cat" --info >"$TMP/z.info" 2>&1
check_eq "-z 19: sockana --info exits 0" 0 $?
check "-z 19: complete" grep -Eq '^File status: +complete' "$TMP/z.info"
check "--comment is in the file" grep -Eq "^Comment: +session test $$\$" "$TMP/z.info"
"$SOCKANA" "$TMP/z.cat" --timeline >"$TMP/z.timeline" 2>&1
check_eq "-Z: events after the drop are recorded" 52 "$(our_transitions "$TMP/z.timeline")"

rc=0
"$SOCKREC" -o "$TMP/nouser.skr" -Z skr-no-such-user 2>"$TMP/nouser.err" || rc=$?
check_eq "-Z with an unknown user exits 2" 2 "$rc"
check "-Z with an unknown user: no file" [ ! -e "$TMP/nouser.skr" ]
check "-Z with an unknown user: says so" grep -q "no such user" "$TMP/nouser.err"

# ---- SIGKILL: readable up to the last flush
killed=$TMP/killed.skr
rec_start "$killed" || exit 1
workload 3 7204
# Killed once the transitions are readable in the live file (at most 10 s).
live=0
for _ in $(seq 100); do
	"$SOCKANA" "$killed" --timeline >"$TMP/killed.live" 2>/dev/null
	live=$(our_transitions "$TMP/killed.live" 7204)
	[ "$live" -ge 32 ] && break
	sleep 0.1
done
kill -KILL "$REC_PID"
wait "$REC_PID" 2>/dev/null
REC_PID=
"$SOCKANA" "$killed" --timeline >"$TMP/killed.timeline" 2>&1
check_eq "SIGKILL: sockana reads the file" 0 $?
# 3 connections: 10 state changes each and the listener's 2, plus one per
# socket that closed at the same time as its peer (FIN_WAIT1 -> CLOSING ->
# TIME_WAIT instead of CLOSE_WAIT -> LAST_ACK: a slow guest does that); never
# fewer than were readable before the kill, never a socket's twice.
got=$(our_transitions "$TMP/killed.timeline" 7204)
check "SIGKILL: every transition up to the last flush (32 to 38, and the $live read before the kill: $got)" \
	test "$got" -ge 32 -a "$got" -le 38 -a "$got" -ge "$live"

# ---- RLIMIT_FSIZE: a clear error, exit 1, a file valid up to the failure
fsize=$TMP/fsize.skr
(ulimit -f 4; exec "$SOCKREC" -o "$fsize" -U) 2>"$TMP/fsize.err" &
REC_PID=$!
for _ in $(seq 50); do [ -s "$fsize" ] && break; sleep 0.1; done
workload 800 7205
for _ in $(seq 50); do kill -0 "$REC_PID" 2>/dev/null || break; sleep 0.1; done
kill -INT "$REC_PID" 2>/dev/null
rc=0
wait "$REC_PID" || rc=$?
REC_PID=
check_eq "ulimit -f: sockrec exits 1" 1 "$rc"
check "ulimit -f: says the file is too large" grep -q "File too large" "$TMP/fsize.err"
check_eq "ulimit -f: the file stops at the limit" 4096 "$(stat -c %s "$fsize")"
"$SOCKANA" "$fsize" --info >"$TMP/fsize.info" 2>&1
check_eq "ulimit -f: sockana reads the file" 0 $?
check "ulimit -f: reported truncated" grep -Eq '^File status: +truncated' "$TMP/fsize.info"

# ---- misuse
for args in "-W 3" "-C 1k" "-C 10x" "-z 20" "--buffer-pages 3" "-G 0"; do
	rc=0
	# shellcheck disable=SC2086
	"$SOCKREC" -o "$TMP/misuse.skr" $args 2>/dev/null || rc=$?
	check_eq "sockrec -o F $args exits 2" 2 "$rc"
done
rc=0
"$SOCKREC" -o - -C 1M >/dev/null 2>&1 || rc=$?
check_eq "sockrec -o - -C exits 2" 2 "$rc"

finish
