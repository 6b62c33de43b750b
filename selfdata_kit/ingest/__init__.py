"""From paths to the store: expand files, folders and zips, detect each file's format, parse,
write one transaction per file; for one person (`files`) or a cohort in parallel (`cohort`)."""

from .cohort import import_cohort, person_folders
from .files import FileOutcome, import_file, import_paths

__all__ = ["FileOutcome", "import_cohort", "import_file", "import_paths", "person_folders"]
