"""A feature's value in the words a sales team uses."""

from collections.abc import Callable

from pipeline.models import DealType, SegmentTier

SEGMENTS = {value: str(label).lower() for value, label in SegmentTier.choices}


def _slips(shown: dict) -> str:
    count = shown["slips"]
    if not count:
        return "close date never pushed"
    return "close date pushed " + {1: "once", 2: "twice"}.get(count, f"{count} times")


def _idle(shown: dict) -> str:
    days = shown["idle"]
    if not shown["ever_active"]:
        return f"no activity in its {days} days open" if days else "no activity yet"
    if days >= 7:
        return f"no activity for {days} days"
    return "activity in the last week" if days else "activity today"


def _amount(shown: dict) -> str:
    ratio = shown["amount_ratio"]
    if ratio is None:
        return "amount unknown"
    return f"amount {ratio:.1f}× the rep's median deal"


def _overdue(shown: dict) -> str:
    days = shown["overdue"]
    return f"expected close passed {days} days ago" if days else "expected close still ahead"


def _percent(value: float) -> str:
    return f"{round(value * 100)} %"


PHRASES: dict[str, Callable[[dict], str]] = {
    "stage": lambda s: f"in {s['stage']}",
    "days_in_stage": lambda s: f"{s['days_in_stage']} days in {s['stage']}",
    "age": lambda s: f"open for {s['age']} days",
    "amount_ratio": _amount,
    "slips": _slips,
    "overdue": _overdue,
    "activities_14": lambda s: f"{s['activities_14']} activities in the last 14 days",
    "activities_30": lambda s: f"{s['activities_30']} activities in the last 30 days",
    "idle": _idle,
    "rep_win_rate": lambda s: f"the rep wins {_percent(s['rep_win_rate'])} of closed deals",
    "segment_win_rate": lambda s: (
        f"{SEGMENTS.get(s['segment'], s['segment'] or 'unsegmented')} accounts win "
        f"{_percent(s['segment_win_rate'])}"
    ),
    "product": lambda s: f"product {s['product']}",
    "type": lambda s: str(DealType(s["type"]).label).lower(),
}


def phrase(feature: str, shown: dict) -> str:
    return PHRASES[feature](shown)
