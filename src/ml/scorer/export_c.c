/* lml_scorer_export_c: the scorer's program as one dependency-free C99 file. The tables are the
 * program's own arrays printed as static const data (doubles as hex floats, so they read back
 * bit-exactly); the interpreter below is predict.c's, op for op, over the same tables. The only
 * differences are the input types the generated struct allows: strings as const char *, numbers
 * as double with NaN standing for null. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "core/internal.h"
#include "lakeml/ml/scorer.h"
#include "ml/scorer/program.h"

static void put_double(FILE *f, double x)
{
    if (isnan(x))
        fputs("NAN", f);
    else if (isinf(x))
        fputs(x > 0 ? "INFINITY" : "-INFINITY", f);
    else
        fprintf(f, "%a", x);
}

static void doubles(FILE *f, const char *name, const double *v, size_t n)
{
    fprintf(f, "static const double %s[%zu] = {", name, n ? n : 1);
    for (size_t i = 0; i < n; i++) {
        fputs(i % 4 ? ", " : i ? ",\n    " : "\n    ", f);
        put_double(f, v[i]);
    }
    fputs(n ? "\n};\n" : "0};\n", f);
}

static void u32s(FILE *f, const char *type, const char *name, const void *v, size_t n, size_t stride, bool sign)
{
    fprintf(f, "static const %s %s[%zu] = {", type, name, n ? n : 1);
    for (size_t i = 0; i < n; i++) {
        const char *p = (const char *)v + i * stride;
        long long x = sign ? (long long)*(const int32_t *)p : (long long)*(const uint32_t *)p;
        fprintf(f, "%s%lld", i % 12 ? ", " : i ? ",\n    " : "\n    ", x);
    }
    fputs(n ? "\n};\n" : "0};\n", f);
}

static void bytes(FILE *f, const char *name, const void *v, size_t n, const char *type)
{
    fprintf(f, "static const %s %s[%zu] = {", type, name, n ? n : 1);
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%s%u", i % 16 ? ", " : i ? ",\n    " : "\n    ", ((const unsigned char *)v)[i]);
    fputs(n ? "\n};\n" : "0};\n", f);
}

/* An input name as a C identifier: other characters become '_' ("features[3]" → "features_3"),
 * a leading digit or a C keyword gets a "c_" prefix. */
static char *sanitize(const char *nm)
{
    static const char *const kw[] = {"auto", "break", "case", "char", "const", "continue", "default", "do",
                                     "double", "else", "enum", "extern", "float", "for", "goto", "if", "inline",
                                     "int", "long", "register", "restrict", "return", "short", "signed", "sizeof",
                                     "static", "struct", "switch", "typedef", "union", "unsigned", "void",
                                     "volatile", "while", "_Bool", "_Complex", "_Imaginary", NULL};
    size_t len = strlen(nm), k = 0;
    char *m = malloc(len + 40);
    if (!m)
        return NULL;
    bool pre = !len || isdigit((unsigned char)nm[0]);
    for (size_t i = 0; !pre && kw[i]; i++)
        pre = strcmp(nm, kw[i]) == 0;
    if (pre)
        m[k++] = 'c', m[k++] = '_';
    for (size_t j = 0; j < len; j++) {
        unsigned char c = (unsigned char)nm[j];
        m[k++] = (char)(c < 128 && (isalnum(c) || c == '_') ? c : '_');
    }
    if (len && nm[len - 1] == ']' && k > 1)
        k--;
    m[k] = '\0';
    return m;
}

/* The struct member of input i: its sanitised name, with "_<i>" when an earlier input sanitises
 * to the same spelling. */
static char *member_name(const lml_scorer *s, size_t i)
{
    char *m = sanitize(s->input_names[i]);
    for (size_t j = 0; m && j < i; j++) {
        char *o = sanitize(s->input_names[j]);
        bool same = o && strcmp(o, m) == 0;
        free(o);
        if (same) {
            snprintf(m + strlen(m), 32, "_%zu", i);
            break;
        }
    }
    return m;
}

