"""The notebook context: what a report notebook calls after its ``parameters`` cell.

.. code-block:: python

    import kinerja_research as kr
    ctx = kr.report.start("02_training_impact", dataset=dataset, regions=regions, lang=lang, alpha=alpha,
                          seed=seed, min_cell=min_cell, style=style, out_dir=out_dir)
    ctx.findings(kr.report.findings.training(res, ctx))  # "Key findings" box (sentences chosen by the results)
    if ctx.has(table="training"):
        res = kr.did(...)                                # a package function returning a tidy result
        ctx.show(res[["term", "estimate", "ci_low", "ci_high", "p", "n"]], caption_key="training.did_caption",
                 detail=res)                             # compact table + the full one in a collapsible block
        ctx.answer("training", ctx.t("training.answer_yes"), region="18.71", value=..., n=...)
    else:
        ctx.left_out("training.no_training_table")
    ctx.finish()                                         # <stem>.headline.json, <stem>.xlsx, provenance

The parameters cell is the only channel between the runner and the notebook: ``dataset, regions, lang, alpha,
seed, min_cell, style, out_dir`` (``papermill -p regions 18.71`` works: one code, a list, or a float as papermill
reads ``18.71``). Everything shown comes from the translation table (``report/i18n``); an unknown key raises.

Everything that comes from data (names, paths, labels, values) is escaped before it reaches HTML; texts are rendered
from their Markdown template with raw HTML switched off. Counts of people are withheld below ``min_cell`` (``<5``)
and, when the page finishes, across all its tables, texts and headline figures so that none can be worked out by
subtraction (:mod:`kinerja_research.report.suppress`); the runner repeats it across the pages of a run. Output is
deterministic for the same inputs (figures are PNG with fixed metadata; the only varying parts are the run time and
duration in the provenance block).
"""

from __future__ import annotations

import base64
import html
import io
import math
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from IPython.display import display, update_display
from markdown_it import MarkdownIt
from matplotlib.layout_engine import PlaceHolderLayoutEngine
from PIL import Image, PngImagePlugin  # matplotlib imports PIL already: no cost at the top

from kinerja_research import paths
from kinerja_research.errors import KinerjaError
from kinerja_research.pipeline import TABLES, load_manifest, load_processed, load_table
from kinerja_research.privacy import MIN_CELL_N, suppress_small_cells
from kinerja_research.regions import get_region, resolve_region
from kinerja_research.report import export, provenance, suppress
from kinerja_research.report.i18n import Translator
from kinerja_research.report.needs import construct_items, contents_of, processed_folder
from kinerja_research.report.numbers import MISSING, Suppressed, format_ci, format_value, is_missing
from kinerja_research.report.plots import region_palette
from kinerja_research.report.render import QUESTIONS, STYLES
from kinerja_research.report.tables import (
    Suppression,
    _digits,
    format_cells,
    label_table,
    set_session_min_n,
    suppress_table,
    table_notes,
)
from kinerja_research.results import check_alpha

__all__ = [
    "Context",
    "TableView",
    "start",
    "normalise_regions",
    "QUESTIONS",
    "STYLES",
    "KINDS",
    "LONG_TABLE_ROWS",
    "LONG_TABLE_EDGE",
]

FIGURE_DPI = 110
#: A table of more rows than this (e.g. one row per kab/kota of the country, 514) shows on the page only its first
#: and last :data:`LONG_TABLE_EDGE` rows, with a note that every row is in the page's ``.xlsx``.
LONG_TABLE_ROWS = 500
#: Rows shown at each end of a table longer than :data:`LONG_TABLE_ROWS`.
LONG_TABLE_EDGE = 25
#: ``ctx.show`` kinds.
KINDS = ("result", "table", "counts")
_MD = MarkdownIt("commonmark", {"html": False})
_TOKEN = re.compile("\ue000([^\ue001]*)\ue001")
_REGION_CODE = re.compile(r"^\d{2}(\.\d{2}){0,3}$")


def _display(data: Mapping[str, str], display_id: str | None = None) -> None:
    """Show a raw MIME bundle (``text/html``) in the notebook; ``display_id`` lets :func:`_update` replace it."""
    display(dict(data), raw=True, display_id=display_id) if display_id else display(dict(data), raw=True)


def _update(data: Mapping[str, str], display_id: str) -> None:
    """Replace a bundle shown earlier with :func:`_display` (the executed notebook keeps the new one)."""
    update_display(dict(data), raw=True, display_id=display_id)


def _html(text: str) -> dict:
    return {"text/html": text}


def _jsonable(value: Any) -> Any:
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        v = float(value)
        return None if math.isnan(v) or math.isinf(v) else v
    if value is None or isinstance(value, (int, str)):
        return value
    if value is pd.NA:
        return None
    raise KinerjaError(
        f"record() value {value!r} of type {type(value).__name__} cannot be stored; the rule is a "
        f"number, string, bool or None (convert it first)."
    )


def _configure_matplotlib() -> None:
    """Deterministic figures that stay legible on a 390 px phone: 6 inches wide at 110 dpi (660 px), text at 11 pt
    (about 9 px when the figure is shrunk to a phone's width); fixed SVG hash salt, no date in metadata."""
    matplotlib.rcParams.update(
        {
            "svg.hashsalt": "kinerja-research",
            "figure.dpi": FIGURE_DPI,
            "savefig.dpi": FIGURE_DPI,
            "figure.figsize": (6.0, 3.8),
            "axes.spines.top": False,
            "axes.spines.right": False,
            "font.size": 11,
            "axes.titlesize": 12,
            "axes.labelsize": 11,
            "xtick.labelsize": 10,
            "ytick.labelsize": 10,
            "legend.fontsize": 10,
        }
    )


def _tight_bbox(fig) -> Any:
    """The figure's tight bounding box, padded as ``savefig(bbox_inches="tight")`` pads it, measured without the
    second (dry-run) draw that ``savefig`` makes for ``"tight"``; ``"tight"`` itself for a figure with a layout
    engine or a canvas that is not Agg (where that draw places the artists).

    The placeholder engine ``fig.tight_layout()`` leaves behind (the layout is already done, in place, and the
    placeholder's draw does nothing) is removed first: with it ``savefig`` would make the dry-run draw for any
    ``bbox_inches``, for nothing (two of page 01's figures; same bytes, tested)."""
    if isinstance(fig.get_layout_engine(), PlaceHolderLayoutEngine):
        fig.set_layout_engine(None)
    if fig.get_layout_engine() is not None or not hasattr(fig.canvas, "get_renderer") or fig.dpi != FIGURE_DPI:
        return "tight"
    bbox = fig.get_tightbbox(fig.canvas.get_renderer())
    pad = matplotlib.rcParams["savefig.pad_inches"]
    return bbox.padded(pad, pad)


#: The PNG text chunk of every figure (matplotlib's own ``Software`` entry would name its version).
PNG_SOFTWARE = "kinerja_research (matplotlib Agg)"


