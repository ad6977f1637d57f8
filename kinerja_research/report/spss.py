"""Thesis layout (``style="skripsi"``): regression, ANOVA and t-test results in the SPSS blocks Indonesian examiners
read, with the same numbers as the standard tables.

Every number comes from the analysis functions (:func:`kinerja_research.regression` and its ``.model_summary``,
``.anova``, ``.coefficients``; :func:`kinerja_research.welch_anova`; :func:`kinerja_research.paired_change`); these
functions only choose, order and name the columns as SPSS prints them:

- *Model Summary*: R, R Square, Adjusted R Square, Std. Error of the Estimate, Durbin-Watson;
- *ANOVA*: Sum of Squares, df, Mean Square, F (F hitung), Sig., with F tabel when the analysis gives it;
- *Coefficients*: B and Std. Error (Unstandardized), Beta (Standardized), t (t hitung), t tabel, Sig., Tolerance, VIF;
- *Robust Tests of Equality of Means* (Welch): Statistic, df1, df2, Sig.;
- *Paired Samples Test*: Mean, Std. Deviation, Std. Error Mean, the interval of the difference, t, df, Sig. (2-tailed);
- *Independent Samples Test*: Levene's F and Sig. next to t, df, Sig. (2-tailed), Mean Difference, Std. Error
  Difference and its interval, equal variances assumed and not assumed (:func:`kinerja_research.ttest`);
- one-way *ANOVA*: Between Groups, Within Groups, Total (:func:`kinerja_research.anova`);
- *Reliability Statistics*: Cronbach's Alpha, Cronbach's Alpha Based on Standardized Items, N of Items
  (:func:`kinerja_research.cronbach_alpha`);
- logistic regression (:func:`kinerja_research.logistic`): *Omnibus Tests of Model Coefficients*, *Model Summary*
  (-2 Log likelihood, Cox & Snell and Nagelkerke R Square) and the *Hosmer and Lemeshow Test* in one block, and
  *Variables in the Equation*: B, S.E., Wald, df, Sig., Exp(B) and its interval;
- *Item-Total Statistics* with the thesis validity columns: r hitung, r tabel, Keterangan, Corrected Item-Total
  Correlation, Cronbach's Alpha if Item Deleted (:func:`kinerja_research.item_analysis`).

Column labels are in the ``spss`` translation namespace (SPSS's own English labels, which Indonesian theses quote,
with the Indonesian "hitung"/"tabel" terms). Each function returns an unrounded DataFrame for ``ctx.show``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kinerja_research.errors import KinerjaError
from kinerja_research.report.i18n import translator

__all__ = [
    "model_summary",
    "anova",
    "coefficients",
    "welch",
    "paired_samples",
    "independent_samples",
    "oneway_anova",
    "reliability_statistics",
    "logistic_summary",
    "variables_in_equation",
    "item_total_statistics",
]


def _need(obj, attr: str, what: str):
    value = getattr(obj, attr, None)
    if value is None:
        raise KinerjaError(
            f"{what} needs the {attr!r} table of a regression result; the rule is the output of kr.regression()."
        )
    return value


def model_summary(reg) -> pd.DataFrame:
    """SPSS *Model Summary* of a :func:`kinerja_research.regression` result.

    Returns
    -------
    pandas.DataFrame
        ``model`` (1), ``r``, ``r2``, ``adj_r2``, ``se_estimate``, ``durbin_watson``, ``n``.
    """
    ms = _need(reg, "model_summary", "spss.model_summary")
    row = ms.iloc[0]
    return pd.DataFrame(
        {
            "model": ["1"],
            "r": [row["r"]],
            "r2": [row["r2"]],
            "adj_r2": [row["adj_r2"]],
            "se_estimate": [row["se_estimate"]],
            "durbin_watson": [row.get("durbin_watson", np.nan)],
            "n": [row["n"]],
        }
    )


def anova(reg, *, lang: str = "id") -> pd.DataFrame:
    """SPSS *ANOVA* block of a regression: Regression, Residual and Total rows.

    Returns
    -------
    pandas.DataFrame
        ``source`` (translated row name), ``ss``, ``df``, ``ms``, ``f_hitung``, ``f_tabel`` (when the analysis gives
        the critical F as ``f_crit``), ``p``.
    """
    t = translator(lang)
    a = _need(reg, "anova", "spss.anova")
    out = pd.DataFrame(
        {
            "source": [t(f"spss.source.{term}") for term in a["term"]],
            "ss": a["ss"].to_numpy(),
            "df": a["df"].to_numpy(),
            "ms": a["ms"].to_numpy(),
            "f_hitung": a["statistic"].to_numpy(),
            "p": a["p"].to_numpy(),
        }
    )
    if "f_crit" in a.columns:
        out.insert(5, "f_tabel", a["f_crit"].to_numpy())
    return out


def coefficients(reg) -> pd.DataFrame:
    """SPSS *Coefficients* block: B, Std. Error, Beta, t hitung, t tabel, Sig., Tolerance, VIF.

    Returns
    -------
    pandas.DataFrame
        ``term``, ``b``, ``se``, ``beta``, ``t_hitung``, ``t_tabel``, ``p``, ``tolerance``, ``vif``, ``n``.
    """
    c = _need(reg, "coefficients", "spss.coefficients")
    return pd.DataFrame(
        {
            "term": c["term"].to_numpy(),
            "b": c["estimate"].to_numpy(),
            "se": c["se"].to_numpy(),
            "beta": c["effect_size"].to_numpy(),
            "t_hitung": c["statistic"].to_numpy(),
            "t_tabel": c["t_crit"].to_numpy() if "t_crit" in c.columns else np.nan,
            "p": c["p"].to_numpy(),
            "tolerance": c["tolerance"].to_numpy() if "tolerance" in c.columns else np.nan,
            "vif": c["vif"].to_numpy() if "vif" in c.columns else np.nan,
            "n": c["n"].to_numpy(),
        }
    )


def welch(result: pd.DataFrame) -> pd.DataFrame:
    """SPSS *Robust Tests of Equality of Means* (Welch) from :func:`kinerja_research.welch_anova`.

    Returns
    -------
    pandas.DataFrame
        ``term``, ``f_hitung`` (Welch statistic), ``df1``, ``df2``, ``f_tabel`` (when given as ``f_crit``), ``p``,
        ``n``.
    """
    out = pd.DataFrame(
        {
            "term": result["term"].to_numpy(),
            "f_hitung": result["statistic"].to_numpy(),
            "df1": result["df1"].to_numpy(),
            "df2": result["df2"].to_numpy(),
            "p": result["p"].to_numpy(),
            "n": result["n"].to_numpy(),
        }
    )
    if "f_crit" in result.columns:
        out.insert(4, "f_tabel", result["f_crit"].to_numpy())
    return out


def paired_samples(result: pd.DataFrame) -> pd.DataFrame:
    """SPSS *Paired Samples Test* from the paired-t rows of :func:`kinerja_research.paired_change`.

    ``sd`` is the standard deviation of the differences, ``se · √n`` (the identity SPSS prints next to the standard
    error of the mean); every other number is the analysis's.

    Returns
    -------
    pandas.DataFrame
        ``region`` (when present), ``mean``, ``sd``, ``se``, ``ci_low``, ``ci_high``, ``t_hitung``, ``t_tabel``
        (when given as ``t_crit``), ``df``, ``p``, ``n``.
    """
    rows = result[result["method"].astype(str).str.contains("paired t", case=False)]
    out = pd.DataFrame(
        {
            "mean": rows["estimate"].to_numpy(),
            "sd": (rows["se"] * np.sqrt(rows["n"].astype(float))).to_numpy(),
            "se": rows["se"].to_numpy(),
            "ci_low": rows["ci_low"].to_numpy(),
            "ci_high": rows["ci_high"].to_numpy(),
            "t_hitung": rows["statistic"].to_numpy(),
            "df": rows["df"].to_numpy(),
            "p": rows["p"].to_numpy(),
            "n": rows["n"].to_numpy(),
        }
    )
    if "t_crit" in rows.columns:
        out.insert(6, "t_tabel", rows["t_crit"].to_numpy())
    if "region" in rows.columns:
        out.insert(0, "region", rows["region"].to_numpy())
    return out


def independent_samples(result: pd.DataFrame) -> pd.DataFrame:
    """SPSS *Independent Samples Test* from :func:`kinerja_research.ttest`: Levene's F and Sig. next to the t test,
    one row for "equal variances assumed" (Student) and one for "not assumed" (Welch).

    Returns
    -------
    pandas.DataFrame
        ``assumption`` (``equal``/``unequal``, translated by the page), ``levene_f``, ``levene_p`` (on the first
        row), ``t_hitung``, ``df``, ``p``, ``mean_diff``, ``se``, ``ci_low``, ``ci_high``, ``n``.
    """
    levene = result[result["method"].astype(str).str.startswith("Levene")]
    tests = result[result["method"].astype(str).str.contains(" t ")]
    if levene.empty or tests.empty:
        raise KinerjaError(
            "spss.independent_samples needs the Levene and t rows of kr.ttest(); the rule is its output."
        )
    out = pd.DataFrame(
        {
            "assumption": ["equal" if "equal variances assumed" in m else "unequal" for m in tests["method"]],
            "levene_f": np.nan,
            "levene_p": np.nan,
            "t_hitung": tests["statistic"].to_numpy(),
            "df": tests["df"].to_numpy(),
            "p": tests["p"].to_numpy(),
            "mean_diff": tests["estimate"].to_numpy(),
            "se": tests["se"].to_numpy(),
            "ci_low": tests["ci_low"].to_numpy(),
            "ci_high": tests["ci_high"].to_numpy(),
            "n": tests["n"].to_numpy(),
        }
    )
    out.loc[0, ["levene_f", "levene_p"]] = [levene["statistic"].iloc[0], levene["p"].iloc[0]]
    return out


def oneway_anova(result: pd.DataFrame, *, lang: str = "id") -> pd.DataFrame:
    """SPSS *ANOVA* block of a one-way ANOVA (:func:`kinerja_research.anova`): Between Groups, Within Groups, Total.

    Returns
    -------
    pandas.DataFrame
        ``source``, ``ss``, ``df``, ``ms``, ``f_hitung``, ``p``.
    """
    t = translator(lang)
    return pd.DataFrame(
        {
            "source": [t(f"spss.source.{term}") for term in result["term"]],
            "ss": result["ss"].to_numpy(),
            "df": result["df"].to_numpy(),
            "ms": result["ms"].to_numpy(),
            "f_hitung": result["statistic"].to_numpy(),
            "p": result["p"].to_numpy(),
        }
    )


def reliability_statistics(result: pd.DataFrame) -> pd.DataFrame:
    """SPSS *Reliability Statistics* from :func:`kinerja_research.cronbach_alpha` rows (one per scale; the page's
    ``instrument``, ``region`` and ``dimension`` columns are kept in front when present).

    Returns
    -------
    pandas.DataFrame
        ``alpha`` (Cronbach's Alpha), ``alpha_std`` (Based on Standardized Items), ``n_items`` (N of Items), ``n``.

    Examples
    --------
    >>> rel = pd.DataFrame({"term": ["total"], "estimate": [0.81], "alpha_std": [0.82], "n_items": [4], "n": [60]})
    >>> reliability_statistics(rel).columns.tolist()
    ['alpha', 'alpha_std', 'n_items', 'n']
    """
    missing = [c for c in ("estimate", "alpha_std", "n_items", "n") if c not in result.columns]
    if missing:
        raise KinerjaError(
            f"spss.reliability_statistics needs columns {missing}; the rule is the output of kr.cronbach_alpha()."
        )
    keep = [c for c in ("instrument", "region", "dimension") if c in result.columns]
    out = result[keep].copy()
    out["alpha"] = result["estimate"].to_numpy()
    out["alpha_std"] = result["alpha_std"].to_numpy()
    out["n_items"] = result["n_items"].to_numpy()
    out["n"] = result["n"].to_numpy()
    return out.reset_index(drop=True)


def item_total_statistics(result: pd.DataFrame, *, lang: str = "id") -> pd.DataFrame:
    """SPSS *Item-Total Statistics* with the columns of a thesis validity table, from
    :func:`kinerja_research.item_analysis` rows (``instrument``/``region``/``dimension``/``item`` kept in front).

    Returns
    -------
    pandas.DataFrame
        ``r_hitung`` (item-total r), ``r_tabel`` (critical r), ``keterangan`` (Valid / Tidak valid),
        ``r_corrected`` (Corrected Item-Total Correlation), ``alpha_if_deleted`` (Cronbach's Alpha if Item Deleted),
        ``n``.
    """
    missing = [c for c in ("r_item_total", "r_crit", "valid", "r_corrected", "alpha_if_deleted", "n")
               if c not in result.columns]  # fmt: skip
    if missing:
        raise KinerjaError(
            f"spss.item_total_statistics needs columns {missing}; the rule is the output of kr.item_analysis()."
        )
    t = translator(lang)
    keep = [c for c in ("instrument", "region", "dimension", "item") if c in result.columns]
    out = result[keep].copy()
    out["r_hitung"] = result["r_item_total"].to_numpy()
    out["r_tabel"] = result["r_crit"].to_numpy()
    valid = result["valid"].astype(bool)
    out["keterangan"] = np.where(valid, t("instrument.valid"), t("instrument.not_valid"))
    out["r_corrected"] = result["r_corrected"].to_numpy()
    out["alpha_if_deleted"] = result["alpha_if_deleted"].to_numpy()
    out["n"] = result["n"].to_numpy()
    return out.reset_index(drop=True)


def logistic_summary(res) -> pd.DataFrame:
    """SPSS *Omnibus Tests of Model Coefficients*, *Model Summary* and *Hosmer and Lemeshow Test* of a
    :func:`kinerja_research.logistic` result, as one row.

    Returns
    -------
    pandas.DataFrame
        ``chisq`` (omnibus χ²), ``df``, ``p``, ``neg2ll``, ``cox_snell_r2``, ``nagelkerke_r2``, ``hl_chisq``, ``hl_df``,
        ``hl_p``, ``n``.
    """
    fit = _need(res, "fit", "spss.logistic_summary")
    hl = _need(res, "hosmer_lemeshow", "spss.logistic_summary")
    f, h = fit.iloc[0], hl.iloc[0]
    return pd.DataFrame(
        {
            "chisq": [f["statistic"]],
            "df": [f["df"]],
            "p": [f["p"]],
            "neg2ll": [f["neg2ll"]],
            "cox_snell_r2": [f["cox_snell_r2"]],
            "nagelkerke_r2": [f["nagelkerke_r2"]],
            "hl_chisq": [h["statistic"]],
            "hl_df": [h["df"]],
            "hl_p": [h["p"]],
            "n": [f["n"]],
        }
    )


def variables_in_equation(res) -> pd.DataFrame:
    """SPSS *Variables in the Equation* of a :func:`kinerja_research.logistic` result: B, S.E., Wald, df, Sig.,
    Exp(B) and its Wald interval.

    Returns
    -------
    pandas.DataFrame
        ``term``, ``b``, ``se``, ``wald``, ``df``, ``p``, ``exp_b``, ``or_ci_low``, ``or_ci_high``, ``n``.
    """
    missing = [c for c in ("term", "estimate", "se", "wald", "p", "effect_size", "or_ci_low", "or_ci_high")
               if c not in res.columns]  # fmt: skip
    if missing:
        raise KinerjaError(f"spss.variables_in_equation needs columns {missing}; the rule is kr.logistic()'s output.")
    return pd.DataFrame(
        {
            "term": res["term"].to_numpy(),
            "b": res["estimate"].to_numpy(),
            "se": res["se"].to_numpy(),
            "wald": res["wald"].to_numpy(),
            "df": np.ones(len(res), dtype=int),
            "p": res["p"].to_numpy(),
            "exp_b": res["effect_size"].to_numpy(),
            "or_ci_low": res["or_ci_low"].to_numpy(),
            "or_ci_high": res["or_ci_high"].to_numpy(),
            "n": res["n"].to_numpy(),
        }
    )
