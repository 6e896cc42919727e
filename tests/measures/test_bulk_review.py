"""Approving several updates at once approves exactly the texts the coordinator saw on the queue page.

Found by attacking a running copy: a focal point withdrew, rewrote and resubmitted an update while
the coordinator had the queue open; ticking it approved the new text, which nobody had read.
"""

import re

import pytest
from django.urls import reverse

from measures import services
from measures.models import StatusUpdate
from measures.services import UpdateData
from nap_tracker.models import User

pytestmark = pytest.mark.django_db


def ticked_values(page_html: str) -> dict[int, str]:
    """The value each queue checkbox posts, by update id, as the page shows it."""
    return {
        int(pk): value
        for value, pk in re.findall(r'<input type="checkbox" name="updates" value="((\d+):\d+)"', page_html)
    }


@pytest.fixture
def coordinator(client, demo):
    client.force_login(User.objects.get(username="coordinator"))
    return client


def test_an_update_rewritten_while_the_queue_was_open_is_not_approved(coordinator, django_capture_on_commit_callbacks):
    page = coordinator.get(reverse("review_queue")).content.decode()
    shown = ticked_values(page)
    rewritten = StatusUpdate.objects.filter(pk__in=shown, agency__code="MLSPP").select_related("measure").first()
    untouched = [pk for pk in shown if pk != rewritten.pk][:2]

    # Meanwhile the focal point withdraws it, rewrites it and submits it again.
    focal = User.objects.get(username="focal")
    services.update_withdraw(update_id=rewritten.pk, user=focal)
    draft = StatusUpdate.objects.get(pk=rewritten.pk)
    services.update_save(
        update_id=draft.pk,
        user=focal,
        expected_version=draft.version,
        data=UpdateData(
            period=draft.period, status="completed", progress=100, narrative="Everything is done, trust us."
        ),
        files=[],
        submit=True,
    )
    assert StatusUpdate.objects.get(pk=rewritten.pk).state == "submitted"

    response = coordinator.post(
        reverse("review_queue"), {"updates": [shown[rewritten.pk], *(shown[pk] for pk in untouched)]}, follow=True
    )
    after = StatusUpdate.objects.get(pk=rewritten.pk)
    assert after.state == "submitted" and after.reviewer_id is None
    assert set(StatusUpdate.objects.filter(pk__in=untouched).values_list("state", flat=True)) == {"approved"}
    text = response.content.decode()
    assert rewritten.measure.number in text and "MLSPP" in text
    assert "changed since you opened the page" in text


def test_an_update_withdrawn_while_the_queue_was_open_is_not_approved(coordinator):
    shown = ticked_values(coordinator.get(reverse("review_queue")).content.decode())
    withdrawn = StatusUpdate.objects.filter(pk__in=shown, agency__code="MLSPP").first()
    services.update_withdraw(update_id=withdrawn.pk, user=User.objects.get(username="focal"))
    response = coordinator.post(reverse("review_queue"), {"updates": [shown[withdrawn.pk]]}, follow=True)
    assert StatusUpdate.objects.get(pk=withdrawn.pk).state == "draft"
    assert "changed since you opened the page" in response.content.decode()


def test_a_tick_without_the_version_shown_approves_nothing(coordinator):
    waiting = StatusUpdate.objects.filter(state="submitted").first()
    response = coordinator.post(reverse("review_queue"), {"updates": [str(waiting.pk)]})
    assert response.status_code == 400
    assert StatusUpdate.objects.get(pk=waiting.pk).state == "submitted"


def test_the_queue_approves_what_it_showed(coordinator):
    shown = ticked_values(coordinator.get(reverse("review_queue")).content.decode())
    picked = list(shown)[:3]
    response = coordinator.post(reverse("review_queue"), {"updates": [shown[pk] for pk in picked]})
    assert response.status_code == 302
    assert set(StatusUpdate.objects.filter(pk__in=picked).values_list("state", flat=True)) == {"approved"}
