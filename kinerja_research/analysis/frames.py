"""Analysis frames built from the processed tables: scale scores per person × wave, linked to performance and
training hours, in the shapes the training and reward analyses take.

An analysis that needs a construct (resistance, training perception, reward, sanction, motivation, usability) takes
its items and scale from :func:`dataset_constructs`: the dataset's ``constructs:`` mapping and codebooks (its own
codebook files travel in the processed folder, ``codebooks/``), by default the shipped instruments. Scores by
construct come from :func:`construct_scores` (one column per construct, named by the construct).

These functions only reshape and merge (vectorised pandas); the statistics live in :mod:`training` and
:mod:`rewards`.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from kinerja_research import paths
from kinerja_research.errors import KinerjaError
from kinerja_research.ingest.dataset import DEFAULT_CONSTRUCTS, load_dataset
from kinerja_research.instruments import Codebook, list_codebooks, load_codebook
from kinerja_research.measure import score_scale
from kinerja_research.results import check_columns

__all__ = [
    "scale_scores",
    "survey_frame",
    "performance_panel",
    "change_frame",
    "staff_years",
    "DEFAULT_INSTRUMENTS",
    "Construct",
    "resolve_constructs",
    "dataset_codebooks",
    "dataset_constructs",
    "constructs_present",
    "construct_scores",
]

#: Instruments scored by default for the training and reward analyses (codebook names).
DEFAULT_INSTRUMENTS = ("training", "reward", "sanction", "motivation")
#: Survey columns that identify and describe a respondent, kept beside the scores by :func:`survey_frame` (a report
#: section reads these plus the items of its constructs).
SURVEY_FIELDS = (
    "person_id",
    "region_code",
    "agency",
    "wave",
    "trained",
    "submitted_at",
    "gender",
    "age",
    "tenure_years",
    "employment",
    "golongan",
    "golongan_rank",
    "jabatan",
    "education",
)
#: Period kinds from finest to coarsest (docs/architecture.md, processed ``performance``): an analysis by period uses
#: the finest kind a person's records have, so a quarterly export links a wave to its quarter, never to a semester.
PERIOD_KINDS = ("month", "quarter", "semester", "year")


def _tables(tables: Mapping[str, pd.DataFrame], *names: str) -> list[pd.DataFrame]:
    missing = [n for n in names if n not in tables]
    if missing:
        raise KinerjaError(
            f"The processed tables have no {', '.join(repr(m) for m in missing)} table; the rule is "
            "that the dataset provides it (see docs/architecture.md, canonical tables)."
        )
    return [tables[n] for n in names]


@functools.lru_cache(maxsize=16)
def _codebook(name: str):
    """Codebook by name, parsed once per process (the YAML files are package data and do not change)."""
    return load_codebook(name)


def _shipped_or_error(name: str) -> Codebook:
    """A shipped codebook by name; an own instrument's name gets an error that says where its codebook is."""
    if name not in list_codebooks():
        raise KinerjaError(
            f"scale_scores got the instrument name '{name}', which is not a shipped codebook "
            f"({', '.join(list_codebooks())}); the rule is that a dataset's own instrument is passed as its "
            f"Codebook: kr.dataset_codebooks(dataset)['{name}'], or kr.load_codebook('path/to/{name}.yml')."
        )
    return _codebook(name)


