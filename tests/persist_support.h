/* Helpers for the persistence tests (test_persist*.c). */
#ifndef LML_TEST_PERSIST_SUPPORT_H
#define LML_TEST_PERSIST_SUPPORT_H

#include <stdbool.h>
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

/* Asserts |got - want| <= max(rel·|want|, abs_floor), naming row, what and k. */
void ps_close_rel(double got, double want, double rel, double abs_floor, const char *what, int row, int k);
/* Checks a binary classifier's output (rawPrediction, probability as dense 2-vectors, prediction)
 * against expected JSON lines {"row","rawPrediction","probability","prediction","label"}: 1e-12
 * relative (probabilities also within prob_floor absolute), predictions exact, one line per row.
 * Returns how many predictions equal their label (index0_is_label1: class index 0 stands for
 * label 1.0, as a StringIndexer in frequencyDesc order made it). */
int ps_check_binary_scores(const lml_frame *out, const char *exp_path, double prob_floor, bool index0_is_label1);

#endif
