"""A role decides what a person may do, both ways: taking a right away must take it away everywhere.

Found by attacking a running copy: an administrator changed to focal point kept `is_staff` and
`is_superuser`, still opened /admin/, and there marked a status update approved with themself
as reviewer. The admin's status-update page no longer touches the workflow; approval happens
only through the review service, which refuses one's own update on every path.
"""

import pytest
from django.urls import reverse

from measures import services
from measures.models import StatusUpdate
from nap_tracker.models import Agency, User

pytestmark = pytest.mark.django_db


def admin_form_data(client, url):
    """What the admin's change form would post back unchanged."""
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    return {k: ("" if v is None else v) for k, v in data.items()}


@pytest.mark.parametrize("role", ["coordinator", "focal_point", "ngo", "partner"])
def test_a_demoted_administrator_loses_the_admin_site(client, people, role):
    admin = people["admin"]
    assert admin.is_staff and admin.is_superuser
    admin.role = role
    admin.agency = None if role == "coordinator" else Agency.objects.get(code="MLSPP")
    admin.save()
    admin.refresh_from_db()
    assert not admin.is_staff and not admin.is_superuser
    client.force_login(admin)
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))


def test_demoting_through_the_admin_form_takes_the_flags_away(client, people):
    root = User.objects.create_superuser("root", "root@example.org", "a-long-password-1")
    client.force_login(root)
    target = people["admin"]
    url = reverse("admin:nap_tracker_user_change", args=[target.pk])
    data = admin_form_data(client, url)
    data.update({"role": "focal_point", "agency": Agency.objects.get(code="MLSPP").pk})
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    target.refresh_from_db()
    assert (target.role, target.is_staff, target.is_superuser) == ("focal_point", False, False)
    client.force_login(target)
    assert client.get(reverse("admin:measures_statusupdate_changelist")).status_code == 302


def test_a_person_left_with_staff_flags_by_an_old_version_is_still_kept_out(client, people):
    """Rows written before roles decided the flags: the admin site asks the role too."""
    focal = people["focal_point"]
    User.objects.filter(pk=focal.pk).update(is_staff=True, is_superuser=True)
    client.force_login(User.objects.get(pk=focal.pk))
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))


def test_promoting_to_administrator_gives_the_flags(people):
    coordinator = people["coordinator"]
    coordinator.role = User.Role.ADMIN
    coordinator.save()
    coordinator.refresh_from_db()
    assert coordinator.is_staff and coordinator.is_superuser


@pytest.fixture
def submitted(demo):
    """A submitted update of the Ministry of Labour, written by its focal point."""
    return StatusUpdate.objects.filter(state="submitted", agency__code="MLSPP").select_related("measure").first()


def test_the_admin_cannot_approve_an_update_in_the_admin_form(client, submitted):
    admin = User.objects.get(username="admin")
    client.force_login(admin)
    url = reverse("admin:measures_statusupdate_change", args=[submitted.pk])
    data = admin_form_data(client, url)
    data.update(
        {
            "state": "approved",
            "reviewer": admin.pk,
            "reviewed_at_0": "2024-01-01",
            "reviewed_at_1": "10:00:00",
            "author": admin.pk,
            "evidence-TOTAL_FORMS": 0,
            "evidence-INITIAL_FORMS": 0,
            "evidence-MIN_NUM_FORMS": 0,
            "evidence-MAX_NUM_FORMS": 1000,
        }
    )
    client.post(url, data)
    after = StatusUpdate.objects.get(pk=submitted.pk)
    assert after.state == "submitted"
    assert after.reviewer_id is None and after.reviewed_at is None
    assert after.author_id == submitted.author_id
    assert submitted.measure.status == type(submitted.measure).objects.get(pk=submitted.measure_id).status


def test_the_admin_form_shows_the_workflow_read_only(client, submitted):
    client.force_login(User.objects.get(username="admin"))
    form = client.get(reverse("admin:measures_statusupdate_change", args=[submitted.pk])).context["adminform"].form
    for name in ("state", "reviewer", "reviewed_at", "author", "submitted_at"):
        assert name not in form.fields, name


def test_updates_are_not_added_in_the_admin(client, demo):
    client.force_login(User.objects.get(username="admin"))
    assert client.get(reverse("admin:measures_statusupdate_add")).status_code == 403


@pytest.mark.parametrize("role", ["focal_point", "ngo", "partner"])
def test_the_review_service_refuses_a_reviewer_without_the_role(submitted, people, role):
    person = User.objects.get(username={"focal_point": "focal", "ngo": "ngo", "partner": "partner"}[role])
    with pytest.raises(services.UpdateError):
        services.update_approve(update_id=submitted.pk, reviewer=person)
    assert StatusUpdate.objects.get(pk=submitted.pk).state == "submitted"


def test_nobody_approves_their_own_update_from_the_queue(client, submitted):
    coordinator = User.objects.get(username="coordinator")
    StatusUpdate.objects.filter(pk=submitted.pk).update(author=coordinator)
    client.force_login(coordinator)
    response = client.post(reverse("review_queue"), {"updates": [f"{submitted.pk}:{submitted.version}"]}, follow=True)
    assert StatusUpdate.objects.get(pk=submitted.pk).state == "submitted"
    assert "someone else in the coordinator" in response.content.decode()
