"""The explorer for the curious individual, in JupyterLab: import, pick, filter, drill down.

Two layers. `Explorer` is a plain model (person, period, one filter choice per tab,
screen-safe) whose methods return DataFrames and HTML, so tests need no browser. The
ipywidgets layer (`explorer(store, lang)`) only wires widgets to it: a person picker, a period
slider over the months with data, one tab per source with a filter, a chart and the rows
behind it, a screen-safe toggle, an import panel (`import_panel`, the CLI's pipeline) and
"my data at a glance" (`glance_panel`). All SQL is in `analysis.explore`.

DuckDB allows one read-write connection per file per process, so the explorer holds ONE
`Store` for imports and queries alike.
"""

from __future__ import annotations

import functools
import html
import threading
from calendar import monthrange
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pandas as pd

from ..analysis import explore as sql
from ..analysis.categories import load_rules, person_rules_file, proposals
from ..analysis.scope import Scope, make_scope
from ..charts import render
from ..charts.explore import tab_chart
from ..charts.spending import category_name
from ..enrich.category_rules import Rule, add_rule, check_category, plain, read_rules, remove_rule
from ..errors import SelfdataError
from ..i18n import fmt_date, fmt_money, fmt_number, t
from ..ingest.files import FileOutcome, import_file
from ..reports import screen_safe as policy
from ..reports.notebook import setup_rendering
from ..sources.base import InputFile
from ..store import Store, open_store
from .views import ExplorerView, GlancePanel, ImportPanel

TABS = sql.TABS
# compact tables in the widgets' HTML (JupyterLab's defaults pad and centre them)
_TABLE_STYLE = ("<style>.selfdata-rows, .selfdata-glance {border-collapse: collapse;"
                " font-size: 12px} .selfdata-rows th, .selfdata-rows td, .selfdata-glance th,"
                " .selfdata-glance td {padding: 2px 10px; text-align: left;"
                " line-height: 1.3}</style>")


def _t(key: str, lang: str, **values: object) -> str:
    return t(f"explore.{key}", lang, **values)


def _locked(method: Callable) -> Callable:
    """One query at a time on the store's connection: ipykernel may run two widget callbacks
    in different threads (seen in JupyterLab: an import clicked while the tabs were being
    redrawn), and DuckDB 2 refuses a second call on a busy connection instead of waiting."""
    @functools.wraps(method)
    def run(self: Explorer, *args: object, **kwargs: object) -> object:
        with self._lock:
            return method(self, *args, **kwargs)

    return run


