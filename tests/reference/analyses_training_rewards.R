# Reference values for kinerja_research.analysis.{training, rewards, skp}: run from the repository root
# (`make references` or `Rscript tests/reference/analyses_training_rewards.R`).
# Writes the input data as tests/reference/analyses_tr_*.csv (generated here with a fixed seed, so Python and R read
# the same rows) and the R results as tests/reference/analyses_tr_*.json (full precision).
suppressPackageStartupMessages({
  library(jsonlite); library(sandwich); library(lmtest); library(car); library(lme4); library(MASS)
  library(nortest); library(effectsize)
})
out <- "tests/reference"
wj <- function(x, name) write_json(x, file.path(out, paste0("analyses_tr_", name, ".json")), digits = NA,
                                    auto_unbox = TRUE, pretty = TRUE)
versions <- list(R = R.version.string,
                 packages = sapply(c("sandwich", "lmtest", "car", "lme4", "MASS", "nortest", "effectsize"),
                                   function(p) as.character(packageVersion(p)), simplify = FALSE))
set.seed(20261123)

# ------------------------------------------------------------------ paired change (t, Wilcoxon, d_z CI)
# region A: 30 pairs, continuous (exact Wilcoxon); B: 80 pairs (normal approximation); C: 25 pairs rounded (ties, zeros)
mk <- function(region, n, shift, digits = NA) {
  pre <- rnorm(n, 3.2, 0.6); post <- pre + shift + rnorm(n, 0, 0.5)
  if (!is.na(digits)) { pre <- round(pre, digits); post <- round(post, digits) }
  data.frame(region_code = region, person_id = paste0(region, "-", seq_len(n)), pre = pre, post = post)
}
pw <- rbind(mk("A", 30, 0.3), mk("B", 80, 0.15), mk("C", 25, 0.1, digits = 0))
pw$post[pw$region_code == "C"][1:3] <- pw$pre[pw$region_code == "C"][1:3]  # zero differences
long <- rbind(data.frame(pw[, c("region_code", "person_id")], wave = "pre", score = pw$pre),
              data.frame(pw[, c("region_code", "person_id")], wave = "post", score = pw$post))
write.csv(long, file.path(out, "analyses_tr_paired.csv"), row.names = FALSE)
paired <- list()
for (r in c("A", "B", "C")) {
  s <- pw[pw$region_code == r, ]
  tt <- t.test(s$post, s$pre, paired = TRUE)                                   # paired t
  wx <- suppressWarnings(wilcox.test(s$post, s$pre, paired = TRUE))             # R defaults: exact = NULL, correct = TRUE
  wg <- suppressWarnings(wilcox.test(s$post, s$pre, paired = TRUE, alternative = "greater"))
  dz <- effectsize::cohens_d(s$post, s$pre, paired = TRUE, ci = 0.95)           # d_z with noncentral-t CI
  paired[[r]] <- list(estimate = unname(tt$estimate), ci = unname(tt$conf.int), t = unname(tt$statistic),
                      df = unname(tt$parameter), p = tt$p.value, V = unname(wx$statistic), p_wilcox = wx$p.value,
                      p_wilcox_greater = wg$p.value, method_wilcox = wx$method,
                      dz = dz$Cohens_d, dz_ci = c(dz$CI_low, dz$CI_high), sd_pre = sd(s$pre), sd_post = sd(s$post),
                      sd_diff = sd(s$post - s$pre), n = nrow(s))
}
# R's own `sleep` data (ties and zeros): extra = increase in hours of sleep, ID = patient
write.csv(sleep, file.path(out, "analyses_tr_sleep.csv"), row.names = FALSE)
sl <- suppressWarnings(wilcox.test(sleep$extra[sleep$group == 2], sleep$extra[sleep$group == 1], paired = TRUE))
paired$sleep <- list(V = unname(sl$statistic), p_wilcox = sl$p.value,
                     t = unname(t.test(sleep$extra[sleep$group == 2], sleep$extra[sleep$group == 1], paired = TRUE)$statistic))
wj(list(versions = versions, paired = paired), "paired")

# ------------------------------------------------------------------ DiD panel, clustered SEs, LMM, dose-response
regions <- c("18.71", "17.71", "11.73"); agencies <- sprintf("Dinas %02d", 1:10)
np <- 900
persons <- data.frame(person_id = sprintf("P%04d", 1:np), region_code = sample(regions, np, TRUE),
                      agency = sample(agencies, np, TRUE), age = round(runif(np, 22, 58), 1))
