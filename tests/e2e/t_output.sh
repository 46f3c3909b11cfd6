#!/usr/bin/env bash
# Output files opened as a program running as root must open them (security
# issue 11, items 1 and 8): no symbolic link is followed, no file of someone
# else is written, truncated or given away; a plain -o FILE of our own is
# replaced and becomes 0600; stale or planted FILE.N stop the capture; -W
# removes only files the capture created; a file deleted during the recording
# is an error, not a summary naming it as written.
. "$(dirname "$0")/lib.sh"
need_root

chmod 755 "$TMP"
NOBODY=$(id -u nobody)
NOGROUP=$(id -g nobody)
as_nobody() { setpriv --reuid="$NOBODY" --regid="$NOGROUP" --clear-groups "$@"; }

# A root-owned file that a planted name leads to; it must never change.
victim=$TMP/victim
echo "root's secret $$" >"$victim"
chmod 640 "$victim"
victim_state() { echo "$(stat -c '%U:%G %a %s' "$victim") $(md5sum <"$victim")"; }
VICTIM0=$(victim_state)
victim_ok() { check_eq "$1: the target is untouched (content, owner, mode)" "$VICTIM0" "$(victim_state)"; }

# A directory owned by nobody: the layout the README asks for with -Z.
nobody_dir() {
	mkdir "$1" && chown "$NOBODY:$NOGROUP" "$1"
}

complete() { "$SOCKANA" "$1" --info 2>&1 | grep -Eq '^File status: +complete'; }

# ---- a symbolic link at -o: refused before any BPF program is loaded
dir=$TMP/root
mkdir "$dir"
ln -s "$victim" "$dir/link.skr"
rc=0
if command -v strace >/dev/null; then
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		strace -f -qq -e trace=bpf -o "$TMP/strace" \
		"$SOCKREC" -o "$dir/link.skr" -d 1 2>"$TMP/link.err" || rc=$?
	check_eq "symlink at -o: no bpf() call was made" 0 \
		"$(grep -c 'bpf(' "$TMP/strace" | tr -d ' ')"
else
	"$SOCKREC" -o "$dir/link.skr" -d 1 2>"$TMP/link.err" || rc=$?
fi
check_eq "symlink at -o: exit 1" 1 "$rc"
check "symlink at -o: says why, naming the file" \
	grep -q "refusing to write $dir/link.skr: it is a symbolic link" "$TMP/link.err"
victim_ok "symlink at -o"

# ---- the same, planted by nobody in its directory, with -Z nobody
dir=$TMP/zlink
nobody_dir "$dir"
as_nobody ln -s "$victim" "$dir/t.skr"
rc=0
"$SOCKREC" -o "$dir/t.skr" -Z nobody -d 1 2>"$TMP/zlink.err" || rc=$?
check_eq "-Z, symlink at -o: exit 1" 1 "$rc"
check "-Z, symlink at -o: says why" grep -q "symbolic link" "$TMP/zlink.err"
victim_ok "-Z, symlink at -o"

# ---- a symlink at FILE.0 of a rotated series (-Z nobody -C 4k)
dir=$TMP/zrot
nobody_dir "$dir"
as_nobody ln -s "$victim" "$dir/t.skr.0"
rc=0
"$SOCKREC" -o "$dir/t.skr" -Z nobody -C 4k -d 1 2>"$TMP/zrot.err" || rc=$?
check_eq "-Z -C 4k, symlink at FILE.0: exit 1" 1 "$rc"
check "-Z -C 4k, symlink at FILE.0: names it" grep -q "$dir/t.skr.0 exists" "$TMP/zrot.err"
victim_ok "-Z -C 4k, symlink at FILE.0"
check "-Z -C 4k, symlink at FILE.0: the link is left as it was" \
	test "$(readlink "$dir/t.skr.0")" = "$victim"

# ---- a symlink at the next FILE.N planted during the recording: rotation stops there
dir=$TMP/zlate
nobody_dir "$dir"
rec_start_wait "$dir/t.skr.0" "$dir/t.skr" -Z nobody -G 1 || exit 1
# Stopped, the recorder cannot create the next name before it is planted.
kill -STOP "$REC_PID"
n=$(find "$dir" -name 't.skr.[0-9]*' | sed 's/.*\.//' | sort -n | tail -n 1)
n=$((n + 1))
as_nobody ln -s "$victim" "$dir/t.skr.$n"
kill -CONT "$REC_PID"
for _ in $(seq 100); do kill -0 "$REC_PID" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$REC_PID" 2>/dev/null; then
	bad "symlink at FILE.$n: sockrec still runs after 10 s"
	kill -INT "$REC_PID"
