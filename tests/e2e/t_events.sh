#!/usr/bin/env bash
# The kernel event catalogue: one scenario per event, in a namespace of our
# own, each asserting the record sockrec wrote (dumped by tests/skrdump).
# Then the same scenarios with every hook forced to its classic tracepoint.
. "$(dirname "$0")/lib.sh"
need_root

EVGEN=$BUILD/tests/evgen
SKRDUMP=$BUILD/tests/skrdump
for t in "$EVGEN" "$SKRDUMP"; do
	[ -x "$t" ] || { echo "missing $t (make $t)" >&2; exit 77; }
done

netns_new events || exit 1
nsx() { ip netns exec "$NS" "$@"; }
nsx sysctl -qw net.core.somaxconn=64 net.ipv4.tcp_syn_retries=1 || exit 1
# 10.99.0.2 is behind a veth whose peer is down: SYNs vanish silently.
ip -n "$NS" link add veth0 type veth peer name veth1 &&
ip -n "$NS" addr add 10.99.0.1/24 dev veth0 &&
ip -n "$NS" link set veth0 up &&
ip -n "$NS" neigh add 10.99.0.2 lladdr 02:00:00:00:00:02 dev veth0 nud permanent || exit 1

# ev TYPE [key=value...]: the dump lines of our namespace with those fields.
ev() {
	local type=$1 f
	shift
	local out
	out=$(grep -E "^$type " "$DUMP" | grep -F " netns=$NS_INODE ")
	for f in "$@"; do
		out=$(printf '%s\n' "$out" | grep -E " $f( |$)")
	done
	[ -n "$out" ] && printf '%s\n' "$out"
}
has() { ev "$@" >/dev/null; }
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" | head -n 1; }
# LIMITS of HOOK's PROBE record: what its kernel cannot show ("" if unsaid).
limits() {
	grep -E "^PROBE t1=$1 " "$DUMP" | tr ' ' '\n' | sed -n 's/^t8=//p' | head -n 1
}
# Value of reason NAME in the PROBE record of HOOK ("" if the kernel has none).
enum_value() {
	grep -E "^PROBE t1=$1 " "$DUMP" | tr ' ' '\n' |
		sed -n "s/^enum\([0-9]*\)=$2\$/\1/p" | head -n 1
}

run_scenarios() {
	nsx "$EVGEN" listen 5000 1024 || return 1
	nsx "$EVGEN" accept 5001 || return 1
	nsx "$EVGEN" refused 5002 >"$TMP/refused.out" || return 1
	nsx "$EVGEN" linger0 5003 || return 1
	nsx "$EVGEN" noaccept 5004 8 || return 1
	nsx "$EVGEN" synack 5006 || return 1
	nsx "$EVGEN" timeout 10.99.0.2 5005 >"$TMP/timeout.out" || return 1
	sleep 0.3
}

# Names of the BPF programs sockrec holds (bpftool shows the full name from BTF).
rec_progs() {
	local f id
	for f in /proc/"$REC_PID"/fdinfo/*; do
		id=$(sed -n 's/^prog_id:[[:space:]]*//p' "$f" 2>/dev/null)
		[ -n "$id" ] && bpftool prog show id "$id" 2>/dev/null |
			sed -n 's/.* name \([^ ]*\).*/\1/p'
	done | sort -u
}

record() {
	local trace=$1
	shift
	rec_start "$trace" -q "$@" || return 1
	rec_progs >"$TMP/progs.txt"
	run_scenarios
	check_eq "scenarios ran" 0 $?
	local rc=0
	rec_stop || rc=$?
	check_eq "sockrec exits 0" 0 "$rc"
	"$SKRDUMP" "$trace" >"$TMP/dump.txt"
	check_eq "trace reads without error" 0 $?
	DUMP=$TMP/dump.txt
}

echo "tier: best available${SKR_PROBE_TIER:+ (limited by SKR_PROBE_TIER=$SKR_PROBE_TIER)}"
record "$TMP/events.skr" || exit 1

# The TCP hooks take tp_btf, unless the run limits every hook to classic
# tracepoints (tests/vm runs the whole suite so on 6.1).
best=1 best_name=tp_btf
if [ "${SKR_PROBE_TIER:-}" = tracepoint ]; then
	best=2 best_name="a tracepoint"
