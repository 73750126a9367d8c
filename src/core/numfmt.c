/* Number formatting: shortest round-trip decimal digits of a double, laid out either as Python's
 * repr does (for CSV and logs) or as Java's Double.toString does (for Spark's show/describe).
 *
 * The digits come from glibc's correctly rounded printf and strtod: for a double whose rounding
 * interval is symmetric (every double except the powers of two), the correctly rounded p-digit
 * decimal is the closest p-digit decimal, so it round-trips iff any p-digit decimal does, and
 * round-tripping is monotone in p. At a power of two the interval below is half as wide as the
 * one above, so the closest 16- or 17-digit decimal may fall outside while the one on the other
 * side is inside; those doubles take an exact path that expands the value fully and tries both
 * neighbours. */
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/internal.h"

/* Shortest digits of a finite x > 0: NUL-terminated, no trailing zeros; x ≈ d1.d2d3… × 10^exp. */
typedef struct digits {
    char d[24];
    int n;
    int exp;
} digits;

/* Splits printf's "%.*e" text ("d.ddde+XX" or "de-XX") into digits and exponent. */
static void parse_e(const char *s, digits *out)
{
    int n = 0;
    for (; *s && *s != 'e'; s++)
        if (*s >= '0' && *s <= '9' && n < (int)sizeof out->d - 1)
            out->d[n++] = *s;
    out->exp = *s == 'e' ? atoi(s + 1) : 0;
    while (n > 1 && out->d[n - 1] == '0')
        n--;
    out->d[n] = '\0';
    out->n = n;
}

static bool round_trips(double x, int p, char *buf, size_t cap)
{
    snprintf(buf, cap, "%.*e", p - 1, x);
    return strtod(buf, NULL) == x;
}

/* Candidate digits cand[0..p) × 10^(exp − p + 1) read back as x? */
static bool candidate_round_trips(double x, const char *cand, int p, int exp)
{
    char buf[64];
    int k = snprintf(buf, sizeof buf, "%c.", cand[0]);
    memcpy(buf + k, cand + 1, (size_t)(p - 1));
    k += p - 1;
    snprintf(buf + k, sizeof buf - (size_t)k, "e%d", exp);
    return strtod(buf, NULL) == x;
}

/* Exact path for powers of two: among the p-digit decimals just below and just above x (found by
 * truncating x's full expansion), keep those that read back as x and pick the closer one, the
 * even one on a tie. Returns false when neither round-trips at this length. */
static bool exact_pick(double x, const char *full, int nfull, int exp, int p, digits *out)
{
    char lo[24], hi[24];
    memcpy(lo, full, (size_t)p);
    bool tail_zero = true;
    for (int i = p; i < nfull; i++)
        if (full[i] != '0')
            tail_zero = false;
    memcpy(hi, lo, (size_t)p);
    int hi_exp = exp;
    int i = p - 1;
    while (i >= 0 && hi[i] == '9')
        hi[i--] = '0';
    if (i >= 0) {
        hi[i]++;
    } else { /* 99…9 + 1 = 100…0: one more digit, keep p by moving the exponent */
        hi[0] = '1';
        hi_exp++;
    }
    bool lo_ok = candidate_round_trips(x, lo, p, exp);
    bool hi_ok = !tail_zero && candidate_round_trips(x, hi, p, hi_exp);
    if (!lo_ok && !hi_ok)
        return false;
    bool take_hi = hi_ok;
    if (lo_ok && hi_ok) {
        /* Compare the tail (x − lo in units of the last place) with one half. */
        int cmp = 0;
        if (full[p] > '5' || full[p] < '5') {
            cmp = full[p] > '5' ? 1 : -1;
        } else {
            for (int j = p + 1; j < nfull && cmp == 0; j++)
                if (full[j] != '0')
                    cmp = 1;
        }
        take_hi = cmp > 0 || (cmp == 0 && ((lo[p - 1] - '0') & 1));
    }
    char buf[48];
    const char *c = take_hi ? hi : lo;
    int e = take_hi ? hi_exp : exp;
    int k = snprintf(buf, sizeof buf, "%c.", c[0]);
    memcpy(buf + k, c + 1, (size_t)(p - 1));
    k += p - 1;
    snprintf(buf + k, sizeof buf - (size_t)k, "e%d", e);
    parse_e(buf, out);
    return true;
}

