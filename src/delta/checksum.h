/* MD5 (RFC 1321) and the `_last_checkpoint` checksum (delta.md §4.2): the JSON object
 * canonicalized as sorted path=value pairs, MD5 as 32 lowercase hex characters.
 * Internal header. */
#ifndef LML_DELTA_CHECKSUM_H
#define LML_DELTA_CHECKSUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "lakeml/error.h"

void lml_md5(const void *data, size_t len, uint8_t digest[16]);
/* The checksum of a JSON object text, ignoring its top-level "checksum" key: 33 bytes with the
 * NUL. Malformed JSON (or not an object) is LML_EFORMAT. */
bool lml_delta_json_checksum(const char *json, size_t len, char out[33], lml_error *err);

#endif
