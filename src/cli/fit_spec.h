/* `lakeml fit`: running a JSON training spec (see cli_run_fit_spec). */
#ifndef LML_CLI_FIT_SPEC_H
#define LML_CLI_FIT_SPEC_H

#include <cjson/cJSON.h>
#include "lakeml/lakeml.h"

/* Runs the spec and returns the report (caller frees with cJSON_Delete), or NULL with err set.
 * Spec keys: "data" {path, options (Spark reader names), select [cols], dropNulls},
 * "prepare" [stages] (fitted on all rows before the split, optional), "split" {weights, seed}
 * (optional: without it train and test are all rows), "pipeline" [stages] (fitted on the train
 * part), "evaluators" [{class, params}] (run on the transformed test part). A stage is
 * {"class": Spark class name, "params": {Spark param name: value}}. */
cJSON *cli_run_fit_spec(const cJSON *spec, lml_error *err);

#endif
