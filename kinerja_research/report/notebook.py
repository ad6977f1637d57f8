"""The notebook context: what a thin report notebook calls after its ``parameters`` cell.

.. code-block:: python

    import kinerja_research as kr
    ctx = kr.report.start("02_training_impact", dataset=dataset, regions=regions, lang=lang, alpha=alpha,
                          seed=seed, out_dir=out_dir)
    survey = ctx.tables["survey"]                       # processed tables, filtered to the regions
    ctx.heading("training.title", level=1)
    res = kr.did(...)                                   # a package function returning a tidy result
    ctx.show(res, caption_key="training.did_caption")   # formatted once: rounding, APA p, labels, "<5"
    ctx.figure(fig, "training.fig_trends")              # embedded PNG with a numbered, translated caption
    ctx.record("did_effect", res.loc[0, "estimate"], label_key="training.did_effect")
    ctx.finish()                                        # <stem>.headline.json + provenance block

Everything shown comes from the translation table (``report/i18n``); an unknown key raises. Output is deterministic
for the same inputs (figures are PNG with fixed metadata; the only varying parts are the run time and run id in the
provenance block).
"""

from __future__ import annotations

import base64
import html
import io
import json
import math
import os
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kinerja_research._io import write_text_atomic
from kinerja_research.errors import KinerjaError

__all__ = ["Context", "start", "STEM_ENV", "RUN_ID_ENV"]

#: Environment variable through which the runner names a job's outputs (``region_brief_18.71``).
STEM_ENV = "KINERJA_REPORT_STEM"
#: Environment variable holding the run id shown in the provenance block.
RUN_ID_ENV = "KINERJA_RUN_ID"
FIGURE_DPI = 110


def _display(obj) -> None:
    try:
        from IPython.display import display
    except ImportError:  # pragma: no cover - IPython ships with ipykernel
        print(obj)
        return
    display(obj)


def _html(text: str):
    from IPython.display import HTML

    return HTML(text)


def _markdown(text: str):
    from IPython.display import Markdown

    return Markdown(text)


def _jsonable(value: Any) -> Any:
    import numpy as np

    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        v = float(value)
        return None if math.isnan(v) or math.isinf(v) else v
    if value is None or isinstance(value, (int, str)):
        return value
    try:
        import pandas as pd

        if value is pd.NA:
            return None
    except ImportError:  # pragma: no cover
        pass
    raise KinerjaError(
        f"record() value {value!r} of type {type(value).__name__} cannot be stored; the rule is a "
        f"number, string, bool or None (convert it first)."
    )


def _configure_matplotlib() -> None:
    """Deterministic, readable figures: fixed SVG hash salt, no date in metadata, one style for every report."""
    import matplotlib

    matplotlib.rcParams.update(
        {
            "svg.hashsalt": "kinerja-research",
            "figure.dpi": FIGURE_DPI,
            "savefig.dpi": FIGURE_DPI,
            "figure.figsize": (7.0, 4.2),
            "axes.spines.top": False,
            "axes.spines.right": False,
            "font.size": 10,
        }
    )


