"""Every page usable by everyone: each main page, as each role, at a desktop's and a phone's width,
checked by axe-core (WCAG 2 A and AA) in a real Chromium — no serious or critical violation."""

from django.db import connections
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from measures.models import Edition, Measure, RecommendationSource, ReportingPeriod, StatusUpdate
from nap_tracker.models import User
from tests import a11y
from tests.test_browser_journey import chromium, demo_site, pytestmark, sign_in  # noqa: F401

USERNAMES = {"admin": "admin", "coordinator": "coordinator", "focal_point": "focal", "ngo": "ngo", "partner": "partner"}
WIDTHS = (1366, 375)


def main_pages(role: str) -> list[str]:
    """The pages of the site itself (Django's admin pages are its own and left out)."""
    nap20 = Edition.objects.get(code="NAP-2020-2024")
    measure = Measure.objects.get(edition=nap20, number="4.2.3")
    period = ReportingPeriod.objects.filter(edition=nap20).order_by("start").first()
    pages = [
        reverse("home"),
        reverse("measure_list"),
        reverse("measure_list") + "?status=in_progress",
        reverse("measure_detail", args=[measure.pk]),
        # The richest measure page of the demo: indicators, a budget, many agencies, NGO assessments.
        reverse("measure_detail", args=[Measure.objects.get(edition=nap20, number="4.3.3").pk]),
        reverse("notification_list"),
        reverse("reporting:list"),
        reverse("reporting:new"),
        reverse("reporting:dashboard"),
        reverse("account_settings"),
        reverse("password_change"),
        reverse("public_summary", args=[nap20.code]),
        reverse("period_list", args=[nap20.code]),
        reverse("period_detail", args=[period.pk]),
        reverse("recommendation_list"),
        reverse("recommendation_coverage", args=[RecommendationSource.objects.get(reference="GRETA(2018)17").pk]),
    ]
    if role in ("coordinator", "admin"):
        submitted = StatusUpdate.objects.filter(state="submitted").order_by("pk").first()
        pages += [
            reverse("review_queue"),
            reverse("update_review", args=[submitted.pk]),
            reverse("measure_revise_deadline", args=[measure.pk]),
            reverse("measure_consolidate", args=[measure.pk]),
            # The status page at its fullest: a consolidated status in force, and an NGO's assessment
            # that disagrees with it (demo measure 4.1.4).
            reverse("measure_consolidate", args=[Measure.objects.get(edition=nap20, number="4.1.4").pk]),
        ]
    if role in ("coordinator", "partner", "admin"):
        pages.append(reverse("reporting:quality", args=[nap20.code]))
    if role == "partner":  # the demo's partner follows both countries
        pages.append(reverse("country_comparison"))
    if role == "admin":
        pages += [reverse("api:token_list"), reverse("api:token_issue")]
    if role == "focal_point":
        draft = StatusUpdate.objects.filter(agency__code="MLSPP", state="draft").first()
        pages += [reverse("update_create", args=[measure.pk]), reverse("update_edit", args=[draft.pk])]
    return pages


ANONYMOUS = ["/accounts/login/", "/accounts/password/reset/", "/plans/NAP-2020-2024/"]


def check_all(page, base: str, paths: list[str], found: list[str], language: str = "en"):
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        for path in paths:
            response = page.goto(base + path)
            assert response is not None and response.status == 200, f"{path}: {response and response.status}"
            assert page.url == base + path, f"{path} ended on {page.url}"
            assert page.locator("html").get_attribute("lang") == language, path
            where = f"{path} ({language}) at {width}px"
            found += [f"{where}: {line}" for line in a11y.violations(page)]
            # Nothing wider than the screen: what does not fit scrolls inside its own box.
            overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
            if overflow > 0:
                found.append(f"{where}: the page is {overflow}px wider than the screen")


def test_every_main_page_for_every_role_has_no_serious_violation(chromium, demo_site, settings):  # noqa: F811
    found: list[str] = []
    try:
        check_all(chromium.new_context().new_page(), demo_site, ANONYMOUS, found)
        signed_in = {}
        for role, username in USERNAMES.items():
            device = None
            if role in ("admin", "coordinator"):
                device = TOTPDevice.objects.create(
                    user=User.objects.get(username=username), name="Phone", confirmed=True
                )
            signed_in[role] = sign_in(chromium, demo_site, username, settings.DEMO_PASSWORD, device=device)
            check_all(signed_in[role], demo_site, main_pages(role), found)
        # Azerbaijani and Russian words run longer than English ones: a focal point's pages in each.
        page = signed_in["focal_point"]
        for language in ("az", "ru"):
            page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": demo_site}])
            User.objects.filter(username="focal").update(language=language)
            check_all(page, demo_site, main_pages("focal_point"), found, language)
        assert not found, f"{len(found)} serious or critical accessibility violations:\n" + "\n".join(found)
    finally:
        connections.close_all()


# The drop-downs whose words are names of agencies and areas are long by nature: they take a wide box
# and are cut. On a desktop every other one shows its longest option whole; on a phone, where each
# filter takes the whole row and the phone's own picker lists the options, its longest word.
LONG_NAMES = {"agency", "area"}
TOO_NARROW = r"""([skip, byWord]) => {
  const canvas = document.createElement("canvas").getContext("2d");
  const short = [];
  for (const select of document.querySelectorAll("form.filters select")) {
    if (skip.includes(select.name)) continue;
    const style = getComputedStyle(select);
    canvas.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    // Room for the words: the box less its padding and Chromium's arrow (20 px).
    const room = select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) - 20;
    for (const option of select.options) {
      const parts = byWord ? option.text.trim().split(/\s+/) : [option.text.trim()];
      for (const text of parts) {
        const needed = canvas.measureText(text).width;
        if (needed > room) short.push(`${select.name}: “${text}” needs ${Math.ceil(needed)}px, has ${Math.floor(room)}px`);
      }
    }
  }
  return short;
}"""


def test_the_measure_filters_are_wide_enough_for_their_words(chromium, demo_site, settings):  # noqa: F811
    found: list[str] = []
    try:
        page = sign_in(chromium, demo_site, "partner", settings.DEMO_PASSWORD)
        for language in ("en", "az", "ru"):
            page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": demo_site}])
            User.objects.filter(username="partner").update(language=language)
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 900})
                a11y.goto(page, demo_site + reverse("measure_list"))
                assert page.locator("html").get_attribute("lang") == language
                found += [
                    f"{language} at {width}px: {line}"
                    for line in page.evaluate(TOO_NARROW, [list(LONG_NAMES), width < 640])
                ]
                overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
                assert overflow <= 0, f"{language} at {width}px: the page is {overflow}px wider than the screen"
        assert not found, "\n".join(found)
    finally:
        connections.close_all()
