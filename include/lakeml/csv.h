/* lakeml — CSV reading and writing with Spark's `spark.read.csv` semantics.
 *
 * Every field of lml_csv_options is zero-initialisable: a zero / NULL value means Spark's
 * default, so `&(lml_csv_options){ .header = true, .infer_schema = true }` reads like
 * `spark.read.csv(path, header=True, inferSchema=True)`. */
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
    bool multi_line;        /* quoted values may span lines (reads on one thread) */
    lml_csv_mode mode;
    /* The explicit schema (Spark's .schema(...)); overrides infer_schema. A string field named
     * corrupt_record_column receives the raw line of malformed rows in PERMISSIVE mode. */
    const lml_csv_field *schema;
    size_t schema_len;
    const char *corrupt_record_column; /* NULL → "_corrupt_record" */
    /* When set, each rejected or repaired line is appended to this file as one JSON object:
     * {"file":…,"line":…,"record":…,"reason":…}. */
    const char *bad_records_path;
    size_t max_columns;        /* 0 → 20480 */
    size_t max_chars_per_column; /* 0 → unlimited */
    lml_progress progress;     /* bytes of the file processed */
} lml_csv_options;

/* Reads a CSV file into a new frame. opts NULL = Spark's defaults. Errors: LML_EIO (cannot
 * open/read), LML_EFORMAT (FAILFAST on a malformed line, a line over the guards), LML_EINVAL
 * (bad options); the message names file, line, column and value. */
LML_API lml_frame *lml_csv_read(const char *path, const lml_csv_options *opts, lml_error *err);

/* Reads CSV from memory (the same rules; `name` is used in messages). */
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
