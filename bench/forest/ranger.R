# bench/forest peer: R ranger, a random forest of probability trees (cls) or regression trees.
#
#   Rscript bench/forest/ranger.R DATA_DIR cls|reg NUM_TREES MAX_DEPTH MTRY THREADS SEED PRED_OUT
#
# ranger(x, y, num.trees = NUM_TREES, mtry = MTRY, max.depth = MAX_DEPTH (ranger's depth counts
# split levels like Spark's maxDepth), min.node.size = 1 (Spark's minInstancesPerNode and
# scikit-learn's min_samples_leaf default; ranger's own default is 10 for probability and 5 for
# regression forests), num.threads = THREADS, seed = SEED, probability = TRUE for cls (class
# probabilities, needed for an AUC), the rest ranger's defaults (bootstrap with replacement,
# sample.fraction 1, gini / variance splitting on the sorted values). The x/y interface, not a
# formula: no model frame is built. Only the ranger() call is timed. The training matrix is
# dropped before the test set is read, as in every tool of this benchmark.
#
# Writes one float64 per test row to PRED_OUT (P(class 1) or the prediction) and prints one line
# "seconds=S rss_mb=M fit_rss_mb=F auc=A" (or rmse=R): the process's peak RSS (VmHWM, the value
# ru_maxrss reports) at the end and right after the fit, MB = 10^6 bytes.
suppressPackageStartupMessages(library(ranger))

args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 8 || !(args[2] %in% c("cls", "reg"))) {
    cat("usage: Rscript ranger.R DATA_DIR cls|reg NUM_TREES MAX_DEPTH MTRY THREADS SEED PRED_OUT\n", file = stderr())
    quit(status = 2)
}
data_dir <- args[1]
cls <- args[2] == "cls"
trees <- as.integer(args[3])
depth <- as.integer(args[4])
mtry <- as.integer(args[5])
threads <- as.integer(args[6])
seed <- as.integer(args[7])
out <- args[8]

rss_mb <- function() {
    line <- grep("^VmHWM:", readLines("/proc/self/status"), value = TRUE)
    as.numeric(sub("^VmHWM:[[:space:]]*([0-9]+).*", "\\1", line)) * 1024 / 1e6
}

meta <- scan(file.path(data_dir, "meta.txt"), quiet = TRUE)
d <- meta[3]
# The file is row-major and R's matrices are column-major: read blocks of rows and transpose each
# into a preallocated n x d matrix, so that X is held once (plus one block), as in the other tools.
read_part <- function(part, n) {
    x <- matrix(0, nrow = n, ncol = d)
    con <- file(file.path(data_dir, paste0(part, "_X.f64")), "rb")
    block <- 65536
    for (start in seq(1, n, by = block)) {
        k <- min(block, n - start + 1)
        v <- readBin(con, "double", n = k * d, size = 8, endian = "little")
        if (length(v) != k * d) stop(sprintf("%s_X.f64: short read at row %d", part, start))
        x[start:(start + k - 1), ] <- t(matrix(v, nrow = d, ncol = k))
    }
    close(con)
    con <- file(file.path(data_dir, paste0(part, "_y.f64")), "rb")
    y <- readBin(con, "double", n = n, size = 8, endian = "little")
    close(con)
    if (length(y) != n) stop(sprintf("%s_y.f64: expected %d labels, got %d", part, n, length(y)))
    list(x = x, y = y)
}

train <- read_part("train", meta[1])
colnames(train$x) <- paste0("x", seq_len(d))
y <- if (cls) factor(train$y, levels = c(0, 1)) else train$y
invisible(gc())
t0 <- proc.time()[["elapsed"]]
fit <- ranger(x = train$x, y = y, num.trees = trees, mtry = mtry, max.depth = depth, min.node.size = 1,
              num.threads = threads, seed = seed, probability = cls, verbose = FALSE)
secs <- proc.time()[["elapsed"]] - t0
fit_rss <- rss_mb()
rm(train, y)
invisible(gc())

test <- read_part("test", meta[2])
colnames(test$x) <- paste0("x", seq_len(d))
pred <- predict(fit, data = test$x, num.threads = threads)$predictions
p <- if (cls) pred[, "1"] else pred
con <- file(out, "wb")
writeBin(as.double(p), con, size = 8, endian = "little")
close(con)
if (cls) {
    # Exact AUC: Mann-Whitney with tied scores counted one half (rank() averages ties).
    pos <- test$y > 0.5
    n_pos <- as.numeric(sum(pos)) # a double: n_pos * (n_pos + 1) overflows an integer
    n_neg <- length(pos) - n_pos
    metric <- sprintf("auc=%.6f", (sum(rank(p)[pos]) - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))
} else {
    metric <- sprintf("rmse=%.6f", sqrt(mean((test$y - p)^2)))
}
cat(sprintf("seconds=%.4f rss_mb=%.1f fit_rss_mb=%.1f %s threads=%d\n", secs, rss_mb(), fit_rss, metric, threads))
