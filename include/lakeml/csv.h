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

typedef struct lml_csv_write_options {
    bool no_header;   /* default: write a header line */
    char delimiter;   /* 0 → ',' */
    const char *null_value; /* NULL → "" (nulls written as empty fields) */
} lml_csv_write_options;

/* Writes f as RFC 4180 CSV (fields quoted when they hold the delimiter, a quote, CR or LF, or
 * are empty strings; quotes doubled), doubles in the shortest text that reads back to the same
 * bits. Writes to a temporary file and renames it into place, so a failure leaves `path` as it
 * was. Vector columns are written as Spark's text form in a quoted field. */
LML_API bool lml_csv_write(const lml_frame *f, const char *path, const lml_csv_write_options *opts, lml_error *err);

#ifdef __cplusplus
}
#endif
#endif
