"""`selfdata layout guess`: a first layout sniffed from the file, for the user to correct.

Encoding, header line and column roles come from the French bank CSV sniffing (its header
synonyms, and for header-less files its reading of columns from their content); header words
of other languages (German, Dutch, English, Spanish, Italian) are added here. The date format,
the decimal mark and the sign of the debit column are read from the values. Nothing is
printed from the rows themselves: comments name the header cells or describe the values.
"""

from __future__ import annotations

from datetime import datetime

from ...errors import FormatError
from ..bank.fr_csv.layout import (
    DELIMITERS,
    SYNONYMS,
    fit_cells,
    infer_layout,
    is_amount,
    normalise,
    split_line,
)
from ..base import InputFile
from ..text import decode, guess_decimal_for_column, sniff_delimiter
from .spec import CsvLayout

SEARCH_LINES = 30
# header words other than French: normalised (lower case, no accents, punctuation as space)
OTHER_SYNONYMS: dict[str, str] = {
    **dict.fromkeys(("buchungstag", "buchungsdatum", "datum", "transaction date", "posting date",
                     "booking date", "boekingsdatum", "fecha", "fecha operacion", "data",
                     "data operazione", "datum transactie", "boekdatum", "date"), "date"),
    **dict.fromkeys(("valuta", "valutadatum", "wertstellung", "wertstellungsdatum", "value date",
                     "fecha valor", "data valuta", "rentedatum", "valutadatum"), "value_date"),
    **dict.fromkeys(("verwendungszweck", "description", "memo", "details",
                     "beschreibung", "omschrijving", "concepto", "narrative", "descrizione",
                     "transaction description", "name omschrijving", "payee", "reference",
                     "mededelingen", "libelle"), "label"),
    **dict.fromkeys(("betrag", "amount", "bedrag", "importe", "importo", "value",
                     "transaction amount", "umsatz"), "amount"),
    **dict.fromkeys(("soll", "debit", "paid out", "money out", "withdrawals", "debit amount",
                     "uitgaven", "afschrijving", "cargo", "addebiti", "ausgang"), "debit"),
    **dict.fromkeys(("haben", "credit", "paid in", "money in", "deposits", "credit amount",
                     "inkomsten", "bijschrijving", "abono", "accrediti", "eingang"), "credit"),
    **dict.fromkeys(("saldo", "balance", "kontostand", "running balance", "saldo nach buchung"),
                    "balance"),
    **dict.fromkeys(("wahrung", "waehrung", "currency", "munt", "devies", "divisa",
                     "valuta rekening"), "currency"),
    **dict.fromkeys(("konto", "account", "account number", "rekeningnummer", "rekening",
                     "auftragskonto", "cuenta", "conto"), "account"),
    # not "kontonummer", "iban": German exports name so the counterparty's account
    **dict.fromkeys(("category", "kategorie", "categorie", "categoria"), "category"),
}
_FR_ROLES = {"date": "date", "value_date": "value_date", "label": "label", "amount": "amount",
             "debit": "debit", "credit": "credit", "balance": "balance", "currency": "currency",
             "account": "account", "category": "category"}
_UNITS = ("eur", "euro", "euros", "gbp", "chf", "usd", "in eur", "en euros", "in euro")
DATE_FORMATS = ("%d/%m/%Y", "%d.%m.%Y", "%Y-%m-%d", "%d-%m-%Y", "%d/%m/%y", "%d.%m.%y",
                "%d-%m-%y", "%Y/%m/%d", "%Y%m%d", "%m/%d/%Y", "%m/%d/%y", "%d %b %Y",
                "%d-%b-%Y", "%d %b %y", "%Y-%m-%d %H:%M:%S", "%d/%m/%Y %H:%M",
                "%d/%m/%Y %H:%M:%S", "%Y-%m-%dT%H:%M:%S")


def role_of(cell: str) -> str | None:
    key = normalise(cell)
    for k in (key, *(key.removesuffix(" " + u) for u in _UNITS if key.endswith(" " + u))):
        role = SYNONYMS.get(k) or OTHER_SYNONYMS.get(k)
        if role in _FR_ROLES:
            return _FR_ROLES[role]
    return None


def _header(lines: list[str]) -> tuple[int, str, list[str], dict[str, int]] | None:
    """(line index, delimiter, cells, role -> 0-based column) of the first header line."""
    for i, line in enumerate(lines[:SEARCH_LINES]):
        best = None
        for d in DELIMITERS:
            if d not in line:
                continue
            cells = split_line(line, d)
            roles: dict[str, int] = {}
            for j, cell in enumerate(cells):
                role = role_of(cell)
                if role and role not in roles:
                    roles[role] = j
            if "amount" in roles:  # a signed amount wins over extra debit/credit columns
                roles = {r: j for r, j in roles.items() if r not in ("debit", "credit")}
            money = "amount" in roles or ("debit" in roles and "credit" in roles)
            if "date" in roles and money and (best is None or len(roles) > len(best[3])):
                best = (i, d, cells, roles)
        if best:
            return best
    return None


