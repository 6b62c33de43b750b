"""`index.html`: every person's reports, each with a one-line summary (its first key figure).

A summary depends on what its report depends on: it is kept next to the page
(`<report>.summary`, with the report's fingerprint) and computed again only when the report's
fingerprint changed, so that a rerun with nothing to render stays quick."""

from __future__ import annotations

import html
from pathlib import Path
from urllib.parse import quote

from ..i18n import t
from ..store import open_store
from .html_page import page
from .runner import Result


def one_line(con, person: str, report: str, lang: str, screen_safe: bool) -> str:
    """The report's first key figure ("Total out: 12 345 €"), or its no-data note."""
    from ..analysis.scope import make_scope
    from ..reports.notebook import Report, topic

    r = Report(con, make_scope(con, person), lang, screen_safe, topic(report))
    if not r.has_data:
        return t("common.no_data_title", lang)
    figures = r.topic.key_figures(con, r.scope, lang, screen_safe)
    return f"{figures[0][0]}: {figures[0][1]}" if figures else ""


def _summary(con, out: Path, person: str, report: str, lang: str, screen_safe: bool,
             fingerprint: str | None) -> str:
    """`one_line`, read from `<report>.summary` when written for the same fingerprint."""
    kept = out / person / f"{report}.summary"
    if fingerprint and kept.exists():
        stamp, _, text = kept.read_text(encoding="utf-8").partition("\n")
        if stamp == fingerprint:
            return text
    text = one_line(con, person, report, lang, screen_safe)
    if fingerprint and kept.parent.is_dir():
        keep_summary(out / person, report, fingerprint, text)
    return text


def keep_summary(folder: Path, report: str, fingerprint: str, text: str) -> None:
    """Keep `text`, the summary of the report of `fingerprint` in the person's `folder`
    (the runner keeps the one its kernel computed)."""
    (folder / f"{report}.summary").write_text(f"{fingerprint}\n{text}", encoding="utf-8")


def write_index(out: Path, store: Path, persons: list[str], reports: list[str],
                results: list[Result], lang: str, screen_safe: bool,
                fingerprints: dict[tuple[str, str], str] | None = None) -> Path:
    """`fingerprints`: each report's (`Job.fingerprint`), to reuse its kept summary."""
    status = {(r.person, r.report): r.status for r in results}
    fingerprints = fingerprints or {}
    with open_store(store, read_only=True) as s:
        rows = []
        for person in persons:
            cells = []
            for report in reports:
                label = html.escape(t(f"{report}.title", lang))
                if status.get((person, report)) == "failed":
                    cells.append(f"<td>{label}<br><small>⚠ {t('common.report_failed', lang)}"
                                 "</small></td>")
                    continue
                summary = html.escape(_summary(s.con, out, person, report, lang, screen_safe,
                                               fingerprints.get((person, report))))
                # a relative link that stays one: '?', '#' or ':' in an id are percent-encoded
                href = html.escape(f"{quote(person, safe='')}/{report}.html")
                cells.append(f'<td><a href="{href}">{label}</a>'
                             f"<br><small>{summary}</small></td>")
            rows.append(f"<tr><th>{html.escape(person)}</th>{''.join(cells)}</tr>")
    body = (f"<h1>{html.escape(t('common.index_title', lang))}</h1>\n"
            f"<p>{html.escape(t('common.index_intro', lang))}</p>\n"
            f"<table>\n{''.join(rows)}\n</table>")
    path = out / "index.html"
    path.write_text(page(t("common.index_title", lang), body, lang), encoding="utf-8")
    return path
