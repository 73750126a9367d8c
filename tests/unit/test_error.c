#include <criterion/criterion.h>
#include <string.h>
#include "lakeml/error.h"

Test(error, set_records_code_and_formatted_message)
{
    lml_error err = {0};
    cr_assert_eq(lml_error_set(&err, LML_EFORMAT, "%s:%d: column '%s': cannot parse \"%s\" as double", "t.csv", 17,
                               "Age", "abc"),
                 false);
    cr_assert_eq(err.code, LML_EFORMAT);
    cr_assert_str_eq(err.message, "t.csv:17: column 'Age': cannot parse \"abc\" as double");
}

Test(error, null_error_pointer_is_accepted)
{
    cr_assert_eq(lml_error_set(NULL, LML_EIO, "x"), false);
    lml_error_clear(NULL);
    lml_error_prefix(NULL, "p");
}

Test(error, long_message_is_cut_with_ellipsis)
{
    lml_error err = {0};
    char big[2000];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    lml_error_set(&err, LML_EINVAL, "%s", big);
    cr_assert_eq(strlen(err.message), LML_ERROR_MESSAGE_MAX - 1);
    cr_assert_str_eq(err.message + LML_ERROR_MESSAGE_MAX - 4, "...");
}

Test(error, prefix_keeps_code_and_prepends_place)
{
    lml_error err = {0};
    lml_error_set(&err, LML_ENOTFOUND, "no such column 'x'");
    lml_error_prefix(&err, "%s", "data.csv");
    cr_assert_eq(err.code, LML_ENOTFOUND);
    cr_assert_str_eq(err.message, "data.csv: no such column 'x'");
}

Test(error, clear_resets)
{
    lml_error err = {0};
    lml_error_set(&err, LML_EIO, "boom");
    lml_error_clear(&err);
    cr_assert_eq(err.code, LML_OK);
    cr_assert_str_eq(err.message, "");
}

Test(error, code_names)
{
    cr_assert_str_eq(lml_errcode_name(LML_EFORMAT), "EFORMAT");
    cr_assert_str_eq(lml_errcode_name(LML_ECANCELED), "ECANCELED");
    cr_assert_str_eq(lml_errcode_name((lml_errcode)999), "UNKNOWN");
}
