# Reference values for the model page 02 fits per province (kinerja_research.analysis.training.mixed_effects ->
# mixed.lmm, random intercepts of persons nested in agencies: the closed-form engine of mixed.py): run from the
# repository root (`make references` or `Rscript tests/reference/analyses_lmm_nested.R`).
# A small unbalanced panel: agencies of 1 to 9 people, people with 1 to 5 rows, an agency of one person seen once,
# missing capaian and a missing covariate (lme4 drops the rows, as kr.lmm does). Fits use a tight optimizer
# tolerance so that the comparison measures the implementations, not the optimizers' stopping rules. Satterthwaite
# df from lmerTest (summary), REML and ML, and the single random intercept (1 | agency:person).
suppressPackageStartupMessages({library(jsonlite); library(lme4); library(lmerTest)})
out <- "tests/reference"
versions <- list(R = R.version.string,
                 packages = sapply(c("lme4", "lmerTest", "numDeriv"),
                                   function(p) as.character(packageVersion(p)), simplify = FALSE))
tight <- lmerControl(optimizer = "nloptwrap",
                     optCtrl = list(xtol_abs = 1e-12, ftol_abs = 1e-14, xtol_rel = 1e-12, maxeval = 1e5))

set.seed(2026)
rows <- list(); pid <- 0
for (a in 1:12) {
  ua <- rnorm(1, 0, 2)
  people <- if (a == 12) 1 else sample(1:9, 1)
  for (i in seq_len(people)) {
    pid <- pid + 1
    up <- rnorm(1, 0, 3)
    k <- if (a == 12) 1 else sample(1:5, 1)
    tr <- runif(1) < 0.4
    age <- round(runif(1, 25, 58))
    for (j in seq_len(k)) {
      post <- as.integer(j %% 2 == 0)
      y <- 80 + 1.5 * post + 2 * tr * post + 0.05 * age + ua + up + rnorm(1, 0, 2)
      rows[[length(rows) + 1]] <- data.frame(agency = sprintf("OPD-%02d", a), person_id = sprintf("P%03d", pid),
                                             trained = tr, wave = if (post == 1) "post" else "pre", age = age,
                                             capaian_pct = round(y, 2))
    }
  }
}
panel <- do.call(rbind, rows)
panel$capaian_pct[c(4, 17, 30)] <- NA
panel$age[9] <- NA
write.csv(panel, file.path(out, "analyses_lmm_nested.csv"), row.names = FALSE, na = "")
panel$post <- as.integer(panel$wave == "post")

summ <- function(fit) {
  s <- summary(fit)
  co <- coef(s)
  vc <- as.data.frame(VarCorr(fit))
  list(names = rownames(co), estimate = unname(co[, "Estimate"]), se = unname(co[, "Std. Error"]),
       df = unname(co[, "df"]), t = unname(co[, "t value"]), p = unname(co[, "Pr(>|t|)"]),
       grp = vc$grp, vcov = vc$vcov, theta = unname(getME(fit, "theta")), sigma = sigma(fit),
       REMLcrit = if (isREML(fit)) REMLcrit(fit) else NA, deviance = if (isREML(fit)) NA else deviance(fit),
       nobs = nobs(fit))
}
f <- capaian_pct ~ trained * post + (1 | agency) + (1 | agency:person_id)
res <- list(
  versions = versions,
  nested_reml = summ(lmerTest::lmer(f, panel, REML = TRUE, control = tight)),
  nested_ml = summ(lmerTest::lmer(f, panel, REML = FALSE, control = tight)),
  nested_age = summ(lmerTest::lmer(update(f, . ~ . + age), panel, REML = TRUE, control = tight)),
  person_only = summ(lmerTest::lmer(capaian_pct ~ trained * post + (1 | agency:person_id), panel, REML = TRUE,
                                    control = tight))
)
write_json(res, file.path(out, "analyses_lmm_nested.json"), digits = NA, auto_unbox = TRUE, pretty = TRUE)