def scale_scores(
    survey: pd.DataFrame, instruments: Sequence[str | Codebook] = DEFAULT_INSTRUMENTS, *, min_valid: float = 0.8
) -> pd.DataFrame:
    """Scale scores of each instrument, one row per survey row, next to the survey's identifying columns.

    Parameters
    ----------
    survey : pandas.DataFrame
        The ``survey`` table (items as answered).
    instruments : sequence of str or Codebook
        The instruments to score: a shipped codebook's name (``"rtc"``), or a :class:`Codebook` itself, such as a
        dataset's own instrument from :func:`dataset_codebooks` (``dataset_codebooks("bengkulu")["sikap"]``) or
        :func:`kinerja_research.load_codebook` of a YAML file. Each gives a column ``<name>`` (the total score, or
        the single dimension) and one column ``<name>_<dimension>`` per dimension, ``<name>`` being the codebook's
        name.
    min_valid : float, default 0.8
        Passed to :func:`kinerja_research.measure.score_scale`: below this share of answered items the score is NA.

    Returns
    -------
    pandas.DataFrame
        The survey's identifying columns present (``person_id``, ``region_code``, ``agency``, ``wave``,
        ``trained``, demographics) and the score columns; same index as ``survey``.

    Notes
    -----
    Scoring is :func:`kinerja_research.measure.score_scale` (reverse keys from the codebook, mean of the answered
    keyed items), so scores here are the ones the instrument report validates.

    Examples
    --------
    >>> import pandas as pd
    >>> survey = pd.DataFrame({"person_id": ["a", "b"], **{f"RWD{i:02d}": [4.0, 2.0] for i in range(1, 7)}})
    >>> scale_scores(survey, ["reward"])[["person_id", "reward"]].to_dict("list")
    {'person_id': ['a', 'b'], 'reward': [4.0, 2.0]}
    """
    keep = [c for c in SURVEY_FIELDS if c in survey.columns]
    parts = [survey[keep]]
    for instrument in instruments:
        if isinstance(instrument, Codebook):
            cb, name = instrument, instrument.name
        elif isinstance(instrument, str):
            cb, name = _shipped_or_error(instrument), instrument
        else:
            raise KinerjaError(
                f"scale_scores got the instrument {instrument!r}; the rule is a codebook name or a Codebook "
                "(kr.dataset_codebooks(dataset)[name] for a dataset's own instrument)."
            )
        items = [i for i in cb.item_ids if i in survey.columns]
        if not items:
            raise KinerjaError(
                f"The survey has none of the items of instrument '{name}' ({cb.item_ids[0]}...); the "
                "rule is that a scored instrument's items are columns of the survey."
            )
        absent = [i for i in cb.item_ids if i not in survey.columns]
        if absent:
            raise KinerjaError(
                f"The survey has {len(items)} of the {len(cb.item_ids)} items of instrument '{name}' but not "
                f"{', '.join(absent)}; the rule is that every item of a scored instrument is a column of the survey "
                "(score a subset with a codebook restricted to it, as kr.dataset_constructs does)."
            )
        sc = score_scale(survey[cb.item_ids].copy(), cb, min_valid=min_valid)
        total = sc["total"] if "total" in sc.columns else sc.iloc[:, 0]
        dims = sc.drop(columns=["total"], errors="ignore").add_prefix(f"{name}_")
        parts += [total.rename(name).to_frame(), dims]
    return pd.concat(parts, axis=1)


# ------------------------------------------------------------------------------------------------------ constructs
@dataclass(frozen=True)
class Construct:
    """One construct of a dataset (``resistance``, ``reward``, ...): the instrument that measures it, its items and
    their scale.

    Attributes
    ----------
    name : str
        The construct (``"resistance"``); also the name of its score column in :func:`construct_scores`.
    instrument : str
        The codebook that measures it (shipped ``"rtc"`` or a dataset's own, e.g. ``"sikap_perubahan"``).
    dimension : str or None
        The codebook dimension mapped to the construct, or None for all its items.
    codebook : Codebook
        The instrument's codebook as the dataset uses it (a ``likert:`` override applied), restricted to the
        construct's items and dimensions: give it to ``score_scale``, ``invariance`` or ``cfa`` as the model.
    """

    name: str
    instrument: str
    dimension: str | None
    codebook: Codebook

    @property
    def items(self) -> list[str]:
        """Item ids, in codebook order."""
        return self.codebook.item_ids

    @property
    def reverse(self) -> list[str]:
        """Reverse-keyed item ids (reversed when scoring, ``low + high - x``)."""
        return self.codebook.reverse_items

    @property
    def dimensions(self) -> dict[str, list[str]]:
        """``{dimension: [item ids]}`` of the construct (one entry when the construct is one dimension)."""
        return self.codebook.dimension_items()

    @property
    def low(self) -> float:
        """Lowest answer point of the declared scale."""
        return float(self.codebook.scale["min"])

    @property
    def high(self) -> float:
        """Highest answer point of the declared scale."""
        return float(self.codebook.scale["max"])

    @property
    def method(self) -> str:
        """Scoring method of the instrument (``mean``, ``sum``, ``sus``, ``skm``)."""
        return str(self.codebook.scoring.get("method", "mean"))

    @property
    def limits(self) -> tuple[float, float]:
        """Range of the construct's score: the answer scale for a mean, 0-100 for SUS, 25-100 for SKM, the item
        count times the scale for a sum."""
        if self.method == "sus":
            return 0.0, 100.0
        if self.method == "skm":
            return 25.0, 100.0
        if self.method == "sum":
            k = len(self.items)
            return self.low * k, self.high * k
        return self.low, self.high

    @property
    def midpoint(self) -> float:
        """Middle of :attr:`limits` (e.g. 3 on a 1-5 scale, 3.5 on 1-6)."""
        return sum(self.limits) / 2


