"""Role dashboards: rep, manager, executive and data health, built from the metrics service.

Each page is a function (user, filters, today) -> Dashboard of plain data; `views` renders it.
Who opens which page is decided by `access` (`can_open_dashboard`, `dashboard_home`).
"""
