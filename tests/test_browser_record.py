"""The record of an update, as the people who keep it see it in a real Chromium: a question, an answer with
a file, a return, a wrong file removed, the resubmission with what changed, the approval, and the
measure page that keeps the whole exchange — in English, Azerbaijani and Russian.

Set NAP_SCREENSHOTS to a folder to keep a screenshot of each step at 1366 and 375 px wide.
"""

import os
import re

import pytest
from django.db import connections
from django_otp.plugins.otp_totp.models import TOTPDevice

from measures.demo_files import simple_pdf
from measures.models import Measure, StatusUpdate
from nap_tracker.models import User
from tests import a11y
from tests.a11y import goto
from tests.test_browser_journey import chromium, demo_site, lead_by_ministry_of_labour, sign_in  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# English words of these pages that a reader of Azerbaijani or Russian must never meet.
ENGLISH = [
    "Record of this update",
    "History of changes",
    "Approved updates",
    "Approved by",
    "Notifications",
    "Submitted for review",
    "Returned for changes",
    "Corrected and resubmitted",
    "File added",
    "File removed",
    "Comment",
    "What the agency changed since the update was returned",
    "Sign out",
    "Measures",
]


def unread(page) -> int:
    """The number beside the bell in the header (the demo leaves some notices unread)."""
    count = page.locator(".inbox-count")
    return int(count.inner_text().split()[0]) if count.count() else 0


def person_name(page, focal) -> str:
    return "focal" if page is focal else "coordinator"


def shoot(page, name):
    folder = os.environ.get("NAP_SCREENSHOTS")
    if not folder:
        return
    size = page.viewport_size
    for width in (1366, 375):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=os.path.join(folder, f"record-{name}-{width}.png"), full_page=True)
    page.set_viewport_size(size)


def test_the_whole_exchange_is_kept(chromium, demo_site, settings, tmp_path):  # noqa: F811
    try:
        exchange(chromium, demo_site, settings, tmp_path)
    finally:
        connections.close_all()


