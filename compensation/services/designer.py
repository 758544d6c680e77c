"""The plan designer: a plan with one tiered commission, an optional SPIF and its reps, saved
in one go. A plan already paid on statements is never edited in place: the change becomes a new
version from a date, so past statements keep the version they used."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from compensation.models import CompPlan, PlanAssignment, PlanComponent, Statement
from compensation.services.plans import plan_component_save
from org.models import User
from pipeline.models import Product

COMMISSION = "Commission"
SPIF = "SPIF"
PLAN_FIELDS = ("period", "quota_metric", "cap", "draw", "draw_recoverable", "clawback_days")


@dataclass
class PlanDraft:
    name: str
    start: date
    period: str = "month"
    quota_metric: str = "bookings"
    base: str = "bookings"
    cap: Decimal | None = None
    draw: Decimal | None = None
    draw_recoverable: bool = True
    clawback_days: int = 0
    tiers: Sequence[tuple[Decimal, Decimal]] = ()  # (attainment % from, rate %)
    spif_product: Product | None = None
    spif_fixed: Decimal | None = None
    spif_from: date | None = None
    spif_to: date | None = None
    reps: Sequence[User] = field(default_factory=list)


def tiers_check(tiers: Sequence[tuple[Decimal, Decimal]]) -> None:
    """The rate table starts at 0 %, climbs, and has no negative rate; each problem names its
    row (counting from 1)."""
    problems = []
    if not tiers:
        problems.append("Give at least one tier.")
    elif tiers[0][0] != 0:
        problems.append(f"Row 1 starts at {tiers[0][0]} %: the first tier starts at 0 %.")
    for row, (floor, rate) in enumerate(tiers, 1):
        if rate < 0:
            problems.append(f"Row {row}: a rate cannot be negative ({rate} %).")
        if row > 1 and floor <= tiers[row - 2][0]:
            problems.append(
                f"Row {row} starts at {floor} %, not above row {row - 1}'s {tiers[row - 2][0]} %."
            )
    if problems:
        raise ValidationError({"tiers": problems})


def _spif_check(draft: PlanDraft) -> None:
    if draft.spif_product is None:
        if draft.spif_fixed is not None:
            raise ValidationError({"spif_product": "Say which product the SPIF pays on."})
        return
    if draft.spif_fixed is None:
        raise ValidationError({"spif_fixed": "Say what the SPIF pays per deal."})


def plan_design_save(
    *, draft: PlanDraft, plan: CompPlan | None = None, effective: date | None = None
) -> CompPlan:
    """Create a plan from `draft`, or change `plan` to it. A plan that statements already use
    is ended the day before `effective` and the draft becomes a new plan from then, its reps
    moving with it; a plan no statement uses is changed in place."""
    tiers_check(draft.tiers)
    _spif_check(draft)
    with transaction.atomic():
        if plan is not None and Statement.objects.filter(plan=plan).exists():
            return _new_version(plan, draft, effective)
        plan = plan or CompPlan(name=draft.name)
        plan.name, plan.start = draft.name, draft.start
        for name in PLAN_FIELDS:
            setattr(plan, name, getattr(draft, name))
        plan.full_clean()
        plan.save()
        _components_save(plan, draft)
        _reps_assign(plan, draft.reps, draft.start)
    return plan


def _new_version(old: CompPlan, draft: PlanDraft, effective: date | None) -> CompPlan:
    if effective is None or effective <= old.start:
        raise ValidationError(
            {"effective": "Statements use this plan: say from which day the change holds "
             f"(after {old.start.isoformat()})."}
        )  # fmt: skip
    paid = Statement.objects.filter(plan=old, end__gt=effective, status="closed")
    if paid.exists():
        raise ValidationError(
            {"effective": "Closed statements on this plan run past that day: start the new "
             "version after the last closed period."}
        )  # fmt: skip
    old.end = effective - timedelta(days=1)
    old.full_clean()
    old.save()
    name = draft.name if draft.name != old.name else f"{old.name} (from {effective.isoformat()})"
    new = CompPlan(name=name, start=effective)
    for attribute in PLAN_FIELDS:
        setattr(new, attribute, getattr(draft, attribute))
    new.full_clean()
    new.save()
    _components_save(new, draft)
    moving = list(draft.reps) or [a.rep for a in old.assignments.filter(end__isnull=True)]
    for assignment in old.assignments.filter(end__isnull=True, start__lt=effective):
        assignment.end = old.end
        assignment.save()
    _reps_assign(new, moving, effective)
    return new


def _components_save(plan: CompPlan, draft: PlanDraft) -> None:
    commission = plan.components.filter(kind="commission").first() or PlanComponent(
        plan=plan, name=COMMISSION, kind="commission"
    )
    commission.base = draft.base
    plan_component_save(component=commission, tiers=draft.tiers)
    spif = plan.components.filter(kind="spif").first()
    if draft.spif_product is None:
        if spif is not None:
            spif.delete()
        return
    spif = spif or PlanComponent(plan=plan, name=SPIF, kind="spif", order=1)
    spif.spif_product, spif.spif_fixed = draft.spif_product, draft.spif_fixed
    spif.spif_from, spif.spif_to = draft.spif_from, draft.spif_to
    plan_component_save(component=spif)


def _reps_assign(plan: CompPlan, reps: Sequence[User], start: date) -> None:
    """Put the reps on the plan from `start` (those already on it stay as they are)."""
    on_plan = set(plan.assignments.values_list("rep_id", flat=True))
    for rep in reps:
        if rep.pk in on_plan:
            continue
        assignment = PlanAssignment(rep=rep, plan=plan, start=start)
        try:
            assignment.full_clean()
        except ValidationError as error:
            raise ValidationError({"reps": f"{rep}: {' '.join(error.messages)}"}) from error
        assignment.save()
