"""Axes-level figures for the reports: ``plot_x(data, *, ..., ax=None) -> Axes``; they never show or save.

- Colours are colour-blind safe (Okabe–Ito) and stable per region: :func:`region_palette` gives the four default
  regions fixed colours and any other region a colour derived from its code, moved to the next free colour only when
  two regions drawn together would share one (up to eight regions per figure without sharing a colour).
- Axis labels are translation keys (``xlabel="common.col.estimate"``) looked up in the report language.
- Groups describing fewer than ``min_n`` people (default: the run's small-cell threshold, 5) are left out; the
  figure carries a note (``fig._kr_notes``) that
  :meth:`Context.figure <kinerja_research.report.notebook.Context.figure>` prints under the caption.
- Honest axes: proportions are drawn as percent of people on a 0–100 % axis, bars start at zero, means of a rating
  scale are drawn on the scale's whole range (``limits=``) or next to a marked reference (``ref=``), and the
  thresholds a reader judges by (the 20 JP target, the mutu bands of the IKM, the r-table) are drawn as lines or
  shaded bands. Legends sit outside the plotting area, so no legend covers a bar or a point.
- A few figure-level functions own a figure of several panels for the report pages (:func:`forest_panels`,
  :func:`regression_diagnostics`, :func:`path_diagram`).
"""

from __future__ import annotations

import hashlib
import textwrap
from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.patches import Ellipse, FancyArrowPatch, Patch, Rectangle
from matplotlib.ticker import FuncFormatter, ScalarFormatter
from scipy import stats

from kinerja_research.errors import KinerjaError
from kinerja_research.report.i18n import translator
from kinerja_research.report.numbers import format_number, period_label
from kinerja_research.report.tables import session_min_n
from kinerja_research.results import check_columns

__all__ = [
    "OKABE_ITO",
    "MAX_WIDTH",
    "region_palette",
    "localise_axes",
    "percent_axis",
    "plot_means_ci",
    "plot_forest",
    "plot_distribution",
    "plot_loadings",
    "plot_bars",
    "plot_shares",
    "plot_trends",
    "plot_qq",
    "plot_residuals_fitted",
    "plot_scree",
    "plot_correlations",
    "plot_item_r",
    "plot_path_diagram",
    "forest_panels",
    "regression_diagnostics",
    "path_diagram",
    "path_diagrams",
    "scree_panels",
    "small_axes",
    "add_note",
]

#: Okabe & Ito (2008) colour-blind safe palette, black last.
OKABE_ITO = ("#E69F00", "#56B4E9", "#009E73", "#0072B2", "#D55E00", "#CC79A7", "#F0E442", "#000000")
# The four default regions get fixed, well-separated colours.
_FIXED = {"18.71": "#0072B2", "17.71": "#E69F00", "11.73": "#009E73", "53.71": "#CC79A7"}


def _slot(code: str) -> int:
    return int(hashlib.sha256(str(code).encode("utf-8")).hexdigest(), 16) % len(OKABE_ITO)


def region_palette(codes: Sequence[str]) -> dict[str, str]:
    """Colour per region code: fixed for a code, distinct within ``codes`` while there are at most eight.

    Examples
    --------
    >>> region_palette(["18.71", "17.71"])
    {'18.71': '#0072B2', '17.71': '#E69F00'}
    >>> region_palette(["17.71"]) == {"17.71": region_palette(["18.71", "17.71"])["17.71"]}
    True
    """
    out: dict[str, str] = {}
    used: set[str] = set()
    codes = [str(c) for c in dict.fromkeys(codes)]
    for c in codes:  # fixed colours first so they never move
        if c in _FIXED:
            out[c] = _FIXED[c]
            used.add(out[c])
    for c in sorted(c for c in codes if c not in out):
        i = _slot(c)
        for step in range(len(OKABE_ITO)):
            colour = OKABE_ITO[(i + step) % len(OKABE_ITO)]
            if colour not in used:
                break
        else:  # more than eight regions: colours repeat (the figure must not rely on colour alone)
            colour = OKABE_ITO[i]
        out[c] = colour
        used.add(colour)
    return {c: out[c] for c in codes}


def _t(lang: str):
    return translator(lang)


def _ax(ax, size: tuple[float, float] | None = None):
    if ax is None:
        _, ax = plt.subplots(figsize=size) if size else plt.subplots()
    return ax


def add_note(ax, note: str) -> None:
    """Attach a note to the figure of ``ax`` (printed under its caption by ``ctx.figure``)."""
    fig = ax.figure
    notes = getattr(fig, "_kr_notes", [])
    if note not in notes:
        notes.append(note)
    fig._kr_notes = notes


def localise_axes(ax, lang: str) -> None:
    """Numeric tick labels in the report language: decimal comma and thousands point in Indonesian."""
    if lang != "id":
        return

    class _Comma(ScalarFormatter):
        def __call__(self, x, pos=None):
            return super().__call__(x, pos).translate(str.maketrans({",": ".", ".": ","}))

    for axis in (ax.xaxis, ax.yaxis):
        if type(axis.get_major_formatter()) is ScalarFormatter:
            axis.set_major_formatter(_Comma())


def _labels(ax, lang: str, xlabel: str | None, ylabel: str | None) -> None:
    localise_axes(ax, lang)
    t = _t(lang)
    if xlabel is not None:
        ax.set_xlabel(t(xlabel))
    if ylabel is not None:
        ax.set_ylabel(t(ylabel))


