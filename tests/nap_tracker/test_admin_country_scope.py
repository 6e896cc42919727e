"""What a country administrator reads in the admin beyond the rows' own pages: the change record
(simple_history's pages) and the digests sent, of their countries only; another country's is a 404, like
its row's own admin page, and its plans are not offered in the list filters."""

import pytest
from django.contrib import admin
from django.urls import reverse

from measures.models import DigestDelivery, Edition, Measure, StatusUpdate
from nap_tracker.admin import CountryScopedAdminMixin
from nap_tracker.models import Agency, Country, User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

HISTORY_ADMINS = sorted(
    (
        model
        for model, model_admin in admin.site._registry.items()
        if isinstance(model_admin, CountryScopedAdminMixin) and hasattr(model_admin, "history_form_view")
    ),
    key=lambda model: model._meta.label,
)


def pages(row):
    opts = row._meta
    version = row.history.order_by("-history_date").first()
    assert version is not None, f"{opts.label} {row.pk} has no history to read"
    return [
        reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[row.pk]),
        reverse(f"admin:{opts.app_label}_{opts.model_name}_simple_history", args=[row.pk, version.history_id]),
    ]


@pytest.fixture
def georgian_admin(demo):
    return UserFactory(
        username="ge-admin", role=User.Role.ADMIN, agency=None, countries=[Country.objects.get(code="ge")]
    )


def test_the_scoped_admins_with_a_record_are_known():
    # The check below covers each of these; a new one is covered by the same mixin.
    assert {Edition, Measure, StatusUpdate, Agency} <= set(HISTORY_ADMINS)


@pytest.mark.parametrize(
    "row",
    [
        lambda: Edition.objects.get(code="NAP-2020-2024"),
        lambda: Measure.objects.filter(edition__code="NAP-2020-2024").order_by("pk").first(),
        lambda: StatusUpdate.objects.filter(measure__edition__code="NAP-2020-2024").order_by("pk").first(),
        lambda: Agency.objects.get(code="MLSPP"),
    ],
    ids=["plan", "measure", "update", "body"],
)
def test_another_countrys_record_is_not_found(client, georgian_admin, row):
    row = row()
    row.save()  # a record to read, whatever the demo loader wrote
    client.force_login(georgian_admin)
    for url in pages(row):
        assert client.get(url).status_code == 404, url
    # The installation's administrator reads it; and the country administrator reads their own country's.
    client.force_login(User.objects.get(username="admin"))
    for url in pages(row):
        assert client.get(url).status_code == 200, url


def test_a_country_administrator_reads_their_own_countrys_record(client, georgian_admin):
    measure = Measure.objects.filter(edition__country__code="ge").order_by("pk").first()
    measure.save()
    client.force_login(georgian_admin)
    for url in pages(measure):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("who", ["ge-admin", "admin"])
@pytest.mark.parametrize("junk", ["²", "x", "99999999999999999999", "-1"])
def test_a_junk_id_is_not_found(client, georgian_admin, who, junk):
    client.force_login(User.objects.get(username=who))
    assert client.get(reverse("admin:measures_measure_history", args=[junk])).status_code == 404
    assert client.get(reverse("admin:measures_measure_simple_history", args=[junk, "1"])).status_code == 404
    measure = Measure.objects.order_by("pk").first()
    assert client.get(reverse("admin:measures_measure_simple_history", args=[measure.pk, junk])).status_code == 404


def test_the_digests_sent_are_each_countrys_own(client, georgian_admin):
    def sent(username, edition_code):
        person = User.objects.get(username=username)
        period = Edition.objects.get(code=edition_code).periods.order_by("start").first()
        return DigestDelivery.objects.create(
            person=person,
            kind="due_soon",
            key=f"p{period.pk}",
            period=period,
            email=f"{username}@example.org",
            run="00000000-0000-0000-0000-000000000001",
        )

    georgian_plan = Edition.objects.filter(country__code="ge").values_list("code", flat=True).first()
    theirs, ours = sent("focal", "NAP-2020-2024"), sent("focal-ge", georgian_plan)
    client.force_login(georgian_admin)
    listed = client.get(reverse("admin:measures_digestdelivery_changelist"))
    assert listed.status_code == 200
    shown = {row.pk for row in listed.context["cl"].result_list}
    assert shown == {ours.pk}
    page = listed.content.decode()
    assert "focal@example.org" not in page and "NAP-2020-2024" not in page  # nor in the filters' choices
    # Unknown here: the admin sends its own "does not exist" back to its index, showing nothing of the row.
    refused = client.get(reverse("admin:measures_digestdelivery_change", args=[theirs.pk]))
    assert refused.status_code == 302 and refused["Location"] == reverse("admin:index")
    assert client.get(reverse("admin:measures_digestdelivery_change", args=[ours.pk])).status_code == 200
    client.force_login(User.objects.get(username="admin"))
    listed = client.get(reverse("admin:measures_digestdelivery_changelist"))
    assert {row.pk for row in listed.context["cl"].result_list} == {theirs.pk, ours.pk}
