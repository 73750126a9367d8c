/* Running the built `lakeml` binary (LML_BUILD_DIR/src/cli/lakeml) from tests/unit/test_cli*.c
 * and checking what it printed. They check with cr_assert/cr_expect, so they fail the calling
 * Criterion test. */
#ifndef LML_TEST_CLI_SUPPORT_H
#define LML_TEST_CLI_SUPPORT_H

#include <stddef.h>

typedef struct lml_test_result {
    int status; /* exit status, or 128 + signal */
    char *out;
    char *err;
} lml_test_result;

/* Runs lakeml with the NULL-terminated arguments, standard input from stdin_path (NULL:
 * /dev/null). Output goes to files, so nothing can block on a full pipe. */
lml_test_result lml_test_run_in(const char *stdin_path, const char *arg, ...);
#define lml_test_run(...) lml_test_run_in(NULL, __VA_ARGS__, (const char *)NULL)
void lml_test_result_free(lml_test_result *r);
/* Success: exit 0, nothing on stderr, stdout exactly `want`. Frees r. */
void lml_test_expect_ok(lml_test_result r, const char *want);
/* Failure: the given status, nothing on stdout, stderr starting "lakeml: " and holding `needle`.
 * Frees r. */
void lml_test_expect_fail(lml_test_result r, int status, const char *needle);
/* The trimmed cells of the table row labelled `label`, joined by ',' ("" when absent). */
const char *lml_test_row_cells(const char *text, const char *label, char *buf, size_t cap);

/* A small CSV with a header, an int, a double with a null and a string column. */
#define LML_TEST_SMALL_CSV "a,b,c\n1,2.5,x\n2,,y\n3,4,z\n"

#endif
