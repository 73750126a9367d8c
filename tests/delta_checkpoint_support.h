/* Helpers shared by tests/unit/test_delta_checkpoint*.c (writing Delta checkpoints). They check
 * with cr_assert, so they fail the calling Criterion test. */
#ifndef LML_TEST_DELTA_CHECKPOINT_SUPPORT_H
#define LML_TEST_DELTA_CHECKPOINT_SUPPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "delta/checkpoint.h"
#include "delta/replay.h"

/* The tombstone retention cutoff the tests write with (ms since the epoch). */
#define CUTOFF 1700000000000LL

/* ---- building a state by hand */

/* A malloc'd copy of s (NULL stays NULL). */
char *lml_test_cp_dup(const char *s);
/* A state at `version`: reader 3 / writer 7 with features, partitioned metadata with a null
 * configuration value, 3 adds (a 'u' DV, tags and row tracking, a null partition value),
 * 3 tombstones (one expired at CUTOFF, one exactly at it), 2 txns, a live and a removed domain. */
void lml_test_cp_build_state(lml_delta_state *s, int64_t version);

/* ---- writing and reading back */

typedef struct lml_test_cp_got {
    size_t n;
    lml_delta_action a[32];
} lml_test_cp_got;

/* A fresh table directory with an empty _delta_log (static buffer). */
const char *lml_test_cp_table_dir(void);
/* <root>/_delta_log (static buffer). */
const char *lml_test_cp_log_dir_of(const char *root);
/* <root>/_delta_log/<v>.checkpoint.parquet (static buffer). */
const char *lml_test_cp_path(const char *root, int64_t v);
/* Writes s as a checkpoint (cutoff CUTOFF) into a fresh table; returns its root. */
const char *lml_test_cp_write_state(lml_delta_state *s);
/* The actions of the checkpoint at `version`, through the log reader (one checkpoint file, no
 * commits). */
void lml_test_cp_read_back(const char *root, int64_t version, lml_test_cp_got *g);
void lml_test_cp_free_got(lml_test_cp_got *g);
/* The first action of `kind` (with app id, domain or path `key` when given), or NULL. */
const lml_delta_action *lml_test_cp_find(const lml_test_cp_got *g, lml_delta_action_kind kind, const char *key);
/* have equals want (both may be NULL); `what` names the field. */
void lml_test_cp_str_eq(const char *what, const char *want, const char *have);

#endif
