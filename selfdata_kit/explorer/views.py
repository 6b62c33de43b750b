"""The ipywidgets of the explorer: thin views over `widgets.Explorer`, no SQL, no logic that
the model's tests do not reach. Every callback is a method, so tests call it or change a
widget's value and read the model's frames and the widgets' HTML."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import TYPE_CHECKING

import ipywidgets as w

from ..errors import RejectedRowsError, SelfdataError
from ..i18n import fmt_number, t
from ..ingest.files import FileOutcome
from ..store import check_person_id

if TYPE_CHECKING:
    from .model import Explorer

TABS = ("spending", "calls", "energy", "places")
ALL = ""  # the filters' "(all)": a Dropdown whose value is None shows nothing selected


def _t(key: str, lang: str, **values: object) -> str:
    return t(f"explore.{key}", lang, **values)


def _chart_output(markup: str) -> tuple[dict, ...]:
    # HTML set straight into the Output's outputs: rendered (scripts run) by JupyterLab's
    # trusted output area, and readable in tests without a kernel
    return ({"output_type": "display_data", "metadata": {},
             "data": {"text/html": markup, "text/plain": "chart"}},)


OK_MARK = '<b style="color: #009E73">✔</b>'
FAILED_MARK = '<b style="color: #D55E00">✘</b>'


def import_report_html(reports: list[FileOutcome], lang: str) -> str:
    """One paragraph per file: detected format, counts, rejected lines; errors with their
    line and what to do. Never a traceback, never a row's content (the messages hold none)."""
    out = []
    for r in reports:
        name = html.escape(r.name)
        fmt = _t("import.format", lang, format=html.escape(r.source.title)) if r.source else ""
        if r.status == "imported" and r.counts:
            c = r.counts
            counts = _t("import.counts", lang, read=fmt_number(c.rows_read, lang),
                        inserted=fmt_number(c.rows_inserted, lang),
                        duplicate=fmt_number(c.rows_duplicate, lang),
                        rejected=fmt_number(c.rows_rejected, lang))
            lines = [_t("import.rejected_line", lang, line=i.line, message=html.escape(i.message))
                     for i in r.issues[:10]]
            if len(r.issues) > 10:
                lines.append(_t("import.more", lang, n=len(r.issues) - 10))
            items = "".join(f"<li>{x}</li>" for x in lines)
            out.append(f'<div class="selfdata-import ok">{OK_MARK} <b>{name}</b>: '
                       f'{_t("import.imported", lang)}; {fmt}<br>{counts}'
                       f'{f"<ul>{items}</ul>" if items else ""}</div>')
        elif r.status == "skipped":
            out.append(f'<div class="selfdata-import skipped">– <b>{name}</b>: '
                       f'{_t("import.skipped", lang)} ({html.escape(r.reason or "")})</div>')
        else:
            e = r.error
            where = f" ({_t('import.line', lang, line=e.line)})" if e and e.line else ""
            # the CLI's hint names --skip-bad-rows: here it is the checkbox
            text = (_t("import.skip_hint", lang) if isinstance(e, RejectedRowsError)
                    else e.hint if e else None)
            hint = f'<br><i>{_t("import.hint", lang)}</i>: {html.escape(text)}' if text else ""
            message = html.escape(e.message if e else "?")
            out.append(f'<div class="selfdata-import failed">{FAILED_MARK} <b>{name}</b>: '
                       f'{_t("import.failed", lang)}{where}; {fmt}<br>{message}{hint}</div>')
    return "\n".join(out)


class ImportPanel(w.VBox):
    """Files + a person id + Import: the CLI's pipeline, its report shown per file."""

    def __init__(self, model: Explorer, on_import: Callable[[], None] | None = None) -> None:
        lang = model.lang
        self.model, self.on_import = model, on_import
        self.upload = w.FileUpload(multiple=True, description=_t("import.files", lang))
        self.person = w.Text(value=model.person or "", description=_t("import.person", lang),
                             placeholder=_t("import.person_placeholder", lang),
                             style={"description_width": "initial"})
        self.skip_bad_rows = w.Checkbox(False, description=_t("import.skip_bad_rows", lang),
                                        indent=False, layout=w.Layout(width="auto"))
        self.button = w.Button(description=_t("import.button", lang), button_style="primary",
                               icon="upload")
        self.result = w.HTML()
        self.mapping = w.VBox()  # column mapping forms for CSVs no format recognised
        self.button.on_click(lambda _: self.run())
        super().__init__([w.HTML(f"<p>{_t('import.intro', lang)}</p>"),
                          w.HBox([self.upload, self.person]), self.skip_bad_rows, self.button,
                          self.result, self.mapping])

    def run(self) -> list[FileOutcome]:
        lang, person = self.model.lang, self.person.value.strip()
        files = [(f["name"], bytes(f["content"])) for f in self.upload.value]
        if not files:
            self.result.value = f"<p>{_t('import.no_files', lang)}</p>"
            return []
        try:
            check_person_id(person)  # the CLI's rule: the id becomes folder names and text
        except SelfdataError:
            self.result.value = f"<p>{_t('import.no_person', lang)}</p>"
            return []
        reports = self.model.import_files(files, person, self.skip_bad_rows.value)
        self.result.value = import_report_html(reports, lang)
        from .layout_mapping import forms_for_failures

        self.mapping.children = tuple(forms_for_failures(files, reports, self.model, person,
                                                         lang, self.on_import))
        self.upload.value = ()  # the bytes are in the store now; do not keep a second copy
        if self.on_import:
            self.on_import()
        return reports


