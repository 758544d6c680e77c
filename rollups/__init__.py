"""Daily rollups of the sales data, and the data version every write bumps.

Between the pipeline and the metrics: the KPI service reads the rollups, the dashboards' page
cache keys on the version.
"""
