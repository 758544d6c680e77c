"""A deal's page and an account's page: everything Pacer knows of one record, within the viewer's
scope (a record outside it is a 404, as with any forged id)."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import plotly.graph_objects as go
from django.db.models import Min, QuerySet, Sum
from django.http import Http404

import access
from compensation.services import deal_payout_preview
from core.formatting import NO_VALUE, money
from dashboards.charts import BLUE, MONEY_AXIS, figure_of, money_hover
from dashboards.common import (
    Cell,
    Chart,
    Table,
    account_url,
    chart,
    deal_url,
    empty_chart,
    person_name,
)
from dashboards.drill import local_time
from dashboards.scores import DealScoreView, account_sentiment_text, deal_score_view, voice_table
from metrics.formulas import csat, nps
from metrics.queries.subscriptions import active_on
from org.models import AuditEntry, User
from pipeline.history import FIELD_NAMES, TRACKED
from pipeline.models import (
    Account,
    Activity,
    ActivityKind,
    Deal,
    DealChange,
    SegmentTier,
    Stage,
    StageKind,
    SurveyKind,
)

ACTIVITY_ROWS = 50
MRR_MONTHS = 120  # the account page's MRR chart: ten years at most


@dataclass(frozen=True)
class Fact:
    label: str
    text: str
    url: str | None = None


@dataclass(frozen=True)
class Step:
    """One write in a deal's history: when, by whom, and each field from what to what."""

    when: str
    who: str
    what: list[str]


@dataclass(frozen=True)
class Payout:
    text: str
    note: str
    lines: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class DealRecord:
    deal: Deal
    facts: list[Fact]
    credit: list[Fact]
    credit_note: str
    history: list[Step]
    activities: Table
    payout: Payout | None
    score: DealScoreView

    @property
    def amount(self) -> str:
        return _amount(self.deal.amount, self.deal.currency)


@dataclass(frozen=True)
class AccountRecord:
    account: Account
    facts: list[Fact]
    deals: Table
    mrr: Chart
    subscriptions: Table
    surveys: Table
    survey_facts: list[Fact]
    voice: Table
    activities: Table
    assignments: Table
    segments: Table

    @property
    def blocks(self) -> list[Chart | Table]:
        return [
            self.deals,
            self.mrr,
            self.subscriptions,
            self.surveys,
            self.voice,
            self.activities,
            self.assignments,
            self.segments,
        ]


def _name(user: User | None) -> str:
    if user is None:
        return NO_VALUE
    return person_name(user.first_name, user.last_name, user.username)


def _day(value: date | None) -> str:
    return value.isoformat() if value else NO_VALUE


def _amount(amount: Decimal | None, currency: str) -> str:
    return NO_VALUE if amount is None else money(amount, currency)


def _found(queryset: QuerySet, pk: int):
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise Http404("No such record, or it is not yours to see.")
    return found


def deal_record(user: User, pk: int, today: date) -> DealRecord:
    deals = access.visible_deals(user).select_related(
        "account",
        "owner",
        "product",
        "territory",
        "stage",
        "closed_owner",
        "closed_manager",
        "closed_team",
        "closed_territory",
    )
    deal = _found(deals, pk)
    return DealRecord(
        deal=deal,
        facts=_deal_facts(deal),
        credit=_credit(deal),
        credit_note=_credit_note(deal),
        history=deal_history(deal),
        activities=_activities(access.visible_activities(user).filter(deal=deal), "deal"),
        payout=_payout(user, deal, today),
        score=deal_score_view(deal),
    )


def _deal_facts(deal: Deal) -> list[Fact]:
    account = deal.account
    facts = [
        Fact("Account", account.name if account else NO_VALUE, account_url(deal.account_id)),
        Fact("Stage", f"{deal.stage.name} ({deal.get_status_display().lower()})"),
        Fact("Amount", _amount(deal.amount, deal.currency)),
        Fact("Forecast category", deal.get_forecast_category_display() or NO_VALUE),
        Fact("Type", deal.get_type_display()),
        Fact("Product", deal.product.name if deal.product else NO_VALUE),
        Fact("Owner", _name(deal.owner)),
        Fact("Territory", deal.territory.name if deal.territory else NO_VALUE),
        Fact("Created", _day(deal.created_on)),
        Fact("Expected close", _day(deal.expected_close_on)),
        Fact("Closed", _day(deal.closed_on)),
    ]
    if deal.lost_reason:
        facts.append(Fact("Lost because", deal.lost_reason))
    if deal.external_id:
        facts.append(Fact("ID in the source system", deal.external_id))
    return facts


