#!/usr/bin/env bash
# Several inputs, on the committed sample traces (no root needed): hosts are
# decided from every input before the first row, so a host's rows are named
# the same way throughout; redacted traces of different machines stay apart;
# the diagnosis names the host of each finding; the same file given twice
# is counted once, with a warning.  Every sample was recorded on one boot
# of one machine ("vm"); a redacted copy is another host ("redacted", with
# a keyed pseudonym of the boot id).
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$E2E_DIR/../.." && pwd)
S=$ROOT/samples

redact() {	# redact SAMPLE KEYBYTE OUT
	head -c 32 /dev/zero | tr '\0' "$2" >"$TMP/key.$2"
	"$SOCKANA" --redact "$TMP/key.$2" -o "$3" "$S/$1/trace.skr" 2>/dev/null
}
redact refused A "$TMP/refused.r.skr" &&
redact healthy B "$TMP/healthy.r.skr" &&
redact closewait C "$TMP/closewait.r.skr" || { echo "redaction failed" >&2; exit 1; }

# overflow.skr ends its sockets before refused.r.skr starts: they used to
# be grouped as if "vm" were the only host ("127.0.0.1:8080"), the later
# ones as "vm/127.0.0.1:8080".
"$SOCKANA" --latency --by remote "$S/overflow/trace.skr" "$TMP/refused.r.skr" \
	>"$TMP/lat.txt" 2>&1
check_eq "latency of two hosts exits 0" 0 $?
check "no group without its host" bash -c "! grep -q '^== remote 127' '$TMP/lat.txt'"
check "one group of vm's connects to 127.0.0.1:8080" \
	test "$(grep -c '^== remote vm/127\.0\.0\.1:8080$' "$TMP/lat.txt")" = 1
"$SOCKANA" --timeline "$S/overflow/trace.skr" "$TMP/refused.r.skr" \
	>"$TMP/tl.txt" 2>&1
blocks=$(grep -c '^#[0-9]* cookie ' "$TMP/tl.txt")
named=$(grep -Ec '^#[0-9]* cookie .* host (vm|redacted)$' "$TMP/tl.txt")
check "every timeline block names its host ($named of $blocks)" \
	test "$blocks" -gt 0 -a "$named" = "$blocks"

# Two redacted traces of different machines (different keys, so different
# boot pseudonyms): two hosts, two groups, even though both say "redacted".
"$SOCKANA" --latency --by remote "$TMP/healthy.r.skr" "$TMP/closewait.r.skr" \
	>"$TMP/lat2.txt" 2>&1
check_eq "latency of two redacted traces exits 0" 0 $?
check "no merged group of both" bash -c "! grep -q '^== remote redacted/' '$TMP/lat2.txt'"
check "first redacted host apart" grep -qx '== remote redacted#1/127.0.0.1:8080' "$TMP/lat2.txt"
check "second redacted host apart" grep -qx '== remote redacted#2/127.0.0.1:8080' "$TMP/lat2.txt"

# The diagnosis names the host of each finding.
"$SOCKANA" "$S/refused/trace.skr" "$TMP/closewait.r.skr" >"$TMP/diag2.txt" 2>&1
check "failed connect names its host" \
	grep -Eq '^  ECONNREFUSED +vm/127\.0\.0\.1:9 +3 ' "$TMP/diag2.txt"
check "CLOSE_WAIT names its host" \
	grep -Eq '^  #[0-9]+ 127\.0\.0\.1:8080 <- .* owner [^ ]+ host redacted, since ' \
	"$TMP/diag2.txt"

# The same file twice: counted once, and said.
"$SOCKANA" "$S/refused/trace.skr" >"$TMP/once.txt" 2>&1
"$SOCKANA" "$S/refused/trace.skr" "$S/refused/trace.skr" >"$TMP/twice.txt" 2>&1
check_eq "the same file twice exits 0" 0 $?
check_eq "the same events as once" \
	"$(grep -o ', [0-9]* events, ' "$TMP/once.txt")" \
	"$(grep -o ', [0-9]* events, ' "$TMP/twice.txt")"
check_eq "the same sockets as once" \
	"$(grep '^Sockets:' "$TMP/once.txt")" "$(grep '^Sockets:' "$TMP/twice.txt")"
check_eq "the same resets as once" \
	"$(sed -n '/^Resets/,/^$/p' "$TMP/once.txt")" \
	"$(sed -n '/^Resets/,/^$/p' "$TMP/twice.txt")"
check_eq "a socket's timeline as once" \
	"$("$SOCKANA" --timeline --socket 12 "$S/refused/trace.skr" | head -n -1)" \
	"$("$SOCKANA" --timeline --socket 12 "$S/refused/trace.skr" "$S/refused/trace.skr" | sed -n '1,/^$/p' | head -n -1)"
check_eq "--backlog as once" \
	"$("$SOCKANA" --backlog "$S/refused/trace.skr")" \
	"$("$SOCKANA" --backlog "$S/refused/trace.skr" "$S/refused/trace.skr" | grep -v '^WARNING: ')"
check "a warning names the duplicate" grep -Eq \
	"^WARNING: $S/refused/trace\.skr: 1 file segment already read from $S/refused/trace\.skr \(capture [0-9a-f]{16}, file index 0\): the same capture given twice; its [1-9][0-9]* events counted once$" \
	"$TMP/twice.txt"
"$SOCKANA" --latency --json "$S/refused/trace.skr" | grep -v '"row":"warning"' >"$TMP/once.json"
"$SOCKANA" --latency --json "$S/refused/trace.skr" "$S/refused/trace.skr" |
	grep -v '"row":"warning"' >"$TMP/twice.json"
check "the same latency figures as once" cmp -s "$TMP/once.json" "$TMP/twice.json"

finish
