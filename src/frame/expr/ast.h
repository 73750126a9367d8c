/* Internals of the SQL expression module (include/lakeml/expr.h), never installed.
 *
 * Three stages, each in its own files: the parser (lexer.c, parse.c) turns text into a tree of
 * `struct lml_expr` nodes (the public handle is the root; the planner helpers hand out inner nodes
 * as borrowed `lml_expr *`); the binder (bind.c, bind_funcs.c) resolves names against the inputs'
 * schemas for one evaluation and produces a tree of typed `bnode`s with every implicit cast
 * made explicit; the evaluator (eval*.c, functions.c) runs that tree a column at a time. */
#ifndef LML_EXPR_AST_H
#define LML_EXPR_AST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "frame/internal.h"
#include "lakeml/expr.h"

/* Spark's NullType (the type of a bare NULL literal), outside lml_type's range. */
#define EXPR_T_NULL ((lml_type)100)

typedef enum expr_kind {
    N_LIT,    /* lit */
    N_COL,    /* qual (may be NULL), name */
    N_NEG,    /* unary minus: kids[0] */
    N_ARITH,  /* op: OP_ADD … OP_MOD */
    N_CMP,    /* op: OP_EQ … OP_NSEQ ("<>" and "!=" are parsed as NOT (a = b), as Spark does) */
    N_AND,
    N_OR,
    N_NOT,
    N_ISNULL, /* negated: IS NOT NULL */
    N_IN,     /* kids[0] IN (kids[1..]) */
    N_LIKE,   /* kids[0] LIKE kids[1], escape char */
    N_CASE,   /* kids: when0, then0, when1, then1, …, [else] (has_else); CASE x WHEN … is
                 rewritten to CASE WHEN x = … by the parser */
    N_CAST,   /* kids[0] AS cast_to (decimal: prec, scale) */
    N_FUNC    /* fn, kids = arguments */
} expr_kind;

enum {
    OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_MOD,
    OP_EQ, OP_LT, OP_LE, OP_GT, OP_GE, OP_NSEQ
};

typedef enum expr_fn {
    FN_COALESCE, FN_LOWER, FN_UPPER, FN_TRIM, FN_LTRIM, FN_RTRIM, FN_LENGTH, FN_ABS, FN_ROUND,
    FN_FLOOR, FN_CEIL, FN_YEAR, FN_MONTH, FN_DAY, FN_CONCAT, FN_CURRENT_DATE, FN_CURRENT_TIMESTAMP
} expr_fn;

struct lml_expr {
    expr_kind kind;
    int op;
    size_t pos;          /* 1-based character position of the node's first token */
    size_t off, end;     /* the node's bytes in the parsed text (for conjuncts' own text) */
    size_t depth;        /* levels of nodes below this one (0 for a leaf) */
    struct lml_expr **kids;
    size_t nkids;
    /* N_LIT: type (EXPR_T_NULL for NULL) and value; a string's bytes are owned in `str` */
    lml_value lit;
    char *str;
    /* N_COL */
    char *qual, *name;
    /* N_CAST */
    lml_type cast_to;
    int prec, scale;
    bool is_decimal;     /* CAST(… AS decimal(p,s)): carried as a double rounded to scale */
    /* N_FUNC */
    expr_fn fn;
    /* N_ISNULL */
    bool negated;
    /* N_LIKE */
    char escape;
    /* The source text: the whole input on the root, the conjunct's own text on the nodes that
     * lml_expr_conjuncts hands out, NULL elsewhere. Owned. */
    char *text;
};

/* ---- parser (parse.c) */

/* A new node (zeroed) of that kind at pos; NULL on ENOMEM. */
lml_expr *expr_node_new(expr_kind kind, size_t pos);
/* Appends a child; false on ENOMEM (the child is then freed). */
bool expr_node_add(lml_expr *parent, lml_expr *kid);
/* A deep copy (for BETWEEN and CASE x WHEN, which repeat their operand); NULL on ENOMEM. */
lml_expr *expr_node_copy(const lml_expr *e);
void expr_node_free(lml_expr *e);
/* Name of a function id ("coalesce"), as Spark prints it. */
const char *expr_fn_name(expr_fn fn);
/* The function called `name` (case-insensitive; aliases such as dayofmonth included). */
bool expr_fn_lookup(const char *name, size_t len, expr_fn *out);
/* The operator's text ("+", "<=>"). */
const char *expr_op_text(int op);
/* Spark's SQL name of a type ("INT", "BIGINT", "STRING" …) for CAST printing and messages. */
const char *expr_type_sql(lml_type t);
/* Spark's simple name of a type for error messages ("int", "bigint", "string", "void"). */
const char *expr_type_name(lml_type t);

/* ---- lexer (lexer.c) */

typedef enum tok_kind {
    T_END, T_IDENT, T_QIDENT /* back-quoted */, T_INT, T_DEC, T_STR,
    T_LP, T_RP, T_COMMA, T_DOT, T_PLUS, T_MINUS, T_STAR, T_SLASH, T_PCT,
    T_EQ, T_NE, T_LT, T_LE, T_GT, T_GE, T_NSEQ, T_CONCAT, T_BANG, T_ERROR
} tok_kind;

typedef struct token {
    tok_kind kind;
    size_t off, len;  /* bytes of the token in the text */
    size_t pos;       /* 1-based character position */
    char *val;        /* decoded identifier/string (malloc'd, may hold NULs: vlen), or NULL */
    size_t vlen;
    char suffix;      /* number literal suffix: 'L', 'D', 'S', 'Y', 'F', 'B' (BD) or 0 */
} token;

typedef struct lexer {
    const char *text;
    size_t len, off, pos; /* next byte and its 1-based character position */
} lexer;

