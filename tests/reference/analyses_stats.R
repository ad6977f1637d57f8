# Reference values for the thesis toolbox of kinerja_research.analysis (logistic, chi2_test, ordinal_logit with
# weights, power, ttest, anova): run from the repository root (`make references` or
# `Rscript tests/reference/analyses_stats.R`). Public data shipped with R: MASS::birthwt, MASS::housing, mtcars,
# PlantGrowth; written as CSV so Python reads the same rows. ResourceSelection is not among the installed packages:
# its hoslem.test is reproduced below line by line from its source (ResourceSelection 0.3-6).
suppressPackageStartupMessages({library(jsonlite); library(MASS); library(pwr); library(car); library(effectsize)})
out <- "tests/reference"
versions <- list(R = R.version.string,
                 packages = sapply(c("MASS", "pwr", "car", "effectsize"),
                                   function(p) as.character(packageVersion(p)), simplify = FALSE))
res <- list(versions = versions)

# ------------------------------------------------------------------ binary logistic regression (MASS::birthwt)
bw <- MASS::birthwt
bw$race <- factor(c("white", "black", "other")[bw$race], levels = c("white", "black", "other"))
set.seed(20261206)
bw$w <- sample(1:3, nrow(bw), replace = TRUE)
write.csv(bw[, c("low", "age", "lwt", "race", "smoke", "ptl", "ht", "ui", "w")],
          file.path(out, "analyses_stats_birthwt.csv"), row.names = FALSE)
hoslem <- function(x, y, g = 10) {  # ResourceSelection::hoslem.test, verbatim computation
  yhat <- y; y <- x
  qq <- unique(quantile(yhat, probs = seq(0, 1, 1 / g)))
  cutyhat <- cut(yhat, breaks = qq, include.lowest = TRUE)
  observed <- xtabs(cbind(y0 = 1 - y, y1 = y) ~ cutyhat)
  expected <- xtabs(cbind(yhat0 = 1 - yhat, yhat1 = yhat) ~ cutyhat)
  chisq <- sum((observed - expected)^2 / expected)
  list(statistic = chisq, df = g - 2, p = 1 - pchisq(chisq, g - 2))
}
logit_ref <- function(fit, y, w = rep(1, length(y))) {
  s <- coef(summary(fit))
  prof <- suppressMessages(confint(fit))          # profile likelihood (MASS / stats confint.glm)
  wald <- confint.default(fit)
  n <- sum(w)
  D <- deviance(fit); D0 <- fit$null.deviance
  cs <- 1 - exp((D - D0) / n)
  p <- fitted(fit)
  pred <- as.numeric(p > 0.5)
  hl <- hoslem(y, p)
  list(names = rownames(s), estimate = unname(s[, 1]), se = unname(s[, 2]), z = unname(s[, 3]), p = unname(s[, 4]),
       or = unname(exp(s[, 1])), wald_lo = unname(wald[, 1]), wald_hi = unname(wald[, 2]),
       prof_lo = unname(prof[, 1]), prof_hi = unname(prof[, 2]),
       deviance = D, null_deviance = D0, aic = AIC(fit), lr = D0 - D, lr_df = fit$df.null - fit$df.residual,
       cox_snell = cs, nagelkerke = cs / (1 - exp(-D0 / n)), mcfadden = 1 - D / D0,
       hl = hl, class_00 = sum(w[y == 0 & pred == 0]), class_01 = sum(w[y == 0 & pred == 1]),
       class_10 = sum(w[y == 1 & pred == 0]), class_11 = sum(w[y == 1 & pred == 1]))
}
ctl <- glm.control(epsilon = 1e-14, maxit = 100)  # the same ML solution, iterated to convergence
f1 <- glm(low ~ age + lwt + race + smoke + ptl + ht + ui, family = binomial, data = bw, control = ctl)
res$birthwt <- logit_ref(f1, bw$low)
f2 <- glm(low ~ age + lwt + smoke, family = binomial, data = bw, weights = w, control = ctl)  # case weights
res$birthwt_weighted <- logit_ref(f2, bw$low, bw$w)

