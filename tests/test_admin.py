"""Django's admin, for a real administrator: every list and edit page renders with queries that do not grow per row."""

from datetime import date

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from measures.models import DigestDelivery, Edition, Measure, StatusUpdate
from measures.reminders import reporting_reminders_send
from nap_tracker.models import User
from reporting.models import Report

pytestmark = pytest.mark.django_db

MODELS = sorted(
    (model for model in admin.site._registry if model._meta.app_label in {"nap_tracker", "measures", "reporting"}),
    key=lambda model: model._meta.label,
)
# A list page of 100 rows (the admin's page size) must stay under this; one query per row would not.
MAX_LIST_QUERIES = 14
MAX_EDIT_QUERIES = 40


@pytest.fixture
def admin_client(client, demo):
    admin_user = User.objects.get(username="admin")
    # The demo data holds no report requests (people make those); add one so its admin pages have a row.
    Report.objects.create(edition=Edition.objects.get(code="NAP-2020-2024"), requested_by=admin_user)
    client.force_login(admin_user)
    return client


def url_for(model, page, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{page}", args=args)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_list_page_renders_with_a_fixed_number_of_queries(admin_client, model):
    with CaptureQueriesContext(connection) as queries:
        response = admin_client.get(url_for(model, "changelist"))
    assert response.status_code == 200
    assert len(queries) <= MAX_LIST_QUERIES, "\n".join(q["sql"][:160] for q in queries)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_edit_page_renders(admin_client, model):
    if model is DigestDelivery:
        # Deliveries are written by the reminders, not by the demo data: send the demo's reminders first.
        reporting_reminders_send(today=date(2025, 1, 24))
    obj = model.objects.order_by("pk").last()
    assert obj is not None, f"the demo data should hold at least one {model._meta.verbose_name}"
    with CaptureQueriesContext(connection) as queries:
        response = admin_client.get(url_for(model, "change", obj.pk))
    assert response.status_code == 200
    assert len(queries) <= MAX_EDIT_QUERIES, "\n".join(q["sql"][:160] for q in queries)


def test_list_queries_do_not_grow_with_the_number_of_rows(admin_client):
    url = url_for(StatusUpdate, "changelist")
    with CaptureQueriesContext(connection) as many:
        admin_client.get(url)
    with CaptureQueriesContext(connection) as few:
        admin_client.get(url + "?state=returned")
    assert len(many) == len(few)


def test_measure_list_shows_which_measures_are_illustrative(admin_client):
    response = admin_client.get(url_for(Measure, "changelist") + "?wording=illustrative")
    assert response.status_code == 200
    assert "Illustrative" in response.content.decode()
    official = admin_client.get(url_for(Measure, "changelist") + "?wording=official").content.decode()
    assert "Council of Europe Convention" in official


def test_measure_edit_page_lists_its_agencies_inline(admin_client):
    measure = Measure.objects.get(edition__code="NAP-2020-2024", number="4.1.1")
    page = admin_client.get(url_for(Measure, "change", measure.pk)).content.decode()
    assert "Cabinet of Ministers" in page
    assert "Executing body" in page


def test_admin_search_finds_a_measure_by_azerbaijani_title(admin_client):
    page = admin_client.get(url_for(Measure, "changelist"), {"q": "Konvensiyasına"}).content.decode()
    assert "4.1.1" in page


@pytest.mark.parametrize("username", ["coordinator", "focal", "ngo", "partner"])
def test_only_the_administrator_gets_into_the_admin(client, demo, username):
    client.force_login(User.objects.get(username=username))
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


DATED_MODELS = [model for model in MODELS if admin.site._registry[model].date_hierarchy]


@pytest.mark.parametrize("model", DATED_MODELS, ids=lambda m: m._meta.label)
@pytest.mark.parametrize("year", ["99999999999999999999999", "-99999999999"])
def test_an_impossible_year_in_the_date_filter_is_explained_not_a_server_error(admin_client, model, year):
    """Found by attacking a running copy: a year beyond what a date can hold in the list's date
    filter (…/?at__year=-99999999999) was a server error on every list with dates to drill into."""
    field = admin.site._registry[model].date_hierarchy
    response = admin_client.get(url_for(model, "changelist"), {f"{field}__year": year})
    assert response.status_code == 302
    assert response["Location"].endswith("?e=1")
