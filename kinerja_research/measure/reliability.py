"""Reliability: Cronbach's alpha (Feldt and bootstrap CIs), McDonald's omega total, split-half coefficients."""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from kinerja_research._docs import fill_doc
from kinerja_research.errors import KinerjaError, ReverseKeyWarning
from kinerja_research.measure._core import (
    cov2cor,
    minres_one_factor,
    pairwise_moments,
    scale_matrix,
    scale_moments,
    scale_sets,
    smc,
)
from kinerja_research.results import check_alpha, check_choice, tidy

__all__ = ["cronbach_alpha", "omega", "split_half"]

ALPHA_COLUMNS = ("scale", "alpha_std", "g6", "average_r", "n_items", "scale_mean", "scale_sd")


def _alpha_from_cov(c: np.ndarray) -> float:
    k = c.shape[0]
    return float((1 - np.trace(c) / c.sum()) * k / (k - 1))


def negative_first_component(r: np.ndarray, ids: Sequence[str]) -> list[str]:
    """Items loading negatively on the first principal component of ``r`` (signed so the loadings sum positive).

    R ``psych::alpha`` runs the same check (``principal(x)``) when no ``keys`` are given and warns that these items
    "probably should be reversed".
    """
    values, vectors = np.linalg.eigh(r)
    first = vectors[:, int(np.argmax(values))]
    if first.sum() < 0:
        first = -first
    return [i for i, v in zip(ids, first) if v < 0]


def _ase(c: np.ndarray, n: int) -> float:
    """Asymptotic SE of alpha (Duhachek & Iacobucci 2004), as psych ``alpha.1``'s Q / n."""
    k = c.shape[0]
    s, tr, cc = c.sum(), np.trace(c), c @ c
    q = (2 * k**2 / ((k - 1) ** 2 * s**3)) * (s * (np.trace(cc) + tr**2) - 2 * tr * cc.sum())
    return float(np.sqrt(q / n))


