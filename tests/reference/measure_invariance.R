# Reference values for measurement invariance (kinerja_research.measure.invariance / invariance_scores /
# latent_means): lavaan multi-group models, lavTestLRT, lavTestScore and latent means.
# Run from the repository root:  Rscript tests/reference/measure_invariance.R
# Data: measure_hs1939.csv (school), measure_hs_missing.csv (FIML), measure_bfi25.csv (gender, items as answered),
# measure_survey.csv (region_code). Groups are ordered as kinerja_research orders them (sorted labels) through
# lavaan's group.label, so the first group is the reference in both.
# Output: measure_invariance.json
suppressPackageStartupMessages({
  library(lavaan); library(jsonlite)
})
out_dir <- "tests/reference"
read <- function(f) {
  d <- read.csv(file.path(out_dir, f))
  if ("region_code" %in% names(d)) d$region_code <- sprintf("%.2f", d$region_code)  # codes such as "18.71"
  d
}
data <- list(hs = read("measure_hs1939.csv"), hs_missing = read("measure_hs_missing.csv"),
             bfi = read("measure_bfi25.csv"), survey = read("measure_survey.csv"))
HS3 <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
RTC <- paste("routine =~ RTC01 + RTC02 + RTC03 + RTC04 + RTC05", "emotion =~ RTC06 + RTC07 + RTC08 + RTC09",
             "short =~ RTC10 + RTC11 + RTC12 + RTC13", "rigid =~ RTC14 + RTC15 + RTC16 + RTC17", sep = "\n")
BFI_AC <- "agree =~ A1 + A2 + A3 + A4 + A5\nconsc =~ C1 + C2 + C3 + C4 + C5"
fit_names <- c("chisq", "df", "pvalue", "cfi", "tli", "rmsea", "rmsea.ci.lower", "rmsea.ci.upper", "srmr",
               "chisq.scaled", "chisq.scaling.factor", "cfi.scaled", "tli.scaled", "rmsea.scaled", "cfi.robust",
               "tli.robust", "rmsea.robust")
EQUAL <- list(configural = "", metric = "loadings", scalar = c("loadings", "intercepts"),
              strict = c("loadings", "intercepts", "residuals"))
EQUAL_ORD <- list(configural = "", metric = "loadings", scalar = c("loadings", "thresholds"))

cases <- list(
  list(id = "hs_school_ml", data = "hs", model = HS3, group = "school", estimator = "ML", levels = names(EQUAL),
       score = TRUE, partial = c("x3~1", "x7~1")),
  list(id = "hs_school_mlr", data = "hs", model = HS3, group = "school", estimator = "MLR",
       levels = c("configural", "metric", "scalar"), score = TRUE, partial = c("x3~1", "x7~1")),
  list(id = "hs_school_fiml", data = "hs_missing", model = HS3, group = "school", estimator = "ML", missing = "fiml",
       levels = c("configural", "metric", "scalar"), partial = c("x3~1", "x7~1")),
  list(id = "bfi_gender_mlr", data = "bfi", model = BFI_AC, group = "gender", estimator = "MLR",
       levels = names(EQUAL), score = TRUE),
  list(id = "survey_region_ml", data = "survey", model = RTC, group = "region_code", estimator = "ML",
       levels = names(EQUAL), score = TRUE),
  list(id = "survey_region_mlr", data = "survey", model = RTC, group = "region_code", estimator = "MLR",
       levels = c("configural", "metric", "scalar")),
  list(id = "bfi_gender_wlsmv", data = "bfi", model = BFI_AC, group = "gender", estimator = "WLSMV", ordered = TRUE,
       levels = names(EQUAL_ORD)),
  list(id = "survey_region_wlsmv", data = "survey", model = "routine =~ RTC01 + RTC02 + RTC03 + RTC04 + RTC05",
       group = "region_code", estimator = "WLSMV", ordered = TRUE, levels = names(EQUAL_ORD))
)

