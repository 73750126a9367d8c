// bench/delta_dml peer: DuckDB doing what MERGE, DELETE and OPTIMIZE do, on the same data files
// as plain Parquet (no transaction log: it reads every file and writes one new Parquet file).
//
//   DUCKDB_NODE_PREFIX=DIR node bench/delta_dml/duckdb.mjs merge TABLE SOURCE.parquet OUT.parquet THREADS
//   DUCKDB_NODE_PREFIX=DIR node bench/delta_dml/duckdb.mjs delete TABLE OUT.parquet THREADS
//   DUCKDB_NODE_PREFIX=DIR node bench/delta_dml/duckdb.mjs compact TABLE OUT.parquet THREADS
//
// DIR is the `npm install --prefix DIR @duckdb/node-api` folder (run.sh makes it). TABLE is a
// Delta table directory whose data files (TABLE/*.parquet) are read as plain Parquet — the same
// bytes lakeml works on. The timed statement (one COPY … TO OUT (FORMAT PARQUET), snappy as
// Delta writes):
//   merge    the upsert: the table's rows whose id is not in the source (ANTI JOIN), UNION ALL
//            the source's rows — WHEN MATCHED UPDATE SET * / WHEN NOT MATCHED INSERT *
//   delete   the table's rows WHERE NOT (id % 100 = 7)
//   compact  every row of the table into one file (what OPTIMIZE's bin-packing produces)
// Then, untimed, the rows of OUT are counted. Prints one line of key=value pairs like
// dml_bench's: seconds (wall time of the statement), cpu (the process's user + system CPU seconds
// during it), rss_kb (the process's peak resident set, process.resourceUsage().maxRSS, read right
// after the statement), rows, out_bytes. Node start-up and loading the extension are not counted.
import { createRequire } from 'node:module';
import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const args = process.argv.slice(2);
const usage = () => {
  console.error('usage: duckdb.mjs merge TABLE SOURCE.parquet OUT.parquet THREADS\n' +
                '       duckdb.mjs delete|compact TABLE OUT.parquet THREADS');
  process.exit(2);
};
const op = args[0];
if (!((op === 'merge' && args.length === 5) || ((op === 'delete' || op === 'compact') && args.length === 4))) usage();
const threads = args[args.length - 1];
if (!/^[1-9][0-9]*$/.test(threads)) usage();
const prefix = process.env.DUCKDB_NODE_PREFIX;
if (!prefix) {
  console.error('duckdb.mjs: set DUCKDB_NODE_PREFIX to the npm prefix holding @duckdb/node-api');
  process.exit(2);
}
// The package lives in a bench-local prefix, not beside this script: resolve it from there.
const require = createRequire(join(resolve(prefix), 'package.json'));
const { DuckDBInstance, version } = require('@duckdb/node-api');

const sqlString = (s) => `'${s.replaceAll("'", "''")}'`;
const table = sqlString(join(resolve(args[1]), '*.parquet'));
const out = resolve(args[args.length - 2]);

const instance = await DuckDBInstance.create(':memory:', { threads: String(threads) });
const conn = await instance.connect();

let select;
if (op === 'merge') {
  const source = sqlString(resolve(args[2]));
  select = `SELECT t.* FROM read_parquet(${table}) t ANTI JOIN read_parquet(${source}) s ON t.id = s.id ` +
           `UNION ALL SELECT * FROM read_parquet(${source})`;
} else if (op === 'delete') {
  select = `SELECT * FROM read_parquet(${table}) WHERE NOT (id % 100 = 7)`;
} else {
  select = `SELECT * FROM read_parquet(${table})`;
}
const c0 = process.cpuUsage();
const t0 = process.hrtime.bigint();
await conn.run(`COPY (${select}) TO ${sqlString(out)} (FORMAT PARQUET, COMPRESSION snappy)`);
const secs = Number(process.hrtime.bigint() - t0) / 1e9;
const c = process.cpuUsage(c0);
const rss = process.resourceUsage().maxRSS;
const rows = (await conn.runAndReadAll(`SELECT count(*) FROM read_parquet(${sqlString(out)})`)).getRows()[0][0];
console.log(`tool=duckdb version=${version()} op=${op} threads=${threads} seconds=${secs.toFixed(4)} ` +
            `cpu=${((c.user + c.system) / 1e6).toFixed(4)} rss_kb=${rss} rows=${rows} out_bytes=${statSync(out).size}`);
conn.closeSync?.();