/* The comment text of a name: no comment terminator can slip in. */
static void comment_text(FILE *f, const char *s)
{
    for (; *s; s++)
        fputc(*s == '*' && s[1] == '/' ? '+' : *s, f);
}

static const char *const interpreter[] = {
    "static uint64_t sc_hash(const char *p, size_t n)\n"
    "{\n"
    "    uint64_t h = 1469598103934665603u;\n"
    "    size_t i;\n"
    "    for (i = 0; i < n; i++) {\n"
    "        h ^= (unsigned char)p[i];\n"
    "        h *= 1099511628211u;\n"
    "    }\n"
    "    return h;\n"
    "}\n"
    "\n",
    "static const double *sc_leaf(uint32_t k, const double *x)\n"
    "{\n"
    "    for (;;) {\n"
    "        const struct sc_node *nd = &T_nodes[k];\n"
    "        int32_t f = nd->feat;\n"
    "        if (f >= 0) {\n"
    "            k = x[f] <= nd->thr ? k + 1 : (uint32_t)nd->right;\n"
    "        } else if (f == -1) {\n"
    "            return T_leaves + (size_t)nd->right * M_LEAFW;\n"
    "        } else {\n"
    "            const struct sc_cat *c = &T_cats[(size_t)nd->thr];\n"
    "            double v = x[-2 - f];\n"
    "            int left = v >= 0 && v < (double)c->arity && v == (double)(uint32_t)v ? T_catbits[c->bits + (uint32_t)v]\n"
    "                                                                                : c->dflt;\n"
    "            k = left ? k + 1 : (uint32_t)nd->right;\n"
    "        }\n"
    "    }\n"
    "}\n"
    "\n",
    "static inline uint32_t sc_step(uint32_t k, const double *x)\n"
    "{\n"
    "    const struct sc_node *nd = &T_nodes[k];\n"
    "    int32_t f = nd->feat;\n"
    "    const struct sc_cat *c;\n"
    "    double v;\n"
    "    int left;\n"
    "    if (f >= 0)\n"
    "        return x[f] <= nd->thr ? k + 1 : (uint32_t)nd->right;\n"
    "    c = &T_cats[(size_t)nd->thr];\n"
    "    v = x[-2 - f];\n"
    "    left = v >= 0 && v < (double)c->arity && v == (double)(uint32_t)v ? T_catbits[c->bits + (uint32_t)v] : c->dflt;\n"
    "    return left ? k + 1 : (uint32_t)nd->right;\n"
    "}\n"
    "\n"
    "/* The leaf rows of trees t .. t+3 walked in lockstep (their cache misses overlap); the caller\n"
    " * adds them up in tree order. */\n"
    "static void sc_leaves4(size_t t, const double *x, const double *rows[4])\n"
    "{\n"
    "    uint32_t k0 = T_roots[t], k1 = T_roots[t + 1], k2 = T_roots[t + 2], k3 = T_roots[t + 3];\n"
    "    for (;;) {\n"
    "        int l0 = T_nodes[k0].feat == -1, l1 = T_nodes[k1].feat == -1, l2 = T_nodes[k2].feat == -1,\n"
    "            l3 = T_nodes[k3].feat == -1;\n"
    "        if (l0 && l1 && l2 && l3)\n"
    "            break;\n"
    "        if (!l0)\n"
    "            k0 = sc_step(k0, x);\n"
    "        if (!l1)\n"
    "            k1 = sc_step(k1, x);\n"
    "        if (!l2)\n"
    "            k2 = sc_step(k2, x);\n"
    "        if (!l3)\n"
    "            k3 = sc_step(k3, x);\n"
    "    }\n"
    "    rows[0] = T_leaves + (size_t)T_nodes[k0].right * M_LEAFW;\n"
    "    rows[1] = T_leaves + (size_t)T_nodes[k1].right * M_LEAFW;\n"
    "    rows[2] = T_leaves + (size_t)T_nodes[k2].right * M_LEAFW;\n"
    "    rows[3] = T_leaves + (size_t)T_nodes[k3].right * M_LEAFW;\n"
    "}\n"
    "\n"
    "/* The first value of every tree's leaf row, added in tree order (regression forests, GBTs). */\n"
    "static double sc_sum_leaves(const double *x)\n"
    "{\n"
    "    const double *l4[4];\n"
    "    double acc = 0.0;\n"
    "    size_t t;\n"
    "    for (t = 0; t + 4 <= M_NTREES; t += 4) {\n"
    "        sc_leaves4(t, x, l4);\n"
    "        acc += l4[0][0];\n"
    "        acc += l4[1][0];\n"
    "        acc += l4[2][0];\n"
    "        acc += l4[3][0];\n"
    "    }\n"
    "    for (; t < M_NTREES; t++)\n"
    "        acc += sc_leaf(T_roots[t], x)[0];\n"
    "    return acc;\n"
    "}\n"
    "\n",
    "static void sc_logreg(const double *x, double *out)\n"
    "{\n"
    "    double *prob = out + 1, *raw = out + 1 + M_K, mx = -INFINITY, sum = 0.0, bv = -INFINITY;\n"
    "    size_t j, k, top = 0, best = 0;\n"
    "    if (!M_MULTI) {\n"
    "        double mg = T_intercept[0];\n"
    "        for (j = 0; j < M_D; j++)\n"
    "            mg += T_coef[j] * x[j];\n"
    "        raw[0] = -mg, raw[1] = mg;\n"
    "        prob[0] = 1.0 / (1.0 + exp(mg));\n"
    "        prob[1] = 1.0 - prob[0];\n"
    "        out[0] = M_BINRULE == 1 ? 1.0 : M_BINRULE == 2 ? 0.0 : mg > M_CUTOFF ? 1.0 : 0.0;\n"
    "        return;\n"
    "    }\n"
    "    for (k = 0; k < M_K; k++) {\n"
    "        double mg = T_intercept[k];\n"
    "        const double *c = T_coef + k * M_D;\n"
    "        for (j = 0; j < M_D; j++)\n"
    "            mg += c[j] * x[j];\n"
    "        raw[k] = mg;\n"
    "        if (mg > mx)\n"
    "            mx = mg, top = k;\n"
    "    }\n"
    "    if (mx == INFINITY) {\n"
    "        for (k = 0; k < M_K; k++)\n"
    "            prob[k] = k == top ? 1.0 : 0.0;\n"
    "    } else {\n"
    "        for (k = 0; k < M_K; k++)\n"
    "            sum += (prob[k] = exp(raw[k] - mx));\n"
    "        for (k = 0; k < M_K; k++)\n"
    "            prob[k] /= sum;\n"
    "    }\n"
    "    for (k = 0; k < M_K; k++) {\n"
    "        double v = M_HAS_TH ? (T_th[k] == 0.0 ? INFINITY : prob[k] / T_th[k]) : raw[k];\n"
    "        if (k == 0 || v > bv)\n"
    "            bv = v, best = k;\n"
    "    }\n"
    "    out[0] = (double)best;\n"
    "}\n"
    "\n",
    "static void sc_trees(const double *x, double *out)\n"
    "{\n"
    "    double *prob = out + 1, *raw = out + 1 + M_K, acc = 0.0, tot = 0.0, best_v = -INFINITY;\n"
    "    const double *l4[4];\n"
    "    size_t c, t, q, best = 0;\n"
    "    switch (M_KIND) {\n"
    "    case KIND_DT_CLS:\n"
    "        memcpy(out, sc_leaf(T_roots[0], x), (1 + 2 * M_K) * sizeof *out);\n"
    "        return;\n"
    "    case KIND_DT_REG:\n"
    "        out[0] = sc_leaf(T_roots[0], x)[0];\n"
    "        return;\n"
    "    case KIND_RF_CLS:\n"
    "        for (c = 0; c < M_K; c++)\n"
    "            raw[c] = 0.0;\n"
    "        for (t = 0; t + 4 <= M_NTREES; t += 4) {\n"
    "            sc_leaves4(t, x, l4);\n"
    "            for (q = 0; q < 4; q++)\n"
    "                for (c = 0; c < M_K; c++)\n"
    "                    raw[c] += l4[q][c];\n"
    "        }\n"
    "        for (; t < M_NTREES; t++) {\n"
    "            const double *l = sc_leaf(T_roots[t], x);\n"
    "            for (c = 0; c < M_K; c++)\n"
    "                raw[c] += l[c];\n"
    "        }\n"
    "        for (c = 0; c < M_K; c++) {\n"
    "            tot += raw[c];\n"
    "            if (raw[c] > raw[best])\n"
    "                best = c;\n"
    "        }\n"
    "        for (c = 0; c < M_K; c++)\n"
    "            prob[c] = tot > 0 ? raw[c] / tot : 0.0;\n"
    "        out[0] = (double)best;\n"
    "        return;\n"
    "    case KIND_RF_REG:\n"
    "        out[0] = sc_sum_leaves(x) / (double)M_NTREES;\n"
    "        return;\n"
    "    default:\n"
    "        acc = sc_sum_leaves(x);\n"
    "        if (M_KIND == KIND_GBT_REG) {\n"
    "            out[0] = acc;\n"
    "            return;\n"
    "        }\n"
    "        raw[0] = -acc, raw[1] = acc;\n"
    "        prob[0] = 1.0 / (1.0 + exp(2.0 * acc));\n"
    "        prob[1] = 1.0 - prob[0];\n"
    "        if (!M_HAS_TH) {\n"
    "            out[0] = acc > 0.0 ? 1.0 : 0.0;\n"
    "            return;\n"
    "        }\n"
    "        out[0] = 0.0;\n"
    "        for (c = 0; c < 2; c++) {\n"
    "            double sc = prob[c] / T_th[c];\n"
    "            if (sc > best_v)\n"
    "                best_v = sc, out[0] = (double)c;\n"
    "        }\n"
    "        return;\n"
    "    }\n"
    "}\n"
    "\n",
    "static int sc_run(const char *const *sin, const double *din, double *out)\n"
    "{\n"
    "    double w[NSLOTS];\n"
    "    unsigned char fl[NSLOTS];\n"
    "    size_t i, j;\n"
    "    for (i = 0; i < NOPS; i++) {\n"
    "        const struct sc_op *op = &T_ops[i];\n"
    "        double *dst = w + op->out;\n"
    "        switch (op->code) {\n"
    "        case OP_NUM:\n"
    "            *dst = din[op->in];\n"
    "            fl[op->out] = isnan(*dst) ? 1 : 0; /* NaN stands for null */\n"
    "            break;\n"
    "        case OP_INDEX: {\n"
    "            const struct sc_tab *t = &T_tabs[op->aux];\n"
    "            const char *p = sin[op->in];\n"
    "            long idx = -1;\n"
    "            if (p) {\n"
    "                size_t len = strlen(p), h = (size_t)(sc_hash(p, len) & t->mask);\n"
    "                for (; T_hslots[t->hbase + h] >= 0; h = (h + 1) & t->mask) {\n"
    "                    size_t g = t->first + (size_t)T_hslots[t->hbase + h];\n"
    "                    if (T_label_len[g] == len && memcmp(T_blob + T_label_off[g], p, len) == 0) {\n"
    "                        idx = T_hslots[t->hbase + h];\n"
    "                        break;\n"
    "                    }\n"
    "                }\n"
    "            }\n"
    "            if (idx < 0) {\n"
    "                if (op->mode != MODE_KEEP)\n"
    "                    return op->mode == MODE_SKIP ? 2 : 1;\n"
    "                idx = (long)t->nlabels;\n"
    "            }\n"
    "            *dst = (double)idx;\n"
    "            fl[op->out] = 0;\n"
    "            break;\n"
    "        }\n"
    ,
    "        case OP_IMPUTE: {\n"
    "            double x = w[op->in], sur = T_consts[op->aux], mv = T_consts[op->aux + 1];\n"
    "            int missing = (fl[op->in] & 1) || (isnan(mv) ? isnan(x) : x == mv);\n"
    "            *dst = missing ? sur : x;\n"
    "            fl[op->out] = 0;\n"
    "            break;\n"
    "        }\n"
    "        case OP_ONEHOT: {\n"
    "            double v = w[op->in];\n"
    "            long slot;\n"
    "            int isnull = fl[op->in] & 1;\n"
    "            for (j = 0; j < op->n; j++)\n"
    "                dst[j] = 0.0;\n"
    "            fl[op->out] = (unsigned char)isnull;\n"
    "            if (isnull)\n"
    "                break;\n"
    "            if (v >= 0 && v < (double)op->aux)\n"
    "                slot = (long)v;\n"
    "            else if (op->mode == MODE_KEEP)\n"
    "                slot = (long)op->aux;\n"
    "            else\n"
    "                return 1;\n"
    "            if (slot < (long)op->n)\n"
    "                dst[slot] = 1.0;\n"
    "            break;\n"
    "        }\n"
    "        case OP_ASSEMBLE:\n"
    "            for (j = 0; j < op->n; j++) {\n"
    "                const struct sc_part *pt = &T_parts[op->aux + j];\n"
    "                const double *src = w + pt->slot;\n"
    "                int bad = (fl[pt->slot] & 1) || (!pt->vector && isnan(*src));\n"
    "                size_t q;\n"
    "                if (bad && op->mode != MODE_KEEP)\n"
    "                    return op->mode == MODE_SKIP ? 2 : 1;\n"
    "                for (q = 0; q < pt->size; q++)\n"
    "                    dst[q] = bad ? NAN : src[q];\n"
    "                dst += pt->size;\n"
    "            }\n"
    "            fl[op->out] = 0;\n"
    "            break;\n"
    ,
    "        case OP_SCALE:\n"
    "            if (fl[op->in] & 1)\n"
    "                return 1;\n"
    "            for (j = 0; j < op->n; j++)\n"
    "                dst[j] = (w[op->in + j] - T_consts[op->aux + j]) * T_consts[op->aux + op->n + j];\n"
    "            fl[op->out] = 0;\n"
    "            break;\n"
    "        default: {\n"
    "            const double *x = w + op->in;\n"
    "            if (fl[op->in] & 1)\n"
    "                return 1;\n"
    "            if (M_KIND == KIND_LINREG) {\n"
    "                double acc = T_intercept[0];\n"
    "                for (j = 0; j < M_D; j++)\n"
    "                    acc += T_coef[j] * x[j];\n"
    "                out[0] = acc;\n"
    "            } else if (M_KIND == KIND_LOGREG) {\n"
    "                sc_logreg(x, out);\n"
    "            } else {\n"
    "                for (j = 0; j < M_D; j++)\n"
    "                    if (!isfinite(x[j]))\n"
    "                        return 1; /* NaN or infinite features: tree models reject them */\n"
    "                sc_trees(x, out);\n"
    "            }\n"
    "            break;\n"
    "        }\n"
    "        }\n"
    "    }\n"
    "    return 0;\n"
    "}\n",
    NULL};

