# Reference values for edge cases of kinerja_research.analysis (and measure.r_table): run from the
# repository root (`make references` or `Rscript tests/reference/analyses_edge_cases.R`).
# Inputs are small vectors written into the JSON itself, so Python and R read the same numbers.
suppressPackageStartupMessages({ library(jsonlite); library(effectsize) })
out <- "tests/reference"
versions <- list(R = R.version.string, packages = list(effectsize = as.character(packageVersion("effectsize"))))

# 1. Kruskal-Wallis with every value tied: R gives statistic NaN and p NA (the test is undefined).
kw <- kruskal.test(c(2, 2, 2, 2, 2, 2), factor(c("a", "a", "b", "b", "c", "c")))

# 2. Games-Howell effect size: effectsize::hedges_g(x, y, pooled_sd = FALSE) for every pair (a < b), the estimate
#    being mean(a) - mean(b) as in games_howell. effectsize 0.8 applies J(df) = exp(lgamma(df/2) - log(sqrt(df/2)) -
#    lgamma((df-1)/2)) with the Welch-Satterthwaite df when pooled_sd = FALSE.
gh <- list(a = c(2.1, 3.4, 1.9, 2.8, 3.0), b = c(3.9, 4.4, 2.7, 5.1, 3.6, 4.8), c = c(1.2, 2.9, 2.2, 4.0))
pairs <- list(c("a", "b"), c("a", "c"), c("b", "c"))
g <- sapply(pairs, function(p) hedges_g(gh[[p[1]]], gh[[p[2]]], pooled_sd = FALSE)$Hedges_g)
d <- sapply(pairs, function(p) cohens_d(gh[[p[1]]], gh[[p[2]]], pooled_sd = FALSE)$Cohens_d)

# 6. one-sided paired change: t.test(post, pre, paired = TRUE, alternative = ...) interval and the one-sided d_z
#    interval of effectsize::cohens_d(post, pre, paired = TRUE, alternative = ...) (other side -Inf/Inf).
pre <- c(3.0, 2.0, 4.0, 3.1, 2.6, 3.4, 2.2, 3.9)
post <- c(3.5, 2.9, 4.1, 3.3, 2.5, 3.9, 2.8, 4.6)
one <- function(alt) {
  tt <- t.test(post, pre, paired = TRUE, alternative = alt)
  dz <- cohens_d(post, pre, paired = TRUE, alternative = alt, ci = 0.95)
  list(t_ci_low = tt$conf.int[1], t_ci_high = tt$conf.int[2], dz = dz$Cohens_d, dz_ci_low = dz$CI_low,
       dz_ci_high = dz$CI_high)
}

# 5. r table, lower tail: r = t / sqrt(df + t^2) with t = qt(0.05, n - 2) (negative for "less").
n_r <- c(10, 30, 100)
t_less <- qt(0.05, n_r - 2)

# 4. Krejcie & Morgan (1970) with their chi2 = 3.841 at 95% (the published table's value) and the exact qchisq at 99%.
km <- function(N, chi, p = 0.5, d = 0.05) chi * N * p * (1 - p) / (d^2 * (N - 1) + chi * p * (1 - p))
pops <- c(10, 50, 100, 500, 1000, 10000, 40000, 1e6)

res <- list(
  versions = versions,
  kruskal_all_tied = list(y = c(2, 2, 2, 2, 2, 2), g = c("a", "a", "b", "b", "c", "c"),
                          statistic_is_nan = is.nan(unname(kw$statistic)), p_is_na = is.na(kw$p.value)),
  games_howell_g = list(data = gh, group_a = sapply(pairs, `[`, 1), group_b = sapply(pairs, `[`, 2),
                        hedges_g = g, cohens_d = d),
  paired_one_sided = list(pre = pre, post = post, greater = one("greater"), less = one("less")),
  r_table_less = list(n = n_r, r = t_less / sqrt(n_r - 2 + t_less^2)),
  krejcie_morgan = list(population = pops, km_raw_95 = km(pops, 3.841), km_raw_99 = km(pops, qchisq(0.99, 1)))
)
write_json(res, file.path(out, "analyses_edge_cases.json"), digits = NA, auto_unbox = TRUE, pretty = TRUE)
