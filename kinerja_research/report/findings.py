"""Key findings: the sentences that open every report page ("Temuan utama / Key findings"), chosen by the results.

Each function takes result tables (the tidy DataFrames of :mod:`kinerja_research.analysis` and
:mod:`kinerja_research.measure`, or the per-theme frames of :mod:`kinerja_research.report.sections`) and returns
sentences in the report language, built from the translation table ``report/i18n/<lang>/findings.yml``. No sentence
is fixed text around a number: the result chooses the sentence, by

- its direction and its significance at ``alpha`` (``p < alpha``; the interval of level ``1 - alpha`` then excludes
  zero), e.g. ``training.effect_up`` / ``effect_down`` / ``effect_none``;
- an interval crossing a threshold: a mutu band limit of the IKM (``satisfaction.band_crossing``), half of the staff
  for the 20 JP rule, the midpoint of a rating scale;
- the kind of evidence: a difference-in-differences estimate is an *effect* (with its parallel-trends assumption,
  checked by a placebo test on the periods before the programme); survey regressions are *associations* and say so.

Figures about the people of one region are left out of a sentence when the region has fewer than ``min_n`` people
(the small-cell rule of the reports).

The ``*_answers`` functions give the short plain-words answers to the four questions of the project (``training``,
``resistance``, ``rewards``, ``comparison``) per region, one row per region, for ``ctx.answer`` (the answers table of
the index page) and the region brief.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from kinerja_research import standards
from kinerja_research.errors import KinerjaError
from kinerja_research.report.i18n import translator
from kinerja_research.report.numbers import format_ci, format_number

__all__ = [
    "FIT_CUTOFFS",
    "MAX_FINDINGS",
    "ANSWER_COLUMNS",
    "direction",
    "band_of",
    "band_status",
    "join_names",
    "training",
    "training_answers",
    "jp_answers",
    "resistance",
    "resistance_answers",
    "rewards",
    "rewards_answers",
    "satisfaction",
    "satisfaction_answers",
    "comparison",
    "comparison_answers",
    "audit",
    "instrument",
    "brief",
]

#: Cut-offs of a well-fitting CFA model (Hu & Bentler 1999, *Structural Equation Modeling* 6(1), 1-55).
FIT_CUTOFFS = {"cfi": standards.CFI_MIN, "rmsea": standards.RMSEA_MAX, "srmr": standards.SRMR_MAX}
#: Most sentences of one page's key findings (the brief's findings ask for 3-6 a head of BKD can act on).
MAX_FINDINGS = 6
#: Columns of the ``*_answers`` frames (one row per region; ``text`` in the report language).
ANSWER_COLUMNS = ["question", "region", "text", "value", "n"]


# ------------------------------------------------------------------------------------------------------- helpers
def _level(alpha: float) -> float:
    return 100 * (1 - alpha)


def direction(estimate: float, p: float, alpha: float) -> str:
    """``"up"`` / ``"down"`` when ``p < alpha`` (by the sign of ``estimate``), else ``"none"``.

    >>> direction(2.0, 0.01, 0.05), direction(-2.0, 0.01, 0.05), direction(2.0, 0.2, 0.05)
    ('up', 'down', 'none')
    """
    if estimate is None or p is None or not np.isfinite(estimate) or not np.isfinite(p):
        return "none"
    if p < alpha:
        return "up" if estimate > 0 else "down"
    return "none"


def _interval_direction(estimate: float, low: float, high: float) -> str:
    """Direction read from an interval (for estimates without a p value, e.g. a bootstrap indirect effect)."""
    if not (np.isfinite(low) and np.isfinite(high)):
        return "none"
    if low > 0:
        return "up"
    if high < 0:
        return "down"
    return "none"


def _region_name(code) -> str:
    try:
        from kinerja_research.regions import get_region

        return get_region(str(code)).name
    except Exception:
        return str(code)


def join_names(names: Sequence[str], lang: str) -> str:
    """``"A, B dan C"`` / ``"A, B and C"``.

    >>> join_names(["A", "B", "C"], "id"), join_names(["A"], "en"), join_names([], "en")
    ('A, B dan C', 'A', '')
    """
    t = translator(lang)
    names = [str(n) for n in names]
    if len(names) <= 1:
        return "".join(names)
    return t("findings.list_sep").join(names[:-1]) + t("findings.list_last") + names[-1]


def _people(df: pd.DataFrame) -> pd.Series:
    col = "n_people" if "n_people" in df.columns else "n"
    return pd.to_numeric(df[col], errors="coerce") if col in df.columns else pd.Series(np.nan, index=df.index)


def _large(df: pd.DataFrame, min_n: int) -> pd.DataFrame:
    """Rows about at least ``min_n`` people (rows without a count are kept)."""
    n = _people(df)
    return df[~(n < min_n)]


def _row(df: pd.DataFrame, **match) -> pd.Series | None:
    sel = df
    for k, v in match.items():
        if k not in sel.columns:
            return None
        sel = sel[sel[k] == v]
    return None if sel.empty else sel.iloc[0]


def _bands(bands) -> dict[str, tuple[float, float, str]]:
    """``{mutu: (low, high, kinerja)}`` from ``standards.IKM_BANDS``-like input (named tuples or plain tuples)."""
    out = {}
    for key, b in bands.items():
        low, high = float(b[1] if len(b) > 3 else b[0]), float(b[2] if len(b) > 3 else b[1])
        label = b[3] if len(b) > 3 else (b[2] if len(b) > 2 else key)
        out[str(key)] = (low, high, str(label))
    return out


def band_of(value: float, bands) -> str | None:
    """Mutu band of a converted IKM value, read after rounding half up to two decimals (PermenPANRB 14/2017).

    ``bands`` maps mutu -> (low, high[, kinerja]) (``standards.IKM_BANDS``); None outside every band.

    >>> b = {"B": (76.61, 88.30), "C": (65.00, 76.60)}
    >>> band_of(76.605, b), band_of(76.6049, b), band_of(50.0, b)
    ('B', 'C', None)
    """
    if value is None or not np.isfinite(value):
        return None
    v = float(np.floor(np.round(abs(float(value)) * 100, 9) + 0.5) / 100) * (1 if value >= 0 else -1)
    for key, (low, high, _) in _bands(bands).items():
        if low <= v <= high:
            return key
    return None


def band_status(low: float, high: float, bands) -> dict:
    """Whether an interval lies within one mutu band or crosses a limit.

    Returns
    -------
    dict
        ``certain`` (bool), ``lower`` / ``upper`` (mutu of the interval's two ends), ``limit`` (the lowest band limit
        inside the interval, the one a reader sees crossed; None when certain).

    Examples
    --------
    >>> b = {"A": (88.31, 100.0), "B": (76.61, 88.30), "C": (65.00, 76.60)}
    >>> band_status(75.05, 77.41, b)["limit"], band_status(78.0, 80.0, b)["certain"]
    (76.61, True)
    """
    bb = _bands(bands)
    lo_band, hi_band = band_of(low, bb), band_of(high, bb)
    if lo_band == hi_band:
        return {"certain": True, "lower": lo_band, "upper": hi_band, "limit": None}
    limits = sorted(v[0] for k, v in bb.items() if low < v[0] <= high)
    return {"certain": False, "lower": lo_band, "upper": hi_band, "limit": limits[0] if limits else None}


def _answers(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=ANSWER_COLUMNS)


# ------------------------------------------------------------------------------------------------------ training
def _did_parts(did: pd.DataFrame) -> tuple[pd.Series | None, pd.DataFrame, pd.Series | None]:
    """Pooled DiD row, per-region rows and the equal-effects F test of :func:`kinerja_research.did` output."""
    effect = did[did["term"].astype(str).str.fullmatch(r"[^ :]+:[^ :]+")]
    if "region" in effect.columns:
        is_pooled = effect["region"].isna() | (effect["region"].astype(str) == "all")
    else:
        is_pooled = pd.Series(True, index=effect.index)
    pooled = effect[is_pooled]
    regions = effect[~is_pooled]
    equal = did[did["term"].astype(str).str.contains(" x ")]
    return (
        None if pooled.empty else pooled.iloc[0],
        regions.reset_index(drop=True),
        None if equal.empty else equal.iloc[0],
    )


def _effect_values(row, alpha, lang, digits=1) -> dict:
    return {
        "effect": float(row["estimate"]),
        "effect_abs": abs(float(row["estimate"])),
        "ci": format_ci(row["ci_low"], row["ci_high"], digits, lang),
        "p": float(row["p"]),
        "level": _level(alpha),
    }


def training(
    did: pd.DataFrame,
    *,
    dose: pd.DataFrame | None = None,
    placebo: pd.DataFrame | None = None,
    target: float,
    alpha: float = 0.05,
    lang: str = "id",
    min_n: int = 5,
) -> list[str]:
    """Key findings of the training page: the DiD effect, whether it differs between regions, the parallel-trends
    check and the 20 JP rule.

    Parameters
    ----------
    did : pandas.DataFrame
        :func:`kinerja_research.did` with ``between="region_code"`` (pooled row ``region == "all"``, one row per
        region, the equal-effects F test); per-region rows may carry ``n_people``.
    dose : pandas.DataFrame, optional
        :func:`kinerja_research.training_dose` by region (share of PNS person-years meeting ``target``), with
        ``n_people``.
    placebo : pandas.DataFrame, optional
        :func:`kinerja_research.did` on the periods before the programme only (the last of them as a pseudo "post"):
        a clear placebo effect casts doubt on parallel trends.
    target : float
        JP a year due to every PNS (``standards.JP_TARGET``).
    alpha : float
        Significance level; intervals are of level ``1 - alpha``.
    lang : {"id", "en"}
    min_n : int
        Regions with fewer people are left out of the sentences.

    Returns
    -------
    list of str

    Notes
    -----
    Sentences and what chooses them: ``effect_up`` / ``effect_down`` / ``effect_none`` (sign of the pooled DiD and
    p < alpha); ``regions_differ`` / ``regions_same`` (p of the equal-effects test; only with two or more regions);
    ``placebo_ok`` / ``placebo_fail`` (p of the placebo DiD); ``jp_below_half`` / ``jp_above_half`` / ``jp_mixed`` /
    ``jp_one`` (whether every region's interval lies below or above one half, or one region).
    """
    t = translator(lang)
    out: list[str] = []
    pooled, by_region, equal = _did_parts(did)
    if pooled is not None:
        key = {"up": "effect_up", "down": "effect_down", "none": "effect_none"}[
            direction(pooled["estimate"], pooled["p"], alpha)
        ]
        out.append(t(f"findings.training.{key}", **_effect_values(pooled, alpha, lang)))
    shown = _large(by_region, min_n)
    if equal is not None and len(shown) >= 2 and np.isfinite(equal["p"]):
        hi, lo = shown.loc[shown["estimate"].idxmax()], shown.loc[shown["estimate"].idxmin()]
        key = "regions_differ" if equal["p"] < alpha else "regions_same"
        out.append(
            t(
                f"findings.training.{key}",
                p=float(equal["p"]),
                high_region=_region_name(hi["region"]),
                high=float(hi["estimate"]),
                low_region=_region_name(lo["region"]),
                low=float(lo["estimate"]),
            )
        )
    if placebo is not None:
        pl, _, _ = _did_parts(placebo)
        if pl is not None and np.isfinite(pl["p"]):
            key = "placebo_fail" if pl["p"] < alpha else "placebo_ok"
            out.append(
                t(
                    f"findings.training.{key}",
                    placebo=float(pl["estimate"]),
                    ci=format_ci(pl["ci_low"], pl["ci_high"], 1, lang),
                    level=_level(alpha),
                )
            )
    if dose is not None and len(dose):
        out.extend(_jp_sentence(dose, target=target, alpha=alpha, lang=lang, min_n=min_n))
    return out


def _jp_sentence(dose: pd.DataFrame, *, target: float, alpha: float, lang: str, min_n: int) -> list[str]:
    t = translator(lang)
    shown = _large(dose, min_n)
    if shown.empty:
        return []
    if len(shown) == 1:
        r = shown.iloc[0]
        return [
            t(
                "findings.training.jp_one",
                share=float(r["estimate"]),
                region=_region_name(r["region"]),
                target=target,
                ci=format_ci(100 * r["ci_low"], 100 * r["ci_high"], 1, lang),
                level=_level(alpha),
            )
        ]
    hi, lo = shown.loc[shown["estimate"].idxmax()], shown.loc[shown["estimate"].idxmin()]
    if (shown["ci_high"] < 0.5).all():
        key = "jp_below_half"
    elif (shown["ci_low"] > 0.5).all():
        key = "jp_above_half"
    else:
        key = "jp_mixed"
    return [
        t(
            f"findings.training.{key}",
            target=target,
            low=float(lo["estimate"]),
            low_region=_region_name(lo["region"]),
            high=float(hi["estimate"]),
            high_region=_region_name(hi["region"]),
        )
    ]


def training_answers(did: pd.DataFrame, *, alpha: float = 0.05, lang: str = "id", min_n: int = 5) -> pd.DataFrame:
    """Per-region answer to "does training improve performance?" from the per-region DiD rows.

    Returns
    -------
    pandas.DataFrame
        :data:`ANSWER_COLUMNS`: ``question`` ``"training"``, ``region``, ``text`` (``answer.training.up`` / ``down``
        / ``none`` by the sign of the region's DiD effect and p < alpha), ``value`` (the effect, percentage points),
        ``n`` (people; the row is kept for a small region so the index shows "<5").
    """
    t = translator(lang)
    _, by_region, _ = _did_parts(did)
    rows = []
    people = _people(by_region)
    for i, r in by_region.iterrows():
        key = direction(r["estimate"], r["p"], alpha)
        rows.append(
            {
                "question": "training",
                "region": str(r["region"]),
                "text": t(f"findings.answer.training.{key}", **_effect_values(r, alpha, lang)),
                "value": float(r["estimate"]),
                "n": people.loc[i],
            }
        )
    return _answers(rows)


def jp_answers(dose: pd.DataFrame, *, target: float, alpha: float = 0.05, lang: str = "id") -> pd.DataFrame:
    """Per-region share of PNS meeting the JP target, as a short sentence (for the region brief), ``question``
    ``"jp"``."""
    t = translator(lang)
    rows = []
    n = _people(dose)
    for i, r in dose.reset_index(drop=True).iterrows():
        rows.append(
            {
                "question": "jp",
                "region": str(r["region"]),
                "text": t(
                    "findings.answer.jp",
                    share=float(r["estimate"]),
                    target=target,
                    ci=format_ci(100 * r["ci_low"], 100 * r["ci_high"], 1, lang),
                    level=_level(alpha),
                ),
                "value": float(r["estimate"]),
                "n": n.iloc[i],
            }
        )
    return _answers(rows)


# ---------------------------------------------------------------------------------------------------- resistance
def resistance(
    means: pd.DataFrame,
    *,
    welch: pd.Series | None = None,
    drivers: pd.DataFrame | None = None,
    outcome: pd.DataFrame | None = None,
    scalar_holds: bool | None = None,
    scale: tuple[float, float],
    alpha: float = 0.05,
    lang: str = "id",
    min_n: int = 5,
) -> list[str]:
    """Key findings of the resistance page: where resistance is highest (and whether regions differ at all), its level
    against the scale's midpoint, its association with training and with the usability of e-Kinerja, and whether
    regional means may be compared (scalar invariance).

    Parameters
    ----------
    means : pandas.DataFrame
        :func:`kinerja_research.region_means` of the total score, one row per region (``region``, ``estimate``,
        ``ci_low``, ``ci_high``, ``n``).
    welch : pandas.Series, optional
        The total score's row of :func:`kinerja_research.welch_anova` (``p``).
    drivers : pandas.DataFrame, optional
        :func:`kinerja_research.resistance_drivers` (row ``term == "trained"``).
    outcome : pandas.DataFrame, optional
        :func:`kinerja_research.resistance_outcome` of SUS on resistance (row ``term == "rtc"``).
    scalar_holds : bool, optional
        Whether scalar invariance across regions holds (None: not tested).
    scale : (float, float)
        Range of the scale (the codebook's ``scale`` min and max); its midpoint is the reference of the level.

    Notes
    -----
    ``differ`` / ``same`` (Welch p < alpha), ``one`` (a single region); ``level_above`` / ``level_below`` /
    ``level_mixed`` (every region's interval above or below the midpoint); ``trained_lower`` / ``trained_higher`` /
    ``trained_none`` and ``sus_negative`` / ``sus_positive`` / ``sus_none`` (sign and p < alpha; associations);
    ``invariance_holds`` / ``invariance_fails``.
    """
    t = translator(lang)
    out: list[str] = []
    scale_low, scale_high = scale
    mid = (scale_low + scale_high) / 2
    shown = _large(means, min_n).reset_index(drop=True)
    common = {"scale_low": scale_low, "scale_high": scale_high}
    if len(shown) == 1:
        r = shown.iloc[0]
        out.append(
            t(
                "findings.resistance.one",
                region=_region_name(r["region"]),
                mean=float(r["estimate"]),
                ci=format_ci(r["ci_low"], r["ci_high"], 2, lang),
                level=_level(alpha),
                **common,
            )
        )
    elif len(shown) > 1 and welch is not None and np.isfinite(welch["p"]):
        hi, lo = shown.loc[shown["estimate"].idxmax()], shown.loc[shown["estimate"].idxmin()]
        values = {"p": float(welch["p"]), "high": float(hi["estimate"]), "low": float(lo["estimate"])}
        key = "differ" if welch["p"] < alpha else "same"
        out.append(
            t(
                f"findings.resistance.{key}",
                high_region=_region_name(hi["region"]),
                low_region=_region_name(lo["region"]),
                **values,
                **common,
            )
        )
    if len(shown):
        above = shown[shown["ci_low"] > mid]
        below = shown[shown["ci_high"] < mid]
        around = shown[(shown["ci_low"] <= mid) & (shown["ci_high"] >= mid)]
        if len(above) == len(shown):
            out.append(t("findings.resistance.level_above", mid=mid))
        elif len(below) == len(shown):
            out.append(t("findings.resistance.level_below", mid=mid))
        else:
            parts = [
                t(f"findings.resistance.level_part.{side}", regions=join_names([_region_name(r) for r in rows], lang))
                for side, rows in (("above", above["region"]), ("below", below["region"]), ("around", around["region"]))
                if len(rows)
            ]
            out.append(t("findings.resistance.level_mixed", mid=mid, parts=t("findings.part_sep").join(parts)))
    row = None if drivers is None else _row(drivers, term="trainedTRUE")
    if row is None and drivers is not None:
        row = _row(drivers, term="trained")
    if row is not None:
        key = {"up": "trained_higher", "down": "trained_lower", "none": "trained_none"}[
            direction(row["estimate"], row["p"], alpha)
        ]
        out.append(
            t(
                f"findings.resistance.{key}",
                b=float(row["estimate"]),
                b_abs=abs(float(row["estimate"])),
                ci=format_ci(row["ci_low"], row["ci_high"], 2, lang),
                level=_level(alpha),
            )
        )
    if outcome is not None and (row := _row(outcome, term="rtc")) is not None:
        key = {"up": "sus_positive", "down": "sus_negative", "none": "sus_none"}[
            direction(row["estimate"], row["p"], alpha)
        ]
        out.append(
            t(
                f"findings.resistance.{key}",
                b=float(row["estimate"]),
                b_abs=abs(float(row["estimate"])),
                ci=format_ci(row["ci_low"], row["ci_high"], 1, lang),
                level=_level(alpha),
            )
        )
    if scalar_holds is not None:
        out.append(
            t("findings.resistance.invariance_holds" if scalar_holds else "findings.resistance.invariance_fails")
        )
    return out


def resistance_answers(
    means: pd.DataFrame,
    *,
    welch: pd.Series | None = None,
    scale: tuple[float, float],
    alpha: float = 0.05,
    lang: str = "id",
    min_n: int = 5,
) -> pd.DataFrame:
    """Per-region answer to "where is resistance highest?": the region's mean and its rank (1 = highest) among the
    regions shown, with whether regions differ at all (Welch p < alpha)."""
    t = translator(lang)
    shown = _large(means, min_n).sort_values("estimate", ascending=False).reset_index(drop=True)
    rank = {str(r): i + 1 for i, r in enumerate(shown["region"])}
    rows = []
    for i, r in means.reset_index(drop=True).iterrows():
        code = str(r["region"])
        values = {
            "mean": float(r["estimate"]),
            "scale_low": scale[0],
            "scale_high": scale[1],
            "rank": rank.get(code, len(shown)),
            "m": len(shown),
        }
        if welch is not None and np.isfinite(welch["p"]) and len(shown) > 1:
            key = "rank_differ" if welch["p"] < alpha else "rank_same"
            values["p"] = float(welch["p"])
        else:
            key = "rank"
        rows.append(
            {
                "question": "resistance",
                "region": code,
                "text": t(f"findings.answer.resistance.{key}", **values),
                "value": float(r["estimate"]),
                "n": _people(means).iloc[i],
            }
        )
    return _answers(rows)


# ------------------------------------------------------------------------------------------------------- rewards
def rewards(
    regression: pd.DataFrame,
    *,
    mediation: pd.DataFrame | None = None,
    moderation: pd.DataFrame | None = None,
    alpha: float = 0.05,
    lang: str = "id",
) -> list[str]:
    """Key findings of the rewards page: whether rewards and sanctions "work", said as what a survey can say.

    Parameters
    ----------
    regression : pandas.DataFrame
        :func:`kinerja_research.regression` of capaian on the scale scores (rows ``reward``, ``sanction``).
    mediation : pandas.DataFrame, optional
        :func:`kinerja_research.mediation` (row ``indirect``: bootstrap interval).
    moderation : pandas.DataFrame, optional
        :func:`kinerja_research.moderation` by region (the interaction F test row).

    Notes
    -----
    ``reward_*`` / ``sanction_*`` (sign and p < alpha), ``mediation_yes`` / ``mediation_no`` (bootstrap interval
    excluding zero), ``moderation_yes`` / ``moderation_no`` (interaction p < alpha), then the verdict:
    ``verdict_some`` when the reward or the sanction association is clear, else ``verdict_none``. Every sentence
    speaks of associations: the survey is one wave before the programme.
    """
    t = translator(lang)
    out: list[str] = []
    clear = False
    for term in ("reward", "sanction"):
        row = _row(regression, term=term)
        if row is None:
            continue
        d = direction(row["estimate"], row["p"], alpha)
        clear = clear or d != "none"
        key = {"up": "positive", "down": "negative", "none": "none"}[d]
        out.append(
            t(
                f"findings.rewards.{term}_{key}",
                b=float(row["estimate"]),
                b_abs=abs(float(row["estimate"])),
                ci=format_ci(row["ci_low"], row["ci_high"], 2, lang),
                level=_level(alpha),
            )
        )
    if mediation is not None and (row := _row(mediation, term="indirect")) is not None:
        d = _interval_direction(row["estimate"], row["ci_low"], row["ci_high"])
        out.append(
            t(
                "findings.rewards.mediation_" + ("no" if d == "none" else "yes"),
                indirect=float(row["estimate"]),
                ci=format_ci(row["ci_low"], row["ci_high"], 2, lang),
                level=_level(alpha),
            )
        )
    if moderation is not None:
        inter = moderation[moderation["term"].astype(str).str.contains(":") & moderation["df1"].notna()]
        if len(inter) and np.isfinite(inter.iloc[0]["p"]):
            p = float(inter.iloc[0]["p"])
            out.append(t("findings.rewards.moderation_" + ("yes" if p < alpha else "no"), p=p))
    if out:
        out.insert(0, t("findings.rewards.verdict_" + ("some" if clear else "none")))
    return out


def rewards_answers(
    by_region: pd.DataFrame, *, term: str = "reward", alpha: float = 0.05, lang: str = "id"
) -> pd.DataFrame:
    """Per-region answer to "do rewards and sanctions work?": the region's association of capaian with perceived
    reward (a regression per region, row ``term``), worded as an association.

    Parameters
    ----------
    by_region : pandas.DataFrame
        Rows of per-region regressions with ``region``, ``term``, ``estimate``, ``ci_low``, ``ci_high``, ``p``, ``n``.
    """
    t = translator(lang)
    rows = []
    sub = by_region[by_region["term"] == term].reset_index(drop=True)
    for i, r in sub.iterrows():
        key = {"up": "positive", "down": "negative", "none": "none"}[direction(r["estimate"], r["p"], alpha)]
        rows.append(
            {
                "question": "rewards",
                "region": str(r["region"]),
                "text": t(
                    f"findings.answer.rewards.{key}",
                    b=float(r["estimate"]),
                    ci=format_ci(r["ci_low"], r["ci_high"], 2, lang),
                    level=_level(alpha),
                ),
                "value": float(r["estimate"]),
                "n": _people(sub).iloc[i],
            }
        )
    return _answers(rows)


# -------------------------------------------------------------------------------------------------- satisfaction
def satisfaction(
    ikm: pd.DataFrame,
    *,
    bands,
    elements: pd.DataFrame | None = None,
    trend: pd.DataFrame | None = None,
    element_names: Mapping[str, str] | None = None,
    alpha: float = 0.05,
    lang: str = "id",
    min_n: int = 5,
) -> list[str]:
    """Key findings of the public-satisfaction page: the IKM range, each region's mutu where its interval allows it,
    the regions whose interval crosses a band limit, the weakest element and the trends.

    Parameters
    ----------
    ikm : pandas.DataFrame
        :func:`kinerja_research.ikm` per region (``region``, ``estimate``, ``ikm``, ``ci_low``, ``ci_high``, ``n``).
    bands : mapping
        Mutu -> (low, high, kinerja) or ``standards.IKM_BANDS``; the scale's range is that of the bands.
    elements : pandas.DataFrame, optional
        :func:`kinerja_research.ikm_elements` per region (``weakest`` flags).
    trend : pandas.DataFrame, optional
        :func:`kinerja_research.ikm_trend` per region.
    element_names : dict, optional
        Element id -> shown name (the regulation's unsur names in the report language).

    Notes
    -----
    ``range`` (two or more regions) or ``one``; ``band_certain`` for the regions whose whole interval lies in one
    band (grouped by band), ``band_crossing`` for each region whose interval crosses a limit (never a flat mutu);
    ``weakest`` (the element weakest in most regions); ``trend_up`` / ``trend_down`` / ``trend_none`` (sign and
    p < alpha of the per-region trend).
    """
    t = translator(lang)
    bb = _bands(bands)
    scale_low, scale_high = min(v[0] for v in bb.values()), max(v[1] for v in bb.values())
    out: list[str] = []
    shown = _large(ikm, min_n).reset_index(drop=True)
    if shown.empty:
        return out
    value = "ikm" if "ikm" in shown.columns else "estimate"
    if len(shown) == 1:
        r = shown.iloc[0]
        out.append(
            t(
                "findings.satisfaction.one",
                region=_region_name(r["region"]),
                ikm=float(r[value]),
                ci=format_ci(r["ci_low"], r["ci_high"], 2, lang),
                level=_level(alpha),
                scale_low=scale_low,
                scale_high=scale_high,
            )
        )
    else:
        hi, lo = shown.loc[shown[value].idxmax()], shown.loc[shown[value].idxmin()]
        out.append(
            t(
                "findings.satisfaction.range",
                low=float(lo[value]),
                low_region=_region_name(lo["region"]),
                high=float(hi[value]),
                high_region=_region_name(hi["region"]),
                scale_low=scale_low,
                scale_high=scale_high,
            )
        )
    status = [band_status(r["ci_low"], r["ci_high"], bb) for _, r in shown.iterrows()]
    certain: dict[str, list[str]] = {}
    crossing: dict[tuple, list[str]] = {}
    for (_, r), s in zip(shown.iterrows(), status):
        if s["certain"] and s["lower"] is not None:
            certain.setdefault(s["lower"], []).append(_region_name(r["region"]))
        elif not s["certain"] and s["limit"] is not None:
            name = t(
                "findings.satisfaction.region_ci",
                region=_region_name(r["region"]),
                ci=format_ci(r["ci_low"], r["ci_high"], 2, lang),
            )
            crossing.setdefault((s["limit"], s["lower"] or "–", s["upper"] or "–"), []).append(name)
    if certain:
        parts = []
        for mutu in sorted(certain):
            kinerja = bb[mutu][2]
            if lang == "en" and hasattr(bands.get(mutu), "kinerja_en"):
                kinerja = bands[mutu].kinerja_en
            parts.append(
                t(
                    "findings.satisfaction.band_part",
                    mutu=mutu,
                    kinerja=kinerja,
                    regions=join_names(certain[mutu], lang),
                )
            )
        out.append(t("findings.satisfaction.band_certain", parts=t("findings.part_sep").join(parts)))
    for (limit, lower, upper), names in sorted(crossing.items()):
        out.append(
            t(
                "findings.satisfaction.band_crossing",
                regions=join_names(names, lang),
                limit=limit,
                lower=lower,
                upper=upper,
            )
        )
    if elements is not None and "weakest" in elements.columns:
        weak = _large(elements, min_n)
        weak = weak[weak["weakest"].astype(bool) & weak["region"].isin(shown["region"])]
        if len(weak):
            counts = weak.groupby("term")["region"].nunique().sort_values(ascending=False, kind="stable")
            top = counts.index[0]
            out.append(
                t(
                    "findings.satisfaction.weakest",
                    element=(element_names or {}).get(top, top),
                    k=int(counts.iloc[0]),
                    m=len(shown),
                )
            )
    if trend is not None and len(trend):
        tr = trend[trend["region"].isin(shown["region"])]
        dirs = {str(r["region"]): direction(r["estimate"], r["p"], alpha) for _, r in tr.iterrows()}
        ups = [_region_name(c) for c, d in dirs.items() if d == "up"]
        downs = [_region_name(c) for c, d in dirs.items() if d == "down"]
        if ups:
            out.append(t("findings.satisfaction.trend_up", regions=join_names(ups, lang)))
        if downs:
            out.append(t("findings.satisfaction.trend_down", regions=join_names(downs, lang)))
        if dirs and not ups and not downs and len(out) < MAX_FINDINGS:
            out.append(t("findings.satisfaction.trend_none"))
    return out[:MAX_FINDINGS]


def satisfaction_answers(ikm: pd.DataFrame, *, bands, alpha: float = 0.05, lang: str = "id") -> pd.DataFrame:
    """Per-region IKM with its mutu, or the two mutu between which its interval lies (``question``
    ``"satisfaction"``)."""
    t = translator(lang)
    bb = _bands(bands)
    value = "ikm" if "ikm" in ikm.columns else "estimate"
    rows = []
    for i, r in ikm.reset_index(drop=True).iterrows():
        s = band_status(r["ci_low"], r["ci_high"], bb)
        values = {"ikm": float(r[value]), "ci": format_ci(r["ci_low"], r["ci_high"], 2, lang), "level": _level(alpha)}
        if s["certain"] or s["limit"] is None:
            text = t("findings.answer.satisfaction.certain", mutu=band_of(r[value], bb) or "–", **values)
        else:
            text = t(
                "findings.answer.satisfaction.crossing",
                lower=s["lower"] or "–",
                upper=s["upper"] or "–",
                limit=s["limit"],
                **values,
            )
        rows.append(
            {
                "question": "satisfaction",
                "region": str(r["region"]),
                "text": text,
                "value": float(r[value]),
                "n": _people(ikm).iloc[i],
            }
        )
    return _answers(rows)


# ---------------------------------------------------------------------------------------------------- comparison
_THEMES = ("training", "resistance", "rewards", "satisfaction")


def comparison(family: pd.DataFrame, *, alpha: float = 0.05, lang: str = "id", min_n: int = 5) -> list[str]:
    """Key findings of the region comparison: how many headline tests survive Holm's correction, and per theme the
    regions whose estimate is clear (``p_adj < alpha``), each with its estimate.

    Parameters
    ----------
    family : pandas.DataFrame
        :func:`kinerja_research.region_family` (``theme``, ``region``, ``estimate``, ``p_adj``, ``n``).
    """
    t = translator(lang)
    if family.empty:
        return []
    out = [t("findings.comparison.summary", k=int((family["p_adj"] < alpha).sum()), m=len(family))]
    shown = _large(family, min_n)
    for theme in _THEMES:
        rows = shown[shown["theme"] == theme]
        if rows.empty:
            continue
        clear = rows[rows["p_adj"] < alpha]
        if clear.empty:
            out.append(t(f"findings.comparison.{theme}_none"))
        else:
            names = [
                t(
                    "findings.comparison.region_value",
                    region=_region_name(r["region"]),
                    value=("+" if r["estimate"] > 0 else "") + format_number(r["estimate"], 2, lang),
                )
                for _, r in clear.iterrows()
            ]
            out.append(t(f"findings.comparison.{theme}_some", regions=join_names(names, lang)))
    return out


def comparison_answers(family: pd.DataFrame, *, alpha: float = 0.05, lang: str = "id") -> pd.DataFrame:
    """Per-region answer to "how do regions compare?": the themes in which the region's headline estimate is clear
    after Holm's correction."""
    t = translator(lang)
    rows = []
    for code, sub in family.groupby(family["region"].astype(str), sort=True):
        clear = [t(f"findings.theme.{th}") for th in _THEMES if ((sub["theme"] == th) & (sub["p_adj"] < alpha)).any()]
        text = (
            t("findings.answer.comparison.some", themes=join_names(clear, lang))
            if clear
            else t("findings.answer.comparison.none")
        )
        rows.append(
            {
                "question": "comparison",
                "region": code,
                "text": text,
                "value": float(len(clear)),
                "n": float(_people(sub).min()) if len(sub) else None,
            }
        )
    return _answers(rows)


# --------------------------------------------------------------------------------------------------------- audit
def audit(
    counts: pd.DataFrame,
    *,
    by_rule: pd.DataFrame | None = None,
    n_duplicates: int = 0,
    flagged_share: float | None = None,
    lang: str = "id",
) -> list[str]:
    """Key findings of the data audit: rows quarantined, the most frequent problem, duplicates, flagged respondents.

    Parameters
    ----------
    counts : pandas.DataFrame
        :func:`kinerja_research.clean.table_counts` (``rows_in``, ``rows_quarantined``).
    by_rule : pandas.DataFrame, optional
        Problems per rule, most frequent first (``rule`` label and ``count``), e.g. the first table of
        :func:`kinerja_research.report.summarise_problems`.
    n_duplicates : int
        Duplicate submissions quarantined.
    flagged_share : float, optional
        Share of survey respondents flagged too fast or straight-lining.
    """
    t = translator(lang)
    n_in = int(pd.to_numeric(counts["rows_in"]).sum())
    q = int(pd.to_numeric(counts["rows_quarantined"]).sum())
    out = [
        t("findings.audit.quarantined_some", q=q, n=n_in, share=q / n_in if n_in else 0.0)
        if q
        else t("findings.audit.quarantined_none")
    ]
    if by_rule is not None:
        if len(by_rule):
            count_col = "count" if "count" in by_rule.columns else by_rule.select_dtypes("number").columns[0]
            top = by_rule.sort_values(count_col, ascending=False, kind="stable").iloc[0]
            label = top["description"] if "description" in by_rule.columns else top["rule"]
            out.append(t("findings.audit.top_rule", rule=label, k=int(top[count_col])))
        else:
            out.append(t("findings.audit.no_problems"))
    out.append(
        t("findings.audit.duplicates_some", n=n_duplicates) if n_duplicates else t("findings.audit.duplicates_none")
    )
    if flagged_share is not None and np.isfinite(flagged_share):
        out.append(
            t("findings.audit.flagged_some", share=flagged_share)
            if flagged_share > 0
            else t("findings.audit.flagged_none")
        )
    return out


# ---------------------------------------------------------------------------------------------------- instrument
def instrument(
    *,
    reliability: pd.DataFrame | None = None,
    validity: pd.DataFrame | None = None,
    fit: pd.DataFrame | None = None,
    invariance: pd.DataFrame | None = None,
    strict: float,
    lang: str = "id",
) -> list[str]:
    """Key findings of the instrument page: reliability, item validity, CFA fit (and improper solutions), invariance.

    Parameters
    ----------
    reliability : pandas.DataFrame, optional
        One row per instrument × dimension × region: ``instrument`` (shown name), ``dimension`` (shown name),
        ``alpha``.
    validity : pandas.DataFrame, optional
        One row per item × region: ``valid`` (bool).
    fit : pandas.DataFrame, optional
        One row per instrument: ``instrument`` (shown name), ``cfi``, ``rmsea``, ``srmr``, and ``converged`` /
        ``problems`` when the CFA reports them (an improper solution is named, never counted as fitting).
    invariance : pandas.DataFrame, optional
        One row per instrument: ``instrument``, ``scalar`` (bool).
    strict : float
        Reliability threshold (``standards.ALPHA_MIN_NUNNALLY``).
    """
    t = translator(lang)
    out: list[str] = []
    if reliability is not None and len(reliability):
        below = reliability[reliability["alpha"] < strict]
        if below.empty:
            out.append(t("findings.instrument.reliability_all", strict=strict))
        else:
            low = below.loc[below["alpha"].idxmin()]
            out.append(
                t(
                    "findings.instrument.reliability_some",
                    k=len(below),
                    m=len(reliability),
                    strict=strict,
                    low=float(low["alpha"]),
                    scale=f"{low['instrument']}: {low['dimension']}",
                )
            )
    if validity is not None and len(validity):
        bad = int((~validity["valid"].astype(bool)).sum())
        out.append(
            t("findings.instrument.validity_some", k=bad, m=len(validity))
            if bad
            else t("findings.instrument.validity_all")
        )
    if fit is not None and len(fit):
        improper = pd.Series(False, index=fit.index)
        if "converged" in fit.columns:
            improper |= ~fit["converged"].astype(bool)
        if "problems" in fit.columns:
            improper |= fit["problems"].map(lambda p: bool(p) if isinstance(p, (list, tuple)) else bool(p) and p == p)
        good = (
            (fit["cfi"] >= FIT_CUTOFFS["cfi"])
            & (fit["rmsea"] <= FIT_CUTOFFS["rmsea"])
            & (fit["srmr"] <= FIT_CUTOFFS["srmr"])
            & ~improper
        )
        cut = dict(FIT_CUTOFFS)
        if good.all():
            out.append(t("findings.instrument.fit_all", **cut))
        elif not good.any():
            out.append(t("findings.instrument.fit_none", **cut))
        else:
            out.append(
                t(
                    "findings.instrument.fit_some",
                    k=int(good.sum()),
                    m=len(fit),
                    instruments=join_names(list(fit.loc[~good, "instrument"]), lang),
                    **cut,
                )
            )
        if improper.any():
            out.append(
                t("findings.instrument.improper", instruments=join_names(list(fit.loc[improper, "instrument"]), lang))
            )
    if invariance is not None and len(invariance):
        holds = invariance["scalar"].astype(bool)
        if holds.all():
            out.append(t("findings.instrument.invariance_all"))
        elif not holds.any():
            out.append(t("findings.instrument.invariance_none"))
        else:
            out.append(
                t(
                    "findings.instrument.invariance_some",
                    k=int(holds.sum()),
                    m=len(invariance),
                    instruments=join_names(list(invariance.loc[~holds, "instrument"]), lang),
                )
            )
    return out


# --------------------------------------------------------------------------------------------------------- brief
def brief(answers: pd.DataFrame, region: str, *, lang: str = "id", min_n: int = 5) -> list[str]:
    """The region brief's key findings: one line per theme, "<theme>: <answer>." for ``region``.

    Parameters
    ----------
    answers : pandas.DataFrame
        Concatenated ``*_answers`` frames (:data:`ANSWER_COLUMNS`) of every theme; the same rows the thematic pages
        record, so the brief's numbers are the pages' numbers.
    region : str
        Region code.

    Returns
    -------
    list of str
        Lines in the order training, jp, resistance, rewards, satisfaction; a theme whose row is about fewer than
        ``min_n`` people, or has no row, is left out.
    """
    if not isinstance(region, str):
        raise KinerjaError(f"findings.brief region {region!r}; the rule is one region code as a string.")
    t = translator(lang)
    mine = answers[answers["region"].astype(str) == region]
    out = []
    for question in ("training", "jp", "resistance", "rewards", "satisfaction"):
        row = mine[mine["question"] == question]
        if row.empty:
            continue
        r = row.iloc[0]
        n = pd.to_numeric(pd.Series([r["n"]]), errors="coerce").iloc[0]
        if np.isfinite(n) and n < min_n:
            continue
        out.append(t("findings.brief.line", theme=t(f"findings.brief.theme.{question}"), answer=r["text"]))
    return out
