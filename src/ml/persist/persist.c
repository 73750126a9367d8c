/* lml_save / lml_load (spec §1, §2, §8): the stage directory with metadata/part-00000, the
 * class table used to load, and the atomic placement of a saved directory (built under a
 * temporary sibling name, then renamed or swapped into place). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "core/internal.h"
#include "ml/feature/feature_internal.h"
#include "ml/persist/persist_private.h"
#include "ml/tuning/tuning_internal.h"

/* Every class lakeml can load. Trees and tuning add their vtables here. */
static const lml_stage_vtable *const classes[] = {
    &lml_string_indexer_vt, &lml_string_indexer_model_vt, &lml_index_to_string_vt, &lml_one_hot_encoder_vt,
    &lml_one_hot_encoder_model_vt, &lml_vector_assembler_vt, &lml_standard_scaler_vt, &lml_standard_scaler_model_vt,
    &lml_imputer_vt, &lml_imputer_model_vt, &lml_logistic_regression_vt, &lml_logistic_regression_model_vt,
    &lml_linear_regression_vt, &lml_linear_regression_model_vt, &lml_pipeline_vt, &lml_pipeline_model_vt,
    &lml_binary_evaluator_vt, &lml_multiclass_evaluator_vt, &lml_regression_evaluator_vt,
    &lml_dt_classifier_vt, &lml_dt_classifier_model_vt, &lml_dt_regressor_vt, &lml_dt_regressor_model_vt,
    &lml_rf_classifier_vt, &lml_rf_classifier_model_vt, &lml_rf_regressor_vt, &lml_rf_regressor_model_vt,
    &lml_gbt_classifier_vt, &lml_gbt_classifier_model_vt, &lml_gbt_regressor_vt, &lml_gbt_regressor_model_vt,
    &lml_cv_vt, &lml_cvm_vt, &lml_tvs_vt, &lml_tvsm_vt,
};

/* PySpark saves pure-Python validators under their Python class names (spec §6); they load as
 * the Scala classes, whose hooks read the variant from the class name. */
static const struct {
    const char *name;
    const lml_stage_vtable *vt;
} aliases[] = {
    {"pyspark.ml.tuning.CrossValidator", &lml_cv_vt},
    {"pyspark.ml.tuning.CrossValidatorModel", &lml_cvm_vt},
    {"pyspark.ml.tuning.TrainValidationSplit", &lml_tvs_vt},
    {"pyspark.ml.tuning.TrainValidationSplitModel", &lml_tvsm_vt},
};

static const lml_stage_vtable *class_of(const char *name)
{
    for (size_t i = 0; i < sizeof classes / sizeof classes[0]; i++)
        if (strcmp(classes[i]->class_name, name) == 0)
            return classes[i];
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
        if (strcmp(aliases[i].name, name) == 0)
            return aliases[i].vt;
    return NULL;
}

/* Models and pipelines carry learned data; a class absent from the table cannot be loaded back,
 * so saving it would produce a directory lakeml itself refuses. */
static bool can_save(const lml_stage *s) { return class_of(s->vt->class_name) == s->vt; }

char *lml_persist_join(const char *a, const char *b, lml_error *err)
{
    lml_strbuf sb = {0};
    lml_strbuf_printf(&sb, "%s/%s", a, b);
    return lml_strbuf_finish(&sb, err);
}

static bool write_file(const char *path, const char *text, lml_error *err)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return lml_error_set(err, LML_EIO, "cannot create %s: %s", path, strerror(errno));
    size_t n = strlen(text);
    bool ok = fwrite(text, 1, n, f) == n;
    ok = (fflush(f) == 0) && ok && fsync(fileno(f)) == 0;
    if (fclose(f) != 0)
        ok = false;
    return ok ? true : lml_error_set(err, LML_EIO, "cannot write %s: %s", path, strerror(errno));
}

static bool make_dir(const char *path, lml_error *err)
{
    if (mkdir(path, 0755) != 0)
        return lml_error_set(err, LML_EIO, "cannot create directory %s: %s", path, strerror(errno));
    return true;
}

/* ---------------------------------------------------------------- saving */

