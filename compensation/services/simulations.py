"""What pay would be: an open deal won, or a changed plan or quota over a past period.

Both run the engine over the real data and save nothing.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone

from compensation import engine
from compensation.models import CompPlan, DealCredit, PlanAssignment
from compensation.selectors import (
    RepInputs,
    assignments_in,
    pay_period,
    period_inputs,
    plan_terms,
)
from core.periods import Period, period_containing
from org.models import User
from pipeline.models import Billing, Deal, DealType

ZERO = Decimal(0)
PLAN_FIELDS = {"cap", "draw", "draw_recoverable", "margin_percent", "clawback_days"}
COMPONENT_FIELDS = {"tiers", "thresholds", "cap", "fixed", "percent", "min_amount"}


@dataclass(frozen=True)
class PayoutPreview:
    rep_id: int
    deal_id: int
    plan: str | None
    period: Period | None
    closes_on: date
    credit: Decimal
    payout: Decimal  # the period's pay with the deal won, less without it
    total_without: Decimal
    total_with: Decimal
    lines: tuple[engine.Line, ...]  # the deal's own lines


def deal_credit_of(deal: Deal, rep: User) -> Decimal:
    """The rep's share of the deal, %: their split, or 100 for the owner of an unsplit deal."""
    shares = dict(DealCredit.objects.filter(deal=deal).values_list("rep_id", "percent"))
    if shares:
        return shares.get(rep.pk, ZERO)
    return Decimal(100) if deal.owner_id == rep.pk else ZERO


def _plan_on(rep: User, day: date) -> CompPlan | None:
    covering = Q(start__lte=day) & (Q(end__isnull=True) | Q(end__gte=day))
    in_force = Q(plan__start__lte=day) & (Q(plan__end__isnull=True) | Q(plan__end__gte=day))
    assignment = (
        PlanAssignment.objects.filter(covering, in_force, rep=rep)
        .select_related("plan")
        .order_by("-start")
        .first()
    )
    return assignment.plan if assignment else None


def _as_won(deal: Deal, credit: Decimal, closes_on: date) -> engine.CreditedDeal:
    return engine.CreditedDeal(
        deal_id=deal.pk,
        name=deal.name,
        amount=deal.amount or ZERO,
        credit=credit,
        closed_on=closes_on,
        product_id=deal.product_id,
        recurring=bool(deal.product and deal.product.billing == Billing.RECURRING),
        new_business=deal.type == DealType.NEW_BUSINESS,
    )


def _rep_inputs(rep: User, plan: CompPlan, span: Period) -> RepInputs | None:
    found = period_inputs(plan.period, span, [rep.pk])
    return found[0] if found else None


def deal_payout_preview(deal: Deal, rep: User, *, today: date | None = None) -> PayoutPreview:
    """What `deal` would pay `rep` if won at its amount, today or on its expected close date if
    that is later: the rep's pay for that period with the deal won, less their pay without it
    (so tiers, bonuses, caps and draws all count)."""
    today = today or timezone.localdate()
    closes_on = max(deal.expected_close_on or today, today)
    credit = deal_credit_of(deal, rep)
    plan = _plan_on(rep, closes_on)
    span = period_containing(closes_on, plan.period) if plan else None
    inputs = _rep_inputs(rep, plan, span) if plan and span is not None else None
    if inputs is None or not credit or not deal.amount:
        nothing = PayoutPreview(
            rep.pk, deal.pk, None, span, closes_on, credit, ZERO, ZERO, ZERO, ()
        )
        return replace(nothing, plan=plan.name if plan else None)
    assert plan is not None and span is not None  # inputs come from the plan's period
    others = tuple(d for d in inputs.deals if d.deal_id != deal.pk)
    without = replace(inputs, deals=others).compute(span)
    won = replace(inputs, deals=(*others, _as_won(deal, credit, closes_on))).compute(span)
    return PayoutPreview(
        rep_id=rep.pk,
        deal_id=deal.pk,
        plan=plan.name,
        period=span,
        closes_on=closes_on,
        credit=credit,
        payout=won.total - without.total,
        total_without=without.total,
        total_with=won.total,
        lines=won.lines_for(deal.pk),
    )


@dataclass(frozen=True)
class WhatIfRow:
    rep_id: int
    rep: str
    quota_before: Decimal | None
    quota_after: Decimal | None
    before: Decimal
    after: Decimal

    @property
    def change(self) -> Decimal:
        return self.after - self.before


@dataclass(frozen=True)
class WhatIf:
    plan: str
    period: Period
    rows: tuple[WhatIfRow, ...]

    @property
    def before(self) -> Decimal:
        return sum((row.before for row in self.rows), ZERO)

    @property
    def after(self) -> Decimal:
        return sum((row.after for row in self.rows), ZERO)

    @property
    def change(self) -> Decimal:
        return self.after - self.before


