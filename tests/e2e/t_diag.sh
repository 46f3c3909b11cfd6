#!/usr/bin/env bash
# The sock_diag side of sockrec, in a namespace of our own that sockrec (in
# its own namespace) must visit:
#  - a listener and an established connection opened BEFORE sockrec starts
#    appear as SNAPSHOT records with their ports and SO_COOKIE cookies, and
#    the BPF state events of the same sockets carry the same cookies;
#  - a listener with a tiny backlog that never accepts while clients keep
#    connecting shows, in LISTENER samples, a full queue and growing drops,
#    and NETNS_STATS show ListenOverflows growing;
#  - a namespace pinned with `ip netns add` that has no process when sockrec
#    starts is listed anyway, and when a short-lived process floods a
#    listener there and exits, its counters are still read (from inside the
#    namespace, not through that process).
. "$(dirname "$0")/lib.sh"
need_root

DIAGTOOL=$BUILD/tests/diagtool
if [ ! -x "$DIAGTOOL" ]; then
	echo "missing $DIAGTOOL (make BUILD=... $DIAGTOOL)" >&2
	exit 1
fi

HOLD_PID=
NS2=
# Leaving the namespace does not end its processes: end ours first.
diag_cleanup() {
	[ -n "$HOLD_PID" ] && kill -KILL "$HOLD_PID" 2>/dev/null
	[ -n "$NS2" ] && ip netns del "$NS2" 2>/dev/null
	t_cleanup
}
trap diag_cleanup EXIT

HOLD_PORT=7101
FLOOD_PORT=7102
PIN_PORT=7103
FLOODERS=50

netns_new diag || exit 1
# Small limit: listen(16) and listen(8) both become 2.
ip netns exec "$NS" sysctl -qw net.core.somaxconn=2 || exit 1

# ---- misuse of the option, before anything is loaded ----
"$SOCKREC" -o "$TMP/x.skr" --sample-interval 1x 2>"$TMP/misuse.err"
check_eq "--sample-interval 1x is misuse" 2 $?
check "misuse names the option" grep -q -- "--sample-interval" "$TMP/misuse.err"

# ---- sockets that exist before sockrec starts ----
ip netns exec "$NS" "$DIAGTOOL" hold "$HOLD_PORT" >"$TMP/hold.out" &
HOLD_PID=$!
for _ in $(seq 50); do
	grep -q '^ready' "$TMP/hold.out" 2>/dev/null && break
	sleep 0.1
done
if ! grep -q '^ready' "$TMP/hold.out"; then
	echo "diagtool hold did not start" >&2
	exit 1
fi
# "listen port=P cookie=C" -> the value of key $2 on the line starting with $1
field() { awk -v k="$1" -v f="$2" '$1 == k { for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == f) print kv[2] } }' "$TMP/hold.out"; }
L_COOKIE=$(field listen cookie)
C_PORT=$(field client port)
C_COOKIE=$(field client cookie)
A_COOKIE=$(field accepted cookie)

trace=$TMP/diag.skr
rec_start "$trace" -q --sample-interval 100 || exit 1

# ---- an accept queue that overflows ----
ip netns exec "$NS" "$DIAGTOOL" flood "$FLOOD_PORT" 8 "$FLOODERS" 1500 >"$TMP/flood.out"
check_eq "flood ran" 0 $?
F_COOKIE=$(awk '{ for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == "cookie") print kv[2] } }' "$TMP/flood.out")

# ---- every rotated file starts with its own snapshot and baseline ----
"$SOCKREC" -q -o "$TMP/rot.skr" -G 1 -d 2 --sample-interval 100 2>"$TMP/rot.err"
check_eq "rotating sockrec exits 0" 0 $?
for f in "$TMP/rot.skr.0" "$TMP/rot.skr.1"; do
	"$DIAGTOOL" dump "$f" >"$TMP/rot.dump" 2>&1
	b=$(basename "$f")
	check_eq "$b: one whole snapshot" 1 "$(grep -c '^SNAPSHOT kind=3 ' "$TMP/rot.dump")"
	check_eq "$b: held listener in the snapshot" 1 \
		"$(grep -c "^SNAPSHOT kind=1 .* netns=$NS_INODE cookie=$L_COOKIE state=10 " "$TMP/rot.dump")"
	check_eq "$b: held listener's baseline sample" 1 \
		"$(grep -c "^LISTENER .* netns=$NS_INODE cookie=$L_COOKIE .* flags=1\$" "$TMP/rot.dump")"
done

# Closing the held connection makes BPF report its cookie.
kill -TERM "$HOLD_PID"
wait "$HOLD_PID"
HOLD_PID=
sleep 0.5
rc=0
rec_stop || rc=$?
check_eq "sockrec exits 0" 0 "$rc"

