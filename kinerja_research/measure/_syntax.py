"""The lavaan model syntax the measurement engine understands, parsed into a flat list of statements.

Operators: ``f =~ x1 + x2`` (loadings; the first indicator is the marker, fixed to 1), ``f2 ~ f1 + f3``
(structural regressions among latent variables), ``a ~~ b`` and ``a ~~ b + c`` (residual or latent
(co)variances). Modifiers before a term: a number fixes the parameter (``0*x``, ``1*f``), ``NA`` frees it
(``NA*x1`` frees a marker), a name labels it (``a*x2``; parameters sharing a label are constrained equal).
Lines are separated by new lines or ``;``; ``#`` and ``!`` start comments. Anything else is refused with one
sentence naming the line and the rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kinerja_research.errors import KinerjaError

__all__: list[str] = []

_NAME = r"[A-Za-z_.][A-Za-z0-9_.]*"
_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_TERM = re.compile(rf"^\s*(?:({_NUMBER}|NA|{_NAME})\s*\*\s*)?({_NAME})\s*$")
_OPS = ("=~", "~~", "~")


@dataclass(frozen=True)
class Statement:
    """One parameter statement: ``lhs op rhs`` with an optional fixed value, a forced-free flag and a label."""

    lhs: str
    op: str
    rhs: str
    fixed: float | None = None
    free: bool = False  # NA* modifier: free even where a default would fix it (marker loading)
    label: str | None = None


@dataclass
class ModelSpec:
    """Parsed model: latent variables in order of definition, their indicators, and every statement."""

    factors: list[str]
    indicators: dict[str, list[str]]
    statements: list[Statement] = field(default_factory=list)

    @property
    def observed(self) -> list[str]:
        """Indicators in order of first appearance (lavaan's order of observed variables)."""
        seen: list[str] = []
        for f in self.factors:
            for item in self.indicators[f]:
                if item not in seen and item not in self.indicators:
                    seen.append(item)
        return seen

    def loadings(self) -> list[Statement]:
        return [s for s in self.statements if s.op == "=~"]


def _split_op(line: str) -> tuple[str, str, str] | None:
    for op in _OPS:  # "=~" and "~~" before "~"
        if op in line:
            lhs, rhs = line.split(op, 1)
            return lhs.strip(), op, rhs
    return None


def parse_model(syntax: str) -> ModelSpec:
    """Parse lavaan syntax (see the module docstring) into a :class:`ModelSpec`, or raise a one-sentence error."""
    if not isinstance(syntax, str) or "=~" not in syntax:
        raise KinerjaError(
            f"Argument 'model' is {syntax!r}; the rule is lavaan syntax with at least one "
            f"'factor =~ item + item' line, or a codebook."
        )
    factors: list[str] = []
    indicators: dict[str, list[str]] = {}
    statements: list[Statement] = []
    lines = [part for line in syntax.splitlines() for part in re.split(r"[#!]", line)[0].split(";")]
    for n_line, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line:
            continue
        parts = _split_op(line)
        if parts is None:
            raise KinerjaError(
                f"Model line {n_line} {line!r} is not understood; the rule is that a line holds '=~' (loadings), "
                f"'~' (regressions among latent variables) or '~~' ((co)variances)."
            )
        lhs, op, rhs = parts
        if not re.fullmatch(_NAME, lhs):
            raise KinerjaError(
                f"Model line {n_line} {line!r}: {lhs!r} is not a variable name; the rule is 'name {op} terms'."
            )
        if op == "~" and rhs.strip() in ("1", "0"):
            raise KinerjaError(
                f"Model line {n_line} {line!r}: intercept statements are not supported; the rule is that "
                f"intercepts and latent means follow the estimator's defaults (and 'equal=' for invariance)."
            )
        if op == "=~" and lhs not in indicators:
            factors.append(lhs)
            indicators[lhs] = []
        for term in rhs.split("+"):
            m = _TERM.match(term)
            if not m:
                raise KinerjaError(
                    f"Model line {n_line} {line!r}: term {term.strip()!r} is not understood; the rule is "
                    f"'name', 'number*name', 'NA*name' or 'label*name'."
                )
            mod, name = m.groups()
            fixed, free, label = None, False, None
            if mod == "NA":
                free = True
            elif mod is not None and re.fullmatch(_NUMBER, mod):
                fixed = float(mod)
            elif mod is not None:
                label = mod
            if op == "=~":
                if name in indicators[lhs]:
                    raise KinerjaError(
                        f"Model line {n_line} {line!r}: {name!r} is listed twice for {lhs!r}; the rule is that "
                        f"each indicator appears once per factor."
                    )
                indicators[lhs].append(name)
            statements.append(Statement(lhs, op, name, fixed, free, label))
    _check(factors, indicators, statements)
    return ModelSpec(factors, indicators, statements)


def _check(factors: list[str], indicators: dict[str, list[str]], statements: list[Statement]) -> None:
    observed = {i for f in factors for i in indicators[f]} - set(factors)
    for f in factors:
        fixed_any = any(s.fixed is not None for s in statements if s.op == "=~" and s.lhs == f)
        if len(indicators[f]) < 2 and not fixed_any:
            raise KinerjaError(
                f"Factor {f!r} has {len(indicators[f])} indicator; the rule is at least two per factor "
                f"(or a fixed loading, e.g. 'f =~ 1*x' with 'x ~~ 0*x')."
            )
        if any(i in factors for i in indicators[f]):
            raise KinerjaError(
                f"Factor {f!r} is measured by another factor; the rule is that indicators are observed items "
                f"(higher-order factors are not supported)."
            )
    names = set(factors) | observed
    for s in statements:
        if s.op == "~":
            for v in (s.lhs, s.rhs):
                if v not in factors:
                    raise KinerjaError(
                        f"Model statement '{s.lhs} ~ {s.rhs}' names {v!r}, which is not a factor; the rule is that "
                        f"regressions link factors defined by '=~' (give an observed variable its own factor, "
                        f"'f_y =~ 1*y' with 'y ~~ 0*y')."
                    )
            if s.lhs == s.rhs:
                raise KinerjaError(
                    f"Model statement '{s.lhs} ~ {s.rhs}' regresses a factor on itself; the rule is that a "
                    f"regression links two different factors."
                )
        elif s.op == "~~":
            for v in (s.lhs, s.rhs):
                if v not in names:
                    raise KinerjaError(
                        f"Model statement '{s.lhs} ~~ {s.rhs}' names {v!r}, which is neither a factor nor an "
                        f"indicator; the rule is that '~~' links names used in '=~' lines."
                    )
            if (s.lhs in factors) != (s.rhs in factors):
                raise KinerjaError(
                    f"Model statement '{s.lhs} ~~ {s.rhs}' links a factor with an item; the rule is that '~~' "
                    f"links two items (residual covariance) or two factors."
                )
