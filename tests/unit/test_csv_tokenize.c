/* CSV tokenising: Spark's (univocity's) quoting rules, RFC mode on libcsv, line handling,
 * header names and the guards. Columns are read as strings (no inference) unless stated. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include "lakeml/lakeml.h"

static lml_frame *read_str(const char *text, const lml_csv_options *o)
{
    lml_error err = {0};
    lml_frame *f = lml_csv_read_buffer(text, strlen(text), "t.csv", o, &err);
    cr_assert(f, "read failed: %s", err.message);
    return f;
}

/* Cell (r, c) as a NUL-terminated copy in a static buffer; "<null>" for null. */
static const char *cell(const lml_frame *f, size_t r, size_t c)
{
    static char buf[4][256];
    static int slot;
    char *b = buf[slot++ % 4];
    const lml_column *col = lml_frame_column(f, c);
    cr_assert(col, "no column %zu", c);
    cr_assert_lt(r, lml_column_length(col));
    if (lml_column_is_null(col, r))
        return "<null>";
    size_t len;
    const char *s = lml_column_string_at(col, r, &len);
    cr_assert_lt(len, sizeof buf[0]);
    memcpy(b, s, len);
    b[len] = '\0';
    return b;
}

#define NO_HEADER (&(lml_csv_options){0})
#define RFC (&(lml_csv_options){.escape = '"'})

Test(csv_tokenize, plain_fields_split_on_the_delimiter_and_keep_whitespace)
{
    lml_frame *f = read_str("a, b ,c\n 1 ,2,  \n", NO_HEADER);
    cr_assert_eq(lml_frame_num_rows(f), 2);
    cr_assert_eq(lml_frame_num_cols(f), 3);
    cr_assert_str_eq(cell(f, 0, 1), " b ");
    cr_assert_str_eq(cell(f, 1, 0), " 1 ");
    cr_assert_str_eq(cell(f, 1, 2), "  ");
    lml_frame_free(f);
}

Test(csv_tokenize, long_lines_split_correctly_across_sixteen_byte_blocks)
{
    /* 40 fields of varying width exercise the SIMD scan and its scalar tail. */
    char line[1024] = "", expect[64];
    for (int i = 0; i < 40; i++) {
        char fld[32];
        snprintf(fld, sizeof fld, "%s%.*s%d", i ? "," : "", i % 7, "xxxxxxx", i);
        strcat(line, fld);
    }
    strcat(line, "\n");
    lml_frame *f = read_str(line, NO_HEADER);
    cr_assert_eq(lml_frame_num_cols(f), 40);
    for (int i = 0; i < 40; i++) {
        snprintf(expect, sizeof expect, "%.*s%d", i % 7, "xxxxxxx", i);
        cr_assert_str_eq(cell(f, 0, (size_t)i), expect);
    }
    lml_frame_free(f);
}

Test(csv_tokenize, empty_unquoted_field_is_null_and_empty_quoted_is_null_by_default)
{
    lml_frame *f = read_str("a,,\"\",d\n", NO_HEADER);
    cr_assert_eq(lml_frame_num_cols(f), 4);
    cr_assert_str_eq(cell(f, 0, 1), "<null>");
    cr_assert_str_eq(cell(f, 0, 2), "<null>");
    cr_assert_str_eq(cell(f, 0, 3), "d");
    lml_frame_free(f);
}

Test(csv_tokenize, empty_quoted_field_is_an_empty_string_when_null_value_is_set)
{
    lml_frame *f = read_str("a,,\"\",NA\n", &(lml_csv_options){.null_value = "NA"});
    cr_assert_str_eq(cell(f, 0, 1), "<null>"); /* an empty unquoted field is always null */
    cr_assert_str_eq(cell(f, 0, 2), "");
    cr_assert_str_eq(cell(f, 0, 3), "<null>");
    lml_frame_free(f);
}

Test(csv_tokenize, trailing_delimiter_adds_an_empty_field)
{
    lml_frame *f = read_str("a,b,\n", NO_HEADER);
    cr_assert_eq(lml_frame_num_cols(f), 3);
    cr_assert_str_eq(cell(f, 0, 2), "<null>");
    lml_frame_free(f);
}

