from decimal import Decimal

from django import template

from core.formatting import money, money_compact

register = template.Library()


@register.filter
def compact(amount: Decimal | None, currency: str) -> str:
    """A tile's amount: `20.8k USD` (the exact amount goes in the tile's title)."""
    return money_compact(amount, currency)


@register.filter
def exact(amount: Decimal | None, currency: str) -> str:
    """`1,234.50 USD`, or a dash for no value."""
    return money(amount, currency)
