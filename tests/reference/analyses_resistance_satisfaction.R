#!/usr/bin/env Rscript
# Reference values for kinerja_research.analysis.{resistance,satisfaction,sampling}.
# Run from the repository root: Rscript tests/reference/analyses_resistance_satisfaction.R
# Writes tests/reference/analyses_rs_*.json (full precision, digits = NA). CI reads the JSON; it never needs R.
suppressPackageStartupMessages({
  library(jsonlite); library(rstatix); library(effectsize); library(pwr); library(sandwich); library(lmtest)
})
out_dir <- "tests/reference"
plain <- function(df) data.frame(lapply(df, function(c) as.vector(unclass(c))), stringsAsFactors = FALSE)
wj <- function(x, name) write_json(x, file.path(out_dir, name), digits = NA, auto_unbox = TRUE, pretty = TRUE,
                                   na = "null")

# ---- data sets: R's datasets plus a seeded many-group set (written out so Python reads the same numbers) ----------
set.seed(20261123)
k <- 30
ng <- sample(8:60, k, replace = TRUE)
many <- data.frame(g = rep(sprintf("R%02d", 1:k), ng),
                   y = unlist(lapply(1:k, function(i) rnorm(ng[i], mean = 3 + 0.05 * i, sd = 0.5 + 0.03 * i))))
write.csv(many, file.path(out_dir, "analyses_rs_many_groups.csv"), row.names = FALSE)
sets <- list(
  insectsprays = data.frame(g = as.character(InsectSprays$spray), y = InsectSprays$count),
  plantgrowth  = data.frame(g = as.character(PlantGrowth$group), y = PlantGrowth$weight),
  warpbreaks   = data.frame(g = as.character(warpbreaks$tension), y = warpbreaks$breaks),
  many_groups  = many
)

group_block <- function(d) {
  d$g <- factor(d$g, levels = sort(unique(d$g)))
  ow <- oneway.test(y ~ g, data = d, var.equal = FALSE)
  fit <- aov(y ~ g, data = d)
  eta <- effectsize::eta_squared(fit, partial = FALSE, verbose = FALSE)
  omg <- effectsize::omega_squared(fit, partial = FALSE, verbose = FALSE)
  eps <- effectsize::epsilon_squared(fit, partial = FALSE, verbose = FALSE)
  gh <- plain(rstatix::games_howell_test(d, y ~ g, conf.level = 0.95, detailed = TRUE))
  # the same by formula with ptukey/qtukey, unrounded (rstatix rounds p.adj to 3 decimals? keep both)
  lev <- levels(d$g); kk <- length(lev)
  m <- tapply(d$y, d$g, mean); v <- tapply(d$y, d$g, var); n <- tapply(d$y, d$g, length)
  pr <- t(combn(kk, 2))
  a <- pr[, 1]; b <- pr[, 2]
  se <- sqrt(v[a] / n[a] + v[b] / n[b])
  est <- m[a] - m[b]
  df <- (v[a] / n[a] + v[b] / n[b])^2 / ((v[a] / n[a])^2 / (n[a] - 1) + (v[b] / n[b])^2 / (n[b] - 1))
  tt <- est / se
  gh_formula <- data.frame(group_a = lev[a], group_b = lev[b], estimate = unname(est), se = unname(se),
                           statistic = unname(tt), df = unname(df),
                           p = 2 * pt(abs(unname(tt)), unname(df), lower.tail = FALSE),
                           p_adj = ptukey(abs(unname(tt)) * sqrt(2), kk, unname(df), lower.tail = FALSE),
                           ci_low = unname(est) - qtukey(0.95, kk, unname(df)) / sqrt(2) * unname(se),
                           ci_high = unname(est) + qtukey(0.95, kk, unname(df)) / sqrt(2) * unname(se))
  kw <- kruskal.test(y ~ g, data = d)
  dunn <- plain(rstatix::dunn_test(d, y ~ g, p.adjust.method = "holm", detailed = TRUE))
  reps <- effectsize::rank_epsilon_squared(y ~ g, data = d, ci = NULL)
  means <- do.call(rbind, lapply(lev, function(l) {
    tt <- t.test(d$y[d$g == l])
    data.frame(region = l, estimate = unname(tt$estimate), ci_low = tt$conf.int[1], ci_high = tt$conf.int[2],
               n = sum(d$g == l))
  }))
  list(welch = list(statistic = unname(ow$statistic), df1 = unname(ow$parameter[1]), df2 = unname(ow$parameter[2]),
                    p = ow$p.value),
       eta2 = eta$Eta2[1], omega2 = omg$Omega2[1], epsilon2 = eps$Epsilon2[1],
       games_howell_rstatix = gh, games_howell_formula = gh_formula,
       kruskal = list(statistic = unname(kw$statistic), df = unname(kw$parameter), p = kw$p.value,
                      rank_epsilon2 = reps$rank_epsilon_squared[1]),
       dunn = dunn, means = means)
}
wj(lapply(sets, group_block), "analyses_rs_groups.json")

