// bench/parquet peer: DuckDB writing and reading Parquet, via the npm package @duckdb/node-api.
//
//   DUCKDB_NODE_PREFIX=DIR node bench/parquet/duckdb.mjs write DATA.csv OUT.parquet CODEC THREADS
//   DUCKDB_NODE_PREFIX=DIR node bench/parquet/duckdb.mjs read FILE.parquet THREADS [COL,COL,...]
//
// DIR is the `npm install --prefix DIR @duckdb/node-api` folder (run.sh makes it).
//
// write loads DATA.csv (parquet_bench gen-csv's file; types from the column names: d.. DOUBLE,
// i.. BIGINT, s.. VARCHAR) into an in-memory table, untimed, then times
// COPY t TO OUT (FORMAT PARQUET, COMPRESSION CODEC) — DuckDB's defaults otherwise.
//
// read times CREATE TABLE r AS SELECT * (or the listed columns) FROM read_parquet(FILE): every
// value of every asked-for column is decoded and materialised, as lakeml's read makes a frame.
// Then, untimed, it computes the checksum parquet_bench computes (over d05, i2 and s0: sum(i2),
// sum(strlen(s0)), sum(round(d05 * 10^4)); nulls skipped).
//
// Each prints one line of key=value pairs like parquet_bench's (seconds: wall time of the
// statement; cpu: the process's user + system CPU seconds during it). Node start-up, loading the
// extension and the CSV load are not counted.
import { createRequire } from 'node:module';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const args = process.argv.slice(2);
const usage = () => {
  console.error('usage: duckdb.mjs write DATA.csv OUT.parquet CODEC THREADS\n' +
                '       duckdb.mjs read FILE.parquet THREADS [COL,COL,...]');
  process.exit(2);
};
if (!((args[0] === 'write' && args.length === 5) ||
      (args[0] === 'read' && (args.length === 3 || args.length === 4)))) usage();
const prefix = process.env.DUCKDB_NODE_PREFIX;
if (!prefix) {
  console.error('duckdb.mjs: set DUCKDB_NODE_PREFIX to the npm prefix holding @duckdb/node-api');
  process.exit(2);
}
// The package lives in a bench-local prefix, not beside this script: resolve it from there.
const require = createRequire(join(resolve(prefix), 'package.json'));
const { DuckDBInstance, version } = require('@duckdb/node-api');

const sqlString = (s) => `'${s.replaceAll("'", "''")}'`;
const ident = (s) => `"${s.replaceAll('"', '""')}"`;
const threads = args[0] === 'write' ? args[4] : args[2];
if (!/^[1-9][0-9]*$/.test(threads)) usage();

const instance = await DuckDBInstance.create(':memory:', { threads: String(threads) });
const conn = await instance.connect();
// [wall seconds, CPU seconds] of one statement; the CPU time is the whole process's (DuckDB's
// worker threads included), user + system, as parquet_bench measures its own.
const timed = async (sql) => {
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  await conn.run(sql);
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const c = process.cpuUsage(c0);
  return [secs, (c.user + c.system) / 1e6];
};
const one = async (sql) => (await conn.runAndReadAll(sql)).getRows()[0];

if (args[0] === 'write') {
  const [, csv, out, codec] = args;
  if (!/^[a-z0-9_]+$/.test(codec)) usage();
  // The header names the columns; their prefix gives the type (no inference to get wrong).
  // Only the first 64 KiB are read: the whole file would count towards DuckDB's peak RSS.
  const fd = openSync(resolve(csv), 'r');
  const head = Buffer.alloc(65536);
  const got = readSync(fd, head, 0, head.length, 0);
  closeSync(fd);
  const text = head.toString('latin1', 0, got);
  const names = text.slice(0, text.indexOf('\n')).split(',');
  const type = { d: 'DOUBLE', i: 'BIGINT', s: 'VARCHAR' };
  const cols = names.map((n) => `${sqlString(n)}: ${sqlString(type[n[0]] ?? 'VARCHAR')}`).join(', ');
  await conn.run(`CREATE TABLE t AS SELECT * FROM read_csv(${sqlString(resolve(csv))}, header = true, ` +
                 `columns = {${cols}})`);
  const [secs, cpu] = await timed(`COPY t TO ${sqlString(resolve(out))} (FORMAT PARQUET, COMPRESSION ${codec})`);
  const rows = (await one('SELECT count(*) FROM t'))[0];
  const rg = (await one(`SELECT count(DISTINCT row_group_id) FROM parquet_metadata(${sqlString(resolve(out))})`))[0];
  console.log(`tool=duckdb version=${version()} op=write codec=${codec} threads=${threads} ` +
              `seconds=${secs.toFixed(4)} cpu=${cpu.toFixed(4)} rows=${rows} file_bytes=${statSync(resolve(out)).size} row_groups=${rg}`);
} else {
  const file = resolve(args[1]);
  const list = args[3] ? args[3].split(',').map(ident).join(', ') : '*';
  const [secs, cpu] = await timed(`CREATE TABLE r AS SELECT ${list} FROM read_parquet(${sqlString(file)})`);
  const described = (await conn.runAndReadAll('DESCRIBE r')).getRows().map((r) => r[0]);
  const has = (c) => described.includes(c);
  const sum = (c, expr) => has(c) ? `CAST(coalesce(sum(${expr}), 0) AS VARCHAR)` : "'na'";
  const [rows, si, ls, sd] = await one(
    `SELECT count(*), ${sum('i2', 'i2')}, ${sum('s0', 'strlen(s0)')}, ` +
    `${sum('d05', 'CAST(round(d05 * 10000) AS BIGINT)')} FROM r`);
  console.log(`tool=duckdb version=${version()} op=read threads=${threads} seconds=${secs.toFixed(4)} ` +
              `cpu=${cpu.toFixed(4)} rows=${rows} cols=${described.length} sum_i=${si} len_s=${ls} sum_d=${sd}`);
}
conn.closeSync?.();
