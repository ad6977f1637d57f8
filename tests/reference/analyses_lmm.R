# Reference values for kinerja_research.analysis.mixed.lmm: run from the repository root
# (`make references` or `Rscript tests/reference/analyses_lmm.R`).
# Public data shipped with R packages: lme4::sleepstudy, lme4::Penicillin, nlme::Orthodont (written as CSV so Python
# reads the same rows). Fits use a tight optimizer tolerance (the same criterion lme4 minimises by default, solved to
# 1e-12) so that the comparison measures the two implementations, not the optimizers' stopping rules; the default
# fit is recorded too. Satterthwaite df from lmerTest; variance-parameter intervals from confint(method = "profile")
# and, as the exact reference, from the root of the profile computed here with lme4's own devfun2 and uniroot. lme4
# profiles a REML fit on the ML deviance (devfun2 refits by ML), so the intervals are ML-profile intervals.
suppressPackageStartupMessages({library(jsonlite); library(lme4); library(lmerTest); library(nlme)})
out <- "tests/reference"
versions <- list(R = R.version.string,
                 packages = sapply(c("lme4", "lmerTest", "nlme", "numDeriv"),
                                   function(p) as.character(packageVersion(p)), simplify = FALSE))
tight <- lmerControl(optimizer = "nloptwrap",
                     optCtrl = list(xtol_abs = 1e-12, ftol_abs = 1e-14, xtol_rel = 1e-12, maxeval = 1e5))

write.csv(lme4::sleepstudy, file.path(out, "analyses_lmm_sleepstudy.csv"), row.names = FALSE)
write.csv(lme4::Penicillin, file.path(out, "analyses_lmm_penicillin.csv"), row.names = FALSE)
orth <- as.data.frame(nlme::Orthodont)
orth$Subject <- as.character(orth$Subject); orth$Sex <- as.character(orth$Sex)
write.csv(orth, file.path(out, "analyses_lmm_orthodont.csv"), row.names = FALSE)

# exact profile limit of variance parameter j (sd/cor/sigma scale, lme4's .sig01...; .sigma last)
exact_profile <- function(fit, level = 0.95) {
  dd <- lme4:::devfun2(fit, useSc = TRUE, signames = FALSE)  # ML deviance: lme4 profiles REML fits refitted by ML
  np <- environment(dd)$np
  opt <- attr(dd, "optimum")[seq_len(np)]; base <- dd(opt)
  iscor <- grepl("^cor_", names(opt))
  lower <- ifelse(iscor, -1, 0); upper <- ifelse(iscor, 1, Inf)
  z <- qnorm(1 - (1 - level) / 2)
  lims <- matrix(NA_real_, length(opt), 2, dimnames = list(names(opt), c("lo", "hi")))
  for (j in seq_along(opt)) {
    prof <- function(v) {
      if (length(opt) == 1) return(dd(v))
      f <- function(x) { p <- opt; p[j] <- v; p[-j] <- x; dd(p) }
      r <- nloptr::nloptr(opt[-j], f, lb = lower[-j], ub = upper[-j],
                          opts = list(algorithm = "NLOPT_LN_BOBYQA", xtol_abs = 1e-12, ftol_abs = 1e-14,
                                      maxeval = 1e5))
      r$objective
    }
    zeta <- function(v) sign(v - opt[j]) * sqrt(max(prof(v) - base, 0))
    for (s in c(-1, 1)) {
      step <- max(abs(opt[j]) * 0.25, 1e-3); prev <- opt[j]; res <- NA
      for (i in 1:60) {
        v <- prev + s * step
        v <- min(max(v, lower[j]), upper[j])
        if (s * zeta(v) >= z) { res <- uniroot(function(t) zeta(t) - s * z, sort(c(prev, v)), tol = 1e-11)$root; break }
        if (v == lower[j] || v == upper[j]) { res <- v; break }
        prev <- v; step <- step * 1.6
      }
      lims[j, if (s < 0) 1 else 2] <- res
    }
  }
  list(estimate = unname(opt), lo = unname(lims[, 1]), hi = unname(lims[, 2]), names = names(opt))
}

summ <- function(fit, default_fit, level = 0.95) {
  s <- summary(fit)  # lmerTest: Satterthwaite
  co <- coef(s)
  ci <- suppressMessages(confint(fit, method = "profile", level = level, oldNames = FALSE))
  vc <- as.data.frame(VarCorr(fit))
  sat_ci <- lapply(seq_len(nrow(co)), function(i) {
    L <- rep(0, nrow(co)); L[i] <- 1
    r <- lmerTest::contest1D(fit, L, confint = TRUE, level = level); c(r$lower, r$upper)
  })
  list(fixed = list(names = rownames(co), estimate = unname(co[, "Estimate"]), se = unname(co[, "Std. Error"]),
                    df = unname(co[, "df"]), t = unname(co[, "t value"]), p = unname(co[, "Pr(>|t|)"]),
                    ci_low = sapply(sat_ci, `[`, 1), ci_high = sapply(sat_ci, `[`, 2)),
       varcorr = list(grp = vc$grp, var1 = vc$var1, var2 = vc$var2, vcov = vc$vcov, sdcor = vc$sdcor),
       theta = unname(getME(fit, "theta")), sigma = sigma(fit),
       REMLcrit = if (isREML(fit)) REMLcrit(fit) else NA, deviance = if (isREML(fit)) NA else deviance(fit),
       logLik = as.numeric(logLik(fit)), AIC = AIC(fit), BIC = BIC(fit), nobs = nobs(fit),
       profile_ci = list(names = rownames(ci), lo = unname(ci[, 1]), hi = unname(ci[, 2])),
       exact_profile = exact_profile(fit, level),
       default_fixed = unname(fixef(default_fit)), default_theta = unname(getME(default_fit, "theta")),
       default_REMLcrit = if (isREML(default_fit)) REMLcrit(default_fit) else deviance(default_fit))
}
fitboth <- function(formula, data, REML = TRUE) {
  list(tight = lmerTest::lmer(formula, data, REML = REML, control = tight),
       default = lmerTest::lmer(formula, data, REML = REML))
}
models <- list(
  sleep_slopes = list(Reaction ~ Days + (Days | Subject), lme4::sleepstudy, TRUE),
  sleep_intercept = list(Reaction ~ Days + (1 | Subject), lme4::sleepstudy, TRUE),
  sleep_slopes_ml = list(Reaction ~ Days + (Days | Subject), lme4::sleepstudy, FALSE),
  penicillin = list(diameter ~ 1 + (1 | plate) + (1 | sample), lme4::Penicillin, TRUE),
  orthodont = list(distance ~ age + Sex + (age | Subject), orth, TRUE)
)
res <- list(versions = versions)
timing <- list()
for (m in names(models)) {
  a <- models[[m]]
  f <- fitboth(a[[1]], a[[2]], a[[3]])
  res[[m]] <- summ(f$tight, f$default)
  timing[[m]] <- system.time(for (i in 1:20) lme4::lmer(a[[1]], a[[2]], REML = a[[3]]))[["elapsed"]] / 20
}
res$timing_lmer_seconds <- timing
write_json(res, file.path(out, "analyses_lmm.json"), digits = NA, auto_unbox = TRUE, pretty = TRUE)
