"""Each page runs the same number of queries for 3 rows as for 300. The pinned numbers name their queries."""

import hashlib
from datetime import date

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from measures import list_cache, services
from measures.models import (
    BudgetLine,
    Evidence,
    Indicator,
    IndicatorValue,
    MeasureAgency,
    ReportingPeriod,
    Spending,
    StatusUpdate,
    UpdateEvent,
)
from measures.services import record_event
from nap_tracker.models import User
from tests.factories import AgencyFactory, AreaFactory, EditionFactory, MeasureFactory, UserFactory

pytestmark = pytest.mark.django_db


class Plan:
    """A running plan whose measures the Ministry of Labour executes and an NGO partners in, with updates in every state."""

    def __init__(self):
        self.edition = EditionFactory(code="NAP-QUERY", state="active", published=True)
        self.area = AreaFactory(edition=self.edition, code="4.1")
        self.periods = [
            ReportingPeriod.objects.create(
                edition=self.edition,
                label=f"{year} H2",
                start=date(year, 7, 1),
                end=date(year, 12, 31),
                due_date=date(year + 1, 1, 31),
            )
            for year in range(2020, 2025)
        ]
        self.mlspp = AgencyFactory(code="MLSPP")
        self.ngo = AgencyFactory(code="CLEAN-WORLD", kind="ngo")
        self.focal = UserFactory(username="focal", role=User.Role.FOCAL_POINT, agency=self.mlspp)
        self.ngo_user = UserFactory(username="ngo", role=User.Role.NGO, agency=self.ngo)
        self.coordinator = UserFactory(username="coordinator", role=User.Role.COORDINATOR, agency=None)
        self.partner = UserFactory(
            username="partner", role=User.Role.PARTNER, agency=AgencyFactory(code="IOM", kind="international")
        )
        self.measures = []

    def add_measures(self, count):
        start = len(self.measures)
        for i in range(start, start + count):
            measure = MeasureFactory(area=self.area, number=f"4.1.{i + 1}", deadline=date(2021 + i % 4, 12, 31))
            MeasureAgency.objects.create(measure=measure, agency=self.mlspp, part="executing", is_lead=True)
            MeasureAgency.objects.create(measure=measure, agency=self.ngo, part="partner")
            self.add_update(measure, self.periods[0], "approved")
            self.add_update(measure, self.periods[-1], ["submitted", "draft", "returned"][i % 3])
            # The NGO's independent assessment, shown beside the status on the measure, the list and reports.
            self.add_update(measure, self.periods[0], "approved", agency=self.ngo)
            self.measures.append(measure)

    def add_update(self, measure, period, state, agency=None, files=2):
        update = StatusUpdate.objects.create(
            measure=measure,
            agency=agency or self.mlspp,
            period=period,
            status="in_progress",
            progress=40,
            narrative="Sessions held.",
            restricted_details="The victim's name and case number.",
            state=state,
            author=self.focal if agency in (None, self.mlspp) else self.ngo_user,
            review_note="Add the regions." if state == "returned" else "",
        )
        # The thread, and with it the notifications, grow with the data too.
        if state != "draft":
            record_event(update, UpdateEvent.Kind.SUBMITTED, actor=update.author)
            record_event(update, UpdateEvent.Kind.COMMENT, actor=self.coordinator, text="Which regions?")
        if state in ("approved", "returned"):
            record_event(update, state, actor=self.coordinator, text=update.review_note)
        for n in range(files):
            content = b"%PDF-1.4 evidence " + str(n).encode()
            Evidence.objects.create(
                update=update,
                file=ContentFile(content, name=f"e{n}.pdf"),
                original_name=f"e{n}.pdf",
                content_type="application/pdf",
                size=len(content),
                sha256=hashlib.sha256(content).hexdigest(),
                restricted=n == 1,
                uploaded_by=self.focal,
            )
        return update


@pytest.fixture
def plan():
    plan = Plan()
    plan.add_measures(3)
    return plan


