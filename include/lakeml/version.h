/* lakeml — version macros and the export macro shared by every public header. */
#ifndef LAKEML_VERSION_H
#define LAKEML_VERSION_H

#define LML_VERSION_MAJOR 0
#define LML_VERSION_MINOR 1
#define LML_VERSION_PATCH 0
#define LML_VERSION_STRING "0.1.0"
#define LML_VERSION_NUMBER (LML_VERSION_MAJOR * 10000 + LML_VERSION_MINOR * 100 + LML_VERSION_PATCH)

#if defined(LML_BUILDING_LIBRARY) && defined(__GNUC__)
#define LML_API __attribute__((visibility("default")))
#else
#define LML_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* The library's version as "MAJOR.MINOR.PATCH"; a static string. */
LML_API const char *lml_version(void);

#ifdef __cplusplus
}
#endif
#endif
