"""Guessing passwords: the client's address as django-axes sees it, and the page a locked-out person gets.

Axes counts wrong passwords per username *and* address (settings.AXES_LOCKOUT_PARAMETERS), so an
attacker cannot lock a whole ministry out from its shared outgoing address, and cannot guess one
account's password from one address for ever.
"""

import ipaddress
from functools import cache

from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.shortcuts import render
from django.utils import timezone


@cache
def _trusted_networks(proxies: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(proxy, strict=False) for proxy in proxies)


def _is_trusted(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in _trusted_networks(tuple(settings.TRUSTED_PROXIES)))


def client_ip(request) -> str:
    """The address a request came from.

    X-Forwarded-For is believed only when the request comes from one of settings.TRUSTED_PROXIES,
    and then only up to the first address (from the right) that is not one of our proxies: anything
    left of it was written by the client and may be invented.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    if not _is_trusted(remote):
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    for address in reversed(forwarded):
        if not _is_trusted(address):
            try:
                return str(ipaddress.ip_address(address))
            except ValueError:
                return remote
    return remote


def locked_until(request, credentials=None):
    """When the username + address of this request may try again; None when not known."""
    cool_off = get_cool_off(request)
    last = (
        AccessAttempt.objects.filter(
            username=get_client_username(request, credentials), ip_address=request.axes_ip_address
        )
        .order_by("-attempt_time")
        .values_list("attempt_time", flat=True)
        .first()
    )
    if cool_off is None or last is None:
        return None
    return last + cool_off


def lockout_response(request, original_response=None, credentials=None):
    """Our own page, in the site's layout and the reader's language, saying when to try again."""
    until = locked_until(request, credentials)
    minutes = None
    if until is not None:
        minutes = max(1, int((until - timezone.now()).total_seconds() + 59) // 60)
    return render(
        request,
        "registration/locked_out.html",
        {"until": until, "minutes": minutes, "failure_limit": settings.AXES_FAILURE_LIMIT},
        status=429,
    )


# As long as a username can be (User.username's max_length); anything longer cannot be anyone's.
USERNAME_MAX_LENGTH = 150


def client_username(request, credentials=None) -> str:
    """The username a sign-in attempt names, cut to the longest a username can be: a junk value of
    thousands of characters is still counted against that name, and never breaks the attempt log."""
    field = settings.AXES_USERNAME_FORM_FIELD
    if credentials:
        username = credentials.get(field)
    else:
        username = request.POST.get(field) if request is not None and hasattr(request, "POST") else None
    # NUL cannot be stored in PostgreSQL text; no username holds one.
    return str(username or "").replace("\x00", "")[:USERNAME_MAX_LENGTH]
