/* Runs examples/foundation on titanic.csv and checks what it prints: the Spark schema, the
 * first row of show(5) and the count/mean rows of describe().show(). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "support.h"


/* The cells of the table line that starts with "|<label>|", trimmed, joined by ','. */
static char *row_cells(const char *text, const char *label, char *buf, size_t cap)
{
    char key[64];
    snprintf(key, sizeof key, "|%*s|", 7, label);
    const char *line = strstr(text, key);
    if (!line)
        return NULL;
    const char *end = strchr(line, '\n');
    size_t n = 0;
    const char *p = line + 1;
    while (p < end && n + 1 < cap) {
        const char *bar = memchr(p, '|', (size_t)(end - p));
        if (!bar)
            break;
        const char *a = p, *b = bar;
        while (a < b && *a == ' ')
            a++;
        while (b > a && b[-1] == ' ')
            b--;
        n += (size_t)snprintf(buf + n, cap - n, "%s%.*s", n ? "," : "", (int)(b - a), a);
        p = bar + 1;
    }
    return buf;
}

Test(foundation, prints_titanic_schema_rows_and_summary)
{
    const char *exe = getenv("LML_EXAMPLE_FOUNDATION");
    cr_assert_not_null(exe, "LML_EXAMPLE_FOUNDATION is not set (tests/integration/meson.build sets it)");
    const char *titanic = lml_it_titanic_path();
    if (!titanic)
        cr_skip_test("SKIPPED: titanic.csv not found in datasets/ (run datasets/fetch.sh) nor in ../shared");

    char *out, *err;
    int status = lml_it_run((const char *[]){exe, titanic, NULL}, &out, &err);
    cr_assert_eq(status, 0, "foundation exited %d; stderr:\n%s", status, err);
    cr_expect_str_empty(err);

    cr_expect(strstr(out, ": 891 rows, 12 columns\n") != NULL, "row/column counts missing:\n%s", out);
    static const char schema[] = "root\n"
                                 " |-- PassengerId: integer (nullable = true)\n"
                                 " |-- Survived: integer (nullable = true)\n"
                                 " |-- Pclass: integer (nullable = true)\n"
                                 " |-- Name: string (nullable = true)\n"
                                 " |-- Sex: string (nullable = true)\n"
                                 " |-- Age: double (nullable = true)\n"
                                 " |-- SibSp: integer (nullable = true)\n"
                                 " |-- Parch: integer (nullable = true)\n"
                                 " |-- Ticket: string (nullable = true)\n"
                                 " |-- Fare: double (nullable = true)\n"
                                 " |-- Cabin: string (nullable = true)\n"
                                 " |-- Embarked: string (nullable = true)\n";
    cr_expect(strstr(out, schema) != NULL, "schema not printed as Spark's printSchema():\n%s", out);

    /* show(5): Spark right-aligns cells and cuts Name to 17 characters + "...". */
    cr_expect(strstr(out, "|          1|       0|     3|Braund, Mr. Owen ...|  male|22.0|    1|    0|"
                          "       A/5 21171|   7.25| NULL|       S|\n") != NULL,
              "first row of show(5) differs:\n%s", out);
    cr_expect(strstr(out, "only showing top 5 rows\n") != NULL);

    char cells[1024];
    cr_assert_not_null(row_cells(out, "count", cells, sizeof cells), "no count row in describe():\n%s", out);
    cr_expect_str_eq(cells, "count,891,891,891,891,891,714,891,891,891,891,204,889");
    cr_assert_not_null(row_cells(out, "mean", cells, sizeof cells));
    /* PassengerId, Survived, Pclass, Name, Sex, Age: Spark prints 446.0, 0.383838…, 2.308641…, NULL, NULL, 29.69911764705882 */
    cr_expect(strncmp(cells, "mean,446.0,0.38383838383838", 27) == 0, "mean row: %s", cells);
    cr_expect(strstr(cells, ",NULL,NULL,29.69911764705882,") != NULL, "mean row: %s", cells);
    free(out);
    free(err);
}
