"""A KPI panel as people and programs read it: JSON-ready dicts, CSV and a text table.

The `kpis` command and the KPI API both render through here, so their output cannot drift.
"""

from decimal import Decimal

from core.csvout import csv_text
from core.formatting import NO_VALUE
from metrics.definitions import COUNT, KPIS, display
from metrics.service import Panel, Values

TOTAL_KEY = "(total)"
# The columns of a grouped table when no KPI is asked for: the ones a sales meeting reads.
TABLE_KPIS = (
    "revenue", "deals_won", "deals_lost", "win_rate", "close_rate", "average_deal_size",
    "sales_cycle_days_median", "weighted_pipeline", "quota_attainment",
)  # fmt: skip


def _shown(values: Values, keys: list[str]) -> dict[str, Decimal | int | None]:
    return {key: display(values[key], KPIS[key].unit) for key in keys}


def _number(value: Decimal | int | None, unit: str) -> int | float | None:
    """JSON numbers: counts as integers, the rest as plain decimals (1234.5)."""
    if value is None:
        return None
    return int(value) if unit == COUNT else float(value)


def as_dict(panel: Panel, keys: list[str]) -> dict:
    """{"total": {kpi: value}, "groups": [{"key": name, kpi: value, ...}]}, values rounded."""

    def numbers(values: Values) -> dict:
        shown = _shown(values, keys)
        return {key: _number(shown[key], KPIS[key].unit) for key in keys}

    groups = [{"key": group.key, **numbers(group.values)} for group in panel.groups]
    return {"total": numbers(panel.total), "groups": groups}


def as_rows(panel: Panel, keys: list[str]) -> tuple[list[str], list[list]]:
    """A header and one row per group, then the total; for CSV, where no value is empty."""
    rows = []
    for key, values in [*((g.key, g.values) for g in panel.groups), (TOTAL_KEY, panel.total)]:
        shown = _shown(values, keys)
        rows.append([key, *(shown[k] for k in keys)])
    return ["key", *keys], rows


def as_csv(panel: Panel, keys: list[str]) -> str:
    return csv_text(*as_rows(panel, keys))


def _text(value: Decimal | int | None) -> str:
    return NO_VALUE if value is None else f"{value:,}"


def as_table(panel: Panel, keys: list[str]) -> str:
    """The total as KPI / value lines, or one line per group with a column per KPI."""
    if panel.by is None:
        shown = _shown(panel.total, keys)
        width = max(len(key) for key in keys)
        return "\n".join(f"{key:<{width}}  {_text(shown[key]):>18}" for key in keys)
    rows = [(g.key, _shown(g.values, keys)) for g in panel.groups]
    rows.append((TOTAL_KEY, _shown(panel.total, keys)))
    cells = [[key, *(_text(values[k]) for k in keys)] for key, values in rows]
    header = [panel.by, *keys]
    widths = [max(len(row[i]) for row in [header, *cells]) for i in range(len(header))]
    return "\n".join(
        "  ".join(
            cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i])
            for i, cell in enumerate(line)
        )
        for line in [header, *cells]
    )


def kpi_keys(requested: list[str] | None, default: tuple[str, ...] | None = None) -> list[str]:
    """KPI keys from `a,b` items; unknown keys raise ValueError naming them."""
    if not requested:
        return list(default or KPIS)
    keys = [key.strip() for item in requested for key in item.split(",") if key.strip()]
    unknown = [key for key in keys if key not in KPIS]
    if unknown:
        raise ValueError(f"Unknown KPI: {', '.join(unknown)} (see docs/metrics.md)")
    return keys