def percent_axis(axis, lang: str, *, decimals: int = 0) -> None:
    """Tick labels of a 0–1 proportion axis as percent in the report language (``40%``; ``12,5%`` in Indonesian)."""
    axis.set_major_formatter(FuncFormatter(lambda v, _pos: format_number(100 * v, decimals, lang) + "%"))


def _region_label(code: str) -> str:
    try:
        from kinerja_research.regions import get_region

        return get_region(str(code)).name
    except Exception:
        return str(code)


#: Widest figure (inches): the text width of an A4 page with its margins, so a printed figure is never scaled down
#: below the size its labels were set for (issue 14.4).
MAX_WIDTH = 6.5


def _height(rows: int, per_row: float = 0.45, width: float = MAX_WIDTH) -> tuple[float, float]:
    """Figure size for ``rows`` rows of points or bars: short for a few rows, never taller than the page needs."""
    return (width, min(1.4 + per_row * max(int(rows), 1), 9.0))


def small_axes(rows: int):
    """A compact Axes for a handout (the region brief): the figure is short and narrow, so two pages hold it."""
    _, ax = plt.subplots(figsize=(5.6, min(1.1 + 0.32 * max(int(rows), 1), 4.0)))
    return ax


def _resolve_min_n(min_n):
    return session_min_n() if isinstance(min_n, str) and min_n == "default" else min_n


def _legend_outside(ax, handles=None, **kw) -> None:
    """A legend below the plotting area, so it never covers a bar or a point."""
    opts = dict(loc="upper center", bbox_to_anchor=(0.5, -0.18), frameon=False, ncol=3, fontsize=9)
    opts.update(kw)
    if handles is None:
        ax.legend(**opts)
    else:
        ax.legend(handles=handles, **opts)


def _reference(ax, value: float | None, label: str | None, *, axis: str = "x", colour: str = "0.3") -> None:
    """A dashed reference line (a threshold or target), labelled at its end when ``label`` is given."""
    if value is None:
        return
    if axis == "x":
        ax.axvline(value, color=colour, lw=1.0, ls="--", zorder=1)
        if label:
            ax.annotate(
                label,
                xy=(value, 1.0),
                xycoords=("data", "axes fraction"),
                xytext=(2, 2),
                textcoords="offset points",
                fontsize=8,
                color=colour,
                va="bottom",
            )
    else:
        ax.axhline(value, color=colour, lw=1.0, ls="--", zorder=1)
        if label:
            ax.annotate(
                label,
                xy=(1.0, value),
                xycoords=("axes fraction", "data"),
                xytext=(2, 0),
                textcoords="offset points",
                fontsize=8,
                color=colour,
                va="center",
            )


def _bands(ax, bands: Mapping[str, tuple[float, float]] | None, *, axis: str = "x") -> None:
    """Shaded, labelled bands (e.g. the mutu bands A–D of the IKM) behind the data."""
    if not bands:
        return
    shades = ("0.93", "0.86")
    for i, (label, (low, high)) in enumerate(bands.items()):
        if axis == "x":
            ax.axvspan(low, high, color=shades[i % 2], zorder=0, lw=0)
            ax.annotate(
                str(label),
                xy=((low + high) / 2, 1.0),
                xycoords=("data", "axes fraction"),
                xytext=(0, 2),
                textcoords="offset points",
                ha="center",
                va="bottom",
                fontsize=8,
                color="0.35",
                annotation_clip=True,
            )
        else:
            ax.axhspan(low, high, color=shades[i % 2], zorder=0, lw=0)


def _suppress_groups(data: pd.DataFrame, counts: pd.Series, min_n, ax, lang: str) -> pd.DataFrame:
    """Drop rows whose group count is below ``min_n`` and note it on the figure."""
    min_n = _resolve_min_n(min_n)
    if min_n is None:
        return data
    small = counts < min_n
    if small.any():
        add_note(ax, _t(lang)("common.suppressed_note", min_n=min_n))
        return data.loc[~small.to_numpy()]
    return data


def _check(data: pd.DataFrame, cols: Sequence[str | None]) -> None:
    check_columns(data, cols, what="plot data")


def _group_labels(groups: Sequence[str], *, is_region: bool, labels: Mapping[str, str] | None) -> list[str]:
    if labels:
        return [str(labels.get(g, g)) for g in groups]
    return [_region_label(g) if is_region else g for g in groups]