Test(csv_tokenize, quoted_field_keeps_delimiters_and_drops_quotes)
{
    lml_frame *f = read_str("\"a,b\",\"c\"\n", NO_HEADER);
    cr_assert_eq(lml_frame_num_cols(f), 2);
    cr_assert_str_eq(cell(f, 0, 0), "a,b");
    cr_assert_str_eq(cell(f, 0, 1), "c");
    lml_frame_free(f);
}

Test(csv_tokenize, backslash_escapes_a_quote_inside_quotes_by_default)
{
    lml_frame *f = read_str("\"say \\\"hi\\\"\",\"a\\\\b\",\"c\\d\"\n", NO_HEADER);
    cr_assert_str_eq(cell(f, 0, 0), "say \"hi\"");
    cr_assert_str_eq(cell(f, 0, 1), "a\\b");
    cr_assert_str_eq(cell(f, 0, 2), "c\\d");
    lml_frame_free(f);
}

Test(csv_tokenize, doubled_quotes_keep_the_raw_field_under_default_options)
{
    /* Spark 1.3: titanic's "McGowan, Miss. Anna ""Annie""" reads as its raw text. */
    lml_frame *f = read_str("1,\"McGowan, Miss. Anna \"\"Annie\"\"\",x\n", NO_HEADER);
    cr_assert_eq(lml_frame_num_cols(f), 3);
    cr_assert_str_eq(cell(f, 0, 1), "\"McGowan, Miss. Anna \"\"Annie\"\"\"");
    cr_assert_str_eq(cell(f, 0, 2), "x");
    lml_frame_free(f);
}

Test(csv_tokenize, doubled_quotes_then_a_delimiter_split_the_raw_field)
{
    lml_frame *f = read_str("\"a \"\"b, c\"\" d\",e\n", NO_HEADER);
    cr_assert_eq(lml_frame_num_cols(f), 3);
    cr_assert_str_eq(cell(f, 0, 0), "\"a \"\"b");
    cr_assert_str_eq(cell(f, 0, 1), " c\"\" d\"");
    cr_assert_str_eq(cell(f, 0, 2), "e");
    lml_frame_free(f);
}

Test(csv_tokenize, a_run_of_quotes_before_the_delimiter_gives_one_quote_less)
{
    lml_frame *f = read_str("\"a\"\",\"a\"\"\",\"\"\"\"\n", NO_HEADER);
    cr_assert_eq(lml_frame_num_cols(f), 3);
    cr_assert_str_eq(cell(f, 0, 0), "a\"");
    cr_assert_str_eq(cell(f, 0, 1), "a\"\"");
    cr_assert_str_eq(cell(f, 0, 2), "\"\"");
    lml_frame_free(f);
}

Test(csv_tokenize, text_after_a_closing_quote_keeps_the_raw_field)
{
    lml_frame *f = read_str("\"ab\"cd,\"x\"  ,y\n", NO_HEADER);
    cr_assert_eq(lml_frame_num_cols(f), 3);
    cr_assert_str_eq(cell(f, 0, 0), "\"ab\"cd");
    cr_assert_str_eq(cell(f, 0, 1), "x"); /* whitespace after a closing quote is dropped */
    lml_frame_free(f);
}

Test(csv_tokenize, quote_inside_an_unquoted_field_is_literal)
{
    lml_frame *f = read_str("ab\"c, \"d\"\n", NO_HEADER);
    cr_assert_str_eq(cell(f, 0, 0), "ab\"c");
    cr_assert_str_eq(cell(f, 0, 1), " \"d\""); /* not at the field start: not a quote */
    lml_frame_free(f);
}

Test(csv_tokenize, unterminated_quote_ends_at_the_end_of_the_line)
{
    lml_frame *f = read_str("\"abc,def\nx\n", NO_HEADER);
    cr_assert_eq(lml_frame_num_rows(f), 2);
    cr_assert_str_eq(cell(f, 0, 0), "abc,def");
    cr_assert_str_eq(cell(f, 1, 0), "x");
    lml_frame_free(f);
}

