"""report.plots: every axes-level function returns an Axes with the expected artists on tiny data, and the axes are
honest (proportions in %, bars from zero, the scale's range, reference lines, legends outside the bars)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.collections import PolyCollection  # noqa: E402
from matplotlib.patches import Ellipse, FancyArrowPatch, Rectangle  # noqa: E402

from kinerja_research.errors import KinerjaError  # noqa: E402
from kinerja_research.report import plots  # noqa: E402


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def _bars(ax):
    return [p for p in ax.patches if isinstance(p, Rectangle) and p.get_width() != 0 and p.get_height() != 0]


def _dashed_lines(ax):
    return [ln for ln in ax.get_lines() if ln.get_linestyle() == "--"]


def _legend_outside_axes(ax) -> bool:
    """The legend's box lies outside the plotting area (below or beside it), so it covers no bar or point."""
    leg = ax.get_legend()
    assert leg is not None
    fig = ax.figure
    fig.canvas.draw()
    box, area = leg.get_window_extent(), ax.get_window_extent()
    return box.y1 <= area.y0 + 1 or box.x0 >= area.x1 - 1


REGIONS = pd.DataFrame(
    {
        "region": ["18.71", "17.71", "11.73"],
        "estimate": [3.9, 4.1, 3.7],
        "ci_low": [3.7, 3.9, 3.4],
        "ci_high": [4.1, 4.3, 4.0],
        "n": [40, 35, 3],
    }
)


def test_means_ci_scale_range_reference_and_small_groups():
    ax = plots.plot_means_ci(REGIONS, lang="id", limits=(1, 6), ref=3.5, ref_label="titik tengah")
    assert isinstance(ax, plt.Axes)
    assert ax.get_xlim() == (1.0, 6.0)  # the whole 1-6 scale, not 3.6-4.2
    assert len(_dashed_lines(ax)) == 1 and _dashed_lines(ax)[0].get_xdata()[0] == 3.5
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Kota Bandar Lampung", "Kota Bengkulu"]
    assert ax.figure._kr_notes  # the 3-person region is left out, with a note


def test_means_ci_bands_show_a_crossing_interval():
    data = pd.DataFrame({"region": ["53.71"], "estimate": [76.2], "ci_low": [75.05], "ci_high": [77.41], "n": [90]})
    bands = {"C": (65.0, 76.60), "B": (76.61, 88.30)}
    ax = plots.plot_means_ci(data, lang="id", bands=bands, ref=76.61, min_n=5)
    spans = [p for p in ax.patches if isinstance(p, Rectangle) or p.__class__.__name__ == "Polygon"]
    assert len(spans) >= 2  # one shaded band per mutu
    assert {t.get_text() for t in ax.texts} >= {"B", "C"}


def test_means_ci_hue_legend_is_outside():
    data = pd.concat([REGIONS.assign(wave="pre"), REGIONS.assign(wave="post", estimate=REGIONS["estimate"] + 0.1)])
    ax = plots.plot_means_ci(data, hue="wave", lang="en", min_n=None)
    assert _legend_outside_axes(ax)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Before training", "After training"]


def test_forest_and_panels():
    effects = REGIONS.assign(estimate=[1.0, -0.5, 0.2], ci_low=[0.5, -1.0, -0.2], ci_high=[1.5, 0.0, 0.6])
    ax = plots.plot_forest(effects, lang="en", min_n=None)
    assert isinstance(ax, plt.Axes) and _dashed_lines(ax)[0].get_xdata()[0] == 0.0
    family = pd.concat([effects.assign(theme="training"), effects.assign(theme="rewards")])
    fig = plots.forest_panels(family, panel="theme", titles={"training": "T", "rewards": "R", "none": "N"}, lang="en")
    assert len(fig.axes) == 2 and [a.get_title(loc="left") for a in fig.axes] == ["T", "R"]


