"""The HTML screens beside the dashboards: territories and their planning, quota planning, and
pay statements. Thin views over the services and selectors of the apps below."""
