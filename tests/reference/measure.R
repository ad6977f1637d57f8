# Reference values for kinerja_research.measure (tests/test_measure_*.py), computed with psych, lavaan, semTools.
# Run from the repository root:  Rscript tests/reference/measure.R
# Inputs (committed CSVs, so R and Python read the same numbers):
#   tests/reference/measure_survey.csv          pre-wave synthetic survey (tests/reference/measure_inputs.py)
#   tests/reference/measure_survey_missing.csv  the same with 2% of RTC/TRN answers blanked
#   tests/reference/measure_hs1939.csv          lavaan::HolzingerSwineford1939 (written here)
#   tests/reference/measure_bfi.csv             psych::bfi rows 1-700, A1-A5 and C1-C5 with their NAs (written here)
# Output: tests/reference/measure_reference.json
suppressPackageStartupMessages({
  library(psych); library(lavaan); library(semTools); library(jsonlite)
})
out_dir <- "tests/reference"
set.seed(2026)

hs <- lavaan::HolzingerSwineford1939[, c("school", paste0("x", 1:9))]
write.csv(hs, file.path(out_dir, "measure_hs1939.csv"), row.names = FALSE)
data(bfi, package = "psych")
bfi_small <- bfi[1:700, c(paste0("A", 1:5), paste0("C", 1:5))]
write.csv(bfi_small, file.path(out_dir, "measure_bfi.csv"), row.names = FALSE, na = "")

survey <- read.csv(file.path(out_dir, "measure_survey.csv"), colClasses = c(region_code = "character"))
survey_na <- read.csv(file.path(out_dir, "measure_survey_missing.csv"), colClasses = c(region_code = "character"))

# codebook facts used here (kinerja_research/instruments/*.yml): reverse-keyed items and scale ranges
reverse_items <- function(x, rev, lo, hi) { for (v in intersect(rev, names(x))) x[[v]] <- lo + hi - x[[v]]; x }
rtc_rev <- c("RTC04", "RTC14")
sus_rev <- sprintf("SUS%02d", seq(2, 10, 2))
survey_r <- reverse_items(reverse_items(survey, rtc_rev, 1, 6), sus_rev, 1, 5)
survey_na_r <- reverse_items(survey_na, rtc_rev, 1, 6)

rtc_dims <- list(routine_seeking = sprintf("RTC%02d", 1:5), emotional_reaction = sprintf("RTC%02d", 6:9),
                 short_term_focus = sprintf("RTC%02d", 10:13), cognitive_rigidity = sprintf("RTC%02d", 14:17))
trn_dims <- list(quality = sprintf("TRN%02d", 1:4), transfer = sprintf("TRN%02d", 5:8))

