"""`selfdata report` and the demo: plan, run with a progress bar, write the index, summarise."""

from __future__ import annotations

import sys
from pathlib import Path

from tqdm import tqdm

from ..batch.html_page import INLINE
from ..batch.index_page import write_index
from ..batch.runner import Result, local_kernel, plan, run_batch, summarize
from ..charts.bundle import write_bundle
from ..errors import SelfdataError
from ..reports import TOPICS
from ..store import known_persons_hint, open_store

SHARED = "shared"
BUNDLES = (SHARED, INLINE)


def render_reports(store: Path, persons: list[str] | None, reports: list[str], *, lang: str,
                   screen_safe: bool, out: Path, workers: int = 2, executor: str = "local",
                   scheduler: str | None = None, force: bool = False,
                   bundle: str | None = None) -> int:
    """Render `reports` for `persons` (None: everyone); returns the exit code (1 if any failed).
    `bundle`: `shared` (one Vega bundle per output folder, the default for several persons) or
    `inline` (each page self-contained, the default for one)."""
    unknown = sorted(set(reports) - set(TOPICS))
    if unknown:
        raise SelfdataError(f"unknown report(s): {', '.join(unknown)}",
                            hint=f"reports: {', '.join(TOPICS)}")
    with open_store(store, read_only=True) as s:
        known = s.person_ids()
    missing = sorted(set(persons or []) - set(known))
    if missing:
        raise SelfdataError(f"no person {', '.join(map(repr, missing))} in {store}",
                            hint=known_persons_hint(known, missing[0]))
    persons = persons or known
    if not persons:
        raise SelfdataError(f"no persons in {store}", hint="import some files first")
    bundle = bundle or (SHARED if len(persons) > 1 else INLINE)
    if bundle not in BUNDLES:
        raise SelfdataError(f"unknown bundle mode {bundle!r}", hint="shared or inline")
    out.mkdir(mode=0o700, parents=True, exist_ok=True)
    if bundle == SHARED:  # pages are out/<person>/<report>.html
        bundle = f"../{write_bundle(out).relative_to(out).as_posix()}"
    # a batch run in this process (one report) gets its kernel now: it loads meanwhile
    with local_kernel(len(persons) * len(reports), workers, executor):
        jobs = plan(Path(store), persons, reports, lang, screen_safe, out, bundle=bundle)
        with tqdm(total=len(jobs), unit="report", desc="reports", file=sys.stderr,
                  dynamic_ncols=True) as bar:
            def progress(result: Result) -> None:
                bar.update(1)
                bar.set_postfix_str(f"{result.person}/{result.report} {result.status}")

            results = run_batch(jobs, workers=workers, executor=executor,
                                scheduler=scheduler, force=force, on_result=progress)
    index = write_index(out, Path(store), persons, reports, results, lang, screen_safe,
                        {(j.person, j.report): j.fingerprint for j in jobs})
    counts = summarize(results)
    print(f"{len(results)} report(s): {counts['done']} rendered, {counts['skipped']} up to"
          f" date, {counts['failed']} failed")
    for r in results:
        if r.status == "failed":
            print(f"FAILED    {r.person}/{r.report}: {r.error}\n"
                  f"          notebook kept: {out / r.person / (r.report + '.ipynb')}",
                  file=sys.stderr)
    print(f"index: {index.resolve()}")
    return 1 if counts["failed"] else 0
