import re
from datetime import timedelta
from decimal import Decimal

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from core.formatting import money, money_compact
from dashboards.pages import pages_for

register = template.Library()
EXACT_MONEY = re.compile(r"(?P<amount>-?[\d,]+\.\d+) (?P<currency>[A-Z]{3})")


@register.simple_tag
def dashboard_pages(user) -> list[tuple[str, str]]:
    """(url name, title) of the dashboards the user may open."""
    if not user.is_authenticated:
        return []
    return [(f"dashboards:{page}", title) for page, title in pages_for(user)]


@register.filter
def codeticks(text: str) -> str:
    """Escape, then show `command` spans as code (for empty states that say what to run)."""
    escaped = conditional_escape(text)
    return mark_safe(re.sub(r"`([^`]+)`", r"<code>\1</code>", str(escaped)))  # noqa: S308


@register.filter
def compact_money(text: str) -> str:
    """`1,339,900.00 USD` as `1.34M USD`, for a tile; any other text as it is."""
    found = EXACT_MONEY.fullmatch(text)
    if found is None:
        return text
    return money_compact(Decimal(found["amount"].replace(",", "")), found["currency"])


@register.filter(name="money")
def money_exact(amount: Decimal | None) -> str:
    """`21,333,489,000.00 USD`: money in a table, exact, with its currency."""
    return money(amount)


@register.filter
def in_hours(delta: timedelta) -> str:
    """A lockout's length as people say it: `1 hour`, `1.5 hours`."""
    hours = delta.total_seconds() / 3600
    return f"{hours:g} hour{'' if hours == 1 else 's'}"


@register.filter
def unit_small(text: str) -> str:
    """`1,234.00 USD` with its currency code set smaller, so big figures fit a tile."""
    escaped = str(conditional_escape(text))
    return mark_safe(re.sub(r" ([A-Z]{3})$", r' <span class="unit">\1</span>', escaped))  # noqa: S308
