"""What a partner's program does with its token, end to end on the demo's NAP 2020–2024: every measure with
its approved updates in Azerbaijani, page by page, then only what changed since; a revoked or expired token
refused; too many requests answered 429 with Retry-After."""

from datetime import timedelta
from urllib.parse import quote

import pytest
from django.core.cache import cache
from django.utils import timezone

from api import tokens
from api.models import ApiToken
from api.scopes import Scope
from measures.models import Edition, Measure, StatusUpdate
from nap_tracker.models import Agency, User
from tests.api.conftest import walk

pytestmark = pytest.mark.django_db


@pytest.fixture
def iom_token(demo):
    """IOM's token, as the system administrator issues it: reads plans, measures and updates for a year."""
    token, secret = tokens.token_issue(
        by=User.objects.get(username="admin"),
        name="IOM programme dashboard",
        organisation=Agency.objects.get(code="IOM"),
        scopes=[Scope.PLANS, Scope.MEASURES, Scope.UPDATES],
        expires_at=timezone.now() + timedelta(days=365),
    )
    return token, {"HTTP_AUTHORIZATION": f"Bearer {secret}", "HTTP_ACCEPT_LANGUAGE": "en"}


def rows(client, url, auth):
    return walk(client, url, **{key.removeprefix("HTTP_").replace("_", "-").title(): v for key, v in auth.items()})


def test_a_partners_token_reads_every_measure_and_approved_update_in_azerbaijani_then_only_changes(client, iom_token):
    _token, auth = iom_token
    edition = Edition.objects.get(code="NAP-2020-2024")

    measures = rows(client, f"/api/v1/measures/?edition={edition.pk}&lang=az&page_size=5", auth)
    assert len(measures) > 5  # more than one page was walked
    assert sorted(m["id"] for m in measures) == sorted(edition.measures.values_list("pk", flat=True))
    in_azerbaijani = [m for m in measures if m["title_language"] == "az"]
    assert in_azerbaijani, "the demo's measures have Azerbaijani titles"
    sample = Measure.objects.get(pk=in_azerbaijani[0]["id"])
    assert in_azerbaijani[0]["title"] == sample.title_az

    updates = rows(client, f"/api/v1/updates/?edition={edition.pk}&lang=az&page_size=5", auth)
    approved = StatusUpdate.objects.filter(measure__edition=edition, state=StatusUpdate.State.APPROVED)
    assert sorted(u["id"] for u in updates) == sorted(approved.values_list("pk", flat=True))
    assert all("restricted" not in key for update in updates for key in update)

    # The next sync asks only for what changed since the last one.
    since = timezone.now()
    changed = edition.measures.order_by("sort_key").first()
    changed.title_az = changed.title_az + " (yenilənib)"
    changed.save()
    later = rows(
        client, f"/api/v1/measures/?edition={edition.pk}&lang=az&updated_since={quote(since.isoformat())}", auth
    )
    assert [m["id"] for m in later] == [changed.pk]
    assert later[0]["title"].endswith("(yenilənib)")
    assert rows(client, f"/api/v1/updates/?edition={edition.pk}&updated_since={quote(since.isoformat())}", auth) == []


def test_a_revoked_or_expired_token_is_refused_with_401(client, iom_token):
    token, auth = iom_token
    assert client.get("/api/v1/measures/", **auth).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(
        created_at=timezone.now() - timedelta(days=400), expires_at=timezone.now() - timedelta(minutes=1)
    )
    assert client.get("/api/v1/measures/", **auth).status_code == 401
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() + timedelta(days=1))
    tokens.token_revoke(by=User.objects.get(username="admin"), token=token)
    response = client.get("/api/v1/measures/", **auth)
    assert response.status_code == 401 and "revoked" in response.json()["detail"]


def test_too_many_requests_are_answered_429_with_retry_after_per_token(client, settings, iom_token, demo):
    settings.API_RATE_LIMIT = "3/minute"
    _token, auth = iom_token
    assert [client.get("/api/v1/editions/", **auth).status_code for _ in range(3)] == [200, 200, 200]
    refused = client.get("/api/v1/editions/", **auth)
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    assert "throttled" in refused.json()["detail"].lower() or "request" in refused.json()["detail"].lower()
    # Another token has its own count.
    _other, secret = tokens.token_issue(
        by=User.objects.get(username="admin"),
        name="ICMPD",
        organisation=Agency.objects.get(code="IOM"),
        scopes=[Scope.PLANS],
        expires_at=timezone.now() + timedelta(days=30),
    )
    assert client.get("/api/v1/editions/", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200


def test_the_api_still_answers_when_the_rate_limits_cache_cannot_be_reached(client, iom_token, monkeypatch):
    _token, auth = iom_token

    def unreachable(*args, **kwargs):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(cache, "get", unreachable)
    monkeypatch.setattr(cache, "set", unreachable)
    assert client.get("/api/v1/editions/", **auth).status_code == 200
