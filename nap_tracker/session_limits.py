"""How long a sign-in lasts: SESSION_IDLE_MINUTES without a request, SESSION_MAX_HOURS in all.

Django's own expiry moves forward each time the session is saved, so it cannot give an absolute
limit; the time of signing in and of the last activity are kept in the session instead.
"""

import time

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

SIGNED_IN_AT = "nap_signed_in_at"
LAST_ACTIVITY = "nap_last_activity"
IDLE, TOO_LONG = "idle", "too_long"
# The last activity is written at most this often, so reading a page costs no session write.
TOUCH_EVERY_SECONDS = 60


@receiver(user_logged_in, dispatch_uid="nap_session_limits_start")
def start(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[SIGNED_IN_AT] = now
        request.session[LAST_ACTIVITY] = now


def expired(session, now: float | None = None) -> str | None:
    """IDLE or TOO_LONG when the session has run out, else None. A session without the times
    (made before this check existed) counts from now."""
    now = time.time() if now is None else now
    signed_in_at = session.get(SIGNED_IN_AT)
    last_activity = session.get(LAST_ACTIVITY)
    if signed_in_at is not None and now - signed_in_at > settings.SESSION_MAX_HOURS * 3600:
        return TOO_LONG
    if last_activity is not None and now - last_activity > settings.SESSION_IDLE_MINUTES * 60:
        return IDLE
    return None


def touch(session, now: float | None = None) -> None:
    now = int(time.time() if now is None else now)
    if SIGNED_IN_AT not in session:
        session[SIGNED_IN_AT] = now
    if now - session.get(LAST_ACTIVITY, 0) >= TOUCH_EVERY_SECONDS:
        session[LAST_ACTIVITY] = now
