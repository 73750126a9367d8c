/* CSV options: Spark's defaults for zero fields, validation, and the column names. */
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include "io/csv/csv_internal.h"

#define DEFAULT_MAX_COLUMNS 20480

static int opt_char(char c, char dflt)
{
    if (c == 0)
        return (unsigned char)dflt;
    return c == (char)-1 ? -1 : (unsigned char)c;
}

static bool bad_char(int c, unsigned char delim) { return c == '\n' || c == '\r' || c == delim; }

bool csv_cfg_init(csv_cfg *cfg, const lml_csv_options *opts, const char *name, lml_error *err)
{
    static const lml_csv_options defaults = {0};
    if (!opts)
        opts = &defaults;
    memset(cfg, 0, sizeof *cfg);
    cfg->name = name ? name : "<buffer>";
    cfg->delim = (unsigned char)(opts->delimiter ? opts->delimiter : ',');
    cfg->quote = opt_char(opts->quote, '"');
    cfg->escape = opt_char(opts->escape, '\\');
    cfg->comment = opts->comment ? (unsigned char)opts->comment : -1;
    if (opts->comment == (char)-1)
        cfg->comment = -1;
    cfg->rfc = cfg->quote >= 0 && cfg->escape == cfg->quote;
    cfg->header = opts->header;
    cfg->infer = opts->infer_schema && !opts->schema_len;
    cfg->prefer_date = !opts->no_prefer_date;
    cfg->multi_line = opts->multi_line;
    cfg->mode = opts->mode;
    cfg->null_value = opts->null_value ? opts->null_value : "";
    cfg->nan_value = opts->nan_value ? opts->nan_value : "NaN";
    cfg->pos_inf = opts->positive_inf ? opts->positive_inf : "Inf";
    cfg->neg_inf = opts->negative_inf ? opts->negative_inf : "-Inf";
    cfg->null_len = strlen(cfg->null_value);
    cfg->nan_len = strlen(cfg->nan_value);
    cfg->pos_inf_len = strlen(cfg->pos_inf);
    cfg->neg_inf_len = strlen(cfg->neg_inf);
    cfg->max_columns = opts->max_columns ? opts->max_columns : DEFAULT_MAX_COLUMNS;
    cfg->max_chars = opts->max_chars_per_column;
    cfg->schema = opts->schema;
    cfg->schema_len = opts->schema_len;
    cfg->corrupt_index = -1;
    cfg->bad_records_path = opts->bad_records_path;
    cfg->progress = opts->progress;

    if (cfg->delim == '\n' || cfg->delim == '\r')
        return lml_error_set(err, LML_EINVAL, "CSV delimiter cannot be a line break");
    if (bad_char(cfg->quote, cfg->delim))
        return lml_error_set(err, LML_EINVAL, "CSV quote '%c' cannot be the delimiter or a line break", cfg->quote);
    if (bad_char(cfg->escape, cfg->delim))
        return lml_error_set(err, LML_EINVAL, "CSV escape '%c' cannot be the delimiter or a line break",
                             cfg->escape);
    if (cfg->comment == '\n' || cfg->comment == '\r')
        return lml_error_set(err, LML_EINVAL, "CSV comment character cannot be a line break");
    if ((unsigned)cfg->mode > LML_CSV_FAILFAST)
        return lml_error_set(err, LML_EINVAL, "unknown CSV mode %d", (int)cfg->mode);
    if (cfg->schema_len && !cfg->schema)
        return lml_error_set(err, LML_EINVAL, "CSV schema_len is %zu but schema is NULL", cfg->schema_len);
    const char *corrupt = opts->corrupt_record_column ? opts->corrupt_record_column : "_corrupt_record";
    for (size_t i = 0; i < cfg->schema_len; i++) {
        const lml_csv_field *fd = &cfg->schema[i];
        if (!fd->name)
            return lml_error_set(err, LML_EINVAL, "CSV schema field %zu has no name", i);
        if ((unsigned)fd->type > LML_TIMESTAMP)
            return lml_error_set(err, LML_EINVAL, "CSV schema field '%s': type %s cannot be read from CSV",
                                 fd->name, lml_type_name(fd->type));
        if (strcmp(fd->name, corrupt) == 0) {
            if (fd->type != LML_STRING)
                return lml_error_set(err, LML_EINVAL, "the corrupt-record column '%s' must be a string column",
                                     fd->name);
            cfg->corrupt_index = (long)i;
        }
    }
    return true;
}

void csv_names_free(char **names, size_t n)
{
    if (!names)
        return;
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

static char *dup_n(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

/* A case-insensitive multiset of names (open addressing), so wide headers stay linear. */
typedef struct name_slot {
    const char *s;
    size_t len;
    size_t count;
} name_slot;

typedef struct name_set {
    name_slot *slots;
    size_t mask;
} name_set;

static bool set_init(name_set *set, size_t n)
{
    size_t cap = 16;
    while (cap < 2 * n)
        cap *= 2;
    set->slots = calloc(cap, sizeof *set->slots);
    set->mask = cap - 1;
    return set->slots != NULL;
}

static name_slot *set_find(name_set *set, const char *s, size_t len)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        h = (h ^ (c >= 'A' && c <= 'Z' ? c + 32 : c)) * 1099511628211ull;
    }
    for (size_t i = (size_t)h & set->mask;; i = (i + 1) & set->mask) {
        name_slot *sl = &set->slots[i];
        if (!sl->s || (sl->len == len && strncasecmp(sl->s, s, len) == 0))
            return sl;
    }
}

