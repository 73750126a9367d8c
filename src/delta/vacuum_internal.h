/* What vacuum.c (the command: retention, commits, deletion) and vacuum_list.c (which files and
 * directories may go) share. Internal to src/delta/vacuum*.c. */
#ifndef LML_DELTA_VACUUM_INTERNAL_H
#define LML_DELTA_VACUUM_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "table.h"

/* One path VACUUM would delete, relative to the table root (plain file-system text, no URI
 * encoding). */
typedef struct lml_vacuum_item {
    char *rel;
    bool is_dir;
    uint64_t size;
} lml_vacuum_item;

typedef struct lml_vacuum_plan {
    lml_vacuum_item *items; /* files first, then directories, each group sorted by path */
    size_t n, nfiles;
    int64_t size_to_delete; /* bytes of the files (Spark's sizeOfDataToDelete) */
    int64_t dirs_listed;    /* directories listed, plus the root (Spark's numVacuumedDirectories) */
} lml_vacuum_plan;

/* Spark's FULL vacuum candidates for table t (its latest state) with files older than cutoff_ms:
 * every file under the root, outside hidden directories (names starting with '_' or '.', except
 * _change_data, _delta_index and partition directories `<partition column>=…`), whose mtime is
 * before the cutoff and which no live add, no tombstone deleted at or after the cutoff and none
 * of their deletion vectors names; and every listed directory that holds none of those paths and
 * no file older than the cutoff. root_abs is the table root as an absolute path. */
bool lml_vacuum_plan_build(const lml_delta_table *t, const char *root_abs, int64_t cutoff_ms, lml_vacuum_plan *plan,
                           lml_error *err);
void lml_vacuum_plan_clear(lml_vacuum_plan *plan);

#endif