u_ag <- rnorm(length(regions) * length(agencies), 0, 3); names(u_ag) <- outer(regions, agencies, paste, sep = "|")
u_p <- rnorm(np, 0, 4)
persons$trained <- runif(np) < plogis(-0.5 + 0.03 * (persons$age - 40) + 0.1 * u_p)
eff <- c("18.71" = 4, "17.71" = 2, "11.73" = 1)
panel <- do.call(rbind, lapply(c("pre", "post"), function(w) {
  p <- persons; p$wave <- w; p$post <- w == "post"
  p$capaian_pct <- 80 + u_ag[paste(p$region_code, p$agency, sep = "|")] + u_p + 0.1 * p$age + 2 * p$trained +
    1.5 * p$post + eff[p$region_code] * (p$trained & p$post) + rnorm(np, 0, 5)
  p }))
panel$jp <- ifelse(panel$trained, round(runif(nrow(panel), 10, 45)), round(runif(nrow(panel), 0, 25)))
panel$capaian_pct <- panel$capaian_pct + 0.05 * panel$jp
panel$cl <- interaction(panel$region_code, panel$agency, drop = TRUE)
write.csv(panel[, c("person_id", "region_code", "agency", "age", "trained", "wave", "capaian_pct", "jp")],
          file.path(out, "analyses_tr_panel.csv"), row.names = FALSE)
coefs <- function(ct) list(names = rownames(ct), estimate = unname(ct[, 1]), se = unname(ct[, 2]),
                           statistic = unname(ct[, 3]), p = unname(ct[, 4]))
fit <- lm(capaian_pct ~ trained * post + age, data = panel)
V <- vcovCL(fit, cluster = ~cl)                         # default for lm: type = "HC1", cadjust = TRUE
ct <- coeftest(fit, vcov = V)                           # t with df = n - k
ci <- coefci(fit, vcov = V)
did_pooled <- c(coefs(ct), list(ci_low = unname(ci[, 1]), ci_high = unname(ci[, 2]), df = fit$df.residual))
panel$region_code <- factor(panel$region_code, levels = sort(regions))
fit_r <- lm(capaian_pct ~ 0 + region_code + region_code:trained + region_code:post + region_code:trained:post + age,
            data = panel)
Vr <- vcovCL(fit_r, cluster = ~cl)
ctr <- coeftest(fit_r, vcov = Vr)
did_terms <- grep(":trainedTRUE:postTRUE$", rownames(ctr), value = TRUE)
hyp <- paste(did_terms[-1], "=", did_terms[1])
lh <- linearHypothesis(fit_r, hyp, vcov. = Vr, test = "F")
did_region <- c(coefs(ctr[did_terms, , drop = FALSE]),
                list(F = lh$F[2], df1 = lh$Df[2], df2 = lh$Res.Df[2], p_F = lh$`Pr(>F)`[2]))
# dose-response: capaian on jp / 10, clustered
fd <- lm(capaian_pct ~ I(jp / 10), data = panel)
ctd <- coeftest(fd, vcov = vcovCL(fd, cluster = ~cl))
# mixed model: persons nested in agencies (of a region), REML
panel$agency_id <- as.character(panel$cl)
lmm <- lmer(capaian_pct ~ trained * post + (1 | agency_id) + (1 | person_id), data = panel, REML = TRUE,
            control = lmerControl(optimizer = "bobyqa", optCtrl = list(maxfun = 1e5)))
vc <- as.data.frame(VarCorr(lmm))
lmm_out <- list(names = names(fixef(lmm)), estimate = unname(fixef(lmm)), se = unname(sqrt(diag(vcov(lmm)))),
                var_agency = vc$vcov[vc$grp == "agency_id"], var_person = vc$vcov[vc$grp == "person_id"],
                var_resid = vc$vcov[vc$grp == "Residual"], REMLcrit = REMLcrit(lmm))
wj(list(versions = versions, did = did_pooled, did_region = did_region, dose = coefs(ctd)[c("names", "estimate", "se", "statistic", "p")],
        lmm = lmm_out), "panel")

# ------------------------------------------------------------------ regression, assumptions, moderation, mediation, polr
nr <- 240
reg <- data.frame(region_code = sample(c("18.71", "17.71", "11.73", "53.71"), nr, TRUE),
                  reward = round(rnorm(nr, 3.4, 0.7), 2), sanction = round(rnorm(nr, 3.0, 0.8), 2),
                  training = round(rnorm(nr, 3.6, 0.6), 2))