def date_format_of(values: list[str]) -> str | None:
    """The format reading the most values (a totals line may hold no date), if it reads
    more than half of them; French day-first formats win ties."""
    sample = [v.strip() for v in values if v.strip()][:200]
    best, best_count = None, 0
    for fmt in DATE_FORMATS:
        count = 0
        for v in sample:
            try:
                datetime.strptime(v, fmt)
                count += 1
            except ValueError:
                pass
        if count > best_count:
            best, best_count = fmt, count
    return best if best_count * 2 > len(sample) else None


def guess_layout(inp: InputFile) -> tuple[CsvLayout, dict[str, str]]:
    """The sniffed layout, and a comment per role saying where it was seen."""
    text, encoding = decode(inp.read_bytes(), inp.name)
    lines = text.lstrip("\ufeff").splitlines()
    encoding = "utf-8" if encoding == "utf-8-sig" else encoding
    found = _header(lines)
    comments: dict[str, str] = {}
    header: str | None = None
    column_count: int | None = None
    if found:
        i, delimiter, cells, roles = found
        skip, header = i + 1, lines[i]
        comments = {r: f'header "{cells[j].strip()}"' for r, j in roles.items()}
    elif (inferred := infer_layout(lines[:SEARCH_LINES])) is not None:
        skip, fr = inferred
        delimiter, column_count = fr.delimiter, fr.ncols
        roles = {r: j for r, j in fr.roles.items() if r in _FR_ROLES}
        roles.update(_balance_column(lines[skip:skip + SEARCH_LINES], fr.delimiter,
                                     fr.ncols, roles))
        comments = {r: "read from the values" for r in roles}
    else:
        raise FormatError(
            "found no header naming a date and an amount column, and no rows starting with a"
            " date followed by an amount, in the first 30 lines", file=inp.name,
            hint="write the layout by hand from the example in docs/formats.md")
    rows = [fit_cells(split_line(ln, delimiter), column_count or len(split_line(
        lines[skip - 1] if header else lines[skip], delimiter))) for ln in lines[skip:]
        if ln.strip()]
    rows = [r for r in rows if r is not None]

    def values(role: str) -> list[str]:
        return [r[roles[role]] for r in rows if roles[role] < len(r)]

    date_format = date_format_of(values("date")[:200])
    if date_format is None:
        comments["date"] += " (date_format not recognised: write it by hand)"
    money = ["amount"] if "amount" in roles else ["debit", "credit"]
    decimal = guess_decimal_for_column([v for m in money for v in values(m)][:2000])
    debit_sign = "negative"
    if "debit" in roles:
        debits = [v.strip() for v in values("debit") if v.strip()]
        if debits and sum(v.startswith("-") for v in debits) * 2 < len(debits):
            debit_sign = "positive"
    currency = "GBP" if any("£" in v for m in money for v in values(m)[:200]) else "EUR"
    skip_last = _trailer_lines(lines[skip:], delimiter, roles["date"], date_format)
    layout = CsvLayout(
        columns={r: j + 1 for r, j in roles.items()}, encoding=encoding,
        delimiter=delimiter or sniff_delimiter(lines[:SEARCH_LINES]), decimal=decimal,
        date_format=date_format or "%d/%m/%Y", skip_lines=skip, skip_last_lines=skip_last,
        debit_sign=debit_sign, currency=currency, header=header, column_count=column_count)
    return layout, comments


def _balance_column(lines: list[str], delimiter: str, ncols: int, roles: dict[str, int]
                    ) -> dict[str, int]:
    """A header-less file's column of amounts after the amount column: a running balance."""
    rows = [c for c in (fit_cells(split_line(ln, delimiter), ncols) for ln in lines) if c]
    for j in range(roles["amount"] + 1, ncols):
        cells = [r[j] for r in rows if r[j].strip()]
        if j not in roles.values() and cells and all(is_amount(c) for c in cells):
            return {"balance": j}
    return {}


def _trailer_lines(lines: list[str], delimiter: str, date_col: int,
                   date_format: str | None) -> int:
    """Lines at the end of the file whose date cell is not a date (totals, a closing
    balance), up to 5."""
    if date_format is None:
        return 0
    count = 0
    for line in reversed([ln for ln in lines if ln.strip()][-6:]):
        cells = split_line(line, delimiter)
        try:
            datetime.strptime(cells[date_col].strip(), date_format)
            break
        except (ValueError, IndexError):
            count += 1
    return count if count < 6 else 0