Test(csv_tokenize, rfc_mode_reads_doubled_quotes_as_one_quote)
{
    lml_frame *f = read_str("\"McGowan, Miss. Anna \"\"Annie\"\"\",\"\"\"\",b\n", RFC);
    cr_assert_eq(lml_frame_num_cols(f), 3);
    cr_assert_str_eq(cell(f, 0, 0), "McGowan, Miss. Anna \"Annie\"");
    cr_assert_str_eq(cell(f, 0, 1), "\"");
    lml_frame_free(f);
}

Test(csv_tokenize, rfc_mode_keeps_whitespace_and_empty_fields)
{
    lml_frame *f = read_str(" a ,\"\", \"q\" ,\n", &(lml_csv_options){.escape = '"', .null_value = "NA"});
    cr_assert_eq(lml_frame_num_cols(f), 4);
    cr_assert_str_eq(cell(f, 0, 0), " a ");
    cr_assert_str_eq(cell(f, 0, 1), "");
    cr_assert_str_eq(cell(f, 0, 2), " \"q\" "); /* not at the field start: not a quote */
    cr_assert_str_eq(cell(f, 0, 3), "<null>");
    lml_frame_free(f);
}

Test(csv_tokenize, rfc_mode_keeps_text_after_a_closing_quote_as_libcsv_does)
{
    /* A known difference from Spark: univocity drops whitespace after a closing quote; libcsv
     * (non-strict) keeps reading the quoted field. */
    lml_frame *f = read_str("\"d\" ,\"e\",f\n", RFC);
    cr_assert_str_eq(cell(f, 0, 0), "d\" ,\"e");
    cr_assert_str_eq(cell(f, 0, 1), "f");
    lml_frame_free(f);
    f = read_str("\"d\" ,\"e\",f\n", NO_HEADER);
    cr_assert_str_eq(cell(f, 0, 0), "d");
    cr_assert_str_eq(cell(f, 0, 1), "e");
    lml_frame_free(f);
}

Test(csv_tokenize, without_multi_line_a_newline_inside_quotes_ends_the_record)
{
    lml_frame *f = read_str("\"a\nb\",c\n", NO_HEADER);
    cr_assert_eq(lml_frame_num_rows(f), 2);
    cr_assert_str_eq(cell(f, 0, 0), "a");
    cr_assert_str_eq(cell(f, 1, 0), "b\"");
    lml_frame_free(f);
}

Test(csv_tokenize, multi_line_keeps_newlines_inside_quotes)
{
    const char *text = "id,text\n1,\"line one\nline two\"\n2,\"x\r\ny\"\r\n3,plain\n";
    lml_frame *f = read_str(text, &(lml_csv_options){.header = true, .multi_line = true});
    cr_assert_eq(lml_frame_num_rows(f), 3);
    cr_assert_str_eq(cell(f, 0, 1), "line one\nline two");
    cr_assert_str_eq(cell(f, 1, 1), "x\r\ny");
    cr_assert_str_eq(cell(f, 2, 1), "plain");
    lml_frame_free(f);
    f = read_str(text, &(lml_csv_options){.header = true, .multi_line = true, .escape = '"'});
    cr_assert_eq(lml_frame_num_rows(f), 3);
    cr_assert_str_eq(cell(f, 0, 1), "line one\nline two");
    cr_assert_str_eq(cell(f, 1, 1), "x\r\ny");
    cr_assert_str_eq(cell(f, 2, 0), "3");
    lml_frame_free(f);
}

Test(csv_tokenize, crlf_and_lf_line_ends_read_the_same)
{
    lml_frame *a = read_str("x,y\r\n1,2\r\n\"q\",\r\n", NO_HEADER);
    lml_frame *b = read_str("x,y\n1,2\n\"q\",\n", NO_HEADER);
    cr_assert_eq(lml_frame_num_rows(a), 3);
    for (size_t r = 0; r < 3; r++)
        for (size_t c = 0; c < 2; c++)
            cr_assert_str_eq(cell(a, r, c), cell(b, r, c));
    cr_assert_str_eq(cell(a, 1, 1), "2");
    cr_assert_str_eq(cell(a, 2, 1), "<null>");
    lml_frame_free(a);
    lml_frame_free(b);
}

