/* MD5 (RFC 1321) and the `_last_checkpoint` checksum (delta.md §4.2). */
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "delta/checksum.h"
#include "support.h"

static void hex(const uint8_t d[16], char out[33])
{
    for (int i = 0; i < 16; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static void md5_hex(const void *data, size_t len, char out[33])
{
    uint8_t d[16];
    lml_md5(data, len, d);
    hex(d, out);
}

Test(delta_checksum, md5_matches_rfc1321_appendix_vectors)
{
    static const struct {
        const char *in, *md5;
    } v[] = {
        {"", "d41d8cd98f00b204e9800998ecf8427e"},
        {"a", "0cc175b9c0f1b6a831c399e269772661"},
        {"abc", "900150983cd24fb0d6963f7d28e17f72"},
        {"message digest", "f96b697d7cb7938d525a2f31aaf161d0"},
        {"abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"},
        {"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "d174ab98d277d9f5a5611c2c9f419d9f"},
        {"12345678901234567890123456789012345678901234567890123456789012345678901234567890",
         "57edf4a22be3c955ac49da2e2107b67a"},
    };
    char out[33];
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        md5_hex(v[i].in, strlen(v[i].in), out);
        cr_expect_str_eq(out, v[i].md5, "MD5(\"%s\")", v[i].in);
    }
}

/* Lengths around the padding boundaries (55/56 bytes: one or two final blocks) and a long input;
 * digests from Python's hashlib. */
Test(delta_checksum, md5_handles_padding_boundaries_and_long_input)
{
    static const struct {
        size_t n;
        const char *md5;
    } v[] = {
        {55, "ef1772b6dff9a122358552954ad0df65"},   {56, "3b0c8ac703f828b04c6c197006d17218"},
        {63, "b06521f39153d618550606be297466d5"},   {64, "014842d480b571495a4a0363793f7367"},
        {65, "c743a45e0d2e6a95cb859adae0248435"},   {119, "8a7bd0732ed6a28ce75f6dabc90e1613"},
        {120, "5f61c0ccad4cac44c75ff505e1f1e537"},  {1000000, "7707d6ae4e027c70eea2a935c2296f21"},
    };
    char *buf = malloc(1000000);
    cr_assert_not_null(buf);
    memset(buf, 'a', 1000000);
    char out[33];
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        md5_hex(buf, v[i].n, out);
        cr_expect_str_eq(out, v[i].md5, "MD5('a' x %zu)", v[i].n);
    }
    free(buf);
}

static void check_sum(const char *json, const char *want)
{
    char out[33] = {0};
    lml_error err = {0};
    bool ok = lml_delta_json_checksum(json, strlen(json), out, &err);
    cr_assert(ok, "checksum of %s failed: %s", json, err.message);
    cr_expect_str_eq(out, want, "checksum of %s", json);
}

/* The checksum must equal the MD5 of a canonical text written out by hand. */
static void check_canonical(const char *json, const char *canonical)
{
    char want[33];
    md5_hex(canonical, strlen(canonical), want);
    check_sum(json, want);
}

Test(delta_checksum, spec_test_vector)
{
    const char *json = "{\"k0\":\"'v 0'\", \"checksum\": \"adsaskfljadfkjadfkj\", \"k1\":{\"k2\": 2, \"k3\": [\"v3\", "
                       "[1, 2], {\"k4\": \"v4\", \"k5\": [\"v5\", \"v6\", \"v7\"]}]}}";
    const char *canon = "\"k0\"=\"%27v%200%27\",\"k1\"+\"k2\"=2,\"k1\"+\"k3\"+0=\"v3\",\"k1\"+\"k3\"+1+0=1,"
                        "\"k1\"+\"k3\"+1+1=2,\"k1\"+\"k3\"+2+\"k4\"=\"v4\",\"k1\"+\"k3\"+2+\"k5\"+0=\"v5\","
                        "\"k1\"+\"k3\"+2+\"k5\"+1=\"v6\",\"k1\"+\"k3\"+2+\"k5\"+2=\"v7\"";
    char want[33];
    md5_hex(canon, strlen(canon), want);
    cr_expect_str_eq(want, "6a92d155a59bf2eecbd4b4ec7fd1f875");
    check_sum(json, "6a92d155a59bf2eecbd4b4ec7fd1f875");
}

Test(delta_checksum, numbers_are_kept_as_written)
{
    /* cJSON would print 1.50 as 1.5 and lose digits of integers beyond 2^53. */
    check_canonical("{\"a\":1.50,\"b\":-0,\"c\":1E+2,\"d\":18446744073709551617,\"e\":9007199254740993}",
                    "\"a\"=1.50,\"b\"=-0,\"c\"=1E+2,\"d\"=18446744073709551617,\"e\"=9007199254740993");
}

Test(delta_checksum, strings_and_keys_are_decoded_then_url_encoded)
{
    check_canonical("{\"k \\u00fc\":\"\\u00e9\\n/~-._*+\",\"s\":\"\\ud83d\\ude00\",\"t\":\"\"}",
                    "\"k%20%C3%BC\"=\"%C3%A9%0A%2F~-._%2A%2B\",\"s\"=\"%F0%9F%98%80\",\"t\"=\"\"");
    /* Raw UTF-8 in the text is the same string as its \u escape. */
    check_canonical("{\"k\":\"\xc3\xa9\"}", "\"k\"=\"%C3%A9\"");
}

Test(delta_checksum, literals_empty_containers_and_nested_checksum_keys)
{
    check_canonical("{\"a\":true,\"b\":false,\"c\":null,\"d\":{},\"e\":[],\"f\":{\"checksum\":\"x\"}}",
                    "\"a\"=true,\"b\"=false,\"c\"=null,\"f\"+\"checksum\"=\"x\"");
    /* Only the top-level checksum is left out, whatever its type. */
    check_canonical("{\"checksum\":{\"x\":[1,2]},\"v\":1}", "\"v\"=1");
}

Test(delta_checksum, pairs_sort_bytewise_by_path)
{
    check_canonical("{\"b\":1,\"a\":2,\"B\":3}", "\"B\"=3,\"a\"=2,\"b\"=1");
    /* Array indices are text in the path: 10 sorts before 2. */
    check_canonical("{\"x\":[0,1,2,3,4,5,6,7,8,9,10]}",
                    "\"x\"+0=0,\"x\"+1=1,\"x\"+10=10,\"x\"+2=2,\"x\"+3=3,\"x\"+4=4,\"x\"+5=5,\"x\"+6=6,"
                    "\"x\"+7=7,\"x\"+8=8,\"x\"+9=9");
}

Test(delta_checksum, whitespace_does_not_change_the_checksum)
{
    char a[33], b[33];
    const char *tight = "{\"v\":3,\"s\":[1,{\"t\":\"u\"}]}";
    cr_assert(lml_delta_json_checksum(tight, strlen(tight), a, NULL));
    const char *spaced = " \n{ \"v\" : 3 ,\r\n\t\"s\" : [ 1 , { \"t\" : \"u\" } ] }\n";
    cr_assert(lml_delta_json_checksum(spaced, strlen(spaced), b, NULL));
    cr_expect_str_eq(a, b);
}

Test(delta_checksum, length_argument_bounds_the_text)
{
    char a[33], b[33];
    const char *t = "{\"a\":1}garbage";
    cr_assert(lml_delta_json_checksum(t, 7, a, NULL));
    cr_assert(lml_delta_json_checksum("{\"a\":1}", 7, b, NULL));
    cr_expect_str_eq(a, b);
    lml_error err = {0};
    cr_expect_not(lml_delta_json_checksum(t, 6, a, &err));
    cr_expect_eq(err.code, LML_EFORMAT);
}

static const char *const real_files[] = {
    "golden/multi-part-checkpoint/_delta_log/_last_checkpoint",
    "golden/dv-partitioned-with-checkpoint/_delta_log/_last_checkpoint",
    "golden/v2-checkpoint-json/_delta_log/_last_checkpoint",
    "golden/checkpoint/_delta_log/_last_checkpoint",
    "golden/basic-with-inserts-overwrite-restore/_delta_log/_last_checkpoint",
    "golden/basic-with-inserts-deletes-checkpoint/_delta_log/_last_checkpoint",
    "golden/only-checkpoint-files/_delta_log/_last_checkpoint",
    "delta-rs/checkpoint-cdf-table/_delta_log/_last_checkpoint",
};

Test(delta_checksum, real_spark_last_checkpoint_files_verify)
{
    LML_REQUIRE_SHARED(dir, "conformance/delta");
    char base[4096];
    snprintf(base, sizeof base, "%s", dir);
    for (size_t i = 0; i < sizeof real_files / sizeof real_files[0]; i++) {
        char path[4600];
        snprintf(path, sizeof path, "%s/%s", base, real_files[i]);
        size_t len = 0;
        char *text = lml_test_slurp_n(path, &len);
        cr_assert_not_null(text, "cannot read %s", path);
        cJSON *j = cJSON_Parse(text);
        cr_assert_not_null(j, "%s is not JSON", path);
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(j, "checksum");
        cr_assert(cJSON_IsString(c), "%s has no checksum", path);
        char out[33];
        lml_error err = {0};
        cr_assert(lml_delta_json_checksum(text, len, out, &err), "%s: %s", path, err.message);
        cr_expect_str_eq(out, c->valuestring, "%s", path);
        /* One changed digit in sizeInBytes must change the checksum. */
        char *p = strstr(text, "\"sizeInBytes\":");
        if (p) {
            p += strlen("\"sizeInBytes\":");
            *p = *p == '9' ? '8' : (char)(*p + 1);
            char out2[33];
            cr_assert(lml_delta_json_checksum(text, len, out2, NULL));
            cr_expect_str_neq(out2, c->valuestring, "%s with a changed size", path);
        }
        /* Cut in half, the file is malformed. */
        err = (lml_error){0};
        cr_expect_not(lml_delta_json_checksum(text, len / 2, out, &err), "%s truncated", path);
        cr_expect_eq(err.code, LML_EFORMAT);
        cJSON_Delete(j);
        free(text);
    }
}

Test(delta_checksum, real_files_without_checksum_and_the_corrupted_one)
{
    LML_REQUIRE_SHARED(dir, "conformance/delta");
    char base[4096];
    snprintf(base, sizeof base, "%s", dir);
    char path[4600];
    snprintf(path, sizeof path, "%s/golden/125-iterator-bug/_delta_log/_last_checkpoint", base);
    size_t len = 0;
    char *text = lml_test_slurp_n(path, &len);
    cr_assert_not_null(text);
    char out[33];
    cr_assert(lml_delta_json_checksum(text, len, out, NULL));
    check_canonical("{\"version\":10,\"size\":13}", "\"size\"=13,\"version\"=10");
    free(text);

    snprintf(path, sizeof path, "%s/golden/corrupted-last-checkpoint-kernel/_delta_log/_last_checkpoint", base);
    text = lml_test_slurp_n(path, &len);
    cr_assert_not_null(text);
    lml_error err = {0};
    cr_expect_not(lml_delta_json_checksum(text, len, out, &err));
    cr_expect_eq(err.code, LML_EFORMAT);
    free(text);
}

Test(delta_checksum, malformed_json_is_a_clean_format_error)
{
    static const char *const bad[] = {
        "", "   ", "[]", "1", "\"s\"", "{", "{\"a\"", "{\"a\":", "{\"a\":}", "{\"a\":1,}", "{\"a\" 1}",
        "{,}", "{\"a\":01}", "{\"a\":1.}", "{\"a\":.5}", "{\"a\":1e}", "{\"a\":-}", "{\"a\":+1}",
        "{\"a\":tru}", "{\"a\":nul}", "{\"a\":\"x\x01y\"}", "{\"a\":\"\\x\"}", "{\"a\":\"\\u12\"}",
        "{\"a\":\"\\u12g4\"}", "{\"a\":\"\\ud800\"}", "{\"a\":\"\\udc00\"}", "{\"a\":\"\\ud800\\u0041\"}",
        "{\"a\":\"abc", "{\"a\":1} x", "{\"a\":1}{}", "{\"a\":[1,2}", "{\"a\":[1 2]}", "{a:1}",
        "{\"a\":1,\"a\":2}", "{\"a\":{\"b\":1,\"b\":1}}", "{\"a\":\"\\", "{'a':1}", "{\"a\":NaN}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char out[33];
        lml_error err = {0};
        cr_expect_not(lml_delta_json_checksum(bad[i], strlen(bad[i]), out, &err), "accepted %s", bad[i]);
        cr_expect_eq(err.code, LML_EFORMAT, "%s: code %d", bad[i], (int)err.code);
        cr_expect_neq(err.message[0], '\0');
    }
    lml_error err = {0};
    char out[33];
    cr_expect_not(lml_delta_json_checksum(NULL, 0, out, &err));
    cr_expect_eq(err.code, LML_EINVAL);
}

Test(delta_checksum, deep_nesting_is_refused_not_overflowed)
{
    size_t depth = 100000;
    char *t = malloc(depth * 2 + 16);
    cr_assert_not_null(t);
    size_t k = 0;
    t[k++] = '{';
    memcpy(t + k, "\"a\":", 4);
    k += 4;
    for (size_t i = 0; i < depth; i++)
        t[k++] = '[';
    for (size_t i = 0; i < depth; i++)
        t[k++] = ']';
    t[k++] = '}';
    lml_error err = {0};
    char out[33];
    cr_expect_not(lml_delta_json_checksum(t, k, out, &err));
    cr_expect_eq(err.code, LML_EFORMAT);
    cr_expect(strstr(err.message, "deep") != NULL, "%s", err.message);
    free(t);
}