/* The next token; T_ERROR (with err set: LML_EINVAL naming the position) for an unterminated
 * string or quoted name, or a character that starts no token; T_ERROR with LML_ENOMEM too. The
 * caller frees tok->val. */
tok_kind expr_lex(lexer *lx, token *tok, lml_error *err);

/* ---- binder (bind.c) */

typedef enum bkind {
    B_LIT, B_COL, B_CAST, B_NEG, B_ARITH, B_CMP, B_AND, B_OR, B_NOT, B_ISNULL, B_IN, B_LIKE, B_CASE, B_FUNC
} bkind;

typedef struct bnode {
    bkind kind;
    int op;
    lml_type type;           /* result type (EXPR_T_NULL for an untyped NULL) */
    const lml_expr *src;     /* for positions */
    struct bnode **kids;
    size_t nkids;
    const lml_column *col;   /* B_COL (borrowed from the input frame) */
    lml_value lit;           /* B_LIT (strings borrowed from src) */
    bool negated, has_else, is_decimal;
    int prec, scale;         /* B_CAST to decimal; B_FUNC round: the digits */
    expr_fn fn;
    char escape;
} bnode;

/* Binds e against the inputs: NULL with LML_ENOTFOUND / LML_EINVAL / LML_ETYPE / LML_ENOMEM. */
bnode *expr_bind(const lml_expr *e, const lml_expr_input *inputs, size_t ninputs, lml_error *err);
void expr_bnode_free(bnode *b);
/* Internal helpers shared by bind.c and bind_funcs.c. */
bnode *bnode_new(bkind kind, lml_type type, const lml_expr *src);
bool bnode_add(bnode *parent, bnode *kid);
/* kid cast to `to` (kid itself when it already has that type); frees kid on failure. */
bnode *bnode_cast(bnode *kid, lml_type to);
/* Narrow and exotic numeric kinds (byte, short, float, decimal) widened to int/double. */
bnode *bnode_widen(bnode *kid);
bool bind_is_numeric(lml_type t);
/* Spark's findWiderTypeForTwo (numeric widening, date/timestamp → timestamp, string promotion
 * except for booleans); false when there is none. */
bool bind_wider(lml_type a, lml_type b, lml_type *out);
/* Binds a function call (bind_funcs.c); kids are already bound. */
bnode *bind_function(const lml_expr *e, bnode **kids, size_t nkids, lml_error *err);

/* ---- evaluator */

/* A value being computed: a column of n rows, or (scalar) one row standing for every row. */
typedef struct vec {
    lml_column *c;
    bool scalar;
} vec;

typedef struct eval_ctx {
    size_t n;
    int64_t now_us;  /* current_timestamp(), fixed for the whole evaluation */
    lml_error *err;
} eval_ctx;

static inline size_t vrow(const vec *v, size_t i) { return v->scalar ? 0 : i; }
static inline bool vnull(const vec *v, size_t i)
{
    return v->c->validity && !lml_bit_get(v->c->validity, vrow(v, i));
}
static inline size_t vlen(const eval_ctx *cx, const vec *a, const vec *b)
{
    return a->scalar && (!b || b->scalar) ? 1 : cx->n;
}

bool expr_eval_node(eval_ctx *cx, const bnode *b, vec *out);
void vec_free(vec *v);
/* A column of `type` with n rows (string: `bytes` of data) whose validity is the AND of the given
 * inputs' validity (no bitmap when every input is non-null); NULL with err set. */
lml_column *vec_alloc(eval_ctx *cx, lml_type type, size_t n, size_t bytes, const vec *a, const vec *b);
/* Zeroes the value slots of null rows (the library's convention), counts nulls. Returns c. */
lml_column *vec_seal(lml_column *c);
/* A scalar (one-row) column holding v (cast already done); NULL with err set. */
bool vec_scalar(eval_ctx *cx, const lml_value *v, vec *out);
/* Every row of the given sources picked by pick[i] (an index into srcs, or -1 for NULL) into one
 * column of `type` (eval_case.c). */
bool vec_gather(eval_ctx *cx, lml_type type, const vec *srcs, const int32_t *pick, vec *out);

bool eval_cast(eval_ctx *cx, const bnode *b, const vec *in, vec *out);          /* eval_cast.c */
bool eval_arith(eval_ctx *cx, const bnode *b, const vec *x, const vec *y, vec *out); /* eval_arith.c */
bool eval_neg(eval_ctx *cx, const vec *x, vec *out);
bool eval_cmp(eval_ctx *cx, int op, const vec *x, const vec *y, vec *out);      /* eval_cmp.c */
bool eval_and_or(eval_ctx *cx, bool is_and, const vec *x, const vec *y, vec *out); /* eval_logic.c */
bool eval_not(eval_ctx *cx, const vec *x, vec *out);
bool eval_isnull(eval_ctx *cx, bool negated, const vec *x, vec *out);
bool eval_like(eval_ctx *cx, const bnode *b, const vec *x, const vec *pat, vec *out); /* eval_like.c */
/* Checks a LIKE pattern's escapes (LML_EINVAL naming the position): the binder calls it on a
 * literal pattern so that the error comes before any row is read. */
bool expr_like_check(const char *pat, size_t plen, char escape, size_t pos, lml_error *err);
bool eval_case(eval_ctx *cx, const bnode *b, vec *out);                         /* eval_case.c */
bool eval_in(eval_ctx *cx, const bnode *b, vec *out);                           /* eval_in.c */
bool eval_function(eval_ctx *cx, const bnode *b, vec *args, vec *out);          /* functions.c */

/* Spark's round(x, d) HALF_UP on a double as Scala's BigDecimal(x) (its shortest decimal text). */
double expr_round_half_up(double x, int d);

#endif
