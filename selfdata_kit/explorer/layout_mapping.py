"""The import panel's column mapping, for a CSV that no format recognised.

The same layout file as `selfdata layout guess` (the guess fills the form), shown as one
dropdown per column (its role) and a few settings; "Import" writes the layout to the saved
layouts folder (so the next file from that bank is recognised) and imports the file with it.
The model (`LayoutMapping`) holds no widget: tests drive it without a browser.
Columns are described by their header cell, or by what their values look like (a date, an
amount, text): no value of the file is shown.
"""

from __future__ import annotations

import html
from dataclasses import replace
from pathlib import Path

import ipywidgets as w

from ..errors import RejectedRowsError, SelfdataError, UnknownFormatError
from ..i18n import t
from ..ingest.files import FileOutcome
from ..sources.bank.fr_csv.layout import fit_cells, is_amount, is_date, split_line
from ..sources.base import InputFile
from ..sources.layout import (
    CsvLayout,
    guess_layout,
    layout_in_force,
    parse_layout,
    store_layout,
    to_toml,
)
from ..sources.layout.read import decode_with
from ..sources.layout.spec import ROLES
from ..sources.text import decode, looks_binary, sniff_delimiter

NONE = ""  # the dropdowns' "(not used)"


def _t(key: str, lang: str, **values: object) -> str:
    return t(f"explore.layout_form.{key}", lang, **values)


class LayoutMapping:
    """A layout being written for one uploaded file: column -> role, and the settings."""

    def __init__(self, name: str, data: bytes) -> None:
        self.name, self.data = name, data
        try:
            self.layout, _ = guess_layout(InputFile.from_bytes(name, data))
        except SelfdataError:  # nothing recognised: a blank form over the sniffed delimiter
            lines = decode(data, name)[0].splitlines()[:30]
            self.layout = CsvLayout(columns={}, delimiter=sniff_delimiter(lines), skip_lines=1)
        self.roles: dict[int, str] = {n: r for r, n in self.layout.columns.items()}

    # --- what the form shows ---------------------------------------------------------
    def _rows(self) -> tuple[list[str] | None, list[list[str]]]:
        """The header cells (the line above the first row, when it has as many cells as the
        rows) and the first rows' cells."""
        lay = self.layout
        lines = decode_with(self.data, lay, self.name).lstrip("\ufeff").splitlines()
        body = [split_line(ln, lay.delimiter) for ln in lines[lay.skip_lines:][:50]
                if ln.strip()]
        counts = [len(r) for r in body]
        common = max(set(counts), key=counts.count) if counts else 0
        above = split_line(lines[lay.skip_lines - 1], lay.delimiter) \
            if 0 < lay.skip_lines <= len(lines) else None
        # a header names columns: a line holding dates or amounts is a row (and a saved
        # layout must never keep a row of the user's data as its "header")
        header = above if above is not None and fit_cells(above, common) and not any(
            is_date(c) or is_amount(c) for c in above) else None
        return header, [r for r in (fit_cells(b, common) for b in body) if r]

    def columns(self) -> list[tuple[int, str]]:
        """(1-based number, description) of each column of the rows."""
        header, rows = self._rows()
        count = len(rows[0]) if rows else len(header or [])
        out = []
        for j in range(count):
            if header and header[j].strip():
                out.append((j + 1, f"{j + 1}: {header[j].strip()}"))
                continue
            values = [r[j] for r in rows if r[j].strip()]
            # most values, not all: a totals line may end the file
            kind = ("empty" if not values else
                    "date" if sum(map(is_date, values)) * 2 > len(values) else
                    "amount" if sum(map(is_amount, values)) * 2 > len(values) else "text")
            out.append((j + 1, f"{j + 1}: ({kind})"))
        return out

    # --- what the user changes ---------------------------------------------------------
    def set_role(self, column: int, role: str) -> None:
        """Give `column` a role (NONE: not used); a role is on one column only."""
        if role and role not in ROLES:
            raise ValueError(role)
        self.roles = {n: r for n, r in self.roles.items() if r != role and n != column}
        if role:
            self.roles[column] = role

    def set(self, **settings: object) -> None:
        """delimiter, decimal, date_format, skip_lines, debit_sign, currency, encoding."""
        self.layout = replace(self.layout, **settings)  # type: ignore[arg-type]

    # --- the layout and the import -------------------------------------------------------
    def toml(self) -> str:
        """The layout file the form describes, checked (FormatError names what is wrong)."""
        header, rows = self._rows()
        lines = decode_with(self.data, self.layout, self.name).lstrip("\ufeff").splitlines()
        layout = replace(self.layout, columns={r: n for n, r in self.roles.items()},
                         header=lines[self.layout.skip_lines - 1] if header else None,
                         column_count=None if header else len(rows[0]) if rows else None)
        text = to_toml(layout)
        parse_layout(text, "the form")  # the same checks as a layout file
        return text

    def import_with(self, model: object, person: str, skip_bad_rows: bool = False,
                    save_as: str | None = None) -> tuple[list[FileOutcome], Path | None]:
        """Import the file with this layout; with `save_as`, keep the layout first (the
        next file from this bank is then recognised)."""
        text = self.toml()
        saved = store_layout(text, save_as) if save_as else None
        with layout_in_force(parse_layout(text, str(saved or "the form"))):
            reports = model.import_files([(self.name, self.data)], person,  # type: ignore
                                         skip_bad_rows)
        return reports, saved