static bool valid_prefix(const char *p)
{
    if (!p[0] || !(isalpha((unsigned char)p[0]) || p[0] == '_'))
        return false;
    for (; *p; p++)
        if (!(isalnum((unsigned char)*p) || *p == '_') || (unsigned char)*p >= 128)
            return false;
    return true;
}

static void header_comment(const lml_scorer *s, const char *P, const char *model_name, FILE *f)
{
    fputs("/* Generated by lakeml export-c", f);
    if (model_name) {
        fputs(" from ", f);
        comment_text(f, model_name);
    }
    fprintf(f, " (%s", s->model_class);
    fprintf(f, ", %zu op(s)). Dependency-free C99: compile with any C99 compiler and link libm\n", s->nops);
    fputs(" * (-lm). Do not build with -ffast-math: the arithmetic repeats the library's operation for\n"
          " * operation so that results are bit-identical to lml_transform.\n *\n", f);
    fprintf(f, " * Entry point:\n *   int %s_predict(const %s_input *row, double *out);\n", P, P);
    fprintf(f, " * row: one value per input column (members of %s_input, in this order):\n", P);
    for (size_t i = 0; i < s->ninputs; i++) {
        char *m = member_name(s, i);
        fprintf(f, " *   %-24s ", m ? m : "?");
        comment_text(f, s->input_names[i]);
        fputs(s->input_is_string[i] ? ": string, NULL for null (numbers: pass the string Spark's cast gives)\n"
                                    : ": number, NaN for null (integer columns pass their value as a double)\n",
              f);
        free(m);
    }
    fprintf(f, " * out: %s_NUM_OUTPUTS = %zu doubles:\n", P, s->noutputs);
    for (size_t i = 0; i < s->noutputs; i++)
        fprintf(f, " *   out[%zu] %s\n", i, s->output_names[i]);
    fputs(" * Returns 0 when the row scores; 1 when the pipeline rejects a value (an unseen or null label\n"
          " * under handleInvalid=error, a null/NaN reaching a VectorAssembler with handleInvalid=error,\n"
          " * an invalid category, NaN or infinite features for a tree model); 2 when a stage with\n"
          " * handleInvalid=skip would drop the row. out is unspecified unless 0 is returned.\n"
          " * Thread-safe and allocation-free (the scratch lives on the stack). */\n",
          f);
}

