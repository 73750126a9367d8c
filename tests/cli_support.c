/* Running the `lakeml` binary for the CLI tests: see cli_support.h. */
#include "cli_support.h"

#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "support.h"

static const char *lakeml_path(void)
{
    static char path[4096];
    const char *build = getenv("LML_BUILD_DIR");
    cr_assert_not_null(build, "LML_BUILD_DIR is not set (tests/meson.build sets it)");
    snprintf(path, sizeof path, "%s/src/cli/lakeml", build);
    return path;
}

lml_test_result lml_test_run_in(const char *stdin_path, const char *arg, ...)
{
    const char *argv[64];
    int argc = 0;
    argv[argc++] = lakeml_path();
    va_list ap;
    va_start(ap, arg);
    for (const char *a = arg; a && argc < 63; a = va_arg(ap, const char *))
        argv[argc++] = a;
    va_end(ap);
    argv[argc] = NULL;

    const char *dir = lml_test_temp_dir();
    cr_assert_not_null(dir);
    char out_path[512], err_path[512];
    snprintf(out_path, sizeof out_path, "%s/stdout", dir);
    snprintf(err_path, sizeof err_path, "%s/stderr", dir);
    pid_t pid = fork();
    cr_assert_neq(pid, -1);
    if (pid == 0) {
        int in = open(stdin_path ? stdin_path : "/dev/null", O_RDONLY);
        int o = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int e = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (in < 0 || o < 0 || e < 0 || dup2(in, 0) < 0 || dup2(o, 1) < 0 || dup2(e, 2) < 0)
            _exit(126);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    int status = 0;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    lml_test_result r = {.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status),
                .out = lml_test_slurp(out_path),
                .err = lml_test_slurp(err_path)};
    cr_assert_not_null(r.out);
    cr_assert_not_null(r.err);
    unlink(out_path);
    unlink(err_path);
    rmdir(dir);
    return r;
}

void lml_test_result_free(lml_test_result *r)
{
    free(r->out);
    free(r->err);
}

void lml_test_expect_ok(lml_test_result r, const char *want)
{
    cr_expect_eq(r.status, 0, "exit status %d, stderr: %s", r.status, r.err);
    cr_expect_str_empty(r.err);
    cr_expect_str_eq(r.out, want);
    lml_test_result_free(&r);
}

void lml_test_expect_fail(lml_test_result r, int status, const char *needle)
{
    cr_expect_eq(r.status, status, "exit status %d (want %d), stderr: %s", r.status, status, r.err);
    cr_expect_str_empty(r.out);
    cr_expect(strncmp(r.err, "lakeml: ", 8) == 0, "stderr does not start with 'lakeml: ': %s", r.err);
    cr_expect(strstr(r.err, needle) != NULL, "stderr lacks \"%s\": %s", needle, r.err);
    lml_test_result_free(&r);
}

const char *lml_test_row_cells(const char *text, const char *label, char *buf, size_t cap)
{
    char key[64];
    snprintf(key, sizeof key, "|%7s|", label);
    buf[0] = '\0';
    const char *line = strstr(text, key);
    if (!line)
        return buf;
    const char *end = strchr(line, '\n');
    size_t n = 0;
    for (const char *p = line + 1; end && p < end && n + 1 < cap;) {
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
