/* A real Arrow consumer and producer for lakeml's C Data Interface: DuckDB's C API, loaded with
 * dlopen() from the libduckdb.so that the npm package @duckdb/node-bindings-linux-x64 ships.
 *
 *   duckdb_consumer /path/to/libduckdb.so
 *
 * 1. lakeml → DuckDB: a frame with every lakeml type (nulls included, 5000 rows so DuckDB scans
 *    it in several 2048-row vectors) is handed to DuckDB's arrow_scan through an ArrowArrayStream
 *    whose get_next exports the frame; SQL aggregates over every column are checked against
 *    values computed here. DuckDB releases the exported arrays itself; afterwards every column's
 *    reference count must be back where it was (no release missed, none doubled).
 * 2. DuckDB → lakeml: DuckDB's own Arrow export of `SELECT * FROM t WHERE … ORDER BY …` is
 *    imported chunk by chunk with lml_arrow_import_frame and every cell is checked.
 *
 * Prints "duckdb_consumer: N passed, 0 failed" and exits 0 on success, 1 on a failed check,
 * 2 when libduckdb cannot be loaded. The DuckDB C API declarations below are the few this
 * program needs (the npm package ships no header); they follow duckdb.h of DuckDB 1.x. */
#include <dlfcn.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "frame/internal.h"
#include "lakeml/arrow.h"

/* ---------------------------------------------------------------- DuckDB's C API, by hand */

typedef uint64_t idx_t;
typedef int duckdb_state; /* 0 = DuckDBSuccess */
typedef struct duckdb_result {
    idx_t column_count, row_count, rows_changed;
    void *columns;
    char *error_message;
    void *internal_data;
} duckdb_result;

struct ArrowArrayStream {
    int (*get_schema)(struct ArrowArrayStream *, struct ArrowSchema *out);
    int (*get_next)(struct ArrowArrayStream *, struct ArrowArray *out);
    const char *(*get_last_error)(struct ArrowArrayStream *);
    void (*release)(struct ArrowArrayStream *);
    void *private_data;
};

static struct {
    duckdb_state (*open)(const char *, void **);
    void (*close)(void **);
    duckdb_state (*connect)(void *, void **);
    void (*disconnect)(void **);
    duckdb_state (*query)(void *, const char *, duckdb_result *);
    void (*destroy_result)(duckdb_result *);
    const char *(*result_error)(duckdb_result *);
    char *(*value_varchar)(duckdb_result *, idx_t, idx_t);
    void (*free_)(void *);
    duckdb_state (*arrow_scan)(void *, const char *, void *);
    duckdb_state (*query_arrow)(void *, const char *, void **);
    duckdb_state (*query_arrow_schema)(void *, void **);
    duckdb_state (*query_arrow_array)(void *, void **);
    const char *(*query_arrow_error)(void *);
    void (*destroy_arrow)(void **);
    const char *(*library_version)(void);
} db;

static int passed, failed;

#define CHECK(cond, ...)                                                                                      \
    do {                                                                                                      \
        if (cond) {                                                                                           \
            passed++;                                                                                         \
        } else {                                                                                              \
            failed++;                                                                                         \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                                               \
            fprintf(stderr, __VA_ARGS__);                                                                     \
            fputc('\n', stderr);                                                                              \
        }                                                                                                     \
    } while (0)

