/* [NOT] LIKE with Spark's rules: '%' matches any sequence, '_' exactly one character (a UTF-8
 * code point), the escape character (default '\') makes the next '%', '_' or itself literal; an
 * escape before anything else, or at the end of the pattern, is an error, as in Spark. A constant
 * pattern is compiled once for the whole column. */
#include <stdlib.h>
#include <string.h>
#include "frame/expr/ast.h"

enum { P_ONE = -1, P_ANY = -2 };

/* Compiles pat into tok (room for plen entries): bytes 0..255 literal, P_ONE, P_ANY. */
static bool compile(const char *pat, size_t plen, char esc, int16_t *tok, size_t *ntok)
{
    size_t n = 0;
    for (size_t i = 0; i < plen; i++) {
        unsigned char c = (unsigned char)pat[i];
        if (c == (unsigned char)esc) {
            if (i + 1 >= plen)
                return false;
            unsigned char d = (unsigned char)pat[++i];
            if (d != '%' && d != '_' && d != (unsigned char)esc)
                return false;
            tok[n++] = d;
        } else if (c == '%') {
            if (!n || tok[n - 1] != P_ANY) /* %% is % */
                tok[n++] = P_ANY;
        } else {
            tok[n++] = c == '_' ? P_ONE : c;
        }
    }
    *ntok = n;
    return true;
}

static size_t char_len(const char *s, size_t i, size_t len)
{
    size_t j = i + 1;
    while (j < len && ((unsigned char)s[j] & 0xC0) == 0x80)
        j++;
    return j - i;
}

/* Greedy matching that backtracks only to the last '%': linear for most patterns. */
static bool match(const char *s, size_t len, const int16_t *tok, size_t ntok)
{
    size_t si = 0, pi = 0, star_pi = SIZE_MAX, star_si = 0;
    while (si < len) {
        if (pi < ntok && tok[pi] == P_ONE) {
            si += char_len(s, si, len);
            pi++;
        } else if (pi < ntok && tok[pi] >= 0 && (unsigned char)s[si] == tok[pi]) {
            si++;
            pi++;
        } else if (pi < ntok && tok[pi] == P_ANY) {
            star_pi = pi++;
            star_si = si;
        } else if (star_pi != SIZE_MAX) {
            pi = star_pi + 1;
            star_si += char_len(s, star_si, len);
            si = star_si;
        } else {
            return false;
        }
    }
    while (pi < ntok && tok[pi] == P_ANY)
        pi++;
    return pi == ntok;
}

bool expr_like_check(const char *pat, size_t plen, char escape, size_t pos, lml_error *err)
{
    for (size_t i = 0; i < plen; i++) {
        if (pat[i] != escape)
            continue;
        if (i + 1 < plen && (pat[i + 1] == '%' || pat[i + 1] == '_' || pat[i + 1] == escape)) {
            i++;
            continue;
        }
        return lml_error_set(err, LML_EINVAL,
                             "LIKE at position %zu: the pattern '%.*s' has the escape character '%c' before "
                             "something other than '%%', '_' or itself",
                             pos, (int)(plen > 60 ? 60 : plen), pat, escape);
    }
    return true;
}

static bool bad_pattern(eval_ctx *cx, const bnode *b, const char *pat, size_t plen)
{
    return expr_like_check(pat, plen, b->escape, b->src->pos, cx->err);
}

bool eval_like(eval_ctx *cx, const bnode *b, const vec *x, const vec *pat, vec *out)
{
    size_t len = vlen(cx, x, pat);
    lml_column *o = vec_alloc(cx, LML_BOOL, len, 0, x, pat);
    if (!o)
        return false;
    const int32_t *xo = x->c->offsets, *po = pat->c->offsets;
    const char *xd = x->c->values, *pd = pat->c->values;
    size_t cap = (size_t)(po[pat->scalar ? 1 : cx->n] - po[0]) + 1;
    int16_t *tok = malloc(cap * sizeof *tok);
    if (!tok) {
        lml_column_free(o);
        return lml_error_set(cx->err, LML_ENOMEM, "out of memory compiling a LIKE pattern");
    }
    size_t ntok = 0;
    bool ok = true;
    if (pat->scalar && !vnull(pat, 0))
        ok = compile(pd + po[0], (size_t)(po[1] - po[0]), b->escape, tok, &ntok) ||
             bad_pattern(cx, b, pd + po[0], (size_t)(po[1] - po[0]));
    for (size_t i = 0; ok && i < len; i++) {
        if (vnull(x, i) || vnull(pat, i))
            continue;
        if (!pat->scalar) {
            const char *p = pd + po[i];
            size_t pl = (size_t)(po[i + 1] - po[i]);
            if (!compile(p, pl, b->escape, tok, &ntok)) {
                ok = bad_pattern(cx, b, p, pl);
                break;
            }
        }
        size_t r = vrow(x, i);
        if (match(xd + xo[r], (size_t)(xo[r + 1] - xo[r]), tok, ntok))
            lml_bit_set(o->values, i);
    }
    free(tok);
    if (!ok) {
        lml_column_free(o);
        return false;
    }
    out->c = vec_seal(o);
    out->scalar = len == 1 && x->scalar && pat->scalar;
    return true;
}
