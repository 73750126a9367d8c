/* lakeml — reading LIBSVM text files with Spark's `spark.read.format("libsvm")` semantics
 * (LibSVMFileFormat / MLUtils.loadLibSVMFile).
 *
 * Each line is `label index:value index:value …`: the label and values parse like Java's
 * Double.parseDouble (NaN, Infinity, exponents, hex floats, a d/f suffix), indices like
 * Integer.parseInt, one-based and strictly increasing (stored zero-based). Tokens are separated by
 * spaces or tabs; `#` starts a comment that runs to the end of the line; lines that hold nothing
 * but whitespace or a comment are skipped. Lines end at "\n", "\r\n" or "\r".
 *
 * Differences from Spark, all on input Spark would reject or misread: Spark splits on single
 * spaces only and treats `#` as a comment only at the start of a (trimmed) line; lakeml also
 * accepts tabs and trailing comments, as LIBSVM's own tools do. Spark silently drops anything
 * after a second ':' ("3:1:2" reads as 3:1); lakeml reports it. An empty file gives 0 rows and
 * vectors of size 0 (Spark fails to infer numFeatures there). */
#ifndef LAKEML_LIBSVM_H
#define LAKEML_LIBSVM_H

#include <stdbool.h>
#include <stdint.h>
#include "error.h"
#include "frame.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct lml_libsvm_options {
    int64_t num_features;   /* Spark's "numFeatures": 0 = infer (the largest index over the file) */
    bool dense;             /* Spark's "vectorType" "dense"; default sparse */
} lml_libsvm_options;

/* Reads a LIBSVM file into a new frame (free it with lml_frame_free) with two columns: `label`
 * (double, no nulls) and `features` (a vector column of size numFeatures, CSR sparse unless
 * opt->dense). The features field carries Spark's ML attribute metadata
 * {"ml_attr":{"num_attrs":N}}. opt NULL = Spark's defaults (infer the size, sparse). The file is
 * read once (memory-mapped when possible) and parsed on the calling thread in two passes: the
 * first counts rows and entries so the arrays are allocated once at their final size.
 * Errors: LML_EINVAL (path NULL, num_features negative or over INT32_MAX), LML_ENOTFOUND (no such
 * file), LML_EIO (cannot open or read), LML_EFORMAT (an unparsable label, index or value, a
 * token without ':', an index below 1 or not above the previous one on its line, an index beyond
 * a given num_features), LML_ENOMEM (including a dense result too large to allocate). Format
 * messages name file, line, column (1-based byte offset in the line) and the token, e.g.
 * `data.txt:3:7: indices should be one-based and in ascending order: index 2 after 5 in "2:0.5"`. */
LML_API lml_frame *lml_libsvm_read(const char *path, const lml_libsvm_options *opt, lml_error *err);

#ifdef __cplusplus
}
#endif
#endif
