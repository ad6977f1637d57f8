# Which items psych::alpha would call "probably should be reversed" (no keys given): items loading negatively on the
# first principal component (psych::principal, signed so the loadings sum positive), per Big Five scale of
# measure_bfi25.csv. Run: Rscript tests/reference/measure_reverse_check.R > tests/reference/measure_reverse_check.json
suppressMessages({library(psych); library(jsonlite)})
d <- read.csv("tests/reference/measure_bfi25.csv")
out <- list(psych_version = as.character(packageVersion("psych")))
for (s in c("A", "C", "E", "N", "O")) {
  p <- principal(d[, paste0(s, 1:5)], scores = FALSE)
  out[[s]] <- I(rownames(p$loadings)[p$loadings < 0])
}
cat(toJSON(out, auto_unbox = TRUE, pretty = TRUE), "\n")
