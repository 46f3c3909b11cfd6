#!/usr/bin/env bash
# Both ends of connections in two traces (issue 16): two network namespaces
# joined by a veth pair, a recorder per namespace, each under its own host
# name (a UTS namespace), so sockana sees two hosts that share one kernel
# clock.  A client namespace connects to a server namespace: clients that
# overflow a listener's accept queue, normal connections, a refused connect.
# Every connection must be joined across the two traces, the clock offset
# estimated from them must come out near zero with bounds that contain
# zero, and --timeline --socket must interleave the two ends.
. "$(dirname "$0")/lib.sh"
need_root

PAIRTOOL=$BUILD/tests/pairtool
NSC=skr-pairc-$$
NSS=skr-pairs-$$
CLI=10.99.16.1
SRV=10.99.16.2
REC_C=
REC_S=

pair_cleanup() {
	local p
	for p in $REC_C $REC_S; do
		if kill -0 "$p" 2>/dev/null; then
			kill -KILL "$p" 2>/dev/null
			wait "$p" 2>/dev/null
		fi
	done
	ip netns del "$NSC" 2>/dev/null
	ip netns del "$NSS" 2>/dev/null
	t_cleanup
}
trap pair_cleanup EXIT

ip netns add "$NSC" && ip netns add "$NSS" || exit 1
ip -n "$NSC" link set lo up && ip -n "$NSS" link set lo up || exit 1
ip -n "$NSC" link add vc type veth peer name vs netns "$NSS" || exit 1
ip -n "$NSC" addr add "$CLI/24" dev vc && ip -n "$NSS" addr add "$SRV/24" dev vs || exit 1
ip -n "$NSC" link set vc up && ip -n "$NSS" link set vs up || exit 1
# As samples/overflow: a SYN that meets a full queue is dropped, not answered
# by a cookie the kernel keeps no state for.
ip netns exec "$NSS" sysctl -q net.ipv4.tcp_syncookies=0

# rec_ns HOSTNAME NETNS FILE: a recorder of NETNS's sockets whose HOST record
# says HOSTNAME; its pid in REC_LAST once its first frame is in FILE.
rec_ns() {
	unshare --uts sh -c 'hostname "$1" && exec "$2" -o "$3" --netns "/run/netns/$4"' \
		sh "$1" "$SOCKREC" "$3" "$2" 2>"$TMP/$1.err" &
	REC_LAST=$!
	for _ in $(seq 600); do
		[ -s "$3" ] && rec_ready "$3" && return 0
		kill -0 "$REC_LAST" 2>/dev/null || break
		sleep 0.1
	done
	echo "sockrec ($1) did not start:" >&2
	cat "$TMP/$1.err" >&2
	return 1
}