"$DIAGTOOL" dump "$trace" >"$TMP/dump"
check_eq "trace dumps cleanly" 0 $?
grep " netns=$NS_INODE " "$TMP/dump" >"$TMP/mine"

# count LINES matching all "key=value" words given
count() {
	awk -v words="$*" 'BEGIN { n = split(words, w, " ") }
		{ line = " " $0 " "; for (i = 1; i <= n; i++) if (!index(line, " " w[i] " ")) next; c++ }
		END { print c + 0 }' "${MINE:-$TMP/mine}"
}

# ---- snapshot ----
check_eq "snapshot: listener with port, cookie and clamped limit" 1 \
	"$(count SNAPSHOT kind=1 state=10 sport=$HOLD_PORT cookie=$L_COOKIE rqueue=0 wqueue=2)"
check_eq "snapshot: client side of the connection" 1 \
	"$(count SNAPSHOT kind=1 state=1 sport=$C_PORT dport=$HOLD_PORT cookie=$C_COOKIE)"
check_eq "snapshot: accepted side of the connection" 1 \
	"$(count SNAPSHOT kind=1 state=1 sport=$HOLD_PORT dport=$C_PORT cookie=$A_COOKIE)"
check_eq "snapshot: our namespace listed, 3 sockets, no error" 1 \
	"$(count SNAPSHOT kind=2 count=3 error=0)"
check_eq "snapshot: one END marker" 1 "$(grep -c '^SNAPSHOT kind=3 ' "$TMP/dump")"
last_snap=$(grep -n '^SNAPSHOT' "$TMP/dump" | tail -n 1 | cut -d: -f1)
first_ev=$(grep -n -E '^(STATE|LISTENER|NETNS_STATS)' "$TMP/dump" | head -n 1 | cut -d: -f1)
check "snapshot: END is its last record, before any event" \
	test "$(sed -n "${last_snap}p" "$TMP/dump" | cut -d' ' -f2)" = kind=3 -a "$last_snap" -lt "${first_ev:-0}"
listed=$(grep '^SNAPSHOT kind=3 ' "$TMP/dump" | sed 's/.* listed=\([0-9]*\).*/\1/')
check "snapshot: at least 2 namespaces listed (own and ours)" test "${listed:-0}" -ge 2

# The cookie sock_diag gives is the one bpf_get_socket_cookie gives.
check "BPF state events carry the client's snapshot cookie" \
	test "$(count STATE cookie=$C_COOKIE old=1 new=4)" -eq 1
check "BPF state events carry the accepted socket's snapshot cookie" \
	test "$(count STATE cookie=$A_COOKIE)" -ge 1

# ---- listener samples ----
check_eq "first sample of the held listener is a baseline" 1 \
	"$(count LISTENER cookie=$L_COOKIE sport=$HOLD_PORT ack=0 max=2 flags=1)"
awk -v c="cookie=$F_COOKIE" '$1 == "LISTENER" && $0 ~ (" " c " ") {
		for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		print v["ack"], v["max"], v["drops"], v["flags"]
	}' "$TMP/mine" >"$TMP/flood.samples"
n=$(wc -l <"$TMP/flood.samples")
check "flood listener: several samples ($n)" test "$n" -ge 3
check "flood listener: limit 2 after the somaxconn clamp" \
	test "$(awk '$2 != 2' "$TMP/flood.samples" | wc -l)" -eq 0
peak=$(awk 'BEGIN { m = 0 } $1 > m { m = $1 } END { print m }' "$TMP/flood.samples")
check "flood listener: accept queue reached its limit (peak $peak)" test "$peak" -ge 2
first_drops=$(head -n 1 "$TMP/flood.samples" | cut -d' ' -f3)
last_drops=$(tail -n 1 "$TMP/flood.samples" | cut -d' ' -f3)
check "flood listener: drops grow ($first_drops -> $last_drops)" \
	test "$last_drops" -gt "$first_drops"
check "flood listener: drops counted by the kernel" \
	test "$(awk '$4 >= 2' "$TMP/flood.samples" | wc -l)" -eq 0

# ---- namespace counters ----
# Last NETNS_STATS: "overflows drops"; the flood is over, so they are final.
awk '$1 == "NETNS_STATS" { split($4, o, "="); split($5, d, "="); last = (o[2] + 0) " " (d[2] + 0) }
	END { print last }' "$TMP/mine" >"$TMP/netns.last"