fi
for h in inet_sock_set_state tcp_send_reset tcp_receive_reset inet_sk_error_report \
	 tcp_retransmit_skb tcp_retransmit_synack tcp_destroy_sock kfree_skb; do
	check "$h attached with $best_name" grep -Eq "^PROBE t1=$h t2=$best " "$DUMP"
done
for h in listen accept accept4; do
	check "$h attached with a tracepoint" grep -Eq "^PROBE t1=$h t2=2 " "$DUMP"
done
check "FILTER record present (empty)" grep -Eq '^FILTER$' "$DUMP"
# With bpf_rdonly_cast (6.2+) accept is one program at exit; before, or in the
# classic tier, a pair.
if [ "$best" = 1 ] && grep -qw bpf_rdonly_cast /proc/kallsyms; then
	check "accept: exit-only programs loaded" grep -qx handle_accept4_exit "$TMP/progs.txt"
	check "accept: no entry program" \
		test "$(grep -c '^handle_accept' "$TMP/progs.txt")" = 2
else
	check "accept: entry/exit pair (no bpf_rdonly_cast)" \
		grep -qx handle_accept4_enter_old "$TMP/progs.txt"
fi

# listen: asked 1024, clamped to somaxconn 64; a second listen() flagged.
check "listen: backlog 1024 asked, 64 effective" \
	has LISTEN sport=5000 ret=0 backlog=1024 max_backlog=64 flags=0
check "listen: repeated listen() flagged" has LISTEN sport=5000 backlog=513 flags=1
lcookie=$(ev LISTEN sport=5000 flags=0 | field cookie)
check "listen: cookie is the listener's (CLOSE->LISTEN)" \
	has STATE cookie="$lcookie" old=7 new=10

# accept and accept4: listener and child cookies; counters at destroy.
check "accept: accept() recorded" has ACCEPT sport=5001 flags=0 qlen=1 qlen_exit=0 max_backlog=16
check "accept: accept4() recorded" has ACCEPT sport=5001 flags=1
child=$(ev ACCEPT sport=5001 flags=0 | field child)
check "accept: child cookie is a socket born on the listener" \
	has STATE cookie="$child" old=10 new=3 sport=5001
dline=$(ev DESTROY cookie="$child")
check "destroy: child has its counters" test -n "$dline"
check "destroy: bytes_received >= 1000" test "$(echo "$dline" | field bytes_received)" -ge 1000
check "destroy: bytes_acked >= 1000" test "$(echo "$dline" | field bytes_acked)" -ge 1000
check "destroy: segments in and out" test "$(echo "$dline" | field segs_in)" -gt 0 -a \
	"$(echo "$dline" | field segs_out)" -gt 0
check "destroy: srtt measured" test "$(echo "$dline" | field srtt_us)" -gt 0

# closed port: reset sent without a socket, received by the client; ECONNREFUSED.
check "refused: connect saw ECONNREFUSED" grep -q ECONNREFUSED "$TMP/refused.out"
check "refused: reset received by the client" has RESET dir=2 dport=5002 state=2
ccookie=$(ev RESET dir=2 dport=5002 | field cookie)
check "refused: socket error ECONNREFUSED (111)" has SOCK_ERROR cookie="$ccookie" error=111
# Before 6.10 the kernel traces resets of full sockets only, with no
# reason: the trace says so (PROBE LIMITS, 1 no reason, 2 full sockets
# only), and so does sockana, instead of a count of 0.
rlim=$(limits tcp_send_reset)
check "tcp_send_reset: the trace says what this kernel cannot show" test -n "$rlim"
"$SOCKANA" "$TMP/events.skr" >"$TMP/events.diag" 2>&1
if [ $(( ${rlim:-0} & 2 )) -ne 0 ]; then
	check "refused: resets with no socket are not observable here, and sockana says so" \
		grep -Eq '^  sent +no socket or TIME_WAIT +not observable on this kernel' \
		"$TMP/events.diag"
else
	check "refused: reset sent with no socket (cookie 0)" has RESET dir=1 cookie=0 sport=5002
fi
nosock=$(enum_value tcp_send_reset NO_SOCKET)
if [ -n "$nosock" ]; then
	check "refused: reset reason NO_SOCKET" has RESET dir=1 sport=5002 reason="$nosock"
fi
drop=$(enum_value kfree_skb NO_SOCKET)
check "refused: the SYN dropped with reason NO_SOCKET" has SKB_DROP sport=5002 reason="$drop"

