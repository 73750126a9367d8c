/* The whole of an input file in memory for the text readers (CSV, LIBSVM): mapped when it is a
 * non-empty regular file, otherwise read into a buffer (pipes, /dev/stdin, empty /proc files). */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "internal.h"

/* Reads what a descriptor holds until end of file. */
static char *read_all(int fd, size_t *len, const char *path, lml_error *err)
{
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        if (n == cap) {
            char *nb = cap <= SIZE_MAX / 2 ? realloc(buf, cap * 2) : NULL;
            if (!nb)
                break;
            buf = nb;
            cap *= 2;
        }
        ssize_t r = read(fd, buf + n, cap - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            lml_error_set(err, LML_EIO, "cannot read %s: %s", path, strerror(errno));
            free(buf);
            return NULL;
        }
        if (r == 0) {
            *len = n;
            return buf;
        }
        n += (size_t)r;
    }
    free(buf);
    lml_error_set(err, LML_ENOMEM, "out of memory reading %s (%zu bytes so far)", path, n);
    return NULL;
}

bool lml_input_open(const char *path, lml_input *in, lml_error *err)
{
    memset(in, 0, sizeof *in);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return lml_error_set(err, errno == ENOENT ? LML_ENOTFOUND : LML_EIO, "cannot open %s: %s", path,
                             strerror(errno));
    struct stat st;
    bool ok = fstat(fd, &st) == 0;
    if (!ok || S_ISDIR(st.st_mode)) {
        lml_error_set(err, LML_EIO, "cannot read %s: %s", path, ok ? "is a directory" : strerror(errno));
        close(fd);
        return false;
    }
    if (S_ISREG(st.st_mode) && st.st_size > 0 && (uintmax_t)st.st_size <= SIZE_MAX) {
        size_t len = (size_t)st.st_size;
        void *map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
        if (map != MAP_FAILED) {
            close(fd);
            madvise(map, len, MADV_SEQUENTIAL);
            *in = (lml_input){.data = map, .len = len, .mapped = true};
            return true;
        }
    }
    char *buf = read_all(fd, &in->len, path, err);
    close(fd);
    in->data = buf;
    return buf != NULL;
}

void lml_input_close(lml_input *in)
{
    if (in->mapped)
        munmap((void *)in->data, in->len);
    else
        free((void *)in->data);
    memset(in, 0, sizeof *in);
}
