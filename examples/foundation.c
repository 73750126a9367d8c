/* The first steps of Spark's Titanic tutorial, in lakeml:
 *
 *   df = spark.read.csv("datasets/titanic.csv", header=True, inferSchema=True)
 *   df.printSchema()
 *   df.show(5)
 *   df.describe().show()
 *
 * Usage: foundation [PATH]   (default datasets/titanic.csv; run datasets/fetch.sh first) */
#include <stdio.h>
#include <stdlib.h>

#include "lakeml/lakeml.h"

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : "datasets/titanic.csv";
    lml_error err = {0};
    int status = 1;
    lml_frame *summary = NULL;

    lml_frame *df = lml_csv_read(path, &(lml_csv_options){.header = true, .infer_schema = true}, &err);
    if (!df)
        goto done;
    printf("Loaded %s: %zu rows, %zu columns\n\n", path, lml_frame_count(df), lml_frame_num_cols(df));

    /* Like Spark's, each print ends with a blank line. */
    if (!lml_frame_print_schema(df, stdout, &err) || !lml_frame_show(df, stdout, 5, 20, &err))
        goto done;

    summary = lml_frame_describe(df, NULL, &err);
    if (!summary || !lml_frame_show(summary, stdout, 20, 20, &err))
        goto done;
    status = 0;

done:
    if (status != 0)
        fprintf(stderr, "foundation: %s\n", err.message);
    lml_frame_free(summary);
    lml_frame_free(df);
    return status;
}
