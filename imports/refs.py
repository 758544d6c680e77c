"""References by name: a deal's owner, account, product and stage as the file spells them."""

from django.db.models import Model, Q, Value
from django.db.models.functions import Concat

from imports.kinds import split_name, username_for
from org.models import Team, User
from pipeline.models import Account, Deal, Product, Stage
from territories.models import Territory

# Fields that identify a row of each model in a file, in order of preference.
LOOKUPS: dict[type[Model], tuple[str, ...]] = {
    User: ("username", "full_name"),
    Account: ("external_id", "name"),
    Product: ("name",),
    Stage: ("name",),
    Territory: ("name",),
    Team: ("name",),
    Deal: ("external_id",),
}


class Ambiguous(list):
    """More than one row answers to the same name."""


def refs_find(model: type[Model], names: set[str]) -> dict[str, Model | Ambiguous]:
    """The rows `names` refer to, in one query; a name found nowhere is left out."""
    if not names:
        return {}
    fields = LOOKUPS[model]
    rows = model._default_manager.all()
    if "full_name" in fields:
        rows = rows.annotate(full_name=Concat("first_name", Value(" "), "last_name"))
    condition = Q()
    for name in fields:
        condition |= Q(**{f"{name}__in": names})
    matches: dict[str, dict[str, list]] = {name: {} for name in fields}
    for row in rows.filter(condition):
        for name in fields:
            matches[name].setdefault(getattr(row, name), []).append(row)
    found = {}
    for value in names:
        hits = next((matches[name][value] for name in fields if value in matches[name]), None)
        if hits:
            found[value] = hits[0] if len(hits) == 1 else Ambiguous(hits)
    return found


def ref_create(model: type[Model], name: str, attrs: dict) -> Model:
    """A row made from nothing but its name (and the mapping's attributes for such rows)."""
    row: Model
    if model is User:
        first, last = split_name(name)
        row = User(username=username_for(name), first_name=first, last_name=last, **attrs)
        row.set_unusable_password()
    elif model is Account:
        row = Account(name=name, external_id=name, **attrs)
    elif model is Territory:
        row = Territory(name=name, **{"kind": "territory", **attrs})
    else:
        row = model(name=name, **attrs)
    row.full_clean(exclude=[f.name for f in model._meta.fields if f.is_relation])
    row.save()
    return row
