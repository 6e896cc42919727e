"""The second factor: administrators and the coordinator's office enrol an authenticator app and
use it at every sign-in; anyone who turned it on does too; recovery codes work once each."""

import re
from datetime import timedelta

import pytest
from django.db.models import F
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from nap_tracker.signals import second_factor_changed
from tests.conftest import password_only_login

pytestmark = pytest.mark.django_db

PASSWORD = "pass-word-123"


def sign_in(client, username):
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302, "the password step should pass"
    return response


def code_for(device) -> str:
    device.refresh_from_db()
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):0{device.digits}d}"


def wait_out_throttling(device):
    """django-otp makes the person wait 1, 2, 4… seconds after each wrong code; a test moves the clock instead."""
    type(device).objects.filter(pk=device.pk, throttling_failure_timestamp__isnull=False).update(
        throttling_failure_timestamp=F("throttling_failure_timestamp") - timedelta(hours=1)
    )


def enrolled(user, codes=("aaaa1111", "bbbb2222")):
    device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    recovery = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    for code in codes:
        StaticToken.objects.create(device=recovery, token=code)
    return device


@pytest.fixture
def changes():
    seen = []

    def record(sender, **kwargs):
        seen.append(kwargs)

    second_factor_changed.connect(record)
    yield seen
    second_factor_changed.disconnect(record)


# --- Enrolment ---------------------------------------------------------------------------------


def test_coordinator_without_a_second_factor_can_do_nothing_before_enrolling(client, people):
    response = sign_in(client, "coordinator")
    assert client.get(response["Location"])["Location"].startswith(reverse("second_factor_enrol"))
    for url in [reverse("home"), reverse("review_queue"), reverse("account_settings"), reverse("password_change")]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("second_factor_enrol")), url
    # Still open: the enrolment itself (without the site's menu: nothing in it would open), switching
    # language, signing out.
    page = client.get(reverse("second_factor_enrol"))
    assert page.status_code == 200
    assert 'class="main-nav"' not in page.content.decode()
    assert client.post(reverse("set_language"), {"language": "az", "next": "/"}).status_code == 302
    assert client.post(reverse("logout")).status_code == 302


def test_administrator_must_enrol_before_using_the_admin(client, people):
    response = client.post(reverse("admin:login"), {"username": "admin", "password": PASSWORD})
    assert response.status_code == 302
    response = client.get(reverse("admin:index"))
    assert response["Location"].startswith(reverse("second_factor_enrol"))
    assert client.get(reverse("admin:nap_tracker_user_changelist"))["Location"].startswith(
        reverse("second_factor_enrol")
    )


def test_enrolment_page_shows_a_qr_code_and_the_key_to_type(client, people):
    sign_in(client, "coordinator")
    page = client.get(reverse("second_factor_enrol")).content.decode()
    device = TOTPDevice.objects.get(user=people["coordinator"], confirmed=False)
    assert "<svg" in page
    assert "otpauth://totp/NAP%20Tracker%3Acoordinator?secret=" in page
    from base64 import b32encode

    secret = b32encode(device.bin_key).decode()
    assert " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)) in page
    # The same secret until the person confirms: reloading the page does not change the QR code.
    client.get(reverse("second_factor_enrol"))
    assert TOTPDevice.objects.filter(user=people["coordinator"]).count() == 1