static void set_add(name_set *set, const char *s, size_t len)
{
    name_slot *sl = set_find(set, s, len);
    sl->s = s;
    sl->len = len;
    sl->count++;
}

/* Spark's makeSafeHeader: empty / null_value names become _c<i>; names that occur more than
 * once (case-insensitively) get their position appended. */
static char *header_name(const csv_cfg *cfg, const csv_record *hdr, name_set *seen, size_t i)
{
    char buf[32];
    if (i >= hdr->nf || csv_field_is_null(cfg, &hdr->f[i]) || hdr->f[i].len == 0) {
        snprintf(buf, sizeof buf, "_c%zu", i);
        return dup_n(buf, strlen(buf));
    }
    const csv_field *f = &hdr->f[i];
    if (set_find(seen, f->p, f->len)->count < 2)
        return dup_n(f->p, f->len);
    snprintf(buf, sizeof buf, "%zu", i);
    size_t bl = strlen(buf);
    char *d = malloc(f->len + bl + 1);
    if (d) {
        memcpy(d, f->p, f->len);
        memcpy(d + f->len, buf, bl + 1);
    }
    return d;
}

/* Spark's header names are decoded text like the values: *dec becomes hdr with malformed UTF-8
 * replaced by U+FFFD (before the duplicate check, which compares decoded names). Valid fields
 * keep pointing at the input; *fields and *buf (to free) hold the rest. */
static bool decode_header(const csv_record *hdr, csv_record *dec, csv_field **fields, char **buf)
{
    *dec = *hdr;
    *fields = NULL;
    *buf = NULL;
    size_t extra = 0;
    for (size_t i = 0; i < hdr->nf; i++) {
        const csv_field *f = &hdr->f[i];
        size_t v = csv_utf8_scan(f->p, f->len);
        if (v != f->len) {
            size_t n = csv_utf8_fixed_len(f->p, f->len, v); /* ≤ 3 * len: the header is in memory */
            if (n > SIZE_MAX - extra)
                return false;
            extra += n;
        }
    }
    if (extra == 0)
        return true;
    *fields = malloc(hdr->nf * sizeof **fields);
    *buf = malloc(extra);
    if (!*fields || !*buf)
        return false;
    size_t pos = 0;
    for (size_t i = 0; i < hdr->nf; i++) {
        csv_field f = hdr->f[i];
        size_t v = csv_utf8_scan(f.p, f.len);
        if (v != f.len) {
            size_t n = csv_utf8_fix(*buf + pos, f.p, f.len, v);
            f.p = *buf + pos;
            f.len = n;
            pos += n;
        }
        (*fields)[i] = f;
    }
    dec->f = *fields;
    return true;
}

char **csv_column_names(const csv_cfg *cfg, const csv_record *raw_hdr, size_t ncols, lml_error *err)
{
    char **names = calloc(ncols ? ncols : 1, sizeof *names);
    name_set seen = {0}, out = {0};
    csv_record dec;
    csv_field *dec_fields = NULL;
    char *dec_buf = NULL;
    const csv_record *hdr = raw_hdr;
    if (raw_hdr && cfg->header && !cfg->schema_len) {
        bool ok = decode_header(raw_hdr, &dec, &dec_fields, &dec_buf);
        hdr = &dec;
        if (!ok)
            goto nomem;
    }
    if (!names || !set_init(&seen, hdr ? hdr->nf : 0) || !set_init(&out, ncols))
        goto nomem;
    if (cfg->header && hdr && !cfg->schema_len)
        for (size_t i = 0; i < hdr->nf; i++)
            set_add(&seen, hdr->f[i].p, hdr->f[i].len);
    for (size_t i = 0; i < ncols; i++) {
        char buf[32];
        if (cfg->schema_len)
            names[i] = dup_n(cfg->schema[i].name, strlen(cfg->schema[i].name));
        else if (cfg->header && hdr)
            names[i] = header_name(cfg, hdr, &seen, i);
        else {
            snprintf(buf, sizeof buf, "_c%zu", i);
            names[i] = dup_n(buf, strlen(buf));
        }
        if (!names[i])
            goto nomem;
        /* Spark's renaming can still clash ("a1,a,a" → a1, a1, a2); a frame needs distinct names. */
        name_slot *sl = set_find(&out, names[i], strlen(names[i]));
        if (sl->s) {
            lml_error_set(err, LML_EFORMAT, "%s: two columns are named '%s' (the second is column %zu)", cfg->name,
                          names[i], i);
            goto fail;
        }
        sl->s = names[i];
        sl->len = strlen(names[i]);
    }
    free(seen.slots);
    free(out.slots);
    free(dec_fields);
    free(dec_buf);
    return names;
nomem:
    lml_error_set(err, LML_ENOMEM, "out of memory for %zu column names", ncols);
fail:
    free(seen.slots);
    free(out.slots);
    free(dec_fields);
    free(dec_buf);
    csv_names_free(names, ncols);
    return NULL;
}