def _restrict(cb: Codebook, items: Sequence[str]) -> Codebook:
    """``cb`` with only ``items`` (codebook order) and the dimensions that keep at least one of them."""
    keep = cb.items[cb.items["id"].isin(list(items))].reset_index(drop=True)
    dims = {d: v for d, v in cb.dimensions.items() if (keep["dimension"] == d).any()}
    return replace(cb, items=keep, dimensions=dims)


def resolve_constructs(mapping: Mapping, codebooks: Mapping[str, Codebook]) -> dict[str, Construct]:
    """Constructs from a ``constructs`` mapping and the codebooks that hold their items.

    Parameters
    ----------
    mapping : mapping
        Construct -> ``(instrument, dimension or None)`` (``DatasetConfig.constructs``), ``{"instrument": ...,
        "dimension": ...}``, an instrument name, or a list of item ids (manifest.json ``constructs``).
    codebooks : mapping of str to Codebook
        The instruments by name (the dataset's, a ``likert:`` override applied).

    Returns
    -------
    dict of str to Construct
        Only constructs whose instrument (or items) the codebooks hold; a construct the mapping names with an
        unknown instrument is left out (the analyses then say the construct is absent).

    Examples
    --------
    >>> from kinerja_research.instruments import load_codebook
    >>> c = resolve_constructs({"resistance": ("rtc", "cognitive_rigidity")}, {"rtc": load_codebook("rtc")})
    >>> c["resistance"].items, c["resistance"].reverse, c["resistance"].limits
    (['RTC14', 'RTC15', 'RTC16', 'RTC17'], ['RTC14'], (1.0, 6.0))
    """
    owner = {str(i): n for n, cb in codebooks.items() for i in cb.item_ids}
    out: dict[str, Construct] = {}
    for name, spec in mapping.items():
        if isinstance(spec, Mapping):
            spec = (spec.get("instrument"), spec.get("dimension"))
        if isinstance(spec, str):
            spec = (spec, None)
        spec = list(spec) if isinstance(spec, (list, tuple)) else []
        if len(spec) == 2 and isinstance(spec[0], str) and spec[0] in codebooks and spec[0] not in owner:
            inst, dim = spec[0], spec[1]
            cb = codebooks[inst]
            if dim is not None and dim not in cb.dimensions:
                continue
            items = cb.item_ids if dim is None else cb.dimension_items()[dim]
        else:  # a list of item ids: the instrument that holds them all
            items = [str(i) for i in spec if i is not None]
            insts = {owner.get(i) for i in items}
            if not items or len(insts) != 1 or None in insts:
                continue
            inst = insts.pop()
            cb = codebooks[inst]
            dims = [d for d, ids in cb.dimension_items().items() if ids == [i for i in cb.item_ids if i in items]]
            dim = dims[0] if dims and len(items) < len(cb.item_ids) else None
        out[str(name)] = Construct(str(name), inst, dim, _restrict(cb, items))
    return out


def _processed_folder(dataset: str | Path) -> Path:
    p = Path(str(dataset))
    if p.is_dir() and (p / "manifest.json").exists():
        return p
    return paths.processed_dir(str(dataset))


