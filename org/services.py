"""Writes to the sales organisation."""

import hashlib
import secrets
from collections.abc import Iterable
from datetime import date

from django.utils import timezone

from org.models import ApiToken, ReportingLine, User


def api_token_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """A new token for `user`; returns it with the raw key, which is never stored."""
    key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, prefix=key[:8], key_hash=api_token_hash(key)
    )
    return token, key


def api_token_revoke(*, token: ApiToken) -> None:
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


def reporting_lines_sync(people: Iterable[User], on: date) -> int:
    """Record, from `on`, each person's manager and team where they differ from their current
    reporting line; return how many lines were opened.

    A person without any line yet gets one from the beginning of the records: nothing earlier
    is known of them. A second change on the same day replaces the first.
    """
    people = list(people)
    current = {
        line.person_id: line
        for line in ReportingLine.objects.filter(person__in=people, end__isnull=True)
    }
    opened = 0
    for person in people:
        line = current.get(person.pk)
        if line is None:
            ReportingLine.objects.create(person=person, manager_id=person.manager_id,
                                         team_id=person.team_id, start=None)  # fmt: skip
            opened += 1
            continue
        if (line.manager_id, line.team_id) == (person.manager_id, person.team_id):
            continue
        if line.start == on:
            line.delete()
        else:
            line.end = on
            line.save(update_fields=["end"])
        ReportingLine.objects.create(
            person=person, manager_id=person.manager_id, team_id=person.team_id, start=on
        )
        opened += 1
    return opened


def reporting_lines_on(pairs: set[tuple[int, date]]) -> dict[tuple[int, date], ReportingLine]:
    """{(person id, day): the reporting line in force that day}, for those that have one."""
    found: dict[tuple[int, date], ReportingLine] = {}
    if not pairs:
        return found
    lines = ReportingLine.objects.filter(person_id__in={person for person, _ in pairs})
    by_person: dict[int, list[ReportingLine]] = {}
    for line in lines:
        by_person.setdefault(line.person_id, []).append(line)
    for person, day in pairs:
        for line in by_person.get(person, []):
            if (line.start is None or line.start <= day) and (line.end is None or day < line.end):
                found[person, day] = line
    return found


def reporting_line_follow(sender: type[User], instance: User, **kwargs: object) -> None:
    """After a person is saved (admin, API, shell), their manager and team hold from today, or
    from the day set as `instance.effective_from` (checked by `reporting_move_refusal`)."""
    fields = kwargs.get("update_fields")
    if fields is not None and not {"manager", "team"} & set(fields):  # type: ignore[call-overload]
        return
    on = getattr(instance, "effective_from", None) or timezone.localdate()
    reporting_lines_sync([instance], on)


def reporting_move_refusal(person: User, on: date) -> str | None:
    """Why a change of manager or team cannot take effect on `on` (None: it can).

    Not in the future (make the change that day), nor before the person's current reporting
    line began (history is kept in order). A back-dated move does not move the credit of
    deals closed since: it was stamped when they closed; re-credit them if they should follow.
    """
    today = timezone.localdate()
    if on > today:
        return f"{on.isoformat()} is in the future: make the change on that day."
    line = ReportingLine.objects.filter(person=person, end__isnull=True).first()
    if person.pk and line is not None and line.start is not None and on < line.start:
        return (
            f"{person.get_full_name() or person.username}'s current reporting line starts on "
            f"{line.start.isoformat()}: a change cannot take effect before it."
        )
    return None
