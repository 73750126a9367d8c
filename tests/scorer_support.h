/* Helpers shared by test_scorer.c and test_export_c.c: generated frames with nulls and NaN,
 * the feature stages fitted on them, and comparing scorer outputs with lml_transform's. */
#ifndef LML_TEST_SCORER_SUPPORT_H
#define LML_TEST_SCORER_SUPPORT_H

#include <stdbool.h>
#include <stdint.h>
#include "lakeml/lakeml.h"

lml_frame *sc_make_frame(uint64_t seed);
size_t sc_feature_stages(lml_stage **st, bool onehot);
lml_stage *sc_fit(lml_stage **st, size_t n, lml_stage *est, const lml_frame *df);
void sc_row(const lml_scorer *s, const lml_frame *df, size_t i, lml_value *row);
double sc_vec_at(const lml_column *c, size_t i, size_t j);
void sc_expected(const lml_frame *out, size_t i, size_t K, double *want);
void sc_check_all(const lml_stage *model, const lml_frame *df, size_t want_outputs);

#endif
