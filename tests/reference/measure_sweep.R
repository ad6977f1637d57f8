# Reference sweep for the SEM engine (kinerja_research.measure.cfa): lavaan on 40 models.
# Run from the repository root:  Rscript tests/reference/measure_sweep.R
# Data (committed CSVs, so R and Python read the same numbers):
#   measure_hs1939.csv       lavaan::HolzingerSwineford1939 (school, x1-x9), written by measure.R
#   measure_poldem.csv       lavaan::PoliticalDemocracy (n = 75)
#   measure_bfi25.csv        psych::bfi, 25 items as answered (reverse-worded items load negatively), gender,
#                            education, age; 2,800 rows with the package's missing answers
#   measure_survey.csv       the project's synthetic pre-wave survey (tests/reference/measure_inputs.py)
#   measure_hs_missing.csv   HolzingerSwineford1939 with 10% of x1-x9 blanked completely at random (seed 2026)
#   measure_sim5000.csv      5,000 answers to 16 five-point items of 4 correlated factors, two reverse-keyed
#                            (lavaan::simulateData, seed 2026, cut at fixed normal quantiles)
#   measure_sim1000.csv      1,000 answers to 20 seven-point items of 5 factors with structural paths (seed 2027)
#   measure_heywood.csv      150 answers to 6 items of 2 factors built to give a negative residual variance
# Output: measure_sweep.json: per model lavaan's fitMeasures, parameterEstimates (est, se), std.all, converged,
# warnings and the median time of 5 fits (lavaan defaults; estimates from lavaan's Gauss-Newton optimiser, see
# precise()).
suppressPackageStartupMessages({
  library(lavaan); library(jsonlite)
})
out_dir <- "tests/reference"
read <- function(f) {
  d <- read.csv(file.path(out_dir, f))
  if ("region_code" %in% names(d)) d$region_code <- sprintf("%.2f", d$region_code)  # codes such as "18.71"
  d
}

# ---------------------------------------------------------------------------------------- data sets
set.seed(2026)
hs <- read(file.path("measure_hs1939.csv"))
hs_na <- hs
for (v in paste0("x", 1:9)) hs_na[[v]][runif(nrow(hs)) < 0.10] <- NA
write.csv(hs_na, file.path(out_dir, "measure_hs_missing.csv"), row.names = FALSE, na = "")

likert <- function(x, k) {
  cuts <- qnorm(seq(0, 1, length.out = k + 1))[-c(1, k + 1)]
  as.integer(findInterval(x, cuts) + 1)
}
set.seed(2026)
pop4 <- "
f1 =~ 0.8*i01 + 0.7*i02 + 0.6*i03 + -0.6*i04
f2 =~ 0.7*i05 + 0.7*i06 + 0.6*i07 + 0.5*i08
f3 =~ 0.8*i09 + 0.6*i10 + 0.7*i11 + 0.6*i12
f4 =~ 0.6*i13 + -0.7*i14 + 0.7*i15 + 0.5*i16
f1 ~~ 0.4*f2 + 0.3*f3 + 0.2*f4
f2 ~~ 0.5*f3 + 0.3*f4
f3 ~~ 0.4*f4
"
sim <- simulateData(pop4, sample.nobs = 5000, standardized = TRUE)
sim[] <- lapply(sim, likert, k = 5)
write.csv(sim, file.path(out_dir, "measure_sim5000.csv"), row.names = FALSE)

set.seed(2027)
pop5 <- "
f1 =~ 0.8*j01 + 0.7*j02 + 0.7*j03 + 0.6*j04
f2 =~ 0.7*j05 + 0.8*j06 + 0.6*j07 + 0.6*j08
f3 =~ 0.7*j09 + 0.7*j10 + 0.6*j11 + 0.7*j12
f4 =~ 0.8*j13 + 0.6*j14 + 0.7*j15 + 0.5*j16
f5 =~ 0.7*j17 + 0.7*j18 + 0.6*j19 + 0.6*j20
f3 ~ 0.4*f1 + 0.3*f2
f4 ~ 0.5*f3
f5 ~ 0.3*f3 + 0.2*f1
f1 ~~ 0.3*f2
"
sim5 <- simulateData(pop5, sample.nobs = 1000, standardized = TRUE)
sim5[] <- lapply(sim5, likert, k = 7)
write.csv(sim5, file.path(out_dir, "measure_sim1000.csv"), row.names = FALSE)

