// DuckDB reads the files tests/parquet_interop/write_files.c wrote and compares every value and
// null with expected.jsonl; also checks the column types DuckDB derives from lakeml's schema.
//
//   DUCKDB_NODE_PREFIX=DIR node tests/parquet_interop/check.mjs OUT_DIR
//
// Prints one line per file and "N passed, N failed"; exits 1 on any mismatch.
import { createRequire } from 'node:module';
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

const dir = resolve(process.argv[2] ?? '.');
const require = createRequire(join(resolve(process.env.DUCKDB_NODE_PREFIX), 'package.json'));
const { DuckDBInstance, version } = require('@duckdb/node-api');

const expected = readFileSync(join(dir, 'expected.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const wantTypes = {
  b: 'BOOLEAN', i: 'INTEGER', l: 'BIGINT', d: 'DOUBLE', s: 'VARCHAR', dt: 'DATE', ts: 'TIMESTAMP WITH TIME ZONE',
  bin: 'BLOB', features: 'STRUCT("type" TINYINT, size INTEGER, indices INTEGER[], "values" DOUBLE[])',
};
wantTypes.sp = wantTypes.features;
wantTypes.xs = 'INTEGER[]';
wantTypes.st = 'STRUCT(a BIGINT, t VARCHAR)';
wantTypes.mp = 'MAP(VARCHAR, DOUBLE)';
Object.assign(wantTypes, { f: 'FLOAT', b8: 'TINYINT', s16: 'SMALLINT', ntz: 'TIMESTAMP', dec: 'DECIMAL(15,3)', big: 'DECIMAL(30,4)' });

const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
const conn = await instance.connect();
const q = (s) => `'${s.replaceAll("'", "''")}'`;

// A VectorUDT struct as the dense array it stands for.
function dense(v) {
  if (v === null) return null;
  if (v.type === 1) return v.values;
  const out = new Array(v.size).fill(0);
  v.indices.forEach((k, j) => { out[k] = v.values[j]; });
  return out;
}

let passed = 0, failed = 0;
for (const name of readdirSync(dir).filter((f) => f.endsWith('.parquet')).sort()) {
  const file = join(dir, name);
  const problems = [];
  const desc = (await conn.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${q(file)})`)).getRows();
  for (const [col, type] of desc) {
    if (wantTypes[col] !== type) problems.push(`column ${col}: DuckDB type ${type}, want ${wantTypes[col]}`);
  }
  const rows = (await conn.runAndReadAll(
    `SELECT b, i, CAST(l AS VARCHAR), d, s, CAST(dt - DATE '1970-01-01' AS INTEGER), CAST(epoch_us(ts) AS VARCHAR),
            hex(bin), features, sp, xs,
            CASE WHEN st IS NULL THEN NULL ELSE struct_pack(a := CAST(st.a AS VARCHAR), t := st.t) END,
            map_entries(mp), CAST(f AS DOUBLE), CAST(b8 AS VARCHAR), CAST(s16 AS VARCHAR),
            CAST(epoch_us(ntz) AS VARCHAR), CAST(dec AS VARCHAR), CAST(big AS VARCHAR)
     FROM read_parquet(${q(file)}, file_row_number = true) ORDER BY file_row_number`)).getRowsJS();
  if (rows.length !== expected.length) problems.push(`${rows.length} rows, want ${expected.length}`);
  const cols = ['b', 'i', 'l', 'd', 's', 'dt', 'ts', 'bin', 'features', 'sp', 'xs', 'st', 'mp',
                'f', 'b8', 's16', 'ntz', 'dec', 'big'];
  for (let r = 0; r < Math.min(rows.length, expected.length) && problems.length < 10; r++) {
    cols.forEach((c, k) => {
      let got = rows[r][k];
      let want = expected[r][c];
      if ((c === 'd' || c === 'f') && want !== null) want = parseFloat(want);
      if (c === 'features' || c === 'sp') got = dense(got);
      const same = (c === 'd' || c === 'f') ? Object.is(got, want) : JSON.stringify(got) === JSON.stringify(want);
      if (!same) problems.push(`row ${r} column ${c}: DuckDB ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
    });
  }
  // Footer statistics as DuckDB decodes them: per column, the bounds over all row groups and the
  // summed null counts must equal what DuckDB computes from the values.
  const meta = (await conn.runAndReadAll(
    `SELECT path_in_schema, stats_min_value, stats_max_value, stats_null_count FROM parquet_metadata(${q(file)})`)).getRowsJS();
  for (const [c, agg] of [['i', 'CAST(i AS VARCHAR)'], ['l', 'CAST(l AS VARCHAR)'], ['s', 's']]) {
    const mine = meta.filter((m) => m[0] === c);
    const num = c !== 's';
    const cmp = (a, b) => (num ? (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0) : (a < b ? -1 : a > b ? 1 : 0));
    const lo = mine.map((m) => m[1]).reduce((a, b) => (cmp(a, b) <= 0 ? a : b));
    const hi = mine.map((m) => m[2]).reduce((a, b) => (cmp(a, b) >= 0 ? a : b));
    const nulls = mine.reduce((a, m) => a + Number(m[3]), 0);
    const [want] = (await conn.runAndReadAll(
      `SELECT ${agg.replace(/\b([ils])\b/, 'min($1)')}, ${agg.replace(/\b([ils])\b/, 'max($1)')}, count(*) - count(${c})
       FROM read_parquet(${q(file)})`)).getRowsJS();
    if (String(lo) !== String(want[0]) || String(hi) !== String(want[1]) || nulls !== Number(want[2]))
      problems.push(`column ${c} statistics: [${lo}, ${hi}] nulls ${nulls}, DuckDB computes [${want[0]}, ${want[1]}] nulls ${want[2]}`);
  }
  if (problems.length) {
    failed++;
    console.log(`FAIL ${name}\n  ${problems.slice(0, 10).join('\n  ')}`);
  } else {
    passed++;
    console.log(`ok   ${name}: ${rows.length} rows × ${cols.length} columns equal (DuckDB ${version()})`);
  }
}
// The Delta table write_files.c wrote (the same frame twice, partitioned by b): DuckDB reads its
// data files, with b from the Hive directories, and must see exactly the rows of the plain file
// twice over.
const table = join(dir, 'delta_table');
const cols = `b, i, l, d, s, dt, ts, bin, features, sp, xs, st, mp, f, b8, s16, ntz, dec, big`;
const deltaRows = (await conn.runAndReadAll(
  `SELECT ${cols} FROM read_parquet(${q(join(table, '**', '*.parquet'))}, hive_partitioning = true,
                                     hive_types = {'b': BOOLEAN}) ORDER BY ALL`)).getRowsJS();
const plainRows = (await conn.runAndReadAll(
  `SELECT ${cols} FROM (SELECT * FROM read_parquet(${q(join(dir, 'snappy.parquet'))})
                        UNION ALL SELECT * FROM read_parquet(${q(join(dir, 'snappy.parquet'))})) ORDER BY ALL`)).getRowsJS();
const text = (rows) => rows.map((r) => JSON.stringify(r, (k, v) => (typeof v === 'bigint' ? String(v) : v)));
const [dt, pt] = [text(deltaRows), text(plainRows)];
const bad = dt.length !== pt.length ? `${dt.length} rows, want ${pt.length}` : dt.findIndex((r, i) => r !== pt[i]);
if (bad === -1) {
  passed++;
  console.log(`ok   delta_table: ${dt.length} rows in its data files equal the frame written twice (DuckDB ${version()})`);
} else {
  failed++;
  console.log(`FAIL delta_table: ${typeof bad === 'string' ? bad : `row ${bad}: ${dt[bad]} vs ${pt[bad]}`}`);
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
