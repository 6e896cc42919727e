"""An update is written in one language: its author says which, and readers of another language see it marked."""

import csv
import io

import pytest
from django.urls import reverse
from django.utils import translation

from measures import selectors, services
from measures.models import Measure, ReportingPeriod, StatusUpdate
from nap_tracker.models import User
from nap_tracker.templatetags.content import lang_attr, written_in, written_in_note
from tests.measures.test_workflow import create, form_data, login

pytestmark = pytest.mark.django_db

NARRATIVE = "Insan alverinə qarşı 12 təlim keçirildi; 240 iştirakçı."


@pytest.fixture
def measure(demo):
    """Measure 4.3.3: the Ministry of Labour is an executing body and has no update for 2024 H2 yet."""
    return Measure.objects.get(edition__code="NAP-2020-2024", number="4.3.3")


@pytest.fixture
def period(measure):
    return ReportingPeriod.objects.get(edition=measure.edition, label="2024 H2")


@pytest.fixture
def approved(measure):
    """The approved update that sets the measure's status, its narrative written in Azerbaijani."""
    update = selectors._status_setting_updates([measure.pk]).get()
    update.narrative, update.language = NARRATIVE, "az"
    update.save(update_fields=["narrative", "language"])
    return update


def speaking(username, language):
    user = User.objects.get(username=username)
    user.language = language
    user.save(update_fields=["language"])
    return user


def test_the_form_offers_the_persons_interface_language_first(client, measure):
    client.force_login(speaking("focal", "ru"))
    response = client.get(reverse("update_create", args=[measure.pk]))
    assert response.status_code == 200
    assert response.context["form"]["language"].value() == "ru"
    assert '<option value="ru" selected>' in response.content.decode()


def test_the_chosen_language_is_saved_and_can_be_changed(client, measure, period):
    client.force_login(speaking("focal", "en"))
    response = create(client, measure, form_data(period, language="az", action="draft"))
    assert response.status_code == 302
    update = StatusUpdate.objects.get(measure=measure, agency__code="MLSPP", period=period)
    assert update.language == "az"
    # Editing offers the language saved, not the person's own.
    page = client.get(reverse("update_edit", args=[update.pk]))
    assert page.context["form"]["language"].value() == "az"
    client.post(
        reverse("update_edit", args=[update.pk]),
        form_data(period, language="ru", version=update.version, action="draft"),
    )
    update.refresh_from_db()
    assert update.language == "ru"
    history = client.get(reverse("update_edit", args=[update.pk])).context["history"]
    assert any(
        (field.label, field.before, field.after) == ("Written in", "Azerbaijani", "Russian")
        for change in history
        for field in change.fields
    )


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("xx", "Choose the language of the update from the list."),
        ("<script>", "Choose the language of the update from the list."),
        ("", "Say in which language the update is written."),
        (None, "Say in which language the update is written."),
    ],
)
def test_a_language_that_is_not_offered_is_refused_and_nothing_is_saved(client, measure, period, language, message):
    data = form_data(period, language=language)
    if language is None:
        del data["language"]
    response = create(login(client, "focal"), measure, data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not StatusUpdate.objects.filter(measure=measure, agency__code="MLSPP", period=period).exists()


def test_the_service_refuses_a_language_of_no_installation(measure, period):
    data = services.UpdateData(period=period, status="in_progress", progress=10, narrative="x", language="de")
    with pytest.raises(services.UpdateError) as refused:
        services.update_create(
            measure=measure, user=User.objects.get(username="focal"), data=data, files=[], submit=False
        )
    assert refused.value.field == "language"
    assert not StatusUpdate.objects.filter(measure=measure, agency__code="MLSPP", period=period).exists()


def test_an_update_written_before_the_question_is_offered_the_persons_language_to_confirm(client, measure, period):
    update = create(login(client, "focal"), measure, form_data(period, action="draft"))
    update = StatusUpdate.objects.get(measure=measure, agency__code="MLSPP", period=period)
    StatusUpdate.objects.filter(pk=update.pk).update(language="")
    client.force_login(speaking("focal", "az"))
    assert client.get(reverse("update_edit", args=[update.pk])).context["form"]["language"].value() == "az"


def test_the_measure_page_marks_an_update_written_in_another_language(client, measure, approved):
    client.force_login(speaking("partner", "en"))
    page = client.get(reverse("measure_detail", args=[measure.pk])).content.decode()
    assert NARRATIVE in page
    assert '<span class="written-in">Written in Azerbaijani</span>' in page
    # The element holding the text says its language, so a screen reader reads it in Azerbaijani.
    assert f'<div class="narrative" lang="az"><p>{NARRATIVE}</p></div>' in page
    assert '<div class="standing-text" lang="az">' in page


def test_the_measure_page_shows_no_mark_to_a_reader_of_the_same_language(client, measure, approved):
    client.force_login(speaking("partner", "az"))
    page = client.get(reverse("measure_detail", args=[measure.pk])).content.decode()
    assert f'lang="az"><p>{NARRATIVE}</p></div>' in page
    assert 'class="written-in"' not in page.split(NARRATIVE)[0].rsplit('id="update-', 1)[-1]
    # The demo's other updates are in English: marked for this reader.
    assert 'class="written-in"' in page and 'lang="en"' in page


def test_an_update_of_unknown_language_is_shown_without_mark_or_lang(client, measure, approved):
    StatusUpdate.objects.filter(measure=measure).update(language="")
    client.force_login(speaking("partner", "ru"))
    page = client.get(reverse("measure_detail", args=[measure.pk])).content.decode()
    assert f'<div class="narrative"><p>{NARRATIVE}</p></div>' in page
    assert 'class="written-in"' not in page


def test_the_review_page_marks_the_update_for_a_reviewer_of_another_language(client, measure, period):
    create(login(client, "focal"), measure, form_data(period, language="ru", narrative="Проведено 12 тренингов."))
    update = StatusUpdate.objects.get(measure=measure, agency__code="MLSPP", period=period)
    client.force_login(speaking("coordinator", "az"))
    with translation.override("az"):
        mark = str(written_in("ru"))
    page = client.get(reverse("update_review", args=[update.pk])).content.decode()
    assert mark in page and '<div class="narrative" lang="ru"><p>Проведено 12 тренингов.</p></div>' in page


def test_the_measures_csv_says_in_which_language_the_latest_approved_update_is_written(client, measure, approved):
    client.force_login(speaking("partner", "en"))
    response = client.get(reverse("measure_csv"))
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    by_number = {row["Number"]: row for row in rows}
    assert by_number["4.3.3"]["Written in"] == "Azerbaijani"
    assert {row["Written in"] for row in rows if row["Latest approved update"]} >= {"English", "Azerbaijani"}
    assert all(row["Written in"] == "" for row in rows if not row["Latest approved update"])


def test_the_mark_and_the_lang_attribute_follow_the_reader_and_the_installation(settings):
    with translation.override("en"):
        assert written_in("en") == "" and written_in("") == "" and written_in("xx") == ""
        assert "Written in Russian" in written_in("ru") and written_in_note("ru") == "Written in Russian"
    with translation.override("ru"):
        assert written_in("ru") == "" and "written-in" in written_in("en")
    assert lang_attr("az") == ' lang="az"'
    assert lang_attr("") == "" and lang_attr('"><script>') == ""
