# Reference values for the small-number-of-clusters options of kinerja_research.analysis._ols (did, dose_response,
# resistance_drivers with `small_sample=`): run from the repository root
# (`make references` or `Rscript tests/reference/analyses_cluster.R`); needs r-cran-clubsandwich.
# Reads the committed inputs tests/reference/analyses_tr_panel.csv (written by analyses_training_rewards.R) and
# analyses_rs_mtcars.csv; writes tests/reference/analyses_cluster.json (full precision).
#   "CR2"   : clubSandwich::vcovCR(type = "CR2") + coef_test(test = "Satterthwaite") / conf_int; Wald_test "Naive-F"
#   "CR1-G" : sandwich::vcovCL(type = "HC1") + lmtest::coeftest(df = G - 1) / coefci(df = G - 1)
#   "CR1"   : sandwich::vcovCL(type = "HC1") + lmtest::coeftest (residual df)
suppressPackageStartupMessages({
  library(jsonlite); library(sandwich); library(lmtest); library(clubSandwich)
})
out <- "tests/reference"
versions <- list(R = R.version.string,
                 packages = sapply(c("sandwich", "lmtest", "clubSandwich"),
                                   function(p) as.character(packageVersion(p)), simplify = FALSE))

panel <- read.csv(file.path(out, "analyses_tr_panel.csv"), colClasses = c(region_code = "character"))
panel$trained <- as.logical(panel$trained)
panel$post <- panel$wave == "post"
panel$cl <- interaction(panel$region_code, panel$agency, drop = TRUE)
G <- nlevels(panel$cl)

cr2 <- function(fit, cluster, terms = NULL) {
  V <- vcovCR(fit, cluster = cluster, type = "CR2")
  ct <- coef_test(fit, vcov = V, test = "Satterthwaite")
  ci <- conf_int(fit, vcov = V, test = "Satterthwaite", level = 0.95)
  keep <- if (is.null(terms)) seq_len(nrow(ct)) else match(terms, ct$Coef)
  list(names = ct$Coef[keep], estimate = ct$beta[keep], se = ct$SE[keep], statistic = ct$tstat[keep],
       df = ct$df_Satt[keep], p = ct$p_Satt[keep], ci_low = ci$CI_L[keep], ci_high = ci$CI_U[keep],
       V = unname(as.matrix(V)))
}
cr1g <- function(fit, cluster, df, terms = NULL) {
  V <- vcovCL(fit, cluster = cluster, type = "HC1")
  ct <- coeftest(fit, vcov = V, df = df)
  ci <- coefci(fit, vcov = V, df = df)
  keep <- if (is.null(terms)) seq_len(nrow(ct)) else match(terms, rownames(ct))
  list(names = rownames(ct)[keep], estimate = unname(ct[keep, 1]), se = unname(ct[keep, 2]),
       statistic = unname(ct[keep, 3]), df = rep(df, length(keep))[seq_along(keep)], p = unname(ct[keep, 4]),
       ci_low = unname(ci[keep, 1]), ci_high = unname(ci[keep, 2]))
}

# ---------------------------------------------------------------- DiD pooled: capaian ~ trained * post + age
fit <- lm(capaian_pct ~ trained * post + age, data = panel)
did_cr2 <- cr2(fit, panel$cl)
did_cr1g <- cr1g(fit, ~cl, G - 1)

# ---------------------------------------------------------------- DiD by region (fully interacted) + Wald test
regions <- sort(unique(panel$region_code))
panel$region_code <- factor(panel$region_code, levels = regions)
fit_r <- lm(capaian_pct ~ 0 + region_code + region_code:trained + region_code:post + region_code:trained:post + age,
            data = panel)
did_terms <- grep(":trainedTRUE:postTRUE$", names(coef(fit_r)), value = TRUE)
reg_cr2 <- cr2(fit_r, panel$cl, did_terms)
# CR1-G per region: the region's own clusters G_r, df = G_r - 1
G_r <- sapply(regions, function(r) length(unique(panel$cl[panel$region_code == r])))
reg_cr1g <- do.call(rbind, lapply(seq_along(regions), function(i)
  as.data.frame(cr1g(fit_r, ~cl, G_r[i] - 1, did_terms[i]))))
# equal DiD effects across regions: F(q, G - 1) ("Naive-F"), with the CR2 and the CR1 (vcovCL HC1 = CR1S) matrix
C <- matrix(0, length(did_terms) - 1, length(coef(fit_r)))
idx <- match(did_terms, names(coef(fit_r)))
for (r in seq_len(nrow(C))) { C[r, idx[1]] <- -1; C[r, idx[r + 1]] <- 1 }
wald <- function(V) {
  w <- Wald_test(fit_r, constraints = C, vcov = V, test = "Naive-F")
  list(F = w$Fstat, df1 = w$df_num, df2 = w$df_denom, p = w$p_val)
}
Vcr1s <- vcovCR(fit_r, cluster = panel$cl, type = "CR1S")
stopifnot(max(abs(as.matrix(Vcr1s) - vcovCL(fit_r, cluster = ~cl, type = "HC1"))) < 1e-10)  # CR1S == vcovCL HC1
wald_cr2 <- wald(vcovCR(fit_r, cluster = panel$cl, type = "CR2"))
wald_cr1g <- wald(Vcr1s)

# ---------------------------------------------------------------- dose-response: capaian ~ I(jp / 10)
fd <- lm(capaian_pct ~ I(jp / 10), data = panel)
dose_cr2 <- cr2(fd, panel$cl)
dose_cr1g <- cr1g(fd, ~cl, G - 1)
# per region (one model per region, the region's clusters)
dose_region <- lapply(regions, function(r) {
  sub <- droplevels(panel[panel$region_code == r, ])
  f <- lm(capaian_pct ~ I(jp / 10), data = sub)
  list(region = r, cr2 = cr2(f, sub$cl), cr1g = cr1g(f, ~cl, nlevels(sub$cl) - 1))
})

# ---------------------------------------------------------------- resistance_drivers: mtcars, clusters = carb
mt <- read.csv(file.path(out, "analyses_rs_mtcars.csv"))
mt$cyl_f <- factor(mt$cyl)
fm <- lm(mpg ~ wt + hp + cyl_f, data = mt)
Gm <- length(unique(mt$carb))
rs_cr2 <- cr2(fm, mt$carb)
rs_cr1g <- cr1g(fm, ~carb, Gm - 1)
rs_cr1 <- cr1g(fm, ~carb, fm$df.residual)

write_json(list(versions = versions, G = G, G_region = as.list(G_r), did_cr2 = did_cr2, did_cr1g = did_cr1g,
                region_cr2 = reg_cr2, region_cr1g = reg_cr1g, wald_cr2 = wald_cr2, wald_cr1g = wald_cr1g,
                dose_cr2 = dose_cr2, dose_cr1g = dose_cr1g, dose_region = dose_region,
                rs_G = Gm, rs_cr2 = rs_cr2, rs_cr1g = rs_cr1g, rs_cr1 = rs_cr1),
           file.path(out, "analyses_cluster.json"), digits = NA, auto_unbox = TRUE, pretty = TRUE)
