"""The server-error page: a database outage is a clean 503 that says to wait; nothing touches the database."""

import pytest
from django.db import OperationalError

from nap_tracker import middleware


@pytest.fixture
def failing_preferences(monkeypatch):
    """Make the first thing that reads the signed-in person fail as it would with PostgreSQL down."""
    raised = {}

    def fail(self, request):
        error = raised.get("error") or OperationalError('connection to server at "127.0.0.1", port 5432 failed')
        raise error

    monkeypatch.setattr(middleware.UserPreferencesMiddleware, "__call__", fail)
    return raised


def test_a_database_outage_answers_503_with_a_page_that_says_to_wait(client, failing_preferences, settings):
    settings.DEBUG = False
    client.raise_request_exception = False
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="az")
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert response["Cache-Control"] == "no-store"
    page = response.content.decode()
    assert '<html lang="az">' in page
    assert "port 5432" not in page  # nothing of the error's inner workings


def test_any_other_error_answers_500_with_the_site_page(client, failing_preferences, settings):
    settings.DEBUG = False
    failing_preferences["error"] = ValueError("a bug")
    client.raise_request_exception = False
    response = client.get("/")
    assert response.status_code == 500
    assert "Retry-After" not in response
    assert "Something went wrong on our side" in response.content.decode()
    assert "a bug" not in response.content.decode()


def test_the_error_page_itself_never_queries_the_database(client, failing_preferences, settings):
    """No `db` fixture: rendering the page would raise if it asked the database anything."""
    settings.DEBUG = False
    client.raise_request_exception = False
    assert client.get("/measures/").status_code == 503


def test_a_server_error_is_mailed_to_the_admins(client, failing_preferences, settings, mailoutbox):
    settings.DEBUG = False
    settings.ADMINS = [("Operations", "ops@example.gov.az")]
    failing_preferences["error"] = ValueError("a bug")
    client.raise_request_exception = False
    client.get("/measures/")
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["ops@example.gov.az"]
    assert "ValueError at /measures/" in mailoutbox[0].body and "Traceback" in mailoutbox[0].body


# --- 400, 403, 404 and an expired form: the site's layout, the reader's language, a way on ----------


@pytest.mark.django_db
def test_a_missing_page_is_in_the_site_layout_with_a_way_on(client, people):
    client.force_login(people["partner"])
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "We could not find this page" in page
    assert 'class="main-nav"' in page  # the navigation is there
    assert 'href="/measures/"' in page and 'href="/"' in page


@pytest.mark.django_db
def test_a_missing_page_speaks_the_readers_language(client, people):
    people["partner"].language = "az"
    people["partner"].save()
    client.force_login(people["partner"])
    page = client.get("/no-such-page/").content.decode()
    assert '<html lang="az">' in page
    assert "We could not find this page" not in page


@pytest.mark.django_db
def test_an_anonymous_visitor_is_offered_the_sign_in(client):
    page = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert '<html lang="ru">' in page and 'href="/accounts/login/"' in page


@pytest.mark.django_db
def test_a_refused_action_says_nothing_was_changed(client, people):
    """The partner may see the review queue's URL exists, but may not review: 403 in the layout."""
    client.force_login(people["partner"])
    response = client.get("/review/")
    assert response.status_code == 403
    page = response.content.decode()
    assert "Your account cannot do this" in page and "Nothing was changed" in page
    assert 'class="main-nav"' in page


@pytest.mark.django_db
def test_a_bad_request_page_is_in_the_layout(client, settings):
    settings.ALLOWED_HOSTS = ["nap.example.gov.az"]
    response = client.get("/accounts/login/", HTTP_HOST="attacker.example.com")
    assert response.status_code == 400
    assert "The request could not be understood" in response.content.decode()


@pytest.mark.django_db
def test_an_expired_form_is_explained_in_the_readers_language(people):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(people["focal_point"])
    response = browser.post("/accounts/settings/", {"language": "az"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403
    page = response.content.decode()
    assert "Your form could not be sent" in page and "Nothing was saved" in page
    assert 'class="main-nav"' in page