def plot_means_ci(
    data: pd.DataFrame,
    *,
    x: str = "estimate",
    y: str = "region",
    ci_low: str = "ci_low",
    ci_high: str = "ci_high",
    hue: str | None = None,
    n_col: str | None = "n",
    min_n: int | None | str = "default",
    palette: Mapping[str, str] | None = None,
    lang: str = "id",
    xlabel: str | None = None,
    ylabel: str | None = None,
    ref: float | None = None,
    ref_label: str | None = None,
    limits: tuple[float, float] | None = None,
    bands: Mapping[str, tuple[float, float]] | None = None,
    labels: Mapping[str, str] | None = None,
    hue_labels: Mapping[str, str] | None = None,
    ax=None,
):
    """Point estimates with confidence intervals, one row per group (``y``), from a tidy result or summary table.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per group (and ``hue`` level) with ``x``, ``ci_low``, ``ci_high`` and optionally ``n_col``.
    y : str
        Group column; region codes are shown by name and coloured by :func:`region_palette` when ``hue`` is None.
    hue : str, optional
        Second grouping (e.g. ``wave``), drawn as dodged points; the legend sits below the axes.
    min_n : int or None
        Groups with ``n_col < min_n`` are left out (with a note).
    ref : float, optional
        Draw a dashed reference line at this value (labelled ``ref_label``), e.g. the midpoint of a rating scale or
        0 for an effect.
    limits : (float, float), optional
        The axis range, e.g. the whole range of the rating scale (1, 6), so that a difference of a few tenths is
        not drawn as a large one.
    bands : dict of label to (low, high), optional
        Shaded, labelled bands behind the points, e.g. the IKM mutu bands ``{"C": (65, 76.6), "B": (76.61, 88.3)}``;
        an interval that crosses a band limit is visible as such.
    labels, hue_labels : dict, optional
        Shown text of the ``y`` groups and ``hue`` levels (already translated).

    Returns
    -------
    matplotlib.axes.Axes
    """
    _check(data, [x, y, ci_low, ci_high, hue, n_col])
    ax = _ax(ax, _height(data[y].nunique()))
    df = data.reset_index(drop=True)
    if n_col is not None:
        df = _suppress_groups(df, pd.to_numeric(df[n_col], errors="coerce"), min_n, ax, lang)
    groups = list(dict.fromkeys(df[y].astype(str)))
    is_region = y in ("region", "region_code")
    pos = {g: i for i, g in enumerate(groups)}
    hues = list(dict.fromkeys(df[hue].astype(str))) if hue else [None]
    width = 0.6
    _bands(ax, bands)
    for j, h in enumerate(hues):
        sub = df if h is None else df[df[hue].astype(str) == h]
        off = 0.0 if h is None else (j - (len(hues) - 1) / 2) * width / max(len(hues), 1)
        yy = np.array([pos[g] for g in sub[y].astype(str)], dtype=float) + off
        xx = sub[x].to_numpy(dtype=float)
        err = np.vstack([xx - sub[ci_low].to_numpy(dtype=float), sub[ci_high].to_numpy(dtype=float) - xx])
        if h is None and is_region:
            pal = palette or region_palette(groups)
            colours = [pal.get(g, "#000000") for g in sub[y].astype(str)]
            for xi, yi, e0, e1, c in zip(xx, yy, err[0], err[1], colours):
                ax.errorbar(xi, yi, xerr=[[e0], [e1]], fmt="o", color=c, capsize=3, zorder=3)
        else:
            colour = (palette or {}).get(h) if h is not None else None
            colour = colour or OKABE_ITO[(j + 3) % len(OKABE_ITO)]
            label = None
            if h is not None:
                key = f"common.{hue}.{h}"
                label = (hue_labels or {}).get(h) or (_t(lang)(key) if key in _t(lang) else h)
            ax.errorbar(xx, yy, xerr=err, fmt="o", color=colour, capsize=3, label=label, zorder=3)
    ax.set_yticks(range(len(groups)))
    ax.set_yticklabels(_group_labels(groups, is_region=is_region, labels=labels))
    ax.set_ylim(max(len(groups), 1) - 0.5, -0.5)  # no group left (all too small): an empty row, no warning
    if limits is not None:
        ax.set_xlim(*limits)
    _reference(ax, ref, ref_label)
    if hue:
        _legend_outside(ax)
    _labels(ax, lang, xlabel, ylabel)
    return ax


def plot_forest(
    data: pd.DataFrame,
    *,
    estimate: str = "estimate",
    ci_low: str = "ci_low",
    ci_high: str = "ci_high",
    label: str = "region",
    n_col: str | None = "n",
    min_n: int | None | str = "default",
    ref: float | None = 0.0,
    palette: Mapping[str, str] | None = None,
    lang: str = "id",
    xlabel: str | None = None,
    labels: Mapping[str, str] | None = None,
    ax=None,
):
    """Forest plot of a tidy result: one row per estimate with its interval and a reference line (default 0).

    ``labels`` gives the shown text of each ``label`` value (e.g. translated model terms); region codes are shown
    by name.

    Returns
    -------
    matplotlib.axes.Axes
    """
    return plot_means_ci(
        data,
        x=estimate,
        y=label,
        ci_low=ci_low,
        ci_high=ci_high,
        n_col=n_col,
        min_n=min_n,
        palette=palette,
        lang=lang,
        xlabel=xlabel,
        ref=ref,
        labels=labels,
        ax=ax,
    )


def forest_panels(
    data: pd.DataFrame,
    *,
    panel: str,
    titles: Mapping[str, str],
    label: str = "region",
    palette: Mapping[str, str] | None = None,
    lang: str = "id",
    min_n: int | None | str = "default",
):
    """One forest panel per value of ``panel`` (e.g. one per theme of the region comparison, each in its own unit).

    Parameters
    ----------
    data : pandas.DataFrame
        Tidy result with ``panel``, ``label``, ``estimate``, ``ci_low``, ``ci_high`` and ``n``.
    panel : str
        Column whose values make the panels, drawn in the order of ``titles``.
    titles : dict
        Panel value -> its (translated) title; panels without rows are left out.

    Returns
    -------
    matplotlib.figure.Figure
    """
    _check(data, [panel, label])
    shown = [p for p in titles if (data[panel] == p).any()]
    if not shown:
        raise KinerjaError(f"forest_panels: no row of column {panel!r} has one of the values {list(titles)}.")
    fig, axes = plt.subplots(len(shown), 1, figsize=(MAX_WIDTH, 1.2 + 1.7 * len(shown)), squeeze=False)
    for ax, p in zip(axes[:, 0], shown):
        plot_forest(data[data[panel] == p], label=label, palette=palette, lang=lang, min_n=min_n, ax=ax)
        ax.set_title(titles[p], fontsize=10, loc="left")
    fig.tight_layout()
    return fig