class LayoutMappingForm(w.VBox):
    """The mapping as widgets: a role dropdown per column, the settings, Import."""

    def __init__(self, mapping: LayoutMapping, model: object, person: str, lang: str,
                 on_done=None) -> None:  # noqa: ANN001
        self.mapping, self.model, self.person, self.lang = mapping, model, person, lang
        self.on_done = on_done
        options = [(_t("unused", lang), NONE)] + [(_t(f"roles.{r}", lang), r) for r in ROLES]
        lay = mapping.layout
        self.dropdowns = {}
        for n, label in mapping.columns():
            d = w.Dropdown(options=options, value=mapping.roles.get(n, NONE),
                           description=label, style={"description_width": "initial"})
            d.observe(lambda c, n=n: mapping.set_role(n, c["new"]), "value")
            self.dropdowns[n] = d
        self.decimal = w.Dropdown(options=[",", "."], value=lay.decimal,
                                  description=_t("decimal", lang))
        self.date_format = w.Text(lay.date_format, description=_t("date_format", lang))
        self.skip_lines = w.BoundedIntText(lay.skip_lines, min=0, max=1000,
                                           description=_t("skip_lines", lang))
        self.debit_sign = w.Dropdown(options=[(_t("negative", lang), "negative"),
                                              (_t("positive", lang), "positive")],
                                     value=lay.debit_sign, description=_t("debit_sign", lang))
        self.save_as = w.Text(Path(mapping.name).stem, description=_t("save_as", lang))
        self.button = w.Button(description=_t("button", lang), button_style="primary")
        self.result = w.HTML()
        self.button.on_click(lambda _: self.run())
        super().__init__([w.HTML(f"<p>{_t('intro', lang, file=html.escape(mapping.name))}</p>"),
                          *self.dropdowns.values(), self.decimal, self.date_format,
                          self.skip_lines, self.debit_sign, self.save_as, self.button,
                          self.result])

    def run(self) -> list[FileOutcome]:
        from .views import import_report_html

        self.mapping.set(decimal=self.decimal.value, date_format=self.date_format.value,
                         skip_lines=self.skip_lines.value, debit_sign=self.debit_sign.value)
        try:
            reports, _ = self.mapping.import_with(self.model, self.person,
                                                  save_as=self.save_as.value.strip() or None)
        except SelfdataError as e:
            self.result.value = f"<p>{html.escape(str(e))}</p>"
            return []
        self.result.value = import_report_html(reports, self.lang)
        if self.on_done:
            self.on_done()
        return reports


def forms_for_failures(files: list[tuple[str, bytes]], reports: list[FileOutcome],
                       model: object, person: str, lang: str, on_done=None  # noqa: ANN001
                       ) -> list[LayoutMappingForm]:
    """A mapping form for each text file that no format recognised (or that the French bank
    CSV reader claimed but could not read): the panel shows them under its report."""
    data = dict(files)
    forms = []
    for r in reports:
        unknown = isinstance(r.error, UnknownFormatError) or (
            r.source is not None and r.source.name == "fr-bank-csv"
            and not isinstance(r.error, RejectedRowsError))
        if r.status != "failed" or not unknown or r.name not in data:
            continue
        if looks_binary(data[r.name][:4096]):
            continue
        forms.append(LayoutMappingForm(LayoutMapping(r.name, data[r.name]), model, person,
                                       lang, on_done))
    return forms