# ---- studentized range grid ----------------------------------------------------------------------------------------
grid <- expand.grid(q = c(0.5, 1.5, 2.8, 3.6, 4.9, 7.5), k = c(2, 3, 6, 30, 514), df = c(2.5, 9, 57.3, 450, 3200,
                                                                                              12000, 40000))
grid$p_lower <- mapply(function(q, k, df) ptukey(q, k, df), grid$q, grid$k, grid$df)
qgrid <- expand.grid(p = c(0.9, 0.95, 0.99), k = c(2, 5, 30, 514), df = c(3, 20, 900, 8000, 30000))
qgrid$q <- mapply(function(p, k, df) qtukey(p, k, df), qgrid$p, qgrid$k, qgrid$df)
wj(list(ptukey = grid, qtukey = qgrid), "analyses_rs_tukey.json")

# ---- regressions (drivers / outcomes) on mtcars --------------------------------------------------------------------
mt <- mtcars
mt$cyl_f <- factor(mt$cyl)
fit <- lm(mpg ~ wt + hp + cyl_f, data = mt)
ci <- confint(fit)
hc3 <- coeftest(fit, vcov = vcovHC(fit, type = "HC3"))
hc3ci <- coefci(fit, vcov = vcovHC(fit, type = "HC3"))
sdx <- c(NA, sd(mt$wt), sd(mt$hp), sd(as.numeric(mt$cyl == 6)), sd(as.numeric(mt$cyl == 8)))
lm_ref <- data.frame(term = names(coef(fit)), estimate = unname(coef(fit)),
                     se = unname(summary(fit)$coefficients[, 2]), statistic = unname(summary(fit)$coefficients[, 3]),
                     p = unname(summary(fit)$coefficients[, 4]), ci_low = unname(ci[, 1]), ci_high = unname(ci[, 2]),
                     std_beta = unname(coef(fit)) * sdx / sd(mt$mpg),
                     hc3_se = unname(hc3[, 2]), hc3_p = unname(hc3[, 4]), hc3_ci_low = unname(hc3ci[, 1]),
                     hc3_ci_high = unname(hc3ci[, 2]))
gl <- glm(am ~ wt + hp, data = mtcars, family = binomial)
glci <- confint.default(gl)
glm_ref <- data.frame(term = names(coef(gl)), estimate = unname(coef(gl)),
                      se = unname(summary(gl)$coefficients[, 2]), statistic = unname(summary(gl)$coefficients[, 3]),
                      p = unname(summary(gl)$coefficients[, 4]), ci_low = unname(glci[, 1]),
                      ci_high = unname(glci[, 2]))
write.csv(mtcars, file.path(out_dir, "analyses_rs_mtcars.csv"), row.names = FALSE)
wj(list(lm = lm_ref, df_resid = fit$df.residual, r2 = summary(fit)$r.squared, adj_r2 = summary(fit)$adj.r.squared,
        glm = glm_ref), "analyses_rs_regression.json")

# ---- IKM (PermenPANRB 14/2017) computed by the regulation's formula on a seeded survey ----------------------------
set.seed(14)
nresp <- 240
skm <- data.frame(service_unit = sample(c("Disdukcapil", "DPMPTSP", "RSUD"), nresp, replace = TRUE),
                  period = sample(c("2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"), nresp, replace = TRUE))
for (e in 1:9) skm[[paste0("U", e)]] <- sample(1:4, nresp, replace = TRUE, prob = c(0.05, 0.15, 0.5 - e / 60,
                                                                                     0.3 + e / 60))
