#!/usr/bin/env bash
# sockrec -- CMD: the command's sockets and those of every process and thread
# it starts, and nothing else; its exit status passed through; signals passed
# on; its cgroup removed at the end (left only when something still runs in
# it); -Z runs it as that user; misuse and a missing cgroup v2 refused.
# sockrec runs in the test's namespace through nsenter, which (unlike ip netns
# exec) keeps the cgroup mount in view; the listener it connects to runs
# outside the command.
. "$(dirname "$0")/lib.sh"
need_root

CMDCLIENT=$BUILD/tests/cmdclient
SKRDUMP=$BUILD/tests/skrdump
for t in "$CMDCLIENT" "$SKRDUMP"; do
	[ -x "$t" ] || { echo "missing $t (make $t)" >&2; exit 77; }
done
CG_ROOT=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts)
[ -n "$CG_ROOT" ] || { echo "no cgroup v2 hierarchy mounted" >&2; exit 77; }
command -v nsenter >/dev/null || { echo "no nsenter (util-linux)" >&2; exit 77; }

PORT=7401
SERVE_PID=
LEFT_CG=
cmd_cleanup() {
	if [ -n "$SERVE_PID" ]; then
		kill "$SERVE_PID" 2>/dev/null
		wait "$SERVE_PID" 2>/dev/null
	fi
	if [ -n "$LEFT_CG" ] && [ -d "$LEFT_CG" ]; then
		# bounded: what the test left in it is one sleep
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			pids=$(cat "$LEFT_CG/cgroup.procs" 2>/dev/null)
			[ -z "$pids" ] && break
			kill -KILL $pids 2>/dev/null
			sleep 0.1
		done
		rmdir "$LEFT_CG" 2>/dev/null
	fi
	t_cleanup
}
trap cmd_cleanup EXIT

EVENTS='^(STATE|LISTEN|ACCEPT|RESET|SOCK_ERROR|RETRANSMIT|DESTROY|SKB_DROP) '
# field KEY FILE: the values of KEY=... on the lines of FILE
field() { awk -v k="$1" '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); if (kv[1] == k) print kv[2] } }' "$2"; }
# cgroup DUMP: the cgroup the FILTER record names
cgroup_of() { sed -n 's/^FILTER .*t5=\([^ ]*\).*/\1/p' "$1"; }
has() { grep -Eq -- "$1" <<<"$2"; }
# sockrec in the foreground, bounded: a sockrec that ignores -- records forever
SR() { timeout --foreground -k 5 60 "$SOCKREC" "$@"; }
# wait_for PID: its exit status, or 124 once it was killed after 60 s
wait_for() {
	for _ in $(seq 600); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
	if kill -0 "$1" 2>/dev/null; then
		kill -KILL "$1"
		wait "$1"
		return 124
	fi
	wait "$1"
}

# ---- misuse: exit 2 and why, before anything is set up ----
out=$(SR -o "$TMP/m.skr" -- 2>&1)
check_eq "'--' alone: exit 2" 2 $?
check "'--' alone: says a command must follow" has "must be followed by the command" "$out"
out=$(SR -o "$TMP/m.skr" -p 1 -- true 2>&1)
check_eq "-p with --: exit 2" 2 $?
check "-p with --: says why" has "^sockrec: -p cannot be used with -- CMD" "$out"
out=$(SR -o "$TMP/m.skr" --cgroup "$CG_ROOT" -- true 2>&1)
check_eq "--cgroup with --: exit 2" 2 $?
check "--cgroup with --: says why" has "^sockrec: --cgroup cannot be used with -- CMD" "$out"
check "misuse: no file made" test ! -e "$TMP/m.skr"

netns_new command || exit 1
IN=(nsenter "--net=/run/netns/$NS")

# ---- no cgroup v2 in view (ip netns exec mounts a /sys of its own): exit 1 ----
out=$(ip netns exec "$NS" timeout --foreground -k 5 60 "$SOCKREC" -o "$TMP/nocg.skr" -- true 2>&1)
check_eq "no cgroup v2: exit 1" 1 $?
check "no cgroup v2: says so" has "needs a cgroup v2 hierarchy, and none is mounted" "$out"
check "no cgroup v2: no file made" test ! -e "$TMP/nocg.skr"