# ------------------------------------------------------------------ chi-squared, Fisher, Cramer's V
exact_ncp <- function(chi, df, level = 0.95) {  # the noncentrality limits effectsize finds with optim, by uniroot
  a <- 1 - level
  f <- function(ncp, target) pchisq(chi, df, ncp = ncp) - target
  lo <- if (f(0, 1 - a / 2) <= 0) 0 else uniroot(f, c(0, 10 * chi + 100), target = 1 - a / 2, tol = 1e-13)$root
  hi <- if (f(0, a / 2) <= 0) 0 else uniroot(f, c(0, 10 * chi + 100), target = a / 2, tol = 1e-13)$root
  c(lo, hi)
}
tab_ref <- function(tab) {
  p <- suppressWarnings(chisq.test(tab, correct = FALSE))
  y <- suppressWarnings(chisq.test(tab, correct = TRUE))
  f <- fisher.test(tab)
  n <- sum(tab); k <- min(dim(tab)) - 1
  v <- effectsize::cramers_v(tab, adjust = FALSE, alternative = "two.sided")
  ncp <- exact_ncp(unname(p$statistic), unname(p$parameter))
  list(chisq = unname(p$statistic), df = unname(p$parameter), p = p$p.value,
       yates = unname(y$statistic), p_yates = y$p.value, fisher_p = f$p.value,
       fisher_or = if (!is.null(f$estimate)) unname(f$estimate) else NA,
       fisher_ci = if (!is.null(f$conf.int)) as.numeric(f$conf.int) else c(NA, NA),
       cramers_v = v$Cramers_v, v_ci_effectsize = c(v$CI_low, v$CI_high),
       v_ci_exact = sqrt(ncp / (n * k)), table = unclass(tab))
}
t22 <- table(smoke = bw$smoke, low = bw$low)
res$tab_2x2 <- tab_ref(t22)
small <- matrix(c(3, 1, 0, 2, 4, 1, 0, 2, 5), 3, byrow = TRUE,
                dimnames = list(group = c("g1", "g2", "g3"), adopt = c("no", "partly", "yes")))
res$tab_3x3 <- tab_ref(as.table(small))
t23 <- table(race = bw$race, low = bw$low)
res$tab_race <- tab_ref(t23)

# ------------------------------------------------------------------ polr with weights (MASS::housing)
write.csv(MASS::housing, file.path(out, "analyses_stats_housing.csv"), row.names = FALSE)
pl <- polr(Sat ~ Infl + Type + Cont, weights = Freq, data = housing, Hess = TRUE)
sp <- coef(summary(pl))
res$polr_housing <- list(names = rownames(sp), estimate = unname(sp[, 1]), se = unname(sp[, 2]),
                         loglik = as.numeric(logLik(pl)))

# ------------------------------------------------------------------ power (pwr)
pw <- function(x) list(power = x$power, n = x$n, d = if (!is.null(x$d)) x$d else x$r)
res$pwr <- list(
  t_less_neg = pw(pwr.t.test(n = 25, d = -0.5, alternative = "less")),
  t_less_pos = pw(pwr.t.test(n = 25, d = 0.5, alternative = "less")),
  t_greater_neg = pw(pwr.t.test(n = 25, d = -0.5, alternative = "greater")),
  t_two_neg = pw(pwr.t.test(n = 25, d = -0.5)),
  t_less_d = pw(pwr.t.test(n = 25, power = 0.8, alternative = "less")),
  t_paired_less = pw(pwr.t.test(n = 30, d = -0.4, type = "paired", alternative = "less")),
  r_two = pw(pwr.r.test(n = 50, r = 0.3)),
  r_greater = pw(pwr.r.test(n = 50, r = 0.3, alternative = "greater")),
  r_less = pw(pwr.r.test(n = 50, r = -0.3, alternative = "less")),
  r_n = pw(pwr.r.test(r = 0.3, power = 0.8)),
  r_r = pw(pwr.r.test(n = 50, power = 0.8))
)

# ------------------------------------------------------------------ t test with Levene, one-way ANOVA
mt <- mtcars; mt$am <- ifelse(mt$am == 1, "manual", "automatic")
write.csv(mt[, c("mpg", "am")], file.path(out, "analyses_stats_mtcars.csv"), row.names = FALSE)
st <- t.test(mpg ~ am, data = mt, var.equal = TRUE); wt <- t.test(mpg ~ am, data = mt, var.equal = FALSE)
lv <- car::leveneTest(mpg ~ factor(am), data = mt, center = mean)
res$ttest <- list(levene_F = lv$`F value`[1], levene_p = lv$`Pr(>F)`[1],
                  student = list(t = unname(st$statistic), df = unname(st$parameter), p = st$p.value,
                                 ci = as.numeric(st$conf.int)),
                  welch = list(t = unname(wt$statistic), df = unname(wt$parameter), p = wt$p.value,
                               ci = as.numeric(wt$conf.int)))
write.csv(PlantGrowth, file.path(out, "analyses_stats_plantgrowth.csv"), row.names = FALSE)
av <- summary(aov(weight ~ group, data = PlantGrowth))[[1]]
res$anova <- list(ss = unname(av$`Sum Sq`), df = unname(av$Df), ms = unname(av$`Mean Sq`), F = av$`F value`[1],
                  p = av$`Pr(>F)`[1])

write_json(res, file.path(out, "analyses_stats.json"), digits = NA, auto_unbox = TRUE, pretty = TRUE)
