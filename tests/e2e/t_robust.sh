#!/usr/bin/env bash
# Robustness of sockana against files it did not write (issue 5, items 1-3,
# 6 and 7):
#   1. the bad-file corpus: each file gives exactly its expected error;
#   2. a small real trace cut at every byte offset: never a crash, always
#      the complete prefix and the word "truncated";
#   3. byte flips in >= 1000 copies, in the compressed file and in the
#      records under a valid frame: exit 0 or 1 with one line, never a
#      signal or a hang (exit >= 128 or a timeout fails);
#   4. --redact: a valid trace with the same timeline modulo addresses and
#      no original address left in its decompressed bytes;
#   5. sockana as an unprivileged user on a trace root recorded.
# ROBUST_FLIPS (default 1000) and ROBUST_SEED change part 3.
. "$(dirname "$0")/lib.sh"

TOP=$(cd "$E2E_DIR/../.." && pwd)
DATA=$TOP/tests/data/robust-small.skr
FLIPS=${ROBUST_FLIPS:-1000}
SEED=${ROBUST_SEED:-$$}
KEEP=$BUILD/robust-failures	# inputs that failed, kept for debugging

[ -f "$DATA" ] || { echo "missing $DATA" >&2; exit 1; }
command -v zstd >/dev/null || { echo "needs the zstd program" >&2; exit 77; }

# run_one FILE ARGS...: sets RC, OUT, ERR; a run is bounded by 10 s.
run_one() {
	local f=$1
	shift
	OUT=$(timeout -k 2 10 "$SOCKANA" "$@" "$f" 2>"$TMP/err")
	RC=$?
	ERR=$(cat "$TMP/err")
}

# A run that failed cleanly prints exactly one "sockana: " line.
clean_error() {
	[ "$RC" -eq 1 ] && [[ $ERR == "sockana: "* ]] && [[ $ERR != *$'\n'* ]]
}

keep() {
	mkdir -p "$KEEP" && cp "$1" "$KEEP/$2" && echo "    kept as $KEEP/$2"
}

# ---- 1. the bad-file corpus ----
echo "bad-file corpus:"
check "every bad file gives its .err message" "$TOP/tests/bad/check" "$SOCKANA"

# ---- 2. truncation at every byte offset ----
size=$(stat -c %s "$DATA")
run_one "$DATA" --timeline
full_trans=$(sed -nE 's/^[0-9]+ sockets?, ([0-9]+) (transitions?|events?)$/\1/p' <<<"$OUT")
check "the whole trace reads" test "$RC" -eq 0 -a -n "$full_trans"
echo "truncation: $size offsets of $(basename "$DATA") ($full_trans transitions)"
prev=0 readable=0 bad_cut=0 partial=0
for ((n = 0; n < size; n++)); do
	head -c "$n" "$DATA" >"$TMP/cut"
	run_one "$TMP/cut" --timeline
	trans=$(sed -nE 's/^[0-9]+ sockets?, ([0-9]+) (transitions?|events?)$/\1/p' <<<"$OUT")
	why=
	if [ "$RC" -eq 0 ]; then
		readable=1
		[[ $OUT == *"WARNING: trace is truncated"* ]] || why="no truncation warning"
		[ -n "$trans" ] || why="no summary line"
		[ -n "$trans" ] && [ "$trans" -lt "$prev" ] && why="$trans transitions after $prev at a shorter cut"
		[ -n "$trans" ] && [ "$trans" -gt "$full_trans" ] && why="more transitions than the whole file"
		[ -n "$trans" ] && prev=$trans
		[ -n "$trans" ] && [ "$trans" -gt 0 ] && [ "$trans" -lt "$full_trans" ] && partial=1
	elif [ "$readable" -eq 1 ]; then
		why="exit $RC after a shorter cut was readable: $ERR"
	elif ! clean_error || [[ $ERR != *"no trace data"* ]]; then
		why="exit $RC: $ERR"
	fi
	if [ -n "$why" ]; then
		bad "cut at $n: $why"
		keep "$TMP/cut" "cut-$n.skr"
		bad_cut=$((bad_cut + 1))
		[ "$bad_cut" -ge 5 ] && break
	fi
done
check_eq "every cut reads its complete prefix and says truncated" 0 "$bad_cut"
check "some cut shows part of the events" test "$partial" -eq 1