set.seed(11)
popH <- "
f1 =~ 0.97*h1 + 0.6*h2 + 0.5*h3
f2 =~ 0.7*h4 + 0.6*h5 + 0.5*h6
f1 ~~ 0.3*f2
"
hey <- simulateData(popH, sample.nobs = 150, standardized = TRUE)
hey[] <- lapply(hey, function(v) round(v, 3))
write.csv(hey, file.path(out_dir, "measure_heywood.csv"), row.names = FALSE)

datasets <- list(
  hs = hs, hs_missing = hs_na, poldem = read("measure_poldem.csv"), bfi = read("measure_bfi25.csv"),
  survey = read("measure_survey.csv"), sim5000 = sim, sim1000 = sim5, heywood = hey
)
hs_scaled <- hs
hs_scaled$x1 <- hs$x1 * 100
hs_scaled$x5 <- hs$x5 / 10
hs_scaled$x9 <- hs$x9 * 1000
datasets$hs_scaled <- hs_scaled
write.csv(hs_scaled, file.path(out_dir, "measure_hs_scaled.csv"), row.names = FALSE)

# ---------------------------------------------------------------------------------------- models
HS3 <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
PD_MEAS <- "ind60 =~ x1 + x2 + x3\ndem60 =~ y1 + y2 + y3 + y4\ndem65 =~ y5 + y6 + y7 + y8"
PD_RES <- "y1 ~~ y5\ny2 ~~ y4 + y6\ny3 ~~ y7\ny4 ~~ y8\ny6 ~~ y8"
BFI5 <- paste(sprintf("%s =~ %s", c("agree", "consc", "extra", "neuro", "open"),
                      sapply(c("A", "C", "E", "N", "O"), function(l) paste0(l, 1:5, collapse = " + "))), collapse = "\n")
RTC <- paste("routine =~ RTC01 + RTC02 + RTC03 + RTC04 + RTC05", "emotion =~ RTC06 + RTC07 + RTC08 + RTC09",
             "short =~ RTC10 + RTC11 + RTC12 + RTC13", "rigid =~ RTC14 + RTC15 + RTC16 + RTC17", sep = "\n")
SIM4 <- "f1 =~ i01 + i02 + i03 + i04\nf2 =~ i05 + i06 + i07 + i08\nf3 =~ i09 + i10 + i11 + i12\nf4 =~ i13 + i14 + i15 + i16"
SIM5 <- paste("f1 =~ j01 + j02 + j03 + j04", "f2 =~ j05 + j06 + j07 + j08", "f3 =~ j09 + j10 + j11 + j12",
              "f4 =~ j13 + j14 + j15 + j16", "f5 =~ j17 + j18 + j19 + j20", sep = "\n")

