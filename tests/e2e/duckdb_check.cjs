// SPDX-License-Identifier: BSD-2-Clause
/*
 * node duckdb_check.cjs MODULES CONN_JSON CONN_CSV LATENCY_JSON
 *
 * Loads `sockana --connections --json` and `--csv` of one trace into DuckDB
 * (the @duckdb/node-api package installed under MODULES by t_duckdb.sh),
 * asks both tables one question, the count, min, p50/p90/p99 (nearest
 * rank) and max of connect durations per remote endpoint and connect
 * outcome, and compares the answers with each other and with the figures
 * of `sockana --latency --by remote --json` on the same trace.  Exit 0
 * when everything matches, 1 with the differences otherwise.
 */
'use strict';

const path = require('path');
const fs = require('fs');
const { createRequire } = require('module');

const [modules, connJson, connCsv, latJson] = process.argv.slice(2);
if (!latJson) {
	console.error('usage: node duckdb_check.cjs MODULES CONN_JSON CONN_CSV LATENCY_JSON');
	process.exit(2);
}
const { DuckDBInstance } = createRequire(path.join(path.resolve(modules), 'package.json'))('@duckdb/node-api');

const PCTS = [50, 90, 99];

// SQL string literal of a path.
const lit = (s) => "'" + s.replace(/'/g, "''") + "'";

/*
 * The question, over a table of connection rows.  Groups and phases as
 * --latency forms them: an active socket's remote address:port (IPv6 in
 * brackets), the phase named by the outcome.  Nearest rank: the value at
 * rank ceil(p * n / 100), in integers.
 */
function question(table) {
	const pct = PCTS.map((p) =>
		`max(CASE WHEN rn = (${p} * n + 99) // 100 THEN v END)::VARCHAR AS p${p}_ns`).join(',\n\t');
	return `
WITH x AS (
	SELECT CASE WHEN family = 'IPv6' THEN '[' || coalesce(remote_addr, '?') || ']'
		    ELSE coalesce(remote_addr, '?') END
	       || ':' || coalesce(remote_port, 0)::VARCHAR AS grp,
	       CASE outcome WHEN 'connect established' THEN 'connect_established'
			    WHEN 'connect refused' THEN 'connect_refused'
			    WHEN 'connect timed out' THEN 'connect_timed_out'
			    ELSE 'connect_failed' END AS phase,
	       connect_ns::UBIGINT AS v
	FROM ${table}
	WHERE role = 'active' AND connect_ns IS NOT NULL),
r AS (
	SELECT grp, phase, v,
	       row_number() OVER (PARTITION BY grp, phase ORDER BY v) AS rn,
	       count(*) OVER (PARTITION BY grp, phase) AS n
	FROM x)
SELECT grp, phase, any_value(n)::VARCHAR AS count, min(v)::VARCHAR AS min_ns,
	${pct},
	max(v)::VARCHAR AS max_ns
FROM r GROUP BY grp, phase ORDER BY grp, phase`;
}

function key(r) {
	return `${r.grp} ${r.phase}`;
}

function fields() {
	return ['count', 'min_ns', ...PCTS.map((p) => `p${p}_ns`), 'max_ns'];
}

async function main() {
	const db = await DuckDBInstance.create(':memory:');
	const conn = await db.connect();
	let bad = 0;
	const fail = (msg) => { console.log(`  FAIL: ${msg}`); bad++; };

	// JSON Lines: the connection rows and the warning rows after them.
	await conn.run(`CREATE TABLE cj AS SELECT * FROM read_json(${lit(connJson)},
		format = 'newline_delimited') WHERE "row" = 'connection'`);
	await conn.run(`CREATE TABLE cc AS SELECT * FROM read_csv(${lit(connCsv)}, header = true)`);

	// Both loads typed the numbers as numbers and saw every row.
	for (const t of ['cj', 'cc']) {
		const types = (await conn.runAndReadAll(`SELECT column_name, data_type
			FROM information_schema.columns WHERE table_name = '${t}'
			AND column_name IN ('socket', 'netns', 'local_port', 'remote_port',
			'connect_ns', 'first_ns', 'bytes_acked', 'closed', 'older')`)).getRowObjectsJson();
		for (const c of types) {
			const want = ['closed', 'older'].includes(c.column_name) ? /^BOOLEAN$/ : /INT/;
			// A column null in every row has no type to detect.
			const seen = (await conn.runAndReadAll(`SELECT count("${c.column_name}")::VARCHAR AS n
				FROM ${t}`)).getRowObjectsJson()[0].n;
			if (seen !== '0' && !want.test(c.data_type))
				fail(`${t}.${c.column_name} loaded as ${c.data_type}`);
		}
		if (types.length !== 9)
			fail(`${t}: ${types.length} of the 9 typed columns found`);
	}
	const nj = (await conn.runAndReadAll('SELECT count(*)::VARCHAR AS n FROM cj')).getRowObjectsJson()[0].n;
	const nc = (await conn.runAndReadAll('SELECT count(*)::VARCHAR AS n FROM cc')).getRowObjectsJson()[0].n;
	if (nj !== nc)
		fail(`${nj} connection rows from JSON, ${nc} from CSV`);

	const fromJson = (await conn.runAndReadAll(question('cj'))).getRowObjectsJson();
	const fromCsv = (await conn.runAndReadAll(question('cc'))).getRowObjectsJson();
	if (JSON.stringify(fromJson) !== JSON.stringify(fromCsv))
		fail(`JSON and CSV answer differently:\n${JSON.stringify(fromJson)}\n${JSON.stringify(fromCsv)}`);

	// sockana's own figures for the same groups and phases.
	const lat = new Map();
	for (const line of fs.readFileSync(latJson, 'utf8').split('\n')) {
		if (!line)
			continue;
		const r = JSON.parse(line);
		if (r.row === 'latency' && r.by === 'remote' && r.phase.startsWith('connect_') && r.count > 0)
			lat.set(`${r.group} ${r.phase}`, r);
	}
	if (fromJson.length === 0)
		fail('the query found no connect');
	for (const q of fromJson) {
		const l = lat.get(key(q));
		if (!l) {
			fail(`${key(q)}: in DuckDB's answer, not in --latency`);
			continue;
		}
		lat.delete(key(q));
		for (const f of fields()) {
			const want = BigInt(l[f]);
			const got = BigInt(q[f]);
			// Past 512 samples --latency's percentiles come from buckets within 1/32.
			const ok = l.exact || f === 'count' || f === 'min_ns' || f === 'max_ns'
				? got === want : (got > want ? got - want : want - got) * 32n <= want;
			if (!ok)
				fail(`${key(q)} ${f}: DuckDB ${got}, --latency ${want}`);
		}
		console.log(`  ${key(q)}: count ${q.count}, p50 ${q.p50_ns} ns, p99 ${q.p99_ns} ns: as --latency`);
	}
	for (const k of lat.keys())
		fail(`${k}: in --latency, not in DuckDB's answer`);
	conn.closeSync();
	return bad;
}

main().then((bad) => process.exit(bad ? 1 : 0), (e) => {
	console.log(`  FAIL: ${e && e.stack ? e.stack : e}`);
	process.exit(1);
});