def _changed_component(component, change: Mapping[str, object]):
    unknown = set(change) - COMPONENT_FIELDS
    allowed = {name for name in change if hasattr(component, name)}
    if unknown or allowed != set(change):
        wrong = ", ".join(sorted(set(change) - allowed))
        raise ValidationError({"components": f"{component.name} has no {wrong} to change."})
    return replace(component, **{name: change[name] for name in allowed})


def terms_changed(terms: engine.Plan, changes: Mapping[str, Any]) -> engine.Plan:
    """The plan with `changes`: any of cap, draw, draw_recoverable, margin_percent,
    clawback_days, and "components": {name: {tiers, thresholds, cap, fixed, percent,
    min_amount}} (tiers as engine.Tier, thresholds as engine.Threshold)."""
    unknown = set(changes) - PLAN_FIELDS - {"components"}
    if unknown:
        raise ValidationError({"changes": f"Cannot change {', '.join(sorted(unknown))}."})
    per_component = dict(changes.get("components") or {})
    groups: dict[str, Any] = {}
    for group in ("commissions", "spifs", "bonuses"):
        groups[group] = tuple(
            _changed_component(c, per_component.pop(c.name)) if c.name in per_component else c
            for c in getattr(terms, group)
        )
    if per_component:
        raise ValidationError({"components": f"No component named {', '.join(per_component)}."})
    return replace(terms, **{k: v for k, v in changes.items() if k in PLAN_FIELDS}, **groups)


def _quota_after(
    rep: RepInputs, quota_percent: Decimal | None, quotas: Mapping[int, Decimal]
) -> Decimal | None:
    if rep.rep_id in quotas:
        return quotas[rep.rep_id]
    if quota_percent is not None and rep.quota is not None:
        return rep.quota * quota_percent / 100
    return rep.quota


def plan_what_if(
    *,
    plan: CompPlan,
    start: date,
    changes: Mapping[str, object] | None = None,
    quota_percent: Decimal | None = None,
    quotas: Mapping[int, Decimal] | None = None,
) -> WhatIf:
    """Each rep's pay on `plan` for the period starting `start`, over that period's real deals,
    as the plan stands and with `changes` (see `terms_changed`), with quotas scaled to
    `quota_percent` % or set per rep id by `quotas`. Nothing is saved."""
    span = pay_period(plan.period, start)
    on_plan = [a.rep_id for a in assignments_in(span, plan.period).values() if a.plan_id == plan.pk]
    inputs = period_inputs(plan.period, span, on_plan)
    changed = terms_changed(inputs[0].terms if inputs else plan_terms(plan), changes or {})
    names = {user.pk: str(user) for user in User.objects.filter(pk__in=on_plan)}
    rows = []
    for rep in inputs:
        quota = _quota_after(rep, quota_percent, quotas or {})
        after = replace(rep, terms=changed, quota=quota).compute(span)
        before = rep.compute(span).total
        rows.append(WhatIfRow(rep.rep_id, names[rep.rep_id], rep.quota, quota, before, after.total))
    return WhatIf(plan.name, span, tuple(rows))


@dataclass(frozen=True)
class CommitPreview:
    plan: str | None
    period: Period | None
    deals: int
    amount: Decimal  # the deals' amounts, whole
    total_now: Decimal
    total_with: Decimal

    @property
    def gain(self) -> Decimal:
        return self.total_with - self.total_now


def commit_payout_preview(
    rep: User, deals: Iterable[Deal], *, today: date | None = None
) -> CommitPreview:
    """The rep's pay for the period holding `today` as it stands, and with every deal of
    `deals` (open deals, already scoped) won today at its amount and the rep's credit. The
    engine runs once each way; nothing is saved."""
    today = today or timezone.localdate()
    plan = _plan_on(rep, today)
    span = period_containing(today, plan.period) if plan else None
    inputs = _rep_inputs(rep, plan, span) if plan and span is not None else None
    deals = [deal for deal in deals if deal.amount]
    if inputs is None or span is None:
        return CommitPreview(None, span, len(deals), ZERO, ZERO, ZERO)
    won = [_as_won(deal, deal_credit_of(deal, rep), today) for deal in deals]
    won = [deal for deal in won if deal.credit]
    now = inputs.compute(span).total
    ids = {deal.deal_id for deal in won}
    others = tuple(d for d in inputs.deals if d.deal_id not in ids)
    after = replace(inputs, deals=(*others, *won)).compute(span).total
    amount = sum((deal.amount for deal in won), ZERO)
    return CommitPreview(plan.name if plan else None, span, len(won), amount, now, after)


def commit_deals(deals: QuerySet[Deal]) -> QuerySet[Deal]:
    """The open deals of `deals` in the commit forecast category (the deal's own, else its
    stage's)."""
    commit = Q(forecast_category="commit") | Q(
        forecast_category="", stage__forecast_category="commit"
    )
    return deals.filter(commit, status="open")
