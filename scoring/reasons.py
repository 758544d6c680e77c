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
        return f"no activity in its {_days(days)} open" if days else "no activity yet"
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
    return f"expected close passed {_days(days)} ago" if days else "expected close still ahead"


def _days(count: int) -> str:
    return "1 day" if count == 1 else f"{count} days"


def _activities(count: int) -> str:
    return {0: "no activity", 1: "1 activity"}.get(count, f"{count} activities")


def _percent(value: float) -> str:
    return f"{round(value * 100)} %"


PHRASES: dict[str, Callable[[dict], str]] = {
    "stage": lambda s: f"in {s['stage']}",
    "days_in_stage": lambda s: f"{_days(s['days_in_stage'])} in {s['stage']}",
    "age": lambda s: f"open for {_days(s['age'])}",
    "amount_ratio": _amount,
    "slips": _slips,
    "overdue": _overdue,
    "activities_14": lambda s: f"{_activities(s['activities_14'])} in the last 14 days",
    "activities_30": lambda s: f"{_activities(s['activities_30'])} in the last 30 days",
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
