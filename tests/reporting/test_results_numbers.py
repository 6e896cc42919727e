"""Indicators and budgets: the dashboard, the PDF and the XLSX say the same numbers (one module computes them)."""

import io
from datetime import UTC, datetime

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
