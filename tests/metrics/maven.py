"""Load Maven Analytics' public "CRM + Sales + Opportunities" data set into Pacer's models.

See PROVENANCE.md beside the CSVs. Mapping:
- sales_teams: each manager a manager User, each agent a rep User reporting to them (full name
  as in the file), one Team per manager, each regional_office a Territory the agent works.
- sales_pipeline: one Deal per row; deal_stage Prospecting/Engaging (open), Won, Lost;
  engage_date -> created_on, close_date -> closed_on (Won/Lost), close_value -> amount.
  The 500 Prospecting rows without an engage_date are kept (they are open pipeline) with
  created_on set to the file's earliest engage_date, so they count as opportunities of the
  first day. A deal's territory is its agent's office; product `GTXPro` is `GTX Pro`.
"""

import csv
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from org.models import Role, Team, User
from pipeline.models import Account, Deal, Product, Stage
from territories.models import Territory, TerritoryAssignment

MAVEN_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "datasets" / "maven_crm"
STAGES = {  # name: (order, probability, kind); Engaging's 40 % is our assumption
    "Prospecting": (1, 10, "open"),
    "Engaging": (2, 40, "open"),
    "Won": (3, 100, "won"),
    "Lost": (4, 0, "lost"),
}
PRODUCT_ALIASES = {"GTXPro": "GTX Pro"}


def rows(name: str, folder: Path = MAVEN_DIR) -> list[dict[str, str]]:
    with open(folder / name, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def person(full_name: str, role: str, **fields) -> User:
    first, _, last = full_name.partition(" ")
    username = full_name.lower().replace(" ", ".")
    return User.objects.create(
        username=username, first_name=first, last_name=last, role=role, **fields
    )


def load_people(folder: Path = MAVEN_DIR) -> dict[str, User]:
    """Managers, their teams, offices and agents; returns agents by full name."""
    agents: dict[str, User] = {}
    managers: dict[str, User] = {}
    offices: dict[str, Territory] = {}
    for row in rows("sales_teams.csv", folder):
        office = offices.get(row["regional_office"]) or Territory.objects.create(
            name=row["regional_office"], kind="region"
        )
        offices[office.name] = office
        if row["manager"] not in managers:
            boss = person(row["manager"], Role.MANAGER)
            Team.objects.create(name=f"{row['manager']}'s team", manager=boss)
            managers[row["manager"]] = boss
        boss = managers[row["manager"]]
        agent = person(row["sales_agent"], Role.REP, manager=boss, team=boss.managed_teams.get())
        TerritoryAssignment.objects.create(rep=agent, territory=office, start=date(2016, 1, 1))
        agent.office = office
        agents[agent.get_full_name()] = agent
    return agents


def load_accounts(folder: Path = MAVEN_DIR) -> dict[str, Account]:
    data = rows("accounts.csv", folder)
    accounts = {
        row["account"]: Account.objects.create(
            name=row["account"],
            industry=row["sector"],
            employees=int(row["employees"]),
            annual_revenue=Decimal(row["revenue"]) * 1_000_000,  # the file is in USD millions
            country=row["office_location"],
        )
        for row in data
    }
    for row in data:
        if row["subsidiary_of"]:
            account = accounts[row["account"]]
            account.parent = accounts[row["subsidiary_of"]]
            account.save(update_fields=["parent"])
    return accounts


def load_maven(folder: Path = MAVEN_DIR) -> int:
    """Load the whole data set; returns the number of deals created."""
    stages = {
        name: Stage.objects.create(name=name, order=order, probability=p, kind=kind)
        for name, (order, p, kind) in STAGES.items()
    }
    products = {
        row["product"]: Product.objects.create(
            name=row["product"], family=row["series"], list_price=Decimal(row["sales_price"])
        )
        for row in rows("products.csv", folder)
    }
    agents, accounts = load_people(folder), load_accounts(folder)
    data = rows("sales_pipeline.csv", folder)
    earliest = min(row["engage_date"] for row in data if row["engage_date"])
    deals = [
        Deal(
            external_id=row["opportunity_id"],
            name=row["opportunity_id"],
            owner=agents[row["sales_agent"]],
            territory=agents[row["sales_agent"]].office,
            product=products[PRODUCT_ALIASES.get(row["product"], row["product"])],
            account=accounts.get(row["account"]),
            stage=stages[row["deal_stage"]],
            created_on=date.fromisoformat(row["engage_date"] or earliest),
            closed_on=date.fromisoformat(row["close_date"]) if row["close_date"] else None,
            amount=Decimal(row["close_value"]) if row["close_value"] else None,
        )
        for row in data
    ]
    created = Deal.objects.bulk_create(deals, batch_size=1000, changed_at=_created_moment)
    return len(created)


def _created_moment(deal: Deal) -> datetime:
    return datetime.combine(deal.created_on, datetime.min.time(), tzinfo=UTC)
