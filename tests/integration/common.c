/* Helpers for the end-to-end tests: running a program and finding the data. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"
#include "support.h"

int lml_it_run(const char *const *argv, char **out, char **err)
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
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    int status = 0;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    *out = lml_test_slurp(out_path);
    *err = lml_test_slurp(err_path);
    cr_assert_not_null(*out);
    cr_assert_not_null(*err);
    unlink(out_path);
    unlink(err_path);
    rmdir(dir);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

const char *lml_it_titanic_path(void)
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