reg$motivation <- round(1.2 + 0.45 * reg$reward + 0.1 * reg$training + rnorm(nr, 0, 0.5), 2)
slope <- c("18.71" = 2.5, "17.71" = 1.0, "11.73" = 1.5, "53.71" = 0.5)
reg$capaian_pct <- 70 + slope[reg$region_code] * reg$reward + 1.0 * reg$sanction + 3 * reg$motivation +
  1.5 * reg$training + rnorm(nr, 0, 2.5) * (1 + 0.3 * abs(reg$reward - 3.4))
lat <- 0.9 * reg$reward + 0.5 * reg$motivation - 0.3 * reg$sanction + rlogis(nr)
reg$predikat <- as.character(cut(lat, c(-Inf, 1.4, 2.2, 3.0, 4.6, Inf),
                                 labels = c("Sangat Kurang", "Kurang/Misconduct", "Butuh Perbaikan", "Baik", "Sangat Baik")))
write.csv(reg, file.path(out, "analyses_tr_reg.csv"), row.names = FALSE)

fr <- lm(capaian_pct ~ reward + sanction + motivation + training + region_code, data = reg)
sm <- summary(fr)
hc3 <- coeftest(fr, vcov = vcovHC(fr, type = "HC3"))
hc3ci <- coefci(fr, vcov = vcovHC(fr, type = "HC3"))
vf <- car::vif(fr)                                     # GVIF for the factor
eta <- effectsize::eta_squared(car::Anova(fr, type = 2), partial = TRUE)
e <- resid(fr)
gl <- summary(lm(abs(e) ~ reward + sanction + motivation + training + region_code, data = reg))
bp <- bptest(fr)                                       # studentize = TRUE (Koenker)
dw <- dwtest(fr, exact = FALSE)
sdy <- sd(reg$capaian_pct)
mm <- model.matrix(fr)
beta_std <- coef(fr)[-1] * apply(mm[, -1], 2, sd) / sdy
li <- lillie.test(e); sw <- shapiro.test(e); ks <- suppressWarnings(ks.test(e, "pnorm", mean(e), sd(e)))
regression <- list(
  coef = c(coefs(sm$coefficients), list(ci_low = unname(confint(fr)[, 1]), ci_high = unname(confint(fr)[, 2]),
                                        beta = unname(c(NA, beta_std)))),
  hc3 = c(coefs(hc3), list(ci_low = unname(hc3ci[, 1]), ci_high = unname(hc3ci[, 2]))),
  F = unname(sm$fstatistic[1]), df1 = unname(sm$fstatistic[2]), df2 = unname(sm$fstatistic[3]),
  p_F = unname(pf(sm$fstatistic[1], sm$fstatistic[2], sm$fstatistic[3], lower.tail = FALSE)),
  r2 = sm$r.squared, adj_r2 = sm$adj.r.squared,
  vif_terms = rownames(vf), gvif = unname(vf[, "GVIF"]),
  eta_terms = as.character(eta$Parameter), partial_eta2 = eta$Eta2_partial,
  lillie_D = unname(li$statistic), lillie_p = li$p.value, shapiro_W = unname(sw$statistic), shapiro_p = sw$p.value,
  ks_D = unname(ks$statistic), ks_p = ks$p.value,
  glejser_F = unname(gl$fstatistic[1]), glejser_p = unname(pf(gl$fstatistic[1], gl$fstatistic[2], gl$fstatistic[3], lower.tail = FALSE)),
  glejser_t = unname(gl$coefficients[-1, 3]), glejser_tp = unname(gl$coefficients[-1, 4]),
  bp = unname(bp$statistic), bp_df = unname(bp$parameter), bp_p = bp$p.value,
  dw = unname(dw$statistic), dw_p = dw$p.value)
# small model on R's mtcars (public data): Lilliefors/Shapiro/DW/BP on a classic example
write.csv(mtcars, file.path(out, "analyses_tr_mtcars.csv"), row.names = FALSE)
fm <- lm(mpg ~ wt + hp, data = mtcars)
mt <- list(coef = coefs(summary(fm)$coefficients), vif = unname(car::vif(fm)),
           lillie_p = lillie.test(resid(fm))$p.value, lillie_D = unname(lillie.test(resid(fm))$statistic),
           shapiro_p = shapiro.test(resid(fm))$p.value, shapiro_W = unname(shapiro.test(resid(fm))$statistic),
           ks_p = ks.test(resid(fm), "pnorm", mean(resid(fm)), sd(resid(fm)))$p.value,
           glejser_t = unname(summary(lm(abs(resid(fm)) ~ wt + hp, data = mtcars))$coefficients[-1, 3]), bp = unname(bptest(fm)$statistic), bp_p = bptest(fm)$p.value,
           dw = unname(dwtest(fm, exact = FALSE)$statistic), dw_p = dwtest(fm, exact = FALSE)$p.value,
           hc3_se = unname(sqrt(diag(vcovHC(fm, type = "HC3")))))

