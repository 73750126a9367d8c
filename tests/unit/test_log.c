#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "lakeml/log.h"

static char last[256];
static int calls;
static lml_log_level last_level;

static void sink(void *user, lml_log_level level, const char *module, const char *msg)
{
    (void)user;
    calls++;
    last_level = level;
    snprintf(last, sizeof last, "%s|%s", module, msg);
}

Test(log, callback_receives_records_at_or_above_level)
{
    lml_log_set_callback(sink, NULL);
    lml_log_set_level(LML_LOG_INFO);
    calls = 0;
    lml_log(LML_LOG_DEBUG, "csv", "hidden %d", 1);
    cr_assert_eq(calls, 0);
    lml_log(LML_LOG_WARN, "csv", "read %d rows", 891);
    cr_assert_eq(calls, 1);
    cr_assert_eq(last_level, LML_LOG_WARN);
    cr_assert_str_eq(last, "csv|read 891 rows");
    lml_log_set_level(LML_LOG_OFF);
    lml_log(LML_LOG_ERROR, "csv", "x");
    cr_assert_eq(calls, 1);
    lml_log_set_callback(NULL, NULL);
}

Test(log, level_names_parse_both_ways)
{
    lml_log_level lv;
    cr_assert(lml_log_level_parse("DEBUG", &lv));
    cr_assert_eq(lv, LML_LOG_DEBUG);
    cr_assert(lml_log_level_parse("warning", &lv));
    cr_assert_eq(lv, LML_LOG_WARN);
    cr_assert_not(lml_log_level_parse("loud", &lv));
    cr_assert_str_eq(lml_log_level_name(LML_LOG_TRACE), "trace");
}

/* LAKEML_LOG is read once, on first use, so each case runs in its own process (Criterion forks). */
Test(log, env_sets_level_and_json_format)
{
    setenv("LAKEML_LOG", "debug,json", 1);
    cr_assert_eq(lml_log_get_level(), LML_LOG_DEBUG);
    /* The JSON sink writes to stderr: capture it through a pipe. */
    FILE *tmp = tmpfile();
    cr_assert_not_null(tmp);
    int saved = dup(2);
    dup2(fileno(tmp), 2);
    lml_log(LML_LOG_INFO, "frame", "quote \" here");
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    rewind(tmp);
    char line[512] = {0};
    cr_assert_not_null(fgets(line, sizeof line, tmp));
    fclose(tmp);
    cr_assert(strstr(line, "\"level\":\"info\",\"module\":\"frame\",\"msg\":\"quote \\\" here\"}") != NULL, "got %s",
              line);
    cr_assert_eq(line[0], '{');
}
