"""The KPI registry: every KPI Pacer computes, once, with its meaning.

Like Zulip's COUNT_STATS, this one dict is what the `kpis` command lists, what
`docs/metrics.md` is rendered from (`kpi_docs`) and what the service fills in. Keys are stable
snake_case names: they are the JSON and CSV column names, so never rename one.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings

CURRENCY, COUNT, FRACTION, DAYS, SCORE, NUMBER = (
    "currency", "count", "fraction", "days", "score", "number",
)  # fmt: skip
# Decimal places shown for each unit (JSON, CSV and tables); values are exact until then.
PLACES = {CURRENCY: 2, COUNT: 0, FRACTION: 4, DAYS: 1, SCORE: 1, NUMBER: 2}
FAMILIES = {
    "deals": "Deals and revenue",
    "subscriptions": "Recurring revenue and customers",
    "surveys": "Customer satisfaction",
    "quotas": "Quota, pace and coverage",
    "activities": "Activities and funnel",
    "stages": "Stage conversion and time in stage",
}
DEFAULT_GROSS_MARGIN = Decimal("0.70")
NONE = "None (no value)"


@dataclass(frozen=True)
class Kpi:
    """One KPI: what it is called, what it measures and what it shows without data."""

    key: str
    label: str
    unit: str
    family: str
    formula: str
    counts: str
    empty: str = "0"  # what an empty denominator (or no data) gives


def gross_margin() -> Decimal:
    """The gross margin CLV uses: settings.PACER_GROSS_MARGIN, 0.70 (70 %) by default."""
    return Decimal(str(getattr(settings, "PACER_GROSS_MARGIN", DEFAULT_GROSS_MARGIN)))


def activity_targets() -> dict[str, Decimal]:
    """Targets per rep per working day, e.g. {"calls": 20}: settings.PACER_ACTIVITY_TARGETS."""
    targets = getattr(settings, "PACER_ACTIVITY_TARGETS", {})
    return {kind: Decimal(str(value)) for kind, value in targets.items()}


def display(value: Decimal | int | float | None, unit: str) -> Decimal | int | None:
    """A value rounded for showing (half up); None stays None."""
    if value is None:
        return None
    if unit == COUNT:
        return int(value)
    exponent = Decimal(1).scaleb(-PLACES[unit])
    return Decimal(str(value)).quantize(exponent, rounding=ROUND_HALF_UP)


CLOSED = "closed_on in the period"
BY_DUE = "by the month or quarter they are due in (see Due)"
WON = f"Deals won ({CLOSED})"
DEALS = [
    Kpi("revenue", "Revenue", CURRENCY, "deals", "sum(amount) of won deals", WON),
    Kpi("revenue_new_customers", "Revenue from new customers", CURRENCY, "deals",
        "sum(amount) of won deals of type new_business", WON),
    Kpi("revenue_existing_customers", "Revenue from existing customers", CURRENCY, "deals",
        "sum(amount) of won deals of type expansion or renewal", WON),
    Kpi("revenue_recurring", "Recurring revenue booked", CURRENCY, "deals",
        "sum(amount) of won deals whose product bills recurring", WON),
    Kpi("revenue_one_time", "One-time revenue booked", CURRENCY, "deals",
        "revenue - revenue_recurring", f"{WON}; a deal without a product counts as one-time"),
    Kpi("new_recurring_revenue", "New recurring revenue", CURRENCY, "deals",
        "sum(amount) of won new_business deals whose product bills recurring", WON),
    Kpi("deals_won", "Deals won", COUNT, "deals", "count of won deals", WON),
    Kpi("deals_lost", "Deals lost", COUNT, "deals", "count of lost deals",
        f"Deals lost ({CLOSED})"),
    Kpi("opportunities", "Opportunities", COUNT, "deals", "count of deals",
        "Deals created (created_on) in the period, whatever their stage now"),
    Kpi("win_rate", "Win rate", FRACTION, "deals", "deals_won / (deals_won + deals_lost)",
        f"Deals closed ({CLOSED})", NONE),
    Kpi("close_rate", "Close rate", FRACTION, "deals",
        "(deals_won + deals_lost) / opportunities",
        "Closed in the period over created in the period (two cohorts: it can exceed 1)", NONE),
    Kpi("average_deal_size", "Average deal size (AOV)", CURRENCY, "deals",
        "revenue / deals_won", WON, NONE),
    Kpi("sales_cycle_days_median", "Sales cycle, median", DAYS, "deals",
        "median(closed_on - created_on)", f"Won and lost deals ({CLOSED})", NONE),
    Kpi("sales_cycle_days_mean", "Sales cycle, mean", DAYS, "deals",
        "mean(closed_on - created_on)", f"Won and lost deals ({CLOSED})", NONE),
    Kpi("open_deals", "Open deals", COUNT, "deals", "count of open deals",
        f"Deals open now; in month/quarter groups, {BY_DUE}"),
    Kpi("pipeline_amount", "Open pipeline", CURRENCY, "deals", "sum(amount) of open deals",
        f"Deals open now; in month/quarter groups, {BY_DUE}; no amount counts 0"),
    Kpi("weighted_pipeline", "Weighted pipeline", CURRENCY, "deals",
        "sum(amount x probability / 100) of open deals",
        "As pipeline_amount; a deal's own probability where it has one, else its stage's"),
    Kpi("reps", "Reps", COUNT, "deals", "count of reps",
        "Reps in the scope; in territory groups, reps assigned there during the period; "
        "none in product and segment groups", NONE),
    Kpi("revenue_per_rep", "Revenue per rep", CURRENCY, "deals", "revenue / reps",
        "As revenue and reps", NONE),
    Kpi("customer_acquisition_cost", "Customer acquisition cost", CURRENCY, "deals",
        "sales and marketing spend / new customers (distinct accounts of won new_business "
        "deals)",
        "Spend entered per month by admins (Sales spend) for the months starting in the "
        "period; company-wide scopes and totals only (spend is not split by team, territory, "
        "product or segment); no value without spend or new customers", NONE),
]  # fmt: skip

SUBS = "Subscription rows; MRR at a date d sums rows with start <= d and (end empty or end > d)"
AT_END = f"{SUBS}, on the period's last day (today at the latest)"
MOVES = (
    "Per account, MRR compared at each month boundary (the day before the month, the period's "
    "last day); summed over the months of the period"
)
COHORT = "Customers at the period's opening (the day before it) compared with its closing"
SUBSCRIPTIONS = [
    Kpi("mrr", "MRR", CURRENCY, "subscriptions", "sum(mrr) of active rows", AT_END, NONE),
    Kpi("arr", "ARR", CURRENCY, "subscriptions", "mrr x 12", AT_END, NONE),
    Kpi("customers", "Customers", COUNT, "subscriptions",
        "count of accounts with MRR > 0", AT_END, NONE),
    Kpi("arpa", "ARPA (MRR per customer)", CURRENCY, "subscriptions", "mrr / customers",
        AT_END, NONE),
    Kpi("mrr_new", "New MRR", CURRENCY, "subscriptions",
        "MRR of accounts going from 0 to > 0 for the first time", MOVES, NONE),
    Kpi("mrr_reactivated", "Reactivated MRR", CURRENCY, "subscriptions",
        "MRR of accounts going from 0 to > 0 that had paid before", MOVES, NONE),
    Kpi("mrr_expansion", "Expansion MRR", CURRENCY, "subscriptions",
        "increase of accounts whose MRR grew from > 0", MOVES, NONE),
    Kpi("mrr_contraction", "Contraction MRR", CURRENCY, "subscriptions",
        "decrease of accounts whose MRR shrank but stayed > 0", MOVES, NONE),
    Kpi("mrr_churned", "Churned MRR", CURRENCY, "subscriptions",
        "MRR of accounts going from > 0 to 0", MOVES, NONE),
    Kpi("net_new_mrr", "Net new MRR", CURRENCY, "subscriptions",
        "new + reactivated + expansion - contraction - churned", MOVES, NONE),
    Kpi("net_revenue_retention", "Net revenue retention", FRACTION, "subscriptions",
        "closing MRR of opening customers / opening MRR", COHORT, NONE),
    Kpi("customer_churn_rate", "Customer churn rate", FRACTION, "subscriptions",
        "opening customers without MRR at the closing / opening customers", COHORT, NONE),
    Kpi("revenue_churn_rate", "Revenue churn rate (gross)", FRACTION, "subscriptions",
        "MRR lost by opening customers (churn and contraction) / opening MRR", COHORT, NONE),
    Kpi("monthly_churn_rate", "Monthly customer churn rate", FRACTION, "subscriptions",
        "customers lost at month boundaries / customer-months at risk",
        f"{MOVES}; a part month counts as its share of the month", NONE),
    Kpi("clv", "Customer lifetime value", CURRENCY, "subscriptions",
        "arpa x gross margin / monthly_churn_rate",
        f"Gross margin is settings.PACER_GROSS_MARGIN, default {DEFAULT_GROSS_MARGIN} "
        "(70 %); no value without churn", NONE),
]  # fmt: skip

ANSWERS = "Survey answers with responded_on in the period"
SURVEYS = [
    Kpi("csat", "CSAT", SCORE, "surveys", "answers 4-5 / answers x 100 (scale 1-5)",
        f"{ANSWERS}, kind csat", NONE),
    Kpi("csat_responses", "CSAT responses", COUNT, "surveys", "count of CSAT answers", ANSWERS),
    Kpi("nps", "NPS", SCORE, "surveys", "% answers 9-10 - % answers 0-6 (-100..100)",
        f"{ANSWERS}, kind nps", NONE),
    Kpi("nps_responses", "NPS responses", COUNT, "surveys", "count of NPS answers", ANSWERS),
]  # fmt: skip

QUOTAS_IN = (
    "Quotas (quotas.Quota) whose whole month, quarter or year lies inside the period; "
    "the longest one per assignee if several overlap. Rep quotas add up to managers, the "
    "company and months; a team uses its own quota, else its members'; a territory its own. "
    "No quota in product and segment groups"
)
PACE = "As of today: days elapsed include today, days remaining start tomorrow"
QUOTAS = [
    Kpi("quota", "Quota (bookings)", CURRENCY, "quotas", "sum(amount) of bookings quotas",
        QUOTAS_IN, NONE),
    Kpi("quota_attainment", "Quota attainment", FRACTION, "quotas", "revenue / quota",
        QUOTAS_IN, NONE),
    Kpi("projected_revenue", "Projected revenue (pace)", CURRENCY, "quotas",
        "revenue / days elapsed x days in period", f"{PACE}; none for all history", NONE),
    Kpi("revenue_needed_per_day", "Revenue still needed per day", CURRENCY, "quotas",
        "max(quota - revenue, 0) / days remaining", f"{PACE}; none once the period is over",
        NONE),
    Kpi("pipeline_coverage", "Pipeline coverage", FRACTION, "quotas",
        "weighted open pipeline due in the period / (quota - revenue)",
        "Open deals due in the period (see Due): overdue ones count in the period containing "
        "today; none once the quota is met", NONE),
    Kpi("deals_won_quota", "Quota (deals won)", COUNT, "quotas",
        "sum(amount) of deals_won quotas", QUOTAS_IN, NONE),
    Kpi("deals_won_attainment", "Quota attainment (deals won)", FRACTION, "quotas",
        "deals_won / deals_won_quota", QUOTAS_IN, NONE),
    Kpi("new_recurring_quota", "Quota (new recurring)", CURRENCY, "quotas",
        "sum(amount) of new_recurring quotas", QUOTAS_IN, NONE),
    Kpi("new_recurring_attainment", "Quota attainment (new recurring)", FRACTION, "quotas",
        "new_recurring_revenue / new_recurring_quota", QUOTAS_IN, NONE),
]  # fmt: skip

DONE = "Activities with occurred_at in the period (local days)"
ACTIVITY_KINDS = {
    "leads": ("Leads", "lead"),
    "calls": ("Calls", "call"),
    "appointments": ("Appointments", "appointment"),
    "quotes_sent": ("Quotes sent", "quote"),
    "follow_ups": ("Follow-ups", "follow_up"),
}
ACTIVITIES = [
    *(Kpi(key, label, COUNT, "activities", f"count of {kind} activities", DONE)
      for key, (label, kind) in ACTIVITY_KINDS.items()),
    *(Kpi(f"{key}_per_rep_day", f"{label} per rep per day", NUMBER, "activities",
          f"{key} / (reps x weekdays in the period)",
          f"{DONE}; weekdays are Monday to Friday; none for all history", NONE)
      for key, (label, _) in ACTIVITY_KINDS.items()),
    *(Kpi(f"{key}_target_attainment", f"{label} against target", FRACTION, "activities",
          f"{key}_per_rep_day / target",
          f"Target per rep per weekday from settings.PACER_ACTIVITY_TARGETS['{key}']", NONE)
      for key, (label, _) in ACTIVITY_KINDS.items()),
    Kpi("call_to_appointment_rate", "Calls to appointments", FRACTION, "activities",
        "appointments / calls", DONE, NONE),
    Kpi("appointment_to_quote_rate", "Appointments to quotes", FRACTION, "activities",
        "quotes_sent / appointments", DONE, NONE),
    Kpi("quote_to_win_rate", "Quotes to won deals", FRACTION, "activities",
        "deals_won / quotes_sent", f"{DONE}; deals won in the period", NONE),
]  # fmt: skip

MOVES = (
    "Moves between stages in deal history dated in the period (a deal's first stage is an "
    "entry, not a move), credited to the deal's owner then; rep, month and quarter groups only"
)
STAGES = [
    Kpi("stage_conversion", "Stage-to-stage conversion", FRACTION, "stages",
        "moves on / moves out of a stage",
        f"{MOVES}. A move is on when it goes to a won stage or a later open one (stage order); "
        "a lost deal does not move on. Per stage: `metrics.queries.stages.stage_flow`", NONE),
    Kpi("time_in_stage_days_mean", "Time in stage, mean", DAYS, "stages",
        "sum(days from entering a stage to leaving it) / moves out of a stage", MOVES, NONE),
]  # fmt: skip

KPIS: dict[str, Kpi] = {
    kpi.key: kpi for kpi in [*DEALS, *SUBSCRIPTIONS, *SURVEYS, *QUOTAS, *ACTIVITIES, *STAGES]
}

NOT_YET: dict[str, str] = {}

SHOWN = ", ".join(f"{unit} {places}" for unit, places in PLACES.items())
INTRO = f"""# Pacer KPIs

