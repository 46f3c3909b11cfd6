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

# ---- conventions (issue 17): -h/-V, getopt_long, one wording, versions ----
SRC=$(cd "$E2E_DIR/../.." && pwd)
SAMPLE=$SRC/samples/closewait/trace.skr

check_eq "sockrec -h exits 0" 0 "$(run_rc "$SOCKREC" -h)"
check "sockrec -h prints usage on stdout" grep -q -- '-o FILE' "$TMP/out"
check "sockrec --help names SKR_PROBE_TIER" grep -q 'SKR_PROBE_TIER=tp_btf|tracepoint' "$TMP/out"
check "sockrec --help gives the exit statuses" grep -q '^Exit status: 0 success' "$TMP/out"
check_eq "sockrec -V exits 0" 0 "$(run_rc "$SOCKREC" -V)"
check_eq "sockrec -V: version first" "sockrec 0.2.0" "$(head -n 1 "$TMP/out")"
check "sockrec -V names libbpf and libzstd" grep -Eq '^libbpf v?[0-9]+\.[0-9]+.*, libzstd [0-9]+\.[0-9]+\.[0-9]+$' "$TMP/out"
check "sockrec -V names the format written" grep -q '^trace format: writes 2\.[0-9]' "$TMP/out"
check_eq "sockana -V exits 0" 0 "$(run_rc "$SOCKANA" -V)"
check_eq "sockana -V: version first" "sockana 0.2.0" "$(head -n 1 "$TMP/out")"
check "sockana -V names libzstd" grep -Eq '^libzstd [0-9]+\.[0-9]+\.[0-9]+$' "$TMP/out"
check "sockana -V names the formats read and written" grep -Eq '^trace format: reads 1\.x and 2\.x .* writes 2\.[0-9]' "$TMP/out"

# getopt_long: abbreviations and --opt=value, in both tools
"$SOCKANA" --timeline --port 8080 "$SAMPLE" >"$TMP/full" 2>&1
check_eq "sockana --tim --por=8080 is --timeline --port 8080" 0 \
	"$(run_rc "$SOCKANA" --tim --por=8080 "$SAMPLE")"
check "sockana abbreviations: the same report" cmp -s "$TMP/full" "$TMP/out"
check_eq "sockrec --vers is --version" "sockrec 0.2.0" "$(head -n 1 <("$SOCKREC" --vers))"

# one wording of a refusal, with the hint, exit 2
refusal() {	# TOOL WANT ARGS...: exit 2, WANT on the first line, the hint on the second
	local tool=$1 want=$2 name
	shift 2
	name=$(basename "$tool")
	check_eq "$name $*: exit 2" 2 "$(run_rc "$tool" "$@")"
	check_eq "$name $*: says why" "$name: $want" "$(head -n 1 "$TMP/err")"
	check_eq "$name $*: hint" "Try '$name --help'." "$(sed -n 2p "$TMP/err")"
}
refusal "$SOCKANA" "unknown option '--nope'" --nope "$SAMPLE"
refusal "$SOCKREC" "unknown option '--nope'" --nope -o "$TMP/x"
refusal "$SOCKANA" "unknown option '-x'" -x "$SAMPLE"
refusal "$SOCKREC" "unknown option '-x'" -x -o "$TMP/x"
refusal "$SOCKANA" "ambiguous option '--s'" --s 1 "$SAMPLE"
refusal "$SOCKREC" "ambiguous option '--fi'" --fi 3 -o "$TMP/x"
refusal "$SOCKANA" "option '--by' needs an argument" "$SAMPLE" --latency --by
refusal "$SOCKREC" "option '--output' needs an argument" --output
refusal "$SOCKANA" "option '--json' takes no argument" --json=1 "$SAMPLE"
refusal "$SOCKREC" "option '--quiet' takes no argument" --quiet=1 -o "$TMP/x"

# --since/--until: ISO 8601 with offsets; impossible dates refused
"$SOCKANA" --timeline --since 2026-11-22T02:52:59.47Z "$SAMPLE" >"$TMP/utc"
check "sockana --since ...Z keeps a part of the sample" test -s "$TMP/utc"
check "sockana --since ...Z drops a part of the sample" test "$(wc -l <"$TMP/utc")" -lt "$(wc -l < <("$SOCKANA" --timeline "$SAMPLE"))"
for t in 2026-11-22T03:52:59.47+01:00 2026-11-22T03:52:59.47+0100 2026-11-22T01:22:59.47-01:30 \
	 "2026-11-22 02:52:59.47"; do
	check_eq "sockana --since $t exits 0" 0 "$(run_rc "$SOCKANA" --timeline --since "$t" "$SAMPLE")"
	check "sockana --since $t is the same instant" cmp -s "$TMP/utc" "$TMP/out"