class Explorer:
    """What the explorer shows, without widgets: every method returns a frame or HTML."""

    def __init__(self, store: Store, lang: str = "fr", limit: int = 200) -> None:
        self.store, self.con, self.lang, self.limit = store, store.con, lang, limit
        self._lock = threading.RLock()
        self.screen_safe = False
        self.person: str | None = None
        self.months: list[date] = []
        self.period: tuple[date, date] | None = None  # first days of the first and last month
        self.choices: dict[str, str | None] = dict.fromkeys(TABS)
        self.refresh()

    # --- state ------------------------------------------------------------------------

    @_locked
    def persons(self) -> list[str]:
        return self.store.persons()["person_id"].tolist()

    @_locked
    def refresh(self) -> None:
        """Re-read persons and months (after an import); keep the person if still there."""
        persons = self.persons()
        self.set_person(self.person if self.person in persons else
                        (persons[0] if persons else None), keep_choices=True)

    @_locked
    def set_person(self, person: str | None, keep_choices: bool = False) -> None:
        changed = person != self.person
        self.person = person
        self.months = sql.months(self.con, person) if person else []
        if changed or not keep_choices:
            self.choices = dict.fromkeys(TABS)
        self.period = (self.months[0], self.months[-1]) if self.months else None

    def set_period(self, first_month: date, last_month: date) -> None:
        self.period = (first_month, last_month)

    @property
    @_locked
    def scope(self) -> Scope | None:
        if self.person is None:
            return None
        if self.period is None:
            return make_scope(self.con, self.person)
        first, last = self.period
        end = last.replace(day=monthrange(last.year, last.month)[1])
        return make_scope(self.con, self.person, first, end)

    # --- frames -----------------------------------------------------------------------

    @_locked
    def options(self, tab: str) -> list[tuple[str, str | None]]:
        """(label, value) pairs of the tab's filter, "(all)" first."""
        out: list[tuple[str, str | None]] = [(_t("all", self.lang), None)]
        if self.scope is None:
            return out
        frame = sql.filter_options(self.con, self.scope, tab)
        for value, label, safe in frame[["value", "label", "safe_label"]].itertuples(False):
            out.append((self._option_label(tab, label, safe), value))
        return out

    def _option_label(self, tab: str, label: str, safe: str) -> str:
        if tab == "spending":
            return category_name(label, self.lang)
        if tab == "places":
            return _t(f"kinds.{label}", self.lang)
        if tab == "energy":  # the meter number's end identifies a home
            name = t(f"energy.chart.{safe}", self.lang)
            return policy.label(f"{name} {label.split(' ', 1)[1]}", name, self.screen_safe)
        return policy.label(label, safe, self.screen_safe)  # calls: a kept name is personal

    @_locked
    def chart_frame(self, tab: str) -> pd.DataFrame:
        if self.scope is None:
            return pd.DataFrame()
        return sql.chart_frame(self.con, self.scope, tab, self.choices[tab])

    def chart_html(self, tab: str) -> str:
        frame = self.chart_frame(tab)
        if frame.empty:
            return f"<p>{t('common.no_data_chart', self.lang)}</p>"
        return render.to_html(tab_chart(tab, frame, self.lang), self.lang)

    @_locked
    def rows(self, tab: str) -> pd.DataFrame:
        """The rows behind the selection; screen-safe mode applies `reports.screen_safe`
        (masked, places coarsened)."""
        if self.scope is None:
            return pd.DataFrame()
        frame = sql.rows(self.con, self.scope, tab, self.choices[tab], self.limit)
        if not self.screen_safe:
            return frame
        return policy.apply(frame, sql.SENSITIVE[tab], self.lang)

    def rows_html(self, tab: str) -> str:
        frame = self.rows(tab)
        if frame.empty:
            return f"<p>{_t('no_rows', self.lang)}</p>"
        head = f"<h4>{_t('rows_title', self.lang, n=self.limit)}</h4>"
        note = f"<p><em>{_t('masked_note', self.lang)}</em></p>" if self.screen_safe else ""
        table = self._readable(frame).to_html(index=False, escape=True, na_rep="–",
                                              classes="selfdata-rows", border=0)
        return (f'{_TABLE_STYLE}{head}{note}<div style="max-height: 320px; overflow: auto">'
                f"{table}</div>")

    def _readable(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Values and headers in the reader's language."""
        lang, out = self.lang, frame.copy()
        when = "%d/%m/%Y %H:%M" if lang == "fr" else "%Y-%m-%d %H:%M"
        formats = {
            "day": lambda v: fmt_date(pd.Timestamp(v).date(), lang),
            "local_time": lambda v: pd.Timestamp(v).strftime(when),
            "local_end": lambda v: pd.Timestamp(v).strftime(when),
            "amount": lambda v: fmt_money(v, lang),
            "kwh": lambda v: fmt_number(v, lang, 3),
            "category": lambda v: category_name(v, lang),
            "kind": lambda v: _t(f"kinds.{v}", lang),
            "commodity": lambda v: t(f"energy.chart.{v}", lang),
            "channel": lambda v: t(f"calls.channel.{v}", lang),
        }
        if "direction" in out.columns:
            out["direction"] = [t(f"calls.direction.{c}_{d}", lang)
                                for c, d in zip(out["channel"], out["direction"], strict=True)]
        for col, f in formats.items():
            if col in out.columns:
                out[col] = [f(v) if pd.notna(v) else None for v in out[col]]
        return out.rename(columns={c: _t(f"columns.{c}", lang) for c in out.columns})

    @_locked
    def glance(self) -> pd.DataFrame:
        return sql.glance(self.con, self.person) if self.person else pd.DataFrame()

    def glance_html(self) -> str:
        frame = self.glance()
        if frame.empty:
            return f"<p>{_t('glance.empty', self.lang)}</p>"
        lang = self.lang
        frame = frame.assign(
            source=[_t(f"tabs.{s}", lang) for s in frame["source"]],
            rows=[fmt_number(n, lang) for n in frame["rows"]],
            first=[fmt_date(d, lang) for d in frame["first"]],
            last=[fmt_date(d, lang) for d in frame["last"]])
        frame = frame.rename(columns={c: _t(f"glance.{c}", lang) for c in frame.columns})
        return _TABLE_STYLE + frame.to_html(index=False, border=0, classes="selfdata-glance")

    # --- my categories ----------------------------------------------------------------

    @_locked
    def recategorizable(self) -> pd.DataFrame:
        """The spending rows of the selection a person may put in another category (uid,
        day, label, merchant, category, amount, decided_by)."""
        if self.scope is None:
            return pd.DataFrame()
        return sql.spending_choices(self.con, self.scope, self.choices["spending"], self.limit)

    @_locked
    def recategorize(self, category: str, *, merchant: str | None = None,
                     uid: str | None = None) -> Rule:
        """Save the person's choice as a rule in their rules file: every past and future
        payment to `merchant`, or the one transaction `uid`, goes in `category`."""
        if self.person is None or (merchant is None) == (uid is None):
            raise SelfdataError("choose a merchant or a transaction to categorise")
        path = self._rules_path()
        rule = (Rule("merchant", plain(merchant), check_category(category, "category"))
                if merchant is not None else
                Rule("transaction", uid, check_category(category, "category")))
        add_rule(path, rule)
        return rule

    @_locked
    def remove_rule(self, kind: str, match: str) -> Rule | None:
        return remove_rule(self._rules_path(), kind, match) if self.person else None

    @_locked
    def rules(self) -> list[Rule]:
        return read_rules(self._rules_path()) if self.person else []

    @_locked
    def proposals(self) -> pd.DataFrame:
        """Merchant rules proposed after three identical choices (merchant, category,
        choices)."""
        return proposals(self.con, self.person) if self.person else pd.DataFrame()

    def known_categories(self) -> list[str]:
        """The shipped categories and the person's own, to pick from."""
        return sorted(set(load_rules()["category"]) | {r.category for r in self.rules()})

    def _rules_path(self) -> Path:
        path = person_rules_file(self.con, self.person)
        if path is None:
            raise SelfdataError("an in-memory store has no rules folder",
                                hint="set SELFDATA_RULES_DIR")
        return path

    def rules_html(self) -> str:
        """The person's rules and the proposed ones, every name escaped (they are typed by
        the person or come from bank labels)."""
        lang, items = self.lang, []
        for r in self.rules():
            shown = policy.label(r.match[:8] if r.kind == "transaction" else r.match, "…",
                                 self.screen_safe)
            items.append(f"<li>{html.escape(_t(f'rules.kind.{r.kind}', lang))} "
                         f"<code>{html.escape(shown)}</code> → "
                         f"<b>{html.escape(category_name(r.category, lang))}</b></li>")
        out = [f"<h4>{_t('rules.title', lang)}</h4>",
               f"<ul>{''.join(items)}</ul>" if items else f"<p>{_t('rules.none', lang)}</p>"]
        for merchant, category, n in self.proposals().itertuples(index=False):
            out.append("<p>💡 " + html.escape(_t(
                "rules.proposal", lang, n=n,
                merchant=policy.label(merchant, "…", self.screen_safe),
                category=category_name(category, lang))) + "</p>")
        return "".join(out)

    # --- import -----------------------------------------------------------------------

    @_locked
    def import_files(self, files: list[tuple[str, bytes]], person: str,
                     skip_bad_rows: bool = False) -> list[FileOutcome]:
        """Import uploaded files with the CLI's pipeline, then re-read persons and months."""
        reports = [import_file(self.store, InputFile.from_bytes(name, data), person,
                               skip_bad_rows=skip_bad_rows) for name, data in files]
        if self.person is None and any(r.status == "imported" for r in reports):
            self.person = person
        self.refresh()
        return reports


def explorer(store: str | Path | Store | None = None, lang: str = "fr") -> ExplorerView:
    """The explorer widget (store None: $SELFDATA_STORE, else ./selfdata.duckdb)."""
    opened = store if isinstance(store, Store) else open_store(store)
    setup_rendering(lang)  # the Vega bundle once, in the cell's output: charts stay offline
    return ExplorerView(Explorer(opened, lang))


def import_panel(model: Explorer, on_import: Callable[[], None] | None = None) -> ImportPanel:
    """The import panel alone (the explorer embeds one)."""
    return ImportPanel(model, on_import)


def glance_panel(model: Explorer) -> GlancePanel:
    """"My data at a glance" alone (the explorer embeds one)."""
    return GlancePanel(model)
