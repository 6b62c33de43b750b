"""What an MT940 `:86:` field says: a label, a counterparty, a bank category.

Three ways banks write it:
- structured SEPA codes (ING, ABN AMRO, Rabobank since 2014): `/EREF/ref//CNTP/IBAN/BIC/name/
  city//REMI/USTD//text/`; the label is the remittance text (REMI), the counterparty CNTP's
  name (or BENM / ORDP's NAME);
- German GVC subfields (DK "Structured 86"): `105?00SEPA-BASISLASTSCHRIFT?109249?20EREF+...
  ?21SVWZ+text?30BIC?31IBAN?32name?33name`: ?00 is the posting text (kept as the bank
  category), ?20-?29 and ?60-?63 the purpose lines, whose `SVWZ+` part is the label (the other
  SEPA keywords EREF+, MREF+, CRED+ ... are references, not words for the user), ?32-?33 the
  counterparty's name;
- free text over several lines: the label is the lines joined by spaces.
Structured fields are cut at 65 characters wherever that falls, mid-word too, so their lines
are joined without a space; free-text lines are joined with one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_SEPA_CODES = ("EREF", "CNTP", "REMI", "MARF", "CSID", "BENM", "ORDP", "PURP", "RTRN", "ULTC",
               "ULTD", "ULTB", "ISDT", "TRCD", "BUSP", "SVCL", "IREF", "PREF", "CREF", "ACCW",
               "EXCH", "OCMT", "CHGS", "NAME", "ADDR", "BIC", "IBAN", "ID")
_SEPA = re.compile(r"/(" + "|".join(_SEPA_CODES) + r")/")
_GVC = re.compile(r"^\d{3}\?")
_SUBFIELD = re.compile(r"\?(\d{2})")
_KEYWORD = re.compile(r"(EREF|KREF|MREF|CRED|DEBT|SVWZ|ABWA|ABWE|COAM|OAMT|IBAN|BIC)\+")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Details:
    label: str | None
    counterparty: str | None = None
    bank_category: str | None = None


def read_details(lines: list[str]) -> Details:
    joined = "".join(lines)
    if _GVC.match(joined):
        return _gvc(joined)
    if joined.startswith("/") and _SEPA.match(joined):
        return _sepa(joined)
    return Details(_clean(" ".join(lines)))


def _clean(text: str | None) -> str | None:
    text = _SPACES.sub(" ", text or "").strip(" /")
    return text or None


def _sepa(text: str) -> Details:
    parts = _SEPA.split(text)  # ['', 'EREF', 'ref//', 'CNTP', 'iban/bic/name/city//', ...]
    fields: dict[str, str] = {}
    for code, value in zip(parts[1::2], parts[2::2], strict=True):
        fields.setdefault(code, value.rstrip("/"))
    name = None
    if "CNTP" in fields:  # IBAN/BIC/name/city
        pieces = fields["CNTP"].split("/")
        name = pieces[2] if len(pieces) > 2 else None
    if name is None and ("BENM" in fields or "ORDP" in fields):  # /BENM//NAME/.../
        name = fields.get("NAME")
    label = None
    if "REMI" in fields:  # USTD//free text, or STRD/CUR/structured reference
        remi = fields["REMI"]
        label = remi.split("//", 1)[1] if "//" in remi else remi.split("/")[-1]
    name = _clean(name)
    return Details(_clean(label) or name, name)


def _gvc(text: str) -> Details:
    sub: dict[str, str] = {}
    pieces = _SUBFIELD.split(text[3:])
    for key, value in zip(pieces[1::2], pieces[2::2], strict=True):
        sub[key] = sub.get(key, "") + value
    purpose = "".join(sub.get(f"{k:02d}", "") for k in (*range(20, 30), *range(60, 64)))
    label = purpose
    keywords = list(_KEYWORD.finditer(purpose))
    if keywords:
        found = {m.group(1): purpose[m.end(): keywords[i + 1].start() if i + 1 < len(keywords)
                                     else len(purpose)] for i, m in enumerate(keywords)}
        label = found.get("SVWZ") or purpose[:keywords[0].start()]
    name = _clean(sub.get("32", "") + sub.get("33", ""))
    posting = _clean(sub.get("00"))
    return Details(_clean(label) or name or posting, name, posting)
