/* Continuous split candidates and the binned feature matrix (spec §9.3). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "../../core/internal.h"
#include "../../frame/xorshift.h"
#include "tree_internal.h"

double lml_tree_feature(const lml_tree_data *dt, size_t i, size_t j)
{
    if (dt->X)
        return dt->X[i * dt->d + j];
    int64_t lo = dt->indptr[i], hi = dt->indptr[i + 1];
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if ((size_t)dt->indices[mid] < j)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < dt->indptr[i + 1] && (size_t)dt->indices[lo] == j ? dt->values[lo] : 0.0;
}

typedef struct vw {
    double v, w;
} vw;

static int cmp_vw(const void *a, const void *b)
{
    double x = ((const vw *)a)->v, y = ((const vw *)b)->v;
    return (x > y) - (x < y);
}

long lml_tree_find_splits(double *vals, double *wts, size_t m, double expected_total, size_t max_splits,
                          double *out)
{
    vw *p = malloc((m + 1) * sizeof *p);
    if (!p)
        return -1;
    /* Distinct non-zero values with their summed weights; zeros are added back from the expected
     * total, as Spark does (its sample only counts non-zeros of sparse vectors). */
    size_t k = 0;
    double nonzero = 0.0;
    for (size_t i = 0; i < m; i++)
        if (vals[i] != 0.0) {
            p[k++] = (vw){vals[i], wts[i]};
            nonzero += wts[i];
        }
    double zero_w = expected_total - nonzero;
    if (zero_w > 2.22e-16 * (double)m * 100)
        p[k++] = (vw){0.0, zero_w};
    qsort(p, k, sizeof *p, cmp_vw);
    size_t u = 0;
    for (size_t i = 0; i < k; i++) {
        if (u > 0 && p[u - 1].v == p[i].v)
            p[u - 1].w += p[i].w;
        else
            p[u++] = p[i];
    }
    long ns = 0;
    if (u >= 2 && u - 1 <= max_splits) {
        for (size_t i = 1; i < u; i++)
            out[ns++] = (p[i - 1].v + p[i].v) / 2.0;
    } else if (u >= 2) {
        double stride = expected_total / (double)(max_splits + 1), target = stride, cum = p[0].w;
        for (size_t i = 1; i < u; i++) {
            double prev = cum;
            cum += p[i].w;
            if (fabs(prev - target) < fabs(cum - target) && (size_t)ns < max_splits) {
                out[ns++] = (p[i - 1].v + p[i].v) / 2.0;
                target += stride;
            }
        }
    }
    free(p);
    return ns;
}

void lml_tree_bins_clear(lml_tree_bins *b)
{
    if (b->thresholds)
        for (size_t j = 0; j < b->d; j++)
            free(b->thresholds[j]);
    free(b->thresholds);
    free(b->nsplits);
    free(b->arity);
    free(b->b8);
    free(b->b16);
    memset(b, 0, sizeof *b);
}

/* Number of thresholds strictly below v. Branch-free halving: a value's bin is unpredictable, so
 * a branching search would mispredict about half its steps. */
static unsigned bin_of(const double *th, size_t ns, double v)
{
    if (ns == 0)
        return 0;
    const double *base = th;
    for (size_t len = ns; len > 1; len -= len / 2)
        base += (size_t)(base[len / 2 - 1] < v) * (len / 2);
    return (unsigned)(base - th) + (*base < v);
}

/* Split candidates of every continuous feature from the sampled rows, one feature per task. */
typedef struct split_ctx {
    const lml_tree_data *dt;
    const size_t *arity, *rows;
    size_t m, max_splits;
    double total;
    lml_tree_bins *out;
    bool *ok;
} split_ctx;

static void split_feature(void *vctx, size_t j, int worker)
{
    (void)worker;
    const split_ctx *c = vctx;
    lml_tree_bins *out = c->out;
    c->ok[j] = true;
    if (c->arity && c->arity[j] > 1) {
        out->arity[j] = c->arity[j];
        out->nsplits[j] = c->arity[j] - 1;
        return;
    }
    size_t m = c->m;
    double *vals = malloc((m ? m : 1) * sizeof(double)), *wts = malloc((m ? m : 1) * sizeof(double));
    out->thresholds[j] = malloc(c->max_splits * sizeof(double));
    long ns = -1;
    if (vals && wts && out->thresholds[j]) {
        for (size_t k = 0; k < m; k++) {
            vals[k] = lml_tree_feature(c->dt, c->rows[k], j);
            wts[k] = c->dt->w ? c->dt->w[c->rows[k]] : 1.0;
        }
        ns = lml_tree_find_splits(vals, wts, m, c->total, c->max_splits, out->thresholds[j]);
    }
    free(vals);
    free(wts);
    c->ok[j] = ns >= 0;
    out->nsplits[j] = ns >= 0 ? (size_t)ns : 0;
}

/* Rows per fill task: their X rows and bin rows stay in cache while every feature is binned. */
#define FILL_ROWS 1024
/* Binning searches a table with every feature's thresholds padded by +inf to `width` (a power of
 * two), so each search takes the same log2(width) steps: no mispredicted loop exits, and the
 * searches of consecutive features overlap. Wider tables (maxBins > 256) search the plain lists. */
#define PAD_MAX 256

typedef struct fill_ctx {
    const lml_tree_data *dt;
    lml_tree_bins *bins;
    const double *pad; /* d × width, NULL: plain search */
    size_t width;
} fill_ctx;

