#ifndef LML_TEST_TOY_STAGE_H
#define LML_TEST_TOY_STAGE_H

#include "ml/stage_internal.h"

extern const lml_stage_vtable toy_est_vt;   /* MeanCenterer (estimator) */
extern const lml_stage_vtable toy_model_vt; /* MeanCentererModel */

#endif
