/* Runs examples/foundation on titanic.csv and checks what it prints: the Spark schema, the
 * first row of show(5) and the count/mean rows of describe().show(). */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "support.h"

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    size_t got = buf ? fread(buf, 1, (size_t)n, f) : 0;
    fclose(f);
    if (buf)
        buf[got] = '\0';
    return buf;
}

/* Runs exe with one argument; returns its exit status (128 + signal when killed) and its
 * stdout and stderr as malloc'd strings. */
static int run(const char *exe, const char *arg, char **out, char **err)
{
    const char *dir = lml_test_temp_dir();
    cr_assert_not_null(dir);
    char out_path[512], err_path[512];
    snprintf(out_path, sizeof out_path, "%s/stdout", dir);
    snprintf(err_path, sizeof err_path, "%s/stderr", dir);
    pid_t pid = fork();
    cr_assert_neq(pid, -1);
    if (pid == 0) {
        int o = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int e = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (o < 0 || e < 0 || dup2(o, 1) < 0 || dup2(e, 2) < 0)
            _exit(126);
        execl(exe, exe, arg, (char *)NULL);
        _exit(127);
    }
    int status = 0;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    *out = slurp(out_path);
    *err = slurp(err_path);
    cr_assert_not_null(*out);
    cr_assert_not_null(*err);
    unlink(out_path);
    unlink(err_path);
    rmdir(dir);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* The titanic.csv that datasets/fetch.sh put into the checkout, else ../shared's copy. */
static const char *titanic_path(void)
{
    static char path[4096];
    const char *src = getenv("LML_SOURCE_DIR");
    struct stat st;
    if (src) {
        snprintf(path, sizeof path, "%s/datasets/titanic.csv", src);
        if (stat(path, &st) == 0)
            return path;
    }
    return lml_test_shared_path("datasets/titanic.csv");
}

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
    const char *titanic = titanic_path();
    if (!titanic)
        cr_skip_test("SKIPPED: titanic.csv not found in datasets/ (run datasets/fetch.sh) nor in ../shared");

    char *out, *err;
    int status = run(exe, titanic, &out, &err);
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
