/* Pieces of the row interpreter (predict.c) that the batch scorer (batch.c) runs too, so that a
 * row scored in a batch goes through the same floating-point operations in the same order as
 * lml_scorer_predict (never installed). */
#ifndef LML_ML_SCORER_RUN_H
#define LML_ML_SCORER_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "ml/scorer/program.h"

/* Runs ops [0, end) of the program on one row (lml_sc_run is end = s->nops); on failure *failed
 * receives the failing op's index. */
int lml_sc_run_to(const lml_scorer *s, const lml_value *row, double *out, void *workspace, size_t end,
                  size_t *failed);

/* A linear model (LML_SC_LINREG or LML_SC_LOGREG) on the d features at x. */
void lml_sc_linear(const lml_sc_model *m, const double *x, double *out);

/* Logistic regression's outputs from its margins, each the intercept plus coef_j · x_j added in
 * index order: mg[0] for a binomial model, mg[0 .. K) for a multinomial one. */
void lml_sc_logreg_finish(const lml_sc_model *m, const double *mg, double *out);

/* A tree model on finite features x (the whole row path after the finiteness check). */
void lml_sc_trees(const lml_sc_model *m, const double *x, double *out);

/* The outputs of a forest or GBT model from its leaf sum F, added up from 0.0 in tree order (an
 * RF classifier instead has its K vote sums in out's rawPrediction part and ignores F). */
void lml_sc_trees_finish(const lml_sc_model *m, double F, double *out);

#endif
