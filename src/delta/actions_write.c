/* Actions → commit lines (delta.md §2), byte for byte as Spark's Jackson writes them: fields in
 * the order of Delta's Scala case classes, absent optional fields omitted, strings escaped as
 * Jackson does, integers exact. */
#include <inttypes.h>
#include <string.h>
#include "../core/internal.h"
#include "actions.h"

typedef struct wctx {
    lml_strbuf *sb;
    lml_error *err;
    const char *action;
    bool ok;
} wctx;

/* Length of the valid UTF-8 sequence at p (RFC 3629: no overlongs, no surrogates, ≤ U+10FFFF),
 * or 0. */
static size_t utf8_len(const unsigned char *p) {
    unsigned char c = p[0];
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) return (p[1] & 0xC0) == 0x80 ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        if ((p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80) return 0;
        if ((c == 0xE0 && p[1] < 0xA0) || (c == 0xED && p[1] > 0x9F)) return 0;
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if ((p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80) return 0;
        if ((c == 0xF0 && p[1] < 0x90) || (c == 0xF4 && p[1] > 0x8F)) return 0;
        return 4;
    }
    return 0;
}

/* A JSON string literal as Jackson escapes it (Spark's writer): '"' and '\\' backslashed; the
 * control characters \b \t \n \f \r in their short forms and the others below 0x20 as \u00XX
 * (upper-case hex); everything else, '/' and DEL included, as is. The text must be valid UTF-8:
 * a line that is not would not be JSON. */
static void put_str(wctx *c, const char *field, const char *s) {
    if (!c->ok) return;
    static const char hex[] = "0123456789ABCDEF";
    lml_strbuf_putc(c->sb, '"');
    const unsigned char *p = (const unsigned char *)s, *run = p;
    while (*p) {
        const char *esc = NULL;
        switch (*p) {
        case '"': esc = "\\\""; break;
        case '\\': esc = "\\\\"; break;
        case '\b': esc = "\\b"; break;
        case '\t': esc = "\\t"; break;
        case '\n': esc = "\\n"; break;
        case '\f': esc = "\\f"; break;
        case '\r': esc = "\\r"; break;
        default: break;
        }
        if (!esc && *p >= 0x20) {
            size_t n = utf8_len(p);
            if (!n) {
                c->ok = lml_error_set(c->err, LML_EINVAL, "%s action: field '%s' is not valid UTF-8 (byte %zu)",
                                      c->action, field, (size_t)(p - (const unsigned char *)s));
                return;
            }
            p += n;
            continue;
        }
        lml_strbuf_append(c->sb, (const char *)run, (size_t)(p - run));
        if (esc) lml_strbuf_puts(c->sb, esc);
        else {
            char u[7] = {'\\', 'u', '0', '0', hex[*p >> 4], hex[*p & 15], 0};
            lml_strbuf_puts(c->sb, u);
        }
        run = ++p;
    }
    lml_strbuf_append(c->sb, (const char *)run, (size_t)(p - run));
    lml_strbuf_putc(c->sb, '"');
}

/* `"key":` preceded by a comma unless it opens the object (*first). */
static void key(wctx *c, bool *first, const char *k) {
    if (!*first) lml_strbuf_putc(c->sb, ',');
    *first = false;
    lml_strbuf_putc(c->sb, '"');
    lml_strbuf_puts(c->sb, k);
    lml_strbuf_puts(c->sb, "\":");
}

static void f_str(wctx *c, bool *first, const char *k, const char *v) {
    if (!v) return;
    key(c, first, k);
    put_str(c, k, v);
}

static void f_i64(wctx *c, bool *first, const char *k, int64_t v) {
    key(c, first, k);
    lml_strbuf_printf(c->sb, "%" PRId64, v);
}

static void f_bool(wctx *c, bool *first, const char *k, bool v) {
    key(c, first, k);
    lml_strbuf_puts(c->sb, v ? "true" : "false");
}

/* A map as a JSON object (null values as null), or as an array of its keys (feature lists). */
static void f_map(wctx *c, bool *first, const char *k, const lml_delta_map *m, bool array) {
    key(c, first, k);
    lml_strbuf_putc(c->sb, array ? '[' : '{');
    for (size_t i = 0; i < m->n && c->ok; i++) {
        if (i) lml_strbuf_putc(c->sb, ',');
        if (!m->keys[i]) {
            c->ok = lml_error_set(c->err, LML_EINVAL, "%s action: field '%s' has a null key", c->action, k);
            break;
        }
        put_str(c, k, m->keys[i]);
        if (array) continue;
        lml_strbuf_putc(c->sb, ':');
        if (m->values[i]) put_str(c, k, m->values[i]);
        else lml_strbuf_puts(c->sb, "null");
    }
    lml_strbuf_putc(c->sb, array ? ']' : '}');
}

/* DeletionVectorDescriptor(storageType, pathOrInlineDv, offset, sizeInBytes, cardinality,
 * maxRowIndex). */
