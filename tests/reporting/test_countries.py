"""Two countries in one installation: the reporting app shows each person their own country only — the
dashboard, the quality review, the request form, the list of reports, downloads, the documents themselves
and the command that renders them — and a partner following both sees each country's after switching.

Azerbaijan is the `plan` fixture's (NAP-2020-2024) with the `people` of tests/conftest.py; Georgia is built
beside it with a plan, a measure and its approved update, a recommendation source, people and a report."""

import csv
import io
from dataclasses import dataclass
from datetime import date

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook

from measures.models import MeasureAgency, Recommendation, RecommendationSource, Status, StatusUpdate
from nap_tracker.models import User
from reporting import services
from reporting.models import Report
from tests.factories import (
    AgencyFactory,
    AreaFactory,
    CountryFactory,
    EditionFactory,
    MeasureFactory,
    ReportingPeriodFactory,
    StatusUpdateFactory,
    UserFactory,
)
from tests.reporting.conftest import pdf_text

pytestmark = pytest.mark.django_db

# What any of Georgia's pages, files or lists would show of Azerbaijan: its plan's code and title, its
# measures, a narrative of an approved update, its recommendation source.
AZERBAIJAN_MARKERS = [
    "NAP-2020-2024",
    "National Action Plan 2020",
    "Amend the anti-trafficking law",
    "Open a shelter in Ganja",
    "Law adopted by the Milli",
    "Ministry of Labour",
    "GRETA report on Azerbaijan",
    "GRETA(2018)17",
    "Protect victims in Ganja",
]
SHARED_REFERENCE = "TIP(2024)"  # one US TIP report speaks to every country: each has its own source row


@dataclass
class Georgia:
    country: object
    edition: object
    area: object
    period: object
    agency: object
    measure: object
    source: object
    coordinator: object
    focal: object
    partner: object
    report: object


def finished_report(*, edition, requested_by, name="report.pdf", **fields) -> Report:
    report = Report.objects.create(edition=edition, requested_by=requested_by, state=Report.State.QUEUED, **fields)
    report.file.save(name, ContentFile(b"%PDF-1.7 test"), save=False)
    report.state = Report.State.DONE
    report.save()
    return report


@pytest.fixture
def azerbaijan(plan, people):
    """Azerbaijan's plan with a source its measure answers (also named like Georgia's TIP report) and a
    finished report the (Azerbaijani) partner asked for."""
    country = plan.edition.country
    greta = RecommendationSource.objects.create(
        country=country, kind="greta", reference="GRETA(2018)17", title_en="GRETA report on Azerbaijan", year=2018
    )
    plan.measures["4.1.1"].recommendations.add(
        Recommendation.objects.create(source=greta, number="§10", text_en="Protect victims in Ganja.")
    )
    RecommendationSource.objects.create(
        country=country, kind="tip", reference=SHARED_REFERENCE, title_en="TIP report on Azerbaijan", year=2020
    )
    plan.greta = greta
    plan.report = finished_report(edition=plan.edition, requested_by=people["partner"], name="az.pdf")
    return plan


