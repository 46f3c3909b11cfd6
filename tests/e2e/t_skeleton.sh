#!/usr/bin/env bash
# The walking skeleton end to end: record a deterministic loopback workload
# in a namespace of our own, then check what sockana reports, socket by
# socket, with the exact transition sequence of each.
. "$(dirname "$0")/lib.sh"
need_root

N=5
netns_new skel || exit 1
trace=$TMP/skel.skr

rec_start "$trace" || exit 1
ip netns exec "$NS" "$WORKLOAD" -n "$N" -p 7001 >"$TMP/workload.out"
check_eq "workload ran" 0 $?
sleep 0.3
rc=0
rec_stop || rc=$?
check_eq "sockrec exits 0 on SIGINT" 0 "$rc"
check "sockrec summary on stderr" grep -q "events recorded" "$TMP/sockrec.err"
check "file is a complete zstd stream" zstd -q -t "$trace"
check_eq "trace is readable by its owner only" 600 "$(stat -c %a "$trace")"

"$SOCKANA" "$trace" --info >"$TMP/info" 2>&1
check_eq "sockana --info exits 0" 0 $?
check "info: complete" grep -Eq '^File status: +complete' "$TMP/info"
check "info: no lost events" grep -Eq '^Lost events: +0$' "$TMP/info"
# tp_btf, unless the run limits every hook to classic tracepoints (tests/vm).
if [ "${SKR_PROBE_TIER:-}" = tracepoint ]; then
	check "info: state probe attached with a tracepoint" grep -Eq 'inet_sock_set_state +tracepoint' "$TMP/info"
else
	check "info: state probe attached with tp_btf" grep -Eq 'inet_sock_set_state +tp_btf' "$TMP/info"
fi
check "info: kernel release" grep -q "$(uname -r)" "$TMP/info"

"$SOCKANA" "$trace" --timeline >"$TMP/timeline" 2>&1
check_eq "sockana --timeline exits 0" 0 $?

# One line per kind of socket life in our namespace (tests/e2e/lib.sh).
socket_lives "$NS_INODE" "$TMP/timeline" >"$TMP/lives"
expect=$(workload_lives "$N")
check_eq "socket lives in the namespace (N+1 server side, N client side)" "$expect" "$(cat "$TMP/lives")"
if [ "$expect" != "$(cat "$TMP/lives")" ]; then
	echo "---- timeline"; cat "$TMP/timeline"
fi

# Client sockets show their real endpoints (the local port is known only
# after SYN_SENT, and gone again at CLOSE).
check_eq "client sockets name the server port" "$N" \
	"$(grep -c "netns $NS_INODE owner skr-client" "$TMP/timeline" | tr -d ' ')"
check "client endpoints include port 7001" grep -Eq "127\.0\.0\.1:[1-9][0-9]* -> 127\.0\.0\.1:7001 netns $NS_INODE owner skr-client" "$TMP/timeline"

# A user who did not record the trace can read it (given read access).
cp "$trace" "$TMP/shared.skr"
cp "$SOCKANA" "$TMP/sockana"
chmod 644 "$TMP/shared.skr"
chmod 755 "$TMP" "$TMP/sockana"
setpriv --reuid=65534 --regid=65534 --clear-groups "$TMP/sockana" "$TMP/shared.skr" --info >"$TMP/info.nobody" 2>&1
check_eq "sockana --info as nobody exits 0" 0 $?
setpriv --reuid=65534 --regid=65534 --clear-groups "$TMP/sockana" "$TMP/shared.skr" --timeline >"$TMP/timeline.nobody" 2>&1
check_eq "sockana --timeline as nobody gives the same timeline" "$(md5sum <"$TMP/timeline")" "$(md5sum <"$TMP/timeline.nobody")"

# A killed recorder leaves a file readable up to its last flush (once a
# second): killed once the workload is readable in the live file (waited
# for, up to 10 s, not assumed after a fixed time), it is still there after.
killed=$TMP/killed.skr
rec_start "$killed" || exit 1
ip netns exec "$NS" "$WORKLOAD" -n 2 -p 7002 >/dev/null
for _ in $(seq 100); do
	[ "$("$SOCKANA" "$killed" --timeline 2>/dev/null | grep -c "netns $NS_INODE owner")" -ge 5 ] && break
	sleep 0.1
done
kill -KILL "$REC_PID"
wait "$REC_PID" 2>/dev/null
REC_PID=
"$SOCKANA" "$killed" --info >"$TMP/info.killed" 2>&1
check_eq "killed trace: sockana --info exits 0" 0 $?
check "killed trace: reported truncated" grep -Eq '^File status: +truncated' "$TMP/info.killed"
"$SOCKANA" "$killed" --timeline >"$TMP/timeline.killed" 2>&1
check_eq "killed trace: the workload's 5 sockets are there" 5 \
	"$(grep -c "netns $NS_INODE owner" "$TMP/timeline.killed" | tr -d ' ')"

# Stopped the moment the workload is done: its last records may still be
# staged in BPF, younger than any sweep would wait to send
# (record/perfbuf.c, STAGE_FRESH_NS); the last sweep sends them all.
quick=$TMP/quick.skr
rec_start "$quick" || exit 1
ip netns exec "$NS" "$WORKLOAD" -n "$N" -p 7003 >/dev/null
rc=0
rec_stop || rc=$?
check_eq "stopped at once: sockrec exits 0" 0 "$rc"
"$SOCKANA" "$quick" --timeline >"$TMP/timeline.quick" 2>&1
socket_lives "$NS_INODE" "$TMP/timeline.quick" >"$TMP/lives.quick"
check_eq "stopped at once: every socket's whole life is there" "$expect" "$(cat "$TMP/lives.quick")"

finish
