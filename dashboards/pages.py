"""The dashboards' navigation: each page's title, in menu order."""

import access
from org.models import User

TITLES = {"rep": "My dashboard", "manager": "Team", "executive": "Company", "admin": "Data health"}


def pages_for(user: User) -> list[tuple[str, str]]:
    """(page, title) of every dashboard the user may open, in nav order."""
    return [(page, name) for page, name in TITLES.items() if access.can_open_dashboard(user, page)]