static bool load(const char *path)
{
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        fprintf(stderr, "duckdb_consumer: cannot load %s: %s\n", path, dlerror());
        return false;
    }
    struct { void **slot; const char *name; } syms[] = {
        {(void **)&db.open, "duckdb_open"}, {(void **)&db.close, "duckdb_close"},
        {(void **)&db.connect, "duckdb_connect"}, {(void **)&db.disconnect, "duckdb_disconnect"},
        {(void **)&db.query, "duckdb_query"}, {(void **)&db.destroy_result, "duckdb_destroy_result"},
        {(void **)&db.result_error, "duckdb_result_error"}, {(void **)&db.value_varchar, "duckdb_value_varchar"},
        {(void **)&db.free_, "duckdb_free"}, {(void **)&db.arrow_scan, "duckdb_arrow_scan"},
        {(void **)&db.query_arrow, "duckdb_query_arrow"},
        {(void **)&db.query_arrow_schema, "duckdb_query_arrow_schema"},
        {(void **)&db.query_arrow_array, "duckdb_query_arrow_array"},
        {(void **)&db.query_arrow_error, "duckdb_query_arrow_error"},
        {(void **)&db.destroy_arrow, "duckdb_destroy_arrow"},
        {(void **)&db.library_version, "duckdb_library_version"},
    };
    for (size_t i = 0; i < sizeof syms / sizeof *syms; i++) {
        if (!(*syms[i].slot = dlsym(h, syms[i].name))) {
            fprintf(stderr, "duckdb_consumer: %s lacks %s\n", path, syms[i].name);
            return false;
        }
    }
    return true;
}

/* ---------------------------------------------------------------- the frame */

#define ROWS 5000
#define SPARSE_SIZE 10

static bool null_i(int r) { return r % 7 == 0; }
static bool null_b(int r) { return r % 11 == 0; }
static bool null_d(int r) { return r % 13 == 0; }
static bool null_s(int r) { return r % 17 == 0; }
static int32_t val_i(int r) { return r - 2500; }
static int64_t val_l(int r) { return (int64_t)r * 1000000007LL; }
static double val_d(int r) { return r * 0.25 - 100; }
static int32_t val_dt(int r) { return 18000 + r % 400 - (r == 3) * 30000; }
static int64_t val_ts(int r) { return 1600000000000000LL + (int64_t)r * 1000003 - (r == 5) * 3000000000000000LL; }
static void val_s(int r, char *buf) { snprintf(buf, 32, "row-%d\xc3\xa9", r); }

static lml_frame *make_frame(void)
{
    lml_column_builder *bb = lml_column_builder_new(LML_BOOL, ROWS, NULL),
                       *bi = lml_column_builder_new(LML_INT32, ROWS, NULL),
                       *bl = lml_column_builder_new(LML_INT64, ROWS, NULL),
                       *bd = lml_column_builder_new(LML_DOUBLE, ROWS, NULL),
                       *bs = lml_column_builder_new(LML_STRING, ROWS, NULL),
                       *bdt = lml_column_builder_new(LML_DATE, ROWS, NULL),
                       *bts = lml_column_builder_new(LML_TIMESTAMP, ROWS, NULL);
    static double dense[ROWS * 3], vals[ROWS * 2];
    static int64_t indptr[ROWS + 1];
    static int32_t idx[ROWS * 2];
    char buf[32];
    int64_t nnz = 0;
    for (int r = 0; r < ROWS; r++) {
        null_b(r) ? lml_column_builder_append_null(bb, NULL) : lml_column_builder_append_bool(bb, r % 3 == 0, NULL);
        null_i(r) ? lml_column_builder_append_null(bi, NULL) : lml_column_builder_append_int32(bi, val_i(r), NULL);
        lml_column_builder_append_int64(bl, val_l(r), NULL);
        null_d(r) ? lml_column_builder_append_null(bd, NULL) : lml_column_builder_append_double(bd, val_d(r), NULL);
        val_s(r, buf);
        null_s(r) ? lml_column_builder_append_null(bs, NULL) : lml_column_builder_append_string(bs, buf, strlen(buf), NULL);
        lml_column_builder_append_int32(bdt, val_dt(r), NULL);
        lml_column_builder_append_int64(bts, val_ts(r), NULL);
        dense[r * 3] = r, dense[r * 3 + 1] = -r, dense[r * 3 + 2] = 0.5;
        /* row r: index r % 10 holds r, and (r + 3) % 10 holds 1 when r is even */
        int a = r % SPARSE_SIZE, b = (r + 3) % SPARSE_SIZE;
        if (r % 2 == 0 && b < a)
            idx[nnz] = b, vals[nnz++] = 1;
        idx[nnz] = a, vals[nnz++] = r;
        if (r % 2 == 0 && b > a)
            idx[nnz] = b, vals[nnz++] = 1;
        indptr[r + 1] = nnz;
    }
    lml_column *cols[9] = {
        lml_column_builder_finish(bb, NULL), lml_column_builder_finish(bi, NULL),
        lml_column_builder_finish(bl, NULL), lml_column_builder_finish(bd, NULL),
        lml_column_builder_finish(bs, NULL), lml_column_builder_finish(bdt, NULL),
        lml_column_builder_finish(bts, NULL), lml_column_vector_from_dense(dense, ROWS, 3, NULL),
        lml_column_vector_from_csr(indptr, idx, vals, ROWS, SPARSE_SIZE, NULL),
    };
    const char *names[9] = {"b", "i", "l", "d", "s", "dt", "ts", "dense", "sparse"};
    lml_frame *f = lml_frame_new(9, names, cols, NULL);
    for (int c = 0; c < 9; c++)
        lml_column_free(cols[c]);
    return f;
}