def count(client, user, url):
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        assert response.status_code == 200, url
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
    return len(queries)


PAGES = {
    # page → (who looks, URL)
    "focal point's home": ("focal", lambda p: reverse("home")),
    "NGO's home": ("ngo_user", lambda p: reverse("home")),
    "coordinator's home": ("coordinator", lambda p: reverse("home")),
    "partner's home": ("partner", lambda p: reverse("home")),
    "measures list": ("partner", lambda p: reverse("measure_list")),
    "measures list, filtered": (
        "partner",
        lambda p: reverse("measure_list") + f"?agency={p.mlspp.pk}&part=executing&overdue=true&q=4.1",
    ),
    "measures list, as the focal point": ("focal", lambda p: reverse("measure_list")),
    "measures list, revised deadlines": ("partner", lambda p: reverse("measure_list") + "?revised=true"),
    "measures as CSV": ("partner", lambda p: reverse("measure_csv")),
    "review queue": ("coordinator", lambda p: reverse("review_queue")),
    "public summary": ("partner", lambda p: reverse("public_summary", args=[p.edition.code])),
    "the plan's reporting periods": ("partner", lambda p: reverse("period_list", args=[p.edition.code])),
    "a reporting period": ("coordinator", lambda p: reverse("period_detail", args=[p.periods[-1].pk])),
    "focal point's notifications": ("focal", lambda p: reverse("notification_list")),
    "coordinator's notifications": ("coordinator", lambda p: reverse("notification_list")),
}


# Pages that keep something in the cache on the first visit (the list filter's menus, measures/filters.py):
# they are counted from the second visit, as nearly every visit finds the cache filled.
CACHED_ON_FIRST_VISIT = {
    "measures list",
    "measures list, filtered",
    "measures list, as the focal point",
    "measures list, revised deadlines",
}


def warm(client, plan, page):
    if page in CACHED_ON_FIRST_VISIT:
        who, url = PAGES[page]
        count(client, getattr(plan, who), url(plan))


@pytest.mark.parametrize("page", list(PAGES))
def test_list_pages_cost_the_same_for_3_or_300_rows(client, plan, page):
    who, url = PAGES[page]
    warm(client, plan, page)
    # The list's content is written anew here, as after any change (its kept copy: measures/list_cache.py).
    list_cache.list_changed()
    small = count(client, getattr(plan, who), url(plan))
    plan.add_measures(297)
    assert count(client, getattr(plan, who), url(plan)) == small


@pytest.mark.parametrize("page", sorted(CACHED_ON_FIRST_VISIT))
def test_the_measures_list_from_the_cache_reads_no_measure(client, plan, page):
    """Visited again with nothing changed, the list's content comes whole from the cache: the queries left
    are the page around it (session, person, header), the same at 3 and 300 rows, and fewer than writing it."""
    who, url = PAGES[page]
    user = getattr(plan, who)
    warm(client, plan, page)
    list_cache.list_changed()
    written = count(client, user, url(plan))
    kept = count(client, user, url(plan))
    # session, user, second factor, the agency's name in the header, unread notifications (header)
    assert kept == 5 < written
    plan.add_measures(297)
    assert count(client, user, url(plan)) == written
    assert count(client, user, url(plan)) == kept


