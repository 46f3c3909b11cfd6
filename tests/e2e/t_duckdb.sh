#!/usr/bin/env bash
# sockana --connections feeds a real query engine: its --json and --csv of
# sample traces are loaded into DuckDB (the @duckdb/node-api npm package;
# Debian has no DuckDB), and one query's answer, count, min, p50/p90/p99 and
# max of connect durations per remote endpoint and outcome, must equal
# sockana --latency --by remote's figures on the same trace
# (tests/e2e/duckdb_check.cjs).  No root needed.
#
# The package is installed once into $BUILD/duckdb (npm's default registry;
# its cache under the same directory).  Without node and npm, or when npm
# cannot fetch the package, the test is skipped with the reason (exit 77),
# never passed.
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$E2E_DIR/../.." && pwd)
DUCKDB_VERSION=1.5.6-r.1
DIR=$BUILD/duckdb
PKG=$DIR/node_modules/@duckdb/node-api/package.json

skip() {
	echo "t_duckdb: SKIPPED, nothing checked: $*" >&2
	exit 77
}

command -v node >/dev/null || skip "no node (Debian package nodejs; .ci/install-deps installs it)"
command -v npm >/dev/null || skip "no npm (Debian package npm; .ci/install-deps installs it)"
if ! grep -q "\"version\": \"$DUCKDB_VERSION\"" "$PKG" 2>/dev/null; then
	mkdir -p "$DIR" || exit 1
	echo "  installing @duckdb/node-api@$DUCKDB_VERSION into $DIR"
	if ! npm_config_cache=$DIR/npm-cache timeout --kill-after=10 300 \
		npm install --prefix "$DIR" --no-audit --no-fund --no-package-lock \
		--loglevel=error "@duckdb/node-api@$DUCKDB_VERSION" >"$TMP/npm.log" 2>&1; then
		tail -n 5 "$TMP/npm.log" >&2
		skip "npm could not install @duckdb/node-api@$DUCKDB_VERSION:" \
			"$(grep -m1 -iE 'code|error' "$TMP/npm.log" | tr -s ' ')"
	fi
fi

for name in healthy ipv6 refused timeout; do
	trace=$ROOT/samples/$name/trace.skr
	echo "== samples/$name"
	"$SOCKANA" --connections --json "$trace" >"$TMP/$name.json" &&
	"$SOCKANA" --connections --csv "$trace" >"$TMP/$name.csv" &&
	"$SOCKANA" --latency --by remote --json "$trace" >"$TMP/$name.lat.json" ||
		{ bad "$name: sockana failed"; continue; }
	check "$name: DuckDB's answer on --connections --json and --csv is --latency's" \
		timeout 120 node "$E2E_DIR/duckdb_check.cjs" "$DIR" "$TMP/$name.json" \
		"$TMP/$name.csv" "$TMP/$name.lat.json"
done
finish