read -r ovf ldrops <"$TMP/netns.last"
check "NETNS_STATS: ListenOverflows > 0 (${ovf:-none})" test "${ovf:-0}" -gt 0
check_eq "NETNS_STATS: one baseline" 1 "$(count NETNS_STATS flags=1)"
# One overflowing listener in the namespace: its sk_drops is the netns's ListenDrops.
check_eq "listener drops equal the namespace's ListenDrops" "${ldrops:-none}" "$last_drops"
echo "  measured: $FLOODERS connects, peak queue $peak/2, sk_drops $first_drops -> $last_drops," \
	"ListenOverflows $ovf, ListenDrops $ldrops"

if [ -x "$SOCKANA" ]; then
	"$SOCKANA" "$trace" --info >"$TMP/info" 2>&1
	check_eq "sockana reads the trace" 0 $?
fi

# ---- a listener born while a sample is being taken ----
# strace stops sockrec at its third sock_diag request: with --netns, the
# snapshot makes two (IPv4, IPv6) and the first sample's IPv4 listener dump
# is the third.  That request fails with EINTR, which sockrec retries once
# continued, so the stop falls after the sample's time was taken and before
# the kernel makes the dump.  A listener opened meanwhile is in it; its first
# LISTENER record must still come after its own CLOSE -> LISTEN in time
# order, or an analyzer meets the sample before the socket (with classic
# tracepoints it then made a second listener of it, owner unknown, which
# took the overflows from the real one).
BORN_PORT=7104
if command -v strace >/dev/null; then
	# LeakSanitizer cannot run under ptrace: off for this one run.
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		strace -f -qq -o "$TMP/born.strace" -e trace=sendto \
		-e inject=sendto:error=EINTR:signal=SIGSTOP:when=3 \
		"$SOCKREC" -q -o "$TMP/born.skr" --netns "$NS_INODE" -d 1 \
		--sample-interval 100 2>"$TMP/born.err" &
	BORN_REC=$!
	STOPPED=
	for _ in $(seq 300); do
		STOPPED=$(awk '/--- stopped by SIGSTOP ---/ { print $1; exit }' "$TMP/born.strace" 2>/dev/null)
		[ -n "$STOPPED" ] && break
		kill -0 "$BORN_REC" 2>/dev/null || break
		sleep 0.1
	done
	check "born: sockrec stopped in its first sample" test -n "$STOPPED"
	ip netns exec "$NS" "$DIAGTOOL" hold "$BORN_PORT" >"$TMP/born.out" &
	HOLD_PID=$!
	for _ in $(seq 100); do
		grep -q '^ready' "$TMP/born.out" 2>/dev/null && break
		sleep 0.1
	done
	check "born: listener opened meanwhile" grep -q '^ready' "$TMP/born.out"
	[ -n "$STOPPED" ] && kill -CONT "$STOPPED"
	rc=0
	wait "$BORN_REC" || rc=$?
	check_eq "born: sockrec exits 0" 0 "$rc"
	kill -TERM "$HOLD_PID"
	wait "$HOLD_PID"
	HOLD_PID=
	"$DIAGTOOL" dump "$TMP/born.skr" >"$TMP/born.dump"
	check_eq "born: not in the snapshot" 0 \
		"$(grep -c "^SNAPSHOT kind=1 .* sport=$BORN_PORT " "$TMP/born.dump")"
	t_born=$(awk -v p="sport=$BORN_PORT" '$1 == "STATE" && index(" " $0 " ", " " p " ") &&
		/ old=7 new=10( |$)/ { sub("ts=", "", $2); print $2; exit }' "$TMP/born.dump")
	t_sample=$(awk -v p="sport=$BORN_PORT" '$1 == "LISTENER" && index(" " $0 " ", " " p " ") {
		sub("ts=", "", $2); print $2; exit }' "$TMP/born.dump")
	check "born: its CLOSE -> LISTEN recorded" test -n "$t_born"
	check "born: a sample of it" test -n "$t_sample"
	check "born: its first sample comes after its birth ($t_sample >= $t_born)" \
		test "${t_sample:-0}" -ge "${t_born:-1}"
	if [ -x "$SOCKANA" ]; then
		"$SOCKANA" --backlog --port "$BORN_PORT" "$TMP/born.skr" >"$TMP/born.bl" 2>&1
		check_eq "born: sockana sees one listener on it, with its owner" 1 \
			"$(grep -c "^#[0-9]* 127\.0\.0\.1:$BORN_PORT .* owner diagtool\[" "$TMP/born.bl")"
		check "born: and no other" grep -q '^1 listener$' "$TMP/born.bl"
	fi
else
	bad "strace is missing (.ci/install-deps installs it)"
fi

# ---- no sampling: snapshot only ----
trace0=$TMP/diag0.skr
rec_start "$trace0" -q --sample-interval 0 || exit 1
sleep 0.3
rc=0
rec_stop || rc=$?
check_eq "sockrec --sample-interval 0 exits 0" 0 "$rc"
"$DIAGTOOL" dump "$trace0" >"$TMP/dump0"
check_eq "--sample-interval 0: no samples" 0 "$(grep -c -E '^(LISTENER|NETNS_STATS)' "$TMP/dump0")"
check_eq "--sample-interval 0: still a snapshot" 1 "$(grep -c '^SNAPSHOT kind=3 ' "$TMP/dump0")"

# ---- a pinned namespace where only short-lived processes run ----
NS2=skr-diagpin-$$
ip netns add "$NS2" || exit 1
NS2_INODE=$(stat -L -c %i "/run/netns/$NS2")
trace2=$TMP/pinned.skr
rec_start "$trace2" -q --sample-interval 100 --netns "/run/netns/$NS2" || exit 1
check_eq "pinned netns: no process in it when sockrec starts" "" "$(ip netns pids "$NS2")"
sleep 0.3
# lo is down in a fresh namespace; bringing it up is another brief process.
ip -n "$NS2" link set lo up
ip netns exec "$NS2" "$DIAGTOOL" flood "$PIN_PORT" 2 "$FLOODERS" 1000 >"$TMP/flood2.out"
check_eq "pinned netns: flood ran" 0 $?
check_eq "pinned netns: its process has exited" "" "$(ip netns pids "$NS2")"
# Samples after the last process left must still read the counters.
sleep 0.5
rc=0
rec_stop || rc=$?
check_eq "pinned netns: sockrec exits 0" 0 "$rc"
P_COOKIE=$(awk '{ for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == "cookie") print kv[2] } }' "$TMP/flood2.out")
"$DIAGTOOL" dump "$trace2" >"$TMP/dump2"
check_eq "pinned netns: trace dumps cleanly" 0 $?
grep " netns=$NS2_INODE " "$TMP/dump2" >"$TMP/mine2"
MINE=$TMP/mine2
check_eq "pinned netns: listed in the snapshot without a process" 1 \
	"$(count SNAPSHOT kind=2 netns=$NS2_INODE error=0)"
check_eq "pinned netns: snapshot lists one namespace (--netns), none failed" 1 \
	"$(grep -c '^SNAPSHOT kind=3 .* listed=1 failed=0' "$TMP/dump2")"
check_eq "pinned netns: flood listener not in the snapshot" 0 "$(count SNAPSHOT cookie=$P_COOKIE)"
check_eq "pinned netns: flood listener's first sample" 1 "$(count LISTENER cookie=$P_COOKIE flags=1)"
awk -v c="cookie=$P_COOKIE" '$1 == "LISTENER" && $0 ~ (" " c " ") {
		for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		print v["drops"]
	}' "$TMP/mine2" >"$TMP/pin.drops"
