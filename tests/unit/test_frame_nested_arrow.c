/* Arrow export and import of binary and nested columns: the format strings and children a
 * consumer sees, children that outlive their parent, arrays handed over by another producer
 * (offsets rebased or refused), Spark's VectorUDT struct read back as a vector, and hostile
 * nesting depth. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include "frame/internal.h"
#include "lakeml/arrow.h"
#include "nested_support.h"
#include "support.h"

static void assert_format(const struct ArrowSchema *s, const char *format, const char *name, int64_t nkids)
{
    cr_assert_str_eq(s->format, format, "node '%s'", name);
    cr_assert_str_eq(s->name, name);
    cr_assert_eq(s->n_children, nkids, "node '%s'", name);
}

Test(frame_nested, arrow_export_uses_arrow_format_strings_and_children)
{
    lml_frame *f = lml_test_sample_frame();
    struct ArrowSchema s;
    struct ArrowArray a;
    lml_error err = {0};
    cr_assert(lml_arrow_export_frame(f, &s, &a, &err), "%s", err.message);
    assert_format(s.children[0], "+l", "a", 1);
    assert_format(s.children[0]->children[0], "i", "element", 0);
    assert_format(s.children[1], "+s", "s", 2);
    assert_format(s.children[1]->children[0], "i", "a", 0);
    assert_format(s.children[1]->children[1], "u", "b", 0);
    const struct ArrowSchema *m = s.children[2];
    assert_format(m, "+m", "m", 1);
    assert_format(m->children[0], "+s", "entries", 2);
    cr_assert_eq(m->children[0]->flags & ARROW_FLAG_NULLABLE, 0);
    assert_format(m->children[0]->children[0], "u", "key", 0);
    cr_assert_eq(m->children[0]->children[0]->flags & ARROW_FLAG_NULLABLE, 0);
    assert_format(m->children[0]->children[1], "l", "value", 0);
    cr_assert_eq(m->children[0]->children[1]->flags & ARROW_FLAG_NULLABLE, ARROW_FLAG_NULLABLE);
    assert_format(s.children[3], "z", "bin", 0);
    assert_format(s.children[4], "+l", "ls", 1);
    assert_format(s.children[4]->children[0], "+s", "element", 2);
    assert_format(s.children[4]->children[0]->children[1], "g", "y", 0);
    /* Arrays: list = validity + offsets; struct = validity only; map child = entries struct. */
    const struct ArrowArray *la = a.children[0];
    cr_assert_eq(la->n_buffers, 2);
    cr_assert_eq(la->null_count, 1);
    cr_assert_eq(((const int32_t *)la->buffers[1])[4], 4);
    cr_assert_eq(la->children[0]->length, 4);
    cr_assert_eq(la->children[0]->null_count, 1);
    cr_assert_eq(a.children[1]->n_buffers, 1);
    cr_assert_eq(a.children[1]->children[1]->n_buffers, 3);
    cr_assert_eq(a.children[2]->children[0]->length, 3);
    cr_assert_eq(a.children[2]->children[0]->n_children, 2);
    cr_assert_eq(((const int64_t *)a.children[2]->children[0]->children[1]->buffers[1])[2], -7);
    cr_assert_eq(a.children[3]->n_buffers, 3);
    cr_assert_eq(((const uint8_t *)a.children[3]->buffers[2])[3], 0xFF);

    /* Round trip: the same schema text and the same cells. */
    lml_frame *g = lml_arrow_import_frame(&s, &a, &err);
    cr_assert_not_null(g, "%s", err.message);
    char *s1 = lml_frame_schema_string(f, NULL), *s2 = lml_frame_schema_string(g, NULL);
    cr_assert_str_eq(s1, s2);
    char *t1 = lml_frame_show_string(f, 20, 0, NULL), *t2 = lml_frame_show_string(g, 20, 0, NULL);
    cr_assert_str_eq(t1, t2);
    cr_assert_eq(lml_column_null_count(lml_column_child(lml_frame_column(g, 0), 0)), 1);
    free(s1);
    free(s2);
    free(t1);
    free(t2);
    s.release(&s);
    lml_frame_free(g);
    lml_frame_free(f);
}

Test(frame_nested, arrow_child_may_outlive_its_parent)
{
    lml_column *l = lml_test_sample_list_of_struct();
    struct ArrowSchema s;
    struct ArrowArray a;
    cr_assert(lml_arrow_export_column(l, "ls", &s, &a, NULL));
    lml_column_free(l);
    struct ArrowArray kid = *a.children[0]; /* move the element struct out */
    a.children[0]->release = NULL;
    a.release(&a);
    cr_assert_eq(kid.length, 3);
    cr_assert_eq(((const double *)kid.children[1]->buffers[1])[2], -1.0);
    kid.release(&kid);
    s.release(&s);
}

/* A hand-built list<int32> array as another producer would hand it over. */
typedef struct hand {
    struct ArrowSchema s, es;
    struct ArrowSchema *skids[1];
    struct ArrowArray a, ea;
    struct ArrowArray *akids[1];
    const void *bufs[2], *ebufs[2];
} hand;

