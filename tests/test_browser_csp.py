"""Every main page, as every role, in a real Chromium under the site's Content Security Policy.

A test of the headers proves the policy is sent; only a browser proves the pages still work
under it. Chromium reports each refused script, style or image in the console ("Refused to …
because it violates the following Content Security Policy directive"): any such message fails.
"""

from django.db import connections
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from measures.models import Edition, Evidence, Measure, StatusUpdate
from nap_tracker.models import Agency, AuditEvent, User
from tests import a11y
from tests.test_browser_journey import chromium, demo_site, pytestmark  # noqa: F401

USERNAMES = {"admin": "admin", "coordinator": "coordinator", "focal_point": "focal", "ngo": "ngo", "partner": "partner"}


def pages_for(role: str) -> list[str]:
    nap20 = Edition.objects.get(code="NAP-2020-2024")
    measure = Measure.objects.get(edition=nap20, number="4.2.3")
    submitted = StatusUpdate.objects.filter(state="submitted").order_by("pk").first()
    pages = [
        reverse("home"),
        reverse("measure_list"),
        reverse("measure_list") + "?status=in_progress",
        reverse("measure_detail", args=[measure.pk]),
        reverse("reporting:list"),
        reverse("reporting:new"),
        reverse("reporting:dashboard"),
        reverse("account_settings"),
        reverse("password_change"),
        reverse("public_summary", args=[nap20.code]),
    ]
    if role in ("coordinator", "admin"):
        pages += [reverse("review_queue"), reverse("update_review", args=[submitted.pk])]
    if role == "focal_point":
        draft = StatusUpdate.objects.filter(agency__code="MLSPP", state="draft").first()
        pages += [reverse("update_create", args=[measure.pk]), reverse("update_edit", args=[draft.pk])]
    if role == "admin":
        admin_user = User.objects.get(username="admin")
        pages += [
            reverse("admin:index"),
            reverse("admin:nap_tracker_user_changelist"),
            reverse("admin:nap_tracker_user_changelist") + "?role__exact=focal_point",
            reverse("admin:nap_tracker_user_add"),
            reverse("admin:nap_tracker_user_change", args=[admin_user.pk]),
            reverse("admin:nap_tracker_user_history", args=[admin_user.pk]),
            reverse("admin:nap_tracker_agency_changelist"),
            reverse("admin:nap_tracker_agency_change", args=[Agency.objects.first().pk]),
            reverse("admin:nap_tracker_agency_history", args=[Agency.objects.first().pk]),
            reverse("admin:nap_tracker_auditevent_changelist"),
            reverse("admin:nap_tracker_auditevent_changelist") + "?action__exact=signed_in",
            reverse("admin:nap_tracker_auditevent_change", args=[AuditEvent.objects.first().pk]),
            reverse("admin:measures_edition_changelist"),
            reverse("admin:measures_edition_change", args=[nap20.pk]),
            reverse("admin:measures_edition_import", args=[nap20.pk]),
            reverse("admin:measures_measure_changelist"),
            reverse("admin:measures_measure_change", args=[measure.pk]),
            reverse("admin:measures_statusupdate_changelist"),
            reverse("admin:measures_statusupdate_change", args=[submitted.pk]),
            reverse("admin:measures_evidence_changelist"),
            reverse("admin:measures_evidence_change", args=[Evidence.objects.first().pk]),
            reverse("admin:reporting_report_changelist"),
        ]
    return pages


def anonymous_pages() -> list[str]:
    return [
        reverse("login"),
        reverse("password_reset"),
        reverse("public_summary", args=["NAP-2020-2024"]),
    ]


def watch(page, found: list[str]):
    """Collect every report of a blocked script, style or image, and every script error, on this page."""
    page.on(
        "console",
        lambda message: (
            found.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text
            else None
        ),
    )
    page.on("pageerror", lambda error: found.append(f"{page.url}: script error {error}"))
    return page


def visit(page, base: str, paths: list[str]):
    for path in paths:
        response = page.goto(base + path)
        assert response is not None and response.status == 200, f"{path}: {response and response.status}"
        # The page itself, not a page it sent the browser to (sign-in, the second-factor step).
        assert page.url == base + path, f"{path} ended on {page.url}"
        assert "content-security-policy" in response.headers, path  # Playwright gives header names in lower case
        page.wait_for_load_state("load")
        if not path.startswith("/admin/"):  # Django's admin pages are Django's own; the site's pages are checked
            a11y.check(page)


def test_no_page_breaks_the_content_security_policy(chromium, demo_site, settings):  # noqa: F811
    from tests.test_browser_journey import sign_in

    found: list[str] = []
    try:
        visit(watch(chromium.new_context().new_page(), found), demo_site, anonymous_pages())
        # Signing in through the form also leaves audit events for the admin's audit pages. The
        # administrator and the coordinator's office sign in with their authenticator app as well.
        signed_in = {}
        for role, username in USERNAMES.items():
            device = None
            if role in ("admin", "coordinator"):
                person = User.objects.get(username=username)
                device = TOTPDevice.objects.create(user=person, name="Phone", confirmed=True)
            page = watch(sign_in(chromium, demo_site, username, settings.DEMO_PASSWORD, device=device), found)
            visit(page, demo_site, pages_for(role))
            signed_in[role] = page
        # The admin's scripts at work: select all rows, pick an action, use a form's widgets.
        page = signed_in["admin"]
        visit(page, demo_site, [reverse("admin:nap_tracker_user_changelist")])
        page.locator("#action-toggle").check()
        page.locator("select[name=action]").select_option(index=1)
        visit(page, demo_site, [reverse("admin:measures_measure_add")])
        page.locator(".related-widget-wrapper select").first.focus()
        page.wait_for_timeout(300)
        assert not found, "\n".join(found)
    finally:
        connections.close_all()
