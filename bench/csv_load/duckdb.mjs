// bench/csv_load peer: DuckDB's read_csv_auto materialised into an in-memory table, 2 threads.
//
//   DUCKDB_NODE_PREFIX=DIR node bench/csv_load/duckdb.mjs FILE [THREADS]
//
// DIR is the `npm install --prefix DIR @duckdb/node-api` folder (run.sh makes it). Prints one
// line of key=value pairs: the seconds of CREATE TABLE … AS SELECT * FROM read_csv_auto(…)
// alone (node start-up and loading the extension are not counted), the row count read back
// from the table, the column count and DuckDB's inferred type counts.
import { createRequire } from 'node:module';
import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const args = process.argv.slice(2);
if (args.length < 1 || args.length > 2) {
  console.error('usage: duckdb.mjs FILE [THREADS]');
  process.exit(2);
}
const prefix = process.env.DUCKDB_NODE_PREFIX;
if (!prefix) {
  console.error('duckdb.mjs: set DUCKDB_NODE_PREFIX to the npm prefix holding @duckdb/node-api');
  process.exit(2);
}
const file = resolve(args[0]);
const threads = args[1] ?? '2';
// The package lives in a bench-local prefix, not beside this script: resolve it from there.
const require = createRequire(join(resolve(prefix), 'package.json'));
const { DuckDBInstance, version } = require('@duckdb/node-api');

const sqlString = (s) => `'${s.replaceAll("'", "''")}'`;

const instance = await DuckDBInstance.create(':memory:', { threads: String(threads) });
const conn = await instance.connect();
const bytes = statSync(file).size;

const t0 = process.hrtime.bigint();
await conn.run(`CREATE TABLE t AS SELECT * FROM read_csv_auto(${sqlString(file)})`);
const secs = Number(process.hrtime.bigint() - t0) / 1e9;

const rows = (await conn.runAndReadAll('SELECT count(*) FROM t')).getRows()[0][0];
const described = (await conn.runAndReadAll('DESCRIBE t')).getRows();
const counts = {};
for (const r of described) counts[r[1]] = (counts[r[1]] ?? 0) + 1;
const types = Object.keys(counts).sort().map((k) => `${k}:${counts[k]}`).join(',');
console.log(`tool=duckdb version=${version()} seconds=${secs.toFixed(4)} bytes=${bytes} ` +
            `rows=${rows} cols=${described.length} types=${types}`);
conn.closeSync?.();