def _credit(deal: Deal) -> list[Fact]:
    if deal.status == StageKind.OPEN:
        return []
    return [
        Fact("Owner", _name(deal.closed_owner)),
        Fact("Manager", _name(deal.closed_manager)),
        Fact("Team", deal.closed_team.name if deal.closed_team else NO_VALUE),
        Fact("Territory", deal.closed_territory.name if deal.closed_territory else NO_VALUE),
    ]


def _credit_note(deal: Deal) -> str:
    if deal.status == StageKind.OPEN:
        return (
            "Credit is fixed when the deal closes: its owner, their manager and team, "
            "and the territory then."
        )
    return f"As they stood on {_day(deal.closed_on)}; every report counts the deal for them."


def deal_history(deal: Deal) -> list[Step]:
    """The deal's history, oldest first: each tracked field that changed, from what to what."""
    changes = list(DealChange.objects.filter(deal=deal).select_related("changed_by"))
    stages = dict(Stage.objects.values_list("id", "name"))
    owners = {
        pk: person_name(first, last, login)
        for pk, first, last, login in User.objects.filter(
            pk__in={c.owner_id for c in changes if c.owner_id}
        ).values_list("id", "first_name", "last_name", "username")
    }
    steps = []
    before: DealChange | None = None
    for change in changes:
        steps.append(
            Step(
                when=local_time(change.changed_at),
                who=_name(change.changed_by) if change.changed_by else "import or system",
                what=_moves(before, change, stages, owners),
            )
        )
        before = change
    return steps


def _moves(before: DealChange | None, after: DealChange, stages: dict, owners: dict) -> list[str]:
    def shown(row: DealChange, name: str) -> str:
        value = getattr(row, name)
        if name == "stage_id":
            return stages.get(value, "a stage the source did not record")
        if name == "owner_id":
            return owners.get(value, NO_VALUE)
        if name == "amount":
            return _amount(value, row.currency)
        if name == "forecast_category":
            return row.get_forecast_category_display() or NO_VALUE
        return _day(value) if name in ("expected_close_on", "closed_on") else str(value or NO_VALUE)

    def label(name: str) -> str:
        return FIELD_NAMES.get(name, name).replace("_", " ").capitalize()

    if before is None:
        return [f"Created in {shown(after, 'stage_id')} at {shown(after, 'amount')}"]
    return [
        f"{label(name)}: {shown(before, name)} → {shown(after, name)}"
        for name in TRACKED
        if getattr(before, name) != getattr(after, name) and name != "currency"
    ]


def _payout(user: User, deal: Deal, today: date) -> Payout | None:
    """What the open deal would pay its owner, for those who may see the owner's pay."""
    if (
        deal.status != StageKind.OPEN
        or deal.owner is None
        or not access.can_see_pay_of(user, deal.owner)
    ):
        return None
    preview = deal_payout_preview(deal, deal.owner, today=today)
    if preview.plan is None:
        return Payout(
            NO_VALUE,
            f"{_name(deal.owner)} has no compensation plan on {preview.closes_on.isoformat()}.",
        )
    note = (
        f"If won at its amount on {preview.closes_on.isoformat()} under “{preview.plan}”: "
        f"the period's pay with the deal ({money(preview.total_with, deal.currency)}) "
        f"less without it ({money(preview.total_without, deal.currency)}), so tiers and caps count."
    )
    lines = [line.explanation for line in preview.lines]
    return Payout(money(preview.payout, deal.currency), note, lines)