/* ---------------------------------------------------------------- the stream DuckDB reads */

typedef struct stream_state {
    const lml_frame *frame;
    struct ArrowSchema schema; /* exported once; DuckDB gets shallow copies (it never releases them) */
    bool done;
    int arrays_out;
} stream_state;

static void noop_schema_release(struct ArrowSchema *s) { s->release = NULL; }

static int st_get_schema(struct ArrowArrayStream *st, struct ArrowSchema *out)
{
    stream_state *p = st->private_data;
    *out = p->schema;
    out->release = noop_schema_release;
    return 0;
}

static int st_get_next(struct ArrowArrayStream *st, struct ArrowArray *out)
{
    stream_state *p = st->private_data;
    if (p->done) {
        out->release = NULL; /* end of stream */
        return 0;
    }
    p->done = true;
    p->arrays_out++;
    struct ArrowSchema unused;
    if (!lml_arrow_export_frame(p->frame, &unused, out, NULL))
        return 5; /* EIO */
    unused.release(&unused);
    return 0;
}

static const char *st_last_error(struct ArrowArrayStream *st) { return "export failed"; }

static void st_release(struct ArrowArrayStream *st)
{
    stream_state *p = st->private_data;
    p->schema.release(&p->schema);
    st->release = NULL;
}

/* The schema half of lml_arrow_export_frame: export both, drop the array. */
static bool export_schema(const lml_frame *f, struct ArrowSchema *s)
{
    struct ArrowArray a;
    if (!lml_arrow_export_frame(f, s, &a, NULL))
        return false;
    a.release(&a);
    return true;
}

static bool exec(void *con, const char *sql, duckdb_result *res)
{
    memset(res, 0, sizeof *res);
    if (db.query(con, sql, res) == 0)
        return true;
    CHECK(false, "query failed: %s\n  %s", db.result_error(res), sql);
    db.destroy_result(res);
    return false;
}

/* Hands the frame to DuckDB's arrow_scan and copies it into table `t` with SELECT *. Why the copy:
 * the C API's stream wrapper ignores the projection and filters that arrow_scan pushes down to
 * its producer, so a query naming fewer columns than the frame has, or a WHERE clause, would
 * read the wrong children. SELECT * scans every column in order, which needs no pushdown. */
static bool load_frame(void *con, const lml_frame *f)
{
    stream_state p = {.frame = f};
    if (!export_schema(f, &p.schema))
        return false;
    struct ArrowArrayStream st = {st_get_schema, st_get_next, st_last_error, st_release, &p};
    bool ok = db.arrow_scan(con, "lakeml_frame", &st) == 0;
    CHECK(ok, "duckdb_arrow_scan failed");
    duckdb_result res;
    if (ok && (ok = exec(con, "CREATE OR REPLACE TABLE t AS SELECT * FROM lakeml_frame", &res)))
        db.destroy_result(&res);
    CHECK(p.arrays_out == 1, "DuckDB pulled %d arrays", p.arrays_out);
    st.release(&st);
    return ok;
}

