/* Helpers shared by tests/unit/test_delta_dv*.c (deletion vectors). */
#ifndef LML_TEST_DELTA_DV_SUPPORT_H
#define LML_TEST_DELTA_DV_SUPPORT_H

#include <stddef.h>
#include <stdint.h>
#include "delta/dv.h"

/* A storage with only `read` (plain stdio), so these tests do not depend on storage.c. */
extern const lml_storage lml_test_dv_storage;
/* The bytes of hex text (pairs of digits; spaces and '|' skipped) into out; returns how many. */
size_t lml_test_dv_unhex(const char *hex, uint8_t *out);
/* The spec's inline example (§7.3) as hex: a 44-byte bitmap of the rows {3, 4, 7, 11, 18, 29}. */
extern const char *const lml_test_dv_inline_hex;

#endif