@pytest.fixture
def georgia(azerbaijan):
    country = CountryFactory(code="ge", name_en="Georgia")
    edition = EditionFactory(code="NAP-GE", title_en="Plan of Georgia", country=country)
    area = AreaFactory(edition=edition, code="1.1", title_en="Shelters of Georgia")
    period = ReportingPeriodFactory(edition=edition, label="2022 H2")
    agency = AgencyFactory(code="GE-MOH", name_en="Ministry of Health of Georgia", countries=[country])
    measure = MeasureFactory(
        area=area, number="1.1.1", title_en="Shelter in Batumi", deadline=date(2024, 12, 31), status="in_progress"
    )
    MeasureAgency.objects.create(measure=measure, agency=agency, part="executing", is_lead=True)
    focal = UserFactory(username="focal-ge", role=User.Role.FOCAL_POINT, agency=agency, countries=[country])
    coordinator = UserFactory(username="coordinator-ge", role=User.Role.COORDINATOR, agency=None, countries=[country])
    StatusUpdateFactory(
        measure=measure,
        agency=agency,
        period=period,
        author=focal,
        status=Status.IN_PROGRESS,
        progress=30,
        narrative="The Batumi shelter took its first residents.",
        state=StatusUpdate.State.APPROVED,
        reviewer=coordinator,
    )
    source = RecommendationSource.objects.create(
        country=country, kind="tip", reference=SHARED_REFERENCE, title_en="TIP report on Georgia", year=2020
    )
    measure.recommendations.add(Recommendation.objects.create(source=source, number="1", text_en="Fund shelters."))
    un = AgencyFactory(code="UN-GE", name_en="UN office in Georgia", kind="international", countries=[country])
    partner = UserFactory(username="partner-ge", role=User.Role.PARTNER, agency=un, countries=[country])
    report = finished_report(edition=edition, requested_by=coordinator, name="ge.pdf")
    return Georgia(country, edition, area, period, agency, measure, source, coordinator, focal, partner, report)


@pytest.fixture
def both(azerbaijan, georgia):
    """An international organisation's partner following both countries, with a report of each."""
    iom = AgencyFactory(code="IOM-BOTH", kind="international", countries=[azerbaijan.edition.country, georgia.country])
    partner = UserFactory(
        username="partner-both",
        role=User.Role.PARTNER,
        agency=iom,
        countries=[azerbaijan.edition.country, georgia.country],
    )
    partner.az_report = finished_report(edition=azerbaijan.edition, requested_by=partner, name="both-az.pdf")
    partner.ge_report = finished_report(edition=georgia.edition, requested_by=partner, name="both-ge.pdf")
    return partner


def georgians(georgia):
    return {"coordinator": georgia.coordinator, "focal_point": georgia.focal, "partner": georgia.partner}


def leaked(text: str) -> list:
    return [marker for marker in AZERBAIJAN_MARKERS if marker in text]


def status(client, url) -> int:
    """The status of a GET; a file served is read to its end, which closes it as a browser would."""
    response = client.get(url)
    if response.streaming:
        b"".join(response.streaming_content)
    return response.status_code


def switch(client, country):
    response = client.post(reverse("country_switch"), {"country": country.pk, "next": reverse("reporting:list")})
    assert response.status_code == 302


# --- Azerbaijan's objects, asked for by Georgia's people -------------------------------------


@pytest.mark.parametrize("role", ["coordinator", "focal_point", "partner"])
def test_azerbaijans_report_and_quality_review_are_not_found_in_georgia(client, azerbaijan, georgia, role):
    client.force_login(georgians(georgia)[role])
    assert status(client, reverse("reporting:download", args=[azerbaijan.report.pk])) == 404
    assert client.get(reverse("reporting:quality", args=[azerbaijan.edition.code])).status_code == 404


def test_the_staff_of_azerbaijan_still_opens_its_report_and_review(client, azerbaijan, georgia, people):
    # The refusals above are about the country, not the role: the same role of Azerbaijan is let in.
    client.force_login(people["coordinator"])
    assert status(client, reverse("reporting:download", args=[azerbaijan.report.pk])) == 200
    assert client.get(reverse("reporting:quality", args=[azerbaijan.edition.code])).status_code == 200
    assert status(client, reverse("reporting:download", args=[georgia.report.pk])) == 404


@pytest.mark.parametrize("role", ["coordinator", "focal_point", "partner"])
def test_georgias_dashboard_offers_and_shows_georgias_plan_only(client, azerbaijan, georgia, role):
    client.force_login(georgians(georgia)[role])
    for query in ({}, {"edition": azerbaijan.edition.code}):
        response = client.get(reverse("reporting:dashboard"), query)
        assert response.status_code == 200
        assert [e.code for e in response.context["editions"]] == ["NAP-GE"]
        assert response.context["edition"] == georgia.edition
        assert response.context["numbers"].totals.total == 1
        # The language switcher's "next" echoes the address asked for: that is not the page showing the plan.
        assert leaked(response.content.decode().replace("?edition=NAP-2020-2024", "")) == []