def plot_distribution(
    data: pd.DataFrame,
    *,
    x: str,
    group: str = "region_code",
    kind: str = "box",
    subject: str | None = None,
    min_n: int | None | str = "default",
    palette: Mapping[str, str] | None = None,
    lang: str = "id",
    xlabel: str | None = None,
    ylabel: str | None = None,
    log: bool = False,
    ref: float | None = None,
    ref_label: str | None = None,
    ax=None,
):
    """Distribution of ``x`` per group (box, violin or strip plot), groups of fewer than ``min_n`` people left out.

    Parameters
    ----------
    data : pandas.DataFrame
        Long table, one row per observation.
    x : str
        Numeric column.
    group : str
        Grouping column (region codes are shown by name, coloured by region).
    kind : {"box", "violin", "strip"}
    subject : str, optional
        Person column: group sizes count distinct people instead of rows.
    log : bool, default False
        Logarithmic ``x`` axis (e.g. seconds taken to fill a form).
    ref : float, optional
        A dashed reference line (e.g. the too-fast threshold, the 20 JP target), labelled ``ref_label``.

    Returns
    -------
    matplotlib.axes.Axes
    """
    _check(data, [x, group, subject])
    if kind not in ("box", "violin", "strip"):
        raise KinerjaError(f"plot_distribution kind {kind!r}; the rule is 'box', 'violin' or 'strip'.")
    ax = _ax(ax)
    df = data[[c for c in dict.fromkeys([x, group, subject]) if c]].dropna(subset=[x]).copy()
    if log:
        df = df[df[x] > 0]
    df[group] = df[group].astype(str)
    sizes = df.groupby(group, sort=False)[subject].nunique() if subject else df.groupby(group, sort=False).size()
    min_n = _resolve_min_n(min_n)
    keep = sizes.index[sizes >= (min_n or 0)]
    if len(keep) < len(sizes):
        add_note(ax, _t(lang)("common.suppressed_note", min_n=min_n))
    df = df[df[group].isin(keep)]
    order = sorted(keep)
    is_region = group in ("region", "region_code")
    pal = (palette or region_palette(order)) if is_region else (palette or dict(zip(order, OKABE_ITO * 8)))
    plot = {"box": sns.boxplot, "violin": sns.violinplot, "strip": sns.stripplot}[kind]
    kw = {"hue": group, "legend": False} if kind != "strip" else {"hue": group, "legend": False, "size": 3}
    plot(data=df, x=x, y=group, order=order, hue_order=order, palette=pal, ax=ax, orient="h", **kw)
    if is_region:
        ax.set_yticks(range(len(order)))
        ax.set_yticklabels([_region_label(g) for g in order])
    ax.set_ylabel("")
    if log:
        ax.set_xscale("log")
    _reference(ax, ref, ref_label)
    _labels(ax, lang, xlabel, ylabel)
    return ax


def plot_loadings(
    data: pd.DataFrame,
    *,
    item: str = "item",
    loading: str = "estimate",
    factor: str | None = None,
    threshold: float | None = 0.4,
    lang: str = "id",
    xlabel: str | None = None,
    ax=None,
):
    """Horizontal bars of standardised loadings per item (coloured by ``factor``), with a threshold line.

    The axis runs from 0 (or the smallest negative loading) to 1, the range of a standardised loading; the legend
    sits below the axes.

    Returns
    -------
    matplotlib.axes.Axes
    """
    _check(data, [item, loading, factor])
    ax = _ax(ax)
    df = data.reset_index(drop=True)
    factors = list(dict.fromkeys(df[factor].astype(str))) if factor else [None]
    colours = {f: OKABE_ITO[i % len(OKABE_ITO)] for i, f in enumerate(factors)}
    ypos = np.arange(len(df))
    values = df[loading].to_numpy(dtype=float)
    c = [colours[str(f)] for f in df[factor]] if factor else OKABE_ITO[3]
    ax.barh(ypos, values, color=c)
    ax.set_yticks(ypos)
    ax.set_yticklabels(df[item].astype(str))
    ax.set_ylim(max(len(df), 1) - 0.5, -0.5)
    low = min(0.0, float(np.nanmin(values)) - 0.05) if len(values) else 0.0
    ax.set_xlim(low, max(1.0, float(np.nanmax(values)) + 0.05) if len(values) else 1.0)
    if threshold is not None:
        ax.axvline(threshold, color="0.4", lw=0.8, ls="--")
    if factor:
        _legend_outside(ax, handles=[Patch(color=colours[f], label=f) for f in factors])
    _labels(ax, lang, xlabel, None)
    return ax