# wait_line FILE WORD: FILE has a line WORD (bounded: 30 s).
wait_line() {
	for _ in $(seq 300); do
		grep -qx "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# no_closing NETNS: none of its TCP sockets is still closing (bounded: 20 s),
# so the last transitions happened before the recorders stop.
no_closing() {
	for _ in $(seq 200); do
		ip netns exec "$1" ss -Htan state last-ack state fin-wait-1 \
			state fin-wait-2 state closing | grep -q . || return 0
		sleep 0.1
	done
	return 1
}

rec_ns pair-cli "$NSC" "$TMP/cli.skr" || exit 1
REC_C=$REC_LAST
rec_ns pair-srv "$NSS" "$TMP/srv.skr" || exit 1
REC_S=$REC_LAST

# Backlog 1 and nothing accepted for 1.5 s while 4 clients connect: the
# queue overflows and the clients resend their SYNs; all are served later.
ip netns exec "$NSS" "$PAIRTOOL" serve "$SRV" 7100 1 4 1500 >"$TMP/srv1.out" 2>&1 &
SRV1=$!
ip netns exec "$NSS" "$PAIRTOOL" serve "$SRV" 7101 16 3 0 >"$TMP/srv2.out" 2>&1 &
SRV2=$!
check "servers listening" wait_line "$TMP/srv1.out" listening
check "servers listening" wait_line "$TMP/srv2.out" listening
check "overflowed clients served" ip netns exec "$NSC" "$PAIRTOOL" connect "$SRV" 7100 4
check "normal clients served" ip netns exec "$NSC" "$PAIRTOOL" connect "$SRV" 7101 3
check "refused connect" ip netns exec "$NSC" "$PAIRTOOL" refuse "$SRV" 7102
check "server 1 done" wait "$SRV1"
check "server 2 done" wait "$SRV2"
check "server sockets closed" no_closing "$NSS"
check "client sockets closed" no_closing "$NSC"

kill -INT "$REC_C" "$REC_S"
check "client recorder stopped" wait "$REC_C"
check "server recorder stopped" wait "$REC_S"
REC_C= REC_S=

"$SOCKANA" --info --json "$TMP/cli.skr" "$TMP/srv.skr" >"$TMP/info.json" 2>"$TMP/info.err"
check "info ran" test $? -eq 0
clock=$(grep '^{"row":"clock"' "$TMP/info.json")
echo "  $clock"
check "two hosts" grep -q '"hosts":2,' "$TMP/info.json"
check "offset estimated" grep -q '"host":"pair-srv","relative_to":"pair-cli","source":"estimated"' <<<"$clock"
num() { sed -n "s/.*\"$1\":\(-\{0,1\}[0-9]*\).*/\1/p" <<<"$clock"; }
off=$(num offset_ns) lo=$(num lo_ns) hi=$(num hi_ns) joined=$(num joined)
check "the bounds contain zero (same kernel clock): [$lo, $hi]" \
	test -n "$lo" -a -n "$hi" -a "${lo:-1}" -le 0 -a "${hi:--1}" -ge 0
check "offset near zero: $off ns" test "${off#-}" -lt 50000000
check_eq "every connection joined" 7 "$joined"
check "seven pairs across hosts" grep -q '"pairs":7,"pairs_cross_netns":0,"pairs_cross_host":7,' "$TMP/info.json"

"$SOCKANA" --connections --json "$TMP/cli.skr" "$TMP/srv.skr" >"$TMP/conn.json"
check_eq "clients with a peer" 7 "$(grep '"host":"pair-cli"' "$TMP/conn.json" | grep '"role":"active"' | grep -c '"peer":[0-9]')"
check_eq "children with a peer" 7 "$(grep '"host":"pair-srv"' "$TMP/conn.json" | grep '"role":"passive"' | grep -c '"peer":[0-9]')"
check_eq "the refused connect has none" 1 "$(grep '"outcome":"connect refused"' "$TMP/conn.json" | grep -c '"peer":null')"

# One client of the overflowed listener, and its peer, in one time order.
id=$(grep '"host":"pair-cli"' "$TMP/conn.json" | grep '"remote_port":7100' | head -n 1 |
	sed -n 's/.*"socket":\([0-9]*\),.*/\1/p')
peer=$(grep "\"socket\":$id," "$TMP/conn.json" | sed -n 's/.*"peer":\([0-9]*\),.*/\1/p')
"$SOCKANA" --timeline --socket "$id" "$TMP/cli.skr" "$TMP/srv.skr" >"$TMP/tl.txt"
check "--timeline --socket $id: both headers" grep -q "^#$peer cookie .* peer #$id host pair-srv" "$TMP/tl.txt"
check "--timeline --socket $id: both ends' events" \
	test "$(grep -c "^  #$id " "$TMP/tl.txt")" -gt 0 -a "$(grep -c "^  #$peer " "$TMP/tl.txt")" -gt 0
check "the client's ESTABLISHED comes before its peer's birth" \
	awk -v a="  #$id " -v b="  #$peer " 'index($0, a) == 1 && /SYN_SENT +-> ESTABLISHED/ { e = NR }
		index($0, b) == 1 && /LISTEN +-> SYN_RECV/ { s = NR } END { exit !(e && s && e < s) }' "$TMP/tl.txt"
"$SOCKANA" "$TMP/cli.skr" "$TMP/srv.skr" >"$TMP/diag.txt"
sed -n '/^Listen overflows/,/^$/p;/^WARNING/p' "$TMP/diag.txt"
check "the diagnosis names the clock" grep -q "clock of host pair-srv moved by" "$TMP/diag.txt"
check "the listener of port 7100 overflowed" \
	grep -Eq "^  #[0-9]+ $SRV:7100 .*host pair-srv: [1-9][0-9]* drops" "$TMP/diag.txt"
finish
