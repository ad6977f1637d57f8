"""``ctx.figure`` measures the tight bounding box without savefig's dry-run draw: the PNG must be the bytes that
``savefig(bbox_inches="tight")`` writes, for figures with a legend outside the axes, long labels and panels."""

from __future__ import annotations

import io

import matplotlib
import matplotlib.pyplot as plt
import pandas as pd
import pytest

from kinerja_research.report import notebook as nbmod
from kinerja_research.report import plots

matplotlib.use("Agg")


def _tight_png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(
        buf,
        format="png",
        dpi=nbmod.FIGURE_DPI,
        bbox_inches="tight",
        metadata={"Software": "kinerja_research (matplotlib Agg)"},
    )
    return buf.getvalue()


def _fast_png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(
        buf,
        format="png",
        dpi=nbmod.FIGURE_DPI,
        bbox_inches=nbmod._tight_bbox(fig),
        metadata={"Software": "kinerja_research (matplotlib Agg)"},
    )
    return buf.getvalue()


def _means():
    return pd.DataFrame(
        {
            "region": ["18.71", "17.71", "11.73"],
            "estimate": [3.9, 4.2, 3.5],
            "ci_low": [3.6, 3.9, 3.1],
            "ci_high": [4.2, 4.5, 3.9],
            "n": [120, 80, 40],
        }
    )


def _shares():
    return pd.DataFrame(
        {
            "group": ["Golongan I", "Golongan II", "Golongan III", "Golongan IV"] * 2,
            "category": ["memenuhi 20 JP"] * 4 + ["belum memenuhi 20 JP"] * 4,
            "share": [0.3, 0.4, 0.5, 0.6, 0.7, 0.6, 0.5, 0.4],
            "count": [30, 40, 50, 60, 70, 60, 50, 40],
        }
    )


@pytest.mark.parametrize("draw", ["means", "legend_outside", "panels", "plain_figure"])
def test_ctx_figure_png_equals_savefig_tight(draw):
    nbmod._configure_matplotlib()
    figs = []
    for _ in range(2):  # the same figure drawn twice: one saved each way
        if draw == "means":
            fig = plots.plot_means_ci(_means(), lang="id", xlabel="common.col.mean").figure
        elif draw == "legend_outside":
            fig, ax = plt.subplots()
            for k, colour in zip(("Sebelum pelatihan", "Sesudah pelatihan (kelompok yang dilatih)"), ("C0", "C1")):
                ax.plot([2022, 2023, 2024], [70, 72 + len(k) % 3, 75], label=k, color=colour)
            plots._legend_outside(ax)
            ax.set_ylabel("Capaian SKP (%)")
        elif draw == "panels":
            fig, axes = plt.subplots(1, 2, figsize=(6.5, 3))
            for ax, (g, d) in zip(axes, _shares().groupby("category")):
                ax.barh(d["group"], d["share"])
                ax.set_title(g)
        else:
            fig = matplotlib.figure.Figure()  # no pyplot canvas: falls back to savefig's own "tight"
            fig.add_subplot().plot([1, 2], [3, 4])
        figs.append(fig)
    assert _fast_png(figs[0]) == _tight_png(figs[1])
    for f in figs:
        plt.close(f)


def _cfa(shift: float = 0.0) -> pd.DataFrame:
    rows = [("=~", "Dukungan", f"D{i}", 0.5 + 0.07 * i + shift) for i in range(1, 5)]
    rows += [("=~", "Kesiapan berubah", f"K{i}", 0.9 - 0.1 * i) for i in range(1, 4)]
    rows += [("~~", "Dukungan", "Kesiapan berubah", 0.42), ("~~", "Dukungan", "Dukungan", 1.0)]
    return pd.DataFrame(rows, columns=["op", "lhs", "rhs", "std_all"])


def _scree(k: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "term": [str(i) for i in range(1, k + 1)],
            "pc_observed": [3.1 / i for i in range(1, k + 1)],
            "pc_simulated": [1.4 - 0.1 * i for i in range(1, k + 1)],
            "fa_observed": [2.6 / i - 0.3 for i in range(1, k + 1)],
            "fa_simulated": [0.5 - 0.05 * i for i in range(1, k + 1)],
        }
    )


