#!/usr/bin/env bash
# sockana's reports on a real trace of the failure scenarios: refused
# connects, a listener that never accepts (overflows, somaxconn clamp), a
# reset sent, a normal workload.  Checks what the default report, --backlog,
# --latency and --timeline say about the sockets of our own namespace, and
# that every --json line is JSON.
. "$(dirname "$0")/lib.sh"
need_root
EVGEN=$BUILD/tests/evgen
[ -x "$EVGEN" ] || { echo "no $EVGEN (make $EVGEN)" >&2; exit 77; }

netns_new ana || exit 1
ip netns exec "$NS" sysctl -q net.core.somaxconn=8 || exit 1
trace=$TMP/ana.skr

rec_start "$trace" --netns "/run/netns/$NS" --comment "t_analyze" || exit 1
ip netns exec "$NS" "$EVGEN" refused 9 >/dev/null
ip netns exec "$NS" "$EVGEN" refused 9 >/dev/null
ip netns exec "$NS" "$EVGEN" noaccept 7300 20 >/dev/null
ip netns exec "$NS" "$EVGEN" listen 7301 1024 >/dev/null
ip netns exec "$NS" "$EVGEN" linger0 7302 >/dev/null
ip netns exec "$NS" "$WORKLOAD" -n 3 -p 7303 >/dev/null
sleep 0.5
rc=0
rec_stop || rc=$?
check_eq "sockrec exits 0" 0 "$rc"

ANA=("$SOCKANA" --netns "$NS_INODE")
"${ANA[@]}" "$trace" >"$TMP/diag" 2>"$TMP/err"
check_eq "default report exits 0" 0 $?
check "diag: two refused connects" grep -Eq '^  connect refused +2  ' "$TMP/diag"
check "diag: refused by ECONNREFUSED from port 9" \
	grep -Eq '^  ECONNREFUSED +127\.0\.0\.1:9 +2  #' "$TMP/diag"
check "diag: a reset sent" grep -Eq '^  sent ' "$TMP/diag"
check "diag: overflows of the listener on 7300" \
	grep -Eq '^  #[0-9]+ 127\.0\.0\.1:7300 owner evgen\[[0-9]+\]: [1-9][0-9]* drops' "$TMP/diag"
check "diag: trace complete" grep -q 'the trace is complete' "$TMP/diag"

# The listener on 7300 never calls accept(): the children that completed
# their handshake were reset when it closed, and --backlog counts 0 accepts.
"${ANA[@]}" --port 7300 "$trace" >"$TMP/na" 2>&1
check "diag: no connection of the non-accepting listener called accepted" \
	test -z "$(grep 'accepted connection' "$TMP/na")"
check "diag: children never accepted, reset when the listener closed" \
	grep -Eq '^  handshake completed, never accepted, reset when the listener closed +[1-9]' "$TMP/na"
check "diag: those listed with the failures" grep -Eq '^  reset, never accepted +127\.0\.0\.1 ' "$TMP/na"
"${ANA[@]}" --backlog --port 7300 "$trace" >"$TMP/bl0" 2>&1
check "backlog: 0 accepts on 7300" grep -Eq '^  accepts: +0( |$)' "$TMP/bl0"

ref=$(sed -nE 's/^  ECONNREFUSED +127\.0\.0\.1:9 +2  #([0-9]+).*/\1/p' "$TMP/diag")
"${ANA[@]}" --timeline --socket "${ref:-0}" "$trace" >"$TMP/tl" 2>&1
check "timeline of a refused socket: the error" grep -q '\* error ECONNREFUSED' "$TMP/tl"
check "timeline of a refused socket: SYN_SENT -> CLOSE" grep -Eq 'SYN_SENT +-> CLOSE ' "$TMP/tl"
check "timeline of a refused socket: owner evgen" grep -Eq '^#[0-9]+ .* owner evgen\[' "$TMP/tl"

"${ANA[@]}" --backlog --port 7301 "$trace" >"$TMP/bl" 2>&1
check "backlog: somaxconn clamp flagged" \
	grep -Eq 'asked [0-9]+, effective 8 \(clamped by net.core.somaxconn\)' "$TMP/bl"
"${ANA[@]}" --backlog --port 7303 "$trace" >"$TMP/bl2" 2>&1
check "backlog: 3 accepts of the workload" grep -Eq '^  accepts: +3 ' "$TMP/bl2"
check "backlog: accept wait measured" grep -Eq '^  accept wait: +p50 ' "$TMP/bl2"

"${ANA[@]}" --latency --port 7303 "$trace" >"$TMP/lat" 2>&1
check "latency: 3 connects established" \
	grep -Eq '^connect, established \(SYN_SENT -> ESTABLISHED\) +3 ' "$TMP/lat"
check "latency: 3 passive closes" grep -Eq '^passive close \(CLOSE_WAIT -> LAST_ACK\) +3 ' "$TMP/lat"

for r in "" --info --timeline --latency --backlog; do
	"$SOCKANA" $r --json "$trace" >"$TMP/j" 2>/dev/null
	check "every --json line parses (${r:-default})" "$BUILD/tests/jsonlines" "$TMP/j"
done
finish