def test_measure_page_costs_the_same_with_many_updates_files_and_changes(client, plan):
    measure = plan.measures[0]
    url = reverse("measure_detail", args=[measure.pk])
    indicator = Indicator.objects.create(measure=measure, name_en="Victims trained", breakdown="sex", target_value=10)
    BudgetLine.objects.create(measure=measure, amount=1000, currency="AZN")
    small = count(client, plan.focal, url)
    for period in plan.periods[1:-1]:
        approved = plan.add_update(measure, period, "approved", files=4)
        plan.add_update(measure, period, "submitted", agency=plan.ngo, files=2)
        for category in ("women", "men"):
            IndicatorValue.objects.create(update=approved, indicator=indicator, category=category, value=3)
        Spending.objects.create(update=approved, amount=100, currency="AZN")
        Spending.objects.create(update=approved, amount=10, currency="USD")
    for n in range(5):
        Indicator.objects.create(measure=measure, name_en=f"Indicator {n}", unit="percent", target_value=50)
        BudgetLine.objects.create(measure=measure, amount=500, currency="EUR")
    for n in range(20):
        MeasureAgency.objects.create(measure=measure, agency=AgencyFactory(code=f"EXTRA-{n}"), part="executing")
        measure.title_en = f"Wording {n}"
        measure.save()
        services.measure_revise_deadline(
            measure_id=measure.pk, user=plan.coordinator, new_deadline=date(2022, 1, 1 + n), reason=f"Reason {n}."
        )
    services.period_close(period_id=plan.periods[1].pk, user=plan.coordinator)
    assert count(client, plan.focal, url) == small
    # session, user, second factor, the user's agency (header), measure with plan, area and continued measure,
    # its agencies, the measures continuing it, its deadline revisions with who made them, updates, their
    # evidence, their threads (each step with who wrote it and their agency), what each update reports against
    # the indicators and as money spent, history of changes (the revisions it names are those already loaded),
    # whether a period is open for a new update, unread notifications (header), indicators, their approved
    # values, budget lines, money spent, the recommendations it answers with their sources
    assert small == 21


def test_deadline_page_costs_the_same_with_many_revisions(client, plan):
    measure = plan.measures[0]
    url = reverse("measure_revise_deadline", args=[measure.pk])
    small = count(client, plan.coordinator, url)
    for n in range(30):
        services.measure_revise_deadline(
            measure_id=measure.pk, user=plan.coordinator, new_deadline=date(2022, 1, 1 + n), reason=f"Reason {n}."
        )
    assert count(client, plan.coordinator, url) == small
    # session, user, second factor, measure with plan and area, its revisions with who made them,
    # unread notifications (header)
    assert small == 6


def test_period_pages_cost_the_same_with_many_periods_updates_and_closings(client, plan):
    period = plan.periods[-1]
    urls = [reverse("period_list", args=[plan.edition.code]), reverse("period_detail", args=[period.pk])]
    small = [count(client, plan.partner, url) for url in urls]
    for year in range(2025, 2045):
        ReportingPeriod.objects.create(
            edition=plan.edition,
            label=f"{year} H2",
            start=date(year, 7, 1),
            end=date(year, 12, 31),
            due_date=date(year + 1, 1, 31),
        )
    plan.add_measures(60)
    for n in range(10):
        services.period_close(period_id=period.pk, user=plan.coordinator, reason=f"Closed {n}.")
        services.period_reopen(period_id=period.pk, user=plan.coordinator, reason=f"Reopened {n}.")
    services.period_close(period_id=period.pk, user=plan.coordinator)
    assert [count(client, plan.partner, url) for url in urls] == small


def test_consolidation_page_costs_the_same_with_many_updates(client, plan):
    measure = plan.measures[0]
    url = reverse("measure_consolidate", args=[measure.pk])
    small = count(client, plan.coordinator, url)
    for period in plan.periods[1:-1]:
        plan.add_update(measure, period, "approved", files=3)
        plan.add_update(measure, period, "approved", agency=plan.ngo, files=1)
    for n in range(10):
        MeasureAgency.objects.create(measure=measure, agency=AgencyFactory(code=f"MORE-{n}"), part="executing")
    assert count(client, plan.coordinator, url) == small
    # session, user, second factor, measure with plan, area, continued measure and who consolidated, its agencies,
    # the measures continuing it, its deadline revisions, its approved updates with agency and period, unread
    # notifications (header)
    assert small == 9


