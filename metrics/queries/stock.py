"""The open pipeline as it stood at the end of a past day, from deal history.

Each deal's history row in force then (`deal_states_as_of`) gives its stage, amount, expected
close date and owner on that day, so a deal reopened or re-amounted later counts as it was.
An open deal counts for its owner then, and that owner's manager and team on that day (their
reporting line). Territory, product and segment are the deal's as they are now: their history
is not kept per deal. A deal imported without history is open from its created date in a stage
nobody recorded: it adds to the open deals and the pipeline, not to the weighted pipeline
(a stage's probability is unknown).
"""

from collections import defaultdict
from datetime import date

from django.db.models import Count, Expression, F, Q, QuerySet
from django.db.models.functions import Coalesce

from core.periods import Period, end_of_day
from metrics.queries.common import (
    AMOUNT_X_PERCENT,
    TIME_GROUPS,
    Rows,
    bucket,
    grouped,
    money,
)
from org.models import User
from org.services import reporting_lines_on
from pipeline.due import due_in_q, due_on
from pipeline.models import Deal, StageKind
from pipeline.selectors import deal_states_as_of

STOCK = ("open_deals", "pipeline", "weighted_x100", "period_weighted_x100")
STATE_PATHS: dict[str, Expression | F] = {
    "rep": F("owner_id"),
    "territory": Coalesce("deal__territory_id", "deal__account__territory_id"),
    "product": F("deal__product_id"),
    "segment": F("deal__account__segment"),
    "source": F("deal__lead_source"),
}


def stock_rows(deals: QuerySet[Deal], period: Period, by: str | None, as_of: date) -> Rows:
    """Open deals, pipeline and weighted pipeline per group at the end of `as_of`; the
    weighted pipeline due in `period` too (month and quarter groups bucket by the day each
    deal was due on `as_of`, like the current pipeline: `pipeline.due`)."""
    states = deal_states_as_of(end_of_day(as_of), deals).filter(status=StageKind.OPEN)
    aggregates = {
        "open_deals": Count("id"),
        "pipeline": money(Q()),
        "weighted_x100": money(Q(), AMOUNT_X_PERCENT),
        "period_weighted_x100": money(due_in_q(period, as_of), AMOUNT_X_PERCENT),
    }
    if by in TIME_GROUPS:
        due = states.filter(due_in_q(period, as_of))
        rows = grouped(due, bucket(by, due_on(as_of)), aggregates)
        for row in rows.values():
            row["period_weighted_x100"] = row["weighted_x100"]
        return rows
    if by in ("manager", "team"):
        return _by_line(grouped(states, STATE_PATHS["rep"], aggregates), by, as_of)
    return grouped(states, None if by is None else STATE_PATHS[by], aggregates)


def _by_line(by_owner: Rows, by: str, as_of: date) -> Rows:
    """Owners' rows added up by their manager or team on `as_of` (as they are now when no
    reporting line covers that day)."""
    owners = {owner for owner in by_owner if owner is not None}
    lines = reporting_lines_on({(owner, as_of) for owner in owners})
    field = f"{by}_id"
    now = dict(User.objects.filter(pk__in=owners).values_list("pk", field))
    rows: Rows = defaultdict(dict)
    for owner, row in by_owner.items():
        line = lines.get((owner, as_of))
        key = getattr(line, field) if line is not None else now.get(owner)
        target = rows[key]
        for name, value in row.items():
            target[name] = (target.get(name) or 0) + (value or 0)
    return dict(rows)


def with_stock(rows: Rows, stock: Rows) -> Rows:
    """`rows` with their stock figures replaced by those of `stock`."""
    for row in rows.values():
        row.update(dict.fromkeys(STOCK, 0))
    for key, row in stock.items():
        rows.setdefault(key, {}).update(row)
    return rows
