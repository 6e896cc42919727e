"""The main tasks with the keyboard alone, as someone who cannot use a mouse does them: a focal point
writes and submits an update, the coordinator's office reviews and approves it. Only Tab, Enter, Space,
the arrow keys and typing — no click — and every element that takes the focus shows a visible ring."""

from django.db import connections
from django_otp.plugins.otp_totp.models import TOTPDevice

from measures.models import Measure, StatusUpdate
from nap_tracker.models import User
from tests import a11y
from tests.a11y import goto
from tests.test_browser_journey import chromium, demo_site, lead_by_ministry_of_labour, pytestmark, sign_in  # noqa: F401

FOCUSED = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  return {
    tag: el.tagName, name: el.getAttribute("name") || "", href: el.getAttribute("href") || "",
    text: (el.innerText || "").trim(), label: el.labels && el.labels.length ? el.labels[0].innerText.trim() : "",
    outline: style.outlineStyle, outlineWidth: parseFloat(style.outlineWidth) || 0, outlineColor: style.outlineColor,
  };
}"""


def tab_to(page, wanted, *, limit: int = 120) -> dict:
    """Press Tab until the focused element is the one wanted; each element passed on the way must show
    where the focus is (the site's :focus-visible ring: a 3 px outline)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused["tag"] == "BODY":
            continue
        # The site's own ring (app.css, :focus-visible), not only the browser's faint default.
        assert focused["outline"] == "solid" and focused["outlineWidth"] >= 2, f"no visible focus on {focused}"
        if wanted(focused):
            return focused
    raise AssertionError(f"Tab never reached the element wanted on {page.url}")


def choose(page, option_text: str, *, limit: int = 60):
    """On a focused drop-down, press the down arrow until the option wanted is selected."""
    for _ in range(limit):
        if page.evaluate("() => document.activeElement.selectedOptions[0].text.trim()") == option_text:
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"no option {option_text!r}")


def test_an_update_is_written_submitted_and_approved_with_the_keyboard_alone(chromium, demo_site, settings):  # noqa: F811
    try:
        by_keyboard(chromium, demo_site, settings)
    finally:
        connections.close_all()


def by_keyboard(browser, base, settings):
    measure = Measure.objects.get(edition__code="NAP-2020-2024", number="4.3.3")
    lead_by_ministry_of_labour(measure)

    # The focal point of the Ministry of Labour: from the measure's page to a submitted update.
    focal = sign_in(browser, base, "focal", settings.DEMO_PASSWORD)
    goto(focal, f"{base}/measures/{measure.pk}/")
    tab_to(focal, lambda f: f["tag"] == "A" and f["text"] == "Write an update")
    with focal.expect_navigation():
        focal.keyboard.press("Enter")
    a11y.check(focal)
    tab_to(focal, lambda f: f["name"] == "period")
    choose(focal, "2024 H2")
    tab_to(focal, lambda f: f["name"] == "status")
    choose(focal, "In progress")
    tab_to(focal, lambda f: f["name"] == "progress")
    focal.keyboard.type("90")
    tab_to(focal, lambda f: f["name"] == "narrative")
    focal.keyboard.type("Vocational courses for 24 victims in Baku and Ganja.")
    tab_to(focal, lambda f: f["tag"] == "BUTTON" and f["text"] == "Submit for review")
    with focal.expect_navigation():
        focal.keyboard.press("Enter")
    a11y.check(focal)
    assert "Update submitted for review." in focal.content()
    update = StatusUpdate.objects.get(measure=measure, agency__code="MLSPP", period__label="2024 H2")
    assert (update.state, update.status, update.progress) == ("submitted", "in_progress", 90)

    # The coordinator's office: from the review queue to the approval.
    device = TOTPDevice.objects.create(user=User.objects.get(username="coordinator"), name="Phone", confirmed=True)
    coordinator = sign_in(browser, base, "coordinator", settings.DEMO_PASSWORD, device=device)
    goto(coordinator, base + "/review/")
    tab_to(coordinator, lambda f: f["href"] == f"/updates/{update.pk}/review/")
    with coordinator.expect_navigation():
        coordinator.keyboard.press("Enter")
    a11y.check(coordinator)
    tab_to(coordinator, lambda f: f["name"] == "note")
    coordinator.keyboard.type("Thank you: the numbers are clear.")
    tab_to(coordinator, lambda f: f["tag"] == "BUTTON" and f["text"] == "Approve")
    with coordinator.expect_navigation():
        coordinator.keyboard.press("Space")
    a11y.check(coordinator)
    update.refresh_from_db()
    assert update.state == "approved"
