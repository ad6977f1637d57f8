"""The project's set-up files agree with each other (pyproject is the single source of dependency truth)."""

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _name(req: str) -> str:
    return re.split(r"[<>=!~ \[;]", req.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _pyproject():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_environment_yml_matches_pyproject_runtime_dependencies():
    runtime = {_name(r) for r in _pyproject()["project"]["dependencies"]}
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda, pip = set(), set()
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            pip |= {_name(d) for d in dep["pip"] if not d.startswith("-e")}
        else:
            conda.add(_name(dep))
    test_deps = {_name(r) for r in _pyproject()["project"]["optional-dependencies"]["test"]}
    declared = (conda | pip) - {"python", "pip"} - test_deps
    assert declared == runtime, (
        f"only in environment.yml: {declared - runtime}; only in pyproject: {runtime - declared}"
    )
    assert "python=3.11" in env["dependencies"]
    assert any(isinstance(d, dict) and "-e ." in d["pip"] for d in env["dependencies"])


def test_every_dependency_is_pinned_in_the_lock():
    lock = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            lock[_name(name)] = version
    project = _pyproject()["project"]
    wanted = project["dependencies"] + project["optional-dependencies"]["test"]
    missing = [r for r in wanted if _name(r) not in lock]
    assert not missing, f"not pinned in requirements.lock: {missing}"
    assert all(v for v in lock.values()), "every lock line must pin an exact version"


def test_readme_shows_the_two_commands_and_ci_calls_make_test():
    readme = (ROOT / "README.md").read_text()
    assert "make report" in readme and "make test" in readme
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_outputs_are_git_ignored():
    ignore = (ROOT / ".gitignore").read_text().splitlines()
    for folder in ("data/processed", "reports"):
        assert f"{folder}/*" in ignore and f"!{folder}/.gitkeep" in ignore