def test_enrolment_refuses_a_wrong_code_and_accepts_the_right_one(client, people, changes):
    sign_in(client, "coordinator")
    client.get(reverse("second_factor_enrol"))
    device = TOTPDevice.objects.get(user=people["coordinator"])

    response = client.post(
        reverse("second_factor_enrol"), {"code": "000000" if code_for(device) != "000000" else "111111"}
    )
    assert response.status_code == 200
    assert "That code is not right" in response.content.decode()
    assert not TOTPDevice.objects.get(pk=device.pk).confirmed
    assert client.get(reverse("review_queue")).status_code == 302

    wait_out_throttling(device)
    response = client.post(reverse("second_factor_enrol"), {"code": code_for(device), "next": "/review/"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("second_factor_recovery_codes"))
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    assert [change["action"] for change in changes] == ["enrolled"]
    assert changes[0]["user"] == changes[0]["actor"] == people["coordinator"]

    # Ten recovery codes, shown once.
    page = client.get(response["Location"]).content.decode()
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", page)
    assert len(codes) == 10
    assert set(codes) == set(
        StaticToken.objects.filter(device__user=people["coordinator"]).values_list("token", flat=True)
    )
    assert 'href="/review/"' in page
    again = client.get(reverse("second_factor_recovery_codes")).content.decode()
    assert not any(code in again for code in codes)
    assert "You have 10 unused recovery codes." in again
    assert 'class="main-nav"' in again

    # And the session is verified: the coordinator works.
    assert client.get(reverse("review_queue")).status_code == 200


# --- Signing in with a second factor -----------------------------------------------------------


def test_person_with_a_second_factor_enters_a_code_after_the_password(client, people):
    device = enrolled(people["focal_point"])
    response = sign_in(client, "focal")
    assert client.get(response["Location"])["Location"].startswith(reverse("second_factor_verify"))
    blocked = client.get(reverse("measure_list"))
    assert blocked.status_code == 302
    assert blocked["Location"] == reverse("second_factor_verify") + "?next=%2Fmeasures%2F"

    response = client.post(reverse("second_factor_verify"), {"code": code_for(device), "next": "/measures/"})
    assert response.status_code == 302 and response["Location"] == "/measures/"
    assert client.get(reverse("measure_list")).status_code == 200


def test_a_wrong_code_is_refused_with_a_clear_message(client, people):
    device = enrolled(people["coordinator"])
    sign_in(client, "coordinator")
    wrong = "123456" if code_for(device) != "123456" else "654321"
    response = client.post(reverse("second_factor_verify"), {"code": wrong})
    assert response.status_code == 200
    assert "That code is not right" in response.content.decode()
    assert client.get(reverse("review_queue")).status_code == 302


def test_codes_right_after_a_wrong_one_must_wait(client, people, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 60  # a minute's wait, so a slow machine cannot outwait it by accident
    device = enrolled(people["coordinator"])
    sign_in(client, "coordinator")
    client.post(reverse("second_factor_verify"), {"code": "000000" if code_for(device) != "000000" else "111111"})
    response = client.post(reverse("second_factor_verify"), {"code": code_for(device)})
    assert response.status_code == 200
    assert "Too many wrong codes. Wait" in response.content.decode()
    wait_out_throttling(device)
    assert client.post(reverse("second_factor_verify"), {"code": code_for(device)}).status_code == 302


def test_a_recovery_code_signs_in_once_only(client, people, changes):
    enrolled(people["coordinator"], codes=("aaaa1111", "bbbb2222"))
    sign_in(client, "coordinator")
    response = client.post(reverse("second_factor_verify"), {"code": "AAAA 1111"}, follow=True)
    assert "You used a recovery code; it will not work again. 1 recovery code is left." in response.content.decode()
    assert client.get(reverse("review_queue")).status_code == 200
    assert [change["action"] for change in changes] == ["recovery_code_used"]

    client.post(reverse("logout"))
    sign_in(client, "coordinator")
    response = client.post(reverse("second_factor_verify"), {"code": "aaaa1111"})
    assert response.status_code == 200
    assert "already been used" in response.content.decode()
    assert client.get(reverse("review_queue")).status_code == 302


def test_admin_site_asks_for_the_code_too(client, people):
    device = enrolled(people["admin"])
    client.post(reverse("admin:login"), {"username": "admin", "password": PASSWORD})
    response = client.get(reverse("admin:index"))
    assert response["Location"] == reverse("second_factor_verify") + "?next=%2Fadmin%2F"
    client.post(reverse("second_factor_verify"), {"code": code_for(device)})
    assert client.get(reverse("admin:index")).status_code == 200


def test_open_pages_stay_open_before_the_code(client, people):
    enrolled(people["coordinator"])
    password_only_login(client, people["coordinator"])
    assert client.get(reverse("second_factor_verify")).status_code == 200
    assert client.post(reverse("set_language"), {"language": "ru", "next": "/"}).status_code == 302
    assert client.post(reverse("logout")).status_code == 302


# --- Reset by an administrator -----------------------------------------------------------------


def test_administrator_resets_a_second_factor_and_the_person_enrols_again(client, people, changes):
    coordinator = people["coordinator"]
    enrolled(coordinator)
    colleague = client.__class__()
    colleague.force_login(coordinator)
    assert colleague.get(reverse("review_queue")).status_code == 200

    client.force_login(people["admin"])
    response = client.post(
        reverse("admin:nap_tracker_user_changelist"),
        {"action": "reset_second_factor", "_selected_action": [coordinator.pk]},
        follow=True,
    )
    assert "The second factor of 1 person is reset." in response.content.decode()
    assert not TOTPDevice.objects.filter(user=coordinator).exists()
    assert not StaticDevice.objects.filter(user=coordinator).exists()
    assert changes[-1]["action"] == "reset"
    assert changes[-1]["user"] == coordinator and changes[-1]["actor"] == people["admin"]

    # Found by attacking a running copy: the open session (a stolen laptop's, with the phone) was sent
    # to the enrolment page, where whoever held the cookie set up their own app. Every session of the
    # person ends instead: they sign in with their password, then set up the new phone.
    response = colleague.get(reverse("review_queue"))
    assert response["Location"].startswith(reverse("login"))
    assert "_auth_user_id" not in colleague.session
    assert colleague.get(reverse("second_factor_enrol"))["Location"].startswith(reverse("login"))


# --- Other roles may turn it on and off ----------------------------------------------------------


def test_focal_point_turns_the_second_factor_on_and_off(client, people, changes):
    focal = people["focal_point"]
    client.force_login(focal)
    page = client.get(reverse("account_settings")).content.decode()
    assert "Off: you sign in with your password only." in page
    client.get(reverse("second_factor_enrol"))
    device = TOTPDevice.objects.get(user=focal)
    client.post(reverse("second_factor_enrol"), {"code": code_for(device)})
    assert "On: you sign in with your password and a code" in client.get(reverse("account_settings")).content.decode()

    response = client.post(reverse("second_factor_disable"), {"code": "wrong"})
    assert response.status_code == 200 and TOTPDevice.objects.filter(user=focal).exists()
    wait_out_throttling(device)
    wait_out_throttling(StaticDevice.objects.get(user=focal))
    # A fresh code: the one used to enrol cannot be used twice.
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=device.last_t - 1)
    response = client.post(reverse("second_factor_disable"), {"code": code_for(device)})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=focal).exists()
    assert [change["action"] for change in changes] == ["enrolled", "disabled"]


def test_coordinator_cannot_turn_the_second_factor_off(client, people):
    client.force_login(people["coordinator"])
    assert client.get(reverse("second_factor_disable")).status_code == 403
    assert client.post(reverse("second_factor_disable"), {"code": "123456"}).status_code == 403
    assert TOTPDevice.objects.filter(user=people["coordinator"]).exists()


def test_new_recovery_codes_replace_the_old_ones(client, people):
    enrolled(people["coordinator"], codes=("aaaa1111",))
    client.force_login(people["coordinator"])
    response = client.post(reverse("second_factor_recovery_codes"), follow=True)
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", response.content.decode())
    assert len(codes) == 10 and "aaaa1111" not in codes
    assert not StaticToken.objects.filter(token="aaaa1111").exists()


def test_user_list_shows_who_has_a_second_factor(client, people):
    enrolled(people["coordinator"])
    client.force_login(people["admin"])
    response = client.get(reverse("admin:nap_tracker_user_changelist"))
    assert response.status_code == 200
    rows = {user.username: user.has_second_factor for user in response.context["cl"].result_list}
    assert rows == {"admin": True, "coordinator": True, "focal": False, "ngo": False, "partner": False}