latent <- function(fit) {
  pe <- parameterEstimates(fit)
  lv <- lavNames(fit, "lv")
  pe <- pe[pe$op == "~1" & pe$lhs %in% lv & pe$group > 1, ]
  list(lhs = pe$lhs, group = pe$group, est = pe$est, se = pe$se, z = pe$z, p = pe$pvalue)
}
run <- function(cs) {
  d <- data[[cs$data]]
  labels <- sort(unique(as.character(d[[cs$group]])))
  ordered <- isTRUE(cs$ordered)
  eqs <- if (ordered) EQUAL_ORD else EQUAL
  mis <- if (is.null(cs$missing)) "listwise" else cs$missing
  fitone <- function(eq, partial = character(0), optim = "nlminb") {
    cfa(cs$model, data = d, group = cs$group, group.label = labels, group.equal = eq, group.partial = partial,
        estimator = cs$estimator, missing = mis, ordered = ordered, optim.method = optim)
  }
  precise <- function(eq, partial = character(0)) {
    # lavaan's Gauss-Newton goes closer to the minimum than nlminb's default stop, but with equality constraints
    # it can stop at a worse point: it is used only where its minimum is at least as low
    f0 <- fitone(eq, partial)
    f <- try(suppressWarnings(fitone(eq, partial, "GN")), silent = TRUE)
    if (!inherits(f, "try-error") && isTRUE(lavInspect(f, "converged")) &&
        fitMeasures(f, "fmin") <= fitMeasures(f0, "fmin") + 1e-12) return(f)
    f0
  }
  fits <- lapply(eqs[cs$levels], precise)
  times <- sapply(eqs[cs$levels], function(eq) median(replicate(3, system.time(suppressWarnings(fitone(eq)))[["elapsed"]])))
  lrt <- do.call(lavTestLRT, unname(fits))
  out <- list(id = cs$id, data = cs$data, model = cs$model, group = cs$group, labels = labels,
              estimator = cs$estimator, missing = mis, ordered = ordered, levels = cs$levels,
              converged = sapply(fits, lavInspect, "converged"), time = as.list(times),
              fit = lapply(fits, function(f) { fm <- fitMeasures(f); as.list(fm[intersect(fit_names, names(fm))]) }),
              lrt = list(chisq_diff = lrt[["Chisq diff"]], df_diff = lrt[["Df diff"]], p = lrt[["Pr(>Chisq)"]]),
              latent_means = if ("scalar" %in% cs$levels) latent(fits$scalar) else NULL)
  if (isTRUE(cs$score)) {
    sc <- lavTestScore(fits$scalar)
    pt <- parTable(fits$scalar)
    name_of <- function(pl) {
      i <- match(pl, pt$plabel)
      paste0(pt$lhs[i], " ", pt$op[i], if (pt$rhs[i] == "") "" else " ", pt$rhs[i], "|", pt$group[i])
    }
    out$score <- list(total = list(X2 = sc$test$X2, df = sc$test$df, p = sc$test$p.value),
                      lhs = sapply(sc$uni$lhs, name_of), rhs = sapply(sc$uni$rhs, name_of),
                      X2 = sc$uni$X2, p = sc$uni$p.value)
  }
  if (!is.null(cs$partial)) {
    fp <- precise(eqs$scalar, cs$partial)
    out$partial <- list(free = cs$partial, fit = as.list(fitMeasures(fp)[intersect(fit_names, names(fitMeasures(fp)))]),
                        latent_means = latent(fp))
  }
  out
}
results <- lapply(cases, run)
meta <- list(R = R.version.string, lavaan = as.character(packageVersion("lavaan")),
             script = "tests/reference/measure_invariance.R")
write_json(list(meta = meta, cases = results), file.path(out_dir, "measure_invariance.json"), digits = NA,
           auto_unbox = TRUE, na = "null")
for (r in results) cat(sprintf("%-22s %s chisq=%s\n", r$id, paste(r$converged, collapse = "/"),
                               paste(sprintf("%.3f", sapply(r$fit, `[[`, "chisq")), collapse = " ")))
