/* lakeml — CSV reading and writing with Spark's `spark.read.csv` semantics.
 *
 * Every field of lml_csv_options is zero-initialisable: a zero / NULL value means Spark's
 * default, so `&(lml_csv_options){ .header = true, .infer_schema = true }` reads like
 * `spark.read.csv(path, header=True, inferSchema=True)`.
 *
 * Reading follows Spark 3.5 (univocity with Spark's settings): a field is quoted only when it
 * starts with the quote; inside quotes the escape (default '\') escapes a quote; RFC 4180
 * doubled quotes ("") are NOT an escape by default — such a field is kept as its raw text,
 * quotes included, as Spark does — pass escape = '"' for RFC 4180. Whitespace is kept. Lines end
 * at "
" or "
"; without multi_line a newline always ends a record. Empty and
 * whitespace-only lines are skipped, and so are comment lines when `comment` is set. A UTF-8
 * byte-order mark at the start is skipped. Header names: an empty name becomes _c<i>,
 * case-insensitive duplicates get their position appended (a,a → a0,a1).
 *
 * Inference reads every record (Spark's samplingRatio 1.0) and gives Spark's types with these
 * lakeml differences: integer text too long for a long infers as double (lakeml has no decimal
 * type); timestamps without a zone are taken as UTC (Spark: the session zone); time-only text
 * and region zone ids ("Europe/Paris") are not timestamps. Results are identical for any thread
 * count; rows keep file order. */
#ifndef LAKEML_CSV_H
#define LAKEML_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "error.h"
#include "frame.h"
#include "log.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum lml_csv_mode {
    LML_CSV_PERMISSIVE = 0, /* bad fields → null, missing trailing fields → null */
    LML_CSV_DROPMALFORMED,  /* malformed lines are dropped */
    LML_CSV_FAILFAST        /* the first malformed line fails the read */
} lml_csv_mode;

/* One column of an explicit schema. */
typedef struct lml_csv_field {
    const char *name;
    lml_type type;
} lml_csv_field;

#define LML_CSV_NO_QUOTE ((char)-1) /* quote = LML_CSV_NO_QUOTE: Spark's quote="" (no quoting) */
#define LML_CSV_NO_ESCAPE ((char)-1)

typedef struct lml_csv_options {
    bool header;            /* first line holds the column names (Spark default false) */
    bool infer_schema;      /* infer types; otherwise every column is string */
    char delimiter;         /* 0 → ',' */
    char quote;             /* 0 → '"' */
    char escape;            /* 0 → '\\' (escapes a quote inside a quoted value) */
    char comment;           /* 0 → no comment lines */
    const char *null_value; /* NULL → "" */
    const char *nan_value;  /* NULL → "NaN" */
    const char *positive_inf; /* NULL → "Inf" */
    const char *negative_inf; /* NULL → "-Inf" */
    bool no_prefer_date;    /* Spark's preferDate=false: never infer date columns */
    bool multi_line;        /* quoted values may span lines (the file is then read on one thread) */
    lml_csv_mode mode;
    /* The explicit schema (Spark's .schema(...)); overrides infer_schema; with header = true the
     * header line is skipped and its names ignored. A string field named corrupt_record_column
     * receives the raw text of malformed rows in PERMISSIVE mode (it takes no field of the file). */
    const lml_csv_field *schema;
    size_t schema_len;
    const char *corrupt_record_column; /* NULL → "_corrupt_record" */
    /* When set, each malformed record (dropped, repaired with nulls, or the one that failed a
     * FAILFAST read) is appended to this file, in file order, as one JSON object per line:
     * {"file":…,"line":…,"record":…,"reason":…} (invalid UTF-8 becomes U+FFFD). */
    const char *bad_records_path;
    size_t max_columns;        /* 0 → 20480 fields per record */
    size_t max_chars_per_column; /* 0 → unlimited; counted in bytes of the unquoted value */
    lml_progress progress;     /* "csv": bytes processed over both passes (total = 2 × file size) */
} lml_csv_options;

/* Reads a CSV file into a new frame (free it with lml_frame_free). opts NULL = Spark's defaults.
 * The file is memory-mapped and read in two parallel passes (inference and row counting, then
 * conversion into the final columns), so peak memory is about the frame's size. Errors:
 * LML_ENOTFOUND (no such file), LML_EIO (cannot open/read, cannot write bad_records_path),
 * LML_EFORMAT (FAILFAST on a malformed record, a record over max_columns or
 * max_chars_per_column, column names that still clash after Spark's renaming), LML_EINVAL (bad
 * options), LML_ERANGE (a string column over 2 GiB), LML_ECANCELED (the progress callback said
 * stop), LML_ENOMEM. The message names file, line, column and value, e.g.
 * `titanic.csv:17: column 'Age': cannot parse "abc" as double`. */
LML_API lml_frame *lml_csv_read(const char *path, const lml_csv_options *opts, lml_error *err);

/* Reads CSV from memory (the same rules; `name`, which may be NULL, is used in messages). The
 * buffer is borrowed for the call only. */