@fill_doc
def cronbach_alpha(
    data: pd.DataFrame,
    *,
    items,
    reverse: Sequence[str] = (),
    ci: str = "feldt",
    alpha: float = 0.05,
    missing: str = "pairwise",
    n_boot: int = 1000,
    seed: int = 2026,
) -> pd.DataFrame:
    """Cronbach's alpha (raw and standardised) with a confidence interval, per scale.

    Parameters
    ----------
    {data}
    items : list of str or Codebook
        Item columns of one scale, or a codebook: one row per dimension plus ``total`` (reverse keys from the
        codebook).
    reverse : list of str, optional
        Reverse-keyed items when ``items`` is a list (observed min + max - x, as R ``psych::alpha(keys=)``). When
        ``items`` is a list and ``reverse`` is empty, items loading negatively on the first principal component
        raise a :class:`~kinerja_research.errors.ReverseKeyWarning` naming them (as ``psych::alpha`` warns):
        alpha of a scale with an unreversed reverse-worded item is far too low.
    ci : {{'feldt', 'bootstrap', 'none'}}, default 'feldt'
        Feldt's F-based interval, or the percentile bootstrap over respondents (``n_boot`` resamples, ``seed``).
    {alpha}
    {missing}
    n_boot : int, default 1000
        Bootstrap resamples (``ci="bootstrap"``).
    {seed}

    Returns
    -------
    pandas.DataFrame
        One row per scale: ``term`` (dimension, ``"total"`` or ``"scale"``), ``estimate`` (raw alpha), ``se``
        (asymptotic SE, psych ``ase``), ``ci_low``, ``ci_high``, ``n`` (respondents used), ``method``; ``scale``,
        ``alpha_std`` (standardised alpha), ``g6`` (Guttman's lambda 6 from SMCs), ``average_r`` (mean
        inter-item correlation), ``n_items``, ``scale_mean`` and ``scale_sd`` (of the row-mean score).

    Notes
    -----
    alpha = k/(k-1) (1 - tr(C)/1'C1) from the item covariance matrix C (pairwise-complete by default, as R
    ``psych::alpha(use = "pairwise")``; ``missing="listwise"`` uses complete rows). Standardised alpha uses the
    correlation matrix. Feldt: ``1 - (1 - alpha) F``, F quantiles on (n - 1, (n - 1)(k - 1)) df (psych
    ``alpha.ci``). ``n`` counts respondents with at least one answer (pairwise) or with every answer (listwise);
    psych counts every row, which differs only when a row has no answer at all. Validated against R
    ``psych::alpha()`` (``raw_alpha``, ``std.alpha``, ``G6(smc)``, ``average_r``, ``ase``, ``mean``, ``sd``,
    ``feldt``) to 1e-6 (tests/reference/measure.R); the bootstrap interval is checked for coverage on simulated
    data with known population alpha. pingouin's ``cronbach_alpha`` gives the same alpha and Feldt interval (the
    tests compare them to 1e-12), but the other columns need the covariance matrix a second time; reading the
    scale once here (see ``_core.scale_moments``: one symmetric product of the shifted answers gives every
    moment) takes 0.4-0.5x pingouin's time on 1,000,000 x 50 complete answers and is about 20x faster with
    missing answers (pairwise), measured in bench/measure_bench.py on a shared machine, so the computation stays
    here.

    Examples
    --------
    >>> from kinerja_research.measure import cronbach_alpha, example_items
    >>> res = cronbach_alpha(example_items(n=300, seed=3), items=["X1", "X2", "X3", "X4"])
    >>> a, lo, hi = res.loc[0, ["estimate", "ci_low", "ci_high"]]
    >>> bool(0.7 < a < 0.85), bool(lo < a < hi)
    (True, True)
    """
    check_alpha(alpha)
    check_choice("ci", ci, ("feldt", "bootstrap", "none"))
    check_choice("missing", missing, ("pairwise", "listwise"))
    if ci == "bootstrap" and not (
        isinstance(n_boot, (int, np.integer)) and not isinstance(n_boot, bool) and n_boot >= 50
    ):
        raise KinerjaError(f"Argument 'n_boot' is {n_boot!r}; the rule is a whole number of at least 50.")
    rows = []
    rng = np.random.default_rng(seed)
    for term, ids, rev, srange in scale_sets(items, reverse=reverse):
        mom = scale_moments(data, term, ids, rev, srange, missing)
        n, c, k = mom.n, mom.cov, len(ids)
        r = cov2cor(c)  # psych: R = cov2cor(C), not the pairwise correlations
        a = _alpha_from_cov(c)
        a_std = float((1 - k / r.sum()) * k / (k - 1))
        g6 = float(1 - (k - smc(r).sum()) / r.sum())
        av_r = float((r.sum() - k) / (k * (k - 1)))
        if term == "scale" and not reverse:
            negative = negative_first_component(r, ids)
            if negative:
                warnings.warn(
                    f"Items {negative} load negatively on the first principal component of the scale and probably "
                    f"should be reversed (pass reverse={negative!r} or the codebook as items=); alpha {a:.3f} "
                    f"is computed with them as they are.",
                    ReverseKeyWarning,
                    stacklevel=2,
                )
        complete = mom.complete
        scale_mean, scale_sd = mom.total_mean, mom.total_sd
        lo = hi = np.nan
        if ci == "feldt":
            d1, d2 = n - 1, (n - 1) * (k - 1)
            lo = 1 - (1 - a) * stats.f.ppf(1 - alpha / 2, d1, d2)
            hi = 1 - (1 - a) * stats.f.ppf(alpha / 2, d1, d2)
            label = "Cronbach's alpha (Feldt CI)"
        elif ci == "bootstrap":
            boots = np.empty(n_boot)
            x = scale_matrix(data, term, ids, rev, srange, missing)
            for b in range(n_boot):  # loop over resamples, not rows: each is one covariance matrix
                if complete:
                    w = np.bincount(rng.integers(0, n, n), minlength=n)
                    cb = np.cov(x, rowvar=False, fweights=w)
                else:
                    cb = pairwise_moments(x[rng.integers(0, n, n)])[0]
                boots[b] = _alpha_from_cov(cb)
            lo, hi = np.nanquantile(boots, [alpha / 2, 1 - alpha / 2])
            label = f"Cronbach's alpha (percentile bootstrap CI, {n_boot} resamples)"
        else:
            label = "Cronbach's alpha"
        rows.append(
            {
                "term": term,
                "estimate": a,
                "se": _ase(c, n),
                "ci_low": float(lo),
                "ci_high": float(hi),
                "n": int(n),
                "method": f"{label} ({missing})",
                "scale": term,
                "alpha_std": a_std,
                "g6": g6,
                "average_r": av_r,
                "n_items": k,
                "scale_mean": scale_mean,
                "scale_sd": scale_sd,
            }
        )
    return tidy(rows, extra=ALPHA_COLUMNS)