def exchange(browser, base, settings, tmp_path):
    measure = Measure.objects.get(edition__code="NAP-2020-2024", number="4.3.3")
    lead_by_ministry_of_labour(measure)
    wrong = tmp_path / "passport-scan.pdf"
    wrong.write_bytes(simple_pdf("Passport", ["A victim's passport, scanned by mistake"]))
    right = tmp_path / "attendance-lists.pdf"
    right.write_bytes(simple_pdf("Attendance", ["24 participants: 17 women, 7 men"]))

    # 1. The focal point of the Ministry of Labour submits an update.
    focal = sign_in(browser, base, "focal", settings.DEMO_PASSWORD)
    unread_before = unread(focal)
    goto(focal, f"{base}/measures/{measure.pk}/")
    with focal.expect_navigation():
        focal.get_by_role("link", name="Write an update").click()
    a11y.check(focal)
    focal.get_by_label("Reporting period").select_option(label="2024 H2")
    focal.get_by_label("Status").select_option("in_progress")
    focal.get_by_label("Progress (%)").fill("80")
    focal.get_by_label("What was done").fill("Vocational courses for 24 victims in Baku and Ganja.")
    with focal.expect_navigation():
        focal.get_by_role("button", name="Submit for review").click()
    a11y.check(focal)
    update = StatusUpdate.objects.get(measure=measure, agency__code="MLSPP", period__label="2024 H2")
    assert update.state == "submitted"
    shoot(focal, "1-submitted")

    # 2. The coordinator sees it in the notifications, opens it and asks a question.
    app = TOTPDevice.objects.create(user=User.objects.get(username="coordinator"), name="Phone", confirmed=True)
    coordinator = sign_in(browser, base, "coordinator", settings.DEMO_PASSWORD, device=app)
    assert unread(coordinator) >= 1
    with coordinator.expect_navigation():
        coordinator.locator(".header-inbox").click()
    a11y.check(coordinator)
    shoot(coordinator, "2-coordinator-notifications")
    notice = coordinator.locator(".inbox-item", has_text="update on measure 4.3.3").first
    with coordinator.expect_navigation():
        notice.locator("a").click()
    a11y.check(coordinator)
    assert coordinator.url.endswith(f"/updates/{update.pk}/review/")
    coordinator.get_by_label("Add a comment").fill("How many of the 24 were women? Please attach the attendance lists.")
    with coordinator.expect_navigation():
        coordinator.get_by_role("button", name="Send comment").click()
    a11y.check(coordinator)
    shoot(coordinator, "2-question")

    # 3. The focal point is told, answers and attaches a file — the wrong one.
    goto(focal, base + "/")
    assert unread(focal) == unread_before + 1
    with focal.expect_navigation():
        focal.locator(".header-inbox").click()
    a11y.check(focal)
    with focal.expect_navigation():
        focal.locator(".inbox-item a", has_text="commented on").first.click()
    a11y.check(focal)
    assert f"#update-{update.pk}" in focal.url
    card = focal.locator(f"#thread-{update.pk}")
    card.get_by_label("Add a comment").fill("17 women and 7 men. The lists are attached.")
    card.get_by_label("Attach files").set_input_files(str(wrong))
    with focal.expect_navigation():
        card.get_by_role("button", name="Send comment").click()
    a11y.check(focal)
    assert "passport-scan.pdf" in focal.content()
    shoot(focal, "3-answer-with-file")

    # 4. The coordinator returns it with a note.
    goto(coordinator, f"{base}/updates/{update.pk}/review/")
    coordinator.get_by_label("Note to the agency").fill(
        "The file is a passport scan, not the attendance lists: remove it. Say 17 women and 7 men in the text."
    )
    with coordinator.expect_navigation():
        coordinator.get_by_role("button", name="Return with note").click()
    a11y.check(coordinator)
    update.refresh_from_db()
    assert update.state == "returned"

    # 5. The focal point removes the wrong file, corrects the text, attaches the lists and resubmits.
    goto(focal, f"{base}/measures/{measure.pk}/")
    with focal.expect_navigation():
        focal.get_by_role("link", name="Correct and resubmit").first.click()
    a11y.check(focal)
    assert "passport scan" in focal.content()
    focal.get_by_label("Remove “passport-scan.pdf”").check()
    focal.get_by_label("What was done").fill(
        "Vocational courses for 24 victims (17 women, 7 men) in Baku, Ganja and Lankaran."
    )
    focal.get_by_label("Progress (%)").fill("90")
    focal.get_by_label("Evidence files").set_input_files(str(right))
    shoot(focal, "5-correcting")
    with focal.expect_navigation():
        focal.get_by_role("button", name="Resubmit for review").click()
    a11y.check(focal)
    update.refresh_from_db()
    assert update.state == "submitted"
    assert [e.original_name for e in update.evidence.all()] == ["attendance-lists.pdf"]

    # 6. The coordinator sees what changed since the return and the whole thread, and approves.
    goto(coordinator, f"{base}/updates/{update.pk}/review/")
    changes = coordinator.locator(".changes").inner_text()
    assert "80" in changes and "90" in changes
    assert "passport-scan.pdf" in changes and "attendance-lists.pdf" in changes
    assert coordinator.locator(".changes ins").count() >= 1
    thread = coordinator.locator(f"#thread-{update.pk}").inner_text()
    for step in ["Submitted for review", "Comment", "File added", "Returned for changes", "File removed"]:
        assert step in thread, step
    assert "How many of the 24 were women?" in thread and "17 women and 7 men" in thread
    shoot(coordinator, "6-review-with-changes")
    with coordinator.expect_navigation():
        coordinator.get_by_role("button", name="Approve").click()
    a11y.check(coordinator)

    # 7. The measure page keeps the thread, names the reviewer and tells its history in plain words.
    goto(focal, f"{base}/measures/{measure.pk}/")
    timeline = focal.locator("section[aria-labelledby=timeline]")
    assert "Approved by Leyla Mammadova" in timeline.inner_text()
    timeline.locator("summary", has_text="Show the record of this update").first.click()
    record = timeline.locator(f"#thread-{update.pk}").inner_text()
    assert "Corrected and resubmitted" in record and "Approved" in record
    history = focal.locator("section[aria-labelledby=history]").inner_text()
    assert "approved the update of" in history
    assert re.search(r"Progress %: \d+ → 90", history)
    assert "changed continues" not in history
    shoot(focal, "7-measure-page")

    # The same pages in Azerbaijani and Russian leave nothing in English.
    for language in ("az", "ru"):
        for person, path in [
            (focal, f"/measures/{measure.pk}/"),
            (coordinator, f"/updates/{update.pk}/review/"),
            (coordinator, "/notifications/"),
            (focal, "/notifications/"),
        ]:
            person.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": base}])
            User.objects.filter(username__in=["focal", "coordinator"]).update(language=language)
            goto(person, base + path)
            assert person.locator("html").get_attribute("lang") == language
            text = person.locator("body").inner_text()
            for english in ENGLISH:
                assert english not in text, (language, path, english)
            shoot(person, f"{language}-{person_name(person, focal)}-{path.strip('/').replace('/', '-')}")
