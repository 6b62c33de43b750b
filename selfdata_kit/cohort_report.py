"""What `notebooks/cohort.ipynb` calls: the same aggregates as `selfdata cohort --json`, as
charts, k-suppressed."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .analysis import cohort as c
from .charts import cohort as charts
from .i18n import fmt_number, t
from .report import display_markdown, display_object, setup_rendering
from .store import open_store


class CohortReport:
    def __init__(self, store: str | Path | None, k: int = c.K_DEFAULT, lang: str = "fr",
                 groups: str | None = None, by: str | None = None) -> None:
        self.con = open_store(store, read_only=True).con
        self.k, self.lang, self.by = c.check_k(k), lang, by
        self.groups = c.load_groups(groups) if groups else None
        self.metrics = c.key_metrics(c.person_metrics(self.con))
        setup_rendering(lang)

    def intro(self) -> None:
        n = len(self.metrics)
        shown = fmt_number(n, self.lang) if n >= self.k else t("cohort.suppressed", self.lang)
        display_markdown(f"# {t('cohort.title', self.lang)}\n\n"
                          f"{t('cohort.intro', self.lang, k=self.k)}\n\n"
                          f"**{t('cohort.persons_count', self.lang)}** : {shown}")

    def coverage(self) -> None:
        frame = c.coverage(self.con, self.k)
        self._section("coverage", charts.coverage(frame, self.lang) if len(frame) else None,
                      frame)

    def distributions(self) -> None:
        frame = c.distributions(self.metrics, self.k)
        display_markdown(f"## {t('cohort.distributions_title', self.lang)}")
        for prefix in c.KEY_METRICS:
            part = frame[frame["metric"].str.startswith(prefix)]
            if len(part):
                display_object(charts.distribution(part, self.lang))
        self._suppressed_note(frame)
        display_markdown(f"*{t('cohort.distributions_how', self.lang)}*")

    def groups_comparison(self) -> None:
        if self.by is None or self.groups is None:
            return
        frame = c.distributions(self.metrics, self.k, groups=self.groups, by=self.by)
        display_markdown(f"## {t('cohort.groups_title', self.lang, by=self.by)}")
        for metric, part in frame.groupby("metric", sort=True):
            display_markdown(f"**{charts.metric_label(metric, self.lang)}**")
            display_object(charts.distribution(part, self.lang, label=self.by))
        self._suppressed_note(frame)
        display_markdown(f"*{t('cohort.groups_how', self.lang)}*")

    def _section(self, name: str, chart, frame: pd.DataFrame) -> None:
        display_markdown(f"## {t(f'cohort.{name}_title', self.lang)}")
        if chart is not None:
            display_object(chart)
        self._suppressed_note(frame)
        display_markdown(f"*{t(f'cohort.{name}_how', self.lang)}*")

    def _suppressed_note(self, frame: pd.DataFrame) -> None:
        n = int(frame["suppressed"].sum()) if "suppressed" in frame else 0
        if n:
            display_markdown(f"{t('cohort.suppressed_count', self.lang, k=self.k)} : {n}")
