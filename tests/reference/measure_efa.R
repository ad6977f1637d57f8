# Reference values for exploratory factor analysis (kinerja_research.measure.efa): psych::fa.
# Run from the repository root:  Rscript tests/reference/measure_efa.R
# Data: measure_bfi25.csv (psych::bfi, 25 items as answered, pairwise-complete correlations as psych's default),
# measure_hs1939.csv (lavaan::HolzingerSwineford1939), measure_survey.csv (the project's synthetic survey).
# Output: measure_efa.json: per case psych's loadings (after its sign and order conventions), communality,
# uniquenesses, Vaccounted, Phi, values (eigenvalues with communalities), e.values, and psych's optimiser result
# (communalities = 1 - its uniquenesses).
suppressPackageStartupMessages({
  library(psych); library(GPArotation); library(jsonlite)
})
out_dir <- "tests/reference"
bfi <- read.csv(file.path(out_dir, "measure_bfi25.csv"))
hs <- read.csv(file.path(out_dir, "measure_hs1939.csv"))
survey <- read.csv(file.path(out_dir, "measure_survey.csv"))
data <- list(bfi = bfi, hs = hs, survey = survey)
items <- list(bfi = names(bfi)[1:25], hs = paste0("x", 1:9), survey = sprintf("RTC%02d", 1:17),
              bfi_agree = paste0("A", 1:5))
cases <- list(
  list(id = "bfi_5_minres_oblimin", data = "bfi", items = "bfi", nf = 5, fm = "minres", rotate = "oblimin"),
  list(id = "bfi_5_minres_varimax", data = "bfi", items = "bfi", nf = 5, fm = "minres", rotate = "varimax"),
  list(id = "bfi_5_ml_promax", data = "bfi", items = "bfi", nf = 5, fm = "ml", rotate = "promax"),
  list(id = "bfi_5_ml_oblimin", data = "bfi", items = "bfi", nf = 5, fm = "ml", rotate = "oblimin"),
  list(id = "bfi_agree_1_minres", data = "bfi", items = "bfi_agree", nf = 1, fm = "minres", rotate = "oblimin"),
  list(id = "hs_3_minres_oblimin", data = "hs", items = "hs", nf = 3, fm = "minres", rotate = "oblimin"),
  list(id = "hs_3_ml_varimax", data = "hs", items = "hs", nf = 3, fm = "ml", rotate = "varimax"),
  list(id = "hs_3_minres_promax", data = "hs", items = "hs", nf = 3, fm = "minres", rotate = "promax"),
  list(id = "hs_2_minres_none", data = "hs", items = "hs", nf = 2, fm = "minres", rotate = "none"),
  list(id = "survey_rtc_4_minres_oblimin", data = "survey", items = "survey", nf = 4, fm = "minres", rotate = "oblimin"),
  list(id = "survey_rtc_4_ml_varimax", data = "survey", items = "survey", nf = 4, fm = "ml", rotate = "varimax")
)
run <- function(cs) {
  x <- data[[cs$data]][, items[[cs$items]]]
  f <- suppressMessages(suppressWarnings(fa(x, nfactors = cs$nf, fm = cs$fm, rotate = cs$rotate)))
  times <- replicate(3, system.time(suppressMessages(suppressWarnings(
    fa(x, nfactors = cs$nf, fm = cs$fm, rotate = cs$rotate))))[["elapsed"]])
  L <- unclass(f$loadings)
  list(id = cs$id, data = cs$data, items = items[[cs$items]], nfactors = cs$nf, fm = cs$fm, rotate = cs$rotate,
       loadings = unname(split(L, col(L))), communality = unname(f$communality),
       communalities_optim = unname(f$communalities), uniquenesses = unname(f$uniquenesses),
       vaccounted = unname(split(f$Vaccounted, row(f$Vaccounted))), phi = if (is.null(f$Phi)) NULL else unname(f$Phi),
       values = unname(f$values), e_values = unname(f$e.values), time = median(times))
}
results <- lapply(cases, run)
meta <- list(R = R.version.string, psych = as.character(packageVersion("psych")),
             GPArotation = as.character(packageVersion("GPArotation")), script = "tests/reference/measure_efa.R")
write_json(list(meta = meta, cases = results), file.path(out_dir, "measure_efa.json"), digits = NA,
           auto_unbox = TRUE, na = "null")
cat("wrote", length(results), "EFA cases\n")