# ---- 3. byte flips ----
# flip FILE COUNT: overwrite COUNT random bytes with random values.
flip() {
	local f=$1 k=$2 len off i
	len=$(stat -c %s "$f")
	for ((i = 0; i < k; i++)); do
		off=$(((RANDOM << 15 | RANDOM) % len))
		printf "\\x$(printf %02x $((RANDOM % 256)))" |
			dd of="$f" bs=1 seek="$off" conv=notrunc status=none
	done
}

# flip_runs NAME BASE COUNT RECOMPRESS
flip_runs() {
	local name=$1 base=$2 count=$3 recompress=$4 i failed=0 errors=0 reads=0
	for ((i = 0; i < count; i++)); do
		cp "$base" "$TMP/flip"
		flip "$TMP/flip" $((1 + RANDOM % 4))
		if [ "$recompress" = 1 ]; then
			zstd -q -c --check <"$TMP/flip" >"$TMP/flip.skr"
		else
			mv "$TMP/flip" "$TMP/flip.skr"
		fi
		for report in --timeline --info; do
			run_one "$TMP/flip.skr" "$report"
			if [ "$RC" -eq 0 ]; then
				reads=$((reads + 1))
			elif clean_error; then
				errors=$((errors + 1))
			else
				bad "$name copy $i ($report): exit $RC: ${ERR:0:300}"
				keep "$TMP/flip.skr" "$name-$SEED-$i.skr"
				failed=$((failed + 1))
				break
			fi
		done
		# The redactor reads the same input; every 4th copy is enough.
		if [ $((i % 4)) -eq 0 ]; then
			rm -f "$TMP/flip-red.skr"	# --redact never overwrites
			timeout -k 2 10 "$SOCKANA" --redact "$TMP/key" -o "$TMP/flip-red.skr" \
				"$TMP/flip.skr" 2>"$TMP/err" >/dev/null
			RC=$?
			ERR=$(cat "$TMP/err")
			if [ "$RC" -ne 0 ] && ! clean_error; then
				bad "$name copy $i (--redact): exit $RC: ${ERR:0:300}"
				keep "$TMP/flip.skr" "$name-redact-$SEED-$i.skr"
				failed=$((failed + 1))
			fi
		fi
		[ "$failed" -ge 5 ] && break
	done
	echo "$name: $count copies, $reads partial or full reads, $errors clean errors"
	check_eq "$name: no crash, hang or unclear error" 0 "$failed"
}

head -c 32 /dev/urandom >"$TMP/key"
zstd -q -dc "$DATA" >"$TMP/records"
RANDOM=$SEED
echo "byte flips: seed $SEED (ROBUST_SEED=$SEED reproduces them)"
flip_runs "compressed-flips" "$DATA" "$FLIPS" 0
flip_runs "record-flips" "$TMP/records" $((FLIPS / 2)) 1

# ---- 4. redaction ----
echo "redaction:"
red=$TMP/red.skr
# Process names kept, so that the timeline compares line for line.
"$SOCKANA" --redact "$TMP/key" --keep-comm -o "$red" "$DATA"
check_eq "--redact exits 0" 0 $?
check_eq "redacted file is readable by its owner only" 600 "$(stat -c %a "$red")"
check "redacted file is a complete zstd stream" zstd -q -t "$red"
"$SOCKANA" --info "$red" >"$TMP/red.info"
check "redacted file is a complete trace" grep -Eq '^File status: +complete' "$TMP/red.info"
check "host name masked" grep -Eq '^Host name: +redacted$' "$TMP/red.info"
check "command line masked" grep -Eq '^Recorder command: +\[redacted\]$' "$TMP/red.info"

"$SOCKANA" --timeline "$DATA" >"$TMP/orig.tl"
"$SOCKANA" --timeline "$red" >"$TMP/red.tl"
# Socket headers carry the addresses; every other line must be identical.
strip_addrs() { sed -E 's/^(#[0-9]+ cookie 0x[0-9a-f]+ IPv[46]) .* -> .* (netns .*)$/\1 ADDR -> ADDR \2/' "$1"; }
check "timeline equal modulo addresses" cmp -s <(strip_addrs "$TMP/orig.tl") <(strip_addrs "$TMP/red.tl")
# The figures the redacted trace is published for: the same, only addresses differ.
mask_addrs() { sed -E 's/([0-9]+\.){3}[0-9]+/ADDR/g; s/\[[0-9a-f:]+\]/ADDR/g'; }
for report in --latency --backlog; do
	check "$report: same figures modulo addresses" cmp -s \
		<("$SOCKANA" $report "$DATA" | mask_addrs) <("$SOCKANA" $report "$red" | mask_addrs)
