"""The instrument page at national size: complete-data ML CFA from batched sufficient statistics, and the page read one
instrument at a time, give the numbers of the row path and of the whole-survey page (issue 13.3).

Old vs new: the CFA's sample moments are accumulated over blocks of rows (another summation order than the two-pass
mean and centred product of the whole matrix), so those numbers are compared to 1e-10; everything else is exact.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import kinerja_research as kr
from kinerja_research.errors import KinerjaError
from kinerja_research.instruments import load_codebook
from kinerja_research.measure import cfa, cronbach_alpha, item_analysis, omega
from kinerja_research.measure import confirmatory as conf
from kinerja_research.measure._core import item_matrix, listwise_moments
from kinerja_research.report import national, sections

TOL = 1e-10


def _numeric_close(a: pd.DataFrame, b: pd.DataFrame, tol: float = TOL) -> None:
    """Same shape, columns and non-numeric values; numeric columns within ``tol``."""
    assert list(a.columns) == list(b.columns) and len(a) == len(b)
    for c in a.columns:
        x, y = a[c].reset_index(drop=True), b[c].reset_index(drop=True)
        if pd.api.types.is_numeric_dtype(x) and not pd.api.types.is_bool_dtype(x):
            np.testing.assert_allclose(x.to_numpy(float), y.to_numpy(float), rtol=0, atol=tol, equal_nan=True)
        else:
            assert x.astype(str).tolist() == y.astype(str).tolist(), c


def _row_path(monkeypatch):
    """Make ``cfa`` take the row path (the item matrix in memory), as before the batched moments."""
    monkeypatch.setattr(conf, "_prepare_moments", lambda data, model: None)


def _likert(n: int = 900, seed: int = 11) -> pd.DataFrame:
    """A hand-shaped two-factor Likert frame: integer answers 1..5, a few blanks, one reverse-worded item, a nullable
    integer column as a unit's export gives it."""
    rng = np.random.default_rng(seed)
    f = rng.normal(size=(n, 2))
    cols = {}
    for j in range(6):
        raw = 0.8 * f[:, j // 3] + rng.normal(scale=0.7, size=n)
        cols[f"Q{j + 1}"] = np.clip(np.round(3 + raw), 1, 5)
    df = pd.DataFrame(cols)
    df["Q3"] = 6 - df["Q3"]  # reverse-worded
    df.loc[rng.choice(n, 25, replace=False), "Q2"] = np.nan
    df.loc[rng.choice(n, 10, replace=False), "Q5"] = np.nan
    df["Q6"] = df["Q6"].astype("Int8")
    return df


def _rtc_frame(book, n: int = 1200, seed: int = 5) -> pd.DataFrame:
    """Answers 1..6 to the RTC codebook: one factor per dimension, the reverse-keyed items worded the other way."""
    rng = np.random.default_rng(seed)
    dims = book.dimension_items()
    f = rng.normal(size=(n, len(dims))) @ np.linalg.cholesky(0.5 * np.eye(len(dims)) + 0.5).T
    out = {}
    for d, ids in enumerate(dims.values()):
        for i in ids:
            raw = np.clip(np.round(3.5 + 0.9 * f[:, d] + rng.normal(scale=0.8, size=n)), 1, 6)
            out[i] = 7 - raw if i in book.reverse_items else raw
    df = pd.DataFrame(out)
    df.loc[rng.choice(n, 40, replace=False), "RTC09"] = np.nan
    return df


def test_listwise_moments_equal_the_two_pass_moments_of_the_complete_rows():
    df = _likert()
    ids, rev = [f"Q{j}" for j in range(1, 7)], ["Q3"]
    x = item_matrix(df, ids, rev, (1, 5))
    x = x[~np.isnan(x).any(axis=1)]
    mean = x.mean(axis=0)
    s = (x - mean).T @ (x - mean) / len(x)
    for chunk in (7, 100, 65536):  # blocks smaller than, around and above the frame
        n, n_rows, cov, m = listwise_moments(df, ids, rev, (1, 5), chunk=chunk)
        assert (n, n_rows) == (len(x), len(df))
        np.testing.assert_allclose(cov, s, rtol=0, atol=1e-13)
        np.testing.assert_allclose(m, mean, rtol=0, atol=1e-13)
    # what the row path must decide: text, a missing column, an answer outside the scale, reversal without a range
    assert listwise_moments(df.assign(Q1=df["Q1"].astype(str)), ids, rev, (1, 5)) is None
    assert listwise_moments(df.drop(columns="Q4"), ids, rev, (1, 5)) is None
    assert listwise_moments(df.assign(Q4=df["Q4"].replace(5.0, 7.0)), ids, rev, (1, 5)) is None
    assert listwise_moments(df, ids, rev, None) is None


def test_cfa_from_batched_moments_equals_the_row_path(monkeypatch):
    df = _likert()
    book = load_codebook("motivation")  # a codebook: the scale range checked, its six items as two factors
    coded = df.rename(columns={f"Q{j}": f"MOT0{j}" for j in range(1, 7)})
    coded["MOT03"] = 6 - coded["MOT03"]  # the codebook has no reverse-keyed item: back to the factor's direction
    rtc = load_codebook("rtc")  # reverse-keyed items (RTC04, RTC14) on a 1..6 scale, four factors
    models = [("a =~ Q1 + Q2 + Q3\nb =~ Q4 + Q5 + Q6", df), (book, coded), (rtc, _rtc_frame(rtc))]
    for model, frame in models:
        new = cfa(frame, model=model)
        assert new.engine.groups[0].x is None and conf._prepare_moments(frame, model) is not None
        with monkeypatch.context() as m:
            _row_path(m)
            old = cfa(frame, model=model)
        assert new.n == old.n < len(frame)
        assert new.converged == old.converged and new.problems == old.problems
        for a, b in ((new.estimates, old.estimates), (new.fit, old.fit), (new.validity, old.validity)):
            _numeric_close(a, b)
        _numeric_close(new.discriminant, old.discriminant)


def test_cfa_from_batched_moments_keeps_the_row_paths_errors(monkeypatch):
    df = _likert()
    model = "a =~ Q1 + Q2 + Q3\nb =~ Q4 + Q5 + Q6"
    bad = df.astype({"Q4": object})
    bad.loc[5, "Q4"] = "setuju"
    with pytest.raises(KinerjaError, match="row 5, column 'Q4', value 'setuju' is not a number"):
        cfa(bad, model=model)
    with pytest.raises(KinerjaError, match="6 items"):  # more respondents than items
        cfa(df.head(5), model=model)
    # MLR and FIML need the rows: they take the row path, as before
    assert cfa(df, model=model, estimator="MLR").engine.groups[0].x is not None
    assert cfa(df, model=model, missing="fiml").engine.groups[0].patterns is not None


@pytest.fixture(scope="module")
def data(national_three):
    return national_three


def _ctx(data, tmp_path):
    return kr.report.start("t", dataset=str(data), lang="en", out_dir=str(tmp_path))


def _reference(data, tmp_path, monkeypatch):
    """The page's per-region and pooled numbers as the section computed them before it read one instrument at a
    time: the whole survey, each region a boolean selection, the CFA on the row path."""
    ctx = _ctx(data, tmp_path)
    survey = ctx.tables["survey"]
    pre = survey[survey["wave"] == "pre"].reset_index(drop=True)
    known = sections.dataset_codebooks(ctx.dataset)
    names = sections._survey_instruments(pre, list(known), known)
    by_region, _ = national.large_enough(pre, min_n=kr.standards.MIN_REGION_N)
    codes = sorted(by_region["region_code"].astype(str).unique())
    val, rel, om = [], [], []
    for n in names:
        for code in codes:
            part = by_region[by_region["region_code"].astype(str) == code]
            val.append(item_analysis(part, items=known[n], alpha=ctx.alpha))
            rel.append(cronbach_alpha(part, items=known[n], alpha=ctx.alpha))
            om.append(omega(part, items=known[n]))
    _row_path(monkeypatch)
    fits = {n: cfa(pre, model=known[n], alpha=ctx.alpha) for n in names}
    return names, codes, val, rel, om, fits


def test_instrument_page_equals_the_whole_survey_computation(data, tmp_path, monkeypatch):
    lazy = _ctx(data, tmp_path)
    page = sections.instrument_quality(lazy)
    assert lazy._tables is None  # never every column of the survey
    held = lazy._frames["survey"][0]
    assert "wave" in held.columns and held.shape[1] < lazy.tables["survey"].shape[1]
    whole = _ctx(data, tmp_path)
    _ = whole.tables
    again = sections.instrument_quality(whole)
    assert page.results.keys() == again.results.keys() and page.records == again.records
    for k in page.results:
        pd.testing.assert_frame_equal(page.results[k], again.results[k])
    assert page.findings == again.findings and page.texts == again.texts and page.left_out == again.left_out

    names, codes, val, rel, om, fits = _reference(data, tmp_path, monkeypatch)
    assert len(codes) >= 2 and "invariance" in page.results  # the small world also takes the invariance branch
    v = page.results["validity"]
    _numeric_close(v[list(val[0].columns)], pd.concat(val, ignore_index=True), tol=0)
    assert v["region"].tolist() == [c for n in names for c in codes for _ in known_items(n, data)]
    r = page.results["reliability"]
    ref = pd.concat(rel, ignore_index=True)
    _numeric_close(r[list(ref.columns)], ref, tol=0)
    omegas = pd.concat(
        [o.set_index("term")["estimate"].reindex(x["term"]).reset_index(drop=True) for o, x in zip(om, rel)]
    )
    np.testing.assert_array_equal(r["omega"].to_numpy(float), omegas.to_numpy(float))
    fit = page.results["fit"]
    assert len(fit) == len(fits)
    for row, res in zip(fit.itertuples(index=False), fits.values()):
        f = res.fit.set_index("term")
        for col, term in (("chisq", "chisq"), ("cfi", "cfi"), ("tli", "tli"), ("rmsea", "rmsea"), ("srmr", "srmr")):
            assert abs(getattr(row, col) - f.loc[term, "estimate"]) <= TOL
        assert row.n == res.n
    lam = page.results["loadings"]
    ref_lam = pd.concat([res.estimates[res.estimates["op"] == "=~"] for res in fits.values()], ignore_index=True)
    _numeric_close(lam[list(ref_lam.columns)], ref_lam)


def known_items(name, data):
    """The item rows one region contributes to the validity table for instrument ``name``."""
    book = sections.dataset_codebooks(str(data))[name]
    return [i for ids in book.dimension_items().values() for i in ids]
