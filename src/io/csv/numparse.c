/* Number parsing with Java's rules (Spark converts CSV text with Integer.parseInt,
 * Long.parseLong and Double.parseDouble).
 *
 * Doubles must be exact. The fast path takes plain decimal text whose significant digits fit in
 * 2^53 and whose decimal exponent is within ±22: then the digits and 10^|e| are both exact
 * doubles, and one IEEE multiplication or division rounds correctly (Clinger, 1990), giving the
 * same bits as a correctly rounded strtod. Everything else is checked against Java's grammar and
 * handed to strtod_l in the "C" locale (glibc's strtod is correctly rounded). */
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <strings.h>
#include "io/csv/csv_internal.h"

bool csv_parse_i64(const char *s, size_t n, int64_t *out)
{
    if (n == 0)
        return false;
    size_t i = 0;
    bool neg = false;
    if (s[0] == '-' || s[0] == '+') {
        neg = s[0] == '-';
        if (++i == n)
            return false;
    }
    uint64_t v = 0, limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    for (; i < n; i++) {
        unsigned d = (unsigned)((unsigned char)s[i] - '0');
        if (d > 9 || v > (limit - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return true;
}

bool csv_parse_i32(const char *s, size_t n, int32_t *out)
{
    if (n == 0 || n > 64)
        return false;
    size_t i = 0;
    bool neg = false;
    if (s[0] == '-' || s[0] == '+') {
        neg = s[0] == '-';
        if (++i == n)
            return false;
    }
    int64_t v = 0;
    for (; i < n; i++) {
        unsigned d = (unsigned)((unsigned char)s[i] - '0');
        if (d > 9)
            return false;
        v = v * 10 + d;
        if (v > (int64_t)INT32_MAX + 1)
            return false;
    }
    if (neg)
        v = -v;
    if (v > INT32_MAX)
        return false;
    *out = (int32_t)v;
    return true;
}

bool csv_parse_bool(const char *s, size_t n, bool *out)
{
    if (n == 4 && strncasecmp(s, "true", 4) == 0) {
        *out = true;
        return true;
    }
    if (n == 5 && strncasecmp(s, "false", 5) == 0) {
        *out = false;
        return true;
    }
    return false;
}


static bool is_digit(char c) { return (unsigned)((unsigned char)c - '0') < 10; }
static bool is_hex(char c) { return is_digit(c) || ((unsigned)((c | 0x20) - 'a') < 6); }

static const double pow10_exact[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                       1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* ---- eight digits at a time (the SWAR method of Lemire's fast_float): byte i of a word holds
 * character i (little-endian), so the first digit is the lowest byte. */

static inline uint64_t load8(const char *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    return v;
}

/* How many of the word's leading bytes are ASCII digits; *x receives the bytes minus '0'. A byte
 * below '0' borrows from the next one, but only bytes after the first non-digit are affected. */
static inline int leading_digits(uint64_t w, uint64_t *x)
{
    uint64_t v = w - UINT64_C(0x3030303030303030);
    uint64_t bad = (v | (v + UINT64_C(0x7676767676767676))) & UINT64_C(0x8080808080808080);
    *x = v;
    return bad ? __builtin_ctzll(bad) >> 3 : 8;
}

/* The value of the first k (1..8) digit bytes of x. */
static inline uint64_t digits_value(uint64_t x, int k)
{
    x <<= 8 * (8 - k); /* the first digits to the top: the low bytes become leading zeros */
    x = x * 10 + (x >> 8);
    x = (((x & UINT64_C(0x000000FF000000FF)) * UINT64_C(0x000F424000000064)) +
         (((x >> 16) & UINT64_C(0x000000FF000000FF)) * UINT64_C(0x0000271000000001))) >>
        32;
    return (uint32_t)x;
}

static const uint64_t pow10_u64[17] = {1,           10,           100,           1000,           10000,
                                       100000,      1000000,      10000000,      100000000,      1000000000,
                                       10000000000, 100000000000, 1000000000000, 10000000000000, 100000000000000,
                                       1000000000000000, 10000000000000000};

/* A run of up to 16 digits at p (32 readable bytes): its length, or 17 when it is longer. */
static inline int digit_run(const char *p, uint64_t *val)
{
    uint64_t x;
    int k = leading_digits(load8(p), &x);
    if (k < 8) {
        *val = k ? digits_value(x, k) : 0;
        return k;
    }
    uint64_t hi = digits_value(x, 8);
    int k2 = leading_digits(load8(p + 8), &x);
    if (k2 == 8)
        return 17;
    *val = k2 ? hi * pow10_u64[k2] + digits_value(x, k2) : hi;
    return 8 + k2;
}

/* [+-]digits[.digits], at least one digit, at most 16 before and 16 after the point, with
 * CSV_DOUBLE_FAST_AVAIL readable bytes. 1 = parsed, 0 = another form or not exact here. */
static inline int swar_decimal(const char *s, size_t n, double *out)
{
    const char *p = s, *e = s + n;
    bool neg = *p == '-';
    p += neg || *p == '+';
    uint64_t m, frac = 0;
    int k1 = digit_run(p, &m);
    if (k1 > 16)
        return 0;
    const char *q = p + k1;
    int k2 = 0;
    if (q < e && *q == '.') {
        k2 = digit_run(q + 1, &frac);
        if (k2 > 16)
            return 0;
        q += 1 + k2;
    }
    if (q != e || k1 + k2 == 0 || k1 + k2 > 19)
        return 0; /* an exponent, a suffix, more text, digits past the field, or too many */
    if (k2)
        m = m * pow10_u64[k2] + frac;
    if (m > (UINT64_C(1) << 53))
        return 0;
    if (out) {
        /* m and 10^k2 (k2 <= 16) are exact doubles, so one division rounds correctly. */
        double v = k2 ? (double)m / pow10_exact[k2] : (double)m;
        *out = neg ? -v : v;
    }
    return 1;
}

/* Skips the digits at p, eight at a time; may run past e when the bytes after the field are
 * digits too (the caller then sees p != e). Reads at most 8 bytes from any p < e. */
static inline const char *skip_digits(const char *p, const char *e)
{
    while (p < e) {
        uint64_t x;
        int k = leading_digits(load8(p), &x);
        p += k;
        if (k < 8)
            break;
    }
    return p;
}

/* Syntax only: [+-]digits[.digits] with a digit somewhere. 1 = yes, 0 = decide elsewhere. */
static inline int swar_is_decimal(const char *s, size_t n)
{
    const char *p = s, *e = s + n;
    p += *p == '-' || *p == '+';
    const char *d = p;
    p = skip_digits(p, e);
    size_t digits = (size_t)(p - d);
    if (p < e && *p == '.') {
        d = ++p;
        p = skip_digits(p, e);
        digits += (size_t)(p - d);
    }
    return p == e && digits > 0;
}

/* The plain-decimal fast path: [+-]digits[.digits][(e|E)[+-]digits], nothing else. Returns
 * 1 with *out set, 0 when s has another form, -1 when it is plain decimal but inexact here. */
static int fast_decimal(const char *s, size_t n, double *out)
{
    const char *p = s, *e = s + n;
    bool neg = false;
    if (p < e && (*p == '-' || *p == '+'))
        neg = *p++ == '-';
    uint64_t m = 0;
    int sig = 0;
    int64_t dexp = 0;
    bool any = false, inexact = false;
    for (; p < e && is_digit(*p); p++) {
        any = true;
        if (m == 0 && *p == '0')
            continue;
        if (sig < 19) {
            m = m * 10 + (uint64_t)(*p - '0');
            sig++;
        } else {
            inexact = true;
            dexp++;
        }
    }
    if (p < e && *p == '.') {
        for (p++; p < e && is_digit(*p); p++) {
            any = true;
            if (m == 0 && *p == '0') {
                dexp--;
                continue;
            }
            if (sig < 19) {
                m = m * 10 + (uint64_t)(*p - '0');
                sig++;
                dexp--;
            } else {
                inexact = true;
            }
        }
    }
    if (!any)
        return 0;
    if (p < e && (*p == 'e' || *p == 'E')) {
        p++;
        bool eneg = false;
        if (p < e && (*p == '-' || *p == '+'))
            eneg = *p++ == '-';
        if (p == e || !is_digit(*p))
            return 0;
        int64_t x = 0;
        for (; p < e && is_digit(*p); p++)
            if (x < 100000)
                x = x * 10 + (*p - '0');
        dexp += eneg ? -x : x;
    }
    if (p != e)
        return 0;
    if (!out)
        return 1;
    if (m == 0) {
        *out = neg ? -0.0 : 0.0;
        return 1;
    }
    if (inexact || m > (UINT64_C(1) << 53) || dexp < -22 || dexp > 22)
        return -1;
    double v = (double)m;
    v = dexp < 0 ? v / pow10_exact[-dexp] : v * pow10_exact[dexp];
    *out = neg ? -v : v;
    return 1;
}

/* Java's FloatingDecimal grammar after trimming: [+-](NaN|Infinity|hex|decimal)[fFdD]. On
 * success *num_end marks where the text strtod should read ends (before any suffix). */
static bool java_grammar(const char *p, const char *e, const char **num_end, int *special)
{
    *special = 0;
    if (p < e && (*p == '-' || *p == '+'))
        p++;
    if (e - p == 3 && memcmp(p, "NaN", 3) == 0) {
        *special = 1;
        return true;
    }
    if (e - p == 8 && memcmp(p, "Infinity", 8) == 0) {
        *special = 2;
        return true;
    }
    if (e - p >= 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        p += 2;
        size_t before = 0, after = 0;
        while (p < e && is_hex(*p))
            p++, before++;
        if (p < e && *p == '.')
            for (p++; p < e && is_hex(*p); p++)
                after++;
        if (before + after == 0 || p == e || (*p != 'p' && *p != 'P'))
            return false;
        p++;
        if (p < e && (*p == '-' || *p == '+'))
            p++;
        if (p == e || !is_digit(*p))
            return false;
        while (p < e && is_digit(*p))
            p++;
    } else {
        size_t digits = 0;
        while (p < e && is_digit(*p))
            p++, digits++;
        if (p < e && *p == '.')
            for (p++; p < e && is_digit(*p); p++)
                digits++;
        if (!digits)
            return false;
        if (p < e && (*p == 'e' || *p == 'E')) {
            p++;
            if (p < e && (*p == '-' || *p == '+'))
                p++;
            if (p == e || !is_digit(*p))
                return false;
            while (p < e && is_digit(*p))
                p++;
        }
    }
    *num_end = p;
    if (p == e)
        return true;
    return e - p == 1 && (*p == 'f' || *p == 'F' || *p == 'd' || *p == 'D');
}

static pthread_once_t locale_once = PTHREAD_ONCE_INIT;
static locale_t c_locale;
static void make_locale(void) { c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0); }

static bool slow_strtod(const char *p, size_t n, double *out)
{
    char stack[128];
    char *buf = n < sizeof stack ? stack : malloc(n + 1);
    if (!buf)
        return false;
    memcpy(buf, p, n);
    buf[n] = '\0';
    pthread_once(&locale_once, make_locale);
    *out = c_locale ? strtod_l(buf, NULL, c_locale) : strtod(buf, NULL);
    if (buf != stack)
        free(buf);
    return true;
}

bool csv_is_double(const char *s, size_t n, size_t avail)
{
    if (n && avail >= n + 8 && swar_is_decimal(s, n))
        return true;
    return csv_parse_double(s, n, 0, NULL);
}

bool csv_parse_double(const char *s, size_t n, size_t avail, double *out)
{
    if (avail >= CSV_DOUBLE_FAST_AVAIL && n && n < CSV_DOUBLE_FAST_AVAIL && swar_decimal(s, n, out))
        return true;
    int r = fast_decimal(s, n, out);
    if (r > 0)
        return true;
    const char *p = s, *e = s + n;
    if (r == 0) {
        /* Java trims every char <= ' ' from both ends. */
        while (p < e && (unsigned char)*p <= ' ')
            p++;
        while (e > p && (unsigned char)e[-1] <= ' ')
            e--;
    }
    const char *num_end = e;
    int special;
    if (r == 0 && !java_grammar(p, e, &num_end, &special))
        return false;
    if (!out)
        return true;
    if (r == 0 && special) {
        *out = special == 1 ? NAN : *p == '-' ? -INFINITY : INFINITY;
        return true;
    }
    return slow_strtod(p, (size_t)(num_end - p), out);
}
