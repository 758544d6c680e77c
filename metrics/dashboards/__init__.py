"""Role dashboards: rep, manager, executive and data health, built from the metrics service.

Each page is a function (user, filters, today) -> Dashboard of plain data; metrics/views.py
renders it. Which roles open which page is `PAGES`; `home_page` is where a role lands.
"""

from territories.models import Role, User

# page -> roles that may open it; anyone else gets a 403 (the page exists, the action is not
# theirs). Rows inside a page always come from the viewer's own scope (spm.access).
PAGES = {
    "rep": {Role.REP, Role.MANAGER, Role.EXECUTIVE, Role.ADMIN},
    "manager": {Role.MANAGER, Role.EXECUTIVE, Role.ADMIN},
    "executive": {Role.EXECUTIVE, Role.ADMIN},
    "admin": {Role.ADMIN},
}
HOME = {Role.REP: "rep", Role.MANAGER: "manager", Role.EXECUTIVE: "executive", Role.ADMIN: "admin"}
TITLES = {"rep": "My dashboard", "manager": "Team", "executive": "Company", "admin": "Data health"}


def may_open(user: User, page: str) -> bool:
    return user.is_authenticated and user.is_active and user.role in PAGES[page]


def home_page(user: User) -> str:
    return HOME.get(user.role, "rep")


def pages_for(user: User) -> list[tuple[str, str]]:
    """(page, title) of every dashboard the user may open, in nav order."""
    return [(page, TITLES[page]) for page in PAGES if may_open(user, page)]