static void fill_rows(void *vctx, size_t t, int worker)
{
    (void)worker;
    const fill_ctx *c = vctx;
    lml_tree_bins *out = c->bins;
    size_t n = out->n, d = out->d, i1 = (t + 1) * FILL_ROWS < n ? (t + 1) * FILL_ROWS : n, wd = c->width;
    for (size_t i = t * FILL_ROWS; i < i1; i++)
        for (size_t j = 0; j < d; j++) {
            double v = c->dt->X ? c->dt->X[i * d + j] : lml_tree_feature(c->dt, i, j);
            unsigned b;
            if (out->arity[j]) {
                b = (unsigned)v;
            } else if (c->pad) {
                const double *th = c->pad + j * wd, *base = th;
                for (size_t len = wd; len > 1; len /= 2) /* arithmetic, not ?:, so no branch */
                    base += (size_t)(base[len / 2 - 1] < v) * (len / 2);
                b = (unsigned)(base - th) + (*base < v);
            } else {
                b = bin_of(out->thresholds[j], out->nsplits[j], v);
            }
            if (out->b8)
                out->b8[i * d + j] = (uint8_t)b;
            else
                out->b16[i * d + j] = (uint16_t)b;
        }
}

bool lml_tree_bins_build(const lml_tree_data *dt, size_t max_bins, const size_t *arity, int64_t seed,
                         lml_tree_bins *out, lml_error *err)
{
    memset(out, 0, sizeof *out);
    size_t n = dt->n, d = dt->d;
    size_t eff = max_bins < n ? max_bins : n; /* maxBinsEff = min(maxBins, numRows) */
    if (eff < 2)
        eff = 2;
    size_t max_splits = eff - 1;
    /* Spark's maxCategoriesForUnorderedFeature: floor(log2(maxBinsEff / 2 + 1) + 1). */
    out->max_unordered = (size_t)floor(log((double)(eff / 2 + 1)) / log(2.0) + 1);
    /* Rows for the split candidates: all of them, or a Bernoulli sample of max(maxBins², 10000). */
    double wanted = fmax((double)max_bins * (double)max_bins, 10000.0);
    double fraction = wanted / (double)n;
    size_t *rows = malloc((n ? n : 1) * sizeof *rows);
    double total = 0.0;
    size_t m = 0;
    if (!rows)
        return lml_error_set(err, LML_ENOMEM, "tree binning: out of memory for %zu rows", n);
    if (fraction < 1.0) {
        lml_xorshift r;
        lml_xorshift_init(&r, seed);
        lml_xorshift s;
        lml_xorshift_init(&s, lml_xorshift_next_int(&r));
        for (size_t i = 0; i < n; i++)
            if (lml_xorshift_next_double(&s) < fraction)
                rows[m++] = i;
        for (size_t i = 0; i < n; i++)
            total += dt->w ? dt->w[i] : 1.0;
        total *= fraction;
    } else {
        for (size_t i = 0; i < n; i++) {
            rows[m++] = i;
            total += dt->w ? dt->w[i] : 1.0;
        }
    }
    out->n = n;
    out->d = d;
    out->nsplits = calloc(d ? d : 1, sizeof *out->nsplits);
    out->thresholds = calloc(d ? d : 1, sizeof *out->thresholds);
    out->arity = calloc(d ? d : 1, sizeof *out->arity);
    bool *fok = malloc((d ? d : 1) * sizeof *fok);
    bool ok = out->nsplits && out->thresholds && out->arity && fok;
    if (ok) {
        split_ctx sc = {.dt = dt, .arity = arity, .rows = rows, .m = m, .total = total, .max_splits = max_splits,
                        .out = out, .ok = fok};
        lml_parallel_for(d, split_feature, &sc);
        for (size_t j = 0; j < d; j++)
            ok = ok && fok[j];
    }
    free(fok);
    free(rows);
    size_t maxb = 0;
    for (size_t j = 0; ok && j < d; j++)
        if (out->nsplits[j] + 1 > maxb)
            maxb = out->nsplits[j] + 1;
    out->max_bins = maxb;
    if (ok && d > 0 && n > SIZE_MAX / 2 / d)
        ok = false;
    if (ok) {
        size_t cells = n * d > 0 ? n * d : 1;
        if (maxb <= 256)
            ok = (out->b8 = malloc(cells)) != NULL;
        else
            ok = (out->b16 = malloc(cells * sizeof(uint16_t))) != NULL;
    }
    if (ok) {
        fill_ctx fc = {.dt = dt, .bins = out, .width = 1};
        while (fc.width < maxb)
            fc.width *= 2;
        double *pad = fc.width <= PAD_MAX ? malloc(d * fc.width * sizeof *pad) : NULL;
        for (size_t j = 0; pad && j < d; j++)
            for (size_t k = 0; k < fc.width; k++)
                pad[j * fc.width + k] = k < out->nsplits[j] && !out->arity[j] ? out->thresholds[j][k] : INFINITY;
        fc.pad = pad;
        lml_parallel_for((n + FILL_ROWS - 1) / FILL_ROWS, fill_rows, &fc);
        free(pad);
    }
    if (!ok) {
        lml_tree_bins_clear(out);
        return lml_error_set(err, LML_ENOMEM, "tree binning: out of memory for %zu rows x %zu features", n, d);
    }
    return true;
}
