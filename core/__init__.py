"""The base layer: what every app shares and that knows nothing of sales data.

The fiscal calendar (`periods`), money fields and formatting (`money`, `formatting`), reading the
environment (`env`) and the beat schedules (`schedules`).
"""
