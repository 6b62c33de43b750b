"""Where the columns of a French bank CSV export are: the header line and what each column is.

French banks name their columns in many ways ("Date de l'opération", "Date opération",
"dateOp" ...): header cells are normalised (lower case, no accents, punctuation as spaces)
and looked up in a synonyms table. Files without a header (LCL, older BNP Paribas) get their
columns inferred from the content: the first cell is a date, one column holds amounts, the
longest text is the label.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass, field

HEADER_SEARCH_LINES = 30
DELIMITERS = (";", ",", "\t", "|")

# normalised header cell -> role. Roles: date, value_date, label, detail, amount, debit,
# credit, balance (running, per row), account_balance (current balance, same on every row),
# currency, category, category_parent, account, account_label.
SYNONYMS: dict[str, str] = {
    **dict.fromkeys(("date", "date operation", "date de l operation", "date d operation",
                     "dateop", "date op", "date comptable", "date de comptabilisation",
                     "date de l ecriture"), "date"),
    **dict.fromkeys(("date de valeur", "date valeur", "dateval", "date val", "valeur"),
                    "value_date"),
    **dict.fromkeys(("libelle", "libelle operation", "libelle de l operation", "label",
                     "libelle simplifie", "intitule", "libelles"), "label"),
    **dict.fromkeys(("detail", "detail de l ecriture", "libelle complementaire",
                     "informations complementaires", "libelle detaille"), "detail"),
    **dict.fromkeys(("montant", "montant de l operation", "montant operation", "montant euros",
                     "montant eur", "montant en euros", "amount"), "amount"),
    **dict.fromkeys(("debit", "debit euros", "debit eur", "debit en euros"), "debit"),
    **dict.fromkeys(("credit", "credit euros", "credit eur", "credit en euros"), "credit"),
    **dict.fromkeys(("solde", "solde euros", "solde eur"), "balance"),
    "accountbalance": "account_balance",
    **dict.fromkeys(("devise", "currency", "monnaie"), "currency"),
    **dict.fromkeys(("category", "categorie", "sous categorie", "sous categorie operation"),
                    "category"),
    **dict.fromkeys(("categoryparent", "categorie operation"), "category_parent"),
    **dict.fromkeys(("accountnum", "numero de compte", "n de compte", "compte"), "account"),
    **dict.fromkeys(("accountlabel", "nom du compte"), "account_label"),
}
MONEY_ROLES = ("amount", "debit", "credit")

# Header fingerprints (normalised cells joined by ';') of the banks whose layout is known.
INSTITUTIONS = {
    "date de l operation;libelle;detail de l ecriture;montant de l operation;devise":
        "Société Générale",
    "date operation;categorie operation;sous categorie operation;libelle operation;"
    "montant operation": "BNP Paribas",
    "date;libelle;debit euros;credit euros;": "Crédit Agricole",
    "date;numero d operation;libelle;debit;credit;detail;": "Caisse d'Epargne",
    "date;libelle;montant euros": "La Banque Postale",
    "date;date de valeur;debit;credit;libelle;solde": "Crédit Mutuel",
    "date operation;date valeur;libelle;debit;credit;": "Fortuneo",
    "dateop;dateval;label;category;categoryparent;supplierfound;amount;comment;accountnum;"
    "accountlabel;accountbalance": "Boursorama",
}

_DATE_FIRST = re.compile(r"^\s*\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\s*$|^\s*\d{4}-\d{2}-\d{2}\s*$")
# a currency sign or code may be glued before or after the number: '12,50€', 'EUR -3,00'
_AMOUNT = re.compile(r"^\s*((€|EUR)\s*)?[+-]?\d{1,3}([ \u00a0\u202f.]?\d{3})*([.,]\d{1,2})?"
                     r"\s*(€|EUR)?\s*$")
# an account number: letters and digits, at least 5 digits ('="0123..."' as an Excel formula)
_ACCOUNT = re.compile(r'^\s*(="?)?(?=(?:[A-Z ]*\d){5})[0-9A-Z]{5,}[0-9A-Z ]*"?\s*$')
DATE_SEARCH_CELLS = 3  # a header-less row's date is in one of its first cells


def normalise(cell: str) -> str:
    """'Date de l'opération' -> 'date de l operation'; 'Montant(EUROS)' -> 'montant euros'."""
    text = unicodedata.normalize("NFKD", cell.strip().strip('"'))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


# A bank export's header is a few hundred characters; a longer line is no header (and a
# hostile 1M-column line would cost seconds to examine).
MAX_HEADER_CHARS = 10_000


def split_line(line: str, delimiter: str) -> list[str]:
    """Cells of one physical line (quotes honoured; a quote left open just ends the line)."""
    try:
        return next(csv.reader([line], delimiter=delimiter), [])
    except csv.Error:  # a cell over the csv module's field limit: quotes are then ignored
        return line.split(delimiter)


def is_date(cell: str) -> bool:
    return bool(_DATE_FIRST.match(cell))


def is_amount(cell: str) -> bool:
    return bool(_AMOUNT.match(cell)) and any(ch.isdigit() for ch in cell)


