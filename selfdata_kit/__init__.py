"""selfdata_kit: load your personal data exports into DuckDB and make sense of them.

    from selfdata_kit import open_store, import_paths
    with open_store("me.duckdb") as store:
        import_paths(store, ["releve.ofx"], person_id="me")
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("selfdata_kit")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0"

from .errors import SelfdataError  # noqa: E402
from .store import Store, open_store  # noqa: E402

# imported on first use: what notebooks use (they bring altair and ipywidgets), and the
# importers (every reader and pandas), which a report's kernel or `selfdata report` never call
_LAZY = {"open_report": "reports.notebook", "CohortReport": "reports.cohort",
         "explorer": "explorer", "import_file": "ingest.files", "import_paths": "ingest.files"}


def __getattr__(name: str) -> object:
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(f"{__name__}.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["CohortReport", "SelfdataError", "Store", "__version__", "explorer", "import_file",
           "import_paths", "open_report", "open_store"]
