"""Deal plans into the database through the model layer, so every step lands in deal history.

Each deal is created in its first stage, then its later steps are replayed in rounds (second
step of every deal, then third...); the queryset records one history row per deal that moved,
at the step's own time. Django's bulk_update costs a CASE branch per deal and field, which made
it most of the load time, so deals that only change stage (all to the same one within a round)
move with one recorded `update()`; closing and repricing, with values per deal, `bulk_update`.
"""

from datetime import datetime
from typing import Protocol, cast

from django.db.models import Model

from demo.context import DemoContext
from demo.deals import OPEN_STAGES, RENEWAL, Plan, Step
from pipeline.models import Deal, Stage

WON_FIELDS = ("stage", "closed_on")
LOST_FIELDS = ("stage", "closed_on", "lost_reason")
BATCH_SIZE = 500
# Keeps every `pk IN (...)` the history layer runs under SQLite's limit on query parameters.
CHUNK = 5000


class Replayed(Protocol):
    """What `_deal` attaches to each unsaved deal: its plan and when its latest step happened."""

    demo_plan: Plan
    demo_at: datetime


def replayed(deal: Model) -> Replayed:
    """The deal as `_deal` left it, with its demo attributes (a plain cast, no copy)."""
    return cast(Replayed, deal)


def deals_write(ctx: DemoContext, plans: list[Plan], stages: dict[str, Stage]) -> list[Deal]:
    deals = [_deal(ctx, plan, stages, number) for number, plan in enumerate(plans, start=1)]
    Deal.objects.bulk_create(deals, batch_size=BATCH_SIZE, changed_at=_when)
    for index in range(1, len(OPEN_STAGES) + 1):
        moving = [deal for deal in deals if len(replayed(deal).demo_plan.steps) > index]
        groups: dict[tuple[str, ...], list[Deal]] = {}
        for deal in moving:
            fields = _advance(ctx, deal, replayed(deal).demo_plan.steps[index], stages)
            groups.setdefault(fields, []).append(deal)
        for fields, group in groups.items():
            for start in range(0, len(group), CHUNK):
                _write(group[start : start + CHUNK], fields)
    return deals


def _write(deals: list[Deal], fields: tuple[str, ...]) -> None:
    if fields != ("stage",):
        Deal.objects.bulk_update(deals, fields, batch_size=BATCH_SIZE, changed_at=_when)
        return
    when = {deal.pk: replayed(deal).demo_at for deal in deals}
    Deal.objects.filter(pk__in=when).update(
        stage=deals[0].stage, changed_at=lambda deal: when[deal.pk]
    )


def _when(deal: Model) -> datetime:
    return replayed(deal).demo_at


def _deal(ctx: DemoContext, plan: Plan, stages: dict[str, Stage], number: int) -> Deal:
    first = plan.steps[0]
    assert plan.product is not None  # `_shape` gives every plan a product
    label = f"{plan.account.name} - {plan.product.name}"
    deal = Deal(
        external_id=f"DEMO-D{number:06d}",
        name=f"{label} renewal" if plan.kind == RENEWAL else label,
        account=plan.account,
        owner=plan.rep.user,
        product=plan.product,
        territory=plan.rep.territory_on(plan.closed_on or plan.created),
        amount=plan.amount,
        stage=stages[first.stage],
        type=plan.kind,
        created_on=plan.created,
        expected_close_on=plan.expected,
    )
    replayed(deal).demo_plan = plan
    replayed(deal).demo_at = ctx.at(first.day, first.minute)
    return deal


def _advance(ctx: DemoContext, deal: Deal, step: Step, stages: dict[str, Stage]) -> tuple[str, ...]:
    """Move the deal to the step; returns the fields that changed."""
    plan = replayed(deal).demo_plan
    deal.stage = stages[step.stage]
    replayed(deal).demo_at = ctx.at(step.day, step.minute)
    if deal.stage.kind != "open":
        deal.closed_on, deal.lost_reason = step.day, plan.lost_reason
        return WON_FIELDS if deal.stage.kind == "won" else LOST_FIELDS
    if step.stage == "Negotiation" and deal.amount != plan.final_amount:
        deal.amount = plan.final_amount
        return ("stage", "amount")
    return ("stage",)