static void f_dv(wctx *c, bool *first, const lml_delta_dv *dv) {
    if (!dv->present) return;
    key(c, first, "deletionVector");
    bool f = true;
    char st[2] = {dv->storage_type, 0};
    lml_strbuf_putc(c->sb, '{');
    f_str(c, &f, "storageType", st);
    if (!dv->path_or_inline) {
        c->ok = lml_error_set(c->err, LML_EINVAL, "%s action: deletionVector has no pathOrInlineDv", c->action);
        return;
    }
    f_str(c, &f, "pathOrInlineDv", dv->path_or_inline);
    if (dv->has_offset) f_i64(c, &f, "offset", dv->offset);
    f_i64(c, &f, "sizeInBytes", dv->size_in_bytes);
    f_i64(c, &f, "cardinality", dv->cardinality);
    if (dv->has_max_row_index) f_i64(c, &f, "maxRowIndex", dv->max_row_index);
    lml_strbuf_putc(c->sb, '}');
}

/* AddFile(path, partitionValues, size, modificationTime, dataChange, stats, tags, deletionVector,
 * baseRowId, defaultRowCommitVersion, clusteringProvider);
 * RemoveFile(path, deletionTimestamp, dataChange, extendedFileMetadata, partitionValues, size,
 * tags, deletionVector, baseRowId, defaultRowCommitVersion, stats);
 * AddCDCFile(path, partitionValues, size, tags) + dataChange (always false). */
static void w_file(wctx *c, lml_delta_action_kind kind, const lml_delta_file *f) {
    bool first = true;
    if (!f->path) {
        c->ok = lml_error_set(c->err, LML_EINVAL, "%s action: no path", c->action);
        return;
    }
    f_str(c, &first, "path", f->path);
    if (kind == LML_DA_REMOVE) {
        if (f->has_deletion_timestamp) f_i64(c, &first, "deletionTimestamp", f->deletion_timestamp);
        f_bool(c, &first, "dataChange", f->data_change);
        /* Spark writes it (always true); false is what its absence means. */
        if (f->extended_file_metadata) f_bool(c, &first, "extendedFileMetadata", true);
        if (f->has_partition_values) f_map(c, &first, "partitionValues", &f->partition_values, false);
        if (f->has_size) f_i64(c, &first, "size", f->size);
        if (f->has_tags) f_map(c, &first, "tags", &f->tags, false);
        f_dv(c, &first, &f->dv);
        if (f->has_base_row_id) f_i64(c, &first, "baseRowId", f->base_row_id);
        if (f->has_default_row_commit_version)
            f_i64(c, &first, "defaultRowCommitVersion", f->default_row_commit_version);
        f_str(c, &first, "stats", f->stats);
        return;
    }
    /* add and cdc require partitionValues ({} when unpartitioned) and size. */
    f_map(c, &first, "partitionValues", &f->partition_values, false);
    f_i64(c, &first, "size", f->size);
    if (kind == LML_DA_CDC) {
        if (f->has_tags) f_map(c, &first, "tags", &f->tags, false);
        f_bool(c, &first, "dataChange", f->data_change);
        return;
    }
    f_i64(c, &first, "modificationTime", f->modification_time);
    f_bool(c, &first, "dataChange", f->data_change);
    f_str(c, &first, "stats", f->stats);
    if (f->has_tags) f_map(c, &first, "tags", &f->tags, false);
    f_dv(c, &first, &f->dv);
    if (f->has_base_row_id) f_i64(c, &first, "baseRowId", f->base_row_id);
    if (f->has_default_row_commit_version) f_i64(c, &first, "defaultRowCommitVersion", f->default_row_commit_version);
    f_str(c, &first, "clusteringProvider", f->clustering_provider);
}

/* Metadata(id, name, description, format{provider, options}, schemaString, partitionColumns,
 * configuration, createdTime). */
static void w_metadata(wctx *c, const lml_delta_metadata *m) {
    bool first = true;
    if (!m->id) {
        c->ok = lml_error_set(c->err, LML_EINVAL, "metaData action: no id");
        return;
    }
    f_str(c, &first, "id", m->id);
    f_str(c, &first, "name", m->name);
    f_str(c, &first, "description", m->description);
    key(c, &first, "format");
    bool ff = true;
    lml_strbuf_putc(c->sb, '{');
    f_str(c, &ff, "provider", m->provider);
    f_map(c, &ff, "options", &m->format_options, false);
    lml_strbuf_putc(c->sb, '}');
    f_str(c, &first, "schemaString", m->schema_string);
    key(c, &first, "partitionColumns");
    lml_strbuf_putc(c->sb, '[');
    for (size_t i = 0; i < m->npartition && c->ok; i++) {
        if (i) lml_strbuf_putc(c->sb, ',');
        put_str(c, "partitionColumns", m->partition_columns[i] ? m->partition_columns[i] : "");
    }
    lml_strbuf_putc(c->sb, ']');
    f_map(c, &first, "configuration", &m->configuration, false);
    if (m->has_created_time) f_i64(c, &first, "createdTime", m->created_time);
}