/* printf and strtod follow the thread's LC_NUMERIC; the digits must not depend on a host
 * application's setlocale, so the work runs under the "C" locale. */
static locale_t c_loc;
static pthread_once_t c_loc_once = PTHREAD_ONCE_INIT;
static void make_c_loc(void) { c_loc = newlocale(LC_ALL_MASK, "C", (locale_t)0); }

/* min_len 2 gives Java's rule: when a 1-digit decimal would do, the closest decimal of length
 * at most 2 is chosen instead (so 4.9E-324 rather than 5.0E-324). */
static void shortest_digits_c(double x, int min_len, digits *out);

static void shortest_digits(double x, int min_len, digits *out)
{
    pthread_once(&c_loc_once, make_c_loc);
    locale_t old = c_loc ? uselocale(c_loc) : (locale_t)0;
    shortest_digits_c(x, min_len, out);
    if (c_loc)
        uselocale(old);
}

static void shortest_digits_c(double x, int min_len, digits *out)
{
    uint64_t bits;
    memcpy(&bits, &x, sizeof bits);
    unsigned biased = (unsigned)(bits >> 52) & 0x7ff;
    bool asymmetric = (bits & ((UINT64_C(1) << 52) - 1)) == 0 && biased > 1;
    char buf[64];
    int first = 1;
    if (x < 1e15 && x >= 1 && x == (double)(int64_t)x) { /* whole numbers: exact, no printf needed */
        int64_t v = (int64_t)x;
        int n = 0;
        char rev[20];
        while (v) {
            rev[n++] = (char)('0' + v % 10);
            v /= 10;
        }
        out->exp = n - 1;
        int k = 0;
        while (k < n - 1 && rev[k] == '0')
            k++; /* trailing zeros */
        out->n = n - k;
        for (int i = 0; i < out->n; i++)
            out->d[i] = rev[n - 1 - i];
        out->d[out->n] = '\0';
        return;
    }
    if (biased != 0) {
        /* A normal double's rounding interval is within 2^-53 of x (relative), far inside the
         * 10^-15 spacing of 15-digit decimals: a decimal of ≤ 15 digits that reads back as x is
         * then x rounded to 15 digits, trailing zeros dropped (and, having ≥ 2 digits available,
         * also what Java's two-digit rule picks). One printf and one strtod settle most data. */
        if (round_trips(x, 15, buf, sizeof buf)) {
            parse_e(buf, out);
            return;
        }
        if (!asymmetric) {
            if (!round_trips(x, 16, buf, sizeof buf))
                snprintf(buf, sizeof buf, "%.16e", x);
            parse_e(buf, out);
            return;
        }
        first = 16;
    } else {
        /* Subnormals: fewer significant bits, so search every length (the interval is symmetric). */
        int lo = 1, hi = 17;
        while (lo < hi) {
            int mid = (lo + hi) / 2;
            if (round_trips(x, mid, buf, sizeof buf))
                hi = mid;
            else
                lo = mid + 1;
        }
        if (lo < min_len)
            lo = min_len;
        snprintf(buf, sizeof buf, "%.*e", lo - 1, x);
        parse_e(buf, out);
        return;
    }
    /* A double's exact decimal expansion has at most 767 significant digits. */
    char exact[840];
    snprintf(exact, sizeof exact, "%.780e", x);
    char full[800];
    int nfull = 0;
    const char *s = exact;
    for (; *s && *s != 'e'; s++)
        if (*s >= '0' && *s <= '9')
            full[nfull++] = *s;
    int exp = atoi(s + 1);
    for (int p = first; p <= 17; p++) {
        if (exact_pick(x, full, nfull, exp, p < min_len ? min_len : p, out))
            return;
    }
    snprintf(buf, sizeof buf, "%.16e", x); /* unreachable: 17 digits always round-trip */
    parse_e(buf, out);
}

/* Writes d1…dn with the point after position `point` (may be ≤ 0 or ≥ n), padding with zeros,
 * and at least one digit after the point. */