# The listener, outside every command.
ip netns exec "$NS" "$CMDCLIENT" serve "$PORT" 120 >"$TMP/serve.out" &
SERVE_PID=$!
for _ in $(seq 50); do grep -q ready "$TMP/serve.out" 2>/dev/null && break; sleep 0.1; done
grep -q ready "$TMP/serve.out" || { echo "listener did not start" >&2; exit 1; }

# ---- a command that forks clients and starts a thread ----
# It waits on a fifo so that clients outside it connect while it is recorded.
mkfifo "$TMP/go"
"${IN[@]}" "$SOCKREC" -q -o "$TMP/main.skr" -- \
	sh -c "read x <'$TMP/go'; exec '$CMDCLIENT' clients $PORT 2" \
	>"$TMP/main.out" 2>"$TMP/main.err" &
REC_PID=$!
for _ in $(seq 100); do [ -s "$TMP/main.skr" ] && break; sleep 0.1; done
ip netns exec "$NS" "$CMDCLIENT" clients "$PORT" 1 >"$TMP/outside.out"
check_eq "outside clients connected" 0 $?
timeout 10 sh -c "echo go >'$TMP/go'"
check_eq "command started" 0 $?
rc=0
wait_for "$REC_PID" || rc=$?
REC_PID=
check_eq "exit status of the command (0)" 0 "$rc"
cat "$TMP/main.err" >&2
"$SKRDUMP" "$TMP/main.skr" >"$TMP/main.txt"
check "trace complete (END)" grep -q '^END ' "$TMP/main.txt"

check_eq "command: 4 connections (thread, 2 children, itself)" 4 "$(grep -c '^conn ' "$TMP/main.out")"
check_eq "command: 3 processes" 3 "$(field tgid "$TMP/main.out" | sort -u | wc -l)"
thread=$(awk '{ split($2, a, "="); split($3, b, "="); if (a[2] != b[2]) print }' "$TMP/main.out")
check "command: one connection from a thread" test -n "$thread"
for sp in $(field sport "$TMP/main.out"); do
	check "command's socket $sp: connect and handshake recorded" \
		grep -Eq "^STATE .* old=2 new=1 sport=$sp dport=$PORT " "$TMP/main.txt"
done
tgid=$(field tgid <(echo "$thread"))
sp=$(field sport <(echo "$thread"))
check "thread's socket closed by its process ($tgid)" \
	grep -Eq "^STATE .* tgid=$tgid .* old=1 new=4 sport=$sp dport=$PORT " "$TMP/main.txt"
check_eq "every connect from its first transition (CLOSE->SYN_SENT)" 4 \
	"$(grep -Ec '^STATE .* old=7 new=2 ' "$TMP/main.txt")"
check_eq "outside: 3 connections made during the recording" 3 "$(grep -c '^conn ' "$TMP/outside.out")"
for sp in $(field sport "$TMP/outside.out"); do
	check "outside client's socket $sp not recorded" \
		test -z "$(grep -E " (sport|dport)=$sp( |$)" "$TMP/main.txt")"
done
check "listener and accepted sockets (port $PORT) not recorded" \
	test -z "$(grep -E "$EVENTS" "$TMP/main.txt" | grep -E " sport=$PORT ")"
check_eq "sockana: the command's 4 sockets and no other" "4 sockets" \
	"$("$SOCKANA" --timeline "$TMP/main.skr" | grep -Eo '^[0-9]+ sockets' | head -n 1)"
cg=$(cgroup_of "$TMP/main.txt")
check "FILTER record names the command's cgroup ($cg)" has "^$CG_ROOT/sockrec-[0-9]+-[0-9a-f]{8}$" "$cg"
check "cgroup removed at the end" test -n "$cg" -a ! -e "$cg"

# ---- exit statuses passed through ----
SR -q -o "$TMP/s3.skr" -- sh -c 'exit 3' 2>"$TMP/s3.err"
check_eq "exit status of the command (3)" 3 $?
SR -q -o "$TMP/sig.skr" -- sh -c 'kill -TERM $$' 2>"$TMP/sig.err"
check_eq "command killed by SIGTERM: 128+15" 143 $?
SR -q -o "$TMP/nf.skr" -- "$TMP/no-such-command" 2>"$TMP/nf.err"
check_eq "command not found: 127" 127 $?
check "command not found: says so" grep -q "running $TMP/no-such-command: No such file" "$TMP/nf.err"
for f in s3 sig nf; do
	"$SKRDUMP" "$TMP/$f.skr" >"$TMP/$f.txt"
	cg=$(cgroup_of "$TMP/$f.txt")
	check "$f: cgroup removed" test -n "$cg" -a ! -e "$cg"
