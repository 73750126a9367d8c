/* Checkpoints → actions (delta.md §4.4, §4.5). A Parquet checkpoint row has one non-null
 * top-level struct (the action). add and remove rows are copied straight from their columns
 * (checkpoint_files.c); the few other actions are turned into the JSON object a commit line would
 * hold and parsed by the same code as commits. Row groups are read one at a time, so a
 * checkpoint of millions of files is held one row group at a time. */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>
#include "../core/internal.h"
#include "lakeml/parquet.h"
#include "checkpoint.h"
#include "pvalue.h"
#include "replay.h"

static const char *const action_columns[] = {"txn", "add", "remove", "metaData", "protocol", "domainMetadata",
                                             "checkpointMetadata", "sidecar"};
enum { NACTION = sizeof action_columns / sizeof action_columns[0] };

static cJSON *cell_json(const lml_column *col, size_t i);

static cJSON *string_json(lml_value v) {
    char *s = strndup(v.v.str.ptr ? v.v.str.ptr : "", v.v.str.len);
    cJSON *j = s ? cJSON_CreateString(s) : NULL;
    free(s);
    return j;
}

static cJSON *struct_json(const lml_column *col, size_t i) {
    cJSON *o = cJSON_CreateObject();
    for (size_t k = 0; o && k < lml_column_num_children(col); k++) {
        const lml_column *ch = lml_column_child(col, k);
        const char *name = lml_column_child_name(col, k);
        if (lml_column_is_null(ch, i)) continue;
        cJSON *v = cell_json(ch, i);
        if (!v) {
            cJSON_Delete(o);
            return NULL;
        }
        cJSON_AddItemToObject(o, name, v);
    }
    return o;
}

static cJSON *cell_json(const lml_column *col, size_t i) {
    if (lml_column_is_null(col, i)) return cJSON_CreateNull();
    switch (lml_column_type(col)) {
    case LML_STRUCT: return struct_json(col, i);
    case LML_LIST: {
        const int32_t *off = lml_column_offsets(col);
        const lml_column *el = lml_column_child(col, 0);
        cJSON *a = cJSON_CreateArray();
        for (int32_t j = off[i]; a && j < off[i + 1]; j++) cJSON_AddItemToArray(a, cell_json(el, (size_t)j));
        return a;
    }
    case LML_MAP: {
        const int32_t *off = lml_column_offsets(col);
        const lml_column *ks = lml_column_map_keys(col), *vs = lml_column_map_values(col);
        cJSON *o = cJSON_CreateObject();
        for (int32_t j = off[i]; o && j < off[i + 1]; j++) {
            lml_value k = lml_column_get(ks, (size_t)j);
            char *key = strndup(k.v.str.ptr ? k.v.str.ptr : "", k.v.str.len);
            if (key) cJSON_AddItemToObject(o, key, cell_json(vs, (size_t)j));
            free(key);
        }
        return o;
    }
    default: break;
    }
    lml_value v = lml_column_get(col, i);
    switch (v.type) {
    case LML_STRING: case LML_BINARY: return string_json(v);
    case LML_BOOL: return cJSON_CreateBool(v.v.b);
    case LML_INT8: case LML_INT16: case LML_INT32: case LML_DATE: return cJSON_CreateNumber(v.v.i32);
    case LML_INT64: case LML_TIMESTAMP: case LML_TIMESTAMP_NTZ: return cJSON_CreateNumber((double)v.v.i64);
    case LML_DOUBLE: case LML_FLOAT: return cJSON_CreateNumber(v.v.f64);
    default: return cJSON_CreateNull(); /* a type no action field has: left out of the action */
    }
}

/* One action per row of a checkpoint frame: add and remove rows straight from their columns,
 * the rest through JSON. */
