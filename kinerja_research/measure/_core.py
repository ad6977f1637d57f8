"""Shared machinery of the measurement functions: item selection, input checks, pairwise covariance.

Everything here is vectorised: one pass of matrix products gives every pairwise-complete covariance (as R
``cov(x, use = "pairwise")``), so alpha, item analysis and omega never refit per item.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import leastsq
from threadpoolctl import ThreadpoolController

from kinerja_research.errors import KinerjaError
from kinerja_research.instruments.codebook import Codebook
from kinerja_research.results import check_choice, check_columns

__all__: list[str] = []

MISSING = ("pairwise", "listwise")


def scale_sets(
    items, *, reverse: Sequence[str] = (), total: bool = True
) -> list[tuple[str, list[str], list[str], tuple | None]]:
    """Expand ``items`` into ``[(term, item ids, reverse-keyed ids, (min, max) or None)]``.

    ``items`` is a list of columns (one scale, term ``"scale"``, reversed by ``reverse`` using the observed min+max
    as psych does) or a :class:`Codebook` (one entry per dimension with two or more items, plus ``"total"`` when the
    codebook has several dimensions and ``total`` is true; reverse keys and the scale range from the codebook).
    """
    if isinstance(items, Codebook):
        return [(term, list(ids), list(rev), rng) for term, ids, rev, rng in _codebook_sets(items, total)]
    if isinstance(items, str) or not isinstance(items, Sequence) or len(items) == 0:
        raise KinerjaError(
            f"Argument 'items' is {items!r}; the rule is that it is a non-empty list of item columns "
            f"or a codebook from kr.load_codebook()."
        )
    items = list(items)
    if len(set(items)) != len(items):
        dup = pd.Series(items)[pd.Series(items).duplicated()].iloc[0]
        raise KinerjaError(f"Argument 'items' lists column {dup!r} twice; the rule is that each item appears once.")
    bad = [r for r in reverse if r not in items]
    if bad:
        raise KinerjaError(
            f"Argument 'reverse' names column {bad[0]!r}, which is not in 'items'; the rule is that "
            f"reverse-keyed items are among the items."
        )
    return [("scale", items, list(reverse), None)]


#: Expanded scale sets per codebook object (``id`` -> (codebook, total, sets)): the page runs every reliability
#: function per region and instrument, 514 x 6 x 3 times nationally, and reading a codebook's dimensions from its
#: item table (pandas selections) cost more than the statistics of a region. A codebook is frozen; the entry holds
#: the object, so its id cannot be reused while cached.
_SETS: dict[tuple[int, bool], tuple[Codebook, list]] = {}


def _codebook_sets(cb: Codebook, total: bool) -> list:
    hit = _SETS.get((id(cb), total))
    if hit is not None and hit[0] is cb:
        return hit[1]
    rng = (cb.scale["min"], cb.scale["max"])
    rev = set(cb.reverse_items)
    out = []
    for dim, ids in cb.dimension_items().items():
        out.append((dim, ids, [i for i in ids if i in rev], rng))
    if total and len(out) > 1:
        out.append(("total", cb.item_ids, [i for i in cb.item_ids if i in rev], rng))
    if len(_SETS) >= 256:
        _SETS.clear()
    _SETS[(id(cb), total)] = (cb, out)
    return out


def _label(v):
    """A numpy scalar as its Python value, so error sentences read ``row 12`` and not ``np.int64(12)``."""
    return v.item() if isinstance(v, np.generic) else v


def item_matrix(
    data: pd.DataFrame,
    items: Sequence[str],
    reverse: Sequence[str] = (),
    rng: tuple | None = None,
    *,
    what: str = "data",
) -> np.ndarray:
    """Numeric item matrix (n x k, float, NaN for missing) with reverse-keyed items reversed.

    Raises a one-sentence error for a missing column, a non-numeric value, or (when ``rng`` is given) a value outside
    the codebook's scale. Reversal is ``min + max - x`` with the codebook range, or with the observed minimum and
    maximum over all items (R ``psych::alpha``) when there is no codebook.
    """
    check_columns(data, items, what=what)
    block = data[list(items)]
    try:
        x = block.to_numpy(dtype=float, na_value=np.nan, copy=True)
    except (TypeError, ValueError):
        for col in items:
            conv = pd.to_numeric(block[col], errors="coerce")
            bad = block[col][conv.isna() & block[col].notna()]
            if len(bad):
                raise KinerjaError(
                    f"{what}: row {_label(bad.index[0])!r}, column {col!r}, value {_label(bad.iloc[0])!r} is not a "
                    f"number; the rule is that item answers are numeric (map Likert labels first)."
                ) from None
        raise
    if rng is not None:
        lo, hi = rng
        off = ~np.isnan(x) & ((x < lo) | (x > hi))
        if off.any():
            r, c = np.argwhere(off)[0]
            raise KinerjaError(
                f"{what}: row {_label(block.index[r])!r}, column {items[c]!r}, value {float(x[r, c])!r} is outside "
                f"the scale; the rule is that answers lie in {lo}..{hi}."
            )
    if reverse:
        idx = [list(items).index(r) for r in reverse]
        if rng is not None:
            adjust = rng[0] + rng[1]
        else:
            adjust = np.nanmin(x) + np.nanmax(x)
        x[:, idx] = adjust - x[:, idx]
    return x


def apply_missing(x: np.ndarray, missing: str) -> np.ndarray:
    """Listwise: keep rows with every item answered; pairwise: keep rows with at least one answer."""
    check_choice("missing", missing, MISSING)
    obs = ~np.isnan(x)
    keep = obs.all(axis=1) if missing == "listwise" else obs.any(axis=1)
    return x if keep.all() else x[keep]


def single_thread():
    """Context limiting BLAS to one thread. The products here are tall and thin (n x k with k <= a few hundred);
    a multi-threaded BLAS gains at most the core count on an idle machine but, on a busy one (threads spinning for
    cores other processes hold), is 10-50 times slower, so one thread is the robust choice. threadpoolctl ships
    with the scientific stack (scikit-learn, pingouin) and is a declared dependency."""
    # Finding the loaded BLAS libraries (a scan of the process's shared objects) costs milliseconds and this runs
    # hundreds of times per report, so the controller is kept, and rebuilt whenever a module was imported since (a
    # new BLAS can only arrive with an import): the same libraries are limited as with a fresh threadpool_limits.
    n_mod = len(sys.modules)
    if _CONTROLLER.get("n_mod") != n_mod:
        _CONTROLLER.update(n_mod=n_mod, ctl=ThreadpoolController())
    return _CONTROLLER["ctl"].limit(limits=1, user_api="blas")


_CONTROLLER: dict = {}


def pairwise_moments(x: np.ndarray, *, chunk: int = 65536) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairwise-complete covariance, correlation and pair counts (R ``cov``/``cor(use = "pairwise")``).

    For each pair (j, k) the means, variances and covariance use only the rows where both are observed, with the
    n_jk - 1 divisor. One symmetric cross-product per block of rows accumulates every sum needed (values, the
    observed mask and squared values side by side), so memory stays at a block and nothing loops over items.
    Values are shifted by a provisional column mean first, for numerical stability with large n.
    """
    with single_thread():
        return _pairwise_moments(x, chunk)


