"""The measures list's content comes from the cache (measures/list_cache.py): it must never show what has
changed since, nor one person's or one body's view to another, nor fail when the cache is away."""

import re
from datetime import UTC, date, datetime
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from measures import list_cache, services
from measures.models import Area, Measure, StatusUpdate
from nap_tracker.models import User
from tests.factories import AgencyFactory, MeasureFactory, UserFactory

pytestmark = pytest.mark.django_db

LIST = reverse("measure_list")


def visit(client, username, query=""):
    client.force_login(User.objects.get(username=username))
    response = client.get(LIST + query)
    assert response.status_code == 200
    return response.content.decode()


def row_of(html, measure):
    """The table row of `measure` on the page (the row opens with the link to the measure)."""
    start = html.index(f'href="{reverse("measure_detail", args=[measure.pk])}"')
    return html[start : html.index("</tr>", start)]


def on_first_page(measure):
    return f"?q={measure.number}&edition={measure.edition_id}"


def test_a_second_visit_is_served_from_the_cache_and_looks_the_same(client, demo):
    first = visit(client, "partner")
    with mock.patch("measures.views._measure_list_content", side_effect=AssertionError("written again")):
        second = visit(client, "partner")
    token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
    assert token.sub("", first) == token.sub("", second)


def test_an_approval_shows_on_the_next_visit(client, demo):
    # A lead body's submitted update whose approval moves the measure's progress.
    update = next(
        update
        for update in StatusUpdate.objects.filter(state="submitted", measure__consolidated_status="")
        .select_related("measure")
        .order_by("pk")
        if update.measure.assignments.filter(agency_id=update.agency_id, is_lead=True).exists()
        and update.progress != update.measure.progress
    )
    measure = update.measure
    query = on_first_page(measure)
    shown = '<span class="progress-value">{}%</span>'
    assert shown.format(measure.progress) in row_of(visit(client, "partner", query), measure)
    services.update_approve(update_id=update.pk, reviewer=User.objects.get(username="coordinator"))
    measure.refresh_from_db()
    assert measure.progress == update.progress
    assert shown.format(update.progress) in row_of(visit(client, "partner", query), measure)


def test_a_changed_title_and_deadline_show_on_the_next_visit(client, demo):
    measure = Measure.objects.filter(edition__code="NAP-2020-2024").order_by("sort_key").first()
    query = on_first_page(measure)
    assert "A title set a moment ago" not in visit(client, "partner", query)
    measure.title_en = "A title set a moment ago"
    measure.save()
    assert "A title set a moment ago" in row_of(visit(client, "partner", query), measure)
    services.measure_revise_deadline(
        measure_id=measure.pk,
        user=User.objects.get(username="coordinator"),
        new_deadline=date(2029, 6, 30),
        reason="Moved by the working group.",
    )
    assert "badge-revised" in row_of(visit(client, "partner", query), measure)


def test_a_draft_leads_its_own_body_to_it_and_no_other(client, demo):
    focal = User.objects.get(username="focal")
    measure = (
        Measure.objects.filter(edition__code="NAP-2020-2024", assignments__agency=focal.agency)
        .exclude(updates__state__in=["draft", "returned"], updates__agency=focal.agency)
        .order_by("sort_key")
        .first()
    )
    query = on_first_page(measure)
    other_body = AgencyFactory(code="OTHER-BODY")
    other_body.countries.set(focal.agency.countries.all())
    other = UserFactory(username="focal-other", role=User.Role.FOCAL_POINT, agency=other_body)
    other.countries.set(focal.countries.all())
    assert "Continue draft" not in row_of(visit(client, "focal", query), measure)
    period = measure.edition.periods.order_by("-start").first()
    draft = StatusUpdate.objects.create(
        measure=measure,
        agency=focal.agency,
        period=period,
        author=focal,
        state="draft",
        status="in_progress",
        progress=40,
    )
    mine = row_of(visit(client, "focal", query), measure)
    assert reverse("update_edit", args=[draft.pk]) in mine
    # Another body's focal point, same role, same query: a page of its own, without the draft's link.
    assert reverse("update_edit", args=[draft.pk]) not in visit(client, other.username, query)
    assert reverse("update_edit", args=[draft.pk]) not in visit(client, "partner", query)


def test_the_page_around_the_content_is_each_persons_own(client, demo):
    """Two people with the same view of the list share its content, never the header naming them."""
    partner = User.objects.get(username="partner")
    colleague = UserFactory(
        username="partner-two", role=User.Role.PARTNER, agency=partner.agency, first_name="Anna", last_name="Petrova"
    )
    colleague.countries.set(partner.countries.all())
    first = visit(client, "partner")
    second = visit(client, colleague.username)
    assert "Daniel Weber" in first and "Daniel Weber" not in second
    assert "Anna Petrova" in second


def test_each_language_has_its_own_content(client, demo):
    assert "<h1>Measures</h1>" in visit(client, "partner")
    User.objects.filter(username="partner").update(language="az")
    html = visit(client, "partner")
    assert 'lang="az"' in html and "<h1>Tədbirlər</h1>" in html


