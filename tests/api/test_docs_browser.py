"""The API's description page in a real Chromium, under the site's Content Security Policy: Swagger UI draws
every operation, and the browser reports no refused script, style or image.

Its markup is Swagger UI's own, so it is not put through the site's accessibility checks (tests/a11y.py)."""

from django.db import connections
from django.urls import reverse

from tests.test_browser_csp import watch
from tests.test_browser_journey import chromium, demo_site, pytestmark, sign_in  # noqa: F401


def test_the_docs_page_works_under_the_security_policy(chromium, demo_site, settings):  # noqa: F811
    found: list[str] = []
    try:
        page = watch(sign_in(chromium, demo_site, "partner", settings.DEMO_PASSWORD), found)
        response = page.goto(demo_site + reverse("api:docs"))
        assert response.status == 200 and "content-security-policy" in response.headers
        # Swagger UI has read the schema (fetched with the session) and drawn the operations.
        page.locator('.opblock-summary-path[data-path="/api/v1/measures/{id}/"]').wait_for(timeout=15000)
        assert page.locator(".opblock").count() == 13
        page.locator('.opblock-summary-path[data-path="/api/v1/measures/"]').click()
        page.wait_for_timeout(500)
        assert not found, "\n".join(found)
    finally:
        connections.close_all()
