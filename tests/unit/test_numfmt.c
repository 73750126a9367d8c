#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/internal.h"

static const struct {
    double x;
    const char *shortest, *java;
} cases[] = {
    {1.0, "1.0", "1.0"},
    {-1.5, "-1.5", "-1.5"},
    {0.1, "0.1", "0.1"},
    {0.001, "0.001", "0.001"},
    {0.0001, "0.0001", "1.0E-4"},
    {1e-5, "1e-05", "1.0E-5"},
    {100.0, "100.0", "100.0"},
    {9999999.0, "9999999.0", "9999999.0"},
    {1e7, "10000000.0", "1.0E7"},
    {12345678.0, "12345678.0", "1.2345678E7"},
    {1e15, "1000000000000000.0", "1.0E15"},
    {1e16, "1e+16", "1.0E16"},
    {1.2345678901234568e17, "1.2345678901234568e+17", "1.2345678901234568E17"},
    {1e23, "1e+23", "1.0E23"},
    {0.30000000000000004, "0.30000000000000004", "0.30000000000000004"},
    {1.0 / 3, "0.3333333333333333", "0.3333333333333333"},
    {100.0 / 3, "33.333333333333336", "33.333333333333336"},
    {29.69911764705882, "29.69911764705882", "29.69911764705882"},
    {512.3292, "512.3292", "512.3292"},
    {1.7976931348623157e308, "1.7976931348623157e+308", "1.7976931348623157E308"},
    {2.2250738585072014e-308, "2.2250738585072014e-308", "2.2250738585072014E-308"},
    /* Double.MIN_VALUE: one digit suffices, but Java prints the closest two-digit decimal. */
    {4.9406564584124654e-324, "5e-324", "4.9E-324"},
    {1.5e-323, "1.5e-323", "1.5E-323"},
    {5e-310, "5e-310", "5.0E-310"},
    /* 2^-44: a power of two, where the correctly rounded 16 digits (…801e-14) do not read back
     * but the next decimal up does (the JDK-4511638 example). */
    {0x1p-44, "5.684341886080802e-14", "5.684341886080802E-14"},
    {9007199254740992.0, "9007199254740992.0", "9.007199254740992E15"},
};

Test(numfmt, known_values_print_like_python_repr_and_java)
{
    char buf[LML_DOUBLE_BUF];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t n = lml_format_double_shortest(cases[i].x, buf);
        cr_expect_str_eq(buf, cases[i].shortest, "shortest(%a)", cases[i].x);
        cr_expect_eq(n, strlen(cases[i].shortest));
        n = lml_format_double_java(cases[i].x, buf);
        cr_expect_str_eq(buf, cases[i].java, "java(%a)", cases[i].x);
        cr_expect_eq(n, strlen(cases[i].java));
    }
}

Test(numfmt, specials_and_signed_zero)
{
    char buf[LML_DOUBLE_BUF];
    lml_format_double_shortest(-0.0, buf);
    cr_assert_str_eq(buf, "-0.0");
    cr_assert(signbit(strtod(buf, NULL)) && strtod(buf, NULL) == 0, "-0.0 reads back as negative zero");
    lml_format_double_shortest(0.0, buf);
    cr_assert_str_eq(buf, "0.0");
    lml_format_double_java(-0.0, buf);
    cr_assert_str_eq(buf, "-0.0");
    lml_format_double_shortest(NAN, buf);
    cr_assert_str_eq(buf, "NaN");
    cr_assert(isnan(strtod(buf, NULL)));
    lml_format_double_java(INFINITY, buf);
    cr_assert_str_eq(buf, "Infinity");
    lml_format_double_shortest(-INFINITY, buf);
    cr_assert_str_eq(buf, "-Infinity");
    cr_assert(strtod(buf, NULL) == -INFINITY);
}

/* ---- an independent reference: the closest shortest decimal from x's exact expansion */

typedef struct ref {
    char d[24];
    int n, exp;
} ref;

static bool reads_back(double x, const char *d, int p, int exp)
{
    char b[64];
    snprintf(b, sizeof b, "0.%.*se%d", p, d, exp + 1);
    return strtod(b, NULL) == x;
}