def _figure_png(fig) -> bytes:
    """The figure as the PNG of a page: the pixels ``savefig(bbox_inches="tight")`` draws, at :data:`FIGURE_DPI`.

    The figure is drawn once, cropped to :func:`_tight_bbox`, into raw RGBA; an opaque image (the figures' white
    background: every pixel's alpha 255) is written as RGB without the alpha channel, at zlib level 3, instead of
    matplotlib's RGBA at level 6: the same pixels, size, dpi and text chunk, in about half the encoding time (0.17 s
    instead of 0.36 s for the suite's 17 figures) and a tenth fewer bytes. A figure measured by savefig's own
    ``"tight"`` (a layout engine, another canvas) or with transparent pixels is saved by matplotlib as before."""
    bbox = _tight_bbox(fig)
    if not isinstance(bbox, str):
        raw = io.BytesIO()
        fig.savefig(raw, format="rgba", dpi=FIGURE_DPI, bbox_inches=bbox)
        # the canvas savefig draws on is the cropped box in whole pixels (RendererAgg truncates the float size)
        width, height = int(bbox.width * FIGURE_DPI), int(bbox.height * FIGURE_DPI)
        data = raw.getbuffer()
        if len(data) == width * height * 4:
            rgba = np.frombuffer(data, dtype=np.uint8).reshape(height, width, 4)
            if (rgba[..., 3] == 255).all():
                info = PngImagePlugin.PngInfo()
                info.add_text("Software", PNG_SOFTWARE)
                out = io.BytesIO()
                Image.fromarray(np.ascontiguousarray(rgba[..., :3]), "RGB").save(
                    out, format="png", pnginfo=info, dpi=(FIGURE_DPI, FIGURE_DPI), compress_level=3
                )
                return out.getvalue()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=FIGURE_DPI, bbox_inches=bbox, metadata={"Software": PNG_SOFTWARE})
    return buf.getvalue()


def normalise_regions(regions: Any) -> list[str]:
    """The ``regions`` parameter as a list of strings: one code or name, a list, a comma/space separated string, or a
    number as papermill reads ``-p regions 18.71`` (a float is written with two decimals: ``32.1`` -> ``"32.10"``).

    Examples
    --------
    >>> normalise_regions(18.71), normalise_regions("18.71 17.71"), normalise_regions(["32.1", 32.1]), normalise_regions([])
    (['18.71'], ['18.71', '17.71'], ['32.1', '32.10'], [])
    """
    if regions is None:
        return []
    if isinstance(regions, (bool, np.bool_)):
        raise KinerjaError(f"parameter regions is {regions!r}; the rule is a region code, name or list of them.")
    if isinstance(regions, (float, np.floating)):
        return [f"{float(regions):.2f}"]
    if isinstance(regions, (int, np.integer)):
        return [str(int(regions))]
    if isinstance(regions, str):
        parts = [p for p in re.split(r"[,;]\s*|\s+(?=\d{2}\.\d{2})", regions.strip()) if p.strip()]
        return [p.strip() for p in parts]
    if isinstance(regions, (list, tuple)):
        out: list[str] = []
        for r in regions:
            out += normalise_regions(r)
        return out
    raise KinerjaError(f"parameter regions is {regions!r}; the rule is a region code, name or list of them.")


def _slug(text: str) -> str:
    return re.sub(r"[^\w]+", "-", text, flags=re.UNICODE).strip("-").lower() or "h"


@dataclass
class _Table:
    """A table shown on the page: kept until ``finish`` so cross-table suppression can update it."""

    number: int
    caption: str
    display_id: str
    opts: dict
    main: Suppression
    detail: Suppression | None
    kind: str
    max_rows: int = LONG_TABLE_ROWS
    edge_rows: int = LONG_TABLE_EDGE


@dataclass
class _Text:
    """A paragraph shown on the page whose counts may be withheld when the page finishes."""

    display_id: str
    key: str
    values: dict
    cells: dict = field(default_factory=dict)  # value name -> cell id
    cls: str | None = None


