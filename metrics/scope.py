"""What a KPI may count: one already-restricted queryset per kind of row.

The access layer (spm/access.py) builds a Scope per user; `Scope.everything()` is for admins
and the command line. `narrow()` cuts a scope down to a territory subtree, a manager's whole
reporting tree, a team, a rep, a product or an account segment. It only ever filters further,
so a narrowed scope never shows more than the scope it came from.
"""

from dataclasses import dataclass, replace

from django.db.models import Model, Q, QuerySet

from org.models import Role, Team, User
from org.selectors import reporting_tree_ids
from pipeline.crediting import (
    CREDITED_TERRITORY,
    credited_to,
    credited_to_team,
    credited_to_tree,
)
from pipeline.models import Account, Activity, Deal, Product, Subscription, SurveyResponse
from quotas.models import Quota
from territories.models import Territory, TerritoryAssignment
from territories.selectors import territory_subtree_ids

CLOSED = ("won", "lost")
DEAL_TERRITORY = CREDITED_TERRITORY


def deals_in_territories(ids: set[int]) -> Q:
    """Deals whose territory (as `DEAL_TERRITORY` works it out) is one of `ids`."""
    current = Q(territory_id__in=ids) | Q(territory__isnull=True, account__territory_id__in=ids)
    return Q(status__in=CLOSED, closed_territory_id__in=ids) | (~Q(status__in=CLOSED) & current)