Test(csv_tokenize, simple_quoted_fields_read_alike_in_every_position)
{
    const char *text = "\"a\",\"b,c\"\r\n\"\",\"x\"\"y\"\n\"d\",\"e\"\r\n\"f\r\",\"g\"";
    for (int rfc = 0; rfc < 2; rfc++) {
        lml_frame *f = read_str(text, &(lml_csv_options){.escape = rfc ? '"' : 0, .null_value = "NA"});
        cr_assert_eq(lml_frame_num_rows(f), 4);
        cr_assert_str_eq(cell(f, 0, 0), "a");
        cr_assert_str_eq(cell(f, 0, 1), "b,c");
        cr_assert_str_eq(cell(f, 1, 0), "");
        cr_assert_str_eq(cell(f, 1, 1), rfc ? "x\"y" : "\"x\"\"y\"");
        cr_assert_str_eq(cell(f, 2, 0), "d");
        cr_assert_str_eq(cell(f, 2, 1), "e");
        cr_assert_str_eq(cell(f, 3, 0), "f\r");
        cr_assert_str_eq(cell(f, 3, 1), "g");
        lml_frame_free(f);
    }
}

Test(csv_tokenize, empty_and_whitespace_only_lines_are_skipped)
{
    lml_frame *f = read_str("\n  \n1,2\n\t \r\n\n3,4", NO_HEADER);
    cr_assert_eq(lml_frame_num_rows(f), 2);
    cr_assert_str_eq(cell(f, 1, 0), "3");
    cr_assert_str_eq(cell(f, 1, 1), "4"); /* last line without a newline */
    lml_frame_free(f);
}

Test(csv_tokenize, comment_lines_are_skipped_only_when_comment_is_set)
{
    const char *text = "#c1\na,b\n#c2\n1,2\n x#y,3\n";
    lml_frame *f = read_str(text, &(lml_csv_options){.header = true, .comment = '#'});
    cr_assert_eq(lml_frame_num_rows(f), 2);
    cr_assert_str_eq(lml_frame_column_name(f, 0), "a");
    cr_assert_str_eq(cell(f, 1, 0), " x#y");
    lml_frame_free(f);
    f = read_str(text, NO_HEADER);
    cr_assert_eq(lml_frame_num_rows(f), 5);
    lml_frame_free(f);
}

Test(csv_tokenize, header_names_follow_spark_rules)
{
    lml_frame *f = read_str("a,,A,b,\"\",c\n1,2,3,4,5,6\n", &(lml_csv_options){.header = true});
    const char *want[] = {"a0", "_c1", "A2", "b", "_c4", "c"};
    cr_assert_eq(lml_frame_num_cols(f), 6);
    for (size_t i = 0; i < 6; i++)
        cr_assert_str_eq(lml_frame_column_name(f, i), want[i]);
    lml_frame_free(f);
}

Test(csv_tokenize, header_names_equal_to_null_value_become_positions)
{
    lml_frame *f = read_str("x,NA\n1,2\n", &(lml_csv_options){.header = true, .null_value = "NA"});
    cr_assert_str_eq(lml_frame_column_name(f, 1), "_c1");
    lml_frame_free(f);
}

Test(csv_tokenize, without_header_columns_are_numbered_from_the_first_record)
{
    lml_frame *f = read_str("\n1,2,3\n4,5\n", NO_HEADER);
    cr_assert_eq(lml_frame_num_cols(f), 3);
    cr_assert_str_eq(lml_frame_column_name(f, 2), "_c2");
    cr_assert_str_eq(cell(f, 1, 2), "<null>");
    lml_frame_free(f);
}

Test(csv_tokenize, other_delimiter_and_quote_characters)
{
    lml_frame *f = read_str("'a;b';c\td\n", &(lml_csv_options){.delimiter = ';', .quote = '\''});
    cr_assert_eq(lml_frame_num_cols(f), 2);
    cr_assert_str_eq(cell(f, 0, 0), "a;b");
    cr_assert_str_eq(cell(f, 0, 1), "c\td");
    lml_frame_free(f);
    f = read_str("\"a\tb\"\tc\n", &(lml_csv_options){.delimiter = '\t', .quote = LML_CSV_NO_QUOTE});
    cr_assert_eq(lml_frame_num_cols(f), 3);
    cr_assert_str_eq(cell(f, 0, 0), "\"a");
    lml_frame_free(f);
}

