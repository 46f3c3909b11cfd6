#!/usr/bin/env bash
# Listener sampling after sockrec drops its privileges (-Z USER): setns()
# is refused then, so what sampling needs in each namespace is opened
# before the drop and kept.
#  - --netns NS -Z nobody, a listener in NS that overflows after the drop:
#    its LISTENER samples and NS's NETNS_STATS keep coming, and sockana
#    --backlog reports the real drops, not 0;
#  - a namespace made after the drop cannot be entered: the trace says so
#    (SAMPLING STOPPED for it, and for every namespace not found, netns 0),
#    and sockana reports its listener's overflows as not observable.
. "$(dirname "$0")/lib.sh"
need_root

DIAGTOOL=$BUILD/tests/diagtool
[ -x "$DIAGTOOL" ] || { echo "missing $DIAGTOOL (make $DIAGTOOL)" >&2; exit 77; }
id nobody >/dev/null 2>&1 || { echo "no user nobody" >&2; exit 77; }

NS2=
pd_cleanup() {
	[ -n "$NS2" ] && ip netns del "$NS2" 2>/dev/null
	t_cleanup
}
trap pd_cleanup EXIT

FLOOD_PORT=7301
LATE_PORT=7302
FLOODERS=40

netns_new privdrop || exit 1
ip netns exec "$NS" sysctl -qw net.core.somaxconn=2 || exit 1

# field KEY FILE: the value of KEY=... on the lines of FILE
field() { awk -v k="$1" '{ for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == k) print kv[2] } }' "$2"; }

# ---- --netns NS -Z nobody: sampling goes on after the drop ----
trace=$TMP/z.skr
rec_start "$trace" -q --sample-interval 100 --netns "/run/netns/$NS" -Z nobody || exit 1
# The drop happens right after the first file's metadata: wait for it.
for _ in $(seq 50); do
	[ "$(stat -c %U "/proc/$REC_PID" 2>/dev/null)" = nobody ] && break
	sleep 0.1
done
check_eq "sockrec runs as nobody" nobody "$(stat -c %U "/proc/$REC_PID")"
ip netns exec "$NS" "$DIAGTOOL" flood "$FLOOD_PORT" 8 "$FLOODERS" 1000 >"$TMP/flood.out"
check_eq "flood ran" 0 $?
sleep 0.3
rc=0
rec_stop || rc=$?
check_eq "sockrec -Z nobody exits 0" 0 "$rc"
check "no setns warning: nothing had to be entered after the drop" \
	test -z "$(grep 'entering netns' "$TMP/sockrec.err")"
F_COOKIE=$(field cookie "$TMP/flood.out")
"$DIAGTOOL" dump "$trace" >"$TMP/dump"
check_eq "trace dumps cleanly" 0 $?
grep "^LISTENER .* cookie=$F_COOKIE " "$TMP/dump" | sed 's/.* drops=\([0-9]*\) .*/\1/' >"$TMP/drops"
n=$(wc -l <"$TMP/drops")
check "flood listener sampled after the drop ($n samples)" test "$n" -ge 3
last=$(tail -n 1 "$TMP/drops")
check "flood listener: drops seen (${last:-none})" test "${last:-0}" -gt 0
ovf=$(grep "^NETNS_STATS .* netns=$NS_INODE " "$TMP/dump" | tail -n 1 | sed 's/.* overflows=\([0-9]*\) .*/\1/')
check "NETNS_STATS after the drop: ListenOverflows ${ovf:-none}" test "${ovf:-0}" -gt 0
check_eq "--netns: counters of NS only" 0 "$(grep '^NETNS_STATS ' "$TMP/dump" | grep -vc " netns=$NS_INODE ")"
check_eq "no SAMPLING STOPPED for the kept namespace" 0 \
	"$(grep -c "^SAMPLING .* netns=$NS_INODE state=1 " "$TMP/dump")"
"$SOCKANA" --backlog "$trace" >"$TMP/backlog" 2>&1
check_eq "sockana --backlog" 0 $?
check "backlog: the listener's real drops ($last)" \
	grep -q "^  overflows:           $last drops (sk_drops)" "$TMP/backlog"
check "backlog: the namespace's real ListenOverflows ($ovf)" \
	grep -q "^netns $NS_INODE: ListenOverflows +$ovf," "$TMP/backlog"