class Context:
    """State of one report notebook: parameters, data, translator, numbering, and what the page published.

    Create it with :func:`start`. Attributes: ``notebook``, ``stem`` (output file name: the notebook's name; the
    runner renames a per-region page's files), ``dataset``, ``regions`` (Kemendagri codes; every region of the data
    when the parameter was empty), ``lang``, ``alpha``, ``seed``, ``min_n`` (from ``min_cell``), ``style``,
    ``out_dir``, ``params`` (every parameter as given), ``records``, ``answers``.
    """

    def __init__(
        self,
        notebook: str,
        *,
        dataset: str = paths.DEFAULT_DATASET,
        regions: Any = (),
        lang: str = "id",
        alpha: float = 0.05,
        seed: int = paths.DEFAULT_SEED,
        min_cell: int = MIN_CELL_N,
        style: str = "standard",
        out_dir: str | os.PathLike = "",
    ):
        if not isinstance(notebook, str) or not notebook:
            raise KinerjaError(
                f"start() got notebook {notebook!r}; the rule is the notebook's file name without .ipynb."
            )
        check_alpha(alpha)
        if isinstance(min_cell, bool) or not isinstance(min_cell, (int, np.integer)) or min_cell < 1:
            raise KinerjaError(f"parameter min_cell is {min_cell!r}; the rule is a whole number of at least 1.")
        if style not in STYLES:
            raise KinerjaError(f"parameter style is {style!r}; the rule is one of {list(STYLES)}.")
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
            raise KinerjaError(f"parameter seed is {seed!r}; the rule is a whole number.")
        self._t = Translator(lang)
        given = normalise_regions(regions)
        self.notebook = notebook
        self.stem = notebook
        self.dataset = str(dataset)
        self.lang = lang
        self.alpha = float(alpha)
        self.seed = int(seed)
        self.min_n = int(min_cell)
        self.style = style
        self.out_dir = Path(out_dir) if out_dir else Path.cwd()
        self._requested = [resolve_region(r).code for r in given]
        self._regions: list[str] | None = None
        self.params = {
            "dataset": str(dataset),
            "regions": given,
            "lang": lang,
            "alpha": float(alpha),
            "seed": int(seed),
            "min_cell": int(min_cell),
            "style": style,
            "out_dir": str(out_dir),
        }
        self.records: list[dict[str, Any]] = []
        self.answers: list[dict[str, Any]] = []
        self._findings: list[str] = []
        self._left_out: list[dict[str, str]] = []
        self._cells: list[suppress.Cell] = []
        self._scope: tuple[str, ...] = ()  # the ledger's scope, one tuple shared by every cell (not one per cell)
        self._shown_tables: list[_Table] = []
        self._texts: list[_Text] = []
        self._small: dict[tuple, bool] = {}  # is_small answers by (type, value, min_n)
        self._displays = 0
        self._tables: dict | None = None
        self._frames: dict[str, tuple[pd.DataFrame, list[str] | None]] = {}
        self._source: dict | None = None
        self._n_tables = 0
        self._n_figures = 0
        self._finished = False
        self.started_at = datetime.now(UTC)
        set_session_min_n(self.min_n)
        _configure_matplotlib()

    # -- data -------------------------------------------------------------------------------------------------------
    @property
    def regions(self) -> list[str]:
        """Kemendagri codes of the page: those requested, or every region present in the data (a scan of the
        ``region_code`` column alone)."""
        if self._regions is None:
            self._regions = self._resolve_regions()
        return self._regions

    @regions.setter
    def regions(self, codes: Sequence[str]) -> None:
        self._regions = list(codes)

    def _resolve_regions(self) -> list[str]:
        # only the region_code column is read (of the requested regions' rows when some are requested)
        if not self._requested:  # every region: the distinct codes, streamed by row group (never a column in memory)
            return sorted({str(c) for t in TABLES for c in _distinct(self.dataset, t, "region_code")[0]})
        present = _codes(
            load_processed(self.dataset, columns={t: ["region_code"] for t in TABLES}, regions=self._requested)
        )
        absent = [r for r in self._requested if r not in present]
        if absent:
            everywhere = _codes(load_processed(self.dataset, columns={t: ["region_code"] for t in TABLES}))
            raise KinerjaError(
                f"region(s) {absent} have no rows in dataset {self.dataset!r} (regions present: "
                f"{everywhere}); the rule is that a report covers regions present in the data."
            )
        return list(self._requested)

    @property
    def tables(self) -> dict:
        """Processed tables (``pipeline.load_processed(dataset)``) restricted to :attr:`regions`: every column of
        every table, for a user's own analysis (the package's sections read only the columns they use,
        :meth:`table` and :meth:`view`)."""
        if self._tables is None:
            # only the requested regions' rows are read (parquet predicate pushdown): a brief's kernel holds its
            # region, not the country
            keep = self.regions
            raw = load_processed(self.dataset, regions=self._requested or None)
            self._tables = {name: _restrict(df, keep) for name, df in raw.items()}
            self._frames.clear()
        return self._tables

    def table(self, name: str, columns: Sequence[str] | None = None) -> pd.DataFrame:
        """One processed table of the page's regions, only ``columns`` of it (those it holds; default every column).

        Parquet column projection and predicate pushdown by region (:func:`kinerja_research.pipeline.load_table`):
        the other columns and regions are never read. The same rows and values as ``ctx.tables[name][columns]``.
        The page keeps the last frame read of each table; a request for columns it holds is a slice of it, so the
        sections of a page that ask for the same table read it once and a page holds at most one frame per table.
        """
        if name not in TABLES:
            raise KinerjaError(f"table {name!r} is unknown; the rule is one of {list(TABLES)}.")
        cols = None if columns is None else list(dict.fromkeys(columns))
        if self._tables is not None:
            df = self._tables[name]
        else:
            df, held = self._frames.get(name, (None, None))
            if df is None or (held is not None and (cols is None or not set(cols) <= set(held))):
                held = None if cols is None else list(dict.fromkeys(["region_code", *cols]))
                df = self._read(name, held)
                self._frames[name] = (df, held)
        if cols is None:
            return df
        return df[[c for c in cols if c in df.columns]]

    def view(self, columns: Mapping[str, Sequence[str] | None] | None = None) -> TableView:
        """The page's tables as a mapping read lazily, per table only ``columns[table]`` (a table not named: every
        column): ``tables = ctx.view({"performance": ["person_id", "capaian_pct"]})``; ``tables["performance"]``
        reads it (:meth:`table`)."""
        return TableView(self, columns or {})

    def _read(self, name: str, columns: Sequence[str] | None) -> pd.DataFrame:
        return _restrict(load_table(name, self.dataset, columns=columns, regions=self.regions), self.regions)

    @property
    def manifest(self) -> dict:
        """The dataset's ``manifest.json``."""
        return load_manifest(self.dataset)

    @property
    def region(self) -> str:
        """The one region of a per-region report (``region_brief``); raises unless exactly one region is chosen."""
        if len(self.regions) != 1:
            raise KinerjaError(
                f"notebook {self.notebook!r} describes one region but regions is {self.regions}; the "
                f"rule is regions=[one Kemendagri code] (the runner passes one per job)."
            )
        return self.regions[0]

    def region_name(self, code: str) -> str:
        """Registry name of a region code (the code itself when the registry does not know it)."""
        try:
            return get_region(code).name
        except Exception:
            return str(code)

    @property
    def palette(self) -> dict:
        """Colour per region code, the same in every report (:func:`report.plots.region_palette`)."""
        return region_palette(self.regions)

    def has(self, table: str | None = None, construct: str | None = None) -> bool:
        """Whether the page's data hold ``table`` (at least one row) and ``construct`` (its items answered; see
        :mod:`kinerja_research.report.needs`), so a section that needs them can run.

        Examples
        --------
        .. code-block:: python

            if ctx.has(table="training", construct="resistance"):
                ...
            else:
                ctx.left_out("resistance.no_items")
        """
        if table is None and construct is None:
            raise KinerjaError("has() needs table= or construct=; the rule is to ask about at least one.")
        manifest = self.manifest
        items = construct_items(manifest)
        wanted: dict[str, list[str]] = {t: ["region_code"] for t in TABLES}
        for ids in items.values():
            for t in TABLES:
                wanted[t] += list(ids)
        contents = contents_of(self.tables if self._tables is not None else self.view(wanted), manifest)
        if table is not None and table not in contents.tables:
            raise KinerjaError(f"has() table {table!r}; the rule is one of {sorted(contents.tables)}.")
        if construct is not None and construct not in contents.items:
            raise KinerjaError(f"has() construct {construct!r}; the rule is one of {sorted(contents.items)}.")
        return (table is None or contents.has_table(table)) and (construct is None or contents.has_construct(construct))

    def left_out(self, reason_key: str, **fmt: Any) -> None:
        """Show the translated note saying what this page leaves out and why (a section whose table or items the
        data lack); the note is also listed in the headline JSON (``left_out``)."""
        text = self._inline(reason_key, fmt)
        self._left_out.append({"key": reason_key, "text": _strip_tags(text)})
        self._show_html(f'<p class="kr-left-out">{text}</p>')

    # -- the data source banner -------------------------------------------------------------------------------------
    @property
    def source(self) -> dict:
        """What the data are: ``{synthetic, name, description, period_from, period_to, n_people, n_public}``."""
        if self._source is None:
            if self._tables is not None:
                tables = self._tables
            elif self._requested:  # a few regions (a brief: served from the batch's held rows), not kept
                tables = {t: self._read(t, ["region_code", *cols]) for t, cols in SOURCE_COLUMNS.items()}
            else:  # every region: distinct values streamed by row group
                tables = _distinct_source(self.dataset)
            self._source = _data_source(self.dataset, self.manifest, tables)
        return self._source

    @property
    def banner(self) -> str:
        """The banner shown at the top of the page (HTML): a warning for synthetic data, otherwise the source,
        period and number of people of the data."""
        s = self.source
        if s["synthetic"]:
            text = self._inline("run.banner_synthetic", {"dataset": s["name"]})
            return f'<div class="kr-banner kr-banner-synthetic" role="note"><strong>{text}</strong></div>'
        period = (
            self._t("run.banner_period", start=s["period_from"], end=s["period_to"])
            if s["period_from"] and s["period_to"] and s["period_from"] != s["period_to"]
            else (s["period_from"] or s["period_to"] or self._t("run.banner_no_period"))
        )
        parts = [
            self._inline("run.banner_source", {"source": s["description"] or s["name"], "period": period}),
        ]
        if s["n_people"]:
            parts.append(self._inline("run.banner_people", {"n": s["n_people"]}))
        if s["n_public"]:
            parts.append(self._inline("run.banner_public", {"n": s["n_public"]}))
        return f'<div class="kr-banner" role="note">{" · ".join(parts)}</div>'

    # -- text ---------------------------------------------------------------------------------------------------------
    def t(self, key: str, **fmt: Any) -> str:
        """Translated text of ``key`` (``namespace.key``) with ``fmt`` values formatted for the language."""
        return self._t(key, **fmt)

    def fmt(self, value: Any, spec: str = "") -> str:
        """Format one number for prose (``spec``: ``p``, ``P``, ``n``, ``pct``, ``plain`` or a format spec)."""
        if isinstance(value, (bool, np.bool_)):
            return self._t("common.yes" if value else "common.no")
        return format_value(value, spec, self.lang)

    def ci(self, low: Any, high: Any, digits: int = 2) -> str:
        """A confidence interval for prose: ``[0.12, 0.45]`` (English) or ``[0,12; 0,45]`` (Indonesian)."""
        return format_ci(low, high, digits, self.lang)

    @property
    def level(self) -> float:
        """Confidence level in percent, ``100 * (1 - alpha)``."""
        return 100 * (1 - self.alpha)

    def _render(self, key: str, values: Mapping[str, Any], cells: Mapping[str, str] = (), inline: bool = False) -> str:
        """The translated Markdown template rendered to HTML with raw HTML off; each value is formatted, escaped and
        put in after rendering, so nothing from the data is read as Markdown or HTML. Values named in ``cells`` are
        wrapped in ``<span data-kr-n="id">`` (counts the page may withhold later)."""
        formatted: dict[str, str] = {}
        lang, t = self.lang, self._t

        class _Token:
            def __init__(self, name: str, value: Any):
                self.name, self.value = name, value

            def __kr_format__(self, spec: str, _lang: str) -> str:
                return format(self, spec)

            def __format__(self, spec: str) -> str:
                v = self.value
                if isinstance(v, (bool, np.bool_)):
                    text = t("common.yes" if v else "common.no")
                else:
                    text = format_value(v, spec, lang)
                formatted[self.name] = text
                return f"\ue000{self.name}\ue001"

        source = self._t(key, **{k: _Token(k, v) for k, v in values.items()})
        rendered = _MD.renderInline(source) if inline else _MD.render(source).strip()

        def put(m: re.Match) -> str:
            name = m.group(1)
            text = html.escape(formatted.get(name, ""))
            if name in cells:
                return f'<span class="kr-n" data-kr-n="{html.escape(cells[name], quote=True)}">{text}</span>'
            return text

        return _TOKEN.sub(put, rendered)

    def _inline(self, key: str, values: Mapping[str, Any]) -> str:
        return self._render(key, values, inline=True)

    def _show_html(self, text: str, display_id: str | None = None) -> None:
        _display(_html(text), display_id)

    def _new_display(self) -> str:
        self._displays += 1
        return f"kr-{self.notebook}-{self._displays}"

    def heading(self, key: str, level: int = 2, **fmt: Any) -> None:
        """Show a translated heading (``level`` 1–4)."""
        if level not in (1, 2, 3, 4):
            raise KinerjaError(f"heading level {level!r}; the rule is 1, 2, 3 or 4.")
        inner = self._inline(key, fmt)
        self._show_html(f'<h{level} id="{_slug(_strip_tags(inner))}">{inner}</h{level}>')

    def is_small(self, n: Any) -> bool:
        """Whether a figure about ``n`` people is suppressed: the rule of
        :func:`kinerja_research.privacy.suppress_small_cells` (``n < min_n``; a missing ``n`` is not suppressed)
        with this report's threshold :attr:`min_n` (the ``min_cell`` parameter)."""
        if n is None:
            return False
        key = (type(n), n, self.min_n)
        try:
            return self._small[key]
        except (KeyError, TypeError):  # a value not seen yet (or unhashable): ask the rule itself
            pass
        flag = suppress_small_cells(
            pd.DataFrame({"n": [n]}), n_col="n", min_n=self.min_n, columns=[], flag_col="suppressed"
        )["suppressed"]
        small = bool(flag.iloc[0])
        try:
            self._small[key] = small  # a page asks about the same few counts hundreds of times
        except TypeError:
            pass
        return small

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
            text = self._render(
                "common.regions_left_out",
                {"min_n": min_n, "regions": ", ".join(self.region_name(r) for r in left_out)},
            )
            self._show_html(text)
        return df[~df["region_code"].astype(str).isin(left_out)].reset_index(drop=True)

    @property
    def suppressed_text(self) -> str:
        """How a suppressed figure is shown (``"<5"`` with the default threshold)."""
        return self.t("common.suppressed", min_n=self.min_n)

    def _cell(self, cid: str, measure: str, value: Any, coords: Mapping, *, quals: Mapping = (), frozen=False):
        """Register one published count in the page's ledger (``coords``: additive keys; see ``report.suppress``)."""
        coords = {("region" if k in ("region_code", "wilayah") else str(k)): str(v) for k, v in dict(coords).items()}
        if self._scope != tuple(self.regions):
            self._scope = tuple(self.regions)
        scope = self._scope
        if len(scope) == 1 and "region" not in coords:
            coords["region"] = scope[0]
        v = int(round(float(value)))
        cell = suppress.Cell(
            id=cid,
            measure=str(measure),
            coords=dict(sorted(coords.items())),
            quals=dict(sorted((str(k), str(q)) for k, q in dict(quals).items())),
            scope=scope,
            value=v,
            state="primary" if self.is_small(v) else "shown",
            frozen=frozen,
        )
        self._cells.append(cell)
        return cell

    def text(
        self,
        key: str,
        *,
        n: Any = None,
        keep: Sequence[str] = ("region", "level"),
        count: Mapping[str, Any] | None = None,
        **values: Any,
    ) -> None:
        """Show a translated paragraph with ``values`` formatted for the language (escaped: data cannot inject
        Markdown or HTML).

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
        count : dict, optional
            When ``n`` is itself a count the sentence states, its coordinates (``{"rule": "duplicate_submission"}``;
            ``"measure"`` names what is counted, default ``count``): the count joins the page's suppression ledger,
            so a total here and parts in a table cannot give a withheld cell away.
        """
        cells: dict[str, str] = {}
        if n is not None:
            values["n"] = n
            if count is not None:
                cid = f"x{len(self._texts) + 1}.n"
                spec = dict(count)
                self._cell(cid, spec.pop("measure", "count"), n, spec)
                cells["n"] = cid
            if self.is_small(n):
                hidden = Suppressed(self.suppressed_text)
                values = {k: (v if k in keep else hidden) for k, v in values.items()}
        item = _Text(display_id=self._new_display(), key=key, values=values, cells=cells)
        self._texts.append(item)
        self._show_html(self._render(key, values, cells), item.display_id)

    def findings(self, sentences: Sequence[str]) -> None:
        """Show the "Key findings" box (call it right after :func:`start`): 3–6 plain sentences chosen by the
        results (``report.findings``), shown as plain text (escaped); listed in the headline JSON too."""
        if isinstance(sentences, str) or not all(isinstance(s, str) for s in sentences):
            raise KinerjaError("findings() needs a list of sentences (strings); the rule is one string per finding.")
        self._findings += [str(s) for s in sentences]
        items = "".join(f"<li>{html.escape(s)}</li>" for s in sentences)
        self._show_html(
            f'<section class="kr-findings"><h2 id="{_slug(self._t("run.findings_title"))}">'
            f"{html.escape(self._t('run.findings_title'))}</h2><ul>{items}</ul></section>"
        )

    def answer(self, question: str, text: str, *, region: str | None = None, value: Any = None, n: Any = None) -> None:
        """Record the plain-words answer to one of the four questions (:data:`QUESTIONS`) for the index's answers
        table; ``region`` the code it is about (None: the page's regions together), ``value`` the figure behind it,
        ``n`` the people behind it (below ``min_cell`` the answer says only that too few people answered)."""
        if question not in QUESTIONS:
            raise KinerjaError(f"answer() question {question!r}; the rule is one of {list(QUESTIONS)}.")
        if not isinstance(text, str) or not text.strip():
            raise KinerjaError("answer() text is empty; the rule is one plain sentence.")
        if region is not None:
            region = resolve_region(str(region)).code
        if any(a["question"] == question and a["region"] == region for a in self.answers):
            raise KinerjaError(f"answer() for {question!r} (region {region!r}) was given twice; the rule is one.")
        small = n is not None and self.is_small(n)
        self.answers.append(
            {
                "question": question,
                "region": region,
                "region_name": self.region_name(region) if region else None,
                "text": self._t("run.answer_too_few", min_n=self.min_n) if small else text,
                "value": None if small else _jsonable(value),
                "n": None if (small or n is None) else _jsonable(n),
                "page": self.stem,
            }
        )

    # -- tables and figures -------------------------------------------------------------------------------------------
    def _opts(self, df, kind: str, opts: dict) -> dict:
        if kind not in KINDS:
            raise KinerjaError(f"show() kind {kind!r}; the rule is 'result', 'table' or 'counts'.")
        opts = dict(opts)
        if kind == "counts" and "count_cols" not in opts:
            opts["count_cols"] = [
                c for c in df.columns if pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c])
            ]
        opts.setdefault("alpha", self.alpha)
        opts.setdefault("min_n", self.min_n)
        return opts

    @staticmethod
    def _split(opts: dict) -> tuple[dict, dict, dict]:
        sup_keys = ("min_n", "n_col", "suppress", "count_cols", "keys", "secondary", "index", "drop")
        fmt_keys = ("digits", "ci")
        lab_keys = ("ns", "labels", "alpha")
        unknown = [k for k in opts if k not in sup_keys + fmt_keys + lab_keys]
        if unknown:
            raise KinerjaError(f"show() got unknown options {unknown}; the rule is options of format_table.")
        return (
            {k: opts[k] for k in sup_keys if k in opts},
            {k: opts[k] for k in fmt_keys if k in opts},
            {k: opts[k] for k in lab_keys if k in opts},
        )

    def format(self, df, *, kind: str = "result", **opts):
        """The formatted table :meth:`show` would display (strings, translated headers), without displaying it."""
        s, f, lab = self._split(self._opts(df, kind, opts))
        sup = suppress_table(df, **s)
        out = label_table(format_cells(sup, lang=self.lang, t=self._t, **f), t=self._t, **lab)
        out.attrs["notes"] = table_notes(sup, self._t)
        return out

    def _register_table(self, sup: Suppression, prefix: str) -> None:
        cells = sup.count_cells()
        if not cells:
            return
        rows = sup.source.to_dict("records")  # once per table, not a row Series per count cell
        for c in cells:
            row = rows[c["row"]]
            coords, quals = suppress.coordinates(
                {k: v for k, v in row.items() if k not in sup.count_cols}, keys=sup.extra_keys
            )
            cell = self._cell(f"{prefix}.r{c['row']}.{c['column']}", c["column"], c["value"], coords, quals=quals)
            cell.state = c["state"]

    def _register_figure_counts(self, counts: pd.DataFrame, prefix: str) -> None:
        col = next((c for c in ("count", "n") if c in counts.columns), None)
        if col is None:
            raise KinerjaError(
                f"figure() counts has columns {list(counts.columns)}; the rule is a 'count' or 'n' column."
            )
        for i, row in counts.reset_index(drop=True).iterrows():
            if is_missing(row[col]):
                continue
            coords, quals = suppress.coordinates({k: v for k, v in row.items() if k != col})
            cell = self._cell(f"{prefix}.r{i}.{col}", col, row[col], coords, quals=quals, frozen=True)
            if cell.hidden:
                raise KinerjaError(
                    f"figure {prefix} draws a count of {cell.value} people ({coords}); the rule is that a figure draws "
                    f"no count below {self.min_n} (leave the group out, as report.plots does)."
                )

    def _table_html(self, table: _Table) -> str:
        s, f, lab = self._split(table.opts)
        t = self._t
        parts = [f'<div class="kr-table-block" id="kr-table-{table.number}">']
        if table.caption:
            label = t("common.table_label", number=table.number)
            parts.append(
                f'<p class="kr-caption"><strong>{html.escape(label)}.</strong> {html.escape(table.caption)}</p>'
            )
        parts.append(self._grid(table.main, f, lab, f"t{table.number}", self._shown_rows(table, table.main)))
        notes = table_notes(table.main, t)
        for note in notes + self._long_note(table, table.main, detail=False):
            parts.append(f'<p class="kr-note">{html.escape(note)}</p>')
        if table.detail is not None:
            detail_rows = self._shown_rows(table, table.detail)
            parts.append(
                f'<details class="kr-detail"><summary>{html.escape(t("run.detail_summary"))}</summary>'
                f"{self._grid(table.detail, f, lab, f't{table.number}d', detail_rows)}"
                + "".join(
                    f'<p class="kr-note">{html.escape(n)}</p>'
                    for n in [n for n in table_notes(table.detail, t) if n not in notes]
                    + self._long_note(table, table.detail, detail=True)
                )
                + "</details>"
            )
        parts.append("</div>")
        return "".join(parts)

    @staticmethod
    def _shown_rows(table: _Table, sup: Suppression) -> list[int] | None:
        """The rows a long table shows on the page (its first and last ``edge_rows``); None: every row."""
        n = len(sup.data)
        if n <= table.max_rows:
            return None
        edge = min(table.edge_rows, n // 2)
        return list(range(edge)) + list(range(n - edge, n))

    def _sheet_title(self, table: _Table, detail: bool) -> str:
        """The title of a table's sheet in the page's ``.xlsx`` (``Tabel 3``, ``Tabel 3 (lengkap)``)."""
        title = self.t("common.table_label", number=table.number)
        return f"{title} ({self.t('run.detail_sheet')})" if detail else title

    def _long_note(self, table: _Table, sup: Suppression, *, detail: bool) -> list[str]:
        """The note under a long table: which rows the page shows, and that every row is in the workbook."""
        shown = self._shown_rows(table, sup)
        if shown is None:
            return []
        return [
            self.t(
                "run.long_table_note",
                rows=len(sup.data),
                head=len(shown) // 2,
                tail=len(shown) - len(shown) // 2,
                xlsx=f"{self.stem}.xlsx",
                sheet=export.sheet_name(self._sheet_title(table, detail)),
            )
        ]

    def _grid(self, sup: Suppression, f: dict, lab: dict, prefix: str, shown: Sequence[int] | None = None) -> str:
        """One table as HTML: every cell escaped, count cells carrying ``data-kr-n`` (their ledger id). ``shown``:
        the rows to show (a long table's first and last rows, with a row saying how many are left out between)."""
        cells = format_cells(sup, lang=self.lang, t=self._t, **f)
        labels = label_table(cells.iloc[:0], t=self._t, **lab).columns
        numeric = {c for c in cells.columns if c == "ci" or sup.cell_kind(c) in ("p", "int", "float")}
        wide = " kr-wide" if len(cells.columns) > 7 else ""
        num = ' class="kr-num"'
        head = "".join(
            f'<th scope="col"{num if c in numeric else ""}>{html.escape(str(lbl))}</th>'
            for c, lbl in zip(cells.columns, labels)
        )
        columns = [(c, cells[c].tolist()) for c in cells.columns]  # column lists: no row Series per cell
        rows = []
        order = range(len(cells)) if shown is None else shown
        previous = -1
        for i in order:
            if i > previous + 1:  # rows left out of a long table
                gap = self.t("run.long_table_gap", hidden=i - previous - 1)
                rows.append(f'<tr class="kr-gap"><td colspan="{len(columns)}">{html.escape(gap)}</td></tr>')
            previous = i
            tds = []
            for c, values in columns:
                attrs = ' class="kr-num"' if c in numeric else ""
                if c in sup.count_cols:
                    attrs += f' data-kr-n="{prefix}.r{i}.{html.escape(c, quote=True)}"'
                elif c in sup.derived:
                    attrs += f' data-kr-of="{prefix}.r{i}.{html.escape(sup.derived[c], quote=True)}"'
                tds.append(f"<td{attrs}>{html.escape(str(values[i]))}</td>")
            rows.append("<tr>" + "".join(tds) + "</tr>")
        return (
            f'<div class="kr-table-wrap"><table class="kr-table{wide}"><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table></div>"
        )

    def show(
        self,
        df,
        *,
        kind: str = "result",
        caption_key: str | None = None,
        caption: Mapping | None = None,
        detail: pd.DataFrame | None = None,
        max_rows: int = LONG_TABLE_ROWS,
        edge_rows: int = LONG_TABLE_EDGE,
        **opts,
    ) -> None:
        """Format a table once and display it with a numbered, translated caption and its notes.

        Parameters
        ----------
        df : pandas.DataFrame
            Tidy result or small descriptive table (unrounded). Keep the main table compact (estimate, interval, p,
            effect size, n) and pass the full one as ``detail``.
        kind : {"result", "table", "counts"}
            ``"counts"``: every numeric cell is a count of people and is suppressed below ``min_n`` on its own.
        caption_key : str, optional
            Translation key of the caption; ``caption`` holds its format values.
        detail : pandas.DataFrame, optional
            The full table, shown in a collapsible block under the main one (formatted with the same options) and
            written to the page's ``.xlsx`` as its own sheet.
        max_rows, edge_rows : int
            A table (or detail) of more than ``max_rows`` rows shows on the page only its first and last
            ``edge_rows`` rows, with a note that every row is in the page's ``.xlsx`` (which keeps every row).
            Defaults: :data:`LONG_TABLE_ROWS`, :data:`LONG_TABLE_EDGE`.
        **opts
            Passed to :func:`kinerja_research.report.tables.format_table` (``ns``, ``labels``, ``digits``,
            ``n_col``, ``suppress``, ``drop``, ``ci``, ``keys``, ``count_cols``, ...).

        Notes
        -----
        Every count cell joins the page's suppression ledger (withheld across tables when the page finishes), and
        the table is written to ``<stem>.xlsx`` by :meth:`finish`.
        """
        opts = self._opts(df, kind, opts)
        s, _, _ = self._split(opts)
        if isinstance(max_rows, bool) or not isinstance(max_rows, (int, np.integer)) or max_rows < 1:
            raise KinerjaError(f"show() max_rows is {max_rows!r}; the rule is a whole number of at least 1.")
        if isinstance(edge_rows, bool) or not isinstance(edge_rows, (int, np.integer)) or edge_rows < 1:
            raise KinerjaError(f"show() edge_rows is {edge_rows!r}; the rule is a whole number of at least 1.")
        self._n_tables += 1
        number = self._n_tables
        main = suppress_table(df, **s)
        full = suppress_table(detail, **s) if detail is not None else None
        table = _Table(
            number=number,
            caption=self.t(caption_key, **(caption or {})) if caption_key else "",
            display_id=self._new_display(),
            opts=opts,
            main=main,
            detail=full,
            kind=kind,
            max_rows=max_rows,
            edge_rows=edge_rows,
        )
        self._register_table(main, f"t{number}")
        if full is not None:
            self._register_table(full, f"t{number}d")
        self._shown_tables.append(table)
        self._show_html(self._table_html(table), table.display_id)

    def figure(
        self,
        fig,
        caption_key: str,
        *,
        caption: Mapping | None = None,
        notes: Sequence[str] = (),
        counts: pd.DataFrame | None = None,
    ) -> None:
        """Display a matplotlib figure (or Axes) as an embedded PNG with a numbered, translated caption; closes it.

        Notes attached by :mod:`report.plots` (groups left out because they describe fewer than ``min_n`` people)
        are printed under the caption. ``counts``: the counts of people the figure draws (a table with a ``count``
        or ``n`` column and the columns saying what each counts, e.g. ``region_code``, ``predikat``); they join the
        page's suppression ledger as figures that cannot be withheld afterwards, so tables are protected around them.

        Raises
        ------
        KinerjaError
            A drawn count below ``min_n`` (a figure draws only counts a table could show).
        """
        if hasattr(fig, "figure") and not hasattr(fig, "savefig"):
            fig = fig.figure
        if not hasattr(fig, "savefig"):
            raise KinerjaError(f"figure() got {type(fig).__name__}; the rule is a matplotlib Figure or Axes.")
        png = _figure_png(fig)
        plt.close(fig)
        self._n_figures += 1
        if counts is not None:
            self._register_figure_counts(counts, f"f{self._n_figures}")
        text = self.t(caption_key, **(caption or {}))
        label = self.t("common.figure_label", number=self._n_figures)
        data = base64.b64encode(png).decode("ascii")
        all_notes = list(getattr(fig, "_kr_notes", [])) + list(notes)
        notes_html = "".join(f'<p class="kr-note">{html.escape(n)}</p>' for n in dict.fromkeys(all_notes))
        self._show_html(
            f'<figure class="kr-figure"><img src="data:image/png;base64,{data}" alt="{html.escape(text, quote=True)}">'
            f"<figcaption><strong>{html.escape(label)}.</strong> {html.escape(text)}</figcaption>"
            f"{notes_html}</figure>"
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
        count: Mapping[str, Any] | None = None,
    ) -> None:
        """Record a headline figure for the index page (read from ``<stem>.headline.json``, never recomputed).

        ``value`` is a number, string or bool; ``spec`` formats it (``p``, ``n``, ``pct``, ``.1f``...);
        ``label_key`` is the translation key of its label; ``region`` the code it is about, if one.

        ``n`` is the number of people behind the figure; required for a figure about the people of one region, unit
        or group (None only when the figure is not about people, e.g. a design setting). When ``n`` is below the
        run's threshold (:meth:`is_small`, the rule of ``privacy.suppress_small_cells``) the record keeps ``value:
        null`` and ``text: "<5"``, so neither the headline JSON nor the index shows it.

        ``count`` (coordinates such as ``{"rule": "duplicate_submission"}``, optional ``"measure"``) marks ``value``
        as a count of people: it joins the page's suppression ledger with ``region`` as its region coordinate.
        """
        if not isinstance(key, str) or not key:
            raise KinerjaError(f"record() key {key!r}; the rule is a non-empty string.")
        if any(r["key"] == key and r["region"] == region for r in self.records):
            raise KinerjaError(
                f"record() key {key!r} (region {region!r}) was recorded twice; the rule is one value per key."
            )
        v = _jsonable(value)
        text = self.fmt(value, spec)
        cell_id = None
        if count is not None:
            if v is None or isinstance(v, (str, bool)):
                raise KinerjaError(f"record() {key!r} with count= needs a number; got {value!r}.")
            spec_ = dict(count)
            coords = {**spec_, **({"region": region} if region else {})}
            coords.pop("measure", None)
            cell_id = f"rec.{key}" + (f".{region}" if region else "")
            self._cell(cell_id, spec_.get("measure", "count"), v, coords)
            n = v if n is None else n
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
                "cell": cell_id,
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
            "min_cell": self.min_n,
            "style": self.style,
            "parameters": dict(self.params),
            "source": dict(self.source),
            "findings": list(self._findings),
            "answers": list(self.answers),
            "left_out": list(self._left_out),
            "records": self.records,
            "tables": [
                {"number": tb.number, "caption": tb.caption, "detail": tb.detail is not None}
                for tb in self._shown_tables
            ],
            "counts": [c.public() for c in self._cells],
        }

    def _protect(self) -> None:
        """Withhold, across the page, the counts that would let a withheld one be worked out; update what shows them."""
        newly = set(suppress.protect(self._cells))
        if not newly:
            return
        by_id = {c.id: c for c in self._cells}
        for cid in newly:
            by_id[cid].state = "secondary"
        for table in self._shown_tables:
            changed = False
            for sup, prefix in ((table.main, f"t{table.number}"), (table.detail, f"t{table.number}d")):
                if sup is None:
                    continue
                for c in sup.count_cells():
                    if f"{prefix}.r{c['row']}.{c['column']}" in newly and c["state"] == "shown":
                        sup.withhold(c["row"], c["column"])
                        changed = True
            if changed:
                _update(_html(self._table_html(table)), table.display_id)
        withheld = Suppressed(self.t("common.suppressed_secondary"))
        for item in self._texts:
            names = [name for name, cid in item.cells.items() if cid in newly]
            if names:
                item.values = {k: (withheld if k in names else v) for k, v in item.values.items()}
                _update(_html(self._render(item.key, item.values, item.cells)), item.display_id)
        for r in self.records:
            if r.get("cell") in newly:
                r["value"], r["text"] = None, self.t("common.suppressed_secondary")

    def _sheets(self) -> list[export.Sheet]:
        sheets = []
        for table in self._shown_tables:
            for sup, suffix in ((table.main, ""), (table.detail, "detail")):
                if sup is None:
                    continue
                sheets.append(self._sheet(sup, table, self._sheet_title(table, bool(suffix))))
        return sheets

    def _sheet(self, sup: Suppression, table: _Table, title: str) -> export.Sheet:
        _, f, lab = self._split(table.opts)
        texts = format_cells(sup, lang=self.lang, t=self._t, digits=f.get("digits", 2), ci="separate")
        labels = list(label_table(texts.iloc[:0], t=self._t, **lab).columns)
        formats, kinds = [], {}
        for c in texts.columns:
            kind = sup.cell_kind(c)
            kinds[c] = kind
            d = _digits(f.get("digits", 2), c)
            formats.append({"p": "0.000", "int": "#,##0", "float": "0." + "0" * d if d > 0 else "0"}.get(kind))
        cols = [
            (
                c,
                texts[c].tolist(),
                sup.data[c].tolist(),
                (sup.primary[c].to_numpy(dtype=bool) | sup.secondary[c].to_numpy(dtype=bool)).tolist(),
            )
            for c in texts.columns
        ]  # column lists once: no row Series per cell
        rows = []
        for i in range(len(texts)):
            row = []
            for c, text_col, raw_col, hidden_col in cols:
                shown = text_col[i]
                raw = raw_col[i]
                hidden = hidden_col[i]
                if hidden:
                    row.append(shown)
                elif kinds[c] in ("p", "int", "float") and not is_missing(raw):
                    number = float(raw)
                    row.append(int(round(number)) if kinds[c] == "int" else number)
                elif shown == MISSING:
                    row.append(None)
                else:
                    row.append(shown)
            rows.append(row)
        caption = f"{title}. {table.caption}" if table.caption else title
        return export.Sheet(
            title=title, caption=caption, columns=labels, rows=rows, formats=formats, notes=table_notes(sup, self._t)
        )

    def finish(self) -> None:
        """Protect the page's counts across its tables, texts and records, write ``<out_dir>/<stem>.headline.json``
        and ``<out_dir>/<stem>.xlsx`` atomically, and show the provenance (one footer line and the full block).

        Returns None (so a notebook's last line ``ctx.finish()`` displays nothing else); the written document is
        kept in :attr:`written`.
        """
        self._protect()
        prov = provenance.collect(
            notebook=self.notebook, params=self.params, dataset=self.dataset, seed=self.seed, started_at=self.started_at
        )
        doc = self.headline()
        doc["provenance"] = prov
        self.out_dir.mkdir(exist_ok=True)  # never its parents: a run's folder removed meanwhile stays removed
        info = [
            (self.t("run.xlsx_page"), doc["title"]),
            (self.t("common.provenance.dataset"), self.dataset),
            (self.t("common.index.regions"), ", ".join(doc["region_names"])),
            (self.t("run.xlsx_data"), _strip_tags(self.banner)),
            (self.t("run.xlsx_symbols"), self.t("common.suppressed_note", min_n=self.min_n)),
            ("", self.t("common.suppressed_secondary_note", min_n=self.min_n)),
        ]
        where = export.write_xlsx(self.out_dir / f"{self.stem}.xlsx", self._sheets(), info=info)
        self._locate(doc, where)
        doc["xlsx"] = f"{self.stem}.xlsx"
        _write_atomic(self.out_dir / f"{self.stem}.headline.json", export.headline_text(doc))
        self._finished = True
        self.written = doc
        self._show_html(provenance.footer_html(prov, self._t) + provenance.to_html(prov, self._t))

    def _locate(self, doc: dict, where: Mapping[tuple, str]) -> None:
        """Add to each published count where the ``.xlsx`` holds it (so the runner can withhold it there too)."""
        sheet_of = {}
        k = 0
        for table in self._shown_tables:
            for sup, prefix in ((table.main, f"t{table.number}"), (table.detail, f"t{table.number}d")):
                if sup is None:
                    continue
                cols = [str(c) for c in sup.data.columns]  # the sheet's columns (format_cells with ci="separate")
                sheet_of[prefix] = (k, cols, sup)
                k += 1
        for c in doc["counts"]:
            m = re.match(r"^(t\d+d?)\.r(\d+)\.(.+)$", c["id"])
            if m and m.group(1) in sheet_of:
                s_i, cols, sup = sheet_of[m.group(1)]
                row, col = int(m.group(2)), m.group(3)
                if col in cols:
                    c["xlsx"] = where.get((s_i, row, cols.index(col)))
                derived = [d for d, of in sup.derived.items() if of == col and d in cols]
                if derived:
                    c["xlsx_of"] = [where.get((s_i, row, cols.index(d))) for d in derived]


