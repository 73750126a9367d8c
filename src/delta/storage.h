/* The storage interface Delta reaches files through (GUIDE §3): whole-file reads, listings,
 * create-if-absent for commits, atomic replace, delete, stat. Only the local file system is
 * implemented; an object store can be added as another lml_storage without touching the log
 * code. Paths are plain file-system paths (the caller joins the table root and relative names).
 * Internal header. */
#ifndef LML_DELTA_STORAGE_H
#define LML_DELTA_STORAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "lakeml/error.h"

typedef struct lml_storage_entry {
    char *name;         /* file name within the listed directory (malloc'd) */
    bool is_dir;
    uint64_t size;
    int64_t mtime_ms;   /* modification time, milliseconds since the epoch */
} lml_storage_entry;

typedef struct lml_storage lml_storage;
struct lml_storage {
    /* Reads the whole file into a malloc'd buffer (NUL-terminated one past len). A missing file
     * is LML_ENOTFOUND, other failures LML_EIO; files over max_len bytes are LML_EFORMAT. */
    bool (*read)(const lml_storage *st, const char *path, size_t max_len, uint8_t **data, size_t *len,
                 lml_error *err);
    /* The entries of a directory, sorted by name (bytewise); a missing directory is LML_ENOTFOUND. */
    bool (*list)(const lml_storage *st, const char *dir, lml_storage_entry **entries, size_t *n, lml_error *err);
    /* Creates `path` holding data only if nothing exists there, atomically (readers never see a
     * partial file). *existed is set (and true returned) when the name was taken. */
    bool (*put_if_absent)(const lml_storage *st, const char *path, const void *data, size_t len, bool *existed,
                          lml_error *err);
    /* Writes `path` atomically, replacing what was there (temporary file, fsync, rename). */
    bool (*write_atomic)(const lml_storage *st, const char *path, const void *data, size_t len, lml_error *err);
    /* Deletes a file; a missing file is not an error. */
    bool (*remove)(const lml_storage *st, const char *path, lml_error *err);
    /* Size, kind and mtime of one path (entry->name left NULL); missing is LML_ENOTFOUND. */
    bool (*stat)(const lml_storage *st, const char *path, lml_storage_entry *entry, lml_error *err);
};

/* The wall clock in milliseconds since the epoch (commit timestamps, deletionTimestamp,
 * createdTime). */
int64_t lml_delta_now_ms(void);

/* The local file system. */
const lml_storage *lml_storage_local(void);
void lml_storage_entries_free(lml_storage_entry *entries, size_t n);

#endif