LML_API lml_frame *lml_csv_read_buffer(const char *data, size_t len, const char *name,
                                       const lml_csv_options *opts, lml_error *err);

/* ---- reading in batches (tables larger than memory) */

typedef struct lml_csv_reader lml_csv_reader;

/* Opens a CSV file for reading in batches with the same options and rules as lml_csv_read. With
 * infer_schema the whole file is scanned once to infer the types (as Spark does), in bounded
 * memory, over the same chunks lml_csv_read merges, so the types are exactly its types; the
 * schema is then fixed for every batch. The file stays memory-mapped (its pages are released as
 * batches are read; a pipe or other non-regular file is read whole into memory). opts is copied.
 * Free the reader with lml_csv_reader_free. Errors: as lml_csv_read's for the header, the
 * options and the inference scan (a malformed record is reported by the batch that holds it);
 * the progress callback is called during the scan only (total = the body's size). */
LML_API lml_csv_reader *lml_csv_reader_open(const char *path, const lml_csv_options *opts, lml_error *err);

/* The next batch of at most max_rows records as a new frame (the caller frees it; every batch
 * has the schema's columns and types): *out = NULL at the end of the file. A batch holds fewer
 * rows when DROPMALFORMED drops some; batches whose rows were all dropped are skipped. false on
 * error, with lml_csv_read's codes and messages (file, line counted from the file's start,
 * column, value); FAILFAST fails the batch holding the malformed record, after the bad records
 * of earlier batches were written to bad_records_path. An error ends the reader: later calls
 * repeat it. The concatenation of all batches equals lml_csv_read's frame, with one difference:
 * a record over max_columns or max_chars_per_column is reported when its batch is read, so a
 * FAILFAST error in an earlier batch comes first (lml_csv_read reports such a guard before any
 * conversion error). LML_EINVAL when max_rows is 0. */
LML_API bool lml_csv_reader_next(lml_csv_reader *r, size_t max_rows, lml_frame **out, lml_error *err);

/* The schema (a frame with no rows) every batch has. Borrowed: valid until lml_csv_reader_free. */
LML_API const lml_frame *lml_csv_reader_schema(const lml_csv_reader *r);

/* Bytes of the file consumed so far and its size (for progress and ETA); *done == *total once
 * every batch was read. Either pointer may be NULL. */
LML_API void lml_csv_reader_progress(const lml_csv_reader *r, uint64_t *done, uint64_t *total);

/* Closes the file and frees the reader (NULL is a no-op). Batches already returned stay valid. */
LML_API void lml_csv_reader_free(lml_csv_reader *r);

typedef struct lml_csv_write_options {
    bool no_header;   /* default: write a header line */
    char delimiter;   /* 0 → ',' */
    const char *null_value; /* NULL → "" (nulls written as empty fields) */
} lml_csv_write_options;

/* Writes f as RFC 4180 CSV (fields quoted when they hold the delimiter, a quote, CR or LF, or
 * are empty strings; quotes doubled), doubles in the shortest text that reads back to the same
 * bits. Writes to a temporary file and renames it into place, so a failure leaves `path` as it
 * was (it is lml_csv_writer_open, one lml_csv_writer_write, lml_csv_writer_close). Vector
 * columns are written as Spark's text form in a quoted field. */
LML_API bool lml_csv_write(const lml_frame *f, const char *path, const lml_csv_write_options *opts, lml_error *err);

/* ---- writing in batches */

typedef struct lml_csv_writer lml_csv_writer;

/* Starts writing CSV to `path` batch by batch (options as lml_csv_write; opts is copied). Rows go
 * to a temporary file beside path; nothing is visible at path until lml_csv_writer_close.
 * append = true starts from a copy of the existing file's bytes (a missing file is a new one;
 * a final line end is added when the file lacks one): its header line is kept and must be the
 * header the first batch would write, else LML_EINVAL naming both; so the replace stays atomic.
 * Errors: LML_EINVAL (bad delimiter), LML_EIO (cannot create the temporary file or read the
 * existing one), LML_ENOMEM. End with lml_csv_writer_close or lml_csv_writer_abort. */
LML_API lml_csv_writer *lml_csv_writer_open(const char *path, const lml_csv_write_options *opts, bool append,
                                            lml_error *err);

/* Appends f's rows (borrowed). The first batch fixes the columns and writes the header (LML_ETYPE
 * for a column type CSV cannot hold); later batches must have the same column names and types,
 * else LML_EINVAL naming the column, and nothing of the batch is written. An I/O error
 * (LML_EIO) leaves the writer failed: close then reports it and discards the file. */
LML_API bool lml_csv_writer_write(lml_csv_writer *w, const lml_frame *f, lml_error *err);

/* Flushes, fsyncs and renames into place; frees w whatever happens (on failure nothing is left,
 * and path is as it was). LML_EIO on a write, sync or rename failure. */
LML_API bool lml_csv_writer_close(lml_csv_writer *w, lml_error *err);

/* Discards everything written and frees w; path is left as it was (NULL is a no-op). */
LML_API void lml_csv_writer_abort(lml_csv_writer *w);

#ifdef __cplusplus
}
#endif
#endif