done
# Groups are sorted by address, so their order changes with the mapping.
check "--latency --by remote: same groups modulo addresses" cmp -s \
	<("$SOCKANA" --latency --by remote "$DATA" | mask_addrs | sort) \
	<("$SOCKANA" --latency --by remote "$red" | mask_addrs | sort)
check "loopback sockets unchanged" cmp -s <(grep -E '^#.* (127\.0\.0\.1|\[::1\]):' "$TMP/orig.tl") \
	<(grep -E '^#.* (127\.0\.0\.1|\[::1\]):' "$TMP/red.tl")

# addrs TIMELINE: the distinct non-loopback, specified addresses in it.
addrs() {
	grep -E '^#' "$1" | grep -oE '(\[[0-9a-f:]+\]|[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+):[0-9]+' |
		sed -E 's/:[0-9]+$//; s/^\[//; s/\]$//' |
		grep -vE '^(127\.|0\.0\.0\.0$|::1?$)' | sort -u
}
# hexaddr ADDR: the address's bytes as " xx xx ... " (IPv6 expanded).
hexaddr() {
	local a=$1 out="" g head tail n i
	if [[ $a == *.* ]]; then
		IFS=. read -ra g <<<"$a"
		for i in "${g[@]}"; do out+=$(printf ' %02x' "$i"); done
	else
		head=${a%%::*} tail=
		[[ $a == *::* ]] && tail=${a#*::}
		IFS=: read -ra h <<<"$head"
		IFS=: read -ra t <<<"$tail"
		[[ $a == *::* ]] || t=()
		n=$((8 - ${#h[@]} - ${#t[@]}))
		g=("${h[@]}")
		for ((i = 0; i < n; i++)); do g+=(0); done
		g+=("${t[@]}")
		for i in "${g[@]}"; do
			i=$((16#${i:-0}))
			out+=$(printf ' %02x %02x' $((i >> 8)) $((i & 255)))
		done
	fi
	echo "$out "
}
bytes() { zstd -q -dc "$1" | od -An -v -tx1 | tr -s ' \n' '  '; echo ' '; }
orig_addrs=$(addrs "$TMP/orig.tl")
red_addrs=$(addrs "$TMP/red.tl")
check "the trace has non-loopback addresses to hide" test -n "$orig_addrs"
check_eq "same number of distinct hosts after mapping" \
	"$(wc -l <<<"$orig_addrs")" "$(wc -l <<<"$red_addrs")"
ob=$(bytes "$DATA")
rb=$(bytes "$red")
leaks=0 found=0
for a in $orig_addrs; do
	h=$(hexaddr "$a")
	[[ $ob == *"$h"* ]] && found=$((found + 1))
	[[ $rb == *"$h"* ]] && { bad "address $a ($h) left in the redacted bytes"; leaks=$((leaks + 1)); }
	[[ $red_addrs == *"$a"* ]] && { bad "address $a left in the redacted timeline"; leaks=$((leaks + 1)); }
done
check_eq "the search finds every address in the original bytes" "$(wc -w <<<"$orig_addrs")" "$found"
check_eq "no original address in the redacted bytes" 0 "$leaks"
hn=$(sed -nE 's/^Host name: +//p' < <("$SOCKANA" --info "$DATA"))
check "original host name not in the redacted bytes" \
	test -z "$hn" -o "$(zstd -q -dc "$red" | grep -c -a -F "$hn")" = 0

# By default process names are replaced too.
"$SOCKANA" --redact "$TMP/key" -o "$TMP/red2.skr" "$DATA"
check_eq "--redact (names masked by default) exits 0" 0 $?
"$SOCKANA" --timeline "$TMP/red2.skr" >"$TMP/red2.tl"
check "--redact: no process name left" test "$(grep -c 'skr-client\|skr-server' "$TMP/red2.tl")" = 0
owners() { grep -oE ' owner [^ []+' "$1" | sort -u | wc -l; }
check_eq "--redact: distinct process names stay distinct" "$(owners "$TMP/orig.tl")" "$(owners "$TMP/red2.tl")"
check_eq "--redact: same number of lines" "$(wc -l <"$TMP/orig.tl")" "$(wc -l <"$TMP/red2.tl")"
"$SOCKANA" --redact "$TMP/key" --redact-comm -o "$TMP/red4.skr" "$DATA"
check "--redact-comm (now the default) gives the same file" cmp -s "$TMP/red2.skr" "$TMP/red4.skr"
"$SOCKANA" --redact "$TMP/key" --keep-comm -o "$TMP/red3.skr" "$DATA"
check "the same key gives the same file" cmp -s "$red" "$TMP/red3.skr"
"$SOCKANA" --redact "$TMP/key" -o "$TMP/red3.skr" "$DATA" 2>/dev/null
check_eq "an existing output is refused" 1 $?
check "... and left as it was" cmp -s "$red" "$TMP/red3.skr"
: >"$TMP/empty.skr"
"$SOCKANA" --redact "$TMP/key" -o "$TMP/empty-red.skr" "$TMP/empty.skr" 2>"$TMP/err"
check_eq "empty input: --redact exits 1" 1 $?
check "empty input: says there is no trace data" grep -q 'no trace data' "$TMP/err"
check "empty input: no output left" test ! -e "$TMP/empty-red.skr"

"$SOCKANA" --redact "$TMP/key" "$DATA" >/dev/null 2>&1
check_eq "--redact without -o: usage error" 2 $?
head -c 5 /dev/urandom >"$TMP/shortkey"
"$SOCKANA" --redact "$TMP/shortkey" -o "$TMP/x.skr" "$DATA" 2>"$TMP/err"
check_eq "short key file refused" 1 $?
check "short key: no output left" test ! -e "$TMP/x.skr"
cp "$DATA" "$TMP/self.skr"
"$SOCKANA" --redact "$TMP/key" -o "$TMP/self.skr" "$TMP/self.skr" 2>/dev/null
check_eq "redacting a file onto itself refused" 1 $?
check "... and the input kept" cmp -s "$DATA" "$TMP/self.skr"
"$SOCKANA" --redact "$TMP/key" -o "$TMP/bad-red.skr" "$TOP/tests/bad/record-after-end.skr" 2>/dev/null
check_eq "bad input: --redact exits 1" 1 $?
check "bad input: no output left" test ! -e "$TMP/bad-red.skr"

# ---- 5. sockana without privileges ----
if [ "$(id -u)" -ne 0 ] || ! command -v setpriv >/dev/null; then
	echo "unprivileged sockana: skipped (needs root to switch to nobody, and setpriv)"
	finish
fi
echo "unprivileged sockana:"
trace=$DATA
if [ -r /sys/kernel/btf/vmlinux ] && [ -x "$SOCKREC" ] && [ -x "$WORKLOAD" ] && netns_new robust; then
	# A fresh trace, recorded by root as the user would.
	if rec_start "$TMP/root.skr"; then
		ip netns exec "$NS" "$WORKLOAD" -n 2 -p 7011 >/dev/null
		sleep 0.3
		rec_stop && trace=$TMP/root.skr
	fi
fi
echo "  trace: $trace"
pub=$(mktemp -d /tmp/skr-robust-pub.XXXXXX)
chmod 755 "$pub"
cp "$trace" "$pub/t.skr"
chmod 644 "$pub/t.skr"
as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$@"; }
as_nobody "$SOCKANA" --version >/dev/null
check_eq "nobody can run sockana" 0 $?
as_nobody "$SOCKANA" --info "$pub/t.skr" >"$TMP/nobody.info" 2>&1
check_eq "nobody: --info exits 0" 0 $?
"$SOCKANA" --info "$pub/t.skr" >"$TMP/root.info" 2>&1
check "nobody: same --info as root" cmp -s "$TMP/root.info" "$TMP/nobody.info"
as_nobody "$SOCKANA" --timeline "$pub/t.skr" >"$TMP/nobody.tl" 2>&1
check_eq "nobody: --timeline exits 0" 0 $?
check "nobody: timeline has sockets" grep -q '^#1 ' "$TMP/nobody.tl"
chmod 600 "$pub/t.skr"
as_nobody "$SOCKANA" --info "$pub/t.skr" >/dev/null 2>"$TMP/err"
check_eq "nobody: a 0600 root trace is refused with exit 1" 1 $?
check "... saying why" grep -q "Permission denied" "$TMP/err"
rm -rf "$pub"
finish
