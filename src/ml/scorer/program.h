/* The flat program a scorer runs (never installed). compile.c builds it from a fitted pipeline,
 * predict.c interprets it row by row, export_c.c prints it as C tables plus an interpreter of the
 * same shape: both walk these arrays, so the library and the generated code cannot diverge.
 *
 * Values live in a workspace of `nslots` doubles followed by `nslots` flag bytes. A scalar column
 * owns one slot; a vector column owns `size` consecutive slots, its null flag on the first one. */
#ifndef LML_ML_SCORER_PROGRAM_H
#define LML_ML_SCORER_PROGRAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "lakeml/ml/scorer.h"

/* Slot flags. */
#define LML_SC_NULL 1u  /* the value (or the whole vector) is null */
#define LML_SC_I32 2u   /* the raw value was an int32 (Imputer casts its surrogate back) */
#define LML_SC_I64 4u   /* the raw value was an int64 */
#define LML_SC_NONIMP 8u /* a bool or float, which Imputer rejects */

typedef enum lml_sc_code {
    LML_SC_NUM,      /* raw input `in` → slot `out` */
    LML_SC_INDEX,    /* StringIndexer: raw input `in`, string table `aux` → slot `out` */
    LML_SC_IMPUTE,   /* slot `in` → slot `out`; consts[aux] surrogate, consts[aux + 1] missingValue */
    LML_SC_ONEHOT,   /* slot `in` → `n` slots at `out`; aux = category count C */
    LML_SC_ASSEMBLE, /* parts[aux .. aux + n) → slots at `out` */
    LML_SC_SCALE,    /* `n` slots at `in` → `n` at `out`: (x − consts[aux + j]) · consts[aux + n + j] */
    LML_SC_MODEL     /* the predictor on the `n` feature slots at `in` */
} lml_sc_code;

/* handleInvalid of INDEX / ONEHOT / ASSEMBLE. */
enum { LML_SC_ERROR = 0, LML_SC_SKIP = 1, LML_SC_KEEP = 2 };

typedef struct lml_sc_op {
    uint8_t code, mode;
    uint32_t stage; /* index into lml_scorer.stage_uids (explain names it) */
    uint32_t in, out, n, aux;
} lml_sc_op;

/* One VectorAssembler input: `size` slots from `slot`; a scalar is checked for NaN too. */
typedef struct lml_sc_part {
    uint32_t slot, size;
    uint8_t vector;
} lml_sc_part;

/* A StringIndexer column: labels first .. first + nlabels of the global label list, found by
 * FNV-1a hash in hslots[hbase .. hbase + mask] (local label index, or -1 for an empty slot). */
typedef struct lml_sc_strtab {
    uint32_t first, nlabels, hbase, mask;
} lml_sc_strtab;

/* Tree nodes in pre-order, the left child right after its parent. feat ≥ 0: continuous split,
 * left iff x[feat] ≤ thr; feat == -1: a leaf, `right` = its row in the leaf table; feat ≤ -2: a
 * categorical split on feature -2 - feat, cats[(size_t)thr] describes it. */
typedef struct lml_sc_node {
    double thr;
    int32_t feat, right;
} lml_sc_node;

/* A categorical split: for an integral value v in [0, arity) left iff catbits[bits + v], any
 * other value goes left iff dflt (Spark's CategoricalSplit through lml_tree's goes_left). */
typedef struct lml_sc_cat {
    uint32_t arity, bits;
    uint8_t dflt;
} lml_sc_cat;

typedef enum lml_sc_kind {
    LML_SC_LINREG,  /* prediction = intercept + Σ coef_j x_j */
    LML_SC_LOGREG,  /* binomial or multinomial logistic regression */
    LML_SC_DT_CLS,  /* leaf row: prediction, K probabilities, K raw */
    LML_SC_DT_REG,  /* leaf row: prediction */
    LML_SC_RF_CLS,  /* leaf row: K normalised votes, summed */
    LML_SC_RF_REG,  /* leaf row: prediction, summed then ÷ T */
    LML_SC_GBT_CLS, /* leaf row: weight · prediction, summed */
    LML_SC_GBT_REG
} lml_sc_kind;

/* The predictor. */
typedef struct lml_sc_model {
    lml_sc_kind kind;
    uint32_t d, K; /* features; classes (0 for regressors) */
    /* linear models: rows × d coefficients (row-major) and rows intercepts */
    uint32_t rows;
    bool multinomial;
    double *coef, *intercept;
    /* binomial LR: 0 compare the margin with cutoff, 1 always class 1, 2 always class 0 */
    int bin_rule;
    double cutoff;
    double *th; /* multinomial LR / GBT classifier thresholds (K), or NULL */
    /* trees */
    uint32_t ntrees, nnodes, nleaves, leaf_width, ncats, ncatbits;
    uint32_t *roots;
    lml_sc_node *nodes;
    double *leaves; /* nleaves × leaf_width */
    lml_sc_cat *cats;
    uint8_t *catbits;
} lml_sc_model;

struct lml_scorer {
    lml_stage *model; /* a shared copy of the compiled model, for explain */
    char *model_class;
    /* inputs */
    size_t ninputs;
    char **input_names;
    bool *input_is_string;
    /* program */
    size_t nops, nslots, nparts, nconsts, ntabs, nlabels_total, nhslots;
    lml_sc_op *ops;
    lml_sc_part *parts;
    double *consts;
    lml_sc_strtab *tabs;
    uint32_t *label_off, *label_len; /* into blob */
    char *blob;
    size_t blob_len;
    int32_t *hslots;
    lml_sc_model m;
    uint32_t features; /* first slot of the predictor's features */
    /* per op: the stage uid and class, for explain and export comments */
    size_t nstages;
    char **stage_uids;
    /* outputs */
    size_t noutputs;
    char **output_names;
    /* IndexToString on the prediction (NULL when none) */
    size_t nlabel_out;
    char **label_out;
};

/* FNV-1a over the bytes (the generated C uses the same function). */
static inline uint64_t lml_sc_hash(const char *p, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)p[i];
        h *= 1099511628211ull;
    }
    return h;
}

/* Builds the predictor of `stage` into s->m (compile_model.c). */
bool lml_sc_compile_model(lml_scorer *s, const lml_stage *stage, lml_error *err);
/* The output names: prediction, then probability[k] and rawPrediction[k] for classifiers. */
bool lml_sc_set_outputs(lml_scorer *s, lml_error *err);
/* True when the stage is a predictor compile_model.c handles. */
bool lml_sc_is_predictor(const lml_stage *stage);
void lml_sc_model_clear(lml_sc_model *m);

/* Runs the program; on failure *failed receives the failing op's index. */
int lml_sc_run(const lml_scorer *s, const lml_value *row, double *out, void *workspace, size_t *failed);

/* lml_scorer_predict_frame with trees deeper than cmax walked through their node copy instead of
 * their complete layout (batch.c; the tests pass 0 to reach that walk). */
bool lml_sc_predict_frame_walk(const lml_scorer *s, const lml_frame *df, double *out, int *codes, unsigned cmax,
                               lml_error *err);

#endif
