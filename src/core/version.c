#include "lakeml/version.h"

const char *lml_version(void) { return LML_VERSION_STRING; }
