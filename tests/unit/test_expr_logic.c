/* Three-valued logic, IN, BETWEEN, IS [NOT] NULL / TRUE / DISTINCT FROM, CASE and LIKE. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include "../expr_support.h"

/* x and y over the nine combinations of TRUE, FALSE, NULL (x major). */
static lml_frame *truth_table(void)
{
    lml_column_builder *x = lml_column_builder_new(LML_BOOL, 9, NULL), *y = lml_column_builder_new(LML_BOOL, 9, NULL);
    for (int k = 0; k < 9; k++) {
        int a = k / 3, b = k % 3; /* 0 true, 1 false, 2 null */
        if (a == 2)
            lml_column_builder_append_null(x, NULL);
        else
            lml_column_builder_append_bool(x, a == 0, NULL);
        if (b == 2)
            lml_column_builder_append_null(y, NULL);
        else
            lml_column_builder_append_bool(y, b == 0, NULL);
    }
    lml_column *cols[] = {lml_column_builder_finish(x, NULL), lml_column_builder_finish(y, NULL)};
    return ex_frame_of(2, (const char *[]){"x", "y"}, cols);
}

Test(expr_logic, and_or_not_follow_three_valued_logic)
{
    lml_frame *f = truth_table();
    EX_EQ(f, "x AND y", "true,false,NULL,false,false,false,NULL,false,NULL");
    EX_EQ(f, "x OR y", "true,true,true,true,false,NULL,true,NULL,NULL");
    EX_EQ(f, "NOT x", "false,false,false,true,true,true,NULL,NULL,NULL");
    EX_EQ(f, "!y", "false,true,NULL,false,true,NULL,false,true,NULL");
    EX_EQ(f, "x AND NULL", "NULL,NULL,NULL,false,false,false,NULL,NULL,NULL");
    EX_EQ(f, "NULL OR x", "true,true,true,NULL,NULL,NULL,NULL,NULL,NULL");
    EX_EQ(f, "x OR TRUE", "true,true,true,true,true,true,true,true,true");
    EX_EQ(f, "x AND FALSE", "false,false,false,false,false,false,false,false,false");
    EX_EQ(f, "NOT (x AND y) = (NOT x OR NOT y)", "true,true,NULL,true,true,true,NULL,true,NULL");
    lml_frame_free(f);
    EX_CONST("NULL AND FALSE", "false");
    EX_CONST("NULL AND TRUE", "NULL");
    EX_CONST("NULL OR TRUE", "true");
    EX_CONST("NULL OR FALSE", "NULL");
    EX_CONST("NOT NULL", "NULL");
    EX_CONST("TRUE AND NOT FALSE", "true");
    EX_CONST("NOT TRUE OR TRUE", "true"); /* NOT binds tighter than OR */
    EX_CONST("NOT 1 = 2", "true");        /* and looser than = */
    EX_CONST("TRUE OR FALSE AND FALSE", "true"); /* AND before OR */
}