models <- list(
  list(id = "hs_3f", data = "hs", model = HS3),
  list(id = "hs_3f_rescov", data = "hs", model = paste(HS3, "x7 ~~ x8\nx1 ~~ x9", sep = "\n")),
  list(id = "hs_1f", data = "hs", model = "g =~ x1 + x2 + x3 + x4 + x5 + x6 + x7 + x8 + x9"),
  list(id = "hs_2f", data = "hs", model = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6"),
  list(id = "hs_chain", data = "hs", model = paste(HS3, "textual ~ visual\nspeed ~ textual", sep = "\n")),
  list(id = "hs_crossloading", data = "hs", model = paste(HS3, "visual =~ x9", sep = "\n")),
  list(id = "hs_orthogonal", data = "hs", model = paste(HS3, "visual ~~ 0*textual + 0*speed\ntextual ~~ 0*speed", sep = "\n")),
  list(id = "hs_free_marker", data = "hs", model = "visual =~ NA*x1 + x2 + x3\ntextual =~ NA*x4 + x5 + x6\nvisual ~~ 1*visual\ntextual ~~ 1*textual"),
  list(id = "hs_equal_labels", data = "hs", model = "visual =~ x1 + a*x2 + a*x3\ntextual =~ x4 + b*x5 + b*x6\nspeed =~ x7 + x8 + x9"),
  list(id = "hs_scaled_items", data = "hs_scaled", model = HS3),
  list(id = "hs_3f_mlr", data = "hs", model = HS3, estimator = "MLR"),
  list(id = "hs_rescov_mlr", data = "hs", model = paste(HS3, "x7 ~~ x8", sep = "\n"), estimator = "MLR"),
  list(id = "hs_chain_mlr", data = "hs", model = paste(HS3, "textual ~ visual\nspeed ~ textual", sep = "\n"), estimator = "MLR"),
  list(id = "hs_missing_listwise", data = "hs_missing", model = HS3),
  list(id = "hs_missing_fiml", data = "hs_missing", model = HS3, missing = "fiml"),
  list(id = "hs_missing_fiml_mlr", data = "hs_missing", model = HS3, missing = "fiml", estimator = "MLR"),
  list(id = "hs_missing_fiml_1f", data = "hs_missing", model = "g =~ x1 + x2 + x3 + x4 + x5 + x6", missing = "fiml"),
  list(id = "poldem_meas_rescov", data = "poldem", model = paste(PD_MEAS, PD_RES, sep = "\n")),
  list(id = "poldem_meas", data = "poldem", model = PD_MEAS),
  list(id = "poldem_sem", data = "poldem", model = paste(PD_MEAS, "dem60 ~ ind60\ndem65 ~ ind60 + dem60", PD_RES, sep = "\n")),
  list(id = "poldem_sem_labels", data = "poldem",
       model = paste("ind60 =~ x1 + x2 + x3", "dem60 =~ y1 + a*y2 + b*y3 + c*y4", "dem65 =~ y5 + a*y6 + b*y7 + c*y8",
                     "dem60 ~ ind60\ndem65 ~ ind60 + dem60", PD_RES, sep = "\n")),
  list(id = "poldem_meas_mlr", data = "poldem", model = paste(PD_MEAS, PD_RES, sep = "\n"), estimator = "MLR"),
  list(id = "bfi_5f", data = "bfi", model = BFI5),
  list(id = "bfi_5f_mlr", data = "bfi", model = BFI5, estimator = "MLR"),
  list(id = "bfi_5f_fiml", data = "bfi", model = BFI5, missing = "fiml"),
  list(id = "bfi_agree", data = "bfi", model = "agree =~ A1 + A2 + A3 + A4 + A5"),
  list(id = "bfi_agree_reversed_marker", data = "bfi", model = "agree =~ A1 + A2 + A3 + A4 + A5"),
  list(id = "bfi_consc_neuro", data = "bfi", model = "consc =~ C1 + C2 + C3 + C4 + C5\nneuro =~ N1 + N2 + N3 + N4 + N5"),
  list(id = "bfi_extra_open_rescov", data = "bfi",
       model = "extra =~ E1 + E2 + E3 + E4 + E5\nopen =~ O1 + O2 + O3 + O4 + O5\nO2 ~~ O5\nE1 ~~ E2"),
  list(id = "bfi_open_fiml_mlr", data = "bfi", model = "open =~ O1 + O2 + O3 + O4 + O5", missing = "fiml", estimator = "MLR"),
  list(id = "survey_rtc_as_answered", data = "survey", model = RTC),
  list(id = "survey_rtc_as_answered_mlr", data = "survey", model = RTC, estimator = "MLR"),
  list(id = "survey_training", data = "survey", model = "quality =~ TRN01 + TRN02 + TRN03 + TRN04\ntransfer =~ TRN05 + TRN06 + TRN07 + TRN08"),
  list(id = "survey_sus_as_answered", data = "survey", model = paste0("sus =~ ", paste(sprintf("SUS%02d", 1:10), collapse = " + "))),
  list(id = "survey_rtc_structural", data = "survey", model = paste(RTC, "rigid ~ routine + emotion\nshort ~ rigid", sep = "\n")),
  list(id = "sim5000_4f", data = "sim5000", model = SIM4),
  list(id = "sim5000_4f_mlr", data = "sim5000", model = SIM4, estimator = "MLR"),
  list(id = "sim5000_1f", data = "sim5000", model = "f =~ i01 + i02 + i03 + i04 + i05 + i06 + i07 + i08"),
  list(id = "sim1000_5f_structural", data = "sim1000",
       model = paste(SIM5, "f3 ~ f1 + f2\nf4 ~ f3\nf5 ~ f3 + f1", sep = "\n")),
  list(id = "sim1000_5f_cfa", data = "sim1000", model = SIM5),
  list(id = "sim1000_two_item_factors", data = "sim1000", model = "f1 =~ j01 + j02\nf2 =~ j05 + j06\nf3 =~ j09 + j10"),
  list(id = "heywood", data = "heywood", model = "f1 =~ h1 + h2 + h3\nf2 =~ h4 + h5 + h6")
)
# the marker of the agreeableness factor is the reverse-worded A1: every other loading is negative
models[[which(sapply(models, `[[`, "id") == "bfi_agree_reversed_marker")]]$model <- "agree =~ A1 + A2 + A3 + A4 + A5"
models[[which(sapply(models, `[[`, "id") == "bfi_agree")]]$model <- "agree =~ A2 + A1 + A3 + A4 + A5"

fit_names <- c("chisq", "df", "pvalue", "baseline.chisq", "baseline.df", "cfi", "tli", "rmsea", "rmsea.ci.lower",
               "rmsea.ci.upper", "rmsea.pvalue", "srmr", "logl", "aic", "bic", "npar", "ntotal",
               "chisq.scaled", "pvalue.scaled", "chisq.scaling.factor", "baseline.chisq.scaled",
               "baseline.chisq.scaling.factor", "cfi.scaled", "tli.scaled", "cfi.robust", "tli.robust",
               "rmsea.scaled", "rmsea.robust", "rmsea.ci.lower.robust", "rmsea.ci.upper.robust")

precise <- function(expr_default, expr_gn) {
  # lavaan's default nlminb stops at rel.tol = 1e-10, up to ~1e-4 short of the minimum on some models (its gradient
  # is then ~1e-6); lavaan's own Gauss-Newton optimiser (optim.method = "GN") goes to the minimum. The reference
  # values come from GN where it converges, else from the default fit.
  # (with equality constraints GN can stop at a worse point, so it is used only where its minimum is at least as low)
  fit_gn <- try(suppressWarnings(expr_gn), silent = TRUE)
  if (!inherits(fit_gn, "try-error") && isTRUE(lavInspect(fit_gn, "converged")) &&
      fitMeasures(fit_gn, "fmin") <= fitMeasures(expr_default, "fmin") + 1e-12) {
    return(list(fit = fit_gn, optimizer = "GN"))
  }
  list(fit = expr_default, optimizer = "nlminb")
}
run <- function(spec) {
  d <- datasets[[spec$data]]
  est <- if (is.null(spec$estimator)) "ML" else spec$estimator
  mis <- if (is.null(spec$missing)) "listwise" else spec$missing
  warn <- character(0)
  fit0 <- withCallingHandlers(
    cfa(spec$model, data = d, estimator = est, missing = mis),
    warning = function(w) { warn <<- c(warn, conditionMessage(w)); invokeRestart("muffleWarning") })
  times <- replicate(5, system.time(suppressWarnings(cfa(spec$model, data = d, estimator = est, missing = mis)))[["elapsed"]])
  conv <- lavInspect(fit0, "converged")
  pr <- precise(fit0, cfa(spec$model, data = d, estimator = est, missing = mis, optim.method = "GN"))
  fit <- pr$fit
  pe <- parameterEstimates(fit)
  ss <- standardizedSolution(fit, se = FALSE)
  fm <- suppressWarnings(fitMeasures(fit))
  fm <- as.list(fm[intersect(fit_names, names(fm))])
  if (mis %in% c("ml", "fiml")) fm <- fm[!grepl("robust", names(fm))]  # FIML robust indices (Zhang & Savalei) not compared
  list(id = spec$id, data = spec$data, model = spec$model, estimator = est, missing = mis, converged = conv,
       optimizer = pr$optimizer, warnings = warn, time = median(times),
       est = list(lhs = pe$lhs, op = pe$op, rhs = pe$rhs, est = pe$est, se = pe$se, std_all = ss$est.std),
       fit = fm)
}
results <- lapply(models, run)
meta <- list(R = R.version.string, lavaan = as.character(packageVersion("lavaan")),
             script = "tests/reference/measure_sweep.R")
write_json(list(meta = meta, models = results), file.path(out_dir, "measure_sweep.json"), digits = NA,
           auto_unbox = TRUE, pretty = FALSE, na = "null")
cat("wrote", length(results), "models to", file.path(out_dir, "measure_sweep.json"), "\n")
for (r in results) cat(sprintf("%-32s conv=%s %-6s chisq=%10.4f df=%3d t=%.3f %s\n", r$id, r$converged, r$optimizer,
                               r$fit$chisq, as.integer(r$fit$df), r$time, paste(substr(r$warnings, 1, 60), collapse = " | ")))
