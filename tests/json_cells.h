/* Test helper: does a frame cell hold the value a JSON cell of another reader's output shows? */
#ifndef LML_TEST_JSON_CELLS_H
#define LML_TEST_JSON_CELLS_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include "lakeml/frame.h"

/* True when row i of c equals the JSON cell j (NULL or JSON null = a null cell); otherwise a
 * message in why. Timestamps and dates compare with "YYYY-MM-DD[ HH:MM:SS[.ffffff]]" text (UTC). */
bool lml_test_cell_matches(const lml_column *c, size_t i, const cJSON *j, char *why, size_t wcap);

#endif
