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


# --- Nothing private in anything a token reads --------------------------------------------------------


def _private_texts():
    """Every text of the demo that no token may read: what is not approved, the review's record, the
    restricted parts, the people, the files and the plans still in draft."""
    from measures.models import Edition, Evidence, StatusUpdate, UpdateEvent
    from nap_tracker.models import User

    approved = StatusUpdate.objects.filter(state=StatusUpdate.State.APPROVED)
    shown = set(approved.values_list("narrative", flat=True)) | set(approved.values_list("figures", flat=True))
    texts = set()
    for narrative, figures in StatusUpdate.objects.exclude(state=StatusUpdate.State.APPROVED).values_list(
        "narrative", "figures"
    ):
        texts |= {narrative, figures} - shown
    texts |= set(StatusUpdate.objects.values_list("review_note", flat=True))
    texts |= set(StatusUpdate.objects.values_list("restricted_details", flat=True))
    texts |= set(UpdateEvent.objects.exclude(text="").values_list("text", flat=True))
    texts |= {name.rsplit("/", 1)[-1] for name in Evidence.objects.values_list("file", flat=True)}
    texts |= set(User.objects.exclude(email="").values_list("email", flat=True))
    texts |= {f'"{code}"' for code in Edition.objects.filter(state=Edition.State.DRAFT).values_list("code", flat=True)}
    # Words common to public texts too would be found anywhere: only texts long enough to be telling.
    return {text for text in texts if len(text.strip()) >= 12}


def _everything(client, headers):
    from tests.api.conftest import walk

    bodies = []
    for url in LISTS:
        rows = walk(client, url + "?page_size=500", **headers)
        bodies.append(str(rows))
        if url == "/api/v1/editions/":
            for row in rows:
                summary = client.get(f"{url}{row['code']}/summary/", headers=headers)
                assert summary.status_code == 200
                bodies.append(summary.content.decode())
    return "\n".join(bodies)


@pytest.mark.parametrize("kind", ["international", "ngo", "ministry"])
def test_an_organisations_token_reads_nothing_private_of_the_demo(client, demo, kind):
    import json

    from nap_tracker.models import Agency, User

    organisation = Agency.objects.filter(kind=kind, active=True).order_by("pk").first()
    admin = User.objects.filter(role=User.Role.ADMIN).first()
    _token, whole = tokens.token_issue(
        by=admin,
        name="Everything",
        organisation=organisation,
        scopes=Scope.values,
        expires_at=timezone.now() + timedelta(days=30),
    )
    private = _private_texts()
    assert len(private) > 10  # the demo holds work in progress, notes, files and people

    read = _everything(client, {"Authorization": f"Bearer {whole}"})

    # JSON escapes line breaks and quotes: compare with the texts as JSON writes them, and as Python does.
    leaked = [t for t in private if t in read or json.dumps(t)[1:-1] in read or repr(t)[1:-1] in read]
    assert not leaked, leaked[:5]


# --- Conditional requests -------------------------------------------------------------------------------


def test_an_etag_answers_304_only_to_a_caller_who_may_read_the_list(client, plan, people, secret):
    """304 says "what you hold is still what this says": a caller without a token, or with a token lacking the
    scope, learns nothing from sending someone else's ETag."""
    etag = client.get("/api/v1/updates/", HTTP_AUTHORIZATION=f"Bearer {secret}")["ETag"]
    _token, measures_only = tokens.token_issue(
        by=people["admin"],
        name="Measures only",
        organisation=plan.mlspp,
        scopes=[Scope.MEASURES],
        expires_at=timezone.now() + timedelta(days=30),
    )

    assert (
        client.get("/api/v1/updates/", HTTP_AUTHORIZATION=f"Bearer {secret}", HTTP_IF_NONE_MATCH=etag).status_code
        == 304
    )
    assert client.get("/api/v1/updates/", HTTP_IF_NONE_MATCH=etag).status_code == 401
    assert client.get("/api/v1/updates/", HTTP_IF_NONE_MATCH="*").status_code == 401
    refused = client.get("/api/v1/updates/", HTTP_AUTHORIZATION=f"Bearer {measures_only}", HTTP_IF_NONE_MATCH=etag)
    assert refused.status_code == 403


# --- Junk in an address ---------------------------------------------------------------------------------


@pytest.mark.parametrize("url", LISTS[1:])
@pytest.mark.parametrize("junk", ["1.5", "1e3", "..", "%00", "%C2%B2", "99999999999999999999"])
def test_junk_for_an_id_in_an_address_is_answered_404_in_json(client, secret, url, junk):
    """A program that builds an address from a bad id is told so in JSON, as for a plan's code, not given the
    site's HTML page."""
    response = client.get(f"{url}{junk}/", HTTP_AUTHORIZATION=f"Bearer {secret}")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