@fill_doc
def omega(data: pd.DataFrame, *, items, reverse: Sequence[str] = (), missing: str = "pairwise") -> pd.DataFrame:
    """McDonald's omega total from a one-factor model, per scale.

    Parameters
    ----------
    {data}
    items : list of str or Codebook
        Item columns of one scale, or a codebook (one row per dimension with three or more items, plus ``total``).
    reverse : list of str, optional
        Reverse-keyed items when ``items`` is a list.
    {missing}

    Returns
    -------
    pandas.DataFrame
        One row per scale: ``term``, ``estimate`` (omega total), ``n`` (respondents used), ``method``; ``scale``,
        ``n_items``, ``mean_loading`` (mean standardised loading), ``min_loading``.

    Notes
    -----
    One factor is fitted to the item correlation matrix R (pairwise-complete by default) by minimum residuals
    (unweighted least squares on the off-diagonal, R ``psych::fa(fm = "minres")``); items loading negatively are
    flipped (psych ``flip = TRUE``). omega_t = (1'R1 - sum(u2)) / 1'R1 with u2 = 1 - lambda^2, exactly
    ``psych::omega(x, nfactors = 1)$omega.tot``. Dimensions with fewer than three items are skipped (a one-factor
    model of two items is not identified). Validated against R ``psych::omega(nfactors = 1)`` (tests/reference/
    measure.R) to 1e-5 (psych stops its optimiser at a looser tolerance than this exact least-squares solution).

    Examples
    --------
    >>> from kinerja_research.measure import example_items, omega
    >>> res = omega(example_items(n=500, seed=4), items=["X1", "X2", "X3", "X4"])
    >>> bool(0.7 < res.loc[0, "estimate"] < 0.85)
    True
    """
    rows = []
    for term, ids, rev, srange in scale_sets(items, reverse=reverse):
        if len(ids) < 3:
            if isinstance(items, (list, tuple)):
                raise KinerjaError(f"Scale {term!r} has {len(ids)} items; the rule is that omega needs at least 3.")
            continue
        mom = scale_moments(data, term, ids, rev, srange, missing, min_items=3)
        r = mom.r  # psych: cor(x, use = "pairwise")
        lam = minres_one_factor(r)
        key = np.where(lam < 0, -1.0, 1.0)
        rf = r * np.outer(key, key)
        lam = np.abs(lam)
        vt = rf.sum()
        om = (vt - (1 - lam**2).sum()) / vt
        rows.append(
            {
                "term": term,
                "estimate": float(om),
                "n": int(mom.n),
                "method": f"McDonald's omega total, one-factor minres ({missing})",
                "scale": term,
                "n_items": len(ids),
                "mean_loading": float(lam.mean()),
                "min_loading": float(lam.min()),
            }
        )
    return tidy(rows, extra=("scale", "n_items", "mean_loading", "min_loading"))


def _split_values(r: np.ndarray, a: np.ndarray) -> np.ndarray:
    """Guttman/Rulon split-half reliability 4 r_AB / 1'R1 (psych ``splitHalf``) for each row of the 0/1 matrix a."""
    b = 1.0 - a
    rab = np.einsum("si,ij,sj->s", a, r, b)
    return 4 * rab / r.sum()


