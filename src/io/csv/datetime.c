/* Dates and timestamps as Spark reads them from CSV: the strict default dateFormat yyyy-MM-dd,
 * the lenient date fallback (DateTimeUtils.stringToDate) and the lenient timestamp parser
 * (DateTimeUtils.stringToTimestamp). Differences from Spark, chosen for determinism: text without
 * a zone is UTC (Spark uses the session time zone), time-only text ("10:30", "T10:30", which
 * Spark dates today) and region zone ids ("Europe/Paris") are not timestamps. */
#include <stdio.h>
#include "io/csv/csv_internal.h"

#define US_PER_DAY INT64_C(86400000000)

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static bool leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static unsigned days_in_month(int64_t y, unsigned m)
{
    static const unsigned dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap(y) ? 29 : dim[m - 1];
}

static bool digit(char c) { return (unsigned)((unsigned char)c - '0') < 10; }

/* Reads 1..max digits (at least min) at *p. */
static bool digits(const char **p, const char *e, int min, int max, int64_t *out)
{
    int64_t v = 0;
    int n = 0;
    while (*p < e && digit(**p) && n < max) {
        v = v * 10 + (**p - '0');
        (*p)++;
        n++;
    }
    if (n < min || (*p < e && digit(**p)))
        return false;
    *out = v;
    return true;
}

static void trim(const char **p, const char **e)
{
    while (*p < *e && (unsigned char)**p <= ' ')
        (*p)++;
    while (*e > *p && (unsigned char)(*e)[-1] <= ' ')
        (*e)--;
}

bool csv_parse_date_strict(const char *s, size_t n, int32_t *days)
{
    if (n != 10 || s[4] != '-' || s[7] != '-')
        return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !digit(s[i]))
            return false;
    int64_t y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    unsigned m = (unsigned)((s[5] - '0') * 10 + (s[6] - '0'));
    unsigned d = (unsigned)((s[8] - '0') * 10 + (s[9] - '0'));
    if (m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
        return false;
    *days = (int32_t)days_from_civil(y, m, d);
    return true;
}

/* [+-]yyyy[-m[m][-d[d]]]: the date part shared by both lenient parsers. */
static bool date_part(const char **pp, const char *e, int max_year_digits, bool *has_day, int64_t *days)
{
    const char *p = *pp;
    bool neg = false;
    if (p < e && (*p == '-' || *p == '+'))
        neg = *p++ == '-';
    int64_t y, m = 1, d = 1;
    if (!digits(&p, e, 4, max_year_digits, &y))
        return false;
    if (neg)
        y = -y;
    *has_day = false;
    if (p < e && *p == '-') {
        p++;
        if (!digits(&p, e, 1, 2, &m))
            return false;
        if (p < e && *p == '-') {
            p++;
            if (!digits(&p, e, 1, 2, &d))
                return false;
            *has_day = true;
        }
    }
    if (m < 1 || m > 12 || d < 1 || d > days_in_month(y, (unsigned)m))
        return false;
    *days = days_from_civil(y, (unsigned)m, (unsigned)d);
    *pp = p;
    return true;
}

bool csv_parse_date_lenient(const char *s, size_t n, int32_t *days)
{
    const char *p = s, *e = s + n;
    trim(&p, &e);
    bool has_day;
    int64_t d;
    if (!date_part(&p, e, 7, &has_day, &d))
        return false;
    if (p < e && !(has_day && (*p == ' ' || *p == 'T')))
        return false;
    if (d < INT32_MIN || d > INT32_MAX)
        return false;
    *days = (int32_t)d;
    return true;
}