class TableView(Mapping):
    """The tables of a page read lazily with only some columns (:meth:`Context.view`): a mapping table name ->
    DataFrame, as ``ctx.tables`` is, whose ``view[name]`` is ``ctx.table(name, columns[name])``."""

    def __init__(self, ctx: Context, columns: Mapping[str, Sequence[str] | None]):
        self._ctx = ctx
        self.columns = dict(columns)

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in TABLES:
            raise KeyError(name)
        return self._ctx.table(name, self.columns.get(name))

    def __iter__(self):
        return iter(TABLES)

    def __len__(self) -> int:
        return len(TABLES)


#: The columns the data banner reads (:attr:`Context.source`).
SOURCE_COLUMNS = {
    "performance": ["period", "person_id"],
    "satisfaction": ["period"],
    "survey": ["submitted_at", "person_id"],
    "training": ["person_id"],
}


def _distinct(dataset: str, table: str, column: str) -> tuple[pa.Array, int]:
    """The distinct non-missing values of ``column`` of ``table`` over its rows with a region, and the number of
    those rows, read one row group at a time (memory: the distinct values, not the column)."""
    f = processed_folder(dataset) / f"{table}.parquet"
    if not f.exists():
        return pa.array([], pa.large_string()), 0
    pf = pq.ParquetFile(f)
    names = pf.schema_arrow.names
    if column not in names or "region_code" not in names:
        return pa.array([], pa.large_string()), 0
    parts, rows = [], 0
    for i in range(pf.num_row_groups):
        batch = pf.read_row_group(i, columns=list(dict.fromkeys([column, "region_code"])))
        batch = batch.filter(pc.is_valid(batch.column("region_code")))
        rows += batch.num_rows
        parts.append(pc.unique(batch.column(column).combine_chunks().drop_null()))
    if not parts:
        return pa.array([], pf.schema_arrow.field(column).type), 0
    return pc.unique(pa.concat_arrays(parts)), rows


