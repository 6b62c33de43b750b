"""`selfdata contribute`: on a participant's own machine, the figures a workshop wall or a
study asks for (its contribution spec), a review page listing each value that would leave,
and the contribution, sealed for the facilitator's or researcher's public key with --for.

Two steps when the participant drops a figure:

    selfdata contribute --person me --out contribution.age --for facilitator.pub
        -> contribution.age (sealed, every declared figure) + contribution.review.html
    (untick figures in the page, download contribution-reviewed.json, or edit a plain .json)
    selfdata contribute --seal contribution-reviewed.json --for facilitator.pub \
        --out contribution.age

Without --for the contribution is written as plain JSON (a workshop without keys).
"""

from __future__ import annotations

import shlex
from pathlib import Path

from ..donate import contribution as contrib
from ..donate.figures import person_values
from ..donate.review import review_page
from ..donate.sealing import read_recipient, seal
from ..donate.spec import load_spec
from ..errors import SelfdataError
from ..store import open_store


def review_path(out: Path) -> Path:
    """contribution.age -> contribution.review.html, next to it."""
    return out.with_name(f"{out.stem}.review.html")


def run_contribute(store: Path, person: str, out: Path, *, recipient_file: Path | None = None,
                   spec_file: Path | None = None, lang: str = "fr") -> int:
    spec = load_spec(spec_file)
    recipient = read_recipient(recipient_file) if recipient_file else None  # fail early
    with open_store(store, read_only=True) as s:
        figures = spec.select(person_values(s.con, person, spec))
    contribution = contrib.make(spec, figures)
    text = contrib.dumps(contribution)
    out.parent.mkdir(parents=True, exist_ok=True)
    if recipient is not None:
        out.write_bytes(seal(text.encode("utf-8"), recipient))
    else:
        out.write_text(text, encoding="utf-8")
    reviewed = f"{out.stem}-reviewed.json"
    seal_command = shlex.join([
        "selfdata", "contribute", "--seal", reviewed, "--for",
        str(recipient_file or "facilitator.pub"), "--out", f"{out.stem}.age",
        *(["--spec", str(spec_file)] if spec_file else [])])
    page = review_page(contribution, spec, lang, download_name=reviewed,
                       seal_command=seal_command,
                       sealed_file=out.name if recipient is not None else None)
    review = review_path(out)
    review.write_text(page, encoding="utf-8")
    state = "sealed for " + str(recipient_file) if recipient is not None else "not sealed"
    print(f"{len(figures)} figure(s) for {spec.name} version {spec.version} in {out} ({state})")
    print(f"review before sending: {review.resolve()}")
    return 0


def run_seal(draft: Path, recipient_file: Path | None, out: Path, *,
             spec_file: Path | None = None) -> int:
    """Check a (possibly edited) contribution against the spec and seal it."""
    if recipient_file is None:
        raise SelfdataError("--seal needs --for PUBKEY: the public key to seal for",
                            hint="the facilitator's or researcher's .pub file")
    if draft.resolve() == out.resolve():
        raise SelfdataError("--out must differ from the file being sealed", file=str(out))
    spec = load_spec(spec_file)
    recipient = read_recipient(recipient_file)
    try:
        data = draft.read_bytes()
    except OSError as e:
        raise SelfdataError(f"cannot read the contribution ({type(e).__name__})",
                            file=str(draft)) from None
    contribution = contrib.loads(data, spec, str(draft))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(seal(contrib.dumps(contribution).encode("utf-8"), recipient))
    figures = contribution["figures"]
    print(f"{len(figures)} figure(s) sealed for {recipient_file} in {out}")  # type: ignore[arg-type]
    return 0
