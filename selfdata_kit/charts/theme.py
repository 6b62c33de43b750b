"""The visual language: a colour-blind-safe palette, fonts, sizes, and number / date locales."""

from __future__ import annotations

import altair as alt

# Okabe & Ito (2008), "Color Universal Design": distinguishable with every common colour
# vision deficiency. Order matters: the first colours are the most distinct.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
           "#000000"]
IN_OUT = {"in": "#009E73", "out": "#D55E00"}  # money / calls coming in, going out
OWN_TRANSFER = "#0072B2"  # money moved between the person's own accounts (saving): neither
SEQUENTIAL = "viridis"  # heatmaps: perceptually uniform, colour-blind safe
WIDTH, HEIGHT = 640, 260

# d3-format / d3-time-format locales, passed to vega-embed and vl-convert.
FORMAT_LOCALE = {
    "fr": {"decimal": ",", "thousands": "\u202f", "grouping": [3], "currency": ["", "\u00a0€"]},
    "en": {"decimal": ".", "thousands": ",", "grouping": [3], "currency": ["€", ""]},
}
TIME_FORMAT_LOCALE = {
    "fr": {
        "dateTime": "%A %e %B %Y à %X", "date": "%d/%m/%Y", "time": "%H:%M:%S",
        "periods": ["AM", "PM"],
        "days": ["dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"],
        "shortDays": ["dim.", "lun.", "mar.", "mer.", "jeu.", "ven.", "sam."],
        "months": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
                   "septembre", "octobre", "novembre", "décembre"],
        "shortMonths": ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août",
                        "sept.", "oct.", "nov.", "déc."],
    },
    "en": {
        "dateTime": "%a %e %b %Y %X", "date": "%d/%m/%Y", "time": "%H:%M:%S",
        "periods": ["AM", "PM"],
        "days": ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"],
        "shortDays": ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"],
        "months": ["January", "February", "March", "April", "May", "June", "July", "August",
                   "September", "October", "November", "December"],
        "shortMonths": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
                        "Nov", "Dec"],
    },
}
# Axis formats (d3): money with 0 decimals on axes, the locale adds the currency sign.
MONEY = "$,.0f"
NUMBER = ",.0f"
MONTH = "%b %Y"


@alt.theme.register("selfdata", enable=True)
def selfdata_theme() -> alt.theme.ThemeConfig:
    return {
        "config": {
            "view": {"continuousWidth": WIDTH, "continuousHeight": HEIGHT, "stroke": None},
            "range": {"category": PALETTE, "heatmap": {"scheme": SEQUENTIAL}},
            "font": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
            "axis": {"labelFontSize": 12, "titleFontSize": 12, "grid": True,
                     "gridColor": "#e6e6e6", "domainColor": "#888"},
            "legend": {"labelFontSize": 12, "titleFontSize": 12, "orient": "bottom"},
            "title": {"fontSize": 15, "anchor": "start", "fontWeight": 600},
            "bar": {"color": PALETTE[0]},
            "line": {"color": PALETTE[0], "strokeWidth": 2},
            "point": {"color": PALETTE[0]},
        }
    }


def lang_or_default(lang: str) -> str:
    return lang if lang in FORMAT_LOCALE else "en"
