"""A focal point and the coordinator's office do a full review cycle in a real Chromium."""

import io
import os
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connections
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from measures.demo_files import simple_pdf
from measures.models import Measure, MeasureAgency, StatusUpdate
from nap_tracker.models import User
from tests import a11y
from tests.a11y import goto
from tests.conftest import require_service

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def chromium(monkeypatch):
    require_service("Chromium at /usr/bin/chromium", Path(CHROMIUM).exists())
    a11y.axe_source()  # every page the browser tests visit is checked for accessibility
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are still synchronous.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def demo_site(live_server, settings):
    settings.DEBUG = True
    call_command("load_demo", stdout=io.StringIO())
    settings.DEBUG = False
    return live_server.url


def sign_in(browser, base, username, password, device=None):
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    goto(page, base + "/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    if device is not None:
        # The second step: the code the person's authenticator app would show now.
        assert "/accounts/two-factor/" in page.url
        a11y.check(page)
        page.get_by_label("Code").fill(f"{totp(device.bin_key):06d}")
        with page.expect_navigation():
            page.get_by_role("button", name="Continue").click()
        assert "/accounts/two-factor/" not in page.url
    a11y.check(page)
    return page


def test_submit_return_resubmit_approve(chromium, demo_site, settings, tmp_path):
    try:
        journey(chromium, demo_site, settings, tmp_path)
    finally:
        # While Playwright drives the browser, the ORM here works on a connection of its own
        # (Django keeps connections per context); close it so the test database can be dropped.
        connections.close_all()


def lead_by_ministry_of_labour(measure):
    """In the demo the State Employment Agency leads 4.3.3 and its approved report sets the status; here
    the Ministry of Labour leads, so that its approved update is the one that moves the status."""
    MeasureAgency.objects.filter(measure=measure).update(is_lead=False)
    MeasureAgency.objects.filter(measure=measure, agency__code="MLSPP").update(is_lead=True)


def journey(chromium, demo_site, settings, tmp_path):
    measure = Measure.objects.get(edition__code="NAP-2020-2024", number="4.3.3")
    lead_by_ministry_of_labour(measure)
    evidence = tmp_path / "training-report.pdf"
    evidence.write_bytes(simple_pdf("Vocational training", ["24 victims trained in Baku and Ganja"]))

    # The focal point of the Ministry of Labour writes and submits an update with a file.
    focal = sign_in(chromium, demo_site, "focal", settings.DEMO_PASSWORD)
    goto(focal, f"{demo_site}/measures/{measure.pk}/")
    with focal.expect_navigation():
        focal.get_by_role("link", name="Write an update").click()
    a11y.check(focal)
    focal.get_by_label("Reporting period").select_option(label="2024 H2")
    focal.get_by_label("Status").select_option("in_progress")
    focal.get_by_label("Progress (%)").fill("90")
    focal.get_by_label("What was done").fill("Vocational courses for 24 victims in Baku and Ganja.")
    focal.get_by_label("Evidence files").set_input_files(str(evidence))
    with focal.expect_navigation():
        focal.get_by_role("button", name="Submit for review").click()
    a11y.check(focal)
    assert "Update submitted for review." in focal.content()
    update = StatusUpdate.objects.get(measure=measure, agency__code="MLSPP", period__label="2024 H2")
    assert update.state == "submitted"
    assert update.evidence.get().original_name == "training-report.pdf"

    # The coordinator — who signs in with an authenticator app — finds it in the queue and returns it with a note.
    app = TOTPDevice.objects.create(user=User.objects.get(username="coordinator"), name="Phone", confirmed=True)
    coordinator = sign_in(chromium, demo_site, "coordinator", settings.DEMO_PASSWORD, device=app)
    goto(coordinator, demo_site + "/review/")
    with coordinator.expect_navigation():
        coordinator.locator(f'a[href="/updates/{update.pk}/review/"]').first.click()
    a11y.check(coordinator)
    coordinator.get_by_label("Note to the agency").fill("Please name the regions and the number of women and men.")
    with coordinator.expect_navigation():
        coordinator.get_by_role("button", name="Return with note").click()
    a11y.check(coordinator)
    update.refresh_from_db()
    assert update.state == "returned"

    # The focal point sees the note on the home page, corrects and resubmits.
    goto(focal, demo_site + "/")
    assert "Please name the regions" in focal.content()
    with focal.expect_navigation():
        focal.locator(f'a[href="/updates/{update.pk}/edit/"]').first.click()
    a11y.check(focal)
    focal.get_by_label("What was done").fill(
        "Vocational courses for 24 victims (17 women, 7 men) in Baku, Ganja and Lankaran."
    )
    with focal.expect_navigation():
        focal.get_by_role("button", name="Resubmit for review").click()
    a11y.check(focal)
    update.refresh_from_db()
    assert update.state == "submitted"

    # The coordinator approves; the measure page shows the new status and progress.
    goto(coordinator, f"{demo_site}/updates/{update.pk}/review/")
    with coordinator.expect_navigation():
        coordinator.get_by_role("button", name="Approve").click()
    a11y.check(coordinator)
    goto(coordinator, f"{demo_site}/measures/{measure.pk}/")
    status_box = coordinator.locator(".status-box")
    assert "In progress" in status_box.inner_text()
    assert "90%" in status_box.inner_text()
    assert "17 women, 7 men" in coordinator.locator("section[aria-labelledby=timeline]").inner_text()
    if os.environ.get("NAP_SCREENSHOTS"):
        coordinator.screenshot(path=os.path.join(os.environ["NAP_SCREENSHOTS"], "journey-measure.png"), full_page=True)
