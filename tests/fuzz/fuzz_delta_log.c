/* libFuzzer target for Delta log replay. The input is a whole _delta_log: its commits, one after
 * another, separated by lines "#---" (version 0, 1, …); a part starting "#last" becomes
 * _last_checkpoint instead. The table is opened at its latest version and at version 0, and
 * everything a user can ask of it is asked: schema, files, history, detail, a read (the data
 * files do not exist, so it must fail cleanly or return an empty table). Errors are expected and
 * ignored: only crashes, leaks, hangs and sanitizer reports count. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "lakeml/lakeml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char root[64], logdir[80];

static void clear_log(void) {
    DIR *d = opendir(logdir);
    struct dirent *e;
    char p[400];
    while (d && (e = readdir(d)))
        if (e->d_name[0] != '.') {
            snprintf(p, sizeof p, "%s/%s", logdir, e->d_name);
            unlink(p);
        }
    if (d) closedir(d);
}

static void put(const char *name, const uint8_t *p, size_t n) {
    char path[400];
    snprintf(path, sizeof path, "%s/%s", logdir, name);
    FILE *fp = fopen(path, "wb");
    if (!fp) return;
    if (n) fwrite(p, 1, n, fp);
    fclose(fp);
}

static void ask(const lml_delta_open_options *o) {
    lml_delta_table *t = lml_delta_table_open(root, o, NULL);
    if (!t) return;
    lml_frame *f = lml_delta_table_schema(t, NULL);
    lml_frame_free(f);
    f = lml_delta_table_files(t, NULL);
    lml_frame_free(f);
    f = lml_delta_table_history(t, 0, NULL);
    lml_frame_free(f);
    f = lml_delta_table_detail(t, NULL);
    lml_frame_free(f);
    f = lml_delta_table_read(t, NULL, NULL);
    lml_frame_free(f);
    for (size_t i = 0; i < lml_delta_table_num_partition_columns(t); i++)
        if (!lml_delta_table_partition_column(t, i)) __builtin_trap();
    lml_delta_table_free(t);
}

static void remove_table(void) {
    clear_log();
    rmdir(logdir);
    rmdir(root);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!root[0]) {
        atexit(remove_table);
        snprintf(root, sizeof root, "/tmp/fuzz_delta.%ld", (long)getpid());
        snprintf(logdir, sizeof logdir, "%s/_delta_log", root);
        mkdir(root, 0755);
        mkdir(logdir, 0755);
        lml_set_num_threads(1);
        lml_log_set_level(LML_LOG_OFF);
    }
    clear_log();
    int version = 0;
    for (size_t at = 0; at <= size && version < 64;) {
        const uint8_t *sep = NULL;
        for (size_t i = at; i + 5 <= size && !sep; i++)
            if (memcmp(data + i, "#---\n", 5) == 0) sep = data + i;
        size_t end = sep ? (size_t)(sep - data) : size;
        if (end - at >= 5 && memcmp(data + at, "#last", 5) == 0) {
            put("_last_checkpoint", data + at + 5, end - at - 5);
        } else {
            char name[32];
            snprintf(name, sizeof name, "%020d.json", version++);
            put(name, data + at, end - at);
        }
        if (!sep) break;
        at = end + 5;
    }
    ask(NULL);
    lml_delta_open_options v0 = {.has_version = true, .version = 0};
    ask(&v0);
    return 0;
}
