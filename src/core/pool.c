/* The library's one worker pool. Workers are created on first need and live for the process.
 * A parallel loop hands tasks out through an atomic counter; the calling thread works too, as
 * worker 0. Loops from two user threads at once do not share the pool: the second runs inline,
 * which gives the same results because tasks never depend on the worker that runs them. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>
#include "core/internal.h"
#include "lakeml/threads.h"

#define MAX_WORKERS 256

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static _Atomic int num_threads;

static pthread_mutex_t job_lock = PTHREAD_MUTEX_INITIALIZER; /* held by the loop that owns the pool */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static pthread_cond_t done = PTHREAD_COND_INITIALIZER;
static int started;              /* worker threads created (ids 1..started) */
static unsigned long generation; /* bumped per loop */
static int active;               /* workers 1..active-1 take part in the current loop */
static int running;              /* workers still inside the current loop */

static lml_task_fn job_fn;
static void *job_ctx;
static size_t job_tasks;
static atomic_size_t job_next;

static _Thread_local bool in_worker;

static int cores(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > MAX_WORKERS ? MAX_WORKERS : (int)n;
}

static void init(void)
{
    const char *env = getenv("LAKEML_NUM_THREADS");
    int n = env ? atoi(env) : 0;
    atomic_store(&num_threads, n >= 1 ? (n > MAX_WORKERS ? MAX_WORKERS : n) : cores());
}

void lml_set_num_threads(int n)
{
    pthread_once(&init_once, init);
    atomic_store(&num_threads, n >= 1 ? (n > MAX_WORKERS ? MAX_WORKERS : n) : cores());
}

int lml_get_num_threads(void)
{
    pthread_once(&init_once, init);
    return atomic_load(&num_threads);
}

int lml_pool_size(void) { return lml_get_num_threads(); }

static void run_tasks(int worker)
{
    size_t t;
    while ((t = atomic_fetch_add(&job_next, 1)) < job_tasks)
        job_fn(job_ctx, t, worker);
}

static void *worker_main(void *arg)
{
    int id = (int)(intptr_t)arg;
    in_worker = true;
    unsigned long seen = 0;
    pthread_mutex_lock(&lock);
    for (;;) {
        while (generation == seen || id >= active)
        {
            seen = generation;
            pthread_cond_wait(&wake, &lock);
        }
        seen = generation;
        pthread_mutex_unlock(&lock);
        run_tasks(id);
        pthread_mutex_lock(&lock);
        if (--running == 0)
            pthread_cond_signal(&done);
    }
    return NULL;
}

/* Creates workers up to id want-1; returns how many threads (caller included) can take part. */
static int ensure_workers(int want)
{
    while (started + 1 < want) {
        pthread_t th;
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        int rc = pthread_create(&th, &attr, worker_main, (void *)(intptr_t)(started + 1));
        pthread_attr_destroy(&attr);
        if (rc != 0)
            break;
        started++;
    }
    return started + 1 < want ? started + 1 : want;
}

void lml_parallel_for(size_t ntasks, lml_task_fn fn, void *ctx)
{
    int n = lml_get_num_threads();
    if ((size_t)n > ntasks)
        n = (int)ntasks;
    if (n <= 1 || in_worker || pthread_mutex_trylock(&job_lock) != 0) {
        for (size_t t = 0; t < ntasks; t++)
            fn(ctx, t, 0);
        return;
    }
    pthread_mutex_lock(&lock);
    n = ensure_workers(n);
    job_fn = fn;
    job_ctx = ctx;
    job_tasks = ntasks;
    atomic_store(&job_next, 0);
    active = n;
    running = n - 1;
    generation++;
    pthread_cond_broadcast(&wake);
    pthread_mutex_unlock(&lock);

    in_worker = true;
    run_tasks(0);
    in_worker = false;

    pthread_mutex_lock(&lock);
    while (running > 0)
        pthread_cond_wait(&done, &lock);
    active = 0;
    pthread_mutex_unlock(&lock);
    pthread_mutex_unlock(&job_lock);
}
