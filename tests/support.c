#include "support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *lml_test_shared_path(const char *rel)
{
    static char path[4096];
    const char *dir = getenv("LML_SHARED_DIR");
    if (!dir)
        dir = "../shared";
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    struct stat st;
    return stat(path, &st) == 0 ? path : NULL;
}

const char *lml_test_temp_dir(void)
{
    static char dir[256];
    const char *base = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/lakeml-test-XXXXXX", base ? base : "/tmp");
    if (!mkdtemp(dir))
        return NULL;
    return dir;
}

const char *lml_test_write_temp(const char *name, const char *text)
{
    static char path[8][512];
    static int slot;
    const char *dir = lml_test_temp_dir();
    if (!dir)
        return NULL;
    char *p = path[slot++ % 8];
    snprintf(p, 512, "%s/%s", dir, name);
    FILE *f = fopen(p, "wb");
    if (!f)
        return NULL;
    fwrite(text, 1, strlen(text), f);
    fclose(f);
    return p;
}

char *lml_test_slurp_n(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    long n = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
    char *buf = n >= 0 && fseek(f, 0, SEEK_SET) == 0 ? malloc((size_t)n + 1) : NULL;
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    if (!buf)
        return NULL;
    buf[n] = '\0';
    if (len)
        *len = (size_t)n;
    return buf;
}

char *lml_test_slurp(const char *path) { return lml_test_slurp_n(path, NULL); }
