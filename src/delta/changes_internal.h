/* What changes.c (table_changes: the version range, the commits, which actions become which
 * changes) and changes_read.c (reading a file's rows into change rows) share. Internal to
 * src/delta/changes*.c. */
#ifndef LML_DELTA_CHANGES_INTERNAL_H
#define LML_DELTA_CHANGES_INTERNAL_H

#include "scan_internal.h"

/* The change rows gathered so far: one part per file read, each the table's columns followed by
 * _change_type, _commit_version and _commit_timestamp. */
typedef struct lml_changes {
    const lml_delta_scan_spec *spec;
    size_t nparts, cap;
    lml_column ***parts;
} lml_changes;

/* Appends the rows of data file f whose positions are outside `exclude` and, when `include` is
 * given, inside it (each a deletion vector of the log, or NULL / not present for none), as
 * changes of type change_type at version / timestamp_ms. f's own deletion vector is not applied:
 * the caller says which rows it wants. */
bool lml_changes_add_rows(lml_changes *c, const lml_delta_file *f, const lml_delta_dv *exclude,
                          const lml_delta_dv *include, const char *change_type, int64_t version, int64_t timestamp_ms,
                          lml_error *err);
/* Appends every row of change-data file f (a cdc action) with the _change_type it carries. */
bool lml_changes_add_cdc(lml_changes *c, const lml_delta_file *f, int64_t version, int64_t timestamp_ms,
                         lml_error *err);
/* The frame of all parts (the table's columns, then the three change columns); consumes nothing,
 * the caller still clears c. */
lml_frame *lml_changes_frame(const lml_changes *c, lml_error *err);
void lml_changes_clear(lml_changes *c);

#endif
