#!/usr/bin/env bash
# What the kernel recorded must reach the diagnosis, on real traffic in a
# namespace of our own:
#  - a firewall rule (nft) drops every SYN to a port: the connect times out,
#    and the diagnosis names the drops (NETFILTER_DROP, no socket) beside
#    the timed-out connect and in its own section;
#  - a listener with backlog 1 that never accepts: its overflows are shown
#    beside what its clients suffered (SYNs resent, slow connects), in the
#    diagnosis and in --backlog;
#  - --socket ID of a socket the trace does not have is an error.
. "$(dirname "$0")/lib.sh"
need_root
if ! command -v nft >/dev/null; then
	echo "nft not installed (apt-get install nftables; .ci/install-deps does)" >&2
	exit 77
fi

EVGEN=$BUILD/tests/evgen
SKRDUMP=$BUILD/tests/skrdump
for t in "$EVGEN" "$SKRDUMP"; do
	[ -x "$t" ] || { echo "missing $t (make $t)" >&2; exit 77; }
done

FW_PORT=7201
OVF_PORT=7202

netns_new evidence || exit 1
nsx() { ip netns exec "$NS" "$@"; }
# One SYN resent, then ETIMEDOUT after 3 s; listen(1) stays 1.
nsx sysctl -qw net.ipv4.tcp_syn_retries=1 net.core.somaxconn=64 || exit 1
nsx nft -f - <<EOF || exit 1
table inet skr_evidence {
	chain input {
		type filter hook input priority 0; policy accept;
		tcp dport $FW_PORT drop
	}
}
EOF

trace=$TMP/evidence.skr
rec_start "$trace" -q --netns "$NS_INODE" --sample-interval 100 || exit 1
# A service behind the firewall: it listens, its SYNs never reach it.
nsx "$EVGEN" hold "$FW_PORT" 6 >/dev/null &
hold=$!
sleep 0.2
out=$(timeout 20 ip netns exec "$NS" "$EVGEN" timeout 127.0.0.1 "$FW_PORT")
check_eq "firewalled connect times out" "errno ETIMEDOUT" "$out"
timeout 20 ip netns exec "$NS" "$EVGEN" noaccept "$OVF_PORT" 8 >/dev/null
check_eq "noaccept scenario ran" 0 $?
wait "$hold" 2>/dev/null
sleep 0.3
rec_stop
check_eq "sockrec exits 0" 0 $?

"$SOCKANA" "$trace" >"$TMP/diag.txt" 2>"$TMP/diag.err"
check_eq "diagnosis exits 0" 0 $?
"$SOCKANA" --json "$trace" >"$TMP/diag.json" 2>/dev/null
"$SOCKANA" --backlog "$trace" >"$TMP/backlog.txt" 2>/dev/null

# On a failure, what the trace held for the firewalled port: the drops are
# joined to the connect by its local port, which only its RETRANSMIT records
# carry (at CLOSE the kernel has already released the port).
show_evidence() {
	echo "  --- diagnosis lines for port $FW_PORT:"
	grep -E "ETIMEDOUT|NETFILTER_DROP|:$FW_PORT" "$TMP/diag.txt" | sed 's/^/    /'
	echo "  --- records for port $FW_PORT:"
	"$SKRDUMP" "$trace" 2>&1 | grep -E "port=$FW_PORT( |$)" | sed 's/^/    /'
	echo "  --- losses:"
	"$SOCKANA" --info "$trace" 2>&1 |
		grep -Ei "lost|miss|reorder|status" | sed 's/^/    /'
}

# The timed-out connect points at the firewall.
fails=$T_FAILS
check "timed-out connect names its dropped SYNs" grep -Eq \
	"^  ETIMEDOUT +127\.0\.0\.1:$FW_PORT +1 +#[0-9]+ +\(after [0-9.]+ to [0-9.]+ s; SYNs dropped [2-9] times with no socket: NETFILTER_DROP\)$" \
	"$TMP/diag.txt"
[ "$T_FAILS" -eq "$fails" ] || show_evidence
check "drops with no socket have their section" grep -Eq \
	"^  NETFILTER_DROP +127\.0\.0\.1:$FW_PORT +[2-9] +netns $NS_INODE, " \
	"$TMP/diag.txt"
check "JSON row of the drops" grep -Eq \
	"^\{\"row\":\"dropped_no_socket\",\"host\":\"[^\"]+\",\"netns\":$NS_INODE,\"reason\":\"NETFILTER_DROP\",\"destination\":\"127\.0\.0\.1:$FW_PORT\",\"count\":[2-9]," \
	"$TMP/diag.json"

# The overflowing listener and its clients' SYN retransmits.
check "overflow shown with its clients" grep -Eq \
	"^      its clients: [1-8] of 8 connects resent their SYN \([1-9][0-9]* SYNs? resent\)" \
	"$TMP/diag.txt"
check "--backlog shows the clients" grep -Eq \
	"^  clients: +8 connects, [1-8] resent their SYN \([1-9][0-9]* SYNs? resent\)" \
	"$TMP/backlog.txt"
if ! grep -q "its clients:" "$TMP/diag.txt"; then
	sed 's/^/    | /' "$TMP/diag.txt"
fi

# --socket of a socket the trace does not have: an error, for every report.
n=$(sed -n 's/^Sockets: \([0-9]*\) .*/\1/p' "$TMP/diag.txt")
for r in "" --timeline --latency --backlog; do
	rc=0
	"$SOCKANA" $r --socket 9999 "$trace" >"$TMP/none.out" 2>"$TMP/none.err" || rc=$?
	check_eq "--socket 9999 ${r:-(diagnosis)}: exit 1" 1 "$rc"
	check "--socket 9999 ${r:-(diagnosis)}: says so" grep -qx \
		"sockana: no socket #9999 in $trace: its sockets are #1 to #$n" \
		"$TMP/none.err"
	check "--socket 9999 ${r:-(diagnosis)}: no report" test ! -s "$TMP/none.out"
done
"$SOCKANA" --timeline --socket 1 "$trace" >/dev/null 2>&1
check_eq "--socket 1 exists" 0 $?

finish