def _manifest(folder: Path) -> dict:
    try:
        m = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return m if isinstance(m, dict) else {}


def _raw_config(manifest: Mapping):
    """The raw dataset.yml the processed folder was cleaned from (``data/raw/<manifest dataset>``), or None."""
    name = manifest.get("dataset")
    if not isinstance(name, str) or not name or "/" in name:
        return None
    folder = paths.raw_dir(name)
    if not (folder / "dataset.yml").exists():
        return None
    try:
        return load_dataset(folder)
    except KinerjaError:
        return None


def dataset_codebooks(dataset: str | Path | None = None) -> dict[str, Codebook]:
    """The instruments of a processed dataset, name -> Codebook: the shipped codebooks and the dataset's own files
    the clean step copied into the processed folder (manifest.json ``codebooks``: ``{instrument: {"file":
    "codebooks/<name>.yml" or null for a shipped one, "label_set": ...}}``), each on the label set the dataset
    declared (``likert:``). A folder cleaned before codebooks were copied falls back to its raw dataset.yml.

    Parameters
    ----------
    dataset : str or path, optional
        A processed folder (holding ``manifest.json``) or a dataset name (``data/processed/<name>``); None gives
        the shipped codebooks only.
    """
    out = {n: _codebook(n) for n in list_codebooks()}
    if dataset is None:
        return out
    folder = _processed_folder(dataset)
    manifest = _manifest(folder)
    listed = manifest.get("codebooks")
    if isinstance(listed, Mapping):
        for name, entry in listed.items():
            entry = entry if isinstance(entry, Mapping) else {}
            f = entry.get("file")
            try:
                cb = load_codebook(folder / f) if isinstance(f, str) else _codebook(str(name))
                ls = entry.get("label_set")
                if isinstance(ls, str) and ls != cb.scale.get("label_set"):
                    cb = cb.with_label_set(ls)
            except (KinerjaError, OSError):
                continue
            out[str(name)] = cb
        return out
    cfg = _raw_config(manifest)
    if cfg is not None:
        out.update(cfg.codebooks)
    return out


def dataset_constructs(dataset: str | Path | None = None) -> dict[str, Construct]:
    """Each construct of a processed dataset with its items and their scale (:class:`Construct`).

    The mapping is what the clean step recorded in manifest.json (``codebooks``: each instrument's ``measures``,
    ``{construct: dimension or null}``; or ``constructs``: ``{construct: [item ids]}``), else the raw dataset.yml's
    ``constructs:``, else the shipped instruments (``rtc`` for resistance, ``sus`` for usability, ...); the items'
    scale and reverse keying come from :func:`dataset_codebooks`.

    Parameters
    ----------
    dataset : str or path, optional
        A processed folder or dataset name; None gives the shipped instruments.

    Returns
    -------
    dict of str to Construct

    Examples
    --------
    >>> c = dataset_constructs()
    >>> c["resistance"].instrument, c["resistance"].limits, c["usability"].limits
    ('rtc', (1.0, 6.0), (0.0, 100.0))
    """
    codebooks = dataset_codebooks(dataset)
    mapping: Mapping = {c: (i, None) for c, i in DEFAULT_CONSTRUCTS.items()}
    if dataset is not None:
        manifest = _manifest(_processed_folder(dataset))
        listed = manifest.get("codebooks")
        if isinstance(listed, Mapping):  # what each instrument measures, as the clean step recorded it
            mapping = {
                str(c): (str(inst), dim)
                for inst, entry in listed.items()
                if isinstance(entry, Mapping) and isinstance(entry.get("measures"), Mapping)
                for c, dim in entry["measures"].items()
            }
        elif isinstance(manifest.get("constructs"), Mapping):
            mapping = manifest["constructs"]
        elif (cfg := _raw_config(manifest)) is not None:
            mapping = cfg.constructs
    return resolve_constructs(mapping, codebooks)