def test_shares_are_percent_from_zero_with_target():
    data = pd.DataFrame(
        {"region": ["18.71", "17.71"], "estimate": [0.32, 0.40], "ci_low": [0.25, 0.33], "ci_high": [0.4, 0.48]}
    )
    data["n"] = 100
    ax = plots.plot_shares(data, lang="id", ref=1.0, ref_label="target")
    assert ax.get_xlim() == (0.0, 1.0)
    assert len(_bars(ax)) == 2 and all(b.get_x() == 0 for b in _bars(ax))
    ax.figure.canvas.draw()
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert "40%" in ticks and "100%" in ticks
    with pytest.raises(KinerjaError, match="proportion"):
        plots.plot_shares(data.assign(estimate=[32.0, 40.0]))


def test_bars_start_at_zero_with_reference_and_outside_legend():
    data = pd.DataFrame(
        {
            "element": ["U1", "U2", "U1", "U2"],
            "score": [80.0, 70.0, 82.0, 75.0],
            "region_name": ["A", "A", "B", "B"],
            "n": [50, 50, 60, 60],
        }
    )
    ax = plots.plot_bars(data, x="score", y="element", hue="region_name", n_col="n", lang="id", ref=76.61)
    assert ax.get_xlim()[0] == 0 and len(_bars(ax)) == 4
    assert _legend_outside_axes(ax)
    assert len(_dashed_lines(ax)) == 1
    with pytest.raises(KinerjaError, match="zero"):
        plots.plot_bars(data, x="score", y="element", limits=(60, 90))


def test_trends_lines_bands_and_event():
    data = pd.DataFrame(
        {
            "period": ["2025-S1", "2025-S2", "2026-S1", "2026-S2"] * 2,
            "group": ["trained"] * 4 + ["untrained"] * 4,
            "estimate": [80, 81, 86, 87, 79, 80, 81, 81.5],
        }
    )
    data = data.assign(ci_low=data["estimate"] - 1, ci_high=data["estimate"] + 1, n=50)
    ax = plots.plot_trends(data, event="2026-S1", hue_labels={"trained": "Dilatih", "untrained": "Tidak"}, lang="id")
    assert len([ln for ln in ax.get_lines() if ln.get_marker() == "o"]) == 2
    assert len([c for c in ax.collections if isinstance(c, PolyCollection)]) == 2
    assert [t.get_text() for t in ax.get_xticklabels()][0] == "Semester I 2025"
    assert _dashed_lines(ax)[0].get_xdata()[0] == 1.5  # between the last period before and the first after
    assert _legend_outside_axes(ax)


def test_qq_and_residuals_fitted():
    rng = np.random.default_rng(1)
    e = rng.normal(size=60)
    ax = plots.plot_qq(e, lang="en")
    assert ax.collections[0].get_offsets().shape == (60, 2) and len(_dashed_lines(ax)) == 1
    assert ax.get_xlabel() == "Theoretical normal quantile"
    ax = plots.plot_residuals_fitted(rng.normal(size=60), e, lang="id")
    assert ax.collections[0].get_offsets().shape == (60, 2)
    assert any(ln.get_linestyle() == "-" for ln in ax.get_lines())  # the running mean
    fig = plots.regression_diagnostics(rng.normal(size=60), e, lang="id")
    assert len(fig.axes) == 2
    with pytest.raises(KinerjaError, match="at least 3"):
        plots.plot_qq([1.0, np.nan])


def test_scree_with_parallel_analysis():
    pa = pd.DataFrame({"term": ["1", "2", "3"], "pc_observed": [2.1, 0.6, 0.3], "pc_simulated": [1.2, 1.0, 0.8]})
    ax = plots.plot_scree(pa, lang="en")
    lines = ax.get_lines()
    assert len(lines) == 2 and list(lines[0].get_ydata()) == [2.1, 0.6, 0.3]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Observed data", "Random data (parallel analysis)"]


def test_correlation_heatmap_annotates_cells():
    corr = pd.DataFrame([[1.0, 0.42], [0.42, 1.0]], index=["rtc", "sus"], columns=["rtc", "sus"])
    ax = plots.plot_correlations(corr, labels={"rtc": "Resistensi", "sus": "SUS"}, lang="id")
    assert sorted(t.get_text() for t in ax.texts) == ["0,42", "0,42", "1,00", "1,00"]
    assert ax.images[0].get_clim() == (-1.0, 1.0)
    with pytest.raises(KinerjaError, match="square"):
        plots.plot_correlations(corr.iloc[:, :1])


