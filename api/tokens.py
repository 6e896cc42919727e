"""Issuing, revoking and checking API tokens.

A token reads `nap_<prefix>_<secret>`: the prefix (12 hex digits) is public — it names the token in
lists and logs and finds its row — and the secret (32 random bytes, URL-safe base64) is shown once,
when the token is issued, and kept only as its SHA-256 hash (see `ApiToken.secret_hash` for why a
plain hash is right here).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from api.models import ApiToken
from api.scopes import Scope
from nap_tracker import audit, permissions
from nap_tracker.models import Agency, User

TOKEN_START = "nap"
PREFIX_LENGTH = 12  # hex digits: 48 bits, enough that two tokens never draw the same one by chance
SECRET_BYTES = 32
TOKEN_PATTERN = re.compile(r"nap_(?P<prefix>[0-9a-f]{12})_(?P<secret>[A-Za-z0-9_-]{43})")
TOKEN_MAX_LENGTH = 64  # longer than any token; anything longer is refused before a regular expression reads it

DEFAULT_LIFETIME = timedelta(days=365)
MAX_LIFETIME = timedelta(days=730)
# A date chosen on the form is valid to the end of that day, so the last allowed date ends a day later.
MAX_LIFETIME_SLACK = timedelta(days=1)
# "Last used" is written at most this often per token: an API client calling every second costs one
# write a minute, not one a request.
LAST_USED_EVERY = timedelta(minutes=1)

# Compared against when no token has the prefix, so an unknown prefix costs the same work as a known one.
_NO_HASH = "0" * 64


class TokenRefused(Exception):
    """A token that does not let its bearer in; the message says why, in words for the API's reader.

    Only a token whose secret matched is told it is expired or revoked: whoever holds the secret
    held the token, and needs to know to ask for a new one.
    """


class TokenAlreadyRevoked(Exception):
    """Revoking a token someone revoked already (two administrators, or a form sent twice)."""


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _new_prefix() -> str:
    while True:
        prefix = secrets.token_hex(PREFIX_LENGTH // 2)
        if not ApiToken.objects.filter(prefix=prefix).exists():
            return prefix


def ordered_scopes(scopes: Iterable[str]) -> list[str]:
    """The scopes given, each once, in the order of `Scope`; unknown values are kept (and then refused)."""
    given = list(dict.fromkeys(str(scope) for scope in scopes))
    known = [scope for scope in Scope.values if scope in given]
    return known + [scope for scope in given if scope not in Scope.values]


def holder_problem(*, person: User | None, organisation: Agency | None) -> dict[str, str]:
    """Why this person or organisation cannot hold a token, by form field; empty when it can."""
    if person is None and organisation is None:
        return {"person": _("Choose the person or the organisation that will hold the token.")}
    if person is not None and organisation is not None:
        return {
            "organisation": _(
                "Choose a person or an organisation, not both: a token acts for one of them. "
                "Clear one of the two fields."
            )
        }
    if person is not None:
        if not person.is_active:
            return {"person": _("%(person)s’s account is not active.") % {"person": person}}
        if permissions.must_use_second_factor(person):
            return {
                "person": _(
                    "%(person)s signs in with a second factor, which a token would go around. "
                    "Administrators and the coordinator's office use the API in the browser, signed in."
                )
                % {"person": person}
            }
    elif not organisation.active:
        return {"organisation": _("%(organisation)s is not active.") % {"organisation": organisation}}
    return {}


@transaction.atomic
def token_issue(
    *,
    by: User,
    name: str,
    person: User | None = None,
    organisation: Agency | None = None,
    scopes: Iterable[str],
    expires_at: datetime,
) -> tuple[ApiToken, str]:
    """Issue a token; return it and the whole token string, which exists nowhere else: show it once.

    Raises ValidationError (keyed by field: name, person, organisation, scopes, expires_at) when the
    input cannot make a token, and PermissionDenied when `by` may not issue tokens.
    """
    if not permissions.may_manage_api_tokens(by):
        raise PermissionDenied
    now = timezone.now()
    name = (name or "").strip()
    scopes = ordered_scopes(scopes)
    errors: dict[str, object] = {}
    if not name:
        errors["name"] = _("Give the token a name that says what it is for.")
    elif len(name) > ApiToken._meta.get_field("name").max_length:
        errors["name"] = _("Keep the name under %(count)s characters.") % {
            "count": ApiToken._meta.get_field("name").max_length
        }
    errors.update(holder_problem(person=person, organisation=organisation))
    if not scopes:
        errors["scopes"] = _("Choose at least one scope: what the token may read.")
    elif any(scope not in Scope.values for scope in scopes):
        errors["scopes"] = _("Choose the scopes from the list.")
    if expires_at is None or timezone.is_naive(expires_at):
        errors["expires_at"] = _("Choose when the token expires.")
    elif expires_at <= now:
        errors["expires_at"] = _("The token would have expired already. Choose a date in the future.")
    elif expires_at > now + MAX_LIFETIME + MAX_LIFETIME_SLACK:
        errors["expires_at"] = _("A token lasts at most two years. Choose an earlier date.")
    if errors:
        raise ValidationError(errors)

    secret = secrets.token_urlsafe(SECRET_BYTES)
    token = ApiToken.objects.create(
        name=name,
        person=person,
        organisation=organisation,
        scopes=scopes,
        prefix=_new_prefix(),
        secret_hash=hash_secret(secret),
        created_at=now,
        created_by=by,
        expires_at=expires_at,
    )
    # The trail names the token by its prefix; the secret goes nowhere but the issuer's screen.
    audit.record(
        audit.Action.API_TOKEN_ISSUED,
        actor=by,
        target=token,
        detail={
            "prefix": token.prefix,
            "holder": _holder_detail(token),
            "scopes": scopes,
            "expires_at": expires_at.isoformat(timespec="seconds"),
        },
    )
    return token, f"{TOKEN_START}_{token.prefix}_{secret}"


@transaction.atomic
def token_revoke(*, by: User, token: ApiToken) -> ApiToken:
    """Revoke a token: it stops working at once. Raises TokenAlreadyRevoked when it was revoked before."""
    if not permissions.may_manage_api_tokens(by):
        raise PermissionDenied
    token = ApiToken.objects.select_for_update(of=("self",)).select_related("person", "organisation").get(pk=token.pk)
    if token.revoked_at is not None:
        raise TokenAlreadyRevoked
    token.revoked_at = timezone.now()
    token.revoked_by = by
    token.save(update_fields=["revoked_at", "revoked_by"])
    audit.record(
        audit.Action.API_TOKEN_REVOKED,
        actor=by,
        target=token,
        detail={"prefix": token.prefix, "holder": _holder_detail(token)},
    )
    return token


def _holder_detail(token: ApiToken) -> str:
    if token.person_id:
        return f"person:{token.person.get_username()}"
    return f"organisation:{token.organisation.code}"


# --- Checking a token on each request ---------------------------------------------------------


def token_check(raw: str, *, ip_address: str | None = None, now: datetime | None = None) -> ApiToken:
    """The token a request carries, loaded with its holder (one query), or TokenRefused saying why not.

    Notes its use (`last_used_at`, address) at most once a minute per token, with a conditional UPDATE.
    """
    now = now or timezone.now()
    match = TOKEN_PATTERN.fullmatch(raw) if isinstance(raw, str) and len(raw) <= TOKEN_MAX_LENGTH else None
    if match is None:
        raise TokenRefused(
            _(
                "This is not an API token. Send the whole token, as it was shown when it was issued: "
                "“Authorization: Bearer nap_…”."
            )
        )
    token = ApiToken.objects.select_related("person__agency", "organisation").filter(prefix=match["prefix"]).first()
    # Constant-time: how long the comparison takes says nothing about how much of the secret was right.
    matches = hmac.compare_digest(token.secret_hash if token else _NO_HASH, hash_secret(match["secret"]))
    if token is None or not matches:
        raise TokenRefused(
            _("This token is not known. Check that it was copied whole, or ask your administrator for a new one.")
        )
    if token.revoked_at is not None:
        raise TokenRefused(_("This token was revoked. Ask your administrator for a new one."))
    if token.expires_at <= now:
        raise TokenRefused(
            _("This token expired on %(date)s (UTC). Ask your administrator for a new one.")
            % {"date": token.expires_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M")}
        )
    if token.person_id:
        if not token.person.is_active or permissions.must_use_second_factor(token.person):
            # Its holder could not read this in the browser either (or only with a second factor).
            raise TokenRefused(_("The account this token belongs to may no longer use it."))
    elif not token.organisation.active:
        raise TokenRefused(_("The organisation this token belongs to is no longer active."))
    _note_use(token, now=now, ip_address=ip_address)
    return token


def authenticate_token(raw: str, *, ip_address: str | None = None) -> ApiToken | None:
    """The token if it lets its bearer in now, else None (`token_check` says why)."""
    try:
        return token_check(raw, ip_address=ip_address)
    except TokenRefused:
        return None


def _note_use(token: ApiToken, *, now: datetime, ip_address: str | None) -> None:
    """Write "last used" when the row's value is over a minute old; the loaded token says whether to try,
    and the UPDATE's own condition makes two requests arriving together write once."""
    if token.last_used_at is not None and token.last_used_at > now - LAST_USED_EVERY:
        return
    stale = Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - LAST_USED_EVERY)
    ApiToken.objects.filter(stale, pk=token.pk).update(last_used_at=now, last_used_ip=ip_address)
    token.last_used_at, token.last_used_ip = now, ip_address