def constructs_present(survey: pd.DataFrame, constructs: Mapping[str, Construct]) -> list[str]:
    """Names of the constructs whose items are all columns of ``survey`` with at least one answer each (mapping
    order)."""
    cols = set(survey.columns)
    return [n for n, c in constructs.items() if all(i in cols and survey[i].notna().any() for i in c.items)]


def construct_scores(
    survey: pd.DataFrame,
    constructs: Mapping[str, Construct],
    names: Sequence[str] | None = None,
    *,
    min_valid: float = 0.8,
) -> pd.DataFrame:
    """Scale scores by construct, one row per survey row, next to the survey's identifying columns.

    Parameters
    ----------
    survey : pandas.DataFrame
        The ``survey`` table (items as answered, on the declared scale).
    constructs : mapping of str to Construct
        From :func:`dataset_constructs` or :func:`resolve_constructs`.
    names : sequence of str, optional
        Constructs to score (default: every one of ``constructs``).
    min_valid : float, default 0.8
        Passed to :func:`kinerja_research.measure.score_scale`.

    Returns
    -------
    pandas.DataFrame
        The identifying columns present (as :func:`scale_scores`), a column ``<construct>`` (the total, or the
        single dimension's score) and, for a construct of several dimensions, ``<construct>_<dimension>``.

    Notes
    -----
    Scoring is :func:`kinerja_research.measure.score_scale` on the construct's items with the codebook's reverse
    keys (``low + high - x``), so a score equals ``kr.score_scale(survey[items], construct.codebook)``.

    Examples
    --------
    >>> import pandas as pd
    >>> c = dataset_constructs()
    >>> survey = pd.DataFrame({"person_id": ["a", "b"], **{f"RWD{i:02d}": [4.0, 2.0] for i in range(1, 7)}})
    >>> construct_scores(survey, c, ["reward"])[["person_id", "reward"]].to_dict("list")
    {'person_id': ['a', 'b'], 'reward': [4.0, 2.0]}
    """
    keep = [c for c in SURVEY_FIELDS if c in survey.columns]
    parts = [survey[keep]]
    for name in constructs if names is None else names:
        if name not in constructs:
            raise KinerjaError(
                f"Construct {name!r} is not mapped to an instrument of this dataset; the rule is one of "
                f"{sorted(constructs)} (dataset.yml constructs:)."
            )
        c = constructs[name]
        missing = [i for i in c.items if i not in survey.columns]
        if missing:
            raise KinerjaError(
                f"The survey has no column {missing[0]!r} of construct {name!r} (instrument {c.instrument!r}); the "
                "rule is that a scored construct's items are columns of the survey."
            )
        sc = score_scale(survey[c.items].copy(), c.codebook, min_valid=min_valid)
        total = sc["total"] if "total" in sc.columns else sc.iloc[:, 0]
        parts.append(total.rename(name).to_frame())
        if len(c.dimensions) > 1:
            parts.append(sc.drop(columns=["total"], errors="ignore").add_prefix(f"{name}_"))
    return pd.concat(parts, axis=1)


def _wave_dates(survey: pd.DataFrame) -> dict[str, pd.Timestamp]:
    """Each wave's median submission date (``submitted_at`` is the first day of its month in processed tables)."""
    return {str(w): pd.to_datetime(sub["submitted_at"]).median() for w, sub in survey.groupby("wave", observed=True)}


def _wave_periods(survey: pd.DataFrame, performance: pd.DataFrame) -> dict[str, str]:
    """Each wave's performance period: the latest period starting on or before the wave's median submission date,
    among the periods of the finest kind in the table (older tables without ``period_kind``: all periods)."""
    perf = _finest_kind(performance)
    starts = perf.drop_duplicates("period").set_index("period")["period_start"].sort_values()
    out = {}
    for wave, when in _wave_dates(survey).items():
        before = starts[pd.to_datetime(starts) <= when]
        if before.empty:
            raise KinerjaError(
                f"Survey wave {wave!r} (median submission {when:%Y-%m-%d}) precedes every performance "
                "period; the rule is a performance period starting before the wave."
            )
        out[wave] = str(before.index[-1])
    return out


