"""What every test may use. Test files import the constants and helpers from here
(`from tests.conftest import ROOT, conformance`); fixtures need no import.

Paths
    ROOT         the repository (notebooks/, sample_data/, README.md ...)
    TESTS        this folder; test data sits next to the tests that read it, in a
                 `fixtures/` folder (tests/sources/bank/fixtures/ ...)
    SAMPLE_DATA  the three sample personas: SAMPLES their folder names, SAMPLE_FOLDERS
                 their paths
    NOTEBOOKS    the report notebooks
    CONFORMANCE  real export files written by others, kept outside the project
                 (../shared/conformance/, never copied in): use `conformance(path)`

Stores
    store          a fresh, empty store for one test (write anything)
    sample_store   session-wide, READ-ONLY: the three sample personas and "nobody" (a
                   person without data), imported once
    cohort_dir     session-wide: a generated cohort of 6 personas (seed 14, 2023), as exports
    world_store    session-wide, READ-ONLY: the sample personas, "nobody" and the cohort
                   (under their own ids) in one store; `.truths` maps person -> truth.json

Open the shared stores with `open_store(path, read_only=True)`. A test that writes (imports,
categorises, forgets, renders with --force ...) works on `copy_store(...)` of one, or builds
its own: the session fails if a shared store's file changed.

Marker
    slow   papermill notebooks, batch reports, browsers, the 30-person cohort, anything that
           takes more than a few seconds: `make test-fast` (pytest -m "not slow") skips them.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from selfdata_kit.store import Store, open_store

# The user's cache folder is theirs: what the tests' kernels keep there (the Vega bundle,
# charts/bundle.py) goes to a folder of this run, shared by every kernel the tests start.
os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="selfdata-tests-cache-")

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
SAMPLE_DATA = ROOT / "sample_data"
SAMPLES = sorted(p.name for p in SAMPLE_DATA.iterdir() if (p / "truth.json").is_file())
SAMPLE_FOLDERS = [SAMPLE_DATA / p for p in SAMPLES]
NOTEBOOKS = ROOT / "notebooks"
# Real export files written by others, kept outside the project (never copied in).
CONFORMANCE = ROOT.parent / "shared" / "conformance"
# the system's Chromium (browsers are never downloaded); CI sets SELFDATA_REQUIRE_BROWSER=1
CHROMIUM = Path(os.environ.get("SELFDATA_CHROMIUM", "/usr/bin/chromium"))
# The generated cohort shared by the analysis tests: its ids never equal the samples'.
COHORT_SIZE, COHORT_SEED, COHORT_YEAR = 6, 14, 2023


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = open_store(tmp_path / "store.duckdb")
    yield s
    s.close()


def conformance(relative: str) -> Path:
    path = CONFORMANCE / relative
    if not path.exists():
        pytest.skip(f"conformance file not available: {path}")
    return path


def table_rows(store: Store) -> dict[str, list[tuple]]:
    """Every row of every table, sorted: compares a store's content before and after."""
    tables = [r[0] for r in store.run(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
        " AND table_catalog = current_database() ORDER BY table_name")]
    return {t: sorted(map(repr, store.run(f"SELECT * FROM {t}"))) for t in tables}


def imported(store: Store, path: Path, person: str = "alice"):
    """Import one file through the real pipeline and insist it went in."""
    from selfdata_kit.ingest.files import import_file
    from selfdata_kit.sources.base import InputFile

    report = import_file(store, InputFile.from_path(path), person)
    assert report.status == "imported", report.error
    return report


def _truth(folder: Path) -> dict:
    """A persona's truth.json: what its generator wrote into its exports."""
    return json.loads((folder / "truth.json").read_text(encoding="utf-8"))


def copy_store(shared: Path, dest: Path, keep: list[str] | None = None) -> Path:
    """A private copy of a shared store, to write into; with `keep`, every other person is
    forgotten from the copy."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(shared, dest)
    if keep is not None:
        with open_store(dest) as s:
            for person in s.person_ids():
                if person not in keep:
                    s.forget(person)
    return dest


# --- the session-wide stores ----------------------------------------------------------------

def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _read_only(path: Path):
    """Yield `path`, then check that no test wrote into it."""
    before = _digest(path)
    yield path
    assert _digest(path) == before and not Path(f"{path}.wal").exists(), (
        f"a test wrote into the shared store {path.name}: write into copy_store(...) instead")


def _import_all(store: Store, folders: list[Path]) -> None:
    from selfdata_kit.ingest.files import import_paths

    for folder in folders:
        reports = import_paths(store, [folder], folder.name)
        assert [r.name for r in reports if r.status == "failed"] == [], folder.name


@pytest.fixture(scope="session")
def sample_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The three sample personas (each under its folder name) and "nobody", a person with no
    data. Read-only: open it with `open_store(sample_store, read_only=True)`."""
    path = tmp_path_factory.mktemp("samples") / "samples.duckdb"
    with open_store(path) as s:
        _import_all(s, SAMPLE_FOLDERS)
        s.ensure_person("nobody")
    yield from _read_only(path)


@pytest.fixture(scope="session")
def cohort_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """6 fresh personas (seed 14, 2023) as exports, one folder per person with its truth.json.
    Do not write into it."""
    from selfdata_kit.synth.cohort import generate

    out = tmp_path_factory.mktemp("cohort")
    generate(COHORT_SIZE, seed=COHORT_SEED, out=out, year=COHORT_YEAR)
    return out


@dataclass(frozen=True)
class World:
    path: Path               # the store file
    truths: dict[str, dict]  # person id -> truth.json, for the samples and the cohort


@pytest.fixture(scope="session")
def world_store(sample_store: Path, cohort_dir: Path,
                tmp_path_factory: pytest.TempPathFactory) -> World:
    """The sample store (three samples and "nobody") plus the generated cohort, each person
    under its folder name. Read-only."""
    cohort = sorted(cohort_dir.iterdir())
    assert not {f.name for f in cohort} & set(SAMPLES), "cohort ids must differ from samples'"
    path = copy_store(sample_store, tmp_path_factory.mktemp("world") / "world.duckdb")
    with open_store(path) as s:
        _import_all(s, cohort)
    truths = {f.name: _truth(f) for f in [*SAMPLE_FOLDERS, *cohort]}
    for checked in _read_only(path):
        yield World(checked, truths)


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium through playwright, one per test module; skipped without it unless
    SELFDATA_REQUIRE_BROWSER=1."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed: pip install -e '.[dev]'")
    if not CHROMIUM.exists():
        if os.environ.get("SELFDATA_REQUIRE_BROWSER") == "1":
            pytest.fail(f"no Chromium at {CHROMIUM} (SELFDATA_REQUIRE_BROWSER=1)")
        pytest.skip(f"no Chromium at {CHROMIUM} (set SELFDATA_CHROMIUM)")
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM),
                                     args=["--no-sandbox", "--disable-gpu"])
        yield chromium
        chromium.close()