static void noop_schema(struct ArrowSchema *s) { s->release = NULL; }

static void noop_array(struct ArrowArray *a) { a->release = NULL; }

static void hand_list(hand *h, const int32_t *offs, int64_t len, int64_t offset, const int32_t *vals, int64_t nvals)
{
    memset(h, 0, sizeof *h);
    h->es = (struct ArrowSchema){.format = "i", .name = "item", .flags = 2, .release = noop_schema};
    h->skids[0] = &h->es;
    h->s = (struct ArrowSchema){.format = "+l", .name = "xs", .flags = 2, .n_children = 1, .children = h->skids,
                                .release = noop_schema};
    h->ebufs[1] = vals;
    h->ea = (struct ArrowArray){.length = nvals, .n_buffers = 2, .buffers = h->ebufs, .release = noop_array};
    h->akids[0] = &h->ea;
    h->bufs[1] = offs;
    h->a = (struct ArrowArray){.length = len, .offset = offset, .n_buffers = 2, .buffers = h->bufs, .n_children = 1,
                               .children = h->akids, .release = noop_array};
}

Test(frame_nested, arrow_import_rebases_offsets_and_rejects_offsets_past_the_child)
{
    static const int32_t vals[6] = {10, 11, 12, 13, 14, 15};
    static const int32_t offs[5] = {0, 1, 3, 3, 6};
    hand h;
    hand_list(&h, offs, 2, 1, vals, 6); /* rows 1..2 of the list: [11, 12], [] */
    lml_error err = {0};
    lml_column *c = lml_arrow_import_column(&h.s, &h.a, &err);
    cr_assert_not_null(c, "%s", err.message);
    cr_assert_eq(lml_column_type(c), LML_LIST);
    cr_assert_eq(lml_column_length(c), 2);
    cr_assert_eq(lml_column_offsets(c)[0], 0);
    cr_assert_eq(lml_column_offsets(c)[1], 2);
    cr_assert_eq(lml_column_length(lml_column_child(c, 0)), 2);
    char buf[32];
    lml_format_value(c, 0, buf, sizeof buf);
    cr_assert_str_eq(buf, "[11, 12]");
    lml_column_free(c);

    static const int32_t bad[3] = {0, 4, 7};
    hand_list(&h, bad, 2, 0, vals, 6);
    cr_assert_null(lml_arrow_import_column(&h.s, &h.a, &err));
    cr_assert_eq(err.code, LML_EFORMAT);
    cr_assert(strstr(err.message, "offset 7 at row 2 goes backwards or past 6"), "%s", err.message);
    static const int32_t back[3] = {0, 4, 2};
    hand_list(&h, back, 2, 0, vals, 6);
    cr_assert_null(lml_arrow_import_column(&h.s, &h.a, &err));
    cr_assert_eq(err.code, LML_EFORMAT);
    hand_list(&h, offs, 2, 0, vals, 6);
    h.a.n_children = 0;
    h.s.n_children = 0;
    cr_assert_null(lml_arrow_import_column(&h.s, &h.a, &err));
    cr_assert_eq(err.code, LML_EFORMAT);
}

Test(frame_nested, arrow_import_of_empty_nested_columns_keeps_child_types)
{
    lml_column *el = lml_test_ints((int32_t[]){0}, NULL, 0);
    lml_column *l = lml_column_list_new((int32_t[]){0}, NULL, 0, el, NULL);
    lml_column_free(el);
    cr_assert_not_null(l);
    struct ArrowSchema s;
    struct ArrowArray a;
    cr_assert(lml_arrow_export_column(l, "e", &s, &a, NULL));
    lml_error err = {0};
    lml_column *back = lml_arrow_import_column(&s, &a, &err);
    cr_assert_not_null(back, "%s", err.message);
    cr_assert_eq(lml_column_type(back), LML_LIST);
    cr_assert_eq(lml_column_type(lml_column_child(back, 0)), LML_INT32);
    s.release(&s);
    lml_column_free(back);
    lml_column_free(l);
}