def _distinct_source(dataset: str) -> dict[str, pd.DataFrame]:
    """The banner's columns (:data:`SOURCE_COLUMNS`) of every region as :func:`_data_source` counts them: per table
    and column the distinct values (their count and range is what it shows), and the satisfaction table's rows."""
    out = {}
    for t, cols in SOURCE_COLUMNS.items():
        found = {c: _distinct(dataset, t, c) for c in cols}
        out[t] = pd.DataFrame({c: pd.Series(v.to_pandas()) for c, (v, _) in found.items()})
    _, n_public = _distinct(dataset, "satisfaction", "region_code")
    out["satisfaction"] = out["satisfaction"].reindex(range(n_public)) if n_public else out["satisfaction"].iloc[:0]
    return out


def _restrict(df: pd.DataFrame, keep: Sequence[str]) -> pd.DataFrame:
    """The rows of ``df`` whose region is one of ``keep`` (rows without a region dropped; index reset)."""
    if "region_code" not in df.columns:
        return df
    return df[df["region_code"].astype(str).isin(keep)].reset_index(drop=True)


def _codes(tables: Mapping[str, pd.DataFrame]) -> list[str]:
    """Region codes present in any of ``tables``, sorted."""
    return sorted(
        {str(c) for df in tables.values() if "region_code" in df.columns for c in df["region_code"].dropna().unique()}
    )


