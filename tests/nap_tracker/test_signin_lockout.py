"""Guessing passwords: a username is locked from one address after AXES_FAILURE_LIMIT wrong passwords.

The finding: 40 wrong passwords in a row, then the right one signed in.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from nap_tracker.signin import client_ip

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "pass-word-123"  # tests.factories.UserFactory


def attempt(client, username, password, url=None, **extra):
    return client.post(url or reverse("login"), {"username": username, "password": password}, **extra)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_forty_wrong_passwords_then_the_right_one_does_not_sign_in(client, people):
    for _ in range(40):
        attempt(client, "focal", "guess")
    response = attempt(client, "focal", PASSWORD)
    assert response.status_code == 429
    assert not signed_in(client)


def test_the_lockout_starts_at_the_failure_limit(client, people):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt(client, "focal", "guess").status_code == 200  # the form again, with its error
    assert attempt(client, "focal", "guess").status_code == 429


def test_locked_out_page_is_ours_and_says_when_to_try_again(client, people):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "focal", "guess")
    page = attempt(client, "focal", PASSWORD).content.decode()
    assert "Sign-in paused" in page
    assert 'class="site-header"' in page  # the site's layout, not Axes' bare text
    until = AccessAttempt.objects.get(username="focal").attempt_time + settings.AXES_COOLOFF_TIME
    assert f"after {timezone.localtime(until):%H:%M}" in page
    assert "Try again in 15 minutes" in page


def test_locked_out_page_is_in_the_readers_language(client, people):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "az"
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "focal", "guess")
    page = attempt(client, "focal", PASSWORD).content.decode()
    assert "Giriş dayandırılıb" in page
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    assert "Вход приостановлен" in attempt(client, "focal", PASSWORD).content.decode()


def test_colleagues_behind_the_same_address_can_still_sign_in(client, people):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "focal", "guess")
    response = attempt(client, "ngo", PASSWORD)
    assert response.status_code == 302
    assert signed_in(client)


def test_the_person_can_still_sign_in_from_another_address(client, people):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "focal", "guess", REMOTE_ADDR="203.0.113.7")
    assert attempt(client, "focal", PASSWORD, REMOTE_ADDR="203.0.113.7").status_code == 429
    assert attempt(client, "focal", PASSWORD, REMOTE_ADDR="198.51.100.4").status_code == 302


def test_admin_sign_in_is_locked_too(client, people):
    url = reverse("admin:login")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "admin", "guess", url=url)
    response = attempt(client, "admin", PASSWORD, url=url)
    assert response.status_code == 429
    assert "Sign-in paused" in response.content.decode()
    assert not signed_in(client)


def test_sign_in_works_again_after_the_cool_off(client, people):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "focal", "guess")
    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.get().attempt_time - settings.AXES_COOLOFF_TIME)
    assert attempt(client, "focal", PASSWORD).status_code == 302


def test_administrator_unlocks_a_person_from_the_user_list(client, people):
    visitor = client.__class__()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(visitor, "focal", "guess")
    assert attempt(visitor, "focal", PASSWORD).status_code == 429

    client.force_login(people["admin"])
    response = client.post(
        reverse("admin:nap_tracker_user_changelist"),
        {"action": "unlock_sign_in", "_selected_action": [people["focal_point"].pk]},
        follow=True,
    )
    assert "Sign-in unlocked for 1 person." in response.content.decode()
    assert attempt(visitor, "focal", PASSWORD).status_code == 302


def test_administrator_unlocks_by_deleting_the_access_attempt(client, people):
    visitor = client.__class__()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(visitor, "focal", "guess")
    locked = AccessAttempt.objects.get(username="focal")
    client.force_login(people["admin"])
    response = client.post(reverse("admin:axes_accessattempt_delete", args=[locked.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert attempt(visitor, "focal", PASSWORD).status_code == 302


# --- Which address: X-Forwarded-For only from our own proxies -----------------------------------


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8", "192.0.2.10"]


def request_from(remote, forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_forwarded_for_is_ignored_without_trusted_proxies():
    assert client_ip(request_from("203.0.113.7", "198.51.100.1")) == "203.0.113.7"


def test_forwarded_for_is_ignored_from_an_untrusted_address(behind_proxy):
    assert client_ip(request_from("203.0.113.7", "198.51.100.1")) == "203.0.113.7"


def test_forwarded_for_names_the_client_behind_a_trusted_proxy(behind_proxy):
    assert client_ip(request_from("10.1.2.3", "198.51.100.1")) == "198.51.100.1"
    # Two of our proxies in a row: the client is the first address that is not ours, from the right.
    assert client_ip(request_from("192.0.2.10", "198.51.100.1, 10.1.2.3")) == "198.51.100.1"


def test_an_address_the_client_wrote_into_forwarded_for_is_not_believed(behind_proxy):
    # The client sent "X-Forwarded-For: 6.6.6.6"; our proxy appended the real address.
    assert client_ip(request_from("10.1.2.3", "6.6.6.6, 198.51.100.1")) == "198.51.100.1"
    assert client_ip(request_from("10.1.2.3", "not-an-address")) == "10.1.2.3"


def test_changing_forwarded_for_does_not_escape_the_lockout(client, people):
    for number in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "focal", "guess", HTTP_X_FORWARDED_FOR=f"198.51.100.{number}")
    assert attempt(client, "focal", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.200").status_code == 429


def test_lockout_and_session_settings_come_from_the_environment(tmp_path):
    code = (
        "import nap_tracker.settings as s; "
        "print(s.AXES_FAILURE_LIMIT, int(s.AXES_COOLOFF_TIME.total_seconds()), ','.join(s.TRUSTED_PROXIES), "
        "s.AXES_LOCKOUT_PARAMETERS, s.SESSION_IDLE_MINUTES, s.SESSION_COOKIE_AGE)"
    )
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(
        DEBUG="true",
        NAP_VAR_DIR=str(tmp_path),
        AXES_FAILURE_LIMIT="8",
        AXES_COOLOFF_MINUTES="30",
        TRUSTED_PROXIES="10.0.0.1, 10.0.0.0/24",
        SESSION_IDLE_MINUTES="20",
        SESSION_MAX_HOURS="8",
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split(" ", 3)[:3] == ["8", "1800", "10.0.0.1,10.0.0.0/24"]
    assert result.stdout.strip().endswith("[['username', 'ip_address']] 20 28800")


def test_a_new_password_from_the_emailed_link_lifts_the_pause(client, people):
    import re

    from django.core import mail

    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "focal", "guess")
    client.post(reverse("password_reset"), {"email": "focal@example.org"})
    link = re.search(r"https?://[^/]+(/accounts/password/reset/\S+/)", mail.outbox[0].body).group(1)
    form = client.get(link, follow=True)
    client.post(form.redirect_chain[-1][0], {"new_password1": "Qurum-2026-yeni", "new_password2": "Qurum-2026-yeni"})
    assert attempt(client, "focal", "Qurum-2026-yeni").status_code == 302


def test_a_username_of_thousands_of_characters_is_refused_cleanly_and_still_counted(client, db):
    """Junk in the sign-in form must not break the log of attempts (its column holds 255 characters)."""

    response = client.post(reverse("login"), {"username": "x" * 5000, "password": "wrong"})
    assert response.status_code in (200, 400)
    attempt = AccessAttempt.objects.get()
    assert attempt.username == "x" * 150
