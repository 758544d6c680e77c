"""The audit log: every save or delete of an audited model, by any path that sends signals.

Who did it comes from the request (set by `AuditActorMiddleware`); commands and tasks record no
actor. Bulk writes skip signals, so services that bulk-write audited models call `audit_write`.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import DecimalField, Field, Model
from django.db.models.signals import post_delete, post_save, pre_save
from django.http import HttpRequest, HttpResponse

AUDITED = {
    "quotas.Quota": ("rep", "team", "territory", "period", "start", "metric", "amount", "currency"),
    "territories.Territory": ("name", "kind", "parent", "closed_on"),
    "territories.TerritoryAssignment": ("rep", "territory", "start", "end", "capacity"),
    "planning.AssignmentRule": (
        "name",
        "priority",
        "active",
        "countries",
        "region",
        "industries",
        "min_employees",
        "max_employees",
        "min_revenue",
        "max_revenue",
        "territory",
        "owner",
    ),
    "planning.IcpCriterion": ("attribute", "values", "minimum", "maximum", "weight"),
    "org.Team": ("name", "manager"),
    "org.User": ("role", "manager", "team", "is_active", "is_superuser"),
    "compensation.CompPlan": (
        "name",
        "start",
        "end",
        "period",
        "quota_metric",
        "currency",
        "margin_percent",
        "cap",
        "draw",
        "draw_recoverable",
        "clawback_days",
        "team_override",
    ),
    "compensation.PlanComponent": (
        "plan",
        "name",
        "kind",
        "order",
        "base",
        "cap",
        "spif_product",
        "spif_from",
        "spif_to",
        "spif_min_amount",
        "spif_fixed",
        "spif_percent",
    ),
    "compensation.RateTier": ("component", "floor", "rate"),
    "compensation.BonusThreshold": ("component", "attainment", "amount"),
    "compensation.PlanAssignment": ("rep", "plan", "start", "end"),
    "compensation.DealCredit": ("deal", "rep", "percent"),
    "pipeline.Account": ("segment",),
}
_actor: ContextVar[Any] = ContextVar("audit_actor", default=None)


def _plain(field: Field, value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal | int) and isinstance(field, DecimalField):
        return f"{Decimal(value):.{field.decimal_places}f}"
    return value


def audit_state(instance: Model, fields: tuple[str, ...]) -> dict[str, Any]:
    state: dict[str, Any] = {}
    for name in fields:
        field = instance._meta.get_field(name)
        assert isinstance(field, Field)  # AUDITED lists concrete fields only
        state[name] = _plain(field, getattr(instance, field.attname))
    return state


def audit_write(
    instance: Model,
    action: str,
    old: dict | None,
    new: dict | None,
    *,
    reason: str = "",
    actor: Any = None,
) -> None:
    """One entry of the fields that changed; the actor is the request's unless given."""
    old, new = old or {}, new or {}
    changes = {f: [old.get(f), new.get(f)] for f in {*old, *new} if old.get(f) != new.get(f)}
    if not changes:
        return
    actor = actor or _actor.get()
    if action == "deleted" and actor == instance:
        actor = None  # the actor's own row is going: an entry cannot point at it
    apps.get_model("org", "AuditEntry").objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        model=instance._meta.label,
        object_id=str(instance.pk),
        object_repr=_label(instance)[:200],
        changes=dict(sorted(changes.items())),
        reason=reason,
    )


def audit_bulk(model: type[Model], changes: dict[Any, tuple[str, dict]]) -> None:
    """One "updated" entry per object of a bulk write: {pk: (label, {field: [old, new]})}."""
    actor = _actor.get()
    AuditEntry = apps.get_model("org", "AuditEntry")
    AuditEntry.objects.bulk_create(
        AuditEntry(
            actor=actor if actor is not None and actor.is_authenticated else None,
            action="updated",
            model=model._meta.label,
            object_id=str(pk),
            object_repr=label[:200],
            changes=fields,
        )
        for pk, (label, fields) in changes.items()
    )


def _label(instance: Model) -> str:
    """The object's name; in a cascade its parent may be deleted already, then its id."""
    try:
        return str(instance)
    except ObjectDoesNotExist:
        return f"{instance._meta.verbose_name} {instance.pk}"


def _before_save(sender: type[Model], instance: Model, **kwargs: Any) -> None:
    fields = AUDITED[sender._meta.label]
    saved = sender._default_manager.filter(pk=instance.pk).first() if instance.pk else None
    setattr(instance, "_audit_old", audit_state(saved, fields) if saved else None)  # noqa: B010


def _after_save(sender: type[Model], instance: Model, created: bool, **kwargs: Any) -> None:
    old = getattr(instance, "_audit_old", None)
    audit_write(
        instance,
        "created" if created else "updated",
        old,
        audit_state(instance, AUDITED[sender._meta.label]),
    )


def _after_delete(sender: type[Model], instance: Model, **kwargs: Any) -> None:
    audit_write(instance, "deleted", audit_state(instance, AUDITED[sender._meta.label]), None)


def connect() -> None:
    for label in AUDITED:
        model = apps.get_model(label)
        pre_save.connect(_before_save, sender=model, dispatch_uid=f"audit-pre-{label}")
        post_save.connect(_after_save, sender=model, dispatch_uid=f"audit-post-{label}")
        post_delete.connect(_after_delete, sender=model, dispatch_uid=f"audit-del-{label}")


@contextmanager
def audit_as(user: Any) -> Iterator[None]:
    """Entries written inside are by `user`."""
    token = _actor.set(user)
    try:
        yield
    finally:
        _actor.reset(token)


def audit_actor_set(user: Any) -> None:
    """The actor of the rest of this request, when it is known only after the middleware ran
    (an API token); the middleware restores the previous actor at the end of the request."""
    _actor.set(user)


class AuditActorMiddleware:
    """Make the signed-in user the actor of audit entries written during the request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with audit_as(request.user):
            return self.get_response(request)