class Context:
    """State of one report notebook: parameters, data, translator, numbering and recorded headline figures.

    Create it with :func:`start`. Attributes: ``notebook``, ``stem`` (output file name), ``dataset``, ``regions``
    (Kemendagri codes; every region of the data when the parameter was empty), ``lang``, ``alpha``, ``seed``,
    ``out_dir``, ``params``, ``records``.
    """

    def __init__(
        self,
        notebook: str,
        *,
        dataset: str = "default",
        regions: Sequence[str] = (),
        lang: str = "id",
        alpha: float = 0.05,
        seed: int = 2026,
        out_dir: str | os.PathLike = "",
        min_n: int | None = None,
    ):
        from kinerja_research.report.i18n import Translator
        from kinerja_research.report.tables import min_cell_n
        from kinerja_research.results import check_alpha

        if not isinstance(notebook, str) or not notebook:
            raise KinerjaError(
                f"start() got notebook {notebook!r}; the rule is the notebook's file name without .ipynb."
            )
        check_alpha(alpha)
        if isinstance(regions, str):
            regions = [regions]
        self.notebook = notebook
        self.stem = os.environ.get(STEM_ENV) or notebook
        self.dataset = dataset
        self.lang = lang
        self.alpha = float(alpha)
        self.seed = int(seed)
        self.out_dir = Path(out_dir) if out_dir else Path.cwd()
        self.min_n = min_cell_n() if min_n is None else int(min_n)
        self._t = Translator(lang)
        self._requested = [self._resolve(r) for r in regions]
        self.regions: list[str] = list(self._requested)
        self.params = {
            "dataset": str(dataset),
            "regions": list(regions),
            "lang": lang,
            "alpha": float(alpha),
            "seed": int(seed),
        }
        self.records: list[dict[str, Any]] = []
        self._tables: dict | None = None
        self._n_tables = 0
        self._n_figures = 0
        self._finished = False
        self.started_at = datetime.now(UTC)
        _configure_matplotlib()

    # -- data -------------------------------------------------------------------------------------------------------
    @staticmethod
    def _resolve(region: str) -> str:
        try:
            from kinerja_research.regions import resolve_region
        except ImportError:
            return str(region)
        return resolve_region(str(region)).code

    @property
    def tables(self) -> dict:
        """Processed tables (``pipeline.load_processed(dataset)``) restricted to :attr:`regions`."""
        if self._tables is None:
            from kinerja_research.pipeline import load_processed

            raw = load_processed(self.dataset)
            present = sorted(
                {
                    str(c)
                    for df in raw.values()
                    if "region_code" in df.columns
                    for c in df["region_code"].dropna().unique()
                }
            )
            if self._requested:
                absent = [r for r in self._requested if r not in present]
                if absent:
                    raise KinerjaError(
                        f"region(s) {absent} have no rows in dataset {self.dataset!r} (regions present: "
                        f"{present}); the rule is that a report covers regions present in the data."
                    )
                keep = list(self._requested)
            else:
                keep = present
            self.regions = keep
            self._tables = {
                name: (
                    df[df["region_code"].astype(str).isin(keep)].reset_index(drop=True)
                    if "region_code" in df.columns
                    else df
                )
                for name, df in raw.items()
            }
        return self._tables

    @property
    def region(self) -> str:
        """The one region of a per-region report (``region_brief``); raises unless exactly one region is chosen."""
        _ = self.tables
        if len(self.regions) != 1:
            raise KinerjaError(
                f"notebook {self.notebook!r} describes one region but regions is {self.regions}; the "
                f"rule is regions=[one Kemendagri code] (the runner passes one per job)."
            )
        return self.regions[0]

    def region_name(self, code: str) -> str:
        """Registry name of a region code (the code itself when the registry does not know it)."""
        try:
            from kinerja_research.regions import get_region

            return get_region(code).name
        except Exception:
            return str(code)

    @property
    def palette(self) -> dict:
        """Colour per region code, the same in every report (:func:`report.plots.region_palette`)."""
        from kinerja_research.report.plots import region_palette

        _ = self.tables
        return region_palette(self.regions)

    # -- text ---------------------------------------------------------------------------------------------------------
    def t(self, key: str, **fmt: Any) -> str:
        """Translated text of ``key`` (``namespace.key``) with ``fmt`` values formatted for the language."""
        return self._t(key, **fmt)

    def fmt(self, value: Any, spec: str = "") -> str:
        """Format one number for prose (``spec``: ``p``, ``n``, ``pct`` or a format spec)."""
        from kinerja_research.report.tables import format_value

        return format_value(value, spec, self.lang)

    def ci(self, low: Any, high: Any, digits: int = 2) -> str:
        """A confidence interval for prose: ``[0.12, 0.45]`` (English) or ``[0,12; 0,45]`` (Indonesian)."""
        from kinerja_research.report.tables import format_ci

        return format_ci(low, high, digits, self.lang)

    @property
    def level(self) -> float:
        """Confidence level in percent, ``100 * (1 - alpha)``."""
        return 100 * (1 - self.alpha)

    def heading(self, key: str, level: int = 2, **fmt: Any) -> None:
        """Show a translated heading (``level`` 1–4)."""
        if level not in (1, 2, 3, 4):
            raise KinerjaError(f"heading level {level!r}; the rule is 1, 2, 3 or 4.")
        _display(_markdown("#" * level + " " + self.t(key, **fmt)))

    def is_small(self, n: Any) -> bool:
        """Whether a figure about ``n`` people is suppressed: the rule of
        :func:`kinerja_research.privacy.suppress_small_cells` (``n < min_n``; a missing ``n`` is not suppressed)
        with this run's threshold :attr:`min_n` (``kinerja report --min-cell``)."""
        if n is None:
            return False
        import pandas as pd

        from kinerja_research.privacy import suppress_small_cells

        flag = suppress_small_cells(
            pd.DataFrame({"n": [n]}), n_col="n", min_n=self.min_n, columns=[], flag_col="suppressed"
        )["suppressed"]
        return bool(flag.iloc[0])

    def regions_with(self, df, *, min_n: int, by: Sequence[str] = (), subject: str = "person_id"):
        """The rows of ``df`` from regions large enough for an analysis; shows a translated note naming the others.

        A region is kept when every cell of ``by`` seen anywhere in ``df`` (e.g. ``["trained", "wave"]``) holds at
        least ``min_n`` distinct ``subject`` values in it; with ``by=()`` the region as a whole needs ``min_n``. The
        regions left out are named in a note (``common.regions_left_out``) instead of failing the analysis.

        Returns
        -------
        pandas.DataFrame
            ``df`` without the rows of the regions left out (index reset).
        """
        import pandas as pd

        by = list(by)
        if df.empty:
            return df
        counts = df.groupby(["region_code", *by], observed=True)[subject].nunique()
        if by:
            full = pd.MultiIndex.from_product(
                [sorted(df["region_code"].astype(str).unique()), *[sorted(df[b].dropna().unique()) for b in by]],
                names=["region_code", *by],
            )
            counts.index = counts.index.set_levels(counts.index.levels[0].astype(str), level=0)
            counts = counts.reindex(full, fill_value=0)
        region_ok = (counts >= min_n).groupby(level="region_code").all() if by else (counts >= min_n)
        region_ok.index = region_ok.index.astype(str)
        left_out = sorted(region_ok.index[~region_ok.to_numpy()])
        if left_out:
            _display(
                _markdown(
                    self.t(
                        "common.regions_left_out", min_n=min_n, regions=", ".join(self.region_name(r) for r in left_out)
                    )
                )
            )
        return df[~df["region_code"].astype(str).isin(left_out)].reset_index(drop=True)

    @property
    def suppressed_text(self) -> str:
        """How a suppressed figure is shown (``"<5"`` with the default threshold)."""
        return self.t("common.suppressed", min_n=self.min_n)

    def text(self, key: str, *, n: Any = None, keep: Sequence[str] = ("region", "level"), **values: Any) -> None:
        """Show a translated paragraph (Markdown) with ``values`` formatted for the language.

        Parameters
        ----------
        key : str
            Translation key of the paragraph.
        n : int, optional
            Number of people behind the figures of the paragraph (also passed to the template as ``{n}``). Required
            whenever the paragraph states a figure about people of one region, unit or group: when ``n`` is below the
            run's threshold (:meth:`is_small`) every value except those named in ``keep`` is shown as ``"<5"``.
            Leave it None only for texts without such figures (settings such as ``n_boot``, ``level``, or figures
            about the whole data set already shown in a suppressed table).
        keep : list of str, default ("region", "level")
            Values that identify what the sentence is about, or settings such as the confidence level, which stay
            visible when it is suppressed.
        """
        if n is not None:
            values["n"] = n
            if self.is_small(n):
                from kinerja_research.report.tables import Suppressed

                hidden = Suppressed(self.suppressed_text)
                values = {k: (v if k in keep else hidden) for k, v in values.items()}
        _display(_markdown(self.t(key, **values)))

    # -- tables and figures -------------------------------------------------------------------------------------------
    def format(self, df, *, kind: str = "result", **opts):
        """The formatted table :meth:`show` would display (strings, translated headers), without displaying it."""
        from kinerja_research.report.tables import format_table

        if kind not in ("result", "table", "counts"):
            raise KinerjaError(f"show() kind {kind!r}; the rule is 'result', 'table' or 'counts'.")
        if kind == "counts" and "count_cols" not in opts:
            import pandas as pd

            opts["count_cols"] = [
                c for c in df.columns if pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c])
            ]
        opts.setdefault("alpha", self.alpha)
        opts.setdefault("min_n", self.min_n)
        return format_table(df, lang=self.lang, t=self._t, **opts)

    def show(
        self, df, *, kind: str = "result", caption_key: str | None = None, caption: Mapping | None = None, **opts
    ) -> None:
        """Format a table once and display it with a numbered, translated caption and its notes.

        Parameters
        ----------
        df : pandas.DataFrame
            Tidy result or small descriptive table (unrounded).
        kind : {"result", "table", "counts"}
            ``"counts"``: every numeric cell is a count of people and is suppressed below ``min_n`` on its own.
        caption_key : str, optional
            Translation key of the caption; ``caption`` holds its format values.
        **opts
            Passed to :func:`kinerja_research.report.tables.format_table` (``ns``, ``labels``, ``digits``,
            ``n_col``, ``suppress``, ``drop``, ``ci``, ...).
        """
        out = self.format(df, kind=kind, **opts)
        self._n_tables += 1
        parts = ['<div class="kr-table-wrap">']
        if caption_key:
            label = self.t("common.table_label", number=self._n_tables)
            parts.append(
                f'<p class="kr-caption"><strong>{html.escape(label)}.</strong> '
                f"{html.escape(self.t(caption_key, **(caption or {})))}</p>"
            )
        parts.append(out.to_html(index=False, escape=True, classes="kr-table", border=0, na_rep="–"))
        for note in out.attrs.get("notes", []):
            parts.append(f'<p class="kr-note">{html.escape(note)}</p>')
        parts.append("</div>")
        _display(_html("".join(parts)))

    def figure(self, fig, caption_key: str, *, caption: Mapping | None = None, notes: Sequence[str] = ()) -> None:
        """Display a matplotlib figure (or Axes) as an embedded PNG with a numbered, translated caption; closes it.

        Notes attached by :mod:`report.plots` (groups left out because they describe fewer than ``min_n`` people)
        are printed under the caption.
        """
        import matplotlib.pyplot as plt

        if hasattr(fig, "figure") and not hasattr(fig, "savefig"):
            fig = fig.figure
        if not hasattr(fig, "savefig"):
            raise KinerjaError(f"figure() got {type(fig).__name__}; the rule is a matplotlib Figure or Axes.")
        buf = io.BytesIO()
        fig.savefig(
            buf,
            format="png",
            dpi=FIGURE_DPI,
            bbox_inches="tight",
            metadata={"Software": "kinerja_research (matplotlib Agg)"},
        )
        plt.close(fig)
        self._n_figures += 1
        text = self.t(caption_key, **(caption or {}))
        label = self.t("common.figure_label", number=self._n_figures)
        data = base64.b64encode(buf.getvalue()).decode("ascii")
        all_notes = list(getattr(fig, "_kr_notes", [])) + list(notes)
        notes_html = "".join(f'<p class="kr-note">{html.escape(n)}</p>' for n in dict.fromkeys(all_notes))
        _display(
            _html(
                f'<figure class="kr-figure"><img src="data:image/png;base64,{data}" alt="{html.escape(text)}">'
                f"<figcaption><strong>{html.escape(label)}.</strong> {html.escape(text)}</figcaption>"
                f"{notes_html}</figure>"
            )
        )

    # -- headline figures and provenance -----------------------------------------------------------------------------
    def record(
        self,
        key: str,
        value: Any,
        *,
        n: Any = None,
        label_key: str | None = None,
        label: Mapping | None = None,
        spec: str = "",
        region: str | None = None,
    ) -> None:
        """Record a headline figure for the index page (read from ``<stem>.headline.json``, never recomputed).

        ``value`` is a number, string or bool; ``spec`` formats it (``p``, ``n``, ``pct``, ``.1f``...);
        ``label_key`` is the translation key of its label; ``region`` the code it is about, if one.

        ``n`` is the number of people behind the figure; required for a figure about the people of one region, unit
        or group (None only when the figure is not about people, e.g. a design setting). When ``n`` is below the run's
        threshold (:meth:`is_small`, the rule of ``privacy.suppress_small_cells``) the record keeps ``value: null``
        and ``text: "<5"``, so neither the headline JSON nor the index shows it.
        """
        if not isinstance(key, str) or not key:
            raise KinerjaError(f"record() key {key!r}; the rule is a non-empty string.")
        if any(r["key"] == key and r["region"] == region for r in self.records):
            raise KinerjaError(
                f"record() key {key!r} (region {region!r}) was recorded twice; the rule is one value per key."
            )
        v = _jsonable(value)
        text = self.fmt(value, spec)
        if n is not None and self.is_small(n):
            v, text = None, self.suppressed_text
        self.records.append(
            {
                "key": key,
                "value": v,
                "text": text,
                "label": self.t(label_key, **(label or {})) if label_key else None,
                "region": region,
                "region_name": self.region_name(region) if region else None,
            }
        )

    def headline(self) -> dict[str, Any]:
        """What :meth:`finish` writes to ``<stem>.headline.json`` (without the provenance)."""
        title_key = f"common.nb.{self.notebook}"
        return {
            "notebook": self.notebook,
            "stem": self.stem,
            "title": self.t(title_key) if title_key in self._t else self.notebook,
            "lang": self.lang,
            "dataset": str(self.dataset),
            "regions": list(self.regions),
            "region_names": [self.region_name(r) for r in self.regions],
            "alpha": self.alpha,
            "seed": self.seed,
            "records": self.records,
        }

    def finish(self) -> None:
        """Write ``<out_dir>/<stem>.headline.json`` atomically and show the provenance block.

        Returns None (so a notebook's last line ``ctx.finish()`` displays nothing else); the written document is
        kept in :attr:`written`.
        """
        from kinerja_research.report import provenance

        prov = provenance.collect(
            notebook=self.notebook, params=self.params, dataset=self.dataset, seed=self.seed, started_at=self.started_at
        )
        doc = self.headline()
        doc["provenance"] = prov
        write_text_atomic(
            self.out_dir / f"{self.stem}.headline.json",
            json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=False) + "\n",
        )
        self._finished = True
        self.written = doc
        _display(_html(provenance.to_html(prov, self._t)))


