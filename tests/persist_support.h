/* Helpers for the persistence tests (test_persist*.c). */
#ifndef LML_TEST_PERSIST_SUPPORT_H
#define LML_TEST_PERSIST_SUPPORT_H

#include "lakeml/lakeml.h"

/* Every column (name, type, metadata, every cell bit for bit) of a equals b's. */
void ps_assert_frames_identical(const lml_frame *a, const lml_frame *b);
/* Same class, uid, and for every param the same is-set flag and bit-identical value; pipelines
 * compare their stages recursively. */
void ps_assert_params_identical(const lml_stage *a, const lml_stage *b);
/* Saves s under a fresh temporary directory (its path in *dir, static buffer) and loads it. */
lml_stage *ps_roundtrip(const lml_stage *s, const char **dir);
/* Saves, loads, and checks params and that both transform df to identical frames. */
void ps_assert_roundtrip_transforms(const lml_stage *model, const lml_frame *df);
/* The first line of <dir>/metadata/part-00000 (malloc'd, without the newline). */
char *ps_meta_line(const char *dir);
/* A small Titanic-like frame: Sex (string), Pclass (int32), Age (double, one null), Fare, Survived. */
lml_frame *ps_titanic(void);
/* The only non-hidden file of dir/sub (static buffer). */
const char *ps_data_file(const char *dir, const char *sub);
/* Writes text to path (creating it). */
void ps_write(const char *path, const char *text);

#endif
