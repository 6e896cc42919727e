"""Indicators and budgets: the dashboard, the PDF and the XLSX say the same numbers (one module computes them)."""

import io
from datetime import UTC, date, datetime

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from measures.models import Edition
from nap_tracker.models import User
from reporting.services import report_render
from tests.reporting.conftest import pdf_text

pytestmark = pytest.mark.django_db
GENERATED = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)


def test_dashboard_pdf_and_xlsx_agree_on_indicators_and_budget(client, demo):
    edition = Edition.objects.get(code="NAP-2020-2024")
    client.force_login(User.objects.get(username="partner"))
    results = client.get(reverse("reporting:dashboard"), {"edition": edition.code}).context["results"]
    assert results.indicators.total == 7 and results.has_budget

    workbook = load_workbook(
        io.BytesIO(
            report_render(kind="edition", edition=edition, language="en", format="xlsx", generated_at=GENERATED).content
        )
    )
    by_area = {row[0]: row[2:] for row in workbook["Indicators by area"].iter_rows(min_row=2, values_only=True)}
    for area in results.areas:
        if area.indicators.total:
            counts = area.indicators
            expected = (counts.total, counts.reported, counts.reached, counts.average_share)
            assert by_area[area.code] == expected
    by_source = {
        (row[0], row[1]): (row[2], row[3])
        for row in workbook["Budget by source"].iter_rows(min_row=2, values_only=True)
    }
    assert by_source == {
        (str(row.source.name) if row.source else "Not stated", row.currency): (row.planned, row.spent)
        for row in results.by_source
    }

    text = pdf_text(
        report_render(kind="edition", edition=edition, language="en", format="pdf", generated_at=GENERATED).content
    )
    assert "Budget: planned and spent" in text and "Indicators" in text
    for total in results.totals:
        planned = f"{int(total.planned):,}"
        assert planned in text, planned


def test_an_area_report_counts_only_its_own_indicators_and_money(demo):
    from reporting.numbers import Scope, report_numbers
    from reporting.results import results_numbers

    edition = Edition.objects.get(code="NAP-2020-2024")
    protection = edition.areas.get(code="4.3")
    results = results_numbers(report_numbers(Scope(kind="area", edition=edition, area=protection)))
    assert [area.code for area in results.areas] == ["4.3"]
    assert results.indicators.total == 3  # 4.3.1 and 4.3.3's two
    assert {row.currency for row in results.totals} == {"AZN", "USD"}


def _flat(results):
    """Every count and sum a `ResultNumbers` holds, without the readings."""
    return (
        [
            (area.code, vars(area.indicators), [(row.currency, row.planned, row.spent) for row in area.budget])
            for area in results.areas
        ],
        vars(results.indicators),
        [(row.source and row.source.pk, row.currency, row.planned, row.spent) for row in results.by_source],
        [(agency.pk, [(row.currency, row.planned, row.spent) for row in rows]) for agency, rows in results.by_agency],
        [(row.currency, row.planned, row.spent) for row in results.totals],
    )


@pytest.mark.parametrize("kind", ["dashboard", "edition", "annual", "period"])
def test_the_dashboards_summary_counts_what_the_detailed_numbers_count(kind):
    """The dashboard reads indicators and budgets without building each reading (`detail=False`); its counts
    and sums must be those the PDF and the XLSX print, on a plan with every kind of indicator and money."""
    from bench.plan import build_large_plan
    from measures.models import Indicator
    from reporting.numbers import Scope, dashboard_numbers, report_numbers
    from reporting.results import results_numbers

    plan = build_large_plan(measures=400, updates=4000)
    edition = plan.edition
    # Indicators no update has given a value yet, in two areas: "with an approved value" must not count them.
    for measure in [edition.measures.order_by("sort_key").first(), edition.measures.order_by("sort_key").last()]:
        Indicator.objects.create(measure=measure, name_en="Not reported yet", unit="number", target_value=10)
    if kind == "dashboard":
        numbers = dashboard_numbers(edition, today=date.today())
    elif kind == "period":
        period = edition.periods.order_by("-start")[1]  # the closed period before the running one
        numbers = report_numbers(Scope(kind="period", edition=edition, period=period))
    else:
        numbers = report_numbers(Scope(kind=kind, edition=edition))
    detailed, summary = results_numbers(numbers), results_numbers(numbers, detail=False)
    assert detailed.indicators.reported and detailed.indicators.not_reported and detailed.totals
    assert detailed.by_agency and any(area.budget for area in detailed.areas)
    assert _flat(summary) == _flat(detailed)
    assert all(not area.items for area in summary.areas)
