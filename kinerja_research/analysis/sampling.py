"""Sample size for a survey of a region's staff (Slovin, Krejcie & Morgan) and power analysis (t tests, ANOVA,
regression), following R's ``pwr`` package.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import optimize, stats

from kinerja_research.errors import KinerjaError
from kinerja_research.results import check_alpha, check_choice, check_number, tidy

__all__ = ["sample_size", "power"]

SIZE_METHODS = ("slovin", "krejcie_morgan")
POWER_TESTS = ("t_two", "t_paired", "t_one", "r", "anova", "regression")


def sample_size(
    population: int | Sequence[int],
    *,
    method: str | Sequence[str] = SIZE_METHODS,
    margin: float = 0.05,
    confidence: float = 0.95,
    proportion: float = 0.5,
) -> pd.DataFrame:
    """Survey sample size for a finite population by Slovin's formula and by Krejcie & Morgan (1970).

    Parameters
    ----------
    population : int or list of int
        Population size(s) N, e.g. the number of ASN in a region.
    method : str or list of str, default both
        ``"slovin"`` and/or ``"krejcie_morgan"``.
    margin : float, default 0.05
        Margin of error e (Slovin) / degree of accuracy d (Krejcie & Morgan).
    confidence : float, default 0.95
        Confidence level of Krejcie & Morgan's χ² (1 df): χ² = 3.841 at 0.95 (their rounded value, which their
        published table uses), the exact quantile ``chi2.ppf(confidence, 1)`` at any other level.
    proportion : float, default 0.5
        Assumed population proportion P of Krejcie & Morgan (0.5 gives the largest sample).

    Returns
    -------
    pandas.DataFrame
        One row per population × method: ``estimate`` (the formula's unrounded value), ``method``; extra columns
        ``population``, ``sample_size`` (the sample to draw: Slovin rounded up, Krejcie & Morgan rounded to the
        nearest whole number as in their published table), ``margin``.

    Notes
    -----
    Slovin: n = N / (1 + N e²), rounded up. Krejcie & Morgan: s = χ² N P (1 - P) / (d² (N - 1) + χ² P (1 - P)),
    rounded to nearest, which reproduces their table (N = 100 -> 80, 1,000 -> 278, 10,000 -> 370, 40,000 -> 380,
    1,000,000 -> 384) with χ² = 3.841 at 95% as Krejcie & Morgan (1970) printed it (the exact 3.841459 gives 381 at
    N = 40,000).
    Neither formula applies to a population of one or fewer people.

    Examples
    --------
    >>> sample_size([100, 1000, 10000], method="krejcie_morgan").sample_size.tolist()
    [80, 278, 370]
    >>> int(sample_size(1000, method="slovin").sample_size[0])
    286
    """
    pops = np.atleast_1d(np.asarray(population))
    methods = [method] if isinstance(method, str) else list(method)
    for m in methods:
        check_choice("method", m, SIZE_METHODS)
    margin, confidence, proportion = (
        check_number("margin", margin),
        check_number("confidence", confidence),
        check_number("proportion", proportion),
    )
    if not (0 < margin < 1):
        raise KinerjaError(f"Argument 'margin' is {margin!r}; the rule is 0 < margin < 1.")
    if not (0 < confidence < 1) or not (0 < proportion < 1):
        raise KinerjaError(
            f"Arguments 'confidence'={confidence!r} and 'proportion'={proportion!r}; the rule is that "
            f"both lie strictly between 0 and 1."
        )
    try:
        n = pops.astype(float)
    except (TypeError, ValueError):
        raise KinerjaError(f"Argument 'population' is {population!r}; the rule is whole numbers of people.") from None
    bad = ~np.isfinite(n) | (n < 2) | (n != np.round(n))
    if bad.any():
        raise KinerjaError(
            f"Argument 'population' has value {pops[bad][0].item()!r}; the rule is a whole number of at least 2 people."
        )
    rows = []
    for m in methods:  # at most two formulas, each vectorised over populations
        if m == "slovin":
            raw = n / (1 + n * margin**2)
            size = np.ceil(np.round(raw, 9))
        else:
            # Krejcie & Morgan's table used chi2 = 3.841 (three decimals) at 95%; the exact 3.841459 gives 381, not
            # the published 380, at N = 40,000. Other levels use the exact quantile.
            chi = 3.841 if confidence == 0.95 else stats.chi2.ppf(confidence, 1)
            pq = proportion * (1 - proportion)
            raw = chi * n * pq / (margin**2 * (n - 1) + chi * pq)
            size = np.floor(raw + 0.5)
        rows.append(
            pd.DataFrame(
                {
                    "estimate": raw,
                    "method": "Slovin" if m == "slovin" else "Krejcie & Morgan",
                    "population": n.astype(np.int64),
                    "sample_size": size.astype(np.int64),
                    "margin": margin,
                }
            )
        )
    return tidy(pd.concat(rows, ignore_index=True), extra=["population", "sample_size", "margin"])


# ---------------------------------------------------------------------------------------------------------------------
# power
# ---------------------------------------------------------------------------------------------------------------------
def _power_t(d, n, alpha, kind, alternative):
    tsample = 2.0 if kind == "t_two" else 1.0
    nu = (n - 1) * tsample
    ncp = np.sqrt(n / tsample) * d
    if alternative == "two-sided":
        qu = stats.t.isf(alpha / 2, nu)
        return stats.nct.sf(qu, nu, ncp) + stats.nct.cdf(-qu, nu, ncp)
    if alternative == "greater":
        return stats.nct.sf(stats.t.isf(alpha, nu), nu, ncp)
    return stats.nct.cdf(stats.t.ppf(alpha, nu), nu, ncp)


def _power_r(r, n, alpha, alternative):
    """pwr::pwr.r.test's power: Fisher z with the bias term r / (2 (n - 1)) against the critical r of the t test."""
    if alternative == "less":
        r = -r
    ttt = stats.t.isf(alpha / 2 if alternative == "two-sided" else alpha, n - 2)
    rc = np.sqrt(ttt**2 / (ttt**2 + n - 2))
    zr = np.arctanh(r) + r / (2 * (n - 1))
    zrc = np.arctanh(rc)
    if alternative == "two-sided":
        return stats.norm.cdf((zr - zrc) * np.sqrt(n - 3)) + stats.norm.cdf((-zr - zrc) * np.sqrt(n - 3))
    return stats.norm.cdf((zr - zrc) * np.sqrt(n - 3))


def _power_anova(f, n, alpha, k):
    df1, df2 = k - 1, (n - 1) * k
    return stats.ncf.sf(stats.f.isf(alpha, df1, df2), df1, df2, k * n * f**2)


def _power_f2(f2, n, alpha, u):
    v = n - u - 1
    return stats.ncf.sf(stats.f.isf(alpha, u, v), u, v, f2 * (u + v + 1))


def power(
    *,
    test: str,
    effect: float | None = None,
    n: float | None = None,
    power: float | None = None,
    alpha: float = 0.05,
    k: int | None = None,
    u: int | None = None,
    alternative: str = "two-sided",
) -> pd.DataFrame:
    """Power analysis: give all but one of ``effect``, ``n`` and ``power``; the missing one is solved for.

    Parameters
    ----------
    test : {"t_two", "t_paired", "t_one", "r", "anova", "regression"}
        Two-sample t test (``n`` per group), paired t test (``n`` pairs), one-sample t test, test of a Pearson
        correlation (``n`` pairs), one-way ANOVA with ``k`` groups (``n`` per group), multiple regression F test of
        ``u`` predictors (``n`` in total).
    effect : float, optional
        Cohen's d (t tests; negative for an effect in the "less" direction), the correlation r (``"r"``, between -1
        and 1), Cohen's f (ANOVA) or f² (regression).
    n : float, optional
        Sample size as described under ``test``.
    power : float, optional
        1 - β.
    alpha : float, default 0.05
        Significance level.
    k : int
        Number of groups (ANOVA).
    u : int
        Numerator degrees of freedom: number of predictors tested (regression).
    alternative : {"two-sided", "greater", "less"}
        t tests and correlation only. As ``pwr``, the direction matters: with ``"less"`` an effect d = -0.5 has the
        power that d = 0.5 has with ``"greater"``, and d = +0.5 almost none.

    Returns
    -------
    pandas.DataFrame
        One row: ``effect_size``, ``effect_size_name`` (``d``, ``f``, ``f2``), ``n`` (the sample size rounded up
        when solved for, else as given), ``method``; extra columns ``n_exact`` (unrounded), ``n_total`` (all
        participants: 2n for two samples, kn for ANOVA), ``power``, ``alpha``, ``k``, ``u``, ``solved_for``.

    Notes
    -----
    As R ``pwr``: t tests use the noncentral t with ncp = sqrt(n / s) d and df = (n - 1) s (s = 2 for two samples,
    else 1), both rejection tails counted for a two-sided test; the correlation test (``pwr.r.test``) uses Fisher's
    z of r plus r / (2 (n - 1)) against the critical r of the t test with n - 2 df, normal with SD 1 / sqrt(n - 3); ANOVA uses the noncentral F with λ = k n f²,
    df = (k - 1, k (n - 1)); regression uses λ = f² (u + v + 1) with v = n - u - 1. Unknowns are solved with Brent's
    method to 1e-10 (``pwr`` uses ``uniroot``'s default tolerance, so its n agrees to about 1e-4).
    Solving for the effect searches the direction of ``alternative`` (negative for ``"less"``, as ``pwr``).
    Validated against ``pwr.t.test``, ``pwr.r.test``, ``pwr.anova.test`` and ``pwr.f2.test``
    (``tests/reference/analyses_stats.R``).

    Examples
    --------
    >>> r = power(test="t_two", effect=0.5, power=0.8)
    >>> int(r.n[0]), round(float(r.n_exact[0]), 3)
    (64, 63.766)
    """
    check_choice("test", test, POWER_TESTS)
    check_choice("alternative", alternative, ("two-sided", "greater", "less"))
    check_alpha(alpha)
    given = {"effect": effect, "n": n, "power": power}
    missing = [name for name, v in given.items() if v is None]
    if len(missing) != 1:
        raise KinerjaError(
            f"Arguments effect={effect!r}, n={n!r}, power={power!r}; the rule is that exactly one of "
            f"them is None (the one solved for)."
        )
    for name, value, whole in (
        ("effect", effect, False),
        ("n", n, False),
        ("power", power, False),
        ("k", k, True),
        ("u", u, True),
    ):
        if value is not None:
            check_number(name, value, integer=whole)
    if test == "anova" and (k is None or k < 2):
        raise KinerjaError(f"Argument 'k' is {k!r}; the rule is that an ANOVA power analysis needs k >= 2 groups.")
    if test == "regression" and (u is None or u < 1):
        raise KinerjaError(
            f"Argument 'u' is {u!r}; the rule is that a regression power analysis needs u >= 1 predictors."
        )
    if power is not None and not (0 < power < 1):
        raise KinerjaError(f"Argument 'power' is {power!r}; the rule is 0 < power < 1.")
    signed = test.startswith("t_") or test == "r"
    if effect is not None and (effect == 0 if signed else effect <= 0):
        rule = "a non-zero effect size" if signed else "a positive effect size"
        raise KinerjaError(f"Argument 'effect' is {effect!r}; the rule is {rule}.")
    if test == "r" and effect is not None and not (-1 < effect < 1):
        raise KinerjaError(f"Argument 'effect' is {effect!r}; the rule is a correlation between -1 and 1.")
    if test in ("anova", "regression") and alternative != "two-sided":
        raise KinerjaError(
            f"Argument 'alternative' is {alternative!r}; the rule is that an F test has no direction (two-sided)."
        )

    def pw(e, m):
        if test.startswith("t_"):
            return _power_t(e, m, alpha, test, alternative)
        if test == "r":
            return _power_r(e, m, alpha, alternative)
        if test == "anova":
            return _power_anova(e, m, alpha, k)
        return _power_f2(e, m, alpha, u)

    n_min = {"t_two": 2.0, "t_paired": 2.0, "t_one": 2.0, "r": 4.0, "anova": 2.0, "regression": (u or 1) + 2.0}[test]
    if n is not None and n < n_min:
        raise KinerjaError(f"Argument 'n' is {n!r}; the rule is n >= {n_min:g} for test '{test}'.")
    solved = missing[0]
    if solved == "power":
        power = float(pw(effect, n))
    elif solved == "n":
        hi = n_min + 10.0
        while pw(effect, hi) < power:
            hi *= 2
            if hi > 1e9:
                raise KinerjaError(
                    f"effect {effect!r} is too small to reach power {power!r} with fewer than 10⁹ "
                    f"participants; the rule is a reachable power."
                )
        n = optimize.brentq(lambda m: pw(effect, m) - power, n_min, hi, xtol=1e-10, rtol=1e-14)
    else:
        sign = -1.0 if (signed and alternative == "less") else 1.0
        top = 0.999999 if test == "r" else 50.0

        def f(e):
            return pw(sign * e, n) - power

        hi = 0.05
        while not f(hi) >= 0:  # widen the bracket; also stops on NaN far in the tail
            hi = min(hi * 2, top)
            if hi >= top and not f(hi) >= 0:
                raise KinerjaError(
                    f"no effect size up to {top:g} gives power {power!r} with n={n!r}; the rule is a reachable "
                    "combination."
                )
        lo = hi / 2 if hi > 0.05 else 1e-7
        if f(lo) > 0:
            lo = 1e-7
        effect = sign * optimize.brentq(f, lo, hi, xtol=1e-12, rtol=1e-14)
    name = {"anova": "f", "regression": "f2", "r": "r"}.get(test, "d")
    n_int = int(np.ceil(np.round(n, 9))) if solved == "n" else n
    mult = {"t_two": 2, "anova": k or 1}.get(test, 1)
    method = {
        "t_two": "two-sample t test",
        "t_paired": "paired t test",
        "t_one": "one-sample t test",
        "anova": "one-way ANOVA",
        "regression": "multiple regression F test",
        "r": "correlation",
    }[test]
    row = {
        "effect_size": effect,
        "effect_size_name": name,
        "n": n_int,
        "method": f"power: {method} ({alternative})" if signed else f"power: {method}",
        "n_exact": float(n),
        "n_total": n_int * mult,
        "power": power,
        "alpha": alpha,
        "k": k,
        "u": u,
        "solved_for": solved,
    }
    return tidy([row], extra=["n_exact", "n_total", "power", "alpha", "k", "u", "solved_for"])