def plot_bars(
    data: pd.DataFrame,
    *,
    x: str,
    y: str,
    hue: str | None = None,
    n_col: str | None = None,
    min_n: int | None | str = "default",
    palette: Mapping[str, str] | None = None,
    lang: str = "id",
    xlabel: str | None = None,
    ylabel: str | None = None,
    ref: float | None = None,
    ref_label: str | None = None,
    limits: tuple[float, float] | None = None,
    ax=None,
):
    """Bars of a summary value per group (e.g. IKM per region), starting at zero; small groups left out with a note.

    Parameters
    ----------
    ref : float, optional
        A dashed reference line (a target or a band limit) labelled ``ref_label``.
    limits : (float, float), optional
        Axis range; bars always start at zero, so a lower limit above zero is refused.

    Returns
    -------
    matplotlib.axes.Axes
    """
    _check(data, [x, y, hue, n_col])
    if limits is not None and limits[0] > 0:
        raise KinerjaError(f"plot_bars limits {limits!r}; the rule is that bars start at zero (lower limit <= 0).")
    ax = _ax(ax, _height(len(data) if hue is None else len(data), per_row=0.22))
    df = data.reset_index(drop=True).copy()
    if n_col is not None:
        df = _suppress_groups(df, pd.to_numeric(df[n_col], errors="coerce"), min_n, ax, lang)
    df[y] = df[y].astype(str)
    is_region = y in ("region", "region_code")
    if is_region:
        df["_label"] = df[y].map(_region_label)
        pal = palette or region_palette(list(df[y]))
        sns.barplot(
            data=df,
            x=x,
            y="_label",
            hue=y if hue is None else hue,
            legend=hue is not None,
            ax=ax,
            palette=pal if hue is None else None,
            orient="h",
        )
    else:
        sns.barplot(data=df, x=x, y=y, hue=hue, ax=ax, palette=palette, orient="h", legend=hue is not None)
    ax.set_xlim(left=0 if limits is None else limits[0], right=None if limits is None else limits[1])
    if hue is not None and ax.get_legend() is not None:
        _legend_outside(ax)
    _reference(ax, ref, ref_label)
    ax.set_ylabel("")
    _labels(ax, lang, xlabel, ylabel)
    return ax


def plot_shares(
    data: pd.DataFrame,
    *,
    x: str = "estimate",
    y: str = "region",
    ci_low: str | None = "ci_low",
    ci_high: str | None = "ci_high",
    n_col: str | None = "n",
    min_n: int | None | str = "default",
    palette: Mapping[str, str] | None = None,
    lang: str = "id",
    xlabel: str | None = None,
    ref: float | None = None,
    ref_label: str | None = None,
    labels: Mapping[str, str] | None = None,
    ax=None,
):
    """Proportions of people (0–1) as horizontal bars on a 0–100 % axis, with their confidence intervals.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per group: ``x`` a proportion between 0 and 1, optionally ``ci_low``/``ci_high`` and ``n_col``.
    ref : float, optional
        A proportion drawn as a dashed line (e.g. 1.0: every PNS is due 20 JP a year), labelled ``ref_label``.

    Returns
    -------
    matplotlib.axes.Axes
    """
    _check(data, [x, y, ci_low, ci_high, n_col])
    values = pd.to_numeric(data[x], errors="coerce")
    if ((values < 0) | (values > 1)).any():
        raise KinerjaError(f"plot_shares column {x!r} holds values outside 0–1; the rule is a proportion.")
    ax = _ax(ax, _height(len(data)))
    df = data.reset_index(drop=True)
    if n_col is not None:
        df = _suppress_groups(df, pd.to_numeric(df[n_col], errors="coerce"), min_n, ax, lang)
    groups = list(df[y].astype(str))
    is_region = y in ("region", "region_code")
    pal = palette or (region_palette(groups) if is_region else {})
    colours = [pal.get(g, OKABE_ITO[3]) for g in groups]
    pos = np.arange(len(df))
    est = df[x].to_numpy(dtype=float)
    ax.barh(pos, est, color=colours, height=0.6, zorder=2)
    if ci_low and ci_high:
        err = np.vstack([est - df[ci_low].to_numpy(dtype=float), df[ci_high].to_numpy(dtype=float) - est])
        ax.errorbar(est, pos, xerr=err, fmt="none", ecolor="0.2", capsize=3, zorder=3)
    ax.set_yticks(pos)
    ax.set_yticklabels(_group_labels(groups, is_region=is_region, labels=labels))
    ax.set_ylim(max(len(df), 1) - 0.5, -0.5)
    ax.set_xlim(0, 1)
    percent_axis(ax.xaxis, lang)
    _reference(ax, ref, ref_label)
    _labels(ax, lang, xlabel, None)
    return ax


def plot_trends(
    data: pd.DataFrame,
    *,
    x: str = "period",
    y: str = "estimate",
    hue: str = "group",
    ci_low: str = "ci_low",
    ci_high: str = "ci_high",
    n_col: str | None = "n",
    min_n: int | None | str = "default",
    event: str | None = None,
    event_label: str | None = None,
    hue_labels: Mapping[str, str] | None = None,
    lang: str = "id",
    xlabel: str | None = None,
    ylabel: str | None = None,
    ax=None,
):
    """Means by period for each group with confidence bands: the trend plot of a difference-in-differences.

    Parallel trends before the programme is the assumption under which the difference-in-differences estimate is the
    programme's effect; this figure lets the reader see whether the trained and untrained lines moved together
    before ``event``.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per period × group: ``x`` (canonical period label, e.g. ``2025-S2``; shown as "Semester II 2025"),
        ``hue``, ``y``, ``ci_low``, ``ci_high`` and ``n_col``.
    event : str, optional
        The first period after the programme began: a dashed line is drawn just before it.
    hue_labels : dict, optional
        Shown text of each group.

    Returns
    -------
    matplotlib.axes.Axes
    """
    _check(data, [x, y, hue, ci_low, ci_high, n_col])
    ax = _ax(ax, (MAX_WIDTH, 3.4))
    df = data.reset_index(drop=True)
    if n_col is not None:
        df = _suppress_groups(df, pd.to_numeric(df[n_col], errors="coerce"), min_n, ax, lang)
    periods = sorted(df[x].astype(str).unique())
    pos = {p: i for i, p in enumerate(periods)}
    groups = list(dict.fromkeys(df[hue].astype(str)))
    for j, g in enumerate(groups):
        sub = df[df[hue].astype(str) == g].sort_values(x)
        xx = np.array([pos[p] for p in sub[x].astype(str)], dtype=float) + (j - (len(groups) - 1) / 2) * 0.06
        colour = OKABE_ITO[(j * 4 + 3) % len(OKABE_ITO)]
        label = (hue_labels or {}).get(g, g)
        ax.plot(xx, sub[y].to_numpy(dtype=float), marker="o", color=colour, label=label, zorder=3)
        ax.fill_between(
            xx, sub[ci_low].to_numpy(dtype=float), sub[ci_high].to_numpy(dtype=float), color=colour, alpha=0.18, lw=0
        )
    ax.set_xticks(range(len(periods)))
    ax.set_xticklabels([period_label(p, lang) for p in periods], rotation=30 if len(periods) > 4 else 0, ha="right")
    if event is not None and str(event) in pos:
        _reference(ax, pos[str(event)] - 0.5, event_label)
    _legend_outside(ax, bbox_to_anchor=(0.5, -0.25 if len(periods) > 4 else -0.15))
    _labels(ax, lang, xlabel, ylabel)
    return ax