def _activities(activities: QuerySet[Activity], context: str) -> Table:
    rows = [
        [
            Cell(local_time(a.occurred_at)),
            Cell(ActivityKind(a.kind).label),
            Cell(_name(a.rep)),
            Cell(a.deal.name if a.deal else "", deal_url(a.deal_id) if a.deal_id else None)
            if context == "account"
            else Cell(a.account.name if a.account else "", account_url(a.account_id)),
            Cell(a.outcome),
        ]
        for a in activities.select_related("rep", "deal", "account").order_by("-occurred_at")[
            :ACTIVITY_ROWS
        ]
    ]
    other = "Deal" if context == "account" else "Account"
    columns = [("When", False), ("Kind", False), ("Rep", False), (other, False), ("Outcome", False)]
    note = f"The latest {ACTIVITY_ROWS}." if len(rows) == ACTIVITY_ROWS else ""
    empty = f"No activity logged on this {context}."
    return Table("activities", "Activities", columns, rows, empty=empty, note=note, wide=True)


def account_record(user: User, pk: int, today: date) -> AccountRecord:
    accounts = access.visible_accounts(user).select_related("owner", "territory", "parent")
    account = _found(accounts, pk)
    deals = access.visible_deals(user).filter(account=account)
    return AccountRecord(
        account=account,
        facts=_account_facts(user, account),
        deals=_deals(deals),
        mrr=mrr_chart(account, today),
        subscriptions=_subscriptions(account),
        surveys=_surveys(account),
        survey_facts=[*survey_scores(account), _sentiment_fact(account, today)],
        voice=voice_table(account.survey_responses.all(), today),
        activities=_activities(access.visible_activities(user).filter(account=account), "account"),
        assignments=_assignments(account),
        segments=_segments(account),
    )


def _account_facts(user: User, account: Account) -> list[Fact]:
    parent = account.parent
    parent_url = (
        account_url(parent.pk)
        if parent and access.visible_accounts(user).filter(pk=parent.pk).exists()
        else None
    )
    segment = SegmentTier(account.segment).label if account.segment else NO_VALUE
    return [
        Fact("Owner", _name(account.owner)),
        Fact("Territory", account.territory.name if account.territory else NO_VALUE),
        Fact("Segment", segment),
        Fact("Industry", account.industry or NO_VALUE),
        Fact("Country", account.country or NO_VALUE),
        Fact("Employees", f"{account.employees:,}" if account.employees is not None else NO_VALUE),
        Fact("Annual revenue", _amount(account.annual_revenue, "USD")),
        Fact("Parent account", parent.name if parent else NO_VALUE, parent_url),
    ]


def _deals(deals: QuerySet[Deal]) -> Table:
    rows = [
        [
            Cell(d.name, deal_url(d.pk)),
            Cell(d.stage.name),
            Cell(_name(d.owner)),
            Cell(_day(d.created_on)),
            Cell(_day(d.closed_on or d.expected_close_on)),
            Cell(_amount(d.amount, d.currency), num=True),
        ]
        for d in deals.select_related("stage", "owner").order_by("-created_on", "-id")
    ]
    columns = [
        ("Deal", False),
        ("Stage", False),
        ("Owner", False),
        ("Created", False),
        ("Closed or expected", False),
        ("Amount", True),
    ]
    return Table(
        "deals",
        "Deals",
        columns,
        rows,
        empty="No deals on this account that you can see.",
        wide=True,
    )


def mrr_by_month(account: Account, today: date) -> list[tuple[date, Decimal]]:
    """The account's MRR on the first of each month from its first subscription to today."""
    first = account.subscriptions.aggregate(first=Min("start"))["first"]
    if first is None:
        return []
    days = []
    day = first.replace(day=1)
    while day <= today:
        days.append(day)
        day = (day + timedelta(days=32)).replace(day=1)
    days = days[-MRR_MONTHS:]
    sums = account.subscriptions.aggregate(
        **{f"m{i}": Sum("mrr", filter=active_on(day)) for i, day in enumerate(days)}
    )
    return [(day, sums[f"m{i}"] or Decimal(0)) for i, day in enumerate(days)]


def mrr_chart(account: Account, today: date) -> Chart:
    months = mrr_by_month(account, today)
    title = "MRR over time"
    if not months:
        return empty_chart("mrr", title, "No subscriptions: this account pays nothing recurring.")
    currency = account.subscriptions.values_list("currency", flat=True).first() or "USD"
    figure = figure_of(
        [
            go.Scatter(
                x=[d.isoformat() for d, _ in months],
                y=[float(v) for _, v in months],
                mode="lines",
                line={"color": BLUE, "shape": "hv"},
                name="MRR",
                hovertemplate=money_hover(currency),
            )
        ],
        height=260,
        yaxis=MONEY_AXIS,
        showlegend=False,
    )
    last, value = months[-1]
    note = f"On the first of each month; {money(value, currency)} on {last.isoformat()}."
    return chart("mrr", title, figure, note=note, wide=True)


