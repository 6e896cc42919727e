"""Sessions: signed out after SESSION_IDLE_MINUTES idle and SESSION_MAX_HOURS in all; signing out and
changing the password end the session where it matters.

The finding: a session lasted 14 days, idle or not.
"""

import time

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse

from nap_tracker import session_limits

pytestmark = pytest.mark.django_db


def move_clock_back(client, *, idle_seconds=0, signed_in_seconds=0):
    """Pretend the last request, or the sign-in, was that long ago."""
    session = client.session
    session[session_limits.LAST_ACTIVITY] -= idle_seconds
    session[session_limits.SIGNED_IN_AT] -= signed_in_seconds
    session.save()


def test_sessions_no_longer_last_two_weeks():
    assert settings.SESSION_COOKIE_AGE == 12 * 3600
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE


def test_signed_out_after_thirty_idle_minutes(client, people):
    client.force_login(people["focal_point"])
    session_key = client.session.session_key
    move_clock_back(client, idle_seconds=31 * 60, signed_in_seconds=31 * 60)
    response = client.get(reverse("measure_list"))
    assert response.status_code == 302
    assert response["Location"] == reverse("login") + "?next=/measures/"
    assert not Session.objects.filter(session_key=session_key).exists()
    page = client.get(response["Location"]).content.decode()
    assert "You were signed out after 30 minutes without activity." in page
    assert client.get(reverse("measure_list")).status_code == 302


def test_activity_keeps_the_session_alive(client, people):
    client.force_login(people["focal_point"])
    move_clock_back(client, idle_seconds=29 * 60, signed_in_seconds=29 * 60)
    assert client.get(reverse("measure_list")).status_code == 200
    # The request counted as activity: another 29 minutes later the person is still signed in.
    assert time.time() - client.session[session_limits.LAST_ACTIVITY] < 5
    move_clock_back(client, idle_seconds=29 * 60)
    assert client.get(reverse("measure_list")).status_code == 200


def test_idle_minutes_come_from_the_setting(client, people, settings):
    settings.SESSION_IDLE_MINUTES = 10
    client.force_login(people["focal_point"])
    move_clock_back(client, idle_seconds=11 * 60)
    response = client.get(reverse("home"), follow=True)
    assert "You were signed out after 10 minutes without activity." in response.content.decode()


def test_signed_out_twelve_hours_after_signing_in_even_when_active(client, people):
    client.force_login(people["coordinator"])
    move_clock_back(client, signed_in_seconds=12 * 3600 + 60)
    response = client.get(reverse("review_queue"), follow=True)
    assert response.redirect_chain[0][0].startswith(reverse("login"))
    assert "You were signed out because you signed in 12 hours ago." in response.content.decode()


def test_signing_out_ends_the_session_on_the_server(client, people):
    client.force_login(people["focal_point"])
    stolen_cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert client.post(reverse("logout")).status_code == 302
    thief = client.__class__()
    thief.cookies[settings.SESSION_COOKIE_NAME] = stolen_cookie
    assert thief.get(reverse("measure_list")).status_code == 302


def test_signing_out_needs_a_post(client, people):
    client.force_login(people["focal_point"])
    assert client.get(reverse("logout")).status_code == 405
    assert client.get(reverse("measure_list")).status_code == 200


def test_changing_the_password_signs_out_other_browsers_but_not_this_one(client, people):
    focal = people["focal_point"]
    client.force_login(focal)
    other_browser = client.__class__()
    other_browser.force_login(focal)
    assert other_browser.get(reverse("measure_list")).status_code == 200

    response = client.post(
        reverse("password_change"),
        {"old_password": "pass-word-123", "new_password1": "Qurum-2026-yeni", "new_password2": "Qurum-2026-yeni"},
    )
    assert response.status_code == 302
    assert client.get(reverse("measure_list")).status_code == 200
    response = other_browser.get(reverse("measure_list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_password_reset_signs_out_every_browser(client, people):
    import re

    from django.core import mail

    other_browser = client.__class__()
    other_browser.force_login(people["focal_point"])
    client.post(reverse("password_reset"), {"email": "focal@example.org"})
    link = re.search(r"https?://[^/]+(/accounts/password/reset/\S+/)", mail.outbox[0].body).group(1)
    form = client.get(link, follow=True)
    client.post(form.redirect_chain[-1][0], {"new_password1": "Qurum-2026-yeni", "new_password2": "Qurum-2026-yeni"})
    assert other_browser.get(reverse("measure_list")).status_code == 302
