from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings

NO_VALUE = "—"


def money(amount: Decimal | None, currency: str | None = None) -> str:
    """`1,234,567.50 USD`; no value is a dash, never a fake zero."""
    if amount is None:
        return NO_VALUE
    return f"{Decimal(amount):,.2f} {currency or settings.DEFAULT_CURRENCY}"


_SCALES = ((Decimal(10) ** 9, "B"), (Decimal(10) ** 6, "M"), (Decimal(10) ** 3, "k"))


def money_compact(amount: Decimal | None, currency: str | None = None) -> str:
    """`1.34M USD`, `20.8k USD`: three significant digits from a thousand up, for tiles and
    axes; below that the exact amount (`950.40 USD`), which is short already. The exact amount
    goes beside a compact one, on hover or in a table."""
    if amount is None or abs(Decimal(amount)) < 1000:
        return money(amount, currency)
    amount = Decimal(amount)
    rounded = amount.quantize(Decimal(1).scaleb(amount.adjusted() - 2), ROUND_HALF_UP)
    scale, suffix = next((scale, suffix) for scale, suffix in _SCALES if abs(rounded) >= scale)
    return f"{(rounded / scale).normalize():f}{suffix} {currency or settings.DEFAULT_CURRENCY}"


def person_name(first: str, last: str, username: str) -> str:
    """A person's name as the metrics service labels its rep groups."""
    return f"{first} {last}".strip() or username
