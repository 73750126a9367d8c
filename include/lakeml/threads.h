/* lakeml — the thread count of the library's one worker pool. Parallel code in lakeml is
 * deterministic: results do not depend on the thread count. */
#ifndef LAKEML_THREADS_H
#define LAKEML_THREADS_H

#include "version.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Sets how many threads parallel work may use (n >= 1; 0 means "the number of cores").
 * Default: LAKEML_NUM_THREADS from the environment if set, else the number of online cores.
 * Call it between, not during, parallel calls. */
LML_API void lml_set_num_threads(int n);
LML_API int lml_get_num_threads(void);

#ifdef __cplusplus
}
#endif
#endif
