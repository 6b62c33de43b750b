"""`selfdata workshop`: everything a data-literacy session needs, offline, in one folder.

    workshop/
      personas/            synthetic personas (or nothing, with --from participants' folders)
      workshop.duckdb      every participant in one store
      reports/             each participant's reports, screen-safe, and reports/index.html
      wall.html            the group wall: anonymous distributions, k-suppressed

The facilitator guide is docs/workshop.md (French and English).
"""

from __future__ import annotations

import html
from pathlib import Path

from .analysis import cohort as c
from .charts import cohort as charts
from .charts.render import bundle_html, reset_ids, to_html
from .cohort_import import import_cohort, person_folders
from .errors import SelfdataError
from .html_page import page
from .i18n import fmt_number, t
from .report import TOPICS
from .reporting import render_reports
from .store import open_store


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
    from .synth.cohort import generate

    generate(participants, seed=seed, out=out / "personas", year=year, segments=False)
    return out / "personas"


def write_wall(store: Path, out: Path, k: int, lang: str) -> Path:
    """The group wall: coverage and key-figure distributions, no person, nothing under k."""
    with open_store(store, read_only=True) as s:
        metrics = c.key_metrics(c.person_metrics(s.con))
        cover = c.coverage(s.con, k)
    dist = c.distributions(metrics, k)
    reset_ids()
    w = lambda key, **v: html.escape(t(f"workshop.{key}", lang, **v))  # noqa: E731
    parts = [bundle_html(), f"<h1>{w('wall_title')}</h1>",
             f"<p>{w('wall_intro', k=k, n=fmt_number(len(metrics), lang))}</p>",
             f"<h2>{html.escape(t('cohort.coverage_title', lang))}</h2>",
             to_html(charts.coverage(cover, lang), lang),
             f"<p><em>{html.escape(t('cohort.coverage_how', lang))}</em></p>",
             f"<h2>{html.escape(t('cohort.distributions_title', lang))}</h2>"]
    for prefix in c.KEY_METRICS:
        part = dist[dist["metric"].str.startswith(prefix)]
        if len(part):
            parts.append(to_html(charts.distribution(part, lang), lang))
    parts.append(f"<p><em>{html.escape(t('cohort.distributions_how', lang))}</em></p>")
    questions = "".join(f"<li>{html.escape(q)}</li>"
                        for q in t("workshop.questions", lang).split("|"))
    parts.append(f"<h2>{w('questions_title')}</h2><ul>{questions}</ul>")
    path = out / "wall.html"
    path.write_text(page(t("workshop.wall_title", lang), "\n".join(parts), lang),
                    encoding="utf-8")
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
    code = render_reports(store, [p.person for p in summaries], list(TOPICS), lang=lang,
                          screen_safe=True, out=out / "reports", workers=workers)
    wall = write_wall(store, out, k, lang)
    print(f"group wall: {wall.resolve()}")
    print("facilitator guide: docs/workshop.md")
    return 1 if failed else code
