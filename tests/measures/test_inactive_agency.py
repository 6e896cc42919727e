"""An agency made inactive by the administrator no longer reports: its people cannot write, edit or submit updates.

Found by attacking a running copy: the people of an inactive agency could still write and submit.
"""

import pytest
from django.urls import reverse

from measures import services
from measures.models import Measure, ReportingPeriod, StatusUpdate
from measures.services import UpdateData
from nap_tracker.models import Agency, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def inactive(demo):
    Agency.objects.filter(code="MLSPP").update(active=False)
    return User.objects.get(username="focal")


@pytest.fixture
def measure(demo):
    return Measure.objects.get(edition__code="NAP-2020-2024", number="4.3.3")


def data(measure, **overrides):
    period = ReportingPeriod.objects.get(edition=measure.edition, label="2024 H2")
    values = {"period": period.pk, "status": "in_progress", "progress": 50, "narrative": "Courses held."}
    return values | overrides


def test_the_new_update_page_is_refused(client, inactive, measure):
    client.force_login(inactive)
    assert client.get(reverse("update_create", args=[measure.pk])).status_code == 403
    response = client.post(reverse("update_create", args=[measure.pk]), data(measure, action="submit"))
    assert response.status_code == 403
    assert not StatusUpdate.objects.filter(measure=measure, agency__code="MLSPP", period__label="2024 H2").exists()


def test_a_draft_cannot_be_edited_or_submitted(client, inactive):
    draft = StatusUpdate.objects.filter(agency__code="MLSPP", state="draft").first()
    client.force_login(inactive)
    url = reverse("update_edit", args=[draft.pk])
    assert client.get(url).status_code == 403
    payload = data(draft.measure, period=draft.period_id, version=draft.version, action="submit")
    assert client.post(url, payload).status_code == 403
    assert StatusUpdate.objects.get(pk=draft.pk).state == "draft"


def test_a_submitted_update_cannot_be_withdrawn(client, inactive):
    submitted = StatusUpdate.objects.filter(agency__code="MLSPP", state="submitted").first()
    client.force_login(inactive)
    assert client.post(reverse("update_withdraw", args=[submitted.pk])).status_code == 403
    assert StatusUpdate.objects.get(pk=submitted.pk).state == "submitted"


def test_the_services_refuse_too(inactive, measure):
    period = ReportingPeriod.objects.get(edition=measure.edition, label="2024 H2")
    content = UpdateData(period=period, status="in_progress", progress=50, narrative="Courses held.")
    with pytest.raises(services.UpdateError, match="no longer active"):
        services.update_create(measure=measure, user=inactive, data=content, files=[], submit=True)
    draft = StatusUpdate.objects.filter(agency__code="MLSPP", state="draft").first()
    with pytest.raises(services.UpdateError, match="no longer active"):
        services.update_save(
            update_id=draft.pk,
            user=inactive,
            expected_version=draft.version,
            data=UpdateData(period=draft.period, status="in_progress", progress=50, narrative="Courses held."),
            files=[],
            submit=True,
        )
    assert StatusUpdate.objects.get(pk=draft.pk).state == "draft"


def test_the_measure_page_offers_no_new_update(client, inactive, measure):
    client.force_login(inactive)
    response = client.get(reverse("measure_detail", args=[measure.pk]))
    assert response.status_code == 200
    assert not response.context["may_add_update"]


def test_an_active_agency_still_reports(client, demo, measure):
    client.force_login(User.objects.get(username="focal"))
    assert client.get(reverse("update_create", args=[measure.pk])).status_code == 200
