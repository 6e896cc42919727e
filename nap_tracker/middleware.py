"""Each signed-in person reads the site in their own language and time zone."""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils import timezone, translation
from django.utils.cache import add_never_cache_headers


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
