"""Who is calling the API: the holder of a token sent as `Authorization: Bearer nap_…`.

A person's token acts as that person. An organisation's token acts as an `OrganisationPrincipal`: a
stand-in that `nap_tracker.permissions` judges like one of the organisation's people, with the role its
kind gives (an international organisation reads as a partner, an NGO as an NGO, any other body as a
focal point) — so a token never sees more than the organisation's people would in the browser.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from rest_framework import authentication, exceptions

from api import tokens
from api.models import ApiToken
from nap_tracker import audit
from nap_tracker.models import Agency, User

ROLE_FOR_KIND = {
    Agency.Kind.INTERNATIONAL: User.Role.PARTNER,
    Agency.Kind.NGO: User.Role.NGO,
}
# Ministries, state bodies, courts and prosecution: as their focal points.
DEFAULT_ROLE = User.Role.FOCAL_POINT


def role_for_agency(agency: Agency) -> str:
    return ROLE_FOR_KIND.get(agency.kind, DEFAULT_ROLE)


@dataclass(eq=False)
class OrganisationPrincipal:
    """An organisation's token, in the shape the permission functions read from a user: `role`, `agency`,
    `agency_id`, `is_authenticated`, `is_active`. It is no person: no primary key (nothing it could have
    written or asked for is found by it), no staff rights, no second factor, never verified."""

    token: ApiToken
    agency: Agency
    role: str = field(init=False)

    pk = None
    id = None
    is_authenticated = True
    is_anonymous = False
    is_staff = False
    is_superuser = False
    language = ""
    time_zone = ""
    first_name = ""
    last_name = ""
    email = ""

    def __post_init__(self):
        self.role = role_for_agency(self.agency)

    @property
    def countries(self):
        """The countries the organisation works in, which its token reads (nap_tracker.countries)."""
        return self.agency.countries

    @property
    def agency_id(self) -> int:
        return self.agency.pk

    @property
    def is_active(self) -> bool:
        return self.agency.active

    @property
    def username(self) -> str:
        return f"token:{self.token.prefix}"

    def get_username(self) -> str:
        return self.username

    def get_full_name(self) -> str:
        return str(self.agency)

    def get_short_name(self) -> str:
        return str(self.agency)

    def get_role_display(self) -> str:
        return User.Role(self.role).label

    def is_verified(self) -> bool:
        return False

    def has_perm(self, perm, obj=None) -> bool:
        return False

    def has_perms(self, perm_list, obj=None) -> bool:
        return False

    def has_module_perms(self, app_label) -> bool:
        return False

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)

    def __str__(self):
        return f"{self.agency} ({self.username})"


def principal_for(token: ApiToken):
    """Whom the permission functions judge for this token: its person, or its organisation's stand-in."""
    if token.person_id:
        return token.person
    return OrganisationPrincipal(token=token, agency=token.organisation)


class TokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer <token>`. No such header: not this scheme (the session may still sign the
    request in). A header with a token that does not work: 401, saying why."""

    keyword = "Bearer"

    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None
        if len(parts) == 1:
            raise exceptions.AuthenticationFailed(_("No token after “Bearer”. Send “Authorization: Bearer nap_…”."))
        if len(parts) > 2:
            raise exceptions.AuthenticationFailed(_("A token has no spaces. Send it whole, after “Bearer ”."))
        try:
            raw = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("A token holds only letters, digits, “-” and “_”.")) from None
        try:
            token = tokens.token_check(raw, ip_address=audit.client_ip(request))
        except tokens.TokenRefused as refused:
            raise exceptions.AuthenticationFailed(str(refused)) from None
        return principal_for(token), token

    def authenticate_header(self, request):
        # Given, DRF answers an unauthenticated request 401 with this challenge instead of 403.
        return f'{self.keyword} realm="api"'


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    """How the API's description (drf-spectacular) tells its readers to send a token. Defined beside the
    authentication class, so it is registered whenever the class is loaded."""

    target_class = TokenAuthentication
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        scheme = build_bearer_security_scheme_object("Authorization", "Bearer", bearer_format="nap_<prefix>_<secret>")
        return scheme | {
            "description": "An API token issued by the system administrator: `Authorization: Bearer nap_…`. "
            "Each token carries scopes (plans, measures, updates, agencies); an address answers 403 to a token "
            "without its scope."
        }