n=$(wc -l <"$TMP/pin.drops")
check "pinned netns: several listener samples ($n)" test "$n" -ge 3
p_first=$(head -n 1 "$TMP/pin.drops")
p_last=$(tail -n 1 "$TMP/pin.drops")
awk '$1 == "NETNS_STATS" { split($4, o, "="); split($5, d, "="); print o[2] + 0, d[2] + 0, $NF }' \
	"$TMP/mine2" >"$TMP/pin.stats"
check_eq "pinned netns: NETNS_STATS baseline of zero counters" "0 0 flags=1" "$(head -n 1 "$TMP/pin.stats")"
read -r p_ovf p_ldrops _ < <(tail -n 1 "$TMP/pin.stats")
check "pinned netns: ListenOverflows grew (${p_ovf:-none})" test "${p_ovf:-0}" -gt 0
# The namespace was new: the listener's sk_drops is all of its ListenDrops.
check_eq "pinned netns: ListenDrops equal the listener's drops" "${p_last:-none}" "${p_ldrops:-none}"
check_eq "pinned netns: ListenOverflows equal the listener's drops" "${p_last:-none}" "${p_ovf:-none}"
if [ -x "$SOCKANA" ]; then
	"$SOCKANA" --backlog --json "$trace2" >"$TMP/pin.json" 2>"$TMP/pin.err"
	check_eq "pinned netns: sockana --backlog --json" 0 $?
	check_eq "pinned netns: sockana's netns row" \
		"\"netns\":$NS2_INODE,\"listen_overflows\":$p_ovf," \
		"$(grep -o "\"netns\":$NS2_INODE,\"listen_overflows\":[0-9]*," "$TMP/pin.json")"
fi
echo "  measured (pinned netns): sk_drops $p_first -> $p_last, ListenOverflows $p_ovf, ListenDrops $p_ldrops"

finish
