/* Tokens of Spark SQL's expression grammar: identifiers (back-quoted with `` doubling), numbers
 * with Spark's suffixes (1L, 1S, 1Y, 1D, 1F, 1BD), strings in single or double quotes with
 * Spark's unescapeSQLString rules (\n, \t, \u00e9-style code points, octal \101, '' for a
 * quote; \% and \_ keep their backslash for LIKE), raw strings r'…', and the operators. */
#include <stdlib.h>
#include <string.h>
#include "core/internal.h"
#include "frame/expr/ast.h"

static bool is_ident_start(unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80; }
static bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
static bool is_ident_char(unsigned char c) { return is_ident_start(c) || is_digit(c); }

/* Advances one byte, counting characters (UTF-8 continuation bytes do not start one). */
static void adv(lexer *lx)
{
    lx->off++;
    if (lx->off < lx->len && ((unsigned char)lx->text[lx->off] & 0xC0) == 0x80)
        return;
    lx->pos++;
}

static int peek(const lexer *lx, size_t k) { return lx->off + k < lx->len ? (unsigned char)lx->text[lx->off + k] : -1; }

/* True when byte k ahead exists and continues an identifier (the end of input does not). */
static bool ident_at(const lexer *lx, size_t k)
{
    int c = peek(lx, k);
    return c >= 0 && is_ident_char((unsigned char)c);
}

static tok_kind fail(token *t, lml_error *err, lml_errcode code, const char *what)
{
    lml_error_set(err, code, "syntax error at position %zu: %s", t->pos, what);
    free(t->val);
    t->val = NULL;
    return t->kind = T_ERROR;
}

/* A quoted string starting at the quote; raw: no escapes. */
static tok_kind lex_string(lexer *lx, token *t, bool raw, lml_error *err)
{
    char q = lx->text[lx->off];
    adv(lx);
    lml_strbuf sb = {0};
    lml_strbuf_append(&sb, "", 0);
    for (;;) {
        int c = peek(lx, 0);
        if (c < 0) {
            lml_strbuf_free(&sb);
            return fail(t, err, LML_EINVAL, "unterminated string literal");
        }
        if (c == q) {
            if (!raw && peek(lx, 1) == q) { /* '' stands for one quote */
                lml_strbuf_putc(&sb, q);
                adv(lx);
                adv(lx);
                continue;
            }
            adv(lx);
            break;
        }
        if (c == '\\' && !raw && peek(lx, 1) >= 0) {
            int e = peek(lx, 1);
            adv(lx);
            adv(lx);
            int o1 = e, o2 = peek(lx, 0), o3 = peek(lx, 1);
            if (o1 >= '0' && o1 <= '3' && o2 >= '0' && o2 <= '7' && o3 >= '0' && o3 <= '7') {
                lml_strbuf_putc(&sb, (char)((o1 - '0') * 64 + (o2 - '0') * 8 + (o3 - '0')));
                adv(lx);
                adv(lx);
                continue;
            }
            if (e == 'u') {
                int h[4], ok = 1;
                for (int k = 0; k < 4; k++)
                    if ((h[k] = lml_hex_digit(peek(lx, (size_t)k))) < 0)
                        ok = 0;
                if (ok) {
                    uint32_t cp = (uint32_t)(h[0] << 12 | h[1] << 8 | h[2] << 4 | h[3]);
                    lml_strbuf_put_utf8(&sb, cp >= 0xD800 && cp <= 0xDFFF ? 0xFFFD : cp);
                    for (int k = 0; k < 4; k++)
                        adv(lx);
                    continue;
                }
            }
            switch (e) {
            case '0': lml_strbuf_putc(&sb, '\0'); break;
            case 'b': lml_strbuf_putc(&sb, '\b'); break;
            case 'n': lml_strbuf_putc(&sb, '\n'); break;
            case 'r': lml_strbuf_putc(&sb, '\r'); break;
            case 't': lml_strbuf_putc(&sb, '\t'); break;
            case 'Z': lml_strbuf_putc(&sb, '\x1A'); break;
            case '%': lml_strbuf_append(&sb, "\\%", 2); break;
            case '_': lml_strbuf_append(&sb, "\\_", 2); break;
            default: lml_strbuf_putc(&sb, (char)e); break; /* \' \" \\ and any other: the char */
            }
            continue;
        }
        lml_strbuf_putc(&sb, (char)c);
        adv(lx);
    }
    if (sb.failed) {
        lml_strbuf_free(&sb);
        return fail(t, err, LML_ENOMEM, "out of memory");
    }
    t->vlen = sb.len;
    t->val = sb.data;
    return t->kind = T_STR;
}

