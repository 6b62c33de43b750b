"""A layout file: what the columns of a bank's CSV export are, written by the user.

For banks no built-in format knows (Firefly III's import configurations, hledger's CSV rules
and Actual's CSV mapping do the same). A layout is a small TOML file:

    encoding = "cp1252"
    delimiter = ";"
    decimal = ","
    date_format = "%d.%m.%Y"
    skip_lines = 4          # lines before the first data row (the header included)
    debit_sign = "negative" # how a debit column writes its amounts
    [columns]               # 1-based column numbers
    date = 1
    label = 3
    amount = 5              # or debit = 4 and credit = 5

`load_layout` checks every key and says which line of the layout is wrong.
"""

from __future__ import annotations

import codecs
import re
import tomllib
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from ...errors import FormatError

ROLES = ("date", "value_date", "label", "amount", "debit", "credit", "account", "balance",
         "currency", "category")
KEYS = ("name", "encoding", "delimiter", "decimal", "date_format", "skip_lines",
        "skip_last_lines", "debit_sign", "currency", "header", "column_count", "columns")
DEBIT_SIGNS = ("negative", "positive")


@dataclass(frozen=True)
class CsvLayout:
    columns: dict[str, int]  # role -> 1-based column number
    encoding: str = "utf-8"
    delimiter: str = ";"
    decimal: str = ","
    date_format: str = "%d/%m/%Y"
    skip_lines: int = 1  # lines before the first data row (the header line included)
    skip_last_lines: int = 0  # trailer lines (totals, closing balance) after the rows
    debit_sign: str = "negative"  # "-25,30" in the debit column, or "25,30" ("positive")
    currency: str = "EUR"  # for rows without a currency column
    name: str | None = None  # the bank, for `selfdata layout list` and the accounts table
    header: str | None = None  # the header line: saved layouts match files by it
    column_count: int | None = None  # header-less files: saved layouts match by shape
    path: str = field(default="", compare=False)  # where the layout was read from

    def date_example(self) -> str:
        return date(2024, 12, 31).strftime(self.date_format)

    def amount_example(self) -> str:
        return "-12,34" if self.decimal == "," else "-12.34"


def load_layout(path: str | Path) -> CsvLayout:
    """Read and check a layout file; FormatError naming its line otherwise."""
    return parse_layout(read_layout_text(path), str(path))


def read_layout_text(path: str | Path) -> str:
    """A layout file's text; FormatError if it is missing, unreadable or not UTF-8."""
    p = Path(path)
    try:
        return p.read_text(encoding="utf-8")
    except OSError as e:
        raise FormatError(f"cannot read the layout file ({e.strerror})", file=str(p)) from None
    except UnicodeDecodeError:
        raise FormatError("a layout file is UTF-8 text", file=str(p)) from None


def parse_layout(text: str, name: str) -> CsvLayout:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        line = getattr(e, "lineno", None) or _line_in_message(str(e))
        raise FormatError(f"not valid TOML ({str(e).split(' (at')[0]})", file=name, line=line,
                          hint="see docs/formats.md, 'a layout file in five minutes'") from None

    def fail(key: str, expected: str, table: str | None = None) -> FormatError:
        return FormatError(f"{key}: expected {expected}", file=name,
                           line=_key_line(text, key, table),
                           hint="see docs/formats.md, 'a layout file in five minutes'")

    for key in data:
        if key not in KEYS:
            raise fail(key, "one of the keys " + ", ".join(KEYS))
    columns = data.get("columns")
    if not isinstance(columns, dict):
        raise FormatError("expected a [columns] table naming the column of date, label and"
                          " amount (or debit and credit)", file=name,
                          hint="see docs/formats.md, 'a layout file in five minutes'")
    for role, number in columns.items():
        if role in KEYS and role not in ROLES:  # TOML puts every key after [columns] inside it
            raise fail(role, "to be set above [columns] (it is not a column role)",
                       "columns")
        if role not in ROLES:
            raise fail(role, "a role among " + ", ".join(ROLES), "columns")
        if not isinstance(number, int) or isinstance(number, bool) or number < 1:
            raise fail(role, "a column number (1 for the first column)", "columns")
    seen: dict[int, str] = {}
    for role, number in columns.items():
        if number in seen:
            raise fail(role, f"a column of its own (column {number} is already"
                       f" {seen[number]})", "columns")
        seen[number] = role
    if "date" not in columns:
        raise FormatError("[columns] has no date column", file=name,
                          hint="add `date = N` under [columns]")
    if "amount" in columns and ("debit" in columns or "credit" in columns):
        raise fail("amount", "either amount, or debit and credit, not both", "columns")
    if "amount" not in columns and not ("debit" in columns and "credit" in columns):
        raise FormatError("[columns] needs amount, or debit and credit", file=name,
                          hint="add `amount = N` (or `debit = N` and `credit = M`) under"
                          " [columns]")
    layout = CsvLayout(columns=dict(columns), path=name)
    checks = {
        "name": (str, "a text"),
        "encoding": (str, 'an encoding such as "utf-8" or "cp1252"'),
        "delimiter": (str, 'one character such as ";", "," or "\\t"'),
        "decimal": (str, '"," or "."'),
        "date_format": (str, 'a strptime format such as "%d/%m/%Y"'),
        "skip_lines": (int, "a number of lines (0 or more)"),
        "skip_last_lines": (int, "a number of lines (0 or more)"),
        "debit_sign": (str, '"negative" or "positive"'),
        "currency": (str, 'a currency code such as "EUR"'),
        "header": (str, "the header line, as text"),
        "column_count": (int, "a number of columns"),
    }
    values = {}
    for key, (kind, expected) in checks.items():
        if key not in data:
            continue
        value = data[key]
        if not isinstance(value, kind) or isinstance(value, bool):
            raise fail(key, expected)
        values[key] = value
    layout = replace(layout, **values)
    _check_values(layout, fail)
    return layout