Test(csv_tokenize, utf8_bom_is_not_part_of_the_first_name)
{
    lml_frame *f = read_str("\xEF\xBB\xBFid,v\n1,2\n", &(lml_csv_options){.header = true});
    cr_assert_str_eq(lml_frame_column_name(f, 0), "id");
    lml_frame_free(f);
}

Test(csv_tokenize, max_columns_guard_names_the_line)
{
    lml_error err = {0};
    const char *text = "a,b\n1,2\n1,2,3,4\n";
    lml_frame *f = lml_csv_read_buffer(text, strlen(text), "g.csv", &(lml_csv_options){.max_columns = 3}, &err);
    cr_assert_null(f);
    cr_assert_eq(err.code, LML_EFORMAT);
    cr_assert_str_eq(err.message, "g.csv:3: record has more than 3 fields (max_columns): \"1,2,3,4\"");
}

Test(csv_tokenize, max_chars_per_column_guard_names_the_line)
{
    lml_error err = {0};
    const char *text = "a,b\n1,2\n1,\"abcdefghijk\"\n";
    lml_frame *f =
        lml_csv_read_buffer(text, strlen(text), "g.csv", &(lml_csv_options){.max_chars_per_column = 10}, &err);
    cr_assert_null(f);
    cr_assert_eq(err.code, LML_EFORMAT);
    cr_assert_str_eq(err.message, "g.csv:3: column '_c1': a value of 11 bytes is over max_chars_per_column (10): "
                                  "\"abcdefghijk\"");
    f = lml_csv_read_buffer(text, strlen(text), "g.csv", &(lml_csv_options){.max_chars_per_column = 11}, &err);
    cr_assert(f, "%s", err.message);
    lml_frame_free(f);
}

Test(csv_tokenize, guards_on_the_header_line_name_the_field)
{
    lml_error err = {0};
    const char *text = "a,bbbbbbbbbbbb\n1,2\n";
    lml_frame *f = lml_csv_read_buffer(text, strlen(text), "h.csv",
                                       &(lml_csv_options){.header = true, .max_chars_per_column = 5}, &err);
    cr_assert_null(f);
    cr_assert_str_eq(err.message, "h.csv:1: field 2: a value of 12 bytes is over max_chars_per_column (5): "
                                  "\"bbbbbbbbbbbb\"");
}

Test(csv_tokenize, bad_options_are_rejected)
{
    lml_error err = {0};
    cr_assert_null(lml_csv_read_buffer("a", 1, "x", &(lml_csv_options){.delimiter = '\n'}, &err));
    cr_assert_eq(err.code, LML_EINVAL);
    cr_assert_null(lml_csv_read_buffer("a", 1, "x", &(lml_csv_options){.quote = ','}, &err));
    cr_assert_eq(err.code, LML_EINVAL);
    cr_assert_null(lml_csv_read_buffer("a", 1, "x", &(lml_csv_options){.mode = (lml_csv_mode)7}, &err));
    cr_assert_eq(err.code, LML_EINVAL);
}

Test(csv_tokenize, empty_input_gives_an_empty_frame)
{
    lml_error err = {0};
    lml_frame *f = lml_csv_read_buffer("", 0, "e.csv", &(lml_csv_options){.header = true}, &err);
    cr_assert(f, "%s", err.message);
    cr_assert_eq(lml_frame_num_cols(f), 0);
    cr_assert_eq(lml_frame_num_rows(f), 0);
    lml_frame_free(f);
    f = lml_csv_read_buffer("a,b\n", 4, "e.csv", &(lml_csv_options){.header = true, .infer_schema = true}, &err);
    cr_assert(f, "%s", err.message);
    cr_assert_eq(lml_frame_num_cols(f), 2);
    cr_assert_eq(lml_frame_num_rows(f), 0);
    cr_assert_eq(lml_column_type(lml_frame_column(f, 0)), LML_STRING);
    lml_frame_free(f);
}