scale_ref <- function(dataset, name, x, keys = NULL, complete = FALSE) {
  # psych::alpha: use = "pairwise" (default); keys = reverse-keyed names (observed min + max - x)
  a <- suppressWarnings(psych::alpha(x, keys = keys, warnings = FALSE))
  xr <- x
  if (!is.null(keys)) xr <- reverse_items(x, keys, min(x, na.rm = TRUE), max(x, na.rm = TRUE))
  res <- list(
    dataset = dataset, name = name, items = names(x), keys = if (is.null(keys)) character(0) else keys,
    n_rows = nrow(x), n_used = sum(rowSums(!is.na(x)) > 0),
    alpha = list(raw = a$total$raw_alpha, std = a$total$std.alpha, g6 = a$total[["G6(smc)"]],
                 average_r = a$total$average_r, ase = a$total$ase, mean = a$total$mean, sd = a$total$sd,
                 feldt_lower = a$feldt$lower.ci[[1]], feldt_upper = a$feldt$upper.ci[[1]]),
    item_stats = list(raw_r = unname(a$item.stats$raw.r), r_drop = unname(a$item.stats$r.drop),
                      mean = unname(a$item.stats$mean), sd = unname(a$item.stats$sd),
                      n = unname(a$item.stats$n)),
    alpha_drop = if (ncol(x) > 2) unname(a$alpha.drop$raw_alpha) else NULL
  )
  if (ncol(x) >= 3) {
    om <- suppressMessages(suppressWarnings(psych::omega(x, nfactors = 1, plot = FALSE)))
    res$omega_tot <- om$omega.tot
    sh <- suppressWarnings(psych::splitHalf(x))
    res$split <- list(maxrb = sh$maxrb, minrb = sh$minrb, meanr = sh$meanr)
    r <- cor(x, use = "pairwise")
    k <- psych::KMO(r)
    res$kmo <- list(msa = k$MSA, msai = unname(k$MSAi))
    b <- psych::cortest.bartlett(r, n = res$n_used)
    res$bartlett <- list(chisq = b$chisq, df = b$df, p = b$p.value)
    set.seed(2026)
    pa <- suppressMessages(suppressWarnings(psych::fa.parallel(x, fm = "minres", n.iter = 20, plot = FALSE)))
    res$parallel <- list(pc_values = pa$pc.values, fa_values = pa$fa.values, nfact = pa$nfact, ncomp = pa$ncomp)
    f1 <- suppressMessages(suppressWarnings(psych::fa(r, nfactors = 1, fm = "minres")))
    res$fa1_loadings <- as.numeric(f1$loadings[, 1])
  }
  if (complete) {
    h <- ceiling(ncol(xr) / 2)
    res$first_second_r <- cor(rowSums(xr[, 1:h, drop = FALSE]), rowSums(xr[, -(1:h), drop = FALSE]))
    res$row_means_head <- unname(rowMeans(xr, na.rm = TRUE)[1:20])
  }
  res
}

scales <- list(
  scale_ref("hs1939", "visual", hs[, c("x1", "x2", "x3")], complete = TRUE),
  scale_ref("hs1939", "all9", hs[, paste0("x", 1:9)], complete = TRUE),
  scale_ref("bfi", "agreeableness", bfi_small[, paste0("A", 1:5)], keys = "A1"),
  scale_ref("bfi", "conscientiousness", bfi_small[, paste0("C", 1:5)], keys = c("C4", "C5")),
  scale_ref("bfi", "two_items", bfi_small[, c("A2", "A3")])
)
for (d in names(rtc_dims)) scales[[length(scales) + 1]] <- scale_ref("survey", d, survey_r[, rtc_dims[[d]]], complete = TRUE)
scales[[length(scales) + 1]] <- scale_ref("survey", "total", survey_r[, unlist(rtc_dims)], complete = TRUE)
for (d in names(rtc_dims)) scales[[length(scales) + 1]] <- scale_ref("survey_missing", d, survey_na_r[, rtc_dims[[d]]])
for (d in names(trn_dims)) scales[[length(scales) + 1]] <- scale_ref("survey_missing", d, survey_na_r[, trn_dims[[d]]])
scales[[length(scales) + 1]] <- scale_ref("survey", "sus", survey_r[, sprintf("SUS%02d", 1:10)], complete = TRUE)

# listwise variant of alpha on the survey with missing answers (psych::alpha(use = "complete.obs"))
lw <- na.omit(survey_na_r[, rtc_dims$routine_seeking])
a_lw <- psych::alpha(lw, warnings = FALSE)
listwise <- list(name = "routine_seeking", n = nrow(lw), raw = a_lw$total$raw_alpha,
                 raw_r = unname(a_lw$item.stats$raw.r), r_drop = unname(a_lw$item.stats$r.drop))

fit_names <- c("chisq", "df", "pvalue", "baseline.chisq", "baseline.df", "cfi", "tli", "rmsea", "rmsea.ci.lower",
               "rmsea.ci.upper", "rmsea.pvalue", "srmr", "logl", "aic", "bic", "npar", "ntotal")
syntax_of <- function(dims) paste(sprintf("%s =~ %s", names(dims), sapply(dims, paste, collapse = " + ")), collapse = "\n")