def test_review_and_edit_pages_cost_the_same_with_many_files(client, plan):
    submitted = StatusUpdate.objects.filter(state="submitted").first()
    draft = StatusUpdate.objects.filter(state="draft").first()
    review_url = reverse("update_review", args=[submitted.pk])
    edit_url = reverse("update_edit", args=[draft.pk])
    small_review = count(client, plan.coordinator, review_url)
    small_edit = count(client, plan.focal, edit_url)
    for update in (submitted, draft):
        for n in range(10):
            content = f"%PDF-1.4 more {n}".encode()
            Evidence.objects.create(
                update=update,
                file=ContentFile(content, name="more.pdf"),
                original_name="more.pdf",
                content_type="application/pdf",
                size=len(content),
                sha256=hashlib.sha256(content).hexdigest(),
                uploaded_by=plan.focal,
            )
        indicator = Indicator.objects.create(measure=update.measure, name_en=f"Indicator {update.pk}", unit="number")
        IndicatorValue.objects.create(update=update, indicator=indicator, value=4)
        Spending.objects.create(update=update, amount=100, currency="AZN")
    assert count(client, plan.coordinator, review_url) == small_review
    assert count(client, plan.focal, edit_url) == small_edit


# "second factor": the device that verified the session, or (for someone signed in with a password
# only) whether the person has one — see SecondFactorMiddleware.
PINNED = {
    # session, user, second factor, current periods, the agency's open updates counted by state, the first returned,
    # the first drafts, its measures counted as due and overdue, the first due, the first overdue, the agency's
    # name in the header, unread notifications (header). (Was 11 when the home listed every measure of the agency.)
    "focal point's home": 12,
    # session, user, second factor, plans, status aggregate, queue, queue size, overdue measures, their agencies,
    # running plans, current period, bodies that have not reported, unread notifications (header)
    "coordinator's home": 13,
    # session, user, second factor, plans, status aggregate, areas, aggregate by area, the agency's name in the header,
    # unread notifications (header)
    "partner's home": 9,
    # session, user, second factor, count, the page's measure ids, those measures, their agencies, the NGO
    # assessments of the page's measures, the agency's name in the header, unread notifications (header). The filter's
    # menus come from the cache (on the first visit: three more queries, plans, areas, agencies). Was 12: the menus
    # were read on every visit, and the page was taken in one query that sorted whole rows.
    "measures list": 10,
    # the same, and the agency's draft and returned updates on the page's measures
    "measures list, as the focal point": 11,
    # session, user, second factor, queue size, page of updates with evidence counts, unread notifications (header)
    "review queue": 6,
    # session, user, second factor, the plan, its periods with who closed them, their updates counted by state,
    # the agency's name in the header, unread notifications (header)
    "the plan's reporting periods": 8,
    # session, user, second factor, the period with its plan and who closed it, its record of closes and
    # reopenings with who and their agency, its updates counted by state, unread notifications (header)
    "a reporting period": 7,
    # session, user, second factor, unread notifications (header, and the "Mark all as read" button), count, page of
    # notifications with their step, who took it and their agency, the update, its measure, plan, period and agency;
    # the agency's name in the header
    "focal point's notifications": 7,
    "coordinator's notifications": 6,
}


@pytest.mark.parametrize("page", list(PINNED))
def test_pinned_query_counts(client, plan, page):
    who, url = PAGES[page]
    warm(client, plan, page)
    if page in CACHED_ON_FIRST_VISIT:
        list_cache.list_changed()  # the list's content written anew, as after any change
    assert count(client, getattr(plan, who), url(plan)) == PINNED[page]


def test_review_queue_counts_files_without_grouping_every_submitted_update(client, plan):
    # The page is taken in the database: a GROUP BY over every submitted update before the LIMIT
    # spilled to disk on a large plan. Each row's files are counted by a subquery instead.
    client.force_login(plan.coordinator)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("review_queue"))
    assert [update.evidence_count for update in response.context["page"]] == [2]
    assert "2 files" in response.content.decode()
    page_query = next(q["sql"] for q in queries if "LIMIT" in q["sql"] and "measures_statusupdate" in q["sql"])
    assert "GROUP BY" not in page_query.split("FROM", 1)[0] + page_query.rsplit(")", 1)[-1]