def _subscriptions(account: Account) -> Table:
    subscriptions = account.subscriptions.select_related("product").order_by("-start", "-id")
    rows = [
        [
            Cell(s.product.name if s.product else NO_VALUE),
            Cell(_day(s.start)),
            Cell(_day(s.end) if s.end else "active"),
            Cell(money(s.mrr, s.currency), num=True),
        ]
        for s in subscriptions
    ]
    columns = [("Product", False), ("Start", False), ("End", False), ("MRR", True)]
    return Table("subscriptions", "Subscriptions", columns, rows, empty="No subscriptions.")


def survey_scores(account: Account) -> list[Fact]:
    """CSAT and NPS over every answer the account gave (the KPI definitions, one account)."""
    answers = list(account.survey_responses.values_list("kind", "score"))
    csats = [score for kind, score in answers if kind == SurveyKind.CSAT]
    npss = [score for kind, score in answers if kind == SurveyKind.NPS]
    csat_value = csat(sum(1 for s in csats if s >= 4), len(csats))
    nps_value = nps(sum(1 for s in npss if s >= 9), sum(1 for s in npss if s <= 6), len(npss))
    return [
        Fact(
            "CSAT", NO_VALUE if csat_value is None else f"{csat_value:.1f} ({len(csats)} answers)"
        ),
        Fact("NPS", NO_VALUE if nps_value is None else f"{nps_value:+.1f} ({len(npss)} answers)"),
    ]


def _sentiment_fact(account: Account, today: date) -> Fact:
    text, _ = account_sentiment_text(account.survey_responses.all(), today)
    return Fact("Comment sentiment", text)


def _surveys(account: Account) -> Table:
    answers = account.survey_responses.select_related("sentiment")
    rows = [
        [
            Cell(_day(s.responded_on)),
            Cell(s.get_kind_display()),
            Cell(str(s.score), num=True),
            Cell(s.comment),
            Cell(_comment_sentiment(s), num=True),
        ]
        for s in answers.order_by("-responded_on", "-id")
    ]
    columns = [
        ("Answered", False),
        ("Survey", False),
        ("Score", True),
        ("Comment", False),
        ("Sentiment", True),
    ]
    return Table("surveys", "Survey answers", columns, rows, empty="No survey answers yet.")


def _comment_sentiment(answer) -> str:
    found = getattr(answer, "sentiment", None) if answer.comment else None
    return "" if found is None else f"{found.compound:+.2f}"


def _assignments(account: Account) -> Table:
    rows = [
        [
            Cell(_day(a.start)),
            Cell(_day(a.end) if a.end else "now"),
            Cell(a.territory.name if a.territory else NO_VALUE),
            Cell(_name(a.owner)),
            Cell(a.source),
        ]
        for a in account.assignments.select_related("territory", "owner").order_by("-start", "-id")
    ]
    columns = [
        ("From", False),
        ("Until", False),
        ("Territory", False),
        ("Owner", False),
        ("By", False),
    ]
    return Table(
        "assignments",
        "Territory and owner history",
        columns,
        rows,
        empty="No territory or owner recorded over time.",
    )


def _segments(account: Account) -> Table:
    entries = AuditEntry.objects.filter(
        model="pipeline.Account", object_id=str(account.pk), changes__has_key="segment"
    ).select_related("actor")
    rows = []
    for entry in entries.order_by("-at", "-id"):
        old, new = entry.changes["segment"]
        if not (old or new):
            continue  # created without a segment
        rows.append(
            [
                Cell(local_time(entry.at)),
                Cell(_segment(old)),
                Cell(_segment(new)),
                Cell(_name(entry.actor) if entry.actor else "system"),
            ]
        )
    columns = [("When", False), ("From", False), ("To", False), ("By", False)]
    empty = "The segment has not changed since the account was created."
    return Table("segments", "Segment history", columns, rows, empty=empty)


def _segment(value: str | None) -> str:
    return SegmentTier(value).label if value in SegmentTier.values else NO_VALUE
