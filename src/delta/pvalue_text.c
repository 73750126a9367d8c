/* The text forms of partition values (delta.md §8.5) that need more than a few lines: Java float
 * text, decimals rounded half-up to a scale, proleptic Gregorian dates and timestamps with zone
 * offsets, read and printed the way Spark does. Callers (pvalue.c) pass trimmed [b, e) ranges. */
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/internal.h"
#include "frame/internal.h"
#include "pvalue_internal.h"

/* strtod and strtof follow LC_NUMERIC; partition values are always '.'-decimal, whatever
 * locale the host application chose. */
static locale_t c_loc;
static pthread_once_t c_loc_once = PTHREAD_ONCE_INIT;
static void make_c_loc(void) { c_loc = newlocale(LC_ALL_MASK, "C", (locale_t)0); }

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

/* Java's Double.parseDouble / Float.parseFloat text (decimal only): NaN, Infinity (Spark also
 * takes inf), [+-]digits[.digits][e[+-]digits], an optional f/d suffix. */
bool lml_delta_pv_parse_float(const char *b, const char *e, bool is_float, double *out)
{
    const char *p = b;
    bool neg = false;
    if (p < e && (*p == '+' || *p == '-'))
        neg = *p++ == '-';
    if (lml_delta_ieq(p, e, "nan")) {
        *out = NAN;
        return true;
    }
    if (lml_delta_ieq(p, e, "infinity") || lml_delta_ieq(p, e, "inf")) {
        *out = neg ? -INFINITY : INFINITY;
        return true;
    }
    size_t nd = 0;
    for (; p < e && is_digit(*p); p++)
        nd++;
    if (p < e && *p == '.')
        for (p++; p < e && is_digit(*p); p++)
            nd++;
    if (nd == 0)
        return false;
    if (p < e && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < e && (*p == '+' || *p == '-'))
            p++;
        if (p >= e || !is_digit(*p))
            return false;
        while (p < e && is_digit(*p))
            p++;
    }
    const char *num_end = p;
    if (p < e && (*p == 'f' || *p == 'F' || *p == 'd' || *p == 'D'))
        p++;
    char buf[1024];
    size_t n = (size_t)(num_end - b);
    if (p != e || n >= sizeof buf)
        return false;
    memcpy(buf, b, n);
    buf[n] = '\0';
    pthread_once(&c_loc_once, make_c_loc);
    if (is_float)
        *out = c_loc ? strtof_l(buf, NULL, c_loc) : strtof(buf, NULL);
    else
        *out = c_loc ? strtod_l(buf, NULL, c_loc) : strtod(buf, NULL);
    return true;
}

__extension__ typedef unsigned __int128 u128;

static u128 pow10_u128(long n)
{
    u128 r = 1;
    while (n-- > 0)
        r *= 10;
    return r;
}

/* A decimal string ([+-]digits[.digits][e[+-]digits]) as the unscaled value at `scale`, rounded
 * half-up as Spark's cast does; false when it does not parse or needs more than `precision`
 * digits. */