class GlancePanel(w.HTML):
    """"My data at a glance" for the person picked."""

    def __init__(self, model: Explorer) -> None:
        self.model = model
        super().__init__(model.glance_html())

    def update(self) -> None:
        self.value = self.model.glance_html()


class CategoryPanel(w.VBox):
    """"My categories" under the spending tab: put a merchant or one transaction in another
    category (a rule in the person's rules file), remove a rule, accept a proposed one. Every
    name is shown as text (widget labels) or escaped (HTML)."""

    def __init__(self, model: Explorer, on_change: Callable[[], None] | None = None) -> None:
        lang = model.lang
        self.model, self.on_change = model, on_change
        self.what = w.ToggleButtons(options=[(_t("rules.what_merchant", lang), "merchant"),
                                             (_t("rules.what_transaction", lang), "transaction")],
                                    description=_t("rules.what", lang))
        self.merchant = w.Combobox(description=_t("rules.merchant", lang), ensure_option=False)
        self.transaction = w.Dropdown(description=_t("rules.transaction", lang),
                                      layout=w.Layout(width="480px"))
        self.category = w.Combobox(description=_t("rules.category", lang), ensure_option=False,
                                   placeholder=_t("rules.category_placeholder", lang))
        self.save = w.Button(description=_t("rules.save", lang), button_style="primary")
        self.rule_pick = w.Dropdown(description=_t("rules.rule_to_remove", lang))
        self.remove = w.Button(description=_t("rules.remove", lang))
        self.accept = w.Button(description=_t("rules.accept", lang))
        self.message, self.rules = w.HTML(), w.HTML()
        self.save.on_click(lambda _: self.run(self.on_save))
        self.remove.on_click(lambda _: self.run(self.on_remove))
        self.accept.on_click(lambda _: self.run(self.on_accept))
        self.what.observe(lambda _: self._show(), "value")
        super().__init__([w.HTML(f"<p>{html.escape(_t('rules.intro', lang))}</p>"), self.what,
                          self.merchant, self.transaction, self.category, self.save,
                          self.message, self.rules, w.HBox([self.rule_pick, self.remove]),
                          self.accept])
        self.update()

    def _show(self) -> None:
        merchant = self.what.value == "merchant"
        self.merchant.layout.display = None if merchant else "none"
        self.transaction.layout.display = "none" if merchant else None

    def update(self) -> None:
        """Choices from the model: merchants and rows of the selection, categories, rules."""
        m, lang = self.model, self.model.lang
        rows = m.recategorizable()
        safe = m.screen_safe
        self.merchant.options = sorted(set(rows["merchant"])) if not rows.empty and not safe \
            else []
        self.transaction.options = [] if rows.empty else [
            (f"{r.day:%d/%m/%Y} {fmt_number(r.amount, lang, 2)} "
             f"{'' if safe else r.label} [{r.category}]", r.uid) for r in rows.itertuples()]
        self.category.options = m.known_categories()
        self.rule_pick.options = [(f"{_t(f'rules.kind.{r.kind}', lang)} "
                                   f"{r.match[:8] if r.kind == 'transaction' else r.match}"
                                   f" → {r.category}", (r.kind, r.match)) for r in m.rules()]
        self.rules.value = m.rules_html()
        self.accept.layout.display = None if not m.proposals().empty else "none"
        self._show()

    def run(self, action: Callable[[], str]) -> str:
        """Do `action`, show its message (or the error), redraw."""
        try:
            text = action()
        except SelfdataError as e:
            text = f"{FAILED_MARK} {html.escape(str(e))}"
        self.message.value = text
        if self.on_change:
            self.on_change()
        self.update()
        return text

    def on_save(self) -> str:
        if self.what.value == "merchant":
            rule = self.model.recategorize(self.category.value, merchant=self.merchant.value
                                           or None)
        else:
            rule = self.model.recategorize(self.category.value, uid=self.transaction.value)
        shown = rule.match[:8] if rule.kind == "transaction" else rule.match
        return f"{OK_MARK} " + html.escape(_t("rules.saved", self.model.lang,
                                              rule=f"{shown} → {rule.category}"))

    def on_remove(self) -> str:
        if self.rule_pick.value is None:
            return ""
        self.model.remove_rule(*self.rule_pick.value)
        return f"{OK_MARK} " + html.escape(_t("rules.removed", self.model.lang))

    def on_accept(self) -> str:
        """Accept the first proposal: a merchant rule."""
        proposed = self.model.proposals()
        if proposed.empty:
            return ""
        merchant, category = proposed.iloc[0]["merchant"], proposed.iloc[0]["category"]
        rule = self.model.recategorize(category, merchant=merchant)
        return f"{OK_MARK} " + html.escape(_t("rules.saved", self.model.lang,
                                              rule=f"{rule.match} → {rule.category}"))