Generated from `metrics/definitions.py` by `python manage.py kpi_docs`; do not edit by hand
(a test fails when this page and the registry disagree).

- **Periods** are half-open date ranges `[start, end)`; `kpis --from A --to B` covers A to B
  inclusive, and with neither it covers all history. A flow counts a deal by the date that
  makes it one: won, lost, revenue and sales cycle by `closed_on`, opportunities by
  `created_on`. The open pipeline is a stock: the deals open now.
- **As of a past day** (`kpis --as-of D`, `as_of=D` on `/api/v1/kpis/`): the stock KPIs (open
  deals, pipeline, weighted pipeline and the pipeline in coverage) are the deals as their
  history had them at the end of D: a deal won or re-amounted later counts open, at its amount
  then, for its owner then and that owner's manager and team on D. Territory, product and
  segment are the deal's current ones. A deal imported without history is open from its
  created date, at its amount, in a stage nobody recorded (no weighted value), until its close
  date. Flows stay those of the period; what is due when is decided as of D.
- **Due**: an open deal is due on its `expected_close_on`, or today once that date has passed
  (it is overdue). Wherever open pipeline is split by period (month and quarter groups,
  coverage, the forecast, the dashboards) an overdue deal counts in the period containing
  today, never in one already over; a deal without an expected close date is due in no
  period (`pipeline/due.py`).