def test_the_dashboards_cache_does_not_cross_countries(client, azerbaijan, georgia, people):
    # Azerbaijan's coordinator fills the cache with its plan; Georgia's, asking for that plan, gets its own.
    client.force_login(people["coordinator"])
    assert client.get(reverse("reporting:dashboard")).context["edition"] == azerbaijan.edition
    client.force_login(georgia.coordinator)
    response = client.get(reverse("reporting:dashboard"), {"edition": azerbaijan.edition.code})
    assert response.context["edition"] == georgia.edition
    assert leaked(response.content.decode().replace("?edition=NAP-2020-2024", "")) == []


@pytest.mark.parametrize("role", ["coordinator", "partner"])
def test_georgias_quality_review_works_and_counts_only_georgias_recommendations(client, azerbaijan, georgia, role):
    client.force_login(georgians(georgia)[role])
    response = client.get(reverse("reporting:quality", args=[georgia.edition.code]))
    assert response.status_code == 200
    assert [e.code for e in response.context["editions"]] == ["NAP-GE"]
    assert {r.source for r in response.context["review"].recommendations} == {georgia.source}
    assert leaked(response.content.decode()) == []


@pytest.mark.parametrize("role", ["coordinator", "focal_point", "partner"])
def test_the_request_form_offers_georgias_choices_only(client, azerbaijan, georgia, role):
    client.force_login(georgians(georgia)[role])
    response = client.get(reverse("reporting:new"))
    form = response.context["form"]
    assert list(form.fields["edition"].queryset) == [georgia.edition]
    assert list(form.fields["period"].queryset) == [georgia.period]
    assert list(form.fields["area"].queryset) == [georgia.area]
    assert list(form.fields["source"].queryset) == [georgia.source]
    assert set(form.fields["agency"].queryset) <= {georgia.agency, georgia.partner.agency}
    assert leaked(response.content.decode()) == []
    # A link naming Azerbaijan's plan or source chooses nothing.
    initial = client.get(
        reverse("reporting:new"), {"edition": azerbaijan.edition.code, "source": azerbaijan.greta.pk}
    ).context["form"]
    assert "edition" not in initial.initial and "source" not in initial.initial


def form_data(georgia, **overrides):
    data = {"kind": "edition", "edition": georgia.edition.pk, "language": "en", "format": "pdf"}
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    "forged, field",
    [
        ({"edition": "az-plan"}, "edition"),
        ({"period": "az-period"}, "period"),
        ({"kind": "area", "area": "az-area"}, "area"),
        ({"kind": "agency", "agency": "az-agency"}, "agency"),
        ({"kind": "coverage", "source": "az-source"}, "source"),
        ({"kind": "coverage", "source": "az-tip"}, "source"),  # the same reference as Georgia's own
    ],
)
def test_a_forged_request_naming_azerbaijans_objects_is_refused(
    client, azerbaijan, georgia, forged, field, django_capture_on_commit_callbacks
):
    ids = {
        "az-plan": azerbaijan.edition.pk,
        "az-period": azerbaijan.periods["2022 H2"].pk,
        "az-area": azerbaijan.areas["4.1"].pk,
        "az-agency": azerbaijan.agencies["MLSPP"].pk,
        "az-source": azerbaijan.greta.pk,
        "az-tip": RecommendationSource.objects.get(reference=SHARED_REFERENCE, country=azerbaijan.edition.country).pk,
    }
    client.force_login(georgia.coordinator)
    before = Report.objects.count()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(
            reverse("reporting:new"), form_data(georgia, **{k: ids.get(v, v) for k, v in forged.items()})
        )
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert Report.objects.count() == before and callbacks == []


