"""Azerbaijani and Russian: complete catalogues, every main page, the remembered choice, e-mails, reports, dates."""

import zoneinfo
from datetime import UTC, date, datetime
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core import mail
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import formats, timezone, translation

from measures import notifications
from measures.models import Edition, Measure, StatusUpdate
from nap_tracker.middleware import UserPreferencesMiddleware
from nap_tracker.models import User
from reporting.services import report_render
from tests.reporting.conftest import pdf_text

LOCALE = Path(settings.BASE_DIR) / "locale"
LANGUAGES = ["az", "ru"]
# Words of the header and navigation, on every page of a signed-in person; none may stay English.
CHROME = ["Sign out", "Skip to content", "My settings", "Dashboard", "Measures", "NAP Tracker"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_is_completely_translated(language):
    catalogue = polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))
    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert not untranslated, f"{language}: {len(untranslated)} untranslated, e.g. {untranslated[:5]}"
    assert not fuzzy, f"{language}: {len(fuzzy)} fuzzy, e.g. {fuzzy[:5]}"
    assert not catalogue.metadata_is_fuzzy, "a fuzzy header is dropped by msgfmt, and the plural rule with it"
    assert catalogue.percent_translated() == 100


def test_plural_rules_are_those_of_each_language():
    az = polib.pofile(str(LOCALE / "az" / "LC_MESSAGES" / "django.po")).metadata["Plural-Forms"]
    ru = polib.pofile(str(LOCALE / "ru" / "LC_MESSAGES" / "django.po")).metadata["Plural-Forms"]
    assert az.startswith("nplurals=2;")
    assert ru.startswith("nplurals=3;")
    with translation.override("ru"):
        assert [translation.ngettext("%(count)s file", "%(count)s files", n) % {"count": n} for n in (1, 3, 5, 21)] == [
            "1 файл",
            "3 файла",
            "5 файлов",
            "21 файл",
        ]


def _in(language, msgid):
    with translation.override(language):
        return translation.gettext(msgid)


# (who, URL name, object, a heading the page must show)
PAGES = [
    ("focal", "home", None, "My measures"),
    ("ngo", "home", None, "My measures"),
    ("coordinator", "home", None, "Coordination"),
    ("admin", "home", None, "Coordination"),
    ("partner", "home", None, "Progress of the action plans"),
    ("focal", "measure_list", None, "Measures"),
    ("focal", "measure_detail", "measure", "About the measure"),
    ("focal", "update_create", "measure", "New update"),
    ("coordinator", "review_queue", None, "Review queue"),
    ("coordinator", "update_review", "submitted", "Your decision"),
    ("partner", "reporting:dashboard", None, "Summary"),
    ("partner", "reporting:new", None, "Request a report"),
    ("focal", "account_settings", None, "My settings"),
    ("focal", "notification_list", None, "Notifications"),
    (None, "login", None, "Sign in"),
]


@pytest.fixture
def targets(demo):
    return {
        # 4.2.3 is a measure of the demo focal point's ministry (MLSPP).
        "measure": Measure.objects.get(edition__code="NAP-2020-2024", number="4.2.3"),
        "submitted": StatusUpdate.objects.filter(state="submitted", measure__edition__country__code="az")
        .exclude(agency__code="MLSPP")
        .first(),
    }


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("who", "name", "target", "heading"), PAGES, ids=[f"{p[0]}-{p[1]}" for p in PAGES])
def test_main_page_speaks_the_chosen_language(client, targets, language, who, name, target, heading):
    if who:
        User.objects.filter(username=who).update(language=language)
        client.force_login(User.objects.get(username=who))
    else:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    url = reverse(name, args=[targets[target].pk]) if target else reverse(name)
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    assert _in(language, heading) in html
    assert f">{heading}<" not in html
    for english in CHROME if who else ["Sign in", "Forgotten your password?"]:
        assert _in(language, english) != english
        assert f">{english}<" not in html, f"{english!r} left in English"


def test_language_choice_is_saved_and_survives_signing_out_and_in(demo):
    browser = Client()
    browser.force_login(User.objects.get(username="focal"))
    response = browser.post(reverse("set_language"), {"language": "az", "next": "/"})
    assert response.status_code == 302
    assert User.objects.get(username="focal").language == "az"
    browser.post(reverse("logout"))

    # Another browser, no cookie, an English-speaking Accept-Language: the saved choice wins.
    elsewhere = Client(headers={"accept-language": "en"})
    elsewhere.force_login(User.objects.get(username="focal"))
    html = elsewhere.get(reverse("home")).content.decode()
    assert _in("az", "My measures") in html and ">My measures<" not in html


def test_anonymous_language_switch_keeps_the_cookie(db):
    client = Client()
    response = client.post(reverse("set_language"), {"language": "ru", "next": "/accounts/login/"})
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ru"
    assert _in("ru", "Sign in") in client.get(reverse("login")).content.decode()