static tok_kind lex_number(lexer *lx, token *t, lml_error *err)
{
    bool dec = false;
    while (is_digit((unsigned char)peek(lx, 0)))
        adv(lx);
    if (peek(lx, 0) == '.' && (is_digit((unsigned char)peek(lx, 1)) || lx->off > t->off)) {
        dec = true;
        adv(lx);
        while (is_digit((unsigned char)peek(lx, 0)))
            adv(lx);
    }
    int e = peek(lx, 0);
    if ((e == 'e' || e == 'E') && (is_digit((unsigned char)peek(lx, 1)) ||
                                   ((peek(lx, 1) == '+' || peek(lx, 1) == '-') && is_digit((unsigned char)peek(lx, 2))))) {
        dec = true;
        adv(lx);
        if (peek(lx, 0) == '+' || peek(lx, 0) == '-')
            adv(lx);
        while (is_digit((unsigned char)peek(lx, 0)))
            adv(lx);
    }
    size_t end = lx->off;
    int s = peek(lx, 0);
    t->suffix = 0;
    if (s >= 0 && strchr("lLsSyYdDfF", s) && !ident_at(lx, 1)) {
        t->suffix = (char)(s >= 'a' ? s - 32 : s);
        adv(lx);
    } else if ((s == 'b' || s == 'B') && (peek(lx, 1) == 'd' || peek(lx, 1) == 'D') &&
               !ident_at(lx, 2)) {
        t->suffix = 'B';
        adv(lx);
        adv(lx);
    }
    if (ident_at(lx, 0))
        return fail(t, err, LML_EINVAL, "invalid number literal");
    t->val = malloc(end - t->off + 1);
    if (!t->val)
        return fail(t, err, LML_ENOMEM, "out of memory");
    memcpy(t->val, lx->text + t->off, end - t->off);
    t->val[end - t->off] = '\0';
    t->vlen = end - t->off;
    return t->kind = dec ? T_DEC : T_INT;
}

static tok_kind lex_quoted_ident(lexer *lx, token *t, lml_error *err)
{
    adv(lx);
    lml_strbuf sb = {0};
    lml_strbuf_append(&sb, "", 0);
    for (;;) {
        int c = peek(lx, 0);
        if (c < 0) {
            lml_strbuf_free(&sb);
            return fail(t, err, LML_EINVAL, "unterminated back-quoted name");
        }
        adv(lx);
        if (c == '`') {
            if (peek(lx, 0) != '`')
                break;
            adv(lx);
        }
        lml_strbuf_putc(&sb, (char)c);
    }
    if (sb.failed) {
        lml_strbuf_free(&sb);
        return fail(t, err, LML_ENOMEM, "out of memory");
    }
    t->val = sb.data;
    t->vlen = sb.len;
    return t->kind = T_QIDENT;
}

tok_kind expr_lex(lexer *lx, token *t, lml_error *err)
{
    while (lx->off < lx->len && strchr(" \t\r\n\f\v", lx->text[lx->off]) && lx->text[lx->off])
        adv(lx);
    *t = (token){.off = lx->off, .pos = lx->pos};
    if (lx->off >= lx->len)
        return t->kind = T_END;
    int c = peek(lx, 0), d = peek(lx, 1);
    if ((c == 'r' || c == 'R') && (d == '\'' || d == '"')) {
        adv(lx);
        tok_kind k = lex_string(lx, t, true, err);
        t->len = lx->off - t->off;
        return k;
    }
    if (c == '\'' || c == '"') {
        tok_kind k = lex_string(lx, t, false, err);
        t->len = lx->off - t->off;
        return k;
    }
    if (c == '`') {
        tok_kind k = lex_quoted_ident(lx, t, err);
        t->len = lx->off - t->off;
        return k;
    }
    if (is_digit((unsigned char)c) || (c == '.' && is_digit((unsigned char)d))) {
        tok_kind k = lex_number(lx, t, err);
        t->len = lx->off - t->off;
        return k;
    }
    if (is_ident_start((unsigned char)c)) {
        while (lx->off < lx->len && is_ident_char((unsigned char)lx->text[lx->off]))
            adv(lx);
        t->len = lx->off - t->off;
        if (!(t->val = malloc(t->len + 1)))
            return fail(t, err, LML_ENOMEM, "out of memory");
        memcpy(t->val, lx->text + t->off, t->len);
        t->val[t->len] = '\0';
        t->vlen = t->len;
        return t->kind = T_IDENT;
    }
    static const struct { const char *s; tok_kind k; } ops[] = {
        {"<=>", T_NSEQ}, {"<=", T_LE}, {">=", T_GE}, {"<>", T_NE}, {"!=", T_NE}, {"==", T_EQ}, {"||", T_CONCAT},
        {"(", T_LP}, {")", T_RP}, {",", T_COMMA}, {".", T_DOT}, {"+", T_PLUS}, {"-", T_MINUS}, {"*", T_STAR},
        {"/", T_SLASH}, {"%", T_PCT}, {"=", T_EQ}, {"<", T_LT}, {">", T_GT}, {"!", T_BANG},
    };
    for (size_t k = 0; k < sizeof ops / sizeof *ops; k++) {
        size_t n = strlen(ops[k].s);
        if (lx->len - lx->off >= n && memcmp(lx->text + lx->off, ops[k].s, n) == 0) {
            for (size_t j = 0; j < n; j++)
                adv(lx);
            t->len = n;
            return t->kind = ops[k].k;
        }
    }
    char what[64];
    if (c >= 0x20 && c < 0x7F)
        snprintf(what, sizeof what, "unexpected character '%c'", c);
    else
        snprintf(what, sizeof what, "unexpected byte 0x%02X", (unsigned)c);
    return fail(t, err, LML_EINVAL, what);
}