def test_item_r_marks_r_table():
    items = pd.DataFrame({"item": ["A1", "A2"], "r_item_total": [0.55, 0.12], "r_crit": [0.2, 0.2]})
    ax = plots.plot_item_r(items, lang="id")
    assert len(_bars(ax)) == 2
    assert ax.collections[0].get_offsets()[:, 0].tolist() == [0.2, 0.2]  # r tabel marks
    colours = {tuple(b.get_facecolor()) for b in _bars(ax)}
    assert len(colours) == 2  # valid and not valid differ


def test_path_diagram_draws_factors_items_and_loadings():
    est = pd.DataFrame(
        {
            "op": ["=~", "=~", "=~", "=~", "~~", "~~"],
            "lhs": ["f1", "f1", "f2", "f2", "f1", "f1"],
            "rhs": ["x1", "x2", "x3", "x4", "f2", "f1"],
            "std_all": [0.71, 0.65, 0.80, 0.55, 0.30, 1.0],
        }
    )
    ax = plots.plot_path_diagram(est, factor_labels={"f1": "Faktor 1", "f2": "Faktor 2"}, lang="id")
    assert len([p for p in ax.patches if isinstance(p, Ellipse)]) == 2
    assert len([p for p in ax.patches if isinstance(p, Rectangle)]) == 4
    assert len([p for p in ax.patches if isinstance(p, FancyArrowPatch)]) == 5  # 4 loadings + 1 correlation
    texts = {t.get_text() for t in ax.texts}
    assert {"0,71", "0,30", "Faktor 1", "x4"} <= texts
    assert plots.path_diagram(est).axes


def test_loadings_and_distribution():
    lam = pd.DataFrame({"item": ["x1", "x2"], "std_all": [0.7, 0.5], "factor": ["F", "G"]})
    ax = plots.plot_loadings(lam, loading="std_all", factor="factor", lang="en")
    assert ax.get_xlim()[0] == 0 and _legend_outside_axes(ax)
    d = pd.DataFrame({"x": np.r_[np.arange(1, 11), np.arange(1, 11)], "region_code": ["18.71"] * 10 + ["17.71"] * 10})
    ax = plots.plot_distribution(d, x="x", lang="en", log=True, ref=2.0, min_n=None)
    assert ax.get_xscale() == "log" and len(_dashed_lines(ax)) == 1


def test_no_figure_is_wider_than_the_page():
    """Issue 14.4: every figure fits the text width of an A4 page (plots.MAX_WIDTH inches), also the multi-panel
    ones and a heatmap of many scales, so print never shrinks their labels."""
    rng = np.random.default_rng(2)
    effects = REGIONS.assign(estimate=[1.0, -0.5, 0.2], ci_low=[0.5, -1.0, -0.2], ci_high=[1.5, 0.0, 0.6])
    family = pd.concat([effects.assign(theme=t) for t in ("a", "b", "c", "d")])
    pa = pd.DataFrame({"term": ["1", "2", "3"], "pc_observed": [2.1, 0.6, 0.3], "pc_simulated": [1.2, 1.0, 0.8]})
    names = [f"s{i}" for i in range(9)]
    corr = pd.DataFrame(np.eye(9), index=names, columns=names)
    figures = [
        plots.forest_panels(family, panel="theme", titles={t: t for t in "abcd"}, lang="en"),
        plots.regression_diagnostics(rng.normal(size=60), rng.normal(size=60), lang="en"),
        plots.scree_panels({f"i{k}": pa for k in range(5)}, lang="en"),
        plots.plot_correlations(corr, lang="en").figure,
        plots.plot_means_ci(REGIONS, lang="en", min_n=None).figure,
    ]
    widths = [round(float(f.get_size_inches()[0]), 2) for f in figures]
    assert max(widths) <= plots.MAX_WIDTH, widths
