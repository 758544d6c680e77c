"""The plan designer: a plan with its components (commissions with rate tables, SPIFs, bonuses
at attainment thresholds) and its assignments, saved in one go. A plan already paid on
statements is never edited in place: the change becomes a new version from a date, so past
statements keep the version they used.

Problems are raised as a `ValidationError` keyed by where they are: a plan field's name,
`component-<n>` or `assignment-<n>` (counting the draft's rows from 1)."""

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

PLAN_FIELDS = (
    *("end", "period", "quota_metric", "currency", "margin_percent", "team_override"),
    *("cap", "draw", "draw_recoverable", "clawback_days"),
)
SPIF_FIELDS = (
    *("spif_product", "spif_from", "spif_to", "spif_min_amount", "spif_fixed", "spif_percent"),
)
Rows = Sequence[tuple[Decimal, Decimal]]


@dataclass
class ComponentDraft:
    name: str
    kind: str = "commission"
    base: str = ""
    cap: Decimal | None = None
    tiers: Rows = ()  # (attainment % from, rate %), commissions only
    thresholds: Rows = ()  # (attainment %, amount), bonuses only
    spif_product: Product | None = None
    spif_from: date | None = None
    spif_to: date | None = None
    spif_min_amount: Decimal | None = None
    spif_fixed: Decimal | None = None
    spif_percent: Decimal | None = None


@dataclass
class AssignmentDraft:
    rep: User
    start: date
    end: date | None = None


@dataclass
class PlanDraft:
    name: str
    start: date
    end: date | None = None
    period: str = "month"
    quota_metric: str = "bookings"
    currency: str = "USD"
    margin_percent: Decimal = Decimal(0)
    team_override: bool = False
    cap: Decimal | None = None
    draw: Decimal | None = None
    draw_recoverable: bool = True
    clawback_days: int = 0
    components: Sequence[ComponentDraft] = ()
    assignments: Sequence[AssignmentDraft] = field(default_factory=list)


def tiers_check(tiers: Rows) -> list[str]:
    """What is wrong with a rate table (it starts at 0 %, climbs, has no negative rate), each
    problem naming its row (counting from 1)."""
    if not tiers:
        return ["give at least one tier row."]
    problems = []
    if tiers[0][0] != 0:
        problems.append(f"tier row 1 starts at {tiers[0][0]} %: the first tier starts at 0 %.")
    for row, (floor, rate) in enumerate(tiers, 1):
        if rate < 0:
            problems.append(f"tier row {row}: a rate cannot be negative ({rate} %).")
        if row > 1 and floor <= tiers[row - 2][0]:
            problems.append(
                f"tier row {row} starts at {floor} %, not above row {row - 1}'s "
                f"{tiers[row - 2][0]} %."
            )
    return problems


def thresholds_check(thresholds: Rows) -> list[str]:
    """What is wrong with a bonus's thresholds: at least one, each at its own attainment, no
    negative attainment or amount."""
    if not thresholds:
        return ["give at least one threshold."]
    problems, seen = [], set()
    for row, (attainment, amount) in enumerate(thresholds, 1):
        if attainment < 0 or amount < 0:
            problems.append(f"threshold {row}: attainment and amount cannot be negative.")
        if attainment in seen:
            problems.append(f"threshold {row}: another threshold is already at {attainment} %.")
        seen.add(attainment)
    return problems


def _spif_check(spif: ComponentDraft) -> list[str]:
    if (spif.spif_fixed is None) == (spif.spif_percent is None):
        return ["a SPIF pays either a fixed amount per deal or a percent of it: give one."]
    return []


def component_problems(component: ComponentDraft) -> list[str]:
    """What is wrong with one component, by its kind."""
    if component.kind == "commission":
        if not component.base:
            return ["say what the commission pays on."]
        return tiers_check(component.tiers)
    if component.kind == "bonus":
        return thresholds_check(component.thresholds)
    return _spif_check(component)


def components_check(components: Sequence[ComponentDraft]) -> None:
    """Every component is sound and has its own name; problems are keyed by its position."""
    problems: dict[str, list[str]] = {}
    names: set[str] = set()
    for number, component in enumerate(components, 1):
        found = component_problems(component)
        if component.name in names:
            found.append("another component already has this name.")
        names.add(component.name)
        if found:
            problems[f"component-{number}"] = found
    if not components:
        problems["components"] = ["Give the plan at least one component."]
    if problems:
        raise ValidationError(problems)


def plan_design_save(
    *, draft: PlanDraft, plan: CompPlan | None = None, effective: date | None = None
) -> CompPlan:
    """Create a plan from `draft`, or change `plan` to it. A plan that statements already use
    is ended the day before `effective` and the draft becomes a new plan from then, its open
    assignments moving with it; a plan no statement uses is changed in place."""
    components_check(draft.components)
    with transaction.atomic():
        if plan is not None and Statement.objects.filter(plan=plan).exists():
            return _new_version(plan, draft, effective)
        plan = plan or CompPlan(name=draft.name)
        plan.name, plan.start = draft.name, draft.start
        _plan_save(plan, draft)
        _components_save(plan, draft.components)
        for assignment in plan.assignments.all():
            assignment.delete()
        _assignments_save(plan, draft.assignments)
    return plan


def _plan_save(plan: CompPlan, draft: PlanDraft) -> None:
    for name in PLAN_FIELDS:
        setattr(plan, name, getattr(draft, name))
    plan.full_clean()
    plan.save()


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
    _plan_save(new, draft)
    _components_save(new, draft.components)
    _assignments_split(old, effective)
    moving = [a for a in draft.assignments if a.end is None or a.end >= effective]
    _assignments_save(new, [AssignmentDraft(a.rep, max(a.start, effective), a.end) for a in moving])
    return new


def _assignments_split(old: CompPlan, effective: date) -> None:
    """The old version keeps its assignments up to the day before `effective`."""
    for moved in old.assignments.filter(start__gte=effective):
        moved.delete()
    for assignment in old.assignments.exclude(end__lt=effective):
        assignment.end = old.end
        assignment.save()


def _components_save(plan: CompPlan, components: Sequence[ComponentDraft]) -> None:
    """Replace the plan's components by the draft's, in its order."""
    for old in plan.components.all():
        old.delete()  # one by one, so the audit log records each
    for number, draft in enumerate(components, 1):
        component = PlanComponent(plan=plan, name=draft.name, kind=draft.kind, order=number)
        component.cap = draft.cap
        component.base = draft.base if draft.kind == "commission" else ""
        if draft.kind == "spif":
            for name in SPIF_FIELDS:
                setattr(component, name, getattr(draft, name))
        tiers = draft.tiers if draft.kind == "commission" else None
        thresholds = draft.thresholds if draft.kind == "bonus" else None
        try:
            plan_component_save(component=component, tiers=tiers, thresholds=thresholds)
        except ValidationError as error:
            raise ValidationError({f"component-{number}": error.messages}) from error


def _assignments_save(plan: CompPlan, assignments: Sequence[AssignmentDraft]) -> None:
    for number, draft in enumerate(assignments, 1):
        assignment = PlanAssignment(rep=draft.rep, plan=plan, start=draft.start, end=draft.end)
        try:
            assignment.full_clean()
        except ValidationError as error:
            problems = [f"{draft.rep}: {m}" for m in error.messages]
            raise ValidationError({f"assignment-{number}": problems}) from error
        assignment.save()