def plot_qq(residuals, *, lang: str = "id", ax=None):
    """Normal Q–Q plot of regression residuals: standardised residuals against normal quantiles, with the line y = x.

    Points close to the line mean the residuals are close to normal; an S shape shows heavy or light tails, a bow
    skewness. Plotting positions (i − 0.5) / n, as R ``qqnorm`` for n > 10.

    Parameters
    ----------
    residuals : array-like
        Residuals of one model (missing values dropped).

    Returns
    -------
    matplotlib.axes.Axes
    """
    e = pd.to_numeric(pd.Series(np.asarray(residuals, dtype=float)), errors="coerce").dropna().to_numpy()
    if e.size < 3:
        raise KinerjaError(f"plot_qq got {e.size} residuals; the rule is at least 3.")
    ax = _ax(ax)
    z = np.sort((e - e.mean()) / e.std(ddof=1))
    q = stats.norm.ppf((np.arange(1, z.size + 1) - 0.5) / z.size)
    ax.scatter(q, z, s=9, color=OKABE_ITO[3], alpha=0.6, lw=0, zorder=3)
    lim = float(max(np.abs(q).max(), np.abs(z).max())) * 1.05
    ax.plot([-lim, lim], [-lim, lim], color="0.3", lw=1.0, ls="--", zorder=2)
    ax.set_xlim(-lim, lim)
    ax.set_ylim(-lim, lim)
    _labels(ax, lang, "common.axis.normal_quantile", "common.axis.std_residual")
    return ax


