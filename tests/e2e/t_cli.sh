#!/usr/bin/env bash
# Command-line behaviour of both tools that needs no privilege: help,
# version, misuse (exit 2), bad input files (exit 1, one line on stderr).
. "$(dirname "$0")/lib.sh"

# run_rc CMD...: the exit status, with stdout and stderr kept in $TMP/out, $TMP/err
run_rc() {
	local rc=0
	"$@" >"$TMP/out" 2>"$TMP/err" || rc=$?
	echo "$rc"
}
lines() { wc -l <"$1" | tr -d ' '; }

check_eq "sockrec --help exits 0" 0 "$(run_rc "$SOCKREC" --help)"
check "sockrec --help prints usage on stdout" grep -q -- '-o FILE' "$TMP/out"
check_eq "sockrec --version" "sockrec 0.2.0" "$(head -n 1 <("$SOCKREC" --version))"
check_eq "sockrec without -o exits 2" 2 "$(run_rc "$SOCKREC")"
check "sockrec misuse hints at --help" grep -q "Try 'sockrec --help'" "$TMP/err"
check_eq "sockrec -d with a bad number exits 2" 2 "$(run_rc "$SOCKREC" -o "$TMP/x" -d 12x)"
check_eq "sockrec with an extra argument exits 2" 2 "$(run_rc "$SOCKREC" -o "$TMP/x" extra)"

check_eq "sockana --help exits 0" 0 "$(run_rc "$SOCKANA" --help)"
check "sockana --help documents --timeline" grep -q -- '--timeline' "$TMP/out"
check_eq "sockana --version" "sockana 0.2.0" "$(head -n 1 <("$SOCKANA" --version))"
check_eq "sockana without a file exits 2" 2 "$(run_rc "$SOCKANA")"
check "sockana misuse hints at --help" grep -q "Try 'sockana --help'" "$TMP/err"

check_eq "missing file exits 1" 1 "$(run_rc "$SOCKANA" "$TMP/nonexistent.skr" --info)"
check_eq "missing file: one line" 1 "$(lines "$TMP/err")"
check "missing file: names the error" grep -q "No such file or directory" "$TMP/err"

printf 'GET / HTTP/1.0\r\n\r\n' >"$TMP/foreign"
check_eq "foreign file exits 1" 1 "$(run_rc "$SOCKANA" "$TMP/foreign" --info)"
check_eq "foreign file: one line" 1 "$(lines "$TMP/err")"
check "foreign file: says it is not a trace" grep -q "not a sockrec trace" "$TMP/err"
check_eq "foreign file: nothing on stdout" 0 "$(lines "$TMP/out")"

# A zstd file that is not a trace: the reader must look inside the frame.
if command -v zstd >/dev/null; then
	echo "hello" | zstd -q -c >"$TMP/foreign.zst"
	check_eq "foreign zstd file exits 1" 1 "$(run_rc "$SOCKANA" "$TMP/foreign.zst" --info)"
	check "foreign zstd file: says it is not a trace" grep -q "not a sockrec trace" "$TMP/err"
fi

: >"$TMP/empty"
check_eq "empty file exits 1" 1 "$(run_rc "$SOCKANA" "$TMP/empty" --info)"
check_eq "empty file: one line" 1 "$(lines "$TMP/err")"

finish
