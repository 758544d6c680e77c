"""Moving accounts between territories and owners, with their history kept."""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from org.models import User
from pipeline.models import Account, AccountAssignment, Deal, StageKind
from territories.models import Territory


@dataclass(frozen=True)
class Move:
    """One account's proposed new territory and owner."""

    account_id: int
    account: str
    territory_from: int | None
    territory_to: int | None
    owner_from: int | None
    owner_to: int | None
    reason: str = ""


def account_assign(
    *,
    account: Account,
    territory: Territory | None,
    owner: User | None,
    on: date,
    source: str = "manual",
    actor: User | None = None,
) -> bool:
    """Give `account` this territory and owner from `on` (today or earlier) and keep the history.

    Its open deals placed in its old territory move along; closed deals keep their credit.

    Refuses a territory closed by `on`, a date in the future and a date before the current
    assignment began. Returns False when nothing changes.
    """
    if on > timezone.localdate():
        raise ValidationError({"on": "An account is reassigned today or in the past."})
    if territory is not None and territory.is_closed(on):
        raise ValidationError({"territory": f"{territory} is closed from {territory.closed_on}."})
    new = (territory.pk if territory else None, owner.pk if owner else None)
    with transaction.atomic():
        account = Account.objects.select_for_update().get(pk=account.pk)
        if (account.territory_id, account.owner_id) == new:
            return False
        _end_current(account, on)
        AccountAssignment.objects.create(
            account=account, territory_id=new[0], owner_id=new[1], start=on, source=source,
            changed_by=actor,
        )  # fmt: skip
        Account.objects.filter(pk=account.pk).update(territory_id=new[0], owner_id=new[1])
        # Open deals placed in the account's old territory move with it; closed ones keep theirs.
        open_deals = Deal.objects.filter(account=account, status=StageKind.OPEN)
        open_deals.filter(territory=account.territory_id).update(territory_id=new[0])
    return True


def _end_current(account: Account, on: date) -> None:
    """Close the row in force (writing the account's first one if it has none)."""
    current = AccountAssignment.objects.filter(account=account, end__isnull=True).first()
    if current is None:
        _first_row(account, on)
        return
    if on < current.start:
        raise ValidationError({"on": f"The current assignment began on {current.start}."})
    if on == current.start:
        current.delete()  # replaced the same day: the new row says it all
    else:
        current.end = on
        current.save(update_fields=["end"])


def _first_row(account: Account, on: date) -> None:
    """What the account had before its first recorded change, since its first deal."""
    since = account.deals.aggregate(first=Min("created_on"))["first"]
    if since is None or since >= on:
        return
    AccountAssignment.objects.create(
        account=account, territory_id=account.territory_id, owner_id=account.owner_id,
        start=since, end=on, source="initial",
    )  # fmt: skip


def moves_apply(*, moves: list[Move], on: date, source: str, actor: User | None) -> int:
    """Apply moves in one transaction (all or none); returns how many accounts changed."""
    territories = Territory.objects.in_bulk({m.territory_to for m in moves} - {None})
    owners = User.objects.in_bulk({m.owner_to for m in moves} - {None})
    accounts = Account.objects.in_bulk([m.account_id for m in moves])
    changed = 0
    with transaction.atomic():
        for move in moves:
            changed += account_assign(
                account=accounts[move.account_id],
                territory=territories.get(move.territory_to),
                owner=owners.get(move.owner_to),
                on=on,
                source=source,
                actor=actor,
            )
    return changed
