"""The wall of contributions: read a folder of contributions, keep the sound ones once, and
aggregate them with the cohort's disclosure rules.

Each file is opened (with the facilitator's key when sealed), checked against the spec (the
same `contribution.check` as at sealing), and refused with its reason when it fails: a
sealed file changed after sealing or sealed for another key, a file made for another spec,
malformed JSON. A contribution sent twice (same id, or same figures under a new id) counts
once. The aggregates are `analysis.cohort.distributions` over one row per contribution, so
the wall follows the very rules of the cohort report (threshold, and whatever else they
enforce); nothing here decides what may be shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyrage

from ..analysis import cohort as c
from ..batch.html_page import page
from ..charts import cohort as charts
from ..errors import SelfdataError
from ..i18n import fmt_number, t
from ..reports.cohort import Block, Chart, Figure, Heading, Items, Note, Paragraph, blocks_html
from . import contribution as contrib
from .sealing import is_sealed, unseal
from .spec import Spec

SUFFIXES = (".age", ".json")
MAX_BYTES = 1_000_000  # a contribution is a few kB; anything bigger is not one


@dataclass
class Collected:
    contributions: list[dict] = field(default_factory=list)
    refused: list[SelfdataError] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)  # file names
    skipped: list[str] = field(default_factory=list)  # neither .age nor .json


def collect(folder: Path, spec: Spec,
            identity: pyrage.x25519.Identity | None) -> Collected:
    """Every contribution in `folder` (not recursive), in file-name order."""
    if not folder.is_dir():
        raise SelfdataError("not a folder of contributions", file=str(folder))
    out = Collected()
    seen_ids: set[str] = set()
    seen_content: set[str] = set()
    for path in sorted(p for p in folder.iterdir() if p.is_file()
                       and not p.name.startswith(".")):
        if path.suffix.lower() not in SUFFIXES:
            out.skipped.append(path.name)
            continue
        try:
            found = read_one(path, spec, identity)
        except SelfdataError as e:
            out.refused.append(e)
            continue
        key = contrib.content_key(found)
        if found["contribution_id"] in seen_ids or key in seen_content:
            out.duplicates.append(path.name)
            continue
        seen_ids.add(found["contribution_id"])
        seen_content.add(key)
        out.contributions.append(found)
    return out


def read_one(path: Path, spec: Spec, identity: pyrage.x25519.Identity | None) -> dict:
    """One checked contribution, or a SelfdataError naming `path`."""
    file = str(path)
    try:
        if path.stat().st_size > MAX_BYTES:
            raise SelfdataError(f"too big for a contribution (over {MAX_BYTES:,} bytes)",
                                file=file)
        data = path.read_bytes()
    except OSError as e:  # unreadable: this file is refused, the others still count
        raise SelfdataError(f"cannot be read ({type(e).__name__})", file=file) from None
    if is_sealed(data):
        if identity is None:
            raise SelfdataError("sealed: give the wall your private key", file=file,
                                hint="selfdata workshop wall ... --key KEYFILE")
        data = unseal(data, identity, file)
    return contrib.loads(data, spec, file)


def metrics_frame(contributions: list[dict]) -> pd.DataFrame:
    """One row per contribution, one column per figure, named like the cohort metrics; the
    id column is `person_id` (what the cohort functions group by) and holds the random
    contribution id."""
    rows = [{"person_id": x["contribution_id"], **x["figures"]} for x in contributions]
    frame = pd.DataFrame(rows, columns=["person_id"]) if not rows else pd.DataFrame(rows)
    return frame[["person_id", *sorted(set(frame.columns) - {"person_id"})]]


def _records(frame: pd.DataFrame) -> list[dict[str, object]]:
    out = frame.astype(object).where(frame.notna(), None)
    return out.to_dict("records")


def aggregates(collected: Collected, spec: Spec, k: int) -> dict[str, object]:
    """What aggregates.json holds: no contribution id, nothing the cohort rules suppress."""
    c.check_k(k)
    n = len(collected.contributions)
    frame = c.distributions(metrics_frame(collected.contributions), k)
    return {"spec": {"name": spec.name, "version": spec.version}, "period": spec.period,
            "k": k, "contributions": n if n >= k else None,
            "refused": len(collected.refused), "duplicates": len(collected.duplicates),
            "distributions": _records(frame)}


def wall_blocks(collected: Collected, spec: Spec, k: int, lang: str) -> list[Block]:
    """The wall: intro (or why everything is hidden), one distribution chart per declared
    figure, the counts, the questions to discuss."""
    w = lambda key, **v: t(f"contribute.{key}", lang, **v)  # noqa: E731
    n = len(collected.contributions)
    frame = c.distributions(metrics_frame(collected.contributions), k)
    shown = frame[~frame["suppressed"]] if len(frame) else frame
    blocks: list[Block] = [Heading(w("wall_title"), 1),
                           Paragraph(w("wall_intro", n=fmt_number(n, lang), k=k) if n >= k
                                     else w("wall_too_few", k=k))]
    if len(shown):
        blocks.append(Heading(t("cohort.distributions_title", lang)))
        declared = [spec.figure_of(m) for m in frame["metric"]]
        for figure in spec.figures:
            part = frame[[d is not None and d[0] == figure for d in declared]]
            if len(part):
                blocks.append(Chart(charts.distribution(part, lang),
                                    caption=figure.about[lang].replace("{name}", "…")))
        blocks.append(Note(t("cohort.distributions_how", lang)))
    hidden = int(frame["suppressed"].sum()) if len(frame) else 0
    blocks += [Figure(w("wall_contributions"),
                      fmt_number(n, lang) if n >= k else t("cohort.suppressed", lang))]
    if hidden:
        blocks.append(Figure(t("cohort.suppressed_count", lang, k=k), str(hidden)))
    if collected.refused:
        blocks.append(Figure(w("wall_refused"), str(len(collected.refused))))
    if collected.duplicates:
        blocks.append(Figure(w("wall_duplicates"), str(len(collected.duplicates))))
    blocks += [Heading(t("workshop.questions_title", lang)),
               Items(tuple(t("workshop.questions", lang).split("|")))]
    return blocks


def write_wall(collected: Collected, spec: Spec, k: int, lang: str, out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    blocks = wall_blocks(collected, spec, k, lang)
    path = out / "wall.html"
    path.write_text(page(t("contribute.wall_title", lang), blocks_html(blocks, lang), lang),
                    encoding="utf-8")
    return path