/* Shortest digits (length ≥ minlen) that read back as x, the closest on ties of length. */
static void reference(double x, int minlen, ref *r)
{
    char ex[840], full[800];
    snprintf(ex, sizeof ex, "%.780e", x);
    int nf = 0;
    char *s = ex;
    for (; *s != 'e'; s++)
        if (*s >= '0' && *s <= '9')
            full[nf++] = *s;
    full[nf] = 0;
    int exp = atoi(s + 1);
    for (int p0 = 1; p0 <= 17; p0++) {
        int p = p0 < minlen ? minlen : p0;
        char lo[24], hi[24];
        memcpy(lo, full, (size_t)p);
        lo[p] = 0;
        memcpy(hi, lo, (size_t)p + 1);
        int hexp = exp, k = p - 1;
        while (k >= 0 && hi[k] == '9')
            hi[k--] = '0';
        if (k < 0) {
            hi[0] = '1';
            hexp++;
        } else {
            hi[k]++;
        }
        bool tail = false;
        for (int j = p; j < nf; j++)
            tail |= full[j] != '0';
        bool lo_ok = reads_back(x, lo, p, exp), hi_ok = tail && reads_back(x, hi, p, hexp);
        if (!lo_ok && !hi_ok)
            continue;
        /* closer: tail against one half of the last place */
        int cmp = strncmp(full + p, "5", 1);
        if (cmp == 0) {
            cmp = 0;
            for (int j = p + 1; j < nf; j++)
                if (full[j] != '0')
                    cmp = 1;
        }
        bool take_hi = hi_ok && (!lo_ok || cmp > 0 || (cmp == 0 && (lo[p - 1] - '0') % 2));
        strcpy(r->d, take_hi ? hi : lo);
        r->exp = take_hi ? hexp : exp;
        r->n = (int)strlen(r->d);
        while (r->n > 1 && r->d[r->n - 1] == '0')
            r->d[--r->n] = 0;
        return;
    }
    cr_assert_fail("no 17-digit decimal reads back as %a", x);
}

/* Digits and exponent of a formatted number ("1.25e-05", "1.25E-5", "0.00125", "125.0"). */
static void parse_out(const char *s, ref *r)
{
    char d[64];
    int n = 0, point = -1, lead = 0;
    bool seen = false;
    const char *p = s;
    if (*p == '-')
        p++;
    int pos = 0;
    for (; *p && *p != 'e' && *p != 'E'; p++) {
        if (*p == '.') {
            point = pos;
            continue;
        }
        if (!seen && *p == '0') {
            lead++;
            pos++;
            continue;
        }
        seen = true;
        d[n++] = *p;
        pos++;
    }
    if (point < 0)
        point = pos;
    int e = *p ? atoi(p + 1) : 0;
    while (n > 1 && d[n - 1] == '0')
        n--;
    d[n] = 0;
    strcpy(r->d, d);
    r->n = n;
    r->exp = e + point - lead - 1;
}

static void check_one(double x)
{
    char buf[LML_DOUBLE_BUF];
    ref want, got;
    lml_format_double_shortest(x, buf);
    cr_assert(strtod(buf, NULL) == x, "shortest %s does not read back as %a", buf, x);
    reference(fabs(x), 1, &want);
    parse_out(buf, &got);
    cr_assert(strcmp(want.d, got.d) == 0 && want.exp == got.exp, "shortest(%a) = %s, want %se%d", x, buf, want.d,
              want.exp);
    lml_format_double_java(x, buf);
    cr_assert(strtod(buf, NULL) == x, "java %s does not read back as %a", buf, x);
    reference(fabs(x), 2, &want);
    parse_out(buf, &got);
    cr_assert(strcmp(want.d, got.d) == 0 && want.exp == got.exp, "java(%a) = %s, want %se%d", x, buf, want.d,
              want.exp);
}

Test(numfmt, random_doubles_are_shortest_closest_and_round_trip)
{
    uint64_t s = 0x9e3779b97f4a7c15u;
    for (int i = 0; i < 20000; i++) {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        double x;
        uint64_t bits = s;
        if (i % 4 == 0) /* a quarter subnormal or tiny */
            bits &= 0x800fffffffffffffu;
        memcpy(&x, &bits, sizeof x);
        if (!isfinite(x) || x == 0)
            continue;
        check_one(x);
    }
    for (int i = 0; i < 2000; i++) /* short decimals, the common case in data */
        check_one((double)(i * 37 % 100003) / 1000.0 + 0.001);
    for (int i = 1; i < 3000; i++) { /* whole numbers, up to the 10^15 edge of the integer path */
        check_one((double)((int64_t)i * 7919 % 1000003));
        check_one(1e15 - i);
        check_one((double)i * 1e12);
    }
}

Test(numfmt, every_power_of_two_is_shortest_and_closest)
{
    for (int e = -1074; e <= 1023; e++)
        check_one(ldexp(1.0, e));
}