static size_t put_fixed(char *o, const digits *dg, int point)
{
    size_t k = 0;
    if (point <= 0) {
        o[k++] = '0';
        o[k++] = '.';
        for (int i = 0; i < -point; i++)
            o[k++] = '0';
        memcpy(o + k, dg->d, (size_t)dg->n);
        k += (size_t)dg->n;
    } else {
        for (int i = 0; i < point; i++)
            o[k++] = i < dg->n ? dg->d[i] : '0';
        o[k++] = '.';
        if (dg->n > point) {
            memcpy(o + k, dg->d + point, (size_t)(dg->n - point));
            k += (size_t)(dg->n - point);
        } else {
            o[k++] = '0';
        }
    }
    o[k] = '\0';
    return k;
}

/* The start every layout shares: NaN, ±Infinity and ±0 are written whole (true, *len their
 * length); any other x gets its '-' written when negative, *len the bytes so far, and *x = |x|. */
static bool special(double *x, char buf[LML_DOUBLE_BUF], size_t *len)
{
    const char *s = NULL;
    if (isnan(*x))
        s = "NaN";
    else if (isinf(*x))
        s = *x > 0 ? "Infinity" : "-Infinity";
    else if (*x == 0)
        s = signbit(*x) ? "-0.0" : "0.0";
    if (!s) {
        *len = 0;
        if (*x < 0) {
            buf[(*len)++] = '-';
            *x = -*x;
        }
        return false;
    }
    *len = strlen(s);
    memcpy(buf, s, *len + 1);
    return true;
}

/* Python's repr layout of shortest digits: positional for 1e-4 ≤ |x| < 1e16, else d.ddde±XX. */
static size_t put_python(char *buf, const digits *dg)
{
    if (dg->exp >= -4 && dg->exp < 16)
        return put_fixed(buf, dg, dg->exp + 1);
    size_t k = 0;
    buf[k++] = dg->d[0];
    if (dg->n > 1) {
        buf[k++] = '.';
        memcpy(buf + k, dg->d + 1, (size_t)dg->n - 1);
        k += (size_t)dg->n - 1;
    }
    k += (size_t)snprintf(buf + k, 16, "e%c%02d", dg->exp < 0 ? '-' : '+', abs(dg->exp));
    return k;
}

/* Java's layout of shortest digits (Double.toString and Float.toString alike): plain decimal for
 * 1e-3 ≤ |x| < 1e7, else computerized scientific ("1.0E-4"). */
static size_t put_java(char *buf, const digits *dg)
{
    if (dg->exp >= -3 && dg->exp < 7)
        return put_fixed(buf, dg, dg->exp + 1);
    size_t k = 0;
    buf[k++] = dg->d[0];
    buf[k++] = '.';
    if (dg->n > 1) {
        memcpy(buf + k, dg->d + 1, (size_t)dg->n - 1);
        k += (size_t)dg->n - 1;
    } else {
        buf[k++] = '0';
    }
    k += (size_t)snprintf(buf + k, 16, "E%d", dg->exp);
    return k;
}

/* x's shortest digits (at least min_len) laid out by put, after the sign and special values. */
static size_t format_double(double x, char buf[LML_DOUBLE_BUF], int min_len,
                            size_t (*put)(char *, const digits *))
{
    size_t k;
    if (special(&x, buf, &k))
        return k;
    digits dg;
    shortest_digits(x, min_len, &dg);
    return k + put(buf + k, &dg);
}

size_t lml_format_double_shortest(double x, char buf[LML_DOUBLE_BUF]) { return format_double(x, buf, 1, put_python); }

size_t lml_format_double_java(double x, char buf[LML_DOUBLE_BUF]) { return format_double(x, buf, 2, put_java); }

size_t lml_format_float_java(float f, char buf[LML_DOUBLE_BUF])
{
    double x = f;
    size_t k;
    if (special(&x, buf, &k))
        return k;
    f = (float)x;
    /* Shortest digits (at least two, as Java's FloatingDecimal gives "1.4E-45" for the smallest
     * float) whose correctly rounded decimal reads back as f; 9 digits always do. */
    char e[32];
    pthread_once(&c_loc_once, make_c_loc);
    locale_t old = c_loc ? uselocale(c_loc) : (locale_t)0;
    for (int p = 2; p <= 9; p++) {
        snprintf(e, sizeof e, "%.*e", p - 1, (double)f);
        if (strtof(e, NULL) == f)
            break;
    }
    if (c_loc)
        uselocale(old);
    digits dg;
    parse_e(e, &dg);
    return k + put_java(buf + k, &dg);
}
