"""`selfdata workshop`: everything a data-literacy session needs, offline, in one folder.

    workshop/
      personas/            synthetic personas (or nothing, with --from participants' folders)
      workshop.duckdb      every participant in one store
      reports/             each participant's reports, screen-safe, and reports/index.html
      wall.html            the group wall: the cohort report's aggregates, under its
                           disclosure control (docs/privacy.md)

      guide.md             the facilitator guide (docs/workshop.md, French and English)

`selfdata workshop wall --contributions DIR` (commands/wall.py) makes the wall from
participants' reviewed contributions instead of their raw exports.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from ..analysis import cohort as c
from ..batch.html_page import page
from ..errors import SelfdataError
from ..i18n import fmt_number, t
from ..ingest.cohort import import_cohort, person_folders
from ..reports.cohort import SECTIONS, Block, CohortReport, Heading, Items, Paragraph, blocks_html
from ..reports.notebook import TOPICS
from ..store import open_store
from .report import render_reports


def copy_guide(out: Path) -> Path:
    """The facilitator guide, copied from the package (docs/workshop.md is shipped in the
    wheel as selfdata_kit/data/workshop.md) into the workshop folder, to travel with it."""
    path = out / "guide.md"
    path.write_text((resources.files("selfdata_kit.data") / "workshop.md")
                    .read_text(encoding="utf-8"), encoding="utf-8")
    return path


def prepare_participants(out: Path, participants: int | None, source: Path | None,
                         seed: int, year: int | None) -> Path:
    """The folder with one sub-folder per participant: theirs, or synthetic personas."""
    if source is not None:
        found = len(person_folders(source))
        if participants is not None and participants != found:
            raise SelfdataError(f"expected {participants} participant folders, found {found}",
                                file=str(source))
        return source
    if not participants or participants < 1:
        raise SelfdataError("give --participants N (synthetic personas) or --from DIR")
    from ..synth.cohort import generate

    generate(participants, seed=seed, out=out / "personas", year=year, segments=False)
    return out / "personas"


def write_wall(store: Path, out: Path, k: int, lang: str, *, groups: str | Path | None = None,
               by: str | None = None, dominance: float = c.DOMINANCE_DEFAULT) -> Path:
    """The group wall: the cohort report's sections after its intro (coverage, key-figure
    distributions, and groups compared when `groups` and `by` are given), the same blocks as
    `notebooks/cohort.ipynb` shows, rendered as HTML, between the workshop's own intro and
    questions. No person; the cohort's disclosure control (`analysis.disclosure`: at least k
    persons, dominance, secondary suppression), each suppressed cell saying why; every text
    escaped."""
    w = lambda key, **v: t(f"workshop.{key}", lang, **v)  # noqa: E731
    with open_store(store, read_only=True) as s:
        report = CohortReport(s, k, lang, groups, by, dominance)
        blocks: list[Block] = [Heading(w("wall_title"), 1),
                               Paragraph(w("wall_intro", k=k, n=fmt_number(report.persons, lang)))]
        for section in SECTIONS:
            if section != "intro":  # the wall has its own
                blocks += report.blocks(section)
    blocks += [Heading(w("questions_title")), Items(tuple(w("questions").split("|")))]
    path = out / "wall.html"
    path.write_text(page(w("wall_title"), blocks_html(blocks, lang), lang), encoding="utf-8")
    return path


def run_workshop(out: Path, participants: int | None, source: Path | None = None, *,
                 lang: str = "fr", k: int = c.K_DEFAULT, seed: int = 2026,
                 year: int | None = None, workers: int = 2) -> int:
    c.check_k(k)
    out.mkdir(parents=True, exist_ok=True)
    folder = prepare_participants(out, participants, source, seed, year)
    store = out / "workshop.duckdb"
    with open_store(store) as s:
        summaries = import_cohort(s, folder, jobs=workers)
    failed = sum(len(p.failed) for p in summaries)
    print(f"{len(summaries)} participant(s) imported into {store}"
          + (f"; {failed} file(s) failed" if failed else ""))
    # every participant's reports in screen-safe mode (`reports.screen_safe`): masked, places
    # coarsened, ready to be projected
    # each participant is handed their own pages: self-contained, the bundle inline
    code = render_reports(store, [p.person for p in summaries], list(TOPICS), lang=lang,
                          screen_safe=True, out=out / "reports", workers=workers,
                          bundle="inline")
    wall = write_wall(store, out, k, lang)
    print(f"group wall: {wall.resolve()}")
    print(f"facilitator guide: {copy_guide(out).resolve()}")
    return 1 if failed else code