done

# ---- -o -: the trace on standard output, the command's output on stderr ----
SR -q -o - -- sh -c 'echo cmd-out' 2>"$TMP/pipe.err" >"$TMP/pipe.skr"
check_eq "-o -: exit 0" 0 $?
check "-o -: the command's standard output went to stderr" grep -qx cmd-out "$TMP/pipe.err"
"$SKRDUMP" "$TMP/pipe.skr" >"$TMP/pipe.txt"
check "-o -: trace intact (END)" grep -q '^END ' "$TMP/pipe.txt"

# ---- SIGINT to sockrec reaches the command; recording goes on until it exits ----
"${IN[@]}" "$SOCKREC" -q -o "$TMP/int.skr" -- "$CMDCLIENT" sigint "$PORT" \
	>"$TMP/int.out" 2>"$TMP/int.err" &
REC_PID=$!
for _ in $(seq 100); do grep -q waiting "$TMP/int.out" 2>/dev/null && break; sleep 0.1; done
check "sigint: command waiting" grep -q waiting "$TMP/int.out"
rc=0
kill -INT "$REC_PID"
wait_for "$REC_PID" || rc=$?
REC_PID=
check_eq "sigint: command died of SIGINT, sockrec exits 130" 130 "$rc"
"$SKRDUMP" "$TMP/int.skr" >"$TMP/int.txt"
sp=$(field sport "$TMP/int.out")
check "sigint: connection made after ^C recorded" \
	grep -Eq "^STATE .* old=2 new=1 sport=${sp:-none} dport=$PORT " "$TMP/int.txt"
check "sigint: trace complete (END)" grep -q '^END ' "$TMP/int.txt"
cg=$(cgroup_of "$TMP/int.txt")
check "sigint: cgroup removed" test -n "$cg" -a ! -e "$cg"

# ---- -Z nobody: the command runs as nobody, with nobody's groups ----
"${IN[@]}" timeout --foreground -k 5 60 "$SOCKREC" -q -Z nobody -o "$TMP/z.skr" -- \
	sh -c "id -u; id -g; id -G; exec '$CMDCLIENT' clients $PORT 0" \
	>"$TMP/z.out" 2>"$TMP/z.err"
check_eq "-Z nobody: exit 0" 0 $?
cat "$TMP/z.err" >&2
check_eq "-Z nobody: uid, gid and groups" "$(id -u nobody) $(id -g nobody) $(id -G nobody)" \
	"$(head -n 3 "$TMP/z.out" | tr '\n' ' ' | sed 's/ $//')"
"$SKRDUMP" "$TMP/z.skr" >"$TMP/z.txt"
for sp in $(field sport "$TMP/z.out"); do
	check "-Z nobody: socket $sp recorded" \
		grep -Eq "^STATE .* old=2 new=1 sport=$sp dport=$PORT " "$TMP/z.txt"
done
check_eq "-Z nobody: 2 connections" 2 "$(grep -c '^conn ' "$TMP/z.out")"
cg=$(cgroup_of "$TMP/z.txt")
check "-Z nobody: cgroup removed (sockrec itself no longer root)" test -n "$cg" -a ! -e "$cg"

# ---- a process that outlives the command keeps the cgroup, which is left ----
SR -q -o "$TMP/left.skr" -- sh -c 'sleep 20 >/dev/null 2>&1 </dev/null & exit 0' \
	2>"$TMP/left.err"
check_eq "left: exit 0 when the command exits" 0 $?
"$SKRDUMP" "$TMP/left.skr" >"$TMP/left.txt"
LEFT_CG=$(cgroup_of "$TMP/left.txt")
check "left: cgroup kept while its sleep runs" test -n "$LEFT_CG" -a -d "$LEFT_CG"
check "left: says so" grep -q "cgroup $LEFT_CG is left in place" "$TMP/left.err"

finish
