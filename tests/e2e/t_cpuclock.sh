#!/usr/bin/env bash
# bench/cpuclock, which bench/run's recorder-CPU column rests on, against
# the kernel's own count of a process's runtime (/proc/PID/schedstat's
# first field, ns, which a single-threaded bash can read for itself):
#   1. at exit (wait4's ru_utime + ru_stime) it reports the runtime the
#      process had reached just before, plus no more than its exit and a
#      cat (5 ms), not 10 ms ticks and not user time alone;
#   2. cpuclock -p PID of a sleeping process reads that runtime exactly
#      (to 0.1 ms);
#   3. misuse exits 2, a command that cannot run 127, a signal 128+N.
# Needs no root.
. "$(dirname "$0")/lib.sh"

CPUCLOCK=$BUILD/bench/cpuclock
[ -x "$CPUCLOCK" ] || { echo "t_cpuclock: $CPUCLOCK missing" >&2; exit 77; }

# About 0.1-0.5 s of CPU, partly system time (the reads of /proc).
busy='for ((i = 0; i < 200000; i++)); do :; done; for ((i = 0; i < 300; i++)); do read -r _ </proc/self/stat; done'

# ---- 1. the total at exit ----
for k in 1 2 3; do
	"$CPUCLOCK" -o "$TMP/cpu" -- bash -c "$busy"'; read -r s _ </proc/$$/schedstat; echo "$s"' >"$TMP/self"
	self=$(cat "$TMP/self")
	total=$(cat "$TMP/cpu")
	check "exit $k: total $total ns >= the runtime $self ns just before exit" \
		test "$total" -ge "$self"
	check "exit $k: total - runtime $((total - self)) ns <= 5 ms" \
		test $((total - self)) -le 5000000
done

# ---- 2. -p of a live process (bash's CPU, then asleep as sleep) ----
"$CPUCLOCK" -o "$TMP/cpu2" -- bash -c "$busy"'; echo ready; exec sleep 3' >"$TMP/ready" &
wrapper=$!
for _ in $(seq 100); do grep -q ready "$TMP/ready" 2>/dev/null && break; sleep 0.05; done
pid=$(awk '{ print $1 }' /proc/"$wrapper"/task/"$wrapper"/children 2>/dev/null)
if [ -n "$pid" ]; then
	sleep 0.2
	read -r sched _ </proc/"$pid"/schedstat
	now=$("$CPUCLOCK" -p "$pid")
	d=$((now - sched))
	check "-p: $now ns against schedstat's $sched ns (differ by $d ns, at most 0.1 ms)" \
		test "${d#-}" -le 100000
	check "-p: the busy loop's CPU is in it (over 50 ms)" test "$now" -gt 50000000
else
	bad "-p: no child of cpuclock found"
fi
kill "$pid" 2>/dev/null
wait "$wrapper"

# ---- 3. exit statuses ----
rc=0; "$CPUCLOCK" -p 2>/dev/null || rc=$?
check_eq "misuse exits 2" 2 "$rc"
rc=0; "$CPUCLOCK" -o "$TMP/cpu3" -- "$TMP/no-such-command" 2>/dev/null || rc=$?
check_eq "a command that cannot run: 127" 127 "$rc"
rc=0; "$CPUCLOCK" -o "$TMP/cpu3" -- bash -c 'exit 3' || rc=$?
check_eq "the command's status" 3 "$rc"
rc=0; "$CPUCLOCK" -o "$TMP/cpu3" -- bash -c 'kill -TERM $$' || rc=$?
check_eq "a signal: 128+N" 143 "$rc"
check "a CPU figure written after a signal" grep -Eq '^[0-9]+$' "$TMP/cpu3"

finish