Test(frame_nested, spark_vector_udt_struct_prints_and_imports_as_a_vector)
{
    /* Spark's VectorUDT sqlType: a sparse (3,[0,2],[1.0,2.5]) and a dense [1.0,2.0,3.0]. */
    lml_column *type = lml_column_from_int8s((int8_t[]){0, 1}, NULL, 2, NULL);
    lml_column *size = lml_column_from_int32s((int32_t[]){3, 0}, (uint8_t[]){0x01}, 2, NULL);
    lml_column *ie = lml_test_ints((int32_t[]){0, 2}, NULL, 2);
    lml_column *ind = lml_column_list_new((int32_t[]){0, 2, 2}, (uint8_t[]){0x01}, 2, ie, NULL);
    lml_column *ve = lml_column_from_doubles((double[]){1.0, 2.5, 1.0, 2.0, 3.0}, NULL, 5, NULL);
    lml_column *val = lml_column_list_new((int32_t[]){0, 2, 5}, NULL, 2, ve, NULL);
    lml_column *kids[4] = {type, size, ind, val};
    lml_column *vec = lml_column_struct_new(2, 4, (const char *[]){"type", "size", "indices", "values"}, kids, NULL,
                                            NULL);
    cr_assert_not_null(vec);
    for (int i = 0; i < 4; i++)
        lml_column_free(kids[i]);
    lml_column_free(ie);
    lml_column_free(ve);
    lml_column *cols[1] = {vec};
    lml_frame *f = lml_test_frame_of(1, (const char *[]){"features"}, cols);
    lml_test_assert_schema(f, "root\n"
                     " |-- features: struct (nullable = true)\n"
                     " |    |-- type: byte (nullable = true)\n"
                     " |    |-- size: integer (nullable = true)\n"
                     " |    |-- indices: array (nullable = true)\n"
                     " |    |    |-- element: integer (containsNull = true)\n"
                     " |    |-- values: array (nullable = true)\n"
                     " |    |    |-- element: double (containsNull = true)\n");
    lml_test_assert_show(f, 20, 0,
                "+--------------------------------+\n"
                "|features                        |\n"
                "+--------------------------------+\n"
                "|{0, 3, [0, 2], [1.0, 2.5]}      |\n"
                "|{1, NULL, NULL, [1.0, 2.0, 3.0]}|\n"
                "+--------------------------------+\n");
    struct ArrowSchema s;
    struct ArrowArray a;
    lml_error err = {0};
    cr_assert(lml_arrow_export_frame(f, &s, &a, &err), "%s", err.message);
    const struct ArrowSchema *v = s.children[0];
    assert_format(v, "+s", "features", 4);
    assert_format(v->children[0], "c", "type", 0);
    assert_format(v->children[1], "i", "size", 0);
    assert_format(v->children[2], "+l", "indices", 1);
    assert_format(v->children[3], "+l", "values", 1);
    assert_format(v->children[3]->children[0], "g", "element", 0);
    /* lakeml reads this shape back as its ML vector column (what Spark's VectorUDT stores). */
    lml_frame *g = lml_arrow_import_frame(&s, &a, &err);
    cr_assert_not_null(g, "%s", err.message);
    const lml_column *c = lml_frame_column(g, 0);
    cr_assert_eq(lml_column_type(c), LML_VECTOR);
    cr_assert_eq(lml_column_vector_size(c), 3);
    char buf[64];
    lml_format_value(c, 0, buf, sizeof buf);
    cr_assert_str_eq(buf, "(3,[0,2],[1.0,2.5])");
    lml_format_value(c, 1, buf, sizeof buf);
    cr_assert_str_eq(buf, "(3,[0,1,2],[1.0,2.0,3.0])");
    s.release(&s);
    lml_frame_free(g);
    lml_frame_free(f);
}

Test(frame_nested, arrow_import_refuses_hostile_nesting_depth)
{
    enum { DEPTH = 200 };
    static struct ArrowSchema s[DEPTH];
    static struct ArrowArray a[DEPTH];
    static struct ArrowSchema *sk[DEPTH];
    static struct ArrowArray *ak[DEPTH];
    static const void *bufs[DEPTH][2];
    static const int32_t one[1] = {42};
    for (int i = DEPTH - 1; i >= 0; i--) { /* struct of struct of … of int */
        bool leaf = i == DEPTH - 1;
        s[i] = (struct ArrowSchema){.format = leaf ? "i" : "+s", .name = "n", .flags = 2, .n_children = !leaf,
                                    .children = leaf ? NULL : &sk[i], .release = noop_schema};
        bufs[i][1] = leaf ? one : NULL;
        a[i] = (struct ArrowArray){.length = 1, .n_buffers = leaf ? 2 : 1, .buffers = bufs[i], .n_children = !leaf,
                                   .children = leaf ? NULL : &ak[i], .release = noop_array};
        if (!leaf) {
            sk[i] = &s[i + 1];
            ak[i] = &a[i + 1];
        }
    }
    lml_error err = {0};
    cr_assert_null(lml_arrow_import_column(&s[0], &a[0], &err));
    cr_assert_eq(err.code, LML_EUNSUPPORTED);
    cr_assert(strstr(err.message, "nesting deeper than 64 levels"), "%s", err.message);
    /* 10 levels are fine. */
    s[9] = (struct ArrowSchema){.format = "i", .name = "n", .flags = 2, .release = noop_schema};
    bufs[9][1] = one;
    a[9] = (struct ArrowArray){.length = 1, .n_buffers = 2, .buffers = bufs[9], .release = noop_array};
    for (int i = 0; i < 9; i++)
        a[i].release = noop_array;
    lml_column *c = lml_arrow_import_column(&s[0], &a[0], &err);
    cr_assert_not_null(c, "%s", err.message);
    char buf[64];
    lml_format_value(c, 0, buf, sizeof buf);
    cr_assert_str_eq(buf, "{{{{{{{{{42}}}}}}}}}");
    lml_column_free(c);
}
