import pytest

from tests.measures.test_queries import Plan


@pytest.fixture
def plan(db):
    """A running plan with 3 measures the Ministry of Labour executes and an NGO partners in, each with updates
    in every state, restricted details and restricted files (tests/measures/test_queries.py)."""
    plan = Plan()
    plan.add_measures(3)
    return plan


def walk(client, url: str, **headers) -> list[dict]:
    """Every row of a list, following its `next` links to the end."""
    rows = []
    while url:
        response = client.get(url, headers=headers)
        assert response.status_code == 200, (url, response.status_code, response.content[:300])
        body = response.json()
        rows += body["results"]
        url = body["next"]
    return rows
