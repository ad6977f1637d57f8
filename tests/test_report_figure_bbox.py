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


def test_a_layout_engine_keeps_savefigs_tight():
    fig, ax = plt.subplots(layout="constrained")
    ax.plot([1, 2], [3, 4])
    assert nbmod._tight_bbox(fig) == "tight"
    plt.close(fig)
