/* The progress bar: the library reports progress through an lml_progress callback; the command
 * draws it on stderr, and only when stderr is a terminal, so pipes and logs stay clean. */
#include "cli.h"

#include <string.h>
#include <time.h>
#include <unistd.h>

/* No bar for work that ends quickly: it would only flicker. */
#define BAR_DELAY_S 0.3
#define BAR_REDRAW_S 0.1
#define BAR_WIDTH 30

static struct {
    bool started;
    bool drawn;
    double start;
    double last_draw;
} bar;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void human_bytes(uint64_t n, char *buf, size_t cap)
{
    static const char *units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = (double)n;
    size_t u = 0;
    while (v >= 1024 && u + 1 < sizeof units / sizeof *units) {
        v /= 1024;
        u++;
    }
    if (u == 0)
        snprintf(buf, cap, "%llu B", (unsigned long long)n);
    else
        snprintf(buf, cap, "%.1f %s", v, units[u]);
}

static bool draw(void *user, const char *what, uint64_t done, uint64_t total)
{
    double t = now_s();
    if (!bar.started) {
        bar.started = true;
        bar.start = t;
    }
    if (t - bar.start < BAR_DELAY_S)
        return true;
    if (bar.drawn && t - bar.last_draw < BAR_REDRAW_S && done < total)
        return true;
    bar.drawn = true;
    bar.last_draw = t;
    /* The caller's label (the file name) reads better than the library's task name. */
    if (user)
        what = user;
    else if (!what)
        what = "working";
    if (total > 0) {
        /* Units are the library's (a CSV read counts the file twice: inference, then
         * conversion), so only the fraction and the elapsed time mean something to a user. */
        double frac = done >= total ? 1.0 : (double)done / (double)total;
        int filled = (int)(frac * BAR_WIDTH);
        char cells[BAR_WIDTH + 1];
        memset(cells, '#', (size_t)filled);
        memset(cells + filled, ' ', (size_t)(BAR_WIDTH - filled));
        cells[BAR_WIDTH] = '\0';
        fprintf(stderr, "\r%s [%s] %3d%% %.1fs\x1b[K", what, cells, (int)(frac * 100), t - bar.start);
    } else {
        char done_s[32];
        human_bytes(done, done_s, sizeof done_s);
        fprintf(stderr, "\r%s %s\x1b[K", what, done_s);
    }
    fflush(stderr);
    return true;
}

lml_progress cli_progress_bar(const char *label)
{
    memset(&bar, 0, sizeof bar);
    if (!isatty(STDERR_FILENO))
        return (lml_progress){0};
    return (lml_progress){.fn = draw, .user = (void *)label};
}

void cli_progress_done(void)
{
    if (bar.drawn) {
        fputs("\r\x1b[K", stderr);
        fflush(stderr);
    }
    memset(&bar, 0, sizeof bar);
}