write.csv(skm, file.path(out_dir, "analyses_rs_skm.csv"), row.names = FALSE)
ikm_of <- function(d, w) {
  nrr <- colMeans(d[, paste0("U", 1:9)])
  val <- sum(nrr * w) * 25
  r <- round(val + 1e-9, 2)
  mutu <- if (r >= 88.31) "A" else if (r >= 76.61) "B" else if (r >= 65) "C" else "D"
  list(nrr = as.list(nrr), ikm_raw = val, ikm = r, mutu = mutu, n = nrow(d))
}
by_unit <- lapply(split(skm, skm$service_unit), ikm_of, w = rep(1 / 9, 9))
by_sem <- lapply(split(skm, ifelse(skm$period %in% c("2026-Q1", "2026-Q2"), "2026-S1", "2026-S2")), ikm_of,
                 w = rep(1 / 9, 9))
skm$score <- rowMeans(skm[, paste0("U", 1:9)]) * 25
skm$t <- as.integer(factor(skm$period))
tr <- summary(lm(score ~ t, data = skm))$coefficients
wj(list(overall = ikm_of(skm, rep(1 / 9, 9)), overall_printed = ikm_of(skm, rep(0.11, 9)), by_unit = by_unit,
        by_semester = by_sem, trend = list(estimate = tr[2, 1], se = tr[2, 2], statistic = tr[2, 3], p = tr[2, 4])),
   "analyses_rs_ikm.json")

# ---- sample size and power ----------------------------------------------------------------------------------------
pops <- c(10, 50, 100, 500, 1000, 10000, 1e6)
# km_raw uses the exact qchisq(0.95, 1); the package now uses Krejcie & Morgan's printed 3.841 at 95%, checked against
# analyses_edge_cases.R (krejcie_morgan), so km_raw below is kept for the record and no longer compared.
km <- function(N, p = 0.5, d = 0.05, chi = qchisq(0.95, 1)) chi * N * p * (1 - p) / (d^2 * (N - 1) + chi * p * (1 - p))
sz <- data.frame(population = pops, slovin_raw = pops / (1 + pops * 0.05^2), km_raw = km(pops))
pw <- list(
  t_two_n = pwr.t.test(d = 0.5, power = 0.8, sig.level = 0.05, type = "two.sample")$n,
  t_two_power = pwr.t.test(d = 0.5, n = 30, sig.level = 0.05, type = "two.sample")$power,
  t_paired_n = pwr.t.test(d = 0.3, power = 0.9, sig.level = 0.05, type = "paired")$n,
  t_one_power = pwr.t.test(d = 0.4, n = 25, sig.level = 0.01, type = "one.sample")$power,
  t_two_greater_power = pwr.t.test(d = 0.5, n = 30, sig.level = 0.05, type = "two.sample",
                                   alternative = "greater")$power,
  t_two_d = pwr.t.test(n = 40, power = 0.8, sig.level = 0.05, type = "two.sample")$d,
  anova_n = pwr.anova.test(k = 4, f = 0.25, power = 0.8, sig.level = 0.05)$n,
  anova_power = pwr.anova.test(k = 4, f = 0.25, n = 30, sig.level = 0.05)$power,
  f2_v = pwr.f2.test(u = 4, f2 = 0.15, power = 0.8, sig.level = 0.05)$v,
  f2_power = pwr.f2.test(u = 4, v = 60, f2 = 0.15, sig.level = 0.05)$power
)
wj(list(sizes = sz, power = pw), "analyses_rs_sampling.json")
cat("written analyses_rs_*.json\n")

# ---- the default synthetic data (simulate(seed = 2026, scale = 1), pre-wave RTC scores and SKM answers) ------------
# analyses_rs_default_rtc.csv / analyses_rs_default_skm.csv were written from kinerja_research.synth.simulate(seed=2026)
# (RTC scored with kinerja_research.measure.score_scale, dropna); R recomputes every statistic from them.
rtc <- read.csv(file.path(out_dir, "analyses_rs_default_rtc.csv"), colClasses = c(region_code = "character"))
rtc_sets <- list(total = data.frame(g = rtc$region_code, y = rtc$total),
                 cognitive_rigidity = data.frame(g = rtc$region_code, y = rtc$cognitive_rigidity))
skm_d <- read.csv(file.path(out_dir, "analyses_rs_default_skm.csv"), colClasses = c(region_code = "character"))
ikm_default <- lapply(split(skm_d, skm_d$region_code), ikm_of, w = rep(1 / 9, 9))
wj(list(rtc = lapply(rtc_sets, group_block), ikm = ikm_default), "analyses_rs_default.json")
cat("written analyses_rs_default.json\n")