def test_my_settings_saves_language_time_zone_and_digests(client, demo):
    focal = User.objects.get(username="focal")
    client.force_login(focal)
    response = client.post(
        reverse("account_settings"), {"language": "ru", "time_zone": "Europe/Berlin", "receives_digests": ""}
    )
    assert response.status_code == 302
    focal.refresh_from_db()
    assert (focal.language, focal.time_zone, focal.receives_digests) == ("ru", "Europe/Berlin", False)
    assert _in("ru", "Your settings are saved.") in client.get(response["Location"]).content.decode()


def test_my_settings_refuses_an_unknown_time_zone(client, demo):
    client.force_login(User.objects.get(username="focal"))
    response = client.post(reverse("account_settings"), {"language": "", "time_zone": "Mars/Olympus"})
    assert response.status_code == 200
    assert User.objects.get(username="focal").time_zone == ""


def test_my_settings_reads_the_time_zones_once_per_process(client, people, monkeypatch):
    from nap_tracker import forms, models

    calls = []
    real = zoneinfo.available_timezones
    monkeypatch.setattr(zoneinfo, "available_timezones", lambda: calls.append(1) or real())
    models.time_zone_names.cache_clear()
    forms._zone_choices.cache_clear()
    client.force_login(people["focal_point"])
    for _ in range(3):
        html = client.get(reverse("account_settings")).content.decode()
    client.post(reverse("account_settings"), {"language": "", "time_zone": "Europe/Berlin"})
    assert len(calls) == 1
    assert '<option value="Asia/Baku">Asia/Baku</option>' in html
    assert '<option value="America/Argentina/Buenos_Aires">America/Argentina/Buenos Aires</option>' in html
    chosen = client.get(reverse("account_settings")).content.decode()
    assert '<option value="Europe/Berlin" selected>Europe/Berlin</option>' in chosen


@pytest.mark.parametrize(("zone", "expected"), [("", "Asia/Baku"), ("Europe/London", "Europe/London")])
def test_times_are_shown_in_the_person_s_zone(db, people, zone, expected):
    person = people["focal_point"]
    person.time_zone = zone
    seen = {}

    def view(request):
        seen["zone"] = timezone.get_current_timezone_name()
        return None

    request = RequestFactory().get("/")
    request.user = person
    UserPreferencesMiddleware(view)(request)
    assert seen["zone"] == expected
    timezone.deactivate()


def test_plan_text_missing_in_the_reader_s_language_is_marked(client, targets):
    measure = targets["measure"]
    Measure.objects.filter(pk=measure.pk).update(title_az="", title_ru="")
    focal = User.objects.get(username="focal")
    User.objects.filter(pk=focal.pk).update(language="az")
    client.force_login(focal)
    html = client.get(reverse("measure_detail", args=[measure.pk])).content.decode()
    assert measure.title_en in html
    assert '<span class="fallback"' in html and ">EN</span>" in html


def test_e_mails_go_out_in_the_recipient_s_language(targets):
    update = targets["submitted"]
    User.objects.filter(role=User.Role.COORDINATOR).update(language="az")
    mail.outbox.clear()
    notifications.update_submitted(update.pk)
    assert mail.outbox
    message = mail.outbox[0]
    assert message.subject.startswith("Yoxlama üçün:")
    assert "Hörmətli" in message.body and "Burada yoxlayın:" in message.body
    assert "Dear" not in message.body and "Review it here" not in message.body


def test_returned_update_e_mail_in_russian(targets):
    update = targets["submitted"]
    User.objects.filter(pk=update.author_id).update(language="ru")
    StatusUpdate.objects.filter(pk=update.pk).update(state="returned", review_note="Уточните цифры.")
    mail.outbox.clear()
    notifications.update_reviewed(update.pk)
    assert mail.outbox[0].subject.startswith("Возвращено на доработку")
    assert "Уважаемый(ая)" in mail.outbox[0].body


def test_report_in_azerbaijani_carries_azerbaijani_headings(demo):
    edition = Edition.objects.get(code="NAP-2020-2024")
    rendered = report_render(
        kind="edition", edition=edition, language="az", format="pdf", generated_at=datetime(2024, 3, 1, tzinfo=UTC)
    )
    text = pdf_text(rendered.content)
    for heading in ("İcra hesabatı", "Tədbirlərin istiqamətlər üzrə statusu", "Hüquqi əsas", "Vaxtı keçmiş"):
        assert heading in text, heading
    for english in ("Progress report", "Status of measures by pillar", "Legal basis", "Overdue"):
        assert english not in text, english


@pytest.mark.parametrize(
    ("language", "short", "long"),
    [
        ("en", "22 Jul 2020", "22 July 2020"),
        ("az", "22.07.2020", "22 "),
        ("ru", "22.07.2020", "22 июля 2020 г."),
    ],
)
def test_dates_are_written_as_each_language_writes_them(language, short, long):
    day = date(2020, 7, 22)
    with translation.override(language):
        assert formats.date_format(day, "SHORT_DATE_FORMAT") == short
        assert formats.date_format(day, "DATE_FORMAT").startswith(long)
        moment = datetime(2020, 7, 22, 5, 7, tzinfo=zoneinfo.ZoneInfo("Asia/Baku"))
        assert formats.date_format(moment, "SHORT_DATETIME_FORMAT").endswith("05:07")
