"""The default synthetic dataset: a world of ASN with known, documented effects, and its messy raw files.

:func:`simulate` draws the four canonical tables (``survey``, ``performance``, ``training``, ``satisfaction``) in
clean form with numpy (vectorised; one ``PCG64`` sub-stream per stage, derived from the seed and the stage's name,
so adding a stage never changes the others). Worlds above 200,000 staff (``regions="all"`` at scale 1 or more) are
drawn region by region, from sub-streams per stage and region, so a region's data do not depend on the other regions
drawn with it (only the NIP sequence digits continue across regions, to keep NIPs unique); ``by_region=`` chooses.
:func:`write_raw` renders them the way units hand files over and plants dirt, recording every instance
(``GROUND_TRUTH.json`` and one compressed ledger per region, ``GROUND_TRUTH.dirt.<code>.csv.gz``; :func:`load_truth`
and :func:`load_dirt` read them). :func:`write_default` does both, streaming a by-region world: one region at a time
is in memory (national scale, ``regions="all", scale=10``, fits in a few GiB).

Sizes: at ``scale=1`` each region has about ``800 x size`` staff (default four regions: 3,040 staff),
``300 x size`` surveyed staff (two waves, 90% answer again: about 2,170 survey rows) and ``450 x size`` SKM
respondents. ``regions="all"`` simulates all 514 kab/kota (427,321 staff at scale 1; national scale, about
4.3 million ASN, is ``regions="all", scale=10``). A survey export of about 1,000,000 rows (about 2,190 rows per
unit of scale with the default four regions, duplicates included) needs ``scale=457``.

Data-generating process (planted effects; every number is also written to ``GROUND_TRUTH.json``)
-------------------------------------------------------------------------------------------------
People
    Gender (52% women), education (SMA 14%, D3 14%, S1 52%, S2 18%, S3 2%), age 22-58 (older-skewed), 15% PPPK
    (grade by education, appointed 2019-2025), PNS golongan from the education's entry rank plus one step per
    about four years of service. NIP = birth date YYYYMMDD + TMT CPNS YYYYMM (entry at age >= 18) + gender digit
    (1 men, 2 women) + 3-digit sequence, unique. Names with a regional flavour; 8-15 OPD per region.
Performance (``performance``, semesters 2025-S1, 2025-S2 before; 2026-S1, 2026-S2 after the programme)
    ``capaian_pct = region mean + period effect + agency effect (SD 2.5) + person effect (SD 4.5)
    + 2.5 * motivation + 1.0 * reward + kappa_r * programme JP * post + e (SD 3.5)`` with standardised latent
    motivation and reward perception of the wave (pre latent for 2025, post latent for 2026). Rating hasil kerja:
    above if capaian >= 96, below if < 79; rating perilaku from a behaviour latent (0.6 person effect + 0.3
    motivation + noise); predikat from the PermenPANRB 6/2022 matrix.
Training programme (``training``, January-March 2026)
    Selection: ``P(trained) = logistic(-0.55 + 0.9 * person effect / 4.5 - 0.35 * (age - 40) / 10)`` (better
    performers and younger staff are nominated), so a post-only comparison is biased upwards by
    ``E[person effect | trained] - E[... | untrained]`` while difference-in-differences is not. Programme JP 24/32/40/48
    (p = .10/.20/.55/.15, mean 38); the gain is ``kappa_r`` per JP, so the DiD effect is ``kappa_r * 38``:
    Kota Bandar Lampung 6.0, Kota Bengkulu 4.0, Kota Lhokseumawe 2.5, Kota Kupang 5.0 capaian points. Other courses
    (Poisson(1) per person, 2025-2026) have no effect (placebo for dose-response analyses).
Survey (``survey``; pre wave November 2025, post wave November 2026)
    Each instrument has a standardised general factor; each dimension factor is ``mean + sqrt(.6) g + sqrt(.4) s``;
    each item's continuous response is ``±λ f + sqrt(1 - λ²) e`` (minus for reverse-keyed items), cut at fixed
    thresholds (6- or 5-point). Loadings 0.55-0.85 (reverse-keyed items 0.08 lower). Means: training 0.2, reward
    -0.1, sanction 0.1, motivation 0.4; resistance to change by region (18.71: 0.00, 17.71: -0.25, 11.73: 0.35,
    53.71: 0.15). Motivation = 0.45 reward + 0.20 sanction + noise (reward -> motivation -> capaian mediation).
    Usability (SUS) latent = 0.3 - 0.45 * resistance + noise. Trained staff at the post wave: resistance -0.35 SD,
    training perception +0.5 SD. Latent factors correlate 0.7 between waves.
Public satisfaction (``satisfaction``, 2026-Q1..Q3)
    Per region 4-6 service units with fixed weights and latent shifts; latent satisfaction N(region mean + unit
    shift, 1); nine elements U1-U9 with element-specific loadings and thresholds on 1-4. The true IKM is
    ``25 x weight x sum of element means`` (weight from the SKM codebook, 0.111).

Truths are estimands on observed data: expected observed scale scores (exact, normal CDF sums), regression and
mediation coefficients on observed scale scores and population reliabilities of the discretised items (Monte Carlo,
2,000,000 draws with a fixed seed, identical for every simulation seed), IKM population values (exact).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd

from kinerja_research.errors import KinerjaError, RegionError
from kinerja_research.regions import DEFAULT_REGIONS
from kinerja_research.synth import _raw, _spec, _truth, _world
from kinerja_research.synth._world import World

__all__ = ["simulate", "write_raw", "write_default", "load_truth", "load_dirt", "World"]


def _resolve_regions(regions) -> list[_spec.RegionParams]:
    from kinerja_research import regions as reg

    if regions is None:
        regions = list(DEFAULT_REGIONS)
    if isinstance(regions, str):
        regions = [regions]
    regions = list(regions)
    if regions == ["all"]:
        tab = reg.regions_table("kabkota").sort_values("code")
        return [_spec.region_params(c, n) for c, n in zip(tab["code"], tab["name"])]
    out, seen = [], set()
    for r in regions:
        region = reg.resolve_region(str(r))
        if region.type not in ("kota", "kabupaten"):
            raise RegionError(
                f"Region {r!r} is a {region.type}; the rule is that synthetic data are drawn per "
                "kabupaten/kota (give a kab/kota code such as '18.71')."
            )
        if region.code not in seen:
            seen.add(region.code)
            out.append(_spec.region_params(region.code, region.name))
    if not out:
        raise KinerjaError("Argument 'regions' is empty; the rule is at least one kab/kota code, or 'all'.")
    return out


def _check_scale(scale) -> float:
    try:
        s = float(scale)
    except (TypeError, ValueError):
        raise KinerjaError(f"Argument 'scale' is {scale!r}; the rule is a positive number such as 1.0.") from None
    if not math.isfinite(s) or s <= 0 or s > 2000:
        raise KinerjaError(f"Argument 'scale' is {scale!r}; the rule is a number above 0 and at most 2000.")
    return s


def _check_seed(seed) -> int:
    try:
        seed = int(seed)
    except (TypeError, ValueError):
        raise KinerjaError(f"Argument 'seed' is {seed!r}; the rule is a non-negative integer.") from None
    if seed < 0:
        raise KinerjaError(f"Argument 'seed' is {seed}; the rule is a non-negative integer.")
    return seed


def _skm_weight() -> float:
    doc = _spec._from_yaml("skm")
    try:
        return float(doc["scoring"]["weight"])
    except (TypeError, KeyError, ValueError):
        return 1.0 / 9.0


def simulate(seed: int = 2026, scale: float = 1.0, regions=None, by_region: bool | None = None) -> World:
    """Simulate the synthetic world: clean canonical tables plus the ground truth.

    Parameters
    ----------
    seed : int, default 2026
        Seed; each stage (people, person effects, latent factors, training, performance, survey, satisfaction) uses
        its own ``PCG64`` sub-stream derived from it.
    scale : float, default 1.0
        Multiplies every row count (1.0: about 800 staff per region).
    regions : list of str, str or None
        Kemendagri codes (or names) of kab/kota; None = the default four (18.71, 17.71, 11.73, 53.71); ``"all"`` =
        all 514 kab/kota.
    by_region : bool, optional
        Draw the regions one at a time, each from sub-streams of its own (True), or all together in one vectorised
        pass (False). Default: by region above ``_world.BY_REGION_STAFF`` (200,000) staff, e.g. ``regions="all"``
        at scale 1 or more. The two are the same process with different sequences of draws: the same seed gives
        different (equally distributed) data. By region, a region's data do not depend on the other regions
        simulated with it (except the NIP sequence digits, which continue across regions so NIPs stay unique).

    Returns
    -------
    World
        ``.tables``: dict of the canonical tables ``survey``, ``performance``, ``training``, ``satisfaction``
        (clean, columns and dtypes as in docs/architecture.md, people as ``person_id`` pseudonyms);
        ``.private``: one row per staff member with ``person_id, nip, name`` (and region, agency, golongan,
        trained, jp_programme) for rendering raw files only; ``.truth``: the GROUND_TRUTH.json content.

    Notes
    -----
    ``person_id`` here is a fast keyed scramble of the NIP (``"P"`` + 16 hex), not the clean step's HMAC
    (:func:`kinerja_research.privacy.pseudonymise`); join to cleaned data through ``.private['nip']``.

    Examples
    --------
    >>> w = simulate(seed=1, scale=0.05)
    >>> sorted(w.tables)
    ['performance', 'satisfaction', 'survey', 'training']
    >>> w.truth["regions"]["18.71"]["training_effect_capaian"]
    6.0
    """
    scale = _check_scale(scale)
    seed = _check_seed(seed)
    params = _resolve_regions(regions)
    tables, private, extra = _world.build(seed, scale, params, by_region)
    truth = _truth.build_truth(seed, scale, params, extra["n_staff"], extra["n_survey"], _skm_weight())
    return World(
        seed=seed,
        scale=scale,
        regions=[p.code for p in params],
        tables=tables,
        private=private,
        truth=truth,
        extra={"params": params, "people": extra["people"]},
    )


def write_raw(world: World, out_dir, *, seed: int | None = None, progress=None, tables=None) -> dict:
    """Render ``world`` as messy raw files plus ``dataset.yml`` and ``GROUND_TRUTH.json`` in ``out_dir``.

    Parameters
    ----------
    world : World
        From :func:`simulate`.
    out_dir : str or Path
        Folder to write (created when missing); files of the same name are replaced.
    seed : int, optional
        Seed of the rendering and the planted dirt (default ``world.seed``).
    progress : callable, optional
        Called with a short description before each file group (for a progress display).
    tables : list of str, optional
        Subset of ``survey, performance, training, satisfaction`` to write (default all), e.g. only the survey
        export for a reader benchmark.

    Returns
    -------
    dict
        The ground truth as written to ``GROUND_TRUTH.json``, with ``dirt``: one record per planted problem
        ``{file, row, column, value, rule}`` (row = 1-based data row; column = source header, None for a
        whole-row problem such as ``duplicate_submission`` or ``straight_lining``), and ``files`` (SHA-256).

    Notes
    -----
    Files: ``survey_asn_google_forms.csv`` (one Google Forms export: Indonesian question texts as headers,
    Likert answers as words, ``dd/mm/yyyy HH:MM:SS`` timestamps, region and golongan in several spellings),
    ``skp_<region>.xlsx`` (e-Kinerja export, title block above the header on row 4, sheet ``SKP``; split into
    ``_bagianN`` files above Excel's row limit), ``pelatihan_<region>.csv`` (semicolon, Windows-1252, Indonesian
    month names, decimal comma), ``skm_<region>.csv`` (element names as headers, a different order per region).
    Planted problems use the rules ``nip_scientific_notation, nip_precision_loss, nip_invalid_date, nip_length,
    duplicate_submission, missing_value, likert_unknown_label, out_of_range, too_fast, straight_lining,
    region_variant, golongan_variant, decimal_comma, date_format`` at small rates (``_raw.RATES``). The same
    world and seed give byte-identical files (fixed xlsx metadata and zip entry dates).
    """
    from kinerja_research.synth._raw import write_raw as _write

    return _write(
        world, Path(out_dir), seed=world.seed if seed is None else int(seed), progress=progress, tables=tables
    )


def write_default(
    out_dir,
    seed: int = 2026,
    scale: float = 1.0,
    regions=None,
    progress=None,
    tables=None,
    keep_dirt: bool = True,
    by_region: bool | None = None,
    resume: bool = False,
) -> dict:
    """Simulate and write the default dataset: ``write_raw(simulate(seed, scale, regions), out_dir, seed=seed)``.

    The files are those of ``write_raw(simulate(...), out_dir, seed=seed)``, byte for byte. A world drawn by region
    (``by_region``, by default above 200,000 staff) is streamed: each region is simulated, written and let go in
    turn (only the survey rows are kept, compactly, for the one national survey export), so ``regions="all",
    scale=10`` (about 4.3 million ASN) fits in a few GiB.

    Parameters
    ----------
    out_dir : str or Path
        Folder to write (created when missing).
    seed, scale, regions
        As :func:`simulate`.
    progress : callable, optional
        Called with a short description before each region and file group.
    tables : list of str, optional
        As :func:`write_raw`.
    keep_dirt : bool, default True
        Return every planted problem under ``dirt`` (False at national scale, where they are millions: read them
        with :func:`load_dirt` or :func:`load_truth` instead).
    by_region : bool, optional
        As :func:`simulate`.
    resume : bool, default False
        Finish an interrupted by-region run into the same folder (same seed, scale and regions): regions whose
        ledger is there are simulated again for the survey export but not rewritten.

    Returns
    -------
    dict
        The ground truth as written to ``GROUND_TRUTH.json`` (with ``dirt`` when ``keep_dirt``).

    Examples
    --------
    >>> import tempfile
    >>> truth = write_default(tempfile.mkdtemp(), seed=1, scale=0.05)
    >>> sorted({d["rule"] for d in truth["dirt"]})[:3]
    ['date_format', 'decimal_comma', 'duplicate_submission']
    """
    scale = _check_scale(scale)
    seed = _check_seed(seed)
    params = _resolve_regions(regions)
    if by_region is None:
        by_region = _world.by_region_default(params, scale)
    if not by_region:
        world = simulate(seed=seed, scale=scale, regions=[p.code for p in params], by_region=False)
        return _raw.write_raw(world, Path(out_dir), seed=seed, progress=progress, tables=tables, keep_dirt=keep_dirt)
    weight = _skm_weight()

    def truth_fn(n_staff, n_survey):
        return _truth.build_truth(seed, scale, params, n_staff, n_survey, weight)

    return _raw.write_regions(
        _world.iter_regions(seed, scale, params),
        Path(out_dir),
        seed=seed,
        scale=scale,
        params=params,
        truth_fn=truth_fn,
        progress=progress,
        tables=tables,
        keep_dirt=keep_dirt,
        resume=resume,
    )


def load_dirt(folder, regions=None):
    """The planted problems of a raw folder as a frame ``file, row, column, value, rule`` (None for blanks).

    Parameters
    ----------
    folder : str or Path
        A folder written by :func:`write_raw` / :func:`write_default`.
    regions : list of str, optional
        Kab/kota codes whose part of the ledger to read (their own files and the survey rows their staff answered);
        default all. Datasets written before the ledger was split per region have one ledger: all of it is read.

    Returns
    -------
    pandas.DataFrame
        Sorted by file, row, column and rule, as ``write_raw`` returns ``dirt``.
    """
    folder = Path(folder)
    path = folder / "GROUND_TRUTH.json"
    if not path.is_file():
        raise KinerjaError(f"folder '{folder}' has no GROUND_TRUTH.json; rule: a folder written by kinerja data synth")
    head = json.loads(path.read_text(encoding="utf-8"))
    if "dirt_files" in head:
        index = head["dirt_files"]["regions"]
        wanted = (
            list(index) if regions is None else [str(r) for r in ([regions] if isinstance(regions, str) else regions)]
        )
        missing = [r for r in wanted if r not in index]
        if missing:
            raise KinerjaError(
                f"GROUND_TRUTH.json of '{folder}' has no region {missing[0]!r}; the rule is one of the dataset's "
                f"regions ({', '.join(list(index)[:5])}{', ...' if len(index) > 5 else ''})."
            )
        frames = [_raw.read_dirt_frame(folder / index[r]["name"]) for r in wanted]
    elif "dirt_file" in head:
        frames = [_raw.read_dirt_frame(folder / head["dirt_file"]["name"])]
    else:
        frames = [pd.DataFrame(head.get("dirt", []), columns=list(_raw.DIRT_COLUMNS))]
    frames = [f for f in frames if len(f)] or frames[:1]
    return _raw._sort_dirt(pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0])


def load_truth(folder, regions=None) -> dict:
    """The ground truth of a raw folder written by :func:`write_raw`, as it returned it (``dirt`` included).

    ``GROUND_TRUTH.json`` holds everything but the planted problems, which are in one compressed ledger per region
    (``GROUND_TRUTH.dirt.<code>.csv.gz``, indexed under ``dirt_files``), so the JSON stays small at national scale;
    ``regions`` limits ``dirt`` to those regions' parts (:func:`load_dirt`).

    Examples
    --------
    >>> import tempfile
    >>> d = tempfile.mkdtemp()
    >>> truth = write_default(d, seed=1, scale=0.05)
    >>> load_truth(d)["dirt"] == truth["dirt"]
    True
    """
    folder = Path(folder)
    path = folder / "GROUND_TRUTH.json"
    if not path.is_file():
        raise KinerjaError(f"folder '{folder}' has no GROUND_TRUTH.json; rule: a folder written by kinerja data synth")
    truth = json.loads(path.read_text(encoding="utf-8"))
    truth["dirt"] = _raw.dirt_records(load_dirt(folder, regions))
    return truth
