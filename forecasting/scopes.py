"""The scopes a forecast covers, cut from the reporting and territory trees loaded once."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from forecasting.models import ScopeKind
from org.models import Role, User
from territories.models import Territory

Cell = tuple[int | None, int | None]  # (owner id, territory id)


@dataclass(frozen=True)
class ScopeRef:
    kind: str
    key: str
    name: str
    person_id: int | None = None
    territory_id: int | None = None


@dataclass
class Org:
    """The reporting and territory trees, loaded once."""

    people: dict[int, tuple[str, str, int | None]]  # id: (name, role, manager id)
    territories: dict[int, tuple[str, int | None]]  # id: (name, parent id)

    @classmethod
    def load(cls) -> "Org":
        people = {
            u.pk: (str(u), u.role, u.manager_id)
            for u in User.objects.only("first_name", "last_name", "username", "role", "manager")
        }
        territories: dict[int, tuple[str, int | None]] = dict(
            (pk, (name, parent))
            for pk, name, parent in Territory.objects.values_list("id", "name", "parent_id")
        )
        return cls(people=people, territories=territories)

    def children(self) -> dict[int | None, list[int]]:
        tree = defaultdict(list)
        for pk, (_, _, boss) in self.people.items():
            tree[boss if boss in self.people else None].append(pk)
        return tree

    def territory_ancestors(self, pk: int | None) -> list[int]:
        chain, seen = [], set()
        while pk is not None and pk in self.territories and pk not in seen:
            chain.append(pk)
            seen.add(pk)
            pk = self.territories[pk][1]
        return chain

    def manager_ancestors(self, pk: int | None) -> list[int]:
        chain, seen = [], set()
        while pk is not None and pk in self.people and pk not in seen:
            chain.append(pk)
            seen.add(pk)
            pk = self.people[pk][2]
        return chain


def scopes_of_cell(org: Org, cell: Cell) -> Iterable[ScopeRef]:
    """Every scope a cell's numbers count in: company, its territory and the territories above,
    its owner as a rep and every manager above the owner (the owner too, if a manager)."""
    owner, territory = cell
    yield ScopeRef(ScopeKind.COMPANY, "", "Company")
    for pk in org.territory_ancestors(territory):
        yield ScopeRef(ScopeKind.TERRITORY, str(pk), org.territories[pk][0], territory_id=pk)
    for pk in org.manager_ancestors(owner):
        name, role, _ = org.people[pk]
        if role == Role.MANAGER:
            yield ScopeRef(ScopeKind.MANAGER, str(pk), name, person_id=pk)
        if pk == owner and role == Role.REP:
            yield ScopeRef(ScopeKind.REP, str(pk), name, person_id=pk)


def all_scopes(org: Org) -> list[ScopeRef]:
    """Every scope that gets lines, whether or not it has deals."""
    scopes = [ScopeRef(ScopeKind.COMPANY, "", "Company")]
    scopes += [
        ScopeRef(ScopeKind.TERRITORY, str(pk), name, territory_id=pk)
        for pk, (name, _) in org.territories.items()
    ]
    for pk, (name, role, _) in org.people.items():
        if role in (Role.MANAGER, Role.REP):
            scopes.append(ScopeRef(role, str(pk), name, person_id=pk))
    return scopes