Test(expr_logic, in_lists_are_null_when_not_found_among_nulls)
{
    lml_frame *f = ex_frame();
    EX_EQ(f, "i IN (1, 4)", "true,false,NULL,true,false");
    EX_EQ(f, "i IN (1, NULL)", "true,NULL,NULL,NULL,NULL");
    EX_EQ(f, "i NOT IN (1, NULL)", "false,NULL,NULL,NULL,NULL");
    EX_EQ(f, "i NOT IN (1, 4)", "false,true,NULL,false,true");
    EX_EQ(f, "i IN ('1', '4')", "true,false,NULL,true,false"); /* compared as strings */
    EX_EQ(f, "i IN (1.0, 2.5)", "true,false,NULL,false,false");
    EX_EQ(f, "s IN ('a', 'Abc')", "true,false,NULL,false,true");
    EX_EQ(f, "i IN (i)", "true,true,NULL,true,true");
    EX_EQ(f, "l IN (3000000000)", "false,NULL,true,false,false");
    /* long constant lists take the sorted-set path: same answers */
    EX_EQ(f, "i IN (1, 3, 5, 7, 9, 11, 13, -5)", "true,false,NULL,false,true");
    EX_EQ(f, "i IN (10, 20, 30, 40, 50, 60, 70, 80, NULL)", "NULL,NULL,NULL,NULL,NULL");
    EX_EQ(f, "i IN (2, 20, 30, 40, 50, 60, 70, 80, NULL)", "NULL,true,NULL,NULL,NULL");
    EX_EQ(f, "i NOT IN (2, 20, 30, 40, 50, 60, 70, 80, 90)", "true,false,NULL,true,true");
    EX_EQ(f, "s IN ('a', 'b', 'c', 'd', 'e', 'f', 'g', 'Abc')", "true,false,NULL,false,true");
    EX_EQ(f, "d IN (1.5, 2, 3, 4, 5, 6, 7, CAST('NaN' AS DOUBLE))", "true,true,NULL,false,true");
    EX_EQ(f, "l IN (1, 2, 3, 4, 5, 6, 7, 3000000000, 0)", "false,NULL,true,false,true");
    EX_EQ(f, "dt IN ('2024-02-29', '2000-01-01', '2000-01-02', '2000-01-03', '2000-01-04', '2000-01-05', "
             "'2000-01-06', '1969-12-31')",
          "false,true,NULL,false,true");
    EX_EQ(f, "i IN (1, 2, 3, 4, 5, 6, 7, i)", "true,true,NULL,true,true"); /* not all constant: the chain */
    EX_CONST("-0.0 IN (0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0)", "true");
    EX_CONST("NULL IN (1, 2)", "NULL");
    EX_CONST("1 IN (NULL, 1)", "true");
    lml_frame_free(f);
}

Test(expr_logic, between_is_two_comparisons)
{
    lml_frame *f = ex_frame();
    EX_EQ(f, "i BETWEEN 1 AND 2", "true,true,NULL,false,false");
    EX_EQ(f, "i NOT BETWEEN 1 AND 2", "false,false,NULL,true,true");
    EX_EQ(f, "i BETWEEN -10 AND 1", "true,false,NULL,false,true");
    EX_EQ(f, "i BETWEEN 1 AND 2 AND i > 1", "false,true,NULL,false,false");
    EX_EQ(f, "i + 1 BETWEEN 2 AND 3", "true,true,NULL,false,false");
    EX_EQ(f, "dt BETWEEN '2024-01-01' AND '2024-12-31'", "true,true,NULL,false,false");
    EX_CONST("NULL BETWEEN 1 AND 2", "NULL");
    EX_CONST("5 BETWEEN NULL AND 2", "false"); /* NULL AND FALSE */
    lml_frame_free(f);
}

Test(expr_logic, null_tests)
{
    lml_frame *f = ex_frame();
    EX_EQ(f, "i IS NULL", "false,false,true,false,false");
    EX_EQ(f, "s IS NOT NULL", "true,true,false,true,true");
    EX_EQ(f, "ts IS NULL", "false,true,false,false,false");
    EX_EQ(f, "(i > 1) IS NULL", "false,false,true,false,false");
    EX_EQ(f, "b IS TRUE", "true,false,false,true,false");
    EX_EQ(f, "b IS NOT FALSE", "true,false,true,true,false");
    EX_EQ(f, "i IS DISTINCT FROM 2", "true,false,true,true,true");
    EX_EQ(f, "i IS NOT DISTINCT FROM NULL", "false,false,true,false,false");
    EX_CONST("NULL IS NULL", "true");
    EX_CONST("1 IS NOT NULL", "true");
    lml_frame_free(f);
}