def _write_atomic(path: Path, text: str | Iterable[str]) -> None:
    """Write ``text`` (or its pieces, one after the other) through a temporary sibling and a rename, in an existing
    folder only."""
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        if isinstance(text, str):
            f.write(text)
        else:
            f.writelines(text)
    os.replace(tmp, path)


def _strip_tags(text: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", text))


def _period_label(periods: Sequence[str]) -> tuple[str | None, str | None]:
    vals = sorted(str(p) for p in periods if not is_missing(p))
    return (vals[0], vals[-1]) if vals else (None, None)


def _is_synthetic(manifest: Mapping, dataset: str) -> bool:
    """Synthetic when the manifest says so (``synthetic: true`` or ``source.synthetic``), or when the raw folder of
    a dataset of that name holds the generator's ``GROUND_TRUTH.json``."""
    flag = manifest.get("synthetic")
    if flag is None:
        flag = (manifest.get("source") or {}).get("synthetic")
    if flag is not None:
        return bool(flag)
    name = str(manifest.get("dataset") or Path(str(dataset)).name)
    try:
        return (paths.raw_dir(name) / "GROUND_TRUTH.json").is_file()
    except (OSError, ValueError, KinerjaError):
        return False


def _data_source(dataset: str, manifest: Mapping, tables: Mapping[str, pd.DataFrame]) -> dict:
    """What the data are, for the banner: name, description, period, people (ASN) and public respondents."""
    periods: list[str] = []
    for name in ("performance", "satisfaction"):
        df = tables.get(name)
        if df is not None and "period" in df.columns:
            periods += list(pd.unique(df["period"].dropna().astype(str)))
    if not periods:
        survey = tables.get("survey")
        if survey is not None and "submitted_at" in survey.columns and survey["submitted_at"].notna().any():
            months = pd.to_datetime(survey["submitted_at"], errors="coerce").dropna().dt.strftime("%Y-%m")
            periods = list(months.unique())
    start_p, end_p = _period_label(periods)
    ids = []
    for name in ("survey", "performance", "training"):
        df = tables.get(name)
        if df is not None and "person_id" in df.columns:
            ids.append(pd.Series(df["person_id"].dropna().unique()))
    n_people = int(pd.concat(ids, ignore_index=True).nunique()) if ids else 0
    public = tables.get("satisfaction")
    source = manifest.get("source") if isinstance(manifest.get("source"), Mapping) else {}
    return {
        "synthetic": _is_synthetic(manifest, dataset),
        "name": str(manifest.get("dataset") or Path(str(dataset)).name),
        "description": str(source.get("description") or manifest.get("description") or "") or None,
        "period_from": start_p,
        "period_to": end_p,
        "n_people": n_people,
        "n_public": 0 if public is None else int(len(public)),
    }


def start(
    notebook: str,
    *,
    dataset: str = paths.DEFAULT_DATASET,
    regions: Any = (),
    lang: str = "id",
    alpha: float = 0.05,
    seed: int = paths.DEFAULT_SEED,
    min_cell: int = MIN_CELL_N,
    style: str = "standard",
    out_dir: str = "",
) -> Context:
    """Begin a report notebook: check the parameters, show the data banner and return its :class:`Context`.

    Parameters
    ----------
    notebook : str
        The notebook's name without ``.ipynb`` (``"02_training_impact"``); names the outputs.
    dataset : str
        Processed dataset name (``data/processed/<dataset>``) or folder.
    regions : str, list of str or float
        Kemendagri codes (or names the registry resolves); empty = every region in the data. One code, a list, or
        the float papermill makes of ``-p regions 18.71`` (:func:`normalise_regions`).
    lang : {"id", "en"}
        Report language.
    alpha : float
        Significance level; intervals have level ``1 - alpha``.
    seed : int
        Seed for bootstrap and resampling (``ctx.seed``).
    min_cell : int, default 5
        Small-cell threshold: counts of fewer people are withheld (``ctx.min_n``).
    style : {"standard", "skripsi"}
        ``"skripsi"``: regression, ANOVA and t-test results in the SPSS block layout (``ctx.style``).
    out_dir : str
        Folder of ``<notebook>.headline.json`` and ``<notebook>.xlsx``; ``""`` = the current directory.

    Returns
    -------
    Context

    Raises
    ------
    KinerjaError
        A parameter outside its rule, or a dataset that has not been cleaned.
    """
    ctx = Context(
        notebook,
        dataset=dataset,
        regions=regions,
        lang=lang,
        alpha=alpha,
        seed=seed,
        min_cell=min_cell,
        style=style,
        out_dir=out_dir,
    )
    ctx._show_html(ctx.banner)
    # the reads behind the regions and the banner leave freed buffers with Arrow's allocator, which keeps them for
    # its own reuse (scale 10: 1.3 GiB of a 1.6 GiB kernel); handed back, the page's other work can use that memory
    pa.default_memory_pool().release_unused()
    return ctx