- **Groups**: rep (deal owner, account owner, activity rep), manager (that person's manager),
  team, territory, product, segment (account tier), source (the deal's lead source: deal KPIs
  only), month and quarter (calendar, `2017-03`, `2017-Q2`). Every group of the scope is
  listed, with zeros and no-values when it had no data; rows without an owner, territory or
  product form a `(none)` group.
- **Credit at close**: a closed deal (won or lost) counts for the rep who owned it when it
  closed, for the manager and team of that rep's reporting line on the close date, and for
  the territory credited on that date; handing the deal to someone else later, or moving the
  rep to another manager, moves none of it. An open deal counts for its current
  owner. The same rule decides who sees the deal, whose attainment and pay it feeds, and the
  forecast's actuals (`pipeline/crediting.py`). Closed facts are locked (`pipeline/locking.py`):
  only an admin changes a won or lost deal's amount, stage, close date, owner, account or
  territory, or re-credits it to another rep, giving a reason kept in the audit log; a change
  to a deal already paid on in a closed statement period shows as an adjustment line when that
  period's statements are recalculated.
- **No value**: an empty denominator gives None (JSON `null`, shown as `—`), never a fake 0.
  Sums and counts over nothing are 0.
- **Units**: rates are fractions (0.634 means 63.4 %), not percents; CSAT is 0-100 and NPS
  -100..100. Money is a Decimal in the deal currency (no conversion), exact until shown.
- **Shown** (table, CSV, JSON) rounded half up to these decimal places: {SHOWN}.
  JSON gives them as plain numbers (`1234.5`), counts as integers.
- **Gross margin** for CLV: `PACER_GROSS_MARGIN` in settings, default {DEFAULT_GROSS_MARGIN}
  (70 % gross margin).
"""


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def docs_markdown() -> str:
    """docs/metrics.md: the conventions, then one table per KPI family."""
    parts = [INTRO]
    for family, title in FAMILIES.items():
        parts.append(f"\n## {title}\n\n| Key | Label | Unit | Formula | What counts | Empty |\n")
        parts.append("|---|---|---|---|---|---|\n")
        for kpi in (k for k in KPIS.values() if k.family == family):
            cells = (f"`{kpi.key}`", kpi.label, kpi.unit, kpi.formula, kpi.counts, kpi.empty)
            parts.append("| " + " | ".join(_cell(cell) for cell in cells) + " |\n")
    if NOT_YET:
        parts.append("\n## Not computed yet\n\n")
        parts.extend(f"- `{key}`: {why}.\n" for key, why in NOT_YET.items())
    return "".join(parts)
