"""Chart data compaction: spec bytes before and after, and the same drawing (issue 13, item 1).

For every section chart of the given reports and persons of a store (French and English):
the spec as Altair writes it and as `charts.compact.compact_spec` trims it, their JSON sizes,
and the SVG vl-convert draws from each, which must be identical (gradient ids aside: a
counter of vl-convert).

    python benchmarks/chart_compaction.py --store S.duckdb --persons p0001-x,p0002-y
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import vl_convert as vlc  # noqa: E402

from selfdata_kit.analysis.scope import make_scope  # noqa: E402
from selfdata_kit.charts.compact import compact_spec  # noqa: E402
from selfdata_kit.charts.theme import FORMAT_LOCALE  # noqa: E402
from selfdata_kit.reports import TOPICS  # noqa: E402
from selfdata_kit.reports.notebook import Report, report_connection, topic  # noqa: E402


def svg(spec: dict, lang: str) -> str:
    return re.sub(r"gradient_\d+", "gradient", vlc.vegalite_to_svg(
        spec, format_locale=FORMAT_LOCALE[lang]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", required=True, type=Path)
    parser.add_argument("--persons", required=True, help="comma-separated person ids")
    parser.add_argument("--reports", default=",".join(TOPICS))
    args = parser.parse_args()
    con = report_connection(args.store)
    full = trimmed = charts = differ = 0
    for person in args.persons.split(","):
        for name in args.reports.split(","):
            for lang in ("fr", "en"):
                report = Report(con, make_scope(con, person, None, None), lang, False,
                                topic(name))
                if not report.has_data:
                    continue
                for section, spec_of in report.topic.sections.items():
                    frame = report.frame(section)
                    if frame.empty:
                        continue
                    spec = spec_of.chart(frame, lang).to_dict()
                    compacted = compact_spec(spec)
                    full += len(json.dumps(spec))
                    trimmed += len(json.dumps(compacted))
                    charts += 1
                    if svg(spec, lang) != svg(compacted, lang):
                        differ += 1
                        print(f"DIFFERENT DRAWING: {person} {name}/{section} ({lang})")
    print(f"{charts} charts: specs {full / 1e3:,.0f} KB -> {trimmed / 1e3:,.0f} KB"
          f" ({trimmed / full - 1:+.0%}); drawings different: {differ}")


if __name__ == "__main__":
    main()