class ExplorerView(w.VBox):
    """Person, period, screen-safe; one tab per source (filter, chart, rows); import; glance."""

    def __init__(self, model: Explorer) -> None:
        lang = self.lang = model.lang
        self.model, self._busy = model, False
        self.person = w.Dropdown(description=_t("person", lang))
        self.period = w.SelectionRangeSlider(options=[("–", None)], description=_t("period", lang),
                                             layout=w.Layout(width="480px"))
        self.screen_safe = w.ToggleButton(False, description=_t("screen_safe", lang),
                                          tooltip=_t("screen_safe_tip", lang), icon="eye-slash",
                                          layout=w.Layout(width="auto"))
        self.filters = {tab: w.Dropdown(description=_t("filter", lang)) for tab in TABS}
        self.charts = {tab: w.Output() for tab in TABS}
        self.tables = {tab: w.HTML() for tab in TABS}
        self.categories = CategoryPanel(model, on_change=lambda: self.sync(controls=False))
        self.tabs = w.Tab([w.VBox([self.filters[tab], self.charts[tab], self.tables[tab]]
                                  + ([w.Accordion([self.categories],
                                                  titles=[_t("rules.title", lang)])]
                                     if tab == "spending" else []))
                           for tab in TABS], titles=[_t(f"tabs.{tab}", lang) for tab in TABS])
        self.importer = ImportPanel(model, on_import=self.after_import)
        self.glance = GlancePanel(model)
        self.panels = w.Accordion([self.importer, self.glance],
                                  titles=[_t("panels.import", lang), _t("panels.glance", lang)],
                                  selected_index=1 if model.person else 0)
        self.person.observe(lambda c: self.on_person(c["new"]), "value")
        self.period.observe(lambda c: self.on_period(c["new"]), "value")
        self.screen_safe.observe(lambda c: self.on_screen_safe(c["new"]), "value")
        for tab in TABS:
            self.filters[tab].observe(lambda c, tab=tab: self.on_filter(tab, c["new"]), "value")
        self.sync()
        super().__init__([w.HTML(f"<h2>{_t('title', lang)}</h2>"), self.panels,
                          w.HBox([self.person, self.screen_safe]), self.period, self.tabs])

    # --- callbacks --------------------------------------------------------------------

    def on_person(self, person: str | None) -> None:
        if self._busy or person == self.model.person:
            return
        self.model.set_person(person)
        self.sync()

    def on_period(self, value: tuple) -> None:
        if self._busy or not value or value[0] is None:
            return
        self.model.set_period(*value)
        self.sync(controls=False)

    def on_filter(self, tab: str, choice: str | None) -> None:
        if self._busy:
            return
        self.model.choices[tab] = choice or None
        self.update_tab(tab)

    def on_screen_safe(self, on: bool) -> None:
        self.model.screen_safe = on
        self.sync(controls=False)

    def after_import(self) -> None:
        self.sync()

    # --- drawing ----------------------------------------------------------------------

    def sync(self, controls: bool = True) -> None:
        """Widgets from the model: the pickers (unless only the data changed), then tabs."""
        m, self._busy = self.model, True
        try:
            if controls:
                self.person.options = m.persons()
                self.person.value = m.person
                labels = [(d.strftime("%m/%Y"), d) for d in m.months] or [("–", None)]
                self.period.options = labels
                self.period.index = (0, len(labels) - 1)
                if m.period:
                    self.period.value = m.period
            for tab in TABS:
                options = [(label, ALL if value is None else value)
                           for label, value in m.options(tab)]
                if m.choices[tab] not in [value for _, value in options]:
                    m.choices[tab] = None  # not in this period any more
                self.filters[tab].options = options
                self.filters[tab].value = m.choices[tab] or ALL
        finally:
            self._busy = False
        for tab in TABS:
            self.update_tab(tab)
        self.glance.update()

    def update_tab(self, tab: str) -> None:
        self.charts[tab].outputs = _chart_output(self.model.chart_html(tab))
        self.tables[tab].value = self.model.rows_html(tab)
        if tab == "spending" and hasattr(self, "categories"):
            self.categories.update()