bool lml_scorer_export_c(const lml_scorer *s, const char *prefix, const char *model_name, FILE *f, lml_error *err)
{
    const char *P = prefix ? prefix : "lml_model";
    if (!s || !f)
        return lml_error_set(err, LML_EINVAL, "lml_scorer_export_c: NULL scorer or stream");
    if (!valid_prefix(P) || strlen(P) > 64)
        return lml_error_set(err, LML_EINVAL, "export-c: prefix '%s' is not a C identifier", P);
    const lml_sc_model *m = &s->m;
    header_comment(s, P, model_name, f);
    fputs("#include <math.h>\n#include <stddef.h>\n#include <stdint.h>\n#include <string.h>\n\n", f);
    fprintf(f, "#define %s_NUM_OUTPUTS %zu\n\ntypedef struct %s_input {\n", P, s->noutputs, P);
    for (size_t i = 0; i < s->ninputs; i++) {
        char *mn = member_name(s, i);
        if (!mn)
            return lml_error_set(err, LML_ENOMEM, "out of memory exporting C");
        fprintf(f, "    %s%s;\n", s->input_is_string[i] ? "const char *" : "double ", mn);
        free(mn);
    }
    if (!s->ninputs)
        fputs("    int unused;\n", f);
    fprintf(f, "} %s_input;\n\nint %s_predict(const %s_input *row, double *out);\n\n", P, P, P);
    fprintf(f, "enum { OP_NUM = %d, OP_INDEX = %d, OP_IMPUTE = %d, OP_ONEHOT = %d, OP_ASSEMBLE = %d, OP_SCALE = %d };\n",
            LML_SC_NUM, LML_SC_INDEX, LML_SC_IMPUTE, LML_SC_ONEHOT, LML_SC_ASSEMBLE, LML_SC_SCALE);
    fprintf(f, "enum { MODE_SKIP = %d, MODE_KEEP = %d };\n", LML_SC_SKIP, LML_SC_KEEP);
    fprintf(f, "enum { KIND_LINREG = %d, KIND_LOGREG = %d, KIND_DT_CLS = %d, KIND_DT_REG = %d, KIND_RF_CLS = %d,\n"
               "       KIND_RF_REG = %d, KIND_GBT_CLS = %d, KIND_GBT_REG = %d };\n",
            LML_SC_LINREG, LML_SC_LOGREG, LML_SC_DT_CLS, LML_SC_DT_REG, LML_SC_RF_CLS, LML_SC_RF_REG, LML_SC_GBT_CLS,
            LML_SC_GBT_REG);
    fprintf(f, "static const size_t NOPS = %zu;\n#define NSLOTS %zu\n#define NIN %zu\n", s->nops, s->nslots ? s->nslots : 1,
            s->ninputs ? s->ninputs : 1);
    /* variables rather than macros: loops over zero of something must not trip -Wtype-limits */
    fprintf(f, "static const int M_KIND = %d;\nstatic const size_t M_D = %u, M_K = %u, M_NTREES = %u, M_LEAFW = %u;\n",
            (int)m->kind, m->d, m->K, m->ntrees, m->leaf_width ? m->leaf_width : 1);
    fprintf(f, "static const int M_MULTI = %d, M_BINRULE = %d, M_HAS_TH = %d;\nstatic const double M_CUTOFF = ",
            m->multinomial ? 1 : 0, m->bin_rule, m->th ? 1 : 0);
    put_double(f, m->cutoff);
    fputs(";\n\n", f);
    fputs("struct sc_op {\n    unsigned char code, mode;\n    uint32_t in, out, n, aux;\n};\n"
          "struct sc_part {\n    uint32_t slot, size;\n    unsigned char vector;\n};\n"
          "struct sc_tab {\n    uint32_t first, nlabels, hbase, mask;\n};\n"
          "struct sc_node {\n    double thr;\n    int32_t feat, right;\n};\n"
          "struct sc_cat {\n    uint32_t arity, bits;\n    unsigned char dflt;\n};\n\n",
          f);
    fprintf(f, "static const struct sc_op T_ops[%zu] = {\n", s->nops);
    for (size_t i = 0; i < s->nops; i++) {
        const lml_sc_op *o = &s->ops[i];
        fprintf(f, "    {%u, %u, %u, %u, %u, %u}, /* ", o->code, o->mode, o->in, o->out, o->n, o->aux);
        comment_text(f, s->stage_uids[o->stage]);
        fputs(" */\n", f);
    }
    fputs("};\n", f);
    fprintf(f, "static const struct sc_part T_parts[%zu] = {", s->nparts ? s->nparts : 1);
    for (size_t i = 0; i < s->nparts; i++)
        fprintf(f, "%s{%u, %u, %u}", i % 6 ? ", " : i ? ",\n    " : "\n    ", s->parts[i].slot, s->parts[i].size,
                s->parts[i].vector);
    fputs(s->nparts ? "\n};\n" : "{0, 0, 0}};\n", f);
    doubles(f, "T_consts", s->consts, s->nconsts);
    fprintf(f, "static const struct sc_tab T_tabs[%zu] = {", s->ntabs ? s->ntabs : 1);
    for (size_t i = 0; i < s->ntabs; i++)
        fprintf(f, "%s{%u, %u, %u, %u}", i ? ", " : "", s->tabs[i].first, s->tabs[i].nlabels, s->tabs[i].hbase,
                s->tabs[i].mask);
    fputs(s->ntabs ? "};\n" : "{0, 0, 0, 0}};\n", f);
    u32s(f, "uint32_t", "T_label_off", s->label_off, s->nlabels_total, sizeof(uint32_t), false);
    u32s(f, "uint32_t", "T_label_len", s->label_len, s->nlabels_total, sizeof(uint32_t), false);
    bytes(f, "T_blob", s->blob, s->blob_len, "unsigned char");
    u32s(f, "int32_t", "T_hslots", s->hslots, s->nhslots, sizeof(int32_t), true);
    doubles(f, "T_coef", m->coef, m->coef ? (size_t)m->rows * m->d : 0);
    doubles(f, "T_intercept", m->intercept, m->intercept ? m->rows : 0);
    doubles(f, "T_th", m->th, m->th ? (m->kind == LML_SC_GBT_CLS ? 2 : m->K) : 0);
    u32s(f, "uint32_t", "T_roots", m->roots, m->roots ? m->ntrees : 0, sizeof(uint32_t), false);
    fprintf(f, "static const struct sc_node T_nodes[%u] = {", m->nnodes ? m->nnodes : 1);
    for (size_t i = 0; i < m->nnodes; i++) {
        fputs(i % 3 ? ", {" : i ? ",\n    {" : "\n    {", f);
        put_double(f, m->nodes[i].thr);
        fprintf(f, ", %d, %d}", m->nodes[i].feat, m->nodes[i].right);
    }
    fputs(m->nnodes ? "\n};\n" : "{0.0, -1, 0}};\n", f);
    doubles(f, "T_leaves", m->leaves, (size_t)m->nleaves * m->leaf_width);
    fprintf(f, "static const struct sc_cat T_cats[%u] = {", m->ncats ? m->ncats : 1);
    for (size_t i = 0; i < m->ncats; i++)
        fprintf(f, "%s{%u, %u, %u}", i % 6 ? ", " : i ? ",\n    " : "\n    ", m->cats[i].arity, m->cats[i].bits,
                m->cats[i].dflt);
    fputs(m->ncats ? "\n};\n" : "{0, 0, 0}};\n", f);
    bytes(f, "T_catbits", m->catbits, m->ncatbits, "unsigned char");
    fputc('\n', f);
    for (size_t i = 0; interpreter[i]; i++)
        fputs(interpreter[i], f);
    fprintf(f, "\nint %s_predict(const %s_input *row, double *out)\n{\n    const char *sin[NIN];\n"
               "    double din[NIN];\n",
            P, P);
    if (!s->ninputs)
        fputs("    (void)row;\n    sin[0] = NULL;\n    din[0] = 0.0;\n", f);
    for (size_t i = 0; i < s->ninputs; i++) {
        char *mn = member_name(s, i);
        if (!mn)
            return lml_error_set(err, LML_ENOMEM, "out of memory exporting C");
        if (s->input_is_string[i])
            fprintf(f, "    sin[%zu] = row->%s;\n    din[%zu] = 0.0;\n", i, mn, i);
        else
            fprintf(f, "    sin[%zu] = NULL;\n    din[%zu] = row->%s;\n", i, i, mn);
        free(mn);
    }
    fputs("    return sc_run(sin, din, out);\n}\n", f);
    if (ferror(f))
        return lml_error_set(err, LML_EIO, "export-c: writing the C source failed");
    return true;
}

bool lml_scorer_export_c_file(const lml_scorer *s, const char *prefix, const char *model_name, const char *path,
                              lml_error *err)
{
    if (!path)
        return lml_error_set(err, LML_EINVAL, "lml_scorer_export_c_file: path is NULL");
    char *tmp = NULL;
    int fd = lml_tmpfile_open(path, &tmp, err);
    if (fd < 0)
        return false;
    FILE *f = fdopen(fd, "w");
    if (!f) {
        close(fd);
        lml_tmpfile_discard(tmp);
        return lml_error_set(err, LML_EIO, "cannot write %s: %s", path, strerror(errno));
    }
    bool ok = lml_scorer_export_c(s, prefix, model_name, f, err);
    if (ok && (fflush(f) != 0 || fsync(fileno(f)) != 0))
        ok = lml_error_set(err, LML_EIO, "cannot write %s: %s", path, strerror(errno));
    if (fclose(f) != 0 && ok)
        ok = lml_error_set(err, LML_EIO, "cannot write %s: %s", path, strerror(errno));
    if (!ok) {
        lml_tmpfile_discard(tmp);
        return false;
    }
    return lml_tmpfile_commit(tmp, path, err);
}