# moderation by region: reward x region
reg$region_code <- factor(reg$region_code, levels = sort(unique(reg$region_code)))
fmod <- lm(capaian_pct ~ reward * region_code, data = reg)
fred <- lm(capaian_pct ~ reward + region_code, data = reg)
av <- anova(fred, fmod)
Vm <- vcov(fmod); b <- coef(fmod); lv <- levels(reg$region_code)
ss <- lapply(seq_along(lv), function(j) {
  cvec <- setNames(rep(0, length(b)), names(b)); cvec["reward"] <- 1
  if (j > 1) cvec[paste0("reward:region_code", lv[j])] <- 1
  est <- sum(cvec * b); se <- sqrt(drop(t(cvec) %*% Vm %*% cvec)); c(est, se)
})
moderation <- c(coefs(summary(fmod)$coefficients),
                list(F = av$F[2], df1 = av$Df[2], df2 = av$Res.Df[2], p_F = av$`Pr(>F)`[2],
                     delta_r2 = (av$RSS[1] - av$RSS[2]) / sum((reg$capaian_pct - mean(reg$capaian_pct))^2),
                     levels = lv, slope = sapply(ss, `[`, 1), slope_se = sapply(ss, `[`, 2)))

# mediation reward -> motivation -> capaian, controlling training
fa <- lm(motivation ~ reward + training, data = reg); fb <- lm(capaian_pct ~ reward + motivation + training, data = reg)
fc <- lm(capaian_pct ~ reward + training, data = reg)
ab <- coef(fa)["reward"] * coef(fb)["motivation"]
set.seed(1)
bs <- replicate(5000, { i <- sample.int(nr, nr, TRUE); d <- reg[i, ]
  coef(lm(motivation ~ reward + training, data = d))["reward"] * coef(lm(capaian_pct ~ reward + motivation + training, data = d))["motivation"] })
mediation <- list(a = unname(coef(fa)["reward"]), se_a = unname(sqrt(vcov(fa)["reward", "reward"])),
                  b = unname(coef(fb)["motivation"]), se_b = unname(sqrt(vcov(fb)["motivation", "motivation"])),
                  c_prime = unname(coef(fb)["reward"]), c = unname(coef(fc)["reward"]), indirect = unname(ab),
                  boot_ci = unname(quantile(bs, c(0.025, 0.975))), boot_se = sd(bs))

# ordered logit of the predicate
reg$predikat_o <- factor(reg$predikat, levels = c("Sangat Kurang", "Kurang/Misconduct", "Butuh Perbaikan", "Baik", "Sangat Baik"), ordered = TRUE)
po <- polr(predikat_o ~ reward + motivation + sanction, data = reg, Hess = TRUE,
           control = list(reltol = 1e-12, maxit = 1000))
cpo <- coef(summary(po))
polr_out <- list(names = rownames(cpo), estimate = unname(cpo[, 1]), se = unname(cpo[, 2]), t = unname(cpo[, 3]),
                 logLik = as.numeric(logLik(po)))

wj(list(versions = versions, regression = regression, mtcars = mt, moderation = moderation, mediation = mediation,
        polr = polr_out), "reg")
# noncentral-t limits of d_z from t and df (no data): effectsize::t_to_d(paired = TRUE) gives d = t / sqrt(df) and its
# CI from the noncentral t; note ?pt: for ncp > 37.62 R's pt() may lose accuracy (AS 243), so large t are loose
tt <- c(2.43, 4.74, 15, 0.1, 30, 60, -45); dd <- c(29, 9, 3, 5, 300, 1000, 500)
nc <- as.data.frame(effectsize::t_to_d(t = tt, df_error = dd, paired = TRUE))
wj(list(versions = versions, t = tt, df = dd, d = nc$d, ci_low = nc$CI_low, ci_high = nc$CI_high), "ncp")
cat("wrote analyses_tr_*.json\n")
