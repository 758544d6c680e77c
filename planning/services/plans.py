"""Territory plans: draft one from today's assignments, edit it, activate it on a date."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from org.models import User
from pipeline.accounts import moves_apply
from pipeline.models import Account
from planning.models import PlannedAccount, PlanStatus, TerritoryPlan
from planning.selectors.plans import plan_moves
from territories.models import Territory


def plan_draft(*, name: str) -> TerritoryPlan:
    """A new draft that starts as a copy of where every account is today."""
    plan = TerritoryPlan(name=name)
    plan.full_clean()
    with transaction.atomic():
        plan.save()
        rows = Account.objects.values_list("pk", "territory_id", "owner_id")
        PlannedAccount.objects.bulk_create(
            [
                PlannedAccount(plan=plan, account_id=a, territory_id=t, owner_id=o)
                for a, t, o in rows
            ],
            batch_size=2000,
        )
    return plan


def plan_set(
    *, plan: TerritoryPlan, account: Account, territory: Territory | None, owner: User | None
) -> PlannedAccount:
    """Put one account somewhere else in a draft; a territory closed by then is refused."""
    if plan.status != PlanStatus.DRAFT:
        raise ValidationError({"plan": "Only a draft plan changes."})
    on = plan.effective_on or timezone.localdate()
    if territory is not None and territory.is_closed(on):
        raise ValidationError({"territory": f"{territory} is closed from {territory.closed_on}."})
    row, _ = PlannedAccount.objects.update_or_create(
        plan=plan, account=account, defaults={"territory": territory, "owner": owner}
    )
    return row


def plan_activate(*, plan: TerritoryPlan, on: date, actor: User | None = None) -> int:
    """Activate a draft on `on`: today or earlier moves the accounts now (with history) and
    archives the plan that was active; a later day schedules it for `plans_activate_due`.
    Returns the number of accounts moved."""
    if plan.status != PlanStatus.DRAFT:
        raise ValidationError({"plan": "Only a draft plan is activated."})
    plan.effective_on = on
    if on > timezone.localdate():
        plan.save(update_fields=["effective_on"])
        return 0
    with transaction.atomic():
        TerritoryPlan.objects.filter(status=PlanStatus.ACTIVE).update(status=PlanStatus.ARCHIVED)
        claimed = TerritoryPlan.objects.filter(pk=plan.pk, status=PlanStatus.DRAFT).update(
            status=PlanStatus.ACTIVE, effective_on=on, activated_at=timezone.now()
        )
        if not claimed:  # activated by someone else meanwhile: undo the archiving
            raise ValidationError({"plan": "This plan was activated meanwhile."})
        moved = moves_apply(moves=plan_moves(plan), on=on, source="plan", actor=actor)
    plan.refresh_from_db()
    return moved


def plans_activate_due(*, today: date) -> list[str]:
    """Activate the drafts whose day has come, oldest day first; returns their names."""
    due = TerritoryPlan.objects.filter(status=PlanStatus.DRAFT, effective_on__lte=today)
    names = []
    for plan in due.order_by("effective_on", "id"):
        assert plan.effective_on is not None  # filtered on effective_on__lte
        plan_activate(plan=plan, on=plan.effective_on)
        names.append(plan.name)
    return names
