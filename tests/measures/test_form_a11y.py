"""Forms a screen reader can follow: every field's description points at text that is on the page, and
a form that comes back with errors opens with a summary whose every line leads to its field."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from measures.models import Measure, ReportingPeriod
from nap_tracker.models import User

pytestmark = pytest.mark.django_db


class Page(HTMLParser):
    def __init__(self, html: str):
        super().__init__()
        self.ids: set[str] = set()
        self.described: list[tuple[str, str]] = []  # (field id, id it is described by)
        self.summary_links: list[str] = []
        self._in_summary = 0
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        for target in (attrs.get("aria-describedby") or "").split():
            self.described.append((attrs.get("id", tag), target))
        if tag == "div" and "error-summary" in (attrs.get("class") or ""):
            self._in_summary = 1
        elif self._in_summary and tag == "div":
            self._in_summary += 1
        if self._in_summary and tag == "a":
            self.summary_links.append(attrs["href"])

    def handle_endtag(self, tag):
        if self._in_summary and tag == "div":
            self._in_summary -= 1

    def dangling(self) -> list[tuple[str, str]]:
        return [(field, target) for field, target in self.described if target not in self.ids]


@pytest.fixture
def measure(demo):
    return Measure.objects.get(edition__code="NAP-2020-2024", number="4.3.3")


def test_every_description_of_the_update_form_is_on_the_page(client, measure):
    client.force_login(User.objects.get(username="focal"))
    page = Page(client.get(reverse("update_create", args=[measure.pk])).content.decode())
    assert page.described, "the fields with help say so to screen readers"
    assert not page.dangling()
    assert ("id_progress", "id_progress_helptext") in page.described


def test_the_update_form_with_errors_opens_with_a_summary_linking_each_field(client, measure):
    client.force_login(User.objects.get(username="focal"))
    period = ReportingPeriod.objects.get(edition=measure.edition, label="2024 H2")
    data = {"period": period.pk, "status": "in_progress", "progress": 250, "narrative": "", "action": "submit"}
    response = client.post(reverse("update_create", args=[measure.pk]), data)
    assert response.status_code == 400  # the form again, with what to correct
    page = Page(response.content.decode())
    assert not page.dangling()
    assert ("id_progress", "id_progress_error") in page.described
    assert "#id_progress" in page.summary_links
    for link in page.summary_links:
        assert link.startswith("#") and link[1:] in page.ids, link


def test_the_review_and_report_forms_describe_with_ids_on_the_page(client, demo):
    client.force_login(User.objects.get(username="coordinator"))
    for url in [reverse("reporting:new"), reverse("account_settings"), reverse("password_change")]:
        assert not Page(client.get(url).content.decode()).dangling(), url
    response = client.post(reverse("password_change"), {"old_password": "wrong"})
    page = Page(response.content.decode())
    assert not page.dangling()
    assert "#id_old_password" in page.summary_links


def test_a_wrong_filter_is_described_by_its_error(client, demo):
    client.force_login(User.objects.get(username="partner"))
    response = client.get(reverse("measure_list"), {"deadline_year": "1700"})
    page = Page(response.content.decode())
    assert ("id_deadline_year", "id_deadline_year_error") in page.described
    assert not page.dangling()
