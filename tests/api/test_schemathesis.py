"""schemathesis against the live schema of a running server, as an admin and as a rep.

`SCHEMATHESIS_EXAMPLES` sets the generated requests per operation (8 by default, so the
everyday suite stays quick; `bench/schemathesis.py` runs 50 on PostgreSQL). Every operation
runs to the end even when one fails; the test then fails listing each failure with the curl
command that reproduces it. `SCHEMATHESIS_REPORT=path` appends one JSON line of figures per
role to that file, with the failures' reports.
"""

import json
import os
import time
from collections import Counter
from datetime import date
from decimal import Decimal

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from rest_framework.views import APIView
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from org.services import api_token_create
from quotas.models import Quota
from territories.models import TerritoryAssignment
from tests.factories import AccountFactory, DealFactory, ProductFactory, TerritoryFactory

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES") or 8)
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
# The failure each check raises, named after the check.
CHECK_OF = {
    "ServerError": "not_a_server_error",
    "JsonSchemaError": "response_schema_conformance",
    "MalformedJson": "response_schema_conformance",
    "UndefinedContentType": "content_type_conformance",
    "MalformedMediaType": "content_type_conformance",
}


def exercise(schema, base_url: str, headers: dict) -> tuple[Counter, list[str]]:
    """Run every operation with a bounded number of generated requests; count what came back
    and keep every failure's report (hypothesis's smallest failing request)."""
    totals: Counter = Counter()
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
            report_multiple_bugs=False,
        )
        @given(case=operation.as_strategy())
        def run(case):
            response = case.call(base_url=base_url, headers=headers)
            totals["requests"] += 1
            totals[f"{response.status_code // 100}xx"] += 1
            totals[f"status {response.status_code}"] += 1
            case.validate_response(response, checks=CHECKS, headers=headers)

        try:
            run()
        except FailureGroup as group:
            for failure in group.exceptions:
                totals[
                    f"failed {CHECK_OF.get(type(failure).__name__, type(failure).__name__)}"
                ] += 1
            failures.append(f"{operation.label}\n{group.message}")
        except Exception as error:  # a generation error: the operation could not be run at all
            totals[f"failed {type(error).__name__}"] += 1
            failures.append(f"{operation.label}\n{type(error).__name__}: {error}")
        totals["operations"] += 1
    return totals, failures


def seed(user, stages) -> None:
    """A small realistic book for `user`, so generated ids can hit real objects: a territory
    they work, accounts, a product, deals open and closed in every stage, a quota."""
    territory = TerritoryFactory(name="North")
    TerritoryAssignment.objects.create(rep=user, territory=territory, start=date(2026, 1, 1))
    product = ProductFactory(name="Platform")
    accounts = [
        AccountFactory(name=name, owner=user, territory=territory, annual_revenue=revenue)
        for name, revenue in [("Acme", 5_000_000), ("Globex", 800_000), ("Initech", 90_000)]
    ]
    for number, (stage, amount) in enumerate(
        [("Prospecting", 1200), ("Proposal", 8000), ("Negotiation", 25000), ("Won", 14000)]
        + [("Lost", 3000), ("Won", 60000)]
    ):
        closed = date(2026, 3 + number, 10) if stage in ("Won", "Lost") else None
        DealFactory(
            name=f"{accounts[number % 3].name} {stage.lower()} {number}",
            owner=user,
            account=accounts[number % 3],
            product=product,
            territory=territory,
            stage=stages[stage],
            amount=Decimal(amount),
            created_on=date(2026, 1 + number, 5),
            expected_close_on=closed or date(2026, 12, 20),
            closed_on=closed,
        )
    Quota.objects.create(
        rep=user, period="quarter", start=date(2026, 10, 1), metric="bookings", amount=50000
    )
    if user.team is not None:
        Quota.objects.create(
            team=user.team, period="year", start=date(2026, 1, 1), metric="bookings", amount=1
        )


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("role", ["admin_user", "rep"])
def test_api_survives_generated_requests(
    live_server, request, role, stages, other_rep, capsys, monkeypatch
):
    # The per-user rate limit is not under test: at 50 requests per operation it would answer
    # most of them 429 before they reach the code that is.
    monkeypatch.setattr(APIView, "get_throttles", lambda view: [])
    user = request.getfixturevalue(role)
    seed(user, stages)
    DealFactory(owner=other_rep, stage=stages["Proposal"], account=AccountFactory(owner=other_rep))
    _, key = api_token_create(user=user, name="schemathesis")
    headers = {"Authorization": f"Token {key}"}
    schema = schemathesis.openapi.from_url(
        f"{live_server.url}/api/schema/?format=json", headers=headers
    )
    started = time.monotonic()
    totals, failures = exercise(schema, live_server.url, headers)
    figures = {"role": role, "examples": EXAMPLES, **dict(sorted(totals.items()))}
    figures["seconds"] = round(time.monotonic() - started, 1)
    if os.environ.get("SCHEMATHESIS_REPORT"):
        with open(os.environ["SCHEMATHESIS_REPORT"], "a") as report:
            report.write(json.dumps({**figures, "failures": failures}) + "\n")
    with capsys.disabled():
        print(f"\nschemathesis as {role}: {figures}")
    assert totals["operations"] >= 50
    assert totals["5xx"] == 0, "\n\n".join(failures)
    assert failures == [], "\n\n".join(failures)