def test_the_service_refuses_a_plan_or_source_of_another_country(azerbaijan, georgia):
    # Whatever a caller passes, not only the form: Azerbaijan's plan for Georgia's coordinator…
    with pytest.raises(services.ReportNotAllowed):
        services.report_request(
            user=georgia.coordinator, kind="edition", edition=azerbaijan.edition, language="en", format="pdf"
        )
    # …and Azerbaijan's source against Georgia's plan, when requested or rendered.
    with pytest.raises(services.ReportError):
        services.report_request(
            user=georgia.coordinator,
            kind="coverage",
            edition=georgia.edition,
            source=azerbaijan.greta,
            language="en",
            format="pdf",
        )
    with pytest.raises(services.ReportError):
        services.report_render(
            kind="coverage", edition=georgia.edition, source=azerbaijan.greta, language="en", format="pdf"
        )
    with pytest.raises(services.ReportError):
        services.report_request(
            user=georgia.coordinator,
            kind="agency",
            edition=georgia.edition,
            agency=azerbaijan.agencies["MLSPP"],
            language="en",
            format="pdf",
        )
    assert not Report.objects.filter(requested_by=georgia.coordinator).exclude(pk=georgia.report.pk).exists()


def test_georgias_coordinator_requests_and_downloads_a_report_of_georgias_plan(
    client, azerbaijan, georgia, django_capture_on_commit_callbacks
):
    client.force_login(georgia.coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reporting:new"), form_data(georgia))
    assert response.status_code == 302
    report = Report.objects.filter(requested_by=georgia.coordinator).latest("pk")
    assert report.state == Report.State.DONE
    response = client.get(reverse("reporting:download", args=[report.pk]))
    text = pdf_text(b"".join(response.streaming_content))
    assert "Shelter in Batumi" in text and leaked(text) == []


# --- The list of reports ---------------------------------------------------------------------


def test_georgias_list_shows_georgias_reports(client, azerbaijan, georgia):
    client.force_login(georgia.coordinator)
    response = client.get(reverse("reporting:list"))
    assert list(response.context["page"]) == [georgia.report]
    assert leaked(response.content.decode()) == []
    assert status(client, reverse("reporting:download", args=[georgia.report.pk])) == 200


def test_a_partner_following_both_sees_each_countrys_reports_after_switching(client, azerbaijan, georgia, both):
    client.force_login(both)
    first = client.get(reverse("reporting:list")).context["page"]
    assert list(first) == [both.az_report]  # Azerbaijan, the first of theirs, until they switch
    switch(client, georgia.country)
    response = client.get(reverse("reporting:list"))
    assert list(response.context["page"]) == [both.ge_report] and leaked(response.content.decode()) == []
    dashboard = client.get(reverse("reporting:dashboard"))
    assert dashboard.context["edition"] == georgia.edition and leaked(dashboard.content.decode()) == []
    assert list(client.get(reverse("reporting:new")).context["form"].fields["edition"].queryset) == [georgia.edition]
    switch(client, azerbaijan.edition.country)
    assert list(client.get(reverse("reporting:list")).context["page"]) == [both.az_report]
    assert client.get(reverse("reporting:dashboard")).context["edition"] == azerbaijan.edition
    # Their own reports of either country download from a link, whichever is current.
    for report in (both.az_report, both.ge_report):
        assert status(client, reverse("reporting:download", args=[report.pk])) == 200


def test_a_report_asked_for_in_a_country_the_person_no_longer_has_does_not_leak(client, azerbaijan, georgia, both):
    both.countries.remove(azerbaijan.edition.country)
    client.force_login(both)
    assert list(client.get(reverse("reporting:list")).context["page"]) == [both.ge_report]
    assert status(client, reverse("reporting:download", args=[both.az_report.pk])) == 404


def test_the_list_runs_the_same_queries_with_another_countrys_reports(
    client, azerbaijan, georgia, django_assert_num_queries
):
    Report.objects.bulk_create([Report(edition=azerbaijan.edition, requested_by=georgia.coordinator)] * 5)
    client.force_login(georgia.coordinator)
    # As tests/reporting/test_views.py pins it: session, user with their countries, second factor, count,
    # the page of reports (of the country's plans: a join, no query more), unread notifications (header).
    with django_assert_num_queries(6):
        page = client.get(reverse("reporting:list")).context["page"]
    assert list(page) == [georgia.report]


# --- The documents ---------------------------------------------------------------------------


def render(georgia, kind, format, **fields):
    return services.report_render(
        kind=kind, edition=georgia.edition, language="en", format=format, requested_by=georgia.coordinator, **fields
    ).content


def xlsx_text(content: bytes) -> str:
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    return " ".join(
        str(cell) for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True) for cell in row if cell
    )


