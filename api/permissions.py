"""What a caller may read through the API: the scopes of its token, or — in the browser — everything its
person may read on the site. The API is read-only for everyone.

Each API view declares the scope it needs (`required_scope = Scope.MEASURES`); `required_scope = None`
says the view needs none beyond being signed in (an index of the API). A view that declares nothing
(DRF's own API root, or an endpoint that forgot) stays closed to tokens — 403 — rather than open to
every scope; a browser session, which has every scope, still reads it.
"""

from django.utils.translation import gettext as _
from rest_framework import exceptions, permissions

from api.models import ApiToken
from api.scopes import Scope
from nap_tracker import permissions as rules

__all__ = ["HasTokenScope", "api_user", "READ_METHODS"]

READ_METHODS = permissions.SAFE_METHODS  # GET, HEAD, OPTIONS
_UNDECLARED = object()


def api_user(request):
    """Whom the permission functions in `nap_tracker.permissions` judge for this request: the person signed
    in (by session or by their own token), or an organisation token's stand-in
    (`api.authentication.OrganisationPrincipal`). Pass it wherever a page would pass `request.user`."""
    return request.user


def session_may_use_site(user) -> bool:
    """A browser session reads the API only as far as it could open the site's pages: an active account,
    and for the roles that must use a second factor, a session that entered the code."""
    if not user.is_authenticated or not user.is_active:
        return False
    if rules.must_use_second_factor(user):
        is_verified = getattr(user, "is_verified", None)  # set by django_otp's middleware
        return callable(is_verified) and bool(is_verified())
    return True


class HasTokenScope(permissions.BasePermission):
    """Read-only, and within the token's scopes.

    Any method but GET, HEAD and OPTIONS is answered 405 Method Not Allowed, whoever asks and before the
    scopes are looked at: no token or role could make it work, so 403 (which says "not you") would send a
    partner to ask for a different token in vain; 405 with its Allow header says what the address does.
    Authentication comes first in DRF, so a bad token still gets its 401, and a browser session's write
    without a CSRF token its 403 from the CSRF check.
    """

    def has_permission(self, request, view):
        if request.method not in READ_METHODS:
            raise exceptions.MethodNotAllowed(request.method)
        scope = getattr(view, "required_scope", _UNDECLARED)
        token = request.auth
        if isinstance(token, ApiToken):
            if scope is _UNDECLARED:
                raise exceptions.PermissionDenied(_("This address is not open to API tokens."))
            if scope is not None and scope not in token.scopes:
                raise exceptions.PermissionDenied(
                    _(
                        "This token may not read this: it lacks the scope “%(scope)s” (%(label)s). Ask your administrator for a token that carries it."
                    )
                    % {"scope": scope, "label": Scope(scope).label}
                )
            return True
        user = request.user
        if not user.is_authenticated:
            return False  # DRF answers 401, with the Bearer challenge of TokenAuthentication
        if not session_may_use_site(user):
            raise exceptions.PermissionDenied(
                _("Your session cannot read the API: enter the code from your authenticator app on the site first.")
                if user.is_active
                else _("This account is not active.")
            )
        return True