@dataclass(frozen=True)
class Scope:
    deals: QuerySet[Deal]
    accounts: QuerySet[Account]
    activities: QuerySet[Activity]
    subscriptions: QuerySet[Subscription]
    surveys: QuerySet[SurveyResponse]
    quotas: QuerySet[Quota]
    reps: QuerySet[User]  # the people listed (and counted) in rep, manager and team groups
    # Listed in territory and product groups; None: those the scope's deals and accounts
    # (or subscriptions) use, so a scope never lists names from outside it.
    territories: QuerySet[Territory] | None = None
    products: QuerySet[Product] | None = None
    # The whole company, not cut down: only then do company-wide inputs (spend) apply.
    company: bool = False
    # The scope's closed deals as a condition on the daily rollup's columns (owner, manager,
    # team, territory, product, segment credited at close), so their figures can be read from
    # it; None when the scope cannot be said that way (the raw deals are read).
    closed: Q | None = None
    # Whether the stage family (conversion, time in stage) is computed: it walks every history
    # row of the scope's deals, which a page that shows neither skips.
    stage_moves: bool = True

    @classmethod
    def everything(cls) -> "Scope":
        """Every row, every rep: for admins and the command line."""
        return cls(
            deals=Deal.objects.all(),
            accounts=Account.objects.all(),
            activities=Activity.objects.all(),
            subscriptions=Subscription.objects.all(),
            surveys=SurveyResponse.objects.all(),
            quotas=Quota.objects.all(),
            reps=User.objects.filter(role=Role.REP),
            territories=Territory.objects.all(),
            products=Product.objects.all(),
            company=True,
            closed=Q(),
        )

    def narrow(
        self,
        *,
        territory: Territory | int | None = None,
        manager: User | int | None = None,
        team: Team | int | None = None,
        rep: User | int | None = None,
        product: Product | int | None = None,
        segment: str | None = None,
    ) -> "Scope":
        """This scope cut down by every criterion given (they combine with AND)."""
        criteria = (territory, manager, team, rep, product, segment)
        scope = self if all(c is None for c in criteria) else replace(self, company=False)
        if territory is not None:
            ids = territory_subtree_ids([_pk(territory)])
            scope = scope._to_territories(ids)._closed(Q(territory_id__in=ids))
        if manager is not None:
            root = _pk(manager)
            tree = reporting_tree_ids([root])
            deals = credited_to_tree(root, tree)
            scope = scope._to_people(Q(id__in=tree), Q(team__manager_id__in=tree), deals)
            scope = scope._closed(Q(manager_id__in=tree) | Q(owner_id=root))
        if team is not None:
            members = User.objects.filter(team_id=_pk(team)).values("id")
            deals = credited_to_team(_pk(team), members)
            scope = scope._to_people(Q(team_id=_pk(team)), Q(team_id=_pk(team)), deals)
            scope = scope._closed(Q(team_id=_pk(team)))
        if rep is not None:
            scope = scope._to_people(Q(id=_pk(rep)), Q(pk__in=[]))._closed(Q(owner_id=_pk(rep)))
        if product is not None:
            scope = scope._to_product(_pk(product))._closed(Q(product_id=_pk(product)))
        if segment is not None:
            scope = scope._to_segment(segment)._closed(Q(segment=segment))
        return scope

    def _closed(self, condition: Q) -> "Scope":
        """The rollup condition narrowed like the deals were (unknown stays unknown)."""
        return replace(self, closed=None if self.closed is None else self.closed & condition)

    def _to_people(self, people: Q, team_quotas: Q, deals: Q | None = None) -> "Scope":
        """Rows owned (or activities done) by the people matching `people`; deals credited to
        them (or matching `deals`, for a tree or a team as it stood when each deal closed)."""
        ids = User.objects.filter(people).values("id")
        return replace(
            self,
            deals=self.deals.filter(credited_to(ids) if deals is None else deals),
            accounts=self.accounts.filter(owner_id__in=ids),
            activities=self.activities.filter(rep_id__in=ids),
            subscriptions=self.subscriptions.filter(account__owner_id__in=ids),
            surveys=self.surveys.filter(account__owner_id__in=ids),
            quotas=self.quotas.filter(Q(rep_id__in=ids) | team_quotas),
            reps=self.reps.filter(id__in=ids),
        )

    def _to_territories(self, ids: set[int]) -> "Scope":
        """Rows in the territories `ids`; deals as `DEAL_TERRITORY` places them."""
        assigned = TerritoryAssignment.objects.filter(territory_id__in=ids).values("rep_id")
        activity = Q(deal__territory_id__in=ids) | Q(
            deal__isnull=True, account__territory_id__in=ids
        )
        territories = self.territories if self.territories is not None else Territory.objects.all()
        return replace(
            self,
            deals=self.deals.filter(deals_in_territories(ids)),
            accounts=self.accounts.filter(territory_id__in=ids),
            activities=self.activities.filter(activity),
            subscriptions=self.subscriptions.filter(account__territory_id__in=ids),
            surveys=self.surveys.filter(account__territory_id__in=ids),
            quotas=self.quotas.filter(Q(territory_id__in=ids) | Q(rep_id__in=assigned)),
            reps=self.reps.filter(id__in=assigned),
            territories=territories.filter(id__in=ids),
        )

    def _to_product(self, product_id: int) -> "Scope":
        """Deals and subscriptions of one product; quotas are not per product, so none."""
        buyers = Q(id__in=self.deals.filter(product_id=product_id).values("account_id")) | Q(
            id__in=self.subscriptions.filter(product_id=product_id).values("account_id")
        )
        accounts = self.accounts.filter(buyers)
        products = self.products if self.products is not None else Product.objects.all()
        return replace(
            self,
            deals=self.deals.filter(product_id=product_id),
            accounts=accounts,
            activities=self.activities.filter(deal__product_id=product_id),
            subscriptions=self.subscriptions.filter(product_id=product_id),
            surveys=self.surveys.filter(account_id__in=accounts.values("id")),
            quotas=self.quotas.none(),
            products=products.filter(id=product_id),
        )

    def _to_segment(self, segment: str) -> "Scope":
        """Rows of accounts in one segment; quotas are not per segment, so none."""
        activity = Q(account__segment=segment) | Q(
            account__isnull=True, deal__account__segment=segment
        )
        return replace(
            self,
            deals=self.deals.filter(account__segment=segment),
            accounts=self.accounts.filter(segment=segment),
            activities=self.activities.filter(activity),
            subscriptions=self.subscriptions.filter(account__segment=segment),
            surveys=self.surveys.filter(account__segment=segment),
            quotas=self.quotas.none(),
        )


def _pk(value: Model | int) -> int:
    return value if isinstance(value, int) else value.pk