@fill_doc
def split_half(
    data: pd.DataFrame,
    *,
    items,
    reverse: Sequence[str] = (),
    missing: str = "pairwise",
    n_sample: int = 10000,
    seed: int = 2026,
) -> pd.DataFrame:
    """Split-half reliability: the SPSS first-half/second-half split and the distribution over all splits.

    Parameters
    ----------
    {data}
    items : list of str or Codebook
        Item columns of one scale, or a codebook (one block per dimension plus ``total``).
    reverse : list of str, optional
        Reverse-keyed items when ``items`` is a list.
    {missing}
    n_sample : int, default 10000
        When there are more distinct splits than this, that many random splits are drawn (``seed``), as psych.
    {seed}

    Returns
    -------
    pandas.DataFrame
        Several rows per scale (``term``), one per ``coefficient``: ``"r_halves"`` (correlation between the sums of
        the first ceil(k/2) and the remaining items, SPSS "Correlation Between Forms"), ``"spearman_brown"``
        (2r/(1+r)), ``"spearman_brown_unequal"`` (SPSS's unequal-length formula), ``"guttman"``
        (2(1 - (v1 + v2)/v)), ``"lambda4_max"`` (best split, psych ``maxrb``), ``"beta_min"`` (worst split,
        psych ``minrb``), ``"mean_split"`` (mean over splits, psych ``meanr``); ``estimate``, ``n``, ``method``,
        ``scale``, ``n_items``, ``n_splits``.

    Notes
    -----
    The first-half/second-half coefficients use the item covariance matrix (pairwise-complete by default); the
    split distribution uses the correlation matrix with the ``4 r_AB / 1'R1`` coefficient of psych::splitHalf,
    over the same splits psych enumerates (its first choose(k, floor(k/2))/2 item combinations in lexicographic
    order) when that number is at most ``n_sample``, otherwise over random splits (not R's random stream: compare
    those only approximately). Items loading negatively on the first principal component are flipped first (psych
    ``check.keys = TRUE``). Validated against R ``psych::splitHalf`` and against
    ``cor(rowSums(x[, 1:h]), rowSums(x[, -(1:h)]))`` (tests/reference/measure.R).

    Examples
    --------
    >>> from kinerja_research.measure import example_items, split_half
    >>> res = split_half(example_items(n=400, seed=5, k=6), items=[f"X{{i}}" for i in range(1, 7)])
    >>> int(res.set_index("coefficient").loc["lambda4_max", "n_splits"])
    10
    """
    check_choice("missing", missing, ("pairwise", "listwise"))
    rows = []
    rng = np.random.default_rng(seed)
    for term, ids, rev, srange in scale_sets(items, reverse=reverse):
        mom = scale_moments(data, term, ids, rev, srange, missing)
        n, k, c = mom.n, len(ids), mom.cov
        r = cov2cor(c)  # psych::splitHalf: cov(use = "pairwise") then cov2cor
        h = math.ceil(k / 2)
        first = np.zeros(k)
        first[:h] = 1
        v1, v2 = first @ c @ first, (1 - first) @ c @ (1 - first)
        c12 = first @ c @ (1 - first)
        vt = c.sum()
        r12 = c12 / np.sqrt(v1 * v2)
        sb = 2 * r12 / (1 + r12)
        # SPSS unequal-length Spearman-Brown (Horst 1951)
        k1, k2 = h, k - h
        if k1 == k2:
            sbu = sb
        else:
            sbu = (np.sqrt(r12**4 + 4 * r12**2 * (1 - r12**2) * k1 * k2 / k**2) - r12**2) / (
                2 * (1 - r12**2) * k1 * k2 / k**2
            )
        gut = 2 * (1 - (v1 + v2) / vt)
        # distribution over splits on the correlation matrix
        w, v = np.linalg.eigh(r)
        pc1 = v[:, -1] * (1 if v[:, -1].sum() >= 0 else -1)
        keys = np.where(pc1 < 0, -1.0, 1.0)
        rk = r * np.outer(keys, keys)
        m = k // 2
        count = math.comb(k, m) / 2
        if count <= n_sample:
            n_splits = math.ceil(count)
            combos = np.array(list(itertools.islice(itertools.combinations(range(k), m), n_splits)))
            how = "all splits as psych"
        else:
            n_splits = n_sample
            combos = np.argsort(rng.random((n_sample, k)), axis=1)[:, :m]
            how = f"{n_sample} random splits"
        a = np.zeros((n_splits, k))
        np.put_along_axis(a, combos, 1.0, axis=1)
        vals = _split_values(rk, a)
        base = {"n": int(n), "scale": term, "n_items": k}
        for coef, est, meth, ns in (
            ("r_halves", r12, "correlation between halves (first/second)", 1),
            ("spearman_brown", sb, "Spearman-Brown split-half (first/second)", 1),
            ("spearman_brown_unequal", sbu, "Spearman-Brown unequal length (first/second)", 1),
            ("guttman", gut, "Guttman split-half (first/second)", 1),
            ("lambda4_max", vals.max(), f"maximum split-half, Guttman lambda 4 ({how})", n_splits),
            ("beta_min", vals.min(), f"minimum split-half, Revelle's beta ({how})", n_splits),
            ("mean_split", vals.mean(), f"mean split-half ({how})", n_splits),
        ):
            rows.append(
                {
                    "term": term,
                    "estimate": float(est),
                    **base,
                    "method": f"{meth} ({missing})",
                    "coefficient": coef,
                    "n_splits": int(ns),
                }
            )
    return tidy(rows, extra=("scale", "coefficient", "n_items", "n_splits"))
