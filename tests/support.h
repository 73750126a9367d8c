/* Helpers shared by the test files. */
#ifndef LML_TEST_SUPPORT_H
#define LML_TEST_SUPPORT_H

#include <stdbool.h>
#include <stddef.h>

/* Path of a file under ../shared (LML_SHARED_DIR), or NULL when ../shared is absent; the caller
 * then skips with a clear message (see LML_REQUIRE_SHARED). Returns a static buffer. */
const char *lml_test_shared_path(const char *rel);
/* Writes `text` to a fresh temporary file and returns its path (static buffer, per call slot). */
const char *lml_test_write_temp(const char *name, const char *text);
/* A fresh empty temporary directory (static buffer). */
const char *lml_test_temp_dir(void);
/* The whole file as a NUL-terminated string (malloc'd; it may hold NULs, *len counts them all),
 * or NULL when it cannot be opened or read in full. */
char *lml_test_slurp_n(const char *path, size_t *len);
/* lml_test_slurp_n without the length. */
char *lml_test_slurp(const char *path);

/* Skips the current Criterion test loudly when ../shared is not there. */
#define LML_REQUIRE_SHARED(path_var, rel)                                                         \
    const char *path_var = lml_test_shared_path(rel);                                           \
    if (!path_var) {                                                                              \
        cr_skip_test("SKIPPED: ../shared/%s not found (set LML_SHARED_DIR); conformance data absent", rel); \
    }

#endif