/* Z | [+-]h[h][[:]mm[[:]ss]] | (UTC|GMT|UT)[offset]; the offset in seconds east of UTC. */
static bool zone(const char *p, const char *e, int64_t *offset)
{
    *offset = 0;
    if (e - p == 1 && *p == 'Z')
        return true;
    if (e - p >= 3 && (memcmp(p, "UTC", 3) == 0 || memcmp(p, "GMT", 3) == 0))
        p += 3;
    else if (e - p >= 2 && memcmp(p, "UT", 2) == 0)
        p += 2;
    else if (p == e)
        return false;
    if (p == e)
        return true;
    if (*p != '+' && *p != '-')
        return false;
    bool neg = *p++ == '-';
    int64_t h, m = 0, sec = 0;
    if (!digits(&p, e, 1, 2, &h))
        return false;
    if (p < e) {
        if (*p == ':')
            p++;
        if (!digits(&p, e, 2, 2, &m))
            return false;
        if (p < e) {
            if (*p == ':')
                p++;
            if (!digits(&p, e, 2, 2, &sec))
                return false;
        }
    }
    if (p != e || h > 18 || m > 59 || sec > 59 || h * 3600 + m * 60 + sec > 18 * 3600)
        return false;
    *offset = (neg ? -1 : 1) * (h * 3600 + m * 60 + sec);
    return true;
}

bool csv_parse_timestamp(const char *s, size_t n, int64_t *out)
{
    const char *p = s, *e = s + n;
    trim(&p, &e);
    bool has_day;
    int64_t days, h = 0, mi = 0, sec = 0, frac = 0, off = 0;
    if (!date_part(&p, e, 6, &has_day, &days))
        return false;
    if (p < e) {
        if (!has_day || (*p != ' ' && *p != 'T'))
            return false;
        p++;
        if (p < e) {
            if (!digits(&p, e, 1, 2, &h))
                return false;
            if (p < e && *p == ':') {
                p++;
                if (!digits(&p, e, 1, 2, &mi))
                    return false;
                if (p < e && *p == ':') {
                    p++;
                    if (!digits(&p, e, 1, 2, &sec))
                        return false;
                    if (p < e && *p == '.') {
                        int nd = 0;
                        for (p++; p < e && digit(*p); p++, nd++)
                            if (nd < 6)
                                frac = frac * 10 + (*p - '0');
                        for (; nd < 6; nd++)
                            frac *= 10;
                    }
                }
            }
            while (p < e && *p == ' ')
                p++;
            if (p < e && !zone(p, e, &off))
                return false;
        }
    }
    if (h > 23 || mi > 59 || sec > 59)
        return false;
    int64_t us, t;
    if (__builtin_mul_overflow(days, US_PER_DAY, &us))
        return false;
    t = ((h * 60 + mi) * 60 + sec - off) * 1000000 + frac;
    if (__builtin_add_overflow(us, t, &us))
        return false;
    *out = us;
    return true;
}

static size_t format_ymd(int64_t days, char *buf)
{
    int64_t y;
    int m, d;
    lml_civil_from_days(days, &y, &m, &d);
    const char *sign = y < 0 ? "-" : y > 9999 ? "+" : "";
    return (size_t)snprintf(buf, CSV_DATETIME_BUF, "%s%04lld-%02d-%02d", sign, (long long)(y < 0 ? -y : y), m, d);
}

size_t csv_format_date(int32_t days, char *buf) { return format_ymd(days, buf); }

size_t csv_format_timestamp(int64_t us, char *buf)
{
    int64_t days = us / US_PER_DAY, rem = us % US_PER_DAY;
    if (rem < 0) {
        rem += US_PER_DAY;
        days--;
    }
    size_t n = format_ymd(days, buf);
    int64_t secs = rem / 1000000, frac = rem % 1000000;
    n += (size_t)snprintf(buf + n, CSV_DATETIME_BUF - n, "T%02d:%02d:%02d", (int)(secs / 3600), (int)(secs / 60 % 60),
                          (int)(secs % 60));
    if (frac % 1000 == 0)
        n += (size_t)snprintf(buf + n, CSV_DATETIME_BUF - n, ".%03dZ", (int)(frac / 1000));
    else
        n += (size_t)snprintf(buf + n, CSV_DATETIME_BUF - n, ".%06dZ", (int)frac);
    return n;
}