def plot_residuals_fitted(fitted, residuals, *, lang: str = "id", ax=None):
    """Residuals against fitted values with a zero line and a running mean (binned), for linearity and equal variance.

    A flat band around zero is what the model assumes; a curve shows non-linearity, a funnel heteroscedasticity.

    Returns
    -------
    matplotlib.axes.Axes
    """
    f = np.asarray(fitted, dtype=float)
    e = np.asarray(residuals, dtype=float)
    if f.shape != e.shape:
        raise KinerjaError(
            f"plot_residuals_fitted got {f.size} fitted values and {e.size} residuals; the rule is one each."
        )
    ok = np.isfinite(f) & np.isfinite(e)
    f, e = f[ok], e[ok]
    if f.size < 3:
        raise KinerjaError(f"plot_residuals_fitted got {f.size} complete rows; the rule is at least 3.")
    ax = _ax(ax)
    ax.scatter(f, e, s=9, color=OKABE_ITO[3], alpha=0.5, lw=0, zorder=3)
    ax.axhline(0.0, color="0.3", lw=1.0, ls="--", zorder=2)
    bins = int(np.clip(f.size // 30, 3, 12))
    edges = np.unique(np.quantile(f, np.linspace(0, 1, bins + 1)))
    if edges.size > 2:
        which = np.clip(np.searchsorted(edges, f, side="right") - 1, 0, edges.size - 2)
        centres = np.array([f[which == b].mean() for b in range(edges.size - 1) if (which == b).any()])
        means = np.array([e[which == b].mean() for b in range(edges.size - 1) if (which == b).any()])
        ax.plot(centres, means, color=OKABE_ITO[4], lw=1.5, zorder=4)
    _labels(ax, lang, "common.axis.fitted", "common.axis.residual")
    return ax


def regression_diagnostics(fitted, residuals, *, lang: str = "id"):
    """The two residual plots of a regression side by side: normal Q–Q and residuals against fitted values.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, (a, b) = plt.subplots(1, 2, figsize=(MAX_WIDTH, 3.2))
    plot_qq(residuals, lang=lang, ax=a)
    plot_residuals_fitted(fitted, residuals, lang=lang, ax=b)
    fig.tight_layout()
    return fig


def plot_scree(
    data: pd.DataFrame,
    *,
    observed: str = "pc_observed",
    simulated: str = "pc_simulated",
    lang: str = "id",
    ax=None,
):
    """Scree plot with parallel analysis: observed eigenvalues and the simulated reference (random data).

    Factors (components) whose observed eigenvalue lies above the simulated line are retained (Horn 1965).

    Parameters
    ----------
    data : pandas.DataFrame
        :func:`kinerja_research.measure.parallel_analysis` output, one row per position ``term`` ("1", "2", ...).
    observed, simulated : str
        Columns drawn: ``pc_observed``/``pc_simulated`` (components) or ``fa_observed``/``fa_simulated``.

    Returns
    -------
    matplotlib.axes.Axes
    """
    _check(data, ["term", observed, simulated])
    ax = _ax(ax)
    k = np.arange(1, len(data) + 1)
    ax.plot(
        k,
        data[observed].to_numpy(dtype=float),
        marker="o",
        color=OKABE_ITO[3],
        label=_t(lang)("common.legend.observed"),
    )
    ax.plot(
        k,
        data[simulated].to_numpy(dtype=float),
        marker="x",
        ls="--",
        color=OKABE_ITO[4],
        label=_t(lang)("common.legend.simulated"),
    )
    ax.set_xticks(k)
    ax.set_xlim(0.5, len(data) + 0.5)
    _legend_outside(ax, bbox_to_anchor=(0.5, -0.2))
    _labels(ax, lang, "common.axis.factor_number", "common.axis.eigenvalue")
    return ax


def plot_correlations(
    data: pd.DataFrame,
    *,
    labels: Mapping[str, str] | None = None,
    lang: str = "id",
    ax=None,
):
    """Heatmap of a correlation matrix (−1 to 1, diverging colours) with the coefficients written in the cells.

    Parameters
    ----------
    data : pandas.DataFrame
        Square correlation matrix (index and columns the same variables).
    labels : dict, optional
        Shown text of each variable.

    Returns
    -------
    matplotlib.axes.Axes
    """
    if data.shape[0] != data.shape[1] or list(data.index) != list(data.columns):
        raise KinerjaError("plot_correlations needs a square matrix whose index and columns are the same variables.")
    k = data.shape[0]
    ax = _ax(ax, (min(1.6 + 0.75 * k, MAX_WIDTH), min(1.2 + 0.6 * k, MAX_WIDTH)))
    m = data.to_numpy(dtype=float)
    image = ax.imshow(m, cmap="RdBu_r", vmin=-1, vmax=1)
    names = [str((labels or {}).get(c, c)) for c in data.columns]
    ax.set_xticks(range(k))
    ax.set_xticklabels(names, rotation=35, ha="right")
    ax.set_yticks(range(k))
    ax.set_yticklabels(names)
    for i in range(k):
        for j in range(k):
            if np.isfinite(m[i, j]):
                ax.text(
                    j,
                    i,
                    format_number(m[i, j], 2, lang),
                    ha="center",
                    va="center",
                    fontsize=8,
                    color="white" if abs(m[i, j]) > 0.6 else "black",
                )
    ax.figure.colorbar(image, ax=ax, shrink=0.8)
    ax.spines[:].set_visible(False)
    return ax


def plot_item_r(
    data: pd.DataFrame,
    *,
    item: str = "item",
    r: str = "r_item_total",
    r_crit: str = "r_crit",
    lang: str = "id",
    ax=None,
):
    """Item validity: each item's r hitung as a bar, its r tabel as a mark; bars short of the mark are not valid.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per item (e.g. :func:`kinerja_research.measure.item_analysis`), with ``r`` and ``r_crit``.

    Returns
    -------
    matplotlib.axes.Axes
    """
    _check(data, [item, r, r_crit])
    df = data.reset_index(drop=True)
    ax = _ax(ax, (MAX_WIDTH, 1.0 + 0.28 * len(df)))
    pos = np.arange(len(df))
    values = df[r].to_numpy(dtype=float)
    crit = df[r_crit].to_numpy(dtype=float)
    colours = np.where(values > crit, OKABE_ITO[3], OKABE_ITO[4])
    ax.barh(pos, values, color=colours, height=0.6, zorder=2)
    ax.scatter(crit, pos, marker="|", s=180, color="0.1", zorder=3)
    ax.set_yticks(pos)
    ax.set_yticklabels(df[item].astype(str))
    ax.set_ylim(max(len(df), 1) - 0.5, -0.5)
    ax.set_xlim(min(0.0, float(np.nanmin(values)) - 0.05), 1.0)
    t = _t(lang)
    _legend_outside(
        ax,
        handles=[
            Patch(color=OKABE_ITO[3], label=t("instrument.valid")),
            Patch(color=OKABE_ITO[4], label=t("instrument.not_valid")),
            plt.Line2D([], [], marker="|", ls="", color="0.1", markersize=12, label=t("instrument.col.r_crit")),
        ],
        bbox_to_anchor=(0.5, -0.06 - 1.2 / (1.0 + 0.28 * len(df))),
    )
    _labels(ax, lang, "instrument.col.r_item_total", None)
    return ax


def plot_path_diagram(
    data: pd.DataFrame,
    *,
    factor_labels: Mapping[str, str] | None = None,
    loading: str = "std_all",
    lang: str = "id",
    ax=None,
):
    """Path diagram of a confirmatory factor model: factors (ellipses), items (boxes), standardised loadings on the
    arrows and the factor correlations on curved double arrows. Drawn with matplotlib alone.

    Parameters
    ----------
    data : pandas.DataFrame
        ``CFAResult.estimates``: rows with ``op`` ``"=~"`` (``lhs`` factor, ``rhs`` item) and ``"~~"`` between two
        different factors; ``loading`` the standardised estimate (lavaan ``std.all``).
    factor_labels : dict, optional
        Shown text of each factor.

    Returns
    -------
    matplotlib.axes.Axes
    """
    _check(data, ["op", "lhs", "rhs", loading])
    lam = data[data["op"] == "=~"].reset_index(drop=True)
    if lam.empty:
        raise KinerjaError("plot_path_diagram: the estimates hold no loading (op '=~'); the rule is a CFA result.")
    factors = list(dict.fromkeys(lam["lhs"].astype(str)))
    cov = data[(data["op"] == "~~") & data["lhs"].isin(factors) & data["rhs"].isin(factors)]
    cov = cov[cov["lhs"] != cov["rhs"]]
    n_items = len(lam)
    ax = _ax(ax, (MAX_WIDTH, 0.8 + 0.36 * n_items))
    ax.set_xlim(0, 1)
    ax.set_ylim(n_items - 0.5 + 0.3, -0.8)
    ax.axis("off")
    # No ticks on the hidden axes: the picture is the same (the axes are off), but without them every draw, tight
    # layout and tight bounding box skips laying out the tick labels that the title placement measures
    ax.set_xticks([])
    ax.set_yticks([])
    item_y = {}
    for i, row in lam.iterrows():
        item_y[(row["lhs"], row["rhs"])] = float(i)
    factor_y = {f: float(np.mean([y for (fl, _), y in item_y.items() if fl == f])) for f in factors}
    fx, ix = 0.28, 0.78
    for i, row in lam.iterrows():
        ax.add_patch(Rectangle((ix - 0.06, i - 0.32), 0.12, 0.64, fill=False, lw=1.0, ec="0.2"))
        ax.text(ix, i, str(row["rhs"]), ha="center", va="center", fontsize=8)
        value = float(row[loading])
        arrow = FancyArrowPatch(
            (fx + 0.11, factor_y[row["lhs"]]),
            (ix - 0.06, i),
            arrowstyle="-|>",
            mutation_scale=8,
            lw=0.6 + 1.6 * min(abs(value), 1.0),
            color="0.25" if abs(value) <= 1 else OKABE_ITO[4],
        )
        ax.add_patch(arrow)
        t = 0.72
        ax.text(
            (fx + 0.11) * (1 - t) + (ix - 0.06) * t,
            factor_y[row["lhs"]] * (1 - t) + i * t - 0.12,
            format_number(value, 2, lang),
            fontsize=7,
            ha="center",
            va="bottom",
            color="0.1",
            bbox=dict(boxstyle="round,pad=0.1", fc="white", ec="none", alpha=0.8),
        )
    height = max(0.8, min(2.0, 0.5 * n_items / max(len(factors), 1)))
    for f in factors:
        ax.add_patch(Ellipse((fx, factor_y[f]), 0.22, height, fill=False, lw=1.2, ec="0.1"))
        name = textwrap.fill(str((factor_labels or {}).get(f, f)), 14)
        ax.text(fx, factor_y[f], name, ha="center", va="center", fontsize=7.5)
    for k, row in enumerate(cov.itertuples()):
        ya, yb = factor_y[str(row.lhs)], factor_y[str(row.rhs)]
        arc = FancyArrowPatch(
            (fx - 0.11, ya),
            (fx - 0.11, yb),
            arrowstyle="<|-|>",
            mutation_scale=7,
            connectionstyle=f"arc3,rad={0.35 + 0.1 * (k % 3)}",
            lw=0.8,
            color="0.45",
        )
        ax.add_patch(arc)
        ax.text(
            fx - 0.19 - 0.03 * (k % 3),
            (ya + yb) / 2,
            format_number(float(getattr(row, loading)), 2, lang),
            fontsize=7,
            ha="right",
            va="center",
            color="0.3",
        )
    return ax


def path_diagram(data: pd.DataFrame, *, factor_labels: Mapping[str, str] | None = None, lang: str = "id"):
    """Figure-level :func:`plot_path_diagram` (the figure's height follows the number of items).

    Returns
    -------
    matplotlib.figure.Figure
    """
    return plot_path_diagram(data, factor_labels=factor_labels, lang=lang).figure


def scree_panels(data: Mapping[str, pd.DataFrame], *, lang: str = "id", columns: int = 2):
    """One scree plot with parallel analysis per instrument (``{title: parallel_analysis output}``), in a grid.

    Returns
    -------
    matplotlib.figure.Figure
    """
    if not data:
        raise KinerjaError("scree_panels got no instrument; the rule is at least one parallel-analysis table.")
    rows = int(np.ceil(len(data) / columns))
    fig, axes = plt.subplots(rows, columns, figsize=(MAX_WIDTH, 2.6 * rows + 0.6), squeeze=False)
    for ax, (title, pa) in zip(axes.ravel(), data.items()):
        plot_scree(pa, lang=lang, ax=ax)
        ax.set_title(title, fontsize=9, loc="left")
        ax.get_legend().remove()
    for ax in axes.ravel()[len(data) :]:
        ax.axis("off")
    handles, labels = axes.ravel()[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=2, frameon=False, fontsize=9)
    fig.tight_layout(rect=(0, 0.06, 1, 1))
    return fig


def path_diagrams(data: Mapping[str, tuple[pd.DataFrame, Mapping[str, str]]], *, lang: str = "id"):
    """Path diagrams of several CFA models stacked in one figure (``{title: (estimates, factor_labels)}``), each
    panel as tall as its number of items.

    Returns
    -------
    matplotlib.figure.Figure
    """
    if not data:
        raise KinerjaError("path_diagrams got no model; the rule is at least one CFA result.")
    sizes = [max(int((est["op"] == "=~").sum()), 1) for est, _ in data.values()]
    fig, axes = plt.subplots(
        len(data), 1, figsize=(MAX_WIDTH, 0.6 * len(data) + 0.36 * sum(sizes)), height_ratios=sizes, squeeze=False
    )
    for ax, (title, (est, labels)) in zip(axes[:, 0], data.items()):
        plot_path_diagram(est, factor_labels=labels, lang=lang, ax=ax)
        ax.set_title(title, fontsize=9, loc="left")
    fig.tight_layout()
    return fig