/* Runs sql over table t and returns row 0 as strings. */
static bool query_row(void *con, const char *sql, char cells[][128], int ncells)
{
    duckdb_result res;
    if (!exec(con, sql, &res))
        return false;
    for (int c = 0; c < ncells; c++) {
        char *v = db.value_varchar(&res, (idx_t)c, 0);
        snprintf(cells[c], 128, "%s", v ? v : "NULL");
        db.free_(v);
    }
    db.destroy_result(&res);
    return true;
}

static void lakeml_to_duckdb(void *con)
{
    /* Expected values, computed the way SQL does (nulls skipped). */
    long long cnt_i = 0, sum_i = 0, cnt_b = 0, true_b = 0, cnt_s = 0, len_s = 0, sum_dt = 0, nnz = 0;
    double sum_d = 0, sum_sparse = 0;
    long long sum_ts_us = 0;
    for (int r = 0; r < ROWS; r++) {
        if (!null_i(r))
            cnt_i++, sum_i += val_i(r);
        if (!null_b(r))
            cnt_b++, true_b += r % 3 == 0;
        if (!null_d(r))
            sum_d += val_d(r);
        if (!null_s(r)) {
            char buf[32];
            val_s(r, buf);
            cnt_s++, len_s += (long long)strlen(buf) - 1; /* DuckDB's length() counts characters: é is one */
        }
        sum_dt += val_dt(r);
        sum_ts_us += val_ts(r);
        nnz += r % 2 == 0 ? 2 : 1;
        sum_sparse += r + (r % 2 == 0);
    }
    char c[14][128];
    const char *sql = "SELECT count(*), count(i), sum(i), count(b), count_if(b), sum(d), count(s), sum(length(s)), "
                      "sum(dt - DATE '1970-01-01'), sum(epoch_us(ts)), sum(dense[2]), sum(len(sparse.indices)), "
                      "sum(list_sum(sparse.\"values\")), max(sparse.size) FROM t";
    if (!query_row(con, sql, c, 14))
        return;
    long long want[] = {ROWS, cnt_i, sum_i, cnt_b, true_b};
    for (int k = 0; k < 5; k++)
        CHECK(strtoll(c[k], NULL, 10) == want[k], "aggregate %d: DuckDB %s, expected %lld", k, c[k], want[k]);
    CHECK(strtod(c[5], NULL) == sum_d, "sum(d): DuckDB %s, expected %.17g", c[5], sum_d);
    CHECK(strtoll(c[6], NULL, 10) == cnt_s, "count(s): %s vs %lld", c[6], cnt_s);
    CHECK(strtoll(c[7], NULL, 10) == len_s, "sum(length(s)): %s vs %lld", c[7], len_s);
    CHECK(strtoll(c[8], NULL, 10) == sum_dt, "date days: %s vs %lld", c[8], sum_dt);
    CHECK(strtoll(c[9], NULL, 10) == sum_ts_us, "timestamp µs: %s vs %lld", c[9], sum_ts_us);
    CHECK(strtod(c[10], NULL) == -(double)ROWS * (ROWS - 1) / 2, "dense[2]: %s", c[10]);
    CHECK(strtoll(c[11], NULL, 10) == nnz, "sparse nnz: %s vs %lld", c[11], nnz);
    CHECK(strtod(c[12], NULL) == sum_sparse, "sparse values: %s vs %.17g", c[12], sum_sparse);
    CHECK(strcmp(c[13], "10") == 0, "sparse size: %s", c[13]);

    /* Row-level spot checks: values at chunk boundaries and nulls, as DuckDB prints them. */
    char r[6][128];
    if (query_row(con, "SELECT s, i, b, dt::VARCHAR, epoch_us(ts), dense::VARCHAR FROM t "
                          "WHERE l = 2049::BIGINT * 1000000007", r, 6)) {
        CHECK(strcmp(r[0], "row-2049\xc3\xa9") == 0, "s at row 2049: %s", r[0]);
        CHECK(strcmp(r[1], "-451") == 0, "i at row 2049: %s", r[1]);
        CHECK(strcmp(r[2], "true") == 0, "b at row 2049: %s", r[2]);
        CHECK(strcmp(r[3], "2019-06-02") == 0, "dt at row 2049 (day 18049): %s", r[3]);
        CHECK(strcmp(r[4], "1600002049006147") == 0, "ts at row 2049: %s", r[4]);
        CHECK(strcmp(r[5], "[2049.0, -2049.0, 0.5]") == 0, "dense at row 2049: %s", r[5]);
    }
    if (query_row(con, "SELECT i IS NULL, s IS NULL, d IS NULL, b IS NULL, sparse::VARCHAR FROM t "
                          "WHERE l = 4284::BIGINT * 1000000007", r, 5)) {
        /* 4284 = 7·612 = 17·252: i and s null, d and b present. */
        CHECK(strcmp(r[0], "true") == 0 && strcmp(r[1], "true") == 0, "nulls at 4284: %s %s", r[0], r[1]);
        CHECK(strcmp(r[2], "false") == 0 && strcmp(r[3], "false") == 0, "values at 4284: %s %s", r[2], r[3]);
        CHECK(strcmp(r[4], "{'type': 0, 'size': 10, 'indices': [4, 7], 'values': [4284.0, 1.0]}") == 0,
              "sparse at 4284: %s", r[4]);
    }
}