def start(
    notebook: str,
    *,
    dataset: str = "default",
    regions: Sequence[str] = (),
    lang: str = "id",
    alpha: float = 0.05,
    seed: int = 2026,
    out_dir: str = "",
) -> Context:
    """Begin a report notebook: check the parameters and return its :class:`Context`.

    Parameters
    ----------
    notebook : str
        The notebook's name without ``.ipynb`` (``"02_training_impact"``); names the outputs.
    dataset : str
        Processed dataset name (``data/processed/<dataset>``) or folder.
    regions : list of str
        Kemendagri codes (or names the registry resolves); empty = every region in the data.
    lang : {"id", "en"}
        Report language.
    alpha : float
        Significance level; intervals have level ``1 - alpha``.
    seed : int
        Seed for bootstrap and resampling (``ctx.seed``).
    out_dir : str
        Folder of ``<notebook>.headline.json``; ``""`` = the current directory.

    Returns
    -------
    Context

    Examples
    --------
    >>> ctx = start("10_region_comparison", lang="en")
    >>> ctx.t("common.col.estimate"), ctx.fmt(0.0004, "p"), ctx.lang
    ('Estimate', '< .001', 'en')
    """
    return Context(notebook, dataset=dataset, regions=regions, lang=lang, alpha=alpha, seed=seed, out_dir=out_dir)
