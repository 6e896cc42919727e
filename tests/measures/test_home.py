import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from measures.models import Status
from nap_tracker.models import User
from tests.factories import AreaFactory, EditionFactory, MeasureFactory

pytestmark = pytest.mark.django_db


def test_home_asks_to_sign_in_first(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_sign_in_and_out(client, people):
    response = client.post(reverse("login"), {"username": "focal", "password": "pass-word-123"})
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200
    client.post(reverse("logout"))
    assert client.get(reverse("home")).status_code == 302


def test_wrong_password_explains_itself(client, people):
    response = client.post(reverse("login"), {"username": "focal", "password": "wrong"})
    assert response.status_code == 200
    assert "enter a correct username and password" in response.content.decode()


def test_home_lists_each_plan_with_measures_counted_by_status(client, demo):
    client.force_login(User.objects.get(username="partner"))
    response = client.get(reverse("home"))
    page = response.content.decode()
    assert (
        "National Action Plan on Combating Trafficking in Human Beings in the Republic of Azerbaijan for 2020–2024"
        in page
    )
    assert "2014–2018" in page
    summaries = {s.edition.code: s for s in response.context["summaries"]}
    nap20 = summaries["NAP-2020-2024"]
    assert nap20.total == 42
    assert sum(count for _, _, count, _ in nap20.status_rows) == 42
    completed = nap20.by_status[Status.COMPLETED]
    assert completed == nap20.edition.measures.filter(status=Status.COMPLETED).count()


def home_queries(client):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("home")).status_code == 200
    return len(queries)


def test_home_runs_the_same_queries_for_3_or_300_measures(client, people):
    client.force_login(people["focal_point"])
    area = AreaFactory(edition=EditionFactory(code="NAP-SMALL"))
    MeasureFactory.create_batch(3, area=area)
    small = home_queries(client)
    big_area = AreaFactory(edition=EditionFactory(code="NAP-BIG"))
    MeasureFactory.create_batch(300, area=big_area, status=Status.DELAYED)
    assert home_queries(client) == small
