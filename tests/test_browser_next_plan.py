"""The coordinator's office drafts NAP 2025–2029 from the demo's NAP-2020-2024 in a real Chromium."""

import pytest
from django.db import connections
from django_otp.plugins.otp_totp.models import TOTPDevice

from measures import results
from measures.models import Edition, Measure, Status
from measures.next_plan.candidates import last_reported
from nap_tracker.models import User
from tests import a11y
from tests.a11y import goto
from tests.test_browser_journey import chromium, demo_site, sign_in  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_coordinator_drafts_the_next_plan(chromium, demo_site, settings):  # noqa: F811
    try:
        journey(chromium, demo_site, settings)
    finally:
        connections.close_all()


def journey(browser, base, settings):
    old = Edition.objects.get(code="NAP-2020-2024")
    offered = Measure.objects.filter(edition=old, continued_by__isnull=True).exclude(status=Status.COMPLETED)
    ticked = sorted(offered, key=lambda m: m.sort_key)
    left_out = ticked[0]
    # A measure with indicators that approved updates reported on: its new baselines are checked on its page.
    reported = next(m for m in ticked[1:] if m.indicator_set.exists() and last_reported(list(m.indicator_set.all())))

    app = TOTPDevice.objects.create(user=User.objects.get(username="coordinator"), name="Phone", confirmed=True)
    page = sign_in(browser, base, "coordinator", settings.DEMO_PASSWORD, device=app)
    goto(page, f"{base}/plans/NAP-2020-2024/periods/")
    with page.expect_navigation():
        page.get_by_role("link", name="Draft the next plan").click()
    a11y.check(page)
    assert page.get_by_label("Code of the new plan").input_value() == "NAP-2025-2029"
    page.get_by_label("Title (English)").fill("National Action Plan 2025–2029")
    assert page.get_by_label("First year").input_value() == "2025"
    assert page.get_by_label("Last year").input_value() == "2029"
    assert page.locator(f"#carry-{left_out.pk}").is_checked()
    page.locator(f"#carry-{left_out.pk}").uncheck()
    with page.expect_navigation():
        page.get_by_role("button", name="Draft the new plan").click()
    a11y.check(page)
    assert "NAP-2025-2029 is drafted with" in page.content()

    new = Edition.objects.get(code="NAP-2025-2029")
    assert new.state == Edition.State.DRAFT
    numbers = set(new.measures.values_list("number", flat=True))
    assert numbers == {m.number for m in ticked} - {left_out.number}
    # The new plan's measures list names the measure each continues.
    first = new.measures.order_by("sort_key").first()
    assert f"Continues {first.number} of NAP-2020-2024" in page.content()

    # The carried measure's page: the lineage, and each indicator's baseline is the last approved value.
    carried = new.measures.get(number=reported.number)
    goto(page, f"{base}/measures/{carried.pk}/")
    text = page.content()
    assert f"NAP-2020-2024 · {reported.number}" in text
    baselines = last_reported(list(reported.indicator_set.all()))
    for indicator in carried.indicator_set.all():
        old_indicator = reported.indicator_set.get(order=indicator.order, name_en=indicator.name_en)
        if old_indicator.pk in baselines:
            assert indicator.baseline_year == baselines[old_indicator.pk].year
            assert results.baseline_display(indicator) in text

    # The old measure's page names the one that continues it; nothing of the old plan moved.
    goto(page, f"{base}/measures/{reported.pk}/")
    assert f"NAP-2025-2029 · {reported.number}" in page.content()
    old.refresh_from_db()
    assert old.state == Edition.State.ACTIVE