/* ---------------------------------------------------------------- DuckDB → lakeml */

static void duckdb_to_lakeml(void *con)
{
    void *res = NULL;
    if (db.query_arrow(con, "SELECT * FROM t WHERE l % 3 <> 0 ORDER BY l", &res) != 0) {
        CHECK(false, "query_arrow: %s", db.query_arrow_error(res));
        db.destroy_arrow(&res);
        return;
    }
    struct ArrowSchema schema = {0};
    void *sp = &schema;
    CHECK(db.query_arrow_schema(res, &sp) == 0 && schema.release, "query_arrow_schema");
    printf("duckdb_consumer: DuckDB exports formats");
    for (int64_t c = 0; schema.release && c < schema.n_children; c++)
        printf(" %s:%s", schema.children[c]->name, schema.children[c]->format);
    printf("\n");
    long rows = 0, chunks = 0, bad = 0;
    for (;;) {
        struct ArrowArray arr = {0};
        void *ap = &arr;
        if (db.query_arrow_array(res, &ap) != 0 || !arr.release)
            break;
        lml_error err = {0};
        lml_frame *g = lml_arrow_import_frame(&schema, &arr, &err);
        chunks++;
        if (!g) {
            CHECK(false, "importing DuckDB's chunk %ld: %s", chunks, err.message);
            break;
        }
        if (chunks == 1) {
            CHECK(lml_frame_num_cols(g) == 9, "columns: %zu", lml_frame_num_cols(g));
            static const lml_type want[9] = {LML_BOOL, LML_INT32, LML_INT64, LML_DOUBLE, LML_STRING,
                                             LML_DATE, LML_TIMESTAMP, LML_VECTOR, LML_VECTOR};
            for (size_t c = 0; c < 9 && c < lml_frame_num_cols(g); c++)
                CHECK(lml_column_type(lml_frame_column(g, c)) == want[c], "column %zu type %s", c,
                      lml_type_name(lml_column_type(lml_frame_column(g, c))));
        }
        if (lml_frame_num_cols(g) == 9) {
            const lml_column *cb = lml_frame_column(g, 0), *ci = lml_frame_column(g, 1), *cl = lml_frame_column(g, 2),
                             *cd = lml_frame_column(g, 3), *cs = lml_frame_column(g, 4), *cdt = lml_frame_column(g, 5),
                             *cts = lml_frame_column(g, 6), *cv = lml_frame_column(g, 7), *csp = lml_frame_column(g, 8);
            for (size_t k = 0; k < lml_frame_num_rows(g); k++, rows++) {
                int64_t l = lml_column_int64s(cl)[k];
                int r = (int)(l / 1000000007LL);
                char buf[32];
                size_t len;
                val_s(r, buf);
                const char *s = lml_column_string_at(cs, k, &len);
                bool ok = l % 3 != 0 && val_l(r) == l &&
                          lml_column_is_null(ci, k) == null_i(r) && (null_i(r) || lml_column_int32s(ci)[k] == val_i(r)) &&
                          lml_column_is_null(cb, k) == null_b(r) && (null_b(r) || lml_column_bool_at(cb, k) == (r % 3 == 0)) &&
                          lml_column_is_null(cd, k) == null_d(r) && (null_d(r) || lml_column_doubles(cd)[k] == val_d(r)) &&
                          lml_column_is_null(cs, k) == null_s(r) && (null_s(r) || (len == strlen(buf) && !memcmp(s, buf, len))) &&
                          lml_column_int32s(cdt)[k] == val_dt(r) && lml_column_int64s(cts)[k] == val_ts(r) &&
                          lml_column_vector_size(cv) == 3 && lml_column_vector_dense(cv)[k * 3 + 1] == -r &&
                          lml_column_vector_size(csp) == SPARSE_SIZE &&
                          lml_column_vector_values(csp)[lml_column_vector_indptr(csp)[k]] == (r % 2 == 0 && (r + 3) % 10 < r % 10 ? 1 : r);
                if (!ok && bad++ < 5)
                    CHECK(false, "DuckDB → lakeml row %ld (source row %d) differs", rows, r);
            }
        }
        lml_frame_free(g);
    }
    long want_rows = 0;
    for (int r = 0; r < ROWS; r++)
        want_rows += val_l(r) % 3 != 0;
    printf("duckdb_consumer: imported %ld rows in %ld DuckDB chunks\n", rows, chunks);
    CHECK(rows == want_rows && bad == 0, "DuckDB → lakeml: %ld rows in %ld chunks (expected %ld), %ld bad", rows,
          chunks, want_rows, bad);
    if (schema.release)
        schema.release(&schema);
    db.destroy_arrow(&res);
}

