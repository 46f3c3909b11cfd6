#!/usr/bin/env bash
# In-kernel filters: each one recorded with traffic inside and outside it;
# events outside never reach the file, events inside all do (softirq ones
# of an admitted socket included), and the FILTER record lists the filter.
. "$(dirname "$0")/lib.sh"
need_root

EVGEN=$BUILD/tests/evgen
SKRDUMP=$BUILD/tests/skrdump
for t in "$EVGEN" "$SKRDUMP" "$WORKLOAD"; do
	[ -x "$t" ] || { echo "missing $t (make $t)" >&2; exit 77; }
done

netns_new filt || exit 1
A=$NS
A_INODE=$NS_INODE
B=skr-filtb-$$
ip netns add "$B" && ip -n "$B" link set lo up || exit 1
CG=
cleanup_more() {
	ip netns del "$B" 2>/dev/null
	[ -n "$CG" ] && rmdir "$CG" 2>/dev/null
}
trap 'cleanup_more; t_cleanup' EXIT

EVENTS='^(STATE|LISTEN|ACCEPT|RESET|SOCK_ERROR|RETRANSMIT|DESTROY|SKB_DROP) '
# Event lines of the dump with the given port as local or remote port.
port_lines() { grep -E "$EVENTS" "$DUMP" | grep -E " (sport|dport)=$1( |$)"; }
none() { [ -z "$("$@")" ]; }
some() { [ -n "$("$@")" ]; }
# Event lines outside namespace A (the namespace filter of every recording).
foreign() { grep -E "$EVENTS" "$DUMP" | grep -vF " netns=$A_INODE "; }

# record NAME ARGS...: sockrec with ARGS while $TRAFFIC runs, dump in $DUMP.
record() {
	local name=$1
	shift
	rec_start "$TMP/$name.skr" -q --netns "$A_INODE" "$@" || return 1
	$TRAFFIC
	sleep 0.3
	local rc=0
	rec_stop || rc=$?
	check_eq "$name: sockrec exits 0" 0 "$rc"
	DUMP=$TMP/$name.txt
	"$SKRDUMP" "$TMP/$name.skr" >"$DUMP"
	check "$name: no event of another namespace" none foreign
}

# --port (with --netns): inside A:6001; outside A:6002 and B:6001.
traffic_port() {
	ip netns exec "$A" "$EVGEN" accept 6001
	ip netns exec "$A" "$EVGEN" accept 6002
	ip netns exec "$B" "$EVGEN" accept 6001
}
TRAFFIC=traffic_port record port --port 6001 || exit 1
check "port: FILTER record names port and netns" \
	grep -Eq "^FILTER .*t3=6001.*t4=$A_INODE|^FILTER t4=$A_INODE.*t3=6001" "$DUMP"
check "port: events of port 6001" some port_lines 6001
check "port: none of port 6002" none port_lines 6002
check "port: children born in softirq kept" grep -Eq '^STATE .* ctx=2 old=10 new=3 sport=6001' "$DUMP"
# Two connections: 2 clients + 2 children + 1 listener destroyed.
check_eq "port: destroy of every socket (port 0 by then)" 5 "$(grep -c '^DESTROY ' "$DUMP")"
check_eq "port: two accepts" 2 "$(grep -c '^ACCEPT ' "$DUMP")"

# -p: inside a process whose pid we know before it starts; outside another.
mkfifo "$TMP/go"
ip netns exec "$A" sh -c "echo \$\$ >'$TMP/pid'; read x <'$TMP/go'; exec '$EVGEN' accept 6003" &
INSIDE=$!
for _ in $(seq 50); do [ -s "$TMP/pid" ] && break; sleep 0.1; done
traffic_pid() {
	echo go >"$TMP/go"
	wait "$INSIDE"
	ip netns exec "$A" "$EVGEN" accept 6004
}
TRAFFIC=traffic_pid record pid -p "$(cat "$TMP/pid")" || exit 1
check "pid: FILTER record names the pid" grep -Eq "^FILTER .*t1=$(cat "$TMP/pid")( |$)" "$DUMP"
check "pid: events of the process" some port_lines 6003
check "pid: none of the other process" none port_lines 6004
check "pid: softirq events of its sockets kept" grep -Eq '^STATE .* ctx=2 .*(sport|dport)=6003' "$DUMP"
check_eq "pid: two accepts" 2 "$(grep -c '^ACCEPT ' "$DUMP")"

# --comm: same program under another name is outside.
cp "$EVGEN" "$TMP/evgen-other"
traffic_comm() {
	ip netns exec "$A" "$EVGEN" accept 6005
	ip netns exec "$A" "$TMP/evgen-other" accept 6006
}
TRAFFIC=traffic_comm record comm --comm evgen || exit 1
check "comm: FILTER record names the comm" grep -Eq '^FILTER .*t2=evgen( |$)' "$DUMP"
check "comm: events of evgen" some port_lines 6005
check "comm: none of evgen-other" none port_lines 6006

# --cgroup: a process moved into a cgroup of ours is inside.
for root in /sys/fs/cgroup /sys/fs/cgroup/unified; do
	if [ "$(stat -f -c %T "$root" 2>/dev/null)" = cgroup2fs ]; then
		CG=$root/skr-filt-$$
		break
	fi
done
if [ -n "$CG" ] && mkdir "$CG"; then
	traffic_cgroup() {
		# Join first: ip netns exec hides the cgroup mount under its own /sys.
		sh -c "echo \$\$ >'$CG/cgroup.procs' && exec ip netns exec '$A' '$EVGEN' accept 6007"
		ip netns exec "$A" "$EVGEN" accept 6008
	}
	TRAFFIC=traffic_cgroup record cgroup --cgroup "$CG" || exit 1
	check "cgroup: FILTER record names the cgroup" grep -Eq "^FILTER .*t5=$CG .*t6=[0-9]+" "$DUMP"
	check "cgroup: events of the cgroup" some port_lines 6007
	check "cgroup: none outside it" none port_lines 6008
else
	echo "  (no cgroup v2 hierarchy: --cgroup not tested)"
	CG=
fi

# -6 and -4: the deterministic workload over IPv6 and IPv4.
traffic_family() {
	ip netns exec "$A" "$WORKLOAD" -6 -a ::1 -p 6010 -n 1 >/dev/null
	ip netns exec "$A" "$WORKLOAD" -p 6011 -n 1 >/dev/null
}
TRAFFIC=traffic_family record inet6 -6 || exit 1
check "-6: FILTER record" grep -Eq '^FILTER .*t7=10( |$)' "$DUMP"
check "-6: IPv6 events" some port_lines 6010
check "-6: no IPv4 event" none port_lines 6011
TRAFFIC=traffic_family record inet4 -4 || exit 1
check "-4: IPv4 events" some port_lines 6011
check "-4: no IPv6 event" none port_lines 6010

# Misuse exits 2 with a hint.
for bad in "-p 0" "-p x" "--port 70000" "--comm 0123456789abcdefg" "--netns /nonexistent" \
	   "-4 -6" "--cgroup /nonexistent-cgroup"; do
	rc=0
	# shellcheck disable=SC2086
	"$SOCKREC" -o "$TMP/never.skr" $bad 2>"$TMP/misuse.err" || rc=$?
	check_eq "misuse '$bad' exits 2" 2 "$rc"
done
check "misuse message has a hint" grep -q "Try 'sockrec --help'" "$TMP/misuse.err"

finish
