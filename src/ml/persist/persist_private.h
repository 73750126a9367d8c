/* Shared between the files of src/ml/persist only. */
#ifndef LML_ML_PERSIST_PRIVATE_H
#define LML_ML_PERSIST_PRIVATE_H

#include "ml/persist/persist_internal.h"

/* One param value as Spark's JSON (NULL on ENOMEM). */
cJSON *lml_persist_param_json(const lml_param_value *v);
/* Adds the set params to pm and every default to dm. */
bool lml_persist_params_to_meta(const lml_stage *s, cJSON *pm, cJSON *dm, lml_error *err);
/* Applies defaultParamMap (version >= 2.4) then paramMap of meta to s; `where` names the file. */
bool lml_persist_params_from_meta(lml_stage *s, const cJSON *meta, int version, const char *where, lml_error *err);

#endif
