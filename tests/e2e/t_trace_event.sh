#!/usr/bin/env bash
# sockana --trace-event OUT: the command line (OUT required, '-' is
# standard output, --json refused, an unwritable OUT an error), every
# committed sample and a synthetic trace checked against the Trace Event
# Format by tests/e2e/tevcheck; then, as root, real loopback traffic in a
# namespace of our own: a listener's accepts (its accept-queue counter,
# its children's tracks in the owner's process) and a refused connect
# (its reset and error as instants on its track).
. "$(dirname "$0")/lib.sh"
TEVCHECK=$BUILD/tests/tevcheck
SYNTH=$BUILD/bench/synth
for f in "$TEVCHECK" "$SYNTH"; do
	[ -x "$f" ] || { echo "missing $f (make $f)" >&2; exit 77; }
done
ROOT=$(cd "$E2E_DIR/../.." && pwd)

# ---- the command line ----
"$SOCKANA" --trace-event >/dev/null 2>"$TMP/err"
check_eq "--trace-event without OUT is a usage error" 2 $?
"$SOCKANA" --trace-event "$TMP/x.json" --json "$ROOT/samples/resets/trace.skr" \
	>/dev/null 2>"$TMP/err"
check_eq "--trace-event with --json is a usage error" 2 $?
check "and the message says which reports write JSON Lines" \
	grep -q -- '--json goes with ' "$TMP/err"
"$SOCKANA" --trace-event "$TMP/no/such/dir.json" "$ROOT/samples/resets/trace.skr" \
	2>"$TMP/err"
check_eq "an OUT that cannot be written fails" 1 $?
check "naming it" grep -q "sockana: $TMP/no/such/dir.json: No such file or directory" "$TMP/err"
"$SOCKANA" --trace-event "$TMP/bad.json" "$ROOT/tests/bad/bad-magic.skr" 2>"$TMP/err"
check_eq "a trace that cannot be read fails" 1 $?
check "and leaves no OUT behind" test ! -e "$TMP/bad.json"
"$SOCKANA" --trace-event "$TMP/resets.json" "$ROOT/samples/resets/trace.skr" >"$TMP/stdout"
check_eq "--trace-event OUT exits 0" 0 $?
check "and writes nothing to stdout" test ! -s "$TMP/stdout"
"$SOCKANA" --trace-event - "$ROOT/samples/resets/trace.skr" >"$TMP/resets-stdout.json"
check "OUT '-' is standard output, the same bytes" cmp -s "$TMP/resets.json" "$TMP/resets-stdout.json"

# ---- every sample ----
for trace in "$ROOT"/samples/*/trace.skr; do
	name=$(basename "$(dirname "$trace")")
	"$SOCKANA" --trace-event "$TMP/$name.json" "$trace" 2>"$TMP/$name.err"
	check_eq "$name: sockana --trace-event exits 0" 0 $?
	check "$name: the file is Trace Event Format ($("$TEVCHECK" "$TMP/$name.json" 2>&1))" \
		"$TEVCHECK" "$TMP/$name.json"
done
check "killed: the truncation is said on stderr" grep -q 'WARNING: trace is truncated' "$TMP/killed.err"
check "killed: and in otherData" grep -q '"truncated":"yes"}}' "$TMP/killed.json"

# ---- a synthetic trace: more sockets than the samples ----
"$SYNTH" -o "$TMP/synth.skr" -n 200000 -l 500 >/dev/null
check_eq "synth wrote a trace" 0 $?
"$SOCKANA" --trace-event "$TMP/synth.json" "$TMP/synth.skr"
check_eq "synth: sockana --trace-event exits 0" 0 $?
sum=$("$TEVCHECK" "$TMP/synth.json")
check "synth: the file is Trace Event Format ($sum)" test -n "$sum"
tracks=$(sed -n 's/.* tracks \([0-9]*\) .*/\1/p' <<<"$sum")
sockets=$(sed -n 's/.*"sockets":"\([0-9]*\)".*/\1/p' "$TMP/synth.json")
check_eq "synth: a track per socket" "${sockets:-none}" "${tracks:-}"

