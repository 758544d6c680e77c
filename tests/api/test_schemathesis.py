"""schemathesis against the live schema of a running server, as an admin and as a rep."""

from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from org.services import api_token_create
from tests.factories import AccountFactory, DealFactory

EXAMPLES = 8
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


def exercise(schema, base_url: str, headers: dict) -> Counter:
    """Run every operation with a bounded number of generated requests; count what came back."""
    totals = Counter()
    for result in schema.get_all_operations():
        operation = result.ok()

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def run(case):
            response = case.call(base_url=base_url, headers=headers)
            totals[f"{response.status_code // 100}xx"] += 1
            case.validate_response(response, checks=CHECKS, headers=headers)

        run()
        totals["operations"] += 1
    return totals


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("role", ["admin_user", "rep"])
def test_api_survives_generated_requests(live_server, request, role, stages, capsys):
    user = request.getfixturevalue(role)
    DealFactory(owner=user, stage=stages["Proposal"], account=AccountFactory(owner=user))
    _, key = api_token_create(user=user, name="schemathesis")
    headers = {"Authorization": f"Token {key}"}
    schema = schemathesis.openapi.from_url(
        f"{live_server.url}/api/schema/?format=json", headers=headers
    )
    totals = exercise(schema, live_server.url, headers)
    with capsys.disabled():
        print(f"\nschemathesis as {role}: {dict(sorted(totals.items()))}")
    assert totals["operations"] >= 50
    assert totals["5xx"] == 0