fi
rc=0
wait "$REC_PID" || rc=$?
REC_PID=
check_eq "symlink at FILE.$n: exit 1" 1 "$rc"
check "symlink at FILE.$n: says the name exists" \
	grep -q "creating $dir/t.skr.$n: it exists already" "$TMP/sockrec.err"
check "symlink at FILE.$n: the summary names the last file written" \
	grep -Eq "(the last|written to) $dir/t.skr.$((n - 1))\$" "$TMP/sockrec.err"
victim_ok "symlink at FILE.$n"
for i in $(seq 0 $((n - 1))); do
	f=$dir/t.skr.$i
	check_eq "after the drop: t.skr.$i is nobody's, mode 600" "nobody 600" "$(stat -c '%U %a' "$f")"
	check "t.skr.$i is complete" complete "$f"
done

# ---- files of another user, mode 0666: not written, not re-moded
dir=$TMP/shared
mkdir "$dir"
chmod 1777 "$dir"
as_nobody sh -c "umask 0; echo theirs >'$dir/o.skr'; echo theirs >'$dir/r.skr.0'"
theirs() { echo "$(stat -c '%U %a' "$1") $(head -c 64 "$1" | od -An -c | tr -s ' ')"; }
THEIRS=$(theirs "$dir/o.skr")
rc=0
"$SOCKREC" -o "$dir/o.skr" -d 1 2>"$TMP/other.err" || rc=$?
check_eq "another user's -o FILE: exit 1" 1 "$rc"
check "another user's -o FILE: says whose it is" \
	grep -q "refusing to write $dir/o.skr: it belongs to uid $NOBODY" "$TMP/other.err"
check_eq "another user's -o FILE: untouched" "$THEIRS" "$(theirs "$dir/o.skr")"
rc=0
"$SOCKREC" -o "$dir/r.skr" -C 4k -d 1 2>"$TMP/other-rot.err" || rc=$?
check_eq "another user's FILE.0: exit 1" 1 "$rc"
check_eq "another user's FILE.0: untouched" "$THEIRS" "$(theirs "$dir/r.skr.0")"

# ---- a hard link to a root file, and a named pipe: refused
dir=$TMP/links
mkdir "$dir"
ln "$victim" "$dir/hard.skr"
rc=0
"$SOCKREC" -o "$dir/hard.skr" -d 1 2>"$TMP/hard.err" || rc=$?
check_eq "hard link at -o: exit 1" 1 "$rc"
check "hard link at -o: says why" grep -q "it has 2 hard links" "$TMP/hard.err"
victim_ok "hard link at -o"
mkfifo "$dir/fifo.skr"
rc=0
# Bounded: a recorder that opens the pipe for writing waits for a reader.
timeout 10 "$SOCKREC" -o "$dir/fifo.skr" -d 1 2>"$TMP/fifo.err" || rc=$?
check_eq "named pipe at -o: exit 1" 1 "$rc"
check "named pipe at -o: says why" grep -q "it is a named pipe" "$TMP/fifo.err"

# ---- a file of our own is replaced, and becomes readable by its owner only
dir=$TMP/own
mkdir "$dir"
echo "an old trace" >"$dir/own.skr"
chmod 644 "$dir/own.skr"
rc=0
"$SOCKREC" -o "$dir/own.skr" -d 1 -q 2>"$TMP/own.err" || rc=$?
check_eq "own file: exit 0" 0 "$rc"
check_eq "own file: root's, mode 600" "root 600" "$(stat -c '%U %a' "$dir/own.skr")"
check "own file: holds the new, complete trace" complete "$dir/own.skr"
# With -Z, only files sockrec created are given away.
echo "an old trace" >"$dir/ownz.skr"
rc=0
"$SOCKREC" -o "$dir/ownz.skr" -Z nobody -d 1 -q 2>"$TMP/ownz.err" || rc=$?
check_eq "own file with -Z: exit 0" 0 "$rc"
check_eq "own file with -Z: stays root's, mode 600" "root 600" "$(stat -c '%U %a' "$dir/ownz.skr")"
check "own file with -Z: says it keeps its owner" grep -q "keeps its owner" "$TMP/ownz.err"