def test_tomorrow_is_another_page(client, demo):
    measure = Measure.objects.filter(edition__code="NAP-2020-2024", status="in_progress").order_by("sort_key").first()
    measure.deadline = timezone.localdate()
    measure.save()
    query = on_first_page(measure)
    assert "badge-overdue" not in row_of(visit(client, "partner", query), measure)
    tomorrow = timezone.localdate().toordinal() + 1
    with mock.patch("django.utils.timezone.localdate", return_value=date.fromordinal(tomorrow)):
        assert "badge-overdue" in row_of(visit(client, "partner", query), measure)


def test_the_list_is_served_with_the_cache_away(client, demo):
    with mock.patch.object(list_cache.cache, "get_many", side_effect=ConnectionError("cache away")):
        html = visit(client, "partner")
    assert "measure-table" in html


def test_a_long_or_strange_query_makes_a_key_of_fixed_length(rf, demo):
    request = rf.get(LIST, {"q": "ə" * 5000, "x": ["1", "2"]})  # a filter reads the last of repeated values
    request.user = User.objects.get(username="partner")
    key = list_cache.content_key(request, 1, date(2026, 11, 25))
    assert len(key) < 200 and "ə" not in key
    other = rf.get(LIST, {"q": "ə" * 5000, "x": ["2", "1"]})
    other.user = request.user
    assert list_cache.content_key(other, 1, date(2026, 11, 25)) != key


def test_one_person_cannot_fill_the_cache(client, demo, monkeypatch):
    """Query after query that nobody else asks for is written each time, but only so many are kept."""
    monkeypatch.setattr(list_cache, "PER_PERSON_LIMIT", 3)
    for n in range(3):
        visit(client, "partner", f"?q=word{n}")
    with mock.patch.object(list_cache.cache, "set", wraps=list_cache.cache.set) as stored:
        html = visit(client, "partner", "?q=word-four")
    assert "measure-table" in html or "No measure matches" in html
    assert not any(str(call.args[0]).startswith("measures:list:") for call in stored.call_args_list)
    # Another person is not held back by the first one's searches.
    with mock.patch.object(list_cache.cache, "set", wraps=list_cache.cache.set) as stored:
        visit(client, "focal", "?q=word-four")
    assert any(str(call.args[0]).startswith("measures:list:") for call in stored.call_args_list)


def test_a_request_declaring_another_charset_cannot_spoil_the_links_kept_for_others(client, demo):
    """A GET may say its query is in another charset (a Content-Type header): it is read to the same filters
    as anyone's and shares their kept content, whose download and page links must stay plain UTF-8."""
    partner = User.objects.get(username="partner")
    client.force_login(partner)
    sent = client.get(LIST, {"lacks": "indicator"}, CONTENT_TYPE="text/plain; charset=utf-16")
    assert sent.status_code == 200
    html = visit(client, "partner", "?lacks=indicator")
    assert f'href="{reverse("measure_csv")}?lacks=indicator"' in html


def test_each_time_zone_has_its_own_content(client, demo):
    """Whether a measure was completed by its deadline reads the day of the coordinator's office's decision
    in the reader's time zone: a reader in Vienna and one in Baku, same day, same view, may differ."""
    partner = User.objects.get(username="partner")
    partner.time_zone = "Europe/Vienna"
    partner.save()
    colleague = UserFactory(
        username="partner-baku",
        role=User.Role.PARTNER,
        agency=partner.agency,
        language=partner.language,
        time_zone="Asia/Baku",
    )
    colleague.countries.set(partner.countries.all())
    # Settled as completed at 23:30 in Vienna on the deadline, 01:30 the next day in Baku.
    measure = MeasureFactory(
        area=Area.objects.filter(edition__code="NAP-2020-2024").order_by("pk").first(),
        number="9.9.9",
        status="completed",
        progress=100,
        deadline=date(2024, 6, 30),
        consolidated_status="completed",
        consolidated_progress=100,
        consolidated_note="Settled by the working group.",
        consolidated_by=User.objects.get(username="coordinator"),
        consolidated_at=datetime(2024, 6, 30, 21, 30, tzinfo=UTC),
    )
    query = f"?completed=on_time&q={measure.number}&edition={measure.edition_id}"
    with mock.patch("django.utils.timezone.localdate", return_value=date(2026, 11, 25)):
        assert reverse("measure_detail", args=[measure.pk]) in visit(client, "partner", query)
        assert reverse("measure_detail", args=[measure.pk]) not in visit(client, colleague.username, query)


def test_a_list_written_before_a_change_is_not_kept_as_current_when_the_cache_had_lost_its_version(demo):
    """After Redis restarts (or evicts the version), the first visit writes the list while a change may commit:
    what it read before the change must not be served after it."""
    key = "measures:list:test-key"
    list_cache.cache.delete(list_cache.VERSION_KEY)

    def written_while_a_change_commits():
        content = "read before the change"
        list_cache.list_changed()
        return content

    assert list_cache.cached_content(key, written_while_a_change_commits, person_id=1) == "read before the change"
    assert list_cache.cached_content(key, lambda: "read after", person_id=1) == "read after"


def test_the_list_and_saves_work_with_redis_unreachable(client, demo, settings):
    """With Redis down the list is written on each visit, and saving a body or a plan still works."""
    settings.CACHES = {
        "default": {"BACKEND": "nap_tracker.cache.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"},
    }
    html = visit(client, "partner")
    assert "measure-table" in html
    agency = User.objects.get(username="partner").agency
    agency.name_en = "Renamed while the cache is away"
    agency.save()
    assert "Renamed while the cache is away" in visit(client, "partner", f"?agency={agency.pk}")
