#include <criterion/criterion.h>
#include <stdatomic.h>
#include <stdlib.h>
#include "core/internal.h"
#include "lakeml/threads.h"

typedef struct {
    double *out;
    atomic_int seen_workers[64];
    atomic_int nested_calls;
} ctx_t;

static void square(void *c, size_t t, int w)
{
    ctx_t *ctx = c;
    ctx->out[t] = (double)t * (double)t;
    atomic_fetch_add(&ctx->seen_workers[w], 1);
}

Test(pool, every_task_runs_exactly_once_with_any_thread_count)
{
    for (int threads = 1; threads <= 4; threads++) {
        lml_set_num_threads(threads);
        cr_assert_eq(lml_get_num_threads(), threads);
        ctx_t ctx = {.out = calloc(10000, sizeof(double))};
        lml_parallel_for(10000, square, &ctx);
        int total = 0;
        for (int w = 0; w < 64; w++) {
            total += ctx.seen_workers[w];
            if (w >= threads)
                cr_assert_eq(ctx.seen_workers[w], 0, "worker %d ran with %d threads", w, threads);
        }
        cr_assert_eq(total, 10000);
        for (size_t i = 0; i < 10000; i++)
            cr_assert_eq(ctx.out[i], (double)i * (double)i);
        free(ctx.out);
    }
}

static void inner(void *c, size_t t, int w)
{
    ctx_t *ctx = c;
    (void)t;
    cr_assert_eq(w, 0, "a nested loop runs inline as worker 0");
    atomic_fetch_add(&ctx->nested_calls, 1);
}

static void outer(void *c, size_t t, int w)
{
    (void)t;
    (void)w;
    lml_parallel_for(5, inner, c);
}

Test(pool, nested_loops_run_inline)
{
    lml_set_num_threads(2);
    ctx_t ctx = {0};
    lml_parallel_for(8, outer, &ctx);
    cr_assert_eq(ctx.nested_calls, 40);
}

Test(pool, env_sets_default_thread_count)
{
    setenv("LAKEML_NUM_THREADS", "3", 1);
    cr_assert_eq(lml_get_num_threads(), 3);
    lml_set_num_threads(0);
    cr_assert_geq(lml_get_num_threads(), 1);
}

Test(pool, zero_tasks_is_a_no_op)
{
    ctx_t ctx = {0};
    lml_parallel_for(0, square, &ctx);
}
