/* `lakeml fit SPEC.json`: trains what a JSON spec describes and prints one JSON report. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "fit_spec.h"

static void usage(FILE *out)
{
    fputs("Usage: lakeml fit [OPTIONS] SPEC.json\n"
          "\n"
          "Load the data a spec names, fit its pipelines with Spark's stage classes and param names,\n"
          "evaluate on the test split, and print one JSON object: what each stage learned, each\n"
          "metric, and timings. Example: examples/titanic.json.\n"
          "\n"
          "Options:\n"
          "      --compact      print the JSON on one line\n"
          "      --threads N    worker threads (default: all cores)\n"
          "      --log LEVEL    off, error, warn, info, debug or trace\n"
          "  -h, --help         show this help\n",
          out);
}

/* The whole file as a NUL-terminated string. */
static char *slurp(const char *path, lml_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        lml_error_set(err, errno == ENOENT ? LML_ENOTFOUND : LML_EIO, "%s: %s", path, strerror(errno));
        return NULL;
    }
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    size_t n;
    while (buf && (n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (len + 1 == cap) {
            char *b = realloc(buf, cap *= 2);
            if (!b) {
                free(buf);
                buf = NULL;
            }
            buf = b;
        }
    }
    bool failed = ferror(f);
    fclose(f);
    if (!buf || failed) {
        free(buf);
        lml_error_set(err, buf ? LML_EIO : LML_ENOMEM, "%s: cannot read the spec", path);
        return NULL;
    }
    buf[len] = '\0';
    return buf;
}

int cli_fit(int argc, char **argv)
{
    enum { OPT_COMPACT = OPT_FIRST_COMMAND_OPTION };
    static const struct option longopts[] = {
        {"compact", no_argument, NULL, OPT_COMPACT},
        {"threads", required_argument, NULL, OPT_THREADS},
        {"log", required_argument, NULL, OPT_LOG},
        {"help", no_argument, NULL, 'h'},
        {0},
    };
    bool compact = false;
    cli_csv unused;
    cli_csv_init(&unused);
    optind = 0;
    int code;
    while ((code = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        int rc = CLI_OK;
        if (code == 'h') {
            usage(stdout);
            cli_csv_free(&unused);
            return CLI_OK;
        } else if (code == OPT_COMPACT) {
            compact = true;
        } else if (code == OPT_THREADS || code == OPT_LOG) {
            rc = cli_common_option(&unused, "fit", code, optarg);
        } else {
            rc = cli_bad_option("fit");
        }
        if (rc != CLI_OK) {
            cli_csv_free(&unused);
            return rc;
        }
    }
    cli_csv_free(&unused);
    if (argc - optind != 1)
        return cli_usage_error("fit", "fit: expected SPEC.json, got %d operand%s", argc - optind,
                               argc - optind == 1 ? "" : "s");

    lml_error err = {0};
    char *text = slurp(argv[optind], &err);
    if (!text)
        return cli_fail(&err);
    cJSON *spec = cJSON_Parse(text);
    if (!cJSON_IsObject(spec)) {
        const char *at = cJSON_GetErrorPtr();
        lml_error_set(&err, LML_EFORMAT, "%s: not a JSON object (near byte %ld)", argv[optind],
                      at && at >= text ? (long)(at - text) : 0L);
        cJSON_Delete(spec);
        free(text);
        return cli_fail(&err);
    }
    cJSON *report = cli_run_fit_spec(spec, &err);
    cJSON_Delete(spec);
    free(text);
    if (!report) {
        lml_error_prefix(&err, "%s", argv[optind]);
        return cli_fail(&err);
    }
    char *out = compact ? cJSON_PrintUnformatted(report) : cJSON_Print(report);
    cJSON_Delete(report);
    if (!out) {
        lml_error_set(&err, LML_ENOMEM, "out of memory printing the report");
        return cli_fail(&err);
    }
    puts(out);
    free(out);
    return CLI_OK;
}