int main(int argc, char **argv)
{
    if (argc != 2 && argc != 3) {
        fprintf(stderr, "usage: duckdb_consumer /path/to/libduckdb.so [SQL over view t, for debugging]\n");
        return 2;
    }
    if (!load(argv[1]))
        return 2;
    printf("duckdb_consumer: DuckDB %s\n", db.library_version());
    void *database = NULL, *con = NULL;
    if (db.open(NULL, &database) != 0 || db.connect(database, &con) != 0) {
        fprintf(stderr, "duckdb_consumer: cannot open an in-memory DuckDB\n");
        return 2;
    }
    lml_frame *f = make_frame();
    if (argc == 3) { /* debugging: one query over the frame, first row printed */
        char cells[8][128];
        if (load_frame(con, f) && query_row(con, argv[2], cells, 1))
            printf("%s\n", cells[0]);
        lml_frame_free(f);
        db.disconnect(&con);
        db.close(&database);
        return 0;
    }
    long refs_before[9];
    for (size_t c = 0; c < 9; c++)
        refs_before[c] = atomic_load(&lml_frame_column(f, c)->refs);
    if (load_frame(con, f)) {
        lakeml_to_duckdb(con);
        duckdb_to_lakeml(con);
    }
    db.disconnect(&con);
    db.close(&database);
    for (size_t c = 0; c < 9; c++)
        CHECK(atomic_load(&lml_frame_column(f, c)->refs) == refs_before[c],
              "column %zu: %ld references after DuckDB is closed, %ld before: an export was not released exactly once",
              c, atomic_load(&lml_frame_column(f, c)->refs), refs_before[c]);
    lml_frame_free(f);
    printf("duckdb_consumer: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
