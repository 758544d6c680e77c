import json
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.periods import inclusive_range
from metrics.output import TABLE_KPIS, as_csv, as_dict, as_table, kpi_keys
from metrics.queries.common import GROUPS
from metrics.scope import Scope
from metrics.service import kpi_panel
from org.models import Team, User
from pipeline.models import Product, SegmentTier
from territories.models import Territory

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
        parser.add_argument(
            "--as-of",
            type=date.fromisoformat,
            help="Open deals, pipeline, weighted pipeline and coverage as they stood at the end "
            "of this day, from deal history (ISO); MRR and pace too unless --today says",
        )
        for option, _, name in NARROWING:
            parser.add_argument(f"--{option}", metavar=name.upper(), help=f"Only this {option}")
        parser.add_argument("--segment", choices=SegmentTier.values, help="Only this segment")

    def handle(self, *args, **options) -> None:
        table = options["format"] == "table" and options["by"]
        try:
            keys = kpi_keys(options["kpi"], TABLE_KPIS if table else None)
        except ValueError as error:
            raise CommandError(str(error)) from error
        period = inclusive_range(options["first"], options["last"])
        scope = Scope.everything().narrow(**_narrowing(options))
        panel = kpi_panel(
            scope, period, options["by"], today=options["today"], as_of=options["as_of"]
        )
        render = {"table": as_table, "json": as_json, "csv": as_csv}[options["format"]]
        self.stdout.write(render(panel, keys))


def _narrowing(options: dict) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for option, model, name in NARROWING:
        if options[option] is not None:
            try:
                found[option] = model.objects.get(**{name: options[option]})
            except model.DoesNotExist as error:
                raise CommandError(f"No {option} with {name} {options[option]!r}") from error
    if options["segment"]:
        found["segment"] = options["segment"]
    return found


def as_json(panel, keys: list[str]) -> str:
    return json.dumps(as_dict(panel, keys), indent=2)
