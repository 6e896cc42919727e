"""The partners' API as an attacker tries it: inputs and requests meant to break it or to read more than
the caller may, each answered as a program expects (JSON), never with a page or a server error."""

from datetime import timedelta

import pytest
from django.utils import timezone

from api import tokens
from api.scopes import Scope

LISTS = [
    "/api/v1/editions/",
    "/api/v1/areas/",
    "/api/v1/periods/",
    "/api/v1/agencies/",
    "/api/v1/measures/",
    "/api/v1/updates/",
]


@pytest.fixture
def secret(plan, people):
    """The whole token of the Ministry of Labour, with every scope."""
    _token, whole = tokens.token_issue(
        by=people["admin"],
        name="Ministry dashboard",
        organisation=plan.mlspp,
        scopes=Scope.values,
        expires_at=timezone.now() + timedelta(days=30),
    )
    return whole


@pytest.mark.parametrize("url", LISTS)
@pytest.mark.parametrize("value", ["\x00", "4.1\x00", "x" * 50 + "\x00"])
def test_a_nul_character_in_a_query_is_answered_400_in_json(client, secret, url, value):
    """The site's middleware refuses a NUL before any view (PostgreSQL cannot read one); to a program that
    asked the API, its refusal must be JSON like every other 400, not the site's HTML page."""
    response = client.get(url, {"q": value, "lang": "en"}, HTTP_AUTHORIZATION=f"Bearer {secret}")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "NUL" in response.json()["detail"]


def test_a_nul_character_on_a_site_page_still_gets_the_sites_page(client, people):
    client.force_login(people["partner"])

    response = client.get("/measures/", {"q": "\x00"})

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")


# --- Cross-site requests: a page elsewhere cannot act with a signed-in person's session --------------


def test_a_session_without_its_csrf_token_changes_nothing_through_the_api(plan):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(plan.coordinator)
    url = f"/api/v1/measures/{plan.measures[0].pk}/"
    for method in ("post", "put", "patch", "delete"):
        response = getattr(browser, method)(url, {"title": "Changed"}, content_type="application/json")
        assert response.status_code == 403, method
        assert "CSRF" in response.json()["detail"]
    plan.measures[0].refresh_from_db()
    assert plan.measures[0].title_en != "Changed"


def test_the_token_pages_refuse_a_form_sent_without_its_csrf_token(people):
    from django.test import Client

    from api.models import ApiToken

    iom = people["partner"].agency
    token, _whole = tokens.token_issue(
        by=people["admin"],
        name="IOM dashboard",
        organisation=iom,
        scopes=[Scope.MEASURES],
        expires_at=timezone.now() + timedelta(days=30),
    )
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(people["admin"])
    data = {"name": "Forged", "scopes": ["measures"], "expires": "365", "once": "forged-1", "organisation": iom.pk}

    assert browser.post("/api/v1/tokens/new/", data).status_code == 403
    assert browser.post(f"/api/v1/tokens/{token.pk}/revoke/").status_code == 403

    assert list(ApiToken.objects.values_list("name", "revoked_at")) == [("IOM dashboard", None)]