static bool emit_rows(const lml_frame *fr, const char *what, lml_delta_emit_fn emit, void *ctx, lml_error *err) {
    size_t nc = lml_frame_num_cols(fr);
    lml_delta_file_cols *fc = calloc(nc + 1, sizeof *fc);
    int *kind = calloc(nc + 1, sizeof *kind); /* per column: LML_DA_ADD, LML_DA_REMOVE or 0 */
    bool ok = fc && kind;
    if (!ok) lml_error_set(err, LML_ENOMEM, "out of memory reading %s", what);
    for (size_t c = 0; ok && c < nc; c++) {
        const lml_column *col = lml_frame_column(fr, c);
        const char *name = lml_frame_column_name(fr, c);
        if (lml_column_type(col) != LML_STRUCT) continue;
        kind[c] = strcmp(name, "add") == 0 ? LML_DA_ADD : strcmp(name, "remove") == 0 ? LML_DA_REMOVE : 0;
        if (kind[c] && !lml_delta_file_cols_resolve(col, &fc[c], err)) {
            lml_error_prefix(err, "%s", what);
            ok = false;
        }
    }
    for (size_t r = 0; ok && r < lml_frame_num_rows(fr); r++) {
        for (size_t c = 0; c < nc; c++) {
            const lml_column *col = lml_frame_column(fr, c);
            if (lml_column_type(col) != LML_STRUCT || lml_column_is_null(col, r)) continue;
            if (kind[c]) {
                lml_delta_action a = {.kind = (lml_delta_action_kind)kind[c]};
                ok = lml_delta_file_from_row(&fc[c], r, kind[c] == LML_DA_ADD, &a.u.file, err);
                if (!ok) lml_error_prefix(err, "%s: row %zu", what, r);
                else ok = emit(ctx, &a, err);
                lml_delta_action_clear(&a);
                break;
            }
            cJSON *root = cJSON_CreateObject(), *body = struct_json(col, r);
            if (!root || !body) {
                cJSON_Delete(root);
                cJSON_Delete(body);
                ok = lml_error_set(err, LML_ENOMEM, "out of memory reading %s", what);
                break;
            }
            cJSON_AddItemToObject(root, lml_frame_column_name(fr, c), body);
            lml_delta_action a;
            ok = lml_delta_action_from_json(root, &a, err);
            cJSON_Delete(root);
            if (!ok) {
                lml_error_prefix(err, "%s: row %zu", what, r);
                break;
            }
            ok = emit(ctx, &a, err);
            lml_delta_action_clear(&a);
            break; /* one action per row */
        }
    }
    free(fc);
    free(kind);
    return ok;
}

static bool read_parquet(const char *path, lml_delta_emit_fn emit, void *ctx, lml_error *err) {
    lml_parquet_file *f = lml_parquet_open(path, err);
    if (!f) return false;
    const char *cols[NACTION + 1];
    size_t n = 0;
    for (size_t i = 0; i < lml_parquet_num_fields(f); i++)
        for (size_t k = 0; k < NACTION; k++)
            if (strcmp(lml_parquet_field_at(f, i)->name, action_columns[k]) == 0) cols[n++] = action_columns[k];
    cols[n] = NULL;
    bool ok = true;
    for (size_t g = 0; ok && n && g < lml_parquet_num_row_groups(f); g++) {
        lml_frame *fr = lml_parquet_read_row_group(f, g, cols, err);
        ok = fr && emit_rows(fr, path, emit, ctx, err);
        lml_frame_free(fr);
    }
    lml_parquet_close(f);
    return ok;
}

/* A V2 checkpoint: its sidecar actions name files under _delta_log/_sidecars holding the
 * add/remove rows; every other action goes straight through. */
typedef struct v2_ctx {
    const lml_storage *st;
    const lml_delta_log *log;
    lml_delta_emit_fn emit;
    void *ctx;
} v2_ctx;

static bool v2_emit(void *p, lml_delta_action *a, lml_error *err) {
    v2_ctx *v = p;
    if (a->kind != LML_DA_SIDECAR) return v->emit(v->ctx, a, err);
    char *name = lml_delta_uri_decode(a->u.sidecar.path, err);
    if (!name) return false;
    if (strstr(name, "..") || name[0] == '/') {
        lml_error_set(err, LML_EFORMAT, "%s: sidecar path '%s' leaves _delta_log/_sidecars", v->log->root, name);
        free(name);
        return false;
    }
    lml_strbuf sb = {0};
    lml_strbuf_printf(&sb, "%s/_sidecars/%s", v->log->log_dir, name);
    free(name);
    char *path = lml_strbuf_finish(&sb, err);
    bool ok = path && read_parquet(path, v->emit, v->ctx, err);
    free(path);
    return ok;
}

bool lml_delta_checkpoint_read(const lml_storage *st, const lml_delta_log *log, const lml_delta_segment *seg,
                               lml_delta_emit_fn emit, void *ctx, lml_error *err) {
    v2_ctx v = {st, log, emit, ctx};
    for (size_t i = 0; i < seg->ncheckpoint_files; i++) {
        const char *path = seg->checkpoint_files[i];
        bool ok = seg->checkpoint_kind == LML_CP_V2_JSON ? lml_delta_commit_read(st, path, v2_emit, &v, err)
                                                         : read_parquet(path, v2_emit, &v, err);
        if (!ok) return false;
    }
    return true;
}
