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