def _check_values(layout: CsvLayout, fail) -> None:  # noqa: ANN001
    try:
        codecs.lookup(layout.encoding)
    except LookupError:
        raise fail("encoding", 'an encoding such as "utf-8" or "cp1252"') from None
    if len(layout.delimiter) != 1 or layout.delimiter in "\"\r\n":
        raise fail("delimiter", 'one character such as ";", "," or "\\t"')
    if layout.decimal not in (",", "."):
        raise fail("decimal", '"," or "."')
    if layout.decimal == layout.delimiter:
        raise fail("decimal", "a decimal mark other than the delimiter")
    if layout.debit_sign not in DEBIT_SIGNS:
        raise fail("debit_sign", '"negative" or "positive"')
    if not re.search(r"%[dj]", layout.date_format) or not re.search(r"%[mbB]",
                                                                     layout.date_format):
        raise fail("date_format", 'a strptime format with a day and a month, such as "%d/%m/%Y"')
    if layout.skip_lines < 0:
        raise fail("skip_lines", "a number of lines (0 or more)")
    if layout.skip_last_lines < 0:
        raise fail("skip_last_lines", "a number of lines (0 or more)")
    if layout.column_count is not None and layout.column_count < max(layout.columns.values()):
        raise fail("column_count", "at least as many columns as [columns] names")


def _key_line(text: str, key: str, table: str | None) -> int | None:
    """The line where `key` is set (inside [table] when given): TOML parsers keep no lines."""
    current = None
    for n, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if m := re.match(r"^\[\s*([^\]]+?)\s*\]", stripped):
            current = m.group(1)
        elif current == table and re.match(rf"^\"?{re.escape(key)}\"?\s*=", stripped):
            return n
    return None


def _line_in_message(message: str) -> int | None:
    m = re.search(r"line (\d+)", message)
    return int(m.group(1)) if m else None


def to_toml(layout: CsvLayout, comments: dict[str, str] | None = None) -> str:
    """The layout as a TOML file a user can read and correct; `comments` say, per role,
    what the column looked like."""
    comments = comments or {}

    def q(s: str) -> str:  # a TOML basic string
        return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t") + '"'

    lines = ["# selfdata_kit CSV layout: check each line, then",
             "#   selfdata import FILE --layout THIS.toml --person ID",
             "#   selfdata layout save THIS.toml   (applied to files with the same header)"]
    if layout.name:
        lines.append(f"name = {q(layout.name)}")
    lines += [f"encoding = {q(layout.encoding)}",
              f"delimiter = {q(layout.delimiter)}",
              f"decimal = {q(layout.decimal)}            # the decimal mark of amounts",
              f"date_format = {q(layout.date_format)}   # strptime: %d day, %m month, %Y year",
              f"skip_lines = {layout.skip_lines}            # lines before the first data row",
              f"skip_last_lines = {layout.skip_last_lines}       # trailer lines after the rows",
              f"debit_sign = {q(layout.debit_sign)}  # a debit column writes -25,30 (negative)"
              " or 25,30 (positive)",
              f"currency = {q(layout.currency)}"]
    if layout.header is not None:
        lines.append(f"header = {q(layout.header)}")
    if layout.column_count is not None:
        lines.append(f"column_count = {layout.column_count}")
    lines += ["", "[columns]  # 1-based column numbers; roles: " + ", ".join(ROLES)]
    for role, number in sorted(layout.columns.items(), key=lambda kv: kv[1]):
        note = f"  # {comments[role]}" if role in comments else ""
        lines.append(f"{role} = {number}{note}")
    return "\n".join(lines) + "\n"