static bool write_metadata(const lml_stage *s, const char *dir, lml_error *err)
{
    bool ok = false;
    char *mdir = NULL, *file = NULL, *succ = NULL, *text = NULL;
    cJSON *meta = cJSON_CreateObject(), *pm = cJSON_CreateObject(), *dm = cJSON_CreateObject();
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    char tbuf[32];
    snprintf(tbuf, sizeof tbuf, "%lld", (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
    if (!meta || !pm || !dm || !cJSON_AddStringToObject(meta, "class", s->vt->class_name) ||
        !cJSON_AddRawToObject(meta, "timestamp", tbuf) ||
        !cJSON_AddStringToObject(meta, "sparkVersion", LML_PERSIST_SPARK_VERSION) ||
        !cJSON_AddStringToObject(meta, "uid", s->uid)) {
        lml_error_set(err, LML_ENOMEM, "out of memory saving %s", dir);
        goto done;
    }
    if (!lml_persist_params_to_meta(s, pm, dm, err))
        goto done;
    if (!cJSON_AddItemToObject(meta, "paramMap", pm)) {
        lml_error_set(err, LML_ENOMEM, "out of memory saving %s", dir);
        goto done;
    }
    pm = NULL;
    if (!cJSON_AddItemToObject(meta, "defaultParamMap", dm)) {
        lml_error_set(err, LML_ENOMEM, "out of memory saving %s", dir);
        goto done;
    }
    dm = NULL;
    if (s->vt->save_data && !s->vt->save_data(s, dir, meta, err))
        goto done;
    if (!(mdir = lml_persist_join(dir, "metadata", err)) || !make_dir(mdir, err) ||
        !(file = lml_persist_join(mdir, "part-00000", err)) || !(succ = lml_persist_join(mdir, "_SUCCESS", err)))
        goto done;
    char *json = cJSON_PrintUnformatted(meta);
    if (json) {
        size_t n = strlen(json);
        text = malloc(n + 2);
        if (text) {
            memcpy(text, json, n);
            memcpy(text + n, "\n", 2);
        }
        free(json);
    }
    if (!text) {
        lml_error_set(err, LML_ENOMEM, "out of memory saving %s", dir);
        goto done;
    }
    ok = write_file(file, text, err) && write_file(succ, "", err);
done:
    cJSON_Delete(meta);
    cJSON_Delete(pm);
    cJSON_Delete(dm);
    free(mdir);
    free(file);
    free(succ);
    free(text);
    return ok;
}

/* Saves s into the existing empty directory dir. */
static bool save_into(const lml_stage *s, const char *dir, lml_error *err)
{
    if (!can_save(s))
        return lml_error_set(err, LML_EUNSUPPORTED, "%s: lakeml cannot save a %s yet", s->uid, s->vt->class_name);
    return write_metadata(s, dir, err);
}

bool lml_persist_save_dir(const lml_stage *s, const char *dir, lml_error *err)
{
    return make_dir(dir, err) && save_into(s, dir, err);
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    return flag == FTW_DP ? rmdir(path) : unlink(path);
}

static void remove_tree(const char *path)
{
    if (path)
        nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void sync_parent(const char *path)
{
    char *dup = strdup(path);
    if (!dup)
        return;
    char *slash = strrchr(dup, '/');
    const char *parent = slash ? (slash == dup ? "/" : (*slash = '\0', dup)) : ".";
    int fd = open(parent, O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
    free(dup);
}

bool lml_save(const lml_stage *s, const char *path, lml_save_mode mode, lml_error *err)
{
    if (!s || !path || !*path)
        return lml_error_set(err, LML_EINVAL, "lml_save: stage and path must not be NULL or empty");
    if (mode != LML_SAVE_ERROR_IF_EXISTS && mode != LML_SAVE_OVERWRITE)
        return lml_error_set(err, LML_EINVAL, "lml_save: unknown save mode %d", (int)mode);
    struct stat st;
    if (mode == LML_SAVE_ERROR_IF_EXISTS && lstat(path, &st) == 0)
        return lml_error_set(err, LML_EINVAL, "%s: path already exists (use LML_SAVE_OVERWRITE to replace it)", path);
    /* The temporary sibling: same directory, so the final rename never crosses filesystems. */
    lml_strbuf sb = {0};
    lml_strbuf_printf(&sb, "%s.tmp-", path);
    lml_strbuf_repeat(&sb, 'X', 6); /* mkdtemp's template: it replaces the six X */
    char *tmp = lml_strbuf_finish(&sb, err);
    if (!tmp)
        return false;
    if (!mkdtemp(tmp)) {
        lml_error_set(err, LML_EIO, "cannot create a temporary directory beside %s: %s", path, strerror(errno));
        free(tmp);
        return false;
    }
    chmod(tmp, 0755); /* mkdtemp makes it 0700; a saved model is as readable as any directory */
    if (!save_into(s, tmp, err)) {
        remove_tree(tmp);
        free(tmp);
        return false;
    }
    if (renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE) == 0) {
        sync_parent(path);
        free(tmp);
        return true;
    }
    if (errno != EEXIST || mode != LML_SAVE_OVERWRITE) {
        int e = errno;
        remove_tree(tmp);
        free(tmp);
        if (e == EEXIST)
            return lml_error_set(err, LML_EINVAL, "%s: path already exists (use LML_SAVE_OVERWRITE to replace it)",
                                 path);
        return lml_error_set(err, LML_EIO, "cannot rename the saved model into %s: %s", path, strerror(e));
    }
    /* Overwrite: swap new and old in one step, then delete the old one (now at tmp). */
    if (renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_EXCHANGE) == 0) {
        sync_parent(path);
        remove_tree(tmp);
        free(tmp);
        return true;
    }
    /* No RENAME_EXCHANGE on this filesystem: move the old one aside first. */
    lml_strbuf_printf(&sb, "%s.old", tmp);
    char *aside = lml_strbuf_finish(&sb, err);
    if (!aside || rename(path, aside) != 0 || rename(tmp, path) != 0) {
        int e = errno;
        if (aside && access(path, F_OK) != 0)
            rename(aside, path); /* put the old one back */
        remove_tree(tmp);
        free(tmp);
        free(aside);
        return lml_error_set(err, LML_EIO, "cannot replace %s: %s", path, strerror(e));
    }
    sync_parent(path);
    remove_tree(aside);
    free(aside);
    free(tmp);
    return true;
}

/* ---------------------------------------------------------------- loading */

/* The first non-hidden file (name order) of dir, malloc'd path; NULL with LML_ENOTFOUND. */
static char *first_visible(const char *dir, lml_error *err)
{
    DIR *d = opendir(dir);
    if (!d) {
        lml_error_set(err, errno == ENOENT ? LML_ENOTFOUND : LML_EIO, "%s: cannot open directory: %s", dir,
                      strerror(errno));
        return NULL;
    }
    char *best = NULL;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.' || e->d_name[0] == '_')
            continue;
        if (!best || strcmp(e->d_name, best) < 0) {
            free(best);
            best = strdup(e->d_name);
        }
    }
    closedir(d);
    if (!best) {
        lml_error_set(err, LML_ENOTFOUND, "%s: no metadata file", dir);
        return NULL;
    }
    char *p = lml_persist_join(dir, best, err);
    free(best);
    return p;
}

static char *read_first_line(const char *path, lml_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        lml_error_set(err, LML_EIO, "cannot open %s: %s", path, strerror(errno));
        return NULL;
    }
    lml_strbuf sb = {0};
    char buf[4096];
    size_t n;
    bool eol = false;
    while (!eol && (n = fread(buf, 1, sizeof buf, f)) > 0) {
        char *nl = memchr(buf, '\n', n);
        if (nl) {
            n = (size_t)(nl - buf);
            eol = true;
        }
        lml_strbuf_append(&sb, buf, n);
        if (sb.len > ((size_t)64 << 20)) {
            fclose(f);
            lml_strbuf_free(&sb);
            lml_error_set(err, LML_EFORMAT, "%s: metadata line longer than 64 MiB", path);
            return NULL;
        }
    }
    bool bad = ferror(f);
    fclose(f);
    if (bad) {
        lml_strbuf_free(&sb);
        lml_error_set(err, LML_EIO, "cannot read %s", path);
        return NULL;
    }
    return lml_strbuf_finish(&sb, err);
}

