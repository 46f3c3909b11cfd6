# Helpers for the end-to-end tests (bash).  Source it after setting nothing;
# the test's first argument is the build directory.
#   need_root            exit 77 (skip) unless root and BPF is usable
#   netns_new NAME       create and enter-able namespace $NS (lo up), inode in $NS_INODE
#   rec_start FILE ARGS  start sockrec in the background, wait until it records
#   rec_start_wait W FILE ARGS  the same, waiting for file W (rotation: FILE.0)
#   rec_stop             SIGINT it and wait; returns its exit status
#   check DESC CMD...    run CMD, count a pass or a failure
#   socket_lives NS_INODE TIMELINE   each life of the namespace's sockets, counted
#   workload_lives N     what socket_lives gives for `workload -n N`
#   finish               exit 1 if any check failed
set -u

BUILD=${1:?usage: $0 BUILD_DIR}
BUILD=$(cd "$BUILD" && pwd)
SOCKREC=$BUILD/sockrec
SOCKANA=$BUILD/sockana
WORKLOAD=$BUILD/tests/workload
E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

T_FAILS=0
T_PASSES=0
NS=
REC_PID=
TMP=$(mktemp -d /tmp/skr-e2e.XXXXXX)

ok() { echo "  ok: $*"; T_PASSES=$((T_PASSES + 1)); }
bad() { echo "  FAIL: $*"; T_FAILS=$((T_FAILS + 1)); }

check() {
	local desc=$1
	shift
	if "$@"; then ok "$desc"; else bad "$desc"; fi
}

# Compare two values; shows both on failure.
check_eq() {
	local desc=$1 want=$2 got=$3
	if [ "$want" = "$got" ]; then ok "$desc"; else bad "$desc: want '$want', got '$got'"; fi
}

need_root() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "needs root to load BPF programs" >&2
		exit 77
	fi
	if [ ! -r /sys/kernel/btf/vmlinux ]; then
		echo "kernel has no BTF (/sys/kernel/btf/vmlinux)" >&2
		exit 77
	fi
}

t_cleanup() {
	if [ -n "$REC_PID" ] && kill -0 "$REC_PID" 2>/dev/null; then
		kill -KILL "$REC_PID" 2>/dev/null
		wait "$REC_PID" 2>/dev/null
	fi
	[ -n "$NS" ] && ip netns del "$NS" 2>/dev/null
	rm -rf "$TMP"
}
trap t_cleanup EXIT

netns_new() {
	NS=skr-$1-$$
	ip netns add "$NS" || return 1
	ip -n "$NS" link set lo up || return 1
	NS_INODE=$(ip netns exec "$NS" stat -L -c %i /proc/self/ns/net)
}

# rec_start FILE [sockrec args...]: start sockrec and wait until it records.
rec_start() {
	rec_start_wait "$1" "$@"
}

# rec_ready FILE: FILE holds the recorder's whole first frame: metadata and
# the sock_diag snapshot, up to its END marker.  A non-empty file is not
# enough: the file header is written alone, at attach, and the snapshot
# after it (which, under -p/--comm/--cgroup, also admits the sockets it
# lists) takes a second or more in a slow guest.
rec_ready() {
	"$SOCKANA" --info "$1" 2>/dev/null | grep -Eq '^Start snapshot: +[0-9]+ sockets?(,|$)'
}

# rec_start_wait WAIT_FILE FILE [sockrec args...]: the same, for runs whose
# first file is not FILE itself (with -C or -G it is FILE.0).
rec_start_wait() {
	local wait=$1 file=$2
	shift 2
	"$SOCKREC" -o "$file" "$@" 2>"$TMP/sockrec.err" &
	REC_PID=$!
	for _ in $(seq 600); do
		[ -s "$wait" ] && rec_ready "$wait" && return 0
		kill -0 "$REC_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "sockrec did not start:" >&2
	cat "$TMP/sockrec.err" >&2
	return 1
}

rec_stop() {
	local rc=0
	kill -INT "$REC_PID"
	wait "$REC_PID" || rc=$?
	REC_PID=
	return $rc
}

# socket_lives NS_INODE TIMELINE: from sockana --timeline's text, one line
# per kind of socket life in the namespace, "COUNT OWNER OLD>NEW,...", sorted.
socket_lives() {
	awk -v ns="$1" '
		/^#[0-9]+ / {
			if (cur != "") print cur
			cur = ""
			mine = 0
			for (i = 1; i <= NF; i++) {
				if ($i == "netns" && $(i + 1) == ns) mine = 1
				if ($i == "owner") { owner = $(i + 1); sub(/\[.*/, "", owner) }
			}
			if (mine) { cur = owner " "; sep = "" }
			next
		}
		mine && $4 == "->" { cur = cur sep $3 ">" $5; sep = "," }
		END { if (cur != "") print cur }
	' "$2" | LC_ALL=C sort | uniq -c | sed "s/^ *//" | LC_ALL=C sort
}

# workload_lives N: socket_lives of a recording of `workload -n N`, whole.
workload_lives() {
	printf '%s\n' \
		"1 skr-server CLOSE>LISTEN,LISTEN>CLOSE" \
		"$1 skr-server LISTEN>SYN_RECV,SYN_RECV>ESTABLISHED,ESTABLISHED>CLOSE_WAIT,CLOSE_WAIT>LAST_ACK,LAST_ACK>CLOSE" \
		"$1 skr-client CLOSE>SYN_SENT,SYN_SENT>ESTABLISHED,ESTABLISHED>FIN_WAIT1,FIN_WAIT1>FIN_WAIT2,FIN_WAIT2>CLOSE" |
		LC_ALL=C sort
}

finish() {
	echo "  $T_PASSES checks passed, $T_FAILS failed"
	[ "$T_FAILS" -eq 0 ]
	exit $?
}