def _pairwise_moments(x: np.ndarray, chunk: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n_rows, k = x.shape
    head = x[: min(n_rows, 10000)]
    with np.errstate(invalid="ignore"):
        shift = np.nanmean(head, axis=0) if np.isnan(head).any() else head.mean(axis=0)
    shift = np.where(np.isfinite(shift), shift, 0.0)
    complete = not np.isnan(x).any()
    if complete:
        g = np.zeros((k, k))
        s = np.zeros(k)
        for start in range(0, n_rows, chunk):
            z = x[start : start + chunk] - shift
            g += z.T @ z
            s += z.sum(axis=0)
        c = (g - np.outer(s, s) / n_rows) / (n_rows - 1)
        sd = np.sqrt(np.diag(c))
        with np.errstate(invalid="ignore", divide="ignore"):
            r = c / np.outer(sd, sd)
        return c, r, np.full((k, k), float(n_rows))
    g = np.zeros((3 * k, 3 * k))
    for start in range(0, n_rows, chunk):
        block = x[start : start + chunk]
        obs = ~np.isnan(block)
        x0 = np.where(obs, block - shift, 0.0)
        z = np.hstack([x0, obs.astype(float), x0 * x0])
        g += z.T @ z
    p = g[:k, :k]  # sum of x_j x_k over rows where both are observed
    s = g[:k, k : 2 * k]  # s[j, k] = sum of x_j over rows where j and k are observed
    npair = g[k : 2 * k, k : 2 * k]
    q = g[2 * k :, k : 2 * k]  # sum of x_j^2 over rows where j and k are observed
    with np.errstate(invalid="ignore", divide="ignore"):
        c = (p - s * s.T / npair) / (npair - 1)
        vj = (q - s * s / npair) / (npair - 1)  # var of x_j on the pair's rows
        r = c / np.sqrt(vj * vj.T)
    np.fill_diagonal(r, 1.0)
    return c, r, np.rint(npair)


def cov2cor(c: np.ndarray) -> np.ndarray:
    sd = np.sqrt(np.diag(c))
    return c / np.outer(sd, sd)


def smc(r: np.ndarray) -> np.ndarray:
    """Squared multiple correlations 1 - 1/diag(R^-1) (R ``psych::smc``)."""
    try:
        inv = np.linalg.inv(r)
    except np.linalg.LinAlgError:
        inv = np.linalg.pinv(r)
    return 1.0 - 1.0 / np.diag(inv)


def check_enough(x: np.ndarray, term: str, items: Sequence[str], *, min_items: int = 2) -> None:
    if x.shape[1] < min_items:
        raise KinerjaError(
            f"Scale {term!r} has {x.shape[1]} item(s) ({', '.join(items)}); the rule is that it needs at "
            f"least {min_items}."
        )
    if x.shape[0] < 3:
        raise KinerjaError(f"Scale {term!r} has {x.shape[0]} usable respondents; the rule is that it needs at least 3.")
    # fmin/fmax skip NaN without n x k temporaries (one pass each)
    lo, hi = np.fmin.reduce(x, axis=0), np.fmax.reduce(x, axis=0)
    _check_spread(term, items, lo, hi, lambda j: int((~np.isnan(x[:, j])).sum()))


def _check_spread(term, items, lo, hi, answered) -> None:
    """An item nobody answered, or everyone answered alike, has no variance: correlations with it are undefined, and
    R psych only warns while returning NA for some statistics and numbers for others. One clear error instead.
    ``answered(j)`` counts the respondents who answered item j."""
    flat = ~(hi > lo)
    if flat.any():
        j = int(np.flatnonzero(flat)[0])
        count = answered(j)
        what = "no answers" if count == 0 else f"the same answer {lo[j]:g} from all {count} respondents"
        raise KinerjaError(
            f"Scale {term!r}, item {items[j]!r} has {what}; the rule is that every item of a scale "
            "needs at least two different answers (drop the item or check its mapping)."
        )


def scale_matrix(
    data, term: str, ids: Sequence[str], reverse: Sequence[str], srange, missing: str, *, min_items: int = 2
) -> np.ndarray:
    """The item matrix of one scale as every reliability and factor function uses it: reverse-keyed items reversed,
    the missing-data policy applied, and the scale checked to have enough items, respondents and variance."""
    x = apply_missing(item_matrix(data, ids, reverse, srange), missing)
    check_enough(x, term, ids, min_items=min_items)
    return x


@dataclass
class Moments:
    """What the reliability, item and factor functions need from one scale, computed in one pass over the data:
    respondents used, pairwise-complete covariance (n - 1 divisor) and correlation matrices, item means and counts,
    the mean and SD of the row-mean score, and each item's correlation with that score (psych ``raw.r``)."""

    n: int
    cov: np.ndarray
    r: np.ndarray
    mean: np.ndarray
    n_item: np.ndarray
    total_mean: float
    total_sd: float
    item_total_r: np.ndarray
    complete: bool


def scale_moments(
    data, term: str, ids: Sequence[str], reverse: Sequence[str], srange, missing: str, *, min_items: int = 2
) -> Moments:
    """Moments of one scale in one pass over the data (the item columns are read in blocks of rows straight from the
    DataFrame, no n x k copy). Complete answers: each block adds its cross-products, sums, minima and maxima, and
    reverse keying is applied to the moments (a reversed item's covariances change sign). With missing answers each
    block also adds the observed-pair counts and sums that pairwise-complete moments need (as R
    ``cov(use = "pairwise")``), the row-mean score over answered items and its cross-products with each item.
    ``missing="listwise"`` keeps rows with every item answered, ``"pairwise"`` rows with at least one. Text in an
    item column, or an answer outside the codebook's scale, is reported by :func:`item_matrix` in one sentence."""
    check_choice("missing", missing, MISSING)
    if len(ids) < min_items:
        raise KinerjaError(
            f"Scale {term!r} has {len(ids)} item(s) ({', '.join(ids)}); the rule is that it needs at least {min_items}."
        )
    if _SHARED is None:
        return _scale_moments(data, term, ids, reverse, srange, missing, min_items)
    key = (id(data), term, tuple(ids), tuple(reverse), srange, missing)
    hit = _SHARED.get(key)
    if hit is not None and hit[0] is data:
        return hit[1]
    mom = _scale_moments(data, term, ids, reverse, srange, missing, min_items)
    _SHARED[key] = (data, mom)
    return mom


#: Moments computed inside :func:`shared_moments` (key -> (frame, Moments)); None outside it.
_SHARED: dict | None = None


@contextmanager
def shared_moments():
    """Within the block, :func:`scale_moments` of the same frame object and scale is computed once: item analysis,
    alpha and omega of one region ask for the same dimensions' moments (the page's 514 regions x 6 instruments x
    3 functions). Only for frames nobody changes inside the block (the cache is keyed by the object, not its
    values); the entries, and the frames they hold, are dropped when the outermost block ends. The results are
    read-only by every caller, so a shared :class:`Moments` gives the same numbers as a fresh one."""
    global _SHARED
    outer = _SHARED
    if outer is None:
        _SHARED = {}
    try:
        yield
    finally:
        if outer is None:
            _SHARED = None


def _scale_moments(data, term, ids, reverse, srange, missing, min_items) -> Moments:
    cols = _numeric_columns(data, ids)
    if cols is not None:
        k = len(ids)
        rev_idx = [list(ids).index(r) for r in reverse]
        fast = _complete_moments(cols, len(data), full_range=srange is not None or bool(rev_idx))
        if fast is not None:
            n, cov, mean, lo, hi = fast
            if srange is None or not (np.any(lo < srange[0]) or np.any(hi > srange[1])):
                _check_size_spread(term, ids, n, lo, hi, lambda j: n)
                if rev_idx:
                    adjust = srange[0] + srange[1] if srange is not None else float(lo.min() + hi.max())
                    sign = np.ones(k)
                    sign[rev_idx] = -1.0
                    cov = cov * np.outer(sign, sign)
                    mean = mean.copy()
                    mean[rev_idx] = adjust - mean[rev_idx]
                sd = np.sqrt(np.diag(cov))
                item_total = cov.sum(axis=0) / np.sqrt(np.diag(cov) * cov.sum())
                return Moments(
                    n,
                    cov,
                    cov / np.outer(sd, sd),
                    mean,
                    np.full(k, n),
                    float(mean.mean()),
                    float(np.sqrt(cov.sum()) / k),
                    item_total,
                    True,
                )
        else:
            lo = np.fmin.reduce([np.fmin.reduce(c) for c in cols]) if rev_idx and srange is None else None
            hi = np.fmax.reduce([np.fmax.reduce(c) for c in cols]) if lo is not None else None
            adjust = srange[0] + srange[1] if srange is not None else (lo + hi if lo is not None else 0.0)
            mom = _incomplete_moments(cols, len(data), rev_idx, float(adjust), missing == "listwise")
            if mom is not None:
                lo_i, hi_i = mom.pop("lo"), mom.pop("hi")
                raw_lo, raw_hi = lo_i.copy(), hi_i.copy()
                if rev_idx:  # the range check is on the answers as given
                    raw_lo[rev_idx], raw_hi[rev_idx] = adjust - hi_i[rev_idx], adjust - lo_i[rev_idx]
                if srange is None or not (np.any(raw_lo < srange[0]) or np.any(raw_hi > srange[1])):
                    n_item = mom["n_item"]
                    _check_size_spread(term, ids, mom["n"], lo_i, hi_i, lambda j: int(n_item[j]))
                    return Moments(**mom, complete=False)
    # not numeric, or outside the scale: item_matrix raises the one-sentence error (or computes what it can)
    x = scale_matrix(data, term, ids, reverse, srange, missing, min_items=min_items)
    raise AssertionError(f"scale_moments: the fast paths refused data that item_matrix accepted ({x.shape})")


def _check_size_spread(term, ids, n, lo, hi, answered) -> None:
    if n < 3:
        raise KinerjaError(f"Scale {term!r} has {n} usable respondents; the rule is that it needs at least 3.")
    _check_spread(term, ids, lo, hi, answered)


def _numeric_columns(data, ids: Sequence[str]) -> list[np.ndarray] | None:
    """Each item column as a float or integer numpy array (a view where pandas allows), or None when a column is
    missing or not numeric (then item_matrix produces the error)."""
    if not isinstance(data, pd.DataFrame) or any(c not in data.columns for c in ids):
        return None
    cols = []
    for c in ids:
        col = data[c]
        if not (pd.api.types.is_numeric_dtype(col.dtype) and not pd.api.types.is_bool_dtype(col.dtype)):
            return None
        if isinstance(col.dtype, np.dtype):
            cols.append(col.to_numpy())
        else:  # nullable extension dtype: NA becomes NaN
            cols.append(col.to_numpy(dtype=float, na_value=np.nan))
    return cols


def _blocks(cols: list[np.ndarray], n: int, chunk: int):
    """Yield (k x m) float blocks of rows (a reused buffer)."""
    buf = np.empty((len(cols), min(chunk, n)))
    for s0 in range(0, n, chunk):
        m = min(chunk, n - s0)
        z = buf[:, :m]
        for j, c in enumerate(cols):
            z[j] = c[s0 : s0 + m]
        yield z


def _head(cols: list[np.ndarray], n: int) -> np.ndarray:
    """The first 10,000 rows of each column (k x m float)."""
    return np.array([c[: min(n, 10000)] for c in cols], dtype=float)


def _shift_of(head: np.ndarray) -> np.ndarray:
    """A provisional mean per column (of the first rows), subtracted before cross-products for numerical
    stability."""
    if np.isnan(head).any():
        cnt = (~np.isnan(head)).sum(axis=1)
        shift = np.where(cnt > 0, np.nansum(head, axis=1) / np.maximum(cnt, 1), 0.0)
    else:
        shift = head.mean(axis=1)
    return np.where(np.isfinite(shift), shift, 0.0)


def _shift(cols: list[np.ndarray], n: int) -> np.ndarray:
    """A provisional mean per column (first 10,000 rows), subtracted before cross-products for numerical stability."""
    return _shift_of(_head(cols, n))


def _complete_moments(cols: list[np.ndarray], n: int, *, full_range: bool = True, chunk: int = 8192):
    """(n, covariance, means, minima, maxima) of complete item columns, or None when an answer is missing.

    One pass: each block of rows is copied once into a (k + 1) x m buffer as ``x - shift`` (the provisional mean; the
    copy is also the float conversion) above a row of ones, and one symmetric product of the buffer (BLAS syrk)
    accumulates the cross-products and, in its last row, the column sums. A missing or infinite answer makes the
    block's diagonal non-finite, which ends the pass at that block (the pairwise path takes over). With
    ``full_range`` each block also adds its column minima and maxima (the codebook range check and the observed
    range of ``psych::alpha`` reverse keying need them); without it the minima and maxima are those of the first
    10,000 rows, exact for the items whose answers differ there (the only use is the no-variance check), and read
    over the whole column only for an item that is constant in those rows.
    """
    k = len(cols)
    if n < 2:
        return None
    head = _head(cols, n)
    if np.isnan(head).any():
        return None
    shift = _shift_of(head)
    g = np.zeros((k + 1, k + 1))
    if full_range:
        lo = np.full(k, np.inf)
        hi = np.full(k, -np.inf)
    buf = np.empty((k + 1, min(chunk, n)))
    buf[k] = 1.0
    diag = np.arange(k)
    with single_thread():
        for s0 in range(0, n, chunk):
            m = min(chunk, n - s0)
            z = buf[:, :m]
            for j, c in enumerate(cols):
                np.subtract(c[s0 : s0 + m], shift[j], out=z[j])
            g += z @ z.T
            if not np.isfinite(g[diag, diag]).all():
                return None
            if full_range:
                np.minimum(lo, z[:k].min(axis=1), out=lo)
                np.maximum(hi, z[:k].max(axis=1), out=hi)
    tot = g[k, :k]
    cov = (g[:k, :k] - np.outer(tot, tot) / n) / (n - 1)
    if full_range:
        lo, hi = lo + shift, hi + shift
    else:
        lo, hi = head.min(axis=1), head.max(axis=1)
        for j in np.flatnonzero(~(hi > lo)):  # constant in the first rows: read the whole column
            lo[j], hi[j] = np.min(cols[j]), np.max(cols[j])
    return n, (cov + cov.T) / 2, shift + tot / n, lo, hi


def listwise_moments(data, ids: Sequence[str], reverse: Sequence[str] = (), srange=None, *, chunk: int = 65536):
    """Sufficient statistics of the complete rows of ``data[ids]`` (the listwise sample of complete-data ML), read in
    blocks of rows: ``(n_used, n_rows, S, M)`` with ``S`` the covariance of the complete rows (divisor n, lavaan's) and
    ``M`` their means, reverse-keyed items reversed as ``srange[0] + srange[1] - x``; or None when a column is
    missing or not numeric, an answer lies outside ``srange``, or reversal needs the observed range (``srange``
    None): then :func:`item_matrix` gives the one-sentence error or the caller takes the row path.

    Each block is copied once into a float64 (m x (p + 1)) buffer as ``x - shift`` (the first complete rows' means)
    beside a column of ones; one symmetric product accumulates the cross-products and, in the last column, the sums.
    So memory is one block, not an n x p copy (or three: the matrix, its complete rows and their centred copy), and
    the result equals the two-pass ``x.mean``/``xc.T @ xc / n`` of the whole matrix to rounding (about 1e-15
    relative: the summation order differs).
    """
    cols = _numeric_columns(data, ids)
    if cols is None or (reverse and srange is None):
        return None
    n_rows, p = len(data), len(ids)
    rev_idx = [list(ids).index(r) for r in reverse]
    adjust = srange[0] + srange[1] if rev_idx else 0.0
    g = np.zeros((p + 1, p + 1))
    shift = None
    n_used = 0
    with single_thread():
        for s0 in range(0, n_rows, chunk):
            m = min(chunk, n_rows - s0)
            z = np.empty((m, p + 1))
            for j, c in enumerate(cols):
                z[:, j] = c[s0 : s0 + m]
            x = z[:, :p]
            if srange is not None:
                with np.errstate(invalid="ignore"):
                    if ((x < srange[0]) | (x > srange[1])).any():
                        return None
            if rev_idx:
                x[:, rev_idx] = adjust - x[:, rev_idx]
            keep = ~np.isnan(x).any(axis=1)
            if not keep.all():
                z = z[keep]
                x = z[:, :p]
            if not len(z):
                continue
            if shift is None:
                shift = x.mean(axis=0)
            x -= shift
            z[:, p] = 1.0
            g += z.T @ z
            n_used += len(z)
    if shift is None:
        return 0, n_rows, np.full((p, p), np.nan), np.full(p, np.nan)
    tot = g[p, :p]
    cov = (g[:p, :p] - np.outer(tot, tot) / n_used) / n_used
    return n_used, n_rows, (cov + cov.T) / 2, shift + tot / n_used


def _incomplete_moments(cols, n: int, rev_idx, adjust: float, listwise: bool, chunk: int = 16384) -> dict | None:
    """Pairwise-complete moments (or those of the complete rows) and the row-mean score statistics, one pass."""
    k = len(cols)
    shift = _shift(cols, n)
    if rev_idx:
        shift[rev_idx] = adjust - shift[rev_idx]
    P = np.zeros((k, k))  # sum x_j x_l over rows where both are observed (shifted values)
    SQ = np.zeros((2 * k, k))  # [sum x_j ; sum x_j^2] over rows where j and l are observed
    NP = np.zeros((k, k))  # pair counts
    sx = np.zeros(k)
    sxx = np.zeros(k)
    st = np.zeros(k)
    stt = np.zeros(k)
    sxt = np.zeros(k)
    cnt = np.zeros(k)
    lo = np.full(k, np.inf)
    hi = np.full(k, -np.inf)
    n_used = 0
    t_sum = t_ss = 0.0
    t0 = float(shift.mean())
    with single_thread():
        for z in _blocks(cols, n, chunk):
            if rev_idx:
                z[rev_idx] = adjust - z[rev_idx]
            obs = ~np.isnan(z)
            if listwise:
                keep = obs.all(axis=0)
                z, obs = z[:, keep], obs[:, keep]
            rowcnt = obs.sum(axis=0)
            used = rowcnt > 0
            if not used.all():
                z, obs, rowcnt = z[:, used], obs[:, used], rowcnt[used]
            if z.shape[1] == 0:
                continue
            n_used += z.shape[1]
            of = obs.astype(float)
            zr = np.where(obs, z, 0.0)  # raw answers, 0 where missing
            x0 = np.where(obs, z - shift[:, None], 0.0)
            P += x0 @ x0.T
            SQ += np.vstack([x0, x0 * x0]) @ of.T
            NP += of @ of.T
            np.minimum(lo, np.fmin.reduce(z, axis=1), out=lo)
            np.maximum(hi, np.fmax.reduce(z, axis=1), out=hi)
            t = zr.sum(axis=0) / rowcnt - t0  # the row-mean score over answered items (shifted by t0)
            t_sum += float(t.sum())
            t_ss += float((t * t).sum())
            sx += zr.sum(axis=1)
            sxx += (zr * zr).sum(axis=1)
            cnt += of.sum(axis=1)
            st += of @ t
            stt += of @ (t * t)
            sxt += zr @ t
    if n_used < 2:
        return None
    s = SQ[:k]  # s[j, l] = sum of x_j over rows where j and l are observed
    q = SQ[k:]
    with np.errstate(invalid="ignore", divide="ignore"):
        c = (P - s * s.T / NP) / (NP - 1)
        vj = (q - s * s / NP) / (NP - 1)  # var of x_j on the pair's rows
        r = c / np.sqrt(vj * vj.T)
        cov_xt = sxt - sx * st / cnt
        item_total = cov_xt / np.sqrt((sxx - sx**2 / cnt) * (stt - st**2 / cnt))
        mean = sx / cnt
    np.fill_diagonal(r, 1.0)
    c = (c + c.T) / 2
    total_mean = t_sum / n_used
    total_sd = float(np.sqrt(max(t_ss - n_used * total_mean**2, 0.0) / (n_used - 1)))
    total_mean += t0
    return {
        "n": int(n_used),
        "cov": c,
        "r": (r + r.T) / 2,
        "mean": mean,
        "n_item": cnt.astype(int),
        "total_mean": float(total_mean),
        "total_sd": total_sd,
        "item_total_r": item_total,
        "lo": lo,
        "hi": hi,
    }


def minres_one_factor(r: np.ndarray) -> np.ndarray:
    """Loadings of a one-factor minimum-residual (ULS) fit to a correlation matrix (R ``psych::fa(fm = "minres")``).

    Minimises the off-diagonal squared residuals sum_{i != j} (r_ij - l_i l_j)^2; the solution is the fixed point of
    iterated principal axes, reached here by Gauss-Newton on the loadings with a tight tolerance. Communalities are
    capped at 0.995 as psych bounds uniquenesses below at 0.005.
    """
    k = r.shape[0]
    iu = np.triu_indices(k, 1)
    target = r[iu]
    red = r.copy()
    np.fill_diagonal(red, smc(r))
    w, v = np.linalg.eigh(red)
    lam0 = v[:, -1] * np.sqrt(max(w[-1], 1e-6))
    if lam0.sum() < 0:
        lam0 = -lam0
    rows = np.arange(len(target))
    iu0, iu1 = iu
    # the Jacobian's two non-zero cells per residual, written into one buffer at flat positions (MINPACK copies the
    # returned matrix into its own work array, so the buffer can be reused: the same values, without a fresh zeroed
    # matrix and two fancy-index writes per evaluation); stored by columns (col_deriv), which MINPACK copies as is
    j = np.zeros((k, len(target)))
    jf = j.reshape(-1)
    at0 = iu0 * len(target) + rows
    at1 = iu1 * len(target) + rows

    def resid(lam):
        return lam[iu0] * lam[iu1] - target  # the upper triangle of outer(lam, lam), without building the matrix

    def jac(lam):
        jf[at0] = lam[iu1]
        jf[at1] = lam[iu0]
        return j

    # MINPACK lmder with exactly the arguments scipy's least_squares(method="lm", x_scale default "jac") passes it
    # (factor 100, diag None, at most 100 k evaluations), called without least_squares' wrapper layers: the same
    # iterates and result bit for bit, at about half the cost (this runs hundreds of times in parallel_analysis).
    lam = leastsq(
        resid,
        lam0,
        Dfun=jac,
        col_deriv=True,
        full_output=True,
        ftol=1e-15,
        xtol=1e-15,
        gtol=1e-15,
        maxfev=100 * k,
        factor=100.0,
    )[0]
    if lam.sum() < 0:
        lam = -lam
    h2 = np.minimum(lam**2, 0.995)
    return np.sign(lam) * np.sqrt(h2)
