# Reference values for ordinal CFA (kinerja_research.measure.cfa(ordered=True, estimator="WLSMV")): lavaan.
# Run from the repository root:  Rscript tests/reference/measure_ordinal.R
# Data: measure_bfi25.csv (psych::bfi, six-point items as answered), measure_survey.csv (the project's synthetic
# survey, six- and five-point items as answered), measure_sim5000.csv (written by measure_sweep.R).
# Output: measure_ordinal.json: per model lavaan's parameterEstimates (est, se), std.all, fitMeasures, the
# scaled-shifted test's shift parameter, the sample thresholds and polychoric correlations, the diagonal of
# NACOV (Gamma) and the median time of 3 fits.
suppressPackageStartupMessages({
  library(lavaan); library(jsonlite)
})
out_dir <- "tests/reference"
read <- function(f) {
  d <- read.csv(file.path(out_dir, f))
  if ("region_code" %in% names(d)) d$region_code <- sprintf("%.2f", d$region_code)  # codes such as "18.71"
  d
}
data <- list(bfi = read("measure_bfi25.csv"), survey = read("measure_survey.csv"), sim5000 = read("measure_sim5000.csv"))
RTC <- paste("routine =~ RTC01 + RTC02 + RTC03 + RTC04 + RTC05", "emotion =~ RTC06 + RTC07 + RTC08 + RTC09",
             "short =~ RTC10 + RTC11 + RTC12 + RTC13", "rigid =~ RTC14 + RTC15 + RTC16 + RTC17", sep = "\n")
BFI5 <- paste(sprintf("%s =~ %s", c("agree", "consc", "extra", "neuro", "open"),
                      sapply(c("A", "C", "E", "N", "O"), function(l) paste0(l, 1:5, collapse = " + "))), collapse = "\n")
models <- list(
  list(id = "bfi_agree_ord", data = "bfi", model = "agree =~ A1 + A2 + A3 + A4 + A5"),
  list(id = "bfi_consc_neuro_ord", data = "bfi", model = "consc =~ C1 + C2 + C3 + C4 + C5\nneuro =~ N1 + N2 + N3 + N4 + N5"),
  list(id = "bfi_5f_ord", data = "bfi", model = BFI5),
  list(id = "bfi_extra_rescov_ord", data = "bfi", model = "extra =~ E1 + E2 + E3 + E4 + E5\nE1 ~~ E2"),
  list(id = "survey_rtc_ord", data = "survey", model = RTC),
  list(id = "survey_rtc_structural_ord", data = "survey", model = paste(RTC, "rigid ~ routine + emotion", sep = "\n")),
  list(id = "survey_sus_ord", data = "survey", model = paste0("sus =~ ", paste(sprintf("SUS%02d", 1:10), collapse = " + "))),
  list(id = "survey_training_ord", data = "survey",
       model = "quality =~ TRN01 + TRN02 + TRN03 + TRN04\ntransfer =~ TRN05 + TRN06 + TRN07 + TRN08"),
  list(id = "sim5000_4f_ord", data = "sim5000",
       model = "f1 =~ i01 + i02 + i03 + i04\nf2 =~ i05 + i06 + i07 + i08\nf3 =~ i09 + i10 + i11 + i12\nf4 =~ i13 + i14 + i15 + i16")
)
fit_names <- c("chisq", "df", "pvalue", "chisq.scaled", "pvalue.scaled", "chisq.scaling.factor", "baseline.chisq",
               "baseline.df", "baseline.chisq.scaled", "baseline.chisq.scaling.factor", "cfi", "tli", "cfi.scaled",
               "tli.scaled", "rmsea", "rmsea.ci.lower", "rmsea.ci.upper", "rmsea.scaled", "srmr", "npar", "ntotal")
run <- function(spec) {
  d <- data[[spec$data]]
  fit0 <- cfa(spec$model, data = d, ordered = TRUE)
  fit_gn <- try(suppressWarnings(cfa(spec$model, data = d, ordered = TRUE, optim.method = "GN")), silent = TRUE)
  gn <- !inherits(fit_gn, "try-error") && isTRUE(lavInspect(fit_gn, "converged")) &&
    fitMeasures(fit_gn, "fmin") <= fitMeasures(fit0, "fmin") + 1e-12
  fit <- if (gn) fit_gn else fit0
  times <- replicate(3, system.time(cfa(spec$model, data = d, ordered = TRUE))[["elapsed"]])
  pe <- parameterEstimates(fit)
  ss <- standardizedSolution(fit, se = FALSE)
  fm <- as.list(fitMeasures(fit, fit_names))
  fm$chisq.shift.parameter <- lavInspect(fit, "test")$scaled.shifted$shift.parameter
  ss_ <- lavInspect(fit, "sampstat")
  list(id = spec$id, data = spec$data, model = spec$model, converged = lavInspect(fit0, "converged"),
       optimizer = if (gn) "GN" else "nlminb",
       time = median(times),
       est = list(lhs = pe$lhs, op = pe$op, rhs = pe$rhs, est = pe$est, se = pe$se, std_all = ss$est.std),
       fit = fm, th = unname(ss_$th), cor = unname(ss_$cov[lower.tri(ss_$cov)]),
       gamma_diag = unname(diag(lavInspect(fit, "gamma"))))
}
results <- lapply(models, run)
meta <- list(R = R.version.string, lavaan = as.character(packageVersion("lavaan")),
             script = "tests/reference/measure_ordinal.R",
             note = "estimates from lavaan's Gauss-Newton optimiser (its default nlminb stops up to 1e-5 short); times at defaults")
write_json(list(meta = meta, models = results), file.path(out_dir, "measure_ordinal.json"), digits = NA,
           auto_unbox = TRUE, na = "null")
for (r in results) cat(sprintf("%-28s conv=%s chisq=%9.3f scaled=%9.3f t=%.3f\n", r$id, r$converged, r$fit$chisq,
                               r$fit$chisq.scaled, r$time))
