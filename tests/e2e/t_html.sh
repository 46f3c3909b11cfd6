#!/usr/bin/env bash
# sockana --html OUT as a command (no root, no BPF: committed samples): the
# page goes to OUT, or to standard output for '-', the same bytes; OUT is
# written beside itself and renamed, so a failed run leaves the file that
# was there and no half page, a symbolic link at OUT is replaced and not
# followed, and a trace being read is never replaced; misuse exits 2.
# tests/browser opens the pages in a real browser.
. "$(dirname "$0")/lib.sh"

SAMPLE=$E2E_DIR/../../samples/overflow/trace.skr
dir=$TMP/html
mkdir "$dir"

rc=0
"$SOCKANA" --html "$dir/page.html" "$SAMPLE" 2>"$TMP/err" || rc=$?
check_eq "--html OUT: exit 0" 0 "$rc"
check "--html OUT: a page" grep -q '^<!DOCTYPE html>' "$dir/page.html"
check_eq "--html OUT: one lane per socket (21)" 21 \
	"$(grep -c '^<g class="lane" data-id=' "$dir/page.html")"
check_eq "--html OUT: nothing on stdout or stderr" "" "$(cat "$TMP/err")"
check_eq "--html -: the same bytes on standard output" \
	"$(md5sum <"$dir/page.html")" "$("$SOCKANA" --html - "$SAMPLE" | md5sum)"
umask_mode=$(printf '%o' $((0666 & ~0$(umask))))
check_eq "--html OUT: mode as umask gives" "$umask_mode" "$(stat -c %a "$dir/page.html")"

# A failed run (a file that is not a trace) keeps the page that was there.
before=$(md5sum <"$dir/page.html")
echo "not a trace" >"$dir/bad.skr"
rc=0
"$SOCKANA" --html "$dir/page.html" "$dir/bad.skr" 2>"$TMP/err" || rc=$?
check_eq "bad trace: exit 1" 1 "$rc"
check_eq "bad trace: the earlier page is untouched" "$before" "$(md5sum <"$dir/page.html")"
check_eq "bad trace: no file left beside it" "bad.skr page.html" "$(cd "$dir" && echo *)"

# A link planted at OUT: replaced by the page, its target untouched.
echo "victim" >"$dir/victim"
ln -s "$dir/victim" "$dir/link.html"
rc=0
"$SOCKANA" --html "$dir/link.html" "$SAMPLE" 2>"$TMP/err" || rc=$?
check_eq "link at OUT: exit 0" 0 "$rc"
check_eq "link at OUT: its target untouched" "victim" "$(cat "$dir/victim")"
check "link at OUT: now a file, not a link" test -f "$dir/link.html" -a ! -L "$dir/link.html"

# The trace itself named as OUT: refused, the trace kept.
cp "$SAMPLE" "$dir/trace.skr"
sum=$(md5sum <"$dir/trace.skr")
rc=0
"$SOCKANA" --html "$dir/trace.skr" "$dir/trace.skr" 2>"$TMP/err" || rc=$?
check_eq "OUT is the input: exit 1" 1 "$rc"
check "OUT is the input: says so" grep -q 'is a trace to read' "$TMP/err"
check_eq "OUT is the input: the trace is unchanged" "$sum" "$(md5sum <"$dir/trace.skr")"

# A directory that cannot be written: exit 1, said.
rc=0
"$SOCKANA" --html "$dir/no/such/dir/page.html" "$SAMPLE" 2>"$TMP/err" || rc=$?
check_eq "OUT in a missing directory: exit 1" 1 "$rc"
check "OUT in a missing directory: says why" grep -q 'No such file or directory' "$TMP/err"

# Misuse.
rc=0
"$SOCKANA" "$SAMPLE" --html >/dev/null 2>"$TMP/err" || rc=$?
check_eq "--html without OUT: exit 2" 2 "$rc"
rc=0
"$SOCKANA" --html "$dir/x.html" --json "$SAMPLE" >/dev/null 2>"$TMP/err" || rc=$?
check_eq "--html --json: exit 2" 2 "$rc"
rc=0
"$SOCKANA" --html "$dir/x.html" --timeline "$SAMPLE" >/dev/null 2>"$TMP/err" || rc=$?
check_eq "--html with another report: exit 2" 2 "$rc"
check_eq "refused runs wrote nothing" "" "$(cd "$dir" && ls x.html* 2>/dev/null)"
check "--help names --html" sh -c "'$SOCKANA' --help | grep -q -- '--html OUT'"

finish