bool lml_delta_pv_parse_decimal(const char *b, const char *e, int precision, int scale, uint64_t *lo, int64_t *hi)
{
    bool neg = false, dot = false, any = false;
    if (b < e && (*b == '+' || *b == '-'))
        neg = *b++ == '-';
    u128 m = 0;
    long sig = 0, frac = 0, pend = 0; /* pend: zeros after the last nonzero digit, not yet in m */
    for (; b < e; b++) {
        if (*b == '.') {
            if (dot)
                return false;
            dot = true;
            continue;
        }
        if (!is_digit(*b))
            break;
        any = true;
        frac += dot;
        if (*b == '0') {
            pend += m != 0;
            continue;
        }
        sig += pend + 1;
        if (sig > 38)
            return false;
        m = m * pow10_u128(pend) * 10 + (unsigned)(*b - '0');
        pend = 0;
    }
    if (!any)
        return false;
    long exp = 0;
    if (b < e && (*b == 'e' || *b == 'E')) {
        b++;
        bool eneg = false;
        if (b < e && (*b == '+' || *b == '-'))
            eneg = *b++ == '-';
        if (b >= e || !is_digit(*b))
            return false;
        for (; b < e && is_digit(*b); b++) {
            exp = exp * 10 + (*b - '0');
            if (exp > 100000)
                return false;
        }
        if (eneg)
            exp = -exp;
    }
    if (b != e)
        return false;
    long shift = scale + exp - frac + pend;
    if (m != 0 && shift > 0) {
        if (shift + sig > precision)
            return false;
        m *= pow10_u128(shift);
    } else if (m != 0 && shift < 0) {
        if (-shift > 38) {
            m = 0; /* below half a unit of the last place */
        } else {
            u128 p = pow10_u128(-shift), q = m / p;
            if ((m % p) * 2 >= p)
                q++;
            m = q;
        }
    }
    if (m >= pow10_u128(precision))
        return false;
    u128 v = neg ? (u128)0 - m : m;
    *lo = (uint64_t)v;
    *hi = (int64_t)(uint64_t)(v >> 64);
    return true;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int days_in_month(int64_t y, int m)
{
    static const int dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : dm[m - 1];
}

/* Between min and max digits at *p (no more may follow). */
static bool read_digits(const char **p, const char *e, int min, int max, int64_t *out)
{
    int64_t v = 0;
    int n = 0;
    while (*p < e && is_digit(**p)) {
        if (++n > max)
            return false;
        v = v * 10 + (**p - '0');
        (*p)++;
    }
    *out = v;
    return n >= min;
}

/* Exactly two digits, whatever follows (compact zone offsets: +0530). */
static bool two_digits(const char **p, const char *e, int64_t *out)
{
    if (e - *p < 2 || !is_digit((*p)[0]) || !is_digit((*p)[1]))
        return false;
    *out = ((*p)[0] - '0') * 10 + ((*p)[1] - '0');
    *p += 2;
    return true;
}

/* [+-]yyyy[yyy]-M[M]-d[d] (7 digits reach every int32 day): Java prints years past 9999 with '+' and BCE years with '-'. */
static bool parse_date_part(const char **pp, const char *e, int64_t *days)
{
    const char *p = *pp;
    bool neg = false;
    if (p < e && (*p == '+' || *p == '-'))
        neg = *p++ == '-';
    int64_t y, m, d;
    if (!read_digits(&p, e, 4, 7, &y) || p >= e || *p++ != '-' || !read_digits(&p, e, 1, 2, &m) ||
        p >= e || *p++ != '-' || !read_digits(&p, e, 1, 2, &d))
        return false;
    if (neg)
        y = -y;
    if (m < 1 || m > 12 || d < 1 || d > days_in_month(y, (int)m))
        return false;
    *days = days_from_civil(y, (int)m, (int)d);
    *pp = p;
    return true;
}

bool lml_delta_pv_parse_date(const char *b, const char *e, int64_t *days)
{
    return parse_date_part(&b, e, days) && b == e;
}

/* date[( |T)HH:mm:ss[.f{1,6}][Z|±HH[:]MM]]. A zone offset shifts a UTC timestamp; a wall-clock
 * (ntz) value takes only 'Z'. Text without a zone is read as UTC. */
bool lml_delta_pv_parse_timestamp(const char *b, const char *e, bool utc, int64_t *out)
{
    const char *p = b;
    int64_t days, h = 0, mi = 0, s = 0, us = 0, off = 0;
    if (!parse_date_part(&p, e, &days))
        return false;
    if (p < e) {
        if (*p != ' ' && *p != 'T')
            return false;
        p++;
        if (!read_digits(&p, e, 1, 2, &h) || p >= e || *p++ != ':' || !read_digits(&p, e, 2, 2, &mi) ||
            p >= e || *p++ != ':' || !read_digits(&p, e, 2, 2, &s))
            return false;
        if (p < e && *p == '.') {
            p++;
            const char *f = p;
            if (!read_digits(&p, e, 1, 6, &us))
                return false;
            for (long n = p - f; n < 6; n++)
                us *= 10;
        }
        if (p < e && *p == 'Z') {
            p++;
        } else if (p < e && (*p == '+' || *p == '-')) {
            bool neg = *p++ == '-';
            int64_t oh, om = 0;
            if (!utc || !two_digits(&p, e, &oh))
                return false;
            if (p < e && *p == ':')
                p++;
            if (p < e && !two_digits(&p, e, &om))
                return false;
            if (oh > 18 || om > 59)
                return false;
            off = (oh * 3600 + om * 60) * (neg ? -1 : 1);
        }
        if (p != e || h > 23 || mi > 59 || s > 59)
            return false;
    }
    /* Before 1970 the day's start can lie below INT64_MIN while the instant itself does not
     * (the earliest representable timestamps), so step from the next midnight instead. */
    const int64_t day = INT64_C(86400000000);
    int64_t tod = (h * 3600 + mi * 60 + s - off) * 1000000 + us, t;
    if (days < 0) {
        days++;
        tod -= day;
    }
    if (__builtin_mul_overflow(days, day, &t) || __builtin_add_overflow(t, tod, &t))
        return false;
    *out = t;
    return true;
}

/* Float.toString, as show() prints floats (one implementation, in core/numfmt.c). */
void lml_delta_pv_format_float_java(float f, char buf[64]) { lml_format_float_java(f, buf); }

/* BigDecimal.toPlainString of unscaled × 10^-scale: "-1.50", "0.05", "12" (lml_decimal_format on
 * the 16-byte little-endian two's complement layout of decimal columns). */
void lml_delta_pv_format_decimal(uint64_t lo, int64_t hi, int scale, char buf[64])
{
    uint8_t v[16];
    uint64_t h = (uint64_t)hi;
    memcpy(v, &lo, 8);
    memcpy(v + 8, &h, 8);
    lml_decimal_format(v, scale, buf, 64);
}

/* java.time.LocalDate.toString: yyyy-MM-dd, "+yyyyy" past 9999, "-yyyy" before year 0. */
size_t lml_delta_pv_format_date(int64_t days, char buf[64])
{
    int64_t y;
    int m, d;
    lml_civil_from_days(days, &y, &m, &d);
    const char *sign = y > 9999 ? "+" : y < 0 ? "-" : "";
    return (size_t)snprintf(buf, 64, "%s%04lld-%02d-%02d", sign, (long long)(y < 0 ? -y : y), m, d);
}

/* UTC: yyyy-MM-ddTHH:mm:ss.ffffffZ (current Spark); ntz: yyyy-MM-dd HH:mm:ss[.f], trailing
 * fraction zeros dropped as Spark's fraction formatter does. */
void lml_delta_pv_format_timestamp(int64_t us, bool utc, char buf[64])
{
    const int64_t day = INT64_C(86400000000);
    int64_t days = us / day, rem = us % day;
    if (rem < 0) {
        rem += day;
        days--;
    }
    size_t k = lml_delta_pv_format_date(days, buf);
    int64_t secs = rem / 1000000, frac = rem % 1000000;
    k += (size_t)snprintf(buf + k, 64 - k, "%c%02d:%02d:%02d", utc ? 'T' : ' ', (int)(secs / 3600),
                          (int)(secs / 60 % 60), (int)(secs % 60));
    if (utc) {
        snprintf(buf + k, 64 - k, ".%06dZ", (int)frac);
    } else if (frac) {
        k += (size_t)snprintf(buf + k, 64 - k, ".%06d", (int)frac);
        while (buf[k - 1] == '0')
            buf[--k] = '\0';
    }
}