Test(expr_logic, case_takes_the_first_true_branch)
{
    lml_frame *f = ex_frame();
    EX_EQ(f, "CASE WHEN i > 1 THEN 'big' WHEN i < 0 THEN 'neg' ELSE 'small' END", "small,big,small,big,neg");
    EX_EQ(f, "CASE WHEN b THEN 1 END", "1,NULL,NULL,1,NULL");
    EX_EQ(f, "CASE i WHEN 1 THEN 'one' WHEN 2 THEN 'two' ELSE 'many' END", "one,two,many,many,many");
    EX_EQ(f, "CASE WHEN b THEN 1 ELSE 2.5 END", "1.0,2.5,2.5,1.0,2.5");
    cr_expect_eq(ex_type(f, "CASE WHEN b THEN 1 ELSE 2.5 END"), LML_DOUBLE);
    EX_EQ(f, "CASE WHEN i > 0 THEN s ELSE i END", "a,abc,NULL,x_y,-5"); /* string promotion */
    EX_EQ(f, "CASE WHEN i IS NULL THEN l ELSE i END", "1,2,3000000000,4,-5");
    EX_EQ(f, "CASE WHEN d > 0 THEN dt END", "2024-01-31,2024-02-29,NULL,NULL,1969-12-31");
    EX_CONST("CASE WHEN NULL THEN 1 ELSE 2 END", "2");
    EX_CONST("CASE WHEN FALSE THEN 1 END", "NULL");
    EX_CONST("CASE 3 WHEN 1 THEN 'a' WHEN 3 THEN 'c' END", "c");
    EX_CONST("CASE NULL WHEN NULL THEN 'eq' ELSE 'ne' END", "ne"); /* NULL = NULL is not true */
    lml_frame_free(f);
}

Test(expr_logic, like_matches_percent_underscore_and_escapes)
{
    lml_frame *f = ex_frame();
    EX_EQ(f, "s LIKE 'a%'", "true,true,NULL,false,false");
    EX_EQ(f, "s LIKE '%b%'", "false,true,NULL,false,true");
    EX_EQ(f, "s LIKE '_b_'", "false,true,NULL,false,true");
    EX_EQ(f, "s LIKE 'x\\_y'", "false,false,NULL,true,false");
    EX_EQ(f, "s NOT LIKE 'a%'", "false,false,NULL,true,true");
    EX_EQ(f, "s LIKE s", "true,true,NULL,true,true");
    EX_EQ(f, "i LIKE '-%'", "false,false,NULL,false,true"); /* numbers match as text */
    lml_frame_free(f);
    EX_CONST("'xay' LIKE 'x\\_y'", "false");
    EX_CONST("'xay' LIKE 'x_y'", "true");
    EX_CONST("'10%' LIKE '10#%' ESCAPE '#'", "true");
    EX_CONST("'100' LIKE '10#%' ESCAPE '#'", "false");
    EX_CONST("'a\\\\b' LIKE 'a\\\\\\\\b'", "true"); /* the text a\b, the pattern a\\b */
    EX_CONST("'h\xc3\xa9llo' LIKE 'h_llo'", "true"); /* _ is one character, not one byte */
    EX_CONST("'' LIKE '%'", "true");
    EX_CONST("'abc' LIKE ''", "false");
    EX_CONST("'aXbXc' LIKE '%a%b%c'", "true");
    EX_CONST("'aXcXb' LIKE '%a%b%c'", "false");
    EX_CONST("'mississippi' LIKE '%iss%ppi'", "true");
    EX_CONST("'abc' LIKE 'ABC'", "false");
    EX_CONST("NULL LIKE 'a'", "NULL");
    char msg[LML_ERROR_MESSAGE_MAX];
    cr_expect_eq(ex_fail(NULL, "'a' LIKE 'a\\\\b'", msg), LML_EINVAL);
    cr_expect(strstr(msg, "escape") != NULL, "%s", msg);
    ex_fails_as(NULL, "'a' LIKE 'a\\\\'", LML_EINVAL, NULL);
    /* a literal pattern is checked before any row is read: the type check already fails */
    lml_error err = {0};
    lml_expr *e = lml_expr_parse("'a' LIKE 'a\\\\b'", &err);
    lml_type t;
    cr_expect_not(lml_expr_result_type(e, NULL, 0, &t, &err));
    cr_expect_str_eq(err.message, "LIKE at position 5: the pattern 'a\\b' has the escape character '\\' before "
                                  "something other than '%', '_' or itself");
    lml_expr_free(e);
    /* a pattern read from a column is checked row by row */
    const char *pats[] = {"a%", "a\\b"};
    lml_column *c = lml_column_from_strings(pats, 2, NULL);
    lml_frame *pf = ex_frame_of(1, (const char *[]){"p"}, &c);
    cr_expect_eq(ex_fail(pf, "'abc' LIKE p", msg), LML_EINVAL);
    cr_expect(strstr(msg, "position 7") != NULL, "%s", msg);
    lml_frame_free(pf);
}
