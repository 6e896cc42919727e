"""The report request form's script in a real Chromium: only the fields the kind needs, only the chosen
plan's areas and periods, and the note for a plan too large to print whole."""

from django.db import connections
from django.urls import reverse

from measures.models import Area, Edition
from tests.test_browser_journey import chromium, demo_site, pytestmark, sign_in  # noqa: F401


def test_the_form_offers_only_what_the_kind_and_plan_need(chromium, demo_site, settings):  # noqa: F811
    settings.REPORT_FULL_PDF_MAX_MEASURES = 41  # NAP-2020-2024 has 42 measures, NAP-2014-2018 has 40
    try:
        nap20, nap14 = Edition.objects.get(code="NAP-2020-2024"), Edition.objects.get(code="NAP-2014-2018")
        area14 = Area.objects.filter(edition=nap14).first()
        page = sign_in(chromium, demo_site, "partner", settings.DEMO_PASSWORD)
        page.goto(demo_site + reverse("reporting:new"))
        area, agency = page.locator("select[name=area]"), page.locator("select[name=agency]")
        page.locator("select[name=kind]").select_option("edition")
        assert not area.is_visible() and not agency.is_visible()
        page.locator("select[name=kind]").select_option("area")
        assert area.is_visible() and not agency.is_visible()

        page.locator("select[name=edition]").select_option(str(nap20.pk))
        assert page.locator(f'[data-large-edition="{nap20.pk}"]').is_visible()
        offered = area.locator("option:not([disabled])").evaluate_all("options => options.map(o => o.value)")
        assert str(area14.pk) not in offered and len(offered) > 1

        page.locator("select[name=edition]").select_option(str(nap14.pk))
        assert not page.locator(f'[data-large-edition="{nap20.pk}"]').is_visible()
        offered = area.locator("option:not([disabled])").evaluate_all("options => options.map(o => o.value)")
        assert str(area14.pk) in offered
        assert all(Area.objects.get(pk=value).edition_id == nap14.pk for value in offered if value)

        # The Word document is offered for the annual report only; choosing another kind falls back to PDF.
        format_select = page.locator("select[name=format]")

        def formats():
            return format_select.locator("option:not([disabled])").evaluate_all("options => options.map(o => o.value)")

        page.locator("select[name=kind]").select_option("annual")
        assert "docx" in formats()
        format_select.select_option("docx")
        page.locator("select[name=kind]").select_option("edition")
        assert "docx" not in formats() and format_select.input_value() == "pdf"

        # A coverage report names its recommendation source and has no reporting period.
        source, period = page.locator("select[name=source]"), page.locator("select[name=period]")
        assert not source.is_visible() and period.is_visible()
        page.locator("select[name=kind]").select_option("coverage")
        assert source.is_visible() and not period.is_visible() and not area.is_visible()
    finally:
        connections.close_all()
