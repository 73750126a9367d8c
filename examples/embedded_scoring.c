/* Embedded scoring: the model examples/titanic saved, scored one passenger at a time the way a C
 * service would — no JVM, no Python, no allocation per request.
 *
 *   titanic datasets/titanic.csv titanic_model      # trains and saves the PipelineModel
 *   embedded_scoring titanic_model                  # then type passengers, one per line:
 *   3,male,22,7.25
 *
 * The fields are the model's raw input columns in the order printed at start-up (for the
 * Titanic model: the StringIndexer inputs Sex and Pclass, then Age and Fare); an empty field is
 * a null. Each line prints the prediction and the class probabilities, or why the model rejects
 * the passenger (an unseen category, a missing value the pipeline cannot take).
 *
 * Usage: embedded_scoring MODEL_DIR < passengers.csv */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lakeml/lakeml.h"

#define MAX_FIELDS 64

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

/* Splits line at commas into row values typed as the scorer expects. Returns false with a
 * message when the field count or a number is wrong. */
static bool parse_row(const lml_scorer *sc, char *line, lml_value *row, char *msg, size_t cap)
{
    size_t n = lml_scorer_num_inputs(sc), i = 0;
    for (char *p = line;; i++) {
        char *comma = strchr(p, ',');
        if (comma)
            *comma = '\0';
        if (i >= n) {
            snprintf(msg, cap, "expected %zu fields, got more", n);
            return false;
        }
        char *f = trim(p);
        if (!*f) {
            row[i] = (lml_value){.type = LML_DOUBLE, .is_null = true};
        } else if (lml_scorer_input_is_string(sc, i)) {
            row[i] = (lml_value){.type = LML_STRING, .v.str = {f, strlen(f)}};
        } else {
            char *end;
            double d = strtod(f, &end);
            if (*end) {
                snprintf(msg, cap, "field %zu (%s): '%s' is not a number", i + 1, lml_scorer_input_name(sc, i), f);
                return false;
            }
            row[i] = (lml_value){.type = LML_DOUBLE, .v.f64 = d};
        }
        if (!comma)
            break;
        p = comma + 1;
    }
    if (i + 1 != n) {
        snprintf(msg, cap, "expected %zu fields, got %zu", n, i + 1);
        return false;
    }
    return true;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fputs("usage: embedded_scoring MODEL_DIR < passengers.csv\n", stderr);
        return 2;
    }
    lml_error err = {0};
    lml_stage *model = lml_load(argv[1], &err);
    lml_scorer *sc = model ? lml_scorer_new(model, &err) : NULL;
    lml_stage_free(model); /* the scorer keeps what it needs */
    if (!sc) {
        fprintf(stderr, "embedded_scoring: %s\n", err.message);
        return 1;
    }
    size_t nin = lml_scorer_num_inputs(sc), nout = lml_scorer_num_outputs(sc);
    void *ws = malloc(lml_scorer_workspace_size(sc) + 1);
    double *out = malloc(nout * sizeof *out);
    if (nin > MAX_FIELDS || !ws || !out) {
        fputs("embedded_scoring: the model needs more inputs or memory than this example handles\n", stderr);
        return 1;
    }
    fputs("fields:", stderr);
    for (size_t i = 0; i < nin; i++)
        fprintf(stderr, "%s %s (%s)", i ? "," : "", lml_scorer_input_name(sc, i),
                lml_scorer_input_is_string(sc, i) ? "text" : "number");
    fputc('\n', stderr);

    lml_value row[MAX_FIELDS];
    char line[4096], msg[256];
    while (fgets(line, sizeof line, stdin)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (!*trim(line))
            continue;
        if (!parse_row(sc, line, row, msg, sizeof msg)) {
            printf("error: %s\n", msg);
            continue;
        }
        /* The fast path allocates nothing and takes no lock; only a rejected row pays for a
         * message. */
        if (lml_scorer_predict(sc, row, out, ws) != LML_OK) {
            lml_scorer_explain(sc, row, &err);
            printf("rejected: %s\n", err.message);
            continue;
        }
        /* prediction, then a classifier's probabilities (rawPrediction follows them in out) */
        for (size_t j = 0; j < 1 + lml_scorer_num_classes(sc); j++)
            printf("%s%s=%.6g", j ? " " : "", lml_scorer_output_name(sc, j), out[j]);
        putchar('\n');
    }
    free(out);
    free(ws);
    lml_scorer_free(sc);
    return 0;
}