def _finest_kind(performance: pd.DataFrame, by: str | None = None) -> pd.DataFrame:
    """The rows of the finest period kind present (per ``by`` group, e.g. per region, when given): a unit that sends
    quarters and a yearly total is analysed by quarter, and the yearly rows are not counted twice."""
    if "period_kind" not in performance.columns or performance.empty:
        return performance
    kinds = performance["period_kind"].astype("string")
    unknown = ~kinds.isin(PERIOD_KINDS) & kinds.notna()
    if unknown.any():
        i = int(np.flatnonzero(unknown.to_numpy())[0])
        raise KinerjaError(
            f"performance table row {i + 1}, column 'period_kind', value {kinds.iloc[i]!r}: the rule is one of "
            f"{list(PERIOD_KINDS)}."
        )
    rank = kinds.map({k: i for i, k in enumerate(PERIOD_KINDS)}).astype(float)
    best = rank.groupby(performance[by]).transform("min") if by else pd.Series(rank.min(), index=rank.index)
    return performance[(rank == best).to_numpy()]


def survey_frame(
    tables: Mapping[str, pd.DataFrame],
    instruments: Sequence[str] = DEFAULT_INSTRUMENTS,
    *,
    periods: Mapping[str, str] | None = None,
    min_valid: float = 0.8,
    constructs: Mapping[str, Construct] | None = None,
) -> pd.DataFrame:
    """Person × wave frame: scale scores merged with the performance of the period linked to each wave and the
    person's training hours in that year.

    Parameters
    ----------
    tables : mapping of str to pandas.DataFrame
        Processed tables (``survey``, ``performance``, ``training``), e.g. ``ctx.tables``.
    instruments : sequence of str
        Codebook names to score (see :func:`scale_scores`).
    periods : mapping, optional
        Wave -> performance period (e.g. ``{"pre": "2025-S2", "post": "2026-S2"}``); by default each wave takes the
        latest period that starts on or before its median submission date, among the periods of the finest kind
        the performance table has (``period_kind``: a quarterly export links each wave to a quarter).
    min_valid : float
        See :func:`scale_scores`.
    constructs : mapping of str to Construct, optional
        When given, ``instruments`` names constructs of this mapping (:func:`dataset_constructs`) and the scores
        are :func:`construct_scores` (columns named by the construct, the dataset's own items and scale).

    Returns
    -------
    pandas.DataFrame
        One row per survey row: the columns of :func:`scale_scores`, then ``period``, ``capaian_pct``,
        ``rating_hasil_kerja``, ``rating_perilaku``, ``predikat`` (NA when the person has no record that period),
        ``jp_year`` (JP of courses starting in the period's calendar year, 0 when none) and ``jp_programme`` (JP of
        the evaluated programme, any year).

    Examples
    --------
    >>> import pandas as pd
    >>> survey = pd.DataFrame({"person_id": ["a", "a"], "wave": ["pre", "post"],
    ...                        "submitted_at": pd.to_datetime(["2025-11-20", "2026-11-20"]),
    ...                        **{f"RWD{i:02d}": [3.0, 4.0] for i in range(1, 7)}})
    >>> perf = pd.DataFrame({"person_id": ["a", "a"], "period": ["2025-S2", "2026-S2"],
    ...                      "period_start": pd.to_datetime(["2025-07-01", "2026-07-01"]), "capaian_pct": [80.0, 88.0]})
    >>> train = pd.DataFrame({"person_id": ["a"], "start": pd.to_datetime(["2026-02-02"]), "jp": [40.0],
    ...                       "programme": [True]})
    >>> f = survey_frame({"survey": survey, "performance": perf, "training": train}, ["reward"])
    >>> f[["wave", "reward", "period", "capaian_pct", "jp_year"]].values.tolist()
    [['pre', 3.0, '2025-S2', 80.0, 0.0], ['post', 4.0, '2026-S2', 88.0, 40.0]]
    """
    survey, perf, train = _tables(tables, "survey", "performance", "training")
    check_columns(perf, ["person_id", "period", "period_start", "capaian_pct"], what="performance table")
    check_columns(train, ["person_id", "start", "jp", "programme"], what="training table")
    perf = _finest_kind(perf) if periods is None else perf
    periods = dict(periods) if periods is not None else _wave_periods(survey, perf)
    if constructs is not None:
        sc = construct_scores(survey, constructs, list(instruments), min_valid=min_valid)
    else:
        sc = scale_scores(survey, instruments, min_valid=min_valid)
    sc["period"] = sc["wave"].map(periods)
    pcols = [
        c
        for c in (
            "person_id",
            "period",
            "period_start",
            "capaian_pct",
            "rating_hasil_kerja",
            "rating_perilaku",
            "predikat",
        )
        if c in perf.columns
    ]
    out = sc.merge(perf[pcols].drop_duplicates(["person_id", "period"]), on=["person_id", "period"], how="left")
    out["year"] = pd.to_datetime(out["period_start"]).dt.year
    jp = _jp_by_year(train)
    out = out.merge(jp, on=["person_id", "year"], how="left")
    out["jp_year"] = out["jp_year"].fillna(0.0)
    prog = train[train["programme"].astype(bool)].groupby("person_id")["jp"].sum().rename("jp_programme")
    out = out.merge(prog, left_on="person_id", right_index=True, how="left")
    out["jp_programme"] = out["jp_programme"].fillna(0.0)
    out.index = sc.index
    return out.drop(columns=["period_start", "year"])