/* "3.5.1" → 305; -1 when it does not match ^\d+\.\d+(\..*)?$. */
static int parse_version(const char *v)
{
    char *end;
    long major = strtol(v, &end, 10);
    if (end == v || *end != '.' || major < 0 || major > 1000)
        return -1;
    const char *p = end + 1;
    long minor = strtol(p, &end, 10);
    if (end == p || (*end && *end != '.') || minor < 0 || minor > 99)
        return -1;
    return (int)(major * 100 + minor);
}

const cJSON *lml_persist_param_map(const cJSON *meta) { return cJSON_GetObjectItemCaseSensitive(meta, "paramMap"); }

bool lml_persist_meta_int(const cJSON *meta, const char *where, const char *key, int64_t *out, lml_error *err)
{
    const cJSON *j = cJSON_GetObjectItemCaseSensitive(meta, key);
    if (!cJSON_IsNumber(j) || j->valuedouble != (double)(int64_t)j->valuedouble)
        return lml_error_set(err, LML_EFORMAT, "%s: field '%s' must be an integer", where, key);
    *out = (int64_t)j->valuedouble;
    return true;
}

lml_stage *lml_persist_load_dir(const char *dir, const char *expect_uid, lml_error *err)
{
    lml_stage *s = NULL;
    cJSON *meta = NULL;
    char *text = NULL, *mdir = lml_persist_join(dir, "metadata", err);
    char *file = mdir ? first_visible(mdir, err) : NULL;
    if (!file || !(text = read_first_line(file, err)))
        goto done;
    const char *endp = NULL;
    meta = cJSON_ParseWithOpts(text, &endp, true);
    if (!cJSON_IsObject(meta)) {
        size_t off = endp && endp >= text ? (size_t)(endp - text) : 0;
        lml_error_set(err, LML_EFORMAT, "%s: invalid JSON at byte %zu (truncated or not a JSON object)", file, off);
        goto done;
    }
    const cJSON *cls = cJSON_GetObjectItemCaseSensitive(meta, "class");
    const cJSON *ver = cJSON_GetObjectItemCaseSensitive(meta, "sparkVersion");
    const cJSON *uid = cJSON_GetObjectItemCaseSensitive(meta, "uid");
    if (!cJSON_IsString(cls) || !cJSON_IsString(ver) || !cJSON_IsString(uid) || !*uid->valuestring) {
        lml_error_set(err, LML_EFORMAT, "%s: field '%s' missing or not a string", file,
                      !cJSON_IsString(cls) ? "class" : !cJSON_IsString(ver) ? "sparkVersion" : "uid");
        goto done;
    }
    int version = parse_version(ver->valuestring);
    if (version < 0) {
        lml_error_set(err, LML_EFORMAT, "%s: field 'sparkVersion': cannot parse \"%s\"", file, ver->valuestring);
        goto done;
    }
    if (expect_uid && strcmp(expect_uid, uid->valuestring) != 0) {
        lml_error_set(err, LML_EFORMAT, "%s: field 'uid' is '%s' but the pipeline expects '%s'", file, uid->valuestring,
                      expect_uid);
        goto done;
    }
    const lml_stage_vtable *vt = class_of(cls->valuestring);
    if (!vt) {
        lml_error_set(err, LML_EUNSUPPORTED, "%s: field 'class': lakeml cannot load %s", file, cls->valuestring);
        goto done;
    }
    void *state = NULL;
    if (vt->load_state && !(state = vt->load_state(dir, meta, version, err)))
        goto done;
    if (!(s = lml_stage_create(vt, uid->valuestring, state, err))) /* releases state on failure */
        goto done;
    if (!lml_persist_params_from_meta(s, meta, version, file, err)) {
        lml_stage_free(s);
        s = NULL;
    }
done:
    cJSON_Delete(meta);
    free(text);
    free(file);
    free(mdir);
    return s;
}

lml_stage *lml_load(const char *path, lml_error *err)
{
    if (!path || !*path) {
        lml_error_set(err, LML_EINVAL, "lml_load: path must not be NULL or empty");
        return NULL;
    }
    struct stat st;
    if (stat(path, &st) != 0) {
        lml_error_set(err, LML_ENOTFOUND, "%s: no saved stage: %s", path, strerror(errno));
        return NULL;
    }
    return lml_persist_load_dir(path, NULL, err);
}
