"""Junk in any query or form field gives a clear message or is ignored — never a server error.

Found by attacking a running copy: `/measures/?deadline_year=0` (and -1, 10000, 1e10), the same on
the CSV export, and `POST /review/` with `updates=99999999999999999999` answered 500. The
property-based tests below throw generated junk (unicode, huge and negative numbers, floats, NUL
bytes, very long strings) at every filter and every form of the site, as a person allowed to use
it. CI runs them on PostgreSQL, where an integer beyond bigint and a NUL byte in text are errors.
"""

from datetime import date

import pytest
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from measures.models import MeasureAgency, Recommendation, RecommendationSource, ReportingPeriod, StatusUpdate
from nap_tracker.models import User
from tests.factories import AgencyFactory, AreaFactory, EditionFactory, MeasureFactory, UserFactory

pytestmark = pytest.mark.django_db

NASTY = [
    "0",
    "-1",
    "10000",
    "1e10",
    "-1e308",
    "99999999999999999999",
    "9223372036854775808",
    "-9223372036854775809",
    "NaN",
    "inf",
    "1.5",
    "１２３",  # full-width digits
    "\x00",
    "1\x00",
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "1:2",
    "99999999999999999999:1",
    "1:99999999999999999999",
    "x" * 5000,
    "2024-02-30",
    "",
    " ",
]
JUNK = st.one_of(
    st.sampled_from(NASTY),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats().map(repr),
    # Text a browser can send: any character but lone surrogates, which cannot be encoded at all.
    st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=300),
)
JUNK_SETTINGS = settings(
    max_examples=40,
    derandomize=True,  # the same requests on every run: a failure in CI is a failure on a laptop
    database=None,  # nothing to remember between runs, so no .hypothesis/ folder
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def site(db):
    """A running plan with one measure of the Ministry of Labour, a draft and a submitted update."""
    mlspp = AgencyFactory(code="MLSPP")
    edition = EditionFactory(code="NAP-JUNK", state="active")
    measure = MeasureFactory(area=AreaFactory(edition=edition, code="4.1"), number="4.1.1")
    MeasureAgency.objects.create(measure=measure, agency=mlspp, part="executing", is_lead=True)
    periods = [
        ReportingPeriod.objects.create(
            edition=edition,
            label=f"{year} H2",
            start=date(year, 7, 1),
            end=date(year, 12, 31),
            due_date=date(year + 1, 1, 31),
        )
        for year in (2023, 2024)
    ]
    focal = UserFactory(username="focal", role=User.Role.FOCAL_POINT, agency=mlspp)
    common = {"measure": measure, "agency": mlspp, "status": "in_progress", "progress": 40, "author": focal}
    draft = StatusUpdate.objects.create(period=periods[0], state="draft", narrative="Draft.", **common)
    submitted = StatusUpdate.objects.create(period=periods[1], state="submitted", narrative="Done.", **common)
    source = RecommendationSource.objects.create(
        country=measure.edition.country, kind="greta", reference="GRETA(2018)17"
    )
    measure.recommendations.add(Recommendation.objects.create(source=source, number="§45", text_en="Identify."))
    return {
        "people": {
            "focal": focal,
            "coordinator": UserFactory(username="coordinator", role=User.Role.COORDINATOR, agency=None),
            "admin": UserFactory(username="admin", role=User.Role.ADMIN, agency=None),
        },
        "edition": edition,
        "measure": measure,
        "period": periods[1],
        "draft": draft,
        "submitted": submitted,
        "source": source,
    }


def measure_filters(site):
    return {
        "q": "4.1",
        "edition": site["edition"].pk,
        "area": "",
        "pillar": "prevention",
        "agency": "",
        "part": "executing",
        "status": "in_progress",
        "overdue": "true",
        "revised": "true",
        "lacks": "indicator",
        "completed": "late",
        "returned": "yes",
        "deadline_year": "2024",
        "wording": "official",
        "sort": "deadline",
        "page": "1",
    }


def update_fields(site):
    return {
        "period": site["period"].pk,
        "status": "in_progress",
        "progress": "50",
        "language": "en",
        "narrative": "Courses held.",
        "figures": "",
        "version": "1",
        "action": "save",
    }


def coverage_report_fields(site):
    return report_fields(site) | {"kind": "coverage", "source": site["source"].pk}


def report_fields(site):
    return {
        "kind": "edition",
        "edition": site["edition"].pk,
        "period": "",
        "agency": "",
        "area": "",
        "language": "en",
        "format": "pdf",
    }


# target → (who, method, URL, the sane values of its fields)
TARGETS = {
    "measure list": ("focal", "get", lambda s: reverse("measure_list"), measure_filters),
    "measures as CSV": ("focal", "get", lambda s: reverse("measure_csv"), measure_filters),
    "review queue page": ("coordinator", "get", lambda s: reverse("review_queue"), lambda s: {"page": "1"}),
    "report dashboard": ("focal", "get", lambda s: reverse("reporting:dashboard"), lambda s: {"edition": "NAP-JUNK"}),
    "my reports": ("focal", "get", lambda s: reverse("reporting:list"), lambda s: {"page": "1"}),
    "coverage page": (
        "focal",
        "get",
        lambda s: reverse("recommendation_coverage", args=[s["source"].pk]),
        lambda s: {"edition": "NAP-JUNK"},
    ),
    "coverage report request page": (
        "coordinator",
        "get",
        lambda s: reverse("reporting:new"),
        lambda s: {"kind": "coverage", "source": s["source"].pk, "edition": "NAP-JUNK"},
    ),
    "request a coverage report": ("coordinator", "post", lambda s: reverse("reporting:new"), coverage_report_fields),
    "report request page": (
        "focal",
        "get",
        lambda s: reverse("reporting:new"),
        lambda s: {"edition": "NAP-JUNK", "kind": "quality"},
    ),
    "new update": ("focal", "post", lambda s: reverse("update_create", args=[s["measure"].pk]), update_fields),
    "edit update": ("focal", "post", lambda s: reverse("update_edit", args=[s["draft"].pk]), update_fields),
    "review an update": (
        "coordinator",
        "post",
        lambda s: reverse("update_review", args=[s["submitted"].pk]),
        lambda s: {"action": "approve", "note": "Fine.", "version": str(s["submitted"].version)},
    ),
    "approve from the queue": (
        "coordinator",
        "post",
        lambda s: reverse("review_queue"),
        lambda s: {"updates": f"{s['submitted'].pk}:{s['submitted'].version}"},
    ),
    "revise a deadline": (
        "coordinator",
        "post",
        lambda s: reverse("measure_revise_deadline", args=[s["measure"].pk]),
        lambda s: {"new_deadline": "2024-06-30", "reason": "The Cabinet asked for a second reading."},
    ),
    "close a period": (
        "coordinator",
        "post",
        lambda s: reverse("period_close", args=[s["period"].pk]),
        lambda s: {"reason": "Reporting is complete."},
    ),
    "reopen a period": (
        "coordinator",
        "post",
        lambda s: reverse("period_reopen", args=[s["period"].pk]),
        lambda s: {"reason": "Late figures."},
    ),
    "draft the next plan": (
        "coordinator",
        "post",
        lambda s: reverse("next_plan", args=[s["edition"].code]),
        lambda s: {
            "code": "NAP-2025-2029",
            "title_en": "Plan 2025–2029",
            "title_az": "",
            "title_ru": "",
            "start_year": "2025",
            "end_year": "2029",
            "measures": str(s["measure"].pk),
        },
    ),
    "request a report (coordinator)": ("coordinator", "post", lambda s: reverse("reporting:new"), report_fields),
    "request a report (focal point)": ("focal", "post", lambda s: reverse("reporting:new"), report_fields),
    "my settings": (
        "focal",
        "post",
        lambda s: reverse("account_settings"),
        lambda s: {"language": "az", "time_zone": "Asia/Baku", "receives_digests": "on"},
    ),
    "change language": ("focal", "post", lambda s: reverse("set_language"), lambda s: {"language": "ru", "next": "/"}),
    "sign-in page": (None, "get", lambda s: reverse("login"), lambda s: {"next": "/measures/"}),
    "sign in": (None, "post", lambda s: reverse("login"), lambda s: {"username": "focal", "password": "x"}),
    "forgotten password": (None, "post", lambda s: reverse("password_reset"), lambda s: {"email": "a@example.org"}),
    "change password": (
        "focal",
        "post",
        lambda s: reverse("password_change"),
        lambda s: {"old_password": "x", "new_password1": "y", "new_password2": "y"},
    ),
    "plan import (admin)": (
        "admin",
        "post",
        lambda s: reverse("admin:measures_edition_import", args=[s["edition"].pk]),
        lambda s: {"file": ""},
    ),
    "agency in the admin": (
        "admin",
        "post",
        lambda s: reverse("admin:nap_tracker_agency_add"),
        lambda s: {"code": "NEW", "kind": "ministry", "active": "on", "name_en": "New", "name_az": "", "name_ru": ""},
    ),
    "person in the admin": (
        "admin",
        "post",
        lambda s: reverse("admin:nap_tracker_user_add"),
        lambda s: {
            "username": "new",
            "email": "new@example.org",
            "role": "focal_point",
            "agency": s["measure"].assignments.get().agency_id,
            "password1": "a-long-password-1",
            "password2": "a-long-password-1",
        },
    ),
    "plan in the admin": (
        "admin",
        "post",
        lambda s: reverse("admin:measures_edition_change", args=[s["edition"].pk]),
        lambda s: {
            "code": "NAP-JUNK",
            "title_en": "Plan",
            "start_year": "2020",
            "end_year": "2024",
            "approved_on": "2020-07-22",
            "state": "active",
            "areas-TOTAL_FORMS": "0",
            "areas-INITIAL_FORMS": "0",
            "periods-TOTAL_FORMS": "0",
            "periods-INITIAL_FORMS": "0",
        },
    ),
    "measure in the admin": (
        "admin",
        "post",
        lambda s: reverse("admin:measures_measure_change", args=[s["measure"].pk]),
        lambda s: {
            "edition": s["edition"].pk,
            "area": s["measure"].area_id,
            "number": "4.1.1",
            "title_en": "Measure",
            "deadline": "2024-12-31",
            "estimated_budget": "1000.00",
            "budget_currency": "AZN",
            "continues": "",
            "assignments-TOTAL_FORMS": "0",
            "assignments-INITIAL_FORMS": "0",
        },
    ),
    "status update in the admin": (
        "admin",
        "post",
        lambda s: reverse("admin:measures_statusupdate_change", args=[s["draft"].pk]),
        lambda s: {
            "measure": s["measure"].pk,
            "agency": s["draft"].agency_id,
            "period": s["draft"].period_id,
            "status": "in_progress",
            "progress": "40",
            "narrative": "Draft.",
            "figures": "",
            "evidence-TOTAL_FORMS": "0",
            "evidence-INITIAL_FORMS": "0",
        },
    ),
    "measures in the admin": (
        "admin",
        "get",
        lambda s: reverse("admin:measures_measure_changelist"),
        lambda s: {"edition__id__exact": s["edition"].pk, "status__exact": "in_progress", "q": "4", "o": "1", "p": "1"},
    ),
}


def send(client, site, target, data):
    """One request in a transaction rolled back afterwards, so examples do not change each other's ground."""
    who, method, url, _fields = TARGETS[target]
    with transaction.atomic():
        client.logout()
        if who:
            client.force_login(site["people"][who])
        response = getattr(client, method)(url(site), data)
        if response.streaming:
            b"".join(response.streaming_content)
        transaction.set_rollback(True)
    return response


@pytest.mark.parametrize("target", list(TARGETS))
def test_junk_in_any_field_never_breaks_the_page(client, site, target):
    fields = TARGETS[target][3](site)
    assert send(client, site, target, fields).status_code < 500
    # The worst cases in every field, every time; then generated junk.
    for field in fields:
        for value in ("\x00", "99999999999999999999", "-1", "1e10", "x" * 5000):
            assert send(client, site, target, fields | {field: value}).status_code < 500, (field, value)

    @JUNK_SETTINGS
    @given(field=st.sampled_from(sorted(fields)), value=JUNK)
    def one_field(field, value):
        response = send(client, site, target, fields | {field: value})
        assert response.status_code < 500, (field, value)

    one_field()


# --- The cases found by hand, kept as plain examples ---------------------------------------------


@pytest.mark.parametrize("year", ["0", "-1", "10000", "1e10"])
@pytest.mark.parametrize("page", ["measure_list", "measure_csv"])
def test_an_impossible_deadline_year_is_explained_not_a_server_error(client, site, page, year):
    client.force_login(site["people"]["focal"])
    response = client.get(reverse(page), {"deadline_year": year})
    assert response.status_code == 200
    if page == "measure_list":
        assert "Enter a year between 1900 and 2200." in response.content.decode()


def test_a_huge_id_posted_to_the_queue_is_explained(client, site):
    client.force_login(site["people"]["coordinator"])
    response = client.post(reverse("review_queue"), {"updates": "99999999999999999999"})
    assert response.status_code == 400
    assert "out of date" in response.content.decode()
    assert StatusUpdate.objects.get(pk=site["submitted"].pk).state == "submitted"


@pytest.mark.parametrize(
    "url",
    [
        "/measures/99999999999999999999/",
        "/measures/99999999999999999999/updates/new/",
        "/measures/99999999999999999999/deadline/",
        "/periods/99999999999999999999/",
        "/recommendations/99999999999999999999/",
        "/updates/99999999999999999999/edit/",
        "/updates/99999999999999999999/review/",
        "/evidence/99999999999999999999/",
        "/reports/99999999999999999999/download/",
        "/admin/measures/statusupdate/99999999999999999999/change/",
        "/admin/measures/edition/99999999999999999999/import/",
    ],
)
def test_an_id_beyond_the_database_range_in_the_address_is_not_found(client, site, url):
    client.force_login(site["people"]["admin"])
    assert client.get(url).status_code in (302, 404)
