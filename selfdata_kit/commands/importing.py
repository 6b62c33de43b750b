"""`selfdata import`: files, folders and zips for one person, or a cohort folder in parallel.
Prints a line per file (or per person) and returns the exit code."""

from __future__ import annotations

import sys
from pathlib import Path

from ..errors import SelfdataError
from ..ingest import FileOutcome, import_cohort, import_paths, person_folders
from ..ingest.cohort import BATCH_PERSONS, PersonImport, log_unknown_files
from ..sources.layout import layout_in_force, load_layout
from ..store import open_store


def run_import(store_path: Path, paths: list[str], person: str | None, *,
               skip_bad_rows: bool = False, region: str = "FR",
               keep_names: bool = False, me: str | None = None,
               layout: Path | None = None) -> int:
    if not paths or not person:
        raise SelfdataError("give the files to import and --person ID (or --cohort DIR)",
                            hint="selfdata import releve.ofx --person me")
    # a wrong layout file fails before any store is opened or created
    in_force = load_layout(layout) if layout is not None else None
    new_store = not store_path.exists()
    with open_store(store_path) as store, layout_in_force(in_force):
        outcomes = import_paths(store, paths, person, on_file=print_outcome,
                                skip_bad_rows=skip_bad_rows, default_region=region,
                                keep_names=keep_names, me=me)
        log_unknown_files(store, person, outcomes)
    if new_store and not any(r.status == "imported" for r in outcomes):
        _remove_store(store_path)
    failed = [r for r in outcomes if r.status == "failed"]
    imported = [r for r in outcomes if r.status == "imported"]
    skipped = [r for r in outcomes if r.status == "skipped"]
    inserted = sum(r.counts.rows_inserted for r in imported if r.counts)
    print(f"{len(outcomes)} file(s): {len(imported)} imported, {len(failed)} failed,"
          f" {len(skipped)} skipped; {inserted} new row(s) in {store_path}")
    if not outcomes:
        print("nothing to import: no files under the given paths", file=sys.stderr)
        return 1
    return 1 if failed else 0


def run_import_cohort(store_path: Path, folder: Path, *, jobs: int = 2,
                      batch: int = BATCH_PERSONS, executor: str = "local",
                      scheduler: str | None = None, skip_bad_rows: bool = False,
                      region: str = "FR", keep_names: bool = False,
                      me: str | None = None) -> int:
    from tqdm import tqdm

    if batch < 0:
        raise SelfdataError("--batch is a number of persons: 1 or more, or 0 to write file"
                            " by file", hint="e.g. --batch 20 (the default)")
    total = len(person_folders(folder))
    new_store = not store_path.exists()
    with open_store(store_path) as store, tqdm(total=total, unit="person", file=sys.stderr,
                                               desc="import", dynamic_ncols=True) as bar:
        def done(summary: PersonImport) -> None:
            kinds = ", ".join(f"{k} {n}" for k, n in sorted(summary.sources.items())) or "none"
            bar.write(f"{summary.person}: sources {kinds}; {summary.rows} new row(s),"
                      f" {summary.rejected} rejected, {len(summary.failed)} file(s) failed")
            for r in summary.failed:
                bar.write(f"  FAILED {r.error}")
            for r in summary.files:
                for warning in r.warnings:
                    bar.write(f"  warning {r.name}: {warning}")
            bar.update(1)

        summaries = import_cohort(store, folder, jobs=jobs, batch=batch, executor=executor,
                                  scheduler=scheduler, log_unknown=True, on_person=done,
                                  skip_bad_rows=skip_bad_rows, default_region=region,
                                  keep_names=keep_names, me=me)
    failed = sum(len(s.failed) for s in summaries)
    if new_store and not any(r.status == "imported" for s in summaries for r in s.files):
        _remove_store(store_path)
    print(f"{len(summaries)} person(s), {sum(s.rows for s in summaries)} new row(s),"
          f" {failed} file(s) failed; store {store_path}")
    return 1 if failed else 0


def _remove_store(store_path: Path) -> None:
    """Undo the creation of a store that nothing was imported into: a failed first import
    leaves the folder as it was (an empty store would look like a successful one)."""
    store_path.unlink(missing_ok=True)
    Path(f"{store_path}.wal").unlink(missing_ok=True)
    print(f"nothing imported: no store created at {store_path}", file=sys.stderr)


def print_outcome(r: FileOutcome) -> None:
    if r.status == "imported" and r.counts:
        c = r.counts
        print(f"imported  {r.name}  [{r.source.name if r.source else '?'}]  read {c.rows_read},"
              f" inserted {c.rows_inserted}, duplicate {c.rows_duplicate},"
              f" rejected {c.rows_rejected}")
        for warning in r.warnings:
            print(f"  warning: {warning}")
        for issue in r.issues[:5]:
            print(f"  rejected line {issue.line}: {issue.message}")
        if len(r.issues) > 5:
            print(f"  ... {len(r.issues) - 5} more (selfdata imports --issues)")
    elif r.status == "skipped":
        print(f"skipped   {r.name}  ({r.reason})")
    else:
        print(f"FAILED    {r.error}", file=sys.stderr)
