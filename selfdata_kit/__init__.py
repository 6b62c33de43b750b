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
from .importer import import_file, import_paths  # noqa: E402
from .store import Store, open_store  # noqa: E402

__all__ = ["SelfdataError", "Store", "__version__", "import_file", "import_paths", "open_store"]
