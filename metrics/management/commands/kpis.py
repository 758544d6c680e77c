import csv
import io
import json
from datetime import date
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Model

from metrics.definitions import COUNT, KPIS, display
from metrics.periods import inclusive_range
from metrics.queries.common import GROUPS
from metrics.scope import Scope
from metrics.service import Panel, Values, kpi_panel
from pipeline.models import Product, SegmentTier
from territories.models import Team, Territory, User

TABLE_KPIS = (
    "revenue", "deals_won", "deals_lost", "win_rate", "close_rate", "average_deal_size",
    "sales_cycle_days_median", "weighted_pipeline", "quota_attainment",
)  # fmt: skip
TOTAL_KEY = "(total)"
NO_VALUE = "—"
# Scope options: (option, model, field it names) — a segment is a SegmentTier value.
NARROWING = (
    ("territory", Territory, "name"),
    ("manager", User, "username"),
    ("team", Team, "name"),
    ("rep", User, "username"),
    ("product", Product, "name"),
)


class Command(BaseCommand):
    help = (
        "Print KPIs (see docs/metrics.md) for a period, as a total or per group. "
        "Without --from/--to, all history."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="first", type=date.fromisoformat, help="ISO date")
        parser.add_argument("--to", dest="last", type=date.fromisoformat, help="ISO date, kept")
        parser.add_argument("--by", choices=GROUPS)
        parser.add_argument("--format", choices=("table", "json", "csv"), default="table")
        parser.add_argument(
            "--kpi", action="append", help="KPI keys to show, comma separated (default: all)"
        )
        parser.add_argument(
            "--today", type=date.fromisoformat, help="As-of date for MRR and pace (ISO)"
        )
        for option, _, name in NARROWING:
            parser.add_argument(f"--{option}", metavar=name.upper(), help=f"Only this {option}")
        parser.add_argument("--segment", choices=SegmentTier.values, help="Only this segment")

    def handle(self, *args, **options) -> None:
        keys = _kpi_keys(options["kpi"], options["format"], options["by"])
        period = inclusive_range(options["first"], options["last"])
        scope = Scope.everything().narrow(**_narrowing(options))
        panel = kpi_panel(scope, period, options["by"], today=options["today"])
        render = {"table": table, "json": as_json, "csv": as_csv}[options["format"]]
        self.stdout.write(render(panel, keys))


def _kpi_keys(requested: list[str] | None, fmt: str, by: str | None) -> list[str]:
    if not requested:
        return list(TABLE_KPIS if fmt == "table" and by else KPIS)
    keys = [key.strip() for item in requested for key in item.split(",") if key.strip()]
    unknown = [key for key in keys if key not in KPIS]
    if unknown:
        raise CommandError(f"Unknown KPI: {', '.join(unknown)} (see docs/metrics.md)")
    return keys


def _narrowing(options: dict) -> dict[str, Model | str]:
    found: dict[str, Model | str] = {}
    for option, model, name in NARROWING:
        if options[option] is not None:
            try:
                found[option] = model.objects.get(**{name: options[option]})
            except model.DoesNotExist as error:
                raise CommandError(f"No {option} with {name} {options[option]!r}") from error
    if options["segment"]:
        found["segment"] = options["segment"]
    return found


def _shown(values: Values, keys: list[str]) -> dict[str, Decimal | int | None]:
    return {key: display(values[key], KPIS[key].unit) for key in keys}


def _number(value: Decimal | int | None, unit: str) -> int | float | None:
    """JSON numbers: counts as integers, the rest as plain decimals (1234.5)."""
    if value is None:
        return None
    return int(value) if unit == COUNT else float(value)


def as_json(panel: Panel, keys: list[str]) -> str:
    """{"total": {kpi: value}, "groups": [{"key": name, kpi: value, ...}]}."""

    def numbers(values: Values) -> dict:
        shown = _shown(values, keys)
        return {key: _number(shown[key], KPIS[key].unit) for key in keys}

    groups = [{"key": group.key, **numbers(group.values)} for group in panel.groups]
    return json.dumps({"total": numbers(panel.total), "groups": groups}, indent=2)


def as_csv(panel: Panel, keys: list[str]) -> str:
    """One row per group, then the total; an empty cell has no value."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["key", *keys])
    for key, values in [*((g.key, g.values) for g in panel.groups), (TOTAL_KEY, panel.total)]:
        shown = _shown(values, keys)
        writer.writerow([key, *("" if shown[k] is None else shown[k] for k in keys)])
    return out.getvalue().rstrip("\n")


def _text(value: Decimal | int | None) -> str:
    return NO_VALUE if value is None else f"{value:,}"


def table(panel: Panel, keys: list[str]) -> str:
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
    lines = [header, *cells]
    return "\n".join(
        "  ".join(
            cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i])
            for i, cell in enumerate(line)
        )
        for line in lines
    )