# SO_LINGER 0: the client sends a reset with a reason; the server gets ECONNRESET.
rline=$(ev RESET dir=1 dport=5003)
check "linger0: reset sent by the client socket" test -n "$rline" -a "$(echo "$rline" | field cookie)" != 0
if [ $(( ${rlim:-0} & 1 )) -ne 0 ]; then
	check "linger0: no reset reason on this kernel, and sockana says so" \
		grep -Eq '^  sent +reason not observable on this kernel' "$TMP/events.diag"
else
	check "linger0: reset has a reason" test "$(echo "$rline" | field reason)" != 4294967295
fi
scookie=$(ev RESET dir=2 sport=5003 | field cookie)
check "linger0: reset received by the server" test -n "$scookie"
check "linger0: server socket error ECONNRESET (104)" has SOCK_ERROR cookie="$scookie" error=104

# a listener that never accepts: its queue overflows, clients resend SYNs.
check "noaccept: listener dropped connection attempts" \
	test "$(ev DESTROY sport=5004 dport=0 | field drops)" -gt 0
check "noaccept: clients retransmit their SYNs" has RETRANSMIT kind=1 state=2 dport=5004

# TCP_DEFER_ACCEPT: the server resends its SYN-ACK; cookie is the listener's.
scookie=$(ev LISTEN sport=5006 | field cookie)
check "synack: SYN-ACK retransmit of the listener" \
	has RETRANSMIT kind=2 cookie="$scookie" state=10 sport=5006

# silently dropped destination: SYN retransmits, then ETIMEDOUT.
check "timeout: connect saw ETIMEDOUT" grep -q ETIMEDOUT "$TMP/timeout.out"
check "timeout: SYN retransmitted" has RETRANSMIT kind=1 state=2 dport=5005
check "timeout: socket error ETIMEDOUT (110)" has SOCK_ERROR error=110 dport=5005

# Counters as each socket entered CLOSE (COUNTERS, format 1.2), where they
# are still true: tcp_disconnect() zeroes them before DESTROY for a connect
# that failed and for an SO_LINGER 0 close.  None for a listener.
counters_checks() {
	local tier=$1 trace=$2 tc lc cl
	tc=$(ev RETRANSMIT kind=1 state=2 dport=5005 | field cookie)
	cl=$(ev COUNTERS cookie="$tc")
	check "$tier: timeout: counters at CLOSE" test -n "$tc" -a -n "$cl"
	check "$tier: timeout: the SYN and its retransmit counted" \
		test "$(echo "$cl" | field segs_out)" -ge 2 -a "$(echo "$cl" | field total_retrans)" -ge 1
	cl=$(ev COUNTERS cookie="$(ev RESET dir=2 dport=5002 | field cookie)")
	check "$tier: refused: its SYN counted at CLOSE" test -n "$cl" -a "$(echo "$cl" | field segs_out)" -ge 1
	lc=$(ev RESET dir=1 dport=5003 | field cookie)
	cl=$(ev COUNTERS cookie="$lc")
	check "$tier: linger0: the client's 1000 bytes each way counted at CLOSE" \
		test -n "$lc" -a "$(echo "$cl" | field bytes_acked)" -ge 1000 -a \
		"$(echo "$cl" | field bytes_received)" -ge 1000
	check "$tier: no counters for a listener" \
		test -z "$(ev COUNTERS cookie="$(ev LISTEN sport=5000 flags=0 | field cookie)")"
	# Sent with their transition in one output (issue 18): each COUNTERS
	# record follows its STATE to CLOSE in the file, with its time and task.
	check "$tier: each COUNTERS right after its STATE to CLOSE, same time" \
		awk -v ns=" netns=$NS_INODE " '
			{ t = $2 " " $3 " " $4 " " $5 " " $6 }
			/^COUNTERS / && index($0, ns) {
				n++
				if (prev !~ /^STATE / || prev !~ / new=7 / || pt != t) bad++
			}
			{ prev = $0; pt = t }
			END { exit !(n > 0 && bad == 0) }' "$DUMP"
	# sockana takes them, never DESTROY's zeros.
	"$SOCKANA" --timeline --json --netns "$NS_INODE" "$trace" >"$TMP/tl.json" 2>&1
	cl=$(grep '^{"row":"socket"' "$TMP/tl.json" | grep -F '"remote":"10.99.0.2:5005"')
	check "$tier: sockana: timed-out connect's segments from CLOSE" \
		grep -Eq '"segs_out":([2-9]|[1-9][0-9]+),"segs_in":[0-9]+,"retransmits":[1-9][0-9]*,"srtt_us":[0-9]+,"counters_from":"close","counters_reset":false' <<<"$cl"
	cl=$(grep '^{"row":"socket"' "$TMP/tl.json" | grep -F '"remote":"127.0.0.1:5003"' | grep '"role":"active"')
	check "$tier: sockana: linger0 client's bytes from CLOSE" \
		grep -Eq '"bytes_acked":[0-9]{4,},"bytes_received":[0-9]{4,},.*"counters_from":"close"' <<<"$cl"
	"$SOCKANA" --timeline --netns "$NS_INODE" --port 5005 "$trace" >"$TMP/tl.txt" 2>&1
	check "$tier: sockana: no '0 segments out' under SYN retransmits" \
		test -n "$(grep 'retransmit in SYN_SENT' "$TMP/tl.txt")" -a \
		-z "$(grep 'destroy: .* 0 segments out' "$TMP/tl.txt")"
}
counters_checks btf "$TMP/events.skr"

