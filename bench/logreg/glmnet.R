# bench/logreg peer: R glmnet on the generated data set.
#
#   Rscript bench/logreg/glmnet.R DATA_DIR REG_PARAM ELASTIC_NET THRESH COEF_OUT
#
# glmnet (family binomial, standardize = FALSE, one lambda = REG_PARAM, alpha = ELASTIC_NET)
# minimises -(1/n) loglik + lambda [(1-alpha)/2 ||beta||^2 + alpha ||beta||_1], which is Spark's
# LogisticRegression objective with standardization = false, term for term; the intercept is not
# penalised. THRESH is glmnet's convergence threshold for coordinate descent.
#
# Prints one line "seconds=S iterations=K" (S: the glmnet() call alone; K: glmnet's npasses, the
# coordinate-descent passes over the data summed over its outer IRLS steps) and writes the
# intercept and the coefficients, one per line, to COEF_OUT.
suppressPackageStartupMessages(library(glmnet))

args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 5) {
    cat("usage: Rscript glmnet.R DATA_DIR REG_PARAM ELASTIC_NET THRESH COEF_OUT\n", file = stderr())
    quit(status = 2)
}
data_dir <- args[1]
lambda <- as.numeric(args[2])
alpha <- as.numeric(args[3])
thresh <- as.numeric(args[4])
out <- args[5]

meta <- scan(file.path(data_dir, "meta.txt"), quiet = TRUE)
n <- meta[1]
d <- meta[3]
read_f64 <- function(name, count) {
    con <- file(file.path(data_dir, name), "rb")
    on.exit(close(con))
    v <- readBin(con, "double", n = count, size = 8, endian = "little")
    if (length(v) != count) stop(sprintf("%s: expected %.0f values, got %d", name, count, length(v)))
    v
}
# The file is row-major; R matrices are column-major, so read d x n and transpose.
x <- t(matrix(read_f64("train_X.f64", n * d), nrow = d, ncol = n))
y <- read_f64("train_y.f64", n)

t0 <- proc.time()[["elapsed"]]
fit <- glmnet(x, y, family = "binomial", alpha = alpha, lambda = lambda, standardize = FALSE,
              intercept = TRUE, thresh = thresh, maxit = 1e6)
secs <- proc.time()[["elapsed"]] - t0

coefs <- as.numeric(as.matrix(coef(fit, s = lambda)))  # intercept first
writeLines(sprintf("%.17g", coefs), out)
cat(sprintf("seconds=%.4f iterations=%d converged=%d thresh=%g\n", secs, as.integer(fit$npasses),
            as.integer(fit$jerr == 0), thresh))
