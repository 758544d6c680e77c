"""Scoped querysets and a period in, one `values(...).annotate(...)` query per KPI family out.

Each family module returns raw aggregates (counts, sums, medians) keyed by group; the service
turns them into KPIs with `metrics.formulas`.
"""
