"""Axes-level figures for the reports: ``plot_x(data, *, ..., ax=None) -> Axes``; they never show or save.

- Colours are colour-blind safe (Okabe–Ito) and stable per region: :func:`region_palette` gives the four default
  regions fixed colours and any other region a colour derived from its code, moved to the next free colour only when
  two regions drawn together would share one (up to eight regions per figure without sharing a colour).
- Axis labels are translation keys (``xlabel="common.col.estimate"``) looked up in the report language.
- Groups describing fewer than ``min_n`` people (default: the run's small-cell threshold, 5) are left out; the
  figure carries a note (``fig._kr_notes``) that
  :meth:`Context.figure <kinerja_research.report.notebook.Context.figure>` prints under the caption.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from kinerja_research.errors import KinerjaError

__all__ = [
    "OKABE_ITO",
    "region_palette",
    "localise_axes",
    "plot_means_ci",
    "plot_forest",
    "plot_distribution",
    "plot_loadings",
    "plot_bars",
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
    from kinerja_research.report.i18n import translator

    return translator(lang)


def _ax(ax):
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots()
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
    from matplotlib.ticker import ScalarFormatter

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


def _region_label(code: str) -> str:
    try:
        from kinerja_research.regions import get_region

        return get_region(str(code)).name
    except Exception:
        return str(code)


def _suppress_groups(data: pd.DataFrame, counts: pd.Series, min_n, ax, lang: str) -> pd.DataFrame:
    """Drop rows whose group count is below ``min_n`` and note it on the figure."""
    from kinerja_research.report.tables import _resolve_min_n

    min_n = _resolve_min_n(min_n)
    if min_n is None:
        return data
    small = counts < min_n
    if small.any():
        add_note(ax, _t(lang)("common.suppressed_note", min_n=min_n))
        return data.loc[~small.to_numpy()]
    return data


def _check(data: pd.DataFrame, cols: Sequence[str | None]) -> None:
    from kinerja_research.results import check_columns

    check_columns(data, cols, what="plot data")


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
        Second grouping (e.g. ``wave``), drawn as dodged points.
    min_n : int or None
        Groups with ``n_col < min_n`` are left out (with a note).
    ref : float, optional
        Draw a reference line at this value.

    Returns
    -------
    matplotlib.axes.Axes
    """
    _check(data, [x, y, ci_low, ci_high, hue, n_col])
    ax = _ax(ax)
    df = data.reset_index(drop=True)
    if n_col is not None:
        df = _suppress_groups(df, pd.to_numeric(df[n_col], errors="coerce"), min_n, ax, lang)
    groups = list(dict.fromkeys(df[y].astype(str)))
    is_region = y in ("region", "region_code")
    pos = {g: i for i, g in enumerate(groups)}
    hues = list(dict.fromkeys(df[hue].astype(str))) if hue else [None]
    width = 0.6
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
                ax.errorbar(xi, yi, xerr=[[e0], [e1]], fmt="o", color=c, capsize=3)
        else:
            colour = (palette or {}).get(h) if h is not None else None
            colour = colour or OKABE_ITO[j % len(OKABE_ITO)]
            label = None
            if h is not None:
                key = f"common.{hue}.{h}"
                label = _t(lang)(key) if key in _t(lang) else h
            ax.errorbar(xx, yy, xerr=err, fmt="o", color=colour, capsize=3, label=label)
    ax.set_yticks(range(len(groups)))
    ax.set_yticklabels([_region_label(g) if is_region else g for g in groups])
    ax.invert_yaxis()
    if ref is not None:
        ax.axvline(ref, color="0.5", lw=0.8, ls="--")
    if hue:
        ax.legend(frameon=False)
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
    ax=None,
):
    """Forest plot of a tidy result: one row per estimate with its interval and a reference line (default 0).

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
        ax=ax,
    )


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

    Returns
    -------
    matplotlib.axes.Axes
    """
    import seaborn as sns

    _check(data, [x, group, subject])
    if kind not in ("box", "violin", "strip"):
        raise KinerjaError(f"plot_distribution kind {kind!r}; the rule is 'box', 'violin' or 'strip'.")
    ax = _ax(ax)
    df = data[[c for c in dict.fromkeys([x, group, subject]) if c]].dropna(subset=[x]).copy()
    df[group] = df[group].astype(str)
    sizes = df.groupby(group, sort=False)[subject].nunique() if subject else df.groupby(group, sort=False).size()
    from kinerja_research.report.tables import _resolve_min_n

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
    c = [colours[str(f)] for f in df[factor]] if factor else OKABE_ITO[3]
    ax.barh(ypos, df[loading].to_numpy(dtype=float), color=c)
    ax.set_yticks(ypos)
    ax.set_yticklabels(df[item].astype(str))
    ax.invert_yaxis()
    if threshold is not None:
        ax.axvline(threshold, color="0.4", lw=0.8, ls="--")
    if factor:
        from matplotlib.patches import Patch

        ax.legend(handles=[Patch(color=colours[f], label=f) for f in factors], frameon=False, loc="lower right")
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
    ax=None,
):
    """Bars of a summary value per group (e.g. IKM per region), small groups left out with a note.

    Returns
    -------
    matplotlib.axes.Axes
    """
    import seaborn as sns

    _check(data, [x, y, hue, n_col])
    ax = _ax(ax)
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
        sns.barplot(data=df, x=x, y=y, hue=hue, ax=ax, palette=palette, orient="h")
    ax.set_ylabel("")
    _labels(ax, lang, xlabel, ylabel)
    return ax
