"""The wheel is the whole tool: every package, the notebooks, the sample personas, the schema
and the data files, nothing looked up through a clone (CI also installs it in a fresh venv,
outside the checkout, and runs `selfdata demo` there: .ci/wheel_check)."""

from __future__ import annotations

import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
from setuptools import find_namespace_packages

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
SETUPTOOLS = PYPROJECT["tool"]["setuptools"]


def test_every_package_folder_is_listed_in_pyproject() -> None:
    found = {p for p in find_namespace_packages(str(ROOT), include=["selfdata_kit*"])
             if "__pycache__" not in p}
    mapped = set(SETUPTOOLS["package-dir"])  # notebooks/ and sample_data/, at the top level
    assert set(SETUPTOOLS["packages"]) == found | mapped
    assert mapped == {"selfdata_kit.notebooks", "selfdata_kit.sample_data"}


def test_the_license_is_an_spdx_expression() -> None:
    assert isinstance(PYPROJECT["project"]["license"], str)  # a table is deprecated


@pytest.mark.slow
def test_the_wheel_holds_everything_a_command_needs(tmp_path: Path) -> None:
    build = subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(tmp_path),
                            str(ROOT)], capture_output=True, text=True, timeout=600)
    assert build.returncode == 0, build.stderr[-2000:]
    assert "deprecat" not in (build.stdout + build.stderr).lower()
    (wheel,) = tmp_path.glob("selfdata_kit-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    notebooks = {p.name for p in (ROOT / "notebooks").glob("*.ipynb")}
    assert {f"selfdata_kit/notebooks/{n}" for n in notebooks} <= names
    samples = {p.relative_to(ROOT / "sample_data").as_posix()
               for p in (ROOT / "sample_data").rglob("*")
               if p.is_file() and "__pycache__" not in p.parts}
    assert {f"selfdata_kit/sample_data/{s}" for s in samples} <= names
    for folder, pattern in (("store/schema", "*.sql"), ("data", "*"), ("i18n", "*.toml")):
        shipped = {p.name for p in (ROOT / "selfdata_kit" / folder).glob(pattern)
                   if p.is_file()}
        assert shipped and {f"selfdata_kit/{folder}/{n}" for n in shipped} <= names, folder
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    assert not [n for n in names if n.startswith(("tests/", "benchmarks/", "docs/"))]
