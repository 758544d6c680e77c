from decimal import Decimal

from django.conf import settings

NO_VALUE = "—"


def money(amount: Decimal | None, currency: str | None = None) -> str:
    """`1,234,567.50 USD`; no value is a dash, never a fake zero."""
    if amount is None:
        return NO_VALUE
    return f"{Decimal(amount):,.2f} {currency or settings.DEFAULT_CURRENCY}"
