/* The local file system behind lml_storage. Commits are created with link() from a finished,
 * fsync'd temporary file, so a version file appears whole or not at all and an existing one is
 * never replaced (delta.md §8.1); everything else replaces atomically by rename. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "../core/internal.h"
#include "storage.h"

static int64_t mtime_ms(const struct stat *st) {
    return (int64_t)st->st_mtim.tv_sec * 1000 + st->st_mtim.tv_nsec / 1000000;
}

static bool local_read(const lml_storage *s, const char *path, size_t max_len, uint8_t **data, size_t *len,
                       lml_error *err) {
    (void)s;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return lml_error_set(err, errno == ENOENT ? LML_ENOTFOUND : LML_EIO, "%s: cannot open: %s", path,
                             strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        int e = errno;
        close(fd);
        return lml_error_set(err, LML_EIO, "%s: %s", path, S_ISDIR(st.st_mode) ? "is a directory" : strerror(e));
    }
    if ((uint64_t)st.st_size > max_len) {
        close(fd);
        return lml_error_set(err, LML_EFORMAT, "%s: %lld bytes, more than the %zu this file may hold", path,
                             (long long)st.st_size, max_len);
    }
    size_t n = (size_t)st.st_size, got = 0;
    uint8_t *buf = malloc(n + 1);
    if (!buf) {
        close(fd);
        return lml_error_set(err, LML_ENOMEM, "out of memory reading %s (%zu bytes)", path, n);
    }
    while (got < n) {
        ssize_t r = read(fd, buf + got, n - got);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) {
            int e = errno;
            free(buf);
            close(fd);
            return lml_error_set(err, LML_EIO, "%s: read failed: %s", path, r < 0 ? strerror(e) : "file shrank");
        }
        got += (size_t)r;
    }
    close(fd);
    buf[n] = 0;
    *data = buf;
    *len = n;
    return true;
}

static int by_name(const void *a, const void *b) {
    return strcmp(((const lml_storage_entry *)a)->name, ((const lml_storage_entry *)b)->name);
}

static bool local_list(const lml_storage *s, const char *dir, lml_storage_entry **entries, size_t *n,
                       lml_error *err) {
    (void)s;
    *entries = NULL;
    *n = 0;
    DIR *d = opendir(dir);
    if (!d)
        return lml_error_set(err, errno == ENOENT ? LML_ENOTFOUND : LML_EIO, "%s: cannot list: %s", dir,
                             strerror(errno));
    size_t cap = 0;
    lml_storage_entry *out = NULL;
    bool ok = true;
    struct dirent *de;
    while (ok && (de = readdir(d))) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) continue;
        struct stat st;
        if (fstatat(dirfd(d), de->d_name, &st, 0) != 0) continue; /* vanished meanwhile (a vacuum, a temp file) */
        if (*n == cap) {
            lml_storage_entry *g = realloc(out, (cap ? cap * 2 : 64) * sizeof *out);
            if (!g) {
                ok = lml_error_set(err, LML_ENOMEM, "out of memory listing %s", dir);
                break;
            }
            out = g;
            cap = cap ? cap * 2 : 64;
        }
        lml_storage_entry *e = &out[*n];
        if (!(e->name = lml_strdup(de->d_name, err))) {
            ok = false;
            break;
        }
        e->is_dir = S_ISDIR(st.st_mode);
        e->size = (uint64_t)st.st_size;
        e->mtime_ms = mtime_ms(&st);
        (*n)++;
    }
    closedir(d);
    if (!ok) {
        lml_storage_entries_free(out, *n);
        *n = 0;
        return false;
    }
    if (*n) qsort(out, *n, sizeof *out, by_name);
    *entries = out;
    return true;
}

static void fsync_parent(const char *path) {
    const char *slash = strrchr(path, '/');
    char *dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
    int fd = dir ? open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
    free(dir);
}

/* Writes data into a fresh temporary file beside path and fsyncs it; its name goes to *tmp. */
static bool write_temp(const char *path, const void *data, size_t len, char **tmp, lml_error *err) {
    int fd = lml_tmpfile_open(path, tmp, err);
    if (fd < 0) return false;
    const uint8_t *p = data;
    size_t done = 0;
    while (done < len) {
        ssize_t w = write(fd, p + done, len - done);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) break;
        done += (size_t)w;
    }
    int e = errno;
    if (done < len || fsync(fd) != 0) {
        if (done == len) e = errno;
        close(fd);
        lml_tmpfile_discard(*tmp);
        *tmp = NULL;
        return lml_error_set(err, LML_EIO, "cannot write %s: %s", path, strerror(e));
    }
    close(fd);
    return true;
}

static bool local_put_if_absent(const lml_storage *s, const char *path, const void *data, size_t len, bool *existed,
                                lml_error *err) {
    (void)s;
    *existed = false;
    char *tmp;
    if (!write_temp(path, data, len, &tmp, err)) return false;
    /* link() never replaces an existing name: exactly one of several racing writers wins. */
    int rc = link(tmp, path), e = errno;
    lml_tmpfile_discard(tmp);
    if (rc != 0 && e == EEXIST) {
        *existed = true;
        return true;
    }
    if (rc != 0) return lml_error_set(err, LML_EIO, "cannot create %s: %s", path, strerror(e));
    fsync_parent(path);
    return true;
}

static bool local_write_atomic(const lml_storage *s, const char *path, const void *data, size_t len, lml_error *err) {
    (void)s;
    char *tmp;
    return write_temp(path, data, len, &tmp, err) && lml_tmpfile_commit(tmp, path, err);
}

static bool local_remove(const lml_storage *s, const char *path, lml_error *err) {
    (void)s;
    if (unlink(path) != 0 && errno != ENOENT)
        return lml_error_set(err, LML_EIO, "cannot delete %s: %s", path, strerror(errno));
    return true;
}

static bool local_stat(const lml_storage *s, const char *path, lml_storage_entry *e, lml_error *err) {
    (void)s;
    struct stat st;
    if (stat(path, &st) != 0)
        return lml_error_set(err, errno == ENOENT ? LML_ENOTFOUND : LML_EIO, "%s: %s", path, strerror(errno));
    *e = (lml_storage_entry){.is_dir = S_ISDIR(st.st_mode), .size = (uint64_t)st.st_size, .mtime_ms = mtime_ms(&st)};
    return true;
}

static const lml_storage local = {
    .read = local_read,
    .list = local_list,
    .put_if_absent = local_put_if_absent,
    .write_atomic = local_write_atomic,
    .remove = local_remove,
    .stat = local_stat,
};

const lml_storage *lml_storage_local(void) { return &local; }

int64_t lml_delta_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void lml_storage_entries_free(lml_storage_entry *entries, size_t n) {
    for (size_t i = 0; i < n; i++) free(entries[i].name);
    free(entries);
}