@pytest.mark.parametrize("draw", ["path_diagrams", "scree_panels", "diagnostics"])
def test_figures_laid_out_by_tight_layout_keep_their_bytes(draw):
    """``fig.tight_layout()`` leaves a placeholder layout engine; ``ctx.figure`` drops it to skip savefig's dry-run
    draw, and the PNG stays the bytes of ``savefig(bbox_inches="tight")`` on the figure as drawn."""
    nbmod._configure_matplotlib()
    figs = []
    for _ in range(2):
        if draw == "path_diagrams":
            fig = plots.path_diagrams({"Motivasi": (_cfa(), {}), "RTC": (_cfa(0.05), {"Dukungan": "Dukungan atasan"})})
        elif draw == "scree_panels":
            fig = plots.scree_panels({"Motivasi": _scree(6), "RTC": _scree(5), "Kepuasan": _scree(4)})
        else:
            fig = plots.regression_diagnostics([1.0, 2.0, 3.5, 4.0, 5.5, 6.0], [0.1, -0.3, 0.2, 0.05, -0.1, 0.4])
        assert fig.get_layout_engine() is not None  # the placeholder tight_layout() leaves
        figs.append(fig)
    assert nbmod._tight_bbox(figs[0]) != "tight"
    assert _fast_png(figs[0]) == _tight_png(figs[1])
    for f in figs:
        plt.close(f)


def test_a_layout_engine_keeps_savefigs_tight():
    fig, ax = plt.subplots(layout="constrained")
    ax.plot([1, 2], [3, 4])
    assert nbmod._tight_bbox(fig) == "tight"
    plt.close(fig)


def _pixels(png: bytes):
    import numpy as np
    from PIL import Image

    im = Image.open(io.BytesIO(png))
    return im, np.asarray(im.convert("RGBA"))


@pytest.mark.parametrize("draw", ["means", "path_diagrams", "scree_panels", "constrained"])
def test_page_png_has_the_pixels_of_savefig_tight(draw):
    """``ctx.figure``'s PNG (``_figure_png``: RGB at zlib level 3 for an opaque figure) has exactly the pixels, size,
    dpi and text chunk of ``savefig(bbox_inches="tight")``'s RGBA PNG."""
    nbmod._configure_matplotlib()
    figs = []
    for _ in range(2):
        if draw == "means":
            fig = plots.plot_means_ci(_means(), lang="id", xlabel="common.col.mean").figure
        elif draw == "path_diagrams":
            fig = plots.path_diagrams({"Motivasi": (_cfa(), {}), "RTC": (_cfa(0.05), {"Dukungan": "Dukungan atasan"})})
        elif draw == "scree_panels":
            fig = plots.scree_panels({"Motivasi": _scree(6), "RTC": _scree(5), "Kepuasan": _scree(4)})
        else:  # a layout engine: matplotlib's own "tight" and PNG writer
            fig, ax = plt.subplots(layout="constrained")
            ax.plot([1, 2], [3, 4])
        figs.append(fig)
    new, old = nbmod._figure_png(figs[0]), _tight_png(figs[1])
    (im_new, px_new), (im_old, px_old) = _pixels(new), _pixels(old)
    assert im_new.size == im_old.size and (px_new == px_old).all()
    assert im_new.info["Software"] == im_old.info["Software"] == nbmod.PNG_SOFTWARE
    assert im_new.info["dpi"] == im_old.info["dpi"]
    if draw == "constrained":
        assert new == old
    else:
        assert im_new.mode == "RGB" and im_old.mode == "RGBA"
    for f in figs:
        plt.close(f)


def test_page_png_keeps_the_alpha_of_a_transparent_figure():
    nbmod._configure_matplotlib()
    figs = []
    for _ in range(2):
        fig, ax = plt.subplots()
        ax.plot([1, 2], [3, 4])
        fig.patch.set_alpha(0.0)
        figs.append(fig)
    new = nbmod._figure_png(figs[0])
    assert new == _fast_png(figs[1])  # matplotlib's RGBA PNG, as before
    im, px = _pixels(new)
    assert im.mode == "RGBA" and (px[..., 3] < 255).any()
    for f in figs:
        plt.close(f)


def test_path_diagram_axes_carry_no_ticks():
    """The axes of a path diagram are off: no tick is laid out when the figure is drawn or measured."""
    ax = plots.plot_path_diagram(_cfa())
    assert not ax.axison
    assert list(ax.get_xticks()) == [] and list(ax.get_yticks()) == []
    plt.close(ax.figure)
