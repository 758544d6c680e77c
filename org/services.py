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
    """After a person is saved (admin, API, shell), their manager and team hold from today."""
    fields = kwargs.get("update_fields")
    if fields is not None and not {"manager", "team"} & set(fields):  # type: ignore[call-overload]
        return
    reporting_lines_sync([instance], timezone.localdate())
