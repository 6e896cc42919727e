"""The second factor: a code from an authenticator app (TOTP), or one of ten single-use recovery codes.

Built on django-otp. A person has at most one confirmed TOTP device and one set of recovery codes
(a StaticDevice); an unconfirmed TOTP device is an enrolment in progress. Verifying a code marks
the session with the device (django_otp.login), which is what the SecondFactorMiddleware checks.
"""

import io
from base64 import b32encode
from dataclasses import dataclass

import django_otp
import qrcode
import qrcode.image.svg
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from nap_tracker import permissions
from nap_tracker.models import User
from nap_tracker.signals import second_factor_changed

APP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"


class SecondFactorError(Exception):
    """A code that cannot be accepted; the message says why, in words for the person."""


def is_required(user) -> bool:
    return permissions.must_use_second_factor(user)


def has_second_factor(user) -> bool:
    """One query: whether the person has finished enrolling."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def enrolment_device(user) -> TOTPDevice:
    """The enrolment in progress (made on first call), whose secret the enrolment page shows."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)
    return device


@dataclass(frozen=True)
class Enrolment:
    secret: str  # base32, for typing into an app by hand
    uri: str  # otpauth://… as in the QR code
    qr_svg: str


def enrolment_details(device: TOTPDevice) -> Enrolment:
    secret = b32encode(device.bin_key).decode()
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode()
    svg = svg[svg.index("<svg") :]  # drop the XML declaration: the SVG goes inside our HTML
    return Enrolment(
        secret=" ".join(secret[i : i + 4] for i in range(0, len(secret), 4)), uri=device.config_url, qr_svg=svg
    )


def _clean(code: str) -> str:
    return "".join(code.split()).lower()


def _refuse_if_throttled(device) -> None:
    allowed, data = device.verify_is_allowed()
    if not allowed:
        until = (data or {}).get("locked_until")
        seconds = max(1, int((until - timezone.now()).total_seconds()) + 1) if until else 60
        raise SecondFactorError(
            ngettext(
                "Too many wrong codes. Wait %(seconds)s second, then try again.",
                "Too many wrong codes. Wait %(seconds)s seconds, then try again.",
                seconds,
            )
            % {"seconds": seconds}
        )


def _new_recovery_codes(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(settings.RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def second_factor_enrol(*, user: User, code: str, request=None) -> list[str]:
    """Confirm the enrolment with a code from the app; returns the new recovery codes (shown once)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        raise SecondFactorError(_("The set-up has expired. Scan the new QR code and enter the code again."))
    _refuse_if_throttled(device)
    # Outside the transaction below, so that a wrong code counts towards the throttling.
    if not device.verify_token(_clean(code)):
        raise SecondFactorError(_("That code is not right. Enter the 6 digits your app shows now for NAP Tracker."))
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _new_recovery_codes(user)
    if request is not None:
        django_otp.login(request, device)
    second_factor_changed.send(sender=User, user=user, actor=user, action="enrolled", request=request)
    return codes


def second_factor_verify(*, user: User, code: str, request=None):
    """Check a code from the app or a recovery code; returns the device that accepted it.

    A recovery code is spent by using it (django-otp deletes it), so the same code is refused next time.
    Each device counts wrong codes and makes the person wait longer after each (django-otp's throttling).
    """
    code = _clean(code)
    devices = [
        *TOTPDevice.objects.filter(user=user, confirmed=True),
        *StaticDevice.objects.filter(user=user, confirmed=True),
    ]
    if not devices:
        raise SecondFactorError(_("You have no second factor set up."))
    # A six-digit number is a code from the app; anything else can only be a recovery code.
    kind = TOTPDevice if code.isdigit() and len(code) == 6 else StaticDevice
    candidates = [device for device in devices if isinstance(device, kind)]
    for device in candidates:
        _refuse_if_throttled(device)
    with transaction.atomic():
        for device in candidates:
            device = type(device).objects.select_for_update().get(pk=device.pk)
            if device.verify_token(code):
                break
        else:
            device = None
    if device is None:
        raise SecondFactorError(
            _(
                "That code is not right, or it is a recovery code that has already been used. Try the code your app shows now."
            )
        )
    if request is not None:
        django_otp.login(request, device)
    if isinstance(device, StaticDevice):
        second_factor_changed.send(sender=User, user=user, actor=user, action="recovery_code_used", request=request)
    return device


@transaction.atomic
def recovery_codes_renew(*, user: User) -> list[str]:
    """Ten new recovery codes; the old ones stop working."""
    return _new_recovery_codes(user)


def second_factor_disable(*, user: User, code: str, request=None) -> None:
    """A person whose role does not require it turns the second factor off, confirming with a code."""
    if not permissions.may_turn_off_second_factor(user):
        raise SecondFactorError(_("Your role must sign in with a second factor; it cannot be turned off."))
    # Outside the transaction below, so a wrong code still counts towards the throttling.
    second_factor_verify(user=user, code=code)
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
    second_factor_changed.send(sender=User, user=user, actor=user, action="disabled", request=request)


@transaction.atomic
def second_factor_reset(*, user: User, actor: User, request=None) -> None:
    """An administrator removes someone's app and recovery codes (a lost phone).

    Every session of the person ends too: a session left open (on a laptop taken with the phone)
    would otherwise be offered the enrolment page, where whoever holds it could set up their own
    app. The person signs in again with their password, then sets up the new phone.
    """
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    _end_sessions(user)
    second_factor_changed.send(sender=User, user=user, actor=actor, action="reset", request=request)


def _end_sessions(user: User) -> None:
    """Delete the stored sessions signed in as this person (database sessions: read each live one)."""
    from django.contrib.sessions.models import Session

    owner = str(user.pk)
    ended = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if session.get_decoded().get("_auth_user_id") == owner
    ]
    Session.objects.filter(pk__in=ended).delete()
