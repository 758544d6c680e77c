"""Numbers as CRMs and spreadsheets write them: `USD 12,500.00`, `€1.234,56`, `(300.00)`, `75%`.

Parsed exactly into a Decimal. The decimal mark is the mapping's (`decimal: ","` for files
that write `1.234,56`); any other separator must group thousands, three digits at a time,
so a cell that could be read two ways (`12,50` in a file with decimal points) is an error,
never a guess.
"""

import re
from dataclasses import dataclass
from decimal import Decimal

# A symbol stands for one currency; a mapping may say otherwise (`symbols: {$: CAD}`).
SYMBOLS = {
    "US$": "USD", "$": "USD", "C$": "CAD", "CA$": "CAD", "A$": "AUD", "AU$": "AUD",
    "NZ$": "NZD", "R$": "BRL", "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR", "₩": "KRW",
    "₺": "TRY", "₪": "ILS", "zł": "PLN", "Fr.": "CHF",
}  # fmt: skip
SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2009": " "})
CODE = re.compile(r"^([A-Z]{3})\s*(.*)$|^(.*?)\s*([A-Z]{3})$")
GROUPS = {".": ",' ", ",": ". '"}  # decimal mark -> the thousands separators allowed with it
# Most cells are plain numbers: read without the work below (about 40 times faster).
PLAIN = {".": re.compile(r"-?[0-9]+(?:\.[0-9]+)?"), ",": re.compile(r"-?[0-9]+(?:,[0-9]+)?")}


@dataclass(frozen=True)
class Number:
    value: Decimal
    currency: str | None = None  # the ISO code the cell named, if any
    percent: bool = False


def parse_number(text: str, *, decimal: str = ".", symbols: dict[str, str] | None = None) -> Number:
    """The number in `text`, its currency and whether it ended in `%`; a ValueError says why not."""
    if PLAIN[decimal].fullmatch(text):
        return Number(Decimal(text.replace(",", ".")))
    rest = " ".join(text.translate(SPACES).split())
    rest, negative = _sign(rest)
    rest, currency = _currency(rest, {**SYMBOLS, **symbols} if symbols else SYMBOLS)
    rest, inner_negative = _sign(rest)
    percent = rest.endswith("%")
    rest = rest.removesuffix("%").strip()
    if negative and inner_negative:
        raise ValueError("Not a number: two minus signs.")
    value = _digits(rest, decimal)
    return Number(-value if negative or inner_negative else value, currency, percent)


def _sign(text: str) -> tuple[str, bool]:
    if text.startswith("(") and text.endswith(")"):
        return text[1:-1].strip(), True
    if text.startswith("-") or text.endswith("-"):
        return text.strip("-").strip(), True
    return text, False


def _currency(text: str, symbols: dict[str, str]) -> tuple[str, str | None]:
    found = []
    for symbol in sorted(symbols, key=len, reverse=True):
        if text.startswith(symbol) or text.endswith(symbol):
            text = text[len(symbol) :] if text.startswith(symbol) else text[: -len(symbol)]
            found.append(symbols[symbol])
            break
    match = CODE.match(text.strip())
    if match:
        code = match.group(1) or match.group(4)
        text = match.group(2) if match.group(1) else match.group(3)
        found.append(code)
    if len(set(found)) > 1:
        raise ValueError(f"Two currencies in one cell: {' and '.join(found)}.")
    return text.strip(), found[0] if found else None


def _digits(text: str, decimal: str) -> Decimal:
    if not re.fullmatch(r"[0-9.,' ]*[0-9][0-9.,' ]*", text):
        raise ValueError("Not a number.")
    whole, mark, fraction = text.rpartition(decimal) if decimal in text else (text, "", "")
    if not mark:
        whole = text
    separators = set(re.sub(r"[0-9]", "", whole))
    other = "," if decimal == "." else "."
    if decimal in whole or other in fraction or " " in fraction or "'" in fraction:
        raise ValueError(_ambiguous(text, decimal))
    if len(separators) > 1 or separators - set(GROUPS[decimal]):
        raise ValueError(_ambiguous(text, decimal))
    if separators:
        groups = whole.split(separators.pop())
        if not (1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])):
            raise ValueError(_ambiguous(text, decimal))
        whole = "".join(groups)
    if mark and not fraction:
        raise ValueError("Not a number: nothing after the decimal mark.")
    return Decimal(f"{whole or '0'}.{fraction or '0'}") if mark else Decimal(whole)


def _ambiguous(text: str, decimal: str) -> str:
    if decimal == ".":
        hint = 'if the file writes decimal commas (1.234,56), set decimal: "," in the mapping'
    else:
        hint = 'if the file writes decimal points (1,234.56), set decimal: "." in the mapping'
    return (
        f"Ambiguous number {text!r}: its separators do not group thousands by three around "
        f"the decimal mark {decimal!r}; {hint}."
    )
