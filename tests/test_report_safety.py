"""The runner never destroys what is not a report run of its own, and checks options before starting kernels."""

import pytest

from kinerja_research import paths
from kinerja_research.errors import KinerjaError
from kinerja_research.report import runner


def test_refuses_a_folder_holding_other_files(tmp_path):
    (tmp_path / "thesis.docx").write_text("years of work")
    with pytest.raises(KinerjaError, match="not a report run"):
        runner.check_run_dir(tmp_path.resolve())
    assert (tmp_path / "thesis.docx").read_text() == "years of work"


def test_accepts_new_empty_or_earlier_run_folders(tmp_path):
    runner.check_run_dir((tmp_path / "new").resolve())
    runner.check_run_dir(tmp_path.resolve())  # empty
    (tmp_path / "run.json").write_text("{}")
    (tmp_path / "index.html").write_text("")
    runner.check_run_dir(tmp_path.resolve())


@pytest.mark.parametrize("where", ["data", "data/raw", "data/raw/default/x", "data/processed/default"])
def test_refuses_data_folders(where):
    with pytest.raises(KinerjaError, match="overlaps the data folder"):
        runner.check_run_dir((paths.ROOT / where).resolve())


def test_refuses_the_project_root_that_contains_data():
    with pytest.raises(KinerjaError):
        runner.check_run_dir(paths.ROOT.resolve())


@pytest.mark.parametrize("alpha", [1.5, 0, -0.1])
def test_bad_alpha_is_refused_before_any_kernel_starts(alpha, tmp_path):
    with pytest.raises(KinerjaError, match="alpha"):
        runner.run_suite(dataset="default", alpha=alpha, out=tmp_path / "run")
    assert not (tmp_path / "run").exists()
