/* Writing a file so that no reader ever sees it half written: the data goes to a temporary file
 * beside the target, which is renamed into place only when complete (the CSV and Parquet writers). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "core/internal.h"

int lml_tmpfile_open(const char *path, char **tmp, lml_error *err)
{
    static const char suffix[] = ".tmp-";
    size_t plen = strlen(path), slen = sizeof suffix - 1;
    *tmp = malloc(plen + slen + 7);
    if (!*tmp)
        return lml_error_set(err, LML_ENOMEM, "out of memory writing %s", path), -1;
    memcpy(*tmp, path, plen);
    memcpy(*tmp + plen, suffix, slen);
    memset(*tmp + plen + slen, 'X', 6); /* mkstemp's template: it replaces the six X */
    (*tmp)[plen + slen + 6] = '\0';
    int fd = mkstemp(*tmp);
    if (fd < 0) {
        lml_error_set(err, LML_EIO, "cannot create a temporary file beside %s: %s", path, strerror(errno));
        free(*tmp);
        *tmp = NULL;
        return -1;
    }
    /* mkstemp makes it 0600; the finished file gets the mode of the one it replaces, or 0644. */
    struct stat st;
    (void)fchmod(fd, stat(path, &st) == 0 ? (st.st_mode & 07777) : 0644);
    return fd;
}

bool lml_tmpfile_commit(char *tmp, const char *path, lml_error *err)
{
    if (rename(tmp, path) != 0) {
        lml_error_set(err, LML_EIO, "cannot write %s: %s", path, strerror(errno));
        lml_tmpfile_discard(tmp);
        return false;
    }
    free(tmp);
    /* The rename is durable only once the directory entry is: fsync the directory, best effort. */
    const char *slash = strrchr(path, '/');
    char *dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
    int fd = dir ? open(dir, O_RDONLY | O_DIRECTORY) : -1;
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
    free(dir);
    return true;
}

void lml_tmpfile_discard(char *tmp)
{
    if (tmp)
        unlink(tmp);
    free(tmp);
}
