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


def test_a_focal_point_s_home_shows_a_few_of_each_kind_of_work_and_links_to_all_of_it(client):
    from datetime import date

    from tests.measures.test_queries import Plan

    plan = Plan()
    plan.add_measures(45)  # in the last period: 15 submitted, 15 drafts, 15 returned
    client.force_login(plan.focal)
    response = client.get(reverse("home"))
    work = response.context["work"]
    html = response.content.decode()
    assert (work.returned.total, len(work.returned.items)) == (15, 10)
    assert (work.drafts.total, len(work.drafts.items)) == (15, 10)
    assert all(update.state == "returned" for update in work.returned.items)
    assert "Add the regions." in html  # the reviewer's note
    assert f"{reverse('measure_list')}?work=returned" in html and f"{reverse('measure_list')}?work=draft" in html
    # The period 2024 H2 has an update for every measure: nothing is due; all deadlines 2021-2024 have passed.
    assert work.due.total == 0
    assert work.overdue.total == 45 and len(work.overdue.items) == 10
    assert all(m.deadline < date.today() for m in work.overdue.items)
    # Each link opens the whole group in the measures list.
    for key, expected in [("returned", 15), ("draft", 15), ("overdue", 45), ("due", 0)]:
        listed = client.get(reverse("measure_list") + f"?work={key}")
        assert listed.context["page"].paginator.count == expected, key


def test_the_work_filter_is_offered_only_to_those_who_report(client):
    from tests.measures.test_queries import Plan

    plan = Plan()
    plan.add_measures(3)
    client.force_login(plan.partner)
    response = client.get(reverse("measure_list") + "?work=returned")
    assert "work" not in response.context["filter"].form.fields
    assert response.context["page"].paginator.count == 3
    client.force_login(plan.ngo_user)
    # The NGO is a partner in every measure; the returned updates are the ministry's, not its own.
    assert client.get(reverse("measure_list") + "?work=returned").context["page"].paginator.count == 0