# ---- a stale FILE.N of an earlier capture: refused, nothing created
dir=$TMP/stale
mkdir "$dir"
echo "earlier" >"$dir/s.skr.7"
rc=0
"$SOCKREC" -o "$dir/s.skr" -C 4k -d 1 2>"$TMP/stale.err" || rc=$?
check_eq "stale FILE.7: exit 1" 1 "$rc"
check "stale FILE.7: names it" grep -q "refusing to start: $dir/s.skr.7 exists" "$TMP/stale.err"
check "stale FILE.7: no FILE.0 created" test ! -e "$dir/s.skr.0"
check_eq "stale FILE.7: kept" earlier "$(cat "$dir/s.skr.7")"
# Names that are not FILE.N (N digits) do not count.
rm "$dir/s.skr.7"
echo "notes" >"$dir/s.skr.txt"
echo "copy" >"$dir/s.skr.1.bak"
rc=0
"$SOCKREC" -o "$dir/s.skr" -G 1 -d 1 -q 2>"$TMP/notn.err" || rc=$?
check_eq "FILE.txt and FILE.1.bak in the directory: exit 0" 0 "$rc"
check "FILE.txt and FILE.1.bak in the directory: FILE.0 written" complete "$dir/s.skr.0"

# ---- -W removes only files this capture created
dir=$TMP/ring
mkdir "$dir"
rec_start_wait "$dir/w.skr.1" "$dir/w.skr" -G 1 -W 2 || exit 1
# Stopped, the recorder cannot rotate while a file is swapped: with -W 2 the
# newest is k, and creating k + 1 removes k - 1, which becomes someone else's.
kill -STOP "$REC_PID"
k=$(find "$dir" -name 'w.skr.[0-9]*' | sed 's/.*\.//' | sort -n | tail -n 1)
old=w.skr.$((k - 1))
mv "$dir/$old" "$dir/moved.skr"
echo planted >"$dir/$old"
kill -CONT "$REC_PID"
# Creating k + 2 removes k, a file of this capture.
for _ in $(seq 100); do
	[ -e "$dir/w.skr.$((k + 2))" ] && break
	kill -0 "$REC_PID" 2>/dev/null || break
	sleep 0.1
done
rc=0
rec_stop || rc=$?
check_eq "-W 2: exit 0" 0 "$rc"
check_eq "-W 2: the file planted at $old is kept" planted "$(cat "$dir/$old" 2>&1)"
check "-W 2: says why it is kept" \
	grep -q "not removing $dir/$old: it is no longer the file sockrec wrote" "$TMP/sockrec.err"
check "-W 2: w.skr.$((k + 2)) was written" test -e "$dir/w.skr.$((k + 2))"
check "-W 2: a file it created (w.skr.$k) is removed" test ! -e "$dir/w.skr.$k"
check_eq "-W 2: the planted file and the 2 newest remain" 3 \
	"$(find "$dir" -name 'w.skr.[0-9]*' | wc -l | tr -d ' ')"

# ---- the directory removed during the recording: an error, exit 1
dir=$TMP/gone
mkdir "$dir"
rec_start "$dir/t.skr" || exit 1
rm -rf "$dir"
for _ in $(seq 50); do kill -0 "$REC_PID" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$REC_PID" 2>/dev/null; then
	bad "directory removed: sockrec still runs after 5 s"
	kill -INT "$REC_PID"
fi
rc=0
wait "$REC_PID" || rc=$?
REC_PID=
check_eq "directory removed: exit 1" 1 "$rc"
check "directory removed: says so" \
	grep -q "writing $dir/t.skr: it was deleted during the recording" "$TMP/sockrec.err"
check "directory removed: the summary does not call it written to" \
	sh -c "! grep -q 'bytes written to' '$TMP/sockrec.err'"

# ---- standard output still works
rc=0
"$SOCKREC" -o - -d 1 -q >"$TMP/stdout.skr" 2>"$TMP/stdout.err" || rc=$?
check_eq "-o -: exit 0" 0 "$rc"
check "-o -: a complete trace" complete "$TMP/stdout.skr"

finish