def _jp_by_year(train: pd.DataFrame) -> pd.DataFrame:
    t = train.assign(year=pd.to_datetime(train["start"]).dt.year)
    return t.groupby(["person_id", "year"], observed=True)["jp"].sum().rename("jp_year").reset_index()


def _programme(train: pd.DataFrame) -> tuple[pd.Series, pd.Timestamp]:
    prog = train[train["programme"].astype(bool)]
    if prog.empty:
        raise KinerjaError(
            "The training table has no row with programme = True; the rule is that the evaluated "
            "programme's courses are flagged."
        )
    jp = prog.groupby("person_id")["jp"].sum().rename("jp_programme")
    return jp, pd.to_datetime(prog["start"]).min()


def performance_panel(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Person × period performance panel for difference-in-differences: who took the programme, before or after.

    Parameters
    ----------
    tables : mapping of str to pandas.DataFrame
        Processed tables (``performance``, ``training``).

    Returns
    -------
    pandas.DataFrame
        The ``performance`` rows of the finest period kind each region has (``period_kind``; a region that sends
        quarters and a yearly total keeps the quarters), with ``trained`` (the person has a programme course),
        ``jp_programme`` (0 when untrained), ``wave`` (``"post"`` for the periods that end on or after the
        programme's first course day, i.e. the period in which it began and later ones; ``"pre"`` before; without
        ``period_end``, from the latest period starting on or before that day) and ``jp_year`` (JP of all courses starting in the
        period's calendar year).

    Examples
    --------
    >>> import pandas as pd
    >>> perf = pd.DataFrame({"person_id": ["a", "a", "b", "b"], "period": ["2025-S2", "2026-S1"] * 2,
    ...                      "period_start": pd.to_datetime(["2025-07-01", "2026-01-01"] * 2),
    ...                      "capaian_pct": [80.0, 86.0, 82.0, 83.0]})
    >>> train = pd.DataFrame({"person_id": ["a"], "start": pd.to_datetime(["2026-02-02"]), "jp": [40.0],
    ...                       "programme": [True]})
    >>> performance_panel({"performance": perf, "training": train})[["person_id", "wave", "trained"]].values.tolist()
    [['a', 'pre', True], ['a', 'post', True], ['b', 'pre', False], ['b', 'post', False]]
    """
    perf, train = _tables(tables, "performance", "training")
    check_columns(perf, ["person_id", "period", "period_start", "capaian_pct"], what="performance table")
    perf = _finest_kind(perf, by="region_code" if "region_code" in perf.columns else None)
    jp_prog, first = _programme(train)
    out = perf.merge(jp_prog, left_on="person_id", right_index=True, how="left")
    out["jp_programme"] = out["jp_programme"].fillna(0.0)
    out["trained"] = out["jp_programme"] > 0
    if "period_end" in out.columns:  # post: the periods that end on or after the programme's first day
        out["wave"] = np.where(pd.to_datetime(out["period_end"]) >= first, "post", "pre")
    else:  # without period_end: from the latest period starting on or before the programme's first day
        starts = pd.to_datetime(perf["period_start"])
        cut = starts[starts <= first].max()
        out["wave"] = np.where(pd.to_datetime(out["period_start"]) >= cut, "post", "pre")
    out["year"] = pd.to_datetime(out["period_start"]).dt.year
    out = out.merge(_jp_by_year(train), on=["person_id", "year"], how="left").drop(columns="year")
    out["jp_year"] = out["jp_year"].fillna(0.0)
    return out


def change_frame(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per person: mean capaian before and after the programme, its change, and training hours.

    Returns
    -------
    pandas.DataFrame
        ``person_id``, ``region_code``, ``agency``, ``trained``, ``jp_programme``, ``jp_other`` (JP of other courses,
        all years), ``capaian_pre``, ``capaian_post``, ``capaian_change`` (post - pre; NA unless the person has
        records on both sides). The change removes each person's stable level, so its slope on ``jp_programme`` is
        the dose-response of the programme even when better performers are nominated.

    Examples
    --------
    >>> import pandas as pd
    >>> perf = pd.DataFrame({"person_id": ["a", "a"], "region_code": "18.71", "agency": "Dinas A",
    ...                      "period": ["2025-S2", "2026-S1"],
    ...                      "period_start": pd.to_datetime(["2025-07-01", "2026-01-01"]), "capaian_pct": [80.0, 86.0]})
    >>> train = pd.DataFrame({"person_id": ["a"], "start": pd.to_datetime(["2026-02-02"]), "jp": [40.0],
    ...                       "programme": [True]})
    >>> change_frame({"performance": perf, "training": train})[["jp_programme", "capaian_change"]].values.tolist()
    [[40.0, 6.0]]
    """
    panel = performance_panel(tables)
    (train,) = _tables(tables, "training")
    m = panel.pivot_table(index="person_id", columns="wave", values="capaian_pct", aggfunc="mean")
    m = m.reindex(columns=["pre", "post"]).rename(columns={"pre": "capaian_pre", "post": "capaian_post"})
    first = panel.sort_values("period_start").drop_duplicates("person_id", keep="last")
    first = first.set_index("person_id")[["region_code", "agency", "trained", "jp_programme"]]
    other = train[~train["programme"].astype(bool)].groupby("person_id")["jp"].sum().rename("jp_other")
    out = first.join(m).join(other)
    out["jp_other"] = out["jp_other"].fillna(0.0)
    out["capaian_change"] = out["capaian_post"] - out["capaian_pre"]
    return out.reset_index()


def staff_years(performance: pd.DataFrame) -> pd.DataFrame:
    """Who was on the staff in which calendar year (from the performance periods), for :func:`training_dose`.

    Returns
    -------
    pandas.DataFrame
        ``person_id``, ``year``, ``region_code``, ``agency``, ``employment`` (when present), ``golongan`` (the
        latest of the year), one row per person-year. Any period kind works (a person-year is any record that
        starts in the year).

    Examples
    --------
    >>> import pandas as pd
    >>> perf = pd.DataFrame({"person_id": ["a", "a", "a"], "region_code": "18.71",
    ...                      "golongan": ["III/a", "III/b", "III/b"],
    ...                      "period_start": pd.to_datetime(["2025-01-01", "2025-07-01", "2026-01-01"])})
    >>> staff_years(perf).values.tolist()
    [['a', 2025, '18.71', 'III/b'], ['a', 2026, '18.71', 'III/b']]
    """
    check_columns(performance, ["person_id", "period_start", "region_code", "golongan"], what="performance table")
    p = performance.assign(year=pd.to_datetime(performance["period_start"]).dt.year).sort_values("period_start")
    cols = [c for c in ("person_id", "year", "region_code", "agency", "employment", "golongan") if c in p.columns]
    return p.drop_duplicates(["person_id", "year"], keep="last")[cols].reset_index(drop=True)
