"""Suppression that arithmetic cannot undo: the counts a page (and a run) publishes, and the cells to withhold.

Every count of people a report shows -- a cell of a count table, the ``n`` of a row, a count in a sentence or a
headline figure -- is a :class:`Cell` of one ledger: a *measure* (the count column: ``n``, ``count``, ``n_people``;
a record's measure) counted at *coordinates* (the additive keys of its row: region, wave, group, rule, gender, ...)
and *qualifiers* (keys that are not summed over: term, item, scale, method, ...). A cell without a region
coordinate covers the regions of its page (its *scope*); a page about one region gives its cells that region.

Two cells with the same measure, qualifiers and coordinates are the same figure. A cell whose coordinates are a part
of another's is a *margin* of the cells that extend it: ``{rule: too_fast}`` (a pooled total) is the sum of
``{rule: too_fast, region: r}`` over the regions of its scope, when all of them are published (a sum with an
unpublished term reveals nothing). Each margin gives a linear equation; a withheld cell can be worked out exactly when
its unit vector lies in the row space of those equations restricted to the withheld cells, i.e. when every vector of
their null space is 0 at it (:func:`recoverable`).

:func:`protect` withholds shown cells (the smallest first, components before totals) until no withheld cell is
recoverable. The page does it when it finishes (``ctx.finish``), the runner again across the pages of a run. The
values a key takes are the values seen for that measure anywhere in the ledger (a category nobody is in is not
published, and its equation is left out).

A count column ``n_<value>`` of a wide table (``n_too_fast``) is the ``count`` measure at ``<key>: <value>`` when
``<value>`` is a value of a coordinate of some ``count`` cell (``rule: too_fast`` of a problems-by-rule table).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace

import numpy as np
import pandas as pd

from kinerja_research.errors import KinerjaError

__all__ = [
    "Cell",
    "ADDITIVE_KEYS",
    "QUALIFIER_KEYS",
    "coordinates",
    "protect",
    "recoverable",
    "relations",
    "from_public",
]

#: Keys whose values partition the people counted: a cell without one of them is the sum over its values.
ADDITIVE_KEYS = frozenset(
    {
        "region",
        "region_code",
        "wilayah",
        "group",
        "wave",
        "period",
        "service_unit",
        "unit",
        "unit_id",
        "opd",
        "agency",
        "gender",
        "education",
        "golongan",
        "jabatan",
        "employment",
        "trained",
        "rule",
        "predikat",
        "age_group",
        "tenure_group",
        "category",
        "year",
        "semester",
        "quarter",
        "occupation",
        "mutu",
    }
)
#: Keys that say what a figure is (a model term, an item, a scale): never summed over.
QUALIFIER_KEYS = frozenset(
    {
        "term",
        "path",
        "method",
        "effect_size_name",
        "scale",
        "item",
        "dimension",
        "element",
        "variable",
        "column",
        "table",
        "tables",
        "instrument",
        "construct",
        "statistic",
        "group_a",
        "group_b",
        "group_by",
        "level",
    }
)
_REGION_KEYS = ("region", "region_code", "wilayah")
_POOLED = frozenset({"all", "total", "semua", "*"})


@dataclass
class Cell:
    """One published count.

    Attributes
    ----------
    id : str
        Unique in its ledger (on a page ``t3.r2.count``, ``rec.duplicates``; in a run prefixed ``<stem>/``).
    measure : str
        What is counted (the count column or the record's measure).
    coords, quals : dict of str to str
        Additive coordinates (``region`` for any region column) and qualifiers.
    scope : tuple of str
        Regions the page covers: the universe of a cell without a region coordinate.
    value : int or None
        The count (None in a public ledger for a withheld cell).
    state : {"shown", "primary", "secondary"}
    frozen : bool
        Shown in a figure: cannot be withheld after the fact (other cells are withheld instead).
    """

    id: str
    measure: str
    coords: dict[str, str] = field(default_factory=dict)
    quals: dict[str, str] = field(default_factory=dict)
    scope: tuple[str, ...] = ()
    value: int | None = None
    state: str = "shown"
    frozen: bool = False

    @property
    def hidden(self) -> bool:
        return self.state != "shown"

    def public(self) -> dict:
        """The cell as published in the headline JSON (no value when withheld)."""
        d = {f.name: getattr(self, f.name) for f in fields(self)}  # asdict's order, without its deep copy per region
        d["coords"], d["quals"], d["scope"] = dict(self.coords), dict(self.quals), list(self.scope)
        if self.hidden:
            d["value"] = None
        return d


def from_public(d: Mapping, *, prefix: str = "") -> Cell:
    """A :class:`Cell` from its published form (``Cell.public()``), its id prefixed with ``prefix``."""
    return Cell(
        id=prefix + str(d["id"]),
        measure=str(d["measure"]),
        coords={str(k): str(v) for k, v in (d.get("coords") or {}).items()},
        quals={str(k): str(v) for k, v in (d.get("quals") or {}).items()},
        scope=tuple(str(r) for r in d.get("scope") or ()),
        value=d.get("value"),
        state=str(d.get("state", "shown")),
        frozen=bool(d.get("frozen", False)),
    )


def _text(v) -> str | None:
    if v is None:
        return None
    try:
        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    return str(v)


def coordinates(row: Mapping, keys: Iterable[str] = ()) -> tuple[dict[str, str], dict[str, str]]:
    """Coordinates and qualifiers of a table row: values of its additive and qualifier keys.

    ``keys`` adds columns counted as additive. Region columns become ``region``; a value such as ``all`` or a missing
    value means the row is pooled over that key (no coordinate).

    Examples
    --------
    >>> coordinates({"region_code": "18.71", "wave": "pre", "term": "x", "estimate": 1.2})
    ({'region': '18.71', 'wave': 'pre'}, {'term': 'x'})
    >>> coordinates({"region": "all", "rule": "too_fast", "severity": "warning"})
    ({'rule': 'too_fast'}, {})
    """
    extra = set(keys)
    coords: dict[str, str] = {}
    quals: dict[str, str] = {}
    for k, v in row.items():
        k = str(k)
        s = _text(v)
        if s is None:
            continue
        if k in _REGION_KEYS or k in ADDITIVE_KEYS or k in extra:
            if s.lower() in _POOLED:
                continue
            coords["region" if k in _REGION_KEYS else k] = s
        elif k in QUALIFIER_KEYS:
            quals[k] = s
    return dict(sorted(coords.items())), dict(sorted(quals.items()))


def _normalise_measures(cells: Sequence[Cell]) -> list[Cell]:
    """``n_<value>`` columns -> the ``count`` measure at ``<key>: <value>`` (see the module notes)."""
    pairs: dict[str, set[str]] = defaultdict(set)
    for c in cells:
        if c.measure == "count":
            for k, v in c.coords.items():
                pairs[v].add(k)
    out = []
    for c in cells:
        if c.measure.startswith("n_") and len(pairs.get(c.measure[2:], ())) == 1:
            (key,) = pairs[c.measure[2:]]
            if key not in c.coords:
                c = replace(  # not asdict: it deep-copies the scope, region by region
                    c,
                    measure="count",
                    coords=dict(sorted({**c.coords, key: c.measure[2:]}.items())),
                    quals=dict(c.quals),
                )
        out.append(c)
    return out


@dataclass
class _Var:
    cells: list[Cell]
    measure: str
    quals: tuple
    coords: dict[str, str]
    regions: frozenset

    @property
    def value(self) -> int | None:
        return next((c.value for c in self.cells if c.value is not None), None)

    @property
    def frozen(self) -> bool:
        return any(c.frozen for c in self.cells)


def _variables(cells: Sequence[Cell]) -> list[_Var]:
    """Cells grouped into figures: same measure, qualifiers, coordinates and scope (and value, when shown cells with
    those coordinates disagree: then they are different figures and no equation uses them)."""
    groups: dict[tuple, list[Cell]] = defaultdict(list)
    for c in cells:
        region_set = frozenset([c.coords["region"]]) if "region" in c.coords else frozenset(c.scope)
        sig = (c.measure, tuple(sorted(c.quals.items())), tuple(sorted(c.coords.items())), region_set)
        groups[sig].append(c)
    out = []
    for (measure, quals, coords, regions), members in groups.items():
        values = {c.value for c in members if not c.hidden and c.value is not None}
        if len(values) > 1:  # not one figure: keep apart, outside every equation
            for c in members:
                out.append(_Var([c], measure, ("ambiguous", c.id), dict(coords), regions))
        else:
            out.append(_Var(members, measure, quals, dict(coords), regions))
    return out


def relations(variables: Sequence[_Var]) -> list[tuple[int, tuple[int, ...]]]:
    """Equations ``margin = sum(components)`` between figures, as ``(margin index, component indices)``.

    Only complete equations: for each key the components add, they hold every value that key takes for that measure
    (for ``region``: every region of the margin's scope). A margin whose parts are not all published is a sum with
    unknown terms, which reveals nothing, so it gives no equation.
    """
    by_group: dict[tuple, dict[frozenset, list[int]]] = defaultdict(lambda: defaultdict(list))
    values: dict[tuple, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for i, v in enumerate(variables):
        if v.quals and v.quals[0] == "ambiguous":
            continue
        by_group[(v.measure, v.quals)][frozenset(v.coords)].append(i)
        for k, val in v.coords.items():
            if k != "region":
                values[(v.measure, v.quals)][k].add(val)
    out: set[tuple[int, tuple[int, ...]]] = set()
    for group, keysets in by_group.items():
        for keys, margins in keysets.items():
            wider = [k for k in keysets if keys < k]
            for m in margins:
                mv = variables[m]
                for k2 in wider:
                    comps = tuple(
                        sorted(
                            j
                            for j in keysets[k2]
                            if all(variables[j].coords[k] == mv.coords[k] for k in keys)
                            and variables[j].regions <= mv.regions
                            and ("region" in k2 - keys or variables[j].regions == mv.regions)
                        )
                    )
                    if not comps:
                        continue
                    complete = all(
                        {variables[j].coords[k] for j in comps}
                        == (set(mv.regions) if k == "region" else values[group][k])
                        for k in k2 - keys
                    )
                    if complete:
                        out.add((m, comps))
    return sorted(out)


def _matrix(rels, hidden: Sequence[int]) -> np.ndarray:
    col = {v: j for j, v in enumerate(hidden)}
    rows = []
    for m, comps in rels:
        row = np.zeros(len(hidden))
        for v, coef in ((m, 1.0), *((c, -1.0) for c in comps)):
            if v in col:
                row[col[v]] += coef
        if row.any():
            rows.append(row)
    return np.array(rows).reshape(len(rows), len(hidden))


def _determined(rels, hidden: set[int]) -> list[int]:
    """Withheld figures that the equations fix exactly (their null-space component is 0)."""
    order = sorted(hidden)
    if not order:
        return []
    parent = {v: v for v in order}

    def find(v):
        while parent[v] != v:
            parent[v] = parent[parent[v]]
            v = parent[v]
        return v

    involved = []
    for m, comps in rels:
        hs = [v for v in (m, *comps) if v in hidden]
        if hs:
            involved.append((m, comps))
            for v in hs[1:]:
                parent[find(v)] = find(hs[0])
    comp_vars: dict[int, list[int]] = defaultdict(list)
    for v in order:
        comp_vars[find(v)].append(v)
    out = []
    for members in comp_vars.values():
        a = _matrix(involved, members)
        if a.shape[0] == 0:
            continue
        _, s, vt = np.linalg.svd(a)
        rank = int((s > 1e-9 * max(1.0, s.max(initial=0))).sum())
        null = vt[rank:]
        for j, v in enumerate(members):
            if null.shape[0] == 0 or np.abs(null[:, j]).max() < 1e-9:
                out.append(v)
    return sorted(out)


def recoverable(cells: Sequence[Cell]) -> list[str]:
    """Ids of withheld cells that the published cells determine exactly (empty when the suppression holds).

    Examples
    --------
    >>> cells = [Cell("total", "count", {"rule": "too_fast"}, value=22),
    ...          *[Cell(f"r{i}", "count", {"rule": "too_fast", "region": r}, value=v, state=s)
    ...            for i, (r, v, s) in enumerate([("a", 7, "shown"), ("b", 2, "primary"), ("c", 5, "shown"),
    ...                                            ("d", 8, "shown")])]]
    >>> for c in cells:
    ...     c.scope = ("a", "b", "c", "d")
    >>> recoverable(cells)
    ['r1']
    """
    variables = _variables(_normalise_measures(cells))
    rels = relations(variables)
    hidden = {i for i, v in enumerate(variables) if any(c.hidden for c in v.cells)}
    return sorted(c.id for i in _determined(rels, hidden) for c in variables[i].cells if c.hidden)


def _nearest_shown(i: int, member, hidden: set[int], variables) -> set[int]:
    """Shown, unfrozen figures in the equations of ``i``; when there are none, in the equations of the withheld
    figures those equations reach, and so on (the figures through which ``i`` is worked out)."""
    frontier, seen = {i}, {i}
    while frontier:
        rels = [r for v in frontier for r in member[v]]
        found = {v for r in rels for v in (r[0], *r[1]) if v not in hidden and not variables[v].frozen}
        if found:
            return found
        frontier = {v for r in rels for v in (r[0], *r[1]) if v in hidden and v not in seen}
        seen |= frontier
    return set()


def protect(cells: Sequence[Cell]) -> list[str]:
    """Withhold shown cells until no withheld cell can be worked out; returns the ids newly withheld.

    A figure withheld anywhere is withheld everywhere it appears. For a recoverable figure, the smallest shown,
    unfrozen figure of an equation it is in is withheld (a component before a total, then by id), and the check
    repeats.

    Raises
    ------
    KinerjaError
        When a withheld figure can only be protected by withholding a figure already drawn in a figure (frozen).
    """
    variables = _variables(_normalise_measures(cells))
    rels = relations(variables)
    hidden = {i for i, v in enumerate(variables) if any(c.hidden for c in v.cells)}
    start = set(hidden)
    member: dict[int, list[tuple[int, tuple[int, ...]]]] = defaultdict(list)
    for r in rels:
        for v in (r[0], *r[1]):
            member[v].append(r)
    while True:
        det = _determined(rels, hidden)
        if not det:
            break
        i = det[0]
        candidates = _nearest_shown(i, member, hidden, variables)
        if not candidates:
            ids = ", ".join(c.id for c in variables[i].cells)
            raise KinerjaError(
                f"the withheld count {ids} can be worked out from counts drawn in a figure; the rule is that a figure "
                f"shows no count that, with the page's tables, gives a withheld one away (draw it from the table)."
            )
        pick = min(
            candidates,
            key=lambda v: (variables[v].value if variables[v].value is not None else 0, -len(variables[v].coords), v),
        )
        hidden.add(pick)
    newly = sorted(hidden - start)
    ids = [c.id for i in newly for c in variables[i].cells if not c.hidden]
    ids += [c.id for i in start for c in variables[i].cells if not c.hidden]  # shown twins of withheld figures
    return sorted(set(ids))
