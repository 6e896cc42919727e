"""What happens around every request of a signed-in person: their language and time zone, the limits of\na session, and the second factor."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone, translation
from django.utils.cache import add_never_cache_headers
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from nap_tracker import second_factor, session_limits


class UserPreferencesMiddleware:
    """Activate the signed-in person's saved language and time zone.

    Goes after AuthenticationMiddleware (it needs `request.user`) and LocaleMiddleware (it
    overrides what the cookie or the browser asked for). Anonymous visitors keep the
    cookie / Accept-Language choice and the site's time zone.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.languages = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            if user.language in self.languages:
                translation.activate(user.language)
                request.LANGUAGE_CODE = user.language
            timezone.activate(user.zone)
        else:
            timezone.deactivate()
        return self.get_response(request)


class SessionLimitsMiddleware:
    """Sign a person out after SESSION_IDLE_MINUTES without a request and SESSION_MAX_HOURS after signing in.

    The times are kept in the session (set at sign-in by `nap_tracker.session_limits`); the last activity
    is written at most once a minute, so ordinary pages cost no extra write.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            reason = session_limits.expired(request.session)
            if reason is not None:
                logout(request)
                if reason == session_limits.IDLE:
                    message = _(
                        "You were signed out after %(minutes)s minutes without activity. Sign in again to continue."
                    ) % {"minutes": settings.SESSION_IDLE_MINUTES}
                else:
                    message = _(
                        "You were signed out because you signed in %(hours)s hours ago. Sign in again to continue."
                    ) % {"hours": settings.SESSION_MAX_HOURS}
                messages.info(request, message)
                next_url = request.get_full_path() if request.method == "GET" else "/"
                return redirect_to_login(next_url)
            session_limits.touch(request.session)
        return self.get_response(request)


class SecondFactorMiddleware:
    """Nobody with a second factor works before entering a code; administrators and the
    coordinator's office do nothing before enrolling one.

    Goes after django_otp's OTPMiddleware (it needs `request.user.is_verified`). Only signing out,
    switching the language, the code and enrolment pages and the health checks stay open.
    """

    OPEN_URL_NAMES = {"second_factor_verify", "second_factor_enrol", "logout", "set_language"}
    OPEN_PATHS = ("/healthz", "/readyz", settings.STATIC_URL)

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or user.is_verified():
            return self.get_response(request)
        if second_factor.has_second_factor(user):
            target = "second_factor_verify"
        elif second_factor.is_required(user):
            target = "second_factor_enrol"
        else:
            return self.get_response(request)
        if self._is_open(request):
            # The page leaves out the site's menu: nothing in it can be opened yet.
            request.second_factor_pending = True
            return self.get_response(request)
        next_url = request.get_full_path() if request.method == "GET" else "/"
        return redirect(f"{reverse(target)}?{urlencode({'next': next_url})}")

    def _is_open(self, request) -> bool:
        if request.path.startswith(self.OPEN_PATHS):
            return True
        match = request.resolver_match
        if match is None:
            try:
                match = resolve(request.path_info)
            except Resolver404:
                return False
        return match.url_name in self.OPEN_URL_NAMES


class RejectNulBytesMiddleware:
    """Refuse a request whose query or form carries a NUL character, before any view sees it.

    No person types one; PostgreSQL cannot store or compare text holding it, so any field that
    reached a query would end in a server error. One answer here covers every filter and form,
    including those still to be written.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _holds_nul(request.GET) or (request.method == "POST" and _holds_nul(request.POST)):
            from django.core.exceptions import BadRequest

            if _is_api_view(request):
                # A program reading the API parses every answer as JSON, a 400 included: not the site's page.
                from django.http import JsonResponse

                return JsonResponse({"detail": _("A NUL character cannot be read in a query or form.")}, status=400)
            # Answered by the site's 400 page, in the reader's language: nothing was changed.
            raise BadRequest("A NUL character in a query or form field.")
        return self.get_response(request)


def _is_api_view(request) -> bool:
    """Whether the address is one of the API's (a Django REST framework view), which answers in JSON."""
    from rest_framework.views import APIView

    try:
        view = resolve(request.path_info).func
    except Resolver404:
        return False
    view_class = getattr(view, "cls", None)
    return isinstance(view_class, type) and issubclass(view_class, APIView)


def _holds_nul(query) -> bool:
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in query.lists())


class NoStoreMiddleware:
    """Keep what a signed-in person sees, and every downloaded file, out of every cache.

    A page of measures, a draft update or an evidence file must not be readable from a shared
    computer's browser cache or a proxy after its reader signs out. Static files are the same for
    everyone and keep their own caching.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.static_prefix = settings.STATIC_URL if settings.STATIC_URL.startswith("/") else "/" + settings.STATIC_URL

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith(self.static_prefix):
            return response
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        download = response.get("Content-Disposition", "").lower().startswith("attachment")
        if signed_in or download:
            add_never_cache_headers(response)
        return response


class AuditRefusalsMiddleware:
    """Write every permission refusal to the audit trail, with the address that was asked for.

    A refusal is a PermissionDenied (403) raised anywhere in a view, the admin included, or the
    404 that `permissions.refuse` gives an outsider. A 404 for something that does not exist is
    not a refusal and is not recorded.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from nap_tracker import audit, permissions

        if isinstance(exception, PermissionDenied):
            status = 403
        elif isinstance(exception, permissions.Refused):
            status = 404
        else:
            return None
        match = getattr(request, "resolver_match", None)
        audit.record(
            audit.Action.PERMISSION_REFUSED,
            request=request,
            detail={"status": status, "method": request.method, "view": match.view_name if match else ""},
        )
        return None