check "backlog: no 0 drops" test -z "$(grep ' 0 drops\|ListenOverflows +0,' "$TMP/backlog")"
echo "  measured: $FLOODERS connects after -Z nobody: sk_drops $last, ListenOverflows $ovf"

# ---- rotated files after the drop: each one's snapshot still lists NS ----
ROT=$(mktemp -d /tmp/skr-pdrot.XXXXXX)
chmod 0777 "$ROT"
ip netns exec "$NS" "$DIAGTOOL" hold 7303 >"$TMP/hold.out" &
HOLD_PID=$!
for _ in $(seq 50); do grep -q '^ready' "$TMP/hold.out" 2>/dev/null && break; sleep 0.1; done
"$SOCKREC" -q -o "$ROT/r.skr" -G 1 -d 2 --sample-interval 100 --netns "/run/netns/$NS" -Z nobody \
	2>"$TMP/rot.err"
check_eq "rotating sockrec -Z nobody exits 0" 0 $?
kill -TERM "$HOLD_PID"
wait "$HOLD_PID"
check "rotation: a file begun after the drop" test -s "$ROT/r.skr.1"
"$DIAGTOOL" dump "$ROT/r.skr.1" >"$TMP/rot.dump"
check_eq "rotation: NS listed after the drop, no error" 1 \
	"$(grep -c "^SNAPSHOT kind=2 .* netns=$NS_INODE .* count=3 error=0 " "$TMP/rot.dump")"
check "rotation: the held listener sampled after the drop" \
	grep -q "^LISTENER .* netns=$NS_INODE .* sport=7303 " "$TMP/rot.dump"
rm -rf "$ROT"

# ---- a namespace made after the drop ----
trace2=$TMP/late.skr
rec_start "$trace2" -q --sample-interval 100 -Z nobody || exit 1
for _ in $(seq 50); do
	[ "$(stat -c %U "/proc/$REC_PID" 2>/dev/null)" = nobody ] && break
	sleep 0.1
done
NS2=skr-pdlate-$$
ip netns add "$NS2" && ip -n "$NS2" link set lo up || exit 1
ip netns exec "$NS2" sysctl -qw net.core.somaxconn=2 || exit 1
NS2_INODE=$(stat -L -c %i "/run/netns/$NS2")
ip netns exec "$NS2" "$DIAGTOOL" flood "$LATE_PORT" 8 "$FLOODERS" 800 >"$TMP/late.out"
check_eq "late flood ran" 0 $?
sleep 0.3
rc=0
rec_stop || rc=$?
check_eq "sockrec exits 0" 0 "$rc"
"$DIAGTOOL" dump "$trace2" >"$TMP/dump2"
check_eq "late trace dumps cleanly" 0 $?
check_eq "SAMPLING STOPPED for the late namespace, EPERM" 1 \
	"$(grep -c "^SAMPLING .* netns=$NS2_INODE state=1 error=-1\$" "$TMP/dump2")"
check_eq "SAMPLING STOPPED for namespaces not found (netns 0)" 1 \
	"$(grep -c '^SAMPLING .* netns=0 state=1 error=-1$' "$TMP/dump2")"
check_eq "no LISTENER sample of the late namespace" 0 \
	"$(grep -c "^LISTENER .* netns=$NS2_INODE " "$TMP/dump2")"
"$SOCKANA" --backlog "$trace2" >"$TMP/backlog2" 2>&1
check_eq "sockana --backlog (late)" 0 $?
awk -v p=":$LATE_PORT netns $NS2_INODE " 'index($0, p) { on = 1 } on && /^  overflows:/ { print; exit }' \
	"$TMP/backlog2" >"$TMP/late.ovf"
check "late listener: overflows not observable" \
	grep -q "not observable in this trace (sampling of netns $NS2_INODE stopped at .*: EPERM)" "$TMP/late.ovf"
"$SOCKANA" --backlog --json "$trace2" >"$TMP/backlog2.json" 2>&1
check "late listener: JSON overflows null with the reason" \
	grep -q "\"netns\":$NS2_INODE,\"local\":\"127.0.0.1:$LATE_PORT\".*\"overflows\":null,.*\"not_observable\":\"sampling of netns $NS2_INODE stopped" \
	"$TMP/backlog2.json"
"$SOCKANA" "$trace2" >"$TMP/diag2" 2>&1
check "diagnosis: late listener's overflows not observable" \
	grep -q "127.0.0.1:$LATE_PORT owner diagtool\[[0-9]*\]: overflows not observable" "$TMP/diag2"

finish
