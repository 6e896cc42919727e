"""The system administrator issues an API token, copies it from the page that shows it once, and revokes it,
in a real Chromium: every page accessible, none wider than a phone's screen."""

import os

from django.db import connections
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from api.models import ApiToken
from nap_tracker.models import User
from tests import a11y
from tests.test_browser_journey import chromium, demo_site, pytestmark, sign_in  # noqa: F401

WIDTHS = (1366, 375)


def screenshot(page, name: str):
    if os.environ.get("SCREENSHOTS"):  # a folder to look at the pages in
        page.screenshot(path=os.path.join(os.environ["SCREENSHOTS"], f"api-token-{name}.png"), full_page=True)


def check_widths(page, where: str):
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        a11y.check(page, f"{where} at {width}px")
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{where} at {width}px is {overflow}px wider than the screen"
    page.set_viewport_size({"width": 1366, "height": 900})


def test_administrator_issues_copies_and_revokes_a_token(chromium, demo_site, settings):  # noqa: F811
    try:
        admin = User.objects.get(username="admin")
        device = TOTPDevice.objects.create(user=admin, name="Phone", confirmed=True)
        page = sign_in(chromium, demo_site, "admin", settings.DEMO_PASSWORD, device=device)

        with page.expect_navigation():
            page.get_by_role("link", name="API tokens").click()
        assert page.url.endswith(reverse("api:token_list"))
        check_widths(page, "the empty token list")

        with page.expect_navigation():
            page.get_by_role("link", name="Issue a token").click()
        check_widths(page, "the form")
        screenshot(page, "form")
        page.get_by_role("textbox", name="Name", exact=True).fill("IOM Baku dashboard")
        partner_agency = User.objects.get(username="partner").agency
        page.get_by_role("combobox", name="Or an organisation").select_option(str(partner_agency.pk))
        page.get_by_role("checkbox", name="measures —").check()
        page.get_by_label("90 days", exact=False).check()
        with page.expect_navigation():
            page.get_by_role("button", name="Issue the token").click()

        secret = page.get_by_label("API token", exact=True).input_value()
        assert secret.startswith("nap_")
        token = ApiToken.objects.get()
        assert secret.split("_")[1] == token.prefix
        check_widths(page, "the page showing the token")
        screenshot(page, "issued")

        with page.expect_navigation():
            page.get_by_role("link", name="back to the list").click()
        assert secret not in page.content()
        check_widths(page, "the list with a token")
        screenshot(page, "list")
        with page.expect_navigation():
            page.get_by_role("link", name="Revoke…").click()
        check_widths(page, "the question before revoking")
        with page.expect_navigation():
            page.get_by_role("button", name="Revoke the token").click()
        assert "is revoked" in page.content()
        token.refresh_from_db()
        assert token.revoked_at is not None
    finally:
        connections.close_all()