# ---- real traffic ----
if [ "$(id -u)" -ne 0 ] || [ ! -r /sys/kernel/btf/vmlinux ] || [ ! -x "$WORKLOAD" ]; then
	echo "  (no recording: needs root, BTF and $WORKLOAD)"
	finish
fi
CONNS=50
PORT=7171
netns_new tev || exit 1
TRACE=$TMP/real.skr
rec_start "$TRACE" -q || exit 1
timeout 60 ip netns exec "$NS" "$WORKLOAD" -p $PORT -n $CONNS -b 16 >"$TMP/workload.out"
check_eq "workload completed $CONNS connections" 0 $?
# Port 9 has no listener: refused at once, on loopback.
timeout 10 ip netns exec "$NS" bash -c 'exec 3<>/dev/tcp/127.0.0.1/9' 2>/dev/null
check "a connect to port 9 is refused" test $? -ne 0
# The refused socket's error report comes after its CLOSE: wait until the
# recorder wrote it (a bounded poll, not a fixed sleep).
for _ in $(seq 100); do
	"$SOCKANA" --timeline --netns "$NS_INODE" --port 9 "$TRACE" 2>/dev/null |
		grep -q 'ECONNREFUSED' && break
	sleep 0.2
done
rec_stop
check_eq "sockrec exits 0" 0 $?

"$SOCKANA" --trace-event "$TMP/real.json" --netns "$NS_INODE" "$TRACE"
check_eq "sockana --trace-event exits 0" 0 $?
sum=$("$TEVCHECK" "$TMP/real.json")
check "the file is Trace Event Format ($sum)" test -n "$sum"
lpid=$(grep -o '"ph":"C","name":"accept queue #[0-9]* 127\.0\.0\.1:'$PORT'","cat":"accept_queue","ts":[0-9.]*,"pid":[0-9]*' \
	"$TMP/real.json" | head -n 1 | sed 's/.*"pid"://')
check "the listener has an accept-queue counter" test -n "$lpid"
check "in the workload server's process" \
	grep -q "\"name\":\"process_name\",\"ts\":0,\"pid\":${lpid:-x},\"tid\":${lpid:-x},\"args\":{\"name\":\"skr-server\\[${lpid:-x}\\]\"}" "$TMP/real.json"
check "with its track" grep -q "\"pid\":${lpid:-x},\"tid\":[0-9]*,\"args\":{\"name\":\"#[0-9]* listen 127\\.0\\.0\\.1:$PORT\"}" "$TMP/real.json"
accepted=$(grep -c "\"ph\":\"X\",\"name\":\"accepted connection\",\"cat\":\"socket\",\"ts\":[0-9.]*,\"dur\":[0-9.]*,\"pid\":${lpid:-x}," "$TMP/real.json")
check_eq "its $CONNS accepted connections are tracks of the same process" "$CONNS" "$accepted"
check "a connection's ESTABLISHED is a slice" grep -q '"ph":"X","name":"ESTABLISHED","cat":"state"' "$TMP/real.json"
ref=$(grep '"ph":"M","name":"thread_name"' "$TMP/real.json" | grep -- '-> 127\.0\.0\.1:9"}}' |
	sed -n 's/.*"pid":\([0-9]*\),"tid":\([0-9]*\),.*/\1 \2/p' | head -n 1)
check "the refused connect has a track" test -n "$ref"
read -r rpid rtid <<<"${ref:-x x}"
check "the reset it received is an instant on it" \
	grep -q "\"ph\":\"i\",\"name\":\"reset received\",\"cat\":\"reset\",\"ts\":[0-9.]*,\"s\":\"t\",\"pid\":$rpid,\"tid\":$rtid," "$TMP/real.json"
check "and so is its error" \
	grep -q "\"ph\":\"i\",\"name\":\"error ECONNREFUSED\",\"cat\":\"error\",\"ts\":[0-9.]*,\"s\":\"t\",\"pid\":$rpid,\"tid\":$rtid," "$TMP/real.json"
check "its life is named by its outcome" \
	grep -q "\"ph\":\"X\",\"name\":\"connect refused\",\"cat\":\"socket\",\"ts\":[0-9.]*,\"dur\":[0-9.]*,\"pid\":$rpid,\"tid\":$rtid," "$TMP/real.json"
finish
