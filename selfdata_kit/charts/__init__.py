"""Altair chart builders: pure functions, a DataFrame (from `analysis`) in, a chart out.

One visual language for every report (`theme`), rendered offline (`render`): the Vega
bundle is embedded once per notebook / page, never fetched from a CDN.
"""