@pytest.mark.parametrize(
    "kind, format",
    [
        ("edition", "pdf"),
        ("edition", "xlsx"),
        ("edition", "csv"),
        ("summary", "pdf"),
        ("annual", "pdf"),
        ("quality", "pdf"),
        ("coverage", "pdf"),
        ("coverage", "xlsx"),
        ("coverage", "csv"),
    ],
)
def test_georgias_documents_hold_nothing_of_azerbaijan(azerbaijan, georgia, kind, format):
    fields = {"source": georgia.source} if kind == "coverage" else {}
    if kind == "annual":
        fields["period"] = georgia.period
    content = render(georgia, kind, format, **fields)
    if format == "pdf":
        text = pdf_text(content)
    elif format == "xlsx":
        text = xlsx_text(content)
    else:
        text = " ".join(" ".join(row) for row in csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert "Batumi" in text or "Georgia" in text or "NAP-GE" in text
    assert leaked(text) == []


def test_the_annual_report_counts_only_georgias_recommendation_sources(azerbaijan, georgia):
    from reporting.documents.annual import annual_report

    report = annual_report(edition=georgia.edition, period=georgia.period, today=date(2023, 3, 1))
    assert [line.source for line in report.coverage] == [georgia.source]


# --- The command -----------------------------------------------------------------------------


def test_render_report_finds_the_source_and_agency_in_the_plans_country(azerbaijan, georgia, tmp_path):
    out = tmp_path / "coverage.csv"
    call_command(
        "render_report", kind="coverage", edition="NAP-GE", source=SHARED_REFERENCE, format="csv", output=str(out)
    )
    text = out.read_text(encoding="utf-8-sig")
    assert "Shelter in Batumi" in text and leaked(text) == []
    with pytest.raises(CommandError, match="No recommendation source"):
        call_command("render_report", kind="coverage", edition="NAP-GE", source="GRETA(2018)17", output=str(out))
    with pytest.raises(CommandError, match="No agency"):
        call_command("render_report", kind="agency", edition="NAP-GE", agency="MLSPP", output=str(out))
    with pytest.raises(CommandError, match="not of 'az'"):
        call_command("render_report", edition="NAP-GE", country="az", output=str(out))
    call_command("render_report", edition="NAP-GE", country="ge", format="csv", output=str(out))


# --- The admin -------------------------------------------------------------------------------


def test_a_country_administrator_lists_and_opens_their_countrys_reports_only(client, azerbaijan, georgia):
    administrator = UserFactory(username="admin-ge", role=User.Role.ADMIN, agency=None, countries=[georgia.country])
    client.force_login(administrator)
    response = client.get(reverse("admin:reporting_report_changelist"))
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [georgia.report]
    assert client.get(reverse("admin:reporting_report_change", args=[georgia.report.pk])).status_code == 200
    # Another country's report is unknown here: the admin sends its own "does not exist" back to the list.
    assert client.get(reverse("admin:reporting_report_change", args=[azerbaijan.report.pk])).status_code in (302, 404)