done
for t in 2026-02-31T00:00:00Z 2026-02-29T00:00:00Z 2026-04-31T12:00:00Z 2026-11-22T03:52:59+24:00 \
	 2026-11-22T03:52:59+01:0 2026-11-22T03:52:59+1 2026-11-22T03:52:59UTC 1970-01-01T00:00:00+01:00; do
	check_eq "sockana --since $t is refused" 2 "$(run_rc "$SOCKANA" --since "$t" "$SAMPLE")"
	check "sockana --since $t: says which" grep -q "bad time '$t'" "$TMP/err"
done
check_eq "sockana --until 2024-02-29T00:00:00Z (a leap day) exits 0" 0 \
	"$(run_rc "$SOCKANA" --until 2024-02-29T00:00:00Z "$SAMPLE")"

# --localtime: the reader's zone (TZ), with its offset; UTC stays the default
"$SOCKANA" --timeline "$SAMPLE" >"$TMP/utc"
check "sockana: UTC times end in Z" grep -q '  2026-11-22T02:52:59\.465807Z ' "$TMP/utc"
TZ=XST-05:30 "$SOCKANA" --timeline "$SAMPLE" >"$TMP/tz"
check "sockana: TZ alone changes nothing" cmp -s "$TMP/utc" "$TMP/tz"
TZ=XST-05:30 "$SOCKANA" --timeline --localtime "$SAMPLE" >"$TMP/local"
check "sockana --localtime: TZ's time and offset" grep -q '  2026-11-22T08:22:59\.465807+05:30 ' "$TMP/local"
check "sockana --localtime: no Z left" test "$(grep -c '[0-9]Z ' "$TMP/local")" = 0
TZ=YST+03 "$SOCKANA" --info --localti "$SAMPLE" >"$TMP/local"
check "sockana --localtime west of UTC (--info)" grep -q '2026-11-21T23:52:59\.[0-9]*-03:00' "$TMP/local"
TZ=XST-05:30 "$SOCKANA" --timeline --localtime --since 2026-11-22T08:22:59.47+05:30 "$SAMPLE" \
	| sed -e 's/+05:30 /Z /' >"$TMP/local"
"$SOCKANA" --timeline --since 2026-11-22T02:52:59.47Z "$SAMPLE" >"$TMP/utc"
check_eq "sockana --localtime prints what --since takes back" \
	"$(wc -l <"$TMP/utc")" "$(wc -l <"$TMP/local")"

# bash completion: both tools complete their options
for tool in sockana sockrec; do
	got=$(bash -c '. "$1/completion/$2"; COMP_WORDS=("$2" "$3"); COMP_CWORD=1; "_$2"; echo "${COMPREPLY[*]}"' \
		_ "$SRC" "$tool" --ver 2>&1)
	check_eq "$tool: bash completes --ver" "--version" "$got"
	# every long option of --help is completed, and in the manual page
	sect=$([ "$tool" = sockrec ] && echo 8 || echo 1)
	# (an option named in running text, "sockana --info shows it", is not one)
	for opt in $("$BUILD/$tool" --help | grep -oE -- '(  |, )--[a-z][a-z-]+' | grep -oE -- '--[a-z-]+' | sort -u); do
		got=$(bash -c '. "$1/completion/$2"; COMP_WORDS=("$2" "$3"); COMP_CWORD=1; "_$2"; echo " ${COMPREPLY[*]} "' \
			_ "$SRC" "$tool" "$opt")
		check "$tool: bash completes $opt" grep -q -- " $opt " <<<"$got"
		check "$tool.$sect documents $opt" grep -qF -- "$(sed 's/-/\\-/g' <<<"$opt")" "$SRC/man/$tool.$sect"
	done
done
if command -v groff >/dev/null; then
	for m in "$SRC/man/sockrec.8" "$SRC/man/sockana.1"; do
		check_eq "$(basename "$m"): no groff warnings" "" "$(LC_ALL=C.UTF-8 groff -ww -z -man "$m" 2>&1)"
	done
fi

finish