static void w_body(wctx *c, const lml_delta_action *a) {
    bool first = true;
    switch (a->kind) {
    case LML_DA_PROTOCOL:
        f_i64(c, &first, "minReaderVersion", a->u.protocol.min_reader);
        f_i64(c, &first, "minWriterVersion", a->u.protocol.min_writer);
        if (a->u.protocol.has_reader_features) f_map(c, &first, "readerFeatures", &a->u.protocol.reader_features, true);
        if (a->u.protocol.has_writer_features) f_map(c, &first, "writerFeatures", &a->u.protocol.writer_features, true);
        break;
    case LML_DA_METADATA: w_metadata(c, &a->u.metadata); break;
    case LML_DA_ADD: case LML_DA_REMOVE: case LML_DA_CDC: w_file(c, a->kind, &a->u.file); break;
    case LML_DA_TXN:
        if (!a->u.txn.app_id) {
            c->ok = lml_error_set(c->err, LML_EINVAL, "txn action: no appId");
            break;
        }
        f_str(c, &first, "appId", a->u.txn.app_id);
        f_i64(c, &first, "version", a->u.txn.version);
        if (a->u.txn.has_last_updated) f_i64(c, &first, "lastUpdated", a->u.txn.last_updated);
        break;
    case LML_DA_DOMAIN:
        if (!a->u.domain.domain) {
            c->ok = lml_error_set(c->err, LML_EINVAL, "domainMetadata action: no domain");
            break;
        }
        f_str(c, &first, "domain", a->u.domain.domain);
        f_str(c, &first, "configuration", a->u.domain.configuration);
        f_bool(c, &first, "removed", a->u.domain.removed);
        break;
    case LML_DA_SIDECAR:
        if (!a->u.sidecar.path) {
            c->ok = lml_error_set(c->err, LML_EINVAL, "sidecar action: no path");
            break;
        }
        f_str(c, &first, "path", a->u.sidecar.path);
        f_i64(c, &first, "sizeInBytes", a->u.sidecar.size_in_bytes);
        f_i64(c, &first, "modificationTime", a->u.sidecar.modification_time);
        break;
    case LML_DA_CHECKPOINT_METADATA: f_i64(c, &first, "version", a->u.checkpoint_metadata.version); break;
    default: break;
    }
}

static const char *kind_key(lml_delta_action_kind k) {
    switch (k) {
    case LML_DA_PROTOCOL: return "protocol";
    case LML_DA_METADATA: return "metaData";
    case LML_DA_ADD: return "add";
    case LML_DA_REMOVE: return "remove";
    case LML_DA_CDC: return "cdc";
    case LML_DA_TXN: return "txn";
    case LML_DA_DOMAIN: return "domainMetadata";
    case LML_DA_COMMIT_INFO: return "commitInfo";
    case LML_DA_CHECKPOINT_METADATA: return "checkpointMetadata";
    case LML_DA_SIDECAR: return "sidecar";
    default: return NULL;
    }
}

bool lml_delta_action_write(const lml_delta_action *a, lml_strbuf *sb, lml_error *err) {
    const char *k = a ? kind_key(a->kind) : NULL;
    if (!k) return lml_error_set(err, LML_EINVAL, "cannot write a Delta action of unknown kind %d", a ? (int)a->kind : -1);
    const char *ci = a->u.commit_info.json;
    /* commitInfo is free-form: its text goes out as the caller built it, but it must at least be
     * one JSON object on one line, or the commit file would not be newline-delimited JSON. */
    if (a->kind == LML_DA_COMMIT_INFO) {
        size_t n = ci ? strlen(ci) : 0;
        if (n < 2 || ci[0] != '{' || ci[n - 1] != '}' || memchr(ci, '\n', n) || memchr(ci, '\r', n))
            return lml_error_set(err, LML_EINVAL, "commitInfo action: json is not a one-line JSON object");
    }
    size_t start = sb->len;
    wctx c = {sb, err, k, true};
    lml_strbuf_puts(sb, "{\"");
    lml_strbuf_puts(sb, k);
    lml_strbuf_puts(sb, "\":");
    if (a->kind == LML_DA_COMMIT_INFO) lml_strbuf_puts(sb, ci);
    else {
        lml_strbuf_putc(sb, '{');
        w_body(&c, a);
        lml_strbuf_putc(sb, '}');
    }
    lml_strbuf_puts(sb, "}\n");
    if (c.ok && sb->failed) c.ok = lml_error_set(err, LML_ENOMEM, "out of memory writing a %s action", k);
    if (!c.ok && !sb->failed && sb->data) {
        /* Leave sb as it was: no half-written line for the caller to commit by mistake. */
        sb->len = start;
        sb->data[start] = 0;
    }
    return c.ok;
}
