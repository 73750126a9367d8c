#ifndef LML_IT_COMMON_H
#define LML_IT_COMMON_H

/* Runs argv (argv[0] = the program's path, NULL-terminated); returns its exit status (128 +
 * signal when killed) and its stdout and stderr as malloc'd strings. Fails the test if the
 * program cannot be started. */
int lml_it_run(const char *const *argv, char **out, char **err);

/* The titanic.csv that datasets/fetch.sh put into the checkout, else ../shared's copy, else NULL. */
const char *lml_it_titanic_path(void);

#endif
