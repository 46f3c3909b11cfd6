# Helpers for samples/NAME/record.sh (bash; sourced).  Run from anywhere as
# root: `samples/NAME/record.sh [BUILD_DIR]` (default build).  The recording
# runs from the repository root with relative paths, so the command line
# stored in the trace names no directory of this machine.
#
#   sample_begin NAME    check root, cd to the repo root, make netns $NS
#   ns_run CMD...        run CMD in $NS
#   rec_begin [ARGS]     start sockrec on $NS only, writing $OUT
#   rec_end              stop it (SIGINT)
#   rec_kill             SIGKILL it instead
set -eu

SAMPLES_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$SAMPLES_DIR")
BUILD=${1:-build}
NS=
REC=
OUT=

sample_cleanup() {
	if [ -n "$REC" ] && kill -0 "$REC" 2>/dev/null; then
		kill -KILL "$REC" 2>/dev/null || true
	fi
	[ -n "$NS" ] && ip netns del "$NS" 2>/dev/null
	return 0
}
trap sample_cleanup EXIT

sample_begin() {
	local name=$1
	if [ "$(id -u)" -ne 0 ]; then
		echo "record.sh: sockrec loads BPF programs: run as root" >&2
		exit 1
	fi
	cd "$ROOT"
	BUILD=${BUILD%/}
	SCENARIO=$BUILD/samples/scenario
	for f in "$BUILD/sockrec" "$BUILD/sockana" "$SCENARIO"; do
		[ -x "$f" ] || { echo "record.sh: no $f (make BUILD=$BUILD samples)" >&2; exit 1; }
	done
	# tests/e2e/t_samples.sh records elsewhere, leaving the committed trace.
	OUT=${SAMPLE_OUT:-samples/$name/trace.skr}
	NS=skr-samples-$name-$$
	ip netns add "$NS"
	ip -n "$NS" link set lo up
}

ns_run() {
	ip netns exec "$NS" "$@"
}

rec_begin() {
	rm -f "$OUT"
	"$BUILD/sockrec" -q -z 19 -o "$OUT" --netns "/run/netns/$NS" "$@" &
	REC=$!
	# Recording once the start snapshot is in the file, not at the file
	# header (written alone, before the snapshot: slow in a guest).
	for _ in $(seq 600); do
		if [ -s "$OUT" ] && "$BUILD/sockana" --info "$OUT" 2>/dev/null |
			grep -Eq '^Start snapshot: +[0-9]+ sockets?(,|$)'; then
			return 0
		fi
		kill -0 "$REC" 2>/dev/null || break
		sleep 0.1
	done
	echo "record.sh: sockrec did not start" >&2
	exit 1
}

# sockrec makes its file readable by its owner only; a sample is public.
rec_publish() {
	chmod 0644 "$OUT"
	echo "$OUT: $(stat -c %s "$OUT") bytes"
}

rec_end() {
	sleep 0.5
	kill -INT "$REC"
	wait "$REC"
	REC=
	rec_publish
}

rec_kill() {
	kill -KILL "$REC"
	wait "$REC" 2>/dev/null || true
	REC=
	rec_publish
}