@dataclass
class Layout:
    """The columns of one block of rows."""

    delimiter: str
    ncols: int
    roles: dict[str, int] = field(default_factory=dict)  # role -> column index
    names: list[str] = field(default_factory=list)  # column names for messages
    header_line: str | None = None  # the header text, to find the next account's block
    institution: str | None = None

    def ref(self, role: str) -> str:
        """How messages name a column: 'column "Date"', or 'column 2' without a header."""
        j = self.roles[role]
        return f'column "{self.names[j]}"' if self.header_line else f"column {j + 1}"


def header_layout(line: str) -> Layout | None:
    """The layout a header line describes, trying each delimiter; None if not a header."""
    best: Layout | None = None
    if len(line) > MAX_HEADER_CHARS:
        return None
    for d in DELIMITERS:
        if d not in line:
            continue
        cells = split_line(line, d)
        roles: dict[str, int] = {}
        for i, cell in enumerate(cells):
            role = SYNONYMS.get(normalise(cell))
            if role and role not in roles:
                roles[role] = i
        is_header = "date" in roles and "label" in roles and any(r in roles for r in MONEY_ROLES)
        if is_header and (best is None or len(roles) > len(best.roles)):
            fingerprint = ";".join(normalise(c) for c in cells)
            best = Layout(d, len(cells), roles, [c.strip() for c in cells],
                          header_line=line, institution=INSTITUTIONS.get(fingerprint))
    return best


def find_header(lines: list[str]) -> tuple[int, Layout] | None:
    for i, line in enumerate(lines[:HEADER_SEARCH_LINES]):
        layout = header_layout(line)
        if layout:
            return i, layout
    return None


def fit_cells(cells: list[str], ncols: int) -> list[str] | None:
    """A row's cells made to fit a layout of `ncols` columns, or None when they cannot be.

    Banks write ragged rows: one more trailing separator when the amount is a credit than
    when it is a debit, or trailing empty cells left out. Extra cells are dropped when they
    are empty; missing trailing cells are empty. A single cell is not a row."""
    if len(cells) == ncols:
        return cells
    if len(cells) > ncols:
        return cells[:ncols] if not any(c.strip() for c in cells[ncols:]) else None
    return cells + [""] * (ncols - len(cells)) if len(cells) >= 2 else None


def _date_cell(cells: list[str]) -> int | None:
    return next((j for j, c in enumerate(cells[:DATE_SEARCH_CELLS]) if is_date(c)), None)


def is_dated_row(line: str, delimiter: str) -> bool:
    """A header-less data row: a date in one of the first cells (after an account number,
    say) and an amount in a later cell."""
    cells = split_line(line, delimiter)
    d = _date_cell(cells)
    if len(cells) <= 2 or d is None:
        return False
    if d > 0 and not all(_ACCOUNT.match(c) or is_date(c) for c in cells[:d]):
        return False
    return any(is_amount(c) for c in cells[d + 1:])


def infer_layout(lines: list[str]) -> tuple[int, Layout] | None:
    """Columns of a header-less file from its first rows; returns (first data line, layout)."""
    # the delimiter that makes the most lines read as dated rows (counting delimiters alone
    # fails: a decimal comma appears on every line too)
    sample = lines[:HEADER_SEARCH_LINES]
    delimiter = max(DELIMITERS, key=lambda d: sum(is_dated_row(ln, d) for ln in sample))
    rows = [(i, split_line(ln, delimiter)) for i, ln in enumerate(lines)
            if is_dated_row(ln, delimiter)]
    if not rows:
        return None
    counts = [len(cells) for _, cells in rows]
    ncols = max(set(counts), key=counts.count)
    fitted = [(i, fit_cells(cells, ncols)) for i, cells in rows]
    rows = [(i, cells) for i, cells in fitted if cells is not None]
    first = rows[0][0]
    columns = list(zip(*(cells for _, cells in rows), strict=True))

    def all_match(col: tuple[str, ...], test) -> bool:  # noqa: ANN001
        values = [v for v in col if v.strip()]
        return bool(values) and all(test(v) for v in values)

    starts = [_date_cell(cells) for _, cells in rows]
    d = max(set(starts), key=starts.count) or 0
    roles = {"date": d}
    # a first column repeating one account number (several accounts: a few numbers)
    if d > 0 and all_match(columns[0], _ACCOUNT.match) and len(set(columns[0])) <= 3:
        roles["account"] = 0
    amounts = [j for j in range(d + 1, ncols) if all_match(columns[j], is_amount)
               and any(re.search(r"[.,]\d{1,2}\s*(€|EUR)?\s*$", v) for v in columns[j])]
    if not amounts:
        return None
    roles["amount"] = amounts[0]
    dates = [j for j in range(d + 1, ncols) if all_match(columns[j], is_date)]
    if dates:
        roles["value_date"] = dates[0]
    texts = [j for j in range(ncols) if j not in roles.values()
             and any(v.strip() for v in columns[j])
             and not all_match(columns[j], is_amount)]
    if texts:
        roles["label"] = max(texts, key=lambda j: sum(len(v.strip()) for v in columns[j]))
    institution = None
    if d == 0 and ncols == 5 and roles["amount"] == 4 and not dates:
        # BNP Paribas, header-less: date;category;sub-category;label;amount
        roles.update(category_parent=1, category=2, label=3)
        institution = "BNP Paribas"
    elif d == 0 and roles["amount"] == 1:
        institution = "LCL"  # date;amount;type;cheque number;label;... (no header)
    return first, Layout(delimiter, ncols, roles, [""] * ncols, institution=institution)
