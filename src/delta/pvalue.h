/* Paths and partition values (delta.md §2.3, §8.4, §8.5): Hive escaping of partition
 * directories, the URI encoding of add.path, and partition values as the log stores them.
 * Internal header. */
#ifndef LML_DELTA_PVALUE_H
#define LML_DELTA_PVALUE_H

#include <stdbool.h>
#include "lakeml/error.h"
#include "lakeml/frame.h"

/* Hive escaping of a partition column name or value (§8.4): the listed bytes become %XX
 * (uppercase hex), everything else is kept. malloc'd. */
char *lml_delta_hive_escape(const char *s, lml_error *err);
/* URI encoding of a relative data-file path for add.path (§8.4): '%' → %25, ' ' → %20, and every
 * byte outside unreserved characters, '/', '=', '+' … as Spark encodes it. malloc'd. */
char *lml_delta_uri_encode_path(const char *path, lml_error *err);
/* Decodes %XX escapes once (add.path → on-disk relative path). A bad escape (% not followed by
 * two hex digits) or an encoded NUL is LML_EFORMAT naming the text. malloc'd. */
char *lml_delta_uri_decode(const char *s, lml_error *err);

/* Parses a partitionValues string into a value of `type` (decimal: precision/scale of the
 * field). NULL or "" → a null value. Accepted forms per §8.5: integers in decimal, Java float
 * text (NaN, Infinity, -Infinity, 1.0E10), true/false, yyyy-MM-dd, timestamps as
 * "yyyy-MM-dd HH:mm:ss[.ffffff]" (UTC) or ISO "yyyy-MM-ddTHH:mm:ss[.ffffff]Z"; strings and binary
 * point into s (no copy). Like Spark's cast, other types ignore surrounding whitespace, booleans
 * also take t/f/yes/no/1/0, timestamps may carry ±HH:MM offsets (not timestamp_ntz), decimals are
 * rounded half-up to `scale`. Text that does not parse as the type (or out of range) is
 * LML_EFORMAT naming text and type; a bad decimal precision/scale is LML_EINVAL. */
bool lml_delta_pvalue_parse(const char *s, lml_type type, int precision, int scale, lml_value *out, lml_error *err);
/* The partitionValues string for v (Spark's forms; timestamps as ISO UTC with 6 digits and Z,
 * timestamp_ntz as "yyyy-MM-dd HH:mm:ss[.f]" without trailing fraction zeros; doubles as Java's
 * Double.toString, floats as Float.toString; decimals plain at their scale). Returns NULL with
 * err clear for a null value; a string/binary holding a NUL byte is LML_EUNSUPPORTED. malloc'd. */
char *lml_delta_pvalue_format(const lml_value *v, lml_error *err);

#endif
