/* The parser's state and the primitives shared by parse.c (operators, predicates, the entry
 * point) and parse_primary.c (literals, names, CASE, CAST and function calls). Internal. */
#ifndef LML_EXPR_PARSE_H
#define LML_EXPR_PARSE_H

#include "frame/expr/ast.h"

typedef struct parser {
    lexer lx;
    token cur, next; /* one token of lookahead (NOT IN, DATE '…') */
    size_t prev_end; /* end byte of the last consumed token */
    int depth;
    lml_error *err;
    bool failed;
} parser;

/* Moves to the next token; false when that token is a lexer error (already reported). */
bool ep_advance(parser *p);
/* True when t is the (case-insensitive) keyword kw. */
bool ep_is_kw(const token *t, const char *kw);
/* Reports "syntax error at position N: expected X but found 'Y'" once; returns NULL. */
lml_expr *ep_syntax(parser *p, const char *expected);
lml_expr *ep_nomem(parser *p);
/* Consumes a token of kind k, else reports that `what` was expected. */
bool ep_expect(parser *p, tok_kind k, const char *what);
/* Records e's byte span (from off to the end of the last consumed token); returns e. */
lml_expr *ep_finish(parser *p, lml_expr *e, size_t off);
/* A node with one or two children (all freed on failure). */
lml_expr *ep_node2(parser *p, expr_kind k, int op, size_t pos, size_t off, lml_expr *a, lml_expr *b);
/* A literal node of type t (value zero). */
lml_expr *ep_literal(parser *p, lml_type t, size_t pos);
/* The loosest level: a whole expression. */
lml_expr *ep_parse_or(parser *p);
/* The arguments after '(' up to and including ')', appended to e: "a, b, …)" (or ")" when
 * allow_empty). False on a syntax error (reported) or ENOMEM; e is the caller's to free. */
bool ep_parse_args(parser *p, lml_expr *e, bool allow_empty);
/* The number token at cur (negated when neg) as Spark types it. */
lml_expr *ep_number(parser *p, bool neg, size_t pos, size_t off);
/* A literal, a name, a parenthesised expression, CASE, CAST or a function call. */
lml_expr *ep_parse_primary(parser *p);

#endif
