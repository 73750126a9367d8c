/* CSV reader internals shared by the files of src/io/csv (never installed).
 *
 * Reading is two parallel passes over chunks of the input that end at newlines (valid because,
 * without multi_line, a newline always ends a record):
 *   pass 1 (infer.c)   tokenises every record, infers column types, counts rows, lines and the
 *                      string bytes of every column;
 *   pass 2 (convert.c) tokenises again and converts straight into columns allocated once, at
 *                      each chunk's row and byte offsets.
 * reader.c maps the file, finds the header, cuts the chunks and assembles the frame. stream.c
 * (the batch reader) runs the same passes on one chunk per batch, whose end pass 1 finds by
 * counting rows (csv_chunk.row_limit); with inference it first scans the body with pass 1 over
 * the very chunks reader.c would cut, a window at a time. */
#ifndef LML_CSV_INTERNAL_H
#define LML_CSV_INTERNAL_H

#include <csv.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "core/internal.h"
#include "frame/internal.h"
#include "lakeml/csv.h"

/* ------------------------------------------------------------------ options (options.c) */

typedef struct csv_cfg {
    const char *name; /* the file name used in messages */
    unsigned char delim;
    int quote;   /* -1: no quoting */
    int escape;  /* -1: no escape */
    int comment; /* -1: no comment lines */
    bool rfc;    /* escape == quote: RFC 4180 doubled quotes, tokenised by libcsv */
    bool header, infer, prefer_date, multi_line;
    lml_csv_mode mode;
    const char *null_value, *nan_value, *pos_inf, *neg_inf;
    size_t null_len, nan_len, pos_inf_len, neg_inf_len;
    size_t max_columns;
    size_t max_chars; /* 0: unlimited */
    const lml_csv_field *schema;
    size_t schema_len;
    long corrupt_index; /* schema index of the corrupt-record column, or -1 */
    const char *bad_records_path;
    lml_progress progress;
} csv_cfg;

/* Fills cfg from opts (NULL = Spark's defaults) and checks them; LML_EINVAL on a bad option. */
bool csv_cfg_init(csv_cfg *cfg, const lml_csv_options *opts, const char *name, lml_error *err);

struct csv_record;
/* The output column names (malloc'd array of malloc'd strings, ncols entries): the schema's
 * names, else Spark's header rules on hdr (empty or null_value → _c<i>, case-insensitive
 * duplicates get their position appended), else _c0, _c1, …. LML_EFORMAT if names still clash. */
char **csv_column_names(const csv_cfg *cfg, const struct csv_record *hdr, size_t ncols, lml_error *err);
void csv_names_free(char **names, size_t n);

/* ------------------------------------------------------------------ tokens (tokenize*.c) */

typedef struct csv_field {
    union {
        const char *p;
        size_t off; /* while a slow-path record is built: offset into the tokenizer's scratch */
    };
    size_t len;
    bool quoted;     /* only meaningful for len == 0: `""` (empty string) versus an empty field (null) */
    bool in_scratch; /* the text lives in the tokenizer's scratch buffer (while the record is
                        built, off is set instead of p) */
} csv_field;

typedef struct csv_record {
    const char *raw; /* the record's text without its line terminator */
    size_t raw_len;
    size_t line;     /* line (of the cursor's numbering) where the record starts */
    size_t nf;
    const csv_field *f; /* valid until the next call on the same tokenizer */
} csv_record;

typedef struct csv_cursor {
    const char *p, *end;
    size_t line; /* number of the line that starts at p */
} csv_cursor;

typedef struct csv_tok {
    const csv_cfg *cfg;
    csv_field *f;
    size_t nf, cap;
    size_t room;      /* min(cap, max_columns): pushes below it need no checks */
    size_t max_chars; /* cfg->max_chars, or SIZE_MAX when unlimited */
    char *scratch; /* unescaped text of quoted fields */
    size_t slen, scap;
    struct csv_parser lp; /* libcsv, for RFC-mode lines with quotes */
    bool lp_ready;
    const char *rec, *rec_limit; /* the record being read and the end of the input it is in */
    char *const *names;   /* optional, for messages: column names, via data_col[field] */
    const size_t *data_col;
    size_t width;
    bool failed;       /* a guard or allocation failure; msg/code say which */
    lml_errcode code;
    char msg[LML_ERROR_MESSAGE_MAX];
} csv_tok;

void csv_tok_init(csv_tok *t, const csv_cfg *cfg);
void csv_tok_free(csv_tok *t);

/* Reads the record at c->p, skipping empty, whitespace-only and comment lines, and advances c
 * past it. Returns 1 with *r filled, 0 at the end of input, -1 when a guard (max_columns,
 * max_chars_per_column) is exceeded or memory runs out: t->code/t->msg then say why (without a
 * location) and r->line holds the offending line. */
