/* What dv.c (Z85, descriptors, DV files) and dv_bitmap.c (the RoaringBitmapArray) share.
 * Internal to src/delta/dv*.c. */
#ifndef LML_DELTA_DV_INTERNAL_H
#define LML_DELTA_DV_INTERNAL_H

#include "delta/dv.h"

/* lml_dv_bitmap_decode with an expected cardinality (< 0: none), checked after a counting pass
 * and before the row array is allocated, so a lying bitmap cannot make us allocate for it. */
bool lml_dv_bitmap_decode_checked(const uint8_t *p, size_t n, int64_t expect, lml_dv_rows *out, lml_error *err);

#endif