cfa_ref <- function(dataset, name, model, data) {
  fit <- lavaan::cfa(model, data = data)
  pe <- lavaan::parameterEstimates(fit)
  ss <- lavaan::standardizedSolution(fit)
  ht <- semTools::htmt(model, data = data, htmt2 = FALSE)
  list(dataset = dataset, name = name, model = model,
       est = list(lhs = pe$lhs, op = pe$op, rhs = pe$rhs, est = pe$est, se = pe$se, std_all = ss$est.std),
       fit = as.list(lavaan::fitMeasures(fit, fit_names)), htmt = unname(as.matrix(ht)),
       htmt_names = rownames(ht))
}
hs_model <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
cfas <- list(
  cfa_ref("hs1939", "three_factor", hs_model, hs),
  cfa_ref("hs1939", "three_factor_residual_cov", paste0(hs_model, "\nx7 ~~ x9\nx1 ~~ x4"), hs),
  cfa_ref("survey", "rtc", syntax_of(rtc_dims), survey_r),
  cfa_ref("survey", "training", syntax_of(trn_dims), survey_r)
)

inv_ref <- function(dataset, name, model, data, group) {
  levels <- list(configural = "", metric = "loadings", scalar = c("loadings", "intercepts"))
  fits <- lapply(levels, function(eq) lavaan::cfa(model, data = data, group = group, group.equal = eq))
  lrt <- lavaan::lavTestLRT(fits$configural, fits$metric, fits$scalar)
  list(dataset = dataset, name = name, model = model, group = group,
       fit = lapply(fits, function(f) as.list(lavaan::fitMeasures(f, fit_names))),
       lrt = list(chisq_diff = lrt[["Chisq diff"]], df_diff = lrt[["Df diff"]], p = lrt[["Pr(>Chisq)"]]),
       scalar_latent_means = {
         pe <- lavaan::parameterEstimates(fits$scalar)
         pe[pe$op == "~1" & pe$lhs %in% lavaan::lavNames(fits$scalar, "lv"), c("lhs", "group", "est", "se")]
       })
}
invs <- list(
  inv_ref("hs1939", "three_factor_by_school", hs_model, hs, "school"),
  inv_ref("survey", "rtc_by_region", syntax_of(rtc_dims), survey_r, "region_code")
)

rt_n <- c(10, 30, 50, 100, 385)
rtable <- list(n = rt_n,
               two_sided = qt(0.975, rt_n - 2) / sqrt(rt_n - 2 + qt(0.975, rt_n - 2)^2),
               greater = qt(0.95, rt_n - 2) / sqrt(rt_n - 2 + qt(0.95, rt_n - 2)^2),
               two_sided_01 = qt(0.995, rt_n - 2) / sqrt(rt_n - 2 + qt(0.995, rt_n - 2)^2))

meta <- list(R = R.version.string, psych = as.character(packageVersion("psych")),
             lavaan = as.character(packageVersion("lavaan")), semTools = as.character(packageVersion("semTools")),
             script = "tests/reference/measure.R")
# scale scores with missing answers: rowMeans(na.rm = TRUE) of the reversed items, and the count answered
rtc_items <- unlist(rtc_dims)
scores_missing <- list(total = unname(rowMeans(survey_na_r[, rtc_items], na.rm = TRUE)),
                       answered = unname(rowSums(!is.na(survey_na_r[, rtc_items]))),
                       routine_seeking = unname(rowMeans(survey_na_r[, rtc_dims$routine_seeking], na.rm = TRUE)),
                       answered_rs = unname(rowSums(!is.na(survey_na_r[, rtc_dims$routine_seeking]))))
write_json(list(meta = meta, rtable = rtable, scales = scales, listwise = listwise, cfa = cfas, invariance = invs,
                scores_missing = scores_missing),
           file.path(out_dir, "measure_reference.json"), digits = NA, auto_unbox = TRUE, pretty = TRUE,
           na = "null")
cat("wrote", file.path(out_dir, "measure_reference.json"), "\n")