int csv_next_record(csv_tok *t, csv_cursor *c, csv_record *r);

/* Used by tokenize.c: the quoted-line slow paths (tokenize_quoted.c). Tokenise the record
 * starting at p (a field start), appending fields to t; return where the record ends (its '\n',
 * or `end`). `end` never ends with the '\r' of a line end: without multi_line it is the end of
 * the line, with multi_line the end of the input, less a final '\r'. */
const char *csv_tokenize_spark(csv_tok *t, const char *p, const char *end);
const char *csv_tokenize_rfc(csv_tok *t, const char *p, const char *end);
/* Appends a field; false (t->failed set) when a guard is exceeded or memory runs out. */
bool csv_tok_push(csv_tok *t, const char *p, size_t len, bool quoted);
/* Appends a field whose text is scratch[off, off + len). */
bool csv_tok_push_scratch(csv_tok *t, size_t off, size_t len, bool quoted);
/* Appends bytes to the scratch buffer (false and t->failed when memory runs out). */
bool csv_scratch_append(csv_tok *t, const char *s, size_t n);
bool csv_tok_fail(csv_tok *t, lml_errcode code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* How many bytes may be read from the start of field f (for the 8-byte number fast path). */
static inline size_t csv_field_avail(const csv_tok *t, const csv_field *f, const char *buf_end)
{
    if (f->len == 0)
        return 0;
    return f->in_scratch ? (size_t)(t->scratch + t->scap - f->p) : (size_t)(buf_end - f->p);
}

/* True when the field reads as null: an empty unquoted field, or text equal to null_value. */
static inline bool csv_field_is_null(const csv_cfg *cfg, const csv_field *f)
{
    if (f->len == 0 && !f->quoted)
        return true;
    return f->len == cfg->null_len && (f->len == 0 || memcmp(f->p, cfg->null_value, f->len) == 0);
}

/* ------------------------------------------------------------------ values (numparse.c, datetime.c) */

bool csv_parse_i32(const char *s, size_t n, int32_t *out);
bool csv_parse_i64(const char *s, size_t n, int64_t *out);
/* Java's Double.parseDouble: surrounding whitespace, sign, NaN, Infinity, decimal with optional
 * exponent and f/F/d/D suffix, hex floats. out may be NULL (syntax check only). Exact: the value
 * is what a correctly rounded strtod gives. `avail` (>= n) is how many bytes may be read from s:
 * with CSV_DOUBLE_FAST_AVAIL or more, plain decimals are parsed eight digits at a time. */
bool csv_parse_double(const char *s, size_t n, size_t avail, double *out);
#define CSV_DOUBLE_FAST_AVAIL 34
/* csv_parse_double(s, n, avail, NULL), faster: checks plain decimals eight bytes at a time
 * (when avail >= n + 8). */
bool csv_is_double(const char *s, size_t n, size_t avail);
bool csv_parse_bool(const char *s, size_t n, bool *out);
/* Strict yyyy-MM-dd (Spark's default dateFormat). */
bool csv_parse_date_strict(const char *s, size_t n, int32_t *days);
/* Spark's lenient date fallback: [+-]yyyy[-m[m][-d[d]]] optionally followed by ' ' or 'T' and anything. */
bool csv_parse_date_lenient(const char *s, size_t n, int32_t *days);
/* Spark's lenient timestamp: [+-]yyyy[-m[m][-d[d]]][( |T)h[h][:m[m][:s[s][.fraction]]][zone]],
 * zone Z, [+-]h[h][[:]mm], UTC/GMT/UT[offset]; no zone means UTC. out: µs since the epoch. */
bool csv_parse_timestamp(const char *s, size_t n, int64_t *out);
#define CSV_DATETIME_BUF 40
size_t csv_format_date(int32_t days, char *buf);
/* yyyy-MM-ddTHH:mm:ss[.SSS|.SSSSSS]Z */
size_t csv_format_timestamp(int64_t us, char *buf);

/* ------------------------------------------------------------------ inference (infer.c) */

/* Spark's inference lattice; IT_NULL = nothing seen yet. Decimal has no lakeml type: integer
 * text beyond long infers as double. */
enum { IT_NULL = 0, IT_INT, IT_LONG, IT_DOUBLE, IT_DATE, IT_TIMESTAMP, IT_BOOL, IT_STRING };

uint8_t csv_infer_merge(uint8_t a, uint8_t b);
/* The column type after seeing non-null text s with the column typed `so_far`. */
uint8_t csv_infer_field(const csv_cfg *cfg, uint8_t so_far, const char *s, size_t n, size_t avail);
lml_type csv_itype_to_type(uint8_t it);

/* ------------------------------------------------------------------ chunks and passes */

/* A chunk of the body: [begin, end). Pass 1 fills the counts, reader.c the offsets. */
typedef struct csv_chunk {
    const char *begin, *end;
    /* pass 1 */
    size_t lines;   /* physical lines */
    size_t records; /* records read */
    size_t rows;    /* rows pass 2 should produce (records minus rows known to be dropped) */
    size_t row_limit; /* batch reader: pass 1 stops after this many rows and moves `end` to
                         where it stopped; 0 = the whole chunk */
    uint8_t *types; /* [width] inferred types */
    bool utf8_valid; /* the whole chunk is valid UTF-8, so every field is (fields end at ASCII
                        bytes): both passes skip the per-field check */
    size_t *bytes;  /* [ncols] string bytes; reader.c turns it into each column's byte offset */
    /* offsets, set between the passes */
    size_t line0; /* global number of the chunk's first line */
    size_t row0;  /* global index of the chunk's first row */
    /* pass 2 */
    size_t written;   /* rows written (≤ rows; fewer when conversion failures drop rows) */
    size_t malformed; /* malformed records seen */
    lml_strbuf bad;   /* bad-record JSON lines */
    struct csv_corrupt *corrupt; /* malformed rows for the corrupt-record column */
    size_t ncorrupt, corrupt_cap;
    /* failure */
    bool failed;
    lml_errcode code;
    size_t err_line; /* chunk-local line number (1-based) */
    char msg[LML_ERROR_MESSAGE_MAX];
} csv_chunk;

typedef struct csv_corrupt {
    size_t row; /* chunk-local row */
    const char *raw;
    size_t len;
} csv_corrupt;

/* What both passes share. */
typedef struct csv_ctx {
    const csv_cfg *cfg;
    size_t width;       /* data fields per record (schema width without the corrupt column) */
    size_t ncols;       /* output columns */
    size_t *data_col;   /* [width] output column of data field j */
    const char *header_raw; /* the header line (inference skips copies of it) */
    size_t header_len;
    csv_chunk *chunks;
    size_t nchunks;
    size_t chunk_cap;   /* chunks allocated (with their bookkeeping); nchunks <= chunk_cap */
    lml_column **cols;  /* [ncols] pass 2 output */
    lml_type *types;    /* [ncols] */
    char **names;       /* [ncols] */
    size_t *str_cols;   /* output columns of type string, excluding the corrupt-record column */
    size_t nstr;
    size_t *col_bytes;  /* [ncols] total string bytes of each string column */
    size_t nrows;       /* rows planned by pass 1 */
    atomic_size_t first_failed; /* lowest chunk index that failed, SIZE_MAX if none */
    atomic_size_t done_bytes;   /* progress */
    atomic_bool canceled;
    uint64_t total_bytes;
    bool mapped; /* the input is a private file mapping whose pages may be released */
    const char *buf_end; /* end of the whole input: bytes up to it may be read past a field */
} csv_ctx;

/* Tests and the fuzzer set this to a small size (bytes) to get many chunks out of small inputs;
 * 0 means the normal size. Never set by the library. */
extern size_t csv_chunk_bytes_for_tests;
/* Tests and the fuzzer set this to send every line through the quoted-line tokenizers, to check
 * that the fast path splits lines exactly as they do. */
extern bool csv_slow_path_for_tests;

/* ------------------------------------------------------------------ reading (reader.c), shared
 * by lml_csv_read and the batch reader (stream.c) */

/* Sets up x for the input [data, data + len): skips a byte-order mark, reads the first record
 * (the header, or the first data record that fixes the width), the column names and data_col;
 * *body / *body_line: where the data records start. x is always safe for csv_ctx_free. */
bool csv_ctx_begin(csv_ctx *x, const csv_cfg *cfg, const char *data, size_t len, bool mapped, const char **body,
                   size_t *body_line, lml_error *err);
void csv_ctx_free(csv_ctx *x);
/* Allocates n chunks (zeroed, with their types and bytes arrays) into x->chunks. */
bool csv_chunks_alloc(csv_ctx *x, size_t n, lml_error *err);
/* How many chunks at most cut a body of len bytes, and the end of chunk k (of at most max)
 * starting at p: a pure function of the data and the column count, so the whole-file read and
 * the batch reader's inference scan merge exactly the same chunks. */
size_t csv_chunk_max(const csv_ctx *x, size_t len);
size_t csv_chunk_target(const csv_ctx *x);
const char *csv_chunk_cut(const csv_ctx *x, const char *p, const char *end, size_t k, size_t max);
/* Turns the first failed chunk's message (or cancellation) into err; true when there was one. */
bool csv_ctx_error(csv_ctx *x, lml_error *err);
/* Allocates x->cols from x->types, x->nrows and x->col_bytes (the corrupt column excepted). */
/* The per-column plan arrays (types, string columns, columns, string bytes), zeroed. */
bool csv_alloc_plan(csv_ctx *x, lml_error *err);
bool csv_alloc_columns(csv_ctx *x, lml_error *err);
/* After pass 2: compaction, the corrupt-record column, the frame. The columns move into the
 * frame; the names too, unless copy_names (the batch reader keeps them for the next batch). */
lml_frame *csv_assemble(csv_ctx *x, bool copy_names, lml_error *err);

/* Pass 1 and pass 2 for chunk i (lml_task_fn signatures). */
void csv_infer_chunk(void *ctx, size_t i, int worker);
void csv_convert_chunk(void *ctx, size_t i, int worker);

/* Records chunk failure (first one wins within a chunk) and lowers ctx->first_failed. */
void csv_chunk_fail(csv_ctx *x, size_t i, size_t line, lml_errcode code, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* True when a chunk before i failed (work on i is pointless) or the caller canceled. */
bool csv_should_stop(csv_ctx *x, size_t i);
/* Marks chunk i's input as processed: releases its mapped pages (they stay in the page cache, so
 * pass 2 maps them again cheaply) and reports progress (from worker 0, the calling thread). */
void csv_chunk_done(csv_ctx *x, size_t i, int worker);

/* Appends a value to a message, quoted, with control bytes escaped and cut after 60 bytes. */
void csv_quote_value(lml_strbuf *sb, const char *s, size_t n);

/* ------------------------------------------------------------------ assembly (assemble.c) */

/* After pass 2: closes the gaps that rows dropped in pass 2 left in the columns (only when some
 * chunk wrote fewer rows than pass 1 planned). Returns the final row count. */
size_t csv_compact(csv_ctx *x);
/* Builds the corrupt-record column (raw text of malformed rows, null elsewhere) into
 * x->cols[cfg->corrupt_index]. */
bool csv_build_corrupt(csv_ctx *x, size_t nrows, lml_error *err);

/* ------------------------------------------------------------------ UTF-8 (bad_records.c) */

/* Spark decodes CSV text as UTF-8 with Java's decoder, which replaces each malformed sequence by
 * one U+FFFD with its own granularity: one byte for an invalid lead byte (80–BF, C0, C1, F5–FF)
 * or a lead byte whose next byte cannot follow it (E0 80–9F, F0 80–8F, F4 90+ included); a lead
 * with some valid continuations followed by a wrong byte or the end of the text loses all of
 * them at once; a surrogate ED A0–BF xx is one U+FFFD for its three bytes. Fields end at ASCII
 * bytes, so decoding a field alone gives what decoding its line gives. */

/* Length of the longest prefix of s[0, n) that is valid UTF-8 (n when it all is). */
size_t csv_utf8_valid_prefix(const char *s, size_t n);
/* Length of s[0, n) after replacement; v is csv_utf8_valid_prefix(s, n). */
size_t csv_utf8_fixed_len(const char *s, size_t n, size_t v);
/* Writes s[0, n) with replacement to dst (csv_utf8_fixed_len bytes); returns that length. */
size_t csv_utf8_fix(char *dst, const char *s, size_t n, size_t v);

/* csv_utf8_valid_prefix, faster on ASCII: eight bytes at a time, the full check only from the
 * first non-ASCII byte. */
static inline size_t csv_utf8_scan(const char *s, size_t n)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        if (w & 0x8080808080808080ull)
            break;
    }
    for (; i < n && (signed char)s[i] >= 0; i++)
        ;
    return i == n ? n : i + csv_utf8_valid_prefix(s + i, n - i);
}

/* Length of s[0, n) once decoded like Spark (n for valid text). */
static inline size_t csv_utf8_out_len(const char *s, size_t n)
{
    size_t v = csv_utf8_scan(s, n);
    return v == n ? n : csv_utf8_fixed_len(s, n, v);
}

/* ------------------------------------------------------------------ bad records (bad_records.c) */

/* Appends {"file":…,"line":…,"record":…,"reason":…}\n to sb (strings JSON-escaped; bytes that
 * are not valid UTF-8 become U+FFFD). */
void csv_bad_record_json(lml_strbuf *sb, const char *file, size_t line, const char *raw, size_t raw_len,
                         const char *reason);
/* Appends every chunk's bad-record lines, in file order, to path. */
bool csv_bad_records_write(const char *path, const csv_chunk *chunks, size_t nchunks, lml_error *err);

#endif
