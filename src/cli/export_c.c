/* `lakeml export-c MODEL_DIR -o model.c [--prefix NAME]`: a saved model (lakeml's or Spark's)
 * compiled by lml_scorer_new and written as dependency-free C99 by lml_scorer_export_c. The file
 * appears atomically: written to a temporary file beside it, then renamed into place. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

enum { OPT_OUTPUT = OPT_FIRST_COMMAND_OPTION, OPT_PREFIX };

static void usage(FILE *out)
{
    fputs("Usage: lakeml export-c MODEL_DIR -o FILE.c [--prefix NAME]\n"
          "\n"
          "Compile the fitted model saved at MODEL_DIR (by lakeml or by Spark: a PipelineModel\n"
          "of StringIndexer, OneHotEncoder, VectorAssembler, Imputer, StandardScaler stages and\n"
          "one LogisticRegression, LinearRegression, decision tree, random forest or GBT\n"
          "model) into one dependency-free C99 source file with a single entry point,\n"
          "\n"
          "    int NAME_predict(const NAME_input *row, double *out);\n"
          "\n"
          "whose top comment lists the inputs, the outputs and the return codes. The\n"
          "generated code predicts exactly (bit for bit) what the library predicts.\n"
          "\n"
          "Options:\n"
          "  -o, --output FILE  the C file to write (replaced atomically)\n"
          "      --prefix NAME  prefix of the generated names (default: lml_model)\n"
          "      --threads N, --log LEVEL  as for every command\n"
          "  -h, --help         show this help\n",
          out);
}

int cli_export_c(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'},
        {"prefix", required_argument, NULL, OPT_PREFIX},
        {"threads", required_argument, NULL, OPT_THREADS},
        {"log", required_argument, NULL, OPT_LOG},
        {"help", no_argument, NULL, 'h'},
        {0, 0, 0, 0}};
    const char *output = NULL, *prefix = "lml_model";
    cli_csv unused;
    cli_csv_init(&unused);
    optind = 0;
    int code;
    while ((code = getopt_long(argc, argv, "ho:", longopts, NULL)) != -1) {
        int rc = CLI_OK;
        if (code == 'h') {
            usage(stdout);
            cli_csv_free(&unused);
            return CLI_OK;
        } else if (code == 'o') {
            output = optarg;
        } else if (code == OPT_PREFIX) {
            prefix = optarg;
        } else if (code == OPT_THREADS || code == OPT_LOG) {
            rc = cli_common_option(&unused, "export-c", code, optarg);
        } else {
            rc = cli_bad_option("export-c");
        }
        if (rc != CLI_OK) {
            cli_csv_free(&unused);
            return rc;
        }
    }
    cli_csv_free(&unused);
    if (argc - optind != 1)
        return cli_usage_error("export-c", "export-c: expected MODEL_DIR, got %d operands", argc - optind);
    if (!output)
        return cli_usage_error("export-c", "export-c: -o FILE.c is required");
    lml_error err = {0};
    lml_stage *model = lml_load(argv[optind], &err);
    lml_scorer *s = model ? lml_scorer_new(model, &err) : NULL;
    bool ok = s && lml_scorer_export_c_file(s, prefix, argv[optind], output, &err);
    lml_scorer_free(s);
    lml_stage_free(model);
    return ok ? CLI_OK : cli_fail(&err);
}