echo "tier: classic tracepoints (SKR_PROBE_TIER=tracepoint)"
SKR_PROBE_TIER=tracepoint record "$TMP/events-tp.skr" || exit 1
for h in inet_sock_set_state listen accept accept4 tcp_send_reset tcp_receive_reset \
	 inet_sk_error_report tcp_retransmit_skb tcp_retransmit_synack tcp_destroy_sock kfree_skb; do
	check "$h attached with a tracepoint" grep -Eq "^PROBE t1=$h t2=2 " "$DUMP"
done
check "tp: accept by the entry/exit pair" grep -qx handle_accept4_enter_old "$TMP/progs.txt"
check "tp: state changes recorded" has STATE old=7 new=10 sport=5000
check "tp: listen recorded" has LISTEN sport=5000 backlog=1024 max_backlog=64
check "tp: accept recorded" has ACCEPT sport=5001 flags=1
check "tp: reset received" has RESET dir=2 dport=5002
tlim=$(limits tcp_send_reset)
check "tp: tcp_send_reset: the trace says what this kernel cannot show" test -n "$tlim"
if [ $(( ${tlim:-0} & 2 )) -eq 0 ]; then
	check "tp: reset sent with no socket" has RESET dir=1 cookie=0 sport=5002
fi
# No cookie helper here: sockets are named by sockrec's own ids, never 0,
# one per socket, the same in every record of it (bpf/ident.bpf.h).
lcookie=$(ev LISTEN sport=5000 flags=0 | field cookie)
check "tp: listener named (not 0)" test -n "$lcookie" -a "$lcookie" != 0
check "tp: listen and its CLOSE->LISTEN name the same socket" \
	has STATE cookie="$lcookie" old=7 new=10 sport=5000
child=$(ev ACCEPT sport=5001 flags=0 | field child)
child4=$(ev ACCEPT sport=5001 flags=1 | field child)
acookie=$(ev ACCEPT sport=5001 flags=0 | field cookie)
check "tp: accepted children named (not 0), each its own" \
	test -n "$child" -a "$child" != 0 -a "$child4" != 0 -a "$child" != "$child4"
check "tp: a child is not its listener" test "$child" != "$acookie"
check "tp: child born on the listener under its own name" \
	has STATE cookie="$child" old=10 new=3 sport=5001
check "tp: child established under the same name" \
	has STATE cookie="$child" old=3 new=1 sport=5001
check "tp: child destroyed under the same name" has DESTROY cookie="$child"
ccookie=$(ev RESET dir=2 dport=5002 | field cookie)
check "tp: refused client named (not 0)" test -n "$ccookie" -a "$ccookie" != 0
check "tp: socket error ECONNREFUSED names the client socket" \
	has SOCK_ERROR cookie="$ccookie" error=111 dport=5002
tcookie=$(ev RETRANSMIT kind=1 state=2 dport=5005 | field cookie)
check "tp: socket error ETIMEDOUT names the connecting socket" \
	test -n "$tcookie" -a "$tcookie" != 0 -a -n "$(ev SOCK_ERROR cookie="$tcookie" error=110 dport=5005)"
check "tp: SYN-ACK retransmit" has RETRANSMIT kind=2 sport=5006
check "tp: destroy has a cookie (tracepoint's own)" \
	test "$(ev DESTROY sport=5004 dport=0 | field cookie)" != 0
check "tp: SKB drop" has SKB_DROP sport=5002
counters_checks tp "$TMP/events-tp.skr"

finish
